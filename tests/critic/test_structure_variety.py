"""Structure (scene count, the lead at both ends, a turn per scene, enough talk) and shot
variety (alike cuts within a scene, the range of framings)."""

from __future__ import annotations

from reelwright.critic.structure import check_structure
from reelwright.critic.variety import check_variety
from reelwright.models import ShotList


def test_the_clean_episode_has_structure_and_variety(clean):
    assert list(check_structure(clean.brief, clean.script)) == []
    assert list(check_variety(clean.shots)) == []


def test_a_wrong_scene_count_is_an_episode_note_for_the_writer(clean):
    brief = clean.brief.model_copy(update={"scenes": 4})
    (d,) = check_structure(brief, clean.script)
    assert (d.check, d.target, d.gravity, d.scene_ids) == (
        "structure.scene_count",
        "writer",
        "major",
        (),
    )
    brief = clean.brief.model_copy(update={"scenes": 8})
    assert [d.gravity for d in check_structure(brief, clean.script)] == ["serious"]


def test_a_lead_missing_from_the_opening_and_a_single_beat_are_minor(clean):
    ep = clean.with_scene("s1", characters=["pip", "bram"], dialogue=[], beats=["Rain"])
    found = {(d.check, d.scene_ids, d.gravity) for d in check_structure(ep.brief, ep.script)}
    assert found == {
        ("structure.lead", ("s1",), "minor"),
        ("structure.single_beat", ("s1",), "minor"),
    }


def test_mostly_silent_scenes_are_major(clean):
    ep = clean.with_scene("s1", dialogue=[]).with_scene("s2", dialogue=[])
    (d,) = check_structure(ep.brief, ep.script)
    assert (d.check, d.gravity, d.scene_ids) == ("structure.silent", "major", ("s1", "s2"))


def test_alike_cuts_in_a_scene_are_minor_then_major(clean):
    ep = clean.with_shot("s2-3", angle="eye_level")  # s2-2 and s2-3: close, eye level
    (d,) = check_variety(ep.shots)
    assert (d.check, d.dimension, d.target, d.gravity, d.shot_ids) == (
        "variety.repeat_framing",
        "shot_variety",
        "director",
        "minor",
        ("s2-3",),
    )
    ep = ep.with_shot("s2-4", framing="close")
    assert [d.gravity for d in check_variety(ep.shots)] == ["minor", "major"]


def test_a_cut_between_scenes_is_not_an_alike_cut(clean):
    ep = clean.with_shot("s2-1", framing="medium", angle="high")  # like s1-4, across a scene cut
    assert list(check_variety(ep.shots)) == []


def test_an_episode_of_two_framings_is_major(clean):
    shots = ShotList(
        shots=[
            s.model_copy(update={"framing": clean.shot("s1-2").framing})
            if s.framing.value not in ("medium", "close")
            else s
            for s in clean.shots.shots
        ]
    )
    assert "variety.framings" in {d.check for d in check_variety(shots)}


def test_a_thin_brief_is_not_scored_10():
    """One character carrying twenty minutes: the offline writer fills it as best it can and
    the critic says what is wrong with the brief."""
    from pathlib import Path

    from reelwright.agents.offline import ProceduralDirector, ProceduralWriter
    from reelwright.critic.agent import Critic
    from reelwright.loading import load_bible
    from reelwright.models import Brief

    bible = load_bible(Path(__file__).parents[2] / "examples" / "bible.yaml")
    brief = Brief(
        title="Alone",
        logline="Juno fixes the lighthouse lamp alone through a long night.",
        runtime_s=1200,
        characters=["juno"],
        locations=["lighthouse"],
        scenes=8,
    )
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    critique, _ = Critic().critique(1, brief, bible, script, shots, [])
    assert "structure" in critique.failing(brief.thresholds)
    checks = {n.check for n in critique.notes}
    assert {"structure.one_voice", "structure.thin"} <= checks
    # the same brief at a short runtime with a second character is not flagged as thin
    short = brief.model_copy(update={"runtime_s": 60, "characters": ["juno", "bram"], "scenes": 3})
    script, _ = ProceduralWriter().write(short, bible)
    shots, _ = ProceduralDirector().plan(script, short, bible)
    critique, _ = Critic().critique(1, short, bible, script, shots, [])
    assert not {"structure.one_voice", "structure.thin"} & {n.check for n in critique.notes}
