"""WAV files in and out (16-bit PCM written; 8/16/24/32-bit PCM read), with the stdlib."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import TYPE_CHECKING

from reelwright.errors import InputError

if TYPE_CHECKING:
    import numpy as np


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """Mono float samples in [-1, 1] as a 16-bit PCM WAV."""
    import numpy as np

    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def decode_wav(data: bytes, rate: int, what: str) -> np.ndarray:
    """A WAV file's samples as mono float32 at `rate` (channels averaged, resampled);
    InputError naming `what` when it is not a PCM WAV."""
    import numpy as np

    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            channels, width, source_rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        raise InputError(f"{what} is not a readable PCM WAV file ({exc})") from None
    if width == 1:
        x: np.ndarray = (np.frombuffer(frames, np.uint8).astype(np.float32) - 128) / 128
    elif width == 2:
        x = np.frombuffer(frames, "<i2").astype(np.float32) / 32768
    elif width == 3:
        raw = np.frombuffer(frames, np.uint8).reshape(-1, 3).astype(np.int32)
        ints = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        x = (np.where(ints >= 1 << 23, ints - (1 << 24), ints) / float(1 << 23)).astype(np.float32)
    elif width == 4:
        x = np.frombuffer(frames, "<i4").astype(np.float32) / float(1 << 31)
    else:
        raise InputError(f"{what}: {8 * width}-bit WAV is not supported")
    if channels > 1:
        x = x[: len(x) // channels * channels].reshape(-1, channels).mean(axis=1)
    if len(x) == 0:
        raise InputError(f"{what} holds no audio")
    if source_rate != rate:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(rate, source_rate)
        x = resample_poly(x, rate // g, source_rate // g).astype(np.float32)
    return x


def read_wav(path: Path, rate: int, what: str = "") -> np.ndarray:
    label = what or f"audio file {path}"
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{label} cannot be read: {exc.strerror or exc}") from None
    return decode_wav(data, rate, label)
