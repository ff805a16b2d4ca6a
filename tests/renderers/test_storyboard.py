from __future__ import annotations

import pytest
from PIL import ImageChops

from reelwright.loading import load_bible
from reelwright.models import DialogueLine, Shot
from reelwright.renderers.base import frame_size
from reelwright.renderers.storyboard import StoryboardRenderer


@pytest.fixture
def bible(examples):
    return load_bible(examples / "bible.yaml")


def shot(**kw) -> Shot:
    base = dict(
        id="s1-1",
        scene_id="s1",
        framing="wide",
        duration_s=2.0,
        characters=["juno"],
        location="harbour",
        description="d",
        prompt="p",
        seed=3,
        dialogue=[DialogueLine(character="juno", text="Hello!")],
    )
    return Shot(**{**base, **kw})


def test_same_job_gives_the_same_pixels(bible):
    r = StoryboardRenderer()
    job = r.job(shot(), bible, 320, 176)
    a, b = next(r.render([job])).image, next(r.render([job])).image
    assert a.size == (320, 176)
    assert ImageChops.difference(a, b).getbbox() is None


def test_framing_changes_the_composition_and_the_key(bible):
    r = StoryboardRenderer()
    wide, close = (r.job(shot(framing=f), bible, 320, 176) for f in ("wide", "close"))
    assert wide.key != close.key
    a, b = (next(r.render([j])).image for j in (wide, close))
    assert ImageChops.difference(a, b).getbbox() is not None


def test_job_key_ignores_shot_id_but_not_content(bible):
    r = StoryboardRenderer()
    assert r.job(shot(), bible, 320, 176).key == r.job(shot(id="s9-9"), bible, 320, 176).key
    assert r.job(shot(), bible, 320, 176).key != r.job(shot(seed=4), bible, 320, 176).key


def test_costume_colour_comes_from_the_bible(bible):
    job = StoryboardRenderer().job(shot(), bible, 320, 176)
    assert job.panel["characters"] == [["Juno Park", [232, 196, 58]]]  # yellow raincoat


@pytest.mark.parametrize(
    ("aspect", "size"),
    [(16 / 9, (768, 432)), (9 / 16, (432, 768)), (1.0, (768, 768)), (2.39, (768, 320))],
)
def test_frame_sizes_are_even_multiples(aspect, size):
    assert frame_size(aspect) == size
