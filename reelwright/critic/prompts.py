"""The judge's prompt: an anchored rubric per dimension and the episode as JSON data (the
script, the shot list, the cast's names and voices), with frames when the judge sees them."""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.agents.prompts import (
    brief_fields,
    cast_member,
    data_block,
    in_bible,
    scene_fields,
    shot_fields,
)
from reelwright.messages import ChatMessage, ImagePart, TextPart
from reelwright.models import Bible, Brief, Script, ShotList

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
    items: dict[str, object] = {
        "brief": {**brief_fields(brief), "runtime_s": brief.runtime_s, "scenes": brief.scene_count},
        "script": {"title": script.title, "scenes": [scene_fields(s) for s in script.scenes]},
        "shots": [{"id": s.id, **shot_fields(s, scenes.get(s.scene_id))} for s in shots.shots],
    }
    if bible is not None:
        items["characters"] = [cast_member(bible, c) for c in cast if in_bible(bible, c)]
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
            f"its scene's dialogue. {seen}\n" + data_block(**items),
        ),
    ]
    if frames:
        parts: list[TextPart | ImagePart] = []
        for frame in frames:
            parts += [TextPart(text=f"Frame of {frame.label}:"), frame]
        messages.append(ChatMessage(role="user", content=tuple(parts)))
    return messages
