"""Fresh text: a line or beat is kept only if it is not a near-repeat of one already used.

The same fuzzy measures a script supervisor (and the critic) would apply: words added or
removed, reordered, or lightly changed still count as a repeat.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz

NEAR = 72.0  # token-set / plain ratio at or above which two texts are the same line


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def near_repeat(text: str, used: Iterable[str]) -> bool:
    """Whether `text` reads as a repeat of any of `used` (normalised texts)."""
    key = norm(text)
    for other in used:
        if key == other:
            return True
        if fuzz.ratio(key, other) >= NEAR or fuzz.token_set_ratio(key, other) >= NEAR + 8:
            return True
        short, long_ = sorted((key, other), key=len)
        if len(short) >= 12 and fuzz.partial_ratio(short, long_) >= 90:
            return True
    return False
