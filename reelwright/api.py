"""The Python API: run a brief, resume a run, list and decide runs waiting at the gate.
The CLI is a thin layer over these functions."""

from __future__ import annotations

import logging
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from pydantic import ValidationError

from reelwright.approval.reviewers import ReviewConfig, Reviewer
from reelwright.approval.roles import deciding_role
from reelwright.compliance.rights import Ledger
from reelwright.compliance.screening import Watchlist
from reelwright.config import Settings
from reelwright.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    ReelwrightError,
    as_parameters,
    param,
)
from reelwright.graphs.checkpoint import open_checkpointer, thread_ids
from reelwright.graphs.context import EpisodeContext, Progress, build_context, renderer_from_spec
from reelwright.graphs.episode import build_graph
from reelwright.graphs.gates import apply_edits
from reelwright.graphs.state import EpisodeState, RunSpec, RunStatus, merge_usage
from reelwright.graphs.stored import check_state
from reelwright.llm import LLM, llm_from_settings
from reelwright.loading import (
    check_sheets,
    find_bible,
    load_bible,
    load_brief,
    load_inputs,
    project_file,
    validation_message,
)
from reelwright.locks import run_lock
from reelwright.models import Approval, Bible, Brief, RewriteLine, Usage
from reelwright.package import write_run_record
from reelwright.paths import check_id
from reelwright.records import GateRequest, RunRecord
from reelwright.renderers.base import Renderer, frame_size
from reelwright.request import RunRequest
from reelwright.staging import claim_out, resolve_out

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

