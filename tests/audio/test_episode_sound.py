"""Offline, a brief becomes an animatic with a voiced, mastered sound track whose lines sit
where the subtitles say; bad sound options are refused before anything is written."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from reelwright.audio.loudness import measure
from reelwright.audio.qc import speech_segments
from reelwright.audio.track import AudioRecord
from reelwright.cli import app
from tests.conftest import tree

runner = CliRunner()
RATE = 24_000
_TIME = re.compile(r"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)")


def srt_cues(text: str) -> list[tuple[float, float]]:
    out = []
    for m in _TIME.finditer(text):
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, m.groups())
        out.append((h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000))
    return out


def decoded_audio(mp4: Path) -> np.ndarray:
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(mp4), "-map", "0:a:0"]
    cmd += ["-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"]
    pcm = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(pcm, "<i2").astype(np.float32) / 32768


@pytest.mark.parametrize("loudness", [None, -23.0])
def test_the_animatic_carries_every_line_where_the_subtitles_say(
    project: Path, loudness: float | None
) -> None:
    args = ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    if loudness is not None:
        args += ["--loudness", str(loudness)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = project / "out"
    audio = decoded_audio(out / "animatic.mp4")
    cues = srt_cues((out / "animatic.srt").read_text())
    segments = speech_segments(audio, RATE)
    assert len(cues) >= 5
    assert len(segments) == len(cues), (segments, cues)
    for (seg_start, seg_end), (cue_start, cue_end) in zip(segments, cues, strict=True):
        assert abs(seg_start - cue_start) <= 0.05 and abs(seg_end - cue_end) <= 0.05
    target = -16.0 if loudness is None else loudness
    heard = measure(audio, RATE)
    assert abs(heard.integrated_lufs - target) <= 1.0
    assert heard.true_peak_dbtp <= -1.0
    record = AudioRecord.model_validate_json((out / "audio.json").read_text())
    assert record.mastered.target_lufs == target
    assert abs(record.mastered.integrated_lufs - target) <= 0.2
    assert len(record.cues) == len(cues)
    # one stem per character with lines; Pip (speaks: false) has effects, not speech
    speakers = {c.character for c in record.cues}
    assert {s.character for s in record.stems} == speakers
    assert all((out / s.file).is_file() for s in record.stems)
    assert {c.kind for c in record.cues if c.character == "pip"} <= {"effect"}
    assert {c.kind for c in record.cues if c.character != "pip"} == {"speech"}
    # the shots hold their lines: each cue inside its shot
    shots = json.loads((out / "shots.json").read_text())["shots"]
    ends, t = {}, 0.0
    for s in shots:
        ends[s["id"]] = (t, t + s["duration_s"])
        t += s["duration_s"]
    for c in record.cues:
        assert ends[c.shot_id][0] <= c.start and c.end <= ends[c.shot_id][1]


def test_an_unchanged_rerun_synthesises_nothing(project: Path) -> None:
    first = runner.invoke(app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "a"])
    assert first.exit_code == 0, first.output
    files = sorted((project / ".reelwright" / "audio").rglob("*.wav"))
    stamps = [p.stat().st_mtime_ns for p in files]
    second = runner.invoke(app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "b"])
    assert second.exit_code == 0, second.output
    assert sorted((project / ".reelwright" / "audio").rglob("*.wav")) == files
    assert [p.stat().st_mtime_ns for p in files] == stamps


def _bible_with_voice(project: Path, name: str) -> None:
    bible = yaml.safe_load((project / "bible.yaml").read_text())
    bible["characters"][0]["voice"] = {"name": name, "speed": 1.1}
    (project / "bible.yaml").write_text(yaml.safe_dump(bible))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--loudness", "-5"], "out of range"),
        (["--loudness", "-60"], "out of range"),
        (["--music", "missing.wav"], "cannot be read"),
        (["--room-tone", "noise.wav"], "not a readable PCM WAV"),
        (["--voice", "gandalf"], "scratch, speech or none"),
        (["--voice", "speech"], "needs REELWRIGHT_VOICE_BASE_URL"),
        ([], "unknown voice"),
    ],
)
def test_bad_sound_input_exits_2_and_writes_nothing(
    project: Path, extra: list[str], message: str
) -> None:
    (project / "noise.wav").write_bytes(b"ID3\x03 an mp3, not a wav")
    if not extra:
        _bible_with_voice(project, "gandalf")
    before = tree(project)
    result = runner.invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out", *extra]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert tree(project) == before


def test_a_named_voice_from_the_bible_is_used(project: Path) -> None:
    _bible_with_voice(project, "onyx")  # a speech-service name: the scratch voice maps it
    result = runner.invoke(app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "o"])
    assert result.exit_code == 0, result.output
    metas = [
        json.loads(p.read_text())["job"]
        for p in (project / ".reelwright" / "audio").rglob("*.json")
    ]
    juno = [m for m in metas if m["character"] == "juno"]
    assert juno and {m["voice"] for m in juno} == {"bass"} and {m["speed"] for m in juno} == {1.1}
