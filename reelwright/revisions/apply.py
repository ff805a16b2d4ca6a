"""Apply a note's actions to the script and shot list exactly, as the reviewer saw them.

Line numbers are 1-based positions in the scene's dialogue of the script the decision was
made on; every action of one decision refers to that same script, whatever order they come
in. Shots that no action touches are returned unchanged (their frames stay cached).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reelwright.agents.planning import compose_prompt, shot_seed
from reelwright.agents.replies import PlannedShot
from reelwright.agents.restructure import fresh_ids
from reelwright.models import (
    Action,
    ActionOutcome,
    AddBeat,
    AddCharacter,
    AddScene,
    Bible,
    Brief,
    CutLine,
    CutScene,
    DialogueLine,
    Framing,
    GiveLine,
    MoveCamera,
    MoveLine,
    ReframeShot,
    RemoveCharacter,
    RetimeShot,
    RevoiceLine,
    RewriteLine,
    Scene,
    Script,
    SetVoice,
    Shot,
    ShotList,
    SplitShot,
)
from reelwright.revisions.describe import describe_line, describe_shot

TIGHTER = {
    Framing.extreme_wide: Framing.wide,
    Framing.wide: Framing.medium,
    Framing.medium: Framing.close,
    Framing.close: Framing.medium,
    Framing.extreme_close: Framing.close,
}


def part_ids(shot_id: str, into: int) -> list[str]:
    """The ids of a split shot's parts: `s2-3` -> `s2-3a`, `s2-3b`…"""
    return [f"{shot_id}{chr(ord('a') + i)}" for i in range(into)]


SHOT_ACTIONS = (SplitShot, RetimeShot, ReframeShot, MoveCamera, AddCharacter, RemoveCharacter)


class Unapplied(Exception):
    """An action that cannot be carried out on this script (its shot or line is gone)."""


@dataclass
class Revision:
    """The script and shots after a decision's actions, and how each action went."""

    script: Script
    shots: ShotList | None
    bible: Bible
    outcomes: list[ActionOutcome] = field(default_factory=list)
    new_scenes: list[str] = field(default_factory=list)
    instructions: list[tuple[RewriteLine, DialogueLine]] = field(default_factory=list)


def apply_actions(
    script: Script,
    shots: ShotList | None,
    actions: Sequence[Action],
    brief: Brief,
    bible: Bible,
    *,
    iteration: int = 0,
) -> Revision:
    """Apply every action; one that cannot be applied is an outcome with addressed=False and
    its reason, and the others still apply."""
    work = _Work(script, shots, brief, bible)
    out = Revision(script=script, shots=shots, bible=bible)
    for action in actions:
        before = work.describe(action)
        line: DialogueLine | None = None
        try:
            line = work.apply(action)
        except Unapplied as exc:
            out.outcomes.append(
                ActionOutcome(
                    action=action,
                    iteration=iteration,
                    applied=False,
                    addressed=False,
                    reason=str(exc),
                    before=before,
                )
            )
            continue
        if isinstance(action, RewriteLine) and action.instruction is not None and line:
            out.instructions.append((action, line))
        out.outcomes.append(
            ActionOutcome(
                action=action,
                iteration=iteration,
                addressed=False,
                reason="not checked yet",
                before=before,
                line=line,
            )
        )
    out.script, out.shots, out.new_scenes = work.result()
    out.bible = work.bible
    return out


