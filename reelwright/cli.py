"""The `reelwright` command: a thin layer over `reelwright.api`.

Exit codes: 0 published; 1 failed (state kept, `resume` continues); 2 bad input;
3 paused at an approval gate; 4 busy (another process is running, resuming or deciding the
same run: nothing was done, try again later). Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from reelwright.api import RunOutcome
    from reelwright.config import Settings
    from reelwright.models import Finding

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_PAUSED, EXIT_BUSY = 0, 1, 2, 3, 4

app = typer.Typer(
    name="reelwright",
    help="Agentic content production: write, direct, render, critique, approve, publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
review_app = typer.Typer(
    help="Runs waiting at an approval gate: list, approve, reject.", no_args_is_help=True
)
app.add_typer(review_app, name="review")

StateOpt = Annotated[
    str | None,
    typer.Option(
        "--state",
        help="Checkpointer URL: sqlite:///PATH (default .reelwright/state.sqlite) or memory://",
    ),
]


def _err(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


class _Guard:
    """What a command knows when something breaks: the run it drives (if any) and where its
    log goes. Failures the graph records (and any unexpected exception) are written, with the
    traceback, to HOME/logs/RUN_ID.log; the console gets one line."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.run_id: str | None = None
        self.home: Path | None = None
        self.state = ""
        self._handler: _LogFile | None = None

    def run(self, run_id: str, home: Path, state: str | None = None) -> None:
        """From here on the command drives run `run_id`: the graph's error log goes to its file.
        An id that is not safe names no file (the command refuses it with exit 2 anyway)."""
        from reelwright.errors import InputError
        from reelwright.paths import check_id

        try:
            check_id(run_id, "run id")
        except InputError:
            return
        self.run_id, self.home, self.state = run_id, home, state or ""
        self._handler = _LogFile(self.log_path())
        logging.getLogger("reelwright").addHandler(self._handler)

    def log_path(self) -> Path:
        home = self.home or _home()
        if self.run_id:
            return home / "logs" / f"{self.run_id}.log"
        from datetime import datetime

        name = self.command.replace(" ", "-")
        return home / "logs" / f"{name}-{datetime.now():%Y%m%d-%H%M%S-%f}.log"

    def explain(self, outcome: RunOutcome) -> None:
        """A failed outcome whose traceback went to the log says where the log is."""
        if outcome.status == "failed" and self._handler is not None and self._handler.written:
            outcome.error = f"{outcome.error} — details in {self._handler.path}"

    def unexpected(self, exc: Exception) -> NoReturn:
        """One line on the console; the traceback in the log file."""
        import traceback

        path = self._handler.path if self._handler else self.log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write("".join(traceback.format_exception(exc)))
            where = f"details in {path}"
        except OSError as log_error:
            where = f"no log written ({log_error})"
        summary = (str(exc).strip().splitlines() or [""])[0][:300]
        what = f"{type(exc).__name__}: {summary}" if summary else type(exc).__name__
        if self.run_id:
            state_arg = f" --state {self.state}" if self.state else ""
            _err(
                f"run {self.run_id} failed unexpectedly: {what} — {where}; "
                f"continue with: reelwright resume {self.run_id}{state_arg}",
                EXIT_FAILED,
            )
        _err(f"reelwright {self.command} failed unexpectedly: {what} — {where}", EXIT_FAILED)

    def close(self) -> None:
        if self._handler is not None:
            logging.getLogger("reelwright").removeHandler(self._handler)
            self._handler.close()


