"""Timing from audio: lines are voiced before the cut is timed, each shot holds at least its
lines' audio plus handles, and the subtitles come from where the audio really sits.

The director owns a shot's duration; `retime` is its rule for audio: a shot too short for
its lines is lengthened to fit, and the time is taken back, where it can be, from shots of
the same scene that have more than they need — so the scene keeps its length.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import Field

from reelwright.audio.cache import SpokenClip
from reelwright.audio.voice import SpeechJob, Voice, line_job
from reelwright.models import Bible, Frozen, SafeId, Shot, ShotList
from reelwright.renderers.animatic import _cue_text, srt_time

HANDLE_IN_S = 0.3
"""Silence before a shot's first line."""
HANDLE_OUT_S = 0.3
"""Silence after a shot's last line, before the cut."""
LINE_GAP_S = 0.45
"""Silence between two lines in one shot."""
MIN_HOLD_S = 1.5
"""The shortest a shot without lines is trimmed to when another shot needs its time."""
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
    """Shots long enough for their audio; a scene's added time taken back from its shots
    with slack (down to their own need, or MIN_HOLD_S for a shot without lines)."""
    by_shot = _by_shot(shots, clips)
    need = {s.id: needed(by_shot[s.id]) for s in shots.shots}
    durations = {s.id: s.duration_s for s in shots.shots}
    for scene_id in dict.fromkeys(s.scene_id for s in shots.shots):
        scene = shots.for_scene(scene_id)
        added = 0.0
        for s in scene:
            if need[s.id] > durations[s.id]:
                new = min(MAX_SHOT_S, math.ceil(need[s.id] * 100) / 100)
                added += new - durations[s.id]
                durations[s.id] = new
        floor = {s.id: max(need[s.id], MIN_HOLD_S if not by_shot[s.id] else 0.5) for s in scene}
        slack = {s.id: max(0.0, durations[s.id] - floor[s.id]) for s in scene}
        spare = sum(slack.values())
        if added > 0 and spare > 0:
            share = min(1.0, added / spare)
            for s in scene:
                cut = math.floor(slack[s.id] * share * 100) / 100
                durations[s.id] = round(durations[s.id] - cut, 2)
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
                    label=_cue_text(f"{name}: {line.text}"),
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
