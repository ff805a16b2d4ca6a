"""Usage a failed step spent that the run's state never recorded (a step that raises writes
nothing to its checkpoint): kept in a small file beside the run's log until a later step of
the same run records it, so a run that fails, is resumed and publishes still counts every
request it made.

Each failed drive adds one entry with its own id; the step that records entries names their
ids in the state (`EpisodeState.carried`), so an entry is never counted twice, even when a
crash comes between the checkpoint that records it and the removal of the entry.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from pydantic import BaseModel, ConfigDict, TypeAdapter

from reelwright.models import Usage
from reelwright.paths import atomic_write


class CarriedUsage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    usage: dict[str, Usage]


_ENTRIES = TypeAdapter(list[CarriedUsage])


class UsageCarry:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def entries(self) -> list[CarriedUsage]:
        if not self.path.is_file():
            return []
        try:
            return _ENTRIES.validate_json(self.path.read_bytes())
        except (OSError, ValueError):
            return []  # an unreadable carry loses counts, never the run

    def add(self, usage: dict[str, Usage]) -> None:
        if not usage:
            return
        entry = CarriedUsage(id=secrets.token_hex(6), usage=usage)
        self._write([*self.entries(), entry])

    def unrecorded(self, recorded: list[str]) -> list[CarriedUsage]:
        """Entries the state has not recorded yet."""
        done = set(recorded)
        return [e for e in self.entries() if e.id not in done]

    def forget(self, recorded: list[str]) -> None:
        """Drop the entries the state has recorded (after its checkpoint holds them)."""
        done = set(recorded)
        keep = [e for e in self.entries() if e.id not in done]
        if len(keep) == len(self.entries()):
            return
        if keep:
            self._write(keep)
        else:
            self.path.unlink(missing_ok=True)

    def _write(self, entries: list[CarriedUsage]) -> None:
        data = [e.model_dump(mode="json") for e in entries]
        atomic_write(self.path, json.dumps(data).encode())
