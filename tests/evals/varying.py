"""A chat endpoint whose replies vary from run to run (seeded), for measuring how often two
runs of the same configuration are flagged as a regression: the judge's scores and the
number and wording of each scene's lines change with the seed, as a live model's would.
Used by tests/evals/test_compare_false_alarms.py and benchmarks/compare_false_alarms.py."""

from __future__ import annotations

import random
import threading
from typing import Any

from reelwright.agents.replies import JudgementReply, SceneReply
from reelwright.testing import ScriptedEndpoint, ScriptedRequest
from reelwright.testing.llm import JUDGE_DIMENSIONS

WORDS = ["tide", "lamp", "gear", "rope", "storm", "bell", "map", "crate", "gull", "spark"]


def varying_endpoint(seed: int, latency_s: float = 0.0) -> ScriptedEndpoint:
    """A `ScriptedEndpoint` answering judge and scene requests from `random.Random(seed)`."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def judge(request: ScriptedRequest) -> dict[str, Any]:
        with lock:
            scores = {d: round(rng.uniform(5.0, 10.0), 1) for d in JUDGE_DIMENSIONS}
        return {"scores": scores, "notes": []}

    def scene(request: ScriptedRequest) -> dict[str, Any]:
        data = request.data["scene"]
        speakers = data["characters"]
        with lock:
            count = rng.randint(1, 4)
            words = [rng.choice(WORDS) for _ in range(count)]
        return {
            "summary": data["summary"],
            "beats": data["beats"],
            "dialogue": [
                {
                    "character": speakers[k % len(speakers)],
                    "text": f"The {words[k]} again, line {k + 1} of scene {data['id']}.",
                    "parenthetical": "",
                }
                for k in range(count)
            ],
        }

    return ScriptedEndpoint(latency_s).always(JudgementReply, judge).always(SceneReply, scene)
