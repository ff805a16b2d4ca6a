"""The Renderer contract, written once and run over every renderer: the storyboard, and the
diffusers renderer on the tiny random-weight pipeline (skipped without diffusers).

A renderer is deterministic; `link` keeps one job per shot, in order; `render` yields exactly
one frame per job, at the job's size; a job's key ignores the shot's id but not its content;
a frame is the same rendered alone or in a batch (within 2/255 per channel on CPU fp32 for
diffusers, exactly for the storyboard). Each check is also run on a renderer built to break
it, and must fail there — and only where that renderer breaks the contract."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from reelwright.loading import load_bible
from reelwright.models import Bible, RenderJob, Shot
from reelwright.renderers.base import BaseRenderer, RenderedFrame, Renderer, shot_job
from reelwright.renderers.storyboard import StoryboardRenderer, draw_panel


@dataclass(frozen=True)
class Backend:
    renderer: Renderer
    width: int
    height: int
    tolerance: int = 0  # per channel, of 255, between a frame alone and in a batch


# -- the checks -----------------------------------------------------------------------------


def jobs_for(b: Backend, bible: Bible, shots: Sequence[Shot]) -> list[RenderJob]:
    return [b.renderer.job(s, bible, b.width, b.height) for s in shots]


def by_shot(frames: Iterator[RenderedFrame]) -> dict[str, Image.Image]:
    return {f.job.shot_id: f.image.convert("RGB") for f in frames}


def max_difference(a: Image.Image, b: Image.Image) -> int:
    return max(high for _, high in ImageChops.difference(a, b).getextrema())


def check_deterministic(b: Backend, bible: Bible, shots: Sequence[Shot]) -> None:
    jobs = jobs_for(b, bible, shots)
    assert [j.key for j in jobs] == [j.key for j in jobs_for(b, bible, shots)], "keys vary"
    first, again = by_shot(b.renderer.render(jobs)), by_shot(b.renderer.render(jobs))
    for shot_id, image in first.items():
        assert max_difference(image, again[shot_id]) == 0, f"{shot_id} rendered differently"


def check_link_keeps_one_job_per_shot(b: Backend, bible: Bible, shots: Sequence[Shot]) -> None:
    jobs = jobs_for(b, bible, shots)
    linked = b.renderer.link(jobs, shots, bible)
    assert [j.shot_id for j in linked] == [s.id for s in shots], "link lost or moved shots"
    for job, before in zip(linked, jobs, strict=True):  # link only adds a starting frame
        assert job.model_copy(update={"reference": "", "strength": 0.0}) == before


def check_one_frame_per_job(b: Backend, bible: Bible, shots: Sequence[Shot]) -> None:
    jobs = jobs_for(b, bible, shots)
    frames = list(b.renderer.render(jobs))
    assert sorted(f.job.shot_id for f in frames) == sorted(j.shot_id for j in jobs), (
        "not one frame per job"
    )
    wanted = {j.shot_id: j for j in jobs}
    for f in frames:
        assert f.job.key == wanted[f.job.shot_id].key, f"{f.job.shot_id}: another job's frame"
        assert f.image.size == (f.job.width, f.job.height), f"{f.job.shot_id}: wrong size"


def check_key_ignores_shot_id(b: Backend, bible: Bible, shots: Sequence[Shot]) -> None:
    shot = shots[0]
    key = b.renderer.job(shot, bible, b.width, b.height).key
    renamed = shot.model_copy(update={"id": "s9-9"})
    assert b.renderer.job(renamed, bible, b.width, b.height).key == key, "key uses the shot id"
    reseeded = shot.model_copy(update={"seed": shot.seed + 1})
    assert b.renderer.job(reseeded, bible, b.width, b.height).key != key, "key ignores content"


def check_batched_equals_alone(b: Backend, bible: Bible, shots: Sequence[Shot]) -> None:
    jobs = jobs_for(b, bible, shots)
    batched = by_shot(b.renderer.render(jobs))
    for job in jobs:
        alone = by_shot(b.renderer.render([job]))[job.shot_id]
        difference = max_difference(batched[job.shot_id], alone)
        assert difference <= b.tolerance, f"{job.shot_id}: {difference}/255 alone vs batched"


CHECKS: dict[str, Callable[[Backend, Bible, Sequence[Shot]], None]] = {
    "deterministic": check_deterministic,
    "link_keeps_one_job_per_shot": check_link_keeps_one_job_per_shot,
    "one_frame_per_job": check_one_frame_per_job,
    "key_ignores_shot_id": check_key_ignores_shot_id,
    "batched_equals_alone": check_batched_equals_alone,
}


# -- the renderers --------------------------------------------------------------------------


@pytest.fixture
def bible(examples: Path) -> Bible:
    return load_bible(examples / "bible.yaml")


@pytest.fixture(scope="module")
def shots() -> list[Shot]:
    """Three shots over two scenes, so a renderer that chains a scene's shots links one."""
    return [
        Shot(
            id=shot_id,
            scene_id=shot_id.split("-")[0],
            framing=framing,
            duration_s=2,
            characters=["juno"],
            location="harbour",
            description="d",
            prompt=f"{framing} shot of the keeper at the harbour, {shot_id}",
            seed=seed,
        )
        for shot_id, framing, seed in [
            ("s1-1", "wide", 3),
            ("s1-2", "close", 4),
            ("s2-1", "medium", 5),
        ]
    ]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("diffusers")
    pytest.importorskip("torch")
    from reelwright.testing import build_tiny_pipeline

    return build_tiny_pipeline(tmp_path_factory.mktemp("models"))


