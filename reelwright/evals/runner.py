"""Run a suite: every case through the same graph (or the screener, for screening suites),
concurrently in worker processes, each case in its own thread id, state and cache.

A crashed case is recorded as an error and the suite goes on. Each finished case writes
`cases/<id>/result.json`; running the suite again into the same folder reuses a finished case
only when nothing that decides its result changed, and resumes an interrupted one from its
checkpoint only with the inputs it started with (`reelwright.evals.reuse`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from reelwright.errors import InputError, param
from reelwright.evals.expectations import check_expectations
from reelwright.evals.options import EvalOptions
from reelwright.evals.reuse import CACHE_FILE, LLMIdentity
from reelwright.evals.suite import Case, Suite, load_suite
from reelwright.paths import atomic_write
from reelwright.records import (
    CaseInputs,
    CaseResult,
    Comparison,
    EvalLLM,
    EvalLog,
    EvalOptionsRecord,
)
from reelwright.version import __version__

if TYPE_CHECKING:
    from reelwright.evals.cassette import Cassette, CassetteHeader

logger = logging.getLogger("reelwright.evals")
LOG_VERSION = EvalLog.VERSION
CaseCallback = Callable[[CaseResult, int, int], None]


def resolve_suite(target: Path | str) -> Path:
    """A suite file, or the name of a shipped suite (`smoke`, `redteam`)."""
    path = Path(target)
    if path.exists() or path.suffix or "/" in str(target):
        return path
    from importlib import resources

    shipped = resources.files("reelwright.evals.suites").joinpath(f"{target}.yaml")
    return Path(str(shipped)) if shipped.is_file() else path


def run_suite(
    suite_path: Path | str, options: EvalOptions, on_case: CaseCallback | None = None
) -> EvalLog:
    """Run every case, or reuse its result from an earlier run into `options.out` when
    nothing that decides it changed (see `reelwright.evals.reuse`)."""
    from reelwright.config import Settings
    from reelwright.evals.reuse import case_inputs, llm_identity, plan_case

    path = resolve_suite(suite_path)
    suite, base = load_suite(path)
    if options.concurrency < 1:
        raise InputError(f"{param('concurrency')} must be at least 1")
    if options.record and options.replay:
        raise InputError(f"{param('record')} and {param('replay')} cannot be used together")
    if options.offline and (options.record or options.replay):
        flag = param("record") if options.record else param("replay")
        raise InputError(f"{param('offline')} and {flag} cannot be used together")
    settings = Settings()
    llm_settings = settings.llm
    if options.record and not llm_settings.configured:
        raise InputError(
            f"{param('record')} needs an LLM endpoint (REELWRIGHT_LLM_BASE_URL or a key)"
        )
    cassette = _cassette(options.replay.resolve()) if options.replay else None
    llm = llm_identity(options, llm_settings, cassette)
    out = options.out
    # frames, voiced lines and animatics are shared by every case, and by any later run
    # that names the same folder: keyed by content, an entry is only reused for the same input
    cache = (options.cache or settings.cache or out / "cache").resolve()
    if cache.exists() and not cache.is_dir():
        flag = (
            param("cache")
            if options.cache
            else ("REELWRIGHT_CACHE" if settings.cache else "the cache folder")
        )
        raise InputError(f"{flag} {cache} is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, CaseResult] = {}
    todo: list[CaseJob] = []
    needs = ("cassette.jsonl",) if options.record else ()
    # a screening case asks no model: its LLM never decides its result
    decides = LLMIdentity("offline") if suite.kind == "screening" else llm
    for case in suite.cases:
        inputs = case_inputs(case, suite, base, options, decides, settings)
        decision = plan_case(out / "cases" / case.id, inputs, needs)
        if decision.action == "reuse" and decision.previous is not None:
            logger.info("case %s: reused (nothing that decides its result changed)", case.id)
            results[case.id] = decision.previous.model_copy(update={"resumed": True})
            if on_case:
                on_case(results[case.id], len(results), len(suite.cases))
        else:
            job = _job(case, suite, base, options, llm)
            job = replace(
                job,
                cache=cache,
                inputs=inputs,
                fresh=decision.action == "fresh",
                changed=tuple(decision.changed),
            )
            todo.append(job)
    total = len(suite.cases)

    def finished(result: CaseResult) -> None:
        results[result.id] = result
        if on_case:
            on_case(result, len(results), total)

    if todo:
        # imports paid once here (forked workers inherit them), not by the first case
        warm_worker(not options.offline)
    started = time.perf_counter()
    if options.concurrency == 1 or len(todo) <= 1:
        for job in todo:
            finished(run_case(job))
    else:
        workers = min(options.concurrency, len(todo))
        with ProcessPoolExecutor(
            max_workers=workers, initializer=warm_worker, initargs=(not options.offline,)
        ) as pool:
            futures = [pool.submit(run_case, job) for job in todo]
            try:
                for future in as_completed(futures):
                    finished(future.result())
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    if options.record:
        from reelwright.evals.cassette import merge_cassettes

        merge_cassettes(
            [out / "cases" / c.id / "cassette.jsonl" for c in suite.cases],
            options.record,
            _cassette_header(llm),
        )
    from reelwright.evals.metrics import summarise

    cases = [results[c.id] for c in suite.cases]
    return EvalLog(
        suite=suite.name,
        suite_version=suite.version,
        suite_digest=hashlib.sha256(path.read_bytes()).hexdigest()[:16],
        case_ids=[c.id for c in suite.cases],
        kind=suite.kind,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        software_version=__version__,
        llm=EvalLLM(backend=llm.llm, model=llm.model, mode=llm.mode),
        options=EvalOptionsRecord(
            concurrency=options.concurrency,
            seed=options.seed,
            record=str(options.record or ""),
            replay=str(options.replay or ""),
            offline=options.offline,
        ),
        wall_s=round(time.perf_counter() - started, 3),
        cases=cases,
        summary=summarise(cases),
    )


def write_outputs(log: EvalLog, out: Path, comparison: Comparison | None = None) -> dict[str, Path]:
    """eval.json (versioned log), junit.xml, report.md and a self-contained report.html."""
    from reelwright.evals.report import html_report, junit_xml, markdown_report

    if comparison is not None:
        log = log.model_copy(update={"compare": comparison})
    files = {
        "log": out / "eval.json",
        "junit": out / "junit.xml",
        "markdown": out / "report.md",
        "html": out / "report.html",
    }
    atomic_write(files["log"], log.to_json(indent=1).encode())
    atomic_write(files["junit"], junit_xml(log).encode())
    atomic_write(files["markdown"], markdown_report(log, comparison).encode())
    atomic_write(files["html"], html_report(log, comparison).encode())
    return files


@lru_cache(maxsize=2)
def _cassette(path: Path) -> Cassette:
    """A replayed cassette, read once per process."""
    from reelwright.evals.cassette import read_cassette

    return read_cassette(path)


def _cassette_header(llm: LLMIdentity) -> CassetteHeader:
    from reelwright.evals.cassette import CassetteHeader, CassetteLLM

    return CassetteHeader(
        software=__version__,
        llm=CassetteLLM.model_validate(
            {"model": llm.model or "", "mode": llm.mode or "auto", "base_url": llm.endpoint}
        ),
    )


@dataclass(frozen=True)
class CaseJob:
    """One case as a worker gets it (pickled into a worker process): the case, what the
    suite gives every case, and whether it starts fresh."""

    case: Case
    kind: str
    bible: dict[str, object] | str | None
    rights: dict[str, object] | str | None
    base: Path
    out: Path
    seed: int | None
    llm: LLMIdentity
    replay: Path | None
    prices: dict[str, dict[str, float]]
    long_side: int
    cache: Path = Path()
    inputs: CaseInputs | None = None
    fresh: bool = False
    changed: tuple[str, ...] = ()


def _job(case: Case, suite: Suite, base: Path, options: EvalOptions, llm: LLMIdentity) -> CaseJob:
    return CaseJob(
        case=case,
        kind=suite.kind,
        bible=suite.bible,
        rights=suite.rights,
        base=base,
        out=options.out.resolve(),
        seed=options.seed,
        llm=llm,
        replay=options.replay.resolve() if options.replay else None,
        prices=options.prices,
        long_side=options.long_side,
    )


# --------------------------------------------------------------------------- one case


def warm_worker(llm: bool = True) -> None:
    """Import what a case needs before any case starts, so that no case's wall time counts
    a worker's start-up (a no-op in a forked worker that inherited the modules)."""
    if llm:
        import openai  # noqa: F401 - the LLM client, imported on its first use otherwise
    import reelwright.api  # noqa: F401
    import reelwright.evals.metrics  # noqa: F401
    from reelwright.compliance.screening import default_screener

    default_screener()  # builds and caches the watchlist


