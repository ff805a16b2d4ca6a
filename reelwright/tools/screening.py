"""Text screening against a watchlist of protected entities.

Matching survives case, punctuation, diacritics, Unicode look-alikes, zero-width characters,
spaced-out and leetspeak spellings, possessives and plurals, and small misspellings, while
ordinary words and common first names (an entry's `ambiguous` aliases) only match with a
context word nearby. Descriptions without a name are caught by an entry's `cues`.

Speed: the text is folded with one `str.translate` (same length, so spans map back to the
original), tokenised by one regex, and names are found by walking a prefix set from each
token; fuzzy matching works on the text's distinct tokens, not on every position.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from reelwright.errors import InputError
from reelwright.loading import read_yaml, validation_message
from reelwright.models import Finding, Severity

CONFUSABLES = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "һ": "h",
    "ӏ": "l",
    "ɡ": "g",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "μ": "u",
    "γ": "y",
    # other look-alikes
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "ı": "i",
    "ß": "s",
    "æ": "a",
    "œ": "o",
    "þ": "p",
    "ð": "d",
    "ŋ": "n",
    "ĸ": "k",
    "ſ": "s",
    "ℓ": "l",
}
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u034f"
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
TOKEN = re.compile(r"[a-z0-9@$!|+]+(?:[-_.'*·~^][a-z0-9@$!|+]+)*")
NON_ALNUM = re.compile(r"[^a-z0-9]")
NON_ALPHA = re.compile(r"[^a-z]")
STYLE_CUES = (
    "style of",
    "in the manner of",
    "inspired by",
    "aesthetic of",
    "look of",
    "painted by",
    "drawn by",
    "directed by",
    "a la",
    "styled after",
    "like a",
)
CONTEXT_CHARS = 320
CUE_WINDOW_TOKENS = 60


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """One character in, one character out, so folded offsets equal original offsets."""
    table: dict[int, str] = {}
    for cp in range(0x80, 0x3000):
        ch = chr(cp)
        if ch in INVISIBLE:
            table[cp] = "-"  # joins the letters around it into one word
            continue
        low = ch.lower()
        if low in CONFUSABLES:
            table[cp] = CONFUSABLES[low]
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        base = unicodedata.normalize("NFKC", base).lower()
        if len(base) == 1 and base.isascii():
            table[cp] = base
        elif base and base[0].isascii() and base[0].isalnum():
            table[cp] = base[0]
        elif ch.isspace() or unicodedata.category(ch).startswith(("P", "S", "Z")):
            table[cp] = " " if ch.isspace() else "."
    for cp in range(0xFF01, 0xFF5F):  # fullwidth forms
        table[cp] = chr(cp - 0xFEE0).lower()
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    return table


def fold(text: str) -> str:
    """Lower-case ASCII view of text with the same length."""
    if text.isascii():
        return text.lower()
    return text.translate(_fold_table())


def _key(phrase: str) -> str:
    return NON_ALNUM.sub("", fold(phrase))


def _name_words(phrase: str) -> list[str]:
    """A name's words, without a leading "the" ("The Rock" is found as "rock")."""
    words = [w for w in re.split(r"\s+", fold(phrase)) if w]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return words


def _name_key(phrase: str) -> str:
    return NON_ALNUM.sub("", "".join(_name_words(phrase)))


# --------------------------------------------------------------------------- the watchlist


class KindPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    label: str
    style_severity: Severity | None = None


Phrase = Annotated[str, StringConstraints(max_length=200)]
MAX_WATCHLIST_ENTRIES = 20_000


class Entry(BaseModel):
    """One protected entity. Sizes are bounded: the matcher indexes every prefix of every
    phrase, so an oversize alias would cost memory quadratic in its length."""

    model_config = ConfigDict(extra="forbid")

    name: Phrase = Field(min_length=2)
    kind: str = Field(max_length=64)
    owner: Phrase = ""
    aliases: list[Phrase] = Field(default_factory=list, max_length=100)
    ambiguous: list[Phrase] = Field(default_factory=list, max_length=100)
    context: list[Phrase] = Field(default_factory=list, max_length=100)
    cues: list[Annotated[list[Phrase], Field(max_length=20)]] = Field(
        default_factory=list, max_length=50
    )
    severity: Severity | None = None

    @property
    def bare_name(self) -> str:
        return re.sub(r"\s*\([^)]*\)\s*$", "", self.name).strip()


