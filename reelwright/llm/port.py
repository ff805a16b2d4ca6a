"""The LLM port itself: the `LLM` protocol every agent calls, the `Transcript` that eval
record/replay puts around each request, and the message and mode types."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel

from reelwright.messages import ChatMessage
from reelwright.models import Usage

if TYPE_CHECKING:
    pass

logger = logging.getLogger("reelwright.llm")
T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]  # a text message; `ChatMessage` also carries images
Prompt = Sequence[Message | ChatMessage]
Mode = Literal["auto", "strict", "json"]
VisionMode = Literal["auto", "on", "off"]


class LLM(Protocol):
    """What agents call. `context` reaches the output model's validators (e.g. known ids);
    `where` ("scene s2", "shot s1-3") goes into log lines and errors. `model` and `base_url`
    are recorded with a run (the key never is), so a resume can insist on the same endpoint.
    `vision` says whether image parts are sent: "off" (never, or no longer: the endpoint
    rejected them), "on", or "auto" (until the endpoint rejects them)."""

    backend: str
    model: str
    base_url: str | None
    vision: VisionMode
    usage_by_agent: dict[str, Usage]  # every request it made, per agent, failed calls included

    def structured(
        self,
        messages: Prompt,
        output_type: type[T],
        *,
        agent: str,
        context: dict[str, object] | None = None,
        where: str | None = None,
    ) -> tuple[T, Usage]: ...


@dataclass
class Exchange:
    """One logical completion request after its retries: what was asked (`request`: model,
    mode, response format, token limit, messages), how many HTTP requests it took, and how it
    ended: the completion (an openai `ChatCompletion`) or the error it ended on (an openai
    `APIError`). A transient failure that a retry got past is not in it."""

    request: dict[str, object]
    label: str
    attempts: int = 0
    completion: Any = None
    error: Exception | None = None


class Transcript(Protocol):
    """Where an `OpenAILLM` sends each logical request (eval record/replay): `exchange` gets the
    request and a function that sends it to the endpoint with retries; it returns the outcome,
    either by calling that function (and recording what came back) or from a recording."""

    def exchange(self, exchange: Exchange, send: Callable[[], Exchange]) -> Exchange: ...
