"""Offline agents: a deterministic writer and director driven by story and coverage templates.

They need no model, so the whole pipeline runs without an endpoint. The writer's first draft
draws dialogue from per-act line banks (so, like a first draft, it can repeat itself); a
revision redraws the noted scenes avoiding every line used elsewhere. The director covers
each scene with an establishing shot and alternating singles, timed to the scene's budget,
and a revision re-plans a noted shot to differ from its neighbours and fit its scene's time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from reelwright.agents.common import (
    compliance_phrases,
    notes_by_scene,
    redact_shot,
    redacted_script,
    scene_budgets,
    scene_id,
    shot_id,
    to_shot,
)
from reelwright.agents.director import merge, retimed, revision_targets, scenes_changed
from reelwright.agents.replies import PlannedShot
from reelwright.agents.restructure import (
    fresh_ids,
    needs_restructure,
    restructured,
    structural,
)
from reelwright.models import (
    Angle,
    Bible,
    Brief,
    CameraMove,
    DialogueLine,
    Framing,
    Note,
    Scene,
    Script,
    Shot,
    ShotList,
    Usage,
)

ACT_BEATS = {
    "setup": [
        "{lead} is introduced at {place}, busy with an ordinary task",
        "{lead} learns about the problem: {goal}",
        "{other} doubts it can be done",
    ],
    "inciting": [
        "a discovery at {place} makes the problem urgent",
        "{lead} decides to act, and {other} reluctantly joins",
    ],
    "complication": [
        "the plan at {place} goes wrong in an unexpected way",
        "{other} proposes a risky shortcut",
        "{lead} has to choose between speed and care",
    ],
    "climax": [
        "everything comes to a head at {place}",
        "{lead} tries the idea nobody believed in",
        "it works, barely, and the cost is clear",
    ],
    "resolution": [
        "back at {place}, the dust settles",
        "{lead} and {other} see what changed between them",
        "a small closing image hints at the next adventure",
    ],
}

ACT_LINES = {
    "setup": [
        "Another quiet day at {place}. I don't trust quiet days.",
        "{other}, did you hear that? Tell me you heard that.",
        "We said we would {goal_short}. So let's start.",
        "Nobody has done this before, {lead}.",
        "Then we'll be the first. Hand me that, please.",
        "I made a list. It is a short list, and it is mostly questions.",
    ],
    "inciting": [
        "Look at this. It was never here before.",
        "If we wait until morning, it's gone.",
        "Fine. But I'm bringing the good flashlight.",
        "{lead}, this changes everything we planned.",
        "Then we plan again, on the way.",
    ],
    "complication": [
        "That was not supposed to happen.",
        "We could take the shortcut through {place}.",
        "Shortcuts are how we got into this.",
        "Do you have a better idea? I'm listening.",
        "Give me one minute. Just one.",
        "Everything we need is here. We just can't see it yet.",
        "Slow down. Look again.",
    ],
    "climax": [
        "Now, {other}! Now or never!",
        "Hold it steady. Steady...",
        "It's working. {lead}, it's actually working!",
        "Don't celebrate yet. Not until it's done.",
        "Trust me on this one.",
    ],
    "resolution": [
        "So. That happened.",
        "You were right about the shortcut. Don't tell anyone.",
        "Same time tomorrow?",
        "I think {place} looks different now. Or maybe we do.",
        "Thank you, {other}. I mean it.",
    ],
}

OPENERS = ["", "Listen. ", "{other}, ", "Wait. ", "Okay. ", "Honestly? ", "Look, "]
CLOSERS = [
    "",
    " Trust me.",
    " Right now.",
    " Before it's too late.",
    " I mean it.",
    " Here, at {place}.",
]


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == " ").strip()


TIMES = {
    "setup": "day",
    "inciting": "day",
    "complication": "dusk",
    "climax": "night",
    "resolution": "dawn",
}


def act_of(number: int, total: int) -> str:
    if number == 1:
        return "setup"
    if number == total:
        return "resolution"
    if total >= 3 and number == total - 1:
        return "climax"
    if total >= 4 and number == 2:
        return "inciting"
    return "complication"


def _goal(brief: Brief) -> tuple[str, str]:
    text = brief.logline.strip().rstrip(".")
    short = text.split(",")[0].split(" to ", 1)[-1] if " to " in text else "finish what we started"
    return text[0].lower() + text[1:], short.strip()[:80]


class ProceduralWriter:
    name = "procedural"

    def write(self, brief: Brief, bible: Bible) -> tuple[Script, Usage]:
        n = brief.scene_count
        locations = brief.locations or [loc.id for loc in bible.locations]
        scenes: list[Scene] = []
        for i in range(1, n + 1):
            act = act_of(i, n)
            cast = _cast(brief.characters, i)
            scenes.append(
                self._draft(
                    brief, bible, i, act, cast, locations[(i - 1) % len(locations)], 0, set()
                )
            )
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
        for idx, scene in enumerate(scenes):
            if scene.id not in by_scene or scene.id in changed:
                continue
            used = {d.text for s in scenes if s.id != scene.id for d in s.dialogue}
            act = act_of(scene.number, len(scenes))
            scenes[idx] = self._draft(
                brief,
                bible,
                scene.number,
                act,
                scene.characters,
                scene.location,
                scene.revision + 1,
                used,
                sid=scene.id,
            )
            changed.append(scene.id)
        return redacted_script(script, scenes, notes), changed, Usage()

    def _restructure(self, script: Script, brief: Brief, bible: Bible) -> tuple[Script, list[str]]:
        """Cut scenes from before the last (the opening and the resolution stay), or add new
        complication scenes there, until the count is the brief's. Returns the new ids."""
        want = brief.scene_count
        scenes = list(script.scenes)
        while len(scenes) > max(want, 1):
            del scenes[-2 if len(scenes) > 2 else -1]
        kept = script.model_copy(update={"scenes": scenes})
        ids = fresh_ids(kept, want - len(scenes))
        locations = brief.locations or [loc.id for loc in bible.locations]
        used = {d.text for s in scenes for d in s.dialogue}
        added: list[Scene] = []
        at = max(len(scenes) - 1, 1)  # new scenes go before the closing scene
        for k, sid in enumerate(ids):
            number = at + k + 1
            added.append(
                self._draft(
                    brief,
                    bible,
                    number,
                    act_of(number, want),
                    _cast(brief.characters, number),
                    locations[(number - 1) % len(locations)],
                    0,
                    used,
                    sid=sid,
                    added=True,
                )
            )
            used |= {d.text for d in added[-1].dialogue}
        after = scenes[at - 1].id
        return restructured(kept, set(), [(after, s) for s in added]), ids

    def _draft(
        self,
        brief: Brief,
        bible: Bible,
        number: int,
        act: str,
        cast: list[str],
        location: str,
        revision: int,
        avoid: set[str],
        sid: str | None = None,
        added: bool = False,
    ) -> Scene:
        rng = random.Random(f"{brief.seed}:{number}:{revision}")
        names = {c: bible.character(c).name for c in cast}
        lead, other = names[cast[0]], names[cast[1]] if len(cast) > 1 else "everyone"
        place = bible.location(location).name
        goal, goal_short = _goal(brief)
        fill = {
            "lead": lead,
            "other": other,
            "place": place,
            "goal": goal,
            "goal_short": goal_short,
        }
        beats = [b.format(**fill) for b in ACT_BEATS[act]]
        bank = [line.format(**fill) for line in ACT_LINES[act]]
        count = 2 + rng.randrange(3)
        if revision or added:  # a rewrite (or an added scene) avoids lines used elsewhere
            used = {_norm(a) for a in avoid}
            variants = [
                f"{o}{line}{c}".format(**fill) for line in bank for o in OPENERS for c in CLOSERS
            ]
            fresh = [v for v in dict.fromkeys(variants) if _norm(v) not in used] or bank
            picked = rng.sample(fresh, min(count, len(fresh)))
        else:  # a first draft, like most first drafts, reaches for the same few lines
            picked = [rng.choice(bank) for _ in range(count)]
        picked = list(dict.fromkeys(picked))  # a scene never repeats itself
        dialogue = [
            DialogueLine(character=cast[k % len(cast)], text=text) for k, text in enumerate(picked)
        ]
        return Scene(
            id=sid or scene_id(number),
            number=number,
            location=location,
            time_of_day=TIMES[act],
            summary=beats[0][0].upper() + beats[0][1:] + ".",
            beats=beats,
            characters=cast,
            dialogue=dialogue,
            revision=revision,
        )


