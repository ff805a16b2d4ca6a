"""Compare two eval logs of one suite, case by case.

Each metric is paired by case id and judged by the test that fits it:

- the outcome rates (expectation rate, error rate) are the suite's own assertions: any case
  that met its expectations in the baseline and misses them now, or newly crashes, is a
  regression (`gate="cases"`, tolerance: the fraction of cases allowed to get worse, 0);
- other proportions (pass rate, false-positive rate): McNemar's exact test on the cases
  that changed (`gate="exact"`);
- means (scores, iterations, recall): a paired sign-flip permutation test, exact for up to
  13 cases (`gate="permutation"`).

A metric regresses when it moves the bad way by more than its tolerance *and* the one-sided
test is significant at `ALPHA`. The tolerances are set so that two runs of the same
configuration are flagged less than 5% of the time (measured: `benchmarks/compare_false_alarms.py`
and tests/evals/test_compare_false_alarms.py). Every difference carries a paired bootstrap
95% interval (scipy). Operational metrics (LLM calls, tokens, cost, cache hits, wall time) are
reported and gated only when asked; score deltas per iteration are reported only.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import fmean
from typing import Literal

from reelwright.errors import InputError
from reelwright.evals.metrics import BOOTSTRAP_SAMPLES, case_metrics
from reelwright.models import DIMENSIONS
from reelwright.records import Comparison, ComparisonRow, EvalLog, read_record

ALPHA = 0.05
Gate = Literal["cases", "exact", "permutation", "reported"]


@dataclass(frozen=True)
class MetricPolicy:
    """How one metric is compared. `tolerance` is absolute in the metric's units, or a
    fraction of the baseline mean when `relative`."""

    gate: Gate
    higher_is_better: bool | None
    tolerance: float = 0.0
    relative: bool = False
    operational: bool = False


OPERATIONAL_TOLERANCE = 0.1  # 10% of the baseline, for metrics gated with gate_operational

POLICIES: dict[str, MetricPolicy] = {
    "expectation_rate": MetricPolicy("cases", True),
    "error_rate": MetricPolicy("cases", False),
    "pass_rate": MetricPolicy("exact", True, 0.1),
    "false_positive_rate": MetricPolicy("exact", False, 0.05),
    "compliance_recall": MetricPolicy("permutation", True, 0.05),
    "overall": MetricPolicy("permutation", True, 1.0),
    **{f"score.{d}": MetricPolicy("permutation", True, 2.5) for d in DIMENSIONS},
    "iterations": MetricPolicy("permutation", False, 0.5),
    "iterations_to_pass": MetricPolicy("permutation", False, 0.5),
    **{f"delta.{d}": MetricPolicy("reported", True) for d in DIMENSIONS},
    "llm_calls": MetricPolicy("permutation", False, OPERATIONAL_TOLERANCE, True, True),
    "llm_tokens": MetricPolicy("permutation", False, OPERATIONAL_TOLERANCE, True, True),
    "cost": MetricPolicy("permutation", False, OPERATIONAL_TOLERANCE, True, True),
    "cache_hit_rate": MetricPolicy("permutation", True, 0.1, False, True),
    "wall_s": MetricPolicy("permutation", False, 0.25, True, True),
}


def load_log(path: Path | str, role: str = "baseline") -> EvalLog:
    """An eval log (`role` names it in errors); InputError naming the file for anything else."""
    try:
        return read_record(path, EvalLog)
    except InputError as exc:
        raise InputError(f"{role} {path} is not a readable eval log: {exc}") from None


def check_same_suite(baseline: EvalLog, suite: str, kind: str) -> None:
    """Refuse (InputError) a baseline of another suite, before a run is spent on it."""
    if baseline.suite != suite or baseline.kind != kind:
        raise InputError(
            f"cannot compare runs of different suites: baseline is {baseline.suite!r} "
            f"({baseline.kind}), current is {suite!r} ({kind})"
        )


def parse_tolerances(items: Sequence[str]) -> dict[str, float]:
    """`METRIC=VALUE` pairs (a metric may be a pattern: `score.*=1`); InputError naming any
    unknown metric or a value that is not a non-negative number."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(
                f"--tolerance {item!r}: give METRIC=VALUE, e.g. overall=0.5 or 'score.*=1'"
            )
        if not fnmatch.filter(POLICIES, name):
            raise InputError(
                f"--tolerance {item!r}: no metric {name!r}; known: {', '.join(POLICIES)}"
            )
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if not number >= 0:  # also refuses nan
            raise InputError(f"--tolerance {item!r}: {value!r} is not a non-negative number")
        out[name] = number
    return out


