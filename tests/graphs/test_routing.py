"""Routing after the critic: thresholds, budget, and which agent the notes are aimed at."""

from __future__ import annotations

import pytest

from reelwright.graphs.routing import route
from reelwright.graphs.state import EpisodeState, RenderCount, RunSpec
from reelwright.loading import load_inputs
from reelwright.models import DIMENSIONS, Budget, Critique, Finding, Note, Usage


@pytest.fixture
def state(examples) -> EpisodeState:
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    spec = RunSpec(run_id="r1", out_dir="/tmp/x", width=64, height=36)
    return EpisodeState(run=spec, brief=brief, bible=bible)


def critique(score: float, notes: list[Note] = (), findings: list[Finding] = ()) -> Critique:
    return Critique(
        iteration=1,
        scores=dict.fromkeys(DIMENSIONS, score),
        overall=score,
        notes=list(notes),
        findings=list(findings),
    )


WRITER = Note(target="writer", text="fix", scene_ids=("s1",))
DIRECTOR = Note(target="director", text="fix", shot_ids=("s1-1",))


def test_thresholds_met_goes_to_the_gate(state):
    assert route(state, critique(9.0, [DIRECTOR]), 1) == ("package", "thresholds met")


def test_writer_notes_go_to_the_writer_first(state):
    assert route(state, critique(5.0, [DIRECTOR, WRITER]), 1)[0] == "writer"


def test_director_notes_go_to_the_director(state):
    assert route(state, critique(5.0, [DIRECTOR]), 1)[0] == "director"


def test_max_iterations_goes_to_the_gate(state):
    assert route(state, critique(5.0, [WRITER]), 3) == ("package", "max iterations reached (3)")


def test_blocking_finding_keeps_the_loop_going_even_with_good_scores(state):
    block = Finding(
        rule="qc.blank",
        severity="block",
        where="shot s1-1",
        evidence="blank",
        target="director",
        shot_ids=("s1-1",),
    )
    assert route(state, critique(9.0, [DIRECTOR], [block]), 1)[0] == "director"


def test_spent_llm_budget_goes_to_the_gate(state):
    brief = state.brief.model_copy(update={"budget": Budget(max_llm_calls=10)})
    spent = state.model_copy(update={"brief": brief, "usage": {"writer": Usage(calls=10)}})
    assert route(spent, critique(5.0, [WRITER]), 1) == ("package", "LLM budget spent")


def test_the_llm_budget_counts_requests_not_successes(state):
    brief = state.brief.model_copy(update={"budget": Budget(max_llm_calls=10)})
    usage = {"writer": Usage(calls=4, requests=7), "director": Usage(calls=0, requests=3)}
    spent = state.model_copy(update={"brief": brief, "usage": usage})
    assert route(spent, critique(5.0, [WRITER]), 1) == ("package", "LLM budget spent")
    under = state.model_copy(update={"brief": brief, "usage": {"writer": Usage(requests=9)}})
    assert route(under, critique(5.0, [WRITER]), 1)[0] == "writer"


def test_spent_render_budget_goes_to_the_gate(state):
    brief = state.brief.model_copy(update={"budget": Budget(max_renders=5)})
    spent = state.model_copy(
        update={"brief": brief, "render_counts": [RenderCount(iteration=1, rendered=5, cached=0)]}
    )
    assert route(spent, critique(5.0, [DIRECTOR]), 1) == ("package", "render budget spent")


def test_below_threshold_without_notes_stops(state):
    assert route(state, critique(5.0), 1)[1] == "below threshold with no actionable notes"
