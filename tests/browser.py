"""Headless Chromium for the browser tests: Debian's chromium (installed by .ci/run), not
Playwright's own download, with the flags that keep it off the network."""

from __future__ import annotations

import os
import shutil

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """The chromium executable on PATH, or None (the browser tests then skip).
    `REELWRIGHT_TEST_CHROMIUM` names another one; set empty, it means none (how .ci/run
    proves the suite passes on a machine without a browser)."""
    if "REELWRIGHT_TEST_CHROMIUM" in os.environ:
        return (
            shutil.which(os.environ["REELWRIGHT_TEST_CHROMIUM"])
            if os.environ["REELWRIGHT_TEST_CHROMIUM"]
            else None
        )
    return shutil.which("chromium") or shutil.which("chromium-browser")
