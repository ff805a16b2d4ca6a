"""Content-addressed render cache: a frame is stored under its job's key, so an unchanged
shot is never rendered twice — across iterations, runs, or a crash and resume."""

from __future__ import annotations

import io
import json
import logging
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from reelwright.models import RenderJob, RenderResult
from reelwright.paths import atomic_write, inside
from reelwright.renderers.base import RenderedFrame, Renderer, StepProgress

log = logging.getLogger(__name__)


class RenderProgress(StepProgress, Protocol):
    """What a render pass reports: each frame as it is ready (cached or rendered), and the
    renderer's denoising steps."""

    def frame(self, result: RenderResult, done: int, total: int) -> None: ...


class RenderCache:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a render key: {key!r}")
        return self.root / key[:2] / f"{key}.png"

    def get(self, job: RenderJob) -> Path | None:
        p = self.path(job.key)
        if not (p.is_file() and p.with_suffix(".json").is_file()):
            return None
        if not self._contained(p):  # re-rendered: the write replaces the link itself
            log.warning("cache entry %s leads outside %s: treated as a miss", p, self.root)
            return None
        return p

    def reference(self, key: str) -> Path:
        """The cached frame an image-to-image pass starts from (absent: the renderer says
        so); an entry that leads outside the cache folder is refused."""
        p = self.path(key)
        if p.exists() and not self._contained(p):
            from reelwright.errors import RenderError

            raise RenderError(f"cache entry {p} leads outside the render cache {self.root}")
        return p

    def _contained(self, p: Path) -> bool:
        """The frame and its record are files inside the cache folder, links resolved."""
        return inside(p, self.root) and inside(p.with_suffix(".json"), self.root)

    def put(
        self,
        job: RenderJob,
        png: bytes,
        seconds: float,
        warnings: tuple[str, ...] = (),
        producer: str | None = None,
    ) -> Path:
        p = self.path(job.key)
        atomic_write(p, png)
        meta = {
            "job": job.model_dump(mode="json"),
            "seconds": seconds,
            "at": time.time(),
            "warnings": list(warnings),
            "producer": producer,
        }
        atomic_write(p.with_suffix(".json"), json.dumps(meta, indent=1).encode())
        return p  # the .json is written last: a frame counts as cached only when both exist

    def made_by(self, job: RenderJob, producer: str | None) -> float | None:
        """The render seconds of a stored frame if `producer` made it, else None: a render
        pass that crashed and re-ran counts its own earlier frames as rendered, not cached."""
        if producer is None:
            return None
        try:
            meta = json.loads(self.path(job.key).with_suffix(".json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("producer") != producer:
            return None
        seconds = meta.get("seconds")
        return float(seconds) if isinstance(seconds, int | float) else 0.0


def render_all(
    renderer: Renderer,
    jobs: Sequence[RenderJob],
    cache: RenderCache,
    progress: RenderProgress | None = None,
    producer: str | None = None,
) -> list[RenderResult]:
    """Results in job order. Cache hits never reach the renderer; misses are stored one by one
    as the renderer yields them, so work done before a crash is kept. The renderer is given
    the cache's lookup for image-to-image passes that start from earlier frames.

    Frames are PNG-encoded and written on a small thread pool while the renderer goes on to
    its next batch (zlib releases the GIL): at 512² a noisy frame costs ~25 ms to encode,
    which would otherwise be GPU time lost between pipeline calls."""
    results: dict[str, RenderResult] = {}
    misses: list[RenderJob] = []
    total = len(jobs)

    def done(result: RenderResult) -> None:
        results[result.shot_id] = result
        if progress is not None:
            progress.frame(result, len(results), total)

    for job in jobs:
        hit = cache.get(job)
        if hit is None:
            log.debug("render cache miss: %s %s", job.shot_id, job.key)
            misses.append(job)
        else:
            mine = cache.made_by(job, producer)
            log.debug(
                "render cache hit: %s %s%s",
                job.shot_id,
                job.key,
                "" if mine is None else " (made by this pass before a restart)",
            )
            done(_result(job, hit, cached=mine is None, seconds=mine or 0.0))
    unique: dict[str, RenderJob] = {}
    for job in misses:  # two shots with identical content render once
        unique.setdefault(job.key, job)
    log.info(
        "render pass with %s: %d jobs, %d cached, %d to render (%d distinct)",
        renderer.name,
        total,
        total - len(misses),
        len(misses),
        len(unique),
    )

    def stored(frame: RenderedFrame, path: Path) -> None:
        for job in misses:
            if job.key == frame.job.key and job.shot_id not in results:
                first = job.shot_id == frame.job.shot_id
                done(
                    _result(
                        job,
                        path,
                        cached=not first,
                        seconds=frame.seconds if first else 0,
                        warnings=frame.warnings,
                    )
                )

    pending: deque[tuple[RenderedFrame, Future[Path]]] = deque()

    def drain(wait: bool) -> None:  # record finished writes, in the order rendered
        while pending and (wait or pending[0][1].done()):
            finished, future = pending.popleft()
            stored(finished, future.result())

    if unique:
        # leaving the block waits for every write, also when the renderer raises
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="frame-writer") as pool:
            frames = renderer.render(list(unique.values()), cache.reference, progress)
            for frame in frames:
                pending.append((frame, pool.submit(_store, cache, frame, producer)))
                drain(wait=False)
            drain(wait=True)
    missing = [j.shot_id for j in jobs if j.shot_id not in results]
    if missing:
        from reelwright.errors import RenderError

        raise RenderError(f"renderer {renderer.name} returned no frame for shots {missing}")
    return [results[j.shot_id] for j in jobs]


def _store(cache: RenderCache, frame: RenderedFrame, producer: str | None) -> Path:
    buf = io.BytesIO()
    frame.image.save(buf, format="PNG", optimize=False, compress_level=3)
    return cache.put(frame.job, buf.getvalue(), frame.seconds, frame.warnings, producer)


def _result(
    job: RenderJob, path: Path, *, cached: bool, seconds: float, warnings: tuple[str, ...] = ()
) -> RenderResult:
    return RenderResult(
        shot_id=job.shot_id,
        key=job.key,
        path=str(path),
        cached=cached,
        renderer=job.renderer,
        model=job.model,
        seed=job.seed,
        width=job.width,
        height=job.height,
        seconds=round(seconds, 4),
        warnings=warnings,
    )
