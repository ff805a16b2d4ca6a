"""What the critic returns: findings, frame measures and the critique with its scores
and notes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import (
    Field,
)

from reelwright.models.base import Frozen, Record, SafeId
from reelwright.models.brief import Thresholds
from reelwright.models.notes import ActionOutcome, Note, Target

# --------------------------------------------------------------------------- critique


class Severity(StrEnum):
    block = "block"
    review = "review"
    info = "info"


class Finding(Frozen):
    rule: str
    severity: Severity
    where: str
    evidence: str
    fix: str = ""
    target: Target | None = None
    scene_ids: tuple[SafeId, ...] = ()
    shot_ids: tuple[SafeId, ...] = ()
    entity: str = ""
    kind: str = ""
    span: tuple[int, int] | None = None


class FrameMeasures(Frozen):
    """What a CLIP-family model measured on the frames (`reelwright.critic.frames`), or why
    nothing was: never a silent 10."""

    measured: bool
    reason: str = Field("", description="Why frames were not measured.")
    model: str = ""
    adherence: dict[str, float] = Field(
        default_factory=dict, description="Shot id -> image-text cosine with its prompt."
    )
    consistency: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Character id -> shot id -> image cosine with the character's reference.",
    )
    references: dict[str, str] = Field(
        default_factory=dict,
        description="Character id -> what it was compared with: 'sheet' or a first shot id.",
    )
    scores: dict[str, float] = Field(
        default_factory=dict, description="Dimension -> 0-10, for the dimensions measured."
    )


class Critique(Record):
    """One iteration's verdict. `scores` are the final per-dimension scores; the parts they
    are built from are kept beside them: `measured_scores` (the deterministic checks, frames
    included), `judge_scores` (the LLM judge's median over `judge_samples`), `frames`."""

    iteration: int
    scores: dict[str, float]
    overall: float
    notes: list[Note] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    judge: Literal["measurements", "measurements+llm"] = "measurements"
    measured_scores: dict[str, float] = Field(default_factory=dict)
    judge_scores: dict[str, float] | None = None
    judge_samples: list[dict[str, float]] = Field(default_factory=list)
    judge_saw_frames: list[str] = Field(
        default_factory=list, description="Shot ids of the frames the judge was shown."
    )
    frames: FrameMeasures = Field(
        default_factory=lambda: FrameMeasures(measured=False, reason="not recorded")
    )
    addressed: list[ActionOutcome] = Field(
        default_factory=list, description="The structured notes this iteration acted on."
    )

    def failing(self, thresholds: Thresholds) -> dict[str, tuple[float, float]]:
        """Dimensions below threshold: name -> (score, threshold)."""
        return thresholds.failing({**self.scores, "overall": self.overall})
