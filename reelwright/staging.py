"""Output folders as transactions: every write of a package goes to a staging folder beside
`--out` and is swapped into place with one rename, so a crash at any instant leaves either the
previous package or the new one — never half of each — and a user's files are never deleted.

The rules for `--out`: it may be new, empty, or hold an earlier package of the same run
(a `run.json` with that run id, and only the files that package lists with their hashes).
Anything else is refused unless `force=True`, which moves the old folder aside whole.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from reelwright import records
from reelwright.errors import InputError, param
from reelwright.paths import OutputDir, check_id, inside
from reelwright.records import RunRecord

log = logging.getLogger("reelwright.staging")

MARKER = ".reelwright-staging"
OUT, FORCE = param("out"), param("force", "True")
RECORD = "run.json"
Kind = Literal["new", "empty", "same-run"]


@dataclass(frozen=True)
class FolderCheck:
    """What an output folder holds, as far as writing a package there is concerned."""

    kind: Kind | Literal["foreign"]
    problems: tuple[str, ...] = ()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_files(root: Path) -> dict[str, str]:
    """Every file under root (but run.json) as {relative posix path: sha256}."""
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink() and rel not in (RECORD, MARKER):
            files[rel] = sha256_file(path)
    return files


def read_record(root: Path) -> RunRecord | None:
    """The run.json of the package in `root`; None when there is none. One that is not a
    RunRecord of this version is an InputError naming the file and what is wrong."""
    path = root / RECORD
    if not path.exists() and not path.is_symlink():
        return None
    return records.read_record(path, RunRecord)


class _RunIdentity(BaseModel):
    """Whose package a run.json says it is, read from any version of it."""

    model_config = ConfigDict(extra="ignore")

    run_id: str


def _other_run(root: Path, run_id: str) -> str | None:
    """For a run.json this version cannot read: 'another run' when it names one."""
    try:
        other = _RunIdentity.model_validate_json((root / RECORD).read_bytes()).run_id
    except (OSError, ValueError):
        return None
    return f"it holds the package of another run ({other!r})" if other != run_id else None


def inspect_folder(root: Path, run_id: str, package_id: str = "") -> FolderCheck:
    """Classify an output folder; `foreign` lists what the package did not write. A package
    is this run's only if its run.json names the run id *and* the run's random package id, so
    a run of the same id from another project or state database is someone else's."""
    if not root.exists() and not root.is_symlink():
        return FolderCheck("new")
    if not root.is_dir():
        return FolderCheck("foreign", (f"{root} exists and is not a folder",))
    entries = [p for p in root.iterdir() if p.name != MARKER]
    if not entries:
        return FolderCheck("empty")
    try:
        record = read_record(root)
    except InputError as exc:
        other = _other_run(root, run_id)
        unusable = f"it holds files and no Reelwright run.json it can use ({exc})"
        return FolderCheck("foreign", (other or unusable,))
    if record is None:
        return FolderCheck("foreign", ("it holds files and no Reelwright run.json",))
    if record.run_id != run_id:
        return FolderCheck("foreign", (f"it holds the package of another run ({record.run_id!r})",))
    if record.package_id != package_id:
        return FolderCheck(
            "foreign",
            (f"it holds the package of another run named {run_id!r} (another project or state)",),
        )
    listed = record.files
    problems: list[str] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel in (RECORD, MARKER) or (path.is_dir() and not path.is_symlink()):
            continue
        if path.is_symlink() or not path.is_file():
            problems.append(f"{rel} (not a plain file)")
        elif rel not in listed:
            problems.append(f"{rel} (not written by this run's package)")
        elif sha256_file(path) != listed[rel]:
            problems.append(f"{rel} (changed since the package wrote it)")
    return FolderCheck("foreign", tuple(problems)) if problems else FolderCheck("same-run")


def resolve_out(out: Path | str, guarded: tuple[Path, ...] = ()) -> Path:
    """Resolve `--out` (symlinks followed): the output folder may not be, nor contain, any
    `guarded` path (the state folder and database, the inputs, the working directory), nor
    sit inside the first one (the state folder)."""
    root = Path(out).expanduser().resolve()
    for n, path in enumerate(guarded):
        path = path.expanduser().resolve()
        if root == path or root in path.parents:
            raise InputError(
                f"{OUT} {out}: {root} would hold {path}; choose a folder of its own for the package"
            )
        if n == 0 and path in root.parents:
            raise InputError(
                f"{OUT} {out}: {root} is inside {path}, the state folder Reelwright manages; "
                "choose a folder outside it"
            )
    return root


def claim_out(
    root: Path,
    run_id: str,
    package_id: str = "",
    *,
    force: bool = False,
    move: bool = True,
    hint: str = "",
) -> Path | None:
    """Refuse an output folder that holds anything but nothing or this run's package. With
    `force` (and `move`), such a folder is moved aside whole — nothing is deleted — and the
    package starts afresh; returns where it went."""
    check_id(run_id, "run id")
    check = inspect_folder(root, run_id, package_id)
    if check.kind != "foreign" or (force and root.is_dir() and not move):
        return None
    if not root.is_dir() or not force:
        shown = "; ".join(check.problems[:5]) + (" …" if len(check.problems) > 5 else "")
        if not hint:
            hint = "Choose a new or empty folder."
            if root.is_dir():
                hint += (
                    f" Pass {param('force', 'True')} to move the folder aside (nothing is deleted)."
                )
        raise InputError(f"{OUT} {root}: refusing to write the package there: {shown}. {hint}")
    aside = _free_name(root.parent / f"{root.name}.moved-{datetime.now(UTC):%Y%m%d-%H%M%S}")
    os.rename(root, aside)
    log.warning("--force: moved the old contents of %s aside to %s", root, aside)
    return aside


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


