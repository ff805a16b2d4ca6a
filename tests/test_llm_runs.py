"""Whole runs against a scripted endpoint served over real HTTP, the run in its own process:
mode switches for the right reason only, and run.json counts every request the server saw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from reelwright.agents.replies import OutlineReply, SceneReply, ShotPlanReply
from reelwright.cli import app
from reelwright.testing import ScriptedEndpoint, completion, serve_endpoint

ROOT = Path(__file__).resolve().parents[1]


def run_cli(
    project: Path, base_url: str, *command: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """`reelwright run` (or another command) in a process of its own, against the served
    endpoint."""
    full = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "REELWRIGHT_LLM_BASE_URL": base_url,
        "REELWRIGHT_LLM_API_KEY": "local",
        "REELWRIGHT_LLM_MAX_RETRY_WAIT_S": "0",
        # these runs count requests of the agents and the critic; the rights judge (on by
        # default with a model) is tested in tests/graphs/test_rights_judge.py
        "REELWRIGHT_LLM_RIGHTS_JUDGE": "0",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "reelwright.cli"]
        + (list(command) or ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]),
        capture_output=True,
        text=True,
        env=full,
        cwd=project,
        timeout=180,
    )


def record(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "out" / "run.json").read_text())
    return data


def formats(server: serve_endpoint) -> list[str]:
    return [r["response_format"]["type"] for r in server.requests]


def assert_counts_add_up(rec: dict[str, Any], server: serve_endpoint) -> None:
    llm = rec["llm"]
    assert llm["requests"] == len(server.requests)
    assert sum(u["requests"] for u in llm["by_agent"].values()) == len(server.requests)


def test_a_truncation_a_429_and_a_500_leave_strict_mode_on(project, http):
    http.route(host="127.0.0.1").pass_through()
    endpoint = ScriptedEndpoint()
    endpoint.reply(OutlineReply, completion('{"title": "Fir', finish_reason="length"))
    endpoint.reply(SceneReply, httpx.Response(429, headers={"retry-after": "0"}))
    endpoint.reply(ShotPlanReply, httpx.Response(500))
    server = serve_endpoint(endpoint)
    with server as base_url:
        proc = run_cli(project, base_url)
    assert proc.returncode == 0, proc.stderr
    rec = record(project)
    assert rec["status"] == "published"
    assert set(formats(server)) == {"json_schema"}  # strict for the whole run
    outline = [
        r for r in server.requests if r["response_format"]["json_schema"]["name"] == "OutlineReply"
    ]
    assert [r["max_tokens"] for r in outline] == [4096, 8192]
    assert_counts_add_up(rec, server)
    assert rec["llm"]["requests"] == rec["llm"]["calls"] + 2  # the 429 and the 500


@pytest.mark.parametrize(
    "rejection",
    [
        httpx.Response(
            422,
            json={"detail": [{"loc": ["body", "strict"], "msg": "Extra inputs are not permitted"}]},
        ),
        httpx.Response(400, json={"error": {"message": "Unexpected key 'strict' in request"}}),
    ],
    ids=["422", "400"],
)
def test_a_rejected_schema_falls_back_to_json_mode_and_publishes(project, http, rejection):
    http.route(host="127.0.0.1").pass_through()
    endpoint = ScriptedEndpoint().reply(OutlineReply, rejection)
    server = serve_endpoint(endpoint)
    with server as base_url:
        proc = run_cli(project, base_url)
    assert proc.returncode == 0, proc.stderr
    assert formats(server)[0] == "json_schema"
    assert set(formats(server)[1:]) == {"json_object"}
    rec = record(project)
    assert rec["status"] == "published"
    assert_counts_add_up(rec, server)


def test_a_failed_run_counts_every_request(project, http):
    http.route(host="127.0.0.1").pass_through()
    endpoint = ScriptedEndpoint().always(ShotPlanReply, httpx.Response(500))
    server = serve_endpoint(endpoint)
    with server as base_url:
        proc = run_cli(project, base_url, REELWRIGHT_LLM_MAX_ATTEMPTS="2")
    assert proc.returncode == 1, proc.stderr
    rec = record(project)
    assert rec["status"] == "failed"
    assert_counts_add_up(rec, server)
    assert rec["llm"]["by_agent"]["director"]["requests"] == 6  # 3 scenes x 2 attempts
    assert rec["llm"]["by_agent"]["director"]["calls"] == 0
    error = rec["error"]
    assert "director (scene s" in error and "kept failing (500) after 2 attempts" in error
    assert base_url in error and "'gpt-4o-mini'" in error


def test_a_timeout_names_its_seconds(project, http):
    http.route(host="127.0.0.1").pass_through()

    def slow(_: object) -> httpx.Response:
        time.sleep(2.0)
        return httpx.Response(500)

    server = serve_endpoint(ScriptedEndpoint().always(OutlineReply, slow))
    with server as base_url:
        proc = run_cli(
            project, base_url, REELWRIGHT_LLM_TIMEOUT_S="0.5", REELWRIGHT_LLM_MAX_ATTEMPTS="2"
        )
    assert proc.returncode == 1
    rec = record(project)
    assert "timed out" in rec["error"] and "0.5s" in rec["error"]
    assert "could not reach" not in rec["error"] and "REELWRIGHT_LLM_TIMEOUT_S" in rec["error"]
    assert "writer (outline)" in rec["error"]
    assert_counts_add_up(rec, server)


def test_an_unknown_llm_mode_exits_2(project, monkeypatch):
    monkeypatch.setenv("REELWRIGHT_LLM_MODE", "lenient")
    result = CliRunner().invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    )
    assert result.exit_code == 2, result.output
    assert "REELWRIGHT_LLM_MODE" in result.output
    assert not (project / "out").exists()


def test_a_run_that_failed_twice_then_published_still_counts_every_request(project, http):
    """The requests of failed steps are carried to a later step of the run, once each."""
    http.route(host="127.0.0.1").pass_through()
    endpoint = ScriptedEndpoint().always(ShotPlanReply, httpx.Response(500))
    with serve_endpoint(endpoint) as base_url:
        first = run_cli(project, base_url, REELWRIGHT_LLM_MAX_ATTEMPTS="2")
        assert first.returncode == 1, first.stderr
        run_id = record(project)["run_id"]
        again = run_cli(project, base_url, "resume", run_id, REELWRIGHT_LLM_MAX_ATTEMPTS="2")
        assert again.returncode == 1, again.stderr
        endpoint.reset(ShotPlanReply)
        done = run_cli(project, base_url, "resume", run_id, REELWRIGHT_LLM_MAX_ATTEMPTS="2")
        assert done.returncode == 0, done.stderr
        served = len(endpoint.requests)
    rec = record(project)
    assert rec["status"] == "published"
    assert rec["llm"]["requests"] == served
    assert sum(u["requests"] for u in rec["llm"]["by_agent"].values()) == served
    # each failed run: the scene whose plan failed sent 2 requests; the other 2 scenes' plans
    # run concurrently and may be cut short when the failure ends the step (0-2 each); then 3
    director = rec["llm"]["by_agent"]["director"]["requests"]
    assert 2 + 2 + 3 <= director <= 6 + 6 + 3, director
    assert not (project / ".reelwright" / "logs" / f"{run_id}.usage.json").exists()
