"""The episode's shape: scene count against the brief, the lead at both ends, scenes with a
turn, and enough talk to follow."""

from __future__ import annotations

from collections.abc import Iterable

from reelwright.critic.defects import Defect
from reelwright.models import Brief, Script


def check_structure(brief: Brief, script: Script) -> Iterable[Defect]:
    n, want = len(script.scenes), brief.scene_count
    if n != want:
        yield Defect(
            check="structure.scene_count",
            dimension="structure",
            target="writer",
            gravity="serious" if abs(n - want) * 2 > want else "major",
            text=f"The brief asks for {want} scenes; the script has {n}.",
        )
    lead = brief.characters[0]
    for scene, where in ((script.scenes[0], "opening"), (script.scenes[-1], "closing")):
        if lead not in scene.characters:
            yield Defect(
                check="structure.lead",
                dimension="structure",
                target="writer",
                gravity="minor",
                scene_ids=(scene.id,),
                text=f"The lead ({lead}) should appear in the {where} scene.",
            )
    for scene in script.scenes:
        if len(scene.beats) < 2:
            yield Defect(
                check="structure.single_beat",
                dimension="structure",
                target="writer",
                gravity="minor",
                scene_ids=(scene.id,),
                text=f"Scene {scene.id} has a single beat; give it a turn.",
            )
    silent = [s.id for s in script.scenes if not s.dialogue]
    if len(silent) * 2 > len(script.scenes):
        yield Defect(
            check="structure.silent",
            dimension="structure",
            target="writer",
            gravity="major",
            scene_ids=tuple(silent),
            text="Most scenes have no dialogue; the story is hard to follow.",
        )
