"""The episode graph: clearance -> writer -> screen_script -> director -> screen_shots ->
render -> critic -> (writer | director | package | blocked) -> package -> gate (interrupt, or
the auto-approve policy; `review` findings also need the legal role) -> publish.

Every node has one shape: (state, runtime) -> partial update. Tools come from the runtime
context (rebuilt from the run's spec when absent, e.g. in LangGraph Studio).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from reelwright.audio.track import cached_clips, voice_pass
from reelwright.graphs import faults
from reelwright.graphs.compliance import (
    blocked,
    clearance,
    notes_for,
    screen_script_node,
    screen_shots_node,
)
from reelwright.graphs.context import EpisodeContext, build_context
from reelwright.graphs.gates import make_gate
from reelwright.graphs.routing import route
from reelwright.graphs.state import EpisodeState, RenderCount, StateUpdate, merge_usage
from reelwright.models import Usage
from reelwright.package import finalize, write_package
from reelwright.renderers.cache import render_all
from reelwright.revisions import check_outcomes

NodeFn = Callable[[EpisodeState, EpisodeContext], "StateUpdate | Command[Any]"]


def _node(name: str, fn: NodeFn) -> Callable[..., Any]:
    """Give a node its tools, report its start and add its wall time to `timings`."""

    def node(state: EpisodeState, runtime: Runtime[EpisodeContext]) -> Any:
        ctx = runtime.context or build_context(state.run)
        faults.node_started(name)
        ctx.progress.node(name, state.iteration)
        started = time.perf_counter()
        update = fn(state, ctx)
        faults.node_finished(name)
        timings = {name: round(time.perf_counter() - started, 4)}
        if isinstance(update, Command):
            carried: StateUpdate = {**(update.update or {}), "timings": timings}
            return Command(update=_with_carried(carried, state, ctx), goto=update.goto)
        return _with_carried({**(update or {}), "timings": timings}, state, ctx)

    node.__name__ = name
    return node


def _with_carried(update: StateUpdate, state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    """Add the usage of earlier failed steps (graphs/carry.py) to this step's update, once."""
    entries = ctx.carry.unrecorded(state.carried) if ctx.carry is not None else []
    if not entries:
        return update
    usage: dict[str, Usage] = dict(update.get("usage") or {})
    for entry in entries:
        usage = merge_usage(usage, entry.usage)
    return {**update, "usage": usage, "carried": [e.id for e in entries]}


