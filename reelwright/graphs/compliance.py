"""Compliance nodes: rights clearance and text screening inside the loop.

A `block` finding on the script goes back to the writer, on a shot prompt back to the
director, with the finding as the note — bounded by the iteration budget; a run that cannot
clear them ends `blocked`, unpublished, with the findings listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.types import Command

from reelwright.compliance.rights import asset_report, check_clearances, sound_uses
from reelwright.compliance.screening import Screener
from reelwright.compliance.screening.judge import Passage
from reelwright.graphs.context import EpisodeContext
from reelwright.graphs.state import EpisodeState, StateUpdate
from reelwright.models import (
    NOTE_MAX,
    Bible,
    Finding,
    Note,
    Script,
    Severity,
    ShotList,
    Usage,
    trim_text,
)
from reelwright.package import write_blocked


def script_passages(script: Script) -> list[Passage]:
    """Every text of a script the screener (and the rights judge) reads, with its place."""
    out = [
        Passage(where=f"script {label}", text=text, target="writer")
        for label, text in (("title", script.title), ("logline", script.logline))
    ]
    for scene in script.scenes:
        parts = [("summary", scene.summary)] + [
            (f"beat {i}", b) for i, b in enumerate(scene.beats, 1)
        ]
        parts += [(f"line {i}", d.text) for i, d in enumerate(scene.dialogue, 1)]
        parts += [
            (f"line {i} parenthetical", d.parenthetical)
            for i, d in enumerate(scene.dialogue, 1)
            if d.parenthetical
        ]
        out += [
            Passage(
                where=f"scene {scene.id} {label}",
                text=text,
                target="writer",
                scene_ids=(scene.id,),
            )
            for label, text in parts
        ]
    return out


def shot_passages(shots: ShotList) -> list[Passage]:
    return [
        Passage(where=f"shot {shot.id} {label}", text=text, target="director", shot_ids=(shot.id,))
        for shot in shots.shots
        for label, text in (("prompt", shot.prompt), ("description", shot.description))
    ]


def screen_passages(screener: Screener, passages: list[Passage]) -> list[Finding]:
    return [
        f.model_copy(update={"target": p.target, "scene_ids": p.scene_ids, "shot_ids": p.shot_ids})
        for p in passages
        for f in screener.screen(p.text, p.where)
    ]


def screen_script(screener: Screener, script: Script) -> list[Finding]:
    return screen_passages(screener, script_passages(script))


def screen_shots(screener: Screener, shots: ShotList) -> list[Finding]:
    return _dedupe(screen_passages(screener, shot_passages(shots)))


def judged(
    ctx: EpisodeContext, passages: list[Passage], findings: list[Finding]
) -> tuple[list[Finding], Usage | None]:
    """With an LLM and the rights judge configured, its review findings for what the rules
    missed, and what its calls spent (None when it did not run)."""
    if ctx.llm is None or not ctx.rights_judge:
        return findings, None
    from reelwright.compliance.screening.judge import RightsJudge

    more, usage = RightsJudge(ctx.llm).review(passages, findings)
    return findings + more, usage


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, str, tuple[str, ...]], Finding] = {}
    for f in findings:
        seen.setdefault((f.entity, f.evidence, f.shot_ids), f)
    return list(seen.values())


def notes_for(findings: list[Finding]) -> list[Note]:
    return [
        Note(
            target=f.target or "writer",
            text=trim_text(
                f"{f.where}: {f.evidence!r} is {f.kind} {f.entity!r} — {f.fix}", NOTE_MAX
            ),
            dimension="compliance",
            scene_ids=f.scene_ids,
            shot_ids=f.shot_ids,
            source="compliance",
            replace=(f.evidence,),
        )
        for f in findings
        if f.severity == Severity.block
    ]


def screen_bible(screener: Screener, bible: Bible, used: set[str]) -> list[Finding]:
    """The series bible is input no agent can revise: a character, location or look that
    names a protected entity must be cleared (allow-listed) before anything is written."""
    findings: list[Finding] = []
    for c in bible.characters:
        if c.id in used:
            for label, text in (("name", c.name), ("description", c.description)):
                findings += screener.screen(text, f"bible character {c.id} {label}")
    for loc in bible.locations:
        for label, text in (("name", loc.name), ("description", loc.description)):
            findings += screener.screen(text, f"bible location {loc.id} {label}")
    findings += screener.screen(bible.style.look, "bible style")
    return findings


def clearance(state: EpisodeState, ctx: EpisodeContext) -> Command[Any]:
    """Before any writing: every asset and model cleared; the bible and the brief screened."""
    beds = [(b.kind, Path(b.path).name) for b in ctx.sound.mastering.beds] if ctx.sound else []
    sounds = sound_uses(state.bible, state.brief, beds)
    rights = check_clearances(ctx.ledger, state.brief, state.bible, ctx.models, sounds=sounds)
    rights += screen_bible(ctx.screener, state.bible, set(state.brief.characters))
    brief_text = " \n".join([state.brief.title, state.brief.logline, state.brief.tone])
    brief = [
        f.model_copy(
            update={
                "severity": Severity.info if f.severity == Severity.block else f.severity,
                "fix": f.fix + " (the writer must not use it)",
            }
        )
        for f in ctx.screener.screen(brief_text, "brief")
    ]
    update = {
        "compliance": {"rights": rights, "brief": brief},
        "assets": asset_report(ctx.ledger, state.brief, state.bible, ctx.models, sounds),
    }
    if any(f.severity == Severity.block for f in rights):
        return Command(
            update={**update, "stop_reason": "rights not cleared (ledger or bible)"},
            goto="blocked",
        )
    return Command(update=update, goto="writer")


def _screen_step(
    state: EpisodeState,
    findings: list[Finding],
    check: str,
    again: str,
    onward: str,
    usage: Usage | None = None,
) -> Command[Any]:
    blocking = [f for f in findings if f.severity == Severity.block]
    update: StateUpdate = {"compliance": {check: findings}}
    if usage is not None:  # the rights judge's calls count like any agent's
        update["usage"] = {"rights_judge": usage}
    if not blocking:
        return Command(update=update, goto=onward)
    if state.compliance_rounds >= state.brief.budget.max_iterations:
        reason = (
            f"{len(blocking)} blocking finding(s) in the {check} after "
            f"{state.compliance_rounds} revision(s)"
        )
        return Command(update={**update, "stop_reason": reason}, goto="blocked")
    return Command(
        goto=again,
        update={
            **update,
            "pending_notes": notes_for(blocking),
            "compliance_rounds": state.compliance_rounds + 1,
        },
    )


def screen_script_node(state: EpisodeState, ctx: EpisodeContext) -> Command[Any]:
    assert state.script is not None
    onward = "gate_script" if "script" in state.run.gates else "director"
    passages = script_passages(state.script)
    findings, usage = judged(ctx, passages, screen_passages(ctx.screener, passages))
    return _screen_step(state, findings, "script", "writer", onward, usage)


def screen_shots_node(state: EpisodeState, ctx: EpisodeContext) -> Command[Any]:
    assert state.shots is not None
    onward = "gate_shots" if "shots" in state.run.gates else "render"
    passages = shot_passages(state.shots)
    findings, usage = judged(ctx, passages, _dedupe(screen_passages(ctx.screener, passages)))
    return _screen_step(state, findings, "shots", "director", onward, usage)


def blocked(state: EpisodeState, ctx: EpisodeContext) -> StateUpdate:
    write_blocked(state)
    return {"ended": "blocked"}
