"""Timing: how long a shot may hold (its framing's norm, the brief's `holds`), how short it
may be (time to say its lines), and durations shared out to fill a scene's budget."""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.agents.replies import PlannedShot
from reelwright.models import (
    CameraMove,
    DialogueLine,
    Framing,
    HoldNorms,
    Script,
    Shot,
    ShotList,
)

# longest hold by framing (seconds): what an audience reads in one shot
HOLD_MAX = {
    Framing.extreme_close: 4.0,
    Framing.close: 6.0,
    Framing.medium: 10.0,
    Framing.wide: 12.0,
    Framing.extreme_wide: 15.0,
}
MIN_HOLD = 1.0
PAIR_MAX = 7.5  # up to three short lines share a two-shot; longer ones get a shot each


def speaking_time(lines: Sequence[DialogueLine]) -> float:
    """Seconds to say the lines: 2.5 words a second and a breath each."""
    return sum(len(line.text.split()) / 2.5 + 0.6 for line in lines)


def cap(plan: PlannedShot, lines: Sequence[DialogueLine], norms: HoldNorms) -> float:
    """The longest this shot may hold: its framing's norm (longer with a moving camera), and
    under the brief's norms plus the time its lines take."""
    moving = plan.camera_move != CameraMove.static
    factor = norms.moving_factor if moving else 1.0
    words = sum(len(d.text.split()) for d in lines)
    by_brief = norms.longest(plan.framing.value) * factor + words / norms.words_per_second
    return min(HOLD_MAX[plan.framing] * factor, by_brief)


def floor(lines: Sequence[DialogueLine], norms: HoldNorms) -> float:
    """The shortest this shot may be: time to say its lines, briskly."""
    words = sum(len(d.text.split()) for d in lines)
    return max(MIN_HOLD, words / (norms.words_per_second * 1.4) + 0.3) if lines else MIN_HOLD


def timed(
    plans: list[PlannedShot],
    needs: list[float],
    floors: list[float],
    caps: list[float],
    seconds: float,
) -> list[PlannedShot]:
    """Durations that add up to `seconds`: each shot starts from what it needs (its lines'
    speaking time), then the difference is shared in proportion to each shot's room, never
    past its cap nor below its floor."""
    durations = [min(max(n, f), c) for n, f, c in zip(needs, floors, caps, strict=True)]
    for _ in range(8):
        gap = seconds - sum(durations)
        if abs(gap) < 0.01:
            break
        if gap > 0:
            room = [max(0.0, c - d) for d, c in zip(durations, caps, strict=True)]
        else:
            room = [max(0.0, d - f) for d, f in zip(durations, floors, strict=True)]
        total = sum(room)
        if total <= 0:
            break
        share = min(1.0, abs(gap) / total)
        sign = 1 if gap > 0 else -1
        durations = [d + sign * r * share for d, r in zip(durations, room, strict=True)]
    return [
        p.model_copy(update={"duration_s": round(max(0.5, min(d, 60.0)), 2)})
        for p, d in zip(plans, durations, strict=True)
    ]


def within_holds(
    shots: ShotList, script: Script, budgets: dict[str, float], keep: set[str], norms: HoldNorms
) -> ShotList:
    """Kept scenes scaled to new budgets, re-shared so no hold passes its framing's norm
    (framings, prompts and seeds untouched: their frames stay cached)."""
    out: list[Shot] = []
    for scene in script.scenes:
        scene_shots = shots.for_scene(scene.id)
        if scene.id in keep or not scene_shots:
            out += scene_shots
            continue
        plans = [_as_plan(s) for s in scene_shots]
        needs = [speaking_time(s.dialogue) + 0.5 if s.dialogue else 2.5 for s in scene_shots]
        floors = [floor(s.dialogue, norms) for s in scene_shots]
        caps = [cap(p, s.dialogue, norms) for p, s in zip(plans, scene_shots, strict=True)]
        retimed_plans = timed(plans, needs, floors, caps, budgets[scene.id])
        out += [
            s.model_copy(update={"duration_s": p.duration_s})
            for s, p in zip(scene_shots, retimed_plans, strict=True)
        ]
    return ShotList(shots=out)


def _as_plan(shot: Shot) -> PlannedShot:
    return PlannedShot(
        framing=shot.framing,
        angle=shot.angle,
        camera_move=shot.camera_move,
        lens_mm=shot.lens_mm,
        duration_s=shot.duration_s,
        characters=list(shot.characters),
        description=shot.description,
        dialogue_lines=[],
    )
