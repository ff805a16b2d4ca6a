"""Who speaks: silent characters given words, speakers absent from their scene, characters
addressing themselves by their own name."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reelwright.critic.defects import Defect, quote
from reelwright.critic.text import STOP_WORDS
from reelwright.models import Bible, Character, Script

# "(chimes)", "[beeps twice]", "*whirr*": sounds, not words
_SOUND_ONLY = re.compile(r"^\s*(?:\([^)]*\)|\[[^\]]*\]|\*[^*]*\*|[\s.!?…~-])+\s*$")
# "I'm Juno", "my name is Juno Park", "call me Juno", "it's Juno": introductions, not self-address
_INTRODUCTION = r"(?:i\s*am|i'm|im|my\s+name\s+is|my\s+name's|call\s+me|it's|it\s+is|this\s+is)"


def silent_speakers(script: Script, bible: Bible) -> list[Defect]:
    silent = {c.id: c for c in bible.characters if not c.speaks}
    defects = []
    for sc in script.scenes:
        for n, line in enumerate(sc.dialogue, 1):
            who = silent.get(line.character)
            if who is None or _SOUND_ONLY.match(line.text):
                continue
            defects.append(
                Defect(
                    check="speakers.silent",
                    dimension="dialogue",
                    target="writer",
                    gravity="serious",
                    scene_ids=(sc.id,),
                    text=f"{who.name} does not speak "
                    f"(voice: {who.voice_spec.description or 'none'}), yet line "
                    f"{n} of scene {sc.id} gives them words: {quote(line.text)}. Show it in "
                    "action, put their sounds in a parenthetical, or give the line to someone "
                    "who speaks.",
                )
            )
    return defects


def absent_speakers(script: Script, bible: Bible) -> list[Defect]:
    defects = []
    for sc in script.scenes:
        absent = sorted({d.character for d in sc.dialogue} - set(sc.characters))
        if absent:
            names = ", ".join(_name(bible, c) for c in absent)
            defects.append(
                Defect(
                    check="speakers.absent",
                    dimension="continuity",
                    target="writer",
                    gravity="serious",
                    scene_ids=(sc.id,),
                    text=f"Scene {sc.id} gives lines to {names}, who is not in the scene; add "
                    "them to the scene or give the lines to someone present.",
                )
            )
    return defects


def _name(bible: Bible, character_id: str) -> str:
    try:
        return bible.character(character_id).name
    except KeyError:
        return character_id


def _self_names(c: Character) -> re.Pattern[str]:
    """The full name and the first name as written (capitalised), as whole words; a first
    word like "The" or "Dr" is not a name."""
    first = c.name.split()[0]
    names = {c.name} | ({first} if len(first) > 2 and first.lower() not in STOP_WORDS else set())
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?!\w)")


def self_address(script: Script, bible: Bible) -> list[Defect]:
    patterns = {c.id: (c, _self_names(c)) for c in bible.characters}
    defects = []
    for sc in script.scenes:
        for n, line in enumerate(sc.dialogue, 1):
            entry = patterns.get(line.character)
            if entry is None:
                continue
            who, pattern = entry
            if not _addresses_self(pattern, line.text):
                continue
            defects.append(
                Defect(
                    check="speakers.self_address",
                    dimension="dialogue",
                    target="writer",
                    gravity="major",
                    scene_ids=(sc.id,),
                    text=f"{who.name} says their own name in line {n} of scene {sc.id}: "
                    f"{quote(line.text)}. Address the person they are talking to.",
                )
            )
    return defects


def _addresses_self(pattern: re.Pattern[str], text: str) -> bool:
    """The name said, in a line that is not an introduction ("I'm Juno. Juno Park.")."""
    for m in pattern.finditer(text):
        before = text[: m.start()].lower().replace("\u2019", "'").rstrip(" ,.")
        if re.search(rf"\b{_INTRODUCTION}$", before):
            return False
    return pattern.search(text) is not None


def check_speakers(script: Script, bible: Bible) -> Iterable[Defect]:
    yield from silent_speakers(script, bible)
    yield from absent_speakers(script, bible)
    yield from self_address(script, bible)
