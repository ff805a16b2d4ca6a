"""`reelwright eval run`, `eval compare`, `eval calibrate` and `eval critic-mutations`.

`eval run` and `eval compare` print a one-line verdict first and exit 1 when it is FAIL:
a case errored or missed its expectations (unless --allow-failures), or a comparison with a
baseline found a regression."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reelwright.cli.app import (
    EXIT_FAILED,
    app,
    user_errors,
)

if TYPE_CHECKING:
    from reelwright.records import Comparison

eval_app = typer.Typer(
    help="Eval suites (`eval run`), comparisons of two runs (`eval compare`), critic "
    "calibration (`eval calibrate`) and the critic's mutation suite (`eval critic-mutations`).",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")

ToleranceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tolerance",
        help="Per-metric tolerance METRIC=VALUE (repeatable; patterns like 'score.*=1'); "
        "in the metric's units (LLM calls, tokens, cost, wall time: a fraction of the baseline).",
        metavar="METRIC=VALUE",
    ),
]
GateOperationalOpt = Annotated[
    bool,
    typer.Option(
        "--gate-operational",
        help="Also gate LLM calls, tokens, cost, cache hit rate and wall time (by default "
        "they are reported only).",
    ),
]


def _echo_comparison(comparison: Comparison) -> None:
    from reelwright.evals.compare import case_set_warning, describe

    warning = case_set_warning(comparison)
    if warning:
        typer.echo(warning, err=True)
    for line in describe(comparison):
        typer.echo(f"  regression: {line}", err=True)


@eval_app.command("calibrate")
def eval_calibrate(
    labels: Annotated[
        Path, typer.Argument(help="Labels JSONL: one rated artefact a line.", metavar="FILE")
    ],
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="Score with the measurements only, even if an LLM judge is set."
        ),
    ] = False,
) -> None:
    """Score rated artefacts with the critic the settings configure (the LLM judge included)
    and report its agreement with the ratings as JSON."""
    with user_errors("eval calibrate"):
        from reelwright.config import Settings
        from reelwright.evals.calibrate import calibrate
        from reelwright.llm import llm_from_settings

        settings = Settings()
        llm = None
        if settings.llm.configured and not offline:
            llm = llm_from_settings(settings.llm)
        report = calibrate(
            labels, llm=llm, model=settings.llm.model if llm else None, settings=settings
        )
    typer.echo(report.to_json())


@eval_app.command("compare")
def eval_compare(
    baseline: Annotated[Path, typer.Argument(help="The baseline run's eval.json.", metavar="FILE")],
    current: Annotated[
        Path, typer.Argument(help="The run to judge: its eval.json.", metavar="FILE")
    ],
    tolerance: ToleranceOpt = None,
    gate_operational: GateOperationalOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Compare two runs of one suite case by case; exit 1 on a regression, 2 when the runs
    are of different suites or share no case."""
    with user_errors("eval compare"):
        from reelwright.evals.compare import compare, load_log, parse_tolerances
        from reelwright.evals.report import comparison_text
        from reelwright.evals.verdict import comparison_verdict

        tolerances = parse_tolerances(tolerance or [])
        comparison = compare(
            load_log(baseline), load_log(current, "current"), tolerances, gate_operational
        )
    verdict = comparison_verdict(comparison)
    typer.echo(verdict.line, err=as_json)  # with --json, stdout holds the JSON alone
    _echo_comparison(comparison)
    typer.echo(comparison.model_dump_json(indent=1) if as_json else comparison_text(comparison))
    if not verdict.passed:
        raise typer.Exit(EXIT_FAILED)


