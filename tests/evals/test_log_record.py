"""eval.json is an EvalLog: it reads back unchanged, and a log of another version is refused."""

from __future__ import annotations

import json

import pytest

from reelwright.errors import InputError
from reelwright.evals.compare import load_log


def test_an_eval_log_round_trips_and_another_version_is_refused(suite_factory, tmp_path):
    from reelwright.evals.runner import EvalOptions, run_suite, write_outputs

    out = tmp_path / "o"
    log = run_suite(suite_factory(2), EvalOptions(out=out, offline=True, long_side=256))
    path = write_outputs(log, out)["log"]
    read = load_log(path)
    assert read == log
    assert read.to_json(indent=1) == path.read_text(encoding="utf-8")
    path.write_text(json.dumps({**json.loads(path.read_text()), "version": 3}))
    with pytest.raises(InputError, match=r"eval log version 3 is not supported") as err:
        load_log(path)
    assert str(path) in str(err.value)


def test_an_eval_log_says_what_was_evaluated(suite_factory, tmp_path, http, monkeypatch):
    """Suite version and digest, case ids, the model and mode, the seed, the software."""
    import reelwright
    from reelwright.evals.runner import EvalOptions, run_suite, write_outputs
    from reelwright.testing import BASE_URL, ScriptedEndpoint

    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", BASE_URL)
    monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("REELWRIGHT_LLM_MODEL", "qwen-test")
    monkeypatch.setenv("REELWRIGHT_LLM_MODE", "json")
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=ScriptedEndpoint())
    suite = suite_factory(2, model_cleared="qwen-test")
    out = tmp_path / "o"
    log = run_suite(suite, EvalOptions(out=out, seed=7, long_side=128))
    data = json.loads(write_outputs(log, out)["log"].read_text())
    assert data["version"] == 2
    assert data["suite_version"] == 1 and len(data["suite_digest"]) == 16
    assert data["case_ids"] == ["case-00", "case-01"]
    assert data["llm"] == {"backend": "live", "model": "qwen-test", "mode": "json"}
    assert data["options"]["seed"] == 7
    assert data["software_version"] == reelwright.__version__
    offline = run_suite(suite, EvalOptions(out=tmp_path / "off", offline=True, long_side=128))
    assert offline.llm.model_dump() == {"backend": "offline", "model": None, "mode": None}
    assert offline.suite_digest == log.suite_digest
