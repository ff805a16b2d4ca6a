"""The critic: measurements that need no model, plus an LLM rubric judge when one is configured.

The measurements are the checks in `reelwright.critic` (each names the scene or shot ids it
concerns and the agent that can fix it); `reelwright.critic.scoring` turns them into scores.
"""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.agents import prompts
from reelwright.agents.common import ask
from reelwright.agents.replies import judgement_reply
from reelwright.critic import scoring
from reelwright.critic.measure import measure
from reelwright.llm import LLM
from reelwright.models import (
    DIMENSIONS,
    Bible,
    Brief,
    Critique,
    Note,
    RenderResult,
    Script,
    ShotList,
    Usage,
)


class Critic:
    """Scores an iteration. With an LLM, the rubric judge's scores are averaged in (never over
    the cap a measured defect sets), its notes added."""

    def __init__(self, llm: LLM | None = None) -> None:
        self.llm = llm

    def critique(
        self,
        iteration: int,
        brief: Brief,
        bible: Bible,
        script: Script,
        shots: ShotList,
        renders: Sequence[RenderResult],
    ) -> tuple[Critique, Usage]:
        measured = measure(brief, bible, script, shots, renders)
        scores = dict(measured.scores)
        findings = measured.findings
        notes = [d.note() for d in measured.defects]
        usage = Usage()
        judge = "measurements"
        if self.llm is not None:
            reply, usage = ask(
                self.llm,
                prompts.judgement(brief, script, shots, scores),
                judgement_reply(script, shots),
                agent="critic",
                where="the whole episode",
            )
            judged = reply.scores.model_dump()
            scores = {  # the judge never lifts a dimension over its measured defects' cap
                d: round(min((scores[d] + judged[d]) / 2, measured.caps[d]), 2) for d in DIMENSIONS
            }
            notes += [
                Note(
                    target=n.target,
                    dimension=n.dimension,
                    text=n.text,
                    scene_ids=tuple(n.scene_ids),
                    shot_ids=tuple(n.shot_ids),
                    source="judge",
                )
                for n in reply.notes
            ]
            judge = "measurements+llm"
        overall = scoring.overall(scores)
        critique = Critique(
            iteration=iteration,
            scores=scores,
            overall=overall,
            notes=notes,
            findings=findings,
            judge=judge,
        )
        return critique, usage


__all__ = ["Critic"]
