"""Replies parsed as servers send them: reasoning blocks and fences dropped, the JSON object
found in the text, validated against the output type."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from reelwright.messages import ChatMessage

if TYPE_CHECKING:
    pass

from reelwright.llm.port import T

_REASONING = re.compile(
    r"<(think|thinking|thought|reasoning|reflection)>.*?</\1>", re.DOTALL | re.IGNORECASE
)
_LONE_CLOSE = re.compile(r"^.*?</(think|thinking|thought|reasoning|reflection)>", re.DOTALL | re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


def _strip_reasoning(text: str) -> str:
    """Drop `<think>…</think>` and similar blocks (and, where the opening tag was in the
    prompt, everything up to a lone closing tag)."""
    text = _REASONING.sub("", text)
    return _LONE_CLOSE.sub("", text, count=1)


def _extract_json(text: str) -> Any:
    """The JSON object in a reply: the whole reply, a fenced block, or the first object that
    parses in prose around it."""
    text = _strip_reasoning(text).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        first_error = exc
    for block in _FENCE.findall(text):
        try:
            return json.loads(block.strip())
        except json.JSONDecodeError:
            pass
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start >= 0:
        try:
            data, _ = decoder.raw_decode(text, start)
            if isinstance(data, dict):
                return data
        except json.JSONDecodeError:
            pass
        start = text.find("{", start + 1)
    if "{" not in text:
        raise ValueError(f"no JSON object in the reply, which began: {_excerpt(text, 200)}")
    raise ValueError(f"not valid JSON ({first_error.msg} at char {first_error.pos})")


def _validate(content: str, output_type: type[T], context: dict[str, object] | None) -> T:
    data = _extract_json(content)
    try:
        return output_type.model_validate(data, context=context)
    except ValidationError as exc:
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        ]
        raise ValueError("schema mismatch: " + "; ".join(parts[:8])) from None


def _with_schema_instruction(
    messages: list[ChatMessage], output_type: type[BaseModel]
) -> list[ChatMessage]:
    """JSON mode: the schema goes into the (first) system message, where chat templates that
    allow one system message only still accept it."""
    schema = json.dumps(output_type.model_json_schema(), separators=(",", ":"))
    text = f"Reply with one JSON object only, matching this JSON schema:\n{schema}"
    if messages and messages[0].role == "system":
        return [messages[0].with_text_appended(text), *messages[1:]]
    return [ChatMessage(role="system", content=text), *messages]


def _excerpt(text: str, size: int = 300) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= size else flat[:size] + "…")
