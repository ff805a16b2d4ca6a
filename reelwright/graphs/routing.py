"""Where the loop goes after the critic: back to the writer or director, or on to the gate."""

from __future__ import annotations

from reelwright.graphs.state import EpisodeState, Step
from reelwright.models import Critique


def route(state: EpisodeState, critique: Critique, iteration: int) -> tuple[Step, str]:
    """Thresholds met -> gate. Budget spent -> gate (not passed). Else the agent with notes:
    the writer first (its changes re-plan the affected shots), then the director."""
    brief = state.brief
    failing = critique.failing(brief.thresholds)
    checks = {k: v for k, v in state.compliance.items() if k not in ("qc", "visual")}
    blocking = [f for f in critique.findings if f.severity == "block"] + [
        f for fs in checks.values() for f in fs if f.severity == "block"
    ]
    if not failing and not blocking:
        return "package", "thresholds met"
    budget = brief.budget
    usage = state.total_usage
    rendered = sum(c.rendered for c in state.render_counts)
    spent = ""
    if iteration >= budget.max_iterations:
        spent = f"max iterations reached ({budget.max_iterations})"
    elif usage.spent_requests >= budget.max_llm_calls or usage.tokens >= budget.max_tokens:
        spent = "LLM budget spent"
    elif rendered >= budget.max_renders:
        spent = "render budget spent"
    if spent:
        if blocking:
            return "blocked", f"{spent} with {len(blocking)} blocking finding(s) open"
        return "package", spent
    targets = {n.target for n in critique.notes}
    if "writer" in targets:
        return "writer", "revising script: " + ", ".join(sorted(failing) or ["findings"])
    if "director" in targets:
        return "director", "revising shots: " + ", ".join(sorted(failing) or ["findings"])
    return "package", "below threshold with no actionable notes"
