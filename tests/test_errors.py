"""Errors from the API speak of parameters; the CLI shows the same message with its flags."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from reelwright.api import run_episode
from reelwright.cli import app
from reelwright.cli.common import FLAGS
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
