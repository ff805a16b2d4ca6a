"""Pieces every writer and director shares: ids, seeds, timing, prompts, fan-out."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from reelwright.agents.replies import PlannedShot, Reply
from reelwright.models import (
    Bible,
    Brief,
    DialogueLine,
    Framing,
    Note,
    Scene,
    Script,
    Shot,
    Usage,
)

if TYPE_CHECKING:
    from reelwright.llm import LLM, Prompt

logger = logging.getLogger("reelwright.agents")
A = TypeVar("A")
R = TypeVar("R")
ReplyT = TypeVar("ReplyT", bound=Reply)

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


def parallel_map(fn: Callable[[A], R], items: Iterable[A], workers: int) -> list[R]:
    """Apply fn concurrently, keeping input order. Exceptions propagate."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(fn, items))


def ask(
    llm: LLM,
    messages: Prompt,
    output_type: type[ReplyT],
    *,
    agent: str,
    where: str | None = None,
) -> tuple[ReplyT, Usage]:
    """One structured call; the names the reply used for ids (mapped by its validators) are
    counted in the usage, so run.json shows per agent how often the model needed it."""
    reply, usage = llm.structured(messages, output_type, agent=agent, where=where)
    if reply.normalised:
        logger.info(
            "LLM %s: mapped names to ids in %s: %s",
            agent,
            output_type.__name__,
            ", ".join(f"{m} ({n})" for m, n in reply.normalised.items()),
        )
        usage = usage + Usage(normalised=reply.normalised)
    return reply, usage


def total_usage(usages: Iterable[Usage]) -> Usage:
    out = Usage()
    for u in usages:
        out = out + u
    return out


def notes_by_scene(notes: Sequence[Note], all_scene_ids: Sequence[str]) -> dict[str, list[Note]]:
    """Group notes by the scene they concern; a note naming no scene concerns every scene."""
    out: dict[str, list[Note]] = {}
    for note in notes:
        for sid in note.scene_ids or tuple(all_scene_ids):
            if sid in all_scene_ids:
                out.setdefault(sid, []).append(note)
    return out


NEUTRAL = "the newcomer"


def redact(text: str, phrases: Iterable[str]) -> str:
    """Remove phrases a compliance note names (exact text, any case)."""
    import re

    for phrase in phrases:
        if phrase:
            text = re.sub(re.escape(phrase), NEUTRAL, text, flags=re.IGNORECASE)
    return text


def redact_scene(scene: Scene, phrases: Sequence[str]) -> Scene:
    if not phrases:
        return scene
    return scene.model_copy(
        update={
            "summary": redact(scene.summary, phrases),
            "beats": [redact(b, phrases) for b in scene.beats],
            "dialogue": [
                d.model_copy(
                    update={
                        "text": redact(d.text, phrases),
                        "parenthetical": redact(d.parenthetical, phrases),
                    }
                )
                for d in scene.dialogue
            ],
        }
    )


def redact_shot(shot: Shot, phrases: Sequence[str]) -> Shot:
    if not phrases:
        return shot
    return shot.model_copy(
        update={
            "prompt": redact(shot.prompt, phrases),
            "description": redact(shot.description, phrases),
        }
    )


def compliance_phrases(notes: Sequence[Note]) -> list[str]:
    return [p for n in notes if n.source == "compliance" for p in n.replace]


def redacted_script(script: Script, scenes: list[Scene], notes: Sequence[Note]) -> Script:
    """A compliance note's phrases never survive a revision, whoever wrote the draft."""
    phrases = compliance_phrases(notes)
    return script.model_copy(
        update={
            "title": redact(script.title, phrases),
            "logline": redact(script.logline, phrases),
            "scenes": [redact_scene(s, phrases) for s in scenes],
        }
    )
