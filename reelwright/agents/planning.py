"""What every writer and director plans with: scene and shot ids, stable seeds, each scene's
share of the runtime, render prompts and shots from planned replies, notes by scene."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reelwright.agents.replies import PlannedShot
from reelwright.models import (
    Bible,
    Brief,
    DialogueLine,
    Framing,
    Note,
    Scene,
    Shot,
)

if TYPE_CHECKING:
    pass


FRAMING_WORDS = {
    Framing.extreme_wide: "extreme wide shot",
    Framing.wide: "wide shot",
    Framing.medium: "medium shot",
    Framing.close: "close-up",
    Framing.extreme_close: "extreme close-up",
}


def scene_id(number: int) -> str:
    return f"s{number}"


def shot_id(scene: str, n: int) -> str:
    return f"{scene}-{n}"


def stable_int(*parts: object, bits: int = 31) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % (1 << bits)


def shot_seed(brief: Brief, bible: Bible, sid: str, characters: Sequence[str]) -> int:
    """Per-character seed policy: a shot's seed follows its lead character, so a character
    keeps a consistent look across shots; the shot id separates shots of the same lead."""
    lead = characters[0] if characters else ""
    char_seed = ""
    if lead:
        c = bible.character(lead)
        char_seed = str(c.seed if c.seed is not None else stable_int("character", c.id))
    return stable_int(brief.seed, char_seed, sid)


def scene_budgets(brief: Brief, scenes: Sequence[Scene]) -> dict[str, float]:
    """Split the target runtime across scenes by their weight (beats + lines)."""
    weights = {s.id: len(s.beats) + len(s.dialogue) + 1 for s in scenes}
    total = sum(weights.values())
    return {sid: brief.runtime_s * w / total for sid, w in weights.items()}


def compose_prompt(shot: PlannedShot, brief: Brief, bible: Bible, location: str) -> str:
    loc = bible.location(location)
    parts = [f"{FRAMING_WORDS[shot.framing]}, {shot.angle.value.replace('_', ' ')} angle"]
    parts.append(shot.description)
    for cid in shot.characters:
        c = bible.character(cid)
        parts.append(f"{c.name}: {c.description}")
    parts.append(f"setting: {loc.name}, {loc.description}")
    parts.append(bible.style.look)
    parts.append(f"{brief.tone} tone")
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip())


def to_shot(
    planned: PlannedShot,
    *,
    sid: str,
    scene: Scene,
    brief: Brief,
    bible: Bible,
    revision: int = 0,
) -> Shot:
    lines: list[DialogueLine] = [
        scene.dialogue[i] for i in planned.dialogue_lines if 0 <= i < len(scene.dialogue)
    ]
    characters = [c for c in planned.characters if c in scene.characters]
    for line in lines:  # whoever speaks in the shot is in it
        if line.character not in characters:
            characters.append(line.character)
    planned = planned.model_copy(update={"characters": characters})
    return Shot(
        id=sid,
        scene_id=scene.id,
        framing=planned.framing,
        angle=planned.angle,
        camera_move=planned.camera_move,
        lens_mm=planned.lens_mm,
        duration_s=round(planned.duration_s, 2),
        characters=characters,
        location=scene.location,
        time_of_day=scene.time_of_day,
        description=planned.description,
        prompt=compose_prompt(planned, brief, bible, scene.location),
        negative_prompt=bible.style.negative,
        seed=shot_seed(brief, bible, sid, characters),
        dialogue=lines,
        revision=revision,
    )


def notes_by_scene(notes: Sequence[Note], all_scene_ids: Sequence[str]) -> dict[str, list[Note]]:
    """Group notes by the scene they concern; a note naming no scene concerns every scene."""
    out: dict[str, list[Note]] = {}
    for note in notes:
        for sid in note.scene_ids or tuple(all_scene_ids):
            if sid in all_scene_ids:
                out.setdefault(sid, []).append(note)
    return out
