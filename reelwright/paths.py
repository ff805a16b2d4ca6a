"""The one owner of where files go: every write under the output folder passes through here."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from reelwright.errors import InputError
from reelwright.models import SAFE_ID_BODY

_SAFE_ID = re.compile(SAFE_ID_BODY)
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def check_id(value: str, what: str = "id") -> str:
    """Return value if it is a safe id (letters, digits, '-' and '_'), else raise InputError."""
    if not isinstance(value, str) or not _SAFE_ID.fullmatch(value):
        raise InputError(
            f"{what} {value!r} is not allowed: use letters, digits, '-' and '_' (max 64 chars)"
        )
    return value


class OutputDir:
    """An episode package folder. Paths inside it are built from checked names only."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def path(self, *parts: str) -> Path:
        for part in parts:
            if not _SAFE_NAME.fullmatch(part) or ".." in part:
                raise InputError(f"refusing unsafe file name {part!r} in the output folder")
        target = self.root.joinpath(*parts).resolve()
        if self.root != target and self.root not in target.parents:
            raise InputError(f"refusing to write outside the output folder: {target}")
        return target

    def frame(self, shot_id: str) -> Path:
        return self.path("frames", f"{check_id(shot_id, 'shot id')}.png")

    def write_bytes(self, data: bytes, *parts: str) -> Path:
        return atomic_write(self.path(*parts), data)

    def write_text(self, text: str, *parts: str) -> Path:
        return atomic_write(self.path(*parts), text.encode("utf-8"))


def atomic_write(target: Path, data: bytes) -> Path:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def inside(path: Path, root: Path) -> bool:
    """Whether `path` is `root` or lies under it, both with symlinks resolved."""
    path, root = path.resolve(), root.resolve()
    return path == root or root in path.parents
