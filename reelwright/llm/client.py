"""The real implementation of the port: the `openai` client against any OpenAI-compatible
endpoint, with its modes (strict schema, JSON mode), vision fallback, repair re-asks and
usage counts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import BaseModel

from reelwright.errors import (
    LLMAuthError,
    LLMError,
    LLMInvalidReply,
    LLMRefusal,
    LLMRequestError,
    LLMTimeout,
    LLMTruncated,
    LLMUnavailable,
    ReelwrightError,
)
from reelwright.messages import ChatMessage
from reelwright.models import Usage

if TYPE_CHECKING:
    import openai

    from reelwright.config import LLMSettings
from reelwright.llm.parse import _excerpt, _validate, _with_schema_instruction
from reelwright.llm.port import Exchange, Mode, Prompt, T, Transcript, VisionMode, logger
from reelwright.llm.retry import RetryPolicy, _detail, _is_transient, retrying_for

_DEFAULT_MAX_TOKENS = 4096


@lru_cache(maxsize=64)
def _strict_schema(output_type: type[BaseModel]) -> dict[str, object]:
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
        max_tokens: int | None = _DEFAULT_MAX_TOKENS,
        transcript: Transcript | None = None,
        vision: VisionMode = "auto",
    ) -> None:
        import openai

        self.model = model
        self.base_url = base_url
        self.mode: Mode = mode
        self.vision: VisionMode = vision
        self.max_repairs = max_repairs
        self.retry = retry or RetryPolicy()
        self.max_tokens = max_tokens
        self._limit = max_tokens  # raised for the run once a reply needed more
        self.timeout_s = timeout_s
        self.transcript = transcript  # records or replays each logical request (evals)
        # what the endpoint taught this run: "max_completion_tokens" for reasoning models
        self._token_param = "max_tokens"
        self._lock = threading.Lock()
        self.usage_by_agent: dict[str, Usage] = {}  # every request, failed calls included
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
        messages: Prompt,
        output_type: type[T],
        *,
        agent: str,
        context: dict[str, object] | None = None,
        where: str | None = None,
    ) -> tuple[T, Usage]:
        """A validated reply and what it cost. An `LLMError` names the agent, `where` (e.g.
        "scene s2"), the endpoint and model, an excerpt of what came back and what to try; its
        `usage` holds every request the failed call sent. Each request, failed or not, is
        also added to `usage_by_agent`."""
        call = _Call(agent=agent, where=where, output_type=output_type)
        try:
            return self._structured(call, messages, output_type, context), call.usage
        except LLMError as exc:
            raise self._explained(exc, call) from None
        finally:
            with self._lock:
                self.usage_by_agent[agent] = self.usage_by_agent.get(agent, Usage()) + call.usage

    def _structured(
        self,
        call: _Call,
        messages: Prompt,
        output_type: type[T],
        context: dict[str, object] | None,
    ) -> T:
        convo = [ChatMessage.of(m) for m in messages]
        start = limit = self._limit
        repairs = 0
        truncated = False
        while True:
            content, finish = self._complete(call, convo, output_type, limit)
            if finish == "length":
                if truncated:
                    call.excerpt = content
                    raise LLMTruncated(
                        f"the reply was cut off at the token limit twice (at {start}, "
                        f"then at {limit} tokens)"
                    )
                truncated = True
                limit = limit * 2 if limit else 2 * _DEFAULT_MAX_TOKENS
                logger.info(
                    "LLM %s: reply cut off at the token limit; re-asking with %d tokens",
                    call.label,
                    limit,
                )
                continue
            try:
                reply = _validate(content, output_type, context)
            except ValueError as exc:
                call.excerpt = content
                if repairs == self.max_repairs:
                    raise LLMInvalidReply(
                        f"the model's reply did not match {output_type.__name__} after "
                        f"{self.max_repairs} repair re-asks: {exc}"
                    ) from None
                repairs += 1
                logger.info(
                    "LLM %s: reply did not match %s (%s); repair re-ask %d of %d",
                    call.label,
                    output_type.__name__,
                    str(exc)[:200],
                    repairs,
                    self.max_repairs,
                )
                convo += [
                    ChatMessage(role="assistant", content=content),
                    ChatMessage(
                        role="user",
                        content=(
                            f"Your reply was not valid: {exc}\nReply again with only a JSON "
                            f"object that matches the {output_type.__name__} schema."
                        ),
                    ),
                ]
                continue
            if limit is not None and limit > (self._limit or 0):
                self._limit = limit  # later calls start where this one had to go
                logger.info(
                    "LLM %s: later calls ask for up to %d tokens (a reply needed more than %d)",
                    call.label,
                    limit,
                    start,
                )
            return reply

    def _explained(self, exc: LLMError, call: _Call) -> LLMError:
        """The same error, saying who asked, where, of which endpoint, what came back and what
        to try; carrying the call's usage."""
        who = call.agent + (f" ({call.where})" if call.where else "")
        text = f"{who}: LLM {self.model!r} at {self.endpoint}: {exc}"
        if call.excerpt is not None and "which began:" not in str(exc):
            text += f"; the reply began: {_excerpt(call.excerpt)}"
        hint = _hint(exc, self)
        if hint:
            text += f". Try {hint}"
        out = type(exc)(text)
        out.usage = call.usage
        return out

    # -- one HTTP round trip, retried --------------------------------------------------

    @property
    def endpoint(self) -> str:
        return str(self._client.base_url)

    def _complete(
        self,
        call: _Call,
        messages: list[ChatMessage],
        output_type: type[BaseModel],
        limit: int | None,
    ) -> tuple[str, str | None]:
        import openai

        probe: openai.APIStatusError | None = None  # an unexplained rejection, tried in JSON mode
        for _ in range(6):  # each rejection fixes one thing: schema, limit's name, images
            if self.vision == "off":
                messages = [m.without_images() for m in messages]
            has_images = any(m.images for m in messages)
            mode = "json" if probe is not None else self.mode
            if mode in ("auto", "strict"):
                response_format: dict[str, object] = {
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
            token_param = self._token_param
            try:
                reply = self._send(call, sent, response_format, limit, mode)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                detail = _detail(exc)
                if token_param == "max_tokens" and "max_completion_tokens" in detail:
                    self._token_param = "max_completion_tokens"  # remembered for the run
                    logger.info(
                        "LLM %s: %s wants max_completion_tokens (%s); switching",
                        call.label,
                        self.endpoint,
                        detail[:200],
                    )
                    continue
                if has_images and _about_images(exc):
                    if self.vision == "on":
                        raise LLMRequestError(
                            f"the endpoint rejected the images in the request "
                            f"({exc.status_code}): {detail}"
                        ) from None
                    self._drop_images(call, exc)
                    probe = None
                    continue
                if has_images and probe is not None and self.vision == "auto":
                    self._drop_images(call, probe)  # JSON mode refused too: try without images
                    probe = None
                    continue
                if probe is not None:  # JSON mode is refused too: the request itself is wrong
                    raise LLMRequestError(
                        f"the endpoint rejected the request ({probe.status_code}): {_detail(probe)}"
                    ) from None
                if mode == "auto" and _unsupported_schema(exc):
                    self._switch_to_json(call, exc)
                    continue
                if mode == "auto":  # wording we do not know: does the server take JSON mode?
                    probe = exc
                    continue
                if mode == "strict":
                    raise LLMRequestError(
                        f"the endpoint rejected the strict JSON schema ({exc.status_code}): "
                        f"{detail}"
                    ) from None
                raise LLMRequestError(
                    f"the endpoint rejected the request ({exc.status_code}): {detail}"
                ) from None
            if probe is not None:  # the same request went through in JSON mode
                self._switch_to_json(call, probe)
            return reply
        raise LLMRequestError("the endpoint kept rejecting the request")

    def _drop_images(self, call: _Call, exc: openai.APIStatusError) -> None:
        """Remembered for the run: this endpoint takes no image content."""
        self.vision = "off"
        logger.warning(
            "LLM %s: %s rejected image content (%d: %s); sending text only for the rest of the "
            "run (REELWRIGHT_LLM_VISION=off skips the try)",
            call.label,
            self.endpoint,
            exc.status_code,
            _detail(exc)[:200],
        )

    def _switch_to_json(self, call: _Call, exc: openai.APIStatusError) -> None:
        """Remembered for the run: this server has no strict JSON schemas."""
        self.mode = "json"
        logger.info(
            "LLM %s: %s rejected JSON-schema replies (%d: %s); switching from strict to JSON mode",
            call.label,
            self.endpoint,
            exc.status_code,
            _detail(exc)[:200],
        )

    def _send(
        self,
        call: _Call,
        messages: list[ChatMessage],
        response_format: dict[str, object],
        limit: int | None,
        mode: Mode,
    ) -> tuple[str, str | None]:
        import openai

        label = call.label
        retrying = retrying_for(self.retry, label, self.endpoint)
        logger.debug(
            "LLM %s: request to %s (model %s, %s, %d messages)",
            label,
            self.endpoint,
            self.model,
            response_format["type"],
            len(messages),
        )
        by_name = self._token_param == "max_completion_tokens"
        max_tokens = limit if limit and not by_name else openai.omit
        max_completion_tokens = limit if limit and by_name else openai.omit
        completions: Any = self._client.chat.completions  # messages are plain dicts
        wire = [m.wire() for m in messages]
        exchange = Exchange(
            request={
                "model": self.model,
                "mode": mode,
                "response_format": response_format,
                "token_param": self._token_param,
                "max_tokens": limit,
                "messages": wire,
            },
            label=label,
        )

        def create() -> Any:
            exchange.attempts += 1
            return completions.create(
                model=self.model,
                messages=wire,
                response_format=response_format,
                max_tokens=max_tokens,
                max_completion_tokens=max_completion_tokens,
            )

        def send() -> Exchange:
            try:
                exchange.completion = retrying(create)
            except openai.APIError as exc:
                exchange.error = exc
            return exchange

        call.excerpt = None  # an error now is about this request, not an earlier reply
        started = time.perf_counter()
        outcome = self.transcript.exchange(exchange, send) if self.transcript else send()
        attempts = outcome.attempts
        # every request is counted, whatever came of it
        call.usage = call.usage + Usage(requests=attempts)
        try:
            if outcome.error is not None:
                raise outcome.error
            completion = outcome.completion
        except openai.AuthenticationError as exc:
            raise LLMAuthError(f"the endpoint rejected the API key (401): {_detail(exc)}") from None
        except openai.PermissionDeniedError as exc:
            raise LLMAuthError(f"the endpoint refused access (403): {_detail(exc)}") from None
        except openai.NotFoundError as exc:
            raise LLMRequestError(
                f"the endpoint answered 404 for model {self.model!r}: {_detail(exc)}"
            ) from None
        except (openai.BadRequestError, openai.UnprocessableEntityError):
            raise
        except openai.APIStatusError as exc:
            if _is_transient(exc):
                raise LLMUnavailable(
                    f"the endpoint kept failing ({exc.status_code}) after "
                    f"{attempts} attempts: {_detail(exc)}"
                ) from None
            raise LLMRequestError(
                f"the endpoint rejected the request ({exc.status_code}): {_detail(exc)}"
            ) from None
        except openai.APITimeoutError as exc:
            if isinstance(exc.__cause__, ReelwrightError):
                raise exc.__cause__ from None
            raise LLMTimeout(
                f"timed out: no reply within {self.timeout_s:g}s, on each of {attempts} attempts"
            ) from None
        except openai.APIConnectionError as exc:
            if isinstance(exc.__cause__, ReelwrightError):
                raise exc.__cause__ from None
            raise LLMUnavailable(
                f"could not connect after {attempts} attempts: "
                f"{type(exc.__cause__ or exc).__name__}: {exc.__cause__ or exc}"
            ) from None
        latency = time.perf_counter() - started
        u = completion.usage
        call.usage = call.usage + Usage(
            calls=1,
            prompt_tokens=u.prompt_tokens if u else 0,
            completion_tokens=u.completion_tokens if u else 0,
            latency_s=round(latency, 6),
        )
        if not completion.choices:
            raise LLMInvalidReply("the endpoint returned no choices")
        choice = completion.choices[0]
        message = choice.message
        content = message.content or ""
        if getattr(message, "refusal", None):
            raise LLMRefusal(f"the model refused: {message.refusal}")
        if choice.finish_reason == "content_filter":
            call.excerpt = content
            raise LLMRefusal("the endpoint's content filter stopped the reply")
        logger.info(
            "LLM %s: %s at %s replied in %.2fs (%d prompt + %d completion tokens)",
            label,
            self.model,
            self.endpoint,
            latency,
            u.prompt_tokens if u else 0,
            u.completion_tokens if u else 0,
        )
        return content, choice.finish_reason


@dataclass
class _Call:
    """One `structured` call: who asked, where, and what its requests spent so far."""

    agent: str
    where: str | None
    output_type: type[BaseModel]
    usage: Usage = field(default_factory=Usage)
    excerpt: str | None = None  # the last reply, when the error is about it

    @property
    def label(self) -> str:  # who asks for what, in log lines
        where = f" ({self.where})" if self.where else ""
        return f"{self.agent}{where}/{self.output_type.__name__}"


def _hint(exc: LLMError, llm: OpenAILLM) -> str:
    if isinstance(exc, LLMTimeout):
        return f"a longer timeout (REELWRIGHT_LLM_TIMEOUT_S, now {llm.timeout_s:g})"
    if isinstance(exc, LLMTruncated):
        return f"a larger token limit (REELWRIGHT_LLM_MAX_TOKENS, now {llm.max_tokens})"
    other_mode = (
        "REELWRIGHT_LLM_MODE=strict (if the server takes JSON schemas)"
        if llm.mode == "json"
        else "REELWRIGHT_LLM_MODE=json (the schema goes in the prompt)"
    )
    if isinstance(exc, LLMInvalidReply):
        return (
            f"{other_mode}, a larger token limit (REELWRIGHT_LLM_MAX_TOKENS), or a model that "
            "follows JSON schemas"
        )
    if isinstance(exc, LLMUnavailable):
        return (
            "checking that the server is up and REELWRIGHT_LLM_BASE_URL is right, then "
            "`reelwright resume`; more attempts with REELWRIGHT_LLM_MAX_ATTEMPTS"
        )
    if isinstance(exc, LLMAuthError):
        return "setting REELWRIGHT_LLM_API_KEY (or OPENAI_API_KEY)"
    if isinstance(exc, LLMRequestError):
        if "images" in str(exc):
            return "REELWRIGHT_LLM_VISION=auto or off, or a model that takes images"
        return f"{other_mode}, and check REELWRIGHT_LLM_MODEL"
    if isinstance(exc, LLMRefusal):
        return "rewording the brief"
    return ""


_SCHEMA_WORDS = ("response_format", "json_schema", "strict", "schema", "structured output")


def _unsupported_schema(exc: openai.APIStatusError) -> bool:
    """A 400/422 about the response format, whatever its wording."""
    text = _detail(exc).lower()
    return any(word in text for word in _SCHEMA_WORDS)


_IMAGE_WORDS = ("image", "vision", "multimodal", "multi-modal")


def _about_images(exc: openai.APIStatusError) -> bool:
    """A 400/422 about image content, whatever its wording."""
    text = _detail(exc).lower()
    return any(word in text for word in _IMAGE_WORDS)


def llm_from_settings(
    settings: LLMSettings,
    http_client: httpx.Client | None = None,
    transcript: Transcript | None = None,
) -> OpenAILLM:
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
        max_tokens=settings.max_tokens,
        vision=settings.vision,
        retry=RetryPolicy(max_attempts=settings.max_attempts, max_wait_s=settings.max_retry_wait_s),
        transcript=transcript,
    )
