"""The audit trail: every decision, edit and auto-approval appended to a hash-chained JSONL
log, so `reelwright audit verify` detects any edit, deletion or reordering."""

from __future__ import annotations

import fcntl
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reelwright.models import Approval

GENESIS = "0" * 64


def _digest(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def records(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        return [
            json.loads(line)
            for line in self.path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    def sync(self, run_id: str, approvals: list[Approval]) -> int:
        """Append the run's approvals the log does not hold yet (by position). Returns how many."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.seek(0)
            lines = [json.loads(x) for x in fh.read().splitlines() if x.strip()]
            have = sum(1 for r in lines if r["run_id"] == run_id)
            prev = lines[-1]["hash"] if lines else GENESIS
            seq = lines[-1]["seq"] + 1 if lines else 1
            added = 0
            for index, a in enumerate(approvals[have:], start=have):
                record = {
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
                prev, seq, added = record["hash"], seq + 1, added + 1
            fh.flush()
        return added

    def verify(self) -> list[str]:
        """Problems found; empty when the chain is intact."""
        problems = []
        prev, expected_seq = GENESIS, 1
        try:
            records = self.records()
        except ValueError as exc:
            return [f"unreadable line: {exc}"]
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
