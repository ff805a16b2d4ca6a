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
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from reelwright.agents.offline.beats import cover_premise, introduce, scene_beats
from reelwright.agents.offline.dialogue import Cast, scene_lines, short_name
from reelwright.agents.offline.lines import Used, norm
from reelwright.agents.offline.premise import Premise, parse_premise
from reelwright.agents.offline.registers import Register, register_for
from reelwright.agents.offline.story import (
    DIALOGUE_STAGES,
    Slots,
    sentence,
    stage_plan,
)
from reelwright.agents.planning import notes_by_scene, scene_id
from reelwright.agents.redaction import redacted_script
from reelwright.agents.restructure import fresh_ids, needs_restructure, restructured, structural
from reelwright.models import Bible, Brief, Character, Note, Scene, Script, Usage


def sound_of(character: Character, register: Register) -> str:
    """A silent character's sound as a verb, from its voice: 'chimes and short beeps' ->
    'chimes', 'a purr, a hiss' -> 'purrs'; the register's default without a voice."""
    words = [w.strip(",.;").lower() for w in character.voice_spec.description.split()]
    first = next((w for w in words if w.isalpha() and w not in ("a", "an", "the", "soft")), "")
    if not first:
        return register.sound
    if first.endswith("s"):
        return first if not first.endswith("ss") else first + "es"
    return first + ("es" if first.endswith(("sh", "ch", "x")) else "s")


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
        scenes = introduce(scenes, premise, bible)
        scenes = cover_premise(scenes, premise, bible)
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
        beats = scene_beats(stages, slots, register, used, rng, bible.location(location).interior)
        lines = scene_lines(stages, slots, cast, register, used, rng, stale)
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
