"""Prompt text for the LLM agents. Untrusted text (brief, bible, notes) is sent as JSON data
inside user messages, never spliced into the system instructions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reelwright.messages import ChatMessage, ImagePart, TextPart
from reelwright.models import Bible, Brief, DialogueLine, Note, Scene, Script, Shot, ShotList

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


# What 2, 5, 8 and 10 mean on each dimension: a judge picks the nearest anchor and moves at
# most a point from it, so two samples (or two models) land in the same place.
RUBRIC_ANCHORS: dict[str, dict[int, str]] = {
    "structure": {
        2: "no story: scenes do not connect, no goal, no turn, no ending; the scene count is "
        "far from the brief's",
        5: "a goal and an ending, but the middle sags: scenes repeat a beat, the turn is "
        "missing or the lead drops out; the logline is only partly kept",
        8: "a clear goal, a turn and a payoff that keep the logline's promise; one scene is "
        "weak or redundant",
        10: "every scene moves the story on; setup, turn and payoff land; nothing repeats",
    },
    "pacing": {
        2: "the runtime is far off its target, or shots are held far too long or cut far "
        "too short throughout",
        5: "the runtime is near its target but some scenes drag or rush, or several shots "
        "are held too long for their framing",
        8: "scenes fit their time budgets; a hold or two could be trimmed",
        10: "every shot's length serves what it shows; the rhythm varies with the story",
    },
    "dialogue": {
        2: "lines repeated or near-repeated, speeches, characters out of voice (one who "
        "cannot speak talks), or lines given to characters not in the scene",
        5: "functional but flat: on-the-nose exposition, voices hard to tell apart, a "
        "near-repeat or two",
        8: "distinct voices, some subtext, no repetition; a few lines could be sharper",
        10: "every line earns its place and each voice is unmistakable",
    },
    "shot_variety": {
        2: "the same framing and angle throughout; locations never established",
        5: "some variation, but long runs of one framing, or a speaker never shown",
        8: "framing and angle vary with purpose; each location is established and every "
        "speaker covered",
        10: "coverage chosen for the story: establishing shots, singles, reverses and "
        "inserts in good proportion",
    },
    "continuity": {
        2: "shots contradict their scenes (characters or places not in them), lines in no "
        "shot, or characters look different from shot to shot",
        5: "a few shots do not match their scenes, or a character is off-model in some frames",
        8: "shots match their scenes and characters stay on-model; one minor slip",
        10: "characters, places, props and time of day are consistent throughout",
    },
    "technical": {
        2: "frames missing, blank, corrupt, or not showing what their shots describe",
        5: "several frames are weak: off-prompt, muddy, or with visible artefacts",
        8: "frames are clean and show their shots, with small flaws",
        10: "every frame is clean, legible and faithful to its shot",
    },
}
JUDGE_RUBRIC = (
    "Score each dimension 0-10 against these anchors: pick the nearest anchor, then move "
    "at most one point from it. Do not give 10 unless the 10 anchor is fully met.\n"
    + "\n".join(
        f"{dim}: " + "; ".join(f"{score} = {text}" for score, text in anchors.items())
        for dim, anchors in RUBRIC_ANCHORS.items()
    )
)


def _data(**items: Any) -> str:
    """Compact JSON: no indentation or spaces (whitespace costs tokens, tells the model nothing)."""
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"), default=str)


# Each call is sent only what it needs: the characters and location of its own scene, the
# brief's story fields (not its thresholds, budget, distribution or seed), scenes and shots
# without the fields a model cannot use (render prompts, seeds, revision counters).


def _brief(brief: Brief) -> dict[str, Any]:
    return brief.model_dump(mode="json", include={"title", "logline", "tone", "audience"})


def _character(bible: Bible, cid: str, *, full: bool = True) -> dict[str, Any]:
    """A character: for the writer with its look and voice; for the director its name (a
    shot's render prompt gets the look from the bible, not from the model)."""
    c = bible.character(cid)
    out: dict[str, Any] = {"id": c.id, "name": c.name}
    if full:
        out["description"] = c.description
        if c.voice_spec.description:
            out["voice"] = c.voice_spec.description
        if not c.speaks:  # the critic flags any line given to them
            out["speaks"] = False
    return out


def _location(bible: Bible, lid: str) -> dict[str, Any]:
    loc = bible.location(lid)
    out: dict[str, Any] = {"id": loc.id, "name": loc.name, "description": loc.description}
    if loc.interior:
        out["interior"] = True
    return out


def _line(line: DialogueLine) -> dict[str, str]:
    out = {"character": line.character, "text": line.text}
    if line.parenthetical:
        out["parenthetical"] = line.parenthetical
    return out


def _scene(scene: Scene, *, dialogue: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
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


def _shot(shot: Shot, scene: Scene | None = None) -> dict[str, Any]:
    """A shot as a model sees it. With its scene, dialogue is the indices of the scene's lines
    (the scene's text is already in the prompt); without, the lines themselves."""
    out: dict[str, Any] = shot.model_dump(
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


def _notes(notes: Sequence[Note]) -> list[dict[str, Any]]:
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
                + _data(
                    brief={
                        **_brief(brief),
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
                + _data(
                    brief=_brief(brief),
                    characters=[_character(bible, c) for c in scene.characters],
                    location=_location(bible, scene.location),
                    episode_outline=list(outline_titles),
                    scene=_scene(scene, dialogue=bool(notes)),
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
                + _data(
                    aspect_ratio=brief.aspect_ratio,
                    characters=[_character(bible, c, full=False) for c in scene.characters],
                    location=_location(bible, scene.location),
                    scene=_scene(scene),
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
                + _data(
                    aspect_ratio=brief.aspect_ratio,
                    scene=_scene(scene),
                    shot=_shot(shot),
                    notes=_notes(notes),
                )
            ),
        },
    ]


def judgement(
    brief: Brief,
    script: Script,
    shots: ShotList,
    *,
    bible: Bible | None = None,
    frames: Sequence[ImagePart] = (),
) -> list[ChatMessage]:
    """The script and shot list with the rubric; the cast's names and voices (not their looks:
    ids are enough to judge story and coverage); with `frames`, a second user message showing
    each frame after a line naming its shot. The measurements' scores are not sent: the judge
    is a second, independent opinion (see `reelwright.critic.judge`)."""
    scenes = {s.id: s for s in script.scenes}
    cast = sorted({c for s in script.scenes for c in s.characters})
    items: dict[str, Any] = {
        "brief": {**_brief(brief), "runtime_s": brief.runtime_s, "scenes": brief.scene_count},
        "script": {"title": script.title, "scenes": [_scene(s) for s in script.scenes]},
        "shots": [{"id": s.id, **_shot(s, scenes.get(s.scene_id))} for s in shots.shots],
    }
    if bible is not None:
        items["characters"] = [_cast_member(bible, c) for c in cast if _in_bible(bible, c)]
    seen = (
        f"The frames of {len(frames)} of the {len(shots.shots)} shots follow, each after "
        "its shot id; judge technical on them."
        if frames
        else "No frames are shown: judge technical only from what the shot list implies."
    )
    messages = [
        ChatMessage(role="system", content=f"{CRITIC_SYSTEM}\n\n{JUDGE_RUBRIC}"),
        ChatMessage(
            role="user",
            content="Review this episode against the rubric. A shot's lines are indices into "
            f"its scene's dialogue. {seen}\n" + _data(**items),
        ),
    ]
    if frames:
        parts: list[TextPart | ImagePart] = []
        for frame in frames:
            parts += [TextPart(text=f"Frame of {frame.label}:"), frame]
        messages.append(ChatMessage(role="user", content=tuple(parts)))
    return messages


def _in_bible(bible: Bible, character_id: str) -> bool:
    return any(c.id == character_id for c in bible.characters)


def _cast_member(bible: Bible, character_id: str) -> dict[str, Any]:
    c = bible.character(character_id)
    out: dict[str, Any] = {"id": c.id, "name": c.name, "speaks": c.speaks}
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
                + _data(
                    brief={**_brief(brief), "characters": brief.characters},
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
