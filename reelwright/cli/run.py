"""`reelwright run` and `reelwright resume`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reelwright.cli.app import (
    ConsoleProgress,
    StateOpt,
    app,
    known_run,
    load_settings,
    report,
    user_errors,
)


@app.command()
def run(
    brief: Annotated[Path, typer.Argument(help="Brief YAML file.", metavar="BRIEF")],
    bible: Annotated[
        Path | None,
        typer.Option(
            help="Series bible YAML (default: bible.yaml beside the brief or one folder up).",
            metavar="FILE",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Episode package folder (default: out/RUN_ID).", metavar="DIR"),
    ] = None,
    auto_approve: Annotated[
        bool,
        typer.Option(
            "--auto-approve", help="Publish without a human decision (recorded as auto-approved)."
        ),
    ] = False,
    llm_base_url: Annotated[
        str | None,
        typer.Option(
            help="OpenAI-compatible endpoint (env REELWRIGHT_LLM_BASE_URL).", metavar="URL"
        ),
    ] = None,
    llm_model: Annotated[
        str | None, typer.Option(help="Model name (env REELWRIGHT_LLM_MODEL).", metavar="NAME")
    ] = None,
    renderer: Annotated[
        str,
        typer.Option(help="storyboard (CPU) or diffusers:PATH.", metavar="RENDERER"),
    ] = "storyboard",
    max_iterations: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=20,
            help="Critic iterations cap (default: the brief's budget, 3).",
            metavar="N",
        ),
    ] = None,
    state: StateOpt = None,
    run_id: Annotated[
        str | None, typer.Option(help="Run id (default: generated).", metavar="RUN_ID")
    ] = None,
    rights: Annotated[
        Path | None,
        typer.Option(
            help="Rights ledger YAML (default: rights.yaml beside the bible).", metavar="FILE"
        ),
    ] = None,
    references: Annotated[
        Path | None,
        typer.Option(
            help="Folder of protected reference images (default: references/ beside the bible).",
            metavar="DIR",
        ),
    ] = None,
    watchlist: Annotated[
        list[Path] | None,
        typer.Option(
            help="Extra watchlist YAML (default: watchlist.yaml beside the bible).", metavar="FILE"
        ),
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option(help="Watchlist entry the project has cleared.", metavar="NAME"),
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
    voice: Annotated[
        str,
        typer.Option(
            help="scratch (offline voice), speech (REELWRIGHT_VOICE_* endpoint) or none (silent).",
            metavar="VOICE",
        ),
    ] = "scratch",
    loudness: Annotated[
        float,
        typer.Option(
            help="Mix target in LUFS (-40..-10): -16 previews, -23 broadcast.", metavar="LUFS"
        ),
    ] = -16.0,
    room_tone: Annotated[
        Path | None,
        typer.Option(
            help="Room tone WAV under the dialogue (cleared in the ledger).", metavar="FILE"
        ),
    ] = None,
    music: Annotated[
        Path | None,
        typer.Option(
            help="Music bed WAV under the dialogue (cleared in the ledger).", metavar="FILE"
        ),
    ] = None,
) -> None:
    """Run a brief through writer, director, renderer and critic into an episode package."""
    with user_errors("run") as guard:
        from reelwright.loading import load_inputs

        # the brief and bible are checked before the engine is imported: a wrong path answers
        # at once (exit 2), not after a second of imports
        settings = load_settings(state, llm={"base_url": llm_base_url, "model": llm_model})
        outside = allow_sheets_outside or settings.allow_sheets_outside
        load_inputs(brief, bible, allow_outside_sheets=outside)

        from reelwright.api import new_run_id, run_episode
        from reelwright.request import RunRequest

        rid = run_id or new_run_id()
        guard.run(rid, settings.home, state)
        target = out or Path("out") / rid
        if not settings.llm.configured:
            typer.echo(
                "No LLM configured (REELWRIGHT_LLM_BASE_URL / OPENAI_API_KEY unset): "
                "using the offline procedural writer and director.",
                err=True,
            )
        else:
            typer.echo(
                f"LLM: {settings.llm.model} at {settings.llm.base_url or 'api.openai.com'}",
                err=True,
            )
        request = RunRequest.of(
            brief=brief,
            bible=bible,
            out=target,
            auto_approve=auto_approve,
            renderer=renderer,
            checkpointer=settings.state_url,
            run_id=rid,
            max_iterations=max_iterations,
            rights=rights,
            references=references,
            watchlists=tuple(watchlist or ()),
            allow=tuple(allow or ()),
            force=force,
            allow_outside_sheets=allow_sheets_outside,
            voice=voice,
            loudness=loudness,
            room_tone=room_tone,
            music=music,
        )
        outcome = run_episode(request, settings=settings, progress=ConsoleProgress())
        guard.explain(outcome)
    report(outcome, state or "")


@app.command()
def resume(
    run_id: Annotated[str, typer.Argument(help="The run to continue.", metavar="RUN_ID")],
    state: StateOpt = None,
) -> None:
    """Continue a run that crashed, failed or was killed, from its last checkpoint."""
    with user_errors("resume") as guard:
        settings = load_settings(state)
        known_run(run_id, settings.state_url)

        from reelwright.api import resume_run

        guard.run(run_id, settings.home, state)
        outcome = resume_run(
            run_id, checkpointer=settings.state_url, settings=settings, progress=ConsoleProgress()
        )
        guard.explain(outcome)
    report(outcome, state or "")
