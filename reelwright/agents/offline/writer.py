"""The offline writer: a deterministic script told from the brief's premise, in its tone.

Each scene plays the stages `story.stage_plan` gives it; its beats tell those stages with the
premise (the trouble, the goal, the deadline, the objects) and its lines come from the
register's lines for those stages, spoken by the scene's speaking cast, addressing each other
by short name and never themselves. Characters who do not speak act in beats and make sounds in
parentheticals. No line or beat is a near-repeat of one used elsewhere in the episode; a
revision redraws a noted scene the same way, avoiding everything the other scenes say.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from reelwright.agents.common import notes_by_scene, redacted_script, scene_id
from reelwright.agents.names import TITLES as NAME_TITLES
from reelwright.agents.offline.lines import near_repeat, norm
from reelwright.agents.offline.premise import Premise, content_words, parse_premise
from reelwright.agents.offline.registers import Register, register_for
from reelwright.agents.offline.story import (
    BEATS,
    DIALOGUE_STAGES,
    Slots,
    premise_slots,
    sentence,
    stage_plan,
)
from reelwright.agents.restructure import fresh_ids, needs_restructure, restructured, structural
from reelwright.models import Bible, Brief, Character, DialogueLine, Note, Scene, Script, Usage


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


def sound_of(character: Character, register: Register) -> str:
    """A silent character's sound as a verb, from its voice: 'chimes and short beeps' ->
    'chimes', 'a purr, a hiss' -> 'purrs'; the register's default without a voice."""
    words = [w.strip(",.;").lower() for w in character.voice.split()]
    first = next((w for w in words if w.isalpha() and w not in ("a", "an", "the", "soft")), "")
    if not first:
        return register.sound
    if first.endswith("s"):
        return first if not first.endswith("ss") else first + "es"
    return first + ("es" if first.endswith(("sh", "ch", "x")) else "s")


@dataclass
class Used:
    """What the episode has said so far: template keys and normalised texts."""

    templates: set[str] = field(default_factory=set)
    told: set[str] = field(default_factory=set)  # premise slots the story has told
    lines: list[str] = field(default_factory=list)
    beats: list[str] = field(default_factory=list)
    most_lines: int = 99  # a long episode spreads the register's lines thinner
    premise: Premise | None = None  # parsed once an episode

    @classmethod
    def of(cls, scenes: Sequence[Scene]) -> Used:
        return cls(
            lines=[norm(d.text) for s in scenes for d in s.dialogue],
            beats=[norm(b) for s in scenes for b in s.beats],
        )


@dataclass(frozen=True)
class Cast:
    """One scene's people: ids in scene order, who can speak, and everyone's short name."""

    ids: list[str]
    speakers: list[str]
    names: dict[str, str]


