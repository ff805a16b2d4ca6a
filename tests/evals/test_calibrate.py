"""`calibrate`: the configured critic (the LLM judge included), ratings validated against the
dimensions and the 0-10 scale, undefined correlations as null with a reason in valid JSON,
bootstrap intervals on rho and tau."""

from __future__ import annotations

import json
import math
import random

import httpx
import pytest
from typer.testing import CliRunner

from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.cli import app
from reelwright.config import LLMSettings
from reelwright.critic.replies import JudgementReply
from reelwright.errors import InputError
from reelwright.evals.calibrate import calibrate, correlation
from reelwright.llm import llm_from_settings
from reelwright.loading import load_inputs
from reelwright.models import DialogueLine
from reelwright.testing import BASE_URL, ScriptedEndpoint, judgement


def _no_nan(text: str) -> dict:
    def refuse(token: str) -> float:
        raise AssertionError(f"{token} in the JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def labels(tmp_path, examples):
    """24 artefacts: 0-5 repeated lines (the critic's dialogue score falls with each repeat),
    rated in the same order for dialogue; pacing rated 7 throughout (a constant series)."""
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    lines = []
    for i in range(24):
        repeats = i % 6
        first = script.scenes[0].dialogue[0]
        last = script.scenes[-1]
        speaker = first.character if first.character in last.characters else last.characters[0]
        extra = [DialogueLine(character=speaker, text=first.text)] * repeats
        scenes = [
            *script.scenes[:-1],
            last.model_copy(update={"dialogue": [*last.dialogue, *extra]}),
        ]
        artefact = script.model_copy(update={"scenes": scenes})
        lines.append(
            json.dumps(
                {
                    "id": f"a{i}",
                    "brief": brief.model_dump(mode="json"),
                    "bible": str(examples / "bible.yaml"),
                    "script": artefact.model_dump(mode="json"),
                    "shots": shots.model_dump(mode="json"),
                    "ratings": {"dialogue": 10 - repeats, "pacing": 7},
                }
            )
        )
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(lines))
    # people rate dialogue as the critic orders it (ties included): agreement is exact
    items = [json.loads(x) for x in lines]
    for item, score in zip(items, _critic_dialogue(path), strict=True):
        item["ratings"]["dialogue"] = score
    path.write_text("\n".join(json.dumps(x) for x in items))
    return path


def _critic_dialogue(labels) -> list[float]:
    """The critic's own dialogue scores for the labelled artefacts (whatever its arithmetic)."""
    from reelwright.evals.calibrate import critic_scores, read_labels

    return [critic_scores(item, labels.parent)[0]["dialogue"] for item in read_labels(labels)]


def test_known_agreement_is_recovered_with_intervals(labels):
    report = calibrate(labels)
    assert report.judge == "measurements" and report.artefacts == 24
    dialogue = report.dimensions["dialogue"]
    assert dialogue.n == 24
    assert dialogue.spearman.value == pytest.approx(1.0, abs=0.01)
    assert dialogue.kendall.value == pytest.approx(1.0, abs=0.01)
    assert dialogue.spearman.ci95 is not None and dialogue.spearman.ci95[0] > 0.9
    critic = _critic_dialogue(labels)
    assert len(set(critic)) >= 2  # a repeated line fails dialogue (capped at 6.5)
    assert dialogue.mae == pytest.approx(0.0, abs=1e-3)
    assert dialogue.critic_mean == pytest.approx(sum(critic) / 24, abs=1e-3)


def test_a_noisy_agreement_gets_a_wide_interval_around_its_estimate(labels):
    lines = [json.loads(x) for x in labels.read_text().splitlines()]
    rng = random.Random(1)
    for item in lines:  # dialogue ratings now only loosely follow the repeats
        item["ratings"]["dialogue"] = min(
            10, max(0, item["ratings"]["dialogue"] + rng.gauss(0, 2.5))
        )
    labels.write_text("\n".join(json.dumps(x) for x in lines))
    rho = calibrate(labels).dimensions["dialogue"].spearman
    assert rho.value is not None and rho.ci95 is not None
    assert rho.ci95[0] < rho.value < rho.ci95[1]
    assert rho.ci95[1] - rho.ci95[0] > 0.2


def test_a_constant_dimension_is_null_with_a_reason_in_valid_json(labels):
    report = calibrate(labels)
    pacing = report.dimensions["pacing"]
    assert pacing.spearman.value is None and pacing.kendall.value is None
    assert pacing.spearman.ci95 is None
    assert "human ratings of 'pacing' are all 7" in (pacing.spearman.reason or "")
    data = _no_nan(report.to_json())
    assert data["dimensions"]["pacing"]["spearman"] == {
        "value": None,
        "ci95": None,
        "undefined_resamples": 0,
        "reason": pacing.spearman.reason,
    }
    assert not math.isnan(data["dimensions"]["pacing"]["mae"])


