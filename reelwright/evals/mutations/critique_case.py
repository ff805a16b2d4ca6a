"""What an eval suite's critique case scores: a clean episode of the critic's suite, or the
same episode with one defect put in by a mutator (see `reelwright.evals.suite.CritiqueCase`)."""

from __future__ import annotations

from reelwright.errors import InputError
from reelwright.evals.mutations.episode import CleanEpisode, load_episodes
from reelwright.evals.suite import CritiqueCase
from reelwright.models import Script, ShotList


def subject(spec: CritiqueCase) -> tuple[CleanEpisode, Script, ShotList, str]:
    """The episode, the script and shots to score, and what was done to them."""
    from reelwright.evals.mutations import DEFECTS, MUTATORS

    (episode,) = load_episodes([spec.episode])
    if spec.defect is None:
        return episode, episode.script, episode.shots, f"clean episode {episode.name}"
    variants = [m for m in MUTATORS if m.defect.name == spec.defect]
    if not variants:
        known = ", ".join(d.name for d in DEFECTS)
        raise InputError(f"no defect class {spec.defect!r} (the suite has: {known})")
    if spec.variant is not None:
        variants = [m for m in variants if m.variant == spec.variant]
        if not variants:
            raise InputError(f"defect {spec.defect!r} has no variant {spec.variant!r}")
    mutants = list(variants[0].mutants(episode))
    if spec.site >= len(mutants):
        raise InputError(
            f"{spec.defect}/{variants[0].variant} has {len(mutants)} site(s) in "
            f"{episode.name}, not {spec.site + 1}"
        )
    m = mutants[spec.site]
    return episode, m.script, m.shots, f"{m.id}: {m.description}"
