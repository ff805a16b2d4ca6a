"""The diffusers renderer on a tiny random-weight pipeline, loaded through the path users
take. Tolerance for "the same frame alone or in a batch": at most 2/255 per channel on CPU
fp32 (batched matmuls may differ in the last bits); CUDA fp16 is looser and is not claimed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

pytest.importorskip("diffusers")
torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from reelwright.config import RenderSettings  # noqa: E402
from reelwright.errors import InputError, RenderError  # noqa: E402
from reelwright.models import RenderJob  # noqa: E402
from reelwright.renderers.base import BaseRenderer  # noqa: E402
from reelwright.renderers.cache import RenderCache, render_all  # noqa: E402
from reelwright.renderers.diffusers import (  # noqa: E402
    DiffusersRenderer,
    check_model_path,
    encode_prompts,
    image_to_image,
)
from reelwright.testing import build_tiny_pipeline  # noqa: E402

TOLERANCE = 2  # of 255
diffusers_log = "reelwright.renderers.diffusers"


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return build_tiny_pipeline(tmp_path_factory.mktemp("models"))


@pytest.fixture
def renderer(model, tmp_path) -> DiffusersRenderer:
    return DiffusersRenderer(
        model, RenderSettings(steps=2, guidance=6.0, batch_size=8), home=tmp_path
    )


def jobs(r: DiffusersRenderer, n: int, size: int = 32) -> list[RenderJob]:
    return [
        RenderJob(
            shot_id=f"s1-{i}",
            renderer=r.name,
            renderer_version=r.version,
            model=r.model,
            prompt=f"a lighthouse keeper number {i}",
            negative_prompt="blurry",
            seed=100 + i,
            width=size,
            height=size,
            steps=2,
            guidance=6.0,
            scheduler=r.scheduler_name(),
        )
        for i in range(n)
    ]


def pixels(frame) -> np.ndarray:
    return np.asarray(frame.image.convert("RGB"), dtype=np.int16)


def test_batch_of_five_matches_each_job_rendered_alone(renderer):
    batch = jobs(renderer, 5)
    frames = list(renderer.render(batch))
    assert [f.job.shot_id for f in frames] == [j.shot_id for j in batch]
    assert renderer.stats.batch_sizes == [5]
    alone = list(renderer.render([batch[3]]))[0]
    assert np.abs(pixels(frames[3]) - pixels(alone)).max() <= TOLERANCE
    assert np.abs(pixels(frames[0]) - pixels(frames[1])).max() > TOLERANCE  # seeds differ
    assert frames[0].image.size == (32, 32)


def test_rerunning_the_batch_hits_the_cache_and_never_calls_the_pipeline(renderer, tmp_path):
    cache = RenderCache(tmp_path / "cache")
    batch = jobs(renderer, 5)
    first = render_all(renderer, batch, cache)
    assert not any(r.cached for r in first) and renderer.stats.calls == 1
    again = render_all(renderer, batch, cache)
    assert all(r.cached for r in again) and renderer.stats.calls == 1


def test_out_of_memory_at_batch_four_halves_to_batches_of_two(model, tmp_path, monkeypatch, caplog):
    r = DiffusersRenderer(model, RenderSettings(steps=2, guidance=6.0, batch_size=4), home=tmp_path)
    real = r.pipe.__class__.__call__

    def limited(self, *args, **kwargs):
        if len(kwargs.get("generator", [])) > 2:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(r.pipe.__class__, "__call__", limited)
    with caplog.at_level(logging.INFO, logger="reelwright"):
        frames = list(r.render(jobs(r, 5)))
    assert len(frames) == 5 and r.stats.ooms == 1
    assert r.stats.batch_sizes == [2, 2, 1]
    logged = [(x.levelno, x.getMessage()) for x in caplog.records if x.name == diffusers_log]
    assert logged[0] == (
        logging.WARNING,
        "out of GPU memory rendering a batch of 4: retrying in batches of 2",
    )
    assert [m.split(" (")[0] for _, m in logged[1:]] == [
        "rendered a batch of 2",
        "rendered a batch of 2",
        "rendered a batch of 1",
    ]
    assert "(32x32, 2 steps, text-to-image)" in logged[1][1]


def test_out_of_memory_at_batch_one_is_a_clear_error(model, tmp_path, monkeypatch):
    r = DiffusersRenderer(model, RenderSettings(steps=2, batch_size=2), home=tmp_path)

    def always(self, *args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    monkeypatch.setattr(r.pipe.__class__, "__call__", always)
    with pytest.raises(RenderError, match="out of GPU memory at batch size 1"):
        list(r.render(jobs(r, 2)))


def test_pickle_checkpoints_and_non_models_are_refused(tmp_path, model):
    ckpt = tmp_path / "model.ckpt"
    ckpt.write_bytes(b"\x80\x04pickle")
    with pytest.raises(InputError, match="pickle checkpoints can run code"):
        check_model_path(ckpt)
    only_bin = tmp_path / "bin-model"
    only_bin.mkdir()
    (only_bin / "model_index.json").write_text("{}")
    (only_bin / "unet").mkdir()
    (only_bin / "unet" / "diffusion_pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(InputError, match="only pickle weights"):
        check_model_path(only_bin)
    with pytest.raises(InputError, match="not found"):
        check_model_path(tmp_path / "missing")
    with pytest.raises(InputError, match="no model_index.json"):
        check_model_path(tmp_path)
    single = next(model.rglob("*.safetensors"))
    with pytest.raises(InputError, match="needs a local config folder"):
        check_model_path(single)


def test_a_size_the_model_cannot_take_is_refused_before_rendering(renderer):
    with pytest.raises(InputError, match="multiples of 16"):
        list(renderer.render(jobs(renderer, 1, size=40)))
    assert renderer.stats.calls == 0


def test_weights_hash_is_in_every_cache_key(model, tmp_path):
    r = DiffusersRenderer(model, home=tmp_path)
    assert len(r.weights_sha256) == 64 and r.model.endswith(r.weights_sha256[:16])
    job = jobs(r, 1)[0]
    other = job.model_copy(update={"model": "tiny-sd@" + "0" * 16})
    assert job.key != other.key


def test_long_prompts_are_chunked_and_reported_not_cut(renderer):
    long_prompt = " ".join(["lighthouse"] * 120)  # ~240 tokens with this byte-level vocab
    encoded, notes = encode_prompts(renderer.pipe, [long_prompt, "short"], ["", ""], "chunk")
    assert "prompt_embeds" in encoded
    assert encoded["prompt_embeds"].shape[1] > 77
    assert encoded["prompt_embeds"].shape == encoded["negative_prompt_embeds"].shape
    assert notes[0] and "encoded in chunks" in notes[0][0] and notes[1] == ()
    (frame,) = renderer.render([jobs(renderer, 1)[0].model_copy(update={"prompt": long_prompt})])
    assert frame.warnings and frame.image.size == (32, 32)
    truncated, notes = encode_prompts(renderer.pipe, [long_prompt], [""], "truncate")
    assert "prompt" in truncated and "truncated to 75" in notes[0][0]


def test_image_to_image_shares_the_loaded_components(renderer):
    img2img = image_to_image(renderer.pipe)
    assert img2img.unet is renderer.pipe.unet and img2img.vae is renderer.pipe.vae


def test_the_episode_runs_with_the_diffusers_renderer(model, tmp_path, examples):
    """The whole episode through the diffusers renderer, with character sheets from the
    bible and scene chaining on."""
    import yaml
    from PIL import Image

    from reelwright.api import run_episode
    from reelwright.config import Settings

    data = yaml.safe_load((examples / "bible.yaml").read_text())
    for i, character in enumerate(data["characters"]):
        Image.new("RGB", (40, 40), (60 * i, 90, 200)).save(tmp_path / f"{character['id']}.png")
        character["sheet"] = f"{character['id']}.png"
    (tmp_path / "bible.yaml").write_text(yaml.safe_dump(data))
    settings = Settings(
        home=tmp_path / "home",
        render=RenderSettings(steps=2, batch_size=4, reference="character+scene"),
    )
    outcome = run_episode(
        examples / "briefs" / "first-light.yaml",
        bible=tmp_path / "bible.yaml",
        out=tmp_path / "out",
        renderer=f"diffusers:{model}",
        auto_approve=True,
        llm=None,
        settings=settings,
        long_side=64,
        rights=examples / "rights.yaml",
    )
    assert outcome.status in ("published", "awaiting_approval")  # the tiny model is unlisted
    record = outcome.record
    assert record is not None
    assert record.renderer == f"diffusers:{model}"
    assert record.renders.rendered >= record.shots
    assert record.renders.images_per_s is not None and record.renders.images_per_s > 0
    import hashlib
    import json

    sheets = {hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("*.png")}
    refs = [
        json.loads(meta.read_text())["job"].get("reference", "")
        for meta in (tmp_path / "home").rglob("*.json")
        if meta.with_suffix(".png").is_file()
    ]
    assert any(r in sheets for r in refs)  # first shots of scenes started from a sheet
    assert any(r and r not in sheets for r in refs)  # later shots from the previous frame


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_fp16_on_cuda_renders_the_same_frames_alone_and_batched(model, tmp_path):
    r = DiffusersRenderer(
        model, RenderSettings(steps=2, device="cuda", dtype="float16"), home=tmp_path
    )
    batch = jobs(r, 4, size=64)
    frames = list(r.render(batch))
    alone = list(r.render([batch[2]]))[0]
    assert np.abs(pixels(frames[2]) - pixels(alone)).max() <= 8


def scene_shots(n_per_scene: list[int]):
    from reelwright.models import Shot

    shots = []
    for s, n in enumerate(n_per_scene, start=1):
        for k in range(1, n + 1):
            shots.append(
                Shot(
                    id=f"s{s}-{k}",
                    scene_id=f"s{s}",
                    framing="medium",
                    duration_s=2,
                    location="harbour",
                    description="d",
                    prompt=f"scene {s} shot {k}, the harbour at dusk",
                    seed=10 * s + k,
                )
            )
    return shots


def test_scene_references_chain_frames_through_image_to_image(model, tmp_path, examples):
    from reelwright.loading import load_bible

    bible = load_bible(examples / "bible.yaml")
    r = DiffusersRenderer(
        model,
        RenderSettings(steps=2, guidance=6.0, reference="scene", reference_strength=0.5),
        home=tmp_path,
    )
    shots = scene_shots([3, 1])
    jobs = r.link([r.job(s, bible, 32, 32) for s in shots], shots)
    assert [j.reference for j in jobs] == ["", jobs[0].key, jobs[1].key, ""]
    cache = RenderCache(tmp_path / "cache")
    results = render_all(r, jobs, cache)
    assert [x.shot_id for x in results] == ["s1-1", "s1-2", "s1-3", "s2-1"]
    assert r.stats.batch_sizes == [2, 1, 1]  # text-to-image for both firsts, then the chain
    assert r._img2img.unet is r.pipe.unet  # the same loaded weights
    # change the middle shot: it and the shot after it re-render, from cached references
    shots[1] = shots[1].model_copy(update={"prompt": "scene 1 shot 2, now at night"})
    again = r.link([r.job(s, bible, 32, 32) for s in shots], shots)
    fresh = CountingRenderer(r)
    results = render_all(fresh, again, cache)
    assert [x.cached for x in results] == [True, False, False, True]
    assert fresh.rendered == ["s1-2", "s1-3"]


def test_references_and_step_progress_come_with_each_render_call(model, tmp_path, examples):
    """The cache's lookup is an argument of `render`, not state left on the renderer: a shot
    that starts from a cached frame renders with it and is refused without it."""
    from reelwright.loading import load_bible

    bible = load_bible(examples / "bible.yaml")
    r = DiffusersRenderer(
        model,
        RenderSettings(steps=2, guidance=6.0, reference="scene", reference_strength=0.5),
        home=tmp_path,
    )
    shots = scene_shots([2])
    first, second = r.link([r.job(s, bible, 32, 32) for s in shots], shots, bible)
    cache = RenderCache(tmp_path / "cache")

    class Steps:
        def __init__(self) -> None:
            self.seen: list[tuple[int, int, int]] = []

        def step(self, batch: int, done: int, total: int) -> None:
            self.seen.append((batch, done, total))

    steps = Steps()
    render_all(r, [first], cache, None)
    (frame,) = r.render([first], progress=steps)
    assert steps.seen == [(2, 1, 2), (2, 2, 2)]  # the renderer's second pipeline call
    with pytest.raises(RenderError, match="never rendered"):
        list(r.render([second]))
    (chained,) = r.render([second], references=cache.reference)
    assert chained.job.reference == first.key and r.stats.batch_sizes[-1] == 1


class CountingRenderer(BaseRenderer):
    """Wraps a renderer to record which shots it was asked to render."""

    def __init__(self, inner: DiffusersRenderer) -> None:
        self.inner = inner
        self.name, self.version, self.model = inner.name, inner.version, inner.model
        self.rendered: list[str] = []

    def render(self, jobs, references=None, progress=None):
        for frame in self.inner.render(jobs, references, progress):
            self.rendered.append(frame.job.shot_id)
            yield frame


def test_the_flux_family_loads_through_the_auto_pipeline_and_renders(tmp_path):
    from reelwright.testing import build_tiny_flux_pipeline

    r = DiffusersRenderer(
        build_tiny_flux_pipeline(tmp_path), RenderSettings(steps=2, guidance=3.5), home=tmp_path
    )
    assert type(r.pipe).__name__ == "FluxPipeline"
    batch = jobs(r, 2)
    frames = list(r.render(batch))
    alone = list(r.render([batch[1]]))[0]
    assert [f.image.size for f in frames] == [(32, 32), (32, 32)]
    assert np.abs(pixels(frames[1]) - pixels(alone)).max() <= TOLERANCE


def test_speedups_apply_in_place_once_and_keep_the_frames(tmp_path, monkeypatch):
    """channels_last, VAE tiling and compile go onto the one loaded pipeline (shared with
    image-to-image); compile happens once per process. The CPU test compiles with the eager
    backend (inductor takes ~40 s on 2 cores); GPU figures are in benchmarks/."""
    from reelwright.renderers.diffusers import apply_speedups

    model = build_tiny_pipeline(tmp_path / "own")  # its own pipeline: others stay uncompiled
    compiles = []

    def eager_compile(fn, *args, **kwargs):
        compiles.append(fn)
        return torch._dynamo.optimize("eager")(fn)

    monkeypatch.setattr(torch, "compile", eager_compile)
    plain = DiffusersRenderer(model, RenderSettings(steps=2, guidance=6.0), home=tmp_path)
    before = [pixels(f) for f in plain.render(jobs(plain, 2))]
    fast = RenderSettings(steps=2, guidance=6.0, compile=True, channels_last=True, vae_tiling=True)
    plain.settings = fast
    apply_speedups(plain.pipe, fast)
    apply_speedups(image_to_image(plain.pipe), fast)
    unet = plain.pipe.unet
    assert len(compiles) == 1 and unet._compiled_call_impl is not None
    assert unet.conv_in.weight.is_contiguous(memory_format=torch.channels_last)
    assert plain.pipe.vae.use_tiling
    after = [pixels(f) for f in plain.render(jobs(plain, 2))]
    assert max(int(np.abs(a - b).max()) for a, b in zip(before, after, strict=True)) <= TOLERANCE
    apply_speedups(plain.pipe, RenderSettings(steps=2))
    assert not plain.pipe.vae.use_tiling
    assert unet.conv_in.weight.is_contiguous()


def test_character_sheets_start_a_characters_shots(model, tmp_path, examples):
    """reference=character: shots showing a character with a sheet start from it (one wave,
    batched); character+scene: a scene's first shot from the sheet, the rest chained. The
    sheet's bytes are in the key: a new sheet re-renders the shots that start from it."""
    from PIL import Image

    from reelwright.loading import load_bible

    bible = load_bible(examples / "bible.yaml")
    sheet = tmp_path / "juno.png"
    Image.new("RGB", (48, 48), "gold").save(sheet)
    bible.characters[0].sheet = str(sheet)  # juno
    shots = scene_shots([2, 1])
    shots = [
        s.model_copy(update={"characters": chars})
        for s, chars in zip(shots, [["juno"], ["bram", "juno"], ["bram"]], strict=True)
    ]
    r = DiffusersRenderer(
        model,
        RenderSettings(steps=2, guidance=6.0, reference="character", reference_strength=0.5),
        home=tmp_path,
    )
    linked = r.link([r.job(s, bible, 32, 32) for s in shots], shots, bible)
    import hashlib

    digest = hashlib.sha256(sheet.read_bytes()).hexdigest()
    assert [j.reference for j in linked] == [digest, digest, ""]
    frames = {f.job.shot_id: f for f in r.render(linked)}
    assert sorted(frames) == ["s1-1", "s1-2", "s2-1"]
    assert r.stats.batch_sizes == [2, 1]  # one img2img batch from the sheet; s2-1 from text
    assert np.abs(pixels(frames["s1-1"]) - pixels(frames["s1-2"])).max() > TOLERANCE

    both = DiffusersRenderer(
        model,
        RenderSettings(steps=2, guidance=6.0, reference="character+scene"),
        home=tmp_path,
    )
    chained = both.link([both.job(s, bible, 32, 32) for s in shots], shots, bible)
    assert [j.reference for j in chained] == [digest, chained[0].key, ""]

    Image.new("RGB", (48, 48), "teal").save(sheet)
    relinked = r.link([r.job(s, bible, 32, 32) for s in shots], shots, bible)
    assert relinked[0].key != linked[0].key and relinked[2].key == linked[2].key


