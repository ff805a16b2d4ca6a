"""Repeated lines and repeated beats: the copy a model makes when it runs out of ideas, and the
cosmetic edits that must not hide it (words added or removed, clauses reordered, a light
paraphrase)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import (
    CleanEpisode,
    add_line,
    replace_scene,
    shot_showing,
)
from reelwright.models import DialogueLine, Scene

REPEATED_LINE = Defect("repeated_line", "dialogue", "writer", "near-repeat dialogue lines")
REPEATED_BEAT = Defect("repeated_beat", "structure", "writer", "repeated beats / scene shapes")

APPENDED = ("Trust me.", "I mean it.", "You'll see.", "Believe me.")
SYNONYMS = {
    "can't": "cannot",
    "won't": "will not",
    "don't": "do not",
    "it's": "it is",
    "i'll": "I will",
    "we'll": "we will",
    "you'll": "you will",
    "there's": "there is",
    "that's": "that is",
    "is": "seems",
    "every": "each",
    "all": "every",
    "the": "that",
    "now": "right now",
    "need": "have to",
    "want": "would like",
    "find": "locate",
    "take": "grab",
    "big": "large",
    "before": "ahead of",
}
MIN_WORDS = 6

Edit = Callable[[str, int], str | None]


def appended(text: str, n: int) -> str:
    return f"{text} {APPENDED[n % len(APPENDED)]}"


def words_removed(text: str, n: int) -> str | None:
    words = text.split()
    if len(words) < MIN_WORDS:
        return None
    drop = max(1, len(words) // 5)
    start = 1 + n % max(1, len(words) - drop - 2)
    return " ".join(words[:start] + words[start + drop :])


def reordered(text: str, n: int) -> str | None:
    """The line's sentences or clauses in another order; else its words rotated."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    if len(sentences) > 1:
        return " ".join(sentences[1:] + sentences[:1])
    clauses = [c.strip() for c in re.split(r",\s*", text.strip().rstrip(".!?")) if c.strip()]
    if len(clauses) > 1:
        moved = clauses[1:] + [clauses[0][0].lower() + clauses[0][1:]]
        return ", ".join(moved)[0].upper() + ", ".join(moved)[1:] + "."
    words = text.split()
    return " ".join(words[2:] + words[:2]) if len(words) >= MIN_WORDS else None


def paraphrased(text: str, n: int) -> str | None:
    """Contractions spelled out and common words swapped for near-synonyms."""
    changed = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(0)
        repl = SYNONYMS.get(word.lower())
        if repl is None:
            return word
        changed += 1
        return repl[0].upper() + repl[1:] if word[0].isupper() else repl

    out = re.sub(r"[A-Za-z']+", swap, text)
    return out if changed else None


def exact(text: str, n: int) -> str:
    return text


def _speaker_in(episode: CleanEpisode, scene: Scene, preferred: str) -> str | None:
    """Who can say a copied line in `scene`: its first speaker, else one who speaks there."""
    if preferred in scene.characters:
        return preferred
    for cid in scene.characters:
        if episode.speaks(cid) and shot_showing(episode.shots, scene.id, cid):
            return cid
    return None


def _line_copies(edit: Edit, *, same_scene: bool) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        scenes = episode.script.scenes
        n = 0
        for i, source in enumerate(scenes):
            for k, line in enumerate(source.dialogue):
                if len(line.text.split()) < MIN_WORDS:
                    continue
                targets = [source] if same_scene else scenes[i + 1 :]
                for target in targets:
                    text = edit(line.text, n)
                    speaker = _speaker_in(episode, target, line.character)
                    if text is None or speaker is None:
                        continue
                    shot = shot_showing(episode.shots, target.id, speaker)
                    if shot is None:
                        continue
                    n += 1
                    script, shots = add_line(
                        episode.script,
                        episode.shots,
                        target.id,
                        DialogueLine(character=speaker, text=text),
                        into_shot=shot,
                    )
                    yield Change(
                        site=f"{source.id}.{k + 1}-{target.id}",
                        description=f'line {k + 1} of {source.id} ("{line.text}") said again '
                        f'in {target.id} by {speaker}: "{text}"',
                        script=script,
                        shots=shots,
                        scene_ids=(target.id,),
                    )

    return changes


def _beat_copies(
    whole_scene: bool, edit: Edit = exact
) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        scenes = episode.script.scenes
        n = 0
        for i, source in enumerate(scenes):
            for target in scenes[i + 1 :]:
                if whole_scene:
                    beats = [edit(b, n) or b for b in source.beats]
                    what = f"the beats of {source.id} reused as the beats of {target.id}"
                    n += 1
                    yield Change(
                        site=f"{source.id}-{target.id}",
                        description=what,
                        script=replace_scene(
                            episode.script, target.model_copy(update={"beats": beats})
                        ),
                        shots=episode.shots,
                        scene_ids=(target.id,),
                    )
                    continue
                for k, beat in enumerate(source.beats):
                    text = edit(beat, n)
                    if text is None:
                        continue
                    n += 1
                    at = n % (len(target.beats) + 1)
                    new = [*target.beats[:at], text, *target.beats[at:]]
                    yield Change(
                        site=f"{source.id}.{k + 1}-{target.id}",
                        description=f"beat {k + 1} of {source.id} repeated in {target.id}: "
                        f'"{text}"',
                        script=replace_scene(
                            episode.script, target.model_copy(update={"beats": new})
                        ),
                        shots=episode.shots,
                        scene_ids=(target.id,),
                    )

    return changes


MUTATORS: tuple[Mutator, ...] = (
    Mutator(REPEATED_LINE, "exact_copy", _line_copies(exact, same_scene=False)),
    Mutator(REPEATED_LINE, "words_appended", _line_copies(appended, same_scene=False)),
    Mutator(REPEATED_LINE, "words_removed", _line_copies(words_removed, same_scene=False)),
    Mutator(REPEATED_LINE, "reordered", _line_copies(reordered, same_scene=False)),
    Mutator(REPEATED_LINE, "paraphrased", _line_copies(paraphrased, same_scene=False)),
    Mutator(REPEATED_LINE, "same_scene", _line_copies(appended, same_scene=True)),
    Mutator(REPEATED_BEAT, "beat_copied", _beat_copies(whole_scene=False)),
    Mutator(REPEATED_BEAT, "beat_reworded", _beat_copies(whole_scene=False, edit=paraphrased)),
    Mutator(REPEATED_BEAT, "scene_cloned", _beat_copies(whole_scene=True)),
)
