"""What a check reports: a defect, measured in one place, aimed at the agent that can fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reelwright.models import NOTE_MAX, Note, Target, trim_text

Gravity = Literal["minor", "major", "serious"]


@dataclass(frozen=True)
class Defect:
    """One measured defect.

    `check` names the detector (`dialogue.near_repeat`), `dimension` the score it lowers,
    `gravity` how far: minor defects lower the score by their share, a major one keeps the
    dimension below the default threshold, a serious one well below (see `scoring`).
    """

    check: str
    dimension: str
    target: Target
    gravity: Gravity
    text: str
    scene_ids: tuple[str, ...] = ()
    shot_ids: tuple[str, ...] = ()

    def note(self) -> Note:
        return Note(
            target=self.target,
            dimension=self.dimension,
            text=trim_text(self.text, NOTE_MAX),
            scene_ids=tuple(dict.fromkeys(self.scene_ids)),
            shot_ids=tuple(dict.fromkeys(self.shot_ids)),
            check=self.check,
        )


def quote(text: str, limit: int = 80) -> str:
    """A line or beat quoted in a note."""
    return '"' + trim_text(" ".join(text.split()), limit) + '"'