class Watchlist(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    kinds: dict[str, KindPolicy] = Field(default_factory=dict, max_length=200)
    entries: list[Entry] = Field(default_factory=list, max_length=MAX_WATCHLIST_ENTRIES)
    allow: list[Phrase] = Field(
        default_factory=list,
        max_length=MAX_WATCHLIST_ENTRIES,
        description="Names cleared by the project.",
    )

    @classmethod
    def default(cls) -> Watchlist:
        text = resources.files("reelwright.data").joinpath("watchlist.yaml").read_text("utf-8")
        return cls.model_validate(yaml.safe_load(text))

    @classmethod
    def load(cls, extra: Sequence[Path | str] = (), allow: Iterable[str] = ()) -> Watchlist:
        """The shipped watchlist plus a project's YAML files (entries added, allow-lists merged)."""
        merged = cls.default()
        for path in extra:
            path = Path(path)
            data = read_yaml(path, "watchlist")
            try:
                more = cls.model_validate({"kinds": merged.kinds, **data})
            except ValidationError as exc:
                raise InputError(validation_message(exc, f"watchlist {path}")) from None
            merged = merged.model_copy(
                update={
                    "kinds": {**merged.kinds, **more.kinds},
                    "entries": merged.entries
                    + [e for e in more.entries if e not in merged.entries],
                    "allow": merged.allow + more.allow,
                }
            )
        merged.allow.extend(allow)
        unknown = {e.kind for e in merged.entries} - set(merged.kinds)
        if unknown:
            raise InputError(f"watchlist entries use undefined kinds: {sorted(unknown)}")
        return merged


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Target:
    entry: int
    ambiguous: bool
    cue_group: int = -1  # >= 0: one phrase of a description cue group


@dataclass
class _Token:
    start: int
    end: int
    variants: list[str]
    fuzzy: frozenset[str] = frozenset()


class Screener:
    """Built once per watchlist; `screen(text)` is then cheap enough to run on every node."""

    def __init__(self, watchlist: Watchlist | None = None) -> None:
        self.watchlist = watchlist or Watchlist.default()
        allowed = {_key(a) for a in self.watchlist.allow}
        self.entries = [
            e for e in self.watchlist.entries if not ({_key(e.name), _key(e.bare_name)} & allowed)
        ]
        self.keys: dict[str, list[_Target]] = defaultdict(list)
        self.context: list[list[str]] = []
        name_tokens: set[str] = set()
        for i, entry in enumerate(self.entries):
            ambiguous = {_name_key(a) for a in entry.ambiguous}
            if entry.bare_name != entry.name and entry.bare_name not in entry.aliases:
                ambiguous.add(_name_key(entry.bare_name))
            names = [entry.bare_name, *entry.aliases, *entry.ambiguous]
            for phrase in names:
                words = _name_words(phrase)
                key = NON_ALNUM.sub("", "".join(words))
                if len(key) < 2:
                    continue
                target = _Target(i, key in ambiguous)
                if target not in self.keys[key]:
                    self.keys[key].append(target)
                if key not in ambiguous:
                    name_tokens.update(NON_ALPHA.sub("", w) for w in words)
                    if len(words) == 1:
                        name_tokens.add(key)
            qualifier = re.findall(r"\(([^)]*)\)", entry.name)
            ctx = entry.context or [w for q in qualifier for w in q.split()]
            self.context.append([fold(c) for c in ctx])
            for g, group in enumerate(entry.cues):
                for phrase in group:
                    self.keys[_key(phrase)].append(_Target(i, False, g))
        self.prefixes = {k[:n] for k in self.keys for n in range(1, len(k) + 1)}
        self.longest = max(map(len, self.keys))
        self._fuzzy_targets = {t for t in name_tokens if len(t) >= 5}
        self._deletions: dict[str, set[str]] = defaultdict(set)
        for t in self._fuzzy_targets:
            for d in _deletes(t):
                self._deletions[d].add(t)

    # -- public ---------------------------------------------------------------------

    def screen(self, text: str, where: str = "text") -> list[Finding]:
        folded = fold(text)
        tokens = self._tokens(folded, text)
        hits: list[tuple[int, int, _Target, bool]] = []  # token span, target, fuzzy
        for i in range(len(tokens)):
            hits.extend(self._walk(tokens, i))
        findings: dict[tuple[str, int, int], Finding] = {}
        cue_hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for a, b, target, fuzzy in hits:
            entry = self.entries[target.entry]
            if target.cue_group >= 0:
                cue_hits[target.entry].append((a, target.cue_group))
                continue
            start, end = tokens[a].start, tokens[b].end
            if target.ambiguous and not self._has_context(folded, start, end, target.entry):
                continue
            if fuzzy and target.ambiguous:
                continue
            rule = "screen.misspelled" if fuzzy else "screen.name"
            finding = self._finding(entry, text, folded, start, end, where, rule)
            findings.setdefault((entry.name, start, end), finding)
        for idx, occurrences in cue_hits.items():
            described = self._described(idx, occurrences, tokens, text, where)
            if described is not None and described.span is not None:
                findings.setdefault((self.entries[idx].name, *described.span), described)
        return _outermost(findings.values())

    # -- internals ------------------------------------------------------------------

    def _tokens(self, folded: str, text: str) -> list[_Token]:
        raw = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(folded)]
        tokens: list[_Token] = []
        i = 0
        while i < len(raw):  # spaced-out letters ("d a r t h") become one word
            j = i
            while j < len(raw) and len(NON_ALNUM.sub("", raw[j][2])) == 1:
                j += 1
            if j - i >= 3:
                word = "".join(NON_ALNUM.sub("", r[2]) for r in raw[i:j])
                tokens.append(self._token(raw[i][0], raw[j - 1][1], word, True))
                i = j
                continue
            start, end, word = raw[i]
            # fuzzy only where a misspelling is likely deliberate or a proper noun:
            # capitalised, mixed with digits or symbols, or long
            suspect = text[start].isupper() or not word.isalpha() or len(word) >= 8
            tokens.append(self._token(start, end, word, suspect))
            i += 1
        return tokens

    def _token(self, start: int, end: int, word: str, suspect: bool) -> _Token:
        variants, fuzzy = self._variants(word, suspect)
        return _Token(start, end, variants, fuzzy)

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

    def _walk(self, tokens: list[_Token], i: int) -> list[tuple[int, int, _Target, bool]]:
        out: list[tuple[int, int, _Target, bool]] = []
        first = tokens[i]
        if not first.fuzzy and not any(v in self.prefixes for v in first.variants):
            return out
        frontier = [(v, False) for v in tokens[i].variants] + [(f, True) for f in tokens[i].fuzzy]
        j = i
        while frontier and j < len(tokens):
            nxt: list[tuple[str, bool]] = []
            for joined, fuzzy in frontier:
                if joined not in self.prefixes:
                    continue
                for target in self.keys.get(joined, ()):
                    single = j == i
                    if fuzzy and (target.cue_group >= 0 or (single and len(joined) < 7)):
                        continue
                    out.append((i, j, target, fuzzy))
                if j + 1 < len(tokens) and len(joined) < self.longest:
                    nt = tokens[j + 1]
                    nxt += [(joined + v, fuzzy) for v in nt.variants]
                    nxt += [(joined + f, True) for f in nt.fuzzy]
            frontier = list(dict.fromkeys(nxt))[:16]
            j += 1
        return out

    def _has_context(self, folded: str, start: int, end: int, entry: int) -> bool:
        words = self.context[entry]
        if not words:
            return False
        window = (
            folded[max(0, start - CONTEXT_CHARS) : start] + " " + folded[end : end + CONTEXT_CHARS]
        )
        return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", window) for w in words)

    def _finding(
        self, entry: Entry, text: str, folded: str, start: int, end: int, where: str, rule: str
    ) -> Finding:
        policy = self.watchlist.kinds[entry.kind]
        severity = entry.severity or policy.severity
        if entry.kind == "living_artist":
            before = folded[max(0, start - 40) : start]
            if policy.style_severity and any(c in before for c in STYLE_CUES):
                severity, rule = policy.style_severity, "screen.style"
        return Finding(
            rule=rule,
            severity=severity,
            where=where,
            evidence=text[start:end],
            entity=entry.name,
            kind=entry.kind,
            span=(start, end),
            fix=_fix(entry, policy.label),
        )

    def _described(
        self,
        idx: int,
        occurrences: list[tuple[int, int]],
        tokens: list[_Token],
        text: str,
        where: str,
    ) -> Finding | None:
        entry = self.entries[idx]
        groups = len(entry.cues)
        occurrences.sort()
        for k, (first, _) in enumerate(occurrences):
            seen = {g for t, g in occurrences[k:] if t - first <= CUE_WINDOW_TOKENS}
            if len(seen) == groups:
                last = max(t for t, _ in occurrences[k:] if t - first <= CUE_WINDOW_TOKENS)
                start, end = tokens[first].start, tokens[last].end
                policy = self.watchlist.kinds[entry.kind]
                return Finding(
                    rule="screen.description",
                    severity=entry.severity or policy.severity,
                    where=where,
                    evidence=text[start:end][:200],
                    entity=entry.name,
                    kind=entry.kind,
                    span=(start, end),
                    fix=_fix(entry, policy.label),
                )
        return None


