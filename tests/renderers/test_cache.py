from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from reelwright.errors import RenderError
from reelwright.models import RenderJob
from reelwright.renderers.base import ReferenceLookup, RenderedFrame, StepProgress
from reelwright.renderers.cache import RenderCache, render_all
from reelwright.renderers.storyboard import StoryboardRenderer, draw_panel


class CountingRenderer(StoryboardRenderer):
    def __init__(self, fail_after: int | None = None) -> None:
        self.rendered: list[str] = []
        self.fail_after = fail_after

    def render(
        self,
        jobs: Sequence[RenderJob],
        references: ReferenceLookup | None = None,
        progress: StepProgress | None = None,
    ) -> Iterator[RenderedFrame]:
        for job in jobs:
            if self.fail_after is not None and len(self.rendered) >= self.fail_after:
                raise RuntimeError("GPU fell over")
            self.rendered.append(job.shot_id)
            yield RenderedFrame(job=job, image=draw_panel(job), seconds=0.01)


def jobs(n: int, seed: int = 0) -> list[RenderJob]:
    return [
        RenderJob(
            shot_id=f"s1-{i}",
            renderer="storyboard",
            renderer_version="1",
            model="m",
            prompt=f"shot {i}",
            seed=seed + i,
            width=64,
            height=48,
        )
        for i in range(n)
    ]


def test_hits_never_reach_the_renderer(tmp_path):
    cache = RenderCache(tmp_path)
    first = CountingRenderer()
    results = render_all(first, jobs(4), cache)
    assert first.rendered == ["s1-0", "s1-1", "s1-2", "s1-3"]
    assert not any(r.cached for r in results)
    again = CountingRenderer()
    results = render_all(again, jobs(4), cache)
    assert again.rendered == [] and all(r.cached for r in results)
    assert [r.shot_id for r in results] == ["s1-0", "s1-1", "s1-2", "s1-3"]


def test_only_changed_jobs_render(tmp_path):
    cache = RenderCache(tmp_path)
    render_all(CountingRenderer(), jobs(4), cache)
    changed = jobs(4)
    changed[2] = changed[2].model_copy(update={"prompt": "new"})
    r = CountingRenderer()
    results = render_all(r, changed, cache)
    assert r.rendered == ["s1-2"] and [x.cached for x in results] == [True, True, False, True]


def test_identical_content_renders_once(tmp_path):
    twins = [j.model_copy(update={"prompt": "same", "seed": 1}) for j in jobs(3)]
    r = CountingRenderer()
    results = render_all(r, twins, RenderCache(tmp_path))
    assert len(r.rendered) == 1 and len({x.path for x in results}) == 1


def test_frames_finished_before_a_crash_are_kept(tmp_path):
    cache = RenderCache(tmp_path)
    with pytest.raises(RuntimeError):
        render_all(CountingRenderer(fail_after=2), jobs(4), cache)
    r = CountingRenderer()
    results = render_all(r, jobs(4), cache)
    assert r.rendered == ["s1-2", "s1-3"] and [x.cached for x in results][:2] == [True, True]


def test_a_renderer_that_drops_a_frame_is_an_error(tmp_path):
    class Lossy(CountingRenderer):
        def render(self, jobs, references=None, progress=None):
            yield from list(super().render(jobs))[:-1]

    with pytest.raises(RenderError, match=r"no frame for shots \['s1-2'\]"):
        render_all(Lossy(), jobs(3), RenderCache(tmp_path))


class Recorder:
    """A RenderProgress that keeps what it is told."""

    def __init__(self) -> None:
        self.frames: list[tuple[str, int, int]] = []
        self.steps: list[tuple[int, int, int]] = []

    def frame(self, result, done: int, total: int) -> None:
        self.frames.append((result.shot_id, done, total))

    def step(self, batch: int, done: int, total: int) -> None:
        self.steps.append((batch, done, total))