def run_case(job: CaseJob) -> CaseResult:
    """Run one case; never raises. Writes and returns its result."""
    from reelwright.evals.reuse import start_fresh

    case = job.case
    case_dir = job.out / "cases" / case.id
    inputs = job.inputs
    assert inputs is not None, "a job is given its inputs before it runs"
    if job.fresh:
        start_fresh(case_dir, inputs, list(job.changed), case.id)
    identity: dict[str, object] = {
        "fingerprint": inputs.digest(),
        "inputs": inputs,
        "changed": list(job.changed),
    }
    result: dict[str, object] = {
        "id": case.id,
        "tags": case.tags,
        "kind": job.kind,
        **identity,
        "status": "error",
        "error": "",
        "timings": {},
    }
    started = time.perf_counter()
    try:
        if case.critique is not None:
            result.update(_critique_case(case, case_dir))
        elif job.kind == "screening":
            result.update(_screen_case(case))
        else:
            result.update(_episode_case(case, case_dir, job))
    except Exception as exc:  # a crashed case is a result, not the end of the suite
        result["status"] = "error"
        result["error"] = f"{type(exc).__name__}: {exc}"
    result["wall_s"] = round(time.perf_counter() - started, 3)
    try:
        typed = CaseResult.model_validate(result)
    except ValidationError as exc:  # a result that does not fit the record is an error too
        typed = CaseResult(
            id=case.id,
            tags=case.tags,
            kind=job.kind,
            **identity,
            error=f"ValidationError: {exc}",
            wall_s=result["wall_s"],
        )
    typed = check_expectations(case, typed)
    atomic_write(case_dir / "result.json", typed.to_json().encode())
    return typed


