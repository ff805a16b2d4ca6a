"""Offline run of the larger example (storm-signal: 6 scenes, 27 shots) with every threshold
at 10 and up to 3 critic iterations (the loop stops early only on a clean episode, which the
offline agents now write), as a fresh `reelwright run` process: wall time and peak RSS.
Prints one JSON line. Targets: < 5 s, < 400 MB.
Extra arguments go to `reelwright run` (`--voice none` times the run without sound)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _machine import machine

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        brief = yaml.safe_load((ROOT / "examples/briefs/storm-signal.yaml").read_text())
        brief["thresholds"] = dict.fromkeys(
            [
                "structure",
                "pacing",
                "dialogue",
                "shot_variety",
                "continuity",
                "technical",
                "overall",
            ],
            10,
        )
        brief["budget"] = {"max_iterations": 3}
        (work / "briefs").mkdir()
        for name in ("bible.yaml", "rights.yaml"):
            (work / name).write_text((ROOT / "examples" / name).read_text())
        (work / "briefs/storm.yaml").write_text(yaml.safe_dump(brief))
        started = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "reelwright.cli",
                "run",
                "briefs/storm.yaml",
                "--auto-approve",
                "--out",
                "out",
                *sys.argv[1:],  # e.g. --voice none: the run without sound
            ],
            cwd=work,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            sys.exit(f"run failed ({proc.returncode}): {proc.stderr[-2000:]}")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rec = json.loads((work / "out/run.json").read_text())
    print(
        json.dumps(
            {
                "benchmark": "offline_run",
                "brief": "storm-signal (thresholds 10, max 3 iterations)",
                "args": sys.argv[1:],
                "wall_s": round(wall, 3),
                "target_wall_s": 5.0,
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "target_rss_mb": 400,
                "iterations": rec["iterations"],
                "shots": rec["shots"],
                "rendered": rec["renders"]["rendered"],
                "cached": rec["renders"]["cached"],
                "node_seconds": rec["timings"],
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
