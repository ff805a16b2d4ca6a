"""Errors from the API speak of parameters; the CLI shows the same message with its flags."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from reelwright.api import run_episode
from reelwright.cli import app
from reelwright.cli.app import FLAGS
from reelwright.config import Settings
from reelwright.errors import InputError, param


def test_a_message_names_the_parameter_in_python_and_the_flag_on_the_command_line():
    exc = InputError(f"{param('out')} x: taken. Pass {param('force', 'True')} to move it")
    assert str(exc) == "out x: taken. Pass force=True to move it"
    assert exc.for_cli(FLAGS) == "--out x: taken. Pass --force to move it"
    assert InputError(f"{param('checkpointer')} y").for_cli(FLAGS) == "--state y"
    assert InputError(f"{param('allow_outside_sheets', 'True')}").for_cli(FLAGS) == (
        "--allow-sheets-outside"
    )


def test_the_api_error_names_no_flag(tmp_path, examples):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("x")
    with pytest.raises(InputError) as refused:
        run_episode(
            examples / "briefs/first-light.yaml",
            out=tmp_path / "out",
            llm=None,
            settings=Settings(home=tmp_path / "home"),
        )
    assert "--" not in str(refused.value)
    assert str(refused.value).startswith("out ") and "force=True" in str(refused.value)


def test_the_cli_shows_the_same_error_with_flags(project):
    (project / "out").mkdir()
    (project / "out" / "mine.txt").write_text("x")
    result = CliRunner().invoke(app, ["run", "briefs/first-light.yaml", "--out", "out"])
    assert result.exit_code == 2
    assert "error: --out " in result.output and "Pass --force" in result.output
    state = CliRunner().invoke(app, ["review", "list", "--state", "bogus://x"])
    assert state.exit_code == 2 and "--state 'bogus://x'" in state.output


def test_state_is_a_deprecated_alias_of_checkpointer(tmp_path, examples):
    from reelwright.api import pending_runs, resume_run

    settings = Settings(home=tmp_path / "home")
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite'}"
    with pytest.warns(DeprecationWarning, match="pass `checkpointer`"):
        outcome = run_episode(
            examples / "briefs/first-light.yaml",
            out=tmp_path / "out",
            llm=None,
            settings=settings,
            run_id="ep",
            state=url,
        )
    assert outcome.status == "awaiting_approval"
    assert [g.run_id for g in pending_runs(url, settings)] == ["ep"]  # the new name
    with pytest.warns(DeprecationWarning):
        assert [g.run_id for g in pending_runs(settings=settings, state=url)] == ["ep"]
    done = resume_run(
        "ep", checkpointer=url, settings=settings, decision={"decision": "approve", "by": "sam"}
    )
    assert done.status == "published"


def test_force_notices_speak_of_the_parameter(tmp_path, examples):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("x")
    outcome = run_episode(
        examples / "briefs/first-light.yaml",
        out=tmp_path / "out",
        llm=None,
        auto_approve=True,
        force=True,
        settings=Settings(home=tmp_path / "home"),
    )
    assert outcome.notices and outcome.notices[0].startswith("force=True: moved the old")


def test_state_and_a_different_checkpointer_together_are_refused(tmp_path, examples):
    with pytest.raises(InputError, match="name two checkpointers"):
        run_episode(
            examples / "briefs/first-light.yaml",
            out=tmp_path / "out",
            llm=None,
            settings=Settings(home=tmp_path / "home"),
            checkpointer=f"sqlite:///{tmp_path / 'a.sqlite'}",
            state=f"sqlite:///{tmp_path / 'b.sqlite'}",
        )
    assert not (tmp_path / "out").exists()


def test_the_deprecation_is_blamed_on_the_callers_line(tmp_path, examples):
    """Through `reelwright.run_episode` (the import the docs show) the warning shows with Python's
    default filters, pointing at the caller — no wrapper frame in between."""
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "caller.py"
    script.write_text(
        "import reelwright\n"
        f"reelwright.run_episode({str(examples / 'briefs/first-light.yaml')!r}, out='out', "
        "llm=None, auto_approve=True, state='memory://')\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(Path(__file__).parents[1]), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert f"{script}:2: DeprecationWarning" in done.stderr


def test_the_public_functions_keep_their_signatures():
    import inspect

    import reelwright
    from reelwright.request import RunRequest

    params = inspect.signature(reelwright.run_episode).parameters
    assert list(params)[:2] == ["request", "bible"]  # a RunRequest, or a brief and bible
    assert params["options"].kind is inspect.Parameter.VAR_KEYWORD  # ... and its fields
    assert {"checkpointer", "out", "state"} <= set(RunRequest.model_fields)
    assert "decision" in inspect.signature(reelwright.resume_run).parameters
