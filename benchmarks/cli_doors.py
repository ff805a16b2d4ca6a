"""Wall seconds of the commands a new user meets first (median of a few runs each):
`reelwright --help`, `run nope.yaml` (a missing brief), `review list` with 100 runs waiting
in the state, and `screen "short text"`. Prints one JSON line.

Targets: --help 0.3 s, run nope.yaml 0.5 s, review list 0.5 s, screen 0.4 s. The 100 runs are
one offline run paused at its gate (made once, ~10 s) cloned in the state database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

RUNS = 5
RUNS_WAITING = 100
ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"help": 0.3, "run_missing_brief": 0.5, "review_list_100": 0.5, "screen_short": 0.4}


def reelwright(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reelwright.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def wall(args: list[str], cwd: Path, env: dict[str, str], expect: int) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        proc = reelwright(args, cwd, env)
        times.append(time.perf_counter() - started)
        if proc.returncode != expect:
            raise SystemExit(f"{args}: exit {proc.returncode}, expected {expect}\n{proc.stderr}")
    return round(statistics.median(times), 3)


def clone_runs(db: Path, run_id: str, count: int) -> None:
    """`count` copies of a run's checkpoints and writes under new run ids."""
    conn = sqlite3.connect(db)
    with conn:
        for n in range(count):
            for table in ("checkpoints", "writes"):
                columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                others = ", ".join(c for c in columns if c != "thread_id")
                conn.execute(
                    f"INSERT INTO {table} (thread_id, {others}) "
                    f"SELECT ?, {others} FROM {table} WHERE thread_id = ?",
                    (f"{run_id}-{n}", run_id),
                )
        conn.execute("DELETE FROM checkpoints WHERE thread_id = ?", (run_id,))
        conn.execute("DELETE FROM writes WHERE thread_id = ?", (run_id,))
    conn.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "REELWRIGHT_HOME": str(work / "home"),
            "REELWRIGHT_LLM_BASE_URL": "",
            "REELWRIGHT_LLM_API_KEY": "",
            "OPENAI_API_KEY": "",
        }
        paused = reelwright(
            [
                "run",
                str(ROOT / "examples/briefs/storm-signal.yaml"),
                "--out",
                str(work / "out"),
                "--run-id",
                "waiting",
            ],
            work,
            env,
        )
        if paused.returncode != 3:
            raise SystemExit(f"the seed run did not stop at its gate:\n{paused.stderr}")
        clone_runs(work / "home" / "state.sqlite", "waiting", RUNS_WAITING)
        listed = reelwright(["review", "list"], work, env)
        if len(listed.stdout.splitlines()) != RUNS_WAITING:
            raise SystemExit(f"review list did not list {RUNS_WAITING} runs:\n{listed.stdout}")
        seconds = {
            "help": wall(["--help"], work, env, 0),
            "run_missing_brief": wall(["run", "nope.yaml"], work, env, 2),
            "review_list_100": wall(["review", "list"], work, env, 0),
            "screen_short": wall(["screen", "short text"], work, env, 0),
        }
    print(
        json.dumps(
            {
                "benchmark": "cli_doors",
                "runs": RUNS,
                "median_wall_s": seconds,
                "target_s": TARGETS,
                "within_target": all(seconds[k] <= TARGETS[k] for k in seconds),
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
