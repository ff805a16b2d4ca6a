"""Suite format: cases with a brief (inline or a path), an optional bible, expectations, tags,
and per-case decisions for the approval gate."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reelwright.loading import parse, read_yaml
from reelwright.models import SafeId

SUITE_VERSION = 1


class Expectations(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: (
        Literal["published", "blocked", "awaiting_approval", "block", "review", "pass", "fail"]
        | None
    ) = None
    characters: list[str] = Field(default_factory=list, description="Must appear in the script.")
    blocked_entities: list[str] = Field(
        default_factory=list, description="Watchlist entities screening must catch."
    )
    clean: bool | None = Field(None, description="A labelled negative: no entity may be caught.")
    min_scores: dict[str, float] = Field(default_factory=dict)
    max_iterations: int | None = None
    fails: list[str] = Field(
        default_factory=list,
        description="Critique cases: dimensions the critic must score below threshold, each "
        "with a note on that dimension (aimed at `notes_to` when given).",
    )
    notes_to: Literal["writer", "director"] | None = None


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    by: str = "eval"
    role: str = "showrunner"
    to: Literal["writer", "director"] | None = None
    note: str = ""
    scene_ids: list[str] = Field(default_factory=list)
    shot_ids: list[str] = Field(default_factory=list)
    actions: list[dict[str, object]] = Field(
        default_factory=list,
        description="Structured notes (split_shot, cut_line…), as `review reject` takes them.",
    )


class CritiqueCase(BaseModel):
    """A case that scores a fixed episode with the critic instead of running the loop: a clean
    episode of the critic's mutation suite (`reelwright eval critic-mutations`), optionally
    with one defect put in by its mutator, so a critic that passes everything fails the
    suite."""

    model_config = ConfigDict(extra="forbid")

    episode: SafeId
    defect: str | None = Field(None, description="A defect class of the mutation suite.")
    variant: str | None = Field(None, description="The defect's variant (default: its first).")
    site: int = Field(0, ge=0, description="Which of the variant's sites (0: the first).")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: SafeId
    brief: dict[str, object] | str | None = Field(None, description="Required unless `critique`.")
    critique: CritiqueCase | None = None
    bible: dict[str, object] | str | None = None
    tags: list[str] = Field(default_factory=list)
    expect: Expectations = Field(default_factory=Expectations)
    decisions: list[Decision] | None = Field(
        None, description="Gate decisions in order; none: the auto-approve policy."
    )

    @model_validator(mode="after")
    def _one_subject(self) -> Case:
        if (self.brief is None) == (self.critique is None):
            raise ValueError(f"case {self.id}: give a brief or a critique, not both or neither")
        return self


class Suite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = SUITE_VERSION
    name: SafeId
    kind: Literal["episode", "screening"] = "episode"
    bible: dict[str, object] | str | None = Field(None, description="Default bible for every case.")
    rights: dict[str, object] | str | None = Field(None, description="Ledger (inline or a path).")
    cases: list[Case] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Suite:
        ids = [c.id for c in self.cases]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate case ids: {dupes}")
        return self


def load_suite(path: Path | str) -> tuple[Suite, Path]:
    """The suite and the folder its relative paths resolve against."""
    path = Path(path)
    suite = parse(Suite, read_yaml(path, "suite"), f"suite {path}")
    return suite, path.resolve().parent
