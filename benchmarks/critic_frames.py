"""What the critic's frame work costs on a 130-shot episode (40 scenes, 4 characters):

- the judge's images: 24 frames (640x360 PNGs) downscaled to 256-px JPEG data URLs, the time
  to build them and the bytes they add to the judge's request;
- CLIP measurements with a random-weight model of ViT-B/32's size (CLIPConfig defaults: a
  12-layer 768-wide vision tower at 224 px, 12-layer 512-wide text tower; built here, nothing
  downloaded; the scores are meaningless, the time is what a real ViT-B/32 costs): the first
  iteration (every frame and prompt embedded), and the next one with 10 frames changed (image
  embeddings are kept per render key).

Run from the repository root with `PYTHONPATH=.`; prints one JSON line. `--small` uses the
tiny test CLIP instead (quick check of the script)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine
from PIL import Image, ImageDraw

from reelwright.config import JudgeSettings
from reelwright.critic.frames import ClipFrames
from reelwright.critic.judge import Judge
from reelwright.models import Bible, Character, Location, RenderResult, Shot, ShotList

SHOTS, SCENES, CAST = 130, 40, ("ada", "ben", "cy", "dot")


def frame(path: Path, i: int) -> None:
    img = Image.new("RGB", (640, 360), (30 + i % 200, 80, 140))
    draw = ImageDraw.Draw(img)
    draw.ellipse((100 + i % 300, 60, 260 + i % 300, 300), fill=(220, 190, 150))
    draw.text((20, 20), f"shot {i}", fill=(255, 255, 255))
    img.save(path)


def episode(work: Path) -> tuple[Bible, ShotList, list[RenderResult]]:
    bible = Bible(
        title="bench",
        characters=[Character(id=c, name=c.title(), description=f"{c} look") for c in CAST],
        locations=[Location(id="town", name="Town", description="a town")],
    )
    shots, renders = [], []
    for i in range(SHOTS):
        sid = f"s{i % SCENES + 1}-{i // SCENES + 1}"
        path = work / f"{sid}.png"
        frame(path, i)
        shots.append(
            Shot(
                id=sid,
                scene_id=f"s{i % SCENES + 1}",
                framing="medium",
                duration_s=14,
                characters=[CAST[i % 4], CAST[(i + 1) % 4]],
                location="town",
                description=f"shot {i}",
                prompt=f"storyboard frame, {CAST[i % 4]} and {CAST[(i + 1) % 4]} in town, "
                f"beat {i}, medium shot, soft light",
                seed=i,
            )
        )
        renders.append(result(sid, path, f"k{i}"))
    return bible, ShotList(shots=shots), renders


def result(sid: str, path: Path, key: str) -> RenderResult:
    return RenderResult(
        shot_id=sid,
        key=key,
        path=str(path),
        cached=False,
        renderer="bench",
        model="bench",
        seed=0,
        width=640,
        height=360,
        seconds=0.0,
    )


def vit_b32(folder: Path) -> Path:
    """A random-weight CLIP of ViT-B/32's size, saved with safetensors."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    from reelwright.testing.diffusion import tiny_clip_tokenizer

    tokenizer = tiny_clip_tokenizer(folder / "_tok")
    vocab = tokenizer.get_vocab()
    config = CLIPConfig(
        text_config={
            "vocab_size": len(vocab),
            "bos_token_id": vocab["<|startoftext|>"],
            "eos_token_id": vocab["<|endoftext|>"],
            "pad_token_id": vocab["<|endoftext|>"],
        },
        vision_config={},  # defaults: ViT-B/32
    )
    torch.manual_seed(0)
    out = folder / "vit-b32-random"
    CLIPModel(config).save_pretrained(out, safe_serialization=True)
    CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=tokenizer).save_pretrained(out)
    return out


class _NoLLM:  # the judge's frame builder only; no request is made
    vision = "on"


def main() -> None:
    small = "--small" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bible, shots, renders = episode(work)
        judge = Judge(_NoLLM(), JudgeSettings())  # type: ignore[arg-type]
        started = time.perf_counter()
        parts = judge._frames(shots, renders)
        judge_s = time.perf_counter() - started
        image_bytes = sum(len(p.url) for p in parts.values())

        if small:
            from reelwright.testing.clip import build_tiny_clip

            model = build_tiny_clip(work)
        else:
            model = vit_b32(work)
        import torch

        torch.set_num_threads(2)
        frames = ClipFrames(model)
        started = time.perf_counter()
        frames._model()
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        record, notes = frames.measure(bible, shots, renders)
        first_s = time.perf_counter() - started
        changed = list(renders)
        for i in range(10):  # ten re-rendered frames: new keys
            r = changed[i * 13]
            frame(Path(r.path), 1000 + i)
            changed[i * 13] = result(r.shot_id, Path(r.path), f"new{i}")
        started = time.perf_counter()
        frames.measure(bible, shots, changed)
        second_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "benchmark": "critic_frames",
                "shots": SHOTS,
                "judge_frames": len(parts),
                "judge_frames_s": round(judge_s, 3),
                "judge_image_kb": round(image_bytes / 1024, 1),
                "judge_kb_per_frame": round(image_bytes / 1024 / max(len(parts), 1), 1),
                "clip_model": "tiny (test)" if small else "ViT-B/32-sized, random weights",
                "clip_load_s": round(load_s, 2),
                "clip_first_iteration_s": round(first_s, 2),
                "clip_next_iteration_10_changed_s": round(second_s, 2),
                "measured_pairs": sum(len(v) for v in record.consistency.values()),
                "torch_threads": 2,
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
