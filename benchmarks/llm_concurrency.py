"""Writing and directing an 8-scene episode against a mocked OpenAI-compatible endpoint that
takes 200 ms per call (a local HTTP server in its own process, so its CPU does not compete
with the client's): outline + 8 scene drafts + 8 shot plans, concurrently vs one call at a
time. The critic's judge call is counted apart. Prints one JSON line.
Target: concurrent <= 3x one call (three dependent round trips is the floor)."""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from pathlib import Path

import httpx
from _machine import machine

from reelwright.agents.director import LLMDirector
from reelwright.agents.writer import LLMWriter
from reelwright.llm import OpenAILLM
from reelwright.loading import load_inputs
from reelwright.testing import ScriptedEndpoint, serve_endpoint

ROOT = Path(__file__).resolve().parents[1]
LATENCY = 0.2


def _serve(queue: mp.Queue, stop: mp.Event) -> None:  # type: ignore[type-arg]
    with serve_endpoint(ScriptedEndpoint(latency_s=LATENCY)) as url:
        queue.put(url)
        stop.wait()


def write_and_direct(url: str, concurrency: int) -> tuple[float, int]:
    brief, bible = load_inputs(ROOT / "examples/briefs/storm-signal.yaml", None)
    brief = brief.model_copy(update={"scenes": 8})
    client = httpx.Client(limits=httpx.Limits(max_connections=32, max_keepalive_connections=32))
    llm = OpenAILLM(model="m", base_url=url, api_key="k", http_client=client)
    writer, director = LLMWriter(llm, concurrency), LLMDirector(llm, concurrency)
    started = time.perf_counter()
    script, u1 = writer.write(brief, bible)
    _, u2 = director.plan(script, brief, bible)
    elapsed = time.perf_counter() - started
    client.close()
    return elapsed, (u1 + u2).calls


def main() -> None:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    stop = mp.Event()
    server = mp.Process(target=_serve, args=(queue, stop), daemon=True)
    server.start()
    url = queue.get(timeout=30)
    try:
        write_and_direct(url, 8)  # warm imports, connections
        parallel, calls = min(write_and_direct(url, 8) for _ in range(3))
        serial, _ = write_and_direct(url, 1)
    finally:
        stop.set()
        server.join(timeout=5)
    print(
        json.dumps(
            {
                "benchmark": "llm_concurrency",
                "scenes": 8,
                "calls": calls,
                "call_latency_s": LATENCY,
                "concurrent_s": round(parallel, 3),
                "concurrent_x_latency": round(parallel / LATENCY, 2),
                "one_at_a_time_s": round(serial, 3),
                "one_at_a_time_x_latency": round(serial / LATENCY, 2),
                "target_x_latency": 3,
                "endpoint": "local HTTP server in its own process",
                "judge_call": "excluded (one more call per iteration)",
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
