"""Scores are built from measurements: the clean share of each dimension's units, capped by
the gravest defect; a clean episode scores 10 and passes, one defect of weight fails its
dimension."""

from __future__ import annotations

import pytest

from reelwright.critic.agent import Critic
from reelwright.critic.defects import Defect
from reelwright.critic.measure import measure
from reelwright.critic.scoring import score
from reelwright.models import DIMENSIONS


def measured(ep):
    return measure(ep.brief, ep.bible, ep.script, ep.shots, renders=[])


def test_the_clean_episode_has_no_defect_but_its_missing_frames(clean):
    m = measured(clean)
    assert [d.check for d in m.defects] == ["qc.missing_frame"] * len(clean.shots.shots)
    assert {d: s for d, s in m.scores.items() if d != "technical"} == dict.fromkeys(
        [d for d in DIMENSIONS if d != "technical"], 10.0
    )
    assert m.scores["technical"] == 0.0  # nothing rendered: measured, not assumed


def defect(gravity, dimension="dialogue"):
    return Defect("x.y", dimension, "writer", gravity, "text")


@pytest.mark.parametrize(
    ("units", "gravities", "expected"),
    [
        (10, [], 10.0),
        (10, ["minor"], 9.5),  # half a unit of ten
        (10, ["minor"] * 4, 8.0),
        (10, ["major"], 6.5),  # 9.0 by share, capped
        (40, ["major"], 6.5),  # one major defect fails however long the episode
        (10, ["serious"], 4.0),
        (4, ["major", "major", "major"], 2.5),  # the share is lower than the cap
        (2, ["serious", "serious"], 0.0),
    ],
)
def test_a_score_is_the_clean_share_capped_by_the_gravest_defect(units, gravities, expected):
    assert score(units, [defect(g) for g in gravities]) == expected


def test_one_major_defect_fails_its_dimension_and_the_episode(clean):
    ep = clean.with_scene(
        "s3",
        dialogue=[
            *clean.scene("s3").dialogue[:2],
            clean.scene("s1").dialogue[0].model_copy(),  # a repeated line
        ],
    )
    critique, _ = Critic().critique(1, ep.brief, ep.bible, ep.script, ep.shots, [])
    assert critique.scores["dialogue"] == 6.5
    assert "dialogue" in critique.failing(ep.brief.thresholds)


def test_a_thin_brief_of_one_beat_does_not_score_ten(clean):
    """One character, twenty minutes, eight scenes of the same beat."""
    one = clean.scene("s2").model_copy(
        update={"characters": ["juno"], "dialogue": clean.scene("s2").dialogue[:1]}
    )
    scenes = [one.model_copy(update={"id": f"s{k}", "number": k}) for k in range(1, 9)]
    brief = clean.brief.model_copy(update={"characters": ["juno"], "runtime_s": 1200, "scenes": 8})
    script = clean.script.model_copy(update={"scenes": scenes})
    critique, _ = Critic().critique(1, brief, clean.bible, script, clean.shots, [])
    assert critique.overall < 7
    assert critique.scores["structure"] <= 4.0  # the same beat eight times over
    assert critique.scores["dialogue"] <= 6.5  # the same line eight times over
    assert {"structure", "dialogue", "pacing", "continuity", "overall"} <= set(
        critique.failing(brief.thresholds)
    )
