"""Which Voice a run uses: `scratch` (offline, default) or `speech` (the OpenAI-compatible
endpoint configured in `REELWRIGHT_VOICE_*`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reelwright.audio.voice import Voice
from reelwright.errors import InputError

if TYPE_CHECKING:
    from reelwright.config import Settings


def voice_from_settings(backend: str, settings: Settings) -> Voice:
    if backend == "scratch":
        from reelwright.audio.scratch import ScratchVoice

        return ScratchVoice()
    if backend == "speech":
        from reelwright.audio.speech import speech_from_settings

        return speech_from_settings(settings.voice)
    raise InputError(f"unknown voice backend {backend!r}: use 'scratch', 'speech' or 'none'")
