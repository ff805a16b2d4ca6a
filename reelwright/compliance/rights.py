"""The rights ledger: what the production may use, for which channels, territories and dates.

Every character (and likeness), location and model an episode uses must be cleared for the
brief's distribution; a missing or expired clearance is a finding. An unlisted model is a
`review` finding by default (configurable to `block`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reelwright.errors import param
from reelwright.loading import parse, read_yaml
from reelwright.models import Bible, Brief, Finding, Severity

AssetKind = Literal[
    "character",
    "likeness",
    "voice",
    "location",
    "music",
    "sound",
    "font",
    "reference_image",
    "model",
    "lora",
]
ANY = {"*", "all", "worldwide", "any"}
Use = tuple[str, str, str]
"""(kind, id, label) of something an episode uses."""


class Consent(BaseModel):
    """A real person's consent to use their likeness (and voice)."""

    model_config = ConfigDict(extra="forbid")

    who: str = Field(min_length=1)
    scope: list[str] = Field(default_factory=lambda: ["likeness"])
    granted: date | None = None
    expires: date | None = None
    record: str = Field("", description="Where the signed consent is kept.")


class Clearance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, description="Bible id, model id, or file name.")
    kind: AssetKind
    name: str = ""
    owner: str = ""
    licence: str = Field(min_length=1)
    channels: list[str] = Field(default_factory=lambda: ["*"])
    territories: list[str] = Field(default_factory=lambda: ["worldwide"])
    valid_from: date | None = None
    expires: date | None = None
    consent: Consent | None = None
    permitted_uses: list[str] = Field(default_factory=list)
    training_data: str = ""

    @model_validator(mode="after")
    def _likeness_needs_consent(self) -> Clearance:
        if self.kind in ("likeness", "voice") and self.consent is None:
            raise ValueError(
                f"{self.kind} {self.id!r} needs a consent record (who, scope, expires)"
            )
        return self


class Ledger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    unlisted_model: Literal["review", "block"] = "review"
    assets: list[Clearance] = Field(default_factory=list)

    @classmethod
    def load(cls, path: Path | str) -> Ledger:
        return parse(cls, read_yaml(Path(path), "rights ledger"), f"rights ledger {path}")

    def find(self, kind: str, asset_id: str) -> list[Clearance]:
        kinds = {"character": ("character", "likeness"), "model": ("model", "lora")}.get(
            kind, (kind,)
        )
        return [a for a in self.assets if a.id == asset_id and a.kind in kinds]


class ModelUse(BaseModel):
    """A model an episode uses (renderer weights, LoRA, LLM)."""

    model_config = ConfigDict(frozen=True)

    id: str
    purpose: str
    weights_sha256: str = ""


def _covers(cleared: list[str], wanted: list[str]) -> list[str]:
    if {c.lower() for c in cleared} & ANY:
        return []
    have = {c.lower() for c in cleared}
    return [w for w in wanted if w.lower() not in have and w.lower() not in ANY]


def sound_uses(bible: Bible, brief: Brief, beds: Sequence[tuple[str, str]]) -> list[Use]:
    """What the sound track uses that needs clearing: a voice imitating a real person (a
    `voice` entry with the person's consent, by character id), and each bed file (`music`
    or `sound` for room tone, by file name)."""
    uses: list[Use] = []
    for cid in brief.characters:
        c = bible.character(cid)
        if c.voice_spec.imitates:
            uses.append(("voice", cid, f"{c.voice_spec.imitates} (voice of {c.name})"))
    uses += [("music" if kind == "music" else "sound", name, name) for kind, name in beds]
    return uses


