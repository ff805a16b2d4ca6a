"""Clean episodes and their mutants: the material of the critic's mutation suite.

A clean episode is a brief, its bible, and a script and shot list written by hand as a careful
writer and director would (shipped in `reelwright/evals/suites/critic/`). A mutant is a copy
with one defect put in on purpose; it knows which dimension the critic must fail, which agent
the note must be aimed at and which scene or shot ids it must name.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reelwright.errors import InputError
from reelwright.loading import load_bible, load_brief, parse, read_yaml
from reelwright.models import (
    Bible,
    Brief,
    Character,
    DialogueLine,
    SafeId,
    Scene,
    Script,
    Shot,
    ShotList,
    Target,
)

SUITE_PACKAGE = "reelwright.evals.suites"
SUITE_FOLDER = "critic"


def suite_root() -> Path:
    """The shipped folder of clean episodes, briefs and bibles."""
    return Path(str(resources.files(SUITE_PACKAGE).joinpath(SUITE_FOLDER)))


class EpisodeFile(BaseModel):
    """`episodes/<name>.yaml`: names its brief and bible (files beside it in the suite) and
    holds the hand-written script and shot list, plus the logline's key nouns as a reader
    picks them (what the premise mutators take out)."""

    model_config = ConfigDict(extra="forbid")

    brief: SafeId
    bible: SafeId
    premise: list[str] = Field(min_length=1)
    script: Script
    shots: ShotList


class CleanEpisode(BaseModel):
    """A clean episode, loaded and cross-checked: the starting point of every mutant."""

    model_config = ConfigDict(frozen=True)

    name: SafeId
    brief: Brief
    bible: Bible
    premise: tuple[str, ...]
    script: Script
    shots: ShotList

    def speaks(self, character_id: str) -> bool:
        return self.bible.character(character_id).speaks

    @property
    def silent_characters(self) -> list[Character]:
        return [c for c in self.bible.characters if not c.speaks]


def load_episode(path: Path, root: Path | None = None) -> CleanEpisode:
    """One episode file, with its brief and bible from the suite folder `root`."""
    root = root or path.parent.parent
    data = parse(EpisodeFile, read_yaml(path, "clean episode"), f"clean episode {path}")
    brief = load_brief(root / "briefs" / f"{data.brief}.yaml")
    bible = load_bible(root / "bibles" / f"{data.bible}.yaml")
    try:
        brief.check_against(bible)
    except ValueError as exc:
        raise InputError(f"clean episode {path}: {exc}") from None
    if brief.premise is None:  # the episode's key nouns are what its story must show
        brief = brief.model_copy(update={"premise": list(data.premise)})
    return CleanEpisode(
        name=path.stem,
        brief=brief,
        bible=bible,
        premise=tuple(data.premise),
        script=data.script,
        shots=data.shots,
    )


def load_episodes(names: list[str] | None = None, root: Path | None = None) -> list[CleanEpisode]:
    """The shipped clean episodes (all, or those named), in name order."""
    folder = (root or suite_root()) / "episodes"
    files = sorted(folder.glob("*.yaml"))
    known = [f.stem for f in files]
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InputError(
                f"no clean episode named {', '.join(unknown)} (shipped: {', '.join(known)})"
            )
        files = [f for f in files if f.stem in names]
    return [load_episode(f, folder.parent) for f in files]


class Mutant(BaseModel):
    """A clean episode with one defect. The critic kills it when the `dimension` fails its
    threshold and a note on that dimension, aimed at `target`, names every id in
    `scene_ids` and `shot_ids`."""

    model_config = ConfigDict(frozen=True)

    id: str
    episode: SafeId
    defect: str
    variant: str
    dimension: str
    target: Target
    scene_ids: tuple[SafeId, ...] = ()
    shot_ids: tuple[SafeId, ...] = ()
    description: str
    script: Script
    shots: ShotList


# --------------------------------------------------------------------------- edits
# Mutants are built with model_copy, which does not re-run validators: a defect such as a line
# by a character who is not in the scene must reach the critic, not be refused on the way.


def replace_scene(script: Script, scene: Scene) -> Script:
    return script.model_copy(
        update={"scenes": [scene if s.id == scene.id else s for s in script.scenes]}
    )


def replace_shots(shots: ShotList, *changed: Shot) -> ShotList:
    by_id = {s.id: s for s in changed}
    return shots.model_copy(update={"shots": [by_id.get(s.id, s) for s in shots.shots]})


def shot_holding(shots: ShotList, scene_id: str, line: DialogueLine) -> Shot | None:
    """The first shot of the scene whose dialogue carries this line."""
    for shot in shots.for_scene(scene_id):
        if any(d.character == line.character and d.text == line.text for d in shot.dialogue):
            return shot
    return None


def shot_showing(shots: ShotList, scene_id: str, character: str) -> Shot | None:
    """The last shot of the scene that shows the character (lines added late sit well there)."""
    showing = [s for s in shots.for_scene(scene_id) if character in s.characters]
    return showing[-1] if showing else None


def add_line(
    script: Script,
    shots: ShotList,
    scene_id: str,
    line: DialogueLine,
    *,
    into_shot: Shot | None,
) -> tuple[Script, ShotList]:
    """The script with `line` appended to the scene and, when a shot is given, to that shot."""
    scene = script.scene(scene_id)
    script = replace_scene(script, scene.model_copy(update={"dialogue": [*scene.dialogue, line]}))
    if into_shot is not None:
        shots = replace_shots(
            shots, into_shot.model_copy(update={"dialogue": [*into_shot.dialogue, line]})
        )
    return script, shots


def relabel_line(
    script: Script, shots: ShotList, scene_id: str, index: int, line: DialogueLine
) -> tuple[Script, ShotList]:
    """Line `index` of the scene replaced by `line`, in the script and in the shot holding it."""
    scene = script.scene(scene_id)
    old = scene.dialogue[index]
    dialogue = list(scene.dialogue)
    dialogue[index] = line
    script = replace_scene(script, scene.model_copy(update={"dialogue": dialogue}))
    holder = shot_holding(shots, scene_id, old)
    if holder is not None:
        lines = [line if d == old else d for d in holder.dialogue]
        shots = replace_shots(shots, holder.model_copy(update={"dialogue": lines}))
    return script, shots


def first_name(character: Character) -> str:
    return character.name.split()[0]
