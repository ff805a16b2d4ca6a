"""`eval run` gates CI: a one-line verdict first, exit 1 when a case errored or missed its
expectations (unless --allow-failures); the HTML report leads with the verdict and names its
chart series; JUnit survives control characters; proportions get Wilson intervals."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from reelwright.cli import app
from reelwright.evals.metrics import summarise, wilson_ci
from reelwright.evals.report import html_report, junit_xml
from reelwright.evals.runner import EvalOptions, run_suite
from reelwright.evals.verdict import run_verdict
from reelwright.records import CaseResult

ERRORING = {"id": "broken", "brief": "no-such-brief.yaml", "expect": {"verdict": "published"}}
UNMET = {
    "id": "too-strict",
    "brief": {
        "title": "Strict",
        "logline": "Juno fixes a lamp before dark.",
        "runtime_s": 20,
        "characters": ["juno"],
        "scenes": 2,
    },
    "expect": {"min_scores": {"overall": 11}},
}


def _run(suite, out, *extra):
    return CliRunner().invoke(
        app, ["eval", "run", str(suite), "--out", str(out), "--offline", *extra]
    )


def test_a_clean_suite_passes_with_the_verdict_first(suite_factory, tmp_path):
    ran = _run(suite_factory(2), tmp_path / "o")
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.splitlines()[0] == "PASS generated: all 2 cases met their expectations"


def test_an_errored_case_exits_1_unless_failures_are_allowed(suite_factory, tmp_path):
    suite = suite_factory(2, extra_cases=[ERRORING])
    ran = _run(suite, tmp_path / "o1")
    assert ran.exit_code == 1
    assert ran.stdout.splitlines()[0] == "FAIL generated: 1 case errored (broken) — of 3 cases"
    allowed = _run(suite, tmp_path / "o2", "--allow-failures")
    assert allowed.exit_code == 0
    assert allowed.stdout.startswith("FAIL generated: 1 case errored")  # still said


def test_a_missed_expectation_exits_1(suite_factory, tmp_path):
    ran = _run(suite_factory(1, extra_cases=[UNMET]), tmp_path / "o")
    assert ran.exit_code == 1
    first = ran.stdout.splitlines()[0]
    assert first.startswith("FAIL generated: 1 case missed expectations (too-strict)")
    assert (
        _run(suite_factory(1, extra_cases=[UNMET]), tmp_path / "o2", "--allow-failures").exit_code
        == 0
    )


def test_the_html_report_leads_with_the_verdict_and_names_its_series(suite_factory, tmp_path):
    log = run_suite(
        suite_factory(2, extra_cases=[ERRORING]),
        EvalOptions(out=tmp_path / "o", offline=True, long_side=128),
    )
    page = html_report(log)
    body = page.split("<body>", 1)[1].lstrip()
    first = body[: body.index("</p>")]  # the page's first element is the verdict
    assert first.startswith('<p class="verdict fail" id="verdict">')
    assert run_verdict(log).line in first
    legends = re.findall(r'<ul class="legend">(.*?)</ul>', page)
    names = " ".join(re.sub(r"<[^>]+>", " ", x) for x in legends)
    for series in ("pass rate", "expectation rate", "Wilson interval", "dialogue", "overall"):
        assert series in names
    for case in ("case-00", "case-01"):  # the score-by-iteration lines, one per case
        assert case in names
    assert "broken" not in names  # the errored case drew no line


def test_junit_text_with_control_characters_still_parses(suite_factory, tmp_path):
    log = run_suite(suite_factory(1), EvalOptions(out=tmp_path / "o", offline=True, long_side=128))
    nasty = "boom \x1b[31mred\x1b[0m \x00 nul \x07 bell \ufffe & <tag>"
    broken = CaseResult(id="crash", status="error", error=f"RuntimeError: {nasty}")
    failed = CaseResult(id="fail", status="published", failures=[f"verdict {nasty!s}"])
    log = log.model_copy(update={"cases": [*log.cases, broken, failed]})
    root = ET.fromstring(junit_xml(log))
    error = root.find("testcase[@name='crash']/error")
    failure = root.find("testcase[@name='fail']/failure")
    assert error is not None and failure is not None
    assert "\\x1b[31mred" in error.text and "\\x00 nul" in error.text and "& <tag>" in error.text
    assert "\\x07 bell" in failure.get("message")
    assert root.get("errors") == "1" and root.get("failures") == "1"


def test_proportions_get_wilson_intervals_never_zero_width():
    low, high = wilson_ci(5, 5)
    assert high == 1.0 and low == pytest.approx(0.5655, abs=1e-4)
    assert wilson_ci(0, 5)[1] == pytest.approx(0.4345, abs=1e-4)
    cases = [CaseResult(id=f"c{i}", status="published", expectations_met=True) for i in range(5)]
    rate = summarise(cases).metrics["expectation_rate"]
    assert rate.ci == "wilson" and rate.ci95[0] < 0.6 and rate.ci95[1] == 1.0


def test_the_html_report_escapes_case_text(suite_factory, tmp_path):
    log = run_suite(suite_factory(1), EvalOptions(out=tmp_path / "o", offline=True, long_side=128))
    hostile = CaseResult(id="x", status="published", failures=["<script>alert(1)</script> & co"])
    page = html_report(log.model_copy(update={"cases": [*log.cases, hostile]}))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
