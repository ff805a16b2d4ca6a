from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from reelwright.cli import app
from reelwright.evals.calibrate import calibrate, kendall_tau_b, spearman
from reelwright.evals.compare import compare
from reelwright.evals.runner import EvalOptions, run_suite
from reelwright.loading import load_bible
from reelwright.models import Thresholds
from tests.critic.conftest import clean_episode


@pytest.fixture
def log(suite_factory, tmp_path):
    """A baseline whose cases pass (bars at 0: the offline writer does not meet the default
    ones), so a planted drop shows in the pass rate too."""
    suite = suite_factory(6, thresholds=dict.fromkeys(Thresholds().model_dump(), 0.0))
    return run_suite(suite, EvalOptions(out=tmp_path / "base", offline=True, long_side=256))


def test_a_run_compared_with_itself_flags_nothing(log):
    result = compare(log, log)
    assert result.regressions == []
    assert all(r.diff == 0 for r in result.rows)


def test_a_planted_regression_is_flagged(log):
    worse = log.model_copy(
        update={
            "cases": [
                c.model_copy(
                    update={"scores": {k: v - 2.5 for k, v in c.scores.items()}, "passed": False}
                )
                for c in log.cases
            ]
        }
    )
    result = compare(log, worse)
    # score.structure: 10 on every base case, so its interval is tight (the offline writer's
    # dialogue scores spread from 0 to 10 across cases: a 2.5 drop is within their noise)
    assert {"overall", "pass_rate", "score.structure"} <= set(result.regressions)
    assert "wall_s" not in result.regressions
    better = compare(worse, log)
    assert better.regressions == []  # improvements are not regressions


def test_cli_exits_1_on_a_regression_against_the_baseline(suite_factory, tmp_path):
    suite = suite_factory(6)
    runner = CliRunner()
    first = runner.invoke(
        app, ["eval", "run", str(suite), "--out", str(tmp_path / "o1"), "--offline"]
    )
    assert first.exit_code == 0, first.output
    baseline = json.loads((tmp_path / "o1" / "eval.json").read_text())
    same = tmp_path / "same.json"
    same.write_text(json.dumps(baseline))
    again = runner.invoke(
        app,
        [
            "eval",
            "run",
            str(suite),
            "--out",
            str(tmp_path / "o2"),
            "--offline",
            "--compare",
            str(same),
        ],
    )
    assert again.exit_code == 0, again.output
    for case in baseline["cases"]:  # plant: the baseline hit the render cache far more often
        case["renders"] = {"rendered": 1, "cached": 20}
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps(baseline))
    flagged = runner.invoke(
        app,
        [
            "eval",
            "run",
            str(suite),
            "--out",
            str(tmp_path / "o3"),
            "--offline",
            "--compare",
            str(planted),
        ],
    )
    assert flagged.exit_code == 1
    assert "regressions beyond tolerance: cache_hit_rate" in flagged.output
    assert "REGRESSION" in (tmp_path / "o3" / "report.md").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    refused = runner.invoke(
        app,
        [
            "eval",
            "run",
            str(suite),
            "--out",
            str(tmp_path / "o4"),
            "--offline",
            "--compare",
            str(bad),
        ],
    )
    assert refused.exit_code == 2 and "not a readable eval log" in refused.output


def test_known_correlations_are_recovered(tmp_path, examples):
    """A hand-written clean episode with k copies of one line added to its last scene: the
    critic's dialogue score is the clean share of the lines, 10 * (1 - k / (lines + k)),
    capped at 6.5 by the first repeat (see reelwright.critic.scoring)."""
    episode = clean_episode(load_bible(examples / "bible.yaml"))
    brief, script, shots = episode.brief, episode.script, episode.shots
    base = sum(len(sc.dialogue) for sc in script.scenes)
    rng = random.Random(3)
    lines, expected = [], []
    for i in range(24):
        repeats = (0, 6, 9, 12, 16, 20)[i % 6]
        last = script.scenes[-1]
        extra = [last.dialogue[0].model_copy()] * repeats
        scenes = [
            *script.scenes[:-1],
            last.model_copy(update={"dialogue": [*last.dialogue, *extra]}),
        ]
        artefact = script.model_copy(update={"scenes": scenes})
        critic = min(6.5, 10 * (1 - repeats / (base + repeats))) if repeats else 10.0
        human = {
            "dialogue": 10 - repeats / 2,  # agrees in order with the critic: rho = tau = 1
            "structure": rng.uniform(0, 10),  # the critic gives 10 to all: undefined
        }
        expected.append(abs(round(critic, 2) - human["dialogue"]))
        lines.append(
            json.dumps(
                {
                    "id": f"a{i}",
                    "brief": brief.model_dump(mode="json"),
                    "bible": str(examples / "bible.yaml"),
                    "script": artefact.model_dump(mode="json"),
                    "shots": shots.model_dump(mode="json"),
                    "ratings": human,
                }
            )
        )
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(lines))
    result = calibrate(labels)
    dialogue = result["dimensions"]["dialogue"]
    assert dialogue["n"] == 24
    assert dialogue["spearman"] == pytest.approx(1.0, abs=0.01)
    assert dialogue["kendall"] == pytest.approx(1.0, abs=0.01)
    assert dialogue["mae"] == pytest.approx(sum(expected) / 24, abs=0.01)


def test_rank_correlations_match_textbook_values():
    x = [1, 2, 3, 4, 5]
    assert spearman(x, [5, 6, 7, 8, 7]) == pytest.approx(0.8207826816681233)
    assert kendall_tau_b(x, [5, 6, 7, 8, 7]) == pytest.approx(0.7378647873726218)
    assert spearman(x, x[::-1]) == pytest.approx(-1.0)
    rng = random.Random(0)
    a = [rng.random() for _ in range(400)]
    b = [v + rng.gauss(0, 0.29) for v in a]  # population Pearson ~0.71 -> Spearman ~0.69
    assert spearman(a, b) == pytest.approx(0.69, abs=0.06)


def test_calibrate_cli_and_bad_labels(tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    result = runner.invoke(app, ["eval", "calibrate", str(bad)])
    assert result.exit_code == 2 and "needs an id and ratings" in result.output
    assert runner.invoke(app, ["eval", "calibrate"]).exit_code == 2
