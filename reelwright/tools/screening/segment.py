"""Words as the matcher sees them.

Latin-script text is split into tokens on the folded text. Spaced-out letters
("d a r t h") become one token. A *compound* token is one where people run words together:
a hashtag or handle (`#StarWarsDay`, `@harrypotterfan88`), a domain or file name
(`www.cocacola.com`), camelCase (`PikachuFan2009`), letters mixed with digits, or a run of
letters too long to be one ordinary word; the matcher also looks for names inside those.

Letters of other scripts (Cyrillic, CJK, Hangul, Arabic, Devanagari...) are read in runs,
with spaces and name separators (`·`, `・`, `-`) dropped, so `哈利·波特` and `Гарри Поттер`
match their names wherever they start; CJK has no spaces between words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TOKEN = re.compile(r"[a-z0-9@$!|+]+(?:[-_.'*·~^][a-z0-9@$!|+]+)*")
NATIVE_RUN = re.compile(r"[^\x00-\x7f]+(?:[\s\-'][^\x00-\x7f]+)*")
CAMEL = re.compile(r"[a-z][A-Z]|[A-Za-z][0-9]|[0-9][A-Za-z]")
NON_ALNUM = re.compile(r"[^a-z0-9]")
COMPOUND_LENGTH = 13
ARABIC_MARKS = {chr(c) for c in (*range(0x064B, 0x0660), 0x0670, 0x0640)}


@dataclass
class RawToken:
    start: int
    end: int
    word: str
    suspect: bool  # capitalised, mixed with digits or symbols, or long: a misspelling is likely
    compound: bool  # words run together: look for names inside it


def tokens(folded: str, text: str) -> list[RawToken]:
    raw = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(folded)]
    out: list[RawToken] = []
    i = 0
    while i < len(raw):
        j = i
        while j < len(raw) and len(NON_ALNUM.sub("", raw[j][2])) == 1:
            j += 1
        if j - i >= 3:  # spaced-out letters ("d a r t h") become one word
            word = "".join(NON_ALNUM.sub("", r[2]) for r in raw[i:j])
            out.append(RawToken(raw[i][0], raw[j - 1][1], word, True, len(word) >= 8))
            i = j
            continue
        start, end, word = raw[i]
        suspect = text[start].isupper() or not word.isalpha() or len(word) >= 8
        out.append(RawToken(start, end, word, suspect, _compound(text, start, end, word)))
        i += 1
    return out


def _compound(text: str, start: int, end: int, word: str) -> bool:
    before = text[start - 1] if start else " "
    return (
        before in "#@/"
        or word.startswith("@")
        or "." in word
        or "_" in word
        or CAMEL.search(text, start, end) is not None
        or len(word) >= COMPOUND_LENGTH
    )


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