logger = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    """How a run stands after a call: its status, its run.json (None when the package has
    none yet) and, at an approval gate, what the gate asks."""

    run_id: str
    status: RunStatus
    out: Path
    passed: bool = False
    record: RunRecord | None = None
    gate: GateRequest | None = None
    error: str = ""
    notes: list[str] = field(default_factory=list, repr=False)  # marked: see errors.param

    @property
    def notices(self) -> list[str]:
        """What the call did besides the run (e.g. a folder moved aside), in API words."""
        return [as_parameters(n) for n in self.notes]


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def run_episode(
    request: RunRequest | Brief | str | Path,
    bible: Bible | str | Path | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    llm: LLM | Literal["auto"] | None = "auto",
    renderer: str | Renderer | None = None,
    **options: Any,
) -> RunOutcome:
    """Run a brief through writer -> director -> render -> critic until thresholds are met or
    the budget is spent, then the approval gate and publish.

    The run is described by a `RunRequest` (`reelwright.request`); `run_episode(brief, bible,
    out=..., **options)` builds one from the same fields. Beside it: `settings`, `progress`,
    `llm` and a `renderer` object. `llm="auto"` uses the endpoint configured in the
    environment, or the offline procedural agents when none is; `llm=None` forces offline.
    `rights` (a ledger YAML), `references` (a folder of protected images) and `watchlists`
    default to rights.yaml, references/ and watchlist.yaml beside the bible. Character sheets
    must lie inside the bible's folder unless `allow_outside_sheets` (or
    REELWRIGHT_ALLOW_SHEETS_OUTSIDE). All input is checked before anything is written; bad
    input raises InputError.

    `voice` is `scratch` (offline), `speech` (REELWRIGHT_VOICE_* endpoint) or `none` (a
    silent animatic); the mix is normalised to `loudness` LUFS (-40..-10) with `room_tone`
    and `music` (WAV files cleared in the rights ledger) looped under the dialogue.

    `out` must be new, empty, or hold an earlier package of this run; `force=True` moves
    anything else aside (nothing is deleted). The run holds its lock throughout: another
    process running, resuming or deciding the same run id gets BusyError.
    """
    req = _request(request, bible, renderer, options)
    renderer_given = renderer if renderer is not None and not isinstance(renderer, str) else None
    brief: Brief | str | Path = req.brief
    bible = req.bible
    out, auto_approve, run_id = req.out, req.auto_approve, req.run_id
    max_iterations, long_side, force = req.max_iterations, req.long_side, req.force
    rights, references, allow = req.rights, req.references, list(req.allow)
    watchlists = list(req.watchlists)
    allow_outside_sheets, voice, loudness = req.allow_outside_sheets, req.voice, req.loudness
    room_tone, music = req.room_tone, req.music
    settings = settings or Settings()
    outside_sheets = allow_outside_sheets or settings.allow_sheets_outside
    bible_path = _bible_path(brief, bible)
    brief_path_of = Path(brief) if isinstance(brief, str | Path) else None
    brief, bible = _inputs(brief, bible, outside_sheets)
    check_sheets(bible, bible_path, allowed=outside_sheets)
    rights_path = Path(rights) if rights else project_file(bible_path, "rights.yaml")
    if rights_path is not None:
        Ledger.load(rights_path)  # refuse a bad ledger before anything is written
    refs = Path(references) if references else project_file(bible_path, "references")
    if refs is not None and not refs.is_dir():
        raise InputError(f"{param('references')} {refs} is not a folder of images")
    lists = (
        [Path(w) for w in watchlists]
        if watchlists
        else [p for p in [project_file(bible_path, "watchlist.yaml")] if p]
    )
    if lists or allow:
        Watchlist.load(lists, allow or [])
    if max_iterations is not None:
        if max_iterations < 1:
            raise InputError(f"{param('max_iterations')} must be at least 1")
        brief = brief.model_copy(
            update={"budget": brief.budget.model_copy(update={"max_iterations": max_iterations})}
        )
    beds = check_sound(voice, loudness, room_tone, music, bible, settings)
    run_id = check_id(run_id, "run id") if run_id else new_run_id()
    state_url = checkpointer_url(req.checkpointer, req.state, settings)
    out_root = resolve_out(out, _guarded_paths(settings, state_url, brief_path_of, bible_path))
    package_id = secrets.token_hex(8)
    claim_out(out_root, run_id, package_id, force=force, move=False)  # before any write
    renderer_obj = renderer_given or renderer_from_spec(req.renderer, settings)
    renderer_spec = renderer_obj.spec if renderer_given else req.renderer
    review = ReviewConfig.load(settings.home)
    if llm == "auto":
        model: LLM | None = llm_from_settings(settings.llm) if settings.llm.configured else None
    else:
        model = llm
    width, height = frame_size(brief.aspect, long_side)
    spec = RunSpec(
        run_id=run_id,
        package_id=package_id,
        out_dir=str(out_root),
        renderer=renderer_spec,
        auto_approve=auto_approve,
        agents="llm" if model is not None else "procedural",
        llm_model=model.model if model is not None else None,
        llm_base_url=model.base_url if model is not None else None,
        width=width,
        height=height,
        rights=str(rights_path.resolve()) if rights_path else None,
        references=str(refs.resolve()) if refs else None,
        watchlists=tuple(str(p.resolve()) for p in lists),
        allow=tuple(allow or ()),
        gates=review.extra_gates(),
        gate_roles=review.gate_roles(),
        bible_path=str(bible_path.resolve()) if bible_path else None,
        allow_outside_sheets=outside_sheets,
        **beds,
    )
    ctx = build_context(spec, settings, llm=model, renderer=renderer_obj, progress=progress)
    initial = EpisodeState(run=spec, brief=brief, bible=bible)
    with open_checkpointer(state_url) as saver, run_lock(settings.home, run_id):
        config: RunnableConfig = {"configurable": {"thread_id": run_id}}
        if saver.get_tuple(config) is not None:
            raise InputError(
                f"run id {run_id} already exists in {state_url}; continue it with "
                f"`reelwright resume {run_id}`"
            )
        aside = claim_out(out_root, run_id, package_id, force=force)
        graph = build_graph().compile(checkpointer=saver)
        outcome = _finish(graph, config, _drive(graph, initial, config, ctx), ctx)
    if aside is not None:
        outcome.notes.append(
            f"{param('force', 'True')}: moved the old contents of {out_root} aside to {aside}"
        )
    return outcome


