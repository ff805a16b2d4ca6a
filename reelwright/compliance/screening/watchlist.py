"""The watchlist: protected entities, how they are named and described, and per-kind policy.

The format is documented in `reelwright/data/watchlist.yaml` and docs/rights.md. A malformed
alias, name or cue is an error naming the entry, not a silently dead rule."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from reelwright.compliance.screening.normalise import key
from reelwright.compliance.screening.segment import is_native, native_key
from reelwright.errors import InputError
from reelwright.loading import read_yaml, validation_message
from reelwright.models import Severity

Phrase = Annotated[str, StringConstraints(max_length=200)]
MAX_WATCHLIST_ENTRIES = 20_000
MARKET_LANGUAGES = ("es", "fr", "de", "it", "pt", "ru", "ja", "zh", "ko", "ar", "hi")
"""Languages of the major film and TV markets a `protection: high` entry names itself in."""
Language = Literal["es", "fr", "de", "it", "pt", "ru", "ja", "zh", "ko", "ar", "hi", "other"]


class KindPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    label: str
    style_severity: Severity | None = None


class Entry(BaseModel):
    """One protected entity. Sizes are bounded: the matcher indexes every prefix of every
    phrase, so an oversize alias would cost memory quadratic in its length."""

    model_config = ConfigDict(extra="forbid")

    name: Phrase = Field(min_length=2)
    kind: str = Field(max_length=64)
    owner: Phrase = ""
    protection: Literal["standard", "high"] = Field(
        "standard",
        description="`high`: names in every market language, transliterations and "
        "misspellings are required.",
    )
    aliases: list[Phrase] = Field(default_factory=list, max_length=100)
    names: dict[Language, list[Phrase]] = Field(
        default_factory=dict, description="Names by language (ISO 639-1), any script."
    )
    transliterations: list[Phrase] = Field(
        default_factory=list,
        max_length=50,
        description="Names in other scripts written in Latin letters (Garri Potter, Hali Bote).",
    )
    misspellings: list[Phrase] = Field(default_factory=list, max_length=50)
    roles: list[Phrase] = Field(
        default_factory=list,
        max_length=50,
        description="Offices and nicknames naming a real person: review findings.",
    )
    ambiguous: list[Phrase] = Field(default_factory=list, max_length=100)
    context: list[Phrase] = Field(default_factory=list, max_length=100)
    cues: list[Annotated[list[Phrase], Field(max_length=20)]] = Field(
        default_factory=list, max_length=50
    )
    severity: Severity | None = None

    @property
    def bare_name(self) -> str:
        return re.sub(r"\s*\([^)]*\)\s*$", "", self.name).strip()

    @property
    def localised(self) -> list[str]:
        """Names by language and transliterations, matched like aliases."""
        return [n for names in self.names.values() for n in names] + self.transliterations

    @model_validator(mode="after")
    def _well_formed(self) -> Entry:
        def bad(what: str, phrase: str) -> ValueError:
            return ValueError(f"watchlist entry {self.name!r}: {what} {phrase!r}")

        spelled = [*self.aliases, *self.transliterations, *self.misspellings, *self.roles]
        for phrase in [*spelled, *self.ambiguous]:
            if len(key(phrase)) < 2:
                raise bad("alias needs at least two letters or digits:", phrase)
        for lang, names in self.names.items():
            for phrase in names:
                size = len(native_key(phrase)) if is_native(phrase) else len(key(phrase))
                if size < 2:
                    raise bad(f"{lang} name needs at least two letters:", phrase)
        for phrase in self.context:
            if not key(phrase):
                raise bad("context word has no letters or digits:", phrase)
        if len(self.cues) == 1:
            raise ValueError(
                f"watchlist entry {self.name!r}: cues need at least two groups "
                "(one feature alone does not identify a work)"
            )
        for group in self.cues:
            if not group:
                raise ValueError(f"watchlist entry {self.name!r}: an empty cue group")
            for phrase in group:
                if len(key(phrase)) < 2:
                    raise bad("cue needs at least two letters or digits:", phrase)
        return self


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
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: twice as fast
        return cls.model_validate(yaml.load(text, Loader=loader))  # noqa: S506 - a safe loader

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
