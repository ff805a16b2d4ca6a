"""Loudness to ITU-R BS.1770: integrated loudness (LUFS, gated, K-weighted; pyloudnorm) and
true peak (dBTP, 4x oversampled), and normalisation to a target with a true-peak ceiling.

`normalise` is a gain plus a look-ahead peak limiter, repeated until both hold: the
integrated loudness within 0.1 LU of the target and the true peak at or below the ceiling.
A gain alone moves integrated loudness by exactly the gain (K-weighting is linear and the
relative gate moves with it; silent gaps stay under the absolute gate), so a track that
needed no limiting is not measured a second time.
The limiter's gain curve is a moving minimum of the gain each sample needs, smoothed by a
moving average of the same width — the average of minima over windows that all contain a
sample never exceeds that sample's own need, so the ceiling holds without overshoot.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import Field

from reelwright.models import Frozen

if TYPE_CHECKING:
    import numpy as np

DEFAULT_TARGET_LUFS = -16.0
BROADCAST_TARGET_LUFS = -23.0
DEFAULT_CEILING_DBTP = -1.0
MIN_TARGET_LUFS = -40.0
MAX_TARGET_LUFS = -10.0
SILENCE_LUFS = -70.0  # BS.1770's absolute gate: quieter than this counts as silence


class Loudness(Frozen):
    integrated_lufs: float
    true_peak_dbtp: float


class Mastered(Frozen):
    """What normalisation did: the measurements after, the target and the gain applied."""

    target_lufs: float
    ceiling_dbtp: float
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float
    limited: bool = Field(description="Whether the peak limiter reduced any peak.")


def integrated_lufs(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness; SILENCE_LUFS for silence or audio under 0.4 s."""
    import numpy as np
    import pyloudnorm

    if len(samples) < int(0.4 * rate) or not np.any(samples):
        return SILENCE_LUFS
    with np.errstate(divide="ignore"):
        value = float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))
    return value if math.isfinite(value) else SILENCE_LUFS


OVERSAMPLE = 4
_CONTEXT = 11  # input samples either side that one output of the interpolator depends on


@lru_cache(maxsize=1)
def _interpolator() -> tuple[np.ndarray, float]:
    """The 4x interpolation filter (scipy's `resample_poly` design: 81-tap Kaiser-windowed
    sinc) and its gain bound: no interpolated value exceeds `bound` x the largest input
    sample within _CONTEXT of it."""
    import numpy as np
    from scipy.signal import firwin

    taps = firwin(2 * 10 * OVERSAMPLE + 1, 1 / OVERSAMPLE, window=("kaiser", 5.0)) * OVERSAMPLE
    bound = max(float(np.sum(np.abs(taps[p::OVERSAMPLE]))) for p in range(OVERSAMPLE))
    return taps.astype(np.float32), bound


