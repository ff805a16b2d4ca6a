"""What nodes use but state does not hold: agents, renderer, cache, progress reporting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from reelwright.agents.director import Director
from reelwright.agents.writer import Writer
from reelwright.approval.audit import AuditLog
from reelwright.audio.track import Sound
from reelwright.compliance.rights import Ledger, ModelUse
from reelwright.compliance.screening import Screener, Watchlist, default_screener
from reelwright.compliance.signing import SigningConfig, signing_config
from reelwright.compliance.visual import FrameHistory, ReferenceLibrary
from reelwright.critic.agent import Critic, critic_from_settings
from reelwright.graphs.carry import UsageCarry
from reelwright.graphs.state import RunSpec
from reelwright.llm import LLM
from reelwright.media.encodes import EncodeCache
from reelwright.models import RenderResult
from reelwright.renderers.base import Renderer
from reelwright.renderers.cache import RenderCache, RenderProgress

if TYPE_CHECKING:
    from reelwright.config import Settings


class Progress(RenderProgress, Protocol):
    """What a run reports as it goes: each node as it starts, and (from `RenderProgress`)
    each frame and each denoising step. Subclass `SilentProgress` to report only some."""

    def node(self, name: str, iteration: int) -> None: ...


class SilentProgress:
    """Reports nothing; the no-op default of every `Progress` method."""

    def node(self, name: str, iteration: int) -> None:
        pass

    def frame(self, result: RenderResult, done: int, total: int) -> None:
        pass

    def step(self, batch: int, done: int, total: int) -> None:
        pass


@dataclass
class EpisodeContext:
    writer: Writer
    director: Director
    critic: Critic
    renderer: Renderer
    cache: RenderCache
    progress: Progress = field(default_factory=SilentProgress)
    screener: Screener = field(default_factory=default_screener)
    ledger: Ledger | None = None
    references: ReferenceLibrary | None = None
    history: FrameHistory | None = None
    signing: SigningConfig | None = None
    models: list[ModelUse] = field(default_factory=list)
    audit: AuditLog | None = None
    llm: LLM | None = None  # the agents' LLM: its tally counts the requests of failed calls
    carry: UsageCarry | None = None  # usage of failed steps, until a later step records it
    rights_judge: bool = False  # the LLM reviews screened text for what the rules missed
    sound: Sound | None = None  # voice, audio cache and mastering; None: a silent animatic
    encodes: EncodeCache | None = None  # encoded animatics by the digest of what went in


def renderer_from_spec(spec: str, settings: Settings | None = None) -> Renderer:
    """`storyboard` (CPU, default) or `diffusers:PATH` (a local diffusers model folder, or
    `FILE.safetensors@CONFIG_DIR`)."""
    from reelwright.errors import InputError

    if spec == "storyboard":
        from reelwright.renderers.storyboard import StoryboardRenderer

        return StoryboardRenderer()
    if spec.startswith("diffusers:"):
        from reelwright.config import Settings

        settings = settings or Settings()
        try:
            from reelwright.renderers.diffusers import DiffusersRenderer
        except ImportError as exc:
            raise InputError(
                f"the diffusers renderer needs `pip install 'reelwright[diffusers]'` ({exc})"
            ) from None
        return DiffusersRenderer(
            spec.removeprefix("diffusers:"), settings.render, home=settings.home
        )
    raise InputError(f"unknown renderer {spec!r}: use 'storyboard' or 'diffusers:PATH'")


def build_context(
    spec: RunSpec,
    settings: Settings | None = None,
    *,
    llm: LLM | None = None,
    renderer: Renderer | None = None,
    progress: Progress | None = None,
) -> EpisodeContext:
    """Rebuild a run's tools from its spec: the same code path for a new run and a resume."""
    from reelwright.agents.director import LLMDirector
    from reelwright.agents.offline import ProceduralDirector, ProceduralWriter
    from reelwright.agents.writer import LLMWriter
    from reelwright.config import Settings
    from reelwright.errors import InputError
    from reelwright.llm import llm_from_settings
    from reelwright.llm.endpoint import check_endpoint

    settings = settings or Settings()
    if spec.agents == "llm" and llm is None:
        # the key goes to the endpoint configured now; a stored one that differs is refused
        base_url = check_endpoint(spec.llm_base_url, spec.run_id, settings.llm.base_url)
        if not settings.llm.configured:
            raise InputError(
                f"run {spec.run_id} uses an LLM: set REELWRIGHT_LLM_API_KEY or OPENAI_API_KEY "
                "(or REELWRIGHT_LLM_BASE_URL) before resuming"
            )
        llm = llm_from_settings(
            settings.llm.model_copy(
                update={"model": spec.llm_model or settings.llm.model, "base_url": base_url}
            )
        )
    writer: Writer
    director: Director
    if spec.agents == "llm":
        assert llm is not None
        writer = LLMWriter(llm, settings.llm.concurrency)
        director = LLMDirector(llm, settings.llm.concurrency)
    else:
        writer, director = ProceduralWriter(), ProceduralDirector()
    renderer = renderer or renderer_from_spec(spec.renderer, settings)
    models = [ModelUse(id=renderer.model, purpose="render", weights_sha256=renderer.weights_sha256)]
    if spec.agents == "llm":
        models.append(ModelUse(id=spec.llm_model or settings.llm.model, purpose="language"))
    sound = sound_from_spec(spec, settings)
    if sound is not None and spec.voice == "speech":
        models.append(ModelUse(id=sound.voice.model, purpose="voice"))
    custom = bool(spec.watchlists or spec.allow)
    return EpisodeContext(
        writer=writer,
        director=director,
        critic=critic_from_settings(settings, llm if spec.agents == "llm" else None),
        renderer=renderer,
        cache=RenderCache(settings.paths.cache),
        progress=progress or SilentProgress(),
        screener=Screener(Watchlist.load(spec.watchlists, spec.allow))
        if custom
        else default_screener(),
        ledger=Ledger.load(spec.rights) if spec.rights else None,
        references=ReferenceLibrary(spec.references) if spec.references else None,
        history=FrameHistory(settings.paths.frames),
        signing=signing_config(settings.home),
        models=models,
        audit=AuditLog(settings.paths.audit),
        carry=UsageCarry(settings.paths.logs / f"{spec.run_id}.usage.json"),
        llm=llm if spec.agents == "llm" else None,
        rights_judge=spec.agents == "llm" and settings.llm.rights_judge,
        sound=sound,
        encodes=EncodeCache(settings.paths.encodes),
    )


def sound_from_spec(spec: RunSpec, settings: Settings) -> Sound | None:
    """The run's voice backend, audio cache and mastering settings (None: silent)."""
    from reelwright.audio.cache import AudioCache
    from reelwright.audio.mix import Bed, Mastering
    from reelwright.audio.voice_backends import voice_from_settings

    if spec.voice == "none":
        return None
    beds = [Bed(kind="room_tone", path=spec.room_tone)] if spec.room_tone else []
    beds += [Bed(kind="music", path=spec.music)] if spec.music else []
    return Sound(
        voice=voice_from_settings(spec.voice, settings),
        cache=AudioCache(settings.paths.audio),
        mastering=Mastering(target_lufs=spec.loudness, beds=tuple(beds)),
    )
