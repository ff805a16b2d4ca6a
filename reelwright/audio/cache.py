"""Content-addressed audio cache: a clip is stored under its job's key (text, voice, speed,
pitch, style, backend, engine version), so an unchanged line is never synthesised twice —
across iterations, runs, or a crash and resume."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from itertools import chain
from pathlib import Path

from pydantic import Field

from reelwright.audio.effects import ENGINE as EFFECTS
from reelwright.audio.effects import speak_effects
from reelwright.audio.voice import Clip, SpeechJob, Voice
from reelwright.audio.wav import wav_bytes
from reelwright.models import Frozen
from reelwright.paths import atomic_write, inside

log = logging.getLogger(__name__)


class SpokenClip(Frozen):
    """A job's clip in the cache: where it is, how long it lasts, whether it was a hit."""

    job: SpeechJob
    key: str
    path: str
    duration_s: float = Field(ge=0)
    cached: bool
    seconds: float = Field(0.0, description="Synthesis time (0 for a hit).")


class AudioCache:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not an audio key: {key!r}")
        return self.root / key[:2] / f"{key}.wav"

    def get(self, job: SpeechJob) -> tuple[Path, float] | None:
        """The clip's path and duration, if cached (both files there, inside the cache)."""
        p = self.path(job.key)
        meta = p.with_suffix(".json")
        if not (p.is_file() and meta.is_file()):
            return None
        if not (inside(p, self.root) and inside(meta, self.root)):
            log.warning("audio cache entry %s leads outside %s: treated as a miss", p, self.root)
            return None
        try:
            duration = float(json.loads(meta.read_text("utf-8"))["duration_s"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return p, duration

    def put(self, clip: Clip) -> tuple[Path, float]:
        p = self.path(clip.job.key)
        duration = round(len(clip.samples) / clip.job.sample_rate, 4)
        atomic_write(p, wav_bytes(clip.samples, clip.job.sample_rate))
        meta = {
            "job": clip.job.model_dump(mode="json"),
            "duration_s": duration,
            "seconds": round(clip.seconds, 4),
            "at": time.time(),
        }
        atomic_write(p.with_suffix(".json"), json.dumps(meta, indent=1).encode())
        return p, duration  # the .json is written last: a clip counts only when both exist


def speak_all(voice: Voice, jobs: Sequence[SpeechJob], cache: AudioCache) -> list[SpokenClip]:
    """Clips in job order. Hits never reach the backend; two lines with the same key are
    synthesised once; effect jobs go to the effects generator, never to a speech backend."""
    out: dict[int, SpokenClip] = {}
    misses: dict[str, list[int]] = {}
    for i, job in enumerate(jobs):
        hit = cache.get(job)
        if hit is None:
            misses.setdefault(job.key, []).append(i)
        else:
            out[i] = SpokenClip(
                job=job, key=job.key, path=str(hit[0]), duration_s=hit[1], cached=True
            )
    distinct = [jobs[idx[0]] for idx in misses.values()]
    log.info(
        "voice pass with %s: %d lines, %d cached, %d to synthesise",
        voice.name,
        len(jobs),
        len(out),
        len(distinct),
    )
    speech = [j for j in distinct if j.backend != EFFECTS]
    effects = [j for j in distinct if j.backend == EFFECTS]
    for clip in chain(voice.speak(speech), speak_effects(effects)):  # stored as made
        path, duration = cache.put(clip)
        for n, i in enumerate(misses.get(clip.job.key, [])):
            out[i] = SpokenClip(
                job=jobs[i],
                key=clip.job.key,
                path=str(path),
                duration_s=duration,
                cached=n > 0,
                seconds=round(clip.seconds, 4) if n == 0 else 0.0,
            )
    missing = [jobs[i].line_id for i in range(len(jobs)) if i not in out]
    if missing:
        from reelwright.errors import RenderError

        raise RenderError(f"voice {voice.name} returned no audio for lines {missing}")
    return [out[i] for i in range(len(jobs))]
