"""Building blocks of every model: safe ids (never a path), text limits, and the frozen
and record base classes."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
)

SAFE_ID_BODY = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
SAFE_ID_PATTERN = rf"^{SAFE_ID_BODY}$"
SafeId = Annotated[str, StringConstraints(pattern=SAFE_ID_PATTERN)]
MAX_SEED = 2**32 - 1  # what numpy's and most samplers' seeds accept
MAX_TEXT = 1000  # a description, a look: one paragraph
Label = Annotated[str, StringConstraints(max_length=64)]


def trim_text(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


class Frozen(BaseModel):
    """Base for value objects: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Record(BaseModel):
    """Base for records the pipeline builds and revises: unknown fields rejected."""

    model_config = ConfigDict(extra="forbid")
