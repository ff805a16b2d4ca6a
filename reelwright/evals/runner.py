"""Run a suite: every case through the same graph (or the screener, for screening suites),
concurrently in worker processes, each case in its own thread id, state and cache.

A crashed case is recorded as an error and the suite goes on. Each finished case writes
`cases/<id>/result.json`; running the suite again into the same folder skips finished cases
and resumes an interrupted one from its checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from reelwright.errors import InputError, param
from reelwright.evals.suite import SUITE_VERSION, Case, Suite, load_suite
from reelwright.paths import atomic_write
from reelwright.records import (
    CaseCompliance,
    CaseResult,
    Comparison,
    EvalLog,
    EvalOptionsRecord,
)

LOG_VERSION = EvalLog.VERSION
CaseCallback = Callable[[CaseResult, int, int], None]


@dataclass(frozen=True)
class EvalOptions:
    out: Path
    concurrency: int = 1
    seed: int | None = None
    record: Path | None = None
    replay: Path | None = None
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    offline: bool = False
    long_side: int = 512


def fingerprint(case: Case, suite: Suite, options: EvalOptions) -> str:
    blob = json.dumps(
        [
            case.model_dump(mode="json"),
            suite.bible,
            suite.rights,
            suite.kind,
            options.seed,
            options.long_side,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


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
    suite, base = load_suite(resolve_suite(suite_path))
    if options.concurrency < 1:
        raise InputError(f"{param('concurrency')} must be at least 1")
    if options.record and options.replay:
        raise InputError(f"{param('record')} and {param('replay')} cannot be used together")
    if options.replay and not options.replay.is_file():
        raise InputError(f"{param('replay')} {options.replay}: no such cassette")
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, CaseResult] = {}
    todo: list[dict[str, Any]] = []
    for case in suite.cases:
        job = _job(case, suite, base, options)
        previous = _read_result(out, case.id)
        if previous and previous.fingerprint == job["fingerprint"]:
            results[case.id] = previous.model_copy(update={"resumed": True})
            if on_case:
                on_case(results[case.id], len(results), len(suite.cases))
        else:
            todo.append(job)
    total = len(suite.cases)

    def finished(result: CaseResult) -> None:
        results[result.id] = result
        if on_case:
            on_case(result, len(results), total)

    started = time.perf_counter()
    if options.concurrency == 1 or len(todo) <= 1:
        for job in todo:
            finished(run_case(job))
    else:
        with ProcessPoolExecutor(max_workers=min(options.concurrency, len(todo))) as pool:
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
            [out / "cases" / c.id / "cassette.jsonl" for c in suite.cases], options.record
        )
    from reelwright.evals.metrics import summarise

    cases = [results[c.id] for c in suite.cases]
    return EvalLog(
        suite=suite.name,
        suite_version=SUITE_VERSION,
        kind=suite.kind,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
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


def _read_result(out: Path, case_id: str) -> CaseResult | None:
    """A finished case's result; None (run the case again) when it cannot be read."""
    path = out / "cases" / case_id / "result.json"
    try:
        return CaseResult.model_validate_json(path.read_bytes())
    except (OSError, ValueError, ValidationError):
        return None


def _job(case: Case, suite: Suite, base: Path, options: EvalOptions) -> dict[str, Any]:
    return {
        "case": case.model_dump(mode="json"),
        "kind": suite.kind,
        "bible": suite.bible,
        "rights": suite.rights,
        "base": str(base),
        "out": str(options.out.resolve()),
        "seed": options.seed,
        "record": bool(options.record),
        "replay": str(options.replay.resolve()) if options.replay else None,
        "prices": options.prices,
        "offline": options.offline,
        "long_side": options.long_side,
        "fingerprint": fingerprint(case, suite, options),
    }


# --------------------------------------------------------------------------- one case


def run_case(job: dict[str, Any]) -> CaseResult:
    """Run one case; never raises. Writes and returns its result."""
    case = Case.model_validate(job["case"])
    case_dir = Path(job["out"]) / "cases" / case.id
    case_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "id": case.id,
        "tags": case.tags,
        "kind": job["kind"],
        "fingerprint": job["fingerprint"],
        "status": "error",
        "error": "",
        "timings": {},
    }
    started = time.perf_counter()
    try:
        if job["kind"] == "screening":
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
            kind=job["kind"],
            fingerprint=job["fingerprint"],
            error=f"ValidationError: {exc}",
            wall_s=result["wall_s"],
        )
    typed = check_expectations(case, typed)
    atomic_write(case_dir / "result.json", typed.to_json().encode())
    return typed


def _screen_case(case: Case) -> dict[str, Any]:
    from reelwright.tools.screening import default_screener, verdict

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
    value: dict[str, Any] | str, base: Path, what: str, model: Any
) -> tuple[Any, Path | None]:
    from reelwright.loading import parse, read_yaml

    if isinstance(value, dict):
        return parse(model, value, what), None
    path = (base / value).resolve()
    return parse(model, read_yaml(path, what), f"{what} {path}"), path