def test_with_compile_a_short_batch_is_padded_so_the_denoiser_never_recompiles(
    tmp_path, monkeypatch
):
    """On an H200 a compiled SD 1.5 UNet took 63 s to recompile for a batch of 3 after
    batches of 16; padding the short batch costs a few images instead."""
    model = build_tiny_pipeline(tmp_path / "own")
    monkeypatch.setattr(torch, "compile", lambda fn, *args, **kwargs: fn)  # shapes only
    r = DiffusersRenderer(
        model, RenderSettings(steps=2, guidance=6.0, batch_size=4, compile=True), home=tmp_path
    )
    sizes: list[int] = []
    real = r.pipe.__class__.__call__

    def watched(self, *args, **kwargs):
        sizes.append(len(kwargs["generator"]))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(r.pipe.__class__, "__call__", watched)
    batch = jobs(r, 6)
    frames = list(r.render(batch))
    assert sizes == [4, 4] and r.stats.batch_sizes == [4, 2]
    assert [f.job.shot_id for f in frames] == [j.shot_id for j in batch]
    plain = DiffusersRenderer(model, RenderSettings(steps=2, guidance=6.0), home=tmp_path)
    (alone,) = plain.render([batch[5]])
    assert np.abs(pixels(frames[5]) - pixels(alone)).max() <= TOLERANCE


