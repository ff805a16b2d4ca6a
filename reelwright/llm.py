"""The LLM port: messages + a pydantic output type -> a validated instance and its usage.

One owner for retries: tenacity wraps each HTTP call (the openai client's own retries are
off). Transient failures (429 with Retry-After honoured, 5xx, timeouts, connection errors)
are retried with jittered exponential back-off and a cap; 400/401/403/404/422 are not.
A reply that is not valid JSON or does not match the schema gets a bounded repair re-ask.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from reelwright.errors import (
    LLMAuthError,
    LLMError,
    LLMInvalidReply,
    LLMRefusal,
    LLMRequestError,
    LLMTruncated,
    LLMUnavailable,
    ReelwrightError,
)
from reelwright.models import Usage

if TYPE_CHECKING:
    import openai

    from reelwright.config import LLMSettings

logger = logging.getLogger("reelwright.llm")
T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]
Mode = Literal["auto", "strict", "json"]


class LLM(Protocol):
    """What agents call. `context` reaches the output model's validators (e.g. known ids).
    `model` and `base_url` are recorded with a run (the key never is), so a resume can insist
    on the same endpoint."""

    backend: str
    model: str
    base_url: str | None

    def structured(
        self,
        messages: Sequence[Message],
        output_type: type[T],
        *,
        agent: str,
        context: dict[str, Any] | None = None,
    ) -> tuple[T, Usage]: ...


@dataclass
class RetryPolicy:
    max_attempts: int = 5
    initial_wait_s: float = 0.5
    max_wait_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    waits: list[float] = field(default_factory=list, repr=False)


def _is_transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc.__cause__, ReelwrightError):  # e.g. a replay cassette miss: final
        return False
    if isinstance(exc, openai.APITimeoutError | openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    import openai

    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    if ms := headers.get("retry-after-ms"):
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


@lru_cache(maxsize=64)
def _strict_schema(output_type: type[BaseModel]) -> dict[str, Any]:
    from openai.lib._pydantic import to_strict_json_schema

    return to_strict_json_schema(output_type)


class OpenAILLM:
    """Any OpenAI-compatible endpoint through the `openai` client and an explicit httpx client."""

    backend = "openai"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        http_client: httpx.Client | None = None,
        timeout_s: float = 60.0,
        mode: Mode = "auto",
        max_repairs: int = 2,
        retry: RetryPolicy | None = None,
        max_tokens: int | None = 4096,
    ) -> None:
        import openai

        self.model = model
        self.base_url = base_url
        self.mode: Mode = mode
        self.max_repairs = max_repairs
        self.retry = retry or RetryPolicy()
        self.max_tokens = max_tokens
        self._http = http_client or httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            http_client=self._http,  # type: ignore[arg-type]  # openai accepts httpx too
            max_retries=0,
            timeout=timeout_s,
        )

    def close(self) -> None:
        self._http.close()

    # -- the one call shape -------------------------------------------------------------

    def structured(
        self,
        messages: Sequence[Message],
        output_type: type[T],
        *,
        agent: str,
        context: dict[str, Any] | None = None,
    ) -> tuple[T, Usage]:
        convo: list[Message] = [dict(m) for m in messages]
        usage = Usage()
        for attempt in range(self.max_repairs + 1):
            content, call_usage = self._complete(convo, output_type, agent)
            usage = usage + call_usage
            try:
                return _validate(content, output_type, context), usage
            except ValueError as exc:
                if self.mode == "auto":
                    # a server that honoured strict schemas could not have sent this: it
                    # ignores response_format, so from now on the schema goes in the prompt
                    self.mode = "json"
                    logger.info(
                        "LLM %s: %s ignored the JSON schema; switching from strict to JSON mode",
                        agent,
                        self.endpoint,
                    )
                if attempt == self.max_repairs:
                    raise LLMInvalidReply(
                        f"{agent}: the model's reply did not match {output_type.__name__} after "
                        f"{self.max_repairs} repair re-asks: {exc}"
                    ) from None
                logger.info(
                    "LLM %s: reply did not match %s (%s); repair re-ask %d of %d",
                    agent,
                    output_type.__name__,
                    str(exc)[:200],
                    attempt + 1,
                    self.max_repairs,
                )
                convo += [
                    {"role": "assistant", "content": content},
                    {
                        "role": "user",
                        "content": (
                            f"Your reply was not valid: {exc}\nReply again with only a JSON "
                            f"object that matches the {output_type.__name__} schema."
                        ),
                    },
                ]
        raise AssertionError("unreachable")

    # -- one HTTP round trip, retried --------------------------------------------------

    @property
    def endpoint(self) -> str:
        return str(self._client.base_url)

    def _complete(
        self, messages: list[Message], output_type: type[BaseModel], agent: str
    ) -> tuple[str, Usage]:
        import openai

        if self.mode in ("auto", "strict"):
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {
                    "name": output_type.__name__,
                    "schema": _strict_schema(output_type),
                    "strict": True,
                },
            }
            sent = messages
        else:
            response_format = {"type": "json_object"}
            sent = _with_schema_instruction(messages, output_type)
        label = f"{agent}/{output_type.__name__}"  # who asks for what, in log lines
        try:
            return self._send(sent, response_format, label)
        except openai.BadRequestError as exc:
            if self.mode == "auto" and _unsupported_schema(exc):
                self.mode = "json"  # remember: this server has no strict schemas
                logger.info(
                    "LLM %s: %s rejected JSON-schema replies (%s); switching from strict to "
                    "JSON mode",
                    agent,
                    self.endpoint,
                    _detail(exc)[:200],
                )
                return self._send(
                    _with_schema_instruction(messages, output_type),
                    {"type": "json_object"},
                    label,
                )
            raise LLMRequestError(
                f"the LLM endpoint rejected the request (400): {_detail(exc)}"
            ) from None

    def _send(
        self, messages: list[Message], response_format: dict[str, Any], label: str
    ) -> tuple[str, Usage]:
        import openai

        policy = self.retry

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hinted = _retry_after(exc)
            if hinted is not None:
                delay = min(hinted, policy.max_wait_s)
            else:
                base = policy.initial_wait_s * 2 ** (state.attempt_number - 1)
                delay = min(policy.max_wait_s, base) * (0.5 + random.random() / 2)
            policy.waits.append(delay)
            return delay

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            delay = state.next_action.sleep if state.next_action else 0.0
            logger.warning(
                "LLM %s: attempt %d of %d to %s failed (%s); retrying in %.1fs",
                label,
                state.attempt_number,
                policy.max_attempts,
                self.endpoint,
                _reason(exc),
                delay,
            )

        retrying = Retrying(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(policy.max_attempts),
            wait=wait,
            sleep=policy.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        logger.debug(
            "LLM %s: request to %s (model %s, %s, %d messages)",
            label,
            self.endpoint,
            self.model,
            response_format["type"],
            len(messages),
        )
        started = time.perf_counter()
        try:
            completion = retrying(
                self._client.chat.completions.create,
                model=self.model,
                messages=messages,
                response_format=response_format,
                max_tokens=self.max_tokens,
            )
        except openai.AuthenticationError as exc:
            raise LLMAuthError(
                f"the LLM endpoint rejected the API key (401): {_detail(exc)}. "
                "Set REELWRIGHT_LLM_API_KEY (or OPENAI_API_KEY)."
            ) from None
        except openai.PermissionDeniedError as exc:
            raise LLMAuthError(f"the LLM endpoint refused access (403): {_detail(exc)}") from None
        except openai.NotFoundError as exc:
            raise LLMRequestError(
                f"the LLM endpoint answered 404 for model {self.model!r}: {_detail(exc)}"
            ) from None
        except openai.BadRequestError:
            raise
        except openai.APIStatusError as exc:
            if _is_transient(exc):
                raise LLMUnavailable(
                    f"the LLM endpoint kept failing ({exc.status_code}) after "
                    f"{policy.max_attempts} attempts: {_detail(exc)}"
                ) from None
            raise LLMRequestError(
                f"the LLM endpoint rejected the request ({exc.status_code}): {_detail(exc)}"
            ) from None
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            if isinstance(exc.__cause__, ReelwrightError):
                raise exc.__cause__ from None
            raise LLMUnavailable(
                f"could not reach the LLM endpoint {self._client.base_url} after "
                f"{policy.max_attempts} attempts: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        latency = time.perf_counter() - started
        if not completion.choices:
            raise LLMInvalidReply("the LLM endpoint returned no choices")
        choice = completion.choices[0]
        message = choice.message
        if getattr(message, "refusal", None):
            raise LLMRefusal(f"the model refused: {message.refusal}")
        if choice.finish_reason == "content_filter":
            raise LLMRefusal("the endpoint's content filter stopped the reply")
        if choice.finish_reason == "length":
            raise LLMTruncated(
                f"the reply was cut off at the token limit ({self.max_tokens} tokens); "
                "raise the limit or ask for less"
            )
        u = completion.usage
        usage = Usage(
            calls=1,
            prompt_tokens=u.prompt_tokens if u else 0,
            completion_tokens=u.completion_tokens if u else 0,
            latency_s=round(latency, 6),
        )
        logger.info(
            "LLM %s: %s at %s replied in %.2fs (%d prompt + %d completion tokens)",
            label,
            self.model,
            self.endpoint,
            latency,
            usage.prompt_tokens,
            usage.completion_tokens,
        )
        return message.content or "", usage


def _validate(content: str, output_type: type[T], context: dict[str, Any] | None) -> T:
    text = content.strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # local models often wrap the object in a ``` fence or a sentence: take the object
        start, end = text.find("{"), text.rfind("}")
        try:
            if start < 0 or end <= start:
                raise exc
            data = json.loads(text[start : end + 1])
        except json.JSONDecodeError:
            raise ValueError(f"not valid JSON ({exc.msg} at char {exc.pos})") from None
    try:
        return output_type.model_validate(data, context=context)
    except ValidationError as exc:
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        ]
        raise ValueError("schema mismatch: " + "; ".join(parts[:8])) from None


def _with_schema_instruction(
    messages: list[Message], output_type: type[BaseModel]
) -> list[Message]:
    """JSON mode: the schema goes into the (first) system message, where chat templates that
    allow one system message only still accept it."""
    schema = json.dumps(output_type.model_json_schema(), separators=(",", ":"))
    text = f"Reply with one JSON object only, matching this JSON schema:\n{schema}"
    if messages and messages[0]["role"] == "system":
        first = {"role": "system", "content": f"{messages[0]['content']}\n\n{text}"}
        return [first, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def _unsupported_schema(exc: openai.BadRequestError) -> bool:
    text = _detail(exc).lower()
    return "response_format" in text or "json_schema" in text or "schema" in text


def _reason(exc: BaseException | None) -> str:
    """Why an attempt failed, in a few words for the retry log line."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        return f"{exc.status_code}: {_detail(exc)[:120]}"
    return type(exc).__name__ if exc is not None else "unknown"


def _detail(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError):
        try:
            body = exc.response.json()
            err = body.get("error", body) if isinstance(body, dict) else body
            if isinstance(err, dict) and err.get("message"):
                return str(err["message"])[:500]
        except (ValueError, AttributeError):
            pass
        return exc.response.text[:500] or str(exc)
    return str(exc)


def llm_from_settings(settings: LLMSettings, http_client: httpx.Client | None = None) -> OpenAILLM:
    """The one place an `OpenAILLM` is built from settings. A caller that needs another
    endpoint or model (a resumed run, an eval replay) passes `settings.model_copy(update=...)`;
    whether an LLM is configured at all (`settings.configured`) is the caller's question."""
    return OpenAILLM(
        model=settings.model,
        base_url=settings.base_url,
        api_key=settings.api_key,
        http_client=http_client,
        timeout_s=settings.timeout_s,
        mode=settings.mode,
        retry=RetryPolicy(max_attempts=settings.max_attempts, max_wait_s=settings.max_retry_wait_s),
    )


__all__ = ["LLM", "LLMError", "OpenAILLM", "RetryPolicy", "llm_from_settings"]
