"""The kill matrix: a run is killed (SIGKILL, by the built-in fault hook) before and after every
node and before and after every checkpoint write, then resumed. Every case must end with a
complete, verified, published package, the right audit records and the right counts — and no
kill may leave a false claim of success behind.

Each case forks the test process (imports already loaded) and lets the child run until the
hook kills it; the parent checks what the kill left on disk, then resumes in-process."""

from __future__ import annotations

import hashlib
import json
import os
import signal
from pathlib import Path

import pytest

from reelwright.api import resume_run, run_episode
from reelwright.approval.audit import AuditLog
from reelwright.config import Settings
from reelwright.errors import ConflictError
from reelwright.graphs.faults import ENV, WHENS
from reelwright.package import PACKAGE_FILES

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

NODES = [
    "clearance",
    "writer",
    "screen_script",
    "director",
    "screen_shots",
    "render",
    "critic",
    "package",
    "gate",
    "publish",
]


def _in_child(fault: str, work) -> int:
    """Run `work` in a forked child with the fault armed; return the child's wait status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.environ[ENV] = fault
            work()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def _settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    return Settings(home=home, state=f"sqlite:///{home / 'state.sqlite'}")


def _audit(settings: Settings, run_id: str) -> list[dict]:
    return [r for r in AuditLog(settings.paths.audit).records() if r["run_id"] == run_id]


def assert_no_false_claim(out: Path, settings: Settings, run_id: str) -> None:
    """Whatever a kill left: a package that says published is complete and audited."""
    record_path = out / "run.json"
    if not record_path.is_file():
        return
    record = json.loads(record_path.read_text())
    if record["status"] != "published":
        return
    assert_published(out, settings, run_id)


def assert_published(out: Path, settings: Settings, run_id: str) -> dict:
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "published"
    assert record["run_id"] == run_id
    for name in [*PACKAGE_FILES, "run.json"]:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    shots = json.loads((out / "shots.json").read_text())["shots"]
    provenance = json.loads((out / "provenance.json").read_text())
    on_disk = sorted(p.name for p in (out / "frames").iterdir())
    assert on_disk == sorted(f"{s['id']}.png" for s in shots)
    for frame in provenance["frames"]:
        data = (out / frame["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == frame["sha256"], frame["file"]
    approvals = [a for a in record["approvals"] if a["gate"] == "final"]
    assert approvals and approvals[-1]["decision"] == "approve"
    assert provenance["approvals"] == record["approvals"]
    audited = _audit(settings, run_id)
    assert [(a["gate"], a["decision"], a["reviewer"]) for a in audited] == [
        (a["gate"], a["decision"], a["by"]) for a in record["approvals"]
    ]
    assert AuditLog(settings.paths.audit).verify() == []
    return record


MATRIX = [(when, node) for node in NODES for when in WHENS]


@pytest.mark.slow
@pytest.mark.parametrize(("when", "node"), MATRIX, ids=[f"{w}:{n}" for w, n in MATRIX])
def test_kill_at_every_boundary_then_resume(tmp_path, examples, when, node):
    settings = _settings(tmp_path)
    out = tmp_path / "out"
    brief = examples / "briefs" / "first-light.yaml"

    def work() -> None:
        run_episode(
            brief,
            out=out,
            auto_approve=True,
            llm=None,
            run_id="kill",
            settings=settings,
            max_iterations=1,
        )

    status = _in_child(f"{when}:{node}", work)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
    assert_no_false_claim(out, settings, "kill")
    if node == "clearance" and when == "before":  # killed before the first checkpoint
        pass
    outcome = resume_run("kill", settings=settings)
    assert outcome.status == "published", outcome.error
    record = assert_published(out, settings, "kill")
    # one auto-approval, audited once; every shot rendered once by this run, counted as such
    assert [a["by"] for a in record["approvals"]] == ["auto-approve policy"]
    first = record["renders"]["by_iteration"][0]
    assert first["rendered"] == record["shots"] and first["cached"] == 0, first
    again = resume_run("kill", settings=settings)  # a second resume changes nothing
    assert again.status == "published"
    assert json.loads((out / "run.json").read_text()) == record
    assert len(_audit(settings, "kill")) == 1


DECISION = [(when, node) for node in ("gate", "publish") for when in WHENS]


@pytest.mark.slow
@pytest.mark.parametrize(("when", "node"), DECISION, ids=[f"{w}:{n}" for w, n in DECISION])
def test_kill_while_a_decision_publishes_then_resume(tmp_path, examples, when, node):
    settings = _settings(tmp_path)
    out = tmp_path / "out"
    first = run_episode(
        examples / "briefs" / "first-light.yaml",
        out=out,
        llm=None,
        run_id="decide",
        settings=settings,
        max_iterations=1,
    )
    assert first.status == "awaiting_approval"

    def work() -> None:
        resume_run("decide", settings=settings, decision={"decision": "approve", "by": "sam"})

    status = _in_child(f"{when}:{node}", work)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
    assert_no_false_claim(out, settings, "decide")
    outcome = resume_run("decide", settings=settings)
    if outcome.status == "awaiting_approval":  # killed before the decision was recorded
        assert not _audit(settings, "decide")
        outcome = resume_run(
            "decide", settings=settings, decision={"decision": "approve", "by": "sam"}
        )
    assert outcome.status == "published", outcome.error
    record = assert_published(out, settings, "decide")
    assert [a["by"] for a in record["approvals"]] == ["sam"]


def test_a_decision_retried_after_a_kill_is_told_to_resume(tmp_path, examples):
    """A kill after the decision was checkpointed: approving again is refused with the
    command that finishes the run, and that command publishes with the one decision."""
    settings = _settings(tmp_path)
    out = tmp_path / "out"
    run_episode(
        examples / "briefs" / "first-light.yaml",
        out=out,
        llm=None,
        run_id="retry",
        settings=settings,
        max_iterations=1,
    )

    def work() -> None:
        resume_run("retry", settings=settings, decision={"decision": "approve", "by": "sam"})

    status = _in_child("before:publish", work)
    assert os.WIFSIGNALED(status)
    with pytest.raises(ConflictError, match="reelwright resume retry"):
        resume_run("retry", settings=settings, decision={"decision": "approve", "by": "sam"})
    assert resume_run("retry", settings=settings).status == "published"
    assert [a["reviewer"] for a in _audit(settings, "retry")] == ["sam"]