def _request(
    request: RunRequest | Brief | str | Path,
    bible: Bible | str | Path | None,
    renderer: str | Renderer | None,
    options: dict[str, Any],
) -> RunRequest:
    """The request a call describes: given whole, or built from the brief, bible and options
    (a bad or unknown option is an InputError naming it)."""
    if isinstance(request, RunRequest):
        if bible is not None or options or isinstance(renderer, str):
            raise TypeError("pass the run's options in the RunRequest, not beside it")
        return request
    fields: dict[str, object] = {"brief": _path_or(request), "bible": _path_or(bible), **options}
    if isinstance(renderer, str):
        fields["renderer"] = renderer
    elif renderer is not None:
        fields["renderer"] = renderer.spec
    return RunRequest.of(**fields)


def _path_or(value: Any) -> Any:
    return Path(value) if isinstance(value, str) else value


def check_sound(
    voice: str,
    loudness: float,
    room_tone: str | Path | None,
    music: str | Path | None,
    bible: Bible,
    settings: Settings,
) -> SoundFields:
    """The sound options checked before anything is written (InputError naming the problem);
    the RunSpec fields they become."""
    from reelwright.audio.loudness import MAX_TARGET_LUFS, MIN_TARGET_LUFS
    from reelwright.audio.mix import Bed, load_bed
    from reelwright.audio.voice_backends import voice_from_settings

    if voice not in ("scratch", "speech", "none"):
        raise InputError(f"{param('voice')} must be scratch, speech or none, not {voice!r}")
    if not MIN_TARGET_LUFS <= loudness <= MAX_TARGET_LUFS:
        raise InputError(
            f"{param('loudness')} {loudness:g} LUFS is out of range "
            f"({MIN_TARGET_LUFS:g} to {MAX_TARGET_LUFS:g}; -16 for previews, -23 for broadcast)"
        )
    if voice == "speech" and not (settings.voice.base_url or settings.voice.api_key):
        raise InputError(
            f"{param('voice')} speech needs REELWRIGHT_VOICE_BASE_URL (a local server) or an "
            "API key (REELWRIGHT_VOICE_API_KEY or OPENAI_API_KEY)"
        )
    if voice != "none":
        voice_from_settings(voice, settings).check(bible)
    beds: dict[str, str | None] = {"room_tone": None, "music": None}
    for kind, path in (("room_tone", room_tone), ("music", music)):
        if path is not None:
            load_bed(Bed(kind=kind, path=str(path)))
            beds[kind] = str(Path(path).resolve())
    return SoundFields(
        voice=cast(VoiceKind, voice),  # one of the three: checked first thing above
        loudness=float(loudness),
        room_tone=beds["room_tone"],
        music=beds["music"],
    )


VoiceKind = Literal["scratch", "speech", "none"]


class SoundFields(TypedDict):
    """The sound options of a run as its RunSpec holds them, checked."""

    voice: VoiceKind
    loudness: float
    room_tone: str | None
    music: str | None


def _guarded_paths(
    settings: Settings, state_url: str, brief: Path | None, bible: Path | None
) -> tuple[Path, ...]:
    """What an output folder may neither be nor contain (nor, for the state, sit inside)."""
    paths = [settings.home, Path.cwd(), *(p for p in (brief, bible) if p is not None)]
    if state_url.startswith("sqlite:///"):
        paths.append(Path(state_url.removeprefix("sqlite:///")))
    return tuple(paths)


def _bible_path(brief: Brief | str | Path, bible: Bible | str | Path | None) -> Path | None:
    if isinstance(bible, str | Path):
        return Path(bible)
    if bible is None and not isinstance(brief, Brief):
        try:
            return find_bible(Path(brief))
        except InputError:
            return None  # _inputs reports it
    return None


