"""Mix and master: dialogue placed on the timeline per shot and speaker, an optional room
tone and music bed (WAV files the project clears in its rights ledger) looped under it, the
whole normalised to a loudness target with a true-peak ceiling.

Beds are set relative to the dialogue before mastering: room tone 24 LU and music 16 LU under
it, so a loud music file never buries a line. Per-character stems get the master's gain (not
its limiter), so they line up with the mix for a sound editor.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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

    from reelwright.media.encodes import EncodeCache

log = logging.getLogger(__name__)

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
MASTER_RECIPE = "master-v1"  # change it when mixing or mastering changes what comes out


def master_track(
    cues: Sequence[Cue],
    duration_s: float,
    mastering: Mastering,
    store: EncodeCache | None = None,
) -> Mix:
    """The run's master as the package writes it. The critic checks the same master the
    package then encodes, so the last one made is kept and reused when nothing changed; with
    `store`, a master of the same takes, timing, settings and beds is read from there."""
    global _last
    key = _master_key(cues, duration_s, mastering)  # the takes' and beds' bytes included
    if _last is not None and _last[0] == key:
        return _last[1]
    made = _read_master(store, key, cues, duration_s) if store is not None else None
    if made is None:
        ceiling = mastering.ceiling_dbtp - AAC_HEADROOM_DB
        _last = None  # never two masters in memory at once
        made = mix(cues, duration_s, mastering.beds, mastering.target_lufs, ceiling)
        if store is not None:
            _write_master(store, key, made)
    _last = (key, made)
    return made


def _master_key(cues: Sequence[Cue], duration_s: float, mastering: Mastering) -> str:
    """Each take by the digest of its file (a take voiced again under the same key by a
    non-deterministic voice is another sound), where it starts and whose it is; the settings;
    each bed by the digest of its file (a bed edited in place is a new master)."""
    import hashlib

    from reelwright.media.encodes import digest_key

    def digest(path: str) -> str:
        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return "unreadable"  # mixing it will say why

    takes = {c.path: digest(c.path) for c in cues}
    return digest_key(
        MASTER_RECIPE,
        {
            "cues": [[takes[c.path], round(c.start, 6), c.character] for c in cues],
            "duration_s": duration_s,
            "target_lufs": mastering.target_lufs,
            "ceiling_dbtp": mastering.ceiling_dbtp,
            "headroom_db": AAC_HEADROOM_DB,
            "beds": [[b.kind, digest(b.path)] for b in mastering.beds],
            "rate": SAMPLE_RATE,
        },
    )


def _write_master(store: EncodeCache, key: str, made: Mix) -> None:
    import io

    import numpy as np

    arrays = {
        "master": made.master,
        "mastered": np.array(made.mastered.model_dump_json()),
        "characters": np.array(list(made.stems), dtype=str),
        **{f"stem_{n}": stem for n, stem in enumerate(made.stems.values())},
    }
    buffer = io.BytesIO()
    save: Any = np.savez  # typed with numpy 2's allow_pickle flag, which 1.26 lacks
    save(buffer, **arrays)  # plain arrays only: nothing here needs pickling
    store.put_bytes(key, buffer.getvalue(), ".npz")


def _read_master(
    store: EncodeCache, key: str, cues: Sequence[Cue], duration_s: float
) -> Mix | None:
    """A stored master, checked for shape and for a stem per speaker of the cues; anything
    odd is a miss (it is made again)."""
    import zipfile

    import numpy as np

    path = store.get(key, ".npz")
    if path is None:
        return None
    length = max(1, int(round(duration_s * SAMPLE_RATE)))
    try:
        with np.load(path, allow_pickle=False) as data:
            master = data["master"].astype(np.float32)
            characters = [str(c) for c in data["characters"]]
            stems = {c: data[f"stem_{n}"].astype(np.float32) for n, c in enumerate(characters)}
            mastered = Mastered.model_validate_json(str(data["mastered"]))
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("stored master %s unreadable (%s): mastering again", path, exc)
        return None
    if master.shape != (length,) or any(s.shape != (length,) for s in stems.values()):
        log.warning("stored master %s has the wrong length: mastering again", path)
        return None
    if sorted(stems) != sorted({c.character for c in cues}):
        log.warning("stored master %s has other speakers' stems: mastering again", path)
        return None
    return Mix(master=master, stems=stems, mastered=mastered, rate=SAMPLE_RATE)


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
