"""GPU keyframes with diffusers: SD 1.5, SDXL, SD/SDXL-Turbo and FLUX through the auto
pipelines, loaded from a local folder (or a single `.safetensors` file with a local config
folder) — safetensors only, nothing downloaded.

One pipeline per model per process, kept warm. Compatible jobs (same size, steps, guidance,
scheduler) go through the pipeline in one call with one seeded generator per image, so a frame
is the same whether rendered alone or in a batch. On CUDA out-of-memory the batch is halved
and retried, down to 1. Prompts longer than the CLIP window are encoded in chunks (SD 1.5
family) or truncated with a warning in the result — never silently cut.

torch and diffusers are imported here only, when a diffusers renderer is built.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reelwright.config import RenderSettings
from reelwright.errors import InputError, RenderError, param
from reelwright.models import Bible, RenderJob, Shot
from reelwright.renderers.base import (
    BaseRenderer,
    ReferenceLookup,
    RenderedFrame,
    StepProgress,
    shot_job,
)

log = logging.getLogger(__name__)
RENDERER_VERSION = "1"
PICKLE_SUFFIXES = {".bin", ".ckpt", ".pt", ".pth", ".pkl", ".pickle"}
_PIPELINES: dict[tuple[str, str, str], Any] = {}  # (path, device, dtype) -> pipeline


@dataclass
class _Pass:
    """What one `render` call works with: the frames it has made (by key), the cache's lookup
    for earlier frames, and whom to tell of denoising steps."""

    references: ReferenceLookup | None
    progress: StepProgress | None
    done: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchStats:
    calls: int = 0
    batch_sizes: list[int] = field(default_factory=list)
    ooms: int = 0


def is_oom(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.cuda.OutOfMemoryError) or "out of memory" in str(exc).lower()


def check_model_path(path: Path) -> tuple[Path, Path | None]:
    """(model folder or file, config folder for a single file). Raises InputError, before any
    GPU work, for a missing path, a pickle checkpoint, or a folder that is not a diffusers
    model."""
    config: Path | None = None
    text = str(path)
    if "@" in text:  # FILE.safetensors@CONFIG_DIR
        file_part, config_part = text.split("@", 1)
        path, config = Path(file_part), Path(config_part)
    if not path.exists():
        raise InputError(f"diffusers model not found: {path}")
    if path.is_file():
        if path.suffix.lower() in PICKLE_SUFFIXES:
            raise InputError(
                f"refusing {path.name}: pickle checkpoints can run code when "
                "loaded; convert it to .safetensors"
            )
        if path.suffix.lower() != ".safetensors":
            raise InputError(f"{path.name} is not a .safetensors checkpoint")
        if config is None or not (config / "model_index.json").is_file():
            raise InputError(
                f"a single-file checkpoint needs a local config folder (nothing is "
                f"downloaded): {param('renderer')} diffusers:{path}@/path/to/config-folder"
            )
        return path, config
    if not (path / "model_index.json").is_file():
        raise InputError(f"{path} is not a diffusers model folder (no model_index.json)")
    weights = list(path.rglob("*.safetensors"))
    pickles = [p for p in path.rglob("*") if p.suffix.lower() in PICKLE_SUFFIXES]
    if not weights:
        what = f"only pickle weights ({pickles[0].name})" if pickles else "no weights"
        raise InputError(f"{path} has {what}: Reelwright loads .safetensors only")
    return path, None


def weights_hash(path: Path, home: Path) -> str:
    """SHA-256 over the model's safetensors files (names and bytes), cached by size+mtime."""
    files = [path] if path.is_file() else sorted(path.rglob("*.safetensors"))
    stamp = json.dumps(
        [
            [
                str(f.relative_to(path.parent if path.is_file() else path)),
                f.stat().st_size,
                f.stat().st_mtime_ns,
            ]
            for f in files
        ]
    )
    memo = home / "weights-hashes.json"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    key = hashlib.sha256(f"{path.resolve()}:{stamp}".encode()).hexdigest()
    if key in known:
        return str(known[key])
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    digest = h.hexdigest()
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(json.dumps({**known, key: digest}))
    except OSError:
        pass
    return digest