class _LogFile(logging.FileHandler):
    """A run's log file, created (with its folder) only when an error is written to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.written = False
        super().__init__(path, encoding="utf-8", delay=True)
        self.setLevel(logging.ERROR)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        super().emit(record)
        self.written = True


def _home() -> Path:
    from reelwright.config import Settings

    try:
        return Settings().home
    except Exception:  # a bad environment is reported elsewhere; the log still goes somewhere
        return Path(".reelwright")


@contextmanager
def _user_errors(command: str) -> Iterator[_Guard]:
    """BusyError -> exit 4, InputError -> exit 2, ReelwrightError -> exit 1, and anything
    unexpected -> exit 1 with one line naming the log that holds the traceback (never a
    traceback on the console)."""
    from reelwright.errors import BusyError, InputError, ReelwrightError

    guard = _Guard(command)
    try:
        yield guard
    except BusyError as exc:
        _err(str(exc), EXIT_BUSY)
    except InputError as exc:
        _err(str(exc), EXIT_INPUT)
    except ReelwrightError as exc:
        _err(str(exc), EXIT_FAILED)
    except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
        raise  # exits and usage errors the command line reports itself
    except Exception as exc:
        guard.unexpected(exc)
    finally:
        guard.close()


def _settings(state: str | None = None, **overrides: Any) -> Settings:
    from pydantic import ValidationError

    from reelwright.config import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"REELWRIGHT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        _err(f"bad setting in the environment: {problems}", EXIT_INPUT)
    updates = {k: v for k, v in overrides.items() if v is not None}
    if state:
        updates["state"] = state
    return settings.model_copy(update=updates)


class ConsoleProgress:
    """Node, iteration and frames rendered, on stderr."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self._bar: Any = None
        self._last = ""

    def node(self, name: str, iteration: int) -> None:
        self._close_bar()
        label = {
            "clearance": "clearing rights",
            "writer": "writing",
            "screen_script": "screening script",
            "director": "directing",
            "screen_shots": "screening shots",
            "render": "rendering",
            "critic": "critiquing",
            "package": "packaging",
            "gate": "approval gate",
            "publish": "publishing",
            "blocked": "blocked",
        }.get(name, name)
        loop = name in ("writer", "screen_script", "director", "screen_shots", "render", "critic")
        line = f"[dim]iteration {iteration + 1}[/] · {label}" if loop else label
        if line != self._last:
            self.console.print(line)
        self._last = line

    def frame(self, result: Any, done: int, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        if self._bar is None:
            self._bar = Progress(
                TextColumn("  frames"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("frames", total=total, last="")
        state = "cached" if result.cached else f"{result.seconds:.2f}s"
        self._bar.update(self._task, completed=done, last=f"{result.shot_id} ({state})")
        if done == total:
            self._close_bar()
            self.console.print(f"  frames: {total} ready")

    def step(self, batch: int, done: int, total: int) -> None:
        """Denoising steps of the batch being rendered (GPU renderers)."""
        if done == total or done == 1:
            self.console.print(f"  [dim]batch {batch}: step {done}/{total}[/]")

    def _close_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _compliance(out: Path) -> list[Finding]:
    from reelwright.errors import InputError
    from reelwright.records import ComplianceRecord, read_record

    try:
        return read_record(out / "compliance.json", ComplianceRecord).findings
    except InputError:
        return []


def _report(outcome: RunOutcome, state_flag: str) -> NoReturn:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for notice in outcome.notices:
        typer.echo(notice, err=True)
    rec = outcome.record
    scores = rec.scores if rec else {}
    thresholds = rec.thresholds.model_dump() if rec else {}
    if rec and scores:
        table = Table(title=f"run {outcome.run_id} · iteration {rec.iterations}")
        table.add_column("dimension")
        table.add_column("score", justify="right")
        table.add_column("threshold", justify="right")
        table.add_column("")
        for dim, score in scores.items():
            limit = thresholds.get(dim, 0)
            table.add_row(
                dim,
                f"{score:.2f}",
                f"{limit:.2f}",
                "[green]ok[/]" if score >= limit else "[red]below[/]",
            )
        console.print(table)
    if rec and rec.shots:
        console.print(
            f"shots {rec.shots} · rendered {rec.renders.rendered} · cached {rec.renders.cached}"
            f" · {rec.stop_reason}"
        )
    state_arg = f" --state {state_flag}" if state_flag else ""
    if outcome.status == "published":
        console.print(f"[green]published[/] {outcome.out}")
        raise typer.Exit(EXIT_OK)
    if outcome.status == "awaiting_approval":
        console.print(f"[yellow]waiting for approval[/]: package at {outcome.out}")
        gate = outcome.gate_request
        if gate is not None and "legal" in gate.needs:
            console.print("  needs an approval by the legal role (--role legal) for:")
            for line in gate.review_findings[:10]:
                console.print(f"    - {line}")
        console.print(f"  approve: reelwright review approve {outcome.run_id} --as NAME{state_arg}")
        console.print(
            f"  reject:  reelwright review reject {outcome.run_id} --as NAME "
            f"--to writer|director --note TEXT{state_arg}"
        )
        raise typer.Exit(EXIT_PAUSED)
    if outcome.status == "blocked":
        typer.echo(
            f"error: run {outcome.run_id} blocked, not published: {rec.stop_reason if rec else ''}",
            err=True,
        )
        for f in [f for f in _compliance(outcome.out) if f.severity == "block"][:20]:
            typer.echo(
                f"  - {f.where}: {f.evidence!r} ({f.entity or f.rule}) — {f.fix}",
                err=True,
            )
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"error: run {outcome.run_id} failed: {outcome.error}", err=True)
    typer.echo(
        f"state kept; continue with: reelwright resume {outcome.run_id}{state_arg}", err=True
    )
    raise typer.Exit(EXIT_FAILED)


@app.command()
def run(
    brief: Annotated[Path, typer.Argument(help="Brief YAML file.")],
    bible: Annotated[
        Path | None,
        typer.Option(
            help="Series bible YAML (default: bible.yaml beside the brief or one folder up)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Episode package folder (default: out/RUN_ID).")
    ] = None,
    auto_approve: Annotated[
        bool,
        typer.Option(
            "--auto-approve", help="Publish without a human decision (recorded as auto-approved)."
        ),
    ] = False,
    llm_base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint (env REELWRIGHT_LLM_BASE_URL).")
    ] = None,
    llm_model: Annotated[
        str | None, typer.Option(help="Model name (env REELWRIGHT_LLM_MODEL).")
    ] = None,
    renderer: Annotated[
        str, typer.Option(help="storyboard (CPU) or diffusers:PATH.")
    ] = "storyboard",
    max_iterations: Annotated[
        int | None,
        typer.Option(min=1, max=20, help="Critic iterations cap (default: the brief's budget, 3)."),
    ] = None,
    state: StateOpt = None,
    run_id: Annotated[str | None, typer.Option(help="Run id (default: generated).")] = None,
    rights: Annotated[
        Path | None,
        typer.Option(help="Rights ledger YAML (default: rights.yaml beside the bible)."),
    ] = None,
    references: Annotated[
        Path | None,
        typer.Option(
            help="Folder of protected reference images (default: references/ beside the bible)."
        ),
    ] = None,
    watchlist: Annotated[
        list[Path] | None,
        typer.Option(help="Extra watchlist YAML (default: watchlist.yaml beside the bible)."),
    ] = None,
    allow: Annotated[
        list[str] | None, typer.Option(help="Watchlist entry the project has cleared.")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Use --out even if it holds other files: they are moved aside to "
            "OUT.moved-TIME, never deleted.",
        ),
    ] = False,
    allow_sheets_outside: Annotated[
        bool,
        typer.Option(
            "--allow-sheets-outside",
            help="Accept character sheets outside the bible's folder (a resume then needs "
            "REELWRIGHT_ALLOW_SHEETS_OUTSIDE=1).",
        ),
    ] = False,
) -> None:
    """Run a brief through writer, director, renderer and critic into an episode package."""
    with _user_errors("run") as guard:
        from reelwright.api import new_run_id, run_episode

        settings = _settings(state, llm_base_url=llm_base_url, llm_model=llm_model)
        rid = run_id or new_run_id()
        guard.run(rid, settings.home, state)
        target = out or Path("out") / rid
        if not settings.llm_configured:
            typer.echo(
                "No LLM configured (REELWRIGHT_LLM_BASE_URL / OPENAI_API_KEY unset): "
                "using the offline procedural writer and director.",
                err=True,
            )
        else:
            typer.echo(
                f"LLM: {settings.llm_model} at {settings.llm_base_url or 'api.openai.com'}",
                err=True,
            )
        outcome = run_episode(
            brief,
            bible,
            out=target,
            auto_approve=auto_approve,
            renderer=renderer,
            state=settings.state_url,
            run_id=rid,
            max_iterations=max_iterations,
            settings=settings,
            progress=ConsoleProgress(),
            rights=rights,
            references=references,
            watchlists=list(watchlist or []),
            allow=list(allow or []),
            force=force,
            allow_outside_sheets=allow_sheets_outside,
        )
        guard.explain(outcome)
    _report(outcome, state or "")


