"""The judge's reply: scores per dimension and notes that name only scenes and shots that
exist (built per episode from the same reply forms as the writer's and director's)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from reelwright.agents.names import Refs
from reelwright.agents.replies import FreeText, Reply, ids_of, known_ids, list_of, named
from reelwright.models import NOTE_MAX, Script, ShotList


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
        return known_ids(info, "scene_ids", v, "scene id(s)")

    @field_validator("shot_ids")
    @classmethod
    def _shots(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return known_ids(info, "shot_ids", v, "shot id(s)")


class JudgementReply(Reply):
    scores: ScoresReply
    notes: list[NoteReply] = Field(max_length=20)


@lru_cache(maxsize=64)
def _judgement_model(scenes: Refs, shots: Refs) -> type[JudgementReply]:
    note = named(NoteReply, scene_ids=ids_of(scenes), shot_ids=ids_of(shots))
    return named(JudgementReply, notes=(list_of(note), Field(max_length=20)))


def judgement_reply(script: Script, shots: ShotList) -> type[JudgementReply]:
    """Notes name only scenes and shots that exist."""
    return _judgement_model(
        Refs("scene", tuple(s.id for s in script.scenes)),
        Refs("shot", tuple(s.id for s in shots.shots)),
    )
