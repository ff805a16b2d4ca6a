"""Run the mutation suite: critique every clean episode (each must pass, with no note of a
mutated kind) and every sampled mutant (each must fail on its dimension with a note aimed at
its agent naming its ids), and report the kill rate per defect class."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field

from reelwright.evals.mutations.base import Defect, Mutator
from reelwright.evals.mutations.episode import CleanEpisode, Mutant
from reelwright.models import (
    Bible,
    Brief,
    Critique,
    Note,
    RenderResult,
    Script,
    ShotList,
    Target,
    Thresholds,
    Usage,
)
from reelwright.paths import OutputDir
from reelwright.records import VersionedRecord

log = logging.getLogger("reelwright.evals")

MIN_KILL_RATE = 0.95
FRAME_LONG_SIDE = 256  # frames only feed technical QC here; small keeps the suite fast


class NoteRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: Target
    dimension: str
    scene_ids: list[str] = Field(default_factory=list)
    shot_ids: list[str] = Field(default_factory=list)
    text: str


class CleanResult(BaseModel):
    """A clean episode's critique: a false alarm when it fails a dimension or carries a note
    on a dimension the suite mutates."""

    model_config = ConfigDict(extra="forbid")

    episode: str
    shots: int
    scenes: int
    runtime_s: int
    scores: dict[str, float]
    overall: float
    failing: list[str]
    notes: list[NoteRecord]
    false_alarm: bool


class MutantResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    episode: str
    defect: str
    variant: str
    dimension: str
    target: Target
    scene_ids: list[str] = Field(default_factory=list)
    shot_ids: list[str] = Field(default_factory=list)
    description: str
    killed: bool
    score: float | None
    threshold: float
    survived_because: str = ""
    killed_by: list[str] = Field(
        default_factory=list, description="The detectors (`Note.check`) of the notes that named it."
    )


class VariantSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant: str
    mutants: int
    killed: int


class DefectSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defect: str
    detectors: list[str] = Field(
        default_factory=list, description="The detectors whose notes killed its mutants."
    )
    check: str
    dimension: str
    target: Target
    mutants: int
    killed: int
    kill_rate: float
    passed: bool
    variants: list[VariantSummary]


class MutationLog(VersionedRecord):
    """`critic-mutations.json`: the clean episodes' verdicts, every mutant's verdict and the
    kill rate per defect class."""

    VERSION: ClassVar[int] = 1
    NAME: ClassVar[str] = "critic mutation log"

    version: int = VERSION
    created: str
    seed: int
    per_variant: int
    min_kill_rate: float
    wall_s: float
    passed: bool
    false_alarms: int
    clean: list[CleanResult]
    defects: list[DefectSummary]
    mutants: list[MutantResult]


class Critiquer(Protocol):
    """What the suite needs of a critic; `reelwright.critic.agent.Critic` is one."""

    def critique(
        self,
        iteration: int,
        brief: Brief,
        bible: Bible,
        script: Script,
        shots: ShotList,
        renders: Sequence[RenderResult],
    ) -> tuple[Critique, Usage]: ...


@dataclass(frozen=True)
class SuiteOptions:
    """`out`: where frames and reports go; `per_variant`: mutants sampled per variant and
    episode (0: every site); `episodes`: clean episodes by name (empty: all)."""

    out: Path
    seed: int = 0
    per_variant: int = 3
    episodes: tuple[str, ...] = ()
    min_kill_rate: float = MIN_KILL_RATE


@dataclass
class FrameStore:
    """Storyboard frames of the clean episodes, drawn once: a mutant reuses the frame of each
    shot id it kept, and only a shot it added is drawn. Frames only feed technical QC, which
    no mutator targets."""

    out: OutputDir
    long_side: int = FRAME_LONG_SIDE
    made: dict[tuple[str, str], RenderResult] = field(default_factory=dict)

    def renders(self, episode: CleanEpisode, shots: ShotList) -> list[RenderResult]:
        missing = [s for s in shots.shots if (episode.name, s.id) not in self.made]
        if missing:
            self._draw(episode, ShotList.model_construct(shots=missing))
        return [self.made[(episode.name, s.id)] for s in shots.shots]

    def _draw(self, episode: CleanEpisode, shots: ShotList) -> None:
        import io

        from reelwright.paths import atomic_write
        from reelwright.renderers.base import frame_size
        from reelwright.renderers.storyboard import StoryboardRenderer

        renderer = StoryboardRenderer()
        width, height = frame_size(episode.brief.aspect, self.long_side)
        jobs = [renderer.job(s, episode.bible, width, height) for s in shots.shots]
        for frame in renderer.render(jobs):
            buf = io.BytesIO()
            frame.image.save(buf, format="PNG", compress_level=1)
            path = self.out.path("frames", episode.name, f"{frame.job.shot_id}.png")
            atomic_write(path, buf.getvalue())
            self.made[(episode.name, frame.job.shot_id)] = RenderResult(
                shot_id=frame.job.shot_id,
                key=frame.job.key,
                path=str(path),
                cached=False,
                renderer=renderer.name,
                model=renderer.model,
                seed=frame.job.seed,
                width=width,
                height=height,
                seconds=frame.seconds,
            )


def sample(mutator: Mutator, episode: CleanEpisode, per_variant: int, seed: int) -> list[Mutant]:
    """Up to `per_variant` of the variant's mutants of the episode, chosen by a generator
    seeded from the seed and the names (the same choice on every machine), in site order."""
    every = list(mutator.mutants(episode))
    if per_variant <= 0 or len(every) <= per_variant:
        return every
    rng = random.Random(f"{seed}:{episode.name}:{mutator.defect.name}:{mutator.variant}")
    return [every[i] for i in sorted(rng.sample(range(len(every)), per_variant))]


def judge_mutant(
    mutant: Mutant, critique: Critique, thresholds: Thresholds, clean: Critique | None = None
) -> MutantResult:
    """Killed: the mutant's dimension is below its threshold and one note on that dimension,
    aimed at the mutant's agent, names every scene and shot id the mutant touched. A note the
    clean episode's critique also carries is no evidence that the defect was found."""
    before = set() if clean is None else {_note_key(n) for n in clean.notes}
    limits = thresholds.dimensions()
    threshold = limits.get(mutant.dimension, 0.0)
    score = critique.scores.get(mutant.dimension)
    failing = critique.failing(thresholds)
    aimed = [
        n
        for n in critique.notes
        if n.dimension == mutant.dimension
        and n.target == mutant.target
        and _note_key(n) not in before
    ]
    naming = [
        n
        for n in aimed
        if set(mutant.scene_ids) <= set(n.scene_ids) and set(mutant.shot_ids) <= set(n.shot_ids)
    ]
    ids = ", ".join((*mutant.scene_ids, *mutant.shot_ids))
    if mutant.dimension not in critique.scores:
        why = f"the critic has no {mutant.dimension!r} dimension"
    elif mutant.dimension not in failing:
        why = f"{mutant.dimension} scored {score} (threshold {threshold})"
    elif not aimed:
        why = f"no {mutant.dimension} note aimed at the {mutant.target}"
    elif not naming:
        why = f"no {mutant.dimension} note to the {mutant.target} names {ids}"
    else:
        why = ""
    return MutantResult(
        id=mutant.id,
        episode=mutant.episode,
        defect=mutant.defect,
        variant=mutant.variant,
        dimension=mutant.dimension,
        target=mutant.target,
        scene_ids=list(mutant.scene_ids),
        shot_ids=list(mutant.shot_ids),
        description=mutant.description,
        killed=not why,
        score=score,
        threshold=threshold,
        survived_because=why,
        killed_by=sorted({n.check or n.source for n in naming}) if not why else [],
    )


