"""A run whose script has fewer scenes than the brief asks: the critic's note makes the writer
add a scene and the director plan it, so the next iteration has the brief's count (LLM agents,
mocked at the HTTP layer)."""

from __future__ import annotations

import json

import pytest

from reelwright.agents.replies import OutlineReply, SceneReply, ShotPlanReply
from reelwright.agents.restructure import StructureReply
from reelwright.critic.replies import JudgementReply
from reelwright.testing import BASE_URL, ScriptedEndpoint, judgement
from tests.graphs.test_episode import run


@pytest.fixture
def fake(http) -> ScriptedEndpoint:
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    return endpoint


TWO_SCENES = {
    "title": "First Light",
    "scenes": [
        {
            "summary": summary,
            "location": loc,
            "time_of_day": "day",
            "characters": ["juno", "pip"],
            "beats": [f"beat {i}a", f"beat {i}b"],
        }
        for i, loc, summary in (
            (1, "workshop", "Juno builds a clockwork helper to repair the lighthouse lamp"),
            (2, "lighthouse", "before the fishing fleet returns at dusk"),  # the premise, told
        )
    ],
}


def test_too_few_scenes_gets_a_new_scene_and_its_shots_next_iteration(
    examples, tmp_path, settings, fake, monkeypatch
):
    # The outline's per-call schema fixes its scene count, so a short script cannot come from
    # the outline call any more; the plain reply model lets this one through to exercise the
    # structural revision (a script short of scenes however it got that way).
    from reelwright.agents import writer

    monkeypatch.setattr(writer, "outline_reply", lambda brief, bible: OutlineReply)
    fake.reply(OutlineReply, TWO_SCENES)  # the brief asks for 3
    fake.reply(JudgementReply, judgement(4.0))  # then the default: 9.0, no notes
    outcome = run(examples, tmp_path, settings)
    rec = outcome.record
    assert rec is not None and rec.iterations == 2, outcome.error
    assert rec.stop_reason == "thresholds met"
    critiques = json.loads((tmp_path / "out" / "critique.json").read_text())
    count_notes = [
        [n["text"] for n in c["notes"] if n["dimension"] == "structure"] for c in critiques
    ]
    assert count_notes == [["The brief asks for 3 scenes; the script has 2."], []]
    # iteration 2: one restructure call, the new scene drafted and planned; no redrafts, and
    # the old scenes' shots retimed to their new share of the runtime without a call
    assert fake.calls[StructureReply] == 1
    assert fake.calls[SceneReply] == 3 and fake.calls[ShotPlanReply] == 3
    script = json.loads((tmp_path / "out" / "script.json").read_text())
    assert [s["id"] for s in script["scenes"]] == ["s1", "s3", "s2"]
    shots = json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]
    assert shots[-1]["scene_id"] == "s2"  # the closing scene still closes
    assert {s["scene_id"] for s in shots} == {"s1", "s2", "s3"}
