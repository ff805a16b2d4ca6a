"""Record a suite against a local OpenAI-compatible server answering after 100 ms, then replay
the cassette with the server stopped: wall time of each, and the speed-up. Prints one JSON
line. Target: replay at least 5x faster than recording.

The recording starts from an empty cache folder. `replay_s` is the documented workflow: the
replay names the recording's cache folder (`--cache`), so the frames, voiced lines and
animatics it would make again are found by their content. `replay_cold_s` replays into an
empty cache (a fresh CI machine that kept the cassette and not the cache).

A one-case record and replay run first, untimed, so neither timed run pays for imports or
first-use set-up (which would otherwise fall on whichever runs first). Two suites: the
generated one (the judge passes every episode at once) and an LLM-bound one whose judge asks
for a revision of every scene before it passes (the critic loop an eval of a real model runs).
`offline_s` is the same suite with the procedural agents: the time no cassette can save."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reelwright.critic.replies import JudgementReply  # noqa: E402
from reelwright.evals.cassette import read_cassette  # noqa: E402
from reelwright.evals.runner import EvalOptions, run_suite  # noqa: E402
from reelwright.testing import (  # noqa: E402
    ScriptedEndpoint,
    ScriptedRequest,
    judgement,
    serve_endpoint,
)
from tests.evals.suites import make_suite  # noqa: E402

CASES = 4
LATENCY_S = 0.1
LONG_SIDE = 256


def revise_once(request: ScriptedRequest) -> dict:
    """A judge that asks the writer to revise every scene once, then passes the episode."""
    script = json.dumps(request.data)
    if "revised" in script:
        return judgement(9.0)
    scenes = re.findall(r'"id": "(s\d+)"', script)
    note = {
        "target": "writer",
        "dimension": "dialogue",
        "text": "Sharpen the dialogue.",
        "scene_ids": sorted(set(scenes)),
        "shot_ids": [],
    }
    return judgement(4.0, notes=[note])


def endpoint(llm_bound: bool) -> ScriptedEndpoint:
    scripted = ScriptedEndpoint(latency_s=LATENCY_S)
    return scripted.always(JudgementReply, revise_once) if llm_bound else scripted


def record_and_replay(folder: Path, cases: int, llm_bound: bool) -> dict:
    folder.mkdir()
    suite = make_suite(folder / "suite.yaml", cases, model_cleared="gpt-4o-mini")
    cassette, cache = folder / "cassette.jsonl", folder / "cache"
    with serve_endpoint(endpoint(llm_bound)) as base_url:
        os.environ["REELWRIGHT_LLM_BASE_URL"] = base_url
        started = time.perf_counter()
        recorded = run_suite(
            suite,
            EvalOptions(out=folder / "rec", record=cassette, long_side=LONG_SIDE, cache=cache),
        )
        record_s = time.perf_counter() - started
    del os.environ["REELWRIGHT_LLM_BASE_URL"]
    timed: dict[str, float] = {}
    results = {}
    for name, cache_folder in (("replay", cache), ("replay_cold", folder / "cold-cache")):
        started = time.perf_counter()
        results[name] = run_suite(
            suite,
            EvalOptions(
                out=folder / name, replay=cassette, long_side=LONG_SIDE, cache=cache_folder
            ),
        )
        timed[name] = time.perf_counter() - started
    started = time.perf_counter()  # the same suite with no LLM at all: the pipeline's share
    run_suite(
        suite,
        EvalOptions(out=folder / "off", offline=True, long_side=LONG_SIDE, cache=folder / "c3"),
    )
    offline_s = time.perf_counter() - started
    for log in (recorded, *results.values()):
        assert log.summary.errors == 0, [c.error for c in log.cases]
    return {
        "llm_requests": len(read_cassette(cassette).entries),
        "iterations": sum(c.iterations for c in recorded.cases),
        "record_s": round(record_s, 2),
        "replay_s": round(timed["replay"], 2),
        "speedup": round(record_s / timed["replay"], 2),
        "replay_cold_s": round(timed["replay_cold"], 2),
        "speedup_cold": round(record_s / timed["replay_cold"], 2),
        "offline_s": round(offline_s, 2),
        "same_results": all(
            [(c.scores, c.iterations) for c in recorded.cases]
            == [(c.scores, c.iterations) for c in log.cases]
            for log in results.values()
        ),
    }


def main() -> None:
    os.environ["REELWRIGHT_LLM_API_KEY"] = "sk-bench"
    with tempfile.TemporaryDirectory() as tmp:
        for name, llm_bound in (("warm", True), ("warm2", False)):  # untimed
            record_and_replay(Path(tmp) / name, 1, llm_bound)
        figures = {
            name: record_and_replay(Path(tmp) / name, CASES, llm_bound)
            for name, llm_bound in (("generated", False), ("llm_bound", True))
        }
    print(
        json.dumps(
            {
                "benchmark": "eval_replay",
                "cases": CASES,
                "server_latency_s": LATENCY_S,
                "frames_long_side": LONG_SIDE,
                **figures,
                "target_speedup": 5.0,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
