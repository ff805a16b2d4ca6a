"""A case's expectations checked against its result: verdict, characters, entities caught,
clean negatives, minimum scores, iterations."""

from __future__ import annotations

from reelwright.evals.suite import Case
from reelwright.records import CaseCompliance, CaseResult


def check_expectations(case: Case, result: CaseResult) -> CaseResult:
    """The result with `expectations_met`, `failures` and `compliance` filled in."""
    e = case.expect
    failures: list[str] = []
    caught = set(result.entities_caught)
    compliance = CaseCompliance(expected=e.blocked_entities, caught=sorted(caught))
    if result.status == "error":
        return result.model_copy(
            update={
                "expectations_met": False,
                "failures": [result.error],
                "compliance": compliance,
            }
        )
    if result.kind == "screening" and e.verdict in ("block", "pass"):
        if e.verdict == "block":
            compliance.recall = float(result.verdict == "block")
        else:
            compliance.false_positive = result.verdict != "pass"
    if e.verdict is not None:
        got = (
            result.status
            if e.verdict in ("published", "blocked", "awaiting_approval")
            else result.verdict
        )
        if got != e.verdict:
            failures.append(f"verdict {got!r}, expected {e.verdict!r}")
    for character in e.characters:
        if character not in result.characters_present:
            failures.append(f"character {character!r} does not appear")
    if e.blocked_entities:
        hit = [x for x in e.blocked_entities if x in caught]
        compliance.recall = round(len(hit) / len(e.blocked_entities), 4)
        failures += [f"entity {x!r} was not caught" for x in e.blocked_entities if x not in hit]
    if e.clean is not None and e.clean:
        compliance.false_positive = bool(caught)
        if caught:
            failures.append(f"clean case, but screening caught {sorted(caught)}")
    for dim, minimum in e.min_scores.items():
        score = result.scores.get(dim)
        if score is None or score < minimum:
            failures.append(f"{dim} {score} < {minimum}")
    if e.max_iterations is not None and result.iterations > e.max_iterations:
        failures.append(f"{result.iterations} iterations > {e.max_iterations}")
    return result.model_copy(
        update={"expectations_met": not failures, "failures": failures, "compliance": compliance}
    )
