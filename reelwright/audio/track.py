"""The episode's sound track, as the graph and the package use it.

`voice_pass` runs before frames are rendered: every line is voiced (through the cache) and
the shots are retimed to hold their audio. `write_track` runs in the package: lines placed,
mixed, mastered, per-character stems written, and the measured loudness recorded in
`audio.json`. Both take a `Sound`: the voice backend, the audio cache and the mastering
settings of the run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from reelwright.audio.cache import AudioCache, SpokenClip, speak_all
from reelwright.audio.loudness import Mastered
from reelwright.audio.mix import Bed, Mastering, master_track
from reelwright.audio.timing import Cue, place, retime, srt_from_cues, voice_jobs
from reelwright.audio.voice import SAMPLE_RATE, Voice
from reelwright.audio.wav import wav_bytes
from reelwright.errors import InputError
from reelwright.media.encodes import EncodeCache
from reelwright.models import Bible, Frozen, ShotList
from reelwright.paths import OutputDir


@dataclass
class Sound:
    voice: Voice
    cache: AudioCache
    mastering: Mastering = field(default_factory=Mastering)


class VoiceCount(Frozen):
    """One voice pass: lines synthesised and taken from the cache, and its seconds."""

    iteration: int
    synthesised: int
    cached: int
    seconds: float = 0.0


class StemRecord(Frozen):
    character: str
    file: str
    lines: int


class AudioRecord(Frozen):
    """audio.json: where each line sits, the stems, and the measured loudness of the mix."""

    VERSION: int = 1
    version: int = VERSION
    voice: str
    engine_version: str
    sample_rate: int
    duration_s: float
    mastered: Mastered
    cues: list[Cue]
    stems: list[StemRecord]
    beds: list[Bed] = Field(default_factory=list)


def voice_pass(
    sound: Sound, shots: ShotList, bible: Bible, iteration: int
) -> tuple[ShotList, list[SpokenClip], VoiceCount]:
    """Voice every line (cached lines are not synthesised again) and retime the shots so each
    holds its lines' audio plus handles."""
    started = time.perf_counter()
    clips = speak_all(sound.voice, voice_jobs(sound.voice, shots, bible), sound.cache)
    fresh = sum(1 for c in clips if not c.cached)
    count = VoiceCount(
        iteration=iteration,
        synthesised=fresh,
        cached=len(clips) - fresh,
        seconds=round(time.perf_counter() - started, 4),
    )
    return retime(shots, clips), clips, count


def cached_clips(sound: Sound, clips: Sequence[SpokenClip]) -> list[SpokenClip]:
    """The clips with paths re-derived from the cache by key (stored state is untrusted)."""
    out = []
    for clip in clips:
        hit = sound.cache.get(clip.job)
        if hit is None or clip.key != clip.job.key:
            raise InputError(f"the audio of line {clip.job.line_id} is not in the audio cache")
        out.append(clip.model_copy(update={"path": str(hit[0]), "duration_s": hit[1]}))
    return out


def write_track(
    sound: Sound,
    out: OutputDir,
    shots: ShotList,
    clips: Sequence[SpokenClip],
    bible: Bible,
    store: EncodeCache | None = None,
) -> tuple[Path, list[Cue]]:
    """Mix and master into `master.wav` under the package's audio folder (the animatic
    encodes it as AAC), write a stem per character and audio.json; return the master's path
    and the cues (for the subtitles). With `store`, a master made before is read from there."""
    cues = place(shots, cached_clips(sound, clips), bible)
    result = master_track(cues, shots.duration_s, sound.mastering, store)
    stems = []
    for character, samples in result.stems.items():
        name = f"{character}.wav"
        out.write_bytes(wav_bytes(samples, result.rate), "audio", name)
        stems.append(
            StemRecord(
                character=character,
                file=f"audio/{name}",
                lines=sum(1 for c in cues if c.character == character),
            )
        )
    master = out.write_bytes(wav_bytes(result.master, result.rate), "audio", "mix.wav")
    record = AudioRecord(
        voice=sound.voice.name,
        engine_version=sound.voice.version,
        sample_rate=SAMPLE_RATE,
        duration_s=round(shots.duration_s, 3),
        mastered=result.mastered,
        cues=[c.model_copy(update={"path": ""}) for c in cues],
        stems=stems,
        beds=[Bed(kind=b.kind, path=Path(b.path).name) for b in sound.mastering.beds],
    )
    out.write_text(record.model_dump_json(indent=2) + "\n", "audio.json")
    return master, cues


__all__ = ["AudioRecord", "Sound", "VoiceCount", "srt_from_cues", "voice_pass", "write_track"]
