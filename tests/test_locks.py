"""One process at a time per run: `run` holds the run's lock from start to end, the lock that
`resume` and decisions take; a second process is refused with exit 4 (busy), not 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reelwright.api import run_episode
from reelwright.approval.audit import AuditLog
from reelwright.cli import EXIT_BUSY, app
from reelwright.config import Settings
from reelwright.errors import BusyError
from reelwright.locks import run_lock

runner = CliRunner()


def test_resume_while_the_run_is_alive_is_refused_as_busy(tmp_path, examples, monkeypatch):
    home, out = tmp_path / "home", tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.slow_run",
            str(home),
            str(out),
            str(examples / "briefs/first-light.yaml"),
            "busy",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not list((home / "cache").rglob("*.json")) if (home / "cache").exists() else True:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        monkeypatch.setenv("REELWRIGHT_HOME", str(home))
        busy = runner.invoke(app, ["resume", "busy"])
        assert busy.exit_code == EXIT_BUSY == 4, busy.output
        assert "being run or resumed by another process" in busy.output
        assert proc.poll() is None  # the refusal came while the run was still going
    finally:
        stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0 and stdout.strip() == "published", stderr
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "published"
    audited = [r for r in AuditLog(home / "audit.jsonl").records() if r["run_id"] == "busy"]
    assert len(audited) == 1  # packaged and published once
    after = runner.invoke(app, ["resume", "busy"])
    assert after.exit_code == 0 and "published" in after.output


def test_run_with_a_held_lock_is_refused_and_writes_nothing(tmp_path, examples):
    settings = Settings(home=tmp_path / "home")
    with run_lock(settings.home, "held"), pytest.raises(BusyError):
        run_episode(
            examples / "briefs/first-light.yaml",
            out=tmp_path / "out",
            llm=None,
            run_id="held",
            settings=settings,
        )
    assert not (tmp_path / "out").exists()


def test_cli_run_with_a_held_lock_exits_4(project):
    with run_lock(project / ".reelwright", "held"):
        result = runner.invoke(
            app, ["run", "briefs/first-light.yaml", "--out", "out", "--run-id", "held"]
        )
    assert result.exit_code == 4, result.output
    assert "another process" in result.output
    assert not (project / "out").exists()