def _inputs(
    brief: Brief | str | Path, bible: Bible | str | Path | None, outside_sheets: bool = False
) -> tuple[Brief, Bible]:
    if not isinstance(brief, Brief):
        if isinstance(bible, Bible):
            brief = load_brief(brief)
        else:
            return load_inputs(brief, bible, allow_outside_sheets=outside_sheets)
    if isinstance(bible, Bible):
        the_bible = bible
    elif bible is not None:
        the_bible = load_bible(bible, allow_outside_sheets=outside_sheets)
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
    checkpointer: str | None = None,
    decision: Approval | Mapping[str, object] | None = None,
    llm: LLM | None = None,
    renderer: Renderer | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    lock: bool = True,
    state: str | None = None,
) -> RunOutcome:
    """Continue a run from its last checkpoint: after a crash or kill it re-runs the step that
    did not finish (finished frames come from the cache); at the gate it applies `decision`."""
    settings = settings or Settings()
    url = checkpointer_url(checkpointer, state, settings)
    check_id(run_id, "run id")
    if not lock:
        return _resume(run_id, url, decision, llm, renderer, settings, progress)
    with open_checkpointer(url, create=False) as saver:
        if saver.get_tuple({"configurable": {"thread_id": run_id}}) is None:
            raise NotFoundError(f"no run {run_id} in {url}")
    with run_lock(settings.home, run_id):
        return _resume(run_id, url, decision, llm, renderer, settings, progress)


def _resume(
    run_id: str,
    url: str,
    decision: Approval | Mapping[str, object] | None,
    llm: LLM | None,
    renderer: Renderer | None,
    settings: Settings,
    progress: Progress | None,
) -> RunOutcome:
    from langgraph.types import Command

    with open_checkpointer(url, create=False) as saver:
        graph = build_graph().compile(checkpointer=saver)
        config: RunnableConfig = {"configurable": {"thread_id": run_id}}
        snapshot = graph.get_state(config)
        if not snapshot.values:
            raise NotFoundError(f"no run {run_id} in {url}")
        current = EpisodeState.model_validate(snapshot.values)
        check_state(current, settings)  # stored paths re-checked against their roots
        ctx = build_context(current.run, settings, llm=llm, renderer=renderer, progress=progress)
        waiting = bool(snapshot.interrupts)
        if decision is not None and not waiting:
            raise ConflictError(_not_waiting(run_id, current))
        if current.ended is not None or (waiting and decision is None):
            return _finish(graph, config, _outcome(graph, config, ctx), ctx)
        if waiting:
            gate = GateRequest.from_interrupt(snapshot.interrupts[0].value, run_id)
            approval = check_decision(decision, gate)  # type: ignore[arg-type]
            if approval.decision == "reject":
                check_offline_notes(approval, current.run.agents)
                check_voices(approval, current, ctx)
            if approval.edits:
                if current.script is None:
                    raise InputError("there is no script to edit yet")
                apply_edits(current.script, current.shots, approval.edits)  # refuse bad edits
            outcome = _drive(graph, Command(resume=approval.model_dump(mode="json")), config, ctx)
        else:
            # also when the last step finished but its checkpoint was never written: LangGraph
            # applies the step's saved writes and goes on from there
            outcome = _drive(graph, None, config, ctx)
        return _finish(graph, config, outcome, ctx)


def waiting_gate(
    run_id: str, settings: Settings, checkpointer: str | None = None, *, state: str | None = None
) -> GateRequest:
    """The gate a run waits at (revision, roles it needs); NotFoundError or ConflictError if
    it waits at none."""
    url = checkpointer_url(checkpointer, state, settings)
    check_id(run_id, "run id")
    with open_checkpointer(url, create=False) as saver:
        graph = build_graph().compile(checkpointer=saver)
        snapshot = graph.get_state({"configurable": {"thread_id": run_id}})
        if not snapshot.values:
            raise NotFoundError(f"no run {run_id} in {url}")
        if not snapshot.interrupts:
            raise ConflictError(_not_waiting(run_id, EpisodeState.model_validate(snapshot.values)))
        return GateRequest.from_interrupt(snapshot.interrupts[0].value, run_id)


def _not_waiting(run_id: str, current: EpisodeState) -> str:
    if current.ended is not None:
        return f"run {run_id} is not waiting at an approval gate: it has ended ({current.ended})"
    return (
        f"run {run_id} is not waiting at an approval gate: a decision was recorded (or the run "
        f"is under way) and it has not finished; continue it with `reelwright resume {run_id}`"
    )


