"""What the writer produces: scenes of beats and dialogue lines."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from reelwright.models.base import Record, SafeId

# --------------------------------------------------------------------------- script


class DialogueLine(Record):
    character: SafeId
    text: str = Field(min_length=1, max_length=600)
    parenthetical: str = ""
    take: int = Field(
        0, ge=0, le=99, description="Which recording of the line; a re-voice asks for the next."
    )


class Scene(Record):
    """One scene. A line by a character the scene does not list is allowed here (a person's
    script may have one) and flagged by the critic (`speakers.absent`)."""

    id: SafeId
    number: int = Field(ge=1)
    location: SafeId
    time_of_day: Literal["day", "night", "dawn", "dusk"] = "day"
    summary: str
    beats: list[str] = Field(min_length=1)
    characters: list[SafeId] = Field(min_length=1)
    dialogue: list[DialogueLine] = Field(default_factory=list)
    revision: int = 0


class Script(Record):
    title: str
    logline: str
    scenes: list[Scene] = Field(min_length=1)

    def scene(self, scene_id: str) -> Scene:
        for s in self.scenes:
            if s.id == scene_id:
                return s
        raise KeyError(scene_id)
