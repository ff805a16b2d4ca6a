"""`reelwright --help` wall time (best and median of N runs) and which heavy modules it loads.

Prints one JSON line. Target: under 0.5 s; torch, diffusers, langgraph and openai unloaded."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from _machine import machine

RUNS = 7
PROBE = (
    "import sys, runpy; sys.argv=['reelwright','--help']\n"
    "try:\n    runpy.run_module('reelwright.cli', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "print('MODULES', [m for m in ('torch','diffusers','langgraph','openai') "
    "if m in sys.modules], file=sys.stderr)"
)


def main() -> None:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "reelwright.cli", "--help"],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(time.perf_counter() - started)
    assert "Usage" in proc.stdout
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    heavy = probe.stderr.strip().split("MODULES", 1)[1].strip()
    print(
        json.dumps(
            {
                "benchmark": "cli_startup",
                "runs": RUNS,
                "help_best_s": round(min(times), 3),
                "help_median_s": round(statistics.median(times), 3),
                "target_s": 0.5,
                "heavy_modules_loaded": json.loads(heavy.replace("'", '"')),
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
