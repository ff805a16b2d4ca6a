"""What a run is asked to do: one typed request that the CLI, the eval runner and the Python
API all build, so each option has one name, one default and one check.

The tools a run uses (settings, an LLM, a renderer object, a progress sink) are not part of
the request: they are passed beside it to `reelwright.api.run_episode`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelwright.errors import InputError
from reelwright.loading import validation_message
from reelwright.models import Bible, Brief


class RunRequest(BaseModel):
    """One episode run: the brief and bible, where the package goes, and the run's options."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    brief: Brief | Path = Field(description="A Brief, or the path of its YAML.")
    bible: Bible | Path | None = Field(
        None, description="A Bible, or its YAML; default: bible.yaml beside the brief."
    )
    out: Path = Field(description="The package folder: new, empty, or this run's own.")
    auto_approve: bool = Field(False, description="Publish without waiting at the gate.")
    renderer: str = Field("storyboard", description="`storyboard` or `diffusers:PATH`.")
    checkpointer: str | None = Field(
        None, description="State URL (sqlite:///PATH, memory://); default: the settings' one."
    )
    run_id: str | None = Field(None, description="Default: a new id.")
    max_iterations: int | None = Field(None, description="Overrides the brief's budget.")
    long_side: int = Field(768, description="Frame size: the long side in pixels.")
    rights: Path | None = Field(None, description="Rights ledger; default rights.yaml beside.")
    references: Path | None = Field(None, description="Folder of protected reference images.")
    watchlists: tuple[Path, ...] = Field((), description="Project watchlists.")
    allow: tuple[str, ...] = Field((), description="Watchlist entries the project cleared.")
    force: bool = Field(False, description="Move anything else in `out` aside (never delete).")
    allow_outside_sheets: bool = Field(False, description="Character sheets may lie elsewhere.")
    voice: str = Field(
        "scratch", description="`scratch` (offline), `speech` (the endpoint) or `none`."
    )
    loudness: float = Field(-16.0, description="Mix target, LUFS integrated (-40..-10).")
    room_tone: Path | None = Field(None, description="Room tone WAV under the dialogue.")
    music: Path | None = Field(None, description="Music bed WAV under the dialogue.")
    state: str | None = Field(
        None, description="Deprecated name of `checkpointer` (warns); will be removed."
    )

    @classmethod
    def of(cls, **fields: Any) -> RunRequest:
        """A request from its fields; a bad or unknown one is an InputError naming it."""
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            raise InputError(validation_message(exc, "the run's options")) from None
