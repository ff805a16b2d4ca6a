"""Loudness to ITU-R BS.1770: integrated loudness (LUFS, gated, K-weighted; pyloudnorm) and
true peak (dBTP, 4x oversampled), and normalisation to a target with a true-peak ceiling.

`normalise` is a gain plus a look-ahead peak limiter, repeated until both hold: the
integrated loudness within 0.1 LU of the target and the true peak at or below the ceiling.
The limiter's gain curve is a moving minimum of the gain each sample needs, smoothed by a
moving average of the same width — the average of minima over windows that all contain a
sample never exceeds that sample's own need, so the ceiling holds without overshoot.
"""

from __future__ import annotations

import math
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


def oversampled_peaks(samples: np.ndarray) -> np.ndarray:
    """Per input sample, the largest magnitude of the 4x oversampled signal around it."""
    import numpy as np
    from scipy.signal import resample_poly

    up = np.abs(resample_poly(samples.astype(np.float32), 4, 1))
    n = len(samples)
    return np.asarray(up[: 4 * n].reshape(n, 4).max(axis=1))


def true_peak_dbtp(samples: np.ndarray) -> float:
    import numpy as np

    if not len(samples):
        return -math.inf
    peak = float(np.max(oversampled_peaks(samples)))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def measure(samples: np.ndarray, rate: int) -> Loudness:
    return Loudness(
        integrated_lufs=round(integrated_lufs(samples, rate), 2),
        true_peak_dbtp=round(true_peak_dbtp(samples), 2),
    )


def _limit(samples: np.ndarray, ceiling: float, rate: int) -> tuple[np.ndarray, float | None]:
    """The samples with every true peak at or under `ceiling`, and — when nothing needed
    limiting — the true peak measured on the way (None when the limiter acted)."""
    import numpy as np
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    peaks = oversampled_peaks(samples)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    if float(need.min()) >= 1.0:
        return samples, float(peaks.max())
    width = max(3, int(0.005 * rate) | 1)  # 5 ms, odd: centred windows
    gain = uniform_filter1d(minimum_filter1d(need, width, mode="nearest"), width, mode="nearest")
    return (samples * np.minimum(gain, need)).astype(np.float32), None


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
    peak_seen: float | None = None
    for _ in range(6):
        gain_db = target_lufs - loud
        x = (x * 10 ** (gain_db / 20)).astype(np.float32)
        total_gain += gain_db
        x, peak_seen = _limit(x, ceiling, rate)
        limited = limited or peak_seen is None
        if peak_seen is not None:  # a gain alone moves integrated loudness by exactly the gain
            break
        loud = integrated_lufs(x, rate)
        if abs(loud - target_lufs) <= 0.1:
            break
    loud = integrated_lufs(x, rate)  # what is recorded is measured, never assumed
    peak = 20 * math.log10(peak_seen) if peak_seen else true_peak_dbtp(x)
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
