"""A person's decision at a gate: approve or reject, with edits and actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import (
    Field,
)

from reelwright.models.base import Frozen, SafeId
from reelwright.models.notes import Action, Target


class Edit(Frozen):
    """A reviewer's direct change: a dialogue line (scene id + 1-based line) or a shot prompt."""

    kind: Literal["line", "prompt"]
    scene_id: SafeId | None = None
    line: int | None = Field(None, ge=1)
    shot_id: SafeId | None = None
    text: str = Field(min_length=1, max_length=4000)


class Approval(Frozen):
    """A decision at a gate: approve, reject (with a note for the writer or director), or edit."""

    decision: Literal["approve", "reject", "edit"]
    by: str = Field(min_length=1, max_length=120)
    role: str = "showrunner"
    note: str = Field("", max_length=2000)
    to: Target | None = None
    scene_ids: tuple[SafeId, ...] = ()
    shot_ids: tuple[SafeId, ...] = ()
    gate: Literal["script", "shots", "final"] = "final"
    revision: str = Field("", description="Revision of the artefact the reviewer saw.")
    edits: tuple[Edit, ...] = ()
    actions: tuple[Action, ...] = Field(
        (), description="Structured changes for a reject: split a shot, cut a line…"
    )
    auto: bool = False
    at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
