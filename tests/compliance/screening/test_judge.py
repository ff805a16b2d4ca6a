"""The LLM rights judge against a scripted OpenAI-compatible endpoint (respx): what it
reports becomes a review finding with its evidence span; a malformed or refused reply does
not clear the text and is reported; it never blocks."""

from __future__ import annotations

import httpx
import pytest

from reelwright.compliance.screening import default_screener
from reelwright.compliance.screening.judge import Passage, RightsJudge, RightsJudgementReply
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.models import Finding, Severity
from reelwright.testing import BASE_URL, ScriptedEndpoint
from reelwright.testing.llm import completion

PASSAGES = [
    Passage(where="script title", text="Night Shift", target="writer"),
    Passage(
        where="scene s1 summary",
        text="A cheerful plumber brother in green overalls jumps over barrels.",
        target="writer",
        scene_ids=("s1",),
    ),
]


@pytest.fixture
def fake(http) -> ScriptedEndpoint:
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    return endpoint


@pytest.fixture
def judge() -> RightsJudge:
    llm = OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        max_repairs=1,
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
    )
    return RightsJudge(llm)


def item(passage: int, entity: str, evidence: str, confidence: float = 0.8) -> dict:
    return {
        "passage": passage,
        "entity": entity,
        "kind": "character",
        "evidence": evidence,
        "confidence": confidence,
    }


def test_a_judged_entity_is_a_review_finding_with_its_evidence_span(fake, judge):
    fake.reply(
        RightsJudgementReply,
        {"findings": [item(2, "Luigi (Nintendo)", "plumber brother in green overalls", 0.9)]},
    )
    (finding,), _ = judge.review(PASSAGES)
    text = PASSAGES[1].text
    assert finding.rule == "screen.judge" and finding.severity == Severity.review
    assert finding.entity == "Luigi (Nintendo)" and finding.where == "scene s1 summary"
    assert finding.span is not None
    assert text[slice(*finding.span)] == "plumber brother in green overalls" == finding.evidence
    assert finding.scene_ids == ("s1",) and finding.target == "writer"
    assert "0.90" in finding.fix


def test_nothing_found_is_no_finding_and_the_request_names_what_the_rules_found(fake, judge):
    already = default_screener().screen("Darth Vader waves", "scene s1 line 1")
    assert judge.review(PASSAGES, already)[0] == []
    (request,) = fake.requests
    assert request.data["already_found"] == ["Darth Vader"]
    assert [p["where"] for p in request.data["passages"]] == [p.where for p in PASSAGES]


def test_a_quote_not_in_the_passage_is_kept_without_a_span(fake, judge):
    fake.reply(RightsJudgementReply, {"findings": [item(1, "Batman", "the Dark Knight", 0.4)]})
    (finding,), _ = judge.review(PASSAGES)
    assert finding.span is None and finding.severity == Severity.review
    assert "not found verbatim" in finding.fix


def test_a_malformed_reply_does_not_clear_the_text(fake, judge):
    fake.always(RightsJudgementReply, "this is not JSON at all")
    (finding,), _ = judge.review(PASSAGES)
    assert finding.rule == "screen.judge_failed" and finding.severity == Severity.review
    assert "not cleared" in finding.fix


def test_a_refusal_does_not_clear_the_text(fake, judge):
    fake.always(RightsJudgementReply, completion("", refusal="I cannot help with that."))
    (finding,), _ = judge.review(PASSAGES)
    assert finding.rule == "screen.judge_failed"
    assert "refused" in finding.evidence


def test_the_judge_never_blocks(fake, judge):
    fake.reply(
        RightsJudgementReply,
        {"findings": [item(2, "Mario", "plumber", 1.0), item(1, "Batman", "Night", 1.0)]},
    )
    findings: list[Finding] = judge.review(PASSAGES)[0]
    assert len(findings) == 2 and {f.severity for f in findings} == {Severity.review}


def test_empty_passages_make_no_call(fake, judge):
    assert judge.review([Passage(where="x", text="  ")])[0] == []
    assert fake.requests == []


def test_a_long_text_is_judged_in_batches_and_a_failed_batch_is_reported(fake, judge):
    long = [Passage(where=f"scene s{i} summary", text="word " * 1000) for i in range(1, 9)]
    fake.reply(
        RightsJudgementReply,
        {"findings": [item(1, "Something", "word", 0.5)]},
        "not json",
        "not json",
    )
    fake.always(RightsJudgementReply, {"findings": []})
    found, _ = judge.review(long)
    # 8 passages of 2,000 characters (each capped): two batches; the second fails after
    # its repair re-ask, so three requests in all
    assert fake.calls[RightsJudgementReply] == 3
    assert [f.rule for f in found] == ["screen.judge", "screen.judge_failed"]
    assert found[0].where == "scene s1 summary"
