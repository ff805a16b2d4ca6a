"""What a mutator is: a defect class (the check it exercises, the dimension that must fail, the
agent the note must be aimed at) and one way of putting that defect into a clean episode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reelwright.evals.mutations.episode import CleanEpisode, Mutant
from reelwright.models import Script, ShotList, Target


@dataclass(frozen=True)
class Defect:
    """A defect class: one check of the critic. Its kill rate is reported on its own."""

    name: str
    dimension: str
    target: Target
    check: str


@dataclass(frozen=True)
class Change:
    """One place a mutator changed: a label unique within the variant, the ids a correct note
    names, what was done, and the changed script and shot list."""

    site: str
    description: str
    script: Script
    shots: ShotList
    scene_ids: tuple[str, ...] = ()
    shot_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mutator:
    """One variant of a defect: `changes` lists every place it can be put in an episode, in a
    fixed order (the runner samples from them with a seeded generator)."""

    defect: Defect
    variant: str
    changes: Callable[[CleanEpisode], Iterator[Change]]

    def mutants(self, episode: CleanEpisode) -> Iterator[Mutant]:
        for change in self.changes(episode):
            yield Mutant(
                id=f"{episode.name}:{self.defect.name}:{self.variant}:{change.site}",
                episode=episode.name,
                defect=self.defect.name,
                variant=self.variant,
                dimension=self.defect.dimension,
                target=self.defect.target,
                scene_ids=change.scene_ids,
                shot_ids=change.shot_ids,
                description=change.description,
                script=change.script,
                shots=change.shots,
            )
