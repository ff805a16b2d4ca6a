"""A run with one failing dimension shows it as failing everywhere: the console's table,
run.json and the review page never put "ok" beside the overall score while a dimension fails,
even when the overall number meets its own threshold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reelwright.api import run_episode
from reelwright.approval.reviewers import ReviewConfig
from reelwright.cli import app
from reelwright.config import Settings
from reelwright.models import Thresholds
from reelwright.review.app import create_app
from tests.review.conftest import auth, sign_in

# every bar at 0 but dialogue's, which the episode misses: Pip (who does not speak) has a line
ONE_BAR = {**dict.fromkeys(Thresholds().model_dump(), 0.0), "dialogue": 9.9}


@pytest.fixture(autouse=True)
def pip_speaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The offline writer keeps Pip silent; here it is made to give Pip one line, so the
    episode has exactly one failing dimension (dialogue)."""
    from reelwright.agents.offline import ProceduralWriter
    from reelwright.models import Bible, Brief, DialogueLine, Script, Usage

    original = ProceduralWriter.write

    def write(self: ProceduralWriter, brief: Brief, bible: Bible) -> tuple[Script, Usage]:
        script, usage = original(self, brief, bible)
        target = next(s for s in script.scenes if "pip" in s.characters)
        line = DialogueLine(character="pip", text="I can talk now, apparently.")
        scenes = [
            s.model_copy(update={"dialogue": [*s.dialogue, line]}) if s.id == target.id else s
            for s in script.scenes
        ]
        return script.model_copy(update={"scenes": scenes}), usage

    monkeypatch.setattr(ProceduralWriter, "write", write)


def one_bar_brief(folder: Path, examples: Path) -> Path:
    data = yaml.safe_load((examples / "briefs" / "first-light.yaml").read_text())
    data["thresholds"] = ONE_BAR
    data["budget"] = {"max_iterations": 1}
    path = folder / "one-bar.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_thresholds_mark_the_overall_below_while_a_dimension_fails():
    bars = Thresholds.model_validate(ONE_BAR)
    scores = {**dict.fromkeys(bars.dimensions(), 10.0), "dialogue": 1.0, "overall": 8.5}
    assert bars.failing(scores) == {"dialogue": (1.0, 9.9)}
    assert bars.marks(scores)["overall"] == "below"
    assert bars.marks({**scores, "dialogue": 9.9})["overall"] == "ok"


def test_the_console_and_run_json_show_the_failing_dimension(project, examples):
    brief = one_bar_brief(project / "briefs", examples)
    result = CliRunner().invoke(
        app, ["run", str(brief), "--auto-approve", "--out", "out"], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    rows = {
        m[1]: m[2].strip() for m in re.finditer(r"│ (\w+)\s+│[^│]+│[^│]+│([^│]*)│", result.output)
    }
    assert rows["dialogue"] == "below"
    assert rows["overall"] == "below (dialogue failing)"
    assert "ok" not in rows["overall"]

    record = json.loads((project / "out" / "run.json").read_text())
    assert record["passed"] is False
    assert record["scores"]["dialogue"] < record["thresholds"]["dialogue"]
    assert record["scores"]["overall"] >= record["thresholds"]["overall"]  # its own bar met


@pytest.fixture
def review(tmp_path: Path, examples: Path) -> tuple[TestClient, str]:
    settings = Settings(
        home=tmp_path / "home", state=f"sqlite:///{tmp_path / 'home' / 'state.sqlite'}"
    )
    config, token = ReviewConfig().add_reviewer("sam", ["showrunner"])
    config.save(settings.home)
    outcome = run_episode(
        one_bar_brief(tmp_path, examples),
        examples / "bible.yaml",
        out=tmp_path / "out",
        llm=None,
        settings=settings,
        run_id="ep1",
    )
    assert outcome.status == "awaiting_approval"
    client = TestClient(create_app(settings))
    sign_in(client, token)
    return client, token


def test_the_review_page_marks_the_overall_below(review):
    client, token = review
    page = client.get("/runs/ep1").text
    table = page[page.index('<table id="scores">') :]
    table = table[: table.index("</table>")]
    marks = dict(
        re.findall(
            r"<tr><td>(\w+)</td>[^<]*<td>[^<]*</td>\s*<td>[^<]*</td>"
            r"<td class=\"(ok|below)\">",
            table,
        )
    )
    assert marks["dialogue"] == "below" and marks["overall"] == "below"
    assert marks["structure"] == "ok"
    view = client.get("/api/runs/ep1", headers=auth(token)).json()
    assert view["marks"]["overall"] == "below"
    assert view["scores"][-1]["overall"] >= view["thresholds"]["overall"]


def test_review_show_marks_the_overall_below(review, tmp_path, monkeypatch):
    _, token = review
    monkeypatch.setenv("REELWRIGHT_HOME", str(tmp_path / "home"))
    state = f"sqlite:///{tmp_path / 'home' / 'state.sqlite'}"
    shown = CliRunner().invoke(app, ["review", "show", "ep1", "--state", state, "--token", token])
    assert shown.exit_code == 0, shown.output
    marks = dict(re.findall(r"^  (\w+)\s+[\d.]+ / [\d.]+ (ok|below)$", shown.output, re.M))
    assert marks["dialogue"] == "below" and marks["overall"] == "below"
    assert marks["structure"] == "ok"
