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


@pytest.mark.parametrize("status", [403, 404])
def test_other_client_errors_are_not_retried(http, llm, status):
    r = route(http, httpx.Response(status, json={"error": {"message": "no"}}))
    with pytest.raises((LLMAuthError, LLMRequestError)):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 1


@pytest.mark.parametrize("status", [400, 422])
def test_a_400_or_422_unrelated_to_the_schema_is_not_retried(http, llm, status):
    """Not retried: tried once in JSON mode (the wording might hide a schema rejection),
    then the server's own message is the error."""
    refusal = httpx.Response(status, json={"error": {"message": "max_tokens too large"}})
    r = route(http, refusal, refusal)
    with pytest.raises(LLMRequestError, match="max_tokens too large"):
        llm.structured(MESSAGES, Verdict, agent="w")
    formats = [json.loads(c.request.content)["response_format"]["type"] for c in r.calls]
    assert formats == ["json_schema", "json_object"] and llm.mode == "auto"


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


def test_a_reply_truncated_twice_is_a_clear_error(http, llm):
    r = route(http, *[completion('{"score": 7', finish_reason="length")] * 2)
    with pytest.raises(LLMTruncated, match="token limit twice") as caught:
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 2
    assert "REELWRIGHT_LLM_MAX_TOKENS" in str(caught.value)
    assert caught.value.usage.requests == 2


def test_a_reply_truncated_once_is_re_asked_with_a_larger_limit(http, llm):
    r = route(http, completion('{"score": 7', finish_reason="length"), completion(GOOD))
    verdict, usage = llm.structured(MESSAGES, Verdict, agent="w")
    assert verdict.score == 7
    limits = [json.loads(c.request.content)["max_tokens"] for c in r.calls]
    assert limits == [4096, 8192]
    assert (usage.requests, usage.calls) == (2, 2)
    assert llm.mode == "auto"  # a cut-off reply says nothing about strict schemas
    assert {json.loads(c.request.content)["response_format"]["type"] for c in r.calls} == {
        "json_schema"
    }


def test_no_test_can_reach_a_real_host():
    with pytest.raises(Exception, match="not mocked|network"):
        httpx.get("https://api.openai.com/v1/models")


def test_json_in_a_fence_or_a_sentence_is_accepted(http, llm):
    route(http, completion("Sure! Here it is:\n```json\n" + GOOD + "\n```"))
    assert llm.structured(MESSAGES, Verdict, agent="w")[0].score == 7


def test_a_reply_that_fails_validation_does_not_change_the_mode(http, llm):
    r = route(http, completion('{"rating": "great"}'), completion(GOOD), completion(GOOD))
    assert llm.structured(MESSAGES, Verdict, agent="w")[0].score == 7
    llm.structured(MESSAGES, Verdict, agent="w")
    formats = [json.loads(c.request.content)["response_format"]["type"] for c in r.calls]
    assert formats == ["json_schema"] * 3 and llm.mode == "auto"


# -- replies as servers really send them -------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        '<think>The schema wants {"score": int}; maybe {"score": 3}? No.</think>\n' + GOOD,
        "<THINKING>{not json}</THINKING>" + GOOD,
        'we said {"score": 1} earlier</think>' + GOOD,  # opening tag was in the template
        "```json\n" + GOOD + "\n```",
        "```\n" + GOOD + "\n```",
        "Here is my rating {as asked}:\n" + GOOD + "\nHope that helps.",
    ],
    ids=["think-braces", "thinking-upper", "lone-close", "fence-json", "fence", "prose"],
)
def test_replies_around_the_json_all_parse(http, llm, content):
    r = route(http, completion(content))
    assert llm.structured(MESSAGES, Verdict, agent="w")[0] == Verdict(score=7, reason="tight")
    assert r.call_count == 1


