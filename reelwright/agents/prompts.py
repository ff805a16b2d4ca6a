"""Prompt text for the LLM agents. Untrusted text (brief, bible, notes) is sent as JSON data
inside user messages, never spliced into the system instructions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reelwright.models import Bible, Brief, DialogueLine, Note, Scene, Script, Shot

WRITER_SYSTEM = (
    "You are the staff writer of an animated series. You write short, filmable episodes: "
    "clear goals, a turn in the middle, a payoff at the end, and dialogue that sounds like "
    "people. Use only the characters and locations of the series bible, by their ids. "
    "Never use real people, brands or characters owned by others."
)
DIRECTOR_SYSTEM = (
    "You are the director. You break scenes into shots a storyboard artist can draw: "
    "vary framing and angle, establish each new location, cover every dialogue line, and "
    "keep shot durations in proportion to the scene's time budget."
)


def data_block(**items: Any) -> str:
    """Compact JSON: no indentation or spaces (whitespace costs tokens, tells the model nothing)."""
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"), default=str)


# Each call is sent only what it needs: the characters and location of its own scene, the
# brief's story fields (not its thresholds, budget, distribution or seed), scenes and shots
# without the fields a model cannot use (render prompts, seeds, revision counters).


def brief_fields(brief: Brief) -> dict[str, object]:
    return brief.model_dump(mode="json", include={"title", "logline", "tone", "audience"})


def _character(bible: Bible, cid: str, *, full: bool = True) -> dict[str, object]:
    """A character: for the writer with its look and voice; for the director its name (a
    shot's render prompt gets the look from the bible, not from the model)."""
    c = bible.character(cid)
    out: dict[str, object] = {"id": c.id, "name": c.name}
    if full:
        out["description"] = c.description
        if c.voice_spec.description:
            out["voice"] = c.voice_spec.description
        if not c.speaks:  # the critic flags any line given to them
            out["speaks"] = False
    return out


def _location(bible: Bible, lid: str) -> dict[str, object]:
    loc = bible.location(lid)
    out: dict[str, object] = {"id": loc.id, "name": loc.name, "description": loc.description}
    if loc.interior:
        out["interior"] = True
    return out


def _line(line: DialogueLine) -> dict[str, str]:
    out = {"character": line.character, "text": line.text}
    if line.parenthetical:
        out["parenthetical"] = line.parenthetical
    return out


def scene_fields(scene: Scene, *, dialogue: bool = True) -> dict[str, object]:
    out: dict[str, object] = {
        "id": scene.id,
        "location": scene.location,
        "time_of_day": scene.time_of_day,
        "summary": scene.summary,
        "characters": scene.characters,
        "beats": scene.beats,
    }
    if dialogue:
        out["dialogue"] = [_line(d) for d in scene.dialogue]
    return out


def shot_fields(shot: Shot, scene: Scene | None = None) -> dict[str, object]:
    """A shot as a model sees it. With its scene, dialogue is the indices of the scene's lines
    (the scene's text is already in the prompt); without, the lines themselves."""
    out: dict[str, object] = shot.model_dump(
        mode="json",
        include={"framing", "angle", "camera_move", "lens_mm", "duration_s", "characters"},
    )
    out["description"] = shot.description
    if scene is None:
        out["dialogue"] = [_line(d) for d in shot.dialogue]
    else:
        spoken = {(d.character, d.text) for d in shot.dialogue}
        out["lines"] = [i for i, d in enumerate(scene.dialogue) if (d.character, d.text) in spoken]
    return out


def _notes(notes: Sequence[Note]) -> list[dict[str, object]]:
    return [
        n.model_dump(mode="json", exclude_defaults=True, exclude={"target", "source"})
        for n in notes
    ]


def outline(brief: Brief, bible: Bible) -> list[dict[str, str]]:
    locations = brief.locations or [loc.id for loc in bible.locations]
    return [
        {"role": "system", "content": WRITER_SYSTEM},
        {
            "role": "user",
            "content": (
                f"Outline an episode of exactly {brief.scene_count} scenes for this brief, "
                "one entry per scene with its beats.\n"
                + data_block(
                    brief={
                        **brief_fields(brief),
                        "runtime_s": brief.runtime_s,
                        "characters": brief.characters,
                        "locations": brief.locations,
                    },
                    bible={
                        "characters": [_character(bible, c) for c in brief.characters],
                        "locations": [_location(bible, loc) for loc in locations],
                    },
                )
            ),
        },
    ]


def scene_draft(
    brief: Brief, bible: Bible, scene: Scene, outline_titles: Sequence[str], notes: Sequence[Note]
) -> list[dict[str, str]]:
    task = "Revise" if notes else "Draft"
    return [
        {"role": "system", "content": WRITER_SYSTEM},
        {
            "role": "user",
            "content": (
                f"{task} scene {scene.id}: beats and dialogue. Speakers must be among the "
                "scene's characters. Address every note.\n"
                + data_block(
                    brief=brief_fields(brief),
                    characters=[_character(bible, c) for c in scene.characters],
                    location=_location(bible, scene.location),
                    episode_outline=list(outline_titles),
                    scene=scene_fields(scene, dialogue=bool(notes)),
                    notes=_notes(notes),
                )
            ),
        },
    ]


def shot_plan(
    brief: Brief, bible: Bible, scene: Scene, seconds: float, notes: Sequence[Note]
) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": DIRECTOR_SYSTEM},
        {
            "role": "user",
            "content": (
                f"Plan the shots of scene {scene.id} in about {seconds:.1f} seconds in total. "
                "dialogue_lines are indices into the scene's dialogue list.\n"
                + data_block(
                    aspect_ratio=brief.aspect_ratio,
                    characters=[_character(bible, c, full=False) for c in scene.characters],
                    location=_location(bible, scene.location),
                    scene=scene_fields(scene),
                    notes=_notes(notes),
                )
            ),
        },
    ]


