from __future__ import annotations

import re
import subprocess

import imageio_ffmpeg
import pytest
from PIL import Image

from reelwright.loading import load_bible
from reelwright.models import DialogueLine, Shot
from reelwright.renderers.animatic import contact_sheet, write_animatic
from reelwright.subtitles import srt_text

SRT_CUE = re.compile(
    r"(\d+)\n(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})\n(.+?)\n", re.S
)


def video_seconds(path) -> float:
    proc = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
    )
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", proc.stderr).groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    cues = []
    for g in SRT_CUE.findall(text):
        a = int(g[1]) * 3600 + int(g[2]) * 60 + int(g[3]) + int(g[4]) / 1000
        b = int(g[5]) * 3600 + int(g[6]) * 60 + int(g[7]) + int(g[8]) / 1000
        cues.append((a, b, g[9]))
    return cues


@pytest.fixture
def shots() -> list[Shot]:
    durations = [2.5, 1.3, 3.7, 0.9, 2.0]
    return [
        Shot(
            id=f"s1-{i}",
            scene_id="s1",
            framing="wide",
            duration_s=d,
            characters=["juno"],
            location="harbour",
            description="d",
            prompt="p",
            seed=i,
            dialogue=[DialogueLine(character="juno", text=f"line {i}")] * (i % 3),
        )
        for i, d in enumerate(durations)
    ]


def test_animatic_lasts_the_sum_of_shot_durations(tmp_path, shots):
    frames = []
    for i, s in enumerate(shots):
        p = tmp_path / f"{s.id}.png"
        Image.new("RGB", (64, 48), (40 * i, 80, 120)).save(p)
        frames.append((p, s.duration_s))
    out = write_animatic(frames, tmp_path / "a.mp4")
    total = sum(s.duration_s for s in shots)
    assert abs(video_seconds(out) - total) <= len(shots) / 25  # one frame per shot


def test_srt_parses_and_cues_lie_inside_their_shots(examples, shots):
    bible = load_bible(examples / "bible.yaml")
    text = srt_text(shots, bible)
    cues = parse_srt(text)
    assert len(cues) == sum(len(s.dialogue) for s in shots) == 4
    total = sum(s.duration_s for s in shots)
    starts = [sum(s.duration_s for s in shots[:i]) for i in range(len(shots))]
    for a, b, body in cues:
        assert 0 <= a < b <= total and body.startswith("Juno Park: line ")
        i = int(body.rsplit(" ", 1)[1])
        assert starts[i] <= a and b <= starts[i] + shots[i].duration_s


def test_contact_sheet_holds_every_frame(tmp_path):
    frames = []
    for i in range(6):
        p = tmp_path / f"f{i}.png"
        Image.new("RGB", (160, 90), (i * 30, 0, 0)).save(p)
        frames.append((f"s1-{i}", p))
    sheet = Image.open(contact_sheet(frames, tmp_path / "sheet.png", columns=4, thumb_width=100))
    assert sheet.size == (10 + 4 * 110, 10 + 2 * (56 + 24 + 10))


def srt_blocks(text: str) -> list[list[str]]:
    """SRT as players read it: blocks separated by blank lines (any line break style)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks, block = [], []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks


@pytest.mark.parametrize(
    "forged",
    [
        "Hello.\n\n2\n00:00:01,000 --> 00:00:09,000\nForged cue",
        "Hello.\r\n\r\n2\r\n00:00:01,000 --> 00:00:09,000\r\nForged cue",
        "Hello.\u2028\u20282\u202800:00:01,000 --> 00:00:09,000\u2028Forged",
        "Hello.\x85\x0b\x0c  \t\n",
    ],
    ids=["lf", "crlf", "unicode-separators", "odd-whitespace"],
)
def test_dialogue_with_blank_lines_cannot_forge_srt_cues(examples, forged):
    bible = load_bible(examples / "bible.yaml")
    shots = [
        Shot(
            id=f"s1-{i}",
            scene_id="s1",
            framing="wide",
            duration_s=2.0,
            characters=["juno"],
            location="harbour",
            description="d",
            prompt="p",
            seed=i,
            dialogue=[DialogueLine(character="juno", text=forged if i == 0 else f"line {i}")],
        )
        for i in range(3)
    ]
    blocks = srt_blocks(srt_text(shots, bible))
    assert [b[0] for b in blocks] == ["1", "2", "3"]
    assert all(len(b) == 3 for b in blocks)  # index, times, one line of text
    assert all(re.fullmatch(r"[\d:,]+ --> [\d:,]+", b[1]) for b in blocks)
    assert blocks[0][2].startswith("Juno Park: Hello.")
    assert "-->" not in blocks[0][2]
    assert len(parse_srt(srt_text(shots, bible))) == 3


@pytest.mark.parametrize(
    "folder", ["it's", "line\nbreak", "x'\nfile '/etc/passwd"], ids=["quote", "newline", "inject"]
)
def test_animatic_encodes_frames_whose_path_has_quotes_or_newlines(tmp_path, shots, folder):
    where = tmp_path / folder / "frames"
    where.mkdir(parents=True)
    frames = []
    for i, s in enumerate(shots):
        p = where / f"{s.id}.png"
        Image.new("RGB", (64, 48), (40 * i, 80, 120)).save(p)
        frames.append((p, s.duration_s))
    out = write_animatic(frames, tmp_path / folder / "animatic.mp4")
    total = sum(s.duration_s for s in shots)
    assert abs(video_seconds(out) - total) <= len(shots) / 25