def oversampled_peaks(samples: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Per input sample, the largest magnitude of the 4x oversampled signal around it.

    Only samples that could reach `floor` are interpolated: elsewhere the value is an upper
    bound under `floor` (the filter's gain bound times the local sample peak), which is all a
    caller comparing against `floor` needs. With floor 0 every sample is interpolated."""
    import numpy as np
    from scipy.ndimage import maximum_filter1d
    from scipy.signal import upfirdn

    taps, gain = _interpolator()
    x = samples.astype(np.float32)
    n = len(x)
    bound = maximum_filter1d(np.abs(x), 2 * _CONTEXT + 1, mode="constant") * np.float32(gain)
    out = bound.copy()
    hot = np.flatnonzero(bound >= floor) if floor > 0 else np.arange(n)
    if not len(hot):
        return out
    # runs of samples to interpolate, each with its context, computed piece by piece
    breaks = np.flatnonzero(np.diff(hot) > 2048) + 1  # nearby runs: one call
    delay = (len(taps) - 1) // 2
    for run in np.split(hot, breaks):
        a, b = int(run[0]), int(run[-1]) + 1
        s, e = max(0, a - _CONTEXT), min(n, b + _CONTEXT)
        up = upfirdn(taps, x[s:e], up=OVERSAMPLE)
        start = delay + OVERSAMPLE * (a - s)
        seg = np.abs(up[start : start + OVERSAMPLE * (b - a)])
        seg = np.pad(seg, (0, OVERSAMPLE * (b - a) - len(seg)))
        out[a:b] = seg.reshape(b - a, OVERSAMPLE).max(axis=1)
    return out


def true_peak_dbtp(samples: np.ndarray) -> float:
    import numpy as np

    if not len(samples):
        return -math.inf
    peak = float(np.max(oversampled_peaks(samples, floor=0.99 * float(np.max(np.abs(samples))))))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def measure(samples: np.ndarray, rate: int) -> Loudness:
    return Loudness(
        integrated_lufs=round(integrated_lufs(samples, rate), 2),
        true_peak_dbtp=round(true_peak_dbtp(samples), 2),
    )


def _limit(samples: np.ndarray, ceiling: float, rate: int) -> tuple[np.ndarray, bool]:
    """The samples with every true peak at or under `ceiling`; whether any needed it."""
    import numpy as np
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    peaks = oversampled_peaks(samples, floor=ceiling)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if float(need.min()) >= 1.0:
        return samples, False
    width = max(3, int(0.005 * rate) | 1)  # 5 ms, odd: centred windows
    gain = uniform_filter1d(minimum_filter1d(need, width, mode="nearest"), width, mode="nearest")
    return (samples * np.minimum(gain, need)).astype(np.float32), True


def normalise(
    samples: np.ndarray,
    rate: int,
    target_lufs: float = DEFAULT_TARGET_LUFS,
    ceiling_dbtp: float = DEFAULT_CEILING_DBTP,
) -> tuple[np.ndarray, Mastered]:
    """The samples at `target_lufs` integrated, true peak at or below `ceiling_dbtp`. Silence
    is returned as it is."""
    import numpy as np

    x = samples.astype(np.float32)
    loud = integrated_lufs(x, rate)
    if loud <= SILENCE_LUFS:
        m = Mastered(
            target_lufs=target_lufs,
            ceiling_dbtp=ceiling_dbtp,
            integrated_lufs=SILENCE_LUFS,
            true_peak_dbtp=round(true_peak_dbtp(x), 2) if np.any(x) else -120.0,
            gain_db=0.0,
            limited=False,
        )
        return x, m
    total_gain, limited = 0.0, False
    ceiling = 10 ** ((ceiling_dbtp - 0.05) / 20)  # a hair under: resampling rounding
    for _ in range(6):
        gain_db = target_lufs - loud
        x = (x * 10 ** (gain_db / 20)).astype(np.float32)
        total_gain += gain_db
        x, cut = _limit(x, ceiling, rate)
        limited = limited or cut
        if not cut:  # a gain alone moves integrated loudness by exactly the gain
            break
        loud = integrated_lufs(x, rate)
        if abs(loud - target_lufs) <= 0.1:
            break
    if limited:  # measured again; after a gain alone, the first measurement plus the gain
        loud = integrated_lufs(x, rate)
    else:
        loud = loud + total_gain
    peak = true_peak_dbtp(x)
    while peak > ceiling_dbtp:  # float rounding after the last gain: trim to the ceiling
        x = (x * 10 ** ((ceiling_dbtp - 0.05 - peak) / 20)).astype(np.float32)
        peak = true_peak_dbtp(x)
        loud = integrated_lufs(x, rate)
    return x, Mastered(
        target_lufs=target_lufs,
        ceiling_dbtp=ceiling_dbtp,
        integrated_lufs=round(loud, 2),
        true_peak_dbtp=round(peak, 2),
        gain_db=round(total_gain, 2),
        limited=limited,
    )