def test_progress_reports_every_frame(tmp_path):
    seen = Recorder()
    render_all(CountingRenderer(), jobs(3), RenderCache(tmp_path), seen)
    assert seen.frames == [("s1-0", 1, 3), ("s1-1", 2, 3), ("s1-2", 3, 3)]


def test_the_renderer_is_given_the_cache_lookup_and_the_step_progress(tmp_path):
    """Passed in on each render call, never assigned to the renderer: a reference key
    resolves to the cached frame, and steps reach the run's progress."""
    cache = RenderCache(tmp_path)
    (first,) = render_all(CountingRenderer(), jobs(1), cache)
    given: list[tuple[ReferenceLookup | None, StepProgress | None]] = []

    class Stepping(CountingRenderer):
        def render(self, jobs, references=None, progress=None):
            given.append((references, progress))
            assert references is not None and progress is not None
            assert references(first.key) == Path(first.path)
            progress.step(1, 1, 2)
            yield from super().render(jobs)

    seen = Recorder()
    render_all(Stepping(), jobs(2, seed=10), cache, seen)
    assert len(given) == 1 and seen.steps == [(1, 1, 2)]
    assert not hasattr(Stepping(), "reference_loader")


def test_a_render_pass_logs_a_summary_at_info_and_each_job_at_debug(tmp_path, caplog):
    cache = RenderCache(tmp_path)
    render_all(CountingRenderer(), jobs(2), cache)
    twins = jobs(4)
    twins[3] = twins[3].model_copy(update={"prompt": twins[2].prompt, "seed": twins[2].seed})
    with caplog.at_level(logging.INFO, logger="reelwright"):
        render_all(CountingRenderer(), twins, cache)
    infos = [r for r in caplog.records if r.name == "reelwright.renderers.cache"]
    assert [r.levelno for r in infos] == [logging.INFO]
    assert infos[0].getMessage() == (
        "render pass with storyboard: 4 jobs, 2 cached, 2 to render (1 distinct)"
    )
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="reelwright"):
        render_all(CountingRenderer(), twins, cache)
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert [m.split(":")[0] for m in debug] == ["render cache hit"] * 4
    assert all(j.shot_id in m and j.key in m for j, m in zip(twins, debug, strict=True))


def test_the_library_adds_only_a_null_handler_and_prints_nothing(tmp_path):
    """Quiet by default: with logging unconfigured, a render pass writes nothing."""
    import subprocess
    import sys

    code = (
        "import logging, sys\n"
        "from pathlib import Path\n"
        "from reelwright.renderers.cache import RenderCache, render_all\n"
        "from tests.renderers.test_cache import CountingRenderer, jobs\n"
        "render_all(CountingRenderer(), jobs(2), RenderCache(Path(sys.argv[1])))\n"
        "handlers = logging.getLogger('reelwright').handlers\n"
        "assert all(isinstance(h, logging.NullHandler) for h in handlers)\n"
        "assert not logging.getLogger().handlers\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


def test_frames_are_written_while_the_renderer_goes_on(tmp_path, monkeypatch):
    """The PNG write of frame 1 must not hold up rendering frame 2."""
    import threading

    second_asked = threading.Event()
    real_put = RenderCache.put

    def slow_put(self, job, *args, **kwargs):
        if job.shot_id == "s1-0":
            assert second_asked.wait(5), "renderer waited for the first frame's write"
        return real_put(self, job, *args, **kwargs)

    class Watching(CountingRenderer):
        def render(self, jobs, references=None, progress=None):
            for i, frame in enumerate(super().render(jobs)):
                if i == 1:
                    second_asked.set()
                yield frame

    monkeypatch.setattr(RenderCache, "put", slow_put)
    results = render_all(Watching(), jobs(3), RenderCache(tmp_path))
    assert [r.shot_id for r in results] == ["s1-0", "s1-1", "s1-2"]
    assert all(Path(r.path).is_file() for r in results)