def _critique_case(case: Case, case_dir: Path) -> dict[str, object]:
    """Score a clean episode of the critic's suite, or one with a defect put in, with the
    critic a run would use (measurements, frames when a CLIP model is configured)."""
    from reelwright.config import Settings
    from reelwright.critic.agent import critic_from_settings
    from reelwright.evals.mutations.critique_case import subject
    from reelwright.evals.mutations.runner import FrameStore
    from reelwright.paths import OutputDir

    assert case.critique is not None
    episode, script, shots, what = subject(case.critique)
    renders = FrameStore(OutputDir(case_dir / "frames")).renders(episode, shots)
    critique, _ = critic_from_settings(Settings()).critique(
        1, episode.brief, episode.bible, script, shots, renders
    )
    failing = critique.failing(episode.brief.thresholds)
    return {
        "kind": "critique",
        "status": "critiqued",
        "verdict": "fail" if failing else "pass",
        "failing": sorted(failing),
        "passed": not failing,
        "scores": {**critique.scores, "overall": critique.overall},
        "stop_reason": what,
        "notes": critique.notes,
        "characters_present": sorted({c for sc in script.scenes for c in sc.characters}),
    }


def _screen_case(case: Case) -> dict[str, object]:
    from reelwright.compliance.screening import default_screener, verdict

    brief = case.brief if isinstance(case.brief, dict) else {"logline": case.brief}
    text = f"{brief.get('title', '')}\n{brief.get('logline', '')}"
    findings = default_screener().screen(text, case.id)
    return {
        "status": "screened",
        "verdict": verdict(findings),
        "passed": True,
        "entities_caught": sorted({f.entity for f in findings}),
    }


def _load(
    value: dict[str, object] | str, base: Path, what: str, model: Any
) -> tuple[Any, Path | None]:
    from reelwright.loading import parse, read_yaml

    if isinstance(value, dict):
        return parse(model, value, what), None
    path = (base / value).resolve()
    return parse(model, read_yaml(path, what), f"{what} {path}"), path


