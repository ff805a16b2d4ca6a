"""The critic's mutation suite at its default size (3 mutants per variant and episode): wall
time, mutants per second and the kill rate per defect class, on this machine. Prints one JSON
line."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reelwright.evals.mutations.runner import SuiteOptions, run_suite  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        log = run_suite(SuiteOptions(out=Path(tmp)))
        wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "benchmark": "critic_mutations",
                "episodes": len(log.clean),
                "mutants": len(log.mutants),
                "wall_s": round(wall, 2),
                "mutants_per_s": round(len(log.mutants) / wall, 1),
                "false_alarms": log.false_alarms,
                "kill_rate": {d.defect: d.kill_rate for d in log.defects},
                "passed": log.passed,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
