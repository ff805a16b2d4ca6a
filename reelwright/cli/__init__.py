"""The `reelwright` command: a thin layer over `reelwright.api`, one module per command group.

Exit codes: 0 published; 1 failed (state kept, `resume` continues); 2 bad input;
3 paused at an approval gate; 4 busy (another process holds the run). Heavy modules are
imported inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import sys

import typer

# isort: off
# importing a module registers its commands; this order is the order `--help` lists them
from reelwright.cli import run, review, critique, tools, evals  # noqa: F401

# isort: on
from reelwright.cli.app import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PAUSED,
    app,
)

__all__ = ["EXIT_BUSY", "EXIT_FAILED", "EXIT_INPUT", "EXIT_OK", "EXIT_PAUSED", "app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted; state kept — `reelwright resume RUN_ID` continues", err=True)
        sys.exit(130)
