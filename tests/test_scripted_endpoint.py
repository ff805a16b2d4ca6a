"""reelwright.testing: the scripted endpoint answers by the reply model a request asks for (in
strict-schema and in JSON mode), queued replies before `always` before the defaults; and the
package imports with the core dependencies only."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from reelwright.agents.replies import SceneReply, ShotPlanReply
from reelwright.critic.replies import JudgementReply
from reelwright.errors import LLMRequestError, LLMUnavailable
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.testing import BASE_URL, ScriptedEndpoint, ScriptedRequest, judgement

SCENE = {
    "summary": "Juno fixes the lamp",
    "beats": ["the lamp fails", "Juno climbs"],
    "dialogue": [{"character": "juno", "text": "Hold the ladder.", "parenthetical": ""}],
}


class Verdict(BaseModel):
    score: int


def make_llm(mode: str = "auto") -> OpenAILLM:
    return OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        mode=mode,  # type: ignore[arg-type]
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
    )


@pytest.fixture
def endpoint(http) -> ScriptedEndpoint:
    scripted = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=scripted)
    return scripted


def ask(model: type[BaseModel], mode: str = "auto", prompt: str = "Write it.\n{}") -> BaseModel:
    reply, _ = make_llm(mode).structured(
        [{"role": "system", "content": "You write."}, {"role": "user", "content": prompt}],
        model,
        agent="test",
    )
    return reply


@pytest.mark.parametrize("mode", ["strict", "json"])
def test_a_reply_is_found_by_the_reply_model_asked_for(endpoint, mode):
    endpoint.reply(SceneReply, SCENE)
    endpoint.reply(JudgementReply, judgement(3.0))
    assert ask(SceneReply, mode).model_dump() == SCENE
    assert ask(JudgementReply, mode).scores.pacing == 3.0  # type: ignore[attr-defined]
    assert endpoint.calls == {SceneReply: 1, JudgementReply: 1}
    assert [r.model for r in endpoint.requests] == [SceneReply, JudgementReply]


def test_queued_replies_come_first_then_always_then_the_default(endpoint):
    endpoint.reply(JudgementReply, judgement(1.0), judgement(2.0))
    endpoint.always(JudgementReply, judgement(5.0))
    scores = [ask(JudgementReply).scores.pacing for _ in range(4)]  # type: ignore[attr-defined]
    endpoint.reset(JudgementReply)
    scores.append(ask(JudgementReply).scores.pacing)  # type: ignore[attr-defined]
    assert scores == [1.0, 2.0, 5.0, 5.0, 9.0]
    assert endpoint.calls[JudgementReply] == 5


def test_a_responder_sees_the_request(endpoint):
    seen: list[ScriptedRequest] = []

    def respond(request: ScriptedRequest) -> dict:
        seen.append(request)
        return {**SCENE, "summary": request.data["summary"]}

    endpoint.always(SceneReply, respond)
    assert ask(SceneReply, prompt='Draft scene s1.\n{"summary": "dusk"}').summary == "dusk"  # type: ignore[attr-defined]
    (request,) = seen
    assert (request.model, request.instruction, request.call) == (SceneReply, "Draft scene s1.", 1)
    assert request.body["model"] == "test-model"


def test_a_scripted_failure_is_returned_on_every_call(endpoint):
    endpoint.always(ShotPlanReply, httpx.Response(503))
    with pytest.raises(LLMUnavailable):
        ask(ShotPlanReply)
    assert endpoint.calls[ShotPlanReply] == 2  # one retry, the same response each time


def test_a_malformed_scripted_reply_fails_when_scripted():
    endpoint = ScriptedEndpoint()
    with pytest.raises(ValidationError):
        endpoint.reply(SceneReply, {**SCENE, "beats": "not a list"})
    with pytest.raises(TypeError, match="JudgementReply scripted as a reply to SceneReply"):
        endpoint.always(SceneReply, JudgementReply.model_validate(judgement()))


def test_a_model_with_nothing_scripted_is_refused_by_name(endpoint):
    with pytest.raises(LLMRequestError, match="nothing scripted for Verdict"):
        ask(Verdict, "strict")
    endpoint.reply(Verdict, Verdict(score=7))  # any reply model can be scripted
    assert ask(Verdict, "strict") == Verdict(score=7)
    assert endpoint.calls == {Verdict: 1}


def test_importing_reelwright_testing_loads_no_heavy_library():
    code = (
        "import sys, reelwright.testing as t\n"
        "heavy = {'torch', 'diffusers', 'transformers', 'safetensors'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert not any('examples' in str(v) for m in (t.llm, t.server, t.diffusion)"
        " for v in vars(m).values())\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
