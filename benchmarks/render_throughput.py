"""Keyframe throughput: (a) the bare pipeline once per shot, (b) the bare pipeline at its best
batch size, (c) Reelwright's renderer on a 16-shot episode of the same settings, written into
a fresh render cache.

On CUDA it builds a random-weight model with the real SD 1.5 architecture (512²) or, with
--arch sdxl, SDXL (1024²) — the same compute as the released weights — 25 steps, fp16, saves
it and loads it through the renderer's own path. `--variants` then measures (c) again with
each speed-up on (channels_last, compile = torch.compile of the denoiser with channels_last,
compile_dynamic, vae_tiling) or with scene references (scene_reference), the compile's first
call and a later short batch timed apart; `--check-batch` gives the largest pixel difference
between a frame rendered alone and in a batch, and `--oom-check` caps GPU memory to force a
real out-of-memory and reports the halved batches. Without CUDA it runs a tiny model on
the CPU in under a minute and says so. Progress goes to stderr; one JSON line to stdout, with
peak GPU memory per figure on CUDA.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sd15(folder: Path) -> Path:
    """Random weights, SD 1.5 architecture (UNet 860M, CLIP ViT-L/14 text, KL VAE)."""
    import torch
    from transformers import CLIPTokenizer

    from reelwright.testing import build_tiny_pipeline

    tiny = build_tiny_pipeline(folder / "tok")  # only for its generated tokenizer files
    tok = CLIPTokenizer.from_pretrained(tiny / "tokenizer")
    torch.manual_seed(0)
    with _build_device():
        return _sd15(folder, tok)


def _build_device():  # type: ignore[no-untyped-def]
    """Random init on the GPU where there is one: seconds instead of a minute on the CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _sd15(folder: Path, tok) -> Path:  # type: ignore[no-untyped-def]
    import torch
    from diffusers import (
        AutoencoderKL,
        PNDMScheduler,
        StableDiffusionPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel

    unet = UNet2DConditionModel(
        sample_size=64,
        in_channels=4,
        out_channels=4,
        layers_per_block=2,
        block_out_channels=(320, 640, 1280, 1280),
        cross_attention_dim=768,
        attention_head_dim=8,
        down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
    )
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        layers_per_block=2,
        sample_size=512,
        block_out_channels=(128, 256, 512, 512),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
    )
    text = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=tok.vocab_size + 2,
            hidden_size=768,
            intermediate_size=3072,
            num_hidden_layers=12,
            num_attention_heads=12,
            max_position_embeddings=77,
            bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id,
            pad_token_id=tok.pad_token_id,
        )
    )
    scheduler = PNDMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        skip_prk_steps=True,
        steps_offset=1,
    )
    pipe = StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        text_encoder=text,
        tokenizer=tok,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    out = folder / "sd15-arch"
    pipe.to(dtype=torch.float16).save_pretrained(out, safe_serialization=True)
    return out


def sdxl(folder: Path) -> Path:
    """Random weights, SDXL base architecture (UNet 2.6B, CLIP-L + OpenCLIP bigG text)."""
    import torch
    from transformers import (
        CLIPTokenizer,
    )

    from reelwright.testing import build_tiny_pipeline

    tiny = build_tiny_pipeline(folder / "tok")
    tok = CLIPTokenizer.from_pretrained(tiny / "tokenizer")
    ids = dict(
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        max_position_embeddings=77,
        vocab_size=tok.vocab_size + 2,
    )
    torch.manual_seed(0)
    with _build_device():
        return _sdxl(folder, tok, ids)