def _note_key(note: Note) -> tuple[object, ...]:
    return (note.check, note.dimension, note.target, note.scene_ids, note.shot_ids, note.text)


def judge_clean(
    episode: CleanEpisode, critique: Critique, mutated_dimensions: set[str]
) -> CleanResult:
    failing = critique.failing(episode.brief.thresholds)
    notes = [
        NoteRecord(
            target=n.target,
            dimension=n.dimension,
            scene_ids=list(n.scene_ids),
            shot_ids=list(n.shot_ids),
            text=n.text,
        )
        for n in critique.notes
    ]
    alarms = [n for n in notes if n.dimension in mutated_dimensions]
    return CleanResult(
        episode=episode.name,
        shots=len(episode.shots.shots),
        scenes=len(episode.script.scenes),
        runtime_s=episode.brief.runtime_s,
        scores=critique.scores,
        overall=critique.overall,
        failing=sorted(failing),
        notes=notes,
        false_alarm=bool(failing or alarms),
    )


def summarise(
    defects: Sequence[Defect],
    mutators: Sequence[Mutator],
    results: Sequence[MutantResult],
    min_kill_rate: float,
) -> list[DefectSummary]:
    out = []
    for defect in defects:
        mine = [r for r in results if r.defect == defect.name]
        killed = sum(r.killed for r in mine)
        rate = round(killed / len(mine), 4) if mine else 0.0
        variants = [
            VariantSummary(
                variant=m.variant,
                mutants=sum(r.variant == m.variant for r in mine),
                killed=sum(r.killed for r in mine if r.variant == m.variant),
            )
            for m in mutators
            if m.defect == defect
        ]
        out.append(
            DefectSummary(
                defect=defect.name,
                detectors=sorted({c for r in mine for c in r.killed_by}),
                check=defect.check,
                dimension=defect.dimension,
                target=defect.target,
                mutants=len(mine),
                killed=killed,
                kill_rate=rate,
                passed=bool(mine) and rate >= min_kill_rate,
                variants=variants,
            )
        )
    return out