def _cast(characters: list[str], number: int) -> list[str]:
    lead, rest = characters[0], characters[1:]
    if not rest:
        return [lead]
    k = min(2, len(rest))
    start = (number - 1) % len(rest)
    return [lead] + [rest[(start + j) % len(rest)] for j in range(k)]


# --------------------------------------------------------------------------- director

SINGLES = [
    (Framing.medium, Angle.eye_level),
    (Framing.close, Angle.eye_level),
    (Framing.close, Angle.low),
    (Framing.medium, Angle.high),
]
MOVES = {
    "setup": CameraMove.pan,
    "inciting": CameraMove.dolly_in,
    "complication": CameraMove.handheld,
    "climax": CameraMove.dolly_in,
    "resolution": CameraMove.dolly_out,
}
LENS = {
    Framing.extreme_wide: 18,
    Framing.wide: 24,
    Framing.medium: 35,
    Framing.close: 50,
    Framing.extreme_close: 85,
}
ALTERNATIVES = [
    (Framing.wide, Angle.high),
    (Framing.medium, Angle.low),
    (Framing.close, Angle.eye_level),
    (Framing.extreme_close, Angle.eye_level),
    (Framing.medium, Angle.dutch),
    (Framing.wide, Angle.low),
]


def _speaking_time(lines: Sequence[DialogueLine]) -> float:
    return sum(len(line.text.split()) / 2.5 + 0.6 for line in lines)


