"""Who speaks: a character who cannot speak given words, a character calling themself by name,
and a line by someone who is not in the scene."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import (
    CleanEpisode,
    add_line,
    first_name,
    relabel_line,
    replace_shots,
    shot_holding,
    shot_showing,
)
from reelwright.models import DialogueLine

SILENT_SPEAKER = Defect("silent_speaker", "dialogue", "writer", "speaks: false given dialogue")
SELF_ADDRESS = Defect("self_address", "dialogue", "writer", "a character addresses themself")
ABSENT_SPEAKER = Defect(
    "absent_speaker", "continuity", "writer", "line by a character not in the scene"
)

SILENT_LINES = (
    "Leave the heavy part to me.",
    "Follow me, I know a faster way.",
    "I found it under the crate.",
)
SOUND_WORDS = "Beep beep. Ready when you are, boss."


def _silent_lines(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        silent = {c.id for c in episode.silent_characters}
        n = 0
        for scene in episode.script.scenes:
            for cid in [c for c in scene.characters if c in silent]:
                name = episode.bible.character(cid).name
                if kind == "reassigned":
                    for k, line in enumerate(scene.dialogue):
                        new = line.model_copy(update={"character": cid})
                        script, shots = relabel_line(
                            episode.script, episode.shots, scene.id, k, new
                        )
                        holder = shot_holding(shots, scene.id, new)
                        if holder is not None and cid not in holder.characters:
                            shows = [*holder.characters, cid]
                            shots = replace_shots(
                                shots, holder.model_copy(update={"characters": shows})
                            )
                        yield Change(
                            site=f"{scene.id}.{k + 1}",
                            description=f"line {k + 1} of {scene.id} given to {name}, who "
                            f'does not speak: "{line.text}"',
                            script=script,
                            shots=shots,
                            scene_ids=(scene.id,),
                        )
                    continue
                text = SOUND_WORDS if kind == "sounds" else SILENT_LINES[n % len(SILENT_LINES)]
                n += 1
                shot = shot_showing(episode.shots, scene.id, cid)
                script, shots = add_line(
                    episode.script,
                    episode.shots,
                    scene.id,
                    DialogueLine(character=cid, text=text),
                    into_shot=shot,
                )
                yield Change(
                    site=scene.id,
                    description=f'{name}, who does not speak, says "{text}" in {scene.id}',
                    script=script,
                    shots=shots,
                    scene_ids=(scene.id,),
                )

    return changes


def _vocative(how: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        for scene in episode.script.scenes:
            for k, line in enumerate(scene.dialogue):
                who = episode.bible.character(line.character)
                first, full = first_name(who), who.name
                body = line.text.strip()
                if how == "first_name_opening":
                    keep = body.split()[0] in ("I", "I'll", "I'm", "I've") or body[:2].isupper()
                    text = f"{first}, {body if keep else body[0].lower() + body[1:]}"
                elif how == "full_name_closing":
                    text = f"{body.rstrip('.!?')}, {full}."
                else:  # mid-line: after the first sentence
                    head, sep, tail = body.partition(". ")
                    if not sep:
                        continue
                    text = f"{head}. Come on, {first}. {tail}"
                script, shots = relabel_line(
                    episode.script,
                    episode.shots,
                    scene.id,
                    k,
                    line.model_copy(update={"text": text}),
                )
                yield Change(
                    site=f"{scene.id}.{k + 1}",
                    description=f'{who.name} addresses themself in {scene.id}: "{text}"',
                    script=script,
                    shots=shots,
                    scene_ids=(scene.id,),
                )

    return changes


def _absent(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        cast = (
            episode.brief.characters
            if kind != "outside_brief"
            else [c.id for c in episode.bible.characters if c.id not in episode.brief.characters]
        )
        for scene in episode.script.scenes:
            absent = [c for c in cast if c not in scene.characters and episode.speaks(c)]
            for cid in absent:
                name = episode.bible.character(cid).name
                if kind == "added":
                    line = DialogueLine(character=cid, text="Wait for me, I'm nearly there.")
                    script, shots = add_line(
                        episode.script,
                        episode.shots,
                        scene.id,
                        line,
                        into_shot=episode.shots.for_scene(scene.id)[-1],
                    )
                    yield Change(
                        site=f"{scene.id}-{cid}",
                        description=f"{name}, who is not in {scene.id}, gets a new line there",
                        script=script,
                        shots=shots,
                        scene_ids=(scene.id,),
                    )
                    continue
                for k, line in enumerate(scene.dialogue):
                    script, shots = relabel_line(
                        episode.script,
                        episode.shots,
                        scene.id,
                        k,
                        line.model_copy(update={"character": cid}),
                    )
                    yield Change(
                        site=f"{scene.id}.{k + 1}-{cid}",
                        description=f"line {k + 1} of {scene.id} given to {name}, who is not "
                        "in the scene",
                        script=script,
                        shots=shots,
                        scene_ids=(scene.id,),
                    )

    return changes


MUTATORS: tuple[Mutator, ...] = (
    Mutator(SILENT_SPEAKER, "line_reassigned", _silent_lines("reassigned")),
    Mutator(SILENT_SPEAKER, "line_added", _silent_lines("added")),
    Mutator(SILENT_SPEAKER, "sounds_as_words", _silent_lines("sounds")),
    Mutator(SELF_ADDRESS, "first_name_opening", _vocative("first_name_opening")),
    Mutator(SELF_ADDRESS, "full_name_closing", _vocative("full_name_closing")),
    Mutator(SELF_ADDRESS, "first_name_mid_line", _vocative("first_name_mid_line")),
    Mutator(ABSENT_SPEAKER, "line_reassigned", _absent("reassigned")),
    Mutator(ABSENT_SPEAKER, "line_added", _absent("added")),
    Mutator(ABSENT_SPEAKER, "outside_brief", _absent("outside_brief")),
)
