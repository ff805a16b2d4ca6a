"""What LLM calls spent: calls, requests, tokens and latency."""

from __future__ import annotations

from pydantic import (
    Field,
)

from reelwright.models.base import Frozen


class Usage(Frozen):
    """What LLM calls spent. `calls`: replies received; `requests`: every HTTP request sent
    (retries, repair re-asks and failed requests included); tokens as the server reported."""

    calls: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    normalised: dict[str, int] = Field(
        default_factory=dict,
        description="Names in accepted replies mapped to ids, `'Juno Park → juno': count`.",
    )

    def __add__(self, other: Usage) -> Usage:
        normalised = dict(self.normalised)
        for mapping, count in other.normalised.items():
            normalised[mapping] = normalised.get(mapping, 0) + count
        return Usage(
            calls=self.calls + other.calls,
            requests=self.requests + other.requests,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            latency_s=round(self.latency_s + other.latency_s, 6),
            normalised=dict(sorted(normalised.items())),
        )

    def __sub__(self, other: Usage) -> Usage:
        """What this spent beyond `other` (never below zero)."""
        return Usage(
            calls=max(0, self.calls - other.calls),
            requests=max(0, self.requests - other.requests),
            prompt_tokens=max(0, self.prompt_tokens - other.prompt_tokens),
            completion_tokens=max(0, self.completion_tokens - other.completion_tokens),
            latency_s=round(max(0.0, self.latency_s - other.latency_s), 6),
        )

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def spent_requests(self) -> int:
        """Requests sent; for usage recorded before `requests` existed, the calls."""
        return max(self.requests, self.calls)
