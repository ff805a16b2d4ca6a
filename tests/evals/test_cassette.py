"""Record and replay: a cassette holds the final reply of each logical request after its
retries, replays with no server and no connection, and a miss says what differs."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import httpx
import pytest
import yaml

from reelwright.errors import InputError
from reelwright.evals.cassette import read_cassette
from reelwright.evals.runner import EvalOptions, run_suite
from reelwright.records import EvalLog
from reelwright.testing import BASE_URL, ScriptedEndpoint, serve_endpoint


@pytest.fixture
def llm_env(monkeypatch):
    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", BASE_URL)
    monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("REELWRIGHT_LLM_MAX_ATTEMPTS", "1")


def results(log: EvalLog) -> list[dict]:
    return [c.model_dump(exclude={"wall_s", "timings", "inputs", "fingerprint"}) for c in log.cases]


def package_texts(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): p.read_text()
        for p in sorted(out.glob("cases/*/package/*.json"))
        if p.name in ("script.json", "shots.json", "critique.json")
    }


def run_llm(out: Path) -> list[dict]:
    """run.json's LLM figures of every case (requests include every retry)."""
    figures = []
    for path in sorted(out.glob("cases/*/package/run.json")):
        llm = json.loads(path.read_text())["llm"]
        by_agent = {a: {**u, "latency_s": 0} for a, u in llm.pop("by_agent").items()}
        figures.append({**llm, "by_agent": by_agent})
    return figures


def test_a_recorded_run_replays_with_no_network_and_identical_outputs(
    suite_factory, tmp_path, http, llm_env
):
    endpoint = ScriptedEndpoint()
    route = http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    suite = suite_factory(3, model_cleared="gpt-4o-mini")
    cassette = tmp_path / "cassette.jsonl"
    recorded = run_suite(suite, EvalOptions(out=tmp_path / "rec", record=cassette, long_side=256))
    assert all(c.status == "published" for c in recorded.cases), recorded.cases
    calls = route.call_count
    held = read_cassette(cassette)
    assert calls > 0 and len(held.entries) == calls  # no retries: one entry a request
    assert held.header.llm.model == "gpt-4o-mini" and held.header.llm.mode == "auto"
    replayed = run_suite(suite, EvalOptions(out=tmp_path / "rep", replay=cassette, long_side=256))
    assert route.call_count == calls  # zero network calls while replaying
    assert results(replayed) == results(recorded)
    rec_texts = package_texts(tmp_path / "rec")
    assert rec_texts and package_texts(tmp_path / "rep") == rec_texts
    assert replayed.llm.backend == "replay" and replayed.llm.model == "gpt-4o-mini"
    in_workers = run_suite(  # each worker process reads the cassette for its cases
        suite, EvalOptions(out=tmp_path / "par", replay=cassette, long_side=256, concurrency=2)
    )
    assert route.call_count == calls and results(in_workers) == results(recorded)


def flaky(endpoint: ScriptedEndpoint):
    """The endpoint, with a schedule of transient failures that retries get past: of every
    three distinct requests, the first is answered 429 (Retry-After: 0) once, the second 500
    then 429, the third at once."""
    seen: dict[bytes, int] = {}
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            index = list(seen).index(request.content) if request.content in seen else len(seen)
            seen[request.content] = attempt = seen.get(request.content, 0) + 1
        schedule = [["429"], ["500", "429"], []][index % 3]
        if attempt <= len(schedule) and schedule[attempt - 1] == "429":
            return httpx.Response(429, headers={"retry-after": "0"}, json={"error": "slow down"})
        if attempt <= len(schedule):
            return httpx.Response(500, json={"error": {"message": "upstream hiccup"}})
        return endpoint(request)

    return answer


def test_a_recording_through_429s_and_500s_replays_with_the_server_stopped(
    suite_factory, tmp_path, http, monkeypatch
):
    http.route(host="127.0.0.1").pass_through()
    monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("REELWRIGHT_LLM_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("REELWRIGHT_LLM_MAX_RETRY_WAIT_S", "0")
    suite = suite_factory(2, model_cleared="gpt-4o-mini")
    cassette = tmp_path / "cassette.jsonl"
    server = serve_endpoint(flaky(ScriptedEndpoint()))
    with server as base_url:
        monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", base_url)
        recorded = run_suite(
            suite, EvalOptions(out=tmp_path / "rec", record=cassette, long_side=256)
        )
    assert [c.status for c in recorded.cases] == ["published", "published"], recorded.cases
    held = read_cassette(cassette).entries
    assert all(e.error is None and e.completion for e in held)  # only final replies
    assert any(e.attempts > 1 for e in held)  # the schedule did fail some attempts
    assert len(server.requests) == sum(e.attempts for e in held) > len(held)

    connections: list[object] = []
    guarded = socket.socket.connect

    def counted(self: socket.socket, address: object) -> None:
        connections.append(address)
        return guarded(self, address)

    monkeypatch.setattr(socket.socket, "connect", counted)
    replayed = run_suite(suite, EvalOptions(out=tmp_path / "rep", replay=cassette, long_side=256))
    assert connections == []
    assert results(replayed) == results(recorded)
    assert package_texts(tmp_path / "rep") == package_texts(tmp_path / "rec")
    assert run_llm(tmp_path / "rep") == run_llm(tmp_path / "rec")  # retried requests counted


def test_a_call_that_ended_on_an_error_replays_that_error(suite_factory, tmp_path, http, llm_env):
    from reelwright.agents.replies import ShotPlanReply

    endpoint = ScriptedEndpoint().always(ShotPlanReply, httpx.Response(503))
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    suite = suite_factory(1, model_cleared="gpt-4o-mini")
    cassette = tmp_path / "cassette.jsonl"
    recorded = run_suite(suite, EvalOptions(out=tmp_path / "rec", record=cassette, long_side=256))
    replayed = run_suite(suite, EvalOptions(out=tmp_path / "rep", replay=cassette, long_side=256))
    (rec,), (rep,) = recorded.cases, replayed.cases
    assert rec.status == "error" and "503" in rec.error
    assert rep.error == rec.error


def record_one(suite_factory, tmp_path, http) -> tuple[Path, Path]:
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=ScriptedEndpoint())
    suite = suite_factory(1, model_cleared="gpt-4o-mini")
    cassette = tmp_path / "cassette.jsonl"
    run_suite(suite, EvalOptions(out=tmp_path / "rec", record=cassette, long_side=256))
    return suite, cassette


