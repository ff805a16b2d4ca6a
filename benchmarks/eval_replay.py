"""Record a suite against a local OpenAI-compatible server answering after 100 ms, then replay
the cassette with the server stopped: wall time of each, and the speed-up. Prints one JSON
line. Target: replay at least 5x faster than recording."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reelwright.evals.cassette import read_cassette  # noqa: E402
from reelwright.evals.runner import EvalOptions, run_suite  # noqa: E402
from reelwright.testing import ScriptedEndpoint, serve_endpoint  # noqa: E402
from tests.evals.suites import make_suite  # noqa: E402

CASES = 4
LATENCY_S = 0.1
LONG_SIDE = 256


def main() -> None:
    os.environ["REELWRIGHT_LLM_API_KEY"] = "sk-bench"
    with tempfile.TemporaryDirectory() as tmp:
        suite = make_suite(Path(tmp) / "suite.yaml", CASES, model_cleared="gpt-4o-mini")
        cassette = Path(tmp) / "cassette.jsonl"
        with serve_endpoint(ScriptedEndpoint(latency_s=LATENCY_S)) as base_url:
            os.environ["REELWRIGHT_LLM_BASE_URL"] = base_url
            started = time.perf_counter()
            recorded = run_suite(
                suite, EvalOptions(out=Path(tmp) / "rec", record=cassette, long_side=LONG_SIDE)
            )
            record_s = time.perf_counter() - started
        del os.environ["REELWRIGHT_LLM_BASE_URL"]
        started = time.perf_counter()
        replayed = run_suite(
            suite, EvalOptions(out=Path(tmp) / "rep", replay=cassette, long_side=LONG_SIDE)
        )
        replay_s = time.perf_counter() - started
        assert recorded.summary.errors == 0, [c.error for c in recorded.cases]
        assert replayed.summary.errors == 0, [c.error for c in replayed.cases]
        same = [c.scores for c in recorded.cases] == [c.scores for c in replayed.cases]
        entries = len(read_cassette(cassette).entries)
    print(
        json.dumps(
            {
                "benchmark": "eval_replay",
                "cases": CASES,
                "llm_requests": entries,
                "server_latency_s": LATENCY_S,
                "frames_long_side": LONG_SIDE,
                "record_s": round(record_s, 2),
                "replay_s": round(replay_s, 2),
                "speedup": round(record_s / replay_s, 2),
                "same_scores": same,
                "target_speedup": 5.0,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