class DiffusersRenderer(BaseRenderer):
    """A Renderer over a local diffusers model; it links shots to reference frames as
    `settings.reference` says, and reports denoising steps to the `progress` given to
    `render`."""

    name = "diffusers"
    version = RENDERER_VERSION

    def __init__(
        self,
        model_path: str | Path,
        settings: RenderSettings | None = None,
        home: Path | str = ".reelwright",
    ) -> None:
        self.settings = settings or RenderSettings()
        self.path, self.config = check_model_path(Path(model_path))
        self.weights_sha256 = weights_hash(self.path, Path(home))
        self.model = (
            f"{self.path.stem if self.path.is_file() else self.path.name}"
            f"@{self.weights_sha256[:16]}"
        )
        self._spec = f"diffusers:{model_path}"
        self.stats = BatchStats()
        self._pipe: Any = None
        self._img2img: Any = None
        self._sheets: dict[str, Path] = {}  # SHA-256 of a character sheet -> its file

    @property
    def spec(self) -> str:
        return self._spec

    # -- jobs -----------------------------------------------------------------------

    def job(self, shot: Shot, bible: Bible, width: int, height: int) -> RenderJob:
        return shot_job(
            self,
            shot,
            width,
            height,
            steps=self.settings.steps,
            guidance=self.settings.guidance,
            scheduler=self.scheduler_name(),
        )

    def scheduler_name(self) -> str:
        index = self.config / "model_index.json" if self.config else self.path / "model_index.json"
        try:
            return str(json.loads(index.read_text())["scheduler"][1])
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            return "default"

    # -- the pipeline ---------------------------------------------------------------

    @property
    def pipe(self) -> Any:
        if self._pipe is None:
            self._pipe = load_pipeline(self.path, self.config, self.settings)
            apply_speedups(self._pipe, self.settings)
        return self._pipe

    def check_size(self, width: int, height: int) -> None:
        multiple = 8 * 2  # latent downsampling x2 for the UNet's smallest block
        vae = getattr(self.pipe, "vae_scale_factor", 8)
        multiple = max(multiple, int(vae) * 2)
        if width % multiple or height % multiple:
            raise InputError(
                f"{width}x{height} is not a size this model can take: width and "
                f"height must be multiples of {multiple}"
            )

    def link(
        self, jobs: list[RenderJob], shots: Sequence[Shot], bible: Bible | None = None
    ) -> list[RenderJob]:
        """Give shots a reference frame for an image-to-image pass, as settings.reference says:
        "scene": every shot after the first of its scene starts from the previous shot's frame;
        "character": a shot starts from the sheet of its first character that has one in the
        bible; "character+scene": a scene's first shot from the sheet, the rest chained. The
        reference's key (a frame's render key, or the SHA-256 of the sheet's bytes) is part of
        the job's key: change a shot, or a sheet, and what starts from it re-renders."""
        mode = self.settings.reference
        if mode == "none":
            return jobs
        sheets = self._sheet_keys(bible) if "character" in mode and bible is not None else {}
        linked: list[RenderJob] = []
        previous: dict[str, RenderJob] = {}
        for job, shot in zip(jobs, shots, strict=True):
            before = previous.get(shot.scene_id) if "scene" in mode else None
            if before is not None:
                reference = before.key
            else:  # the sheet of the shot's first character that has one
                reference = next((sheets[c] for c in shot.characters if c in sheets), "")
            if reference:
                job = job.model_copy(
                    update={"reference": reference, "strength": self.settings.reference_strength}
                )
            previous[shot.scene_id] = job
            linked.append(job)
        return linked

    def _sheet_keys(self, bible: Bible) -> dict[str, str]:
        """Character id -> SHA-256 of its sheet, each sheet read once per call."""
        keys: dict[str, str] = {}
        for character in bible.characters:
            if character.sheet:
                path = Path(character.sheet)
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError as exc:
                    raise InputError(f"character sheet for {character.id}: {exc}") from None
                self._sheets[digest] = path
                keys[character.id] = digest
        return keys

    def render(
        self,
        jobs: Sequence[RenderJob],
        references: ReferenceLookup | None = None,
        progress: StepProgress | None = None,
    ) -> Iterator[RenderedFrame]:
        """Text-to-image for jobs without a reference, batched; then image-to-image waves for
        jobs whose reference frame exists (rendered just now, a character sheet, or found by
        `references` in the cache)."""
        for job in jobs:
            self.check_size(job.width, job.height)
        run = _Pass(references, progress)
        done = run.done
        waiting = list(jobs)
        while waiting:
            ready = [
                j
                for j in waiting
                if not j.reference
                or j.reference in done
                or self._cached_reference(j.reference, run)
            ]
            if not ready:
                missing = sorted({j.shot_id for j in waiting})
                raise RenderError(f"shots {missing} start from frames that were never rendered")
            waiting = [j for j in waiting if j not in ready]
            groups: dict[tuple[Any, ...], list[RenderJob]] = {}
            for job in ready:
                key = (
                    job.width,
                    job.height,
                    job.steps,
                    job.guidance,
                    job.scheduler,
                    bool(job.reference),
                    job.strength,
                )
                groups.setdefault(key, []).append(job)
            for group in groups.values():
                for frame in self._render_group(group, run):
                    done[frame.job.key] = frame.image
                    yield frame

    def _cached_reference(self, key: str, run: _Pass) -> bool:
        if key in self._sheets:
            return True
        return run.references is not None and run.references(key).is_file()

    def _reference_image(self, key: str, run: _Pass) -> Any:
        if key in run.done:
            return run.done[key]
        from PIL import Image

        if key in self._sheets:
            path = self._sheets[key]
        else:
            assert run.references is not None  # _cached_reference said it is there
            path = run.references(key)
        with Image.open(path) as img:
            return img.convert("RGB")

    def _render_group(self, jobs: list[RenderJob], run: _Pass) -> Iterator[RenderedFrame]:
        size = max(1, self.settings.batch_size)
        i = 0
        while i < len(jobs):
            batch = jobs[i : i + size]
            started = time.perf_counter()
            # A compiled denoiser recompiles for each new batch shape (63 s for SD 1.5 on an
            # H200, against ~1 s for the padding images): with compile on, a short batch is
            # padded to the batch size and the extra frames dropped.
            padded = batch + [batch[-1]] * (size - len(batch)) if self.settings.compile else batch
            try:
                images, notes = self._call(padded, run)
                images, notes = images[: len(batch)], notes[: len(batch)]
            except Exception as exc:
                if not is_oom(exc):
                    raise
                self.stats.ooms += 1
                _empty_cache()
                if size == 1:
                    raise RenderError(
                        "out of GPU memory at batch size 1: lower the frame size "
                        "or enable VAE tiling"
                    ) from None
                log.warning(
                    "out of GPU memory rendering a batch of %d: retrying in batches of %d",
                    len(batch),
                    max(1, size // 2),
                )
                size = max(1, size // 2)
                continue
            self.stats.calls += 1  # completed calls only: an OOM attempt does not count
            self.stats.batch_sizes.append(len(batch))  # padding not counted
            elapsed = time.perf_counter() - started
            log.info(
                "rendered a batch of %d (%dx%d, %d steps, %s) in %.2f s",
                len(batch),
                batch[0].width,
                batch[0].height,
                batch[0].steps,
                "image-to-image" if batch[0].reference else "text-to-image",
                elapsed,
            )
            seconds = elapsed / len(batch)
            for job, image, note in zip(batch, images, notes, strict=True):
                yield RenderedFrame(job=job, image=image, seconds=seconds, warnings=note)
            i += len(batch)

    def _call(self, batch: list[RenderJob], run: _Pass) -> tuple[list[Any], list[tuple[str, ...]]]:
        import torch

        pipe = self.pipe
        extra: dict[str, Any] = {}
        if batch[0].reference:
            if self._img2img is None:
                self._img2img = image_to_image(pipe)
                self._img2img.set_progress_bar_config(disable=True)
            pipe = self._img2img
            extra = {
                "image": [self._reference_image(j.reference, run) for j in batch],
                "strength": batch[0].strength,
            }
        device = pipe.device if hasattr(pipe, "device") else "cpu"
        generators = [
            torch.Generator(device="cpu" if str(device) == "mps" else device).manual_seed(job.seed)
            for job in batch
        ]
        kwargs: dict[str, Any] = dict(
            num_inference_steps=batch[0].steps,
            guidance_scale=batch[0].guidance,
            height=batch[0].height,
            width=batch[0].width,
            generator=generators,
        )
        prompts = [j.prompt for j in batch]
        negatives = [j.negative_prompt for j in batch]
        encoded, notes = encode_prompts(pipe, prompts, negatives, self.settings.long_prompts)
        kwargs.update(encoded)
        if extra:  # image-to-image takes its size from the reference frames
            size = (batch[0].width, batch[0].height)
            extra["image"] = [
                img.resize(size) if img.size != size else img for img in extra["image"]
            ]
            kwargs.pop("height")
            kwargs.pop("width")
            kwargs.update(extra)
        if run.progress is not None:
            total = batch[0].steps
            batch_no = self.stats.calls + 1
            progress = run.progress

            def on_step(p: Any, step: int, timestep: Any, callback_kwargs: dict[str, Any]) -> Any:
                progress.step(batch_no, step + 1, total)
                return callback_kwargs

            kwargs["callback_on_step_end"] = on_step
        with torch.inference_mode():
            images = pipe(**kwargs).images
        return list(images), notes


def _empty_cache() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def pick_device_dtype(settings: RenderSettings, family: str) -> tuple[str, Any]:
    import torch

    device = settings.device
    if device == "auto":
        device = (
            "cuda"
            if torch.cuda.is_available()
            else ("mps" if torch.backends.mps.is_available() else "cpu")
        )
    if settings.dtype != "auto":
        return device, getattr(torch, settings.dtype)
    if device == "cpu":
        return device, torch.float32
    return device, torch.bfloat16 if family == "flux" else torch.float16


def load_pipeline(path: Path, config: Path | None, settings: RenderSettings) -> Any:
    """Load once per process and keep warm; SDPA attention is the default processor on
    torch 2. Speed-ups are applied over it by `apply_speedups`."""
    from diffusers import AutoPipelineForText2Image

    index_file = (config or path) / "model_index.json"
    family = "flux" if "Flux" in index_file.read_text() else "sd"
    device, dtype = pick_device_dtype(settings, family)
    key = (str(path.resolve()), device, str(dtype))
    if key in _PIPELINES:
        return _PIPELINES[key]
    if path.is_file():
        pipe = AutoPipelineForText2Image.from_pipe(_single_file(path, config, dtype))
    else:
        pipe = AutoPipelineForText2Image.from_pretrained(
            path, dtype=dtype, use_safetensors=True, local_files_only=True
        )
    pipe.set_progress_bar_config(disable=True)
    pipe = pipe.to(device)
    _PIPELINES[key] = pipe
    return pipe


def apply_speedups(pipe: Any, settings: RenderSettings) -> None:
    """Put the loaded pipeline in the state the settings ask for; idempotent, in place (the
    image-to-image pipeline shares these modules). Compile is in place too and paid once per
    process: a later episode reuses the compiled denoiser, and `_render_group` pads short
    batches so the batch shape never changes. Compile cannot be turned off again in-process."""
    import torch

    denoiser = getattr(pipe, "unet", None) or getattr(pipe, "transformer", None)
    if denoiser is not None:
        fmt = torch.channels_last if settings.channels_last else torch.contiguous_format
        denoiser.to(memory_format=fmt)
        if settings.compile and getattr(denoiser, "_compiled_call_impl", None) is None:
            denoiser.compile(fullgraph=False)
    vae = getattr(pipe, "vae", None)
    if vae is not None and hasattr(vae, "enable_tiling"):
        vae.enable_tiling() if settings.vae_tiling else vae.disable_tiling()


def _single_file(path: Path, config: Path | None, dtype: Any) -> Any:
    """A single original-layout checkpoint, with the pipeline class and every component's
    config from a local diffusers folder (its model_index.json), nothing downloaded."""
    import diffusers
    from diffusers.loaders.single_file_utils import SingleFileComponentError

    assert config is not None
    name = json.loads((config / "model_index.json").read_text()).get("_class_name", "")
    cls = getattr(diffusers, str(name), None)
    if cls is None or not hasattr(cls, "from_single_file"):
        raise InputError(
            f"{config}/model_index.json names pipeline {name!r}, which diffusers cannot load "
            "from a single file; use the model's diffusers folder instead"
        )
    try:
        return cls.from_single_file(
            str(path), config=str(config), torch_dtype=dtype, local_files_only=True
        )
    except (ValueError, KeyError, OSError, RuntimeError, SingleFileComponentError) as exc:
        raise InputError(
            f"{path.name} could not be loaded as a {name} checkpoint with the config in "
            f"{config}: {exc}"
        ) from None


def image_to_image(pipe: Any) -> Any:
    """An img2img pipeline over the same loaded components (no second copy of the weights),
    for shots rendered from a reference frame."""
    from diffusers import AutoPipelineForImage2Image

    return AutoPipelineForImage2Image.from_pipe(pipe)


def encode_prompts(
    pipe: Any, prompts: list[str], negatives: list[str], mode: str
) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    """Prompts within the text encoder's window pass through; longer ones are encoded in
    chunks of the window (single-CLIP pipelines) or truncated, and either way reported."""
    tokenizer = getattr(pipe, "tokenizer", None)
    if tokenizer is None:
        return {"prompt": prompts, "negative_prompt": negatives}, [() for _ in prompts]
    window = tokenizer.model_max_length - 2
    if hasattr(pipe, "transformer") and getattr(pipe, "tokenizer_2", None) is not None:
        # FLUX-style: T5 carries the prompt (512 tokens); CLIP only gives a pooled summary
        tokenizer, window = pipe.tokenizer_2, 512
    lengths = [len(tokenizer(p, add_special_tokens=False).input_ids) for p in prompts]
    notes: list[tuple[str, ...]] = []
    for n in lengths:
        how = (
            "encoded in chunks"
            if mode == "chunk" and _chunkable(pipe)
            else f"truncated to {window}"
        )
        notes.append(
            (f"prompt is {n} tokens, over the {window}-token window: {how}",) if n > window else ()
        )
    if max(lengths) <= window or mode != "chunk" or not _chunkable(pipe):
        return {"prompt": prompts, "negative_prompt": negatives}, notes
    positive = [_chunked(pipe, p) for p in prompts]
    negative = [_chunked(pipe, n) for n in negatives]
    longest = max(t.shape[1] for t in positive + negative)
    positive = [_pad_to(pipe, t, longest) for t in positive]
    negative = [_pad_to(pipe, t, longest) for t in negative]
    import torch

    return {
        "prompt_embeds": torch.cat(positive),
        "negative_prompt_embeds": torch.cat(negative),
    }, notes


def _chunkable(pipe: Any) -> bool:
    return hasattr(pipe, "text_encoder") and not hasattr(pipe, "text_encoder_2")


def _chunked(pipe: Any, prompt: str) -> Any:
    import torch

    tok = pipe.tokenizer
    window = tok.model_max_length - 2
    ids = tok(prompt, add_special_tokens=False).input_ids or [tok.pad_token_id]
    chunks = []
    for start in range(0, len(ids), window):
        piece = [tok.bos_token_id, *ids[start : start + window], tok.eos_token_id]
        piece += [tok.pad_token_id] * (tok.model_max_length - len(piece))
        tensor = torch.tensor([piece], device=pipe.text_encoder.device)
        with torch.inference_mode():
            chunks.append(pipe.text_encoder(tensor)[0])
    return torch.cat(chunks, dim=1).to(pipe.text_encoder.dtype)


def _pad_to(pipe: Any, embeds: Any, length: int) -> Any:
    """Extend with encoded empty chunks so positive and negative embeddings line up."""
    import torch

    while embeds.shape[1] < length:
        embeds = torch.cat([embeds, _chunked(pipe, "")], dim=1)
    return embeds
