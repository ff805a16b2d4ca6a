"""Timing from audio: lines are voiced before the cut is timed, each shot holds at least its
lines' audio plus handles, and the subtitles come from where the audio really sits.

The director owns a shot's duration; `retime` is its rule for audio: a shot too short for
its lines is lengthened to fit. Other shots are left alone, so a revision re-renders only
the shots it touched; a cut that grows past the runtime is the pacing check's to report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import Field

from reelwright.audio.cache import SpokenClip
from reelwright.audio.voice import SpeechJob, Voice, line_job
from reelwright.models import Bible, Frozen, SafeId, Shot, ShotList
from reelwright.subtitles import cue_text, srt_time

HANDLE_IN_S = 0.3
"""Silence before a shot's first line."""
HANDLE_OUT_S = 0.3
"""Silence after a shot's last line, before the cut."""
LINE_GAP_S = 0.45
"""Silence between two lines in one shot."""
MAX_SHOT_S = 60.0


class Cue(Frozen):
    """A line placed on the episode's timeline."""

    shot_id: SafeId
    index: int = Field(ge=0, description="The line's position in its shot.")
    character: SafeId
    kind: str
    label: str = Field(description="Subtitle text: 'Name: line'.")
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    key: str
    path: str


def line_id(shot: Shot, index: int) -> str:
    return f"{shot.id}/{index}"


def voice_jobs(voice: Voice, shots: ShotList, bible: Bible) -> list[SpeechJob]:
    """One job per dialogue line, in timeline order."""
    return [
        line_job(voice, line_id(shot, k), bible.character(line.character), line)
        for shot in shots.shots
        for k, line in enumerate(shot.dialogue)
    ]


def _by_shot(shots: ShotList, clips: Sequence[SpokenClip]) -> dict[str, list[SpokenClip]]:
    out: dict[str, list[SpokenClip]] = {s.id: [] for s in shots.shots}
    for clip in clips:
        shot_id = clip.job.line_id.rsplit("/", 1)[0]
        out[shot_id].append(clip)
    return out


def needed(clips: Sequence[SpokenClip]) -> float:
    """The time a shot must hold for its lines: handles, the lines, the gaps between them."""
    if not clips:
        return 0.0
    spoken = sum(c.duration_s for c in clips) + LINE_GAP_S * (len(clips) - 1)
    return HANDLE_IN_S + spoken + HANDLE_OUT_S


def retime(shots: ShotList, clips: Sequence[SpokenClip]) -> ShotList:
    """Shots long enough for their audio: only a shot too short for its lines changes.
    Other shots keep their durations (and so their frames: a storyboard panel shows its
    duration), so a revision re-renders only what it touched; the critic's pacing check
    sees the longer cut and the director retimes the scene."""
    by_shot = _by_shot(shots, clips)
    durations = {s.id: s.duration_s for s in shots.shots}
    for s in shots.shots:
        need = needed(by_shot[s.id])
        if need > s.duration_s:
            durations[s.id] = min(MAX_SHOT_S, math.ceil(need * 100) / 100)
    return ShotList(
        shots=[
            s
            if durations[s.id] == s.duration_s
            else s.model_copy(update={"duration_s": durations[s.id]})
            for s in shots.shots
        ]
    )


def place(shots: ShotList, clips: Sequence[SpokenClip], bible: Bible) -> list[Cue]:
    """Each line's start and end on the timeline: after the shot's handle, one after another
    with a gap. A line that does not fit its shot runs past the cut (QC reports it)."""
    by_shot = _by_shot(shots, clips)
    cues: list[Cue] = []
    start = 0.0
    for shot in shots.shots:
        at = start + HANDLE_IN_S
        for k, (line, clip) in enumerate(zip(shot.dialogue, by_shot[shot.id], strict=True)):
            name = bible.character(line.character).name
            cues.append(
                Cue(
                    shot_id=shot.id,
                    index=k,
                    character=line.character,
                    kind=clip.job.kind,
                    label=cue_text(f"{name}: {line.text}"),
                    start=round(at, 4),
                    end=round(at + clip.duration_s, 4),
                    key=clip.key,
                    path=clip.path,
                )
            )
            at += clip.duration_s + LINE_GAP_S
        start += shot.duration_s
    return cues


def srt_from_cues(cues: Sequence[Cue]) -> str:
    """Subtitles where the audio is: each cue from its line's first to its last sample."""
    blocks = [
        f"{i}\n{srt_time(c.start)} --> {srt_time(c.end)}\n{c.label}\n"
        for i, c in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)
