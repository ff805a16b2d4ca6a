"""The audio cache (an unchanged line is never synthesised twice) and timing from audio."""

from __future__ import annotations

from pathlib import Path

from reelwright.audio.cache import AudioCache
from reelwright.audio.timing import (
    HANDLE_IN_S,
    HANDLE_OUT_S,
    LINE_GAP_S,
    place,
    srt_from_cues,
)
from reelwright.audio.track import Sound, voice_pass
from reelwright.models import Bible, DialogueLine
from tests.audio.conftest import CountingVoice, shot, shots


def test_a_revision_that_changes_one_line_synthesises_exactly_one(
    tmp_path: Path, bible: Bible, voice: CountingVoice
) -> None:
    sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
    cut = shots(
        shot("s1-1", 3, ("juno", "I made a list.")),
        shot("s1-2", 4, ("bram", "Look at this."), ("juno", "Slow down.")),
        shot("s2-1", 3, ("odalys", "Trust me on this one."), scene="s2"),
    )
    _, clips, first = voice_pass(sound, cut, bible, 1)
    assert (first.synthesised, first.cached) == (4, 0) and len(voice.spoken) == 4
    _, _, again = voice_pass(sound, cut, bible, 2)
    assert (again.synthesised, again.cached) == (0, 4) and len(voice.spoken) == 4
    edited = cut.shots[1].model_copy(
        update={
            "dialogue": [cut.shots[1].dialogue[0], DialogueLine(character="juno", text="Wait.")]
        }
    )
    revised = shots(cut.shots[0], edited, cut.shots[2])
    _, _, third = voice_pass(sound, revised, bible, 3)
    assert (third.synthesised, third.cached) == (1, 3)
    assert [j.text for j in voice.spoken[4:]] == ["Wait."]
    # a new run (a new Sound, the same cache folder) synthesises nothing
    fresh = CountingVoice()
    voice_pass(Sound(voice=fresh, cache=AudioCache(tmp_path / "audio")), revised, bible, 1)
    assert fresh.spoken == []


def test_the_same_line_twice_is_synthesised_once(
    tmp_path: Path, bible: Bible, voice: CountingVoice
) -> None:
    sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
    cut = shots(shot("a", 3, ("juno", "Again.")), shot("b", 3, ("juno", "Again.")))
    _, clips, count = voice_pass(sound, cut, bible, 1)
    assert len(voice.spoken) == 1 and count.synthesised == 1 and count.cached == 1
    assert clips[0].path == clips[1].path


def test_shots_hold_their_audio_and_only_short_shots_change(
    tmp_path: Path, bible: Bible, voice: CountingVoice
) -> None:
    sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
    long_line = "I made a list. It is a short list, and it is mostly questions about the lamp."
    cut = shots(
        shot("s1-1", 6.0),  # no lines: slack to give
        shot("s1-2", 1.0, ("juno", long_line)),
        shot("s1-3", 2.0, ("bram", "Look."), ("juno", "Where?")),
    )
    timed, clips, _ = voice_pass(sound, cut, bible, 1)
    by_id = {s.id: s for s in timed.shots}
    audio = {c.job.line_id: c.duration_s for c in clips}
    need2 = HANDLE_IN_S + audio["s1-2/0"] + HANDLE_OUT_S
    need3 = HANDLE_IN_S + audio["s1-3/0"] + LINE_GAP_S + audio["s1-3/1"] + HANDLE_OUT_S
    assert by_id["s1-2"].duration_s >= need2
    assert by_id["s1-3"].duration_s >= need3
    assert by_id["s1-1"] == cut.shots[0]  # long enough already: untouched, frame kept
    assert timed.duration_s > cut.duration_s
    # every cue inside its shot, in order, and the subtitles say where the audio is
    cues = place(timed, clips, bible)
    start = 0.0
    for s in timed.shots:
        for cue in (c for c in cues if c.shot_id == s.id):
            assert start + HANDLE_IN_S - 1e-6 <= cue.start < cue.end <= start + s.duration_s
        start += s.duration_s
    srt = srt_from_cues(cues)
    assert srt.count("-->") == 3 and "Juno Park: Where?" in srt


def test_a_scene_without_slack_grows(tmp_path: Path, bible: Bible, voice: CountingVoice) -> None:
    sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
    cut = shots(shot("s1-1", 0.5, ("juno", "This line is longer than half a second.")))
    timed, clips, _ = voice_pass(sound, cut, bible, 1)
    assert timed.shots[0].duration_s >= clips[0].duration_s + HANDLE_IN_S + HANDLE_OUT_S


def test_a_cache_entry_outside_the_cache_is_a_miss(
    tmp_path: Path, bible: Bible, voice: CountingVoice
) -> None:
    cache = AudioCache(tmp_path / "audio")
    sound = Sound(voice=voice, cache=cache)
    cut = shots(shot("a", 3, ("juno", "Hello.")))
    _, clips, _ = voice_pass(sound, cut, bible, 1)
    entry = Path(clips[0].path)
    outside = tmp_path / "elsewhere.wav"
    outside.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(outside)
    assert cache.get(clips[0].job) is None
