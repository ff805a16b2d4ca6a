"""The director: a script in, a shot list out; revisions re-plan only the scenes or shots noted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reelwright.agents import prompts
from reelwright.agents.calls import ask, parallel_map, total_usage
from reelwright.agents.planning import scene_budgets, shot_id, to_shot
from reelwright.agents.redaction import compliance_phrases, redact_shot
from reelwright.agents.replies import shot_plan_reply, shot_revision_reply
from reelwright.llm import LLM
from reelwright.models import Bible, Brief, Note, Scene, Script, Shot, ShotList, Usage


class Director(Protocol):
    name: str

    def plan(self, script: Script, brief: Brief, bible: Bible) -> tuple[ShotList, Usage]: ...

    def revise(
        self,
        shots: ShotList,
        script: Script,
        notes: Sequence[Note],
        rewritten_scenes: Sequence[str],
        brief: Brief,
        bible: Bible,
    ) -> tuple[ShotList, Usage]: ...


def revision_targets(
    shots: ShotList, notes: Sequence[Note], rewritten_scenes: Sequence[str], script: Script
) -> tuple[set[str], dict[str, list[Note]]]:
    """Which scenes to re-plan whole, and which single shots to re-plan with which notes.

    A rewritten scene, a scene with no shots yet (one the writer added), or a director note
    naming a scene but no shot, re-plans the scene. A note naming shots re-plans those shots.
    A note naming neither concerns every shot. Scenes the writer removed are not planned:
    their shots drop out of the merged list."""
    present = {s.id for s in script.scenes}
    scenes = set(rewritten_scenes) | {s.id for s in script.scenes if not shots.for_scene(s.id)}
    per_shot: dict[str, list[Note]] = {}
    known = {s.id for s in shots.shots if s.scene_id in present}
    for note in notes:
        if note.target != "director":
            continue
        if note.shot_ids:
            for sid in note.shot_ids:
                if sid in known:
                    per_shot.setdefault(sid, []).append(note)
        elif note.scene_ids:
            scenes.update(note.scene_ids)
        else:
            for s in shots.shots:
                if s.id in known:
                    per_shot.setdefault(s.id, []).append(note)
    scenes &= present
    per_shot = {k: v for k, v in per_shot.items() if shots_scene(shots, k) not in scenes}
    return scenes, per_shot


def shots_scene(shots: ShotList, sid: str) -> str:
    return next(s.scene_id for s in shots.shots if s.id == sid)


def merge(
    shots: ShotList, script: Script, scenes: dict[str, list[Shot]], single: dict[str, Shot]
) -> ShotList:
    out: list[Shot] = []
    for scene in script.scenes:
        if scene.id in scenes:
            out.extend(scenes[scene.id])
        else:
            out.extend(single.get(s.id, s) for s in shots.for_scene(scene.id))
    return ShotList(shots=out)


def scenes_changed(shots: ShotList, script: Script) -> bool:
    """Whether the writer added or cut scenes since these shots were planned."""
    return {s.scene_id for s in shots.shots} != {s.id for s in script.scenes}


def retimed(shots: ShotList, script: Script, brief: Brief, keep: set[str]) -> ShotList:
    """Scale the shots of every scene but `keep` to the scene's share of the runtime. When
    scenes are added or cut every share changes; retiming needs no call."""
    budgets = scene_budgets(brief, script.scenes)
    out: list[Shot] = []
    for scene in script.scenes:
        scene_shots = shots.for_scene(scene.id)
        length = sum(s.duration_s for s in scene_shots)
        if scene.id in keep or not length:
            out.extend(scene_shots)
            continue
        factor = budgets[scene.id] / length
        out.extend(
            s.model_copy(
                update={"duration_s": round(min(60.0, max(0.5, s.duration_s * factor)), 2)}
            )
            for s in scene_shots
        )
    return ShotList(shots=out)


class LLMDirector:
    """One shot-plan call per scene, all scenes concurrently; single shots re-planned alone."""

    name = "llm"

    def __init__(self, llm: LLM, concurrency: int = 8) -> None:
        self.llm = llm
        self.concurrency = concurrency

    def plan(self, script: Script, brief: Brief, bible: Bible) -> tuple[ShotList, Usage]:
        budgets = scene_budgets(brief, script.scenes)
        planned = parallel_map(
            lambda s: self._plan_scene(s, budgets[s.id], [], brief, bible, 0),
            script.scenes,
            self.concurrency,
        )
        shots = [shot for scene_shots, _ in planned for shot in scene_shots]
        return ShotList(shots=shots), total_usage(u for _, u in planned)

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
        scene_notes = {
            sid: [n for n in notes if n.target == "director" and sid in n.scene_ids]
            for sid in scene_ids
        }

        def replan(item: tuple[str, str]) -> tuple[str, str, list[Shot], Usage]:
            kind, ident = item
            if kind == "scene":
                scene = script.scene(ident)
                prev = max((s.revision for s in shots.for_scene(ident)), default=-1)
                new, u = self._plan_scene(
                    scene, budgets[ident], scene_notes[ident], brief, bible, prev + 1
                )
                return kind, ident, new, u
            old = next(s for s in shots.shots if s.id == ident)
            one, u = self._revise_shot(
                script.scene(old.scene_id), old, per_shot[ident], brief, bible
            )
            return kind, ident, [one], u

        work = [("scene", s) for s in sorted(scene_ids)] + [("shot", s) for s in per_shot]
        results = parallel_map(replan, work, self.concurrency)
        phrases = compliance_phrases(notes)
        scenes = {
            i: [redact_shot(s, phrases) for s in new] for k, i, new, _ in results if k == "scene"
        }
        single = {i: redact_shot(new[0], phrases) for k, i, new, _ in results if k == "shot"}
        merged = merge(shots, script, scenes, single)
        if scenes_changed(shots, script):
            merged = retimed(merged, script, brief, keep=set(scenes))
        return merged, total_usage(r[3] for r in results)

    def _plan_scene(
        self, scene: Scene, seconds: float, notes: list[Note], brief: Brief, bible: Bible, rev: int
    ) -> tuple[list[Shot], Usage]:
        reply, usage = ask(
            self.llm,
            prompts.shot_plan(brief, bible, scene, seconds, notes),
            shot_plan_reply(scene, bible),
            agent="director",
            where=f"scene {scene.id}",
        )
        shots = [
            to_shot(
                p, sid=shot_id(scene.id, n), scene=scene, brief=brief, bible=bible, revision=rev
            )
            for n, p in enumerate(reply.shots, start=1)
        ]
        return shots, usage

    def _revise_shot(
        self, scene: Scene, shot: Shot, notes: list[Note], brief: Brief, bible: Bible
    ) -> tuple[Shot, Usage]:
        reply, usage = ask(
            self.llm,
            prompts.shot_revision(brief, bible, scene, shot, notes),
            shot_revision_reply(scene, bible),
            agent="director",
            where=f"shot {shot.id}",
        )
        new = to_shot(
            reply.shot,
            sid=shot.id,
            scene=scene,
            brief=brief,
            bible=bible,
            revision=shot.revision + 1,
        )
        return new, usage
