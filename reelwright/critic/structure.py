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
    yield from check_thin(brief, script)


THIN_AFTER_S = 180  # an episode longer than this needs more than one voice and steady talk
MIN_LINES_PER_MINUTE = 1.0


def check_thin(brief: Brief, script: Script) -> Iterable[Defect]:
    """A long episode carried by one voice, or with little said for its length: a thin brief
    the writer cannot fill (one character, twenty minutes) is not scored 10."""
    if brief.runtime_s <= THIN_AFTER_S:
        return
    minutes = brief.runtime_s / 60
    speakers = {d.character for sc in script.scenes for d in sc.dialogue}
    ends = tuple(dict.fromkeys((script.scenes[0].id, script.scenes[-1].id)))
    if len(speakers) < 2:
        yield Defect(
            check="structure.one_voice",
            dimension="structure",
            target="writer",
            gravity="major",
            scene_ids=ends,
            text=f"One voice carries a {minutes:.0f}-minute episode "
            f"({', '.join(sorted(speakers)) or 'nobody speaks'}): give the lead someone to "
            "play against — the brief may need more characters.",
        )
    lines = sum(len(sc.dialogue) for sc in script.scenes)
    if lines / minutes < MIN_LINES_PER_MINUTE:
        yield Defect(
            check="structure.thin",
            dimension="structure",
            target="writer",
            gravity="major",
            scene_ids=tuple(sc.id for sc in script.scenes),
            text=f"{lines} lines for {minutes:.0f} minutes ({lines / minutes:.1f} a minute): "
            "the story is too thin for its runtime; add scenes and exchanges, or shorten the "
            "runtime.",
        )
