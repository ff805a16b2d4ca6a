"""Metrics per case (read from its episode package) and per suite, with bootstrap 95% CIs."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
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

BOOTSTRAP_SAMPLES = 1000
# metric -> True when higher is better (used by compare to find regressions)
HIGHER_IS_BETTER: dict[str, bool] = {
    "pass_rate": True,
    "expectation_rate": True,
    "error_rate": False,
    "iterations": False,
    "iterations_to_pass": False,
    "overall": True,
    "compliance_recall": True,
    "false_positive_rate": False,
    "llm_calls": False,
    "llm_tokens": False,
    "cost": False,
    "cache_hit_rate": True,
    "wall_s": False,
    **{f"score.{d}": True for d in DIMENSIONS},
    **{f"delta.{d}": True for d in DIMENSIONS},
}


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


def package_metrics(out: Path, prices: dict[str, dict[str, float]] | None = None) -> dict[str, Any]:
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


def bootstrap_ci(
    values: Sequence[float],
    stat: Callable[[Sequence[float]], float] = fmean,
    seed: int = 0,
    samples: int = BOOTSTRAP_SAMPLES,
) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of `stat` over cases (seeded: reproducible)."""
    if not values:
        return (float("nan"), float("nan"))
    if len(values) == 1:
        return (float(values[0]), float(values[0]))
    rng = random.Random(seed)
    n = len(values)
    stats = sorted(stat([values[rng.randrange(n)] for _ in range(n)]) for _ in range(samples))
    return (round(stats[int(0.025 * samples)], 4), round(stats[int(0.975 * samples) - 1], 4))


def case_values(cases: Sequence[CaseResult]) -> dict[str, list[float]]:
    """Per-metric lists of case-level values (the unit the bootstrap resamples)."""
    done = [c for c in cases if c.status != "error"]
    out: dict[str, list[float]] = {
        "pass_rate": [float(c.passed) for c in done],
        "expectation_rate": [float(c.expectations_met) for c in cases],
        "error_rate": [float(c.status == "error") for c in cases],
    }
    episodes = [c for c in done if c.kind == "episode"]
    if episodes:
        out["iterations"] = [float(c.iterations) for c in episodes]
        out["iterations_to_pass"] = [
            float(c.iterations_to_pass) for c in episodes if c.iterations_to_pass
        ]
        out["overall"] = [float(c.scores.get("overall", 0)) for c in episodes if c.scores]
        for d in DIMENSIONS:
            out[f"score.{d}"] = [float(c.scores[d]) for c in episodes if d in c.scores]
            out[f"delta.{d}"] = [
                float(c.score_delta_per_iteration[d])
                for c in episodes
                if d in c.score_delta_per_iteration
            ]
        out["llm_calls"] = [float(c.llm.calls) for c in episodes]
        out["llm_tokens"] = [float(c.llm.prompt_tokens + c.llm.completion_tokens) for c in episodes]
        costs = [c.llm.cost for c in episodes if c.llm.cost is not None]
        if costs:
            out["cost"] = [float(x) for x in costs]
        out["cache_hit_rate"] = [
            c.renders.cached / max(1, c.renders.cached + c.renders.rendered) for c in episodes
        ]
    out["wall_s"] = [float(c.wall_s) for c in done]
    positives = [c.compliance.recall for c in done if c.compliance.recall is not None]
    if positives:
        out["compliance_recall"] = [float(x) for x in positives]
    negatives = [
        c.compliance.false_positive for c in done if c.compliance.false_positive is not None
    ]
    if negatives:
        out["false_positive_rate"] = [float(x) for x in negatives]
    for c in done:  # per category (a case's first tag): "compliance_recall/described"
        if c.kind == "screening" and c.tags:
            if c.compliance.recall is not None:
                out.setdefault(f"compliance_recall/{c.tags[0]}", []).append(c.compliance.recall)
            if c.compliance.false_positive is not None:
                name = f"false_positive_rate/{c.tags[0]}"
                out.setdefault(name, []).append(float(c.compliance.false_positive))
    return {k: v for k, v in out.items() if v}


def summarise(cases: Sequence[CaseResult]) -> SuiteSummary:
    """Suite figures: mean and bootstrap 95% CI for every metric, plus node wall times."""
    metrics = {}
    for name, values in case_values(cases).items():
        lo, hi = bootstrap_ci(values)
        metrics[name] = MetricSummary(mean=round(fmean(values), 4), ci95=(lo, hi), n=len(values))
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