class Staging:
    """One package write: `open()` a staging folder, fill it, `commit()` it into place."""

    def __init__(self, out: Path | str, run_id: str, package_id: str = "") -> None:
        self.out = Path(out)
        self.run_id = check_id(run_id, "run id")
        self.package_id = package_id
        self.stage = self.out.parent / f".{self.out.name}.staging-{run_id}"
        self.old = self.out.parent / f".{self.out.name}.old-{run_id}"

    def recover(self) -> None:
        """Finish or undo whatever a crash interrupted: a previous package whose swap did not
        complete goes back into place; leftover staging folders are discarded."""
        if self.old.is_dir() and not self.out.exists():
            os.rename(self.old, self.out)
        for leftover in (self.stage, self.old):
            if not leftover.is_dir():
                continue
            check = inspect_folder(leftover, self.run_id, self.package_id)
            ours = (leftover / MARKER).is_file() or check.kind in ("same-run", "empty")
            if not ours:
                raise InputError(f"{leftover} exists and was not made by Reelwright; move it away")
            shutil.rmtree(leftover)
        (self.out / MARKER).unlink(missing_ok=True)

    def open(self, carry: bool) -> OutputDir:
        """A fresh staging folder; with `carry`, the current package's files are linked in
        (hard links: nothing is copied, and the originals are never modified)."""
        self.recover()
        check = inspect_folder(self.out, self.run_id, self.package_id)
        if check.kind == "foreign":
            raise InputError(
                f"the output folder {self.out} now holds files this run's package did not "
                f"write ({'; '.join(check.problems[:5])}); move them out of the folder, then "
                f"`reelwright resume {self.run_id}`"
            )
        self.stage.mkdir(parents=True)
        (self.stage / MARKER).write_text(self.run_id, encoding="utf-8")
        if carry and check.kind == "same-run":
            for path in sorted(self.out.rglob("*")):
                rel = path.relative_to(self.out)
                target = self.stage / rel
                if path.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(path, target)
                except OSError:
                    shutil.copy2(path, target)
        return OutputDir(self.stage)

    def commit(self, record: RunRecord) -> None:
        """Write run.json (with every file's hash) last, then swap the folder into place."""
        record = record.model_copy(
            update={"package_id": self.package_id, "files": package_files(self.stage)}
        )
        OutputDir(self.stage).write_text(record.to_json(), RECORD)
        _fsync_dir(self.stage)
        if not self.out.exists():
            os.rename(self.stage, self.out)
        elif not any(self.out.iterdir()):
            os.rename(self.stage, self.out)  # replaces an empty folder in one step
        elif _exchange(self.stage, self.out):
            self._discard(self.stage)  # now holds the previous package
        else:
            os.rename(self.out, self.old)
            os.rename(self.stage, self.out)
            self._discard(self.old)
        (self.out / MARKER).unlink(missing_ok=True)
        _fsync_dir(self.out.parent)

    def _discard(self, previous: Path) -> None:
        """Remove a previous package — only if it holds nothing but what it lists."""
        if inspect_folder(previous, self.run_id, self.package_id).kind in ("same-run", "empty"):
            shutil.rmtree(previous)
            return
        kept = _free_name(previous.parent / f"{self.out.name}.kept-{self.run_id}")
        os.rename(previous, kept)
        log.warning("files appeared in %s while it was replaced; kept them in %s", self.out, kept)


@contextmanager
def staged(
    out: Path | str, run_id: str, carry: bool, package_id: str = ""
) -> Iterator[tuple[Staging, OutputDir]]:
    """Open a staging folder and discard it if the block raises (commit is the block's job)."""
    staging = Staging(out, run_id, package_id)
    folder = staging.open(carry)
    try:
        yield staging, folder
    except BaseException:
        shutil.rmtree(staging.stage, ignore_errors=True)
        raise


_RENAME_EXCHANGE = 2
_libc: ctypes.CDLL | None = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    global _libc
    if _libc is None:  # the C library already loaded into this process; no lookup subprocess
        _libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        errno = ctypes.get_errno()
        log.debug("renameat2 exchange unavailable (errno %s); using two renames", errno)
        return False
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def check_out_dir(out_dir: str | Path, home: Path, run_id: str, package_id: str = "") -> Path:
    """A stored output folder, re-checked before a resume writes to it: stored resolved, so a
    symlink that now redirects it is refused; never inside (nor holding) the state folder; and
    the rules of `--out` (new, empty, or this run's own package)."""
    stored = Path(out_dir)
    resolved = stored.resolve()
    if not stored.is_absolute() or resolved != stored:
        raise InputError(
            f"the stored output folder {stored} now resolves to {resolved} (a symlink or a "
            "relative path): refusing to write there; the state database may have been edited"
        )
    if inside(resolved, home):
        raise InputError(
            f"the stored output folder {stored} lies inside the state folder {home.resolve()}: "
            "refusing to write there; the state database may have been edited"
        )
    root = resolve_out(resolved, (home,))
    claim_out(
        root,
        run_id,
        package_id,
        hint=f"Move those files out of the folder, then `reelwright resume {run_id}`.",
    )
    return root