@eval_app.command("run")
def eval_run(
    suite: Annotated[
        str,
        typer.Argument(
            help="Suite YAML, or a shipped suite name (smoke, redteam).", metavar="SUITE"
        ),
    ],
    out: Annotated[
        Path, typer.Option(help="Output folder (log, JUnit, reports, packages).", metavar="DIR")
    ] = Path("evals-out"),
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Cases run at once (worker processes).", metavar="N")
    ] = 1,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare", help="Baseline eval.json; exit 1 on a regression.", metavar="FILE"
        ),
    ] = None,
    tolerance: ToleranceOpt = None,
    gate_operational: GateOperationalOpt = False,
    allow_failures: Annotated[
        bool,
        typer.Option(
            "--allow-failures",
            help="Exit 0 even when a case errored or missed its expectations (the verdict "
            "still says FAIL; regressions against --compare still exit 1).",
        ),
    ] = False,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=2**32 - 1, help="Reseed every case reproducibly.", metavar="N"),
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option(
            help="Record each LLM call's final reply (after retries) to this cassette.",
            metavar="FILE",
        ),
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option(
            help="Answer every LLM request from this cassette; no endpoint.", metavar="FILE"
        ),
    ] = None,
    prices: Annotated[
        Path | None,
        typer.Option(
            help="YAML price table: model -> prompt_per_1k, completion_per_1k.", metavar="FILE"
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Use the procedural agents even if an LLM is configured."),
    ] = False,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Folder of the content-addressed caches (frames, voiced lines, animatics) the "
            "cases share; name the same one for a recording and its replays so the replay "
            "renders and encodes nothing again. Default: REELWRIGHT_CACHE, else OUT/cache.",
            metavar="DIR",
        ),
    ] = None,
) -> None:
    """Run an eval suite: every case through the graph, then a log, JUnit XML, and HTML and
    Markdown reports. Prints a one-line verdict first; exits 1 when a case errored or missed
    its expectations, or (with --compare) on a regression."""
    with user_errors("eval run"):
        from reelwright.errors import InputError
        from reelwright.evals.compare import check_same_suite, load_log, parse_tolerances
        from reelwright.evals.compare import compare as compare_logs
        from reelwright.evals.runner import EvalOptions, resolve_suite, run_suite, write_outputs
        from reelwright.evals.suite import load_suite
        from reelwright.evals.verdict import run_verdict
        from reelwright.loading import read_yaml
        from reelwright.records import CaseResult

        tolerances = parse_tolerances(tolerance or [])
        baseline = load_log(compare) if compare else None
        if baseline is not None:  # refused now, not after the whole suite has run
            spec, _ = load_suite(resolve_suite(suite))
            check_same_suite(baseline, spec.name, spec.kind)
        table: dict[str, dict[str, float]] = {}
        if prices is not None:
            if not prices.is_file():
                raise InputError(f"--prices {prices}: no such file")
            table = _price_table(read_yaml(prices, "price table"), prices)
        options = EvalOptions(
            out=out,
            concurrency=concurrency,
            seed=seed,
            record=record,
            replay=replay,
            prices=table,
            offline=offline,
            cache=cache,
        )

        def progress(result: CaseResult, done: int, total: int) -> None:
            mark = (
                "ok"
                if result.expectations_met
                else ("ERROR" if result.status == "error" else "FAIL")
            )
            how = "reused" if result.resumed else f"{result.wall_s:.1f}s"
            if result.changed:  # why it ran again rather than being reused
                how += f"; ran fresh: {', '.join(result.changed)}"
            typer.echo(f"[{done}/{total}] {result.id}: {mark} ({result.status}, {how})", err=True)

        log = run_suite(Path(suite), options, progress)
        comparison = compare_logs(baseline, log, tolerances, gate_operational) if baseline else None
        files = write_outputs(log, out, comparison)
    verdict = run_verdict(log, comparison)
    typer.echo(verdict.line)
    s = log.summary
    rate = s.metrics.get("expectation_rate")
    if rate is not None:
        typer.echo(
            f"{log.suite}: {s.cases} cases, {s.errors} errors, expectations met "
            f"{rate.mean:.0%} (95% CI {rate.ci95[0]:.0%}–{rate.ci95[1]:.0%})"
        )
    for name, path in files.items():
        typer.echo(f"  {name}: {path}")
    if comparison:
        _echo_comparison(comparison)
    if verdict.regressions or (not verdict.passed and not allow_failures):
        raise typer.Exit(EXIT_FAILED)


@eval_app.command("critic-mutations")
def eval_critic_mutations(
    out: Annotated[
        Path,
        typer.Option(
            help="Output folder: critic-mutations.json, .html and the frames.", metavar="DIR"
        ),
    ] = Path("critic-mutations-out"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the log (critic-mutations.json) on stdout.")
    ] = False,
    per_variant: Annotated[
        int,
        typer.Option(
            min=0, max=1000, help="Mutants per variant and episode (0: every site).", metavar="N"
        ),
    ] = 3,
    seed: Annotated[
        int, typer.Option(min=0, max=2**32 - 1, help="Sampling seed.", metavar="N")
    ] = 0,
    episode: Annotated[
        list[str] | None,
        typer.Option(
            "--episode", help="Only this clean episode (repeatable); default: all.", metavar="NAME"
        ),
    ] = None,
) -> None:
    """Check the critic against the mutation suite: every clean episode must pass with no
    note of a mutated kind, and every defect class needs a kill rate of at least 0.95 (its
    mutants fail on the right dimension with a note aimed at the right agent and ids).
    Exit 0 when both hold, 1 when not."""
    with user_errors("eval critic-mutations"):
        from reelwright.evals.mutations.report import write_reports
        from reelwright.evals.mutations.runner import SuiteOptions, run_suite

        options = SuiteOptions(
            out=out, seed=seed, per_variant=per_variant, episodes=tuple(episode or ())
        )
        log = run_suite(options)
        files = write_reports(log, out)
    if as_json:
        typer.echo(log.to_json(indent=1))
    else:
        for d in log.defects:
            mark = "ok" if d.passed else "LOW"
            typer.echo(
                f"{d.defect:<22} {d.killed:>4}/{d.mutants:<4} kill rate {d.kill_rate:.3f}  {mark}"
            )
        for c in log.clean:
            if c.false_alarm:
                failing = f"fails {', '.join(c.failing)}; " if c.failing else ""
                typer.echo(f"false alarm on clean episode {c.episode}: {failing}notes:")
                for n in c.notes:
                    typer.echo(f"  [{n.dimension} -> {n.target}] {n.text}")
        typer.echo(
            f"critic mutations: {'passed' if log.passed else 'FAILED'} — {len(log.mutants)} "
            f"mutants, {log.false_alarms} false alarm(s)"
        )
        for name, path in files.items():
            typer.echo(f"  {name}: {path}")
    if not log.passed:
        raise typer.Exit(EXIT_FAILED)


def _price_table(data: object, path: Path) -> dict[str, dict[str, float]]:
    """MODEL: {prompt_per_1k: USD, completion_per_1k: USD}; anything else is bad input
    (refused before any case runs, not found wrong when the costs are added up)."""
    from pydantic import TypeAdapter, ValidationError

    from reelwright.errors import InputError
    from reelwright.loading import validation_message

    try:
        return TypeAdapter(dict[str, dict[str, float]]).validate_python(data)
    except ValidationError as exc:
        raise InputError(validation_message(exc, f"--prices {path}")) from None
