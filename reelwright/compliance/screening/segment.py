"""Words as the matcher sees them.

Latin-script text is split into tokens on the folded text (spaced-out letters, "d a r t h",
are joined by the matcher's walk over consecutive tokens). A *compound* token is one where
people run words together: a hashtag or handle (`#StarWarsDay`, `@harrypotterfan88`), a
domain or file name (`www.cocacola.com`), camelCase (`PikachuFan2009`), letters mixed with
digits, or a run of letters too long to be one ordinary word; the matcher also looks for
names inside those.

Letters of other scripts (Cyrillic, CJK, Hangul, Arabic, Devanagari...) are read in runs,
with spaces and name separators (`·`, `・`, `-`) dropped, so `哈利·波特` and `Гарри Поттер`
match their names wherever they start; CJK has no spaces between words."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

TOKEN = re.compile(r"[a-z0-9@$!|+]+(?:[-_.'*·~^][a-z0-9@$!|+]+)*")
NATIVE_RUN = re.compile(r"[^\x00-\x7f]+(?:[\s\-'][^\x00-\x7f]+)*")
CAMEL = re.compile(r"[a-z][A-Z]|[A-Za-z][0-9]|[0-9][A-Za-z]")
NON_ALNUM = re.compile(r"[^a-z0-9]")
SPLIT = re.compile(f"({TOKEN.pattern})")
MARKERS = re.compile(r"[a-z][A-Z]|#[A-Za-z0-9]")
COMPOUND_LENGTH = 13
ARABIC_MARKS = {chr(c) for c in (*range(0x064B, 0x0660), 0x0670, 0x0640)}


@dataclass
class Words:
    """The text's tokens as parallel lists: one object per text, not per word."""

    starts: list[int]
    ends: list[int]
    words: list[str]
    suspect: list[bool]  # capitalised, with digits or symbols, or long: may be misspelt on purpose


def words(folded: str, text: str) -> Words:
    """Tokens of the folded text. Split and offsets are computed in C (`re.split` and
    `accumulate`), so a 1 MB text costs a few list comprehensions, not a loop per word."""
    parts = SPLIT.split(folded)
    ends_all = list(accumulate(map(len, parts)))
    found = parts[1::2]
    starts = ends_all[0:-1:2]
    suspect = [
        len(w) >= 8 or text[s] != w[0] or not w.isalpha()
        for s, w in zip(starts, found, strict=True)
    ]
    return Words(starts, ends_all[1::2], found, suspect)


def compound_spans(found: Words, text: str) -> list[tuple[int, int]]:
    """Tokens where people run words together: hashtags and handles, camelCase, letters
    mixed with digits, domains, paths and snake_case, and runs too long to be one word."""
    picked = {
        i
        for i, w in enumerate(found.words)
        if len(w) >= COMPOUND_LENGTH or (not w.isalpha() and _joined(w))
    }
    for m in MARKERS.finditer(text):  # a camelCase hump, or the # of a hashtag
        i = bisect_right(found.starts, m.start() + 1) - 1
        if i >= 0 and found.starts[i] <= m.start() + 1 < found.ends[i]:
            picked.add(i)
    return [(found.starts[i], found.ends[i]) for i in sorted(picked)]


def _joined(word: str) -> bool:
    if word[0] == "@" or "_" in word or any(c.isdigit() for c in word):
        return True
    return "." in word and min(map(len, word.split("."))) >= 2


def alnum_positions(folded: str, start: int, end: int) -> list[int]:
    """Offsets of the letters and digits of a token, in order (its plain spelling's map)."""
    return [start + i for i, c in enumerate(folded[start:end]) if c.isascii() and c.isalnum()]


# --------------------------------------------------------------------------- other scripts


def is_native(phrase: str) -> bool:
    """Whether a phrase is written (partly) in a script other than Latin."""
    return any(c.isalpha() and not _latin(c) for c in phrase)


@lru_cache(maxsize=4096)
def _latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


@lru_cache(maxsize=8192)
def native_char(ch: str) -> str:
    """A non-Latin character's matching form: letters and marks kept (case-folded, NFKC),
    separators and Arabic vowel marks dropped."""
    if ch in ARABIC_MARKS:
        return ""
    norm = unicodedata.normalize("NFKC", ch).casefold()
    return "".join(c for c in norm if unicodedata.category(c)[0] in "LMN")


def native_key(phrase: str) -> str:
    return "".join(native_char(c) for c in phrase)


def native_runs(text: str) -> list[tuple[str, list[int]]]:
    """Runs of non-ASCII text as (compact letters, original offset of each letter)."""
    out: list[tuple[str, list[int]]] = []
    for m in NATIVE_RUN.finditer(text):
        letters: list[str] = []
        where: list[int] = []
        for i in range(m.start(), m.end()):
            for c in native_char(text[i]):
                letters.append(c)
                where.append(i)
        if len(letters) >= 2:
            out.append(("".join(letters), where))
    return out