Progress = Callable[[str, int, int], None]


def run_suite(
    options: SuiteOptions,
    critic: Critiquer | None = None,
    mutators: Sequence[Mutator] | None = None,
    progress: Progress | None = None,
) -> MutationLog:
    """Critique the clean episodes and their sampled mutants; frames go under `options.out`."""
    from reelwright.evals.mutations import MUTATORS, load_episodes

    if critic is None:
        from reelwright.critic.agent import Critic

        critic = Critic(None)
    mutators = tuple(mutators or MUTATORS)
    defects = tuple(dict.fromkeys(m.defect for m in mutators))
    mutated = {d.dimension for d in defects}
    started = time.perf_counter()
    episodes = load_episodes(list(options.episodes) or None)
    frames = FrameStore(OutputDir(options.out))
    clean: list[CleanResult] = []
    results: list[MutantResult] = []
    for episode in episodes:
        baseline, _ = critic.critique(
            1,
            episode.brief,
            episode.bible,
            episode.script,
            episode.shots,
            frames.renders(episode, episode.shots),
        )
        clean.append(judge_clean(episode, baseline, mutated))
        mutants = [
            m
            for mutator in mutators
            for m in sample(mutator, episode, options.per_variant, options.seed)
        ]
        for n, mutant in enumerate(mutants, start=1):
            critique, _ = critic.critique(
                1,
                episode.brief,
                episode.bible,
                mutant.script,
                mutant.shots,
                frames.renders(episode, mutant.shots),
            )
            results.append(judge_mutant(mutant, critique, episode.brief.thresholds, baseline))
            if progress is not None:
                progress(episode.name, n, len(mutants))
        log.info("critic mutations: %s, %d mutants", episode.name, len(mutants))
    summary = summarise(defects, mutators, results, options.min_kill_rate)
    false_alarms = sum(c.false_alarm for c in clean)
    return MutationLog(
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        seed=options.seed,
        per_variant=options.per_variant,
        min_kill_rate=options.min_kill_rate,
        wall_s=round(time.perf_counter() - started, 3),
        passed=not false_alarms and all(d.passed for d in summary),
        false_alarms=false_alarms,
        clean=clean,
        defects=summary,
        mutants=results,
    )