def policies(tolerances: Mapping[str, float] | None = None) -> dict[str, MetricPolicy]:
    """The policy table with `tolerances` (names or patterns) applied, later ones winning."""
    table = dict(POLICIES)
    for pattern, value in (tolerances or {}).items():
        for name in fnmatch.filter(table, pattern):
            table[name] = replace(table[name], tolerance=value)
    return table


def compare(
    baseline: EvalLog,
    current: EvalLog,
    tolerances: Mapping[str, float] | None = None,
    gate_operational: bool = False,
) -> Comparison:
    """Every metric of `current` against `baseline`, paired by case id. Refuses (InputError)
    logs of different suites or kinds, or with no case in common; differing case sets are
    compared on the cases both have and listed in the result."""
    check_same_suite(baseline, current.suite, current.kind)
    base = {c.id: case_metrics(c) for c in baseline.cases}
    cur = {c.id: case_metrics(c) for c in current.cases}
    shared = [i for i in cur if i in base]
    if not shared:
        raise InputError(
            f"cannot compare: the baseline and the current run of {current.suite!r} "
            "have no case in common"
        )
    table = policies(tolerances)
    names = sorted({m for v in (*base.values(), *cur.values()) for m in v}, key=_order)
    rows = [
        _row(
            name,
            table.get(name, table.get(name.partition("/")[0])),
            base,
            cur,
            shared,
            gate_operational,
        )
        for name in names
    ]
    return Comparison(
        suite=current.suite,
        baseline_created=baseline.created,
        alpha=ALPHA,
        gate_operational=gate_operational,
        cases_compared=len(shared),
        only_in_baseline=[i for i in base if i not in cur],
        only_in_current=[i for i in cur if i not in base],
        rows=rows,
        regressions=[r.metric for r in rows if r.regression],
    )


def _order(metric: str) -> tuple[int, str]:
    names = list(POLICIES)
    return (names.index(metric), "") if metric in POLICIES else (len(names), metric)


def _row(
    metric: str,
    policy: MetricPolicy | None,
    base: dict[str, dict[str, float]],
    cur: dict[str, dict[str, float]],
    shared: list[str],
    gate_operational: bool,
) -> ComparisonRow:
    gate: Gate = "reported" if policy is None else policy.gate
    if policy is not None and policy.operational and not gate_operational:
        gate = "reported"
    better = policy.higher_is_better if policy else None
    paired = [i for i in shared if metric in base[i] and metric in cur[i]]
    if not paired:
        side_b = [v[metric] for v in base.values() if metric in v]
        side_c = [v[metric] for v in cur.values() if metric in v]
        where = "the baseline" if side_b else "the current run"
        return ComparisonRow(
            metric=metric,
            gate=gate,
            higher_is_better=better,
            baseline=round(fmean(side_b), 4) if side_b else None,
            current=round(fmean(side_c), 4) if side_c else None,
            note=f"only in {where}" if not (side_b and side_c) else "no case has it on both sides",
        )
    a = [base[i][metric] for i in paired]
    b = [cur[i][metric] for i in paired]
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    mean_a, mean_b = fmean(a), fmean(b)
    diff = mean_b - mean_a
    row = ComparisonRow(
        metric=metric,
        gate=gate,
        higher_is_better=better,
        n=len(paired),
        baseline=round(mean_a, 4),
        current=round(mean_b, 4),
        diff=round(diff, 4),
        ci95=paired_bootstrap_ci(diffs),
    )
    if policy is None or better is None:
        return row
    sign = 1.0 if better else -1.0  # worse means sign * change < 0
    worse = [i for i, d in zip(paired, diffs, strict=True) if sign * d < 0]
    tolerance = policy.tolerance * abs(mean_a) if policy.relative else policy.tolerance
    row = row.model_copy(update={"worse_cases": worse, "tolerance": round(tolerance, 4)})
    if gate == "reported":
        return row
    if gate == "cases":
        regression = len(worse) / len(paired) > tolerance
        return row.model_copy(
            update={
                "regression": regression,
                "note": f"{len(worse)} of {len(paired)} cases got worse" if worse else "",
            }
        )
    if gate == "exact":
        improved = sum(1 for d in diffs if sign * d > 0)
        p = mcnemar_exact(len(worse), improved)
    else:
        p = sign_flip_p(diffs, worse_is_negative=better)
    regression = -sign * diff > tolerance and p < ALPHA
    return row.model_copy(update={"p_value": round(p, 4), "regression": regression})


