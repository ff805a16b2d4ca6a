"""What a renderer is asked for (a job keyed by its content) and what it returns."""

from __future__ import annotations

import hashlib
import json

from pydantic import (
    Field,
)

from reelwright.models.base import Frozen, SafeId

# --------------------------------------------------------------------------- rendering


class RenderJob(Frozen):
    """Everything that determines a frame. Its key is the cache key."""

    shot_id: SafeId
    renderer: str
    renderer_version: str
    model: str
    prompt: str
    negative_prompt: str = ""
    seed: int
    width: int = Field(ge=16, le=8192)
    height: int = Field(ge=16, le=8192)
    steps: int = 1
    guidance: float = 0.0
    scheduler: str = ""
    panel: dict[str, object] = Field(
        default_factory=dict, description="Renderer-specific inputs (storyboard layout)."
    )
    reference: str = Field("", description="Key of the frame an image-to-image pass starts from.")
    strength: float = Field(0.0, ge=0, le=1)

    @property
    def key(self) -> str:
        payload = self.model_dump(mode="json", exclude={"shot_id"}, exclude_defaults=True)
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()


class RenderResult(Frozen):
    shot_id: SafeId
    key: str
    path: str = Field(description="Path of the cached frame.")
    cached: bool
    renderer: str
    model: str
    seed: int
    width: int
    height: int
    seconds: float
    warnings: tuple[str, ...] = ()
