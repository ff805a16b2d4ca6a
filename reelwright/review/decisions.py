"""The one path a reviewer's decision takes, from the CLI or the web app: authenticate,
check the role the gate needs, check the revision, then resume the run (one process at a
time) — and the audit log records it."""

from __future__ import annotations

from typing import Any

from reelwright.api import RunOutcome, resume_run, waiting_gate
from reelwright.config import Settings
from reelwright.errors import AuthError, InputError, param
from reelwright.locks import run_lock
from reelwright.paths import check_id
from reelwright.records import GateRequest
from reelwright.review.reviewers import ReviewConfig, Reviewer


def decide(
    run_id: str,
    decision: dict[str, Any],
    token: str | None,
    *,
    settings: Settings,
    require_token: bool = False,
    reviewer: Reviewer | None = None,
    progress: Any = None,
) -> RunOutcome:
    """Take a decision at the gate `run_id` waits at. `token` is authenticated against the
    reviewers; `reviewer` is one the caller already authenticated (a web session)."""
    check_id(run_id, "run id")
    config = ReviewConfig.load(settings.home)
    data = dict(decision)
    if reviewer is not None:
        data["by"] = reviewer.name
    elif require_token or config.reviewers or token:
        reviewer = config.authenticate(token)
        data["by"] = reviewer.name
    elif not data.get("by"):
        raise InputError(f"name the reviewer with {param('by')} NAME (no reviewers are configured)")
    else:
        data.setdefault("role", "showrunner")
    waiting_gate(run_id, settings)  # unknown runs and runs not at a gate: before any lock
    with run_lock(settings.home, run_id):
        gate = waiting_gate(run_id, settings)
        if reviewer is not None:
            data["role"] = _role(
                reviewer.name, reviewer.roles, data.get("role"), gate, data.get("decision", "")
            )
        return resume_run(run_id, settings=settings, decision=data, progress=progress, lock=False)


def _role(name: str, roles: list[str], asked: str | None, gate: GateRequest, decision: str) -> str:
    if asked and asked not in roles:
        raise AuthError(f"{name} does not hold the role {asked!r} (roles: {roles})", 403)
    wanted = gate.needs if decision == "approve" and gate.needs else gate.roles
    if asked:
        if asked not in gate.roles:
            raise AuthError(
                f"the {gate.gate} gate takes decisions from {gate.roles}, not {asked!r}", 403
            )
        return asked
    for role in roles:
        if role in wanted:
            return role
    raise AuthError(
        f"{name} (roles {roles}) cannot decide at the {gate.gate} gate of run "
        f"{gate.run_id}: it needs {' or '.join(wanted)}",
        403,
    )
