"""An unexpected exception is one line on the console (run id, log file), the traceback goes to
the log, and the run stays resumable."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from reelwright.cli import app

runner = CliRunner()
BRIEF = "briefs/first-light.yaml"


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def test_a_bug_inside_a_node_is_one_line_a_log_and_resume_publishes(project, monkeypatch):
    from reelwright.critic.agent import Critic

    def broken(self, *args, **kwargs):
        raise ZeroDivisionError("division by zero in the critic")

    monkeypatch.setattr(Critic, "critique", broken)
    result = runner.invoke(app, ["run", BRIEF, "--auto-approve", "--out", "out", "--run-id", "ep1"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    log = Path(".reelwright") / "logs" / "ep1.log"
    (line,) = error_lines(result.output)
    assert "run ep1" in line and "ZeroDivisionError" in line and str(log) in line
    assert "reelwright resume ep1" in result.output
    text = (project / log).read_text()
    assert "Traceback (most recent call last)" in text and "division by zero in the critic" in text
    assert json.loads((project / "out" / "run.json").read_text())["status"] == "failed"

    monkeypatch.undo()
    monkeypatch.chdir(project)
    resumed = runner.invoke(app, ["resume", "ep1"])
    assert resumed.exit_code == 0, resumed.output
    assert "published" in resumed.output
    assert json.loads((project / "out" / "run.json").read_text())["status"] == "published"


def test_a_bug_outside_the_graph_is_one_line_a_log_and_resume_continues(project, monkeypatch):
    from reelwright.graphs import context

    real = context.build_context
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the resume after the first crash
            raise KeyError("renderer slot")
        return real(*args, **kwargs)

    monkeypatch.setattr("reelwright.api.build_context", flaky)
    first = runner.invoke(app, ["run", BRIEF, "--out", "out", "--run-id", "ep2"])
    assert first.exit_code == 3, first.output  # waiting at the gate
    result = runner.invoke(app, ["review", "approve", "ep2", "--as", "sam"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    log = Path(".reelwright") / "logs" / "ep2.log"
    (line,) = error_lines(result.output)
    assert line.startswith("error: run ep2 failed unexpectedly: KeyError: 'renderer slot'")
    assert f"details in {log}" in line and "continue with: reelwright resume ep2" in line
    assert "Traceback (most recent call last)" in (project / log).read_text()

    approved = runner.invoke(app, ["review", "approve", "ep2", "--as", "sam"])
    assert approved.exit_code == 0, approved.output
    assert "published" in approved.output


def test_a_bug_in_a_command_without_a_run_is_one_line_and_a_log(project, monkeypatch):
    from reelwright.compliance.screening import Screener

    def broken(self, *args, **kwargs):
        raise ValueError("bad\nmultiline")

    monkeypatch.setattr(Screener, "screen", broken)
    result = runner.invoke(app, ["screen", "hello"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (line,) = error_lines(result.output)
    assert line.startswith("error: reelwright screen failed unexpectedly: ValueError: bad")
    logs = list((project / ".reelwright" / "logs").glob("screen-*.log"))
    assert len(logs) == 1 and str(logs[0].relative_to(project)) in line
    assert "Traceback (most recent call last)" in logs[0].read_text()
