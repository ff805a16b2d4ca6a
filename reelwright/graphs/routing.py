"""Where the loop goes after the critic: back to the writer or director, or on to the gate."""

from __future__ import annotations

from typing import Literal

from reelwright.graphs.state import EpisodeState
from reelwright.models import Critique

Step = Literal["writer", "director", "package"]


def decide(state: EpisodeState, critique: Critique, iteration: int) -> tuple[Step, str]:
    """Thresholds met -> gate. Budget spent -> gate (not passed). Else the agent with notes:
    the writer first (its changes re-plan the affected shots), then the director."""
    brief = state.brief
    failing = critique.failing(brief.thresholds)
    blocking = [f for f in critique.findings if f.severity == "block"]
    if not failing and not blocking:
        return "package", "thresholds met"
    budget = brief.budget
    usage = state.total_usage
    rendered = sum(c.rendered for c in state.render_counts)
    if iteration >= budget.max_iterations:
        return "package", f"max iterations reached ({budget.max_iterations})"
    if usage.calls >= budget.max_llm_calls or usage.tokens >= budget.max_tokens:
        return "package", "LLM budget spent"
    if rendered >= budget.max_renders:
        return "package", "render budget spent"
    targets = {n.target for n in critique.notes}
    if "writer" in targets:
        return "writer", "revising script: " + ", ".join(sorted(failing) or ["findings"])
    if "director" in targets:
        return "director", "revising shots: " + ", ".join(sorted(failing) or ["findings"])
    return "package", "below threshold with no actionable notes"
