"""A chat endpoint whose replies vary from run to run (seeded), for measuring how often two
runs of the same configuration are flagged as a regression: the judge's scores and the
number and wording of each scene's lines change with the seed, as a live model's would.
Used by tests/evals/test_compare_false_alarms.py and benchmarks/compare_false_alarms.py."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from reelwright.agents.replies import SceneReply
from reelwright.critic.replies import JudgementReply
from reelwright.evals.compare import compare
from reelwright.records import EvalLog
from reelwright.testing import BASE_URL, ScriptedEndpoint, ScriptedRequest
from reelwright.testing.llm import JUDGE_DIMENSIONS

WORDS = ["tide", "lamp", "gear", "rope", "storm", "bell", "map", "crate", "gull", "spark"]


def varying_endpoint(seed: int, latency_s: float = 0.0) -> ScriptedEndpoint:
    """A `ScriptedEndpoint` whose judge and scene replies are drawn from a generator seeded
    with `seed` and the request itself, so a run is reproducible even though scenes are
    drafted concurrently (a shared stream would be drawn in thread order)."""

    def rng(request: ScriptedRequest) -> random.Random:
        body = json.dumps(request.body, sort_keys=True)
        return random.Random(f"{seed}:{hashlib.sha256(body.encode()).hexdigest()}")

    def judge(request: ScriptedRequest) -> dict[str, Any]:
        draw = rng(request)
        scores = {d: round(draw.uniform(5.0, 10.0), 1) for d in JUDGE_DIMENSIONS}
        return {"scores": scores, "notes": []}

    def scene(request: ScriptedRequest) -> dict[str, Any]:
        data = request.data["scene"]
        speakers = data["characters"]
        draw = rng(request)
        words = [draw.choice(WORDS) for _ in range(draw.randint(1, 4))]
        return {
            "summary": data["summary"],
            "beats": data["beats"],
            "dialogue": [
                {
                    "character": speakers[k % len(speakers)],
                    "text": f"The {word} again, line {k + 1} of scene {data['id']}.",
                    "parenthetical": "",
                }
                for k, word in enumerate(words)
            ],
        }

    return ScriptedEndpoint(latency_s).always(JudgementReply, judge).always(SceneReply, scene)


def same_configuration_runs(folder: Path, cases: int, runs: int) -> list[EvalLog]:
    """`runs` eval runs of one generated suite of `cases` cases, each against its own
    `varying_endpoint(run)` mocked with respx (no network)."""
    import os
    from unittest import mock

    import respx

    from reelwright.evals.runner import EvalOptions, run_suite
    from tests.evals.suites import make_suite

    suite = make_suite(folder / "suite.yaml", cases, model_cleared="gpt-4o-mini")
    logs = []
    env = {"REELWRIGHT_LLM_BASE_URL": BASE_URL, "REELWRIGHT_LLM_API_KEY": "sk-test"}
    for run in range(runs):
        with mock.patch.dict(os.environ, env), respx.mock(assert_all_mocked=True) as router:
            router.post(f"{BASE_URL}/chat/completions").mock(side_effect=varying_endpoint(run))
            logs.append(run_suite(suite, EvalOptions(out=folder / f"run-{run}", long_side=128)))
    return logs


def false_alarms(
    logs: list[EvalLog], tolerances: dict[str, float] | None = None
) -> tuple[int, int, Counter[str]]:
    """Every pair of runs compared both ways: (comparisons flagged, comparisons, how often
    each metric was flagged)."""
    flagged, total, metrics = 0, 0, Counter[str]()
    for a, b in itertools.combinations(logs, 2):
        for baseline, current in ((a, b), (b, a)):
            total += 1
            regressions = compare(baseline, current, tolerances).regressions
            flagged += bool(regressions)
            metrics.update(regressions)
    return flagged, total, metrics