def _outermost(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per entity occurrence: drop spans inside another span of the same entity,
    and descriptions of an entity that is also named."""
    items = sorted(findings, key=lambda f: (f.span[0], -f.span[1]))  # type: ignore[index]
    named = {f.entity for f in items if f.rule != "screen.description"}
    out: list[Finding] = []
    for f in items:
        if f.rule == "screen.description" and f.entity in named:
            continue
        a, b = f.span  # type: ignore[misc]
        if any(
            g.entity == f.entity and g.span[0] <= a and b <= g.span[1]  # type: ignore[index]
            for g in out
        ):
            continue
        out.append(f)
    return out


def _fix(entry: Entry, label: str) -> str:
    owner = f" (owned by {entry.owner})" if entry.owner else ""
    if entry.kind == "public_figure":
        return f"Remove {entry.bare_name}, a {label}; use an original, fictional person."
    if entry.kind == "living_artist":
        return f"Do not imitate {entry.bare_name}'s style; describe the look in your own terms."
    if entry.kind in ("trademark", "studio"):
        return f"Remove {entry.bare_name}{owner} or clear it in the rights ledger."
    return f"Replace {entry.bare_name}{owner}, a {label}, with an original creation."


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def verdict(findings: Iterable[Finding]) -> str:
    severities = {f.severity for f in findings}
    return (
        "block"
        if Severity.block in severities
        else ("review" if Severity.review in severities else "pass")
    )


@lru_cache(maxsize=1)
def default_screener() -> Screener:
    return Screener()
