"""The Python API: run a brief, resume a run, list and decide runs waiting at the gate.
The CLI is a thin layer over these functions."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reelwright.config import Settings
from reelwright.errors import ConflictError, InputError, NotFoundError
from reelwright.graphs.checkpoint import open_checkpointer, thread_ids
from reelwright.graphs.context import Progress, build_context, renderer_from_spec
from reelwright.graphs.episode import build_graph
from reelwright.graphs.gates import apply_edits
from reelwright.graphs.state import EpisodeState, RunSpec, RunStatus
from reelwright.llm import LLM, llm_from_settings
from reelwright.loading import find_bible, load_bible, load_brief, load_inputs, project_file
from reelwright.locks import run_lock
from reelwright.models import Approval, Bible, Brief
from reelwright.package import write_run_record
from reelwright.paths import OutputDir, check_id
from reelwright.renderers.base import Renderer, frame_size
from reelwright.review.audit import AuditLog
from reelwright.review.reviewers import ReviewConfig
from reelwright.tools.rights import Ledger
from reelwright.tools.screening import Watchlist

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

logger = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    run_id: str
    status: RunStatus
    out: Path
    passed: bool = False
    record: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] | None = None
    error: str = ""


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def run_episode(
    brief: Brief | str | Path,
    bible: Bible | str | Path | None = None,
    *,
    out: str | Path,
    auto_approve: bool = False,
    renderer: str | Renderer = "storyboard",
    llm: LLM | Literal["auto"] | None = "auto",
    state: str | None = None,
    run_id: str | None = None,
    max_iterations: int | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    long_side: int = 768,
    rights: str | Path | None = None,
    references: str | Path | None = None,
    watchlists: list[str | Path] | None = None,
    allow: list[str] | None = None,
) -> RunOutcome:
    """Run a brief through writer -> director -> render -> critic until thresholds are met or
    the budget is spent, then the approval gate and publish.

    `llm="auto"` uses the endpoint configured in the environment, or the offline procedural
    agents when none is; `llm=None` forces offline. `rights` (a ledger YAML), `references`
    (a folder of protected images) and `watchlists` default to rights.yaml, references/ and
    watchlist.yaml beside the bible. All input is checked before anything is written; bad
    input raises InputError.
    """
    settings = settings or Settings()
    bible_path = _bible_path(brief, bible)
    brief, bible = _inputs(brief, bible)
    rights_path = Path(rights) if rights else project_file(bible_path, "rights.yaml")
    if rights_path is not None:
        Ledger.load(rights_path)  # refuse a bad ledger before anything is written
    refs = Path(references) if references else project_file(bible_path, "references")
    if refs is not None and not refs.is_dir():
        raise InputError(f"--references {refs} is not a folder of images")
    lists = (
        [Path(w) for w in watchlists]
        if watchlists
        else [p for p in [project_file(bible_path, "watchlist.yaml")] if p]
    )
    if lists or allow:
        Watchlist.load(lists, allow or [])
    if max_iterations is not None:
        if max_iterations < 1:
            raise InputError("--max-iterations must be at least 1")
        brief = brief.model_copy(
            update={"budget": brief.budget.model_copy(update={"max_iterations": max_iterations})}
        )
    out_dir = OutputDir(out)
    out_dir.check_usable()
    renderer_obj = (
        renderer if not isinstance(renderer, str) else renderer_from_spec(renderer, settings)
    )
    renderer_spec = (
        renderer if isinstance(renderer, str) else getattr(renderer, "spec", renderer.name)
    )
    run_id = check_id(run_id, "run id") if run_id else new_run_id()
    review = ReviewConfig.load(settings.home)
    model: LLM | None = llm_from_settings(settings) if llm == "auto" else llm  # type: ignore[assignment]
    width, height = frame_size(brief.aspect, long_side)
    spec = RunSpec(
        run_id=run_id,
        out_dir=str(out_dir.root),
        renderer=renderer_spec,
        auto_approve=auto_approve,
        agents="llm" if model is not None else "procedural",
        llm_model=getattr(model, "model", None) if model is not None else None,
        llm_base_url=settings.llm_base_url if model is not None else None,
        width=width,
        height=height,
        rights=str(rights_path.resolve()) if rights_path else None,
        references=str(refs.resolve()) if refs else None,
        watchlists=tuple(str(p.resolve()) for p in lists),
        allow=tuple(allow or ()),
        gates=review.extra_gates(),  # type: ignore[arg-type]
        gate_roles=review.gate_roles(),
    )
    ctx = build_context(spec, settings, llm=model, renderer=renderer_obj, progress=progress)
    initial = EpisodeState(run=spec, brief=brief, bible=bible)
    with open_checkpointer(state or settings.state_url) as saver:
        config: RunnableConfig = {"configurable": {"thread_id": run_id}}
        if saver.get_tuple(config) is not None:
            raise InputError(f"run id {run_id} already exists in {state or settings.state_url}")
        graph = build_graph().compile(checkpointer=saver)
        return _finish(graph, config, _drive(graph, initial, config, ctx), settings)


def _bible_path(brief: Brief | str | Path, bible: Bible | str | Path | None) -> Path | None:
    if isinstance(bible, str | Path):
        return Path(bible)
    if bible is None and not isinstance(brief, Brief):
        try:
            return find_bible(Path(brief))
        except InputError:
            return None  # _inputs reports it
    return None


def _inputs(brief: Brief | str | Path, bible: Bible | str | Path | None) -> tuple[Brief, Bible]:
    if not isinstance(brief, Brief):
        if isinstance(bible, Bible):
            brief = load_brief(brief)
        else:
            return load_inputs(brief, bible)
    if isinstance(bible, Bible):
        the_bible = bible
    elif bible is not None:
        the_bible = load_bible(bible)
    else:
        raise InputError("a Brief object needs a bible (a Bible or a path)")
    try:
        brief.check_against(the_bible)
    except ValueError as exc:
        raise InputError(f"brief {brief.title!r}: {exc}") from None
    return brief, the_bible


def resume_run(
    run_id: str,
    *,
    state: str | None = None,
    decision: Approval | dict[str, Any] | None = None,
    llm: LLM | None = None,
    renderer: Renderer | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    lock: bool = True,
) -> RunOutcome:
    """Continue a run from its last checkpoint: after a crash or kill it re-runs the step that
    did not finish (finished frames come from the cache); at the gate it applies `decision`."""
    settings = settings or Settings()
    check_id(run_id, "run id")
    if not lock:
        return _resume(run_id, state, decision, llm, renderer, settings, progress)
    with open_checkpointer(state or settings.state_url, create=False) as saver:
        if saver.get_tuple({"configurable": {"thread_id": run_id}}) is None:
            raise NotFoundError(f"no run {run_id} in {state or settings.state_url}")
    with run_lock(settings.home, run_id):
        return _resume(run_id, state, decision, llm, renderer, settings, progress)


def _resume(
    run_id: str,
    state: str | None,
    decision: Approval | dict[str, Any] | None,
    llm: LLM | None,
    renderer: Renderer | None,
    settings: Settings,
    progress: Progress | None,
) -> RunOutcome:
    from langgraph.types import Command

    with open_checkpointer(state or settings.state_url, create=False) as saver:
        graph = build_graph().compile(checkpointer=saver)
        config: RunnableConfig = {"configurable": {"thread_id": run_id}}
        snapshot = graph.get_state(config)
        if not snapshot.values:
            raise NotFoundError(f"no run {run_id} in {state or settings.state_url}")
        current = EpisodeState.model_validate(snapshot.values)
        ctx = build_context(current.run, settings, llm=llm, renderer=renderer, progress=progress)
        waiting = bool(snapshot.interrupts)
        if decision is not None and not waiting:
            raise ConflictError(f"run {run_id} is not waiting at an approval gate")
        if not snapshot.next or (waiting and decision is None):
            return _outcome(graph, config, current.run)
        if waiting:
            gate = dict(snapshot.interrupts[0].value)
            approval = check_decision(decision, gate)  # type: ignore[arg-type]
            if approval.edits:
                if current.script is None:
                    raise InputError("there is no script to edit yet")
                apply_edits(current.script, current.shots, approval.edits)  # refuse bad edits
            outcome = _drive(graph, Command(resume=approval.model_dump(mode="json")), config, ctx)
        else:
            outcome = _drive(graph, None, config, ctx)
        return _finish(graph, config, outcome, settings)


def waiting_gate(run_id: str, settings: Settings, state: str | None = None) -> dict[str, Any]:
    """What the gate a run waits at shows (revision, roles it needs); errors if it waits not."""
    check_id(run_id, "run id")
    with open_checkpointer(state or settings.state_url, create=False) as saver:
        graph = build_graph().compile(checkpointer=saver)
        snapshot = graph.get_state({"configurable": {"thread_id": run_id}})
        if not snapshot.values:
            raise NotFoundError(f"no run {run_id} in {state or settings.state_url}")
        if not snapshot.interrupts:
            raise ConflictError(f"run {run_id} is not waiting at an approval gate")
        return dict(snapshot.interrupts[0].value)


def _finish(
    graph: Any, config: RunnableConfig, outcome: RunOutcome, settings: Settings
) -> RunOutcome:
    """After every drive: each decision goes to the audit log; a run paused at an early gate
    gets a run.json saying so."""
    values = graph.get_state(config).values
    if not values:
        return outcome
    current = EpisodeState.model_validate(values)
    AuditLog(settings.home / "audit.jsonl").sync(current.run.run_id, current.approvals)
    if outcome.status == "awaiting_approval" and outcome.gate and outcome.gate["gate"] != "final":
        write_run_record(current, "awaiting_approval")
        outcome.record = _read_record(current.run.out_dir)
    return outcome


def check_decision(decision: Approval | dict[str, Any], gate: dict[str, Any]) -> Approval:
    """A decision for the gate a run waits at, tied to the revision it saw (the current one
    when it names none). A decision made on an older revision, or after someone else decided
    on the same view, is refused."""
    from pydantic import ValidationError

    from reelwright.loading import validation_message

    data = decision.model_dump() if isinstance(decision, Approval) else dict(decision)
    seen_token = data.pop("token", None)
    try:
        approval = Approval.model_validate({**data, "gate": gate["gate"]})
    except ValidationError as exc:
        raise InputError(validation_message(exc, "decision")) from None
    if approval.revision and approval.revision != gate["revision"]:
        raise ConflictError(
            f"stale decision: the {gate['gate']} of run {gate['run_id']} changed since you "
            f"opened it (revision {approval.revision} -> {gate['revision']}); reload and decide "
            "again"
        )
    if seen_token and seen_token != gate["token"]:
        raise ConflictError(
            f"conflict: someone else decided at the {gate['gate']} gate of run "
            f"{gate['run_id']} while you were looking; reload to see their decision"
        )
    return approval.model_copy(update={"revision": gate["revision"]})


def pending_runs(
    state: str | None = None, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """Runs waiting at an approval gate, with what the gate shows."""
    settings = settings or Settings()
    rows: list[dict[str, Any]] = []
    url = state or settings.state_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return rows  # no runs yet
    with open_checkpointer(url) as saver:
        graph = build_graph().compile(checkpointer=saver)
        for run_id in thread_ids(saver):
            snap = graph.get_state({"configurable": {"thread_id": run_id}})
            if snap.interrupts:
                rows.append(dict(snap.interrupts[0].value))
    return rows


def _drive(graph: Any, payload: Any, config: RunnableConfig, ctx: Any) -> RunOutcome:
    try:
        for _ in graph.stream(payload, config, context=ctx, stream_mode="updates"):
            pass
    except Exception as exc:  # recorded, state kept; `resume` continues from the last step
        logger.error("run %s stopped", config["configurable"]["thread_id"], exc_info=exc)
        snapshot = graph.get_state(config)
        message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, InputError) else str(exc)
        if snapshot.values:
            current = EpisodeState.model_validate(snapshot.values)
            write_run_record(current, "failed", message)
            if isinstance(exc, InputError):
                raise
            return RunOutcome(
                run_id=current.run.run_id,
                status="failed",
                out=Path(current.run.out_dir),
                error=message,
                record=_read_record(current.run.out_dir),
            )
        raise
    spec = EpisodeState.model_validate(graph.get_state(config).values).run
    return _outcome(graph, config, spec)


def _outcome(graph: Any, config: RunnableConfig, spec: RunSpec) -> RunOutcome:
    snapshot = graph.get_state(config)
    current = EpisodeState.model_validate(snapshot.values)
    record = _read_record(spec.out_dir)
    if snapshot.interrupts:
        status: RunStatus = "awaiting_approval"
        gate = dict(snapshot.interrupts[0].value)
    elif not snapshot.next:
        status, gate = ("blocked" if record.get("status") == "blocked" else "published"), None
    else:
        status, gate = "failed", None
    return RunOutcome(
        run_id=spec.run_id,
        status=status,
        out=Path(spec.out_dir),
        passed=current.passed,
        record=record,
        gate=gate,
        error=record.get("error", "") if status == "failed" else "",
    )


def _read_record(out_dir: str) -> dict[str, Any]:
    path = Path(out_dir) / "run.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
