"""Run the red-team screening suite: recall on must-block cases, false positives on controls."""

from __future__ import annotations

from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from reelwright.tools.screening import Screener, default_screener, verdict


def load_suite(path: Path | None = None) -> dict[str, Any]:
    if path is None:
        text = (
            resources.files("reelwright.evals.suites").joinpath("redteam.yaml").read_text("utf-8")
        )
    else:
        text = Path(path).read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def evaluate(suite: dict[str, Any], screener: Screener | None = None) -> dict[str, Any]:
    screener = screener or default_screener()
    per_family: dict[str, list[bool]] = defaultdict(list)
    misses: list[str] = []
    false_positives: list[str] = []
    for case in suite["cases"]:
        brief = case["brief"]
        text = f"{brief.get('title', '')}\n{brief.get('logline', '')}"
        got = verdict(screener.screen(text, case["id"]))
        want = case["expect"]["verdict"]
        family = case.get("tags", ["untagged"])[0]
        if want == "block":
            per_family[family].append(got == "block")
            if got != "block":
                misses.append(case["id"])
        elif got != "pass":
            false_positives.append(case["id"])
    must_block = [ok for results in per_family.values() for ok in results]
    controls = [c for c in suite["cases"] if c["expect"]["verdict"] == "pass"]
    return {
        "recall": round(sum(must_block) / max(1, len(must_block)), 4),
        "recall_by_family": {k: round(sum(v) / len(v), 4) for k, v in sorted(per_family.items())},
        "false_positive_rate": round(len(false_positives) / max(1, len(controls)), 4),
        "must_block": len(must_block),
        "controls": len(controls),
        "missed": misses,
        "false_positives": false_positives,
    }
