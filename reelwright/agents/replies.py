"""What the LLM is asked to return. Every field is required (strict structured outputs);
ids the model names are checked against the bible passed as validation context, so an
unknown character becomes a repair re-ask rather than a broken script."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from reelwright.models import NOTE_MAX, Angle, CameraMove, Framing, trim_text


def _trim(value: Any, limit: int) -> Any:
    return trim_text(value, limit) if isinstance(value, str) else value


def FreeText(limit: int) -> Any:  # noqa: N802 - used like a type
    """Free text a model writes: over `limit` it is trimmed at a word boundary rather than
    failing validation (a re-ask would often repeat it, and a resume the same crash). The JSON
    schema sent to the model is unchanged; ids and enums still fail and are re-asked."""
    return BeforeValidator(partial(_trim, limit=limit))


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _known(info: ValidationInfo, key: str, values: list[str], what: str) -> list[str]:
    known = (info.context or {}).get(key)
    if known is not None:
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValueError(f"unknown {what} {unknown}; use only: {sorted(known)}")
    return values


class OutlineScene(Reply):
    summary: str = Field(min_length=1)
    location: str
    time_of_day: Literal["day", "night", "dawn", "dusk"]
    characters: list[str] = Field(min_length=1)
    beats: list[str] = Field(min_length=1, max_length=8)

    @field_validator("characters")
    @classmethod
    def _characters(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _known(info, "characters", v, "character id(s)")

    @field_validator("location")
    @classmethod
    def _location(cls, v: str, info: ValidationInfo) -> str:
        return _known(info, "locations", [v], "location id")[0]


class OutlineReply(Reply):
    title: str
    scenes: list[OutlineScene] = Field(min_length=1, max_length=40)


class LineReply(Reply):
    character: str
    text: Annotated[str, Field(min_length=1, max_length=600), FreeText(600)]
    parenthetical: str


class SceneReply(Reply):
    summary: str = Field(min_length=1)
    beats: list[str] = Field(min_length=1, max_length=8)
    dialogue: list[LineReply] = Field(max_length=30)

    @field_validator("dialogue")
    @classmethod
    def _speakers(cls, v: list[LineReply], info: ValidationInfo) -> list[LineReply]:
        _known(info, "speakers", [line.character for line in v], "speaker(s)")
        return v


class PlannedShot(Reply):
    framing: Framing
    angle: Angle
    camera_move: CameraMove
    lens_mm: int = Field(ge=8, le=300)
    duration_s: float = Field(ge=0.5, le=60)
    characters: list[str]
    description: str = Field(min_length=1)
    dialogue_lines: list[int] = Field(description="Indices into the scene's dialogue.")

    @field_validator("characters")
    @classmethod
    def _characters(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _known(info, "speakers", v, "character id(s)")


class ShotPlanReply(Reply):
    shots: list[PlannedShot] = Field(min_length=1, max_length=20)


class ShotRevisionReply(Reply):
    shot: PlannedShot


class ScoresReply(Reply):
    structure: float = Field(ge=0, le=10)
    pacing: float = Field(ge=0, le=10)
    dialogue: float = Field(ge=0, le=10)
    shot_variety: float = Field(ge=0, le=10)
    continuity: float = Field(ge=0, le=10)
    technical: float = Field(ge=0, le=10)


class NoteReply(Reply):
    target: Literal["writer", "director"]
    dimension: Annotated[str, FreeText(64)]
    text: Annotated[str, Field(min_length=1), FreeText(NOTE_MAX)]
    scene_ids: list[str]
    shot_ids: list[str]

    @field_validator("scene_ids")
    @classmethod
    def _scenes(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _known(info, "scene_ids", v, "scene id(s)")

    @field_validator("shot_ids")
    @classmethod
    def _shots(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return _known(info, "shot_ids", v, "shot id(s)")


class JudgementReply(Reply):
    scores: ScoresReply
    notes: list[NoteReply] = Field(max_length=20)
