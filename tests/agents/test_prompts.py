"""Prompt builders send each call only what it needs, as compact JSON."""

from __future__ import annotations

import json
import re

import pytest

from reelwright.agents import prompts
from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.critic import prompts as judge_prompts
from reelwright.loading import load_inputs
from reelwright.models import DIMENSIONS, Note


@pytest.fixture
def episode(examples):
    brief, bible = load_inputs(examples / "briefs" / "storm-signal.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    return brief, bible, script, shots


def data(messages):
    _, _, rest = messages[-1]["content"].partition("\n")
    return json.loads(rest), rest


def test_a_scene_draft_carries_its_own_cast_and_place_only(episode):
    brief, bible, script, _ = episode
    scene = script.scenes[1]
    body, raw = data(prompts.scene_draft(brief, bible, scene, ["a", "b"], []))
    assert [c["id"] for c in body["characters"]] == scene.characters
    assert body["location"]["id"] == scene.location
    assert "bible" not in body and "seed" not in body["brief"]
    others = {c.id for c in bible.characters} - set(scene.characters)
    assert others and not any(bible.character(c).description in raw for c in others)
    assert "\n" not in raw and '", "' not in raw  # compact JSON


def test_a_shot_plan_has_names_not_looks_and_the_scene_dialogue(episode):
    brief, bible, script, _ = episode
    scene = script.scenes[0]
    body, raw = data(prompts.shot_plan(brief, bible, scene, 12.0, []))
    assert body["characters"] == [
        {"id": c, "name": bible.character(c).name} for c in scene.characters
    ]
    assert len(body["scene"]["dialogue"]) == len(scene.dialogue)
    assert bible.style.look not in raw


def test_the_judge_gets_script_shots_and_cast_voices_but_no_looks(episode):
    brief, bible, script, shots = episode
    messages = judge_prompts.judgement(brief, script, shots, bible=bible)
    assert len(messages) == 2  # no frames: no image message
    _, _, rest = messages[-1].text.partition("\n")
    body, raw = json.loads(rest), rest
    assert set(body) == {"brief", "script", "shots", "characters"}
    assert "measured_scores" not in body  # an independent opinion, not an echo
    assert not any(c.description in raw for c in bible.characters)
    robot = next(c for c in body["characters"] if c["id"] == "pip")
    assert robot["speaks"] is False and robot["voice"]
    assert all("prompt" not in s and "seed" not in s for s in body["shots"])
    # a shot's dialogue is indices into its scene's lines, not the lines again
    first = next(s for s in shots.shots if s.dialogue)
    scene = script.scene(first.scene_id)
    sent = next(s for s in body["shots"] if s["id"] == first.id)
    assert [scene.dialogue[i] for i in sent["lines"]] == first.dialogue


def test_the_judge_rubric_anchors_2_5_8_and_10_on_every_dimension(episode):
    brief, _, script, shots = episode
    system = judge_prompts.judgement(brief, script, shots)[0].text
    for dimension in DIMENSIONS:
        line = next(x for x in system.splitlines() if x.startswith(f"{dimension}: "))
        assert [int(m) for m in re.findall(r"(\d+) = ", line)] == [2, 5, 8, 10]
    assert "nearest anchor" in system


def test_notes_are_sent_without_their_defaults():
    note = Note(target="writer", text="sharper", scene_ids=("s2",))
    assert prompts._notes([note]) == [{"text": "sharper", "scene_ids": ["s2"]}]