def test_a_single_file_checkpoint_in_the_original_layout_loads_with_a_local_config(model, tmp_path):
    """`diffusers:FILE.safetensors@CONFIG_DIR`: the community layout (model.diffusion_model.*,
    first_stage_model.*, cond_stage_model.transformer.*) loads to the same weights and
    the same pixels as the diffusers folder it was written from."""
    from reelwright.testing import save_original_layout

    single = save_original_layout(model, tmp_path / "ckpt" / "tiny-sd15.safetensors")
    folder = DiffusersRenderer(model, RenderSettings(steps=2, guidance=6.0), home=tmp_path)
    one = DiffusersRenderer(
        f"{single}@{model}", RenderSettings(steps=2, guidance=6.0), home=tmp_path
    )
    assert type(one.pipe).__name__ == "StableDiffusionPipeline"
    assert one.model.startswith("tiny-sd15@") and one.weights_sha256 != folder.weights_sha256
    for name in ("unet", "vae", "text_encoder"):
        ours, theirs = getattr(one.pipe, name).state_dict(), getattr(folder.pipe, name).state_dict()
        assert ours.keys() == theirs.keys()
        assert all(torch.equal(ours[k], theirs[k]) for k in ours), name
    (a,) = one.render(jobs(one, 1))
    (b,) = folder.render(jobs(folder, 1))
    assert np.array_equal(pixels(a), pixels(b))


def test_a_single_file_that_is_not_such_a_checkpoint_is_a_clear_error(model, tmp_path):
    from safetensors.torch import save_file

    bogus = tmp_path / "notes.safetensors"
    save_file({"weights": torch.zeros(2)}, str(bogus))
    r = DiffusersRenderer(f"{bogus}@{model}", RenderSettings(steps=2), home=tmp_path)
    with pytest.raises(InputError, match="could not be loaded as a StableDiffusionPipeline"):
        list(r.render(jobs(r, 1)))
