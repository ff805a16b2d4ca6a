"""Compare two eval logs: every metric's difference with a bootstrap 95% interval, and the
regressions beyond a tolerance (the exit code CI gates on)."""

from __future__ import annotations

import random
from pathlib import Path
from statistics import fmean

from reelwright.errors import InputError
from reelwright.evals.metrics import BOOTSTRAP_SAMPLES, HIGHER_IS_BETTER, case_values
from reelwright.records import Comparison, ComparisonRow, EvalLog, read_record


def load_log(path: Path | str) -> EvalLog:
    """A baseline eval log; InputError (naming the file) for anything else."""
    try:
        return read_record(path, EvalLog)
    except InputError as exc:
        raise InputError(f"baseline {path} is not a readable eval log: {exc}") from None


def _diff_ci(a: list[float], b: list[float], seed: int = 0) -> tuple[float, float]:
    """95% interval of mean(b) - mean(a), resampling each side's cases independently."""
    rng = random.Random(seed)
    diffs = sorted(
        fmean([b[rng.randrange(len(b))] for _ in b]) - fmean([a[rng.randrange(len(a))] for _ in a])
        for _ in range(BOOTSTRAP_SAMPLES)
    )
    return (
        round(diffs[int(0.025 * BOOTSTRAP_SAMPLES)], 4),
        round(diffs[int(0.975 * BOOTSTRAP_SAMPLES) - 1], 4),
    )


def compare(baseline: EvalLog, current: EvalLog, tolerance: float = 0.05) -> Comparison:
    """A regression: the change goes the bad way by more than `tolerance` (relative to the
    baseline's magnitude, at least `tolerance` absolute) and its interval excludes zero."""
    base_values = case_values(baseline.cases)
    cur_values = case_values(current.cases)
    rows = []
    for metric in sorted(set(base_values) & set(cur_values)):
        a, b = base_values[metric], cur_values[metric]
        ma, mb = fmean(a), fmean(b)
        diff = mb - ma
        lo, hi = _diff_ci(a, b)
        better = HIGHER_IS_BETTER.get(metric, HIGHER_IS_BETTER.get(metric.partition("/")[0]))
        margin = max(tolerance, tolerance * abs(ma))
        if better is None or metric == "wall_s":
            regression = False  # informational (timings vary by machine)
        elif better:
            regression = diff < -margin and hi < 0
        else:
            regression = diff > margin and lo > 0
        rows.append(
            ComparisonRow(
                metric=metric,
                baseline=round(ma, 4),
                current=round(mb, 4),
                diff=round(diff, 4),
                ci95=(lo, hi),
                regression=regression,
            )
        )
    return Comparison(
        tolerance=tolerance, rows=rows, regressions=[r.metric for r in rows if r.regression]
    )
