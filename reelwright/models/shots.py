"""What the director produces: shots with framing, angle, camera move, duration, prompt and
seed."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import (
    Field,
    model_validator,
)

from reelwright.models.base import Record, SafeId
from reelwright.models.script import DialogueLine

# --------------------------------------------------------------------------- shots


class Framing(StrEnum):
    extreme_wide = "extreme_wide"
    wide = "wide"
    medium = "medium"
    close = "close"
    extreme_close = "extreme_close"


class Angle(StrEnum):
    eye_level = "eye_level"
    high = "high"
    low = "low"
    overhead = "overhead"
    dutch = "dutch"


class CameraMove(StrEnum):
    static = "static"
    pan = "pan"
    tilt = "tilt"
    dolly_in = "dolly_in"
    dolly_out = "dolly_out"
    tracking = "tracking"
    handheld = "handheld"
    crane = "crane"


class Shot(Record):
    id: SafeId
    scene_id: SafeId
    framing: Framing
    angle: Angle = Angle.eye_level
    camera_move: CameraMove = CameraMove.static
    lens_mm: int = Field(35, ge=8, le=300)
    duration_s: float = Field(ge=0.5, le=60)
    characters: list[SafeId] = Field(default_factory=list)
    location: SafeId
    time_of_day: Literal["day", "night", "dawn", "dusk"] = "day"
    description: str
    prompt: str = Field(min_length=1)
    negative_prompt: str = ""
    seed: int = Field(ge=0)
    dialogue: list[DialogueLine] = Field(default_factory=list)
    revision: int = 0


class ShotList(Record):
    shots: list[Shot] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ShotList:
        ids = [s.id for s in self.shots]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate shot ids: {dupes}")
        return self

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.shots)

    def for_scene(self, scene_id: str) -> list[Shot]:
        return [s for s in self.shots if s.scene_id == scene_id]
