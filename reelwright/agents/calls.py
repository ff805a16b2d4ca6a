"""How agents call the LLM: one validated ask with its usage, usage added up, and a bounded
fan-out over scenes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

from reelwright.agents.replies import Reply
from reelwright.models import (
    Usage,
)

if TYPE_CHECKING:
    from reelwright.llm import LLM, Prompt

logger = logging.getLogger("reelwright.agents")
A = TypeVar("A")
R = TypeVar("R")
ReplyT = TypeVar("ReplyT", bound=Reply)


def parallel_map(fn: Callable[[A], R], items: Iterable[A], workers: int) -> list[R]:
    """Apply fn concurrently, keeping input order. Exceptions propagate."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(fn, items))


def ask(
    llm: LLM,
    messages: Prompt,
    output_type: type[ReplyT],
    *,
    agent: str,
    where: str | None = None,
) -> tuple[ReplyT, Usage]:
    """One structured call; the names the reply used for ids (mapped by its validators) are
    counted in the usage, so run.json shows per agent how often the model needed it."""
    reply, usage = llm.structured(messages, output_type, agent=agent, where=where)
    if reply.normalised:
        logger.info(
            "LLM %s: mapped names to ids in %s: %s",
            agent,
            output_type.__name__,
            ", ".join(f"{m} ({n})" for m, n in reply.normalised.items()),
        )
        usage = usage + Usage(normalised=reply.normalised)
    return reply, usage


def total_usage(usages: Iterable[Usage]) -> Usage:
    out = Usage()
    for u in usages:
        out = out + u
    return out
