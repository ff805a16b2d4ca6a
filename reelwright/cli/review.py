"""Human review: `review list|show|approve|reject`, `reviewers`, `audit`, `serve`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from reelwright.cli.app import (
    EXIT_FAILED,
    EXIT_INPUT,
    ConsoleProgress,
    StateOpt,
    TokenOpt,
    app,
    fail,
    known_run,
    load_settings,
    report,
    user_errors,
)

review_app = typer.Typer(
    help="Runs waiting at an approval gate: list, show, approve, reject.", no_args_is_help=True
)
app.add_typer(review_app, name="review")


@review_app.command("list")
def review_list(token: TokenOpt = None, state: StateOpt = None) -> None:
    """List runs waiting at an approval gate, oldest first: run, gate, verdict, overall score,
    package, how long it has waited, title. Once reviewers exist it needs a reviewer's token."""
    with user_errors("review list"):
        from reelwright.approval.reviewers import ReviewConfig
        from reelwright.graphs.waiting import read_waiting, waited

        settings = load_settings(state)
        config = ReviewConfig.load(settings.home)
        if config.reviewers or token:
            config.authenticate(token)
        waiting = read_waiting(settings.state_url)  # no engine import for a SQLite state
        if waiting is None:
            from reelwright.api import pending_runs

            waiting = pending_runs(settings.state_url)
        rows = sorted(waiting, key=lambda r: r.waiting_since or "")
    if not rows:
        typer.echo("no runs waiting for approval")
        return
    for row in rows:
        verdict = "passed" if row.passed else "below thresholds"
        overall = row.overall if row.overall is not None else "-"
        typer.echo(
            f"{row.run_id}\t{row.gate}\t{verdict}\toverall {overall}\t{row.out}"
            f"\twaiting {waited(row.waiting_since)}\t{row.title}"
        )


def _decide(run_id: str, state: str | None, token: str | None, decision: dict[str, object]) -> None:
    with user_errors(f"review {decision['decision']}") as guard:
        from reelwright.approval.reviewers import ReviewConfig

        settings = load_settings(state)
        config = ReviewConfig.load(settings.home)
        if config.reviewers or token:  # who asks comes first, as in `decide`
            config.authenticate(token)
        known_run(run_id, settings.state_url)

        from reelwright.api import decide_gate

        guard.run(run_id, settings.home, state)
        data = {k: v for k, v in decision.items() if v is not None}
        outcome = decide_gate(run_id, data, token, settings=settings, progress=ConsoleProgress())
        guard.explain(outcome)
    report(outcome, state or "")


@review_app.command("show")
def review_show(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    token: TokenOpt = None,
    state: StateOpt = None,
) -> None:
    """Show a run as a reviewer sees it: gate, scores, script, findings, decisions."""
    with user_errors("review show"):
        from reelwright.approval.reviewers import ReviewConfig

        settings = load_settings(state)
        config = ReviewConfig.load(settings.home)
        if config.reviewers or token:
            config.authenticate(token)
        known_run(run_id, settings.state_url)

        from reelwright.review.views import run_view

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
    for o in view.addressed:
        verdict = "addressed" if o.addressed else f"NOT addressed: {o.reason}"
        typer.echo(f"  note (iteration {o.iteration}) {o.action.kind}: {verdict}")
        for before in o.before:
            typer.echo(f"      before: {before}")
        for after in o.after:
            typer.echo(f"      after:  {after}")
    for a in view.approvals:
        typer.echo(
            f"  decision {a.at} {a.gate} {a.by} ({a.role}): {a.decision}"
            + (f" — {a.note}" if a.note else "")
        )


@review_app.command("approve")
def review_approve(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID")],
    as_: Annotated[
        str | None,
        typer.Option(
            "--as", help="Reviewer name (when no reviewers are configured).", metavar="NAME"
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="Optional note for the record.", metavar="TEXT")] = "",
    role: Annotated[
        str | None,
        typer.Option(help="Role you approve as (default: the one the gate needs).", metavar="ROLE"),
    ] = None,
    token: TokenOpt = None,
    state: StateOpt = None,
) -> None:
    """Approve a run at its gate: it moves on (publishes at the final gate)."""
    _decide(run_id, state, token, {"decision": "approve", "by": as_, "note": note, "role": role})


def _opt(name: str) -> Any:
    from reelwright.cli.actions import HELP

    return typer.Option("--" + name.replace("_", "-"), metavar="SPEC", help=HELP[name])


Acts = Annotated[list[str] | None, typer.Option()]


