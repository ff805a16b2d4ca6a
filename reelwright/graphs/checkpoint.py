"""Checkpointer by URL: sqlite:///path (default, embedded), memory:// (tests, one process)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel

from reelwright.errors import InputError, ReelwrightError, param

STATE = param("checkpointer")  # the checkpointer URL, named as the caller named it

_MEMORY: dict[str, InMemorySaver] = {}


def serializer() -> JsonPlusSerializer:
    """Deserialise only our own state types (and LangGraph's safe ones), never arbitrary classes."""
    from enum import Enum

    from reelwright import models
    from reelwright.audio import cache, track, voice
    from reelwright.graphs import state

    allowed: list[tuple[str, str]] = []
    for module in (models, state, voice, cache, track):
        for name, obj in vars(module).items():
            if (
                isinstance(obj, type)
                and issubclass(obj, BaseModel | Enum)
                and obj.__module__ == module.__name__
            ):
                allowed.append((module.__name__, name))
    return JsonPlusSerializer(allowed_msgpack_modules=allowed)


@contextmanager
def open_checkpointer(url: str, create: bool = True) -> Iterator[BaseCheckpointSaver[Any]]:
    """The saver for a URL; with create=False a missing SQLite file is an error (reading
    runs never creates a database)."""
    if url.startswith("memory://"):
        saver = _MEMORY.setdefault(url, InMemorySaver(serde=serializer()))
        yield saver
        return
    if url.startswith("sqlite:///"):
        from langgraph.checkpoint.sqlite import SqliteSaver

        path = Path(url.removeprefix("sqlite:///"))
        if path.exists() and path.is_dir():
            raise InputError(f"{STATE} {url}: {path} is a folder, not a database file")
        if not create and not path.is_file():
            from reelwright.errors import NotFoundError

            raise NotFoundError(f"no runs yet: there is no state database at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        try:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                sqlite_saver = SqliteSaver(conn, serde=serializer())
                sqlite_saver.setup()
            except sqlite3.DatabaseError as exc:
                raise _open_error(url, path, exc) from None
            yield sqlite_saver
        finally:
            conn.close()
        return
    if url.startswith(("postgres://", "postgresql://")):
        raise InputError(
            f"{STATE} postgres://… is planned; use sqlite:///PATH or memory:// for now"
        )
    raise InputError(f"{STATE} {url!r}: expected sqlite:///PATH or memory://")


def _open_error(url: str, path: Path, exc: sqlite3.DatabaseError) -> ReelwrightError:
    """A file that is not SQLite (or is corrupt) is bad input; a locked or unwritable one is
    a failure worth retrying."""
    if isinstance(exc, sqlite3.OperationalError) and "not a database" not in str(exc):
        return ReelwrightError(f"{STATE} {url}: cannot open the state database {path}: {exc}")
    return InputError(f"{STATE} {url}: {path} is not a SQLite database ({exc})")


def thread_ids(saver: BaseCheckpointSaver[Any]) -> list[str]:
    """Every run id the checkpointer holds, oldest first."""
    conn = getattr(saver, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        rows = conn.execute(
            "SELECT thread_id, MIN(checkpoint_id) FROM checkpoints GROUP BY thread_id "
            "ORDER BY MIN(checkpoint_id)"
        ).fetchall()
        return [r[0] for r in rows]
    seen: dict[str, None] = {}
    for item in saver.list(None):
        seen.setdefault(item.config["configurable"]["thread_id"], None)
    return list(reversed(seen))
