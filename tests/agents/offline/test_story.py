"""Story stages by scene count: every stage once, the climax and closing at the end."""

from __future__ import annotations

import pytest

from reelwright.agents.offline.story import Slots, stage_plan


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 9, 12, 40])
def test_the_plan_has_one_entry_a_scene_and_ends_on_the_climax_and_closing(n):
    plan = stage_plan(n)
    assert len(plan) == n
    assert "closing" in plan[-1] and "opening" in plan[0]
    assert "climax" in (plan[-2] if n > 2 else plan[-1])
    named = [s for stages in plan for s in stages if s != "complication"]
    assert len(named) == len(set(named))  # no stage is played twice


def test_more_scenes_add_middle_stages_in_story_order():
    assert stage_plan(4) == [["opening"], ["trouble", "decision"], ["climax"], ["closing"]]
    six = [s[0] for s in stage_plan(6)]
    assert six == ["opening", "trouble", "attempt", "setback", "climax", "closing"]
    ten = [s[0] for s in stage_plan(10)]
    assert ten[5:8] == ["complication", "low", "plan"]


def test_a_template_whose_slot_the_story_lacks_is_skipped():
    slots = Slots(lead="Juno", place="the Workshop")
    assert slots.fill("{lead} waits at {place}") == "Juno waits at the Workshop"
    assert slots.fill("{lead} fears the {threat}") is None
