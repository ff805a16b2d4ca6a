"""What the command line shows of the `reelwright` logger tree.

The library logs at its seams (LLM requests and retries, render batches, cache decisions,
gate decisions) and adds only a NullHandler, so nothing is printed unless asked for:
`--verbose` (INFO; `-vv` DEBUG) or `REELWRIGHT_LOG_LEVEL` sends those lines to stderr.
Kept free of pydantic and rich so every command can call it before it parses anything.
"""

from __future__ import annotations

import logging
import os
import sys

LOGGER = "reelwright"
LOG_LEVEL_ENV = "REELWRIGHT_LOG_LEVEL"
LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def console_level(verbose: int, environ: dict[str, str] | None = None) -> int | None:
    """The level asked for: `-v` INFO, `-vv` DEBUG, else `REELWRIGHT_LOG_LEVEL`; None for
    none (quiet). The more verbose of the two wins. ValueError names a bad variable."""
    env = os.environ if environ is None else environ
    levels: list[int] = []
    if verbose:
        levels.append(logging.DEBUG if verbose > 1 else logging.INFO)
    raw = env.get(LOG_LEVEL_ENV, "").strip()
    if raw:
        if raw.lower() not in LEVELS:
            raise ValueError(f"{LOG_LEVEL_ENV}: {raw!r} is not one of {', '.join(LEVELS)}")
        levels.append(LEVELS[raw.lower()])
    return min(levels) if levels else None


class ConsoleLog:
    """A stderr handler on the `reelwright` logger at `level`, removed again by `close`."""

    def __init__(self, level: int) -> None:
        self.logger = logging.getLogger(LOGGER)
        self.handler = logging.StreamHandler(sys.stderr)
        self.handler.setLevel(level)
        self.handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
        self._previous = self.logger.level
        self.logger.addHandler(self.handler)
        if self.logger.getEffectiveLevel() > level:
            self.logger.setLevel(level)

    def close(self) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self._previous)