def mcnemar_exact(worse: int, improved: int) -> float:
    """One-sided exact McNemar test: the chance of at least `worse` bad flips among the
    changed cases if flips were equally likely either way."""
    if worse + improved == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(worse, worse + improved, 0.5, alternative="greater").pvalue)


def sign_flip_p(diffs: Sequence[float], worse_is_negative: bool) -> float:
    """One-sided paired permutation test of the mean difference (every sign flip for up to 13
    cases, else 9999 seeded random ones)."""
    if not any(diffs):
        return 1.0
    if len(diffs) == 1:  # two sign assignments: the observed one and its mirror
        worse = diffs[0] < 0 if worse_is_negative else diffs[0] > 0
        return 0.5 if worse else 1.0
    import numpy as np
    from scipy.stats import permutation_test

    result = permutation_test(
        (np.asarray(diffs, dtype=float),),
        np.mean,
        permutation_type="samples",
        alternative="less" if worse_is_negative else "greater",
        n_resamples=9999,
        vectorized=True,
        rng=np.random.default_rng(0),
    )
    return float(result.pvalue)


def paired_bootstrap_ci(diffs: Sequence[float], seed: int = 0) -> tuple[float, float]:
    """Percentile-bootstrap 95% interval of the mean paired difference (cases resampled
    with both their values). Equal differences: that value."""
    if len(set(diffs)) <= 1:
        return (round(diffs[0], 4), round(diffs[0], 4))
    import numpy as np
    from scipy.stats import bootstrap

    result = bootstrap(
        (np.asarray(diffs, dtype=float),),
        np.mean,
        n_resamples=BOOTSTRAP_SAMPLES,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    ci = result.confidence_interval
    return (round(float(ci.low), 4), round(float(ci.high), 4))


def describe(comparison: Comparison) -> list[str]:
    """One line per regression, saying what moved and why it counts."""
    lines = []
    for r in comparison.rows:
        if not r.regression:
            continue
        if r.gate == "cases":
            lines.append(f"{r.metric}: {r.note} ({', '.join(r.worse_cases)})")
        else:
            lines.append(
                f"{r.metric}: {r.baseline:.4g} -> {r.current:.4g} "
                f"(diff {r.diff:+.4g}, tolerance {r.tolerance:g}, p={r.p_value:.3g})"
            )
    return lines


def case_set_warning(comparison: Comparison) -> str | None:
    """The loud line for differing case sets (None when both runs have the same cases)."""
    if not (comparison.only_in_baseline or comparison.only_in_current):
        return None
    parts = []
    if comparison.only_in_baseline:
        parts.append(f"missing from this run: {', '.join(comparison.only_in_baseline)}")
    if comparison.only_in_current:
        parts.append(f"new in this run: {', '.join(comparison.only_in_current)}")
    return (
        f"WARNING: the case sets differ; compared on the {comparison.cases_compared} shared "
        f"cases only ({'; '.join(parts)})"
    )
