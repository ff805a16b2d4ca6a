"""The offline director: coverage a script supervisor would accept.

Each scene opens on an establishing shot, then covers its lines in groups of one to three, each
in a shot that shows whoever speaks (a single, or a two-shot when two people trade lines); a
silent character gets a reaction insert; when the scene's time budget needs more picture than
that, a cutaway of the place fills it. Every hold stays within its framing's norm, adjacent
shots never share framing and angle, and a scene's shots add up to its budget. The register
(tone) picks angles and camera moves: handheld for a tense story, locked-off for deadpan.
"""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.agents.director import merge, retimed, revision_targets, scenes_changed
from reelwright.agents.offline.registers import Register, register_for
from reelwright.agents.offline.story import stage_plan
from reelwright.agents.offline.timing import (
    HOLD_MAX,
    MIN_HOLD,
    PAIR_MAX,
    cap,
    floor,
    speaking_time,
    timed,
    within_holds,
)
from reelwright.agents.planning import scene_budgets, shot_id, to_shot
from reelwright.agents.redaction import compliance_phrases, redact_shot
from reelwright.agents.replies import PlannedShot
from reelwright.models import (
    Angle,
    Bible,
    Brief,
    CameraMove,
    DialogueLine,
    Framing,
    HoldNorms,
    Note,
    Scene,
    Script,
    Shot,
    ShotList,
    Usage,
)

LENS = {
    Framing.extreme_wide: 18,
    Framing.wide: 24,
    Framing.medium: 35,
    Framing.close: 50,
    Framing.extreme_close: 85,
}
# the register's camera: angles for singles, the move of moving shots
ANGLES = {
    "tense": (Angle.low, Angle.eye_level, Angle.high, Angle.dutch),
    "warm": (Angle.eye_level, Angle.high, Angle.eye_level, Angle.low),
    "deadpan": (Angle.eye_level, Angle.eye_level, Angle.high, Angle.eye_level),
    "noir": (Angle.low, Angle.dutch, Angle.high, Angle.low),
}
MOVES = {
    "tense": (CameraMove.handheld, CameraMove.dolly_in, CameraMove.tracking),
    "warm": (CameraMove.pan, CameraMove.dolly_in, CameraMove.static),
    "deadpan": (CameraMove.static, CameraMove.static, CameraMove.pan),
    "noir": (CameraMove.dolly_in, CameraMove.static, CameraMove.tracking),
}
ESTABLISHING_MOVE = {
    "opening": CameraMove.pan,
    "climax": CameraMove.crane,
    "closing": CameraMove.dolly_out,
}
ALTERNATIVES = [
    (Framing.wide, Angle.high),
    (Framing.medium, Angle.low),
    (Framing.close, Angle.eye_level),
    (Framing.extreme_close, Angle.eye_level),
    (Framing.medium, Angle.dutch),
    (Framing.wide, Angle.low),
    (Framing.medium, Angle.eye_level),
]


