"""The premise: a key person, place or object of the logline that the story never mentions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import CleanEpisode
from reelwright.models import DialogueLine, Script, ShotList

PREMISE_MISSING = Defect("premise_missing", "structure", "writer", "logline noun not in the story")

REPLACEMENTS = {"generic": "thing", "unrelated": "teapot"}


def _pattern(noun: str) -> re.Pattern[str]:
    """The noun and its plural or possessive forms, as whole words."""
    return re.compile(rf"\b{re.escape(noun)}(?:e?s)?(?:'s)?\b", re.IGNORECASE)


def without(
    script: Script, shots: ShotList, nouns: list[str], word: str
) -> tuple[Script, ShotList]:
    """Every mention of the nouns in the story (summaries, beats, lines, parentheticals and
    the shots' descriptions, prompts and lines) replaced by `word`; title and logline kept."""
    patterns = [_pattern(n) for n in nouns]

    def clean(text: str) -> str:
        for p in patterns:
            text = p.sub(word, text)
        return text

    def lines(dialogue: list[DialogueLine]) -> list[DialogueLine]:
        return [
            d.model_copy(update={"text": clean(d.text), "parenthetical": clean(d.parenthetical)})
            for d in dialogue
        ]

    scenes = [
        s.model_copy(
            update={
                "summary": clean(s.summary),
                "beats": [clean(b) for b in s.beats],
                "dialogue": lines(s.dialogue),
            }
        )
        for s in script.scenes
    ]
    new_shots = [
        s.model_copy(
            update={
                "description": clean(s.description),
                "prompt": clean(s.prompt),
                "dialogue": lines(s.dialogue),
            }
        )
        for s in shots.shots
    ]
    return (
        script.model_copy(update={"scenes": scenes}),
        shots.model_copy(update={"shots": new_shots}),
    )


def _removed(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        nouns = list(episode.premise)
        groups = (
            [[a, b] for a, b in zip(nouns, nouns[1:], strict=False)]
            if kind == "two_nouns"
            else [[n] for n in nouns]
        )
        word = REPLACEMENTS.get(kind, "thing")
        for group in groups:
            script, shots = without(episode.script, episode.shots, group, word)
            yield Change(
                site="+".join(group),
                description=f"{' and '.join(group)} no longer mentioned in the story "
                f"(replaced by {word!r})",
                script=script,
                shots=shots,
            )

    return changes


MUTATORS: tuple[Mutator, ...] = (
    Mutator(PREMISE_MISSING, "generic_word", _removed("generic")),
    Mutator(PREMISE_MISSING, "unrelated_word", _removed("unrelated")),
    Mutator(PREMISE_MISSING, "two_nouns", _removed("two_nouns")),
)
