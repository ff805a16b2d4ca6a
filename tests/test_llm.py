"""The LLM port against a respx-mocked OpenAI-compatible endpoint: each case counts HTTP calls."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from pydantic import BaseModel, Field

from reelwright.errors import (
    LLMAuthError,
    LLMInvalidReply,
    LLMRefusal,
    LLMRequestError,
    LLMTruncated,
    LLMUnavailable,
)
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.testing import BASE_URL, completion


class Verdict(BaseModel):
    score: int = Field(ge=0, le=10)
    reason: str


MESSAGES = [{"role": "user", "content": "rate it"}]
GOOD = '{"score": 7, "reason": "tight"}'


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def llm(waits: list[float]) -> OpenAILLM:
    return OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=4, max_wait_s=5.0, sleep=waits.append),
    )


def route(http: respx.MockRouter, *responses: object) -> respx.Route:
    return http.post(f"{BASE_URL}/chat/completions").mock(side_effect=list(responses))


def test_structured_reply_is_parsed_with_strict_schema_and_usage(http, llm):
    r = route(http, completion(GOOD, prompt_tokens=11, completion_tokens=4))
    verdict, usage = llm.structured(MESSAGES, Verdict, agent="critic")
    assert verdict == Verdict(score=7, reason="tight")
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (1, 11, 4)
    sent = json.loads(r.calls[0].request.content)
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert sent["response_format"]["json_schema"]["schema"]["additionalProperties"] is False
    assert r.calls[0].request.headers["authorization"] == "Bearer sk-test"


def test_429_honours_retry_after_then_succeeds(http, llm, waits):
    r = route(
        http,
        httpx.Response(429, headers={"retry-after": "2"}, json={"error": {"message": "slow down"}}),
        completion(GOOD),
    )
    assert llm.structured(MESSAGES, Verdict, agent="w")[0].score == 7
    assert r.call_count == 2
    assert waits == [2.0]


def test_retry_after_is_capped(http, llm, waits):
    route(http, httpx.Response(429, headers={"retry-after": "600"}), completion(GOOD))
    llm.structured(MESSAGES, Verdict, agent="w")
    assert waits == [5.0]


def test_500_500_then_success_with_growing_jittered_waits(http, llm, waits):
    r = route(http, httpx.Response(500), httpx.Response(503), completion(GOOD))
    llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 3
    assert len(waits) == 2
    assert 0.25 <= waits[0] <= 0.5 and 0.5 <= waits[1] <= 1.0


def test_timeout_then_success(http, llm):
    r = route(http, httpx.ReadTimeout("slow"), completion(GOOD))
    assert llm.structured(MESSAGES, Verdict, agent="w")[0].reason == "tight"
    assert r.call_count == 2


def test_connection_error_then_success(http, llm):
    r = route(http, httpx.ConnectError("refused"), completion(GOOD))
    llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 2


def test_malformed_json_gets_a_repair_reask(http, llm):
    r = route(http, completion('{"score": 7, "reason": '), completion(GOOD))
    verdict, usage = llm.structured(MESSAGES, Verdict, agent="w")
    assert verdict.score == 7 and usage.calls == 2
    assert r.call_count == 2
    repair = json.loads(r.calls[1].request.content)["messages"]
    assert repair[-2] == {"role": "assistant", "content": '{"score": 7, "reason": '}
    assert "not valid JSON" in repair[-1]["content"]


def test_schema_invalid_reply_gets_a_repair_reask(http, llm):
    r = route(http, completion('{"score": 42, "reason": "x"}'), completion(GOOD))
    assert llm.structured(MESSAGES, Verdict, agent="w")[0].score == 7
    assert r.call_count == 2
    assert "score" in json.loads(r.calls[1].request.content)["messages"][-1]["content"]


def test_repairs_are_bounded(http, llm):
    r = route(http, *[completion("nope")] * 3)
    with pytest.raises(LLMInvalidReply, match="2 repair re-asks"):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 3


def test_401_fails_at_once_with_a_clear_message(http, llm, waits):
    r = route(http, httpx.Response(401, json={"error": {"message": "Incorrect API key"}}))
    with pytest.raises(LLMAuthError, match=r"rejected the API key \(401\).*Incorrect API key"):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 1 and waits == []


@pytest.mark.parametrize("status", [403, 404, 422])
def test_other_client_errors_are_not_retried(http, llm, status):
    r = route(http, httpx.Response(status, json={"error": {"message": "no"}}))
    with pytest.raises((LLMAuthError, LLMRequestError)):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 1


def test_400_unrelated_to_schema_is_not_retried(http, llm):
    r = route(http, httpx.Response(400, json={"error": {"message": "max_tokens too large"}}))
    with pytest.raises(LLMRequestError, match="max_tokens"):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 1


def test_server_without_strict_schemas_falls_back_to_json_mode(http, llm):
    r = route(
        http,
        httpx.Response(400, json={"error": {"message": "response_format json_schema unsupported"}}),
        completion(GOOD),
        completion(GOOD),
    )
    llm.structured(MESSAGES, Verdict, agent="w")
    second = json.loads(r.calls[1].request.content)
    assert second["response_format"] == {"type": "json_object"}
    assert "JSON schema" in second["messages"][0]["content"]
    llm.structured(MESSAGES, Verdict, agent="w")  # remembered: no second strict attempt
    assert json.loads(r.calls[2].request.content)["response_format"] == {"type": "json_object"}
    assert r.call_count == 3


def test_transient_failures_outlasting_retries_raise_unavailable(http, llm):
    r = route(http, *[httpx.Response(502)] * 4)
    with pytest.raises(LLMUnavailable, match="after 4 attempts"):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 4


def test_refusal_is_a_clear_error(http, llm):
    route(http, completion("", refusal="I can't help with that."))
    with pytest.raises(LLMRefusal, match="can't help"):
        llm.structured(MESSAGES, Verdict, agent="w")


def test_truncated_reply_is_a_clear_error(http, llm):
    r = route(http, completion('{"score": 7', finish_reason="length"))
    with pytest.raises(LLMTruncated, match="token limit"):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 1


def test_no_test_can_reach_a_real_host():
    with pytest.raises(Exception, match="not mocked|network"):
        httpx.get("https://api.openai.com/v1/models")


def test_json_in_a_fence_or_a_sentence_is_accepted(http, llm):
    route(http, completion("Sure! Here it is:\n```json\n" + GOOD + "\n```"))
    assert llm.structured(MESSAGES, Verdict, agent="w")[0].score == 7


def test_a_server_that_ignores_response_format_gets_the_schema_in_the_prompt(http, llm):
    r = route(http, completion('{"rating": "great"}'), completion(GOOD), completion(GOOD))
    assert llm.structured(MESSAGES, Verdict, agent="w")[0].score == 7
    repair = json.loads(r.calls[1].request.content)
    assert repair["response_format"] == {"type": "json_object"}
    assert any("JSON schema" in m["content"] for m in repair["messages"])
    llm.structured(MESSAGES, Verdict, agent="w")
    assert json.loads(r.calls[2].request.content)["response_format"] == {"type": "json_object"}
