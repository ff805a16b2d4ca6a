"""Audio QC: checks from the placed lines and the mastered track to `Finding`s.

- `silent_lines`: a cue whose stretch of the track is silent (a line that should be heard);
- `clipping`: runs of samples at full scale;
- `cut_lines`: a line that runs past its shot's cut;
- `loudness_off_target`: integrated loudness more than a tolerance from the target, or a
  true peak over the ceiling.

`audio_findings` runs them all over the run's mix; the critic calls it after its frame QC.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reelwright.audio.cache import SpokenClip
from reelwright.audio.loudness import DEFAULT_CEILING_DBTP, Loudness
from reelwright.audio.mix import Mastering
from reelwright.audio.timing import Cue
from reelwright.models import Bible, Finding, Severity, ShotList

if TYPE_CHECKING:
    import numpy as np

    from reelwright.media.encodes import EncodeCache

SILENCE_DBFS = -50.0
"""A cue quieter than this (RMS, dBFS) over its whole span is silence."""
CLIP_LEVEL = 0.999
CLIP_RUN = 3
"""This many consecutive samples at full scale are clipping, not a peak."""
LOUDNESS_TOLERANCE_LU = 1.0
FRAME_S = 0.01


def _rms_db(x: np.ndarray) -> float:
    import numpy as np

    if not len(x):
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    return 20 * np.log10(rms) if rms > 0 else -120.0


def speech_segments(
    samples: np.ndarray, rate: int, threshold_db: float = -40.0, min_gap_s: float = 0.3
) -> list[tuple[float, float]]:
    """Stretches of sound (start, end in seconds): 10 ms frames louder than `threshold_db`
    (RMS, dBFS), joined across gaps shorter than `min_gap_s`."""
    import numpy as np

    hop = int(FRAME_S * rate)
    n = len(samples) // hop
    if n == 0:
        return []
    frames = samples[: n * hop].astype(np.float64).reshape(n, hop)
    level = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    active = np.flatnonzero(level > threshold_db)
    segments: list[tuple[float, float]] = []
    for f in active:
        start, end = f * FRAME_S, (f + 1) * FRAME_S
        if segments and start - segments[-1][1] < min_gap_s:
            segments[-1] = (segments[-1][0], end)
        else:
            segments.append((start, end))
    return [(round(a, 3), round(b, 3)) for a, b in segments]


def silent_lines(cues: Sequence[Cue], samples: np.ndarray, rate: int) -> list[Finding]:
    out = []
    for cue in cues:
        span = samples[int(cue.start * rate) : max(int(cue.end * rate), int(cue.start * rate) + 1)]
        level = _rms_db(span)
        if level < SILENCE_DBFS:
            out.append(
                Finding(
                    rule="qc.audio.silent_line",
                    severity=Severity.block,
                    where=f"shot {cue.shot_id} line {cue.index + 1}",
                    evidence=f"the track is silent ({level:.0f} dBFS) where "
                    f"{cue.label[:80]!r} should be heard ({cue.start:.2f}-{cue.end:.2f}s)",
                    fix="re-voice the line (clear its audio cache entry) and mix again",
                    target="director",
                    shot_ids=(cue.shot_id,),
                )
            )
    return out


def clipping(samples: np.ndarray, rate: int) -> list[Finding]:
    import numpy as np

    hot = np.abs(samples) >= CLIP_LEVEL
    if not hot.any():
        return []
    runs = np.convolve(hot.astype(np.int8), np.ones(CLIP_RUN, np.int8), "valid") >= CLIP_RUN
    if not runs.any():
        return []
    at = np.flatnonzero(runs)
    return [
        Finding(
            rule="qc.audio.clipping",
            severity=Severity.review,
            where="audio track",
            evidence=f"{len(at)} clipped run(s) of samples at full scale, first at "
            f"{at[0] / rate:.2f}s",
            fix="lower the mix or its sources; the master must peak under the ceiling",
        )
    ]


def cut_lines(cues: Sequence[Cue], shots: ShotList) -> list[Finding]:
    ends: dict[str, float] = {}
    t = 0.0
    for shot in shots.shots:
        t += shot.duration_s
        ends[shot.id] = t
    return [
        Finding(
            rule="qc.audio.line_cut",
            severity=Severity.block,
            where=f"shot {cue.shot_id} line {cue.index + 1}",
            evidence=f"the line ends at {cue.end:.2f}s, after the shot's cut at "
            f"{ends[cue.shot_id]:.2f}s",
            fix=f"hold shot {cue.shot_id} longer, or move the line to the next shot",
            target="director",
            shot_ids=(cue.shot_id,),
        )
        for cue in cues
        if cue.end > ends[cue.shot_id] + 1e-3
    ]


def loudness_off_target(
    measured: Loudness,
    target_lufs: float,
    ceiling_dbtp: float = DEFAULT_CEILING_DBTP,
    tolerance_lu: float = LOUDNESS_TOLERANCE_LU,
) -> list[Finding]:
    """The track's measurement (`loudness.measure`, or what mastering measured) against the
    target and the ceiling."""
    out = []
    if abs(measured.integrated_lufs - target_lufs) > tolerance_lu:
        out.append(
            Finding(
                rule="qc.audio.loudness",
                severity=Severity.review,
                where="audio track",
                evidence=f"integrated loudness {measured.integrated_lufs:.1f} LUFS against a "
                f"target of {target_lufs:.1f} (±{tolerance_lu:g} LU)",
                fix="normalise the mix to the target",
            )
        )
    if measured.true_peak_dbtp > ceiling_dbtp:
        out.append(
            Finding(
                rule="qc.audio.true_peak",
                severity=Severity.review,
                where="audio track",
                evidence=f"true peak {measured.true_peak_dbtp:.1f} dBTP over the ceiling of "
                f"{ceiling_dbtp:.1f} dBTP",
                fix="limit the master's true peak",
            )
        )
    return out


def audio_findings(
    shots: ShotList,
    clips: Sequence[SpokenClip],
    bible: Bible,
    mastering: Mastering,
    store: EncodeCache | None = None,
) -> list[Finding]:
    """Every audio check over the run's track, mastered as the package will write it (with
    `store`, a master made before is read from there)."""
    from reelwright.audio.mix import master_track
    from reelwright.audio.timing import place

    cues = place(shots, clips, bible)
    result = master_track(cues, shots.duration_s, mastering, store)
    return [
        *silent_lines(cues, result.master, result.rate),
        *clipping(result.master, result.rate),
        *cut_lines(cues, shots),
        *loudness_off_target(
            Loudness(
                integrated_lufs=result.mastered.integrated_lufs,
                true_peak_dbtp=result.mastered.true_peak_dbtp,
            ),
            mastering.target_lufs,
            mastering.ceiling_dbtp,
        ),
    ]
