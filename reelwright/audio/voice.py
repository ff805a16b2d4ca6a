"""The Voice port: a batch of SpeechJobs in, audio out (one clip per job, any order).

Like the Renderer: a `SpeechJob` holds everything that determines a clip (text, voice name,
speed, pitch, style, backend, engine version), its `key` is the audio cache key, and `speak`
yields each clip as soon as it exists. Clips are mono float32 at `SAMPLE_RATE`.

Characters that do not speak (`speaks: false`) never reach a speech backend: their lines
become `effect` jobs, short non-verbal sounds made by `audio/effects.py` whatever the backend.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import Field

from reelwright.models import Bible, Character, DialogueLine, Frozen, SafeId

if TYPE_CHECKING:
    import numpy as np

EFFECTS_ENGINE = "effects"
EFFECTS_VERSION = "1"
"""How a job names the effects generator (`audio/effects.py`); bump the version when its
sound changes."""

SAMPLE_RATE = 24_000
"""Every clip and the mix run at 24 kHz mono (what OpenAI-compatible speech returns as PCM)."""

ClipKind = Literal["speech", "effect"]


class SpeechJob(Frozen):
    """Everything that determines a clip. Its key is the audio cache key."""

    line_id: str = Field(max_length=100, description="Where the line is (not in the key).")
    character: SafeId = Field(description="Who says it (not part of the key).")
    kind: ClipKind = "speech"
    text: str = Field(min_length=1, max_length=2000)
    backend: str
    engine_version: str
    model: str = ""
    voice: str
    speed: float = 1.0
    pitch: float = 0.0
    style: str = ""
    sample_rate: int = SAMPLE_RATE
    take: int = Field(0, ge=0, description="The recording asked for: a re-voice is the next.")

    @property
    def key(self) -> str:
        payload = self.model_dump(mode="json", exclude={"line_id", "character"})
        if not self.take:  # first takes keep the keys they had before takes existed
            payload.pop("take")
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class Clip:
    """One synthesised line: samples in [-1, 1] at the job's sample rate."""

    job: SpeechJob
    samples: np.ndarray
    seconds: float  # synthesis time


class Voice(Protocol):
    """A speech backend. `check` refuses a bible naming voices it does not have (InputError,
    before anything is written); `job` is what the cache keys on; `speak` yields one clip per
    job, each as soon as it exists."""

    name: str
    version: str
    model: str

    def check(self, bible: Bible) -> None: ...

    def job(self, line_id: str, character: Character, line: DialogueLine) -> SpeechJob: ...

    def speak(self, jobs: Sequence[SpeechJob]) -> Iterator[Clip]: ...


def effect_job(line_id: str, character: Character, line: DialogueLine) -> SpeechJob:
    """The job for a non-speaking character's line: an effect from its parenthetical (or the
    line, when that is all there is), made by the effects generator, never spoken."""
    spec = character.voice_spec
    return SpeechJob(
        line_id=line_id,
        character=character.id,
        kind="effect",
        text=(line.parenthetical or line.text)[:2000],
        backend=EFFECTS_ENGINE,
        engine_version=EFFECTS_VERSION,
        voice=spec.name or character.id,
        speed=spec.speed,
        pitch=spec.pitch,
    )


def line_job(voice: Voice, line_id: str, character: Character, line: DialogueLine) -> SpeechJob:
    """Speech for a speaking character, an effect for one with `speaks: false`."""
    job = (
        effect_job(line_id, character, line)
        if not character.speaks
        else voice.job(line_id, character, line)
    )
    return job.model_copy(update={"take": line.take}) if line.take else job
