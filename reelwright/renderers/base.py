"""The Renderer port: a batch of RenderJobs in, frames out (one per job, any order).

Everything a caller uses is declared here, nothing is probed:

- `Renderer` names what the episode graph, the cache and the API call on every renderer:
  `name`, `version`, `model`, `spec` (how `renderer_from_spec` rebuilds it on resume),
  `weights_sha256` ("" for a renderer without weights), `job`, `link` and `render`.
- `link` is part of the protocol rather than a sub-protocol, so the graph calls it on every
  renderer: a renderer whose shots never start from another frame returns the jobs as they
  are. `BaseRenderer` gives that identity `link`, `spec = name` and no weights; a renderer
  subclasses it and overrides what it has.
- What varies per render pass is passed to `render`, never assigned to the renderer: the
  cache's `ReferenceLookup` (render key -> frame path, for image-to-image passes) and a
  `StepProgress` (denoising steps of the batch being rendered). A renderer ignores either
  when it has no use for it.

The contract every renderer keeps (tests/renderers/test_contract.py runs it over each):
the same job gives the same pixels; `render` yields exactly one frame per job; a job's key
does not depend on the shot's id (two shots with the same content share a frame); a frame is
the same rendered alone or in a batch (within a stated tolerance for GPU renderers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reelwright.models import Bible, RenderJob, Shot

if TYPE_CHECKING:
    from PIL import Image

ReferenceLookup = Callable[[str], Path]
"""A render key -> where its frame is cached (the file may not exist: the renderer checks)."""


class StepProgress(Protocol):
    """Told of each denoising step of the batch being rendered (renderers that have steps)."""

    def step(self, batch: int, done: int, total: int) -> None: ...


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

    @property
    def spec(self) -> str:
        """What `renderer_from_spec` rebuilds this renderer from (`storyboard`,
        `diffusers:PATH`); recorded in the run so a resume renders with the same one."""
        ...

    @property
    def weights_sha256(self) -> str:
        """SHA-256 of the model's weights for the rights ledger; "" without weights."""
        ...

    def job(self, shot: Shot, bible: Bible, width: int, height: int) -> RenderJob: ...

    def link(
        self, jobs: list[RenderJob], shots: Sequence[Shot], bible: Bible | None = None
    ) -> list[RenderJob]:
        """The jobs, one per shot in order, each given the frame it starts from (its
        `reference`) where the renderer chains shots; unchanged where it does not."""
        ...

    def render(
        self,
        jobs: Sequence[RenderJob],
        references: ReferenceLookup | None = None,
        progress: StepProgress | None = None,
    ) -> Iterator[RenderedFrame]:
        """One frame per job. `references` finds cached frames a job's `reference` names;
        `progress` is told of each denoising step."""
        ...


class BaseRenderer:
    """Defaults for the parts of `Renderer` most renderers do not vary: rebuilt by name, no
    weights to hash, no shot starts from another frame."""

    name: str
    weights_sha256: str = ""

    @property
    def spec(self) -> str:
        return self.name

    def link(
        self, jobs: list[RenderJob], shots: Sequence[Shot], bible: Bible | None = None
    ) -> list[RenderJob]:
        return list(jobs)


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
        **settings,
    )


def frame_size(aspect: float, long_side: int = 768, multiple: int = 16) -> tuple[int, int]:
    """Width and height for an aspect ratio, both multiples of `multiple` (even for H.264)."""
    w, h = (long_side, long_side / aspect) if aspect >= 1 else (long_side * aspect, long_side)

    def snap(v: float) -> int:
        return max(multiple, int(round(v / multiple)) * multiple)

    return snap(w), snap(h)
