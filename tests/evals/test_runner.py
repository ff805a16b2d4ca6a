"""The eval runner: concurrency, crashed cases, resume, reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from reelwright.evals.runner import EvalOptions, run_suite, write_outputs
from reelwright.records import EvalLog

COMPARED = [
    "status",
    "passed",
    "iterations",
    "scores",
    "score_history",
    "renders",
    "llm",
    "entities_caught",
    "characters_present",
    "expectations_met",
    "verdict",
]


def essentials(log: EvalLog) -> dict:
    return {c.id: c.model_dump(include=set(COMPARED)) for c in log.cases}


def test_cases_run_concurrently_match_a_sequential_run(suite_factory, tmp_path):
    suite = suite_factory(8)  # twice the concurrency: workers finish out of order
    sequential = run_suite(
        suite, EvalOptions(out=tmp_path / "seq", concurrency=1, offline=True, long_side=256)
    )
    concurrent = run_suite(
        suite, EvalOptions(out=tmp_path / "par", concurrency=4, offline=True, long_side=256)
    )
    assert essentials(sequential) == essentials(concurrent)
    assert sequential.summary.errors == 0
    assert all(c.expectations_met for c in concurrent.cases), [
        c.failures for c in concurrent.cases if not c.expectations_met
    ]
    assert [c.id for c in concurrent.cases] == [f"case-{i:02d}" for i in range(8)]


def test_a_crashed_case_is_recorded_and_the_suite_goes_on(suite_factory, tmp_path):
    broken = {
        "id": "broken",
        "brief": {
            "title": "Nope",
            "logline": "Someone who is not here.",
            "runtime_s": 20,
            "characters": ["zorblax"],
        },
    }
    suite = suite_factory(2, extra_cases=[broken])
    log = run_suite(suite, EvalOptions(out=tmp_path / "out", offline=True, long_side=256))
    by_id = {c.id: c for c in log.cases}
    assert by_id["broken"].status == "error"
    assert "unknown character(s) zorblax" in by_id["broken"].error
    assert by_id["case-00"].status == by_id["case-01"].status == "published"
    assert log.summary.errors == 1
    files = write_outputs(log, tmp_path / "out")
    junit = ET.parse(files["junit"]).getroot()
    assert junit.get("tests") == "3" and junit.get("errors") == "1"
    assert junit.find("testcase[@name='broken']/error") is not None


def test_an_interrupted_suite_resumes_without_rerunning_finished_cases(suite_factory, tmp_path):
    suite = suite_factory(4)
    out = tmp_path / "out"
    options = EvalOptions(out=out, offline=True, long_side=256)

    def stop_after_two(result, done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_suite(suite, options, stop_after_two)
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("cases/*/result.json")}
    assert sorted(finished) == ["case-00", "case-01"]
    ran = []
    log = run_suite(suite, options, lambda r, d, t: ran.append(r.id))
    assert [r for r in ran if r not in ("case-00", "case-01")] == ["case-02", "case-03"]
    assert [c.resumed for c in log.cases] == [True, True, False, False]
    for case, mtime in finished.items():
        assert (out / "cases" / case / "result.json").stat().st_mtime_ns == mtime


def test_seed_makes_runs_reproducible(suite_factory, tmp_path):
    suite = suite_factory(3)
    a = run_suite(suite, EvalOptions(out=tmp_path / "a", offline=True, seed=5, long_side=256))
    b = run_suite(suite, EvalOptions(out=tmp_path / "b", offline=True, seed=5, long_side=256))
    assert essentials(a) == essentials(b)
    scripts = [(tmp_path / x / "cases/case-00/package/script.json").read_text() for x in "ab"]
    assert scripts[0] == scripts[1]


def test_log_and_reports_are_written(suite_factory, tmp_path):
    log = run_suite(suite_factory(2), EvalOptions(out=tmp_path / "o", offline=True, long_side=256))
    files = write_outputs(log, tmp_path / "o")
    data = json.loads(files["log"].read_text())
    assert data["version"] == 2 and len(data["cases"]) == 2
    metrics = data["summary"]["metrics"]
    for name in (
        "pass_rate",
        "iterations",
        "overall",
        "score.dialogue",
        "llm_calls",
        "cache_hit_rate",
        "wall_s",
        "false_positive_rate",
    ):
        assert set(metrics[name]) == {"mean", "ci95", "n", "ci"}, name
    assert "| case-00 | published |" in files["markdown"].read_text()
    page = files["html"].read_text()
    assert page.count("<svg") == 3 and "cases/case-00/package/" in page