@app.command()
def resume(
    run_id: Annotated[str, typer.Argument(help="The run to continue.")],
    state: StateOpt = None,
) -> None:
    """Continue a run that crashed, failed or was killed, from its last checkpoint."""
    with _user_errors("resume") as guard:
        from reelwright.api import resume_run

        settings = _settings(state)
        guard.run(run_id, settings.home, state)
        outcome = resume_run(
            run_id, state=settings.state_url, settings=settings, progress=ConsoleProgress()
        )
        guard.explain(outcome)
    _report(outcome, state or "")


@review_app.command("list")
def review_list(state: StateOpt = None) -> None:
    """List runs waiting at an approval gate."""
    with _user_errors("review list"):
        from reelwright.api import pending_runs

        rows = pending_runs(_settings(state).state_url)
    if not rows:
        typer.echo("no runs waiting for approval")
        return
    for row in rows:
        verdict = "passed" if row.get("passed") else "below thresholds"
        overall = row.get("overall")
        typer.echo(
            f"{row['run_id']}\t{row.get('gate', 'final')}\t{verdict}\t"
            f"overall {overall if overall is not None else '-'}\t{row.get('out', '')}"
        )


TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="REELWRIGHT_REVIEW_TOKEN",
        help="Reviewer token (env REELWRIGHT_REVIEW_TOKEN); needed once reviewers exist.",
    ),
]


