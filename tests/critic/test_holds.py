"""Holds: each shot against the brief's norms for its framing (configurable), each scene's
shots against its time budget, the cut against the runtime."""

from __future__ import annotations

import pytest

from reelwright.critic.holds import hold_limit, runtime, scene_lengths, shot_holds
from reelwright.models import Brief, HoldNorms


def test_the_clean_episode_holds_within_its_norms(clean):
    assert shot_holds(clean.brief, clean.shots) == []
    assert scene_lengths(clean.brief, clean.script, clean.shots) == []
    assert runtime(clean.brief, clean.script, clean.shots) == []


def test_a_close_up_held_28_seconds_is_a_serious_pacing_defect(clean):
    ep = clean.with_shot("s2-1", framing="close", duration_s=28)
    (d,) = shot_holds(ep.brief, ep.shots)
    assert (d.check, d.dimension, d.target, d.gravity, d.scene_ids, d.shot_ids) == (
        "pacing.hold",
        "pacing",
        "director",
        "serious",
        ("s2",),
        ("s2-1",),
    )


def test_a_hold_just_over_its_norm_is_major(clean):
    ep = clean.with_shot("s2-1", framing="close", duration_s=8)  # silent close-up: norm 6 s
    (d,) = shot_holds(ep.brief, ep.shots)
    assert d.gravity == "major" and "at most 6.0s" in d.text


def test_a_moving_camera_and_its_lines_buy_a_shot_time(clean):
    shot = clean.shot("s1-3")  # close, 14 words of Bram's
    assert hold_limit(shot, clean.brief) == pytest.approx(6 + 14 / 2.5)
    moving = shot.model_copy(update={"camera_move": "dolly_in"})
    assert hold_limit(moving, clean.brief) == pytest.approx(6 * 1.5 + 14 / 2.5)


def test_hold_norms_come_from_the_brief(clean):
    ep = clean.with_shot("s2-1", framing="close", duration_s=8)
    data = ep.brief.model_dump()
    data["holds"] = {"close": 10}
    brief = Brief.model_validate(data)
    assert brief.holds == HoldNorms(close=10)
    assert shot_holds(brief, ep.shots) == []


def test_lines_that_cannot_be_said_in_the_shot_are_flagged(clean):
    ep = clean.with_shot("s1-3", duration_s=1.5)  # fourteen words in a second and a half
    (d,) = shot_holds(ep.brief, ep.shots)
    assert d.gravity == "major" and "need about" in d.text


def test_a_scene_far_over_its_budget_names_its_shots(clean):
    ep = clean
    for sid in ("s2-1", "s2-2", "s2-4"):
        ep = ep.with_shot(sid, camera_move="pan", duration_s=ep.shot(sid).duration_s * 2)
    defects = scene_lengths(ep.brief, ep.script, ep.shots)
    d = next(d for d in defects if d.scene_ids == ("s2",))
    assert (d.check, d.target) == ("pacing.scene_length", "director")
    assert set(d.shot_ids) == {"s2-1", "s2-2", "s2-3", "s2-4"}


def test_a_cut_off_its_runtime_is_flagged(clean):
    brief = clean.brief.model_copy(update={"runtime_s": 120})
    (d,) = runtime(brief, clean.script, clean.shots)
    assert (d.check, d.gravity, d.target) == ("pacing.runtime", "serious", "director")
    assert d.shot_ids
