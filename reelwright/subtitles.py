"""Subtitles: the SRT cues of an episode's lines, shared by the sound track's timing
(`audio/timing.py`, cues placed where each line is heard) and the animatic (`renderers/
animatic.py`, cues spread over each shot when there is no sound)."""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.models import Bible, Shot


def srt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def cue_text(text: str) -> str:
    """One line of cue text: every run of whitespace (blank lines, CR, Unicode line and
    paragraph separators) becomes one space and "-->" loses its arrow, so dialogue cannot end
    its cue early or forge another."""
    return " ".join(text.split()).replace("-->", "->")


def srt_text(shots: Sequence[Shot], bible: Bible) -> str:
    """Dialogue timed to its shot; several lines in one shot share the shot's time."""
    cues = []
    start = 0.0
    for shot in shots:
        if shot.dialogue:
            share = shot.duration_s / len(shot.dialogue)
            for k, line in enumerate(shot.dialogue):
                a, b = start + k * share, start + (k + 1) * share - 0.05
                name = bible.character(line.character).name
                cues.append((a, max(a + 0.1, b), cue_text(f"{name}: {line.text}")))
        start += shot.duration_s
    blocks = [
        f"{i}\n{srt_time(a)} --> {srt_time(b)}\n{text}\n"
        for i, (a, b, text) in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)
