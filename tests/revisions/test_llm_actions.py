"""With a model, a rewrite instruction reaches the writer as an explicit instruction, and
the result is checked against it."""

from __future__ import annotations

import json

import pytest

from reelwright.agents.replies import SceneReply
from reelwright.api import resume_run
from reelwright.testing import BASE_URL, ScriptedEndpoint
from tests.graphs.test_episode import run


@pytest.fixture
def fake(http) -> ScriptedEndpoint:
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    return endpoint


def _reject_with_instruction(examples, tmp_path, settings, fake):
    from tests.graphs.test_episode import make_llm

    outcome = run(examples, tmp_path, settings, auto_approve=False)
    assert outcome.status == "awaiting_approval", outcome.error
    script = json.loads((tmp_path / "out" / "script.json").read_text())
    first = script["scenes"][0]["dialogue"][0]
    fake.calls.clear()
    revised = resume_run(
        outcome.run_id,
        settings=settings,
        llm=make_llm(),
        decision={
            "decision": "reject",
            "by": "sam",
            "actions": [
                {
                    "kind": "rewrite_line",
                    "scene_id": "s1",
                    "line": 1,
                    "instruction": "make it a question",
                }
            ],
        },
    )
    assert revised.status == "awaiting_approval", revised.error
    critique = json.loads((tmp_path / "out" / "critique.json").read_text())
    (outcome_,) = critique[-1]["addressed"]
    return first, outcome_


def test_a_rewrite_instruction_is_sent_and_checked(examples, tmp_path, settings, fake):
    seen: list[str] = []

    def scene(request):
        if request.instruction.startswith("Revise"):
            seen.append(json.dumps(request.body))
        from reelwright.testing.llm import _scene

        return _scene(request)

    fake.always(SceneReply, scene)
    first, outcome = _reject_with_instruction(examples, tmp_path, settings, fake)
    assert len(seen) == 1
    assert "make it a question" in seen[0] and first["text"] in seen[0]
    assert outcome["addressed"] is True and outcome["line"]["text"] == first["text"]


def test_a_model_that_ignores_the_instruction_is_marked_not_addressed(
    examples, tmp_path, settings, fake
):
    def unchanged(request):
        from reelwright.testing.llm import _scene

        scene = request.data["scene"]
        if not request.instruction.startswith("Revise"):
            return _scene(request)
        return {
            "summary": scene["summary"],
            "beats": scene["beats"],
            "dialogue": [{"parenthetical": "", **d} for d in scene["dialogue"]],
        }

    fake.always(SceneReply, unchanged)
    _, outcome = _reject_with_instruction(examples, tmp_path, settings, fake)
    assert outcome["addressed"] is False and outcome["reason"] == "the line is unchanged"
