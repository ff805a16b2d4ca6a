"""Every structured action, applied to an offline episode and checked; each check also shown
failing on the episode the action was not applied to."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.loading import load_inputs
from reelwright.models import ActionOutcome, Script, ShotList
from reelwright.revisions import apply_actions, check_outcomes


@pytest.fixture(scope="module")
def episode():
    examples = Path(__file__).parents[2] / "examples"
    brief, bible = load_inputs(examples / "briefs" / "storm-signal.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    return brief, bible, script, shots


def _spoken(script: Script, shots: ShotList):
    """A scene with two lines, its first line's shot, and another shot of that scene."""
    for scene in script.scenes:
        scene_shots = shots.for_scene(scene.id)
        if len(scene.dialogue) >= 2 and len(scene_shots) >= 2:
            holder = next(s for s in scene_shots if scene.dialogue[0] in s.dialogue)
            other = next(s for s in scene_shots if s.id != holder.id)
            return scene, holder, other
    raise AssertionError("no scene with two lines and two shots")


def actions_for(script: Script, shots: ShotList, bible) -> dict[str, dict]:
    scene, holder, other = _spoken(script, shots)
    first = scene.dialogue[0]
    speaker_other = next(
        c for c in scene.characters if c != first.character and bible.character(c).speaks
    )
    silent_free = next(s for s in shots.shots if not s.dialogue and s.characters)
    lacking, absent = next(  # not the shot the split replaces: both go in one decision
        (shot, c)
        for sc in script.scenes
        for shot in shots.for_scene(sc.id)
        for c in sc.characters
        if c not in shot.characters and shot.id != holder.id
    )
    last = script.scenes[-1]
    return {
        "split_shot": {
            "kind": "split_shot",
            "shot_id": holder.id,
            "into": 2,
            "framings": ["close", "close"],
        },
        "retime_shot": {"kind": "retime_shot", "shot_id": other.id, "seconds": 3.5},
        "reframe_shot": {
            "kind": "reframe_shot",
            "shot_id": other.id,
            "framing": "extreme_wide",
            "angle": "low",
        },
        "camera_move": {"kind": "camera_move", "shot_id": other.id, "move": "crane"},
        "add_character": {"kind": "add_character", "shot_id": lacking.id, "character": absent},
        "remove_character": {
            "kind": "remove_character",
            "shot_id": silent_free.id,
            "character": silent_free.characters[0],
        },
        "move_line": {"kind": "move_line", "scene_id": scene.id, "line": 1, "to_shot": other.id},
        "cut_line": {"kind": "cut_line", "scene_id": scene.id, "line": 2},
        "rewrite_line": {
            "kind": "rewrite_line",
            "scene_id": scene.id,
            "line": 1,
            "text": "Hold the light steady, I can see the boat.",
        },
        "give_line": {
            "kind": "give_line",
            "scene_id": scene.id,
            "line": 1,
            "character": speaker_other,
        },
        "add_beat": {"kind": "add_beat", "scene_id": scene.id, "text": "The lamp flickers."},
        "cut_scene": {"kind": "cut_scene", "scene_id": script.scenes[1].id},
        "add_scene": {"kind": "add_scene", "after": last.id, "summary": "A quiet coda."},
    }


def _apply(episode, action: dict) -> tuple[ActionOutcome, Script, ShotList]:
    from reelwright.models import Approval

    brief, bible, script, shots = episode
    (act,) = Approval(decision="reject", by="t", actions=(action,)).actions
    revision = apply_actions(script, shots, [act], brief, bible)
    (outcome,) = revision.outcomes
    assert outcome.applied, outcome.reason
    assert revision.shots is not None
    if revision.new_scenes:  # the director covers a new scene
        revision.shots = ProceduralDirector().revise(
            revision.shots, revision.script, [], revision.new_scenes, brief, bible
        )[0]
    return outcome, revision.script, revision.shots


KINDS = [
    "split_shot",
    "retime_shot",
    "reframe_shot",
    "camera_move",
    "add_character",
    "remove_character",
    "move_line",
    "cut_line",
    "rewrite_line",
    "give_line",
    "add_beat",
    "cut_scene",
    "add_scene",
]


@pytest.mark.parametrize("kind", KINDS)
def test_each_action_is_applied_and_checked_addressed(episode, kind):
    brief, bible, script, shots = episode
    outcome, new_script, new_shots = _apply(episode, actions_for(script, shots, bible)[kind])
    (checked,) = check_outcomes([outcome], new_script, new_shots)
    assert checked.addressed, checked.reason
    assert checked.after or kind == "cut_scene"
    # the same check on the episode as it was: the action's effect is not there
    (unchanged,) = check_outcomes([outcome], script, shots)
    assert not unchanged.addressed and unchanged.reason


