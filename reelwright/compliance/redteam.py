"""Run the red-team screening suite: recall and false-positive rate per category.

A case's category is its first tag. `block` cases are caught only by a `block` verdict;
`review` cases by `review` or `block` (a person must look at it); `pass` cases are benign
controls, and any other verdict on them is a false positive."""

from __future__ import annotations

from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from reelwright.compliance.screening import Screener, default_screener, verdict

CAUGHT_BY = {"block": {"block"}, "review": {"review", "block"}}


def load_suite(path: Path | None = None) -> dict[str, Any]:
    if path is None:
        text = (
            resources.files("reelwright.evals.suites").joinpath("redteam.yaml").read_text("utf-8")
        )
    else:
        text = Path(path).read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def caught(want: str, got: str) -> bool:
    """Whether a verdict `got` meets a case's expected verdict `want`."""
    return got in CAUGHT_BY.get(want, {want})


def evaluate(suite: dict[str, Any], screener: Screener | None = None) -> dict[str, Any]:
    """Figures for the whole suite, plus the same for its `heldout` cases (written after the
    watchlist was last extended, never used to tune it: the honest estimate for new text)."""
    screener = screener or default_screener()
    result = _evaluate(suite["cases"], screener)
    heldout = [c for c in suite["cases"] if "heldout" in c.get("tags", ())]
    if heldout:
        held = _evaluate(heldout, screener)
        result["heldout"] = {k: held[k] for k in ("recall", "false_positive_rate", "missed")}
        result["heldout"]["false_positives"] = held["false_positives"]
    return result


def _evaluate(cases: list[dict[str, Any]], screener: Screener) -> dict[str, Any]:
    positives: dict[str, list[bool]] = defaultdict(list)
    negatives: dict[str, list[bool]] = defaultdict(list)
    misses: list[str] = []
    false_positives: list[str] = []
    for case in cases:
        brief = case["brief"]
        text = f"{brief.get('title', '')}\n{brief.get('logline', '')}"
        got = verdict(screener.screen(text, case["id"]))
        want = case["expect"]["verdict"]
        category = case.get("tags", ["untagged"])[0]
        if want == "pass":
            negatives[category].append(got != "pass")
            if got != "pass":
                false_positives.append(case["id"])
        else:
            positives[category].append(caught(want, got))
            if not caught(want, got):
                misses.append(case["id"])
    hits = [ok for results in positives.values() for ok in results]
    flags = [bad for results in negatives.values() for bad in results]
    return {
        "recall": _rate(hits),
        "false_positive_rate": _rate(flags),
        "recall_by_category": {k: _rate(v) for k, v in sorted(positives.items())},
        "false_positive_rate_by_category": {k: _rate(v) for k, v in sorted(negatives.items())},
        "must_catch": len(hits),
        "controls": len(flags),
        "missed": misses,
        "false_positives": false_positives,
    }


def _rate(values: list[bool]) -> float:
    return round(sum(values) / max(1, len(values)), 4)
