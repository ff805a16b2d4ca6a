"""A mastered track is stored by what went into it: the same takes, timing, settings and beds
are read back rather than mastered again; anything else, or a damaged entry, is mastered anew."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from reelwright.audio import mix as mixing
from reelwright.audio.cache import AudioCache
from reelwright.audio.mix import Bed, Mastering, master_track
from reelwright.audio.timing import Cue, place
from reelwright.audio.track import Sound, voice_pass
from reelwright.audio.wav import wav_bytes
from reelwright.media.encodes import EncodeCache
from reelwright.models import Bible
from tests.audio.conftest import CountingVoice, shot, shots


@pytest.fixture
def cut(tmp_path: Path, bible: Bible, voice: CountingVoice) -> tuple[list[Cue], float]:
    sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
    timed, clips, _ = voice_pass(
        sound,
        shots(
            shot("a", 3, ("juno", "The lamp is out again.")),
            shot("b", 3, ("pip", "Then we climb.")),
        ),
        bible,
        1,
    )
    return place(timed, clips, bible), timed.duration_s


@pytest.fixture
def mixes(monkeypatch) -> list[int]:
    """Counts the masters actually made; forgets the in-process last master each call."""
    made: list[int] = []
    real = mixing.mix

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mixing, "mix", counting)
    monkeypatch.setattr(mixing, "_last", None)  # nothing remembered from another test
    return made


def fresh_process() -> None:
    mixing._last = None  # as a new process (a replay, a resume) starts


def test_a_stored_master_is_read_back_whole(tmp_path, cut, mixes):
    cues, seconds = cut
    store = EncodeCache(tmp_path / "encodes")
    first = master_track(cues, seconds, Mastering(), store)
    fresh_process()
    again = master_track(cues, seconds, Mastering(), store)
    assert len(mixes) == 1
    assert np.array_equal(first.master, again.master)
    assert first.stems.keys() == again.stems.keys() == {"juno", "pip"}
    assert all(np.array_equal(first.stems[c], again.stems[c]) for c in first.stems)
    assert again.mastered == first.mastered and again.rate == first.rate


def test_other_settings_timing_or_bed_bytes_master_again(tmp_path, cut, mixes):
    cues, seconds = cut
    store = EncodeCache(tmp_path / "encodes")
    bed = tmp_path / "tone.wav"
    bed.write_bytes(wav_bytes(np.full(24_000, 0.1, np.float32), 24_000))
    with_bed = Mastering(beds=(Bed(kind="room_tone", path=str(bed)),))
    for mastering, at in [
        (Mastering(), cues),
        (Mastering(target_lufs=-20), cues),
        (Mastering(), [c.model_copy(update={"start": c.start + 0.5}) for c in cues]),
        (with_bed, cues),
    ]:
        fresh_process()
        master_track(at, seconds + 1, mastering, store)
    assert len(mixes) == 4
    bed.write_bytes(wav_bytes(np.full(24_000, 0.3, np.float32), 24_000))  # edited in place
    fresh_process()
    master_track(cues, seconds + 1, with_bed, store)
    assert len(mixes) == 5


def test_a_damaged_or_wrong_length_entry_is_mastered_again(tmp_path, cut, mixes, caplog):
    cues, seconds = cut
    store = EncodeCache(tmp_path / "encodes")
    master_track(cues, seconds, Mastering(), store)
    (entry,) = (tmp_path / "encodes").rglob("*.npz")
    entry.write_bytes(b"not a zip")
    fresh_process()
    with caplog.at_level(logging.WARNING, logger="reelwright.audio.mix"):
        remade = master_track(cues, seconds, Mastering(), store)
    assert len(mixes) == 2 and "unreadable" in caplog.text
    assert remade.master.shape == (round(seconds * remade.rate),)

    short = {"master": np.zeros(10, np.float32), "characters": np.array([], dtype=str)}
    short["mastered"] = np.array(remade.mastered.model_dump_json())
    with entry.open("wb") as fh:
        np.savez(fh, **short)
    fresh_process()
    with caplog.at_level(logging.WARNING, logger="reelwright.audio.mix"):
        master_track(cues, seconds, Mastering(), store)
    assert len(mixes) == 3 and "wrong length" in caplog.text


def test_without_a_store_each_process_masters_its_own(tmp_path, cut, mixes):
    cues, seconds = cut
    master_track(cues, seconds, Mastering())
    fresh_process()
    master_track(cues, seconds, Mastering())
    assert len(mixes) == 2


def test_a_take_voiced_again_under_its_key_is_a_new_master(tmp_path, cut, mixes):
    cues, seconds = cut
    store = EncodeCache(tmp_path / "encodes")
    first = master_track(cues, seconds, Mastering(), store)
    take = Path(cues[0].path)  # as a non-deterministic voice would write it again
    take.write_bytes(wav_bytes(np.full(24_000, 0.2, np.float32), 24_000))
    fresh_process()
    again = master_track(cues, seconds, Mastering(), store)
    assert len(mixes) == 2 and not np.array_equal(first.master, again.master)


def test_a_bed_edited_in_place_is_mastered_again_in_the_same_process(tmp_path, cut, mixes):
    cues, seconds = cut
    bed = tmp_path / "tone.wav"
    bed.write_bytes(wav_bytes(np.full(24_000, 0.1, np.float32), 24_000))
    mastering = Mastering(beds=(Bed(kind="music", path=str(bed)),))
    master_track(cues, seconds, mastering)
    bed.write_bytes(wav_bytes(np.full(24_000, 0.3, np.float32), 24_000))
    master_track(cues, seconds, mastering)  # no fresh_process: the memo must notice too
    assert len(mixes) == 2


def test_stems_of_other_speakers_or_a_malformed_entry_are_misses(tmp_path, cut, mixes):
    cues, seconds = cut
    store = EncodeCache(tmp_path / "encodes")
    made = master_track(cues, seconds, Mastering(), store)
    (entry,) = (tmp_path / "encodes").rglob("*.npz")
    length = made.master.shape[0]
    for characters in (np.array(["../x", "pip"]), np.array("juno")):  # 0-d: not a list
        with entry.open("wb") as fh:
            np.savez(
                fh,
                master=made.master,
                mastered=np.array(made.mastered.model_dump_json()),
                characters=characters,
                stem_0=np.zeros(length, np.float32),
                stem_1=np.zeros(length, np.float32),
            )
        fresh_process()
        again = master_track(cues, seconds, Mastering(), store)
        assert set(again.stems) == {"juno", "pip"}
    assert len(mixes) == 3


def test_the_package_reads_the_stored_master(tmp_path, bible, voice, mixes):
    from reelwright.audio.track import write_track
    from reelwright.paths import OutputDir

    sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
    timed, clips, _ = voice_pass(sound, shots(shot("a", 3, ("juno", "Up we go."))), bible, 1)
    store = EncodeCache(tmp_path / "encodes")
    write_track(sound, OutputDir(tmp_path / "p1"), timed, clips, bible, store)
    fresh_process()
    write_track(sound, OutputDir(tmp_path / "p2"), timed, clips, bible, store)
    assert len(mixes) == 1
    mix1, mix2 = (tmp_path / p / "audio" / "mix.wav" for p in ("p1", "p2"))
    assert mix1.read_bytes() == mix2.read_bytes()
