"""The `reelwright` command's shared parts: the app, exit codes, settings, error mapping,
progress on the console and the final report. Heavy modules are imported inside commands.

Exit codes: 0 published; 1 failed (state kept, `resume` continues); 2 bad input;
3 paused at an approval gate; 4 busy (another process is running, resuming or deciding the
same run: nothing was done, try again later).
"""

from __future__ import annotations

import logging
import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

if TYPE_CHECKING:
    from typer._click import Command  # typer's own click, whose classes typer.core extends

    from reelwright.api import RunOutcome
    from reelwright.config import Settings
    from reelwright.models import Finding

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_PAUSED, EXIT_BUSY = 0, 1, 2, 3, 4


class _NamedValues(TyperGroup):
    """Help that names what a parameter takes, not its Python type. Typer prints a type
    column (`<str>`, `<bool>`, `<int>`); every value parameter here sets `metavar=` (FILE,
    DIR, URL, N…) and that shows instead. This removes the rest once, over the whole command
    tree as it is built: flags and `--help` take no value, and an argument's metavar is
    already its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self)


def _no_type(ctx: object) -> None:
    return None


def _name_values(command: Command) -> None:
    for param in [*command.params, command.get_help_option(typer.Context(command))]:
        if isinstance(param, TyperArgument):  # typer shows a type beside the metavar
            param.display_type_rich = _no_type  # type: ignore[method-assign]
        elif isinstance(param, TyperOption) and (param.is_flag or param.count):
            param.metavar = ""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            _name_values(sub)


app = typer.Typer(
    cls=_NamedValues,
    name="reelwright",
    help="Agentic content production: write, direct, render, critique, approve, publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from reelwright.version import __version__

        typer.echo(f"reelwright {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _logging(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version."
        ),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            show_default=False,
            help="Log LLM requests and retries, renders, cache decisions and gate decisions "
            "to stderr (-vv: debug detail). Or set REELWRIGHT_LOG_LEVEL=info|debug.",
        ),
    ] = 0,
) -> None:
    from reelwright.logs import ConsoleLog, console_level

    try:
        level = console_level(verbose)
    except ValueError as exc:
        fail(f"bad setting in the environment: {exc}", EXIT_INPUT)
    if level is not None:
        ctx.call_on_close(ConsoleLog(level).close)


StateOpt = Annotated[
    str | None,
    typer.Option(
        "--state",
        help="Checkpointer URL: sqlite:///PATH (default .reelwright/state.sqlite) or memory://",
        metavar="URL",
    ),
]


# API parameters whose flag is not simply `--` + the name with dashes
FLAGS = {
    "checkpointer": "--state",
    "allow_outside_sheets": "--allow-sheets-outside",
    "watchlists": "--watchlist",
    "by": "--as",
}


def fail(message: str, code: int) -> NoReturn:
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
        from reelwright.config import HomePaths

        logs = HomePaths(self.home or _home()).logs
        if self.run_id:
            return logs / f"{self.run_id}.log"
        from datetime import datetime

        name = self.command.replace(" ", "-")
        return logs / f"{name}-{datetime.now():%Y%m%d-%H%M%S-%f}.log"

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
            fail(
                f"run {self.run_id} failed unexpectedly: {what} — {where}; "
                f"continue with: reelwright resume {self.run_id}{state_arg}",
                EXIT_FAILED,
            )
        fail(f"reelwright {self.command} failed unexpectedly: {what} — {where}", EXIT_FAILED)

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
def user_errors(command: str) -> Iterator[_Guard]:
    """BusyError -> exit 4, InputError -> exit 2, ReelwrightError -> exit 1, and anything
    unexpected -> exit 1 with one line naming the log that holds the traceback (never a
    traceback on the console)."""
    from reelwright.errors import BusyError, InputError, ReelwrightError

    guard = _Guard(command)
    try:
        yield guard
    except BusyError as exc:
        fail(exc.for_cli(FLAGS), EXIT_BUSY)
    except InputError as exc:
        fail(exc.for_cli(FLAGS), EXIT_INPUT)
    except ReelwrightError as exc:
        fail(exc.for_cli(FLAGS), EXIT_FAILED)
    except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
        raise  # exits and usage errors the command line reports itself
    except Exception as exc:
        guard.unexpected(exc)
    finally:
        guard.close()


def load_settings(state: str | None = None, llm: dict[str, object] | None = None) -> Settings:
    """Settings from the environment, with the command's --state and LLM flags (fields of
    `settings.llm`, e.g. `model`) over them where given."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from reelwright.config import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"REELWRIGHT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        fail(f"bad setting in the environment: {problems}", EXIT_INPUT)
    except SettingsError as exc:  # e.g. REELWRIGHT_LLM set to something that is not JSON
        import re

        field = re.search(r'field "(\w+)"', str(exc))
        name = f"REELWRIGHT_{field[1].upper()}" if field else "a REELWRIGHT_* variable"
        fail(f"bad setting in the environment: {name}: could not be parsed", EXIT_INPUT)
    updates: dict[str, object] = {}
    flags = {k: v for k, v in (llm or {}).items() if v is not None}
    if flags:
        from reelwright.config import LLMSettings

        try:  # validated like the environment's values
            updates["llm"] = LLMSettings.model_validate({**settings.llm.model_dump(), **flags})
        except ValidationError as exc:
            problems = "; ".join(
                f"--llm-{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}"
                for e in exc.errors()
            )
            fail(f"bad option: {problems}", EXIT_INPUT)
    if state:
        updates["state"] = state
    return settings.model_copy(update=updates)


