"""Shots against their scenes: who and where they show, which lines they carry, coverage."""

from __future__ import annotations

from reelwright.critic.shots import coverage, lines_in_shots, shot_scene_match
from reelwright.models import ShotList


def test_the_clean_episode_matches_its_shots(clean):
    assert shot_scene_match(clean.script, clean.shots) == []
    assert lines_in_shots(clean.script, clean.shots) == []
    assert coverage(clean.script, clean.shots) == []


def fields(d):
    return (d.check, d.dimension, d.target, d.gravity, d.scene_ids, d.shot_ids)


def test_a_shot_in_the_wrong_place_is_a_serious_continuity_defect(clean):
    ep = clean.with_shot("s2-1", location="harbour")
    (d,) = shot_scene_match(ep.script, ep.shots)
    assert fields(d) == (
        "shots.scene_match",
        "continuity",
        "director",
        "serious",
        ("s2",),
        ("s2-1",),
    )
    assert "harbour" in d.text


def test_a_shot_showing_someone_not_in_its_scene_is_flagged(clean):
    ep = clean.with_shot("s2-1", characters=["juno", "pip", "odalys"])
    (d,) = shot_scene_match(ep.script, ep.shots)
    assert d.shot_ids == ("s2-1",) and "odalys" in d.text


def test_a_shot_of_a_scene_the_script_lacks_is_flagged(clean):
    ep = clean.with_shot("s2-1", scene_id="s9")
    (d,) = shot_scene_match(ep.script, ep.shots)
    assert d.shot_ids == ("s2-1",) and d.scene_ids == ()


def test_a_line_in_no_shot_is_a_director_note_on_the_scene(clean):
    ep = clean.with_shot("s1-3", dialogue=[])
    (d,) = lines_in_shots(ep.script, ep.shots)
    assert fields(d)[:5] == ("shots.line_missing", "continuity", "director", "major", ("s1",))
    assert "s1-3" in d.shot_ids and "Line 2 of scene s1" in d.text


def test_a_line_in_a_shot_without_its_speaker_is_flagged(clean):
    ep = clean.with_shot("s1-3", characters=["juno"])  # Bram's line, Juno on screen
    (d,) = lines_in_shots(ep.script, ep.shots)
    assert fields(d) == (
        "shots.line_speaker",
        "continuity",
        "director",
        "major",
        ("s1",),
        ("s1-3",),
    )


def test_a_shot_carrying_a_line_its_scene_lacks_is_flagged(clean):
    stale = clean.shot("s1-3").dialogue[0].model_copy(update={"text": "An old draft."})
    ep = clean.with_shot("s1-3", dialogue=[stale])
    checks = sorted(d.check for d in lines_in_shots(ep.script, ep.shots))
    assert checks == ["shots.line_missing", "shots.line_speaker"]


def test_a_scene_without_shots_is_serious(clean):
    ep = clean.with_scene("s2")
    ep = type(ep)(
        ep.brief,
        ep.bible,
        ep.script,
        ShotList(shots=[s for s in ep.shots.shots if s.scene_id != "s2"]),
    )
    (d,) = lines_in_shots(ep.script, ep.shots)
    assert (d.check, d.gravity, d.scene_ids) == ("shots.scene_unshot", "serious", ("s2",))


def test_a_conversation_that_never_shows_a_speaker_is_a_coverage_defect(clean):
    ep = clean
    for sid in ("s1-1", "s1-3"):
        ep = ep.with_shot(sid, characters=["juno"])  # Bram never on screen in s1
    (d,) = coverage(ep.script, ep.shots)
    assert fields(d)[:5] == ("shots.coverage", "shot_variety", "director", "major", ("s1",))
    assert set(d.shot_ids) == {"s1-1", "s1-2", "s1-3", "s1-4"} and "bram" in d.text


def test_a_monologue_needs_no_coverage_of_listeners(clean):
    s2 = clean.scene("s2")
    ep = clean.with_scene("s2", dialogue=[d for d in s2.dialogue if d.character == "juno"])
    ep = ep.with_shot("s2-3", dialogue=[])
    for sid in ("s2-1", "s2-3", "s2-4"):
        ep = ep.with_shot(sid, characters=["juno"])
    assert coverage(ep.script, ep.shots) == []
