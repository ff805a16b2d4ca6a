"""Offline suite of 20 cases: cases per minute with concurrency 1 and 4 on this machine.
Prints one JSON line. Target: concurrency 4 at least 1.6x concurrency 1 on 2 cores."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reelwright.evals.runner import EvalOptions, run_suite  # noqa: E402
from tests.evals.suites import make_suite  # noqa: E402

CASES = 20


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        suite = make_suite(Path(tmp) / "suite.yaml", CASES)
        rates = {}
        for concurrency in (1, 4):
            started = time.perf_counter()
            log = run_suite(
                suite,
                EvalOptions(
                    out=Path(tmp) / f"c{concurrency}", concurrency=concurrency, offline=True
                ),
            )
            wall = time.perf_counter() - started
            assert log["summary"]["errors"] == 0
            rates[concurrency] = {
                "wall_s": round(wall, 2),
                "cases_per_min": round(CASES / wall * 60, 1),
            }
    print(
        json.dumps(
            {
                "benchmark": "eval_throughput",
                "cases": CASES,
                "frames_long_side": 512,
                "concurrency_1": rates[1],
                "concurrency_4": rates[4],
                "speedup": round(rates[4]["cases_per_min"] / rates[1]["cases_per_min"], 2),
                "target_speedup": 1.6,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