def test_pure_prose_gets_a_repair_re_ask_then_a_clear_error_quoting_it(http, llm):
    prose = "I think this scene is lovely and would rate it quite highly overall."
    r = route(http, *[completion(prose)] * 3)
    with pytest.raises(LLMInvalidReply) as caught:
        llm.structured(MESSAGES, Verdict, agent="critic", where="scene s2")
    repair = json.loads(r.calls[1].request.content)["messages"][-1]["content"]
    assert "no JSON object" in repair and "rate it quite highly" in repair
    text = str(caught.value)
    assert text.startswith("critic (scene s2): LLM 'test-model' at http://llm.test/v1/")
    assert "rate it quite highly" in text and "REELWRIGHT_LLM_MODE=json" in text
    assert r.call_count == 3 and caught.value.usage.requests == 3


# -- mode changes only for the right reason ---------------------------------------------


@pytest.mark.parametrize(
    "status,body",
    [
        (422, {"detail": [{"loc": ["body", "strict"], "msg": "Extra inputs are not permitted"}]}),
        (400, {"error": {"message": "Unrecognised field 'strict' in format spec"}}),
        (400, {"error": {"message": "guided decoding: json_schema is not available here"}}),
    ],
    ids=["422-pydantic", "400-strict", "400-json_schema"],
)
def test_a_rejected_schema_switches_to_json_mode_for_good(http, llm, status, body):
    r = route(http, httpx.Response(status, json=body), completion(GOOD), completion(GOOD))
    llm.structured(MESSAGES, Verdict, agent="w")
    llm.structured(MESSAGES, Verdict, agent="w")
    formats = [json.loads(c.request.content)["response_format"]["type"] for c in r.calls]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert llm.mode == "json"


def test_a_rejection_in_words_we_do_not_know_is_tried_in_json_mode(http, llm):
    """'whatever its wording': the same request is tried once in JSON mode; if that goes
    through, the server has no strict schemas and the run stays in JSON mode."""
    unknown = {"error": {"message": "grammar-constrained decoding is not enabled here"}}
    r = route(http, httpx.Response(400, json=unknown), completion(GOOD), completion(GOOD))
    llm.structured(MESSAGES, Verdict, agent="w")
    llm.structured(MESSAGES, Verdict, agent="w")
    formats = [json.loads(c.request.content)["response_format"]["type"] for c in r.calls]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert llm.mode == "json"


def test_a_request_refused_in_both_modes_is_an_error_and_keeps_the_mode(http, llm):
    bad = {"error": {"message": "temperature must be at most 2"}}
    r = route(http, httpx.Response(400, json=bad), httpx.Response(400, json=bad))
    with pytest.raises(LLMRequestError, match="temperature must be at most 2"):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert r.call_count == 2 and llm.mode == "auto"


def test_strict_mode_is_not_given_up_by_choice(http, waits):
    llm = OpenAILLM(
        model="m", base_url=BASE_URL, http_client=httpx.Client(), mode="strict",
        retry=RetryPolicy(max_attempts=2, sleep=waits.append),
    )  # fmt: skip
    route(http, httpx.Response(400, json={"error": {"message": "strict is not supported"}}))
    with pytest.raises(LLMRequestError, match="REELWRIGHT_LLM_MODE=json"):
        llm.structured(MESSAGES, Verdict, agent="w")
    assert llm.mode == "strict"


def test_429_500_and_truncation_keep_strict_mode(http, llm):
    r = route(
        http,
        httpx.Response(429, headers={"retry-after": "0"}),
        completion(GOOD),
        httpx.Response(500),
        completion('{"score"', finish_reason="length"),
        completion(GOOD),
        completion(GOOD),
    )
    total = [llm.structured(MESSAGES, Verdict, agent="w")[1] for _ in range(3)]
    formats = [json.loads(c.request.content)["response_format"]["type"] for c in r.calls]
    assert formats == ["json_schema"] * 6
    assert sum(u.requests for u in total) == 6 == llm.usage_by_agent["w"].requests


def test_a_reasoning_model_gets_max_completion_tokens_once_it_asks(http, llm):
    complaint = (
        "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead."
    )
    r = route(
        http,
        httpx.Response(400, json={"error": {"message": complaint}}),
        completion(GOOD),
        completion(GOOD),
    )
    llm.structured(MESSAGES, Verdict, agent="w")
    llm.structured(MESSAGES, Verdict, agent="w")
    sent = [json.loads(c.request.content) for c in r.calls]
    assert "max_tokens" in sent[0] and "max_completion_tokens" not in sent[0]
    assert [s.get("max_completion_tokens") for s in sent[1:]] == [4096, 4096]
    assert all("max_tokens" not in s for s in sent[1:])
    assert llm.mode == "auto"  # a complaint about the limit is not about the schema


