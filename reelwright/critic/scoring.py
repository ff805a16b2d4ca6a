"""Scores from measurements.

Each dimension counts the units it measures (lines, shots, scenes, premise terms; see
`units`) and the defects found on them, weighted by gravity: minor 0.5, major 1, serious 2.
Its score is the clean share of its units on a 0-10 scale,

    score = 10 * (1 - min(1, sum(weights) / units)),

capped by the gravest defect: any major defect caps the dimension at 6.5, any serious one at
4.0, below the default threshold (7) either way. A clean dimension scores 10; minor defects
alone lower it by their share and no further. The overall score is the mean of the
dimensions. An episode passes when every dimension and the overall meet their thresholds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from reelwright.critic.defects import Defect, Gravity
from reelwright.models import DIMENSIONS, Script, ShotList

WEIGHT: dict[Gravity, float] = {"minor": 0.5, "major": 1.0, "serious": 2.0}
CAP: dict[Gravity, float] = {"minor": 10.0, "major": 6.5, "serious": 4.0}


def units(script: Script, shots: ShotList, premise_terms: int) -> dict[str, int]:
    """What each dimension measures, counted: its score is the share of these free of
    defects."""
    scenes = len(script.scenes)
    lines = sum(len(sc.dialogue) for sc in script.scenes)
    n_shots = len(shots.shots)
    return {
        "structure": scenes + premise_terms + 1,  # scenes, premise terms, the episode's shape
        "pacing": n_shots + scenes + 1,  # shot holds, scene lengths, the runtime
        "dialogue": max(1, lines),
        "shot_variety": max(1, n_shots),
        "continuity": n_shots + lines + scenes,  # shots, lines, scenes against each other
        "technical": max(1, n_shots),
    }


def score(dimension_units: int, defects: Iterable[Defect]) -> float:
    found = list(defects)
    load = sum(WEIGHT[d.gravity] for d in found)
    clean = 10.0 * (1.0 - min(1.0, load / max(1, dimension_units)))
    cap = min((CAP[d.gravity] for d in found), default=10.0)
    return round(min(clean, cap), 2)


def scores(counts: Mapping[str, int], defects: Iterable[Defect]) -> dict[str, float]:
    by_dimension: dict[str, list[Defect]] = defaultdict(list)
    for d in defects:
        by_dimension[d.dimension].append(d)
    return {dim: score(counts[dim], by_dimension[dim]) for dim in DIMENSIONS}


def caps(defects: Iterable[Defect]) -> dict[str, float]:
    """Per dimension, the cap its gravest defect sets (10 when none): a judge's score combined
    with the measurements' never lifts a dimension over it."""
    out = dict.fromkeys(DIMENSIONS, 10.0)
    for d in defects:
        out[d.dimension] = min(out[d.dimension], CAP[d.gravity])
    return out


def overall(dimension_scores: Mapping[str, float]) -> float:
    return round(sum(dimension_scores.values()) / len(dimension_scores), 2)