def _finish(
    graph: Any, config: RunnableConfig, outcome: RunOutcome, ctx: EpisodeContext
) -> RunOutcome:
    """After every drive: each decision goes to the audit log; a run paused at an early gate
    gets a run.json saying so."""
    values = graph.get_state(config).values
    if not values:
        return outcome
    current = EpisodeState.model_validate(values)
    if ctx.audit is not None:
        ctx.audit.sync(current.run.run_id, current.approvals)
    gate = outcome.gate
    if outcome.status == "awaiting_approval" and gate is not None and gate.gate != "final":
        record = _read_record(current.run.out_dir)
        if record is None or record.status != "awaiting_approval":
            write_run_record(current, "awaiting_approval")
        outcome.record = _read_record(current.run.out_dir)
    return outcome


def check_decision(decision: Approval | Mapping[str, object], gate: GateRequest) -> Approval:
    """A decision for the gate a run waits at, tied to the revision it saw (the current one
    when it names none). A decision made on an older revision, or after someone else decided
    on the same view, is refused."""

    data = decision.model_dump() if isinstance(decision, Approval) else dict(decision)
    seen_token = data.pop("token", None)
    try:
        approval = Approval.model_validate({**data, "gate": gate.gate})
    except ValidationError as exc:
        raise InputError(validation_message(exc, "decision")) from None
    if approval.revision and approval.revision != gate.revision:
        raise ConflictError(
            f"stale decision: the {gate.gate} of run {gate.run_id} changed since you "
            f"opened it (revision {approval.revision} -> {gate.revision}); reload and decide "
            "again"
        )
    if seen_token and seen_token != gate.token:
        raise ConflictError(
            f"conflict: someone else decided at the {gate.gate} gate of run "
            f"{gate.run_id} while you were looking; reload to see their decision"
        )
    return approval.model_copy(update={"revision": gate.revision})


def check_voices(approval: Approval, current: EpisodeState, ctx: EpisodeContext) -> None:
    """A `set_voice` naming a voice the run's backend does not have is refused here, before
    anything changes (InputError naming it), not when the lines are voiced."""
    from reelwright.models import SetVoice
    from reelwright.revisions import apply_actions

    voices = [a for a in approval.actions if isinstance(a, SetVoice)]
    if not voices or ctx.sound is None or current.script is None:
        return
    revised = apply_actions(current.script, current.shots, voices, current.brief, current.bible)
    ctx.sound.voice.check(revised.bible)


def check_offline_notes(approval: Approval, agents: str) -> None:
    """The procedural agents cannot read free text: a note they would get is refused here,
    never silently dropped."""
    if agents != "procedural":
        return
    instructed = [a for a in approval.actions if isinstance(a, RewriteLine) and a.instruction]
    if instructed:
        raise InputError(
            "the offline (procedural) writer cannot follow a rewrite instruction; give the new "
            "text of the line (rewrite_line with text) or configure a model "
            "(REELWRIGHT_LLM_BASE_URL and REELWRIGHT_LLM_MODEL)"
        )
    if approval.note.strip() and not approval.actions:
        raise InputError(
            "the offline (procedural) agents cannot read a free-text note; send structured "
            "actions instead (split_shot, retime_shot, reframe_shot, camera_move, "
            "add_character, remove_character, move_line, cut_line, rewrite_line, give_line, "
            "add_beat, cut_scene, add_scene — see `reelwright review reject --help`), reject "
            "with scene/shot ids and no note to have them redone, or configure a model "
            "(REELWRIGHT_LLM_BASE_URL and REELWRIGHT_LLM_MODEL)"
        )


def pending_runs(
    checkpointer: str | None = None,
    settings: Settings | None = None,
    *,
    state: str | None = None,
) -> list[GateRequest]:
    """Runs waiting at an approval gate: what each gate asks, oldest run first."""
    settings = settings or Settings()
    url = checkpointer_url(checkpointer, state, settings)
    from reelwright.graphs.waiting import read_waiting

    cheap = read_waiting(url)  # SQLite: read without compiling the graph
    if cheap is not None:
        return cheap
    rows: list[GateRequest] = []
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return rows  # no runs yet
    with open_checkpointer(url) as saver:
        graph = build_graph().compile(checkpointer=saver)
        for run_id in thread_ids(saver):
            snap = graph.get_state({"configurable": {"thread_id": run_id}})
            if snap.interrupts:
                gate = GateRequest.from_interrupt(snap.interrupts[0].value, run_id)
                rows.append(gate.model_copy(update={"waiting_since": snap.created_at}))
    return rows


