"""Shot variety: cuts between alike framings within a scene, and the range of framings."""

from __future__ import annotations

from collections.abc import Iterable

from reelwright.critic.defects import Defect
from reelwright.models import ShotList

MIN_FRAMINGS = 3  # an episode of six shots or more uses at least this many framings
RUN_MAJOR = 3  # three alike shots in a row is a major defect; two is minor


def check_variety(shots: ShotList) -> Iterable[Defect]:
    run = 1
    for prev, shot in zip(shots.shots, shots.shots[1:], strict=False):
        alike = prev.scene_id == shot.scene_id and (prev.framing, prev.angle) == (
            shot.framing,
            shot.angle,
        )
        run = run + 1 if alike else 1
        if alike:
            yield Defect(
                check="variety.repeat_framing",
                dimension="shot_variety",
                target="director",
                gravity="major" if run >= RUN_MAJOR else "minor",
                scene_ids=(shot.scene_id,),
                shot_ids=(shot.id,),
                text=f"Shot {shot.id} repeats the {shot.framing.value} "
                f"{shot.angle.value} framing of {prev.id}; vary it.",
            )
    if len(shots.shots) >= 6 and len({s.framing for s in shots.shots}) < MIN_FRAMINGS:
        yield Defect(
            check="variety.framings",
            dimension="shot_variety",
            target="director",
            gravity="major",
            shot_ids=tuple(s.id for s in shots.shots),
            text=f"The episode uses fewer than {MIN_FRAMINGS} framings.",
        )
