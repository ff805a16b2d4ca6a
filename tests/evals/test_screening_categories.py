"""Screening suites: a `review` expectation is met by review or block, and the eval figures
break recall and false positives down by category (a case's first tag)."""

from __future__ import annotations

from reelwright.evals.compare import POLICIES, policies
from reelwright.evals.expectations import check_expectations
from reelwright.evals.metrics import case_values
from reelwright.evals.suite import Case
from reelwright.records import CaseResult


def screened(case_id: str, tags: list[str], want: str, got: str) -> CaseResult:
    case = Case.model_validate(
        {"id": case_id, "brief": {"logline": "x"}, "tags": tags, "expect": {"verdict": want}}
    )
    result = CaseResult(id=case_id, tags=tags, kind="screening", status="screened", verdict=got)
    return check_expectations(case, result)


def test_a_review_expectation_is_met_by_review_or_block_not_pass():
    assert screened("a", ["trade_dress"], "review", "block").expectations_met
    assert screened("b", ["trade_dress"], "review", "review").compliance.recall == 1.0
    missed = screened("c", ["trade_dress"], "review", "pass")
    assert missed.compliance.recall == 0.0 and not missed.expectations_met
    assert screened("d", ["described"], "block", "review").compliance.recall == 0.0


def test_recall_and_false_positive_rate_per_category():
    cases = [
        screened("a", ["described"], "block", "block"),
        screened("b", ["described", "heldout"], "block", "pass"),
        screened("c", ["trade_dress"], "review", "review"),
        screened("d", ["benign_collision"], "pass", "review"),
        screened("e", ["benign_collision"], "pass", "pass"),
        screened("f", ["public_domain"], "pass", "pass"),
    ]
    values = case_values(cases)
    assert values["compliance_recall/described"] == [1.0, 0.0]
    assert values["compliance_recall/trade_dress"] == [1.0]
    assert values["false_positive_rate/benign_collision"] == [1.0, 0.0]
    assert values["false_positive_rate/public_domain"] == [0.0]
    assert "compliance_recall/benign_collision" not in values
    assert POLICIES["compliance_recall"].higher_is_better
    assert not POLICIES["false_positive_rate"].higher_is_better


def test_a_category_metric_is_compared_like_its_base_metric():
    from reelwright.evals.compare import compare
    from reelwright.records import EvalLog

    base = [screened("a", ["described"], "block", "block"), screened("b", ["x"], "pass", "pass")]
    worse = [screened("a", ["described"], "block", "pass"), screened("b", ["x"], "pass", "pass")]

    def log(cases):
        return EvalLog.model_validate(
            {
                "suite": "s",
                "suite_version": 1,
                "created": "2026-11-26T00:00:00+00:00",
                "kind": "screening",
                "cases": [c.model_dump() for c in cases],
                "summary": {"cases": 2, "errors": 0, "metrics": {}},
            }
        )

    rows = {r.metric: r for r in compare(log(base), log(worse)).rows}
    assert rows["compliance_recall/described"].gate == rows["compliance_recall"].gate
    assert policies()["compliance_recall"].gate != "reported"