def checkpointer_url(checkpointer: str | None, state: str | None, settings: Settings) -> str:
    """The checkpointer URL a call names, else the settings' one. `state=` is the name this
    parameter had up to 0.1 (it meant the checkpointer URL, not the episode state)."""
    if state is not None:
        if checkpointer is not None and checkpointer != state:
            raise InputError(
                f"{param('checkpointer')} {checkpointer!r} and the deprecated "
                f"{param('state')} {state!r} name two checkpointers; pass only "
                f"{param('checkpointer')}"
            )
        warnings.warn(
            "the `state` parameter is deprecated and will be removed in the next release; "
            "pass `checkpointer` (the checkpointer URL)",
            DeprecationWarning,
            stacklevel=3,
        )
        checkpointer = checkpointer or state
    return checkpointer or settings.state_url


def _drive(graph: Any, payload: Any, config: RunnableConfig, ctx: EpisodeContext) -> RunOutcome:
    from reelwright.graphs import faults

    if faults.arm() is not None:
        faults.watch_checkpoints(graph.checkpointer)
    before = _usage_mark(graph, config, ctx)
    try:
        # durability="sync": a step's checkpoint is on disk before the next step's side effects
        for _ in graph.stream(
            payload, config, context=ctx, stream_mode="updates", durability="sync"
        ):
            pass
        if ctx.carry is not None:  # the state's checkpoint now holds what it recorded
            values = graph.get_state(config).values
            if values:
                ctx.carry.forget(EpisodeState.model_validate(values).carried)
    except Exception as exc:  # recorded, state kept; `resume` continues from the last step
        logger.error("run %s stopped", config["configurable"]["thread_id"], exc_info=exc)
        snapshot = graph.get_state(config)
        message = f"{type(exc).__name__}: {exc}" if not isinstance(exc, InputError) else str(exc)
        if snapshot.values:
            current = _with_unrecorded_usage(
                EpisodeState.model_validate(snapshot.values), before, ctx
            )
            try:
                write_run_record(current, "failed", message)
            except ReelwrightError as unwritable:  # e.g. the folder now holds others' files
                message = f"{message} (run.json not updated: {unwritable})"
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
    return _outcome(graph, config, ctx)


_UsageMark = tuple[dict[str, Usage], dict[str, Usage], list[str]]


def _usage_mark(graph: Any, config: RunnableConfig, ctx: EpisodeContext) -> _UsageMark:
    """What the state has recorded (and which carried usage), and what the LLM has spent,
    per agent, before a drive."""
    values = graph.get_state(config).values
    state = EpisodeState.model_validate(values) if values else None
    recorded = dict(state.usage) if state else {}
    return recorded, _llm_spent(ctx), list(state.carried) if state else []


def _llm_spent(ctx: EpisodeContext) -> dict[str, Usage]:
    return dict(ctx.llm.usage_by_agent) if ctx.llm is not None else {}


def _with_unrecorded_usage(
    current: EpisodeState, before: _UsageMark, ctx: EpisodeContext
) -> EpisodeState:
    """A failed step records no usage: what the LLM spent in this drive beyond what the
    state recorded (failed calls, and calls beside them in the failed step) is carried to a
    later step (graphs/carry.py), and added — with any older carried usage — to the state
    this failed run's run.json is written from, so it counts every request."""
    recorded_before, spent_before, carried_before = before
    carried_here: dict[str, Usage] = {}  # recorded in this drive, but spent in an earlier one
    if ctx.carry is not None:
        for entry in ctx.carry.entries():
            if entry.id in current.carried and entry.id not in carried_before:
                carried_here = merge_usage(carried_here, entry.usage)
    spent_now = _llm_spent(ctx)
    extra: dict[str, Usage] = {}
    for agent, spent in spent_now.items():
        spent_here = spent - spent_before.get(agent, Usage())
        recorded_here = (
            current.usage.get(agent, Usage())
            - recorded_before.get(agent, Usage())
            - carried_here.get(agent, Usage())
        )
        missing = spent_here - recorded_here
        if missing != Usage():
            extra[agent] = missing
    if ctx.carry is None:
        return current.model_copy(update={"usage": merge_usage(current.usage, extra)})
    ctx.carry.add(extra)
    usage = dict(current.usage)
    for entry in ctx.carry.unrecorded(current.carried):
        usage = merge_usage(usage, entry.usage)
    return current.model_copy(update={"usage": usage})