def _episode_case(case: Case, case_dir: Path, job: dict[str, Any]) -> dict[str, Any]:
    from reelwright.agents.common import stable_int
    from reelwright.api import resume_run, run_episode
    from reelwright.config import Settings
    from reelwright.evals.metrics import package_metrics
    from reelwright.graphs.checkpoint import open_checkpointer
    from reelwright.loading import find_bible
    from reelwright.models import Bible, Brief

    base = Path(job["base"])
    brief, brief_path = _load(case.brief, base, f"case {case.id} brief", Brief)
    bible_src = case.bible if case.bible is not None else job["bible"]
    if bible_src is None:
        if brief_path is None:
            raise InputError(f"case {case.id}: an inline brief needs a bible (case or suite)")
        bible_src = str(find_bible(brief_path))
    bible, bible_path = _load(bible_src, base, f"case {case.id} bible", Bible)
    if job["seed"] is not None:
        brief = brief.model_copy(update={"seed": stable_int(job["seed"], case.id)})
    rights: Path | None = None
    if isinstance(job["rights"], dict):
        rights = case_dir / "rights.yaml"
        rights.write_text(yaml.safe_dump(job["rights"]), encoding="utf-8")
    elif isinstance(job["rights"], str):
        rights = (base / job["rights"]).resolve()
    elif bible_path is not None and (bible_path.parent / "rights.yaml").is_file():
        rights = bible_path.parent / "rights.yaml"
    settings = Settings(home=case_dir / "home")
    state = f"sqlite:///{case_dir / 'state.sqlite'}"
    llm = _case_llm(job, settings, case_dir)
    with open_checkpointer(state) as saver:
        exists = saver.get_tuple({"configurable": {"thread_id": case.id}}) is not None
    if exists:  # interrupted earlier: continue from the checkpoint
        outcome = resume_run(case.id, checkpointer=state, llm=llm, settings=settings)
    else:
        outcome = run_episode(
            brief,
            bible,
            out=case_dir / "package",
            auto_approve=case.decisions is None,
            llm=llm,
            checkpointer=state,
            run_id=case.id,
            settings=settings,
            rights=rights,
            long_side=job["long_side"],
        )
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
    metrics = package_metrics(case_dir / "package", job["prices"])
    metrics["status"] = outcome.status
    return metrics


def _case_llm(job: dict[str, Any], settings: Any, case_dir: Path) -> Any:
    import httpx

    from reelwright.llm import llm_from_settings

    if job["replay"]:
        from reelwright.evals.cassette import ReplayTransport

        replay = settings.llm.model_copy(
            update={
                "base_url": settings.llm.base_url or "http://replay.invalid/v1",
                "api_key": "replay",
                "max_attempts": 1,
            }
        )
        return llm_from_settings(
            replay, http_client=httpx.Client(transport=ReplayTransport(Path(job["replay"])))
        )
    if job["offline"]:
        return None
    if job["record"]:
        from reelwright.evals.cassette import RecordingTransport

        if not settings.llm.configured:
            raise InputError(
                f"{param('record')} needs an LLM endpoint (REELWRIGHT_LLM_BASE_URL or a key)"
            )
        client = httpx.Client(
            transport=RecordingTransport(case_dir / "cassette.jsonl"),
            timeout=settings.llm.timeout_s,
        )
        return llm_from_settings(settings.llm, http_client=client)
    return llm_from_settings(settings.llm) if settings.llm.configured else None


# --------------------------------------------------------------------------- expectations


def check_expectations(case: Case, result: CaseResult) -> CaseResult:
    """The result with `expectations_met`, `failures` and `compliance` filled in."""
    e = case.expect
    failures: list[str] = []
    caught = set(result.entities_caught)
    compliance = CaseCompliance(expected=e.blocked_entities, caught=sorted(caught))
    if result.status == "error":
        return result.model_copy(
            update={
                "expectations_met": False,
                "failures": [result.error],
                "compliance": compliance,
            }
        )
    if result.kind == "screening" and e.verdict in ("block", "review", "pass"):
        if e.verdict == "pass":
            compliance.false_positive = result.verdict != "pass"
        else:  # "review" means at least review: a block is caught too
            wanted = {"block"} if e.verdict == "block" else {"review", "block"}
            compliance.recall = float(result.verdict in wanted)
    if e.verdict is not None:
        got = (
            result.status
            if e.verdict in ("published", "blocked", "awaiting_approval")
            else result.verdict
        )
        if result.kind == "screening" and e.verdict == "review" and got == "block":
            got = "review"
        if got != e.verdict:
            failures.append(f"verdict {got!r}, expected {e.verdict!r}")
    for character in e.characters:
        if character not in result.characters_present:
            failures.append(f"character {character!r} does not appear")
    if e.blocked_entities:
        hit = [x for x in e.blocked_entities if x in caught]
        compliance.recall = round(len(hit) / len(e.blocked_entities), 4)
        failures += [f"entity {x!r} was not caught" for x in e.blocked_entities if x not in hit]
    if e.clean is not None and e.clean:
        compliance.false_positive = bool(caught)
        if caught:
            failures.append(f"clean case, but screening caught {sorted(caught)}")
    for dim, minimum in e.min_scores.items():
        score = result.scores.get(dim)
        if score is None or score < minimum:
            failures.append(f"{dim} {score} < {minimum}")
    if e.max_iterations is not None and result.iterations > e.max_iterations:
        failures.append(f"{result.iterations} iterations > {e.max_iterations}")
    return result.model_copy(
        update={"expectations_met": not failures, "failures": failures, "compliance": compliance}
    )
