"""BS.1770 measurement, normalisation with a true-peak ceiling, beds under the dialogue."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from reelwright.audio.cache import AudioCache
from reelwright.audio.loudness import integrated_lufs, measure, normalise, true_peak_dbtp
from reelwright.audio.mix import Bed, load_bed, mix
from reelwright.audio.timing import place
from reelwright.audio.track import Sound, voice_pass
from reelwright.audio.voice import SAMPLE_RATE
from reelwright.audio.wav import wav_bytes
from reelwright.errors import InputError
from reelwright.models import Bible
from tests.audio.conftest import CountingVoice, shot, shots

RATE = SAMPLE_RATE


def sine(freq: float, seconds: float, amplitude: float, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def test_a_full_scale_sine_measures_minus_three_lufs() -> None:
    # BS.1770's reference: a 997 Hz sine at full scale in one channel reads -3.01 LUFS
    assert integrated_lufs(sine(997, 5, 1.0), RATE) == pytest.approx(-3.01, abs=0.1)
    assert integrated_lufs(sine(997, 5, 0.1), RATE) == pytest.approx(-23.01, abs=0.1)


def test_true_peak_sees_between_the_samples() -> None:
    # a sine at a quarter of the rate, sampled at 45 degrees: samples peak at 0.707, the wave at 1
    x = sine(RATE / 4, 1, 1.0, phase=math.pi / 4)
    sample_peak = 20 * math.log10(float(np.max(np.abs(x))))
    assert sample_peak == pytest.approx(-3.01, abs=0.05)
    assert true_peak_dbtp(x) == pytest.approx(0.0, abs=0.3)


@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_normalise_meets_target_and_ceiling_even_with_spiky_audio(target: float) -> None:
    rng = np.random.default_rng(0)
    speechy = sine(220, 6, 0.05) * (rng.random(6 * RATE) > 0.3)
    speechy[:: RATE // 3] = 0.9  # clicks: a crest factor no gain alone can fit under -1 dBTP
    out, mastered = normalise(speechy.astype(np.float32), RATE, target, -1.0)
    measured = measure(out, RATE)
    assert mastered.limited
    assert measured.integrated_lufs == pytest.approx(target, abs=0.2)
    assert measured.true_peak_dbtp <= -1.0
    assert mastered.integrated_lufs == measured.integrated_lufs


def test_silence_stays_silence() -> None:
    out, mastered = normalise(np.zeros(RATE, np.float32), RATE)
    assert not np.any(out) and mastered.gain_db == 0.0


def test_music_sits_under_the_dialogue_and_bad_files_are_input_errors(
    tmp_path: Path, bible: Bible, voice: CountingVoice
) -> None:
    sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
    cut = shots(shot("a", 4, ("juno", "I made a list of questions.")), shot("b", 4))
    timed, clips, _ = voice_pass(sound, cut, bible, 1)
    cues = place(timed, clips, bible)
    music = tmp_path / "bed.wav"
    music.write_bytes(wav_bytes(sine(110, 2, 0.9), 48_000))  # other rate: resampled
    dry = mix(cues, timed.duration_s)
    wet = mix(cues, timed.duration_s, [Bed(kind="music", path=str(music))])
    for m in (dry, wet):
        assert m.mastered.integrated_lufs == pytest.approx(-16, abs=0.2)
        assert m.mastered.true_peak_dbtp <= -1.0
    tail = slice(int(5 * RATE), int(7.5 * RATE))  # shot b: music only
    assert np.max(np.abs(dry.master[tail])) < 1e-4
    music_level = integrated_lufs(wet.master[tail], RATE)
    assert -16 - 20 < music_level < -16 - 10  # about 16 LU under the dialogue
    assert set(wet.stems) == {"juno"}
    for bad, why in ((tmp_path / "missing.wav", "cannot be read"), (tmp_path / "x.wav", "WAV")):
        if bad.name == "x.wav":
            bad.write_bytes(b"ID3 not a wav at all")
        with pytest.raises(InputError, match=why):
            load_bed(Bed(kind="music", path=str(bad)))


def test_peaks_interpolated_only_where_they_can_matter_equal_a_full_resample() -> None:
    from scipy.signal import resample_poly

    from reelwright.audio.loudness import oversampled_peaks

    rng = np.random.default_rng(1)
    x = (rng.standard_normal(20_000) * 0.2).astype(np.float32)
    x[5_000:5_300] *= 4  # a loud stretch
    full = np.abs(resample_poly(x.astype(np.float64), 4, 1)).reshape(-1, 4).max(axis=1)
    assert np.allclose(oversampled_peaks(x), full, atol=1e-5)
    partial = oversampled_peaks(x, floor=0.8)
    loud = full >= 0.8
    assert loud.sum() > 10
    assert np.allclose(partial[loud], full[loud], atol=1e-5)  # exact where it can reach 0.8
    assert np.all(partial >= full - 1e-5)  # elsewhere an upper bound ...
    assert np.all(partial[~loud] < 0.8 + 1e-5) or np.all(full[partial >= 0.8] >= 0.8 - 1e-5)
    assert true_peak_dbtp(x) == pytest.approx(20 * math.log10(float(full.max())), abs=1e-3)
