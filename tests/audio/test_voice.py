"""The scratch voice, effects for silent characters, voice specs in the bible."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from reelwright.audio.effects import ENGINE, count_of
from reelwright.audio.scratch import PRESETS, ScratchVoice, synthesise
from reelwright.audio.timing import voice_jobs
from reelwright.audio.voice import SAMPLE_RATE, line_job
from reelwright.errors import InputError
from reelwright.models import Bible, Character, DialogueLine, VoiceSpec
from tests.audio.conftest import shot, shots


def test_scratch_voice_is_deterministic_and_follows_the_text() -> None:
    short = synthesise("Slow down.", 200.0)
    again = synthesise("Slow down.", 200.0)
    longer = synthesise("Slow down. Look again, and look at every single thing twice.", 200.0)
    assert np.array_equal(short, again)
    assert len(longer) > 3 * len(short)
    assert float(np.max(np.abs(short))) == pytest.approx(0.5, abs=1e-3)
    # about 2-3.5 words a second, as speech: what the director's timing assumes
    words = 12
    assert 2.0 < words / (len(longer) / SAMPLE_RATE) < 4.5


def test_speed_and_pitch_change_the_sound() -> None:
    base = synthesise("Hold it steady.", 200.0)
    fast = synthesise("Hold it steady.", 200.0, speed=1.5)
    assert len(fast) < 0.75 * len(base)

    def f0(x: np.ndarray) -> float:  # strongest low harmonic of the first syllable
        seg = x[: SAMPLE_RATE // 10]
        spectrum = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), 8 * len(seg)))
        freqs = np.fft.rfftfreq(8 * len(seg), 1 / SAMPLE_RATE)
        band = (freqs > 60) & (freqs < 400)
        return float(freqs[band][np.argmax(spectrum[band])])

    assert f0(synthesise("aaa", 120.0)) < f0(synthesise("aaa", 240.0))


def test_characters_get_their_own_voice(bible: Bible) -> None:
    voice = ScratchVoice()
    line = DialogueLine(character="juno", text="Hello there.")
    juno = voice.job("x/0", bible.character("juno"), line)
    bram = voice.job("x/0", bible.character("bram"), line.model_copy(update={"character": "bram"}))
    assert juno.voice in PRESETS and bram.voice in PRESETS
    assert juno.key != bram.key or juno.voice == bram.voice
    named = bible.character("juno").model_copy(
        update={"voice": VoiceSpec(name="nova", speed=1.2, pitch=2)}
    )
    job = voice.job("x/0", named, line)
    assert (job.voice, job.speed, job.pitch) == ("soprano", 1.2, 2)


def test_the_key_is_the_content_not_the_place(bible: Bible) -> None:
    voice = ScratchVoice()
    juno = bible.character("juno")
    line = DialogueLine(character="juno", text="Hello there.")
    assert voice.job("a/0", juno, line).key == voice.job("b/3", juno, line).key
    other = voice.job("a/0", juno, line.model_copy(update={"text": "Hello here."}))
    assert other.key != voice.job("a/0", juno, line).key


def test_silent_characters_get_effects_never_speech(bible: Bible) -> None:
    voice = ScratchVoice()
    pip = bible.character("pip")
    assert not pip.speaks
    job = line_job(voice, "s/0", pip, DialogueLine(character="pip", text="Slow down."))
    assert job.kind == "effect" and job.backend == ENGINE
    beeps = line_job(
        voice,
        "s/1",
        pip,
        DialogueLine(character="pip", text="Slow down.", parenthetical="beeps three times"),
    )
    assert beeps.text == "beeps three times" and count_of(beeps.text) == 3
    jobs = voice_jobs(voice, shots(shot("s1-1", 4, ("juno", "Hi."), ("pip", "Hi."))), bible)
    assert [j.kind for j in jobs] == ["speech", "effect"]


def test_unknown_voice_is_bad_input(bible: Bible) -> None:
    voice = ScratchVoice()
    voice.check(bible)  # the example bible's voices are fine
    juno = bible.character("juno").model_copy(update={"voice": VoiceSpec(name="gandalf")})
    bad = bible.model_copy(update={"characters": [juno, *bible.characters[1:]]})
    with pytest.raises(InputError, match="gandalf"):
        voice.check(bad)


def test_voice_in_the_bible_is_text_or_a_spec() -> None:
    text = Character(id="a", name="A", description="d", voice="quick, curious")
    assert text.voice_spec == VoiceSpec(description="quick, curious")
    spec = Character.model_validate(
        {"id": "a", "name": "A", "description": "d", "voice": {"name": "alto", "speed": 1.1}}
    )
    assert spec.voice_spec.name == "alto" and spec.voice_spec.speed == 1.1
    with pytest.raises(ValidationError):
        Character.model_validate(
            {"id": "a", "name": "A", "description": "d", "voice": {"speed": 9}}
        )
    with pytest.raises(ValidationError):
        Character.model_validate(
            {"id": "a", "name": "A", "description": "d", "voice": {"nmae": "alto"}}
        )
