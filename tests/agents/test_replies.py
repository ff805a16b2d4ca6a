"""Model replies over a field's length: free text is trimmed at a word boundary (never a crash
that a resume would repeat); ids still fail validation and are re-asked."""

from __future__ import annotations

import json

import httpx
import pytest

from reelwright.agents.replies import LineReply
from reelwright.api import resume_run, run_episode
from reelwright.critic.replies import JudgementReply, NoteReply
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.models import Note
from reelwright.testing import BASE_URL, ScriptedEndpoint, judgement

MODEL_CLEARANCE = """
  - {id: test-model, kind: model, licence: test terms, permitted_uses: [scripts]}
"""
SCORES = dict.fromkeys(
    ["structure", "pacing", "dialogue", "shot_variety", "continuity", "technical"], 9.0
)


def make_llm() -> OpenAILLM:
    return OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
    )


def test_an_overlong_line_is_trimmed_at_a_word_boundary():
    text = "The lamp is out and the fleet is late " * 40
    line = LineReply.model_validate({"character": "juno", "text": text, "parenthetical": ""})
    assert len(line.text) <= 600
    assert line.text.endswith("…")
    assert text.startswith(line.text[:-1]) and text[len(line.text) - 1] == " "


def test_a_short_line_is_left_alone():
    line = LineReply.model_validate({"character": "juno", "text": " Hi. ", "parenthetical": ""})
    assert line.text == " Hi. "


def test_an_overlong_judge_note_fits_a_note():
    reply = NoteReply.model_validate(
        {
            "target": "writer",
            "dimension": "pacing",
            "text": "slow " * 2000,
            "scene_ids": [],
            "shot_ids": [],
        }
    )
    assert Note(target=reply.target, text=reply.text).text == reply.text
    assert len(reply.text) <= 2000


def test_unknown_ids_are_still_reasked(http):
    bad = {
        "target": "director",
        "dimension": "x",
        "text": "t",
        "scene_ids": [],
        "shot_ids": ["s9-9"],
    }
    good = {**bad, "shot_ids": ["s1-1"]}
    endpoint = ScriptedEndpoint().reply(
        JudgementReply, {"scores": SCORES, "notes": [bad]}, {"scores": SCORES, "notes": [good]}
    )
    route = http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    reply, _ = make_llm().structured(
        [{"role": "user", "content": "judge"}],
        JudgementReply,
        agent="critic",
        context={"scene_ids": {"s1"}, "shot_ids": {"s1-1"}},
    )
    assert route.call_count == 2 and reply.notes[0].shot_ids == ["s1-1"]


@pytest.fixture
def fake(http) -> ScriptedEndpoint:
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    return endpoint


def test_a_judge_note_over_the_limit_does_not_fail_the_run(examples, tmp_path, settings, fake):
    ledger = tmp_path / "rights.yaml"
    ledger.write_text((examples / "rights.yaml").read_text() + MODEL_CLEARANCE)
    note = {
        "target": "director",
        "dimension": "pacing",
        "text": "Tighten the middle of the episode. " * 200,
        "scene_ids": [],
        "shot_ids": ["s1-1"],
    }
    fake.reply(JudgementReply, judgement(4.0, [note]))  # sent over-long, as given
    outcome = run_episode(
        examples / "briefs" / "first-light.yaml",
        out=tmp_path / "out",
        settings=settings,
        llm=make_llm(),
        rights=ledger,
        auto_approve=True,
    )
    assert outcome.status == "published", outcome.error
    critiques = json.loads((tmp_path / "out" / "critique.json").read_text())
    judged = [n for n in critiques[0]["notes"] if n["source"] == "judge"]
    assert len(judged) == 1 and len(judged[0]["text"]) <= 2000
    assert judged[0]["text"].startswith("Tighten the middle")
    again = resume_run(outcome.run_id, settings=settings, llm=make_llm())
    assert again.status == "published"
