"""The CLI as a user meets it: exit codes, messages, and nothing written outside --out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reelwright.cli import app
from tests.conftest import permissive_brief, tree

runner = CliRunner()


def test_offline_run_publishes_with_auto_approve(project):
    result = runner.invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    )
    assert result.exit_code == 0, result.output
    assert "offline procedural writer and director" in result.output
    assert "published" in result.output
    assert "published unsigned: no signer configured" in result.output
    assert "reelwright init-signing" in result.output
    rec = json.loads((project / "out" / "run.json").read_text())
    assert rec["status"] == "published" and rec["offline"] is True
    assert (project / ".reelwright" / "state.sqlite").is_file()


def test_without_auto_approve_exits_3_and_prints_the_approve_command(project):
    brief = permissive_brief(project / "lenient")  # passes on its first iteration
    result = runner.invoke(app, ["run", str(brief), "--out", "out", "--run-id", "ep1"])
    assert result.exit_code == 3, result.output
    assert "reelwright review approve ep1 --as " in result.output
    shown = runner.invoke(app, ["review", "show", "ep1"])
    assert shown.exit_code == 0 and "waiting at the final gate" in shown.output
    assert "s1: " in shown.output and "structure" in shown.output
    assert (
        json.loads(runner.invoke(app, ["review", "show", "ep1", "--json"]).output)["status"]
        == "awaiting_approval"
    )
    listed = runner.invoke(app, ["review", "list"])
    assert listed.exit_code == 0 and listed.output.startswith("ep1\tfinal\tpassed")
    rejected = runner.invoke(
        app,
        [
            "review",
            "reject",
            "ep1",
            "--as",
            "sam",
            "--add-beat",
            "s2:Juno finds the lamp has been moved.",
        ],
    )
    assert rejected.exit_code == 3, rejected.output
    approved = runner.invoke(app, ["review", "approve", "ep1", "--as", "sam"])
    assert approved.exit_code == 0, approved.output
    rec = json.loads((project / "out" / "run.json").read_text())
    assert rec["status"] == "published" and rec["iterations"] == 2
    assert [a["by"] for a in rec["approvals"]] == ["sam", "sam"]
    assert runner.invoke(app, ["review", "list"]).output.strip() == "no runs waiting for approval"
    again = runner.invoke(app, ["review", "approve", "ep1", "--as", "sam"])
    assert again.exit_code == 2 and "not waiting at an approval gate" in again.output


def bad_brief(project: Path, name: str, content: str) -> Path:
    path = project / "briefs" / name
    path.write_text(content, encoding="utf-8")
    return path


BASE = yaml.safe_load((Path(__file__).parents[1] / "examples/briefs/first-light.yaml").read_text())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            yaml.safe_dump({k: v for k, v in BASE.items() if k != "runtime_s"}),
            "runtime_s: missing required field",
        ),
        (
            yaml.safe_dump({**BASE, "runtime_s": "forty"}),
            "runtime_s: Input should be a valid integer",
        ),
        (
            yaml.safe_dump({**BASE, "characters": ["juno", "zorblax"]}),
            "unknown character(s) zorblax",
        ),
        (yaml.safe_dump({**BASE, "characters": ["../x"]}), "'../x' is not a safe id"),
        ("<html><body>not yaml: [</body></html>", "not valid YAML"),
    ],
    ids=["missing-field", "wrong-type", "unknown-character", "path-like-id", "not-yaml"],
)
def test_bad_input_exits_2_names_the_problem_and_writes_nothing(project, content, message):
    brief = bad_brief(project, "bad.yaml", content)
    before = tree(project)
    result = runner.invoke(app, ["run", str(brief), "--auto-approve", "--out", "out"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert tree(project) == before  # no out/, no .reelwright/, nothing


@pytest.mark.parametrize(
    "args",
    [
        ["run", "briefs/first-light.yaml", "--run-id", "../x", "--out", "out"],
        ["run", "briefs/missing.yaml", "--out", "out"],
        ["run", "briefs/first-light.yaml", "--renderer", "magic", "--out", "out"],
        ["resume", "../etc"],
        ["review", "approve", "../x", "--as", "sam"],
        ["review", "reject", "x", "--as", "sam", "--to", "editor", "--note", "n"],
    ],
)
def test_bad_arguments_exit_2(project, args):
    before = tree(project)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "error:" in result.output
    assert tree(project) == before


def test_out_folder_with_someone_elses_files_is_refused(project):
    (project / "out").mkdir()
    (project / "out" / "thesis.docx").write_text("precious")
    result = runner.invoke(app, ["run", "briefs/first-light.yaml", "--out", "out"])
    assert result.exit_code == 2 and "refusing to write the package there" in result.output
    assert tree(project / "out") == {"thesis.docx"}


def test_unknown_run_resume_is_input_error(project):
    fresh = runner.invoke(app, ["resume", "nope"])
    assert fresh.exit_code == 2 and "no runs yet" in fresh.output
    assert not (project / ".reelwright").exists()  # looking up a run creates nothing
    runner.invoke(app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"])
    result = runner.invoke(app, ["resume", "nope"])
    assert result.exit_code == 2 and "no run nope" in result.output


def test_help_and_offline_run_never_import_torch_or_diffusers(project):
    code, modules, output = _imported(
        project, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    )
    assert code == 0, output
    assert not {"torch", "diffusers"} & set(modules), modules
    code, modules, output = _imported(project, ["--help"])
    assert code == 0 and modules == [], output


def test_screen_json_contract():
    result = runner.invoke(app, ["screen", "--json", "Meet D4rth V4der at McDonald's"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["verdict"] == "block"
    first = data["findings"][0]
    assert set(first) == {"rule", "severity", "entity", "kind", "span", "evidence"}
    assert first["entity"] == "Darth Vader" and first["span"] == [5, 16]
    assert {f["severity"] for f in data["findings"]} == {"block", "review"}
    clean = json.loads(runner.invoke(app, ["screen", "--json", "A quiet harbour"]).output)
    assert clean == {"verdict": "pass", "findings": []}


def test_screen_file_and_bad_input(tmp_path):
    text = tmp_path / "script.txt"
    text.write_text("Pikachu naps.", encoding="utf-8")
    assert (
        json.loads(runner.invoke(app, ["screen", "--file", str(text), "--json"]).output)["verdict"]
        == "block"
    )
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\xff\xfe\xfa")
    for args in (
        ["screen"],
        ["screen", "x", "--file", str(text)],
        ["screen", "--file", str(tmp_path / "missing.txt")],
        ["screen", "--file", str(binary)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "error:" in result.output, args


def test_init_signing_is_idempotent_and_says_it_is_for_development(project):
    first = runner.invoke(app, ["init-signing"])
    assert first.exit_code == 0 and "DEVELOPMENT" in first.output
    assert (project / ".reelwright" / "signing" / "ca.pem").is_file()
    key = (project / ".reelwright" / "signing" / "signer.key").read_bytes()
    again = runner.invoke(app, ["init-signing"])
    assert "already present" in again.output
    assert (project / ".reelwright" / "signing" / "signer.key").read_bytes() == key


def test_a_real_openai_compatible_server_without_strict_schemas(project, http, monkeypatch):
    """The whole client stack over real HTTP against a llama.cpp-like server that rejects
    JSON-schema response formats: the client falls back to JSON mode and the run publishes."""
    from reelwright.testing import ScriptedEndpoint, serve_endpoint

    http.route(host="127.0.0.1").pass_through()
    server = serve_endpoint(ScriptedEndpoint(), strict=False)
    with server as base_url:
        monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", base_url)
        monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "local")
        result = runner.invoke(
            app,
            [
                "run",
                "briefs/first-light.yaml",
                "--auto-approve",
                "--out",
                "out",
                "--llm-model",
                "llama3.1",
            ],
        )
    assert result.exit_code == 0, result.output
    assert "LLM: llama3.1 at http://127.0.0.1" in result.output
    rec = json.loads((project / "out" / "run.json").read_text())
    # 8 agent and critic calls, and the rights judge on the script and on the shot prompts
    assert rec["llm"]["backend"] == "openai" and rec["llm"]["calls"] == 10
    assert rec["llm"]["by_agent"]["rights_judge"]["calls"] == 2
    formats = [r["response_format"]["type"] for r in server.requests]
    assert formats[0] == "json_schema" and set(formats[1:]) == {"json_object"}
    assert all(r["model"] == "llama3.1" for r in server.requests)


def test_a_bad_setting_in_the_environment_exits_2_naming_the_variable(project, monkeypatch):
    monkeypatch.setenv("REELWRIGHT_RENDER_REFERENCE", "sometimes")
    before = tree(project)
    result = runner.invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    )
    assert result.exit_code == 2, result.output
    assert "REELWRIGHT_RENDER_REFERENCE" in result.output and "character+scene" in result.output
    assert tree(project) == before


def test_a_missing_character_sheet_exits_2(project):
    bible = yaml.safe_load((project / "bible.yaml").read_text())
    bible["characters"][0]["sheet"] = "sheets/juno.png"
    (project / "bible.yaml").write_text(yaml.safe_dump(bible))
    result = runner.invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    )
    assert result.exit_code == 2, result.output
    assert "sheet sheets/juno.png not found" in result.output


def test_eval_run_and_calibrate_are_subcommands():
    listed = runner.invoke(app, ["eval", "--help"])
    assert listed.exit_code == 0
    assert "run" in listed.output and "calibrate" in listed.output
    old_style = runner.invoke(app, ["eval", "suite.yaml"])  # a suite is no longer a command
    assert old_style.exit_code == 2


def test_the_printed_decision_commands_use_a_token_once_reviewers_exist(project):
    added = runner.invoke(app, ["reviewers", "add", "sam", "--role", "showrunner"])
    assert added.exit_code == 0
    result = runner.invoke(app, ["run", "briefs/first-light.yaml", "--out", "out", "--run-id", "w"])
    assert result.exit_code == 3
    assert "reelwright review approve w --token TOKEN" in result.output
    assert "reelwright review reject w --token TOKEN --split SHOT:2" in result.output


def test_version_prints_the_one_version():
    from reelwright import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"reelwright {__version__}"


def test_the_printed_approve_command_works_as_printed(project):
    import shlex

    result = runner.invoke(app, ["run", "briefs/first-light.yaml", "--out", "out", "--run-id", "p"])
    assert result.exit_code == 3, result.output
    (line,) = [x for x in result.output.splitlines() if "approve: reelwright" in x]
    argv = shlex.split(line.split("approve: ", 1)[1])
    assert argv[:4] == ["reelwright", "review", "approve", "p"]
    approved = runner.invoke(app, argv[1:])
    assert approved.exit_code == 0, approved.output
    assert json.loads((project / "out" / "run.json").read_text())["status"] == "published"


def test_review_list_and_show_take_the_same_credentials(project, monkeypatch):
    added = runner.invoke(app, ["reviewers", "add", "sam", "--role", "showrunner"])
    token = added.output.strip().split()[-1]
    result = runner.invoke(app, ["run", "briefs/first-light.yaml", "--out", "out", "--run-id", "c"])
    assert result.exit_code == 3
    for command in (["review", "list"], ["review", "show", "c"]):
        refused = runner.invoke(app, command)
        assert refused.exit_code != 0 and "token" in refused.output, refused.output
        wrong = runner.invoke(app, [*command, "--token", "nope"])
        assert wrong.exit_code != 0
        ok = runner.invoke(app, [*command, "--token", token])
        assert ok.exit_code == 0, ok.output
    listed = runner.invoke(app, ["review", "list", "--token", token])
    assert "\twaiting " in listed.output and listed.output.rstrip().endswith("First Light")
    monkeypatch.setenv("REELWRIGHT_REVIEW_TOKEN", token)
    assert runner.invoke(app, ["review", "list"]).exit_code == 0


def _imported(project: Path, argv: list[str]) -> tuple[int, list[str], str]:
    """Run `reelwright ARGV` in a fresh interpreter: its exit code, which of langgraph,
    openai, torch and diffusers it imported, and its output."""
    code = (
        "import sys\nfrom reelwright.cli import main\n"
        f"sys.argv = ['reelwright', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "print('\\nENGINE', sorted(m for m in ('langgraph', 'openai', 'torch', 'diffusers') "
        "if m in sys.modules), code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=120,
    )
    line = proc.stdout.rsplit("ENGINE", 1)[1].split()
    modules = json.loads(" ".join(line[:-1]).replace("'", '"'))
    return int(line[-1]), modules, proc.stdout + proc.stderr


def test_a_missing_brief_exits_2_before_the_engine_is_imported(project):
    code, modules, output = _imported(project, ["run", "nope.yaml"])
    assert code == 2 and "brief file not found: nope.yaml" in output
    assert modules == []
    assert "offline procedural" not in output  # nothing else is said before the error


def test_review_list_reads_waiting_runs_without_the_engine(project):
    brief = permissive_brief(project / "lenient")
    assert runner.invoke(app, ["run", str(brief), "--out", "out", "--run-id", "ep1"]).exit_code == 3
    code, modules, output = _imported(project, ["review", "list"])
    assert code == 0 and output.startswith("ep1\tfinal\tpassed")
    assert modules == []


def _commands(command, path=()):
    """Every command path of the CLI, groups included."""
    from typer.core import TyperGroup

    yield list(path)
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


def test_help_names_values_not_python_types():
    import re

    import typer

    for path in _commands(typer.main.get_command(app)):
        shown = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert shown.exit_code == 0, path
        types = re.findall(r"<(?:str|bool|int|float|path|list\[[a-z]+\]|int range)>", shown.output)
        assert types == [], f"reelwright {' '.join(path)} --help shows {types}"
    run_help = runner.invoke(app, ["run", "--help"], terminal_width=200).output
    for metavar in ("BRIEF", "--bible +FILE", "--out +DIR", "--llm-base-url +URL", "N"):
        assert re.search(metavar, run_help), metavar
    review = runner.invoke(app, ["review", "approve", "--help"], terminal_width=200).output
    assert "RUN_ID" in review and re.search(r"--token +TOKEN", review)


@pytest.mark.parametrize(
    "argv",
    [
        ["resume", "nope"],
        ["review", "show", "nope"],
        ["review", "approve", "nope", "--as", "sam"],
        ["review", "reject", "nope", "--as", "sam", "--note", "x", "--to", "writer"],
    ],
)
def test_an_unknown_run_id_exits_2_before_the_engine_is_imported(project, argv):
    brief = permissive_brief(project / "lenient")  # a state database with one run in it
    assert runner.invoke(app, ["run", str(brief), "--out", "out", "--run-id", "ep1"]).exit_code == 3
    code, modules, output = _imported(project, argv)
    assert code == 2 and "no run nope" in output
    assert modules == []
