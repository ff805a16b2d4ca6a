"""The premise: a person, place or thing of the logline that the story never mentions.

Two classes: a person or place the logline names (a bible character or location) written out
of the story, and a key noun of the logline (hand-picked per clean episode) gone from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import CleanEpisode
from reelwright.models import DialogueLine, Script, ShotList

PREMISE_NAMED = Defect(
    "premise_named_missing", "structure", "writer", "person or place the logline names is absent"
)
PREMISE_NOUN = Defect("premise_noun_missing", "structure", "writer", "logline key noun is absent")

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

    def swap(match: re.Match[str]) -> str:
        return word[:1].upper() + word[1:] if match.group(0)[:1].isupper() else word

    def clean(text: str) -> str:
        for p in patterns:
            text = p.sub(swap, text)
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


def _named(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


def _people_written_out(how: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    """A character the logline names taken out of every scene, line and shot (or, with
    `replaced`, swapped for a cast member the logline does not name), names and all."""

    def changes(episode: CleanEpisode) -> Iterator[Change]:
        logline = episode.brief.logline
        cast = [episode.bible.character(c) for c in episode.brief.characters]
        named = [c for c in cast if _named(c.name, logline) or _named(c.name.split()[0], logline)]
        spare = [c for c in cast if c not in named and c.speaks]
        for who in named:
            if how == "replaced" and (not spare or not who.speaks):
                continue
            other = spare[0] if how == "replaced" else None
            script, shots = without(
                episode.script,
                episode.shots,
                [who.name, *who.name.split()],
                other.name.split()[0] if other else "someone",
            )
            scenes = []
            for scene in script.scenes:
                chars = [other.id if (other and c == who.id) else c for c in scene.characters]
                chars = [c for c in dict.fromkeys(chars) if c != who.id]
                lines = _relabel(scene.dialogue, who.id, other.id if other else None)
                scenes.append(scene.model_copy(update={"characters": chars, "dialogue": lines}))
            if any(not s.characters for s in scenes):
                continue
            new_shots = []
            for shot in shots.shots:
                chars = [other.id if (other and c == who.id) else c for c in shot.characters]
                chars = [c for c in dict.fromkeys(chars) if c != who.id]
                lines = _relabel(shot.dialogue, who.id, other.id if other else None)
                new_shots.append(shot.model_copy(update={"characters": chars, "dialogue": lines}))
            yield Change(
                site=who.id,
                description=f"{who.name}, whom the logline names, "
                + (f"replaced by {other.name} throughout" if other else "written out of the story"),
                script=script.model_copy(update={"scenes": scenes}),
                shots=shots.model_copy(update={"shots": new_shots}),
            )

    return changes


def _relabel(dialogue: list[DialogueLine], who: str, other: str | None) -> list[DialogueLine]:
    """`who`'s lines given to `other`, or dropped when there is no other."""
    if other is None:
        return [d for d in dialogue if d.character != who]
    return [
        d.model_copy(update={"character": other}) if d.character == who else d for d in dialogue
    ]


def _place_written_out(episode: CleanEpisode) -> Iterator[Change]:
    """A location the logline names: its scenes and shots moved elsewhere, its name gone."""
    logline = episode.brief.logline
    for place in episode.bible.locations:
        bare = re.sub(r"^the\s+", "", place.name, flags=re.IGNORECASE).split()
        shorter = [" ".join(bare[:n]) for n in range(2, len(bare))]  # "Gull Point" (Lighthouse)
        forms = [place.name, " ".join(bare), *shorter, place.id.replace("_", " ")]
        if not any(_named(f, logline) for f in forms) or place.id not in episode.brief.locations:
            continue
        elsewhere = next(x for x in episode.brief.locations if x != place.id)
        script, shots = without(episode.script, episode.shots, forms, "place")
        scenes = [
            s.model_copy(update={"location": elsewhere}) if s.location == place.id else s
            for s in script.scenes
        ]
        moved = [
            s.model_copy(update={"location": elsewhere}) if s.location == place.id else s
            for s in shots.shots
        ]
        yield Change(
            site=place.id,
            description=f"{place.name}, where the logline is set, moved to {elsewhere} and "
            "never named",
            script=script.model_copy(update={"scenes": scenes}),
            shots=shots.model_copy(update={"shots": moved}),
        )


MUTATORS: tuple[Mutator, ...] = (
    Mutator(PREMISE_NAMED, "person_written_out", _people_written_out("removed")),
    Mutator(PREMISE_NAMED, "person_replaced", _people_written_out("replaced")),
    Mutator(PREMISE_NAMED, "place_written_out", _place_written_out),
    Mutator(PREMISE_NOUN, "generic_word", _removed("generic")),
    Mutator(PREMISE_NOUN, "unrelated_word", _removed("unrelated")),
    Mutator(PREMISE_NOUN, "two_nouns", _removed("two_nouns")),
)
