"""Human review: `review list|show|approve|reject`, `reviewers`, `audit`, `serve`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from reelwright.cli.common import (
    EXIT_FAILED,
    EXIT_INPUT,
    ConsoleProgress,
    StateOpt,
    TokenOpt,
    app,
    fail,
    load_settings,
    report,
    user_errors,
)

review_app = typer.Typer(
    help="Runs waiting at an approval gate: list, show, approve, reject.", no_args_is_help=True
)
app.add_typer(review_app, name="review")


@review_app.command("list")
def review_list(state: StateOpt = None) -> None:
    """List runs waiting at an approval gate."""
    with user_errors("review list"):
        from reelwright.api import pending_runs

        rows = pending_runs(load_settings(state).state_url)
    if not rows:
        typer.echo("no runs waiting for approval")
        return
    for row in rows:
        verdict = "passed" if row.passed else "below thresholds"
        overall = row.overall if row.overall is not None else "-"
        typer.echo(f"{row.run_id}\t{row.gate}\t{verdict}\toverall {overall}\t{row.out}")


def _decide(run_id: str, state: str | None, token: str | None, decision: dict[str, Any]) -> None:
    with user_errors(f"review {decision['decision']}") as guard:
        from reelwright.review.decisions import decide

        settings = load_settings(state)
        guard.run(run_id, settings.home, state)
        data = {k: v for k, v in decision.items() if v is not None}
        outcome = decide(run_id, data, token, settings=settings, progress=ConsoleProgress())
        guard.explain(outcome)
    report(outcome, state or "")


@review_app.command("show")
def review_show(
    run_id: Annotated[str, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    token: TokenOpt = None,
    state: StateOpt = None,
) -> None:
    """Show a run as a reviewer sees it: gate, scores, script, findings, decisions."""
    with user_errors("review show"):
        from reelwright.review.reviewers import ReviewConfig
        from reelwright.review.views import run_view

        settings = load_settings(state)
        config = ReviewConfig.load(settings.home)
        if config.reviewers or token:
            config.authenticate(token)
        view = run_view(run_id, settings)
    if as_json:
        typer.echo(view.model_dump_json(indent=2))
        return
    gate = view.gate
    typer.echo(f"{view.run_id}: {view.status} · iteration {view.iteration} · {view.title}")
    if gate:
        typer.echo(
            f"waiting at the {gate.gate} gate (revision {gate.revision}); "
            f"needs: {', '.join(gate.needs) or '-'}"
        )
    if view.scores:
        latest = view.scores[-1]
        for dim, limit in view.thresholds.items():
            mark = view.marks.get(dim, "below")  # the overall is "ok" only if all are
            typer.echo(f"  {dim:13} {latest.get(dim, 0):5.2f} / {limit:.2f} {mark}")
    if view.script:
        for scene in view.script.scenes:
            typer.echo(f"  {scene.id}: {scene.summary}")
            for n, line in enumerate(scene.dialogue, 1):
                typer.echo(f"      {n}. {view.speaker(line.character)}: {line.text}")
    for f in view.findings:
        typer.echo(f"  finding {f.severity}: {f.where}: {f.evidence}")
    for a in view.approvals:
        typer.echo(
            f"  decision {a.at} {a.gate} {a.by} ({a.role}): {a.decision}"
            + (f" — {a.note}" if a.note else "")
        )


@review_app.command("approve")
def review_approve(
    run_id: Annotated[str, typer.Argument()],
    as_: Annotated[
        str | None, typer.Option("--as", help="Reviewer name (when no reviewers are configured).")
    ] = None,
    note: Annotated[str, typer.Option(help="Optional note for the record.")] = "",
    role: Annotated[
        str | None, typer.Option(help="Role you approve as (default: the one the gate needs).")
    ] = None,
    token: TokenOpt = None,
    state: StateOpt = None,
) -> None:
    """Approve a run at its gate: it moves on (publishes at the final gate)."""
    _decide(run_id, state, token, {"decision": "approve", "by": as_, "note": note, "role": role})


@review_app.command("reject")
def review_reject(
    run_id: Annotated[str, typer.Argument()],
    to: Annotated[str, typer.Option(help="Who revises: writer or director.")],
    note: Annotated[str, typer.Option(help="What to change.")],
    as_: Annotated[
        str | None, typer.Option("--as", help="Reviewer name (when no reviewers are configured).")
    ] = None,
    scene: Annotated[list[str] | None, typer.Option(help="Scene id(s) the note concerns.")] = None,
    shot: Annotated[list[str] | None, typer.Option(help="Shot id(s) the note concerns.")] = None,
    role: Annotated[str | None, typer.Option(help="Role you reject as.")] = None,
    token: TokenOpt = None,
    state: StateOpt = None,
) -> None:
    """Reject a run at its gate with a note: the writer or director revises and the loop goes on."""
    if to not in ("writer", "director"):
        fail(f"--to must be writer or director, not {to!r}", EXIT_INPUT)
    if not note.strip():
        fail("--note must say what to change", EXIT_INPUT)
    _decide(
        run_id,
        state,
        token,
        {
            "decision": "reject",
            "by": as_,
            "note": note,
            "role": role,
            "to": to,
            "scene_ids": scene or [],
            "shot_ids": shot or [],
        },
    )


reviewers_app = typer.Typer(
    help="Reviewers and their roles (tokens are shown once).", no_args_is_help=True
)
app.add_typer(reviewers_app, name="reviewers")
audit_app = typer.Typer(help="The hash-chained audit trail of decisions.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@reviewers_app.command("add")
def reviewers_add(
    name: Annotated[str, typer.Argument(help="Reviewer name (letters, digits, - and _).")],
    role: Annotated[
        list[str], typer.Option("--role", help="Role (repeat): showrunner, legal, director…")
    ],
) -> None:
    """Add a reviewer; prints their token once (only its hash is stored)."""
    with user_errors("reviewers add"):
        from pydantic import ValidationError

        from reelwright.errors import InputError
        from reelwright.review.reviewers import ReviewConfig

        settings = load_settings()
        config = ReviewConfig.load(settings.home)
        try:
            config, token = config.add_reviewer(name, role)
        except ValidationError as exc:
            from reelwright.loading import validation_message

            raise InputError(validation_message(exc, "reviewer")) from None
        path = config.save(settings.home)
    typer.echo(f"added {name} ({', '.join(role)}) to {path}")
    typer.echo(f"token (shown once, keep it secret): {token}")


@reviewers_app.command("list")
def reviewers_list() -> None:
    """List reviewers, their roles, and the gates with the roles they need."""
    with user_errors("reviewers list"):
        from reelwright.review.reviewers import ReviewConfig

        config = ReviewConfig.load(load_settings().home)
    for gate, rule in config.gates.items():
        typer.echo(f"gate {gate}: needs {', '.join(rule.roles)}")
    for r in config.reviewers:
        typer.echo(f"{r.name}\t{', '.join(r.roles)}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain against its head: exit 0 intact, 1 if any record was
    edited, deleted (the last ones included) or reordered."""
    from reelwright.review.audit import AuditLog

    log = AuditLog(load_settings().paths.audit)
    problems = log.verify()
    if problems:
        for p in problems:
            typer.echo(f"audit: {p}", err=True)
        raise typer.Exit(EXIT_FAILED)
    head = log.head()
    if head is None:
        typer.echo(f"audit trail empty: no records in {log.path}")
        return
    typer.echo(f"audit trail intact: {head.count} records in {log.path}")
    typer.echo(f"head: {head.count} records, last hash {head.last_hash} (keep a copy elsewhere)")


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to bind (default: loopback only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8765,
    state: StateOpt = None,
) -> None:
    """Start the review web app (and its JSON API) for runs waiting at a gate."""
    import ipaddress

    with user_errors("serve"):
        import uvicorn

        from reelwright.review.app import create_app
        from reelwright.review.reviewers import ReviewConfig

        settings = load_settings(state)
        config = ReviewConfig.load(settings.home)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    typer.echo(f"Reelwright review on http://{host}:{port}/")
    if loopback:
        typer.echo("bound to loopback: only this machine can reach it")
    else:
        typer.echo(
            f"WARNING: bound to {host}, reachable from other machines; put it behind "
            "TLS and keep reviewer tokens secret",
            err=True,
        )
    if not config.reviewers:
        typer.echo(
            "no reviewers configured: add one with `reelwright reviewers add NAME "
            "--role showrunner`",
            err=True,
        )
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