@pytest.fixture(params=["storyboard", "diffusers"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "storyboard":
        return Backend(StoryboardRenderer(), width=96, height=64)
    model = request.getfixturevalue("tiny_model")
    from reelwright.config import RenderSettings
    from reelwright.renderers.diffusers import DiffusersRenderer

    settings = RenderSettings(steps=2, guidance=6.0, batch_size=8, reference="scene")
    return Backend(DiffusersRenderer(model, settings, home=tmp_path), 32, 32, tolerance=2)


@pytest.mark.parametrize("check", CHECKS)
def test_every_renderer_keeps_the_contract(backend, bible, shots, check):
    CHECKS[check](backend, bible, shots)


def test_the_link_check_sees_a_renderer_that_chains(tiny_model, bible, shots, tmp_path):
    """The diffusers backend above links a scene's later shots to the frame before: the link
    check passes on a link that changes jobs, not only on the identity."""
    from reelwright.config import RenderSettings
    from reelwright.renderers.diffusers import DiffusersRenderer

    model = tiny_model
    settings = RenderSettings(steps=2, reference="scene", reference_strength=0.5)
    b = Backend(DiffusersRenderer(model, settings, home=tmp_path), 32, 32)
    check_link_keeps_one_job_per_shot(b, bible, shots)
    linked = b.renderer.link(jobs_for(b, bible, shots), shots, bible)
    assert [j.reference for j in linked] == ["", linked[0].key, ""]


# -- renderers that break it: each check fails on its defect, and only there ----------------


class Noisy(StoryboardRenderer):
    """Adds unseeded noise: not deterministic (and so not the same alone and batched)."""

    def render(self, jobs, references=None, progress=None):
        for frame in super().render(jobs):
            noise = Image.effect_noise(frame.image.size, 64).convert("RGB")
            image = Image.blend(frame.image, noise, random.uniform(0.2, 0.8))
            yield RenderedFrame(job=frame.job, image=image, seconds=frame.seconds)


class Duplicating(StoryboardRenderer):
    """Yields its first frame twice."""

    def render(self, jobs, references=None, progress=None):
        frames = list(super().render(jobs))
        yield from [frames[0], *frames]


class ShotIdInKey(StoryboardRenderer):
    """Puts the shot's id among the job's inputs: twin shots would render twice."""

    def job(self, shot, bible, width, height):
        job = super().job(shot, bible, width, height)
        return job.model_copy(update={"panel": {**job.panel, "shot": shot.id}})


class ContentBlind(StoryboardRenderer):
    """Leaves the seed out of the job: a reseeded shot would hit the old frame."""

    def job(self, shot, bible, width, height):
        return super().job(shot.model_copy(update={"seed": 0}), bible, width, height)


class BatchDependent(StoryboardRenderer):
    """Seeds each image by its place in the batch (one generator for the whole batch)."""

    def render(self, jobs, references=None, progress=None):
        for i, job in enumerate(jobs):
            image = draw_panel(job.model_copy(update={"seed": job.seed + 7 * i}))
            yield RenderedFrame(job=job, image=image, seconds=0.0)


class DroppingLink(StoryboardRenderer):
    """Links by dropping the last shot."""

    def link(self, jobs, shots, bible=None):
        return list(jobs)[:-1]


BROKEN = [
    (Noisy, {"deterministic", "batched_equals_alone"}),
    (Duplicating, {"one_frame_per_job"}),
    (ShotIdInKey, {"key_ignores_shot_id"}),
    (ContentBlind, {"key_ignores_shot_id"}),
    (BatchDependent, {"batched_equals_alone"}),
    (DroppingLink, {"link_keeps_one_job_per_shot"}),
]


@pytest.mark.parametrize(("renderer", "breaks"), BROKEN, ids=[r.__name__ for r, _ in BROKEN])
def test_each_check_fails_on_the_renderer_that_breaks_it(renderer, breaks, bible, shots):
    failed = set()
    for name, check in CHECKS.items():
        try:
            check(Backend(renderer(), width=96, height=64), bible, shots)
        except AssertionError:
            failed.add(name)
    assert failed == breaks


def test_the_base_renderer_gives_the_optional_parts_their_defaults(bible, shots):
    """A renderer that only names itself, makes jobs and renders them keeps the protocol:
    rebuilt by its name, no weights, its jobs linked as they are."""

    class Minimal(BaseRenderer):
        name, version, model = "minimal", "1", "m"

        def job(self, shot, bible, width, height):
            return shot_job(self, shot, width, height)

        def render(self, jobs, references=None, progress=None):
            for job in jobs:
                yield RenderedFrame(
                    job=job, image=Image.new("RGB", (job.width, job.height)), seconds=0
                )

    r: Renderer = Minimal()
    assert r.spec == "minimal" and r.weights_sha256 == ""
    b = Backend(r, width=32, height=32)
    for check in CHECKS.values():
        check(b, bible, shots)
