"""Fixtures for sound tests: the example bible, a counting voice, small shot lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from reelwright.audio.scratch import ScratchVoice
from reelwright.audio.voice import Clip, SpeechJob
from reelwright.loading import load_bible
from reelwright.models import Bible, DialogueLine, Framing, Shot, ShotList
from tests.conftest import EXAMPLES


class CountingVoice(ScratchVoice):
    """The scratch voice, recording every job it is asked to synthesise."""

    def __init__(self) -> None:
        self.spoken: list[SpeechJob] = []

    def speak(self, jobs: Sequence[SpeechJob]) -> Iterator[Clip]:
        self.spoken += list(jobs)
        yield from super().speak(jobs)


@pytest.fixture
def bible() -> Bible:
    return load_bible(EXAMPLES / "bible.yaml")


@pytest.fixture
def voice() -> CountingVoice:
    return CountingVoice()


def shot(sid: str, seconds: float, *lines: tuple[str, str], scene: str = "s1") -> Shot:
    return Shot(
        id=sid,
        scene_id=scene,
        framing=Framing.medium,
        duration_s=seconds,
        characters=sorted({c for c, _ in lines}),
        location="workshop",
        description="d",
        prompt="p",
        seed=1,
        dialogue=[DialogueLine(character=c, text=t) for c, t in lines],
    )


def shots(*items: Shot) -> ShotList:
    return ShotList(shots=list(items))