def write(state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    if state.script is None:
        script, usage = ctx.writer.write(state.brief, state.bible)
        return {"script": script, "rewritten_scenes": [], "usage": {"writer": usage}}
    notes = [n for n in state.pending_notes if n.target == "writer"]
    if not notes:
        return {"rewritten_scenes": []}
    script, changed, usage = ctx.writer.revise(state.script, notes, state.brief, state.bible)
    return {"script": script, "rewritten_scenes": changed, "usage": {"writer": usage}}


def direct(state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    assert state.script is not None
    if state.shots is None:
        shots, usage = ctx.director.plan(state.script, state.brief, state.bible)
    else:
        notes = [n for n in state.pending_notes if n.target == "director"]
        shots, usage = ctx.director.revise(
            state.shots, state.script, notes, state.rewritten_scenes, state.brief, state.bible
        )
    return {
        "shots": shots,
        "pending_notes": [],
        "rewritten_scenes": [],
        "usage": {"director": usage},
    }


def render(state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    """Voice the lines and time the cut to them (audio/track.py), then render the frames."""
    assert state.shots is not None
    shots, voiced = state.shots, StateUpdate()
    if ctx.sound is not None:
        shots, clips, spoken = voice_pass(ctx.sound, shots, state.bible, state.iteration + 1)
        voiced = {"shots": shots, "speech": clips, "voice_counts": [spoken]}
    jobs = [
        ctx.renderer.job(s, state.bible, state.run.width, state.run.height) for s in shots.shots
    ]
    # consistency: a shot may start from an earlier frame (renderers that chain shots)
    jobs = ctx.renderer.link(jobs, shots.shots, state.bible)
    started = time.perf_counter()
    iteration = state.iteration + 1
    results = render_all(
        ctx.renderer,
        jobs,
        ctx.cache,
        ctx.progress,
        # frames this pass made before a crash: the package id tells this run from another
        # of the same id (an eval case replayed into another folder, sharing the cache)
        producer=f"{state.run.run_id}:{state.run.package_id}:{iteration}",
    )
    fresh = sum(1 for r in results if not r.cached)
    count = RenderCount(
        iteration=iteration,
        rendered=fresh,
        cached=len(results) - fresh,
        seconds=round(time.perf_counter() - started, 4),
    )
    return {"renders": results, "render_counts": [count], **voiced}


def criticise(state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    assert state.script is not None and state.shots is not None
    iteration = state.iteration + 1
    speech = cached_clips(ctx.sound, state.speech) if ctx.sound is not None else []
    critique, usage = ctx.critic.critique(
        iteration,
        state.brief,
        state.bible,
        state.script,
        state.shots,
        state.renders,
        speech,
        ctx.sound.mastering if ctx.sound is not None else None,
    )
    visual = ctx.references.screen(state.renders) if ctx.references else []
    if ctx.history is not None:
        visual += ctx.history.screen(state.run.run_id, state.renders)
    critique = critique.model_copy(
        update={"findings": critique.findings + visual, "notes": critique.notes + notes_for(visual)}
    )
    if state.action_outcomes:
        addressed = check_outcomes(state.action_outcomes, state.script, state.shots, state.bible)
        critique = critique.model_copy(update={"addressed": addressed})
    step, reason = route(state, critique, iteration)
    return {
        "action_outcomes": [],
        "critiques": [critique],
        "iteration": iteration,
        "pending_notes": critique.notes if step in ("writer", "director") else [],
        "compliance": {"frames": critique.findings},
        "next_step": step,
        "stop_reason": reason,
        "usage": {"critic": usage},
    }


def package(state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    write_package(state, "awaiting_approval", ctx.signing, ctx.sound, ctx.encodes)
    return {}


def publish(state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    """The decision is already checkpointed; audit it, then swap in the verified package that
    says `published`. Every step is idempotent, so a crash anywhere is repaired by a resume."""
    if ctx.audit is not None:
        ctx.audit.sync(state.run.run_id, state.approvals)
    finalize(state, "published", ctx.signing)
    if ctx.history is not None:
        ctx.history.record(state.run.run_id, state.renders)
    return {"ended": "published"}


def build_graph(
    context_schema: type[EpisodeContext] | None = EpisodeContext,
) -> StateGraph[EpisodeState, EpisodeContext, EpisodeState, EpisodeState]:
    """The builder; `compile(checkpointer=...)` returns the runnable graph. Without a context
    schema (LangGraph Studio, `langgraph dev`) nodes build their tools from the run's spec."""
    g = StateGraph(EpisodeState, context_schema=context_schema)
    g.add_node("clearance", _node("clearance", clearance), destinations=("writer", "blocked"))
    g.add_node("writer", _node("writer", write))
    g.add_node(
        "screen_script",
        _node("screen_script", screen_script_node),
        destinations=("writer", "director", "gate_script", "blocked"),
    )
    g.add_node("director", _node("director", direct))
    g.add_node(
        "screen_shots",
        _node("screen_shots", screen_shots_node),
        destinations=("director", "render", "gate_shots", "blocked"),
    )
    g.add_node("render", _node("render", render))
    g.add_node("critic", _node("critic", criticise))
    g.add_node("package", _node("package", package))
    g.add_node(
        "gate_script",
        _node("gate_script", make_gate("script")),
        destinations=("director", "writer", "gate_script", "screen_script"),
    )
    g.add_node(
        "gate_shots",
        _node("gate_shots", make_gate("shots")),
        destinations=("render", "director", "gate_shots", "screen_shots"),
    )
    g.add_node(
        "gate",
        _node("gate", make_gate("final")),
        destinations=("publish", "writer", "director", "gate", "screen_script"),
    )
    g.add_node("publish", _node("publish", publish))
    g.add_node("blocked", _node("blocked", blocked))
    g.add_edge(START, "clearance")
    g.add_edge("writer", "screen_script")
    g.add_edge("director", "screen_shots")
    g.add_edge("render", "critic")
    g.add_conditional_edges(
        "critic", lambda s: s.next_step, ["writer", "director", "package", "blocked"]
    )
    g.add_edge("package", "gate")
    g.add_edge("publish", END)
    g.add_edge("blocked", END)
    return g