# -- errors that say where ---------------------------------------------------------------


def test_a_timeout_says_it_timed_out_and_after_how_long(http, waits):
    llm = OpenAILLM(
        model="slow-model", base_url=BASE_URL, http_client=httpx.Client(), timeout_s=12.5,
        retry=RetryPolicy(max_attempts=2, sleep=waits.append),
    )  # fmt: skip
    route(http, httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"))
    with pytest.raises(LLMUnavailable) as caught:
        llm.structured(MESSAGES, Verdict, agent="director", where="shot s1-3")
    text = str(caught.value)
    assert "timed out" in text and "12.5s" in text and "could not reach" not in text
    assert "director (shot s1-3)" in text and "'slow-model'" in text
    assert "REELWRIGHT_LLM_TIMEOUT_S" in text
    assert caught.value.usage.requests == 2


def test_failed_calls_are_counted_per_agent(http, llm):
    route(http, *[httpx.Response(503)] * 4, completion(GOOD))
    with pytest.raises(LLMUnavailable, match="writer: .*kept failing \\(503\\) after 4 attempts"):
        llm.structured(MESSAGES, Verdict, agent="writer")
    llm.structured(MESSAGES, Verdict, agent="critic")
    assert llm.usage_by_agent["writer"].requests == 4
    assert llm.usage_by_agent["writer"].calls == 0
    assert (llm.usage_by_agent["critic"].requests, llm.usage_by_agent["critic"].calls) == (1, 1)


def test_max_tokens_setting_reaches_the_request(http, monkeypatch):
    from reelwright.config import Settings
    from reelwright.llm import llm_from_settings

    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", BASE_URL)
    monkeypatch.setenv("REELWRIGHT_LLM_MAX_TOKENS", "777")
    llm = llm_from_settings(Settings().llm, httpx.Client())
    r = route(http, completion(GOOD))
    llm.structured(MESSAGES, Verdict, agent="w")
    assert json.loads(r.calls[0].request.content)["max_tokens"] == 777


def test_in_json_mode_a_refusal_suggests_strict_not_json(http):
    llm = OpenAILLM(model="m", base_url=BASE_URL, http_client=httpx.Client(), mode="json")
    refusal = {"error": "'response_format.type' must be 'json_schema' or 'text'"}
    route(http, httpx.Response(400, json=refusal))
    with pytest.raises(LLMRequestError) as caught:
        llm.structured(MESSAGES, Verdict, agent="w")
    assert "REELWRIGHT_LLM_MODE=strict" in str(caught.value)
    assert "REELWRIGHT_LLM_MODE=json" not in str(caught.value)
    assert "must be 'json_schema' or 'text'" in str(caught.value)
    assert '{"error"' not in str(caught.value)  # a string error body is shown, not its JSON


def test_pure_prose_is_quoted_once(http, llm):
    prose = "Once upon a time there was no JSON at all."
    route(http, *[completion(prose)] * 3)
    with pytest.raises(LLMInvalidReply) as caught:
        llm.structured(MESSAGES, Verdict, agent="w")
    assert str(caught.value).count("Once upon a time") == 1


def test_a_limit_a_reply_needed_is_kept_for_later_calls(http, llm):
    """A model that overruns once would overrun again: later calls start at the larger limit
    instead of paying a cut-off and a re-ask each."""
    r = route(
        http,
        completion('{"score": 7', finish_reason="length"),
        completion(GOOD),
        completion(GOOD),
    )
    llm.structured(MESSAGES, Verdict, agent="w")
    llm.structured(MESSAGES, Verdict, agent="w")
    limits = [json.loads(c.request.content)["max_tokens"] for c in r.calls]
    assert limits == [4096, 8192, 8192]
