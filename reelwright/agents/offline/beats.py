"""A scene's beats: the story stages told with the premise, a mood in the register's voice,
a silent character's cue; and the episode-wide passes that introduce people as the logline
does and make sure every word of the logline reaches the screen."""

from __future__ import annotations

import random
import re

from reelwright.agents.offline.dialogue import short_name
from reelwright.agents.offline.lines import Used, near_repeat, norm
from reelwright.agents.offline.premise import Premise, content_words
from reelwright.agents.offline.registers import Register
from reelwright.agents.offline.story import BEATS, Slots, premise_slots
from reelwright.models import Bible, Scene

# how a silent character's sound is made, one a scene, never twice in an episode
CUES = (
    "twice",
    "once, quietly",
    "in alarm",
    "and spins round",
    "and tugs at a sleeve",
    "a warning",
    "and backs away",
    "happily",
    "and points",
    "and goes very still",
)
# a mood beat with one of these words belongs indoors
INDOOR_WORDS = frozenset(
    "floor kettle pages window windows bulb blinds wall chair room shutter lights clock".split()
)
# beats that set a scene in its place and time, for scenes the story has little left to say
SETTING_BEATS = (
    "{place} in the {time}: the {detail}, and nobody else about",
    "{other} keeps watch by the {detail}",
    "{lead} looks around {place} as if seeing it for the first time",
    "{lead} and {other} catch their breath by the {detail}",
    "the {detail} at {place} catches the last of the light",
)
FIXED_ORDER = frozenset(("opening", "trouble", "climax", "closing"))
BEATS_WANTED = {"opening": 2, "trouble": 2, "decision": 2, "climax": 2, "closing": 2}


def scene_beats(
    stages: list[str],
    slots: Slots,
    register: Register,
    used: Used,
    rng: random.Random,
    indoors: bool,
) -> list[str]:
    """One or two beats a stage (the scene's main stage gets two when it has room), and a
    mood beat in the register's voice when the scene has fewer than four."""
    out: list[str] = []
    for k, stage in enumerate(stages):
        want = BEATS_WANTED.get(stage, 2 if k == 0 and len(stages) < 3 else 1)
        if stage == "opening" and len(stages) > 1:
            want = 1
        options = list(BEATS[stage])
        if stage == "opening":
            options = [*register.openings, *options] if slots.intro else options
        if stage not in FIXED_ORDER:
            rng.shuffle(options)
            options.sort(key=lambda t: -len(premise_slots(t) - used.told))  # untold first
        here: set[str] = set()
        for template in options:
            if want == 0:
                break
            text = slots.fill(template)
            key = "beat:{intro}" if "{intro}" in template else f"beat:{template}"
            told = premise_slots(template)
            if text is None or key in used.templates or near_repeat(text, used.beats, loose=True):
                continue
            if told and told <= here:  # the scene already told this part
                continue
            here |= told
            out.append(text)
            used.templates.add(key)
            used.told |= premise_slots(template)
            used.beats.append(norm(text))
            want -= 1
    if "closing" not in stages and (len(out) < 4 and rng.random() < 0.7 or len(out) < 2):
        moods = [
            m
            for m in register.moods
            if f"mood:{m}" not in used.templates and (indoors or not INDOOR_WORDS & set(m.split()))
        ]
        if moods:
            mood = rng.choice(moods)
            used.templates.add(f"mood:{mood}")
            used.beats.append(norm(mood))
            out.insert(rng.randrange(1, len(out) + 1) if out else 0, mood)
    for template in SETTING_BEATS:  # a scene always has a turn: at least two beats
        if len(out) >= 2:
            break
        text = slots.fill(template)
        if text and not near_repeat(text, used.beats, loose=True):
            out.append(text)
            used.beats.append(norm(text))
    if slots.silent and not any(slots.silent in b for b in out):
        manners = list(CUES)
        rng.shuffle(manners)
        for manner in manners:
            cue = f"({slots.silent} {slots.sound} {manner})"
            if not near_repeat(cue, used.beats, loose=True):
                out.append(cue)
                used.beats.append(norm(cue))
                break
    return out or [f"{slots.lead} waits at {slots.place}"]


def introduce(scenes: list[Scene], premise: Premise, bible: Bible) -> list[Scene]:
    """The first beat that names a character the logline describes ('old knight Oskar')
    names them that way too."""
    out = list(scenes)
    for cid, role in premise.roles.items():
        name = short_name(bible.character(cid))
        pattern = re.compile(rf"(?<![\w-]){re.escape(name)}\b")
        if any(role.lower() in b.lower() for s in out for b in s.beats):
            continue  # already introduced (the lead's opening beat)
        for k, scene in enumerate(out):
            at = next((i for i, b in enumerate(scene.beats) if pattern.search(b)), None)
            if at is None:
                continue
            beats = list(scene.beats)
            beats[at] = pattern.sub(f"{role} {name}", beats[at], count=1)
            out[k] = scene.model_copy(update={"beats": beats})
            break
    return out


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def cover_premise(scenes: list[Scene], premise: Premise, bible: Bible) -> list[Scene]:
    """Any word of the logline the story has not used yet is worked into a beat of the
    scene where it fits best (the climax for the goal's words, else the opening)."""
    text = " ".join(
        " ".join([s.summary, *s.beats, *(d.text for d in s.dialogue)]) for s in scenes
    ).lower()
    have = {_stem(w) for w in content_words(text)}
    labels = [(c.name, c.id) for c in bible.characters] + [(x.name, x.id) for x in bible.locations]
    named = {
        _stem(w)
        for name, ident in labels
        for w in content_words(f"{name} {ident.replace('_', ' ')}")
    }
    missing = [w for w in premise.words if _stem(w) not in have | named]
    if not missing:
        return scenes
    first = scenes[0]
    phrases = [p for p in premise.objects if any(w in p.split() for w in missing)]
    rest = [w for w in missing if not any(w in p.split() for p in phrases)]
    about = ", ".join(f"the {p}" for p in [*phrases, *rest])
    lead = bible.character(first.characters[0]).name.split()[0]
    beat = f"{lead} cannot stop thinking about {about}"
    return [first.model_copy(update={"beats": [*first.beats, beat]}), *scenes[1:]]
