"""Approval gates: after the script (table read), after the shot list (storyboard review),
and before publish (final). Each gate names the roles that must approve; open `review`
findings add the legal role to the final gate, which the auto-approve policy never stands in
for. A decision is tied to the revision of the artefact it saw.

Nothing before `interrupt()` has side effects: on resume the node re-runs from its top.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from langgraph.types import Command, interrupt
from pydantic import ValidationError

from reelwright.errors import InputError
from reelwright.graphs.state import EpisodeState, StateUpdate
from reelwright.models import Approval, Edit, Note, Script, ShotList
from reelwright.records import GateRequest
from reelwright.revisions import apply_actions

ONWARD = {"script": "director", "shots": "render", "final": "publish"}
REJECT_TO = {"script": "writer", "shots": "director", "final": "writer"}
AFTER_EDIT = {"script": "screen_script", "shots": "screen_shots", "final": "screen_script"}
NODE = {"script": "gate_script", "shots": "gate_shots", "final": "gate"}
DEFAULT_ROLES = ("showrunner",)
logger = logging.getLogger("reelwright.gates")


def revision_of(state: EpisodeState, gate: str) -> str:
    parts: list[Any] = {  # type: ignore[assignment]
        "script": [state.script],
        "shots": [state.shots],
        "final": [state.script, state.shots],
    }[gate]
    blob = json.dumps([p.model_dump(mode="json") if p else None for p in parts], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def required_roles(state: EpisodeState, gate: str) -> list[str]:
    roles = list(state.run.gate_roles.get(gate, DEFAULT_ROLES))
    if gate == "final" and state.review_findings and "legal" not in roles:
        roles.append("legal")
    return roles


def current_approvals(state: EpisodeState, gate: str, revision: str) -> list[Approval]:
    """Approvals at this gate for this revision since its last rejection or edit."""
    relevant: list[Approval] = []
    for a in state.approvals:
        if a.gate != gate:
            continue
        if a.decision in ("reject", "edit"):
            relevant = []
        elif a.revision == revision:
            relevant.append(a)
    return relevant


def missing_roles(state: EpisodeState, gate: str, revision: str) -> list[str]:
    approvals = current_approvals(state, gate, revision)
    missing = []
    for role in required_roles(state, gate):
        human = any(a.role == role and not a.auto for a in approvals)
        policy = role != "legal" and any(a.auto for a in approvals)
        if not (human or policy):
            missing.append(role)
    return missing


def gate_token(state: EpisodeState, gate: str) -> str:
    """Changes whenever anyone decides, so a second decision made on the same view conflicts."""
    blob = f"{gate}:{revision_of(state, gate)}:{len(state.approvals)}"
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def gate_payload(state: EpisodeState, gate: str) -> GateRequest:
    critique = state.last_critique
    revision = revision_of(state, gate)
    return GateRequest(
        run_id=state.run.run_id,
        gate=gate,
        revision=revision,
        token=gate_token(state, gate),
        needs=missing_roles(state, gate, revision),
        roles=required_roles(state, gate),
        passed=state.passed,
        iteration=state.iteration,
        scores=critique.scores if critique else {},
        overall=critique.overall if critique else None,
        review_findings=[
            f"{f.where}: {f.evidence} ({f.entity or f.rule})" for f in state.review_findings
        ],
        out=state.run.out_dir,
        title=state.script.title if state.script else state.brief.title,
    )


def apply_edits(
    script: Script, shots: ShotList | None, edits: tuple[Edit, ...]
) -> tuple[Script, ShotList | None]:
    """Edited lines and prompts become a new revision; shots showing an edited line get the
    new text (their frames re-render), everything else is untouched (and stays cached)."""
    for edit in edits:
        if edit.kind == "line":
            try:
                scene = script.scene(edit.scene_id or "")
            except KeyError:
                raise InputError(f"no scene {edit.scene_id!r} to edit") from None
            if edit.line is None or not 1 <= edit.line <= len(scene.dialogue):
                raise InputError(f"scene {scene.id} has no line {edit.line}")
            old = scene.dialogue[edit.line - 1]
            new = old.model_copy(update={"text": edit.text})
            dialogue = list(scene.dialogue)
            dialogue[edit.line - 1] = new
            scene = scene.model_copy(update={"dialogue": dialogue, "revision": scene.revision + 1})
            script = script.model_copy(
                update={"scenes": [scene if s.id == scene.id else s for s in script.scenes]}
            )
            if shots is not None:
                shots = shots.model_copy(
                    update={
                        "shots": [
                            s.model_copy(
                                update={
                                    "dialogue": [new if d == old else d for d in s.dialogue],
                                    "revision": s.revision + 1,
                                }
                            )
                            if s.scene_id == scene.id and old in s.dialogue
                            else s
                            for s in shots.shots
                        ]
                    }
                )
        else:
            if shots is None or edit.shot_id not in {s.id for s in shots.shots}:
                raise InputError(f"no shot {edit.shot_id!r} to edit")
            shots = shots.model_copy(
                update={
                    "shots": [
                        s.model_copy(update={"prompt": edit.text, "revision": s.revision + 1})
                        if s.id == edit.shot_id
                        else s
                        for s in shots.shots
                    ]
                }
            )
    return script, shots


def make_gate(gate: str) -> Any:
    def node(state: EpisodeState, ctx: Any) -> Command[Any]:
        revision = revision_of(state, gate)
        approvals = current_approvals(state, gate, revision)
        if state.run.auto_approve and not any(a.auto for a in approvals):
            auto = Approval(
                decision="approve",
                by="auto-approve policy",
                role="policy",
                auto=True,
                note="approved by the auto-approve policy",
                gate=gate,
                revision=revision,
            )
            logger.info(
                "run %s: %s gate auto-approved (revision %s)", state.run.run_id, gate, revision
            )
            return Command(update={"approvals": [auto]}, goto=NODE[gate])
        if not missing_roles(state, gate, revision):
            logger.info(
                "run %s: %s gate passed: every role approved revision %s; on to %s",
                state.run.run_id,
                gate,
                revision,
                ONWARD[gate],
            )
            return Command(goto=ONWARD[gate])
        # checkpoints hold plain JSON: GateRequest.from_interrupt reads it back
        answer = interrupt(gate_payload(state, gate).model_dump(mode="json"))
        try:
            approval = Approval.model_validate({**answer, "gate": gate})
        except ValidationError as exc:
            raise InputError(f"invalid decision for run {state.run.run_id}: {exc}") from None
        logger.info(
            "run %s: %s gate: %s by %r (%s) on revision %s",
            state.run.run_id,
            gate,
            approval.decision,
            approval.by,
            approval.role,
            approval.revision or revision,
        )
        if approval.decision == "approve":
            return Command(update={"approvals": [approval]}, goto=NODE[gate])
        if approval.decision == "edit":
            assert state.script is not None
            script, shots = apply_edits(state.script, state.shots, approval.edits)
            return Command(
                update={"approvals": [approval], "script": script, "shots": shots},
                goto=AFTER_EDIT[gate],
            )
        if approval.actions:
            return acted_on(state, gate, approval)
        target = approval.to or REJECT_TO[gate]
        note = Note(
            target=target,
            text=approval.note or "Rejected at review.",
            source="reviewer",
            scene_ids=approval.scene_ids,
            shot_ids=approval.shot_ids,
        )
        return Command(update={"approvals": [approval], "pending_notes": [note]}, goto=target)

    node.__name__ = NODE[gate]
    return node


def acted_on(state: EpisodeState, gate: str, approval: Approval) -> Command[Any]:
    """A rejection with structured actions: applied here, exactly, then the revised script
    and shots go back through screening; rewrite instructions go to the writer model."""
    assert state.script is not None
    revision = apply_actions(
        state.script,
        state.shots,
        approval.actions,
        state.brief,
        state.bible,
        iteration=state.iteration + 1,
    )
    for outcome in revision.outcomes:
        if not outcome.applied:
            logger.warning(
                "run %s: %s not applied: %s", state.run.run_id, outcome.action.kind, outcome.reason
            )
    update: StateUpdate = {
        "approvals": [approval],
        "script": revision.script,
        "shots": revision.shots,
        "action_outcomes": revision.outcomes,
        "rewritten_scenes": revision.new_scenes,
    }
    if revision.bible != state.bible:  # a voice changed: its lines are voiced again
        update["bible"] = revision.bible
    if revision.instructions:
        update["pending_notes"] = [
            Note(
                target="writer",
                source="reviewer",
                scene_ids=(action.scene_id,),
                text=f"Rewrite line {action.line} of scene {action.scene_id} ({line.character}: "
                f'"{line.text}"): {action.instruction}. Keep every other line as it is.',
            )
            for action, line in revision.instructions
        ]
        return Command(update=update, goto="writer")
    writer = any(a.target == "writer" for a in approval.actions)
    return Command(update=update, goto="screen_script" if writer else AFTER_EDIT[gate])
