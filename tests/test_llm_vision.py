"""Image parts through the LLM port (respx-mocked endpoint): the wire shape, JSON mode, and
`vision` auto/on/off when the endpoint rejects images."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from pydantic import BaseModel, ValidationError

from reelwright.errors import LLMRequestError
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.messages import ChatMessage, ImagePart, TextPart
from reelwright.testing import BASE_URL, completion

PIXEL = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=="


class Verdict(BaseModel):
    score: int
    reason: str


GOOD = '{"score": 7, "reason": "tight"}'


def messages() -> list[ChatMessage | dict[str, str]]:
    return [
        {"role": "system", "content": "You judge."},
        ChatMessage(
            role="user",
            content=(TextPart(text="Frame of shot s1-1:"), ImagePart(url=PIXEL, label="shot s1-1")),
        ),
    ]


def make_llm(vision: str = "auto", mode: str = "auto") -> OpenAILLM:
    return OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
        vision=vision,  # type: ignore[arg-type]
        mode=mode,  # type: ignore[arg-type]
    )


def route(http: respx.MockRouter, *responses: object) -> respx.Route:
    return http.post(f"{BASE_URL}/chat/completions").mock(side_effect=list(responses))


def sent(r: respx.Route, k: int) -> dict:
    return json.loads(r.calls[k].request.content)


def test_image_parts_go_out_as_image_url_parts_and_text_stays_a_string(http):
    r = route(http, completion(GOOD))
    make_llm().structured(messages(), Verdict, agent="critic")
    system, user = sent(r, 0)["messages"]
    assert system == {"role": "system", "content": "You judge."}
    assert user["content"] == [
        {"type": "text", "text": "Frame of shot s1-1:"},
        {"type": "image_url", "image_url": {"url": PIXEL, "detail": "low"}},
    ]


def test_json_mode_puts_the_schema_in_the_system_message_and_keeps_the_images(http):
    r = route(http, completion(GOOD))
    make_llm(mode="json").structured(messages(), Verdict, agent="critic")
    system, user = sent(r, 0)["messages"]
    assert system["content"].startswith("You judge.\n\nReply with one JSON object only")
    assert user["content"][1]["type"] == "image_url"


def test_auto_drops_images_for_the_run_when_the_endpoint_rejects_them(http):
    no_images = {"error": {"message": "Image input is not supported for this model"}}
    r = route(http, httpx.Response(400, json=no_images), completion(GOOD), completion(GOOD))
    llm = make_llm("auto")
    _, usage = llm.structured(messages(), Verdict, agent="critic")
    llm.structured(messages(), Verdict, agent="critic")
    assert r.call_count == 3 and usage.requests == 2
    retried = sent(r, 1)["messages"][1]["content"]
    assert retried == "Frame of shot s1-1:\n[image of shot s1-1 not shown]"
    assert isinstance(sent(r, 2)["messages"][1]["content"], str)  # remembered
    assert llm.vision == "off" and llm.mode == "auto"  # the schema was never the problem


def test_auto_tries_text_only_when_a_rejection_in_unknown_words_survives_json_mode(http):
    unknown = {"error": {"message": "invalid content type for role user"}}
    r = route(
        http, httpx.Response(400, json=unknown), httpx.Response(400, json=unknown), completion(GOOD)
    )
    llm = make_llm("auto")
    llm.structured(messages(), Verdict, agent="critic")
    formats = [sent(r, k)["response_format"]["type"] for k in range(3)]
    assert formats == ["json_schema", "json_object", "json_schema"]
    assert isinstance(sent(r, 2)["messages"][1]["content"], str)
    assert llm.vision == "off" and llm.mode == "auto"


def test_on_fails_clearly_when_the_endpoint_rejects_images(http):
    no_images = {"error": {"message": "this model does not take image_url content"}}
    r = route(http, httpx.Response(400, json=no_images))
    with pytest.raises(LLMRequestError, match=r"rejected the images .*image_url content") as exc:
        make_llm("on").structured(messages(), Verdict, agent="critic")
    assert "REELWRIGHT_LLM_VISION" in str(exc.value) and r.call_count == 1


def test_off_never_sends_an_image(http):
    r = route(http, completion(GOOD))
    make_llm("off").structured(messages(), Verdict, agent="critic")
    assert sent(r, 0)["messages"][1]["content"] == (
        "Frame of shot s1-1:\n[image of shot s1-1 not shown]"
    )


def test_an_image_must_be_a_data_url_never_a_remote_one():
    with pytest.raises(ValidationError):
        ImagePart(url="https://example.com/frame.png", label="shot s1-1")
