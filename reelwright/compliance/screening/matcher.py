"""The screener: a watchlist compiled into prefix sets, then matched against text.

Matching survives case, punctuation, diacritics, look-alike letters from any Unicode block,
emoji letters, zero-width characters, spaced-out and leetspeak spellings, possessives and
plurals, small misspellings, words run together (hashtags, handles, domains, camelCase) and
names in other scripts. Ordinary words and first names (an entry's `ambiguous` names) need a
context word nearby; descriptions need every cue group of an entry within a short window.

Speed: the text is folded with one `str.translate` (same length, so spans map back to the
original), tokenised by one regex, and names are found by walking a prefix set from each
token; fuzzy matching works on the text's distinct tokens, not on every position."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from reelwright.compliance.screening.findings import make_finding, outermost
from reelwright.compliance.screening.normalise import NON_ALNUM, NON_ALPHA, fold, key, name_words
from reelwright.compliance.screening.segment import (
    alnum_positions,
    compound_spans,
    is_native,
    native_key,
    native_runs,
    words,
)
from reelwright.compliance.screening.watchlist import Entry, Watchlist
from reelwright.models import Finding

LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "9": "g",
        "+": "t",
    }
)
CONTEXT_CHARS = 320
CUE_WINDOW_TOKENS = 60
INSIDE_MIN = 5  # shortest name looked for inside a compound token


@dataclass(frozen=True)
class _Target:
    entry: int
    ambiguous: bool
    cue_group: int = -1  # >= 0: one phrase of a description cue group
    role: bool = False  # an office or nickname of a real person


@dataclass
class _Tokens:
    """The text's tokens as parallel lists (one object per text, not per word)."""

    starts: list[int]
    ends: list[int]
    variants: list[list[str]]
    fuzzy: list[frozenset[str]]


Hit = tuple[int, int, _Target, bool]  # first and last token, target, fuzzy


