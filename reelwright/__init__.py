"""Reelwright: agentic content production — write, direct, render, critique, approve, publish.

The public API is `run_episode`, `resume_run` and `build_graph`. They import the graph
machinery when called, so `import reelwright` stays light.

Logging goes to the `reelwright` logger tree, quiet unless the application configures it
(the CLI does with `--verbose` or `REELWRIGHT_LOG_LEVEL`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

# the one copy of the version: pyproject.toml reads it ([tool.setuptools.dynamic])
__version__ = "0.1.0"

logging.getLogger("reelwright").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from reelwright.api import RunOutcome


def run_episode(*args: Any, **kwargs: Any) -> RunOutcome:
    """Run a brief through the writer/director/critic loop; see `reelwright.api.run_episode`."""
    from reelwright.api import run_episode as _run

    return _run(*args, **kwargs)


def resume_run(*args: Any, **kwargs: Any) -> RunOutcome:
    """Continue a crashed or paused run; see `reelwright.api.resume_run`."""
    from reelwright.api import resume_run as _resume

    return _resume(*args, **kwargs)


def build_graph(*args: Any, **kwargs: Any) -> Any:
    """The episode StateGraph builder; see `reelwright.graphs.episode.build_graph`."""
    from reelwright.graphs.episode import build_graph as _build

    return _build(*args, **kwargs)


__all__ = ["__version__", "build_graph", "resume_run", "run_episode"]
