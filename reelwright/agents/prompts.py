"""Prompt text for the LLM agents. Untrusted text (brief, bible, notes) is sent as JSON data
inside user messages, never spliced into the system instructions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reelwright.models import Bible, Brief, Note, Scene, Script, Shot, ShotList

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
CRITIC_SYSTEM = (
    "You are a demanding story editor and director of photography reviewing an episode. "
    "Score each dimension 0-10 and write specific notes, each aimed at the writer (story, "
    "dialogue, structure) or the director (shots, pacing, variety), naming scene or shot ids."
)


def _data(**items: Any) -> str:
    return json.dumps(items, ensure_ascii=False, indent=1, default=str)


def _bible(bible: Bible) -> dict[str, Any]:
    return bible.model_dump(mode="json")


def _brief(brief: Brief) -> dict[str, Any]:
    return brief.model_dump(mode="json", exclude={"thresholds", "budget", "distribution"})


def outline(brief: Brief, bible: Bible) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": WRITER_SYSTEM},
        {
            "role": "user",
            "content": (
                f"Outline an episode of exactly {brief.scene_count} scenes for this brief, "
                "one entry per scene with its beats.\n"
                + _data(brief=_brief(brief), bible=_bible(bible))
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
                + _data(
                    brief=_brief(brief),
                    bible=_bible(bible),
                    episode_outline=list(outline_titles),
                    scene=scene.model_dump(mode="json"),
                    notes=[n.model_dump(mode="json") for n in notes],
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
                + _data(
                    aspect_ratio=brief.aspect_ratio,
                    bible=_bible(bible),
                    scene=scene.model_dump(mode="json"),
                    notes=[n.model_dump(mode="json") for n in notes],
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
                + _data(
                    aspect_ratio=brief.aspect_ratio,
                    scene=scene.model_dump(mode="json"),
                    shot=shot.model_dump(mode="json", exclude={"prompt", "negative_prompt"}),
                    notes=[n.model_dump(mode="json") for n in notes],
                )
            ),
        },
    ]


def judgement(
    brief: Brief, script: Script, shots: ShotList, measured: dict[str, float]
) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": CRITIC_SYSTEM},
        {
            "role": "user",
            "content": "Review this episode.\n"
            + _data(
                brief=_brief(brief),
                script=script.model_dump(mode="json"),
                shots=[
                    s.model_dump(mode="json", exclude={"prompt", "negative_prompt", "seed"})
                    for s in shots.shots
                ],
                measured_scores=measured,
            ),
        },
    ]
