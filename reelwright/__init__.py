"""Reelwright: agentic content production — write, direct, render, critique, approve, publish.

The public API is `run_episode`, `resume_run` and `build_graph`. They import the graph
machinery when called, so `import reelwright` stays light.

Logging goes to the `reelwright` logger tree, quiet unless the application configures it
(the CLI does with `--verbose` or `REELWRIGHT_LOG_LEVEL`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from reelwright.version import __version__

logging.getLogger("reelwright").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from reelwright.api import resume_run, run_episode
    from reelwright.graphs.episode import build_graph

_LAZY = {
    "run_episode": "reelwright.api",
    "resume_run": "reelwright.api",
    "build_graph": "reelwright.graphs.episode",
}


def __getattr__(name: str) -> Any:
    """`reelwright.run_episode` and friends are the real functions (signatures, docstrings,
    warnings blamed on the caller), imported on first use so `import reelwright` stays light."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'reelwright' has no attribute {name!r}")


__all__ = ["__version__", "build_graph", "resume_run", "run_episode"]
