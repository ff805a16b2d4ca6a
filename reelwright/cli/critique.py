"""`reelwright critique`: score an existing package without running the loop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from reelwright.cli.app import EXIT_OK, app, user_errors


@app.command()
def critique(
    package: Annotated[
        Path, typer.Argument(help="Episode package folder (script.json, ...).", metavar="PACKAGE")
    ],
    bible: Annotated[
        Path | None,
        typer.Option(
            "--bible",
            help="Series bible YAML (default: PACKAGE/bible.yaml, the bible the run used).",
            metavar="FILE",
        ),
    ] = None,
    brief: Annotated[
        Path | None,
        typer.Option("--brief", help="Brief YAML (default: PACKAGE/brief.yaml).", metavar="FILE"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    judge: Annotated[
        bool,
        typer.Option("--judge", help="Also ask the configured LLM judge (REELWRIGHT_LLM_*)."),
    ] = False,
) -> None:
    """Score a package's script.json and shots.json (and frames/ if present) with the
    critic's measurements (frames too when REELWRIGHT_CLIP_MODEL is set; the LLM judge with
    --judge). Exit 0 whatever the verdict; 2 on bad input."""
    with user_errors("critique"):
        from reelwright.cli.app import load_settings
        from reelwright.critic.agent import critic_from_settings
        from reelwright.critic.package import read_package
        from reelwright.errors import InputError
        from reelwright.llm import llm_from_settings

        settings = load_settings()
        if judge and not settings.llm.configured:
            raise InputError(
                "--judge needs a model: set REELWRIGHT_LLM_BASE_URL (or REELWRIGHT_LLM_API_KEY "
                "/ OPENAI_API_KEY) and REELWRIGHT_LLM_MODEL"
            )
        given = read_package(package, bible, brief)
        critic = critic_from_settings(settings, llm_from_settings(settings.llm) if judge else None)
        result, _ = critic.critique(
            1, given.brief, given.bible, given.script, given.shots, given.renders
        )
    thresholds = given.brief.thresholds
    passed = not result.failing(thresholds)
    notes = [
        {
            "target": n.target,
            "dimension": n.dimension,
            "scene_ids": list(n.scene_ids),
            "shot_ids": list(n.shot_ids),
            "text": n.text,
        }
        for n in result.notes
    ]
    if as_json:
        verdict = {
            "scores": result.scores,
            "overall": result.overall,
            "passed": passed,
            "notes": notes,
        }
        typer.echo(json.dumps(verdict, ensure_ascii=False))
        raise typer.Exit(EXIT_OK)
    scores = {**result.scores, "overall": result.overall}
    marks = thresholds.marks(scores)
    limits = {**thresholds.dimensions(), "overall": thresholds.overall}
    for dim, score in scores.items():
        typer.echo(f"{dim:13} {score:5.2f} / {limits[dim]:.2f} {marks[dim]}")
    typer.echo("passed" if passed else "below thresholds")
    if not given.frames:
        typer.echo("no frames/ folder: every shot counts as not rendered (technical)")
    for n in result.notes:
        ids = ", ".join([*n.scene_ids, *n.shot_ids])
        typer.echo(f"- {n.target} · {n.dimension} · {ids or 'episode'}: {n.text}")
    raise typer.Exit(EXIT_OK)
