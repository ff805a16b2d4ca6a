"""False-alarm rate of `compare`: 20 runs of one configuration against a chat endpoint whose
replies vary from run to run (seeded: judge scores uniform 5-10 per dimension, 1-4 lines a
scene), every pair of runs compared both ways with the default tolerances (and, for
contrast, with none). Prints one JSON line. Target: under 5%.

    python benchmarks/compare_false_alarms.py [CASES] [RUNS]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.evals.varying import false_alarms, same_configuration_runs  # noqa: E402


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        logs = same_configuration_runs(Path(tmp), cases, runs)
        run_s = time.perf_counter() - started
    started = time.perf_counter()
    flagged, total, metrics = false_alarms(logs)
    compare_s = time.perf_counter() - started
    loose, _, loose_metrics = false_alarms(logs, {"*": 0.0})
    print(
        json.dumps(
            {
                "benchmark": "compare_false_alarms",
                "cases": cases,
                "runs": runs,
                "pairs": runs * (runs - 1) // 2,
                "comparisons": total,
                "flagged": flagged,
                "false_alarm_rate": round(flagged / total, 4),
                "flagged_metrics": dict(metrics.most_common()),
                "without_tolerances": {
                    "flagged": loose,
                    "false_alarm_rate": round(loose / total, 4),
                    "flagged_metrics": dict(loose_metrics.most_common(5)),
                },
                "target": "< 0.05",
                "runs_s": round(run_s, 1),
                "compare_ms_each": round(compare_s / total * 1000, 1),
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