def test_a_constant_critic_series_is_undefined_too():
    rho = correlation("spearman", [1.0, 5.0, 9.0, 3.0], [10.0] * 4, "structure")
    assert rho.value is None and "critic scores of 'structure' are all 10" in (rho.reason or "")
    tau = correlation("kendall", [1.0, 5.0], [2.0, 4.0], "dialogue")
    assert tau.value is None and tau.reason == "only 2 artefacts rate 'dialogue'"


@pytest.mark.parametrize(
    "ratings, message",
    [
        ({"dialogue": 15}, "rating for 'dialogue' is 15, outside the 0-10 scale"),
        ({"dialogue": -3}, "rating for 'dialogue' is -3, outside the 0-10 scale"),
        ({"dialogue": "7"}, "rating for 'dialogue' is '7', not a number"),
        ({"dialogue": True}, "rating for 'dialogue' is True, not a number"),
        ({"dialouge": 7}, "unknown dimension 'dialouge'"),
        ({}, "ratings must be a non-empty mapping"),
    ],
)
def test_bad_ratings_are_refused_naming_item_and_dimension(labels, ratings, message):
    lines = labels.read_text().splitlines()
    bad = json.loads(lines[2])
    bad["ratings"] = ratings
    lines[2] = json.dumps(bad)
    labels.write_text("\n".join(lines))
    with pytest.raises(InputError, match="labels.jsonl:3: item 'a2'") as err:
        calibrate(labels)
    assert message in str(err.value)
    ran = CliRunner().invoke(app, ["eval", "calibrate", str(labels)])
    assert ran.exit_code == 2 and message in ran.output


def test_valid_ratings_at_the_ends_of_the_scale_are_accepted(labels):
    lines = [json.loads(x) for x in labels.read_text().splitlines()]
    lines[0]["ratings"] = {"dialogue": 0, "overall": 10.0}
    labels.write_text("\n".join(json.dumps(x) for x in lines))
    assert calibrate(labels).dimensions["overall"].n == 1


def test_the_configured_llm_judge_scores_the_artefacts(labels, http):
    endpoint = ScriptedEndpoint().always(JudgementReply, judgement(2.0))
    route = http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    settings = LLMSettings(base_url=BASE_URL, api_key="sk-test", max_attempts=1)
    llm = llm_from_settings(settings, http_client=httpx.Client())
    judged = calibrate(labels, llm=llm, model=settings.model)
    assert route.call_count == 24 and judged.judge == "measurements+llm"
    assert judged.model == settings.model
    measured = calibrate(labels)
    # the judge's 2/10 is part of the score (the lower of judge and measurements): the critic
    # people run is not the measurements
    dims = judged.dimensions
    assert any(dims[d].critic_mean != measured.dimensions[d].critic_mean for d in dims)
    assert all(dims[d].critic_mean <= 2.0 for d in dims if d != "overall")


def test_the_cli_builds_the_critic_from_settings(labels, http, monkeypatch):
    endpoint = ScriptedEndpoint().always(JudgementReply, judgement(2.0))
    route = http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", BASE_URL)
    monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "sk-test")
    runner = CliRunner()
    judged = runner.invoke(app, ["eval", "calibrate", str(labels)])
    assert judged.exit_code == 0, judged.output
    assert _no_nan(judged.stdout)["judge"] == "measurements+llm" and route.call_count == 24
    offline = runner.invoke(app, ["eval", "calibrate", str(labels), "--offline"])
    assert _no_nan(offline.stdout)["judge"] == "measurements" and route.call_count == 24


def test_the_shipped_example_labels_calibrate(examples):
    ran = CliRunner().invoke(app, ["eval", "calibrate", str(examples / "labels.jsonl")])
    assert ran.exit_code == 0, ran.output
    report = _no_nan(ran.stdout)
    assert report["artefacts"] >= 3 and report["dimensions"]["dialogue"]["spearman"]["value"] > 0


def test_labels_without_ids_or_too_few_are_refused(tmp_path, labels):
    runner = CliRunner()
    labels.write_text("\n".join(labels.read_text().splitlines()[:2]))
    few = runner.invoke(app, ["eval", "calibrate", str(labels)])
    assert few.exit_code == 2 and "needs at least 3 rated artefacts" in few.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    result = runner.invoke(app, ["eval", "calibrate", str(bad)])
    assert result.exit_code == 2 and "needs an id and ratings" in result.output
    assert runner.invoke(app, ["eval", "calibrate"]).exit_code == 2
