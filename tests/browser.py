"""Headless Chromium for the browser tests: Debian's chromium (installed by .ci/run), not
Playwright's own download, with the flags that keep it off the network."""

from __future__ import annotations

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
    """The chromium executable on PATH, or None (the browser tests then skip)."""
    return shutil.which("chromium") or shutil.which("chromium-browser")
