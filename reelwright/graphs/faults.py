"""Fault injection for crash tests: `REELWRIGHT_FAULT=WHEN:NODE[#N]` makes the graph runner
kill its own process with SIGKILL at one boundary of the run, so a test can prove that a crash
at that instant leaves a run that `resume` completes, and no false claim of success.

WHEN is one of
  before             the node is about to run (nothing of it has happened)
  after              the node's function returned (its side effects are done; LangGraph has
                     recorded nothing of it yet)
  before-checkpoint  LangGraph is about to write the checkpoint that follows the node
  after-checkpoint   that checkpoint was written

NODE is a graph node name; `#N` picks its N-th run in this process (default 1). The variable
is read when a graph is driven; unset, every hook is a no-op. It exists for tests only.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from typing import Any, Literal

from reelwright.errors import InputError

ENV = "REELWRIGHT_FAULT"
When = Literal["before", "after", "before-checkpoint", "after-checkpoint"]
WHENS: tuple[When, ...] = ("before", "after", "before-checkpoint", "after-checkpoint")


@dataclass
class FaultPlan:
    """One planned kill, and the counts that find its moment."""

    when: When
    node: str
    occurrence: int = 1
    started: dict[str, int] = field(default_factory=dict)
    finished: dict[str, int] = field(default_factory=dict)
    last_finished: tuple[str, int] | None = None

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        when, _, rest = text.partition(":")
        node, _, nth = rest.partition("#")
        if when not in WHENS or not node or (nth and not nth.isdigit()):
            raise InputError(
                f"{ENV}={text!r}: expected WHEN:NODE[#N] with WHEN one of {', '.join(WHENS)}"
            )
        return cls(when=when, node=node, occurrence=int(nth or 1))

    def _hit(self, node: str, count: int) -> bool:
        return node == self.node and count == self.occurrence

    def node_started(self, node: str) -> None:
        self.started[node] = self.started.get(node, 0) + 1
        if self.when == "before" and self._hit(node, self.started[node]):
            _die()

    def node_finished(self, node: str) -> None:
        self.finished[node] = self.finished.get(node, 0) + 1
        self.last_finished = (node, self.finished[node])
        if self.when == "after" and self._hit(node, self.finished[node]):
            _die()

    def checkpoint(self, written: bool) -> None:
        """Called around every checkpoint write; the one after the planned node is the target."""
        if self.last_finished is None or not self._hit(*self.last_finished):
            return
        if (self.when == "before-checkpoint" and not written) or (
            self.when == "after-checkpoint" and written
        ):
            _die()


_active: FaultPlan | None = None


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm() -> FaultPlan | None:
    """Read the environment when a graph is driven; the same plan keeps its counts across
    drives in one process (a run and the resumes that follow it)."""
    global _active
    text = os.environ.get(ENV, "").strip()
    if not text:
        _active = None
        return None
    plan = FaultPlan.parse(text)
    if _active is None or (plan.when, plan.node, plan.occurrence) != (
        _active.when,
        _active.node,
        _active.occurrence,
    ):
        _active = plan
    return _active


def node_started(node: str) -> None:
    if _active is not None:
        _active.node_started(node)


def node_finished(node: str) -> None:
    if _active is not None:
        _active.node_finished(node)


def watch_checkpoints(saver: Any) -> Any:
    """Wrap the saver's checkpoint write (on the instance) with the before/after hooks."""
    if _active is None or _active.when not in ("before-checkpoint", "after-checkpoint"):
        return saver
    if getattr(saver, "_reelwright_faults", False):
        return saver
    inner = saver.put

    def put(*args: Any, **kwargs: Any) -> Any:
        if _active is not None:
            _active.checkpoint(written=False)
        result = inner(*args, **kwargs)
        if _active is not None:
            _active.checkpoint(written=True)
        return result

    saver.put = put
    saver._reelwright_faults = True
    return saver
