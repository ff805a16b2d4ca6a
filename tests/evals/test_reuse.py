"""A case of an earlier run into the same folder is reused only when nothing that decides its
result changed; any change runs it fresh (its old checkpoint too) and says what changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from reelwright.agents.planning import stable_int
from reelwright.evals.cassette import read_cassette
from reelwright.evals.reuse import plan_case
from reelwright.evals.runner import EvalOptions, run_suite
from reelwright.testing import BASE_URL, ScriptedEndpoint
from tests.evals.suites import EXAMPLES, make_suite


def suite_with_bible_file(tmp_path: Path, n: int = 2) -> tuple[Path, Path]:
    """A generated suite whose bible is a file next to it (so it can change on its own)."""
    suite = make_suite(tmp_path / "suite.yaml", n)
    data = yaml.safe_load(suite.read_text())
    bible = tmp_path / "bible.yaml"
    shutil.copy(EXAMPLES / "bible.yaml", bible)
    data["bible"] = "bible.yaml"
    suite.write_text(yaml.safe_dump(data, sort_keys=False))
    return suite, bible


def package_brief(out: Path, case: str) -> dict:
    return yaml.safe_load((out / "cases" / case / "package" / "brief.yaml").read_text())


def run(suite: Path, out: Path, **options) -> tuple[dict, dict]:
    """(case id -> result, case id -> what changed) of a run."""
    seen: dict[str, list[str]] = {}
    log = run_suite(
        suite,
        EvalOptions(out=out, long_side=128, **options),
        lambda r, done, total: seen.__setitem__(r.id, r.changed),
    )
    return {c.id: c for c in log.cases}, seen


def test_an_unchanged_case_is_reused_and_a_changed_seed_logline_or_bible_reruns_it(tmp_path):
    suite, bible = suite_with_bible_file(tmp_path)
    out = tmp_path / "out"
    first, _ = run(suite, out, offline=True, seed=1)
    assert not any(c.resumed for c in first.values())

    again, changed = run(suite, out, offline=True, seed=1)
    assert all(c.resumed for c in again.values()) and changed == {"case-00": [], "case-01": []}

    reseeded, changed = run(suite, out, offline=True, seed=2)
    assert not any(c.resumed for c in reseeded.values())
    assert changed["case-00"] == ["seed 1 → 2"]
    assert reseeded["case-00"].fingerprint != first["case-00"].fingerprint
    assert package_brief(out, "case-00")["seed"] == stable_int(2, "case-00")  # not resumed

    data = yaml.safe_load(suite.read_text())
    data["cases"][1]["brief"]["logline"] = "Pip and Bram race the storm to the lighthouse."
    suite.write_text(yaml.safe_dump(data, sort_keys=False))
    relogged, changed = run(suite, out, offline=True, seed=2)
    assert relogged["case-00"].resumed and not relogged["case-01"].resumed
    assert changed["case-01"] == ["brief changed"]
    assert "storm" in package_brief(out, "case-01")["logline"]

    bible.write_text(bible.read_text().replace("Gull Point", "Gannet Point"))
    rebibled, changed = run(suite, out, offline=True, seed=2)
    assert not any(c.resumed for c in rebibled.values())
    assert changed == {"case-00": ["bible changed"], "case-01": ["bible changed"]}


@pytest.fixture
def live(http, monkeypatch) -> ScriptedEndpoint:
    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", BASE_URL)
    monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("REELWRIGHT_LLM_MAX_ATTEMPTS", "1")
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    return endpoint


def test_a_changed_model_or_mode_reruns_the_case(tmp_path, live, monkeypatch):
    suite = make_suite(tmp_path / "suite.yaml", 1, model_cleared="gpt-4o-mini")
    out = tmp_path / "out"
    first, _ = run(suite, out)
    assert first["case-00"].status == "published"
    asked = len(live.requests)
    again, _ = run(suite, out)
    assert again["case-00"].resumed and len(live.requests) == asked

    monkeypatch.setenv("REELWRIGHT_LLM_MODEL", "gpt-4o")
    other_model, changed = run(suite, out)
    assert not other_model["case-00"].resumed and len(live.requests) > asked
    assert changed["case-00"] == ["model gpt-4o-mini → gpt-4o"]
    assert all(r.body["model"] == "gpt-4o" for r in live.requests[asked:])

    asked = len(live.requests)
    monkeypatch.setenv("REELWRIGHT_LLM_MODE", "json")
    other_mode, changed = run(suite, out)
    assert changed["case-00"] == ["mode auto → json"] and len(live.requests) > asked
    assert all(r.body["response_format"]["type"] == "json_object" for r in live.requests[asked:])


def test_offline_then_record_into_one_folder_records_every_case(tmp_path, live):
    suite = make_suite(tmp_path / "suite.yaml", 2, model_cleared="gpt-4o-mini")
    out = tmp_path / "out"
    offline, _ = run(suite, out, offline=True)
    assert all(c.llm.calls == 0 for c in offline.values())
    cassette = tmp_path / "cassette.jsonl"
    recorded, changed = run(suite, out, record=cassette)
    assert not any(c.resumed for c in recorded.values())
    assert changed["case-00"][0] == "llm offline → record"
    assert all(c.llm.calls > 0 for c in recorded.values())
    entries = read_cassette(cassette).entries
    assert {e.case for e in entries} == {"case-00", "case-01"} and len(entries) == len(
        live.requests
    )
    # recording again into the folder reuses the recorded cases and keeps their cassette
    again, _ = run(suite, out, record=cassette)
    assert all(c.resumed for c in again.values())
    assert len(read_cassette(cassette).entries) == len(entries)


def test_an_interrupted_case_resumes_only_with_the_same_inputs(tmp_path):
    suite, _ = suite_with_bible_file(tmp_path, 1)
    out = tmp_path / "out"
    first, _ = run(suite, out, offline=True, seed=1)
    case_dir = out / "cases" / "case-00"
    inputs = first["case-00"].inputs
    assert inputs is not None
    assert plan_case(case_dir, inputs).action == "reuse"
    recording = plan_case(case_dir, inputs, needs=("cassette.jsonl",))  # it recorded nothing
    assert recording.action == "fresh" and recording.changed == ("no cassette.jsonl",)
    result = json.loads((case_dir / "result.json").read_text())
    older = {k: v for k, v in result.items() if k not in ("inputs", "changed")}
    (case_dir / "result.json").write_text(json.dumps(older))  # as an older Reelwright wrote it
    assert plan_case(case_dir, inputs).changed == ("result from an older Reelwright",)
    (case_dir / "result.json").unlink()  # as if stopped after its last checkpoint
    assert plan_case(case_dir, inputs).action == "resume"
    changed = inputs.model_copy(update={"seed": 9})
    fresh = plan_case(case_dir, changed)
    assert fresh.action == "fresh" and fresh.changed == ("seed 1 → 9",)
    rerun, seen = run(suite, out, offline=True, seed=9)
    assert seen["case-00"] == ["seed 1 → 9"] and rerun["case-00"].status == "published"
    assert package_brief(out, "case-00")["seed"] == stable_int(9, "case-00")  # not resumed


def test_the_progress_line_says_reused_or_what_made_the_case_run_fresh(tmp_path):
    from typer.testing import CliRunner

    from reelwright.cli import app

    suite = make_suite(tmp_path / "suite.yaml", 1)
    args = ["eval", "run", str(suite), "--out", str(tmp_path / "o"), "--offline"]
    runner = CliRunner()
    first = runner.invoke(app, [*args, "--seed", "1"])
    assert first.exit_code == 0, first.output
    assert "ran fresh" not in first.output
    same = runner.invoke(app, [*args, "--seed", "1"])
    assert "case-00: ok (published, reused)" in same.output
    reseeded = runner.invoke(app, [*args, "--seed", "2"])
    assert "ran fresh: seed 1 → 2)" in reseeded.output


def test_offline_with_record_or_replay_and_record_without_an_endpoint_are_refused(tmp_path):
    from reelwright.errors import InputError

    suite = make_suite(tmp_path / "suite.yaml", 1)
    cassette = tmp_path / "c.jsonl"
    with pytest.raises(InputError, match="offline.*record.*cannot be used together"):
        run_suite(suite, EvalOptions(out=tmp_path / "o", offline=True, record=cassette))
    with pytest.raises(InputError, match="offline.*replay.*cannot be used together"):
        run_suite(suite, EvalOptions(out=tmp_path / "o", offline=True, replay=cassette))
    with pytest.raises(InputError, match="record.*needs an LLM endpoint"):
        run_suite(suite, EvalOptions(out=tmp_path / "o", record=cassette))
    assert not cassette.exists() and not (tmp_path / "o" / "cases").exists()


def test_a_changed_reply_budget_or_judge_sampling_reruns_the_case(tmp_path, live, monkeypatch):
    suite = make_suite(tmp_path / "suite.yaml", 1, model_cleared="gpt-4o-mini")
    out = tmp_path / "out"
    run(suite, out)
    again, _ = run(suite, out, concurrency=2)  # how many cases run at once decides nothing
    assert again["case-00"].resumed

    monkeypatch.setenv("REELWRIGHT_LLM_MAX_TOKENS", "1234")
    budget, changed = run(suite, out)
    assert not budget["case-00"].resumed
    assert changed["case-00"] == ["llm.max_tokens 4096 → 1234"]
    assert all(
        r.body.get("max_tokens", r.body.get("max_completion_tokens")) == 1234
        for r in live.requests[-3:]
    )

    monkeypatch.setenv("REELWRIGHT_JUDGE_SAMPLES", "3")
    sampled, changed = run(suite, out)
    assert changed["case-00"] == ["judge.samples 1 → 3"] and not sampled["case-00"].resumed


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_cases_share_one_cache_under_the_output_folder_by_default(tmp_path):
    suite = make_suite(tmp_path / "suite.yaml", 2)
    out = tmp_path / "out"
    run(suite, out, offline=True)
    cache = out / "cache"
    assert {p.name for p in cache.iterdir()} == {"cache", "audio", "encodes"}
    assert len(list((cache / "encodes").rglob("*.mp4"))) == 2  # one animatic a case
    for case in ("case-00", "case-01"):  # no case keeps a cache of its own
        assert not list((out / "cases" / case / "home").rglob("*.png"))


def test_a_replay_that_names_the_recordings_cache_makes_nothing_again(tmp_path, live):
    from reelwright.renderers import animatic

    suite = make_suite(tmp_path / "suite.yaml", 2, model_cleared="gpt-4o-mini")
    cassette, cache = tmp_path / "cassette.jsonl", tmp_path / "shared-cache"
    recorded, _ = run(suite, tmp_path / "rec", record=cassette, cache=cache)
    stored = files_under(cache)
    encodes = []
    real = animatic.subprocess.run
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(animatic.subprocess, "run", lambda *a, **k: encodes.append(a) or real(*a, **k))
        replayed, _ = run(suite, tmp_path / "rep", replay=cassette, cache=cache)
        assert files_under(cache) == stored  # not a frame, line or animatic made again
        assert encodes == []
        cold, _ = run(suite, tmp_path / "cold", replay=cassette, cache=tmp_path / "empty")
        assert len(encodes) == 2  # an empty cache: every case encodes its animatic
    for case in ("case-00", "case-01"):
        assert replayed[case].renders.rendered == 0
        assert replayed[case].renders.cached == recorded[case].renders.rendered
        assert replayed[case].scores == recorded[case].scores == cold[case].scores
        assert replayed[case].iterations == recorded[case].iterations
        rec, rep = (tmp_path / d / "cases" / case / "package" for d in ("rec", "rep"))
        assert (rec / "animatic.mp4").read_bytes() == (rep / "animatic.mp4").read_bytes()


def test_an_interrupted_case_resumed_with_another_cache_starts_fresh(tmp_path):
    suite = make_suite(tmp_path / "suite.yaml", 1)
    out = tmp_path / "out"
    run(suite, out, offline=True)
    (out / "cases" / "case-00" / "result.json").unlink()  # stopped after its last checkpoint
    moved, _ = run(suite, out, offline=True, cache=tmp_path / "elsewhere")
    assert moved["case-00"].status == "published", moved["case-00"].error
    (why,) = moved["case-00"].changed
    assert why.startswith("cache folder ") and why.endswith(str(tmp_path / "elsewhere"))
    assert list((tmp_path / "elsewhere" / "cache").rglob("*.png"))  # rendered into the new one


def test_inputs_recorded_without_settings_name_that_as_the_change():
    from reelwright.records import CaseInputs

    now = CaseInputs(
        brief="b", bible="b", rights="r", options="o", software="1", settings={"clip.model": None}
    )
    older = now.model_copy(update={"settings": {}})
    assert now != older and now.changes(older) == ["settings not recorded before"]


def test_a_cache_that_is_a_file_is_refused_before_anything_is_written(tmp_path):
    from typer.testing import CliRunner

    from reelwright.cli import app

    suite = make_suite(tmp_path / "suite.yaml", 1)
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "o"
    args = ["eval", "run", str(suite), "--out", str(out), "--offline"]
    result = CliRunner().invoke(app, [*args, "--cache", str(tmp_path / "notes.txt")])
    assert result.exit_code == 2 and "--cache" in result.output and "not a folder" in result.output
    assert not out.exists() and (tmp_path / "notes.txt").read_text() == "mine"