def _sdxl(folder: Path, tok, ids: dict) -> Path:  # type: ignore[no-untyped-def]
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerDiscreteScheduler,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    unet = UNet2DConditionModel(
        sample_size=128,
        in_channels=4,
        out_channels=4,
        layers_per_block=2,
        block_out_channels=(320, 640, 1280),
        attention_head_dim=(5, 10, 20),
        transformer_layers_per_block=(1, 2, 10),
        cross_attention_dim=2048,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=256,
        projection_class_embeddings_input_dim=2816,
    )
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        layers_per_block=2,
        sample_size=1024,
        block_out_channels=(128, 256, 512, 512),
        scaling_factor=0.13025,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
    )
    text = CLIPTextModel(
        CLIPTextConfig(
            hidden_size=768,
            intermediate_size=3072,
            num_hidden_layers=12,
            num_attention_heads=12,
            **ids,
        )
    )
    text_2 = CLIPTextModelWithProjection(
        CLIPTextConfig(
            hidden_size=1280,
            intermediate_size=5120,
            num_hidden_layers=32,
            num_attention_heads=20,
            projection_dim=1280,
            hidden_act="gelu",
            **ids,
        )
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", steps_offset=1
    )
    pipe = StableDiffusionXLPipeline(
        vae=vae,
        text_encoder=text,
        text_encoder_2=text_2,
        tokenizer=tok,
        tokenizer_2=tok,
        unet=unet,
        scheduler=scheduler,
    )
    pipe = pipe.to(dtype=torch.float16)
    out = folder / "sdxl-arch"
    pipe.save_pretrained(out, safe_serialization=True)
    return out


