"""The animatic (H.264, each still held for its shot's duration), subtitles, contact sheet."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from reelwright.errors import RenderError
from reelwright.media.encodes import EncodeCache, encode_key
from reelwright.renderers.storyboard import label_font


def write_animatic(
    frames: Sequence[tuple[Path, float]],
    target: Path,
    audio: Path | None = None,
    cache: EncodeCache | None = None,
) -> Path:
    """Encode stills at variable frame rate: one frame per shot, shown for its duration; with
    `audio` (a WAV as long as the cut), its sound as an AAC track. With `cache`, an encode of
    the same frames, durations and sound is copied from there instead of made again.

    ffmpeg's concat list never sees a caller's path: each frame is linked (or copied) into a
    private folder as NNNNNN.png and listed by that bare name, so a quote or a newline in the
    output folder cannot break the list or add entries to it. The concat demuxer drops the
    last entry's duration unless that file is listed again."""
    import imageio_ffmpeg

    if not frames:
        raise RenderError("an animatic needs at least one frame")
    target.parent.mkdir(parents=True, exist_ok=True)
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    sound: list[str] = []
    if audio is not None:  # linked under a bare name, like the frames
        sound = ["-i", "file:audio.wav", "-map", "0:v", "-map", "1:a"]
        sound += ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k"]
    # no B-frames: with them the MP4 edit list shortens the reported duration
    args = ["-f", "concat", "-safe", "1", "-i", "file:frames.txt", *sound[:2]]
    args += ["-fps_mode", "vfr", *sound[2:]]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-bf", "0"]
    args += ["-pix_fmt", "yuv420p", "-video_track_timescale", "1000"]
    args += ["-movflags", "+faststart", "file:animatic.mp4"]
    key = encode_key(frames, audio, " ".join([Path(exe).name, *args])) if cache else ""
    if cache is not None and cache.copy_to(key, target):
        return target
    with tempfile.TemporaryDirectory(prefix="reelwright-animatic-") as tmp:
        folder = Path(tmp)
        lines = []
        for n, (path, seconds) in enumerate(frames):
            name = f"{n:06d}.png"
            _link(Path(path).resolve(), folder / name)
            lines += [f"file '{name}'", f"duration {seconds:.3f}"]
        lines.append(f"file '{len(frames) - 1:06d}.png'")
        (folder / "frames.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if audio is not None:
            _link(Path(audio).resolve(), folder / "audio.wav")
        cmd = [exe, "-hide_banner", "-loglevel", "error", "-y", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=folder)
        if proc.returncode != 0:
            raise RenderError(f"ffmpeg could not encode the animatic: {proc.stderr.strip()[-800:]}")
        encoded = folder / "animatic.mp4"
        if cache is not None:
            cache.put(key, encoded)
        shutil.move(encoded, target)
    return target


def _link(source: Path, name: Path) -> None:
    """`name` shows `source`: a symlink where the system allows one, else a copy."""
    try:
        name.symlink_to(source)
    except OSError:
        shutil.copyfile(source, name)


def contact_sheet(
    frames: Sequence[tuple[str, Path]],
    target: Path,
    columns: int = 4,
    thumb_width: int = 320,
    cache: EncodeCache | None = None,
) -> Path:
    """A grid of every frame with its shot id; with `cache`, a sheet of the same frames and
    ids is copied from there."""
    if not frames:
        raise RenderError("a contact sheet needs at least one frame")
    recipe = json.dumps(["contact-sheet", columns, thumb_width, [i for i, _ in frames]])
    key = encode_key([(p, 0.0) for _, p in frames], None, recipe) if cache else ""
    target.parent.mkdir(parents=True, exist_ok=True)
    if cache is not None and cache.copy_to(key, target, ".png"):
        return target
    with Image.open(frames[0][1]) as first:
        ratio = first.height / first.width
    tw, th = thumb_width, int(thumb_width * ratio)
    label_h, pad = 24, 10
    rows = (len(frames) + columns - 1) // columns
    cols = min(columns, len(frames))
    sheet = Image.new(
        "RGB", (pad + cols * (tw + pad), pad + rows * (th + label_h + pad)), (245, 245, 240)
    )
    d = ImageDraw.Draw(sheet)
    font = label_font(14)
    for i, (shot_id, path) in enumerate(frames):
        r, c = divmod(i, columns)
        x, y = pad + c * (tw + pad), pad + r * (th + label_h + pad)
        with Image.open(path) as img:
            sheet.paste(img.convert("RGB").resize((tw, th), Image.Resampling.LANCZOS), (x, y))
        d.text((x, y + th + 4), shot_id, font=font, fill=(30, 30, 30))
    sheet.save(target, format="PNG")
    if cache is not None:
        cache.put(key, target, ".png")
    return target
