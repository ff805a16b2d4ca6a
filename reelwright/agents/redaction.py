"""Blocked phrases kept out of what is sent back to a model: a compliance note's phrase is
replaced by a neutral one in the scenes and shots a revision sees."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from reelwright.models import (
    Note,
    Scene,
    Script,
    Shot,
)

if TYPE_CHECKING:
    pass

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
