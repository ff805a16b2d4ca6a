"""Writing and directing an 8-scene episode against a mocked endpoint that takes 200 ms per
call: outline + 8 scene drafts + 8 shot plans, concurrently vs one call at a time. The critic's
judge call is counted apart. Prints one JSON line. Target: concurrent <= 3x one call."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import respx
from _machine import machine

from reelwright.agents.director import LLMDirector
from reelwright.agents.writer import LLMWriter
from reelwright.llm import OpenAILLM
from reelwright.loading import load_inputs
from reelwright.testing import BASE_URL, ScriptedEndpoint

ROOT = Path(__file__).resolve().parents[1]
LATENCY = 0.2


def write_and_direct(concurrency: int) -> tuple[float, int]:
    brief, bible = load_inputs(ROOT / "examples/briefs/storm-signal.yaml", None)
    brief = brief.model_copy(update={"scenes": 8})
    endpoint = ScriptedEndpoint(latency_s=LATENCY)
    with respx.mock(assert_all_called=False) as router:
        router.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
        llm = OpenAILLM(model="m", base_url=BASE_URL, api_key="k", http_client=httpx.Client())
        writer, director = LLMWriter(llm, concurrency), LLMDirector(llm, concurrency)
        started = time.perf_counter()
        script, _ = writer.write(brief, bible)
        director.plan(script, brief, bible)
        elapsed = time.perf_counter() - started
    return elapsed, sum(endpoint.calls.values())


def main() -> None:
    write_and_direct(8)  # warm imports and the client
    parallel, calls = write_and_direct(8)
    serial, _ = write_and_direct(1)
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
                "judge_call": "excluded (one more call per iteration)",
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
