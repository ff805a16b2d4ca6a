"""Settings from the environment (REELWRIGHT_*) with documented defaults.

Each setting has one owner: the LLM's in `LLMSettings` (`REELWRIGHT_LLM_*`), rendering's in
`RenderSettings` (`REELWRIGHT_RENDER_*`), the files under the project home in `HomePaths`
(`settings.paths`). Settings, and the models they nest, are frozen: change one with
`settings.model_copy(update=...)`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LLMMode = Literal["auto", "strict", "json"]
VisionMode = Literal["auto", "on", "off"]


class LLMSettings(BaseModel):
    """The LLM endpoint and how it is called. With no key and no base URL the agents run
    offline (procedural writer and director)."""

    model_config = ConfigDict(frozen=True)

    base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset: OpenAI.")
    model: str = "gpt-4o-mini"
    api_key: str | None = Field(
        None,
        repr=False,
        validate_default=True,
        description="REELWRIGHT_LLM_API_KEY, falling back to OPENAI_API_KEY; never stored.",
    )
    mode: LLMMode = Field("auto", description="auto | strict | json: how replies are constrained")
    timeout_s: float = Field(60.0, gt=0)
    max_tokens: int = Field(
        4096, ge=1, description="Reply token limit; a reply cut off there gets one re-ask at 2x."
    )
    vision: VisionMode = Field(
        "auto",
        description="auto | on | off: send frames to the judge as images. auto: until the "
        "endpoint rejects image content (then text only, for the rest of the run); on: a "
        "rejection is an error; off: never.",
    )
    max_attempts: int = Field(5, ge=1, le=20)
    max_retry_wait_s: float = Field(30.0, ge=0)
    concurrency: int = Field(8, ge=1, le=64)
    rights_judge: bool = Field(
        True,
        description="With a model configured, it also reviews the script and shot prompts for "
        "protected works the screening rules missed (review findings); "
        "REELWRIGHT_LLM_RIGHTS_JUDGE=0 turns it off.",
    )

    @field_validator("base_url")
    @classmethod
    def _a_url(cls, value: str | None) -> str | None:
        """An http(s) URL with a host and a valid port, or unset."""
        if not value:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        try:
            parts.port  # noqa: B018  (raises for a port out of range)
        except ValueError as exc:
            raise ValueError(f"{value!r}: {exc}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL with a host")
        return value

    @field_validator("api_key")
    @classmethod
    def _openai_key_fallback(cls, value: str | None) -> str | None:
        return value or os.environ.get("OPENAI_API_KEY") or None

    @property
    def configured(self) -> bool:
        """An endpoint or a key is set: the agents use the model, not the offline templates."""
        return bool(self.base_url or self.api_key)


OPENAI_VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer",
    "verse", "marin", "cedar",
)  # fmt: skip


class VoiceSettings(BaseModel):
    """The speech endpoint (`REELWRIGHT_VOICE_*`), used with `--voice speech`: any
    OpenAI-compatible `/v1/audio/speech`. Retries follow the LLM port's policy."""

    model_config = ConfigDict(frozen=True)

    base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset: OpenAI.")
    model: str = "gpt-4o-mini-tts"
    api_key: str | None = Field(
        None,
        repr=False,
        validate_default=True,
        description="REELWRIGHT_VOICE_API_KEY, falling back to OPENAI_API_KEY; never stored.",
    )
    voices: tuple[str, ...] = Field(OPENAI_VOICES, description="Voice names the endpoint has.")
    default_voice: str = "alloy"
    timeout_s: float = Field(60.0, gt=0)
    max_attempts: int = Field(5, ge=1, le=20)
    max_retry_wait_s: float = Field(30.0, ge=0)

    _a_url = field_validator("base_url")(LLMSettings._a_url.__func__)  # type: ignore[attr-defined]

    @field_validator("api_key")
    @classmethod
    def _openai_key_fallback(cls, value: str | None) -> str | None:
        return value or os.environ.get("OPENAI_API_KEY") or None


class JudgeSettings(BaseModel):
    """The critic's LLM judge (`REELWRIGHT_JUDGE_*`)."""

    model_config = ConfigDict(frozen=True)

    samples: int = Field(
        1, ge=1, le=9, description="Independent judge replies, combined by median per dimension."
    )
    max_frames: int = Field(
        24, ge=0, le=200, description="Frames shown to a vision judge, spread over the episode."
    )
    frame_px: int = Field(256, ge=64, le=1024, description="Longer side of a frame sent.")


class ClipSettings(BaseModel):
    """Frame measurements with a local CLIP-family model (`REELWRIGHT_CLIP_*`)."""

    model_config = ConfigDict(frozen=True)

    model: Path | None = Field(
        None,
        description="A local folder with a CLIP model (transformers layout, safetensors "
        "weights); unset: frames are not measured. Never downloaded.",
    )
    device: str = Field("cpu", description="cpu | cuda | cuda:N | mps")