class ProceduralWriter:
    name = "procedural"

    def write(self, brief: Brief, bible: Bible) -> tuple[Script, Usage]:
        n = brief.scene_count
        plan = stage_plan(n)
        register = register_for(brief.tone)
        capacity = sum(len(pool) for pool in register.lines.values())
        premise = parse_premise(brief, bible)
        used = Used(most_lines=max(1, int(capacity * 0.9) // n), premise=premise)
        scenes = [
            self._draft(
                brief,
                bible,
                i,
                plan[i - 1],
                self._location(brief, bible, premise, i, plan[i - 1]),
                used,
            )
            for i in range(1, n + 1)
        ]
        scenes = _introduce(scenes, premise, bible)
        scenes = _cover_premise(scenes, premise, bible)
        return Script(title=brief.title, logline=brief.logline, scenes=scenes), Usage()

    def revise(
        self, script: Script, notes: Sequence[Note], brief: Brief, bible: Bible
    ) -> tuple[Script, list[str], Usage]:
        writer_notes = [n for n in notes if n.target == "writer"]
        changed: list[str] = []
        if needs_restructure(script, brief, writer_notes):
            script, changed = self._restructure(script, brief, bible)
            writer_notes = [n for n in writer_notes if not structural(n)]
        by_scene = notes_by_scene(writer_notes, [s.id for s in script.scenes])
        scenes = list(script.scenes)
        plan = stage_plan(len(scenes))
        premise = parse_premise(brief, bible)
        for idx, scene in enumerate(scenes):
            if scene.id not in by_scene or scene.id in changed:
                continue
            used = Used.of([s for s in scenes if s.id != scene.id])
            used.premise = premise
            scenes[idx] = self._draft(
                brief,
                bible,
                scene.number,
                plan[scene.number - 1],
                scene.location,
                used,
                revision=scene.revision + 1,
                sid=scene.id,
                cast_ids=scene.characters,
                stale=[norm(d.text) for d in scene.dialogue],
            )
            changed.append(scene.id)
        return redacted_script(script, scenes, notes), changed, Usage()

    def _location(
        self, brief: Brief, bible: Bible, premise: Premise, number: int, stages: list[str]
    ) -> str:
        """The brief's locations in turn; the trouble and the climax happen where the
        logline puts them ('a storm knocks out the harbour radio' -> the harbour)."""
        locations = brief.locations or [loc.id for loc in bible.locations]
        for stage, clause in (("climax", premise.goal), ("trouble", premise.trouble)):
            if stage in stages:
                named = [p for p in premise.places_in(clause, bible) if p in locations]
                if named:
                    return named[0]
        return locations[(number - 1) % len(locations)]

    def _restructure(self, script: Script, brief: Brief, bible: Bible) -> tuple[Script, list[str]]:
        """Cut scenes from before the last (the opening and the resolution stay), or add new
        scenes there, until the count is the brief's. Returns the new ids."""
        want = brief.scene_count
        scenes = list(script.scenes)
        while len(scenes) > max(want, 1):
            del scenes[-2 if len(scenes) > 2 else -1]
        kept = script.model_copy(update={"scenes": scenes})
        ids = fresh_ids(kept, want - len(scenes))
        used = Used.of(scenes)
        used.premise = parse_premise(brief, bible)
        plan = stage_plan(want)
        added: list[Scene] = []
        at = max(len(scenes) - 1, 1)  # new scenes go before the closing scene
        for k, sid in enumerate(ids):
            number = at + k + 1
            stages = plan[number - 1] if plan[number - 1] != ["closing"] else ["complication"]
            added.append(
                self._draft(
                    brief,
                    bible,
                    number,
                    stages,
                    self._location(brief, bible, used.premise, number, stages),
                    used,
                    sid=sid,
                    cast_ids=None,
                )
            )
        after = scenes[at - 1].id
        return restructured(kept, set(), [(after, s) for s in added]), ids

    def _draft(
        self,
        brief: Brief,
        bible: Bible,
        number: int,
        stages: list[str],
        location: str,
        used: Used,
        *,
        revision: int = 0,
        sid: str | None = None,
        cast_ids: list[str] | None = None,
        stale: Sequence[str] = (),
    ) -> Scene:
        """One scene, drawing only text the episode has not used (recorded in `used`)."""
        rng = random.Random(f"{brief.seed}:{number}:{revision}")
        register = register_for(brief.tone)
        premise = used.premise or parse_premise(brief, bible)
        cast = _cast(brief, bible, cast_ids or _pick_cast(brief, bible, premise, number, stages))
        time = _time_of_day(register, stages[0])
        slots = _slots(brief, bible, premise, cast, location, register, rng, time)
        if number == 1:  # the lead as the logline introduces them
            who = f"{premise.role} {cast.names[cast.ids[0]]}".strip()
            slots = replace(slots, intro=f"{premise.setting}, {who}" if premise.setting else who)
        beats = _beats(stages, slots, register, used, rng, bible.location(location).interior)
        lines = _lines(stages, slots, cast, register, used, rng, stale)
        return Scene(
            id=sid or scene_id(number),
            number=number,
            location=location,
            time_of_day=time,
            summary=sentence(beats[0]) + ".",
            beats=beats,
            characters=cast.ids,
            dialogue=lines,
            revision=revision,
        )


def _time_of_day(register: Register, stage: str) -> Literal["day", "night", "dawn", "dusk"]:
    for kind in DIALOGUE_STAGES[stage]:
        if kind in register.times:
            return register.times[kind]
    return "day"


def _pick_cast(
    brief: Brief, bible: Bible, premise: Premise, number: int, stages: list[str]
) -> list[str]:
    """The lead and up to two others, rotating through the brief's cast; a scene with a
    silent character also gets someone who speaks, so no one talks to themselves. Whoever
    the goal is for (named in its purpose: 'guide Odalys's boat home') is away from the
    trouble until the closing."""
    lead, rest = brief.characters[0], brief.characters[1:]
    if not {"opening", "trouble", "closing"} & set(stages):  # away until it is over
        rest = [c for c in rest if c not in premise.rescued] or rest
    if "closing" in stages:  # and back for the end
        rest = sorted(rest, key=lambda c: c not in premise.rescued)
        number = 1
    if not rest:
        return [lead]
    k = min(2, len(rest))
    start = (number - 1) % len(rest)
    picked = [rest[(start + j) % len(rest)] for j in range(k)]
    speaks = {c.id for c in bible.characters if c.speaks}
    if not any(c in speaks for c in picked):
        voiced = [c for c in rest if c in speaks and c not in picked]
        if voiced:
            picked[-1] = voiced[(number - 1) % len(voiced)]
    return [lead, *picked]


def _cast(brief: Brief, bible: Bible, ids: list[str]) -> Cast:
    chars = [bible.character(c) for c in ids]
    return Cast(
        ids=list(ids),
        speakers=[c.id for c in chars if c.speaks],
        names={c: short_name(bible.character(c)) for c in brief.characters}
        | {c.id: short_name(c) for c in chars},
    )


DETAIL_STOP = frozenset(
    "with on in at behind along under over of showing covered from by near above below".split()
)


def _detail(feature: str) -> str:
    """A location feature as a noun phrase: 'a wide main screen showing the ship's schematic'
    -> 'wide main screen'."""
    words = feature.strip().split()
    if words and words[0].lower() in ("a", "an", "the", "some"):
        words = words[1:]
    out: list[str] = []
    for word in words:
        if word.lower() in DETAIL_STOP or len(out) == 3:
            break
        out.append(word)
    return " ".join(out)


def _place(name: str) -> str:
    return "the " + name[4:] if name.startswith("The ") else name


def _slots(
    brief: Brief,
    bible: Bible,
    premise: Premise,
    cast: Cast,
    location: str,
    register: Register,
    rng: random.Random,
    time: str,
) -> Slots:
    loc = bible.location(location)
    features = [d for d in (_detail(f) for f in loc.description.split(",")) if d]
    details = features[1:] or features or [loc.name.lower()]
    silent = [c for c in cast.ids if c not in cast.speakers]
    away = [c for c in brief.characters if c not in cast.ids]
    lead = cast.ids[0]
    others = [c for c in cast.ids[1:] if c in cast.speakers] or cast.ids[1:]
    return Slots(
        lead=cast.names[lead],
        other=cast.names[others[0]] if others else "",
        silent=cast.names[silent[0]] if silent else "",
        sound=sound_of(bible.character(silent[0]), register) if silent else "",
        place=_place(loc.name),
        detail=rng.choice(details),
        target=premise.target,
        broken=premise.broken,
        lost=premise.lost,
        threat=premise.threat,
        goal=premise.goal,
        purpose=premise.purpose,
        deadline=premise.deadline,
        when=premise.when,
        by=premise.by,
        trouble=premise.trouble,
        away=cast.names[away[0]] if away else "",
        saved=", ".join(cast.names[c] for c in premise.rescued if c in cast.ids),
        side=premise.side,
        time={"day": "day", "dusk": "evening", "night": "night", "dawn": "morning"}[time],
    )


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


def _beats(
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


def _lines(
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


def _introduce(scenes: list[Scene], premise: Premise, bible: Bible) -> list[Scene]:
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


def _cover_premise(scenes: list[Scene], premise: Premise, bible: Bible) -> list[Scene]:
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
