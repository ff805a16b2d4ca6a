"""The LLM rights judge: reads the passages the rules screened and names protected works,
brands, trade dress and real people the rules missed.

What it reports becomes a `review` finding (rule `screen.judge`) with its evidence span and
confidence: never silently dropped, never a block (a block needs a rule a person can read).
A reply that fails (malformed after the repair re-asks, refused, unavailable) does not clear
the text: it is one `review` finding (rule `screen.judge_failed`) saying the judge could not
review it, so a person must."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reelwright.errors import LLMError
from reelwright.llm import LLM
from reelwright.models import Finding, Severity, Usage

logger = logging.getLogger("reelwright.screening")
AGENT = "rights_judge"
MAX_PASSAGES = 80  # per call
MAX_PASSAGE_CHARS = 2000
BATCH_CHARS = 12_000  # text per call: a long script is several calls

JudgedKind = Literal[
    "character", "franchise", "brand", "trade_dress", "real_person", "artist_style", "other"
]

INSTRUCTION = (
    "You are a rights clearance reviewer for a film studio. Read the numbered passages and "
    "list every protected work (characters, franchises, titles), brand, trade dress or logo, "
    "real living person, or living artist's style that they name, describe or allude to, in "
    "any language or spelling, which is NOT already in `already_found`. Public-domain works "
    "and historical figures are fine unless a protected adaptation's distinctive marks "
    "appear. For each, give the passage number, the entity, its kind, the exact words of the "
    "passage that identify it (a verbatim quote), and your confidence from 0 to 1. Reply "
    "with an empty list when there is nothing."
)


class JudgedItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passage: int = Field(ge=1, description="Number of the passage the evidence is in.")
    entity: str = Field(min_length=1, max_length=200, description="The work, brand or person.")
    kind: JudgedKind
    evidence: str = Field(
        min_length=1, max_length=300, description="A verbatim quote from that passage."
    )
    confidence: float = Field(ge=0.0, le=1.0)


class RightsJudgementReply(BaseModel):
    """What the rules missed; an empty list when nothing."""

    model_config = ConfigDict(extra="forbid")

    findings: list[JudgedItem] = Field(default_factory=list, max_length=50)


class Passage(BaseModel):
    """One screened text and where it is (`scene s2 line 3`), with the ids a fix targets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    where: str
    text: str
    target: Literal["writer", "director"] | None = None
    scene_ids: tuple[str, ...] = ()
    shot_ids: tuple[str, ...] = ()


class RightsJudge:
    """Asks the LLM once per call about a batch of passages."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    def review(
        self, passages: Sequence[Passage], already: Sequence[Finding] = ()
    ) -> tuple[list[Finding], Usage]:
        """Review findings for what the rules missed, one LLM call per batch of passages
        (about BATCH_CHARS of text each), and what the calls spent (failed ones included); a
        failed batch is reported, the others still count."""
        texts = [p for p in passages if p.text.strip()]
        found = sorted({f.entity for f in already if f.entity})
        findings: list[Finding] = []
        spent = Usage()
        for batch in batches(texts):
            more, usage = self._review(batch, found)
            findings += more
            spent = spent + usage
        return findings, spent

    def _review(
        self, passages: list[Passage], already_found: list[str]
    ) -> tuple[list[Finding], Usage]:
        data = {
            "passages": [
                {"n": i, "where": p.where, "text": p.text[:MAX_PASSAGE_CHARS]}
                for i, p in enumerate(passages, 1)
            ],
            "already_found": already_found,
        }
        messages = [
            {"role": "system", "content": INSTRUCTION},
            {"role": "user", "content": "Review these passages.\n" + json.dumps(data)},
        ]
        try:
            reply, usage = self.llm.structured(
                messages, RightsJudgementReply, agent=AGENT, where="rights review"
            )
        except LLMError as exc:
            logger.warning("rights judge failed: %s", exc)
            return [_failed(passages, exc)], exc.usage or Usage()
        findings = [_finding(item, passages) for item in reply.findings]
        logger.info("rights judge: %d finding(s) over %d passage(s)", len(findings), len(passages))
        return findings, usage


def batches(passages: Sequence[Passage]) -> list[list[Passage]]:
    """Consecutive passages grouped to about BATCH_CHARS of text (a long one alone)."""
    out: list[list[Passage]] = []
    size = 0
    for p in passages:
        length = min(len(p.text), MAX_PASSAGE_CHARS)
        if not out or size + length > BATCH_CHARS or len(out[-1]) >= MAX_PASSAGES:
            out.append([])
            size = 0
        out[-1].append(p)
        size += length
    return out


def _finding(item: JudgedItem, passages: Sequence[Passage]) -> Finding:
    """A judged item as a review finding. An out-of-range passage number or a quote not in
    the passage is kept (the reviewer sees it), with the span left out."""
    passage = passages[item.passage - 1] if item.passage <= len(passages) else None
    span = None
    where = "rights judge"
    if passage is not None:
        where = passage.where
        at = passage.text.lower().find(item.evidence.lower())
        if at >= 0:
            span = (at, at + len(item.evidence))
    located = "" if span else " (its quote was not found verbatim in the passage)"
    return Finding(
        rule="screen.judge",
        severity=Severity.review,
        where=where,
        evidence=item.evidence[:200],
        entity=item.entity,
        kind=f"judged {item.kind}",
        span=span,
        target=passage.target if passage else None,
        scene_ids=passage.scene_ids if passage else (),
        shot_ids=passage.shot_ids if passage else (),
        fix=(
            f"The rights judge (confidence {item.confidence:.2f}) reads this as "
            f"{item.entity} ({item.kind.replace('_', ' ')}){located}: clear it or replace it."
        ),
    )


def _failed(passages: Sequence[Passage], exc: LLMError) -> Finding:
    return Finding(
        rule="screen.judge_failed",
        severity=Severity.review,
        where=f"rights judge ({len(passages)} passage(s))",
        evidence=str(exc)[:200],
        fix=(
            "The rights judge could not review this text, so it is not cleared: "
            "a person must check it for protected works the rules missed."
        ),
    )