class RenderSettings(BaseModel):
    """How keyframes are rendered by the diffusers renderer (`REELWRIGHT_RENDER_*`)."""

    model_config = ConfigDict(frozen=True)

    steps: int = Field(25, ge=1, le=200)
    guidance: float = Field(7.5, ge=0, le=30)
    batch_size: int = Field(8, ge=1, le=64)
    device: str = Field("auto", description="auto | cuda | cuda:N | cpu | mps")
    dtype: Literal["auto", "float16", "bfloat16", "float32"] = "auto"
    compile: bool = Field(False, description="torch.compile the denoiser (paid once a process)")
    channels_last: bool = False
    vae_tiling: bool = False
    long_prompts: Literal["chunk", "truncate"] = Field(
        "chunk", description="Prompts over the CLIP window: encoded in chunks, or truncated."
    )
    reference: Literal["none", "scene", "character", "character+scene"] = Field(
        "none",
        description="What an image-to-image pass starts from: the previous frame of the "
        "scene, the lead character's sheet from the bible, or the sheet for a scene's "
        "first shot and the previous frame after it.",
    )
    reference_strength: float = Field(
        0.6, gt=0, le=1, description="How far an image-to-image pass may move from its reference."
    )


@dataclass(frozen=True)
class HomePaths:
    """The files and folders under the project home (`REELWRIGHT_HOME`), named once. The
    content-addressed caches (frames, voiced lines, encoded animatics) live under `shared`
    when one is set (`REELWRIGHT_CACHE`), else under the home."""

    root: Path
    shared: Path | None = None

    @property
    def caches(self) -> Path:
        """The folder that holds the content-addressed caches."""
        return self.shared if self.shared is not None else self.root

    @property
    def state_db(self) -> Path:
        return self.root / "state.sqlite"

    @property
    def cache(self) -> Path:
        """The render cache: frames by content key."""
        return self.caches / "cache"

    @property
    def audio(self) -> Path:
        """The audio cache: voiced lines by content key."""
        return self.caches / "audio"

    @property
    def encodes(self) -> Path:
        """The animatic cache: encoded videos by the digest of their frames and sound."""
        return self.caches / "encodes"

    @property
    def audit(self) -> Path:
        """The append-only decision log; `AuditLog` keeps its head beside it."""
        return self.root / "audit.jsonl"

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def signing(self) -> Path:
        return self.root / "signing"

    @property
    def frames(self) -> Path:
        """Hashes of frames published by earlier runs."""
        return self.root / "frames.json"

    @property
    def sessions(self) -> Path:
        return self.root / "sessions.json"

    @property
    def review(self) -> Path:
        return self.root / "review.yaml"


class Settings(BaseSettings):
    """Process settings. CLI flags override these; these override the defaults.

    `REELWRIGHT_LLM_<FIELD>` sets `llm.<field>`, `REELWRIGHT_RENDER_<FIELD>` sets
    `render.<field>` (one `_` after the group: `REELWRIGHT_RENDER_REFERENCE_STRENGTH`), and
    likewise `REELWRIGHT_JUDGE_<FIELD>` and `REELWRIGHT_CLIP_<FIELD>`."""

    model_config = SettingsConfigDict(
        env_prefix="REELWRIGHT_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
        frozen=True,
    )

    llm: LLMSettings = Field(default_factory=LLMSettings)
    render: RenderSettings = Field(default_factory=RenderSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)

    judge: JudgeSettings = Field(default_factory=JudgeSettings)
    clip: ClipSettings = Field(default_factory=ClipSettings)
    home: Path = Field(Path(".reelwright"), description="State, cache and signing folder.")
    cache: Path | None = Field(
        None,
        description="Where the content-addressed caches live (frames, voiced lines, encoded "
        "animatics) when not under the home. Entries are keyed by their content, so the "
        "folder is safe to share between runs, projects and eval runs.",
    )
    state: str | None = Field(None, description="Checkpointer URL; default sqlite under home.")
    allow_sheets_outside: bool = Field(
        False,
        description="Character sheets outside the bible's folder: allows them for a new run, "
        "and confirms, at resume, a run started with --allow-sheets-outside.",
    )

    @field_validator("cache", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`REELWRIGHT_CACHE=` (set, empty) means under the home, not the working folder."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cache")
    @classmethod
    def _a_folder(cls, value: Path | None) -> Path | None:
        if value is not None and value.exists() and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @property
    def paths(self) -> HomePaths:
        return HomePaths(self.home, self.cache)

    @property
    def state_url(self) -> str:
        return self.state or f"sqlite:///{self.paths.state_db}"
