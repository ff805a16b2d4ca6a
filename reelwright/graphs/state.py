"""The episode graph's state: typed models, checkpointed after every step."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

from reelwright.audio.cache import SpokenClip
from reelwright.audio.track import VoiceCount
from reelwright.models import (
    ActionOutcome,
    Approval,
    Bible,
    Brief,
    Critique,
    Finding,
    Note,
    RenderResult,
    Script,
    ShotList,
    Usage,
)

RunStatus = Literal["running", "awaiting_approval", "published", "failed", "blocked"]
Step = Literal["writer", "director", "package", "blocked"]


class RunSpec(BaseModel):
    """How a run was asked for; enough to rebuild its tools on resume (never secrets)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    package_id: str = Field(
        "", description="Random per run: tells this run's package from another of the same id."
    )
    out_dir: str
    renderer: str = "storyboard"
    auto_approve: bool = False
    agents: Literal["procedural", "llm"] = "procedural"
    llm_model: str | None = None
    llm_base_url: str | None = None
    width: int
    height: int
    rights: str | None = Field(None, description="Rights ledger YAML.")
    references: str | None = Field(None, description="Folder of protected reference images.")
    watchlists: tuple[str, ...] = Field((), description="Project watchlist YAML files.")
    allow: tuple[str, ...] = Field((), description="Watchlist entries cleared by the project.")
    gates: tuple[Literal["script", "shots"], ...] = Field(
        (), description="Review gates before the final one: after the script, after the shots."
    )
    gate_roles: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Roles that must approve at each gate."
    )
    bible_path: str | None = Field(
        None, description="The bible file; its folder is the root character sheets stay in."
    )
    allow_outside_sheets: bool = Field(
        False, description="Started with --allow-sheets-outside (confirmed again at resume)."
    )
    voice: Literal["scratch", "speech", "none"] = Field(
        "scratch", description="Voice backend: offline scratch voice, the speech endpoint, none."
    )
    loudness: float = Field(-16.0, ge=-40, le=-10, description="Mix target, LUFS integrated.")
    room_tone: str | None = Field(None, description="Room tone WAV looped under the dialogue.")
    music: str | None = Field(None, description="Music bed WAV looped under the dialogue.")


class RenderCount(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    iteration: int
    rendered: int
    cached: int
    seconds: float = 0.0


def merge_usage(left: dict[str, Usage], right: dict[str, Usage]) -> dict[str, Usage]:
    out = dict(left)
    for agent, usage in right.items():
        out[agent] = out.get(agent, Usage()) + usage
    return out


def merge_checks(
    left: dict[str, list[Finding]], right: dict[str, list[Finding]]
) -> dict[str, list[Finding]]:
    """Each compliance check's latest findings replace its earlier ones."""
    return {**left, **right}


def add_seconds(left: dict[str, float], right: dict[str, float]) -> dict[str, float]:
    out = dict(left)
    for node, seconds in right.items():
        out[node] = round(out.get(node, 0.0) + seconds, 4)
    return out


class EpisodeState(BaseModel):
    run: RunSpec
    brief: Brief
    bible: Bible
    iteration: int = 0
    script: Script | None = None
    shots: ShotList | None = None
    renders: list[RenderResult] = Field(default_factory=list)
    pending_notes: list[Note] = Field(default_factory=list)
    rewritten_scenes: list[str] = Field(default_factory=list)
    action_outcomes: list[ActionOutcome] = Field(
        default_factory=list,
        description="Structured notes applied since the last critique; it re-checks them.",
    )
    critiques: Annotated[list[Critique], operator.add] = Field(default_factory=list)
    compliance: Annotated[dict[str, list[Finding]], merge_checks] = Field(default_factory=dict)
    compliance_rounds: int = 0
    assets: list[dict[str, str]] = Field(default_factory=list)
    render_counts: Annotated[list[RenderCount], operator.add] = Field(default_factory=list)
    speech: list[SpokenClip] = Field(default_factory=list, description="The cut's voiced lines.")
    voice_counts: Annotated[list[VoiceCount], operator.add] = Field(default_factory=list)
    usage: Annotated[dict[str, Usage], merge_usage] = Field(default_factory=dict)
    approvals: Annotated[list[Approval], operator.add] = Field(default_factory=list)
    timings: Annotated[dict[str, float], add_seconds] = Field(default_factory=dict)
    carried: Annotated[list[str], operator.add] = Field(
        default_factory=list,
        description="Ids of carried usage (graphs/carry.py) this state has recorded.",
    )
    next_step: Step = "package"
    stop_reason: str = ""
    ended: Literal["published", "blocked"] | None = Field(
        None, description="Set by the last node, in the same step that wrote the package."
    )

    @property
    def last_critique(self) -> Critique | None:
        return self.critiques[-1] if self.critiques else None

    @property
    def passed(self) -> bool:
        c = self.last_critique
        return bool(c) and not c.failing(self.brief.thresholds) and not self.blocking_findings  # type: ignore[union-attr]

    @property
    def findings(self) -> list[Finding]:
        return [f for check in sorted(self.compliance) for f in self.compliance[check]]

    @property
    def blocking_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]

    @property
    def review_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "review"]

    @property
    def total_usage(self) -> Usage:
        out = Usage()
        for u in self.usage.values():
            out = out + u
        return out


class StateUpdate(TypedDict, total=False):
    """What a node returns: the fields of `EpisodeState` it changes (LangGraph merges them,
    with the reducers above for the annotated ones). Typed, so a misspelt field is an error
    before it is a lost update."""

    run: RunSpec
    brief: Brief
    bible: Bible
    iteration: int
    script: Script | None
    shots: ShotList | None
    renders: list[RenderResult]
    pending_notes: list[Note]
    rewritten_scenes: list[str]
    action_outcomes: list[ActionOutcome]
    critiques: list[Critique]
    compliance: dict[str, list[Finding]]
    compliance_rounds: int
    assets: list[dict[str, str]]
    render_counts: list[RenderCount]
    speech: list[SpokenClip]
    voice_counts: list[VoiceCount]
    usage: dict[str, Usage]
    approvals: list[Approval]
    timings: dict[str, float]
    carried: list[str]
    next_step: Step
    stop_reason: str
    ended: Literal["published", "blocked"] | None
