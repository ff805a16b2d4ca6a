"""The Renderer protocol: a batch of RenderJobs in, frames out (one per job, any order)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reelwright.models import Bible, RenderJob, Shot

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class RenderedFrame:
    job: RenderJob
    image: Image.Image
    seconds: float
    warnings: tuple[str, ...] = ()


class Renderer(Protocol):
    """Batching is the renderer's business; it yields each frame as soon as it exists."""

    name: str
    version: str
    model: str

    def job(self, shot: Shot, bible: Bible, width: int, height: int) -> RenderJob: ...

    def render(self, jobs: Sequence[RenderJob]) -> Iterator[RenderedFrame]: ...


def shot_job(
    renderer: Renderer, shot: Shot, width: int, height: int, **settings: object
) -> RenderJob:
    """The job for a shot: what every renderer keys on, plus its own settings."""
    return RenderJob(
        shot_id=shot.id,
        renderer=renderer.name,
        renderer_version=renderer.version,
        model=renderer.model,
        prompt=shot.prompt,
        negative_prompt=shot.negative_prompt,
        seed=shot.seed,
        width=width,
        height=height,
        **settings,  # type: ignore[arg-type]
    )


def frame_size(aspect: float, long_side: int = 768, multiple: int = 16) -> tuple[int, int]:
    """Width and height for an aspect ratio, both multiples of `multiple` (even for H.264)."""
    w, h = (long_side, long_side / aspect) if aspect >= 1 else (long_side * aspect, long_side)

    def snap(v: float) -> int:
        return max(multiple, int(round(v / multiple)) * multiple)

    return snap(w), snap(h)
