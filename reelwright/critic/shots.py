"""Shots against their scenes: who and where a shot shows, which lines it carries, and whether
each speaker of a conversation is ever on screen (coverage)."""

from __future__ import annotations

from collections.abc import Iterable

from reelwright.critic.defects import Defect, quote
from reelwright.models import Script, ShotList


def shot_scene_match(script: Script, shots: ShotList) -> list[Defect]:
    scenes = {sc.id: sc for sc in script.scenes}
    defects = []
    for shot in shots.shots:
        scene = scenes.get(shot.scene_id)
        if scene is None:
            problem = f"belongs to scene {shot.scene_id}, which the script does not have"
        else:
            wrong = [c for c in shot.characters if c not in scene.characters]
            problems = []
            if wrong:
                problems.append(f"shows {', '.join(wrong)}, who is not in scene {scene.id}")
            if shot.location != scene.location:
                problems.append(f"is set in {shot.location}, scene {scene.id} in {scene.location}")
            if not problems:
                continue
            problem = " and ".join(problems)
        defects.append(
            Defect(
                check="shots.scene_match",
                dimension="continuity",
                target="director",
                gravity="serious",
                scene_ids=(shot.scene_id,) if scene else (),
                shot_ids=(shot.id,),
                text=f"Shot {shot.id} {problem}; match the shot to its scene.",
            )
        )
    return defects


def lines_in_shots(script: Script, shots: ShotList) -> list[Defect]:
    """Each line of a scene is carried by a shot of that scene that shows its speaker; a shot
    carries no line its scene lacks."""
    defects = []
    for sc in script.scenes:
        scene_shots = shots.for_scene(sc.id)
        if not scene_shots:
            defects.append(
                Defect(
                    check="shots.scene_unshot",
                    dimension="continuity",
                    target="director",
                    gravity="serious",
                    scene_ids=(sc.id,),
                    text=f"Scene {sc.id} has no shots; plan its coverage.",
                )
            )
            continue
        ids = tuple(s.id for s in scene_shots)
        said = {(d.character, d.text) for d in sc.dialogue}
        carried = {(d.character, d.text) for s in scene_shots for d in s.dialogue}
        for n, line in enumerate(sc.dialogue, 1):
            if (line.character, line.text) not in carried:
                defects.append(
                    Defect(
                        check="shots.line_missing",
                        dimension="continuity",
                        target="director",
                        gravity="major",
                        scene_ids=(sc.id,),
                        shot_ids=ids,
                        text=f"Line {n} of scene {sc.id} ({line.character}: "
                        f"{quote(line.text, 60)}) is in no shot; give it a shot.",
                    )
                )
        for shot in scene_shots:
            for line in shot.dialogue:
                key = (line.character, line.text)
                if key not in said:
                    problem = f"carries a line scene {sc.id} does not have: {quote(line.text, 60)}"
                elif line.character not in shot.characters:
                    problem = (
                        f"carries {line.character}'s line {quote(line.text, 60)} but does not "
                        f"show {line.character}"
                    )
                else:
                    continue
                defects.append(
                    Defect(
                        check="shots.line_speaker",
                        dimension="continuity",
                        target="director",
                        gravity="major",
                        scene_ids=(sc.id,),
                        shot_ids=(shot.id,),
                        text=f"Shot {shot.id} {problem}.",
                    )
                )
    return defects


def coverage(script: Script, shots: ShotList) -> list[Defect]:
    """A scene where two or more characters talk has, for each speaker, a shot showing them."""
    defects = []
    for sc in script.scenes:
        speakers = list(dict.fromkeys(d.character for d in sc.dialogue))
        if len(speakers) < 2:
            continue
        scene_shots = shots.for_scene(sc.id)
        shown = {c for s in scene_shots for c in s.characters}
        unseen = [c for c in speakers if c not in shown]
        if unseen:
            defects.append(
                Defect(
                    check="shots.coverage",
                    dimension="shot_variety",
                    target="director",
                    gravity="major",
                    scene_ids=(sc.id,),
                    shot_ids=tuple(s.id for s in scene_shots),
                    text=f"Scene {sc.id} is a conversation, but no shot shows "
                    f"{', '.join(unseen)}; cover every speaker.",
                )
            )
    return defects


def check_shots(script: Script, shots: ShotList) -> Iterable[Defect]:
    yield from shot_scene_match(script, shots)
    yield from lines_in_shots(script, shots)
    yield from coverage(script, shots)
