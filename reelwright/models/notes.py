"""Notes aimed at the writer or the director, and the structured actions a note or a
reviewer asks for (split a shot, cut a line, add a scene…)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    model_validator,
)

from reelwright.models.base import MAX_TEXT, Frozen, SafeId
from reelwright.models.script import DialogueLine
from reelwright.models.shots import Angle, CameraMove, Framing

Target = Literal["writer", "director"]


NOTE_MAX = 2000

# --------------------------------------------------------------------------- structured notes


class _Action(Frozen):
    """An exact change a note asks for. Lines are 1-based positions in their scene's dialogue
    as the reviewer saw it; the framework applies actions itself, then checks each one."""

    kind: str

    @property
    def target(self) -> Target:
        """The agent whose artefact the action changes."""
        return "director" if self.kind in DIRECTOR_ACTIONS else "writer"


class SplitShot(_Action):
    kind: Literal["split_shot"] = "split_shot"
    shot_id: SafeId
    into: int = Field(2, ge=2, le=6)
    framings: tuple[Framing, ...] = Field((), description="One framing per part (optional).")

    @model_validator(mode="after")
    def _framings(self) -> SplitShot:
        if self.framings and len(self.framings) != self.into:
            raise ValueError(
                f"split into {self.into} needs {self.into} framings, got {len(self.framings)}"
            )
        return self


class RetimeShot(_Action):
    kind: Literal["retime_shot"] = "retime_shot"
    shot_id: SafeId
    seconds: float = Field(ge=0.5, le=60)


class ReframeShot(_Action):
    kind: Literal["reframe_shot"] = "reframe_shot"
    shot_id: SafeId
    framing: Framing | None = None
    angle: Angle | None = None
    lens_mm: int | None = Field(None, ge=8, le=300)

    @model_validator(mode="after")
    def _something(self) -> ReframeShot:
        if self.framing is None and self.angle is None and self.lens_mm is None:
            raise ValueError("reframe_shot needs a framing, an angle or a lens_mm")
        return self


class MoveCamera(_Action):
    kind: Literal["camera_move"] = "camera_move"
    shot_id: SafeId
    move: CameraMove


class AddCharacter(_Action):
    kind: Literal["add_character"] = "add_character"
    shot_id: SafeId
    character: SafeId


class RemoveCharacter(_Action):
    kind: Literal["remove_character"] = "remove_character"
    shot_id: SafeId
    character: SafeId


class MoveLine(_Action):
    kind: Literal["move_line"] = "move_line"
    scene_id: SafeId
    line: int = Field(ge=1)
    to_shot: SafeId


class CutLine(_Action):
    kind: Literal["cut_line"] = "cut_line"
    scene_id: SafeId
    line: int = Field(ge=1)


class RewriteLine(_Action):
    kind: Literal["rewrite_line"] = "rewrite_line"
    scene_id: SafeId
    line: int = Field(ge=1)
    text: str | None = Field(None, min_length=1, max_length=600, description="The new line.")
    instruction: str | None = Field(
        None, min_length=1, max_length=NOTE_MAX, description="How to rewrite it (needs a model)."
    )

    @model_validator(mode="after")
    def _one(self) -> RewriteLine:
        if (self.text is None) == (self.instruction is None):
            raise ValueError("rewrite_line needs exactly one of text or instruction")
        return self


class GiveLine(_Action):
    kind: Literal["give_line"] = "give_line"
    scene_id: SafeId
    line: int = Field(ge=1)
    character: SafeId


class RevoiceLine(_Action):
    """Record the line again (the next take), same words and voice."""

    kind: Literal["revoice_line"] = "revoice_line"
    scene_id: SafeId
    line: int = Field(ge=1)


class SetVoice(_Action):
    """Change a character's voice for the whole episode: every line of theirs is re-voiced."""

    kind: Literal["set_voice"] = "set_voice"
    character: SafeId
    name: str | None = Field(None, max_length=64, description="Backend voice name.")
    speed: float | None = Field(None, ge=0.5, le=2.0)
    pitch: float | None = Field(None, ge=-12, le=12)
    style: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _something(self) -> SetVoice:
        if self.name is None and self.speed is None and self.pitch is None and self.style is None:
            raise ValueError("set_voice needs a name, speed, pitch or style")
        return self


class AddBeat(_Action):
    kind: Literal["add_beat"] = "add_beat"
    scene_id: SafeId
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class CutScene(_Action):
    kind: Literal["cut_scene"] = "cut_scene"
    scene_id: SafeId


class AddScene(_Action):
    kind: Literal["add_scene"] = "add_scene"
    after: SafeId = Field(description="The scene the new one follows.")
    summary: str = Field(min_length=1, max_length=MAX_TEXT)
    location: SafeId | None = Field(None, description="Default: the location of `after`.")
    characters: tuple[SafeId, ...] = Field((), description="Default: the characters of `after`.")


Action = Annotated[
    SplitShot
    | RetimeShot
    | ReframeShot
    | MoveCamera
    | AddCharacter
    | RemoveCharacter
    | MoveLine
    | CutLine
    | RewriteLine
    | GiveLine
    | RevoiceLine
    | SetVoice
    | AddBeat
    | CutScene
    | AddScene,
    Field(discriminator="kind"),
]
DIRECTOR_ACTIONS = frozenset(
    {
        "split_shot",
        "retime_shot",
        "reframe_shot",
        "camera_move",
        "add_character",
        "remove_character",
        "move_line",
    }
)


class Note(Frozen):
    """A critic's (or reviewer's) request for a change, aimed at one agent and specific ids."""

    target: Target
    text: str = Field(min_length=1, max_length=NOTE_MAX)
    dimension: str = "general"
    scene_ids: tuple[SafeId, ...] = ()
    shot_ids: tuple[SafeId, ...] = ()
    source: Literal["critic", "judge", "reviewer", "compliance"] = "critic"
    replace: tuple[str, ...] = Field((), description="Exact phrases that must not survive.")
    check: str = Field(
        "",
        max_length=64,
        description="The critic's detector that raised it (e.g. `dialogue.near_repeat`); the "
        "next iteration's same detector re-measures the defect.",
    )
    actions: tuple[Action, ...] = Field((), description="Exact changes, applied and checked.")


class ActionOutcome(Frozen):
    """Whether a note's action was carried out, checked on the revised script and shots."""

    action: Action
    source: Literal["critic", "judge", "reviewer", "compliance"] = "reviewer"
    iteration: int = Field(0, description="The iteration the revision fed.")
    applied: bool = Field(True, description="False when the action could not be carried out.")
    addressed: bool
    reason: str = ""
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    line: DialogueLine | None = Field(
        None, description="The line acted on, as the reviewer saw it."
    )