def shot_revision(
    brief: Brief, bible: Bible, scene: Scene, shot: Shot, notes: Sequence[Note]
) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": DIRECTOR_SYSTEM},
        {
            "role": "user",
            "content": (
                f"Re-plan shot {shot.id} of scene {scene.id}, addressing the notes.\n"
                + data_block(
                    aspect_ratio=brief.aspect_ratio,
                    scene=scene_fields(scene),
                    shot=shot_fields(shot),
                    notes=_notes(notes),
                )
            ),
        },
    ]


def in_bible(bible: Bible, character_id: str) -> bool:
    return any(c.id == character_id for c in bible.characters)


def cast_member(bible: Bible, character_id: str) -> dict[str, object]:
    c = bible.character(character_id)
    out: dict[str, object] = {"id": c.id, "name": c.name, "speaks": c.speaks}
    if c.voice_spec.description:
        out["voice"] = c.voice_spec.description
    return out


def restructure(
    brief: Brief, bible: Bible, script: Script, notes: Sequence[Note]
) -> list[dict[str, str]]:
    """The scene count is wrong: which scenes to cut and which to add, and where."""
    want, have = brief.scene_count, len(script.scenes)
    locations = brief.locations or [loc.id for loc in bible.locations]
    return [
        {"role": "system", "content": WRITER_SYSTEM},
        {
            "role": "user",
            "content": (
                f"The brief asks for exactly {want} scenes; the script has {have}. Remove scenes "
                "by id and add new ones, each after the scene whose id it names (empty to open "
                f"the episode), so that it has exactly {want} and the story still flows.\n"
                + data_block(
                    brief={**brief_fields(brief), "characters": brief.characters},
                    bible={
                        "characters": [_character(bible, c) for c in brief.characters],
                        "locations": [_location(bible, loc) for loc in locations],
                    },
                    script=[
                        {
                            "id": s.id,
                            "location": s.location,
                            "characters": s.characters,
                            "summary": s.summary,
                        }
                        for s in script.scenes
                    ],
                    notes=_notes(notes),
                )
            ),
        },
    ]
