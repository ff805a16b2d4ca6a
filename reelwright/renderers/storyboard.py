"""CPU storyboard renderer (Pillow): each shot drawn as a storyboard panel.

Composition follows the framing (figures small in an extreme wide, a face filling an extreme
close-up), the angle moves the horizon (a dutch angle tilts the frame), characters are placed
and labelled, the location's palette colours the set, and a caption names the shot, camera
and dialogue. Deterministic: the same job always gives the same pixels.
"""

from __future__ import annotations

import hashlib
import textwrap
import time
from collections.abc import Iterator, Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from reelwright.models import Bible, RenderJob, Shot
from reelwright.renderers.base import (
    BaseRenderer,
    ReferenceLookup,
    RenderedFrame,
    StepProgress,
    shot_job,
)

FIGURE_SCALE = {  # figure height as a fraction of the picture height
    "extreme_wide": 0.22,
    "wide": 0.45,
    "medium": 1.15,
    "close": 2.3,
    "extreme_close": 4.2,
}
HORIZON = {"eye_level": 0.55, "high": 0.32, "low": 0.78, "overhead": 0.0, "dutch": 0.55}
MOVE_GLYPH = {
    "pan": "PAN >",
    "tilt": "TILT ^",
    "dolly_in": "DOLLY IN >|<",
    "dolly_out": "DOLLY OUT <|>",
    "tracking": "TRACK >>",
    "handheld": "HANDHELD ~",
    "crane": "CRANE ^",
    "static": "",
}
NIGHT = {"night": 0.45, "dusk": 0.75, "dawn": 0.85, "day": 1.0}


COLOUR_WORDS = {
    "yellow": (232, 196, 58),
    "red": (196, 58, 48),
    "blue": (58, 96, 178),
    "navy": (36, 48, 92),
    "green": (64, 140, 82),
    "copper": (184, 115, 51),
    "grey": (128, 128, 132),
    "gray": (128, 128, 132),
    "white": (230, 230, 226),
    "black": (40, 40, 44),
    "purple": (112, 66, 150),
    "orange": (226, 128, 44),
    "pink": (222, 130, 160),
    "brown": (120, 82, 50),
    "teal": (48, 140, 140),
    "gold": (212, 170, 60),
    "silver": (180, 184, 190),
}


def _hue(text: str) -> tuple[int, int, int]:
    d = hashlib.sha256(text.encode()).digest()
    return 60 + d[0] % 160, 60 + d[1] % 160, 60 + d[2] % 160


def _costume(description: str, character_id: str) -> tuple[int, int, int]:
    """The first colour the bible's description names, else one derived from the id."""
    for word in description.lower().replace(",", " ").split():
        if word in COLOUR_WORDS:
            return COLOUR_WORDS[word]
    return _hue(character_id)


def _hex(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _shade(rgb: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * k))) for c in rgb)  # type: ignore[return-value]


@lru_cache(maxsize=16)
def label_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


class StoryboardRenderer(BaseRenderer):
    """Draws every job itself, one at a time: no weights, no references, no steps."""

    name = "storyboard"
    version = "1"
    model = "storyboard-pillow"

    def job(self, shot: Shot, bible: Bible, width: int, height: int) -> RenderJob:
        loc = bible.location(shot.location)
        palette = loc.palette or ["#8fb8de", "#6b8f5e", "#d9a441"]
        line = ""
        if shot.dialogue:
            first = shot.dialogue[0]
            line = f"{bible.character(first.character).name.upper()}: {first.text}"
        panel = {
            "framing": shot.framing.value,
            "angle": shot.angle.value,
            "move": shot.camera_move.value,
            "lens_mm": shot.lens_mm,
            "duration_s": shot.duration_s,
            "characters": [
                [bible.character(c).name, list(_costume(bible.character(c).description, c))]
                for c in shot.characters
            ],
            "location": loc.name,
            "palette": palette,
            "interior": loc.interior,
            "light": shot.time_of_day,
            "line": line,
        }
        return shot_job(self, shot, width, height, panel=panel)

    def render(
        self,
        jobs: Sequence[RenderJob],
        references: ReferenceLookup | None = None,
        progress: StepProgress | None = None,
    ) -> Iterator[RenderedFrame]:
        for job in jobs:
            started = time.perf_counter()
            image = draw_panel(job)
            yield RenderedFrame(job=job, image=image, seconds=time.perf_counter() - started)