@review_app.command("reject")
def review_reject(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID")],
    to: Annotated[
        str | None,
        typer.Option(
            help="Who revises a free-text note: writer or director.", metavar="writer|director"
        ),
    ] = None,
    note: Annotated[
        str,
        typer.Option(
            help="What to change (free text needs a model; offline, use actions).", metavar="TEXT"
        ),
    ] = "",
    as_: Annotated[
        str | None,
        typer.Option(
            "--as", help="Reviewer name (when no reviewers are configured).", metavar="NAME"
        ),
    ] = None,
    scene: Annotated[
        list[str] | None, typer.Option(help="Scene id(s) the note concerns.", metavar="SCENE")
    ] = None,
    shot: Annotated[
        list[str] | None, typer.Option(help="Shot id(s) the note concerns.", metavar="SHOT")
    ] = None,
    role: Annotated[str | None, typer.Option(help="Role you reject as.", metavar="ROLE")] = None,
    split: Annotated[list[str] | None, _opt("split")] = None,
    retime: Annotated[list[str] | None, _opt("retime")] = None,
    reframe: Annotated[list[str] | None, _opt("reframe")] = None,
    camera: Annotated[list[str] | None, _opt("camera")] = None,
    add_character: Annotated[list[str] | None, _opt("add_character")] = None,
    remove_character: Annotated[list[str] | None, _opt("remove_character")] = None,
    move_line: Annotated[list[str] | None, _opt("move_line")] = None,
    cut_line: Annotated[list[str] | None, _opt("cut_line")] = None,
    rewrite_line: Annotated[list[str] | None, _opt("rewrite_line")] = None,
    rewrite_instruction: Annotated[list[str] | None, _opt("rewrite_instruction")] = None,
    give_line: Annotated[list[str] | None, _opt("give_line")] = None,
    revoice_line: Annotated[list[str] | None, _opt("revoice_line")] = None,
    set_voice: Annotated[list[str] | None, _opt("set_voice")] = None,
    add_beat: Annotated[list[str] | None, _opt("add_beat")] = None,
    cut_scene: Annotated[list[str] | None, _opt("cut_scene")] = None,
    add_scene: Annotated[list[str] | None, _opt("add_scene")] = None,
    actions: Annotated[
        str | None,
        typer.Option(
            help="A JSON file (- for standard input) with a list of actions.", metavar="FILE"
        ),
    ] = None,
    token: TokenOpt = None,
    state: StateOpt = None,
) -> None:
    """Reject a run at its gate: with structured actions (applied exactly, then checked), or
    a note for the writer or director; the loop goes on."""
    from reelwright.cli.actions import actions_file, parse_action

    given = {
        "split": split,
        "retime": retime,
        "reframe": reframe,
        "camera": camera,
        "add_character": add_character,
        "remove_character": remove_character,
        "move_line": move_line,
        "cut_line": cut_line,
        "rewrite_line": rewrite_line,
        "rewrite_instruction": rewrite_instruction,
        "give_line": give_line,
        "revoice_line": revoice_line,
        "set_voice": set_voice,
        "add_beat": add_beat,
        "cut_scene": cut_scene,
        "add_scene": add_scene,
    }
    with user_errors("review reject"):
        structured = [parse_action(o, v) for o, values in given.items() for v in values or []]
        if actions:
            structured += actions_file(actions)
    if to is not None and to not in ("writer", "director"):
        fail(f"--to must be writer or director, not {to!r}", EXIT_INPUT)
    if not (note.strip() or structured or scene or shot):
        fail(
            "say what to change: structured actions (--split, --retime, --cut-line… see --help), "
            "or --note with --to",
            EXIT_INPUT,
        )
    if note.strip() and not structured and to is None:
        fail("--to must name who revises the note: writer or director", EXIT_INPUT)
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
            "actions": structured,
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
    name: Annotated[
        str, typer.Argument(help="Reviewer name (letters, digits, - and _).", metavar="NAME")
    ],
    role: Annotated[
        list[str],
        typer.Option("--role", help="Role (repeat): showrunner, legal, director…", metavar="ROLE"),
    ],
) -> None:
    """Add a reviewer; prints their token once (only its hash is stored)."""
    with user_errors("reviewers add"):
        from pydantic import ValidationError

        from reelwright.approval.reviewers import ReviewConfig
        from reelwright.errors import InputError

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
        from reelwright.approval.reviewers import ReviewConfig

        config = ReviewConfig.load(load_settings().home)
    for gate, rule in config.gates.items():
        typer.echo(f"gate {gate}: needs {', '.join(rule.roles)}")
    for r in config.reviewers:
        typer.echo(f"{r.name}\t{', '.join(r.roles)}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain against its head: exit 0 intact, 1 if any record was
    edited, deleted (the last ones included) or reordered."""
    from reelwright.approval.audit import AuditLog

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
        str, typer.Option(help="Interface to bind (default: loopback only).", metavar="HOST")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.", metavar="PORT")] = 8765,
    state: StateOpt = None,
) -> None:
    """Start the review web app (and its JSON API) for runs waiting at a gate."""
    import ipaddress

    with user_errors("serve"):
        import uvicorn

        from reelwright.approval.reviewers import ReviewConfig
        from reelwright.review.app import create_app

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
