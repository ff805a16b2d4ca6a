"""Repeated lines and repeated beats: the copy a model makes when it runs out of ideas, and the
cosmetic edits that must not hide it (words added or removed, clauses reordered, a light
paraphrase)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator

from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import (
    CleanEpisode,
    add_line,
    replace_scene,
    replace_shots,
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


def _beat_copies(share: float, edit: Edit = exact) -> Callable[[CleanEpisode], Iterator[Change]]:
    """A later scene replays an earlier one: `share` of its beats (from the first) replaced
    by the earlier scene's beats, edited by `edit`."""

    def changes(episode: CleanEpisode) -> Iterator[Change]:
        scenes = episode.script.scenes
        n = 0
        for i, source in enumerate(scenes):
            for target in scenes[i + 1 :]:
                count = max(1, math.ceil(len(target.beats) * share))
                copied = [edit(b, n + k) or b for k, b in enumerate(source.beats[:count])]
                n += 1
                beats = copied + target.beats[count:] if share < 1 else copied
                yield Change(
                    site=f"{source.id}-{target.id}",
                    description=f"{len(copied)} beat(s) of {source.id} replayed in {target.id}"
                    + ("" if edit is exact else ", lightly reworded"),
                    script=replace_scene(
                        episode.script, target.model_copy(update={"beats": beats})
                    ),
                    shots=episode.shots,
                    scene_ids=(target.id,),
                )

    return changes


def _shapes_cloned(episode: CleanEpisode) -> Iterator[Change]:
    """Every scene rebuilt on one scene's shape: same place, cast, turn order and beat count
    (the "eight scenes of the same beat" episode), each keeping its own words."""
    scenes = episode.script.scenes
    if len(scenes) < 3:
        return
    for template in scenes:
        turns = [d.character for d in template.dialogue]
        script, shots = episode.script, episode.shots
        for scene in scenes:
            if scene.id == template.id:
                continue
            beats = (scene.beats + [scene.summary] * len(template.beats))[: len(template.beats)]
            if len(scene.dialogue) < len(turns):
                break
            lines = [
                d.model_copy(update={"character": who})
                for d, who in zip(scene.dialogue, turns, strict=False)
            ]
            changed = {id(old): new for old, new in zip(scene.dialogue, lines, strict=False)}
            script = replace_scene(
                script,
                scene.model_copy(
                    update={
                        "location": template.location,
                        "characters": list(template.characters),
                        "beats": beats,
                        "dialogue": lines,
                    }
                ),
            )
            rebuilt = []
            for shot in shots.for_scene(scene.id):
                kept = [
                    changed[id(d)] for d in _originals(scene, shot.dialogue) if id(d) in changed
                ]
                cast = [c for c in shot.characters if c in template.characters]
                cast += [d.character for d in kept if d.character not in cast]
                rebuilt.append(
                    shot.model_copy(
                        update={"location": template.location, "characters": cast, "dialogue": kept}
                    )
                )
            shots = replace_shots(shots, *rebuilt)
        else:
            yield Change(
                site=template.id,
                description=f"every scene rebuilt on the shape of {template.id} (place, cast, "
                "turns and beat count)",
                script=script,
                shots=shots,
                scene_ids=(scenes[-1].id if template.id != scenes[-1].id else scenes[-2].id,),
            )


def _originals(scene: Scene, carried: list[DialogueLine]) -> list[DialogueLine]:
    """The scene's own line objects for the lines a shot carries."""
    return [d for d in scene.dialogue if d in carried]


MUTATORS: tuple[Mutator, ...] = (
    Mutator(REPEATED_LINE, "exact_copy", _line_copies(exact, same_scene=False)),
    Mutator(REPEATED_LINE, "words_appended", _line_copies(appended, same_scene=False)),
    Mutator(REPEATED_LINE, "words_removed", _line_copies(words_removed, same_scene=False)),
    Mutator(REPEATED_LINE, "reordered", _line_copies(reordered, same_scene=False)),
    Mutator(REPEATED_LINE, "paraphrased", _line_copies(paraphrased, same_scene=False)),
    Mutator(REPEATED_LINE, "same_scene", _line_copies(appended, same_scene=True)),
    Mutator(REPEATED_BEAT, "scene_replayed", _beat_copies(1.0)),
    Mutator(REPEATED_BEAT, "scene_replayed_reworded", _beat_copies(1.0, edit=paraphrased)),
    Mutator(REPEATED_BEAT, "half_replayed", _beat_copies(0.5)),
    Mutator(REPEATED_BEAT, "shape_cloned", _shapes_cloned),
)
