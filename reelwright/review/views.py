"""What a reviewer sees of a run (`RunView`): read from its checkpointed state and its
package. The run page, `GET /api/runs/{id}` and `reelwright review show` all render it."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reelwright.config import Settings
from reelwright.errors import NotFoundError
from reelwright.graphs.checkpoint import open_checkpointer
from reelwright.graphs.episode import build_graph
from reelwright.graphs.state import EpisodeState
from reelwright.models import ActionOutcome, Approval, Character, Finding, Note, Script, Shot
from reelwright.paths import check_id
from reelwright.records import GateRequest, RunRecord

RUN_VIEW_VERSION = 1


class LineCue(BaseModel):
    """Where a shot's line sits in the package's audio mix (from audio.json)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    shot_id: str
    index: int
    start: float
    end: float
    label: str = ""


class RunView(BaseModel):
    """A run as a reviewer sees it. Its JSON form is the answer of `GET /api/runs/{id}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = RUN_VIEW_VERSION
    run_id: str
    status: str = Field(
        description="awaiting_approval, running, failed, blocked, published, or published "
        "with a warning when the package on disk does not verify."
    )
    gate: GateRequest | None
    title: str
    iteration: int
    thresholds: dict[str, float]
    scores: list[dict[str, float]] = Field(description="Per iteration, `overall` included.")
    marks: dict[str, str] = Field(
        default_factory=dict,
        description='The latest scores\' marks, "ok" or "below"; the overall is "ok" only when '
        "every dimension is.",
    )
    script: Script | None
    shots: list[Shot]
    findings: list[Finding]
    notes: list[Note] = Field(
        default_factory=list, description="The latest critique's notes to the writer and director."
    )
    approvals: list[Approval]
    addressed: list[ActionOutcome] = Field(
        default_factory=list,
        description="Every structured note acted on, newest first, with whether it was addressed.",
    )
    characters: dict[str, str] = Field(description="Character id → name.")
    cast: list[Character] = Field(
        default_factory=list, description="The brief's characters with their voices."
    )
    cues: list[LineCue] = Field(
        default_factory=list, description="Each voiced line's place in audio/mix.wav."
    )
    out: str = Field(description="The package folder.")
    has_frames: bool

    def cue(self, shot_id: str, index: int) -> LineCue | None:
        """Where line `index` of a shot sits in the mix, if the package has sound."""
        return next((c for c in self.cues if (c.shot_id, c.index) == (shot_id, index)), None)

    def speaker(self, character: str) -> str:
        """A dialogue line's speaker by name (the id when the bible does not know it)."""
        return self.characters.get(character, character)


def _package_record(out: Path) -> RunRecord | None:
    """The package's run.json, or None when it has none or one this version cannot read."""
    from reelwright.errors import InputError
    from reelwright.staging import read_record

    try:
        return read_record(out)
    except InputError:
        return None


def run_view(run_id: str, settings: Settings) -> RunView:
    check_id(run_id, "run id")
    with open_checkpointer(settings.state_url, create=False) as saver:
        snapshot = (
            build_graph()
            .compile(checkpointer=saver)
            .get_state({"configurable": {"thread_id": run_id}})
        )
    if not snapshot.values:
        raise NotFoundError(f"no run {run_id}")
    state = EpisodeState.model_validate(snapshot.values)
    gate = (
        GateRequest.from_interrupt(snapshot.interrupts[0].value, run_id)
        if snapshot.interrupts
        else None
    )
    out = Path(state.run.out_dir)
    return RunView(
        run_id=run_id,
        status="awaiting_approval" if gate else _status(state, _package_record(out), settings),
        gate=gate,
        title=state.script.title if state.script else state.brief.title,
        iteration=state.iteration,
        thresholds=state.brief.thresholds.model_dump(),
        scores=[{**c.scores, "overall": c.overall} for c in state.critiques],
        marks=state.brief.thresholds.marks(
            {**state.critiques[-1].scores, "overall": state.critiques[-1].overall}
        )
        if state.critiques
        else {},
        script=state.script,
        shots=state.shots.shots if state.shots else [],
        findings=state.findings,
        notes=state.last_critique.notes if state.last_critique else [],
        approvals=state.approvals,
        addressed=_addressed(state),
        characters={c.id: c.name for c in state.bible.characters},
        cast=[c for c in state.bible.characters if c.id in state.brief.characters],
        cues=_cues(out),
        out=state.run.out_dir,
        has_frames=(out / "contact_sheet.png").is_file(),
    )


def _cues(out: Path) -> list[LineCue]:
    """The line cues of the package's audio.json ([] for a silent or unreadable one)."""
    import json

    try:
        data = json.loads((out / "audio.json").read_text(encoding="utf-8"))
        return [LineCue.model_validate(c) for c in data.get("cues", [])]
    except (OSError, ValueError, AttributeError):
        return []


def _addressed(state: EpisodeState) -> list[ActionOutcome]:
    """Acted-on notes, newest first: those awaiting their critique checked as things stand."""
    from reelwright.revisions import check_outcomes

    pending = (
        check_outcomes(state.action_outcomes, state.script, state.shots, state.bible)
        if state.script is not None
        else []
    )
    return [*pending, *(o for c in reversed(state.critiques) for o in c.addressed)]


def _status(state: EpisodeState, record: RunRecord | None, settings: Settings) -> str:
    """What durably happened: `published` only for a package that verifies on disk."""
    if state.ended == "published":
        from reelwright.compliance.signing import signing_config
        from reelwright.package import check_package

        signing = signing_config(settings.home)
        trust = signing.ca.read_bytes() if signing else None
        return (
            "published"
            if not check_package(Path(state.run.out_dir), state, trust)
            else ("published, but the package on disk does not verify (resume it)")
        )
    if state.ended == "blocked":
        return "blocked"
    return "failed" if record is not None and record.status == "failed" else "running"


PACKAGE_FILES = {
    "contact_sheet.png",
    "animatic.mp4",
    "animatic.srt",
    "script.md",
    "audio/mix.wav",
}


def package_file(view: RunView, name: str) -> Path:
    """A file of the run's package a reviewer may fetch: frames/<shot>.png or a known name,
    and only one the package's run.json lists for this run (the stored folder is not trusted
    to point anywhere else)."""
    from reelwright.paths import OutputDir

    out = OutputDir(view.out)
    record = _package_record(out.root)
    listed = record.files if record is not None and record.run_id == view.run_id else None
    if name.startswith("frames/"):
        shot = name.removeprefix("frames/").removesuffix(".png")
        path = out.frame(shot)
    elif name in PACKAGE_FILES:
        path = out.path(*name.split("/"))  # a known name: "audio/mix.wav" is two parts
    else:
        raise NotFoundError(f"no such file {name!r}")
    if not path.is_file() or listed is None or name not in listed:
        raise NotFoundError(f"{name} is not there yet")
    return path