class ProceduralDirector:
    name = "procedural"
    max_shots_per_scene = 4

    def plan(self, script: Script, brief: Brief, bible: Bible) -> tuple[ShotList, Usage]:
        budgets = scene_budgets(brief, script.scenes)
        shots = [
            shot
            for scene in script.scenes
            for shot in self._cover(scene, budgets[scene.id], len(script.scenes), brief, bible, 0)
        ]
        return ShotList(shots=shots), Usage()

    def revise(
        self,
        shots: ShotList,
        script: Script,
        notes: Sequence[Note],
        rewritten_scenes: Sequence[str],
        brief: Brief,
        bible: Bible,
    ) -> tuple[ShotList, Usage]:
        scene_ids, per_shot = revision_targets(shots, notes, rewritten_scenes, script)
        budgets = scene_budgets(brief, script.scenes)
        replanned = {}
        for sid in scene_ids:
            prev = max((s.revision for s in shots.for_scene(sid)), default=-1)
            replanned[sid] = self._cover(
                script.scene(sid), budgets[sid], len(script.scenes), brief, bible, prev + 1
            )
        single: dict[str, Shot] = {}
        for sid in per_shot:
            single[sid] = self._replan_shot(shots, sid, script, budgets, brief, bible)
        phrases = compliance_phrases(notes)
        replanned = {k: [redact_shot(s, phrases) for s in v] for k, v in replanned.items()}
        single = {k: redact_shot(v, phrases) for k, v in single.items()}
        merged = merge(shots, script, replanned, single)
        if scenes_changed(shots, script):
            merged = retimed(merged, script, brief, keep=set(replanned))
        return merged, Usage()

    def _cover(
        self, scene: Scene, seconds: float, total: int, brief: Brief, bible: Bible, rev: int
    ) -> list[Shot]:
        act = act_of(scene.number, total)
        per_shot = max(1, math.ceil(len(scene.dialogue) / (self.max_shots_per_scene - 1)))
        groups = [
            list(range(i, min(i + per_shot, len(scene.dialogue))))
            for i in range(0, len(scene.dialogue), per_shot)
        ]
        establishing = Framing.extreme_wide if scene.number == 1 else Framing.wide
        plans = [
            PlannedShot(
                framing=establishing,
                angle=Angle.high if act == "climax" else Angle.eye_level,
                camera_move=MOVES[act],
                lens_mm=LENS[establishing],
                duration_s=1.0,
                characters=list(scene.characters),
                dialogue_lines=[],
                description=f"{bible.location(scene.location).name}: {scene.beats[0]}",
            )
        ]
        for k, group in enumerate(groups):
            speaker = scene.dialogue[group[0]].character
            framing, angle = SINGLES[(k + scene.number + rev) % len(SINGLES)]
            if act == "climax" and k == len(groups) - 1:
                framing, angle = Framing.extreme_close, Angle.eye_level
            beat = scene.beats[min(k + 1, len(scene.beats) - 1)]
            plans.append(
                PlannedShot(
                    framing=framing,
                    angle=angle,
                    camera_move=CameraMove.static if k % 2 == 0 else MOVES[act],
                    lens_mm=LENS[framing],
                    duration_s=1.0,
                    characters=[speaker],
                    dialogue_lines=group,
                    description=f"{bible.character(speaker).name} speaks; {beat}",
                )
            )
        plans = _timed(plans, scene, seconds)
        return [
            to_shot(
                p, sid=shot_id(scene.id, n), scene=scene, brief=brief, bible=bible, revision=rev
            )
            for n, p in enumerate(plans, start=1)
        ]

    def _replan_shot(
        self,
        shots: ShotList,
        sid: str,
        script: Script,
        budgets: dict[str, float],
        brief: Brief,
        bible: Bible,
    ) -> Shot:
        idx = next(i for i, s in enumerate(shots.shots) if s.id == sid)
        old = shots.shots[idx]
        scene = script.scene(old.scene_id)
        neighbours = {
            (s.framing, s.angle) for s in shots.shots[max(0, idx - 1) : idx + 2] if s.id != sid
        }
        start = (old.revision + idx) % len(ALTERNATIVES)
        framing, angle = next(
            (
                fa
                for fa in ALTERNATIVES[start:] + ALTERNATIVES[:start]
                if fa not in neighbours and fa != (old.framing, old.angle)
            ),
            ALTERNATIVES[start],
        )
        siblings = shots.for_scene(scene.id)
        others = sum(s.duration_s for s in siblings if s.id != sid)
        lines = [i for i, d in enumerate(scene.dialogue) if d in old.dialogue]
        want = max(_speaking_time(old.dialogue) + 0.5, budgets[scene.id] - others, 1.0)
        planned = PlannedShot(
            framing=framing,
            angle=angle,
            camera_move=old.camera_move,
            lens_mm=LENS[framing],
            duration_s=min(want, 60.0),
            characters=[c for c in old.characters if c in scene.characters] or scene.characters[:1],
            description=old.description,
            dialogue_lines=lines,
        )
        return to_shot(
            planned, sid=sid, scene=scene, brief=brief, bible=bible, revision=old.revision + 1
        )


def _timed(plans: list[PlannedShot], scene: Scene, seconds: float) -> list[PlannedShot]:
    """Give each shot time for its lines, then share the scene's remaining time."""
    need = [
        max(1.5, _speaking_time([scene.dialogue[i] for i in p.dialogue_lines]))
        if p.dialogue_lines
        else 2.0
        for p in plans
    ]
    scale = seconds / sum(need)
    return [
        p.model_copy(update={"duration_s": round(min(60.0, max(0.5, n * scale)), 2)})
        for p, n in zip(plans, need, strict=True)
    ]
