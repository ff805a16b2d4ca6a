"""Whether each acted-on note was addressed: a check of the action itself on the revised
script and shots (the shot was split, the line is gone), not of what an agent said it did."""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.models import (
    ActionOutcome,
    AddBeat,
    AddCharacter,
    AddScene,
    Bible,
    CutLine,
    CutScene,
    GiveLine,
    MoveCamera,
    MoveLine,
    ReframeShot,
    RemoveCharacter,
    RetimeShot,
    RevoiceLine,
    RewriteLine,
    Script,
    SetVoice,
    Shot,
    ShotList,
    SplitShot,
)
from reelwright.revisions.apply import part_ids
from reelwright.revisions.describe import describe_shot


def check_outcomes(
    outcomes: Sequence[ActionOutcome],
    script: Script,
    shots: ShotList | None,
    bible: Bible | None = None,
) -> list[ActionOutcome]:
    """Each outcome re-checked against `script`, `shots` (and the `bible`, for voices), with
    what it looks like now."""
    return [_checked(o, script, shots, bible) for o in outcomes]


def _checked(
    outcome: ActionOutcome, script: Script, shots: ShotList | None, bible: Bible | None
) -> ActionOutcome:
    if not outcome.applied:
        return outcome
    by_id = {s.id: s for s in shots.shots} if shots is not None else {}
    if isinstance(outcome.action, SetVoice):
        problem, after = _voice_problem(outcome.action, bible)
    else:
        problem, after = _problem(outcome, script, by_id)
    return outcome.model_copy(
        update={"addressed": not problem, "reason": problem, "after": tuple(after)}
    )


def _voice_problem(a: SetVoice, bible: Bible | None) -> tuple[str, list[str]]:
    try:
        spec = bible.character(a.character).voice_spec if bible is not None else None
    except KeyError:
        spec = None
    if spec is None:
        return f"{a.character} is not in the bible", []
    wanted = {"name": a.name, "speed": a.speed, "pitch": a.pitch, "style": a.style}
    off = [k for k, v in wanted.items() if v is not None and getattr(spec, k) != v]
    after = [
        f"{a.character}: voice {spec.name or 'default'}, speed {spec.speed:g}, pitch {spec.pitch:g}"
    ]
    return (f"{a.character}'s voice {', '.join(off)} is not as asked" if off else ""), after


def _problem(
    outcome: ActionOutcome, script: Script, shots: dict[str, Shot]
) -> tuple[str, list[str]]:
    """What is still wrong ('' when addressed), and the state of what the action touched."""
    a = outcome.action
    scenes = {s.id: s for s in script.scenes}
    if isinstance(a, SplitShot):
        ids = part_ids(a.shot_id, a.into)
        parts = [shots[i] for i in ids if i in shots]
        after = [describe_shot(p) for p in parts]
        if a.shot_id in shots:
            return f"shot {a.shot_id} is still one shot", [describe_shot(shots[a.shot_id])]
        if len(parts) != a.into:
            return f"expected {a.into} shots {', '.join(ids)}, found {len(parts)}", after
        if a.framings and tuple(p.framing for p in parts) != a.framings:
            return "the parts' framings differ from those asked for", after
        return "", after
    if isinstance(a, RetimeShot | ReframeShot | MoveCamera | AddCharacter | RemoveCharacter):
        shot = shots.get(a.shot_id)
        if shot is None:
            return f"shot {a.shot_id} no longer exists", []
        after = [describe_shot(shot)]
        if isinstance(a, RetimeShot) and abs(shot.duration_s - a.seconds) > 0.05:
            return f"shot {shot.id} runs {shot.duration_s:g} s, not {a.seconds:g} s", after
        if isinstance(a, ReframeShot):
            wanted = {"framing": a.framing, "angle": a.angle, "lens_mm": a.lens_mm}
            off = [k for k, v in wanted.items() if v is not None and getattr(shot, k) != v]
            if off:
                return f"shot {shot.id}'s {', '.join(off)} is not as asked", after
        if isinstance(a, MoveCamera) and shot.camera_move != a.move:
            return f"shot {shot.id} moves {shot.camera_move.value}, not {a.move.value}", after
        if isinstance(a, AddCharacter) and a.character not in shot.characters:
            return f"{a.character} is not in shot {shot.id}", after
        if isinstance(a, RemoveCharacter) and a.character in shot.characters:
            return f"{a.character} is still in shot {shot.id}", after
        return "", after
    if isinstance(a, CutScene):
        left = [s.id for s in shots.values() if s.scene_id == a.scene_id]
        if a.scene_id in scenes or left:
            return f"scene {a.scene_id} is still in the episode", []
        return "", [f"scene {a.scene_id} cut"]
    if isinstance(a, AddScene):
        ids = [s.id for s in script.scenes]
        if a.after not in ids:
            return f"scene {a.after} no longer exists", []
        i = ids.index(a.after)
        nxt = script.scenes[i + 1] if i + 1 < len(ids) else None
        if nxt is None or nxt.summary != a.summary:
            return f"no scene with that summary follows {a.after}", []
        covered = [s.id for s in shots.values() if s.scene_id == nxt.id]
        if not covered:
            return f"new scene {nxt.id} has no shots", [f"{nxt.id}: {nxt.summary}"]
        return "", [f"{nxt.id}: {nxt.summary} ({len(covered)} shots)"]
    assert not isinstance(a, SetVoice)  # checked against the bible
    scene = scenes.get(a.scene_id)
    if scene is None:
        return f"scene {a.scene_id} no longer exists", []
    if isinstance(a, AddBeat):
        return ("" if a.text in scene.beats else f"scene {scene.id} lacks the beat"), [
            f"{scene.id}: {len(scene.beats)} beats"
        ]
    line = outcome.line
    assert line is not None
    texts = [(d.character, d.text) for d in scene.dialogue]
    after = [f"{scene.id}: {c}: {t}" for c, t in texts]
    if isinstance(a, CutLine):
        gone = (line.character, line.text) not in texts
        in_shots = [s.id for s in shots.values() if line in s.dialogue]
        if not gone or in_shots:
            return f"the line is still in scene {scene.id} {in_shots or ''}".strip(), after
        return "", after
    if isinstance(a, RewriteLine):
        if (line.character, line.text) in texts:
            return "the line is unchanged", after
        if a.text is not None and (line.character, a.text) not in texts:
            return "the new text is not in the scene", after
        return "", after
    if isinstance(a, GiveLine):
        if (a.character, line.text) not in texts:
            return f"{a.character} does not say the line", after
        shown = [s for s in shots.values() if any(d.text == line.text for d in s.dialogue)]
        if any(a.character not in s.characters for s in shown):
            return f"a shot with the line does not show {a.character}", after
        return "", after
    if isinstance(a, RevoiceLine):
        retaken = [
            d
            for d in scene.dialogue
            if (d.character, d.text) == (line.character, line.text) and d.take > line.take
        ]
        if not retaken:
            return "the line was not recorded again", after
        return "", [*after, f"take {retaken[0].take}"]
    if isinstance(a, MoveLine):
        holders = [s.id for s in shots.values() if line in s.dialogue]
        after = [describe_shot(shots[i]) for i in holders]
        if holders != [a.to_shot]:
            return f"the line is in {holders or 'no shot'}, not only {a.to_shot}", after
        return "", after
    raise AssertionError(f"unchecked action {a!r}")
