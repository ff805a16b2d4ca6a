"""Which role a reviewer decides in at a gate: the role asked for, if they hold it and the
gate takes it; else the first of their roles the gate needs (to approve) or takes."""

from __future__ import annotations

from reelwright.errors import AuthError
from reelwright.records import GateRequest


def deciding_role(
    name: str, roles: list[str], asked: str | None, gate: GateRequest, decision: str
) -> str:
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
