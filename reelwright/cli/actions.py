"""`review reject`'s structured-note options (`--split s2-3:2:close,close`, `--cut-line s2:3`…)
turned into the decision's actions; the decision's model checks the values."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from reelwright.errors import InputError

# option -> (action kind, the fields its colon-separated value fills, in order)
ACTION_OPTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "split": ("split_shot", ("shot_id", "into", "framings")),
    "retime": ("retime_shot", ("shot_id", "seconds")),
    "reframe": ("reframe_shot", ("shot_id", "framing", "angle", "lens_mm")),
    "camera": ("camera_move", ("shot_id", "move")),
    "add_character": ("add_character", ("shot_id", "character")),
    "remove_character": ("remove_character", ("shot_id", "character")),
    "move_line": ("move_line", ("scene_id", "line", "to_shot")),
    "cut_line": ("cut_line", ("scene_id", "line")),
    "rewrite_line": ("rewrite_line", ("scene_id", "line", "text")),
    "rewrite_instruction": ("rewrite_line", ("scene_id", "line", "instruction")),
    "give_line": ("give_line", ("scene_id", "line", "character")),
    "revoice_line": ("revoice_line", ("scene_id", "line")),
    "set_voice": ("set_voice", ("character", "name", "speed", "pitch")),
    "add_beat": ("add_beat", ("scene_id", "text")),
    "cut_scene": ("cut_scene", ("scene_id",)),
    "add_scene": ("add_scene", ("after", "summary")),
}
HELP = {
    "split": "Split a shot: SHOT[:N[:FRAMING,FRAMING…]] (default 2 parts).",
    "retime": "Retime a shot: SHOT:SECONDS.",
    "reframe": "Reframe a shot: SHOT:FRAMING[:ANGLE[:LENS_MM]] (leave a part empty to keep it).",
    "camera": "Change a shot's camera move: SHOT:MOVE.",
    "add_character": "Add a scene's character to a shot: SHOT:CHARACTER.",
    "remove_character": "Take a character out of a shot: SHOT:CHARACTER.",
    "move_line": "Move a line to another shot of its scene: SCENE:LINE:SHOT.",
    "cut_line": "Cut a line: SCENE:LINE (1-based, as `review show` numbers them).",
    "rewrite_line": "Replace a line's text: SCENE:LINE:TEXT.",
    "rewrite_instruction": "Have the writer model rewrite a line: SCENE:LINE:INSTRUCTION.",
    "give_line": "Give a line to another character: SCENE:LINE:CHARACTER.",
    "revoice_line": "Record a line again (its next take): SCENE:LINE.",
    "set_voice": "Change a character's voice: CHARACTER:NAME[:SPEED[:PITCH]] (empty parts kept).",
    "add_beat": "Add a beat to a scene: SCENE:TEXT.",
    "cut_scene": "Cut a scene and its shots: SCENE.",
    "add_scene": "Add a scene after another: AFTER:SUMMARY.",
}


def parse_action(option: str, value: str) -> dict[str, object]:
    """One option's value as an action: `--split s2-3:2:close,close` -> split_shot."""
    kind, fields = ACTION_OPTIONS[option]
    flag = "--" + option.replace("_", "-")
    parts = value.split(":", len(fields) - 1)
    if not parts[0].strip():
        raise InputError(f"{flag} {value!r}: the value must start with {fields[0]}")
    action: dict[str, object] = {"kind": kind}
    for name, part in zip(fields, parts, strict=False):
        part = part.strip()
        if not part:
            continue
        action[name] = [f.strip() for f in part.split(",")] if name == "framings" else part
    required = {
        "shot_id",
        "scene_id",
        "after",
        "line",
        "seconds",
        "move",
        "character",
        "to_shot",
        "text",
        "instruction",
        "summary",
    } & set(fields)
    missing = [f for f in fields if f in required and f not in action]
    if missing:
        raise InputError(
            f"{flag} {value!r}: give {':'.join(fields).upper()} ({missing[0]} missing)"
        )
    return action


def actions_file(path: str) -> list[dict[str, object]]:
    """`--actions FILE` (`-` for standard input): a JSON list of actions."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--actions {path}: cannot read it ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--actions {path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, list) or not all(isinstance(a, dict) for a in data):
        raise InputError(f"--actions {path}: expected a JSON list of action objects")
    return data
