"""The offline scratch voice: a deterministic numpy synthesiser of vowel-like syllables.

It is not speech anyone would ship; it is a scratch track for timing, as in a studio's
animatic: one voiced syllable per vowel group of the text, word gaps, pauses at punctuation,
a falling (or, for a question, rising) pitch contour, and formant colour from each syllable's
vowel. Its length follows the text the way speech does, so it can time the cut. Each
character's voice has its own pitch (a preset by name, shifted by the spec's semitones) and
speed. No model, no download, no service: it works after `pip install .` alone.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from reelwright.audio.voice import SAMPLE_RATE, Clip, SpeechJob
from reelwright.errors import InputError
from reelwright.models import Bible, Character, DialogueLine

if TYPE_CHECKING:
    import numpy as np

PRESETS: dict[str, float] = {
    "soprano": 255.0,
    "alto": 205.0,
    "child": 290.0,
    "tenor": 140.0,
    "baritone": 118.0,
    "bass": 98.0,
}
"""Scratch voices by name: their base pitch in Hz."""

ALIASES: dict[str, str] = {
    # OpenAI-compatible voice names, so a bible written for a speech service runs offline
    "alloy": "alto",
    "ash": "tenor",
    "ballad": "baritone",
    "coral": "alto",
    "echo": "tenor",
    "fable": "alto",
    "onyx": "bass",
    "nova": "soprano",
    "sage": "alto",
    "shimmer": "soprano",
    "verse": "baritone",
    "marin": "soprano",
    "cedar": "baritone",
}

_DEFAULT_ORDER = ("alto", "tenor", "soprano", "baritone", "child", "bass")
# (F1, F2) in Hz for the vowel letter that opens a syllable
_FORMANTS = {
    "a": (730.0, 1090.0),
    "e": (530.0, 1840.0),
    "i": (300.0, 2250.0),
    "o": (570.0, 840.0),
    "u": (320.0, 900.0),
    "y": (300.0, 2100.0),
}
_TOKENS = re.compile(r"[^\W_]+(?:'[^\W_]+)?|[.,!?;:…]")
_VOWELS = re.compile(r"[aeiouy]+")
SYLLABLE_S = 0.145
WORD_GAP_S = 0.04
COMMA_S = 0.16
STOP_S = 0.22


def preset_for(character: Character) -> str:
    """The scratch preset a character speaks with: its voice name (or that name's alias), or
    one picked from its id so that characters differ."""
    name = character.voice_spec.name.lower()
    if name:
        return ALIASES.get(name, name)
    digest = hashlib.sha256(character.id.encode()).digest()
    return _DEFAULT_ORDER[digest[0] % len(_DEFAULT_ORDER)]


class ScratchVoice:
    """Deterministic offline voice (numpy only)."""

    name = "scratch"
    version = "1"
    model = "reelwright-scratch"

    def check(self, bible: Bible) -> None:
        unknown = [
            f"{c.id}: {c.voice_spec.name!r}"
            for c in bible.characters
            if c.speaks and c.voice_spec.name and preset_for(c) not in PRESETS
        ]
        if unknown:
            raise InputError(
                f"unknown voice(s) for the scratch voice: {', '.join(unknown)} (it has "
                f"{', '.join(PRESETS)}, and the speech service names {', '.join(ALIASES)})"
            )

    def job(self, line_id: str, character: Character, line: DialogueLine) -> SpeechJob:
        spec = character.voice_spec
        return SpeechJob(
            line_id=line_id,
            character=character.id,
            text=line.text,
            backend=self.name,
            engine_version=self.version,
            model=self.model,
            voice=preset_for(character),
            speed=spec.speed,
            pitch=spec.pitch,
        )

    def speak(self, jobs: Sequence[SpeechJob]) -> Iterator[Clip]:
        for job in jobs:
            started = time.perf_counter()
            base = PRESETS[job.voice] * 2 ** (job.pitch / 12)
            samples = synthesise(job.text, base, job.speed, job.sample_rate, job.take)
            yield Clip(job=job, samples=samples, seconds=time.perf_counter() - started)


def _syllables(word: str) -> list[tuple[str, bool]]:
    """(vowel, starts with a consonant) per syllable of a word; at least one."""
    lower = word.lower()
    out = []
    last = 0
    for m in _VOWELS.finditer(lower):
        out.append((m.group()[0], m.start() > last))
        last = m.end()
    if not out:  # "hmm", "42": one neutral syllable
        out.append(("a" if not word.isdigit() else "o", True))
    return out


def synthesise(
    text: str, f0: float, speed: float = 1.0, rate: int = SAMPLE_RATE, take: int = 0
) -> np.ndarray:
    """The scratch rendering of `text`: float32 samples peaking at 0.5, without leading or
    trailing silence. At least one syllable, even for punctuation only. Another `take` draws
    the same rhythm with other noise and inflection."""
    import numpy as np

    tokens = _TOKENS.findall(text) or ["hm"]
    words = [t for t in tokens if t[0].isalnum()] or ["hm"]
    question = text.rstrip().endswith("?")
    total = sum(len(_syllables(w)) for w in words)
    seed = text if not take else f"{text}#take{take}"
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8]))
    pieces: list[np.ndarray] = []
    n_done = 0
    for i, token in enumerate(tokens):
        if not token[0].isalnum():
            if i < len(tokens) - 1:
                pause = COMMA_S if token in ",;:" else STOP_S
                pieces.append(np.zeros(int(pause / speed * rate), np.float32))
            continue
        for k, (vowel, consonant) in enumerate(_syllables(token)):
            where = n_done / max(1, total - 1)
            contour = 1.12 - 0.24 * where  # declination over the line
            if question and where > 0.7:
                contour += 0.5 * (where - 0.7)
            stress = 1.15 if k == 0 else 1.0
            length = SYLLABLE_S * stress / speed
            if consonant:
                pieces.append(_burst(rng, 0.03 / speed, rate))
            pieces.append(_syllable(vowel, f0 * contour, length, rate, stress))
            n_done += 1
        pieces.append(np.zeros(int(WORD_GAP_S / speed * rate), np.float32))
    samples = np.concatenate(pieces)
    nz = np.flatnonzero(np.abs(samples) > 1e-4)
    samples = samples[nz[0] : nz[-1] + 1] if len(nz) else samples
    peak = float(np.max(np.abs(samples))) or 1.0
    return (samples * (0.5 / peak)).astype(np.float32)


def _syllable(vowel: str, f0: float, seconds: float, rate: int, stress: float) -> np.ndarray:
    import numpy as np

    n = max(1, int(seconds * rate))
    t = np.arange(n, dtype=np.float64) / rate
    f = f0 * (1.04 - 0.08 * t / seconds)  # a slight glide down within the syllable
    phase = 2 * np.pi * np.cumsum(f) / rate
    f1, f2 = _FORMANTS.get(vowel, _FORMANTS["a"])
    harmonics = np.arange(1, max(2, int(3600 // f0)) + 1, dtype=np.float64)
    freq = harmonics * f0
    gain = (
        1.0 / (1 + ((freq - f1) / 110) ** 2) + 0.6 / (1 + ((freq - f2) / 150) ** 2) + 0.04
    ) / harmonics**0.6
    wave = gain @ np.sin(np.outer(harmonics, phase))
    attack, release = int(0.015 * rate), int(0.04 * rate)
    env = np.ones(n)
    a, r = min(attack, n // 2), min(release, n // 2)
    if a:
        env[:a] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, a))
    if r:
        env[n - r :] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, r))
    return (wave * env * stress).astype(np.float32)


def _burst(rng: np.random.Generator, seconds: float, rate: int) -> np.ndarray:
    """A consonant: a short, high, decaying noise burst."""
    import numpy as np

    n = max(2, int(seconds * rate))
    noise = np.diff(rng.standard_normal(n + 1))  # differenced: tilted to the highs
    return (0.12 * noise * np.linspace(1.0, 0.2, n)).astype(np.float32)