def _outcome(graph: Any, config: RunnableConfig, ctx: EpisodeContext) -> RunOutcome:
    """What durably happened, checked on disk: `published` only for a package that verifies
    (a published run whose package does not is re-published first, from its state)."""
    snapshot = graph.get_state(config)
    current = EpisodeState.model_validate(snapshot.values)
    spec = current.run
    gate = None
    error = ""
    if snapshot.interrupts:
        status: RunStatus = "awaiting_approval"
        gate = GateRequest.from_interrupt(snapshot.interrupts[0].value, spec.run_id)
    elif current.ended == "blocked":
        status = "blocked"
    elif current.ended == "published":
        status, error = _verified(current, ctx)
    else:
        status = "failed"
        record = _read_record(spec.out_dir)
        error = (record.error if record else None) or "the run stopped before its end"
    return RunOutcome(
        run_id=spec.run_id,
        status=status,
        out=Path(spec.out_dir),
        passed=current.passed,
        record=_read_record(spec.out_dir),
        gate=gate,
        error=error,
    )


def _verified(current: EpisodeState, ctx: EpisodeContext) -> tuple[RunStatus, str]:
    from reelwright.errors import PackageError
    from reelwright.package import check_package, finalize

    trust = ctx.signing.ca.read_bytes() if ctx.signing else None
    out = Path(current.run.out_dir)
    if not check_package(out, current, trust):
        return "published", ""
    try:  # the state says published and the package does not: publish it again
        if ctx.audit is not None:
            ctx.audit.sync(current.run.run_id, current.approvals)
        finalize(current, "published", ctx.signing)
    except (PackageError, OSError) as exc:
        return "failed", str(exc)
    problems = check_package(out, current, trust)
    return ("failed", "; ".join(problems)) if problems else ("published", "")


def _read_record(out_dir: str) -> RunRecord | None:
    """The package's run.json; None when there is none or it cannot be read as a RunRecord
    (the reason is logged; writing the package again names it as an error)."""
    from reelwright.staging import read_record

    try:
        return read_record(Path(out_dir))
    except InputError as exc:
        logger.warning("%s", exc)
        return None


def decide_gate(
    run_id: str,
    decision: Mapping[str, object],
    token: str | None,
    *,
    settings: Settings,
    require_token: bool = False,
    reviewer: Reviewer | None = None,
    progress: Any = None,
) -> RunOutcome:
    """Take a decision at the gate `run_id` waits at. `token` is authenticated against the
    reviewers; `reviewer` is one the caller already authenticated (a web session)."""
    check_id(run_id, "run id")
    config = ReviewConfig.load(settings.home)
    data = dict(decision)
    if reviewer is not None:
        data["by"] = reviewer.name
    elif require_token or config.reviewers or token:
        reviewer = config.authenticate(token)
        data["by"] = reviewer.name
    elif not data.get("by"):
        raise InputError(f"name the reviewer with {param('by')} NAME (no reviewers are configured)")
    else:
        data.setdefault("role", "showrunner")
    waiting_gate(run_id, settings)  # unknown runs and runs not at a gate: before any lock
    with run_lock(settings.home, run_id):
        gate = waiting_gate(run_id, settings)
        if reviewer is not None:
            asked, decision_word = data.get("role"), data.get("decision", "")
            if not isinstance(asked, str | None) or not isinstance(decision_word, str):
                raise InputError("a decision's role and decision are text")
            data["role"] = deciding_role(reviewer.name, reviewer.roles, asked, gate, decision_word)
        return resume_run(run_id, settings=settings, decision=data, progress=progress, lock=False)
