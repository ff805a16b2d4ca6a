"""The one-line verdict of an eval run (and of a comparison): what CI and a reader see first.
A run fails when a case errored or missed its expectations, or when a comparison with a
baseline found a regression."""

from __future__ import annotations

from dataclasses import dataclass

from reelwright.records import Comparison, EvalLog


@dataclass(frozen=True)
class Verdict:
    passed: bool
    errored: tuple[str, ...]
    failed: tuple[str, ...]  # ran, but missed an expectation
    regressions: tuple[str, ...]
    line: str


def _ids(ids: tuple[str, ...], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return f"{shown}, +{len(ids) - limit} more" if len(ids) > limit else shown


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


def run_verdict(log: EvalLog, comparison: Comparison | None = None) -> Verdict:
    errored = tuple(c.id for c in log.cases if c.status == "error")
    failed = tuple(c.id for c in log.cases if c.status != "error" and not c.expectations_met)
    regressions = tuple(comparison.regressions) if comparison else ()
    total = len(log.cases)
    if not (errored or failed or regressions):
        line = f"PASS {log.suite}: all {_cases(total)} met their expectations" + (
            ", no regression against the baseline" if comparison else ""
        )
        return Verdict(True, errored, failed, regressions, line)
    parts = []
    if errored:
        parts.append(f"{_cases(len(errored))} errored ({_ids(errored)})")
    if failed:
        parts.append(f"{_cases(len(failed))} missed expectations ({_ids(failed)})")
    if regressions:
        parts.append(f"regressions against the baseline: {', '.join(regressions)}")
    line = f"FAIL {log.suite}: {'; '.join(parts)} — of {_cases(total)}"
    return Verdict(False, errored, failed, regressions, line)


def comparison_verdict(comparison: Comparison) -> Verdict:
    regressions = tuple(comparison.regressions)
    n = _cases(comparison.cases_compared)
    if regressions:
        line = f"FAIL {comparison.suite}: regressions in {', '.join(regressions)} ({n} compared)"
    else:
        line = f"PASS {comparison.suite}: no regression ({n} compared)"
    return Verdict(not regressions, (), (), regressions, line)
