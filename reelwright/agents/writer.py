"""The writer: a brief and a bible in, a script out; revisions rewrite only the scenes noted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reelwright.agents import prompts
from reelwright.agents.calls import ask, parallel_map, total_usage
from reelwright.agents.planning import notes_by_scene, scene_id
from reelwright.agents.redaction import redacted_script
from reelwright.agents.replies import outline_reply, scene_reply
from reelwright.agents.restructure import (
    StructureReply,
    fresh_ids,
    needs_restructure,
    restructured,
    structural,
)
from reelwright.llm import LLM
from reelwright.models import Bible, Brief, DialogueLine, Note, Scene, Script, Usage


class Writer(Protocol):
    name: str

    def write(self, brief: Brief, bible: Bible) -> tuple[Script, Usage]: ...

    def revise(
        self, script: Script, notes: Sequence[Note], brief: Brief, bible: Bible
    ) -> tuple[Script, list[str], Usage]:
        """Return the new script, the ids of the scenes rewritten or added, and usage. When
        the scene count is not the brief's and a structure note says so, scenes are added or
        removed first."""
        ...


class LLMWriter:
    """Beat outline in one call, then every scene drafted concurrently."""

    name = "llm"

    def __init__(self, llm: LLM, concurrency: int = 8) -> None:
        self.llm = llm
        self.concurrency = concurrency

    def write(self, brief: Brief, bible: Bible) -> tuple[Script, Usage]:
        outline, usage = ask(
            self.llm,
            prompts.outline(brief, bible),
            outline_reply(brief, bible),
            agent="writer",
            where="outline",
        )
        skeletons = [
            Scene(
                id=scene_id(i),
                number=i,
                location=o.location,
                time_of_day=o.time_of_day,
                summary=o.summary,
                beats=o.beats,
                characters=list(dict.fromkeys(o.characters)),
            )
            for i, o in enumerate(outline.scenes, start=1)
        ]
        titles = [s.summary for s in skeletons]
        drafted = parallel_map(
            lambda s: self._draft(brief, bible, s, titles, []), skeletons, self.concurrency
        )
        scenes = [scene for scene, _ in drafted]
        usage = usage + total_usage(u for _, u in drafted)
        title = outline.title.strip() or brief.title
        return Script(title=title, logline=brief.logline, scenes=scenes), usage

    def revise(
        self, script: Script, notes: Sequence[Note], brief: Brief, bible: Bible
    ) -> tuple[Script, list[str], Usage]:
        usage = Usage()
        added: list[str] = []
        scene_notes = list(notes)
        if needs_restructure(script, brief, notes):
            script, added, usage = self._restructure(script, notes, brief, bible)
            scene_notes = [n for n in notes if not structural(n)]
        by_scene = notes_by_scene(scene_notes, [s.id for s in script.scenes])
        titles = [s.summary for s in script.scenes]
        targets = [s for s in script.scenes if s.id in by_scene or s.id in added]
        drafted = parallel_map(
            lambda s: self._draft(brief, bible, s, titles, by_scene.get(s.id, [])),
            targets,
            self.concurrency,
        )
        new = {scene.id: scene for scene, _ in drafted}
        scenes = [new.get(s.id, s) for s in script.scenes]
        usage = usage + total_usage(u for _, u in drafted)
        return redacted_script(script, scenes, notes), list(new), usage

    def _restructure(
        self, script: Script, notes: Sequence[Note], brief: Brief, bible: Bible
    ) -> tuple[Script, list[str], Usage]:
        """One call: which scenes to cut, which to add where. New scenes come back as skeletons
        (outline entries with fresh ids) for the drafting round."""
        reply, usage = self.llm.structured(
            prompts.restructure(brief, bible, script, [n for n in notes if structural(n)]),
            StructureReply,
            agent="writer",
            context={
                "characters": set(brief.characters),
                "locations": set(brief.locations or [loc.id for loc in bible.locations]),
                "scene_ids": {s.id for s in script.scenes},
                "scene_count": brief.scene_count,
            },
            where="scene structure",
        )
        ids = fresh_ids(script, len(reply.add))
        added = [
            (
                a.after,
                Scene(
                    id=sid,
                    number=1,  # renumbered in place
                    location=a.location,
                    time_of_day=a.time_of_day,
                    summary=a.summary,
                    beats=a.beats,
                    characters=list(dict.fromkeys(a.characters)),
                ),
            )
            for sid, a in zip(ids, reply.add, strict=True)
        ]
        return restructured(script, set(reply.remove), added), ids, usage

    def _draft(
        self, brief: Brief, bible: Bible, scene: Scene, titles: list[str], notes: list[Note]
    ) -> tuple[Scene, Usage]:
        reply, usage = ask(
            self.llm,
            prompts.scene_draft(brief, bible, scene, titles, notes),
            scene_reply(scene, bible),
            agent="writer",
            where=f"scene {scene.id}",
        )
        drafted = scene.model_copy(
            update={
                "summary": reply.summary,
                "beats": reply.beats,
                "dialogue": [
                    DialogueLine(character=d.character, text=d.text, parenthetical=d.parenthetical)
                    for d in reply.dialogue
                ],
                "revision": scene.revision + (1 if notes else 0),
            }
        )
        return Scene.model_validate(drafted.model_dump()), usage
