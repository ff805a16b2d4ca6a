"""Revisions that change an episode's structure: when the critic says the script has more or
fewer scenes than the brief asks, the writer removes scenes and adds new ones (each after a
scene it names, with a fresh id) before drafting; the director then plans the new scenes and
drops the shots of the removed ones.

The reply model lives here, apart from `replies.py`, because only this revision asks for it."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field, ValidationInfo, field_validator, model_validator

from reelwright.agents.planning import scene_id
from reelwright.agents.replies import OutlineScene, Reply
from reelwright.models import Brief, Note, Scene, Script


def _check_scene_ids(info: ValidationInfo, ids: Sequence[str]) -> None:
    known = (info.context or {}).get("scene_ids")
    if known is None:
        return
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"unknown scene id(s) {unknown}; use only: {sorted(known)}")


class AddedScene(OutlineScene):
    """A new scene: an outline entry and where it goes."""

    after: str = Field(description="Id of the scene it follows; empty to open the episode.")

    @field_validator("after")
    @classmethod
    def _after(cls, v: str, info: ValidationInfo) -> str:
        if v:
            _check_scene_ids(info, [v])
        return v


class StructureReply(Reply):
    remove: list[str] = Field(description="Ids of the scenes to cut.")
    add: list[AddedScene] = Field(max_length=40)

    @field_validator("remove")
    @classmethod
    def _remove(cls, v: list[str], info: ValidationInfo) -> list[str]:
        _check_scene_ids(info, v)
        return v

    @model_validator(mode="after")
    def _count(self, info: ValidationInfo) -> StructureReply:
        ctx = info.context or {}
        known, want = ctx.get("scene_ids"), ctx.get("scene_count")
        if known is not None and want is not None:
            n = len(set(known) - set(self.remove)) + len(self.add)
            if n != want:
                raise ValueError(
                    f"the episode must have exactly {want} scenes: {len(known)} - "
                    f"{len(set(self.remove))} removed + {len(self.add)} added = {n}"
                )
        return self


def structural(note: Note) -> bool:
    """A writer note on the episode's structure as a whole (the critic's scene count note)."""
    return note.target == "writer" and note.dimension == "structure" and not note.scene_ids


def needs_restructure(script: Script, brief: Brief, notes: Sequence[Note]) -> bool:
    return len(script.scenes) != brief.scene_count and any(structural(n) for n in notes)


def fresh_ids(script: Script, count: int) -> list[str]:
    """Ids no scene of the script has, so a new scene's shots never take an old one's ids."""
    taken = {s.id for s in script.scenes}
    out: list[str] = []
    k = len(script.scenes)
    while len(out) < count:
        k += 1
        if scene_id(k) not in taken:
            out.append(scene_id(k))
    return out


def restructured(script: Script, remove: set[str], added: Sequence[tuple[str, Scene]]) -> Script:
    """The script without `remove`, each added scene placed after the scene it names (where that
    scene was, if it is removed too; first when it names none), scenes renumbered in order."""
    ids = {s.id for s in script.scenes}
    scenes = [scene for after, scene in added if after not in ids]
    for old in script.scenes:
        if old.id not in remove:
            scenes.append(old)
        scenes.extend(scene for after, scene in added if after == old.id)
    scenes = [s.model_copy(update={"number": i}) for i, s in enumerate(scenes, start=1)]
    return script.model_copy(update={"scenes": scenes})
