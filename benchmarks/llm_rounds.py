"""A whole LLM run of the larger example (storm-signal, 6 scenes) forced to 2 iterations, as in
prompt_tokens.py, against an endpoint that takes 200 ms a call (a local HTTP server in its own
process). Each request's time in flight is taken on the client (httpx event hooks); calls
that overlap form one dependent round. Prints one JSON line: rounds, the time with at least
one call in flight against rounds x 200 ms (target <= 1.2x), and the non-LLM time between
rounds (render, critic measurements, checkpoints). Run from the root with `PYTHONPATH=.`."""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from _machine import machine
from prompt_tokens import NOTES, two_iteration_brief

from reelwright.api import run_episode
from reelwright.config import Settings
from reelwright.critic.replies import JudgementReply
from reelwright.llm import OpenAILLM
from reelwright.testing import ScriptedEndpoint, judgement, serve_endpoint

LATENCY = 0.2


def _serve(queue: mp.Queue, stop: mp.Event) -> None:  # type: ignore[type-arg]
    endpoint = ScriptedEndpoint(latency_s=LATENCY)
    endpoint.reply(JudgementReply, judgement(8.0, notes=NOTES))
    with serve_endpoint(endpoint) as url:
        queue.put(url)
        stop.wait()


class InFlight:
    """Start and end (perf_counter) of every request, from httpx's event hooks."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        self._started: dict[int, float] = {}
        self._lock = threading.Lock()

    def request(self, request: httpx.Request) -> None:
        with self._lock:
            self._started[id(request)] = time.perf_counter()

    def response(self, response: httpx.Response) -> None:
        response.read()
        with self._lock:
            start = self._started.pop(id(response.request))
            self.spans.append((start, time.perf_counter()))


def rounds(spans: list[tuple[float, float]]) -> list[tuple[float, float, int]]:
    """Merge overlapping spans: (start, end, calls) per round, in order."""
    out: list[tuple[float, float, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            s, e, n = out[-1]
            out[-1] = (s, max(e, end), n + 1)
        else:
            out.append((start, end, 1))
    return out


def main() -> None:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    stop = mp.Event()
    server = mp.Process(target=_serve, args=(queue, stop), daemon=True)
    server.start()
    url = queue.get(timeout=30)
    hooks = InFlight()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            brief = two_iteration_brief(work)
            client = httpx.Client(
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
                event_hooks={"request": [hooks.request], "response": [hooks.response]},
            )
            llm = OpenAILLM(model="bench-model", base_url=url, api_key="k", http_client=client)
            started = time.perf_counter()
            outcome = run_episode(
                brief,
                out=work / "out",
                settings=Settings(home=work / "home", state=f"sqlite:///{work}/home/s.sqlite"),
                llm=llm,
                auto_approve=True,
                rights=work / "rights.yaml",
            )
            wall = time.perf_counter() - started
            client.close()
            if outcome.record is None:
                sys.exit(f"run failed: {outcome.status} {outcome.error}")
            rec = outcome.record
    finally:
        stop.set()
        server.join(timeout=5)
    merged = rounds(hooks.spans)
    in_flight = sum(e - s for s, e, _ in merged)
    gaps = [round(b[0] - a[1], 3) for a, b in zip(merged, merged[1:], strict=False)]
    print(
        json.dumps(
            {
                "benchmark": "llm_rounds",
                "brief": "storm-signal (6 scenes; thresholds 10, max 2 iterations)",
                "iterations": rec.iterations,
                "calls": len(hooks.spans),
                "rounds": len(merged),
                "calls_per_round": [n for _, _, n in merged],
                "call_latency_s": LATENCY,
                "in_flight_s": round(in_flight, 3),
                "in_flight_x_rounds_latency": round(in_flight / (len(merged) * LATENCY), 3),
                "target_x_rounds_latency": 1.2,
                "between_rounds_s": gaps,
                "between_rounds_total_s": round(sum(gaps), 3),
                "wall_s": round(wall, 3),
                "node_seconds": rec.timings,
                "endpoint": "local HTTP server in its own process",
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