def known_run(run_id: str, state_url: str) -> None:
    """Refuse an unsafe or unknown run id (exit 2) before the engine is imported, where the
    state database can say so cheaply; the engine checks again."""
    from reelwright.errors import NotFoundError
    from reelwright.graphs.waiting import has_run
    from reelwright.paths import check_id

    check_id(run_id, "run id")
    if has_run(state_url, run_id) is False:
        raise NotFoundError(f"no run {run_id} in {state_url}")


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


def _signed(out: Path) -> bool:
    """Whether the package's provenance says its frames and animatic were signed."""
    from reelwright.errors import InputError
    from reelwright.records import ProvenanceRecord, read_record

    try:
        return read_record(out / "provenance.json", ProvenanceRecord).c2pa.signed
    except InputError:
        return False


def _reviewer_flag(state_flag: str) -> str:
    """How a decision names its reviewer here: a token once reviewers exist, else a name."""
    from reelwright.approval.reviewers import ReviewConfig

    try:
        configured = bool(ReviewConfig.load(load_settings(state_flag or None).home).reviewers)
    except Exception:  # a hint only: never let it hide the outcome
        configured = False
    if configured:  # the token from the environment works as printed
        return "" if os.environ.get("REELWRIGHT_REVIEW_TOKEN") else "--token TOKEN"
    return "--as " + shlex.quote(_operator())


def _operator() -> str:
    """This machine's user: the reviewer a local decision is recorded under."""
    import getpass

    try:
        return getpass.getuser() or "operator"
    except (KeyError, OSError):
        return "operator"


def report(outcome: RunOutcome, state_flag: str) -> NoReturn:
    from rich.console import Console
    from rich.table import Table

    from reelwright.errors import as_flags

    console = Console()
    for note in outcome.notes:
        typer.echo(as_flags(note, FLAGS), err=True)
    rec = outcome.record
    scores = rec.scores if rec else {}
    if rec and scores:
        marks = rec.thresholds.marks(scores)
        failing = [d for d in rec.thresholds.failing(scores) if d != "overall"]
        limits = {**rec.thresholds.dimensions(), "overall": rec.thresholds.overall}
        table = Table(title=f"run {outcome.run_id} · iteration {rec.iterations}")
        table.add_column("dimension")
        table.add_column("score", justify="right")
        table.add_column("threshold", justify="right")
        table.add_column("")
        for dim, score in scores.items():
            mark = "[green]ok[/]" if marks.get(dim, "ok") == "ok" else "[red]below[/]"
            if dim == "overall" and failing:  # never "ok" while a dimension fails
                mark = f"[red]below[/] ({', '.join(failing)} failing)"
            table.add_row(dim, f"{score:.2f}", f"{limits.get(dim, 0):.2f}", mark)
        console.print(table)
    if rec and rec.shots:
        console.print(
            f"shots {rec.shots} · rendered {rec.renders.rendered} · cached {rec.renders.cached}"
            f" · {rec.stop_reason}"
        )
    state_arg = f" --state {state_flag}" if state_flag else ""
    if outcome.status == "published":
        console.print(f"[green]published[/] {outcome.out}")
        if not _signed(outcome.out):
            typer.echo(
                "published unsigned: no signer configured — run `reelwright init-signing` "
                "to sign the next run's frames and animatic",
                err=True,
            )
        raise typer.Exit(EXIT_OK)
    if outcome.status == "awaiting_approval":
        console.print(f"[yellow]waiting for approval[/]: package at {outcome.out}")
        gate = outcome.gate
        if gate is not None and "legal" in gate.needs:
            console.print("  needs an approval by the legal role (--role legal) for:")
            for line in gate.review_findings[:10]:
                console.print(f"    - {line}")
        who = _reviewer_flag(state_flag)
        # plain echo: a command to copy must not be wrapped at the console's width
        who = f" {who}" if who else ""
        typer.echo(f"  approve: reelwright review approve {outcome.run_id}{who}{state_arg}")
        typer.echo(
            f"  reject:  reelwright review reject {outcome.run_id}{who} "
            f"--split SHOT:2 --cut-line SCENE:LINE …{state_arg}"
        )
        typer.echo(
            "           (structured changes: see `reelwright review reject --help`; with a "
            "model configured, also --to writer|director --note TEXT)"
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


TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="REELWRIGHT_REVIEW_TOKEN",
        help="Reviewer token (env REELWRIGHT_REVIEW_TOKEN); needed once reviewers exist.",
        metavar="TOKEN",
    ),
]
