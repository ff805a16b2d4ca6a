"""Audio QC: each check fires on its defect and stays quiet on a clean track."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reelwright.audio.cache import AudioCache
from reelwright.audio.loudness import Loudness
from reelwright.audio.mix import Mastering, mix
from reelwright.audio.qc import (
    audio_findings,
    clipping,
    cut_lines,
    loudness_off_target,
    silent_lines,
    speech_segments,
)
from reelwright.audio.timing import place
from reelwright.audio.track import Sound, voice_pass
from reelwright.audio.voice import SAMPLE_RATE
from reelwright.models import Bible
from tests.audio.conftest import CountingVoice, shot, shots

RATE = SAMPLE_RATE


def voiced(tmp_path: Path, bible: Bible):  # type: ignore[no-untyped-def]
    sound = Sound(voice=CountingVoice(), cache=AudioCache(tmp_path / "audio"))
    cut = shots(
        shot("a", 3, ("juno", "I made a list.")),
        shot("b", 4, ("bram", "Look at this."), ("juno", "Slow down.")),
    )
    timed, clips, _ = voice_pass(sound, cut, bible, 1)
    cues = place(timed, clips, bible)
    return timed, clips, cues, mix(cues, timed.duration_s)


def test_a_clean_track_has_no_findings(tmp_path: Path, bible: Bible) -> None:
    timed, clips, cues, m = voiced(tmp_path, bible)
    assert audio_findings(timed, clips, bible, Mastering()) == []
    segments = speech_segments(m.master, RATE)
    assert len(segments) == len(cues) == 3


def test_silence_where_a_line_should_be(tmp_path: Path, bible: Bible) -> None:
    _, _, cues, m = voiced(tmp_path, bible)
    track = m.master.copy()
    assert silent_lines(cues, track, RATE) == []
    gone = cues[1]
    track[int(gone.start * RATE) : int(gone.end * RATE) + 1] = 0
    found = silent_lines(cues, track, RATE)
    assert [f.rule for f in found] == ["qc.audio.silent_line"]
    assert found[0].shot_ids == ("b",) and "Look at this" in found[0].evidence


def test_clipping(tmp_path: Path, bible: Bible) -> None:
    _, _, _, m = voiced(tmp_path, bible)
    assert clipping(m.master, RATE) == []
    hot = np.clip(m.master * 20, -1, 1)
    assert [f.rule for f in clipping(hot, RATE)] == ["qc.audio.clipping"]


def test_a_line_cut_at_the_shot_boundary(tmp_path: Path, bible: Bible) -> None:
    timed, _, cues, _ = voiced(tmp_path, bible)
    assert cut_lines(cues, timed) == []
    short = timed.shots[1].model_copy(update={"duration_s": 1.0})
    found = cut_lines(cues, shots(timed.shots[0], short))
    assert {f.rule for f in found} == {"qc.audio.line_cut"}
    assert all(f.shot_ids == ("b",) and f.target == "director" for f in found)


def test_loudness_off_target() -> None:
    good = Loudness(integrated_lufs=-16.4, true_peak_dbtp=-1.5)
    assert loudness_off_target(good, -16.0) == []
    quiet = Loudness(integrated_lufs=-19.0, true_peak_dbtp=-6.0)
    assert [f.rule for f in loudness_off_target(quiet, -16.0)] == ["qc.audio.loudness"]
    hot = Loudness(integrated_lufs=-16.0, true_peak_dbtp=-0.2)
    assert [f.rule for f in loudness_off_target(hot, -16.0)] == ["qc.audio.true_peak"]
    assert loudness_off_target(quiet, -23.0) != []