def log(msg: str) -> None:
    print(f"[render_throughput {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def bare(pipe, prompts: list[str], size: int, steps: int, batch: int) -> float:  # type: ignore[no-untyped-def]
    import torch

    sync()
    started = time.perf_counter()
    for i in range(0, len(prompts), batch):
        chunk = prompts[i : i + batch]
        gens = [torch.Generator(pipe.device).manual_seed(7 + i + k) for k in range(len(chunk))]
        pipe(
            chunk,
            negative_prompt=["blurry"] * len(chunk),
            num_inference_steps=steps,
            guidance_scale=7.5,
            height=size,
            width=size,
            generator=gens,
            output_type="pil",
        )
    sync()
    return len(prompts) / (time.perf_counter() - started)


def peak_gb() -> float | None:
    import torch

    if not torch.cuda.is_available():
        return None
    gb = torch.cuda.max_memory_allocated() / 2**30
    torch.cuda.reset_peak_memory_stats()
    return round(gb, 2)


def episode_jobs(renderer, prompts: list[str], size: int, steps: int, seed0: int = 7):  # type: ignore[no-untyped-def]
    from reelwright.models import RenderJob

    return [
        RenderJob(
            shot_id=f"s{i // 4 + 1}-{i % 4 + 1}",
            renderer=renderer.name,
            renderer_version=renderer.version,
            model=renderer.model,
            prompt=p,
            negative_prompt="blurry",
            seed=seed0 + i,
            width=size,
            height=size,
            steps=steps,
            guidance=7.5,
            scheduler=renderer.scheduler_name(),
        )
        for i, p in enumerate(prompts)
    ]


def episode(renderer, jobs, cache_dir: Path) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    """(c): Reelwright's renderer through render_all into a fresh cache, frames on disk."""
    from reelwright.renderers.cache import RenderCache, render_all

    renderer.stats.batch_sizes.clear()
    sync()
    started = time.perf_counter()
    results = render_all(renderer, jobs, RenderCache(cache_dir))
    sync()
    rate = len(results) / (time.perf_counter() - started)
    assert not any(r.cached for r in results)
    return rate, results


def timed(renderer, jobs) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    list(renderer.render(jobs))
    sync()
    return round(time.perf_counter() - started, 2)


def scene_shots(jobs):  # type: ignore[no-untyped-def]
    from reelwright.models import Shot

    return [
        Shot(
            id=j.shot_id,
            scene_id=j.shot_id.split("-")[0],
            framing="medium",
            duration_s=2,
            location="harbour",
            description="d",
            prompt=j.prompt,
            seed=j.seed,
        )
        for j in jobs
    ]


def oom_check(renderer, settings, batched, prompts, size, steps) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A real CUDA out-of-memory: cap this process's GPU memory between what the largest
    and the next batch need, ask for the largest, and expect halved batches and every frame."""

    import torch

    sizes = sorted(b for b in batched if batched[b]["peak_gb"])
    if len(sizes) < 2:
        return {"skipped": "needs two measured batch sizes"}
    big, half = sizes[-1], sizes[-2]
    cap_gb = (batched[big]["peak_gb"] + batched[half]["peak_gb"]) / 2
    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(0).total_memory / 2**30
    torch.cuda.set_per_process_memory_fraction(cap_gb / total)
    renderer.settings = settings.model_copy(update={"batch_size": big})
    renderer.stats.batch_sizes.clear()
    ooms = renderer.stats.ooms
    jobs = episode_jobs(renderer, prompts[:big], size, steps, seed0=2000)
    try:
        frames = list(renderer.render(jobs))
        result: dict[str, object] = {"frames": len(frames)}
    except Exception as exc:  # the check reports, the benchmark goes on
        result = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    return {
        "cap_gb": round(cap_gb, 2),
        "asked_batch": big,
        "ooms": renderer.stats.ooms - ooms,
        "batches": list(renderer.stats.batch_sizes),
        **result,
    }


def main() -> None:

    import torch

    from reelwright.config import RenderSettings
    from reelwright.renderers.diffusers import DiffusersRenderer, apply_speedups
    from reelwright.testing import build_tiny_pipeline

    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=int, default=16)
    parser.add_argument("--batches", default="1,4,8,16")
    parser.add_argument("--arch", choices=["sd15", "sdxl"], default="sd15")
    parser.add_argument(
        "--variants",
        default="",
        help="comma list to measure (c) with: channels_last, compile, compile_dynamic, "
        "vae_tiling, scene_reference",
    )
    parser.add_argument(
        "--check-batch", action="store_true", help="max pixel difference, alone vs batched"
    )
    parser.add_argument(
        "--oom-check", action="store_true", help="a real CUDA OOM must halve the batch (CUDA)"
    )
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        if cuda and args.arch == "sdxl":
            model, size, steps, mode = sdxl(folder), 1024, 25, "cuda, SDXL architecture, fp16"
        elif cuda:
            model, size, steps, mode = sd15(folder), 512, 25, "cuda, SD1.5 architecture, fp16"
        else:
            model, size, steps, mode = build_tiny_pipeline(folder), 64, 4, "cpu, tiny model"
        if cuda:  # the built copy is gone: peaks below are the renderer's alone
            gc.collect()
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        log(f"{mode}: model built and saved in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        base = RenderSettings(steps=steps, guidance=7.5, batch_size=1)
        renderer = DiffusersRenderer(model, base, home=folder)
        pipe = renderer.pipe
        figures["load_s"] = round(time.perf_counter() - started, 2)
        log(f"loaded through the renderer in {figures['load_s']} s (weights hashed)")
        prompts = [f"storyboard frame {i}, a lighthouse keeper at dusk" for i in range(args.shots)]
        bare(pipe, prompts[:2], size, steps, 2)  # warm-up (kernels, allocator)
        peak_gb()
        per_shot = bare(pipe, prompts, size, steps, 1)
        figures["a_per_shot"] = {"img_s": round(per_shot, 3), "peak_gb": peak_gb()}
        log(f"(a) per shot: {per_shot:.3f} img/s")
        best_batch, best = 1, per_shot
        batched: dict[int, dict[str, object]] = {1: dict(figures["a_per_shot"])}  # type: ignore[arg-type]
        for b in [int(x) for x in args.batches.split(",") if int(x) > 1]:
            rate = bare(pipe, prompts, size, steps, b)
            batched[b] = {"img_s": round(rate, 3), "peak_gb": peak_gb()}
            log(f"(b) batch {b}: {rate:.3f} img/s")
            if rate > best:
                best_batch, best = b, rate
        figures["b_best_batch"] = {"batch": best_batch, **batched[best_batch]}
        settings = base.model_copy(update={"batch_size": best_batch})
        renderer.settings = settings
        jobs = episode_jobs(renderer, prompts, size, steps)
        rate, results = episode(renderer, jobs, folder / "cache-eager")
        figures["c_reelwright_episode"] = {
            "img_s": round(rate, 3),
            "peak_gb": peak_gb(),
            "batches": list(renderer.stats.batch_sizes),
        }
        log(f"(c) episode: {rate:.3f} img/s, c/b {rate / best:.3f}")
        c_eager = rate
        if args.check_batch:
            import numpy as np
            from PIL import Image

            pick = jobs[min(3, len(jobs) - 1)]
            (alone,) = list(renderer.render([pick]))
            with Image.open(next(r.path for r in results if r.shot_id == pick.shot_id)) as im:
                in_batch = np.asarray(im.convert("RGB"), dtype=np.int16)
            diff = np.abs(np.asarray(alone.image.convert("RGB"), dtype=np.int16) - in_batch)
            figures["alone_vs_batched"] = {
                "batch": best_batch,
                "max_abs": int(diff.max()),
                "mean_abs": round(float(diff.mean()), 4),
                "pixels_differing_pct": round(float((diff > 0).any(axis=2).mean()) * 100, 3),
                "frame_std": round(float(in_batch.std()), 2),  # ~0 would mean a blank frame
            }
            log(f"alone vs batched: {figures['alone_vs_batched']}")
        variants: dict[str, dict[str, object]] = {}
        for name in [v for v in args.variants.split(",") if v]:
            linked = jobs
            if name == "channels_last":
                settings = settings.model_copy(update={"channels_last": True})
            elif name in ("compile", "compile_dynamic"):  # with channels_last, as upstream
                settings = settings.model_copy(update={"channels_last": True, "compile": True})
            elif name == "vae_tiling":
                settings = settings.model_copy(update={"vae_tiling": True})
            elif name == "scene_reference":  # 4 scenes of 4: shots 2-4 chain image-to-image
                settings = settings.model_copy(
                    update={"reference": "scene", "reference_strength": 0.6}
                )
            else:
                raise SystemExit(f"unknown variant {name!r}")
            renderer.settings = settings
            if name == "compile_dynamic":  # one compile for every batch size
                denoiser = pipe.unet
                torch._dynamo.reset()
                denoiser._compiled_call_impl = None
                denoiser.compile(dynamic=True)
            apply_speedups(pipe, settings)
            if name == "scene_reference":
                linked = renderer.link(jobs, scene_shots(jobs))
            entry: dict[str, object] = {}
            if name.startswith("compile"):  # the one-time cost, at the batch size (c) uses
                warm = episode_jobs(renderer, prompts[:best_batch], size, steps, seed0=1000)
                entry["first_call_s"] = timed(renderer, warm)
                log(f"{name}: first call {entry['first_call_s']} s")
                peak_gb()
            rate, _ = episode(renderer, linked, folder / f"cache-{name}")
            entry.update(
                img_s=round(rate, 3),
                peak_gb=peak_gb(),
                batches=list(renderer.stats.batch_sizes),
                over_c_eager=round(rate / c_eager, 3),
                over_b_eager=round(rate / best, 3),
            )
            if name.startswith("compile"):  # a partial last batch: recompile or not?
                odd = episode_jobs(renderer, prompts[:3], size, steps, seed0=3000)
                entry["batch_of_3_first_call_s"] = timed(renderer, odd)
                entry["batch_of_3_again_s"] = timed(
                    renderer, episode_jobs(renderer, prompts[:3], size, steps, seed0=4000)
                )
                peak_gb()
            variants[name] = entry
            log(f"(c) with {name}: {entry}")
            if name in ("vae_tiling", "scene_reference"):  # measured alone, not carried on
                settings = settings.model_copy(update={"vae_tiling": False, "reference": "none"})
                renderer.settings = settings
                apply_speedups(pipe, settings)
        if args.oom_check and cuda:
            figures["oom_check"] = oom_check(renderer, settings, batched, prompts, size, steps)
            log(f"oom check: {figures['oom_check']}")
        if variants:
            figures["c_variants"] = variants
    print(
        json.dumps(
            {
                "benchmark": "render_throughput",
                "mode": mode,
                "size": size,
                "steps": steps,
                "shots": args.shots,
                "torch": torch.__version__,
                "gpu": torch.cuda.get_device_name(0) if cuda else None,
                **figures,
                "by_batch": batched,
                "c_over_b": round(c_eager / best, 3),
                "c_over_a": round(c_eager / per_shot, 3),
                "target_c_over_b": 0.9,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