class ProceduralDirector:
    name = "procedural"

    def plan(self, script: Script, brief: Brief, bible: Bible) -> tuple[ShotList, Usage]:
        budgets = scene_budgets(brief, script.scenes)
        shots: list[Shot] = []
        for scene in script.scenes:
            shots += self._cover(scene, budgets[scene.id], script, brief, bible, 0, shots[-1:])
        return ShotList(shots=shots), Usage()

    def revise(
        self,
        shots: ShotList,
        script: Script,
        notes: Sequence[Note],
        rewritten_scenes: Sequence[str],
        brief: Brief,
        bible: Bible,
    ) -> tuple[ShotList, Usage]:
        scene_ids, per_shot = revision_targets(shots, notes, rewritten_scenes, script)
        budgets = scene_budgets(brief, script.scenes)
        replanned: dict[str, list[Shot]] = {}
        for scene in script.scenes:
            if scene.id not in scene_ids:
                continue
            prev = max((s.revision for s in shots.for_scene(scene.id)), default=-1)
            before = _shot_before(shots, script, scene.id)
            replanned[scene.id] = self._cover(
                scene, budgets[scene.id], script, brief, bible, prev + 1, before
            )
        single = {
            sid: self._replan_shot(shots, sid, script, budgets, brief, bible) for sid in per_shot
        }
        phrases = compliance_phrases(notes)
        replanned = {k: [redact_shot(s, phrases) for s in v] for k, v in replanned.items()}
        single = {k: redact_shot(v, phrases) for k, v in single.items()}
        merged = merge(shots, script, replanned, single)
        if scenes_changed(shots, script):
            merged = retimed(merged, script, brief, keep=set(replanned))
            merged = within_holds(merged, script, budgets, set(replanned), brief.holds)
        return merged, Usage()

    def _cover(
        self,
        scene: Scene,
        seconds: float,
        script: Script,
        brief: Brief,
        bible: Bible,
        rev: int,
        before: Sequence[Shot],
    ) -> list[Shot]:
        register = register_for(brief.tone)
        stage = _stage(scene, script)
        norms = brief.holds
        plans = _coverage(scene, stage, register, bible, rev)
        plans = _filled(plans, scene, seconds, bible, norms)
        plans = _fitted(plans, scene, seconds, norms)
        plans = _varied(plans, before[-1] if before else None)
        plans = timed(
            plans,
            [_need(p, scene) for p in plans],
            [floor(_lines_of(p, scene), norms) for p in plans],
            [cap(p, _lines_of(p, scene), norms) for p in plans],
            seconds,
        )
        return [
            to_shot(
                p, sid=shot_id(scene.id, n), scene=scene, brief=brief, bible=bible, revision=rev
            )
            for n, p in enumerate(plans, start=1)
        ]

    def _replan_shot(
        self,
        shots: ShotList,
        sid: str,
        script: Script,
        budgets: dict[str, float],
        brief: Brief,
        bible: Bible,
    ) -> Shot:
        """A noted shot re-planned alone: a framing and angle unlike its neighbours' and its
        old one, with room for its lines, timed to what its scene still needs."""
        idx = next(i for i, s in enumerate(shots.shots) if s.id == sid)
        old = shots.shots[idx]
        scene = script.scene(old.scene_id)
        neighbours = {
            (s.framing, s.angle) for s in shots.shots[max(0, idx - 1) : idx + 2] if s.id != sid
        }
        siblings = shots.for_scene(scene.id)
        others = sum(s.duration_s for s in siblings if s.id != sid)
        need = speaking_time(old.dialogue) + 0.5
        want = max(need, budgets[scene.id] - others, MIN_HOLD)
        start = (old.revision + idx) % len(ALTERNATIVES)
        ring = ALTERNATIVES[start:] + ALTERNATIVES[:start]
        fresh = [fa for fa in ring if fa not in neighbours and fa != (old.framing, old.angle)]
        lines = [i for i, d in enumerate(scene.dialogue) if d in old.dialogue]

        def room(fa: tuple[Framing, Angle]) -> float:
            probe = PlannedShot(
                framing=fa[0],
                angle=fa[1],
                camera_move=old.camera_move,
                lens_mm=LENS[fa[0]],
                duration_s=1.0,
                characters=[],
                description="probe",
                dialogue_lines=[],
            )
            return cap(probe, old.dialogue, brief.holds)

        fits = [fa for fa in fresh if room(fa) >= min(want, HOLD_MAX[Framing.wide])]
        framing, angle = (fits or fresh or ring)[0]
        planned = PlannedShot(
            framing=framing,
            angle=angle,
            camera_move=old.camera_move,
            lens_mm=LENS[framing],
            duration_s=round(max(0.5, min(want, room((framing, angle)))), 2),
            characters=[c for c in old.characters if c in scene.characters] or scene.characters[:1],
            description=old.description,
            dialogue_lines=lines,
        )
        return to_shot(
            planned, sid=sid, scene=scene, brief=brief, bible=bible, revision=old.revision + 1
        )


def _stage(scene: Scene, script: Script) -> str:
    plan = stage_plan(len(script.scenes))
    index = min(max(scene.number, 1), len(plan)) - 1
    return plan[index][0]


def _shot_before(shots: ShotList, script: Script, scene_id: str) -> list[Shot]:
    ids = [s.id for s in script.scenes]
    at = ids.index(scene_id)
    for prev in reversed(ids[:at]):
        prior = shots.for_scene(prev)
        if prior:
            return prior[-1:]
    return []


def _groups(scene: Scene) -> list[list[int]]:
    """Consecutive lines that share a shot: at most three, and only while they are short."""
    groups: list[list[int]] = []
    for i, line in enumerate(scene.dialogue):
        if groups:
            last = groups[-1]
            lines = [scene.dialogue[j] for j in last] + [line]
            if len(last) < 3 and speaking_time(lines) <= PAIR_MAX:
                last.append(i)
                continue
        groups.append([i])
    return groups


