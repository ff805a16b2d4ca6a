"""The critic's mutation suite: clean hand-written episodes, mutators that put one defect into
a copy (a module per family), and the runner that checks the critic fails every mutant on the
right dimension with a note aimed at the right agent and ids, and passes every clean episode.

`reelwright eval critic-mutations` runs it; `MUTATORS` lists every variant.
"""

from __future__ import annotations

from reelwright.evals.mutations import holds, premise, repetition, shots, speakers
from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import CleanEpisode, Mutant, load_episodes

MUTATORS: tuple[Mutator, ...] = (
    *repetition.MUTATORS,
    *speakers.MUTATORS,
    *shots.MUTATORS,
    *holds.MUTATORS,
    *premise.MUTATORS,
)
DEFECTS: tuple[Defect, ...] = tuple(dict.fromkeys(m.defect for m in MUTATORS))

__all__ = [
    "DEFECTS",
    "MUTATORS",
    "Change",
    "CleanEpisode",
    "Defect",
    "Mutant",
    "Mutator",
    "load_episodes",
]
