"""The brief: what one episode must be (logline, runtime, scenes, tone), the quality
thresholds it must meet, hold norms and budgets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
    field_validator,
)

from reelwright.models.base import MAX_SEED, Frozen, Label, Record, SafeId
from reelwright.models.bible import Bible

_ASPECT = re.compile(r"^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$")


# --------------------------------------------------------------------------- brief


class Distribution(Record):
    channels: list[Label] = Field(default_factory=lambda: ["web"], max_length=50)
    territories: list[Label] = Field(default_factory=lambda: ["worldwide"], max_length=300)
    release: date | None = Field(None, description="Release date; clearances must cover it.")


class Thresholds(Frozen):
    """Minimum critic scores (0-10) per dimension and overall for an episode to pass."""

    structure: float = Field(7.0, ge=0, le=10)
    pacing: float = Field(7.0, ge=0, le=10)
    dialogue: float = Field(7.0, ge=0, le=10)
    shot_variety: float = Field(7.0, ge=0, le=10)
    continuity: float = Field(7.0, ge=0, le=10)
    technical: float = Field(7.0, ge=0, le=10)
    overall: float = Field(7.5, ge=0, le=10)

    def dimensions(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if k != "overall"}

    def failing(self, scores: Mapping[str, float]) -> dict[str, tuple[float, float]]:
        """What fails among `scores` (per dimension and `overall`): name -> (score, threshold).
        A dimension missing from `scores` fails. The overall passes only when nothing does."""
        out = {
            d: (scores.get(d, 0.0), t)
            for d, t in self.dimensions().items()
            if scores.get(d, 0.0) < t
        }
        if scores.get("overall", 0.0) < self.overall:
            out["overall"] = (scores.get("overall", 0.0), self.overall)
        return out

    def marks(self, scores: Mapping[str, float]) -> dict[str, str]:
        """The mark shown beside each score: "ok" or "below"; the overall is "ok" only when
        every dimension is too (else "below" even when its own number meets its threshold)."""
        failing = self.failing(scores)
        marks = {d: "below" if d in failing else "ok" for d in [*self.dimensions(), "overall"]}
        if failing:
            marks["overall"] = "below"
        return marks


DIMENSIONS: tuple[str, ...] = tuple(Thresholds().dimensions())


class HoldNorms(Frozen):
    """How long a shot may hold, by framing: the longest static shot with nothing said, in
    seconds. A moving camera may hold `moving_factor` times longer; the time its lines take to
    say (at `words_per_second`) is added. The critic's pacing holds check measures every shot
    against these."""

    extreme_wide: float = Field(12.0, gt=0, le=60)
    wide: float = Field(10.0, gt=0, le=60)
    medium: float = Field(8.0, gt=0, le=60)
    close: float = Field(6.0, gt=0, le=60)
    extreme_close: float = Field(4.0, gt=0, le=60)
    moving_factor: float = Field(1.5, ge=1, le=5)
    words_per_second: float = Field(2.5, gt=0, le=10)

    def longest(self, framing: str) -> float:
        return float(getattr(self, framing))


class Budget(Frozen):
    """Limits on one run: critic iterations, LLM spend and renders."""

    max_iterations: int = Field(3, ge=1, le=20)
    max_llm_calls: int = Field(
        400, ge=1, le=100_000, description="LLM HTTP requests (retries and repairs count)."
    )
    max_tokens: int = Field(2_000_000, ge=1, le=10**10)
    max_renders: int = Field(500, ge=1, le=100_000)


class Brief(Record):
    """What the episode is about. Loaded from YAML; every field is checked."""

    title: str = Field(min_length=1, max_length=200)
    logline: str = Field(min_length=10, max_length=2000)
    runtime_s: int = Field(ge=10, le=1800, description="Target runtime in seconds.")
    aspect_ratio: str = Field("16:9", max_length=20)
    characters: list[SafeId] = Field(
        min_length=1, max_length=200, description="Bible character ids."
    )
    locations: list[SafeId] = Field(
        default_factory=list, max_length=200, description="Bible location ids."
    )
    scenes: int | None = Field(None, ge=1, le=40, description="Scene count; derived if unset.")
    tone: str = Field("warm, curious", max_length=500)
    audience: str = Field("general", max_length=200)
    seed: int = Field(7, ge=0, le=MAX_SEED)
    distribution: Distribution = Field(default_factory=Distribution)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    holds: HoldNorms = Field(default_factory=HoldNorms)
    premise: list[Annotated[str, StringConstraints(min_length=2, max_length=60)]] | None = Field(
        None,
        max_length=30,
        description="The logline's key things the story must show (words or short phrases); "
        "unset: the critic takes the heads of the logline's noun phrases.",
    )
    budget: Budget = Field(default_factory=Budget)

    @field_validator("aspect_ratio")
    @classmethod
    def _aspect(cls, value: str) -> str:
        m = _ASPECT.match(value.strip())
        if not m or float(m[1]) <= 0 or float(m[2]) <= 0:
            raise ValueError(f"aspect_ratio must look like '16:9', got {value!r}")
        ratio = float(m[1]) / float(m[2])
        if not 0.25 <= ratio <= 4.0:
            raise ValueError(f"aspect_ratio {value!r} is outside 1:4 .. 4:1")
        return value.strip()

    @property
    def aspect(self) -> float:
        w, h = self.aspect_ratio.split(":")
        return float(w) / float(h)

    @property
    def scene_count(self) -> int:
        return self.scenes or max(2, min(12, round(self.runtime_s / 15)))

    def check_against(self, bible: Bible) -> None:
        """Raise ValueError naming every character or location the bible does not define."""
        known_c = {c.id for c in bible.characters}
        known_l = {loc.id for loc in bible.locations}
        unknown_c = [c for c in self.characters if c not in known_c]
        unknown_l = [loc for loc in self.locations if loc not in known_l]
        problems = []
        if unknown_c:
            problems.append(
                f"unknown character(s) {', '.join(unknown_c)} "
                f"(bible has: {', '.join(sorted(known_c))})"
            )
        if unknown_l:
            problems.append(
                f"unknown location(s) {', '.join(unknown_l)} "
                f"(bible has: {', '.join(sorted(known_l))})"
            )
        if problems:
            raise ValueError("; ".join(problems))