@pytest.mark.parametrize("kind", ["split_shot", "retime_shot", "cut_line", "give_line"])
def test_untouched_shots_stay_identical(episode, kind):
    brief, bible, script, shots = episode
    _, _, new_shots = _apply(episode, actions_for(script, shots, bible)[kind])
    before = {s.id: s for s in shots.shots}
    changed = [s for s in new_shots.shots if before.get(s.id) != s]
    assert 1 <= len(changed) <= 2
    scene, _, _ = _spoken(script, shots)  # every action of these four acts in this scene
    assert {s.scene_id for s in changed} == {scene.id}, [s.id for s in changed]
    assert len(new_shots.shots) - len(changed) >= len(shots.shots) - 2


def test_split_into_singles_gives_each_part_its_speaker(episode):
    brief, bible, script, shots = episode
    holder = next(s for s in shots.shots if s.dialogue and s.framing.value != "close")
    outcome, _, new_shots = _apply(
        episode,
        {"kind": "split_shot", "shot_id": holder.id, "into": 2, "framings": ["close", "medium"]},
    )
    parts = [s for s in new_shots.shots if s.id in (f"{holder.id}a", f"{holder.id}b")]
    assert [p.framing.value for p in parts] == ["close", "medium"]
    assert sum(p.duration_s for p in parts) == pytest.approx(holder.duration_s, abs=0.02)
    assert [d for p in parts for d in p.dialogue] == holder.dialogue
    for part in parts:
        assert {d.character for d in part.dialogue} <= set(part.characters)
        assert part.prompt != holder.prompt or part.framing == holder.framing
    assert parts[0].prompt.startswith("close-up")


def test_an_action_that_cannot_apply_says_why(episode):
    from reelwright.models import Approval

    brief, bible, script, shots = episode
    decision = Approval(
        decision="reject",
        by="t",
        actions=(
            {"kind": "split_shot", "shot_id": "s99-1"},
            {"kind": "cut_line", "scene_id": script.scenes[0].id, "line": 99},
            {"kind": "give_line", "scene_id": script.scenes[0].id, "line": 1, "character": "pip"},
            {"kind": "retime_shot", "shot_id": shots.shots[0].id, "seconds": 2},
        ),
    )
    revision = apply_actions(script, shots, decision.actions, brief, bible)
    reasons = [o.reason for o in revision.outcomes]
    assert reasons[0] == "shot s99-1 no longer exists"
    assert "has no line 99" in reasons[1]
    assert "does not speak" in reasons[2]
    assert [o.applied for o in revision.outcomes] == [False, False, False, True]
    checked = check_outcomes(revision.outcomes, revision.script, revision.shots)
    assert [o.addressed for o in checked] == [False, False, False, True]


def test_line_numbers_refer_to_the_script_as_seen(episode):
    """Cutting line 1 and rewriting line 2 in one decision rewrites the line that was 2nd."""
    from reelwright.models import Approval

    brief, bible, script, shots = episode
    scene = next(s for s in script.scenes if len(s.dialogue) >= 3)
    second = scene.dialogue[1]
    decision = Approval(
        decision="reject",
        by="t",
        actions=(
            {"kind": "cut_line", "scene_id": scene.id, "line": 1},
            {"kind": "rewrite_line", "scene_id": scene.id, "line": 2, "text": "New words."},
            {"kind": "cut_line", "scene_id": scene.id, "line": 1},
        ),
    )
    revision = apply_actions(script, shots, decision.actions, brief, bible)
    new = revision.script.scene(scene.id).dialogue
    assert new[0].text == "New words." and new[0].character == second.character
    assert len(new) == len(scene.dialogue) - 1
    assert "cut by an earlier action" in revision.outcomes[2].reason


def test_malformed_actions_are_refused_by_the_decision_model():
    from pydantic import ValidationError

    from reelwright.models import Approval

    bad = [
        {"kind": "split_shot", "shot_id": "s1-1", "into": 2, "framings": ["close"]},
        {"kind": "rewrite_line", "scene_id": "s1", "line": 1},
        {"kind": "reframe_shot", "shot_id": "s1-1"},
        {"kind": "retime_shot", "shot_id": "s1-1", "seconds": 0},
        {"kind": "explode_shot", "shot_id": "s1-1"},
        {"kind": "cut_line", "scene_id": "../etc", "line": 1},
    ]
    for action in bad:
        with pytest.raises(ValidationError):
            Approval(decision="reject", by="t", actions=(action,))
