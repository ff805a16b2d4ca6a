"""Runs waiting at an approval gate, read straight from a SQLite state database.

`review list` and the review pages only need each run's gate request, which the gate
stores as its interrupt value (plain JSON). Reading it with SQL and msgpack avoids
importing LangGraph and compiling the graph, which cost a second before the first row.
What counts as waiting is what LangGraph reports: the run's latest checkpoint has a
pending `__interrupt__` write. `tests/graphs/test_waiting.py` holds this reader to the
graph's own answer, so a change in LangGraph's storage shows up there.
"""

from __future__ import annotations

import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reelwright.records import GateRequest

_INTERRUPT = "__interrupt__"
_KW_ARGS = 2  # LangGraph's msgpack extension for an object built from keyword arguments


class Unreadable(Exception):
    """The database holds something this reader does not know; ask the graph instead."""


def _ext(code: int, data: bytes) -> Any:
    import ormsgpack

    return (code, ormsgpack.unpackb(data, ext_hook=_ext, option=ormsgpack.OPT_NON_STR_KEYS))


def _unpack(kind: str, blob: bytes) -> Any:
    import ormsgpack

    if kind != "msgpack":
        raise Unreadable(f"a {kind!r} value")
    try:
        return ormsgpack.unpackb(blob, ext_hook=_ext, option=ormsgpack.OPT_NON_STR_KEYS)
    except (ormsgpack.MsgpackDecodeError, ValueError, TypeError) as exc:
        raise Unreadable(str(exc)) from None


def _checkpoint_time(kind: str, blob: bytes) -> str | None:
    """The checkpoint's `ts`. LangGraph writes the checkpoint as a msgpack map whose first
    entries are `v` (an int) and `ts` (a string), then the whole episode state (~30 KB): the
    head is read alone, and anything else falls back to decoding the whole map."""
    if kind == "msgpack":
        try:
            return _head_string(blob, "ts")
        except (_Shape, IndexError, struct.error, UnicodeDecodeError):
            pass
    checkpoint = _unpack(kind, blob)
    since = checkpoint.get("ts") if isinstance(checkpoint, dict) else None
    return since if isinstance(since, str) else None


class _Shape(Exception):
    """Not the head this reader expects."""


def _head_string(blob: bytes, wanted: str) -> str:
    """The string value of key `wanted` in the msgpack map `blob`, reading only the entries
    before it, which must be strings or unsigned ints."""
    first = blob[0]
    if 0x80 <= first <= 0x8F:
        entries, pos = first & 0x0F, 1
    elif first == 0xDE:
        entries, pos = struct.unpack_from(">H", blob, 1)[0], 3
    else:
        raise _Shape
    for _ in range(entries):
        key, pos = _string(blob, pos)
        if key == wanted:
            return _string(blob, pos)[0]
        marker = blob[pos]
        if marker < 0x80:  # positive fixint
            pos += 1
        elif marker in _UINT:
            pos += 1 + _UINT[marker]
        else:
            pos = _string(blob, pos)[1]
    raise _Shape


_UINT = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}
_STR = {0xD9: ">B", 0xDA: ">H", 0xDB: ">I"}


def _string(blob: bytes, pos: int) -> tuple[str, int]:
    marker = blob[pos]
    if 0xA0 <= marker <= 0xBF:
        size, pos = marker & 0x1F, pos + 1
    elif marker in _STR:
        fmt = _STR[marker]
        size, pos = struct.unpack_from(fmt, blob, pos + 1)[0], pos + 1 + struct.calcsize(fmt)
    else:
        raise _Shape
    return blob[pos : pos + size].decode("utf-8"), pos + size


def _gate_value(writes: Any) -> Any:
    """The first interrupt's value, from the list of Interrupt objects a write holds."""
    if not isinstance(writes, list) or not writes:
        raise Unreadable("an interrupt write that is not a list")
    first = writes[0]
    match first:
        case (code, [str(module), str(name), dict(kwargs), *_]) if code == _KW_ARGS and (
            module,
            name,
        ) == ("langgraph.types", "Interrupt"):
            return kwargs.get("value")
    raise Unreadable("an interrupt of an unknown shape")


def read_waiting(url: str) -> list[GateRequest] | None:
    """The runs waiting at a gate in the state database at `url`, or None when only the
    graph can tell (memory://, a file that is not a state database, a value of an unknown
    shape): callers then ask `reelwright.api.pending_runs`."""
    if not url.startswith("sqlite:///"):
        return None
    try:
        return waiting_runs(Path(url.removeprefix("sqlite:///")))
    except (Unreadable, sqlite3.Error):
        return None


def has_run(url: str, run_id: str) -> bool | None:
    """Whether the SQLite state at `url` holds run `run_id`; None when only the graph can
    tell. Lets a command refuse an unknown run id before it imports the engine."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    if not path.is_file():
        return None  # the engine says why (no state database yet)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            found = conn.execute(
                "SELECT 1 FROM checkpoints WHERE thread_id = ? LIMIT 1", (run_id,)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return found is not None


def waiting_runs(path: Path) -> list[GateRequest]:
    """The gate requests of the runs waiting in the SQLite database at `path`, oldest run
    first, each with `waiting_since` (its checkpoint's time). Raises Unreadable when a
    value is not in a shape this reader knows; sqlite3.Error when the file is not a state
    database."""
    if not path.is_file():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"checkpoints", "writes"} <= tables:
            return []
        latest = conn.execute(
            "SELECT thread_id, MAX(checkpoint_id), MIN(checkpoint_id) FROM checkpoints "
            "WHERE checkpoint_ns = '' GROUP BY thread_id ORDER BY MIN(checkpoint_id)"
        ).fetchall()
        rows: list[GateRequest] = []
        for run_id, checkpoint_id, _ in latest:
            write = conn.execute(
                "SELECT type, value FROM writes WHERE thread_id = ? AND checkpoint_ns = '' "
                "AND checkpoint_id = ? AND channel = ? ORDER BY task_id, idx LIMIT 1",
                (run_id, checkpoint_id, _INTERRUPT),
            ).fetchone()
            if write is None:
                continue
            gate = GateRequest.from_interrupt(_gate_value(_unpack(*write)), run_id)
            kind, blob = conn.execute(
                "SELECT type, checkpoint FROM checkpoints WHERE thread_id = ? "
                "AND checkpoint_ns = '' AND checkpoint_id = ?",
                (run_id, checkpoint_id),
            ).fetchone()
            since = _checkpoint_time(kind, blob)
            rows.append(gate.model_copy(update={"waiting_since": since}))
        return rows
    finally:
        conn.close()


def waited(since: str | None, now: datetime | None = None) -> str:
    """How long a run has waited at its gate, for people: `3 d 4 h`, `2 h 5 min`, `40 s`."""
    if not since:
        return "—"
    try:
        start = datetime.fromisoformat(since)
    except ValueError:
        return "—"
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    seconds = max(0, int(((now or datetime.now(UTC)) - start).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"