def _coverage(
    scene: Scene, stage: str, register: Register, bible: Bible, rev: int
) -> list[PlannedShot]:
    """Establishing shot, then the line groups (singles and two-shots), with a silent
    character's reaction after the first exchange. A re-plan (`rev`) turns the angles and
    swaps which groups are close and which are medium, so the scene is covered anew."""
    angles, moves = ANGLES[register.name], MOVES[register.name]
    place = bible.location(scene.location).name
    establishing = Framing.extreme_wide if scene.number == 1 else Framing.wide
    plans = [
        PlannedShot(
            framing=establishing,
            angle=(Angle.high, Angle.eye_level, Angle.low)[(rev + (stage == "climax")) % 3],
            camera_move=ESTABLISHING_MOVE.get(stage, moves[0]),
            lens_mm=LENS[establishing],
            duration_s=1.0,
            characters=list(scene.characters),
            dialogue_lines=[],
            description=f"{place}: {scene.beats[0]}",
        )
    ]
    silent = [c for c in scene.characters if not bible.character(c).speaks]
    for k, group in enumerate(_groups(scene)):
        lines = [scene.dialogue[i] for i in group]
        speakers = list(dict.fromkeys(d.character for d in lines))
        fits_close = speaking_time(lines) + 0.5 <= HOLD_MAX[Framing.close]
        if len(speakers) > 1 or not fits_close:
            framing = Framing.medium
        else:
            framing = (Framing.close, Framing.medium)[(k + rev) % 2]
        if stage == "climax" and k == 0 and speaking_time(lines) + 0.5 <= 4:
            framing = Framing.extreme_close
        who = " and ".join(bible.character(c).name for c in speakers)
        told = [b for b in scene.beats if not b.startswith("(")] or scene.beats
        beat = told[min(k + 1, len(told) - 1)]
        plans.append(
            PlannedShot(
                framing=framing,
                angle=angles[(k + scene.number + rev) % len(angles)],
                camera_move=CameraMove.static if k % 2 == 0 else moves[k % len(moves)],
                lens_mm=LENS[framing],
                duration_s=1.0,
                characters=speakers,
                dialogue_lines=group,
                description=f"{who} {'trade lines' if len(speakers) > 1 else 'speaks'}; {beat}",
            )
        )
        if k == 0 and silent:
            plans.append(_reaction(scene, silent[0], bible, angles))
    if silent and len(plans) == 1:
        plans.append(_reaction(scene, silent[0], bible, angles))
    return plans


def _reaction(scene: Scene, who: str, bible: Bible, angles: Sequence[Angle]) -> PlannedShot:
    name = bible.character(who).name
    cue = next((b for b in scene.beats if name in b), f"{name} reacts")
    return PlannedShot(
        framing=Framing.close,
        angle=angles[-1],
        camera_move=CameraMove.static,
        lens_mm=LENS[Framing.close],
        duration_s=1.0,
        characters=[who],
        dialogue_lines=[],
        description=f"{name} reacts; {cue.strip('()')}",
    )


def _lines_of(plan: PlannedShot, scene: Scene) -> list[DialogueLine]:
    return [scene.dialogue[i] for i in plan.dialogue_lines]


def _fitted(
    plans: list[PlannedShot], scene: Scene, seconds: float, norms: HoldNorms
) -> list[PlannedShot]:
    """A scene too short for all its shots loses its silent inserts (last first) until the
    lines can be said in the time it has."""
    out = list(plans)
    while sum(floor(_lines_of(p, scene), norms) for p in out) > seconds:
        silent = [i for i, p in enumerate(out) if i > 0 and not p.dialogue_lines]
        if not silent:
            break
        del out[silent[-1]]
    return out


def _need(plan: PlannedShot, scene: Scene) -> float:
    lines = [scene.dialogue[i] for i in plan.dialogue_lines]
    return speaking_time(lines) + 0.5 if lines else 2.5


def _filled(
    plans: list[PlannedShot], scene: Scene, seconds: float, bible: Bible, norms: HoldNorms
) -> list[PlannedShot]:
    """Cutaways of the place (its details, wide and close in turn) until the shots can hold
    the scene's budget without breaking a framing's norm."""
    loc = bible.location(scene.location)
    details = [d.strip() for d in loc.description.split(",") if d.strip()] or [loc.name]
    k = 0
    while sum(cap(p, _lines_of(p, scene), norms) for p in plans) < seconds and k < 40:
        framing = (Framing.wide, Framing.extreme_close)[k % 2]
        detail = details[k % len(details)]
        plans.insert(
            max(1, len(plans) - 1),
            PlannedShot(
                framing=framing,
                angle=(Angle.low, Angle.eye_level)[k % 2],
                camera_move=CameraMove.tracking if framing == Framing.wide else CameraMove.static,
                lens_mm=LENS[framing],
                duration_s=1.0,
                characters=list(scene.characters) if framing == Framing.wide else [],
                dialogue_lines=[],
                description=f"cutaway: {detail}, {loc.name}",
            ),
        )
        k += 1
    return plans


def _varied(plans: list[PlannedShot], before: Shot | None) -> list[PlannedShot]:
    """No shot shares framing and angle with the one before it (the previous scene's last
    shot included): a clash takes the next angle."""
    out: list[PlannedShot] = []
    prev = (before.framing, before.angle) if before else None
    order = list(Angle)
    for p in plans:
        if (p.framing, p.angle) == prev:
            angle = order[(order.index(p.angle) + 1) % len(order)]
            p = p.model_copy(update={"angle": angle})
        out.append(p)
        prev = (p.framing, p.angle)
    return out
