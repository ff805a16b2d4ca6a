"""The `reelwright` logger: quiet by default; `--verbose` / REELWRIGHT_LOG_LEVEL show the seams
(LLM requests, retries, mode switches, repairs, gate decisions) on stderr."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from reelwright.agents.replies import OutlineReply
from reelwright.cli import app
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.testing import BASE_URL, ScriptedEndpoint, completion

runner = CliRunner()
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR)\s+reelwright", re.M)


class Verdict(BaseModel):
    score: int
    reason: str


@pytest.fixture
def flaky_endpoint(http, monkeypatch) -> ScriptedEndpoint:
    """A scripted endpoint that answers 429 to the first request, then replies normally."""
    endpoint = ScriptedEndpoint()
    endpoint.reply(
        OutlineReply,
        httpx.Response(429, headers={"retry-after": "0"}, json={"error": {"message": "slow down"}}),
    )
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", BASE_URL)
    monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "sk-test")
    return endpoint


def run(*flags: str) -> str:
    result = runner.invoke(
        app, [*flags, "run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    )
    assert result.exit_code in (0, 3), result.output
    return result.output


def test_verbose_shows_the_retry_the_requests_and_the_gate(project, flaky_endpoint):
    output = run("--verbose")
    assert re.search(
        r"WARNING\s+reelwright\.llm: LLM writer \(outline\)/OutlineReply: attempt 1 of 5 to "
        r"http://llm\.test/v1/? failed \(429: slow down\); retrying in 0\.0s",
        output,
    ), output
    assert re.search(
        r"INFO\s+reelwright\.llm: LLM writer \(outline\)/OutlineReply: gpt-4o-mini at .* "
        r"replied in",
        output,
    )
    assert "reelwright.gates: run " in output and "gate auto-approved" in output
    assert "DEBUG" not in output  # -v is INFO; -vv is DEBUG


def test_without_verbose_nothing_extra_is_printed(project, flaky_endpoint):
    output = run()
    assert flaky_endpoint.calls  # the 429 was answered and retried ...
    assert not LOG_LINE.search(output)  # ... silently
    assert "429" not in output and "retrying" not in output


def test_log_level_from_the_environment(project, flaky_endpoint, monkeypatch):
    monkeypatch.setenv("REELWRIGHT_LOG_LEVEL", "debug")
    output = run()
    assert re.search(
        r"DEBUG\s+reelwright\.llm: LLM writer \(outline\)/OutlineReply: request to", output
    )
    assert "retrying in" in output


def test_a_bad_log_level_exits_2_naming_the_variable(project, monkeypatch):
    monkeypatch.setenv("REELWRIGHT_LOG_LEVEL", "loud")
    result = runner.invoke(app, ["run", "briefs/first-light.yaml", "--out", "out"])
    assert result.exit_code == 2
    assert "REELWRIGHT_LOG_LEVEL" in result.output and "debug" in result.output
    assert not (project / "out").exists()


def test_the_console_handler_is_removed_after_the_command(project):
    before = list(logging.getLogger("reelwright").handlers)
    result = runner.invoke(app, ["-vv", "screen", "a quiet harbour at dawn"])
    assert result.exit_code == 0, result.output
    assert logging.getLogger("reelwright").handlers == before
    assert logging.getLogger("reelwright").level == logging.NOTSET


def test_the_library_adds_only_a_null_handler():
    handlers = logging.getLogger("reelwright").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)
    assert not any(type(h) is logging.StreamHandler for h in handlers)


# -- the LLM seam, without the CLI ----------------------------------------------------------


def llm(**kw: object) -> OpenAILLM:
    return OpenAILLM(
        model="m",
        base_url=BASE_URL,
        api_key="k",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=3, sleep=lambda s: None),
        **kw,  # type: ignore[arg-type]
    )


def test_a_strict_to_json_switch_is_logged(http, caplog):
    http.post(f"{BASE_URL}/chat/completions").mock(
        side_effect=[
            httpx.Response(400, json={"error": {"message": "response_format json_schema"}}),
            completion('{"score": 3, "reason": "ok"}'),
        ]
    )
    with caplog.at_level(logging.INFO, logger="reelwright"):
        llm().structured([{"role": "user", "content": "x"}], Verdict, agent="critic")
    (switch,) = [r for r in caplog.records if "switching from strict to JSON mode" in r.message]
    assert switch.name == "reelwright.llm" and "critic" in switch.message


def test_a_repair_re_ask_is_logged(http, caplog):
    http.post(f"{BASE_URL}/chat/completions").mock(
        side_effect=[completion('{"score": "high"}'), completion('{"score": 3, "reason": "ok"}')]
    )
    with caplog.at_level(logging.INFO, logger="reelwright"):
        llm(mode="strict").structured([{"role": "user", "content": "x"}], Verdict, agent="judge")
    (repair,) = [r for r in caplog.records if "repair re-ask" in r.message]
    assert "judge" in repair.message and "Verdict" in repair.message and "1 of 2" in repair.message


def test_a_clean_call_logs_no_warning(http, caplog):
    http.post(f"{BASE_URL}/chat/completions").mock(
        return_value=completion('{"score": 3, "reason": "ok"}')
    )
    with caplog.at_level(logging.DEBUG, logger="reelwright"):
        llm().structured([{"role": "user", "content": "x"}], Verdict, agent="critic")
    assert [r.levelname for r in caplog.records] == ["DEBUG", "INFO"]


def test_a_human_gate_decision_is_logged(examples, tmp_path, settings, caplog):
    from reelwright.api import resume_run, run_episode

    outcome = run_episode(
        examples / "briefs" / "first-light.yaml",
        out=tmp_path / "out",
        llm=None,
        settings=settings,
        run_id="ep1",
    )
    assert outcome.status == "awaiting_approval"
    with caplog.at_level(logging.INFO, logger="reelwright.gates"):
        resume_run(
            "ep1",
            settings=settings,
            decision={"decision": "approve", "by": "sam", "role": "showrunner"},
        )
    messages = [r.message for r in caplog.records if r.name == "reelwright.gates"]
    assert any("final gate: approve by 'sam' (showrunner)" in m for m in messages), messages
