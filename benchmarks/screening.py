"""Screening 1 MB of script text against the full default watchlist (2 cores).

The text is real procedural script output (many episodes of the example series, with curly
quotes, so the Unicode path runs) with protected names sprinkled in. Prints one JSON line.
Target: under 1 s."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from _machine import machine

from reelwright.agents.procedural import ProceduralWriter
from reelwright.compliance.screening import Screener, Watchlist
from reelwright.loading import load_inputs
from reelwright.models import DialogueLine
from reelwright.package import script_markdown

ROOT = Path(__file__).resolve().parents[1]
SIZE = 1_000_000
PLANTED = ["Darth Vader", "P1k4chu", "Spyderman", "Coca-Cola", "in the style of Greg Rutkowski"]


def script_text() -> str:
    from reelwright.graphs.state import EpisodeState, RunSpec

    brief, bible = load_inputs(ROOT / "examples/briefs/storm-signal.yaml", None)
    chunks, seed = [], 0
    while sum(map(len, chunks)) < SIZE:
        seed += 1
        b = brief.model_copy(update={"seed": seed, "scenes": 12, "runtime_s": 300})
        script, _ = ProceduralWriter().write(b, bible)
        scene = script.scenes[seed % len(script.scenes)]
        planted = DialogueLine(
            character=scene.characters[0],
            text=f"I’d swear that was {PLANTED[seed % len(PLANTED)]}.",
        )
        scenes = list(script.scenes)
        scenes[seed % len(scenes)] = scene.model_copy(
            update={"dialogue": [*scene.dialogue, planted]}
        )
        script = script.model_copy(update={"scenes": scenes})
        state = EpisodeState(
            run=RunSpec(run_id="b", out_dir="/tmp/b", width=16, height=16), brief=b, bible=bible
        )
        chunks.append(script_markdown(script, state).replace("'", "’"))
    return "".join(chunks)[:SIZE]


def main() -> None:
    text = script_text()
    started = time.perf_counter()
    screener = Screener(Watchlist.default())
    build = time.perf_counter() - started
    times = []
    for _ in range(3):
        started = time.perf_counter()
        findings = screener.screen(text)
        times.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "benchmark": "screening",
                "chars": len(text),
                "non_ascii": not text.isascii(),
                "watchlist_entries": len(screener.entries),
                "findings": len(findings),
                "planted_found": sorted({f.entity for f in findings}),
                "screen_s_first": round(times[0], 3),
                "screen_s_best": round(min(times), 3),
                "screen_s_median": round(statistics.median(times), 3),
                "watchlist_build_s": round(build, 3),
                "target_s": 1.0,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
