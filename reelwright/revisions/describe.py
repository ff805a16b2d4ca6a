"""One-line descriptions of shots and lines, for the before/after of an acted-on note."""

from __future__ import annotations

from reelwright.models import DialogueLine, Shot


def describe_shot(shot: Shot) -> str:
    who = "+".join(shot.characters) or "nobody"
    lines = f", {len(shot.dialogue)} line(s)" if shot.dialogue else ""
    return (
        f"{shot.id}: {shot.framing.value} {shot.angle.value}, {shot.camera_move.value}, "
        f"{shot.lens_mm} mm, {shot.duration_s:g} s, {who}{lines}"
    )


def describe_line(scene_id: str, number: int, line: DialogueLine) -> str:
    return f"{scene_id} line {number}: {line.character}: {line.text}"
