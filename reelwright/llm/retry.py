"""One owner for retries: which failures are transient, how long to wait (Retry-After
honoured), and the tenacity policy around every HTTP call (the openai client's own retries
are off)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from reelwright.errors import (
    ReelwrightError,
)

if TYPE_CHECKING:
    pass

from reelwright.llm.port import logger


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


def retrying_for(
    policy: RetryPolicy,
    label: str,
    endpoint: str,
    transient: Callable[[BaseException], bool] | None = None,
    what: str = "LLM",
) -> Retrying:
    """The one retry loop for calls to an OpenAI-compatible endpoint (chat, speech): transient
    failures (timeouts, connection errors, 408/409/429, 5xx) are retried with the policy's
    back-off, honouring Retry-After; anything else is raised at once."""

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
            "%s %s: attempt %d of %d to %s failed (%s); retrying in %.1fs",
            what,
            label,
            state.attempt_number,
            policy.max_attempts,
            endpoint,
            _reason(exc),
            delay,
        )

    return Retrying(
        retry=retry_if_exception(transient or _is_transient),
        stop=stop_after_attempt(policy.max_attempts),
        wait=wait,
        sleep=policy.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )


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
            if isinstance(err, str) and err:
                return err[:500]
        except (ValueError, AttributeError):
            pass
        return exc.response.text[:500] or str(exc)
    return str(exc)
