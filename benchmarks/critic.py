"""The measurement critic on a 130-shot episode (40 scenes, 30 minutes), frames included.

The script and shot list are the offline writer's and director's for the larger example
stretched to 40 scenes and 1800 s, trimmed or padded to exactly 130 shots; every shot has a
320x180 frame (seeded noise, so technical QC reads real pixels). Times `Critic().critique`
(all checks, scoring, frame QC) over five runs. Prints one JSON line. Target: under 1 s on
2 cores."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from _machine import machine

from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.critic.agent import Critic
from reelwright.loading import load_inputs
from reelwright.models import RenderResult, ShotList

ROOT = Path(__file__).resolve().parents[1]
SHOTS = 130


def episode():
    brief, bible = load_inputs(ROOT / "examples/briefs/storm-signal.yaml", None)
    brief = brief.model_copy(update={"scenes": 40, "runtime_s": 1800})
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    planned = list(shots.shots)
    while len(planned) < SHOTS:  # pad with copies of the longest scene's shots
        extra = planned[len(planned) % len(shots.shots)]
        planned.append(extra.model_copy(update={"id": f"{extra.id}x{len(planned)}"}))
    return brief, bible, script, ShotList(shots=planned[:SHOTS])


def frames(shots: ShotList, folder: Path) -> list[RenderResult]:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    out = []
    for shot in shots.shots:
        path = folder / f"{shot.id}.png"
        Image.fromarray(rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)).save(path)
        out.append(
            RenderResult(
                shot_id=shot.id,
                key=shot.id,
                path=str(path),
                cached=True,
                renderer="bench",
                model="noise",
                seed=shot.seed,
                width=320,
                height=180,
                seconds=0.0,
            )
        )
    return out


def main() -> None:
    brief, bible, script, shots = episode()
    with tempfile.TemporaryDirectory() as tmp:
        renders = frames(shots, Path(tmp))
        times, without = [], []
        for _ in range(5):
            started = time.perf_counter()
            critique, _ = Critic().critique(1, brief, bible, script, shots, renders)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            Critic().critique(1, brief, bible, script, shots, [])
            without.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "benchmark": "critic",
                "scenes": len(script.scenes),
                "shots": len(shots.shots),
                "lines": sum(len(s.dialogue) for s in script.scenes),
                "runtime_s": round(shots.duration_s, 1),
                "notes": len(critique.notes),
                "critique_s": round(statistics.median(times), 4),
                "checks_only_s": round(statistics.median(without), 4),
                "target_s": 1.0,
                **machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