def _decide(run_id: str, state: str | None, token: str | None, decision: dict[str, Any]) -> None:
    with _user_errors(f"review {decision['decision']}") as guard:
        from reelwright.review.decisions import decide

        settings = _settings(state)
        guard.run(run_id, settings.home, state)
        data = {k: v for k, v in decision.items() if v is not None}
        outcome = decide(run_id, data, token, settings=settings, progress=ConsoleProgress())
        guard.explain(outcome)
    _report(outcome, state or "")


@review_app.command("show")
def review_show(
    run_id: Annotated[str, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    token: TokenOpt = None,
    state: StateOpt = None,
) -> None:
    """Show a run as a reviewer sees it: gate, scores, script, findings, decisions."""
    import json

    with _user_errors("review show"):
        from reelwright.review.reviewers import ReviewConfig
        from reelwright.review.views import run_view

        settings = _settings(state)
        config = ReviewConfig.load(settings.home)
        if config.reviewers or token:
            config.authenticate(token)
        view = run_view(run_id, settings)
    if as_json:
        typer.echo(json.dumps(view, indent=2, default=str))
        return
    gate = view["gate"]
    typer.echo(
        f"{view['run_id']}: {view['status']} · iteration {view['iteration']} · {view['title']}"
    )
    if gate:
        typer.echo(
            f"waiting at the {gate['gate']} gate (revision {gate['revision']}); "
            f"needs: {', '.join(gate['needs']) or '-'}"
        )
    if view["scores"]:
        latest = view["scores"][-1]
        for dim, limit in view["thresholds"].items():
            mark = "ok" if latest.get(dim, 0) >= limit else "below"
            typer.echo(f"  {dim:13} {latest.get(dim, 0):5.2f} / {limit:.2f} {mark}")
    if view["script"]:
        for scene in view["script"]["scenes"]:
            typer.echo(f"  {scene['id']}: {scene['summary']}")
            for n, line in enumerate(scene["dialogue"], 1):
                name = view["characters"].get(line["character"], line["character"])
                typer.echo(f"      {n}. {name}: {line['text']}")
    for f in view["findings"]:
        typer.echo(f"  finding {f['severity']}: {f['where']}: {f['evidence']}")
    for a in view["approvals"]:
        typer.echo(
            f"  decision {a['at']} {a['gate']} {a['by']} ({a['role']}): {a['decision']}"
            + (f" — {a['note']}" if a["note"] else "")
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
        _err(f"--to must be writer or director, not {to!r}", EXIT_INPUT)
    if not note.strip():
        _err("--note must say what to change", EXIT_INPUT)
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


@app.command()
def screen(
    text: Annotated[str | None, typer.Argument(help="Text to screen (or use --file).")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Screen this UTF-8 text file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    watchlist: Annotated[list[Path] | None, typer.Option(help="Extra watchlist YAML.")] = None,
    allow: Annotated[
        list[str] | None, typer.Option(help="Watchlist entry cleared by the project.")
    ] = None,
) -> None:
    """Screen text for protected IP, trademarks, real people and living artists' styles.
    Exit 0 whatever the verdict; 2 on bad input."""
    import json

    with _user_errors("screen"):
        from reelwright.errors import InputError
        from reelwright.tools.screening import Screener, Watchlist, default_screener, verdict

        if (text is None) == (file is None):
            raise InputError("give the text to screen, or --file FILE (not both)")
        if file is not None:
            if not file.is_file():
                raise InputError(f"no such file: {file}")
            try:
                text = file.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{file} is not UTF-8 text") from None
        assert text is not None
        screener = (
            Screener(Watchlist.load(watchlist or [], allow or []))
            if watchlist or allow
            else default_screener()
        )
        findings = screener.screen(text, str(file) if file else "text")
    result = {
        "verdict": verdict(findings),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "entity": f.entity,
                "kind": f.kind,
                "span": list(f.span or (0, 0)),
                "evidence": f.evidence,
            }
            for f in findings
        ],
    }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(f"verdict: {result['verdict']}")
    for f in findings:
        a, b = f.span or (0, 0)
        typer.echo(
            f"  {f.severity.value:6} {f.entity} ({f.kind}) at {a}-{b}: {f.evidence!r} — {f.fix}"
        )


@app.command("init-signing")
def init_signing_cmd(
    force: Annotated[bool, typer.Option(help="Replace existing credentials.")] = False,
) -> None:
    """Create a DEVELOPMENT CA and C2PA signer under .reelwright/signing/ for this project."""
    with _user_errors("init-signing"):
        from reelwright.tools.signing import DEV_NOTICE, init_signing

        settings = _settings()
        config, created = init_signing(settings.home, force=force)
    typer.echo(("created " if created else "already present: ") + str(config.folder))
    typer.echo(f"  signer: {config.chain}\n  trust anchor (CA): {config.ca}")
    typer.echo(DEV_NOTICE)


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="A signed frame (PNG/JPEG) or animatic (MP4).")],
    trust: Annotated[
        Path | None,
        typer.Option(help="CA certificate (PEM) to trust; default: the project's configured CA."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Report a file's C2PA manifest and validation state. Exit 0 only for a valid manifest
    from a trusted signer; 1 for tampered, untrusted or unsigned files; 2 on bad input."""
    with _user_errors("verify"):
        from reelwright.errors import InputError
        from reelwright.tools.signing import signing_config, summarise, to_json
        from reelwright.tools.signing import verify as verify_file

        if trust is not None and not trust.is_file():
            raise InputError(f"--trust {trust}: no such file")
        anchor = trust
        if anchor is None:
            config = signing_config(_settings().home)
            anchor = config.ca if config else None
        result = verify_file(file, anchor.read_bytes() if anchor else None)
    if as_json:
        typer.echo(to_json(result))
    else:
        s = summarise(result)
        trusted = " (trusted signer)" if s["trusted"] else " (signer not trusted)"
        typer.echo(f"{file}: {s['validation_state']}{trusted}")
        for a in s["actions"]:
            typer.echo(f"  action {a['action']}: {a['digitalSourceType']}")
        if s["signer"]["common_name"]:
            typer.echo(f"  signed by {s['signer']['common_name']} ({s['signer']['issuer']})")
        for failure in s["failures"]:
            typer.echo(f"  failure: {failure}")
        if anchor is None:
            typer.echo("  no trust anchor: pass --trust CA.pem or run `reelwright init-signing`")
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)


@app.command("eval")
def eval_cmd(
    target: Annotated[str, typer.Argument(help="Suite YAML, or `calibrate`.")],
    labels: Annotated[Path | None, typer.Argument(help="With `calibrate`: labels JSONL.")] = None,
    out: Annotated[
        Path, typer.Option(help="Output folder (log, JUnit, reports, packages).")
    ] = Path("evals-out"),
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Cases run at once (worker processes).")
    ] = 1,
    compare: Annotated[
        Path | None, typer.Option("--compare", help="Baseline eval.json; exit 1 on a regression.")
    ] = None,
    tolerance: Annotated[
        float, typer.Option(min=0.0, help="Regression tolerance (relative).")
    ] = 0.05,
    seed: Annotated[
        int | None, typer.Option(min=0, max=2**32 - 1, help="Reseed every case reproducibly.")
    ] = None,
    record: Annotated[
        Path | None, typer.Option(help="Record every LLM request and reply to this JSONL cassette.")
    ] = None,
    replay: Annotated[
        Path | None, typer.Option(help="Answer every LLM request from this cassette; no endpoint.")
    ] = None,
    prices: Annotated[
        Path | None,
        typer.Option(help="YAML price table: model -> prompt_per_1k, completion_per_1k."),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Use the procedural agents even if an LLM is configured."),
    ] = False,
) -> None:
    """Run an eval suite (log, JUnit XML, HTML and Markdown reports), or calibrate the critic
    against human ratings: `reelwright eval calibrate labels.jsonl`."""
    import json

    if target == "calibrate":
        with _user_errors("eval calibrate"):
            from reelwright.errors import InputError
            from reelwright.evals.calibrate import calibrate

            if labels is None:
                raise InputError("usage: reelwright eval calibrate LABELS.jsonl")
            result = calibrate(labels)
        typer.echo(json.dumps(result, indent=2))
        return
    with _user_errors("eval"):
        from reelwright.errors import InputError
        from reelwright.evals.compare import compare as compare_logs
        from reelwright.evals.compare import load_log
        from reelwright.evals.runner import EvalOptions, run_suite, write_outputs
        from reelwright.loading import read_yaml
        from reelwright.records import CaseResult, MetricSummary

        if labels is not None:
            raise InputError(f"unexpected argument {labels}: give one suite file")
        baseline = load_log(compare) if compare else None
        table: dict[str, Any] = {}
        if prices is not None:
            if not prices.is_file():
                raise InputError(f"--prices {prices}: no such file")
            table = read_yaml(prices, "price table")
        options = EvalOptions(
            out=out,
            concurrency=concurrency,
            seed=seed,
            record=record,
            replay=replay,
            prices=table,
            offline=offline,
        )

        def progress(result: CaseResult, done: int, total: int) -> None:
            mark = (
                "ok"
                if result.expectations_met
                else ("ERROR" if result.status == "error" else "FAIL")
            )
            how = "resumed" if result.resumed else f"{result.wall_s:.1f}s"
            typer.echo(f"[{done}/{total}] {result.id}: {mark} ({result.status}, {how})", err=True)

        log = run_suite(Path(target), options, progress)
        comparison = compare_logs(baseline, log, tolerance) if baseline else None
        files = write_outputs(log, out, comparison)
    s = log.summary
    rate = s.metrics.get("expectation_rate") or MetricSummary(mean=0, ci95=(0, 0), n=0)
    typer.echo(
        f"{log.suite}: {s.cases} cases, {s.errors} errors, expectations met "
        f"{rate.mean:.0%} (95% CI {rate.ci95[0]:.0%}–{rate.ci95[1]:.0%})"
    )
    for name, path in files.items():
        typer.echo(f"  {name}: {path}")
    if comparison and comparison.regressions:
        typer.echo(f"regressions beyond tolerance: {', '.join(comparison.regressions)}", err=True)
        raise typer.Exit(EXIT_FAILED)


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
    with _user_errors("reviewers add"):
        from pydantic import ValidationError

        from reelwright.errors import InputError
        from reelwright.review.reviewers import ReviewConfig

        settings = _settings()
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
    with _user_errors("reviewers list"):
        from reelwright.review.reviewers import ReviewConfig

        config = ReviewConfig.load(_settings().home)
    for gate, rule in config.gates.items():
        typer.echo(f"gate {gate}: needs {', '.join(rule.roles)}")
    for r in config.reviewers:
        typer.echo(f"{r.name}\t{', '.join(r.roles)}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain against its head: exit 0 intact, 1 if any record was
    edited, deleted (the last ones included) or reordered."""
    from reelwright.review.audit import AuditLog

    log = AuditLog(_settings().home / "audit.jsonl")
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

    with _user_errors("serve"):
        import uvicorn

        from reelwright.review.app import create_app
        from reelwright.review.reviewers import ReviewConfig

        settings = _settings(state)
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


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted; state kept — `reelwright resume RUN_ID` continues", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
