from __future__ import annotations

from PIL import Image, ImageDraw, ImageEnhance

from reelwright.compliance.visual import FrameHistory, ReferenceLibrary
from reelwright.models import RenderResult


def artwork(path, seed: int) -> None:
    img = Image.new("RGB", (320, 180), (30 + seed * 40 % 200, 60, 90))
    d = ImageDraw.Draw(img)
    for i in range(6):
        x = (seed * 53 + i * 47) % 280
        d.ellipse(
            [x, 20 + i * 20, x + 40 + seed * 7 % 30, 60 + i * 20], fill=(240, 200 - i * 30, 40)
        )
    d.rectangle([10, 120, 120 + seed * 13 % 150, 170], fill=(200, 40, 40))
    img.save(path)


def result(path, shot="s1-1", key="k" * 64) -> RenderResult:
    return RenderResult(
        shot_id=shot,
        key=key,
        path=str(path),
        cached=False,
        renderer="x",
        model="x",
        seed=1,
        width=320,
        height=180,
        seconds=0,
    )


def test_near_copy_of_a_reference_is_caught_and_unrelated_is_not(tmp_path):
    refs = tmp_path / "references"
    refs.mkdir()
    artwork(refs / "mascot.png", 1)
    artwork(refs / "logo.png", 5)
    near = tmp_path / "near.png"
    img = Image.open(refs / "mascot.png").resize((512, 288))
    ImageEnhance.Color(img).enhance(1.25).point(lambda v: min(255, int(v * 1.06))).save(near)
    unrelated = tmp_path / "unrelated.png"
    artwork(unrelated, 3)
    library = ReferenceLibrary(refs)
    (finding,) = library.screen([result(near)])
    assert finding.entity == "mascot.png" and finding.severity == "block"
    assert finding.target == "director" and finding.shot_ids == ("s1-1",)
    assert library.screen([result(unrelated)]) == []


def test_near_duplicates_across_episodes_are_reported(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    artwork(a, 2)
    Image.open(a).resize((300, 170)).save(b)
    history = FrameHistory(tmp_path / "frames.json")
    history.record("ep1", [result(a, key="a" * 64)])
    (finding,) = history.screen("ep2", [result(b, key="b" * 64)])
    assert finding.severity == "info" and finding.entity == "ep1/s1-1"
    assert history.screen("ep1", [result(b, key="b" * 64)]) == []  # its own run
    assert history.screen("ep2", [result(a, key="a" * 64)]) == []  # same content on purpose
