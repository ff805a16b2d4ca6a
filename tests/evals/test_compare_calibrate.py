from __future__ import annotations

import json
import random

import pytest
from typer.testing import CliRunner

from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.cli import app
from reelwright.evals.calibrate import calibrate, kendall_tau_b, spearman
from reelwright.evals.compare import compare
from reelwright.evals.runner import EvalOptions, run_suite
from reelwright.loading import load_inputs
from reelwright.models import DialogueLine


@pytest.fixture
def log(suite_factory, tmp_path):
    return run_suite(
        suite_factory(6), EvalOptions(out=tmp_path / "base", offline=True, long_side=256)
    )


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
    assert {"overall", "pass_rate", "score.dialogue"} <= set(result.regressions)
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
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    rng = random.Random(3)
    lines = []
    for i in range(24):
        repeats = i % 6  # 0..5 repeated lines: the critic's dialogue score is 10 - 1.5 a repeat
        first = script.scenes[0].dialogue[0]
        last = script.scenes[-1]
        extra = [
            DialogueLine(
                character=first.character
                if first.character in last.characters
                else last.characters[0],
                text=first.text,
            )
        ] * repeats
        scenes = [
            *script.scenes[:-1],
            last.model_copy(update={"dialogue": [*last.dialogue, *extra]}),
        ]
        artefact = script.model_copy(update={"scenes": scenes})
        human = {
            "dialogue": 10 - repeats,  # agrees in order with the critic: rho = tau = 1
            "structure": rng.uniform(0, 10),  # the critic gives 10 to all: undefined
        }
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
    # critic 10 - 1.5k against human 10 - k: the mean absolute error is mean(0.5k)
    assert dialogue["mae"] == pytest.approx(sum(0.5 * (i % 6) for i in range(24)) / 24, abs=0.01)


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
