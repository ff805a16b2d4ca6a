"""The audit trail: every decision, edit and auto-approval appended to a hash-chained JSONL
log, so `reelwright audit verify` detects any edit, deletion or reordering.

The chain alone cannot show that records were cut off its end: what is left is still a valid
chain. So each append also rewrites the log's head — how many records it holds and the last
one's hash — in a file beside it (`audit.head.json`), atomically and under the same lock.
`verify` checks the log against its head: fewer records, a different last hash, or records
with no head at all are reported. Someone able to rewrite both files can still forge a
shorter history; copy the head elsewhere (`audit verify` prints it) to anchor it further.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from pydantic import BaseModel, ConfigDict, Field

from reelwright.models import Approval
from reelwright.paths import atomic_write

GENESIS = "0" * 64


class AuditRecord(TypedDict, total=False):
    """One line of the audit log: a decision, its place in the chain and its hash. Lines are
    read back as they are on disk (untrusted): `verify` checks every field it relies on."""

    seq: int
    at: str
    run_id: str
    index: int
    gate: str
    reviewer: str
    role: str | None
    decision: str
    auto: bool
    revision: str
    note: str
    edits: list[dict[str, object]]
    to: str | None
    prev: str
    hash: str


def _digest(record: AuditRecord) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class AuditHead(BaseModel):
    """Where the log ended at its last append: kept outside the log, so a cut is visible."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    count: int = Field(ge=0)
    last_hash: str


def _parse(text: str) -> list[AuditRecord]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.stem + ".head.json")

    def records(self) -> list[AuditRecord]:
        if not self.path.is_file():
            return []
        return _parse(self.path.read_text(encoding="utf-8"))

    def head(self) -> AuditHead | None:
        """The head written at the last append; None when there is none."""
        if not self.head_path.is_file():
            return None
        return AuditHead.model_validate_json(self.head_path.read_bytes())

    def _write_head(self, records: list[AuditRecord]) -> None:
        head = AuditHead(count=len(records), last_hash=records[-1]["hash"] if records else GENESIS)
        atomic_write(self.head_path, head.model_dump_json().encode())

    def sync(self, run_id: str, approvals: list[Approval]) -> int:
        """Append the run's approvals the log does not hold yet (by position). Returns how many."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            lines = _parse(fh.read())
            head = self.head()
            # a log cut short of its head keeps that head, so the next append cannot hide
            # the cut; a log with no head (one that predates heads) is given one
            keep_head = head is not None and bool(_against_head(lines, head, self.head_path))
            have = sum(1 for r in lines if r["run_id"] == run_id)
            prev = lines[-1]["hash"] if lines else GENESIS
            seq = lines[-1]["seq"] + 1 if lines else 1
            added = 0
            for index, a in enumerate(approvals[have:], start=have):
                record: AuditRecord = {
                    "seq": seq,
                    "at": a.at or datetime.now(UTC).isoformat(timespec="seconds"),
                    "run_id": run_id,
                    "index": index,
                    "gate": a.gate,
                    "reviewer": a.by,
                    "role": a.role,
                    "decision": a.decision,
                    "auto": a.auto,
                    "revision": a.revision,
                    "note": a.note,
                    "edits": [e.model_dump(mode="json") for e in a.edits],
                    "to": a.to,
                    "prev": prev,
                }
                record["hash"] = _digest(record)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                lines.append(record)
                prev, seq, added = record["hash"], seq + 1, added + 1
            fh.flush()
            os.fsync(fh.fileno())
            if (added or head is None) and lines and not keep_head:
                self._write_head(lines)  # after the records are durable, still under the lock
        return added

    def _read_locked(self) -> tuple[list[AuditRecord], AuditHead | None]:
        """Records and head as one consistent pair: read under the appenders' lock."""
        if not self.path.is_file():
            return [], self.head()
        with open(self.path, encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH)
            return _parse(fh.read()), self.head()

    def verify(self) -> list[str]:
        """Problems found; empty when the chain is intact and ends where its head says."""
        problems = []
        prev, expected_seq = GENESIS, 1
        try:
            records, head = self._read_locked()
        except ValueError as exc:
            return [f"unreadable line or head: {exc}"]
        problems += _against_head(records, head, self.head_path)
        for n, r in enumerate(records, start=1):
            if r.get("seq") != expected_seq:
                problems.append(
                    f"line {n}: sequence {r.get('seq')}, expected {expected_seq} "
                    "(a record was deleted or moved)"
                )
            if r.get("prev") != prev:
                problems.append(
                    f"line {n}: does not follow the record before it "
                    "(deleted, inserted or reordered)"
                )
            if _digest(r) != r.get("hash"):
                problems.append(f"line {n}: contents do not match its hash (edited)")
            prev = r.get("hash", "")
            expected_seq = (r.get("seq") or expected_seq) + 1
        return problems


def _against_head(records: list[AuditRecord], head: AuditHead | None, head_path: Path) -> list[str]:
    """Truncation: the log must reach at least as far as its head, and hold the head's last
    record where the head says. More records than the head counts are allowed only when the
    head's record is among them (an append that crashed before rewriting the head)."""
    if head is None:
        if records:
            return [
                f"the head {head_path.name} is missing: records at the end may have been "
                "deleted (or the log predates heads; the next decision writes one)"
            ]
        return []
    if len(records) < head.count:
        return [
            f"truncated: the head says {head.count} records, the log holds {len(records)} "
            "(records at the end were deleted)"
        ]
    if head.count and records[head.count - 1].get("hash") != head.last_hash:
        return [
            f"record {head.count} does not match the head's last hash "
            "(the end of the log was replaced)"
        ]
    return []