class Screener:
    """Built once per watchlist; `screen(text)` is then cheap enough to run on every node."""

    def __init__(self, watchlist: Watchlist | None = None) -> None:
        self.watchlist = watchlist or Watchlist.default()
        allowed = {key(a) for a in self.watchlist.allow}
        self.entries: list[Entry] = [
            e for e in self.watchlist.entries if not ({key(e.name), key(e.bare_name)} & allowed)
        ]
        self.keys: dict[str, list[_Target]] = defaultdict(list)
        self.native: dict[str, list[_Target]] = defaultdict(list)
        self.context: list[list[str]] = []
        name_tokens: set[str] = set()
        for i, entry in enumerate(self.entries):
            ambiguous = {_name_key(a) for a in entry.ambiguous}
            if entry.bare_name != entry.name and entry.bare_name not in entry.aliases:
                ambiguous.add(_name_key(entry.bare_name))
            latin = [p for p in entry.localised if not is_native(p)]
            names = [entry.bare_name, *entry.aliases, *entry.ambiguous, *latin]
            for phrase in names:
                words = name_words(phrase)
                k = NON_ALNUM.sub("", "".join(words))
                if len(k) < 2:
                    continue
                self._add(k, _Target(i, k in ambiguous))
                if k not in ambiguous:
                    name_tokens.update(NON_ALPHA.sub("", w) for w in words)
                    if len(words) == 1:
                        name_tokens.add(k)
            for phrase in entry.misspellings:
                self._add(_name_key(phrase), _Target(i, False))
            for phrase in entry.roles:
                self._add(_name_key(phrase), _Target(i, False, role=True))
            for phrase in entry.localised:
                if is_native(phrase):
                    self.native[native_key(phrase)].append(_Target(i, False))
            qualifier = re.findall(r"\(([^)]*)\)", entry.name)
            ctx = entry.context or [w for q in qualifier for w in q.split()]
            self.context.append([fold(c) for c in ctx])
            for g, group in enumerate(entry.cues):
                for phrase in group:
                    self.keys[key(phrase)].append(_Target(i, False, g))
        self.prefixes = {k[:n] for k in self.keys for n in range(1, len(k) + 1)}
        self.native_prefixes = {k[:n] for k in self.native for n in range(1, len(k) + 1)}
        self.longest = max(map(len, self.keys))
        self._fuzzy_targets = {t for t in name_tokens if len(t) >= 5}
        self._deletions: dict[str, set[str]] = defaultdict(set)
        for t in self._fuzzy_targets:
            for d in _deletes(t):
                self._deletions[d].add(t)

    def _add(self, k: str, target: _Target) -> None:
        if len(k) >= 2 and target not in self.keys[k]:
            self.keys[k].append(target)

    # -- public ---------------------------------------------------------------------

    def screen(self, text: str, where: str = "text") -> list[Finding]:
        folded = fold(text)
        found = words(folded, text)
        spellings = [self._variants(w, s) for w, s in zip(found.words, found.suspect, strict=True)]
        toks = _Tokens(
            found.starts, found.ends, [s[0] for s in spellings], [s[1] for s in spellings]
        )
        hits: list[Hit] = []
        prefixes = self.prefixes
        for i, (variants, corrections) in enumerate(spellings):
            if corrections or any(v in prefixes for v in variants):
                hits.extend(self._walk(toks, i))
        findings: dict[tuple[str, int, int], Finding] = {}
        cue_hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for a, b, target, fuzzy in hits:
            if target.cue_group >= 0:
                cue_hits[target.entry].append((a, target.cue_group))
                continue
            span = (toks.starts[a], toks.ends[b])
            if fuzzy and target.ambiguous:
                continue
            if target.ambiguous and not self._has_context(folded, *span, target.entry):
                continue
            rule = "screen.role" if target.role else "screen.misspelled" if fuzzy else "screen.name"
            self._keep(findings, target, rule, text, folded, span, where)
        for start, end in compound_spans(found, text):
            for target, span in self._inside(folded, start, end):
                self._keep(findings, target, "screen.name", text, folded, span, where)
        if not text.isascii():
            for target, span in self._native(text):
                self._keep(findings, target, "screen.name", text, folded, span, where)
        for idx, occurrences in cue_hits.items():
            described = self._described(idx, occurrences, toks)
            if described is not None:
                target = _Target(idx, False)
                self._keep(findings, target, "screen.description", text, folded, described, where)
        return outermost(findings.values())

    # -- internals ------------------------------------------------------------------

    def _keep(
        self,
        findings: dict[tuple[str, int, int], Finding],
        target: _Target,
        rule: str,
        text: str,
        folded: str,
        span: tuple[int, int],
        where: str,
    ) -> None:
        entry = self.entries[target.entry]
        policy = self.watchlist.kinds[entry.kind]
        finding = make_finding(entry, policy, rule, text, folded, span, where)
        findings.setdefault((entry.name, *span), finding)

    @lru_cache(maxsize=65536)  # noqa: B019 - one Screener lives for the process
    def _variants(self, word: str, suspect: bool) -> tuple[list[str], frozenset[str]]:
        plain = NON_ALNUM.sub("", word)
        variants = [plain]
        leet = NON_ALPHA.sub("", word.translate(LEET))
        if leet and leet != plain:
            variants.append(leet)
        for v in list(variants):
            if v.endswith("s") and len(v) > 3:  # plurals and possessives ("vader's")
                variants.append(v[:-1])
                if v.endswith("es") and len(v) > 4:
                    variants.append(v[:-2])
        fuzzy: frozenset[str] = frozenset()
        if suspect:
            for v in variants:
                fuzzy |= self._corrections(v)
        return variants, fuzzy

    @lru_cache(maxsize=65536)  # noqa: B019 - one Screener lives for the process
    def _corrections(self, word: str) -> frozenset[str]:
        """Name tokens one edit away (two for long ones), for words that are not names."""
        if len(word) < 4 or word in self._fuzzy_targets or not word.isalpha():
            return frozenset()
        from rapidfuzz.distance import Levenshtein

        candidates: set[str] = set(self._deletions.get(word, ()))
        for d in _deletes(word):
            candidates |= self._deletions.get(d, set())
            if d in self._fuzzy_targets:
                candidates.add(d)
        limit = 2 if len(word) >= 9 else 1
        return frozenset(
            c for c in candidates if Levenshtein.distance(word, c, score_cutoff=limit) <= limit
        )

    def _walk(self, toks: _Tokens, i: int) -> list[Hit]:
        out: list[Hit] = []
        frontier = [(v, False) for v in toks.variants[i]] + [(f, True) for f in toks.fuzzy[i]]
        j, n = i, len(toks.starts)
        while frontier and j < n:
            nxt: list[tuple[str, bool]] = []
            for joined, fuzzy in frontier:
                if joined not in self.prefixes:
                    continue
                for target in self.keys.get(joined, ()):
                    single = j == i
                    if fuzzy and (target.cue_group >= 0 or (single and len(joined) < 7)):
                        continue
                    out.append((i, j, target, fuzzy))
                if j + 1 < n and len(joined) < self.longest:
                    nxt += [(joined + v, fuzzy) for v in toks.variants[j + 1]]
                    nxt += [(joined + f, True) for f in toks.fuzzy[j + 1]]
            frontier = list(dict.fromkeys(nxt))[:16]
            j += 1
        return out

    def _inside(self, folded: str, start: int, end: int) -> list[tuple[_Target, tuple[int, int]]]:
        """Unambiguous names inside a compound token (`harrypotterfan88`, `StarWarsDay`)."""
        where = alnum_positions(folded, start, end)
        plain = "".join(folded[p] for p in where)
        leet = "".join(c if c.isalpha() else "\0" for c in plain.translate(LEET))
        out: list[tuple[_Target, tuple[int, int]]] = []
        for spelling in dict.fromkeys((plain, leet)):
            for p in range(len(spelling)):
                q = p + INSIDE_MIN
                while q <= len(spelling) and spelling[p:q] in self.prefixes:
                    for target in self.keys.get(spelling[p:q], ()):
                        if not target.ambiguous and target.cue_group < 0:
                            out.append((target, (where[p], where[q - 1] + 1)))
                    q += 1
        return out

    def _native(self, text: str) -> list[tuple[_Target, tuple[int, int]]]:
        """Names written in other scripts, wherever they start in a run of that script."""
        out: list[tuple[_Target, tuple[int, int]]] = []
        if not self.native:
            return out
        for letters, where in native_runs(text):
            for p in range(len(letters)):
                q = p + 1
                while q <= len(letters) and letters[p:q] in self.native_prefixes:
                    for target in self.native.get(letters[p:q], ()):
                        out.append((target, (where[p], where[q - 1] + 1)))
                    q += 1
        return out

    def _has_context(self, folded: str, start: int, end: int, entry: int) -> bool:
        words = self.context[entry]
        if not words:
            return False
        window = (
            folded[max(0, start - CONTEXT_CHARS) : start] + " " + folded[end : end + CONTEXT_CHARS]
        )
        return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", window) for w in words)

    def _described(
        self, idx: int, occurrences: list[tuple[int, int]], toks: _Tokens
    ) -> tuple[int, int] | None:
        """The span where every cue group of an entry appears within a short window."""
        groups = len(self.entries[idx].cues)
        occurrences.sort()
        end = 0
        for k, (first, _) in enumerate(occurrences):
            end = max(end, k)
            while (
                end + 1 < len(occurrences) and occurrences[end + 1][0] - first <= CUE_WINDOW_TOKENS
            ):
                end += 1
            if len({g for _, g in occurrences[k : end + 1]}) == groups:
                return toks.starts[first], toks.ends[occurrences[end][0]]
        return None


def _name_key(phrase: str) -> str:
    return NON_ALNUM.sub("", "".join(name_words(phrase)))


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=1)
def default_screener() -> Screener:
    return Screener()
