"""Text measures the checks share: normalised lines, content words and their stems.

Deterministic and model-free: a small stop-word list and suffix stripping, enough to match
"lighthouse's lamps" with "the lamp of the lighthouse".
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")
_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "n't": " not",
    "'re": " are",
    "'ll": " will",
    "'ve": " have",
    "'m": " am",
    "'d": " would",
}

STOP_WORDS = frozenset(
    """a an the and or but if then so as at by for from in into of off on onto out over to up
    with without about after before under again once here there when where why how what which
    who whom whose this that these those is are was were be been being am do does did doing
    have has had having will would shall should can could may might must not no nor only own
    same too very just than also each every both few more most other some such any all its
    it it's he him his she her hers they them their theirs we us our ours you your yours i me
    my mine let lets get gets got make makes made go goes going went come comes came take takes
    took need needs one two new now way back down still yet even ever while until through
    across against along around between during within upon onto toward towards""".split()
)


def normalise(text: str) -> str:
    """Lower case, contractions expanded, punctuation dropped, spaces collapsed."""
    t = text.lower().replace("\u2019", "'")
    for short, full in _CONTRACTIONS.items():
        t = t.replace(short, full)
    return " ".join(_WORD.findall(_POSSESSIVE.sub("", t).replace("'", "")))


def words(text: str) -> list[str]:
    return normalise(text).split()


def stem(word: str) -> str:
    """A crude stem: plural, past and -ing endings, a final e and a doubled last consonant
    dropped, so "lanes"/"lane" and "rigged"/"rig" meet."""
    w = word.lower()
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: len(w) - len(suffix)] + keep
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]
    return w


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning (stop words and short words dropped)."""
    return {stem(w) for w in words(text) if w not in STOP_WORDS and len(w) > 2}