def _episode_case(case: Case, case_dir: Path, job: CaseJob) -> dict[str, object]:
    from reelwright.agents.planning import stable_int
    from reelwright.api import resume_run, run_episode
    from reelwright.config import Settings
    from reelwright.evals.metrics import package_metrics
    from reelwright.evals.reuse import start_fresh
    from reelwright.graphs.checkpoint import open_checkpointer
    from reelwright.loading import find_bible
    from reelwright.models import Bible, Brief
    from reelwright.request import RunRequest

    base, inputs = job.base, job.inputs
    assert case.brief is not None  # a case without one is a critique case
    assert inputs is not None, "a job is given its inputs before it runs"
    brief, brief_path = _load(case.brief, base, f"case {case.id} brief", Brief)
    bible_src = case.bible if case.bible is not None else job.bible
    if bible_src is None:
        if brief_path is None:
            raise InputError(f"case {case.id}: an inline brief needs a bible (case or suite)")
        bible_src = str(find_bible(brief_path))
    bible, bible_path = _load(bible_src, base, f"case {case.id} bible", Bible)
    if job.seed is not None:
        brief = brief.model_copy(update={"seed": stable_int(job.seed, case.id)})
    settings = Settings(home=case_dir / "home", cache=job.cache)
    state = f"sqlite:///{case_dir / 'state.sqlite'}"
    exists = False
    if not job.fresh:  # a fresh case's folder was emptied: it has no checkpoint
        with open_checkpointer(state) as saver:
            exists = saver.get_tuple({"configurable": {"thread_id": case.id}}) is not None
    moved: list[str] = []
    if exists and _cache_of(case_dir) != str(job.cache):
        # its frames are in another cache folder: a resume would be refused
        moved = [f"cache folder {_cache_of(case_dir)} → {job.cache}"]
        start_fresh(case_dir, inputs, moved, case.id)
        exists = False
    atomic_write(case_dir / CACHE_FILE, str(job.cache).encode())
    llm = _case_llm(job, settings, case_dir)
    rights: Path | None = None
    if isinstance(job.rights, dict):
        rights = case_dir / "rights.yaml"
        rights.write_text(yaml.safe_dump(job.rights), encoding="utf-8")
    elif isinstance(job.rights, str):
        rights = (base / job.rights).resolve()
    elif bible_path is not None and (bible_path.parent / "rights.yaml").is_file():
        rights = bible_path.parent / "rights.yaml"
    if exists:  # interrupted earlier: continue from the checkpoint
        outcome = resume_run(case.id, checkpointer=state, llm=llm, settings=settings)
    else:
        request = RunRequest.of(
            brief=brief,
            bible=bible,
            out=case_dir / "package",
            auto_approve=case.decisions is None,
            checkpointer=state,
            run_id=case.id,
            rights=rights,
            long_side=job.long_side,
        )
        outcome = run_episode(request, llm=llm, settings=settings)
    decisions = list(case.decisions or [])
    approvals = outcome.record.approvals if outcome.record else []
    applied = len([a for a in approvals if not a.auto])
    for decision in decisions[applied:]:
        if outcome.status != "awaiting_approval":
            break
        outcome = resume_run(
            case.id, checkpointer=state, llm=llm, settings=settings, decision=decision.model_dump()
        )
    if outcome.status == "failed":
        raise RuntimeError(outcome.error or "run failed")
    metrics = package_metrics(case_dir / "package", job.prices)
    metrics["status"] = outcome.status
    if moved:
        metrics["changed"] = [*job.changed, *moved]
    return metrics


def _cache_of(case_dir: Path) -> str | None:
    """The cache folder a case's checkpoint was made with."""
    try:
        return (case_dir / CACHE_FILE).read_text("utf-8")
    except OSError:
        return None


def _case_llm(job: CaseJob, settings: Any, case_dir: Path) -> Any:
    """The case's LLM: none offline; for record and replay, the configured one with a
    cassette recorder or player between it and the endpoint (a player never sends: its
    client has no network to reach)."""
    import httpx

    from reelwright.llm import llm_from_settings

    llm = job.llm
    if llm.llm == "offline":
        return None
    if llm.llm == "replay":
        from reelwright.evals.cassette import CassetteMiss, CassettePlayer

        def no_network(request: httpx.Request) -> httpx.Response:
            raise CassetteMiss(f"a replay tried to reach {request.url}")

        replay = settings.llm.model_copy(
            update={
                "model": llm.model,
                "mode": llm.mode,
                "base_url": llm.endpoint or "http://replay.invalid/v1",
                "api_key": "replay",
                "max_attempts": 1,
            }
        )
        path = job.replay
        assert path is not None, "a replayed suite names its cassettes"
        player = CassettePlayer(_cassette(path), case_dir.name, path.name)
        client = httpx.Client(transport=httpx.MockTransport(no_network))
        return llm_from_settings(replay, http_client=client, transcript=player)
    if llm.llm == "record":
        from reelwright.evals.cassette import CassetteRecorder

        recorder = CassetteRecorder(
            case_dir / "cassette.jsonl", case_dir.name, _cassette_header(llm)
        )
        return llm_from_settings(settings.llm, transcript=recorder)
    return llm_from_settings(settings.llm)
