"""Map what a model writes for an id back to the id: `Juno`, `JUNO`, `Juno Park`, `Juno's`,
`Captain Bram`, `Gull Point` -> `juno`, `juno`, `juno`, `juno`, `bram`, `lighthouse`.

A model that honours the schema's `enum` never needs this; one that writes its own text in an
id field (small local models, JSON mode) usually names the right thing in a human way. Only
what none of the rules maps, or what maps to something not allowed here, is an error. Each
mapping is counted (see `recording`), so a run can report how often its model needed one."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# the rules, in the order they are tried; tests drop one to show what it is for
RULES = ("case", "name", "possessive", "title", "word", "prefix")

TITLES = frozenset(
    "the a an mr mrs ms miss mx dr doctor captain capt professor prof sir dame lady lord "
    "keeper old young little aunt uncle grandpa grandma granny".split()
)
MIN_PREFIX = 3

_recorder: ContextVar[Counter[str] | None] = ContextVar("reelwright_normalised", default=None)


@contextmanager
def recording() -> Iterator[Counter[str]]:
    """Count the mappings made while validating one reply (nested calls share the outer one)."""
    outer = _recorder.get()
    if outer is not None:
        yield outer
        return
    counts: Counter[str] = Counter()
    token = _recorder.set(counts)
    try:
        yield counts
    finally:
        _recorder.reset(token)


def record(text: str, ident: str) -> None:
    counts = _recorder.get()
    if counts is not None:
        counts[f"{text} → {ident}"] += 1


def fold(text: str) -> str:
    """Lower case, one kind of apostrophe, `-`/`_`/runs of spaces as one space, no quotes or
    punctuation around it."""
    text = text.replace("’", "'").replace("‘", "'").casefold()
    text = re.sub(r"[\s_\-]+", " ", text)
    return text.strip(" .,;:!?\"'()[]{}")


def _possessive(text: str) -> str:
    return re.sub(r"(?:'s|s')$", lambda m: "s" if m[0] == "s'" else "", text.replace("’", "'"))


def _untitled(text: str) -> str:
    words = fold(text).replace(".", " ").split()
    while len(words) > 1 and words[0] in TITLES:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Names:
    """The ids of one kind (characters, locations) with their display names, and which of
    them a field allows. Hashable, so a constrained reply model can be cached per set."""

    kind: str  # "character", "location": used in error messages
    entries: tuple[tuple[str, str], ...]  # (id, display name) for every one the bible has
    allowed: tuple[str, ...]
    rules: tuple[str, ...] = RULES

    def resolve(self, value: object) -> object:
        """The id `value` stands for (recorded when it differs), or a ValueError saying what
        is allowed. Non-strings pass through for the type check to reject."""
        if not isinstance(value, str) or value in self.allowed:
            return value
        ident = self.lookup(value)
        allowed = ", ".join(self.allowed)
        if ident is None:
            raise ValueError(f"unknown {self.kind} {value!r}; use one of the ids: {allowed}")
        if ident not in self.allowed:
            who = f"{self.kind} {ident!r}" if ident == value else f"{value!r} ({ident!r})"
            raise ValueError(f"{who} is not allowed here; use one of the ids: {allowed}")
        if value.strip() != ident:
            record(value.strip(), ident)
        return ident

    def lookup(self, text: str) -> str | None:
        """The one id `text` maps to under the rules, or None (no match, or ambiguous)."""
        candidates = [text]
        if "possessive" in self.rules:
            candidates += [_possessive(c) for c in candidates]
        if "title" in self.rules:
            candidates += [_untitled(c) for c in candidates]
        keys = list(dict.fromkeys(k for k in (fold(c) for c in candidates) if k))
        allowed = [e for e in self.entries if e[0] in self.allowed]
        for rule, matches in MATCHERS:
            if rule not in self.rules:
                continue
            for key in keys:
                for pool in (allowed, self.entries):
                    found = {ident for ident, name in pool if matches(key, ident, name)}
                    if len(found) == 1:
                        return found.pop()
                    if len(found) > 1:
                        break  # ambiguous in this pool: the wider pool is no better
        return None


def _by_case(key: str, ident: str, name: str) -> bool:
    return key == fold(ident)


def _by_name(key: str, ident: str, name: str) -> bool:
    return key in (fold(name), _untitled(name))


def _by_word(key: str, ident: str, name: str) -> bool:
    return " " not in key and key in fold(name).split()


def _by_prefix(key: str, ident: str, name: str) -> bool:
    if len(key) < MIN_PREFIX:
        return False
    return any(len(key) < len(t) and t.startswith(key) for t in (fold(ident), fold(name)))


MATCHERS: tuple[tuple[str, Callable[[str, str, str], bool]], ...] = (
    ("case", _by_case),
    ("name", _by_name),
    # "possessive" and "title" clean the text before every matcher (see `Names.lookup`)
    ("word", _by_word),
    ("prefix", _by_prefix),
)


@dataclass(frozen=True)
class Refs:
    """Scene or shot ids a judge note may name: `S1`, `scene 1`, `Scene s1`, `shot S1-2`."""

    kind: str  # "scene", "shot"
    allowed: tuple[str, ...]

    def resolve(self, value: object) -> object:
        if not isinstance(value, str) or value in self.allowed:
            return value
        key = re.sub(rf"^(?:{self.kind}|#)\s*", "", value.strip().casefold()).replace(" ", "")
        by_fold = {a.casefold(): a for a in self.allowed}
        ident = by_fold.get(key) or (by_fold.get(f"s{key}") if self.kind == "scene" else None)
        if ident is None:
            raise ValueError(
                f"unknown {self.kind} id {value!r}; use one of: {', '.join(self.allowed)}"
            )
        record(value.strip(), ident)
        return ident
