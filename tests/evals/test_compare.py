"""`compare` and `eval compare`: paired by case id, exact tests, the outcome rates always
gated, operational metrics reported unless asked, different suites refused."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reelwright.cli import app
from reelwright.errors import InputError
from reelwright.evals.compare import compare, parse_tolerances
from reelwright.evals.runner import EvalOptions, run_suite
from reelwright.records import EvalLog
from tests.evals.suites import make_suite


@pytest.fixture(scope="module")
def base_log(tmp_path_factory) -> EvalLog:
    """One offline run of a 6-case suite, shared: the tests compare copies of it."""
    folder = tmp_path_factory.mktemp("compare")
    suite = make_suite(folder / "suite-6.yaml", 6)
    return run_suite(suite, EvalOptions(out=folder / "base", offline=True, long_side=128))


@pytest.fixture
def log(base_log: EvalLog) -> EvalLog:
    return base_log.model_copy(deep=True)


def _with_cases(log: EvalLog, change) -> EvalLog:
    return log.model_copy(update={"cases": [change(i, c) for i, c in enumerate(log.cases)]})


def _write(tmp_path, name: str, log: EvalLog):
    path = tmp_path / f"{name}.json"
    path.write_text(log.to_json(indent=1))
    return path


def _compare_cli(*args: str):
    return CliRunner().invoke(app, ["eval", "compare", *map(str, args)])


def _row(comparison, metric):
    return next(r for r in comparison.rows if r.metric == metric)


def test_identical_runs_compare_clean_and_exit_0(log, tmp_path):
    result = compare(log, log)
    assert result.regressions == [] and result.cases_compared == 6
    assert all(r.diff == 0 for r in result.rows if r.diff is not None)
    base = _write(tmp_path, "base", log)
    same = _write(tmp_path, "same", log)
    ran = _compare_cli(base, same)
    assert ran.exit_code == 0, ran.output
    assert ran.output.splitlines()[0] == "PASS generated: no regression (6 cases compared)"


def test_expectation_rate_falling_from_1_to_0_6_is_a_regression(log, tmp_path):
    five = log.model_copy(update={"cases": log.cases[:5]})
    assert all(c.expectations_met for c in five.cases)

    def miss(i, c):
        if i not in (1, 3):
            return c
        return c.model_copy(update={"expectations_met": False, "failures": ["planted"]})

    worse = _with_cases(five, miss)
    result = compare(five, worse)
    row = _row(result, "expectation_rate")
    assert (row.baseline, row.current) == (1.0, 0.6)
    assert row.regression and row.worse_cases == ["case-01", "case-03"]
    assert result.regressions == ["expectation_rate"]
    ran = _compare_cli(_write(tmp_path, "b", five), _write(tmp_path, "c", worse))
    assert ran.exit_code == 1
    assert ran.output.splitlines()[0].startswith("FAIL generated: regressions in expectation_rate")
    assert "2 of 5 cases got worse (case-01, case-03)" in ran.output
    assert compare(worse, five).regressions == []  # recovering is not a regression


def test_one_newly_crashing_case_is_a_regression(log, tmp_path):
    def crash(i, c):
        if i != 2:
            return c
        return c.model_copy(
            update={"status": "error", "error": "RuntimeError: boom", "expectations_met": False}
        )

    crashed = _with_cases(log, crash)
    result = compare(log, crashed)
    assert {"error_rate", "expectation_rate"} <= set(result.regressions)
    assert _row(result, "error_rate").worse_cases == ["case-02"]
    ran = _compare_cli(_write(tmp_path, "b", log), _write(tmp_path, "c", crashed))
    assert ran.exit_code == 1 and "error_rate" in ran.output.splitlines()[0]


def test_a_planted_score_drop_is_flagged_and_an_improvement_is_not(log):
    def drop(i, c):
        scores = {k: v - 3.0 for k, v in c.scores.items()}
        return c.model_copy(update={"scores": scores})

    worse = _with_cases(log, drop)
    result = compare(log, worse)
    assert {"overall", "score.dialogue", "score.structure"} <= set(result.regressions)
    row = _row(result, "overall")
    assert row.gate == "permutation" and row.p_value == pytest.approx(1 / 64, abs=1e-4)
    assert row.ci95 is not None and row.ci95[1] < 0
    assert "wall_s" not in result.regressions
    assert compare(worse, log).regressions == []
    # within the tolerance: a drop of 0.3 points is not flagged, though every case fell
    slight = _with_cases(
        log, lambda i, c: c.model_copy(update={"scores": {k: v - 0.3 for k, v in c.scores.items()}})
    )
    assert compare(log, slight).regressions == []
    tight = compare(log, slight, parse_tolerances(["overall=0.1", "score.*=0.1"]))
    assert "overall" in tight.regressions


def test_runs_of_different_suites_are_refused(log, tmp_path):
    other = log.model_copy(update={"suite": "smoke"})
    with pytest.raises(InputError, match="different suites"):
        compare(log, other)
    ran = _compare_cli(_write(tmp_path, "b", log), _write(tmp_path, "c", other))
    assert ran.exit_code == 2 and "different suites" in ran.output
    disjoint = _with_cases(log, lambda i, c: c.model_copy(update={"id": f"other-{i}"}))
    with pytest.raises(InputError, match="no case in common"):
        compare(log, disjoint)


def test_differing_case_sets_are_compared_on_shared_cases_with_a_loud_warning(log, tmp_path):
    fewer = log.model_copy(update={"cases": log.cases[1:]})
    result = compare(log, fewer)
    assert result.cases_compared == 5 and result.only_in_baseline == ["case-00"]
    assert result.regressions == []
    ran = _compare_cli(_write(tmp_path, "b", log), _write(tmp_path, "c", fewer))
    assert ran.exit_code == 0
    assert "WARNING: the case sets differ" in ran.output and "case-00" in ran.output


def test_a_metric_on_one_side_only_is_reported_not_dropped(log):
    priced = _with_cases(
        log, lambda i, c: c.model_copy(update={"llm": c.llm.model_copy(update={"cost": 0.01})})
    )
    row = _row(compare(priced, log), "cost")
    assert row.baseline == 0.01 and row.current is None and row.note == "only in the baseline"
    row = _row(compare(log, priced), "cost")
    assert row.baseline is None and row.current == 0.01 and not row.regression


def test_operational_metrics_are_reported_and_gated_only_when_asked(log, tmp_path):
    cached = _with_cases(
        log,
        lambda i, c: c.model_copy(
            update={"renders": c.renders.model_copy(update={"rendered": 1, "cached": 20})}
        ),
    )
    result = compare(cached, log)
    row = _row(result, "cache_hit_rate")
    assert row.gate == "reported" and row.diff < -0.5 and not row.regression
    assert result.regressions == []
    gated = compare(cached, log, gate_operational=True)
    assert gated.regressions == ["cache_hit_rate"]
    b, c = _write(tmp_path, "b", cached), _write(tmp_path, "c", log)
    assert _compare_cli(b, c).exit_code == 0
    assert _compare_cli(b, c, "--gate-operational").exit_code == 1
    as_json = _compare_cli(b, c, "--gate-operational", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["regressions"] == ["cache_hit_rate"]


@pytest.mark.parametrize(
    "given, message",
    [
        ("overall", "give METRIC=VALUE"),
        ("nosuch=1", "no metric 'nosuch'"),
        ("overall=-1", "not a non-negative number"),
        ("overall=nan", "not a non-negative number"),
    ],
)
def test_bad_tolerances_are_refused_naming_them(given, message, log, tmp_path):
    with pytest.raises(InputError, match=message):
        parse_tolerances([given])
    b = _write(tmp_path, "b", log)
    ran = _compare_cli(b, b, "--tolerance", given)
    assert ran.exit_code == 2 and message in ran.output


def test_eval_run_with_a_baseline_exits_1_on_a_regression(suite_factory, tmp_path):
    suite = suite_factory(6)
    runner = CliRunner()
    first = runner.invoke(
        app, ["eval", "run", str(suite), "--out", str(tmp_path / "o1"), "--offline"]
    )
    assert first.exit_code == 0, first.output
    baseline = json.loads((tmp_path / "o1" / "eval.json").read_text())
    same = runner.invoke(
        app,
        ["eval", "run", str(suite), "--out", str(tmp_path / "o2"), "--offline"]
        + ["--compare", str(tmp_path / "o1" / "eval.json")],
    )
    assert same.exit_code == 0, same.output
    assert same.stdout.splitlines()[0].endswith("no regression against the baseline")
    for case in baseline["cases"]:  # plant: the baseline hit the render cache far more often
        case["renders"] = {"rendered": 1, "cached": 20}
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps(baseline))
    run = ["eval", "run", str(suite), "--offline", "--compare", str(planted)]
    reported = runner.invoke(app, [*run, "--out", str(tmp_path / "o3")])
    assert reported.exit_code == 0, reported.output  # operational: reported, not gated
    assert "cache_hit_rate" in (tmp_path / "o3" / "report.md").read_text()
    flagged = runner.invoke(app, [*run, "--out", str(tmp_path / "o4"), "--gate-operational"])
    assert flagged.exit_code == 1
    assert "regressions against the baseline: cache_hit_rate" in flagged.stdout.splitlines()[0]
    assert "REGRESSION" in (tmp_path / "o4" / "report.md").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    refused = runner.invoke(
        app,
        ["eval", "run", str(suite), "--out", str(tmp_path / "o5"), "--offline"]
        + ["--compare", str(bad)],
    )
    assert refused.exit_code == 2 and "not a readable eval log" in refused.output


def test_eval_run_refuses_a_baseline_of_another_suite_before_running(suite_factory, tmp_path):
    suite = suite_factory(2)
    other = tmp_path / "other.json"
    run = run_suite(suite, EvalOptions(out=tmp_path / "o", offline=True, long_side=128))
    other.write_text(run.model_copy(update={"suite": "smoke"}).to_json(indent=1))
    ran = CliRunner().invoke(
        app,
        ["eval", "run", str(suite), "--out", str(tmp_path / "o2"), "--offline"]
        + ["--compare", str(other)],
    )
    assert ran.exit_code == 2 and "different suites" in ran.output
    assert not (tmp_path / "o2").exists()  # refused before any case ran
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    refused = _compare_cli(other, bad)
    assert refused.exit_code == 2 and f"current {bad} is not a readable eval log" in refused.output


def test_a_metric_with_one_paired_case_is_judged_without_error(log):
    def only_first_passed_late(i, c):
        return c.model_copy(update={"iterations_to_pass": 1 if i == 0 else None})

    base = _with_cases(log, only_first_passed_late)
    worse = _with_cases(
        base, lambda i, c: c.model_copy(update={"iterations_to_pass": 3}) if i == 0 else c
    )
    row = _row(compare(base, worse), "iterations_to_pass")
    assert row.n == 1 and row.diff == 2 and row.p_value == 0.5 and not row.regression
    assert _row(compare(worse, base), "iterations_to_pass").p_value == 1.0