def check_clearances(
    ledger: Ledger | None,
    brief: Brief,
    bible: Bible,
    models: list[ModelUse],
    on: date | None = None,
    sounds: Sequence[Use] = (),
) -> list[Finding]:
    """Findings for every asset or model the episode uses that is not cleared for its
    distribution (channels, territories, release date); `sounds` from `sound_uses`."""
    day = on or brief.distribution.release or date.today()
    if ledger is None:
        return [
            Finding(
                rule="rights.no_ledger",
                severity=Severity.review,
                where="project",
                evidence="no rights ledger is configured, so nothing is cleared",
                fix=f"add rights.yaml beside the bible (or pass {param('rights')} FILE)",
            )
        ]
    findings: list[Finding] = []
    uses: list[tuple[str, str, str]] = [
        ("character", c, bible.character(c).name) for c in brief.characters
    ]
    locations = brief.locations or [loc.id for loc in bible.locations]
    uses += [("location", loc, bible.location(loc).name) for loc in locations]
    uses += sounds
    for kind, asset_id, label in uses:
        findings += _check(ledger.find(kind, asset_id), kind, asset_id, label, brief, day)
    for model in models:
        matches = ledger.find("model", model.id)
        if not matches:
            findings.append(
                Finding(
                    rule="rights.unlisted_model",
                    severity=Severity(ledger.unlisted_model),
                    where=f"model {model.id}",
                    entity=model.id,
                    kind="model",
                    evidence=f"{model.purpose} model {model.id!r} is not in the rights ledger",
                    fix="list the model with its licence, permitted uses, training-data statement",
                )
            )
            continue
        findings += _check(matches, "model", model.id, model.id, brief, day)
    return findings


def _check(
    matches: list[Clearance], kind: str, asset_id: str, label: str, brief: Brief, day: date
) -> list[Finding]:
    where = f"{kind} {asset_id}"
    if not matches:
        return [
            Finding(
                rule=f"rights.missing.{kind}",
                severity=Severity.block,
                where=where,
                entity=label,
                kind=kind,
                evidence=f"{kind} {label!r} has no clearance in the rights ledger",
                fix=f"clear {label} in the rights ledger, or drop it from the brief",
            )
        ]
    problems: list[str] = []
    for c in matches:
        why = _problems(c, brief, day)
        if not why:
            return []
        problems += why
    return [
        Finding(
            rule=f"rights.not_cleared.{kind}",
            severity=Severity.block,
            where=where,
            entity=label,
            kind=kind,
            evidence="; ".join(dict.fromkeys(problems)),
            fix="renew or widen the clearance in the rights ledger",
        )
    ]


def _problems(c: Clearance, brief: Brief, day: date) -> list[str]:
    out: list[str] = []
    if c.valid_from and day < c.valid_from:
        out.append(f"clearance starts {c.valid_from}, after release {day}")
    if c.expires and day > c.expires:
        out.append(f"clearance expired {c.expires}")
    if c.consent is not None:
        if c.consent.expires and day > c.consent.expires:
            out.append(f"{c.consent.who}'s consent expired {c.consent.expires}")
        scope = "voice" if c.kind == "voice" else "likeness"
        if scope not in c.consent.scope:
            out.append(f"{c.consent.who}'s consent does not cover {scope}")
    missing_ch = _covers(c.channels, brief.distribution.channels)
    if missing_ch:
        out.append(f"not cleared for channel(s) {missing_ch}")
    missing_t = _covers(c.territories, brief.distribution.territories)
    if missing_t:
        out.append(f"not cleared for territory(ies) {missing_t}")
    return out


def asset_report(
    ledger: Ledger | None,
    brief: Brief,
    bible: Bible,
    models: list[ModelUse],
    sounds: Sequence[Use] = (),
) -> list[dict[str, str]]:
    """What the episode uses and the clearance each rests on, for provenance.json."""
    uses = [("character", c) for c in brief.characters]
    uses += [("location", loc) for loc in (brief.locations or [x.id for x in bible.locations])]
    uses += [(kind, asset_id) for kind, asset_id, _ in sounds]
    uses += [("model", m.id) for m in models]
    weights = {m.id: m.weights_sha256 for m in models}
    day = brief.distribution.release or date.today()
    report = []
    for kind, asset_id in uses:
        found = ledger.find(kind, asset_id) if ledger else []
        ok = [c for c in found if not _problems(c, brief, day)]
        c: Clearance | None = (ok or found or [None])[0]  # type: ignore[list-item]
        status = (
            "missing"
            if c is None
            else ("cleared" if ok else "not cleared: " + "; ".join(_problems(c, brief, day)))
        )
        row = {
            "kind": kind,
            "id": asset_id,
            "clearance": status,
            "licence": c.licence if c else "",
            "owner": c.owner if c else "",
            "expires": str(c.expires or "") if c else "",
        }
        if c is not None and c.consent is not None:
            row["consent"] = (
                f"{c.consent.who} ({', '.join(c.consent.scope)}) until "
                f"{c.consent.expires or 'open-ended'}"
            )
        if kind == "model":
            row["weights_sha256"] = weights.get(asset_id, "")
        report.append(row)
    return report
