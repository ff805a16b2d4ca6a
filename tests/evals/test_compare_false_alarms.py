"""Two runs of the same configuration against a server whose replies vary are flagged as a
regression less than 5% of the time with compare's default tolerances (the documented bound),
and the measurement itself can fail: with no tolerance the same runs are flagged often."""

from __future__ import annotations

import pytest

from tests.evals.varying import false_alarms, same_configuration_runs

BOUND = 0.05  # docs/evals.md: the false-alarm rate of same-configuration runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return same_configuration_runs(tmp_path_factory.mktemp("false-alarms"), cases=5, runs=10)


def test_the_server_varies_the_runs(runs):
    assert all(c.status == "published" for log in runs for c in log.cases)
    overall = {tuple(c.scores["overall"] for c in log.cases) for log in runs}
    assert len(overall) == 10  # every run scored differently


def test_same_configuration_runs_are_rarely_flagged(runs):
    flagged, total, metrics = false_alarms(runs)
    assert total == 90  # 45 pairs, each compared both ways
    assert flagged / total < BOUND, metrics


def test_without_tolerances_the_same_runs_are_flagged_often(runs):
    flagged, total, _ = false_alarms(runs, {"*": 0.0})
    assert flagged / total > BOUND
