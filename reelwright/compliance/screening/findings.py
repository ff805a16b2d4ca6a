"""Findings from matches: severity by kind and rule, the fix offered, one finding per
occurrence, and the verdict of a list of findings."""

from __future__ import annotations

from collections.abc import Iterable

from reelwright.compliance.screening.watchlist import Entry, KindPolicy
from reelwright.models import Finding, Severity

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
RULES = {
    "screen.name": "named",
    "screen.misspelled": "named with a misspelling",
    "screen.description": "described by its distinctive features",
    "screen.role": "referred to by role or nickname",
    "screen.style": "named as a style to imitate",
}


def make_finding(
    entry: Entry,
    policy: KindPolicy,
    rule: str,
    text: str,
    folded: str,
    span: tuple[int, int],
    where: str,
) -> Finding:
    start, end = span
    severity = entry.severity or policy.severity
    if rule == "screen.role":
        severity = Severity.review  # a person must judge who is meant
    elif entry.kind == "living_artist":
        before = folded[max(0, start - 40) : start]
        if policy.style_severity and any(c in before for c in STYLE_CUES):
            severity, rule = policy.style_severity, "screen.style"
    return Finding(
        rule=rule,
        severity=severity,
        where=where,
        evidence=text[start:end][:200],
        entity=entry.name,
        kind=entry.kind,
        span=span,
        fix=fix(entry, policy.label, rule),
    )


def fix(entry: Entry, label: str, rule: str = "screen.name") -> str:
    owner = f" (owned by {entry.owner})" if entry.owner else ""
    if rule == "screen.role":
        return (
            f"This refers to a real person ({entry.bare_name}) by role or nickname; "
            "use an original, fictional person or have legal clear it."
        )
    if entry.kind == "public_figure":
        return f"Remove {entry.bare_name}, a {label}; use an original, fictional person."
    if entry.kind == "living_artist":
        return f"Do not imitate {entry.bare_name}'s style; describe the look in your own terms."
    if entry.kind in ("trademark", "studio"):
        return f"Remove {entry.bare_name}{owner} or clear it in the rights ledger."
    if entry.kind == "trade_dress":
        return f"Redesign it: this describes {entry.bare_name}{owner}; invent your own marks."
    return f"Replace {entry.bare_name}{owner}, a {label}, with an original creation."


def outermost(findings: Iterable[Finding]) -> list[Finding]:
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


def verdict(findings: Iterable[Finding]) -> str:
    severities = {f.severity for f in findings}
    return (
        "block"
        if Severity.block in severities
        else ("review" if Severity.review in severities else "pass")
    )
