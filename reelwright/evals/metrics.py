"""Metrics per case (read from its episode package) and per suite: Wilson 95% intervals for
proportions of cases, percentile-bootstrap 95% intervals (scipy) for everything else."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean
from typing import Any

from reelwright.errors import InputError
from reelwright.models import DIMENSIONS
from reelwright.records import (
    CaseResult,
    ComplianceRecord,
    MetricSummary,
    R,
    RunRecord,
    SuiteSummary,
    read_record,
)

BOOTSTRAP_SAMPLES = 2000
# Metrics whose case values are 0 or 1: the suite figure is a proportion of cases.
PROPORTIONS = frozenset({"pass_rate", "expectation_rate", "error_rate", "false_positive_rate"})


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _record(path: Path, model: type[R]) -> R | None:
    try:
        return read_record(path, model)
    except InputError:
        return None


def package_metrics(
    out: Path, prices: dict[str, dict[str, float]] | None = None
) -> dict[str, object]:
    """What one episode package says: status, scores and their history, usage, renders."""
    run = _record(out / "run.json", RunRecord)
    critiques = _read(out / "critique.json") or []
    compliance = _record(out / "compliance.json", ComplianceRecord)
    script = _read(out / "script.json") or {}
    history = [{**c["scores"], "overall": c["overall"]} for c in critiques]
    deltas = {
        d: round(fmean(b[d] - a[d] for a, b in zip(history, history[1:], strict=False)), 4)
        for d in DIMENSIONS
        if len(history) > 1
    }
    thresholds = run.thresholds.model_dump() if run else {}
    to_pass = next(
        (
            i + 1
            for i, h in enumerate(history)
            if all(h.get(k, 0) >= v for k, v in thresholds.items())
        ),
        None,
    )
    cost = None
    model = run.llm.model if run else None
    if run and prices and model in prices:
        p = prices[model]
        cost = round(
            run.llm.prompt_tokens / 1000 * p.get("prompt_per_1k", 0)
            + run.llm.completion_tokens / 1000 * p.get("completion_per_1k", 0),
            6,
        )
    caught = sorted(
        {
            f.entity
            for f in (compliance.findings if compliance else [])
            if f.rule.startswith("screen.") and f.entity
        }
    )
    speakers = {d["character"] for s in script.get("scenes", []) for d in s.get("dialogue", [])}
    present = {c for s in script.get("scenes", []) for c in s.get("characters", [])}
    return {
        "status": run.status if run else "missing",
        "passed": run.passed if run else False,
        "iterations": run.iterations if run else 0,
        "iterations_to_pass": to_pass,
        "scores": run.scores if run else {},
        "score_history": history,
        "score_delta_per_iteration": deltas,
        "stop_reason": run.stop_reason if run else "",
        "llm": {
            "calls": run.llm.calls if run else 0,
            "prompt_tokens": run.llm.prompt_tokens if run else 0,
            "completion_tokens": run.llm.completion_tokens if run else 0,
            "cost": cost,
        },
        "renders": {
            "rendered": run.renders.rendered if run else 0,
            "cached": run.renders.cached if run else 0,
        },
        "timings": run.timings if run else {},
        "entities_caught": caught,
        "characters_present": sorted(present | speakers),
        "verdict": compliance.verdict if compliance else None,
    }


def case_metrics(c: CaseResult) -> dict[str, float]:
    """One case's value of every metric that applies to it (the unit both the suite intervals
    and the paired comparison work on). An errored case has only the outcome rates."""
    out: dict[str, float] = {
        "expectation_rate": float(c.expectations_met),
        "error_rate": float(c.status == "error"),
    }
    if c.status == "error":
        return out
    out["pass_rate"] = float(c.passed)
    out["wall_s"] = float(c.wall_s)
    if c.compliance.recall is not None:
        out["compliance_recall"] = float(c.compliance.recall)
    if c.compliance.false_positive is not None:
        out["false_positive_rate"] = float(c.compliance.false_positive)
    if c.kind == "screening" and c.tags:  # per category (a case's first tag)
        if c.compliance.recall is not None:
            out[f"compliance_recall/{c.tags[0]}"] = float(c.compliance.recall)
        if c.compliance.false_positive is not None:
            out[f"false_positive_rate/{c.tags[0]}"] = float(c.compliance.false_positive)
    if c.kind != "episode":
        return out
    out["iterations"] = float(c.iterations)
    if c.iterations_to_pass:
        out["iterations_to_pass"] = float(c.iterations_to_pass)
    if c.scores:
        out["overall"] = float(c.scores.get("overall", 0))
    for d in DIMENSIONS:
        if d in c.scores:
            out[f"score.{d}"] = float(c.scores[d])
        if d in c.score_delta_per_iteration:
            out[f"delta.{d}"] = float(c.score_delta_per_iteration[d])
    out["llm_calls"] = float(c.llm.calls)
    out["llm_tokens"] = float(c.llm.prompt_tokens + c.llm.completion_tokens)
    if c.llm.cost is not None:
        out["cost"] = float(c.llm.cost)
    out["cache_hit_rate"] = c.renders.cached / max(1, c.renders.cached + c.renders.rendered)
    return out


def case_values(cases: Sequence[CaseResult]) -> dict[str, list[float]]:
    """Per-metric lists of case-level values, in case order."""
    out: dict[str, list[float]] = {}
    for c in cases:
        for name, value in case_metrics(c).items():
            out.setdefault(name, []).append(value)
    return out


def wilson_ci(successes: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval of a proportion: 5 of 5 is [0.566, 1], never zero-width."""
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return (round(float(ci.low), 4), round(float(ci.high), 4))


def bootstrap_ci(values: Sequence[float], seed: int = 0) -> tuple[float, float]:
    """Percentile-bootstrap 95% interval of the mean over cases (scipy, seeded). One value or
    all values equal: the sample says nothing about spread, so the interval is that value."""
    if len(set(values)) <= 1:
        return (float(values[0]), float(values[0]))
    import numpy as np
    from scipy.stats import bootstrap

    result = bootstrap(
        (np.asarray(values, dtype=float),),
        np.mean,
        n_resamples=BOOTSTRAP_SAMPLES,
        method="percentile",
        rng=np.random.default_rng(seed),
        vectorized=True,
    )
    ci = result.confidence_interval
    return (round(float(ci.low), 4), round(float(ci.high), 4))


def metric_summary(name: str, values: Sequence[float]) -> MetricSummary:
    mean = round(fmean(values), 4)
    if name.partition("/")[0] in PROPORTIONS:
        return MetricSummary(
            mean=mean, ci95=wilson_ci(round(sum(values)), len(values)), n=len(values), ci="wilson"
        )
    return MetricSummary(mean=mean, ci95=bootstrap_ci(values), n=len(values), ci="bootstrap")


def summarise(cases: Sequence[CaseResult]) -> SuiteSummary:
    """Suite figures: mean and 95% interval for every metric, plus node wall times."""
    metrics = {name: metric_summary(name, values) for name, values in case_values(cases).items()}
    nodes: dict[str, list[float]] = {}
    for c in cases:
        for node, seconds in c.timings.items():
            nodes.setdefault(node, []).append(seconds)
    return SuiteSummary(
        cases=len(cases),
        errors=sum(c.status == "error" for c in cases),
        metrics=metrics,
        node_seconds_mean={k: round(fmean(v), 4) for k, v in sorted(nodes.items())},
    )
