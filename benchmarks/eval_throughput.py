"""Eval throughput at concurrency 1 and 4, for the shipped smoke suite (offline, CPU-bound)
and an LLM-bound suite (8 generated cases against a chat endpoint answering in 100 ms, a
local HTTP server in its own process).

Every setting runs in a fresh process, and both orders are run (1 then 4, 4 then 1), so
neither setting inherits a warm cache or a cold start from the other. Imports are paid
before the clock starts; per-case wall time (the runner's, taken inside the worker) excludes
worker start-up. Prints one JSON line. Target: concurrency 4 at least 1.6x concurrency 1 on
the LLM-bound suite; on 2 cores the CPU-bound smoke suite cannot gain much.

    python benchmarks/eval_throughput.py [REPEATS]
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import fmean, median

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LATENCY_S = 0.1
LLM_CASES = 8
SETTINGS = (1, 4)


def one(suite: str, concurrency: int, out: str) -> None:
    """A child process: run one suite at one concurrency, print its figures."""
    from reelwright.evals.runner import EvalOptions, run_suite, warm_worker
    from tests.evals.suites import make_suite

    llm = suite != "smoke"
    warm_worker(llm)  # imports before the clock (run_suite would do it too, timed apart)
    target = Path("smoke")
    if llm:
        target = make_suite(Path(out) / "suite.yaml", LLM_CASES, model_cleared="gpt-4o-mini")
    started = time.perf_counter()
    log = run_suite(
        target,
        EvalOptions(out=Path(out) / "run", concurrency=concurrency, offline=not llm, long_side=256),
    )
    wall = time.perf_counter() - started
    print(
        json.dumps(
            {
                "wall_s": round(wall, 3),
                "cases": len(log.cases),
                "errors": log.summary.errors,
                "case_wall_s_mean": round(fmean(c.wall_s for c in log.cases), 3),
            }
        )
    )


def _serve(queue: mp.Queue, stop: mp.Event) -> None:  # type: ignore[type-arg]
    from reelwright.testing import ScriptedEndpoint, serve_endpoint

    with serve_endpoint(ScriptedEndpoint(latency_s=LATENCY_S)) as url:
        queue.put(url)
        stop.wait()


def _child(suite: str, concurrency: int, env: dict[str, str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        ran = subprocess.run(
            [sys.executable, __file__, "--one", suite, str(concurrency), tmp],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
    figures = json.loads(ran.stdout.strip().splitlines()[-1])
    assert figures["errors"] == 0, figures
    return figures


def main(repeats: int) -> None:
    queue: mp.Queue[str] = mp.Queue()
    stop = mp.Event()
    server = mp.Process(target=_serve, args=(queue, stop), daemon=True)
    server.start()
    url = queue.get(timeout=30)
    base = {k: v for k, v in os.environ.items() if not k.startswith("REELWRIGHT_LLM")}
    base["PYTHONPATH"] = str(ROOT)
    envs = {
        "smoke": base,
        "llm_100ms": {
            **base,
            "REELWRIGHT_LLM_BASE_URL": url,
            "REELWRIGHT_LLM_API_KEY": "sk-bench",
            "REELWRIGHT_LLM_CONCURRENCY": "8",
        },
    }
    results: dict[str, object] = {}
    try:
        for suite, env in envs.items():
            runs: dict[int, list[dict[str, float]]] = {c: [] for c in SETTINGS}
            for _ in range(repeats):
                for order in (SETTINGS, SETTINGS[::-1]):
                    for concurrency in order:
                        runs[concurrency].append(_child(suite, concurrency, env))
            figures = {}
            for c, got in runs.items():
                walls = [r["wall_s"] for r in got]
                cases = got[0]["cases"]
                figures[f"concurrency_{c}"] = {
                    "wall_s": [round(w, 2) for w in walls],
                    "cases_per_min_median": round(cases / median(walls) * 60, 1),
                    "case_wall_s_mean": round(fmean(r["case_wall_s_mean"] for r in got), 3),
                }
            one_c = figures[f"concurrency_{SETTINGS[0]}"]["cases_per_min_median"]
            four_c = figures[f"concurrency_{SETTINGS[1]}"]["cases_per_min_median"]
            results[suite] = {
                "cases": runs[SETTINGS[0]][0]["cases"],
                **figures,
                "speedup": round(four_c / one_c, 2),
            }
    finally:
        stop.set()
        server.join(timeout=5)
    print(
        json.dumps(
            {
                "benchmark": "eval_throughput",
                "orders": f"each setting in a fresh process; 1->4 and 4->1, {repeats} time(s) each",
                "frames_long_side": 256,
                "llm_latency_s": LATENCY_S,
                **results,
                "target_speedup_llm": 1.6,
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        one(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
