"""Shots that do not serve their scene: a character or place that is not the scene's, a line
in no shot or in a shot that does not show its speaker, a speaker never shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import CleanEpisode, replace_shots
from reelwright.models import Shot

SHOT_MISMATCH = Defect("shot_mismatch", "continuity", "director", "shot does not match its scene")
LINE_IN_NO_SHOT = Defect("line_in_no_shot", "continuity", "director", "dialogue line in no shot")
SPEAKER_NOT_IN_SHOT = Defect(
    "speaker_not_in_shot", "continuity", "director", "line in a shot without its speaker"
)
SPEAKER_NEVER_SHOWN = Defect(
    "speaker_never_shown", "shot_variety", "director", "coverage: a speaker no shot shows"
)


def _mismatch(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        for scene in episode.script.scenes:
            outsiders = [c.id for c in episode.bible.characters if c.id not in scene.characters]
            places = [loc.id for loc in episode.bible.locations if loc.id != scene.location]
            for shot in episode.shots.for_scene(scene.id):
                if kind == "location":
                    for place in places[:2]:
                        new = shot.model_copy(update={"location": place})
                        yield _shot_change(
                            episode,
                            shot,
                            new,
                            f"{shot.id}-{place}",
                            f"shot {shot.id} set in {place}, not {scene.location}",
                        )
                    continue
                for cid in outsiders[:2]:
                    if kind == "swapped":
                        if not shot.characters:
                            continue
                        shows = [cid, *shot.characters[1:]]
                        what = f"shot {shot.id} shows {cid} instead of {shot.characters[0]}"
                    else:
                        shows = [*shot.characters, cid]
                        what = f"shot {shot.id} also shows {cid}, who is not in {scene.id}"
                    new = shot.model_copy(update={"characters": shows})
                    yield _shot_change(episode, shot, new, f"{shot.id}-{cid}", what)

    return changes


def _shot_change(
    episode: CleanEpisode, old: Shot, new: Shot, site: str, description: str
) -> Change:
    return Change(
        site=site,
        description=description,
        script=episode.script,
        shots=replace_shots(episode.shots, new),
        shot_ids=(old.id,),
    )


def _uncovered(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        for shot in episode.shots.shots:
            if kind == "shot_cleared":
                if shot.dialogue:
                    yield Change(
                        site=shot.id,
                        description=f"the lines of shot {shot.id} are in no shot",
                        script=episode.script,
                        shots=replace_shots(
                            episode.shots, shot.model_copy(update={"dialogue": []})
                        ),
                        scene_ids=(shot.scene_id,),
                    )
                continue
            for k, line in enumerate(shot.dialogue):
                if kind == "dropped":
                    lines = [d for d in shot.dialogue if d is not line]
                    what = f'line "{line.text}" dropped from shot {shot.id}'
                else:  # the line carried by a shot of the next scene instead
                    later = [
                        sc.id for sc in episode.script.scenes if sc.number > _number(episode, shot)
                    ]
                    if not later:
                        continue
                    dst = episode.shots.for_scene(later[0])[0]
                    src = shot.model_copy(
                        update={"dialogue": [d for d in shot.dialogue if d is not line]}
                    )
                    moved = dst.model_copy(update={"dialogue": [*dst.dialogue, line]})
                    yield Change(
                        site=f"{shot.id}.{k + 1}",
                        description=f'line "{line.text}" moved from {shot.id} to {dst.id} in '
                        f"{later[0]}",
                        script=episode.script,
                        shots=replace_shots(episode.shots, src, moved),
                        scene_ids=(shot.scene_id,),
                    )
                    continue
                yield Change(
                    site=f"{shot.id}.{k + 1}",
                    description=what,
                    script=episode.script,
                    shots=replace_shots(episode.shots, shot.model_copy(update={"dialogue": lines})),
                    scene_ids=(shot.scene_id,),
                )

    return changes


def _number(episode: CleanEpisode, shot: Shot) -> int:
    return episode.script.scene(shot.scene_id).number


def _unshown(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        for shot in episode.shots.shots:
            scene_shots = episode.shots.for_scene(shot.scene_id)
            for k, line in enumerate(shot.dialogue):
                speaker = line.character
                if kind == "moved":
                    for other in scene_shots:
                        if other.id == shot.id or speaker in other.characters:
                            continue
                        src = shot.model_copy(
                            update={"dialogue": [d for d in shot.dialogue if d is not line]}
                        )
                        dst = other.model_copy(update={"dialogue": [*other.dialogue, line]})
                        yield Change(
                            site=f"{shot.id}.{k + 1}-{other.id}",
                            description=f"{speaker}'s line moved from {shot.id} to {other.id}, "
                            f"which does not show {speaker}",
                            script=episode.script,
                            shots=replace_shots(episode.shots, src, dst),
                            shot_ids=(other.id,),
                        )
                    continue
                # the speaker taken out of the shot that carries the line (shown elsewhere)
                if not any(speaker in s.characters for s in scene_shots if s.id != shot.id):
                    continue
                shows = [c for c in shot.characters if c != speaker]
                yield Change(
                    site=f"{shot.id}.{k + 1}",
                    description=f"shot {shot.id} carries {speaker}'s line but no longer shows "
                    f"{speaker}",
                    script=episode.script,
                    shots=replace_shots(
                        episode.shots, shot.model_copy(update={"characters": shows})
                    ),
                    shot_ids=(shot.id,),
                )

    return changes


def _never_shown(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        for scene in episode.script.scenes:
            speakers = list(dict.fromkeys(d.character for d in scene.dialogue))
            if len(speakers) < 2:
                continue
            scene_shots = episode.shots.for_scene(scene.id)
            for speaker in speakers:
                others = [c for c in speakers if c != speaker]
                changed = []
                for shot in scene_shots:
                    if speaker not in shot.characters:
                        continue
                    shows = [c for c in shot.characters if c != speaker]
                    if kind == "replaced" and not shows:
                        shows = [others[0]]
                    changed.append(shot.model_copy(update={"characters": shows}))
                if kind == "replaced":
                    what = f"every shot of {scene.id} shows {others[0]} in place of {speaker}"
                else:
                    what = f"no shot of {scene.id} shows {speaker}, who speaks there"
                yield Change(
                    site=f"{scene.id}-{speaker}",
                    description=what,
                    script=episode.script,
                    shots=replace_shots(episode.shots, *changed),
                    scene_ids=(scene.id,),
                )

    return changes


MUTATORS: tuple[Mutator, ...] = (
    Mutator(SHOT_MISMATCH, "character_swapped", _mismatch("swapped")),
    Mutator(SHOT_MISMATCH, "character_added", _mismatch("added")),
    Mutator(SHOT_MISMATCH, "location_changed", _mismatch("location")),
    Mutator(LINE_IN_NO_SHOT, "line_dropped", _uncovered("dropped")),
    Mutator(LINE_IN_NO_SHOT, "line_in_other_scene", _uncovered("other_scene")),
    Mutator(LINE_IN_NO_SHOT, "shot_lines_cleared", _uncovered("shot_cleared")),
    Mutator(SPEAKER_NOT_IN_SHOT, "line_moved", _unshown("moved")),
    Mutator(SPEAKER_NOT_IN_SHOT, "speaker_removed", _unshown("removed")),
    Mutator(SPEAKER_NEVER_SHOWN, "speaker_cut", _never_shown("cut")),
    Mutator(SPEAKER_NEVER_SHOWN, "speaker_replaced", _never_shown("replaced")),
)