class _Work:
    """The script and shots being revised, with line references kept to the script seen."""

    def __init__(self, script: Script, shots: ShotList | None, brief: Brief, bible: Bible):
        self.seen = script
        self.brief, self.bible = brief, bible
        self.scenes: list[Scene] = list(script.scenes)
        # per scene: [position in the seen script, line] for every surviving line
        self.lines: dict[str, list[tuple[int, DialogueLine]]] = {
            s.id: list(enumerate(s.dialogue)) for s in script.scenes
        }
        self.shots: list[Shot] | None = list(shots.shots) if shots is not None else None
        self.touched: set[str] = set()
        self.new_scenes: list[str] = []

    # ------------------------------------------------------------------ lookups
    def scene(self, scene_id: str) -> Scene:
        for s in self.scenes:
            if s.id == scene_id:
                return s
        raise Unapplied(f"scene {scene_id} no longer exists")

    def shot(self, shot_id: str) -> Shot:
        if self.shots is None:
            raise Unapplied("there is no shot list yet")
        for s in self.shots:
            if s.id == shot_id:
                return s
        raise Unapplied(f"shot {shot_id} no longer exists")

    def seen_line(self, scene_id: str, number: int) -> tuple[int, DialogueLine]:
        self.scene(scene_id)
        for pos, line in self.lines[scene_id]:
            if pos == number - 1:
                return pos, line
        count = len(self.seen.scene(scene_id).dialogue) if scene_id in self.lines else 0
        if number > count:
            raise Unapplied(f"scene {scene_id} has no line {number} (it has {count})")
        raise Unapplied(f"line {number} of scene {scene_id} was cut by an earlier action")

    def describe(self, action: Action) -> tuple[str, ...]:
        try:
            if isinstance(action, SHOT_ACTIONS):
                return (describe_shot(self.shot(action.shot_id)),)
            if isinstance(action, CutLine | RewriteLine | GiveLine | MoveLine | RevoiceLine):
                return (
                    describe_line(
                        action.scene_id,
                        action.line,
                        self.seen_line(action.scene_id, action.line)[1],
                    ),
                )
            if isinstance(action, AddBeat | CutScene):
                scene = self.scene(action.scene_id)
                return (f"{scene.id}: {len(scene.beats)} beats, {len(scene.dialogue)} lines",)
        except Unapplied:
            return ()
        return ()

    # ------------------------------------------------------------------ edits
    def replace_scene(self, scene: Scene) -> None:
        self.scenes = [scene if s.id == scene.id else s for s in self.scenes]
        self.touched.add(scene.id)

    def replace_shots(self, shot_id: str, new: Sequence[Shot]) -> None:
        assert self.shots is not None
        i = next(k for k, s in enumerate(self.shots) if s.id == shot_id)
        self.shots[i : i + 1] = list(new)

    def reprompt(self, shot: Shot, **update: object) -> Shot:
        shot = shot.model_copy(update=update)
        plan = PlannedShot.model_construct(
            framing=shot.framing,
            angle=shot.angle,
            camera_move=shot.camera_move,
            lens_mm=shot.lens_mm,
            duration_s=shot.duration_s,
            characters=list(shot.characters),
            description=shot.description,
            dialogue_lines=[],
        )
        return shot.model_copy(
            update={
                "prompt": compose_prompt(plan, self.brief, self.bible, shot.location),
                "seed": shot_seed(self.brief, self.bible, shot.id, shot.characters),
                "revision": shot.revision + 1,
            }
        )

    def swap_line(self, scene_id: str, old: DialogueLine, new: DialogueLine | None) -> None:
        """Every shot of the scene showing `old` shows `new` instead (or loses it)."""
        if self.shots is None:
            return
        for shot in list(self.shots):
            if shot.scene_id != scene_id or old not in shot.dialogue:
                continue
            dialogue = [d for d in shot.dialogue if d != old]
            if new is not None:
                dialogue = [new if d == old else d for d in shot.dialogue]
            if new is not None and new.character not in shot.characters:
                changed = self.reprompt(
                    shot, dialogue=dialogue, characters=[*shot.characters, new.character]
                )
            else:
                changed = shot.model_copy(
                    update={"dialogue": dialogue, "revision": shot.revision + 1}
                )
            self.replace_shots(shot.id, [changed])

    def apply(self, action: Action) -> DialogueLine | None:
        if isinstance(action, CutLine | RewriteLine | GiveLine | RevoiceLine):
            return self.line_action(action)
        if isinstance(action, SetVoice):
            self.set_voice(action)
            return None
        if isinstance(action, AddBeat):
            scene = self.scene(action.scene_id)
            self.replace_scene(scene.model_copy(update={"beats": [*scene.beats, action.text]}))
            return None
        if isinstance(action, CutScene):
            self.scene(action.scene_id)
            if len(self.scenes) == 1:
                raise Unapplied("an episode needs at least one scene")
            self.scenes = [s for s in self.scenes if s.id != action.scene_id]
            if self.shots is not None:
                self.shots = [s for s in self.shots if s.scene_id != action.scene_id]
            return None
        if isinstance(action, AddScene):
            self.add_scene(action)
            return None
        if isinstance(action, MoveLine):
            return self.move_line(action)
        self.shot_action(action)
        return None

    def set_voice(self, action: SetVoice) -> None:
        try:
            who = self.bible.character(action.character)
        except KeyError:
            raise Unapplied(f"the bible has no character {action.character!r}") from None
        changes = {
            k: v
            for k, v in (
                ("name", action.name),
                ("speed", action.speed),
                ("pitch", action.pitch),
                ("style", action.style),
            )
            if v is not None
        }
        spec = who.voice_spec.model_copy(update=changes)
        recast = who.model_copy(update={"voice": spec})
        self.bible = self.bible.model_copy(
            update={"characters": [recast if c.id == who.id else c for c in self.bible.characters]}
        )

    def line_action(self, action: CutLine | RewriteLine | GiveLine | RevoiceLine) -> DialogueLine:
        pos, old = self.seen_line(action.scene_id, action.line)
        scene = self.scene(action.scene_id)
        entries = self.lines[scene.id]
        k = next(i for i, (p, _) in enumerate(entries) if p == pos)
        characters = list(scene.characters)
        new: DialogueLine | None
        if isinstance(action, CutLine):
            new = None
            del entries[k]
        elif isinstance(action, RevoiceLine):
            new = old.model_copy(update={"take": old.take + 1})
            entries[k] = (pos, new)
        elif isinstance(action, RewriteLine):
            if action.text is None:  # an instruction: the writer model rewrites it
                return old
            new = old.model_copy(update={"text": action.text})
            entries[k] = (pos, new)
        else:
            try:
                who = self.bible.character(action.character)
            except KeyError:
                raise Unapplied(f"the bible has no character {action.character!r}") from None
            if not who.speaks:
                raise Unapplied(f"{who.name} does not speak (speaks: false in the bible)")
            new = old.model_copy(update={"character": who.id})
            entries[k] = (pos, new)
            if who.id not in characters:
                characters.append(who.id)
        self.replace_scene(
            scene.model_copy(
                update={
                    "characters": characters,
                    "dialogue": [d for _, d in entries],
                    "revision": scene.revision + 1,
                }
            )
        )
        self.swap_line(scene.id, old, new)
        return old

    def add_scene(self, action: AddScene) -> None:
        after = self.scene(action.after)
        location = action.location or after.location
        try:
            self.bible.location(location)
        except KeyError:
            raise Unapplied(f"the bible has no location {location!r}") from None
        characters = list(action.characters or after.characters)
        for cid in characters:
            try:
                self.bible.character(cid)
            except KeyError:
                raise Unapplied(f"the bible has no character {cid!r}") from None
        current = Script(title=self.seen.title, logline=self.seen.logline, scenes=self.scenes)
        sid = fresh_ids(current, 1)[0]
        scene = Scene(
            id=sid,
            number=after.number + 1,
            location=location,
            time_of_day=after.time_of_day,
            summary=action.summary,
            beats=[action.summary],
            characters=characters,
        )
        i = self.scenes.index(after)
        self.scenes.insert(i + 1, scene)
        self.lines[sid] = []
        self.new_scenes.append(sid)

    def move_line(self, action: MoveLine) -> DialogueLine:
        _, line = self.seen_line(action.scene_id, action.line)
        target = self.shot(action.to_shot)
        if target.scene_id != action.scene_id:
            raise Unapplied(
                f"shot {target.id} is in scene {target.scene_id}, not {action.scene_id}"
            )
        assert self.shots is not None
        for shot in list(self.shots):
            if shot.id != target.id and line in shot.dialogue:
                self.replace_shots(
                    shot.id,
                    [
                        shot.model_copy(
                            update={
                                "dialogue": [d for d in shot.dialogue if d != line],
                                "revision": shot.revision + 1,
                            }
                        )
                    ],
                )
        target = self.shot(action.to_shot)
        if line not in target.dialogue:
            scene_order = [d for _, d in self.lines[action.scene_id]]
            dialogue = sorted(
                [*target.dialogue, line],
                key=lambda d: scene_order.index(d) if d in scene_order else len(scene_order),
            )
            characters = list(target.characters)
            if line.character not in characters:
                characters.append(line.character)
                changed = self.reprompt(target, dialogue=dialogue, characters=characters)
            else:
                changed = target.model_copy(
                    update={"dialogue": dialogue, "revision": target.revision + 1}
                )
            self.replace_shots(target.id, [changed])
        return line

    def shot_action(self, action: Action) -> None:
        assert isinstance(
            action,
            SplitShot | RetimeShot | ReframeShot | MoveCamera | AddCharacter | RemoveCharacter,
        )
        shot = self.shot(action.shot_id)
        if isinstance(action, RetimeShot):
            self.replace_shots(
                shot.id,
                [
                    shot.model_copy(
                        update={"duration_s": action.seconds, "revision": shot.revision + 1}
                    )
                ],
            )
        elif isinstance(action, ReframeShot):
            update: dict[str, object] = {}
            if action.framing is not None:
                update["framing"] = action.framing
            if action.angle is not None:
                update["angle"] = action.angle
            if action.lens_mm is not None:
                update["lens_mm"] = action.lens_mm
            self.replace_shots(shot.id, [self.reprompt(shot, **update)])
        elif isinstance(action, MoveCamera):
            self.replace_shots(
                shot.id,
                [
                    shot.model_copy(
                        update={"camera_move": action.move, "revision": shot.revision + 1}
                    )
                ],
            )
        elif isinstance(action, AddCharacter):
            scene = self.scene(shot.scene_id)
            if action.character not in scene.characters:
                raise Unapplied(f"{action.character} is not in scene {scene.id}")
            if action.character not in shot.characters:
                self.replace_shots(
                    shot.id,
                    [self.reprompt(shot, characters=[*shot.characters, action.character])],
                )
        elif isinstance(action, RemoveCharacter):
            if any(d.character == action.character for d in shot.dialogue):
                raise Unapplied(f"{action.character} speaks in shot {shot.id}; move the line first")
            self.replace_shots(
                shot.id,
                [
                    self.reprompt(
                        shot, characters=[c for c in shot.characters if c != action.character]
                    )
                ],
            )
        else:
            self.replace_shots(shot.id, self.split(shot, action))

    def split(self, shot: Shot, action: SplitShot) -> list[Shot]:
        ids = part_ids(shot.id, action.into)
        taken = {s.id for s in self.shots or []}
        clash = [i for i in ids if i in taken]
        if clash:
            raise Unapplied(f"shot ids {clash} are taken")
        framings = list(action.framings) or [
            shot.framing if i % 2 == 0 else TIGHTER[shot.framing] for i in range(action.into)
        ]
        lines = list(shot.dialogue)
        per = [
            lines[i * len(lines) // action.into : (i + 1) * len(lines) // action.into]
            for i in range(action.into)
        ]
        seconds = round(shot.duration_s / action.into, 2)
        parts = []
        for sid, framing, part_lines in zip(ids, framings, per, strict=True):
            speakers = list(dict.fromkeys(d.character for d in part_lines))
            single = framing in (Framing.close, Framing.extreme_close) and speakers
            characters = speakers if single else list(shot.characters)
            part = shot.model_copy(
                update={"id": sid, "dialogue": part_lines, "duration_s": max(0.5, seconds)}
            )
            parts.append(self.reprompt(part, framing=framing, characters=characters))
        return parts

    # ------------------------------------------------------------------ result
    def result(self) -> tuple[Script, ShotList | None, list[str]]:
        scenes = [s.model_copy(update={"number": i + 1}) for i, s in enumerate(self.scenes)]
        script = self.seen.model_copy(update={"scenes": scenes})
        shots = ShotList(shots=self.shots) if self.shots is not None else None
        return script, shots, self.new_scenes
