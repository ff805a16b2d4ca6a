"""Mix and master: dialogue placed on the timeline per shot and speaker, an optional room
tone and music bed (WAV files the project clears in its rights ledger) looped under it, the
whole normalised to a loudness target with a true-peak ceiling.

Beds are set relative to the dialogue before mastering: room tone 24 LU and music 16 LU under
it, so a loud music file never buries a line. Per-character stems get the master's gain (not
its limiter), so they line up with the mix for a sound editor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from reelwright.audio.loudness import (
    DEFAULT_CEILING_DBTP,
    DEFAULT_TARGET_LUFS,
    SILENCE_LUFS,
    Mastered,
    integrated_lufs,
    normalise,
)
from reelwright.audio.timing import Cue
from reelwright.audio.voice import SAMPLE_RATE
from reelwright.audio.wav import read_wav
from reelwright.models import Frozen

if TYPE_CHECKING:
    import numpy as np

BedKind = Literal["room_tone", "music"]
BED_UNDER_LU: dict[str, float] = {"room_tone": 24.0, "music": 16.0}


class Bed(Frozen):
    """A file looped under the dialogue for the whole episode."""

    kind: BedKind
    path: str = Field(description="A PCM WAV file, cleared in the rights ledger by its name.")


class Mastering(Frozen):
    """How a run's track is mastered: loudness target, true-peak ceiling, beds under it."""

    target_lufs: float = DEFAULT_TARGET_LUFS
    ceiling_dbtp: float = DEFAULT_CEILING_DBTP
    beds: tuple[Bed, ...] = ()


AAC_HEADROOM_DB = 0.5
"""The master peaks this far under the ceiling, so the AAC encode stays under it too."""


@dataclass
class Mix:
    master: np.ndarray
    stems: dict[str, np.ndarray]  # character id -> dialogue stem
    mastered: Mastered
    rate: int


_last: tuple[object, Mix] | None = None  # the last master made: the critic's is the package's


def master_track(cues: Sequence[Cue], duration_s: float, mastering: Mastering) -> Mix:
    """The run's master as the package writes it. The critic checks the same master the
    package then encodes, so the last one made is kept and reused when nothing changed."""
    global _last
    key = (tuple((c.key, c.start, c.character) for c in cues), duration_s, mastering)
    if _last is not None and _last[0] == key:
        return _last[1]
    ceiling = mastering.ceiling_dbtp - AAC_HEADROOM_DB
    _last = None  # never two masters in memory at once
    made = mix(cues, duration_s, mastering.beds, mastering.target_lufs, ceiling)
    _last = (key, made)
    return made


def load_bed(bed: Bed, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The bed's samples (InputError naming the file when it cannot be read)."""
    return read_wav(Path(bed.path), rate, f"{bed.kind.replace('_', ' ')} file {bed.path}")


def mix(
    cues: Sequence[Cue],
    duration_s: float,
    beds: Sequence[Bed] = (),
    target_lufs: float = DEFAULT_TARGET_LUFS,
    ceiling_dbtp: float = DEFAULT_CEILING_DBTP,
    rate: int = SAMPLE_RATE,
) -> Mix:
    import numpy as np

    from reelwright.audio.wav import read_wav

    length = max(1, int(round(duration_s * rate)))
    stems: dict[str, np.ndarray] = {}
    clips: dict[str, np.ndarray] = {}
    for cue in cues:
        if cue.key not in clips:
            clips[cue.key] = read_wav(Path(cue.path), rate, f"cached clip {cue.key}")
        clip = clips[cue.key]
        stem = stems.setdefault(cue.character, np.zeros(length, np.float32))
        at = int(round(cue.start * rate))
        n = max(0, min(len(clip), length - at))
        stem[at : at + n] += clip[:n]
    master = np.zeros(length, np.float32)
    for stem in stems.values():  # summed in place: no stacked copy of every stem
        master += stem
    speech = integrated_lufs(master, rate) if beds else SILENCE_LUFS
    for bed in beds:
        loop = load_bed(bed, rate)
        tiled = np.resize(loop, length).astype(np.float32)  # repeats the file to the length
        level = integrated_lufs(tiled, rate)
        if level <= SILENCE_LUFS:
            continue
        reference = speech if speech > SILENCE_LUFS else target_lufs
        gain = 10 ** ((reference - BED_UNDER_LU[bed.kind] - level) / 20)
        master = master + tiled * np.float32(gain)
    out, mastered = normalise(master, rate, target_lufs, ceiling_dbtp)
    scale = np.float32(10 ** (mastered.gain_db / 20))
    return Mix(
        master=out,
        stems={c: np.clip(s * scale, -1, 1) for c, s in sorted(stems.items())},
        mastered=mastered,
        rate=rate,
    )
