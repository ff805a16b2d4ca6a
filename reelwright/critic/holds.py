"""Time: each shot's hold against the brief's norms for its framing, each scene's shots against
its share of the runtime, and the cut against the target runtime."""

from __future__ import annotations

from collections.abc import Iterable

from reelwright.agents.planning import scene_budgets
from reelwright.critic.defects import Defect, Gravity
from reelwright.models import Brief, CameraMove, Script, Shot, ShotList

SERIOUS_OVER = 2.0  # a hold twice its limit (a 28 s close-up) is serious
SPEECH_SQUEEZE = 1.5  # lines may be said this much faster than the norm before they do not fit
SCENE_TOLERANCE = (0.65, 1.35)  # a scene's length against its budget: fine within
SCENE_SERIOUS = (0.5, 2.0)  # and serious outside
RUNTIME_TOLERANCE = 0.05  # the cut within 5% of the target runtime
RUNTIME_SERIOUS = 0.2


def speech_s(shot: Shot, words_per_second: float) -> float:
    return sum(len(d.text.split()) for d in shot.dialogue) / words_per_second


def hold_limit(shot: Shot, brief: Brief) -> float:
    """The longest this shot should hold: the framing's norm (longer with a moving camera) plus
    the time its lines take to say."""
    norms = brief.holds
    limit = norms.longest(shot.framing.value)
    if shot.camera_move != CameraMove.static:
        limit *= norms.moving_factor
    return limit + speech_s(shot, norms.words_per_second)


def shot_holds(brief: Brief, shots: ShotList) -> list[Defect]:
    defects = []
    for shot in shots.shots:
        limit = hold_limit(shot, brief)
        speech = speech_s(shot, brief.holds.words_per_second * SPEECH_SQUEEZE)
        gravity: Gravity = "major"
        if shot.duration_s > limit:
            gravity = "serious" if shot.duration_s > SERIOUS_OVER * limit else "major"
            text = (
                f"Shot {shot.id} ({shot.framing.value}) holds {shot.duration_s:.1f}s; "
                f"the norm for it is at most {limit:.1f}s. Cut it shorter or split it."
            )
        elif speech > shot.duration_s:
            text = (
                f"Shot {shot.id} is {shot.duration_s:.1f}s but its lines need about "
                f"{speech:.1f}s; lengthen it or move a line to another shot."
            )
        else:
            continue
        defects.append(
            Defect(
                check="pacing.hold",
                dimension="pacing",
                target="director",
                gravity=gravity,
                scene_ids=(shot.scene_id,),
                shot_ids=(shot.id,),
                text=text,
            )
        )
    return defects


def scene_lengths(brief: Brief, script: Script, shots: ShotList) -> list[Defect]:
    budgets = scene_budgets(brief, script.scenes)
    defects = []
    for sc in script.scenes:
        scene_shots = shots.for_scene(sc.id)
        budget = budgets[sc.id]
        if not scene_shots or budget <= 0:
            continue  # a scene with no shots is a continuity defect
        length = sum(s.duration_s for s in scene_shots)
        ratio = length / budget
        if SCENE_TOLERANCE[0] <= ratio <= SCENE_TOLERANCE[1]:
            continue
        serious = not SCENE_SERIOUS[0] <= ratio <= SCENE_SERIOUS[1]
        defects.append(
            Defect(
                check="pacing.scene_length",
                dimension="pacing",
                target="director",
                gravity="serious" if serious else "major",
                scene_ids=(sc.id,),
                shot_ids=tuple(s.id for s in scene_shots),
                text=f"Scene {sc.id} runs {length:.1f}s against a budget of {budget:.1f}s; "
                "retime its shots.",
            )
        )
    return defects


def runtime(brief: Brief, script: Script, shots: ShotList) -> list[Defect]:
    total = shots.duration_s
    deviation = abs(total - brief.runtime_s) / brief.runtime_s
    if deviation <= RUNTIME_TOLERANCE:
        return []
    budgets = scene_budgets(brief, script.scenes)
    worst = max(
        script.scenes,
        key=lambda sc: abs(sum(s.duration_s for s in shots.for_scene(sc.id)) - budgets[sc.id]),
    )
    return [
        Defect(
            check="pacing.runtime",
            dimension="pacing",
            target="director",
            gravity="serious" if deviation > RUNTIME_SERIOUS else "major",
            scene_ids=(worst.id,),
            shot_ids=tuple(s.id for s in shots.for_scene(worst.id)),
            text=f"The cut runs {total:.1f}s against a target of {brief.runtime_s}s; retime "
            f"scene {worst.id} first.",
        )
    ]


def check_holds(brief: Brief, script: Script, shots: ShotList) -> Iterable[Defect]:
    yield from shot_holds(brief, shots)
    yield from scene_lengths(brief, script, shots)
    yield from runtime(brief, script, shots)
