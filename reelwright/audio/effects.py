"""Short non-verbal sounds for characters who never speak (`speaks: false`).

A line's parenthetical ("beeps twice", "chimes") picks the sound: chimes and bells ring,
whirs and hums drone, anything else beeps. A number word or digit sets how many (1 to 4,
default 2). Never speech, whatever the line's text says.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from reelwright.audio.voice import EFFECTS_ENGINE, EFFECTS_VERSION, Clip, SpeechJob

if TYPE_CHECKING:
    import numpy as np

ENGINE = EFFECTS_ENGINE
VERSION = EFFECTS_VERSION
_COUNTS = {"once": 1, "one": 1, "twice": 2, "two": 2, "three": 3, "thrice": 3, "four": 4}
_RING = re.compile(r"\b(chim|bell|ring|ding|tinkl)", re.I)
_DRONE = re.compile(r"\b(whir|hum|buzz|purr|grind)", re.I)


def count_of(text: str) -> int:
    for word in re.findall(r"[a-z]+|\d+", text.lower()):
        if word.isdigit():
            return max(1, min(4, int(word)))
        if word in _COUNTS:
            return _COUNTS[word]
    return 2


def make_effect(text: str, pitch: float, rate: int) -> np.ndarray:
    """The effect for a parenthetical, peaking at 0.5."""
    import numpy as np

    base = 1200.0 * 2 ** (pitch / 12)
    n = count_of(text)
    parts: list[np.ndarray] = []
    gap = np.zeros(int(0.07 * rate), np.float32)
    jitter = hashlib.sha256(text.encode()).digest()
    for k in range(n):
        if _RING.search(text):
            dur = 0.32
            t = np.arange(int(dur * rate)) / rate
            f = base * 1.5
            tone = sum(a * np.sin(2 * np.pi * f * m * t) for m, a in ((1, 1.0), (2.76, 0.4)))
            tone = tone * np.exp(-t * 9)
        elif _DRONE.search(text):
            dur = 0.45
            t = np.arange(int(dur * rate)) / rate
            tone = np.sign(np.sin(2 * np.pi * (base / 8) * t)) * 0.6 * np.sin(np.pi * t / dur)
        else:
            dur = 0.09
            t = np.arange(int(dur * rate)) / rate
            f = base * (1 + 0.25 * ((jitter[k] % 4) - 1.5) / 1.5)
            tone = np.sin(2 * np.pi * f * t) * np.sin(np.pi * t / dur) ** 0.5
        parts.append(np.asarray(tone, np.float32))
        if k < n - 1:
            parts.append(gap)
    samples = np.concatenate(parts)
    peak = float(np.max(np.abs(samples))) or 1.0
    return (samples * (0.5 / peak)).astype(np.float32)


def speak_effects(jobs: Sequence[SpeechJob]) -> Iterator[Clip]:
    for job in jobs:
        started = time.perf_counter()
        samples = make_effect(job.text, job.pitch, job.sample_rate)
        yield Clip(job=job, samples=samples, seconds=time.perf_counter() - started)
