"""The README's test command (`python -m pytest -q`, parallel workers from pyproject's
addopts) as a whole process: wall time and the counts pytest reports. Prints one JSON line.
Target: at most 5 minutes on a quiet 2-core machine. Extra arguments go to pytest."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *sys.argv[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    counts = {k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|skipped|errors?)", summary)}
    print(
        json.dumps(
            {
                "benchmark": "test_suite",
                "wall_s": round(wall, 1),
                "exit_code": proc.returncode,
                **counts,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
