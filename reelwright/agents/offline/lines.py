"""Fresh text: a line or beat is kept only if it is not a near-repeat of one already used.

The measures a script supervisor (and the critic) would apply, with a margin: words added or
removed, reordered, or lightly changed still count as a repeat. A beat may name the same goal
as an earlier one ("decides to rig a signal", "with time running out, they rig a signal"); a
line may not come close to any other line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from reelwright.agents.offline.premise import Premise
from reelwright.models import Scene

NEAR = 72.0  # plain ratio at or above which two lines are the same line
SHARED_STEMS = 0.6  # share of the shorter text's content stems that the longer one also has
TOKEN_SET = 80.0
TOKEN_SORT = 72.0
_STOP = frozenset(
    """a an the and or but if then so as at by for from in into of off on onto out over to up
    with about after before under again once here there when where why how what which who this
    that these those is are was were be been am do does did have has had will would shall should
    can could may might must not no only own same too very just than also each every both more
    most other some such any all its it he him his she her they them their we us our you your i
    me my let get got make made go going come came take took need one two new now way back down
    still yet even ever while until through""".split()
)


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower().replace("'", "")).split())


def stems(text: str) -> frozenset[str]:
    out = set()
    for word in norm(text).split():
        if word in _STOP or len(word) < 3:
            continue
        for suffix in ("ies", "ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
                word = word[: -len(suffix)]
                break
        out.add(word.rstrip("e"))
    return frozenset(out)


def alike(a: str, b: str) -> bool:
    """Two normalised texts that say the same thing: most of the shorter one's content in the
    longer one, and the two read alike."""
    if a == b:
        return True
    sa, sb = stems(a), stems(b)
    small = min(len(sa), len(sb))
    if small == 0 or len(sa & sb) / small < SHARED_STEMS:
        return False
    return fuzz.token_set_ratio(a, b) >= TOKEN_SET or fuzz.token_sort_ratio(a, b) >= TOKEN_SORT


def near_repeat(text: str, used: Iterable[str], loose: bool = False) -> bool:
    """Whether `text` reads as a repeat of any of `used` (normalised texts). `loose` (for
    beats) applies only the content measure; lines must also differ as strings."""
    key = norm(text)
    for other in used:
        if alike(key, other):
            return True
        if loose:
            continue
        if fuzz.ratio(key, other) >= NEAR:
            return True
        short, long_ = sorted((key, other), key=len)
        if len(short) >= 12 and fuzz.partial_ratio(short, long_) >= 90:
            return True
    return False


@dataclass
class Used:
    """What the episode has said so far: template keys and normalised texts."""

    templates: set[str] = field(default_factory=set)
    told: set[str] = field(default_factory=set)  # premise slots the story has told
    lines: list[str] = field(default_factory=list)
    beats: list[str] = field(default_factory=list)
    most_lines: int = 99  # a long episode spreads the register's lines thinner
    premise: Premise | None = None  # parsed once an episode

    @classmethod
    def of(cls, scenes: Sequence[Scene]) -> Used:
        return cls(
            lines=[norm(d.text) for s in scenes for d in s.dialogue],
            beats=[norm(b) for s in scenes for b in s.beats],
        )
