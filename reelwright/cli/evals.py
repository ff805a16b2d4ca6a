"""`reelwright eval run` and `reelwright eval calibrate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from reelwright.cli.common import (
    EXIT_FAILED,
    app,
    user_errors,
)

eval_app = typer.Typer(
    help="Eval suites (`eval run`) and critic calibration (`eval calibrate`).",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")


@eval_app.command("calibrate")
def eval_calibrate(
    labels: Annotated[Path, typer.Argument(help="Labels JSONL: one rated artefact a line.")],
) -> None:
    """Score rated artefacts with the critic and report its agreement with the ratings."""
    import json

    with user_errors("eval calibrate"):
        from reelwright.evals.calibrate import calibrate

        result = calibrate(labels)
    typer.echo(json.dumps(result, indent=2))


@eval_app.command("run")
def eval_run(
    suite: Annotated[
        str, typer.Argument(help="Suite YAML, or a shipped suite name (smoke, redteam).")
    ],
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
        Path | None,
        typer.Option(help="Record each LLM call's final reply (after retries) to this cassette."),
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
    """Run an eval suite: every case through the graph, then a log, JUnit XML, and HTML and
    Markdown reports; with --compare, exit 1 on a regression."""
    with user_errors("eval run"):
        from reelwright.errors import InputError
        from reelwright.evals.compare import compare as compare_logs
        from reelwright.evals.compare import load_log
        from reelwright.evals.runner import EvalOptions, run_suite, write_outputs
        from reelwright.loading import read_yaml
        from reelwright.records import CaseResult, MetricSummary

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
            how = "reused" if result.resumed else f"{result.wall_s:.1f}s"
            if result.changed:  # why it ran again rather than being reused
                how += f"; ran fresh: {', '.join(result.changed)}"
            typer.echo(f"[{done}/{total}] {result.id}: {mark} ({result.status}, {how})", err=True)

        log = run_suite(Path(suite), options, progress)
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