def draw_panel(job: RenderJob) -> Image.Image:
    p = job.panel
    w, h = job.width, job.height
    caption_h = max(40, h // 6)
    pic_h = h - caption_h
    colours = p.get("palette") or ["#8fb8de", "#6b8f5e", "#d9a441"]
    palette = [_hex(str(c)) for c in colours]  # type: ignore[attr-defined]
    while len(palette) < 3:
        palette.append(_shade(palette[-1], 0.7))
    light = NIGHT.get(str(p.get("light", "day")), 1.0)
    pic = Image.new("RGB", (w, pic_h), _shade(palette[0], light))
    d = ImageDraw.Draw(pic)
    angle = str(p.get("angle", "eye_level"))
    horizon = int(pic_h * HORIZON.get(angle, 0.55))
    for y in range(horizon):  # sky gradient
        k = 0.75 + 0.35 * y / max(1, horizon)
        d.line([(0, y), (w, y)], fill=_shade(palette[0], k * light))
    d.rectangle([0, horizon, w, pic_h], fill=_shade(palette[1], light))
    rng = int(hashlib.sha256(f"{job.seed}".encode()).hexdigest()[:8], 16)
    if p.get("interior"):
        for i in range(3):  # wall panels and a window
            x = (rng >> (i * 4)) % max(1, w - w // 5)
            d.rectangle(
                [x, horizon // 4, x + w // 6, horizon - horizon // 6],
                outline=_shade(palette[2], light),
                width=3,
            )
    else:
        for i in range(4):  # distant shapes on the horizon
            x = (rng >> (i * 5)) % w
            size = w // 10 + (rng >> (i * 3)) % (w // 8)
            d.polygon(
                [(x - size, horizon), (x, horizon - size // 2), (x + size, horizon)],
                fill=_shade(palette[2], 0.8 * light),
            )
    _draw_figures(d, p, w, pic_h, horizon, light)
    glyph = MOVE_GLYPH.get(str(p.get("move", "static")), "")
    if glyph:
        _label(d, (w - 10, 10), glyph, anchor="ra", size=max(12, h // 28))
    _label(d, (10, 10), str(p.get("location", "")), size=max(12, h // 28))
    if angle == "dutch":
        pic = pic.rotate(8, resample=Image.Resampling.BICUBIC, fillcolor=(20, 20, 20))
    img = Image.new("RGB", (w, h), (18, 18, 22))
    img.paste(pic, (0, 0))
    _caption(ImageDraw.Draw(img), job, w, pic_h, caption_h)
    return img


def _draw_figures(
    d: ImageDraw.ImageDraw, p: dict, w: int, pic_h: int, horizon: int, light: float
) -> None:
    people = p.get("characters") or []
    if not people:
        return
    framing = str(p.get("framing", "medium"))
    fig_h = pic_h * FIGURE_SCALE.get(framing, 1.0)
    n = len(people)
    feet = horizon + (pic_h - horizon) * 0.6 if framing in ("extreme_wide", "wide") else pic_h
    if framing in ("close", "extreme_close"):
        people = people[:1] if framing == "extreme_close" else people[:2]
        n = len(people)
    for i, (name, costume) in enumerate(people):
        cx = w * (i + 1) / (n + 1)
        head_r = fig_h * 0.11
        top = feet - fig_h
        if framing in ("medium", "close", "extreme_close"):
            top = pic_h * {"medium": 0.12, "close": 0.08, "extreme_close": -0.35}[framing]
        head_c = (cx, top + head_r)
        body_col = _shade(tuple(costume), light)
        skin = _shade((224, 186, 150), light)
        d.rounded_rectangle(
            [cx - head_r * 1.5, top + head_r * 2.1, cx + head_r * 1.5, top + fig_h * 0.62],
            radius=int(head_r * 0.6),
            fill=body_col,
        )
        if framing in ("extreme_wide", "wide"):
            d.rectangle(
                [cx - head_r * 1.0, top + fig_h * 0.62, cx - head_r * 0.2, feet],
                fill=_shade(body_col, 0.6),
            )
            d.rectangle(
                [cx + head_r * 0.2, top + fig_h * 0.62, cx + head_r * 1.0, feet],
                fill=_shade(body_col, 0.6),
            )
        d.ellipse(
            [head_c[0] - head_r, head_c[1] - head_r, head_c[0] + head_r, head_c[1] + head_r],
            fill=skin,
            outline=(40, 30, 30),
            width=max(1, int(head_r / 12)),
        )
        eye = head_r * 0.18
        for dx in (-0.4, 0.4):
            ex, ey = head_c[0] + dx * head_r, head_c[1] - 0.1 * head_r
            d.ellipse([ex - eye, ey - eye, ex + eye, ey + eye], fill=(30, 30, 40))
        label_y = max(4, top - 22) if framing in ("extreme_wide", "wide") else pic_h * 0.7
        _label(d, (cx, label_y), name, anchor="ma", size=max(12, pic_h // 22))


def _label(
    d: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    *,
    anchor: str = "la",
    size: int = 14,
) -> None:
    if not text:
        return
    font = label_font(size)
    box = d.textbbox(xy, text, font=font, anchor=anchor)
    d.rectangle([box[0] - 4, box[1] - 3, box[2] + 4, box[3] + 3], fill=(255, 255, 255))
    d.text(xy, text, font=font, anchor=anchor, fill=(20, 20, 20))


def _caption(d: ImageDraw.ImageDraw, job: RenderJob, w: int, top: int, height: int) -> None:
    p = job.panel
    size = max(11, height // 4)
    font = label_font(size)
    camera = (
        f"{job.shot_id}  ·  {str(p.get('framing', '')).replace('_', ' ').upper()}  ·  "
        f"{str(p.get('angle', '')).replace('_', ' ')}  ·  "
        f"{str(p.get('move', '')).replace('_', ' ')}"
        f"  ·  {p.get('lens_mm', '')}mm  ·  {float(str(p.get('duration_s', 0.0))):.1f}s"
    )
    d.text((10, top + 6), camera, font=font, fill=(235, 235, 235))
    line = str(p.get("line", ""))
    if line:
        chars = max(20, int(w / (size * 0.55)))
        wrapped = textwrap.shorten(line, width=chars, placeholder=" …")
        d.text((10, top + 10 + size), wrapped, font=font, fill=(250, 220, 120))
