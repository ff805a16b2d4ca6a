"""One process at a time per run: a non-blocking file lock under the project home."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reelwright.config import HomePaths
from reelwright.errors import BusyError
from reelwright.paths import check_id


@contextmanager
def run_lock(home: Path, run_id: str) -> Iterator[None]:
    check_id(run_id, "run id")
    folder = HomePaths(Path(home)).locks
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{run_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(
                f"run {run_id} is being run or resumed by another process; try again when it "
                "is done"
            ) from None
        yield
    finally:
        os.close(fd)
