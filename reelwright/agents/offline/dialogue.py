"""A scene's lines: the register's lines for its stages, spoken by the speaking cast, who call
each other by short name and never say their own."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reelwright.agents.names import TITLES as NAME_TITLES
from reelwright.agents.offline.lines import Used, near_repeat, norm
from reelwright.agents.offline.premise import content_words
from reelwright.agents.offline.registers import Register
from reelwright.agents.offline.story import DIALOGUE_STAGES, Slots, premise_slots
from reelwright.models import Character, DialogueLine


def short_name(character: Character) -> str:
    """What others call a character: the first word of the name that is not a title
    ('Juno Park' -> 'Juno', 'Queen Sable' -> 'Sable')."""
    words = character.name.split()
    return next((w for w in words if w.lower().strip(".") not in TITLES), words[0])


TITLES = NAME_TITLES | frozenset(
    "queen king prince princess commander detective officer sergeant agent chief inspector "
    "father mother sister brother saint lieutenant colonel general admiral chef warden nurse "
    "judge mayor".split()
)


@dataclass(frozen=True)
class Cast:
    """One scene's people: ids in scene order, who can speak, and everyone's short name."""

    ids: list[str]
    speakers: list[str]
    names: dict[str, str]


def scene_lines(
    stages: list[str],
    slots: Slots,
    cast: Cast,
    register: Register,
    used: Used,
    rng: random.Random,
    stale: Sequence[str],
) -> list[DialogueLine]:
    """The scene's lines: templates of its stages (the premise's untold parts first), put in
    the order they were written to play, each spoken by a speaking cast member who is not
    named in it, addressing another by short name."""
    if not cast.speakers:
        return []
    low, high = register.lines_per_scene
    count = rng.randint(low, high) if len(cast.speakers) > 1 else min(2, low)
    count = min(count, used.most_lines)
    order: dict[str, tuple[int, int]] = {}
    candidates: list[str] = []
    for rank, stage in enumerate(dict.fromkeys(d for s in stages for d in DIALOGUE_STAGES[s])):
        pool = list(register.lines[stage])
        order |= {t: (rank, i) for i, t in enumerate(pool)}
        rng.shuffle(pool)
        pool.sort(key=lambda t: -len(premise_slots(t) - used.told))
        candidates += pool
    trial = replace(slots, other=slots.other or "you")
    chosen: list[str] = []
    for avoid_stale in (True, False):
        for template in candidates:
            text = trial.fill(template)
            if len(chosen) >= count or text is None or template in chosen:
                continue
            if f"line:{template}" in used.templates or near_repeat(text, used.lines):
                continue
            if avoid_stale and near_repeat(text, stale):
                continue
            chosen.append(template)
    chosen.sort(key=lambda t: order[t])
    out: list[DialogueLine] = []
    said: list[str] = []
    turn = rng.randrange(len(cast.speakers))
    for template in chosen:
        spoken = _speak(template, slots, cast, turn, register, rng)
        if spoken is None or near_repeat(spoken[0].text, [*used.lines, *said]):
            continue
        line, turn = spoken
        out.append(line)
        said.append(norm(line.text))
        used.templates.add(f"line:{template}")
        used.told |= premise_slots(template)
    used.lines += said
    return out


def _speak(
    template: str, slots: Slots, cast: Cast, turn: int, register: Register, rng: random.Random
) -> tuple[DialogueLine, int] | None:
    """The template as a line by the next speaker who is not named in it, and the turn after
    that speaker's; None when no one can say it."""
    for k in range(len(cast.speakers)):
        speaker = cast.speakers[(turn + k) % len(cast.speakers)]
        listeners = [c for c in cast.ids if c != speaker]
        voiced = [c for c in listeners if c in cast.speakers]
        addressee = (voiced or listeners or [""])[0] if listeners else ""
        if listeners and rng.random() < 0.3:
            addressee = rng.choice(listeners)
        line_slots = replace(slots, other=cast.names.get(addressee, ""))
        text = line_slots.fill(template)
        if text is None:
            return None
        own = {cast.names[speaker].lower(), *cast.names[speaker].lower().split()}
        if any(w in own for w in content_words(text)) or cast.names[speaker] in text:
            continue
        parenthetical = ""
        if addressee and addressee not in cast.speakers and "{other}" in template:
            parenthetical = f"to {cast.names[addressee]}"
        elif rng.random() < 0.25 and "{saved}" not in template:
            parenthetical = rng.choice(register.parentheticals)
        line = DialogueLine(character=speaker, text=text, parenthetical=parenthetical)
        return line, turn + k + 1
    return None