def test_a_replay_asking_another_model_or_mode_misses_naming_it(
    suite_factory, tmp_path, http, llm_env, monkeypatch
):
    suite, cassette = record_one(suite_factory, tmp_path, http)
    monkeypatch.setenv("REELWRIGHT_LLM_MODEL", "gpt-4o")
    (case,) = run_suite(suite, EvalOptions(out=tmp_path / "m", replay=cassette)).cases
    assert case.status == "error" and "CassetteMiss" in case.error
    assert "model (recorded 'gpt-4o-mini', asked 'gpt-4o')" in case.error
    assert "-model: gpt-4o-mini\n+model: gpt-4o" in case.error
    monkeypatch.delenv("REELWRIGHT_LLM_MODEL")
    monkeypatch.setenv("REELWRIGHT_LLM_MODE", "json")
    (case,) = run_suite(suite, EvalOptions(out=tmp_path / "j", replay=cassette)).cases
    assert "mode (recorded 'auto', asked 'json')" in case.error
    assert "model (" not in case.error


def test_a_replay_of_a_changed_prompt_misses_with_a_diff_of_the_request(
    suite_factory, tmp_path, http, llm_env
):
    suite, cassette = record_one(suite_factory, tmp_path, http)
    data = yaml.safe_load(suite.read_text())
    data["cases"][0]["brief"]["logline"] = "Juno and Pip lose the map before the tide turns."
    suite.write_text(yaml.safe_dump(data, sort_keys=False))
    (case,) = run_suite(suite, EvalOptions(out=tmp_path / "rep", replay=cassette)).cases
    assert case.status == "error" and "holds no reply for writer" in case.error
    assert "differs in prompt (messages)" in case.error and "model (" not in case.error
    assert "+" in case.error and "lose the map" in case.error  # the diff shows the new text
    assert "solve problem number 0" in case.error  # ... and the recorded one


def test_a_recording_made_in_json_mode_with_another_model_replays_as_recorded(
    suite_factory, tmp_path, http, llm_env, monkeypatch
):
    monkeypatch.setenv("REELWRIGHT_LLM_MODE", "json")
    monkeypatch.setenv("REELWRIGHT_LLM_MODEL", "local-7b")
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=ScriptedEndpoint())
    suite = suite_factory(1, model_cleared="local-7b")
    cassette = tmp_path / "cassette.jsonl"
    recorded = run_suite(suite, EvalOptions(out=tmp_path / "rec", record=cassette, long_side=256))
    assert recorded.cases[0].status == "published", recorded.cases[0].error
    for var in ("REELWRIGHT_LLM_MODE", "REELWRIGHT_LLM_MODEL", "REELWRIGHT_LLM_BASE_URL"):
        monkeypatch.delenv(var)
    replayed = run_suite(suite, EvalOptions(out=tmp_path / "rep", replay=cassette, long_side=256))
    assert results(replayed) == results(recorded)
    assert (replayed.llm.model, replayed.llm.mode) == ("local-7b", "json")


def test_a_cassette_of_the_old_format_is_refused_naming_its_version(suite_factory, tmp_path):
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"key": "ab", "request": "POST", "status": 200, "body": "{}"}) + "\n")
    with pytest.raises(InputError, match=r"cassette version 1 .* reads version 2"):
        run_suite(suite_factory(1), EvalOptions(out=tmp_path / "o", replay=old))
    newer = tmp_path / "newer.jsonl"
    header = {"format": "reelwright-cassette", "version": 3, "software": "9.0"}
    newer.write_text(json.dumps(header) + "\n")
    with pytest.raises(InputError, match=r"cassette version 3 is not supported .*9\.0"):
        run_suite(suite_factory(1), EvalOptions(out=tmp_path / "o", replay=newer))
