"""`reelwright critique PACKAGE --bible F [--brief F] [--json]`: scores an existing package
without running the loop; exit 0 whatever the verdict, 2 on bad input naming the problem."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reelwright.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def package(tmp_path_factory, examples_dir) -> Path:
    """The package of one offline run of the larger example."""
    root = tmp_path_factory.mktemp("critique")
    shutil.copytree(examples_dir, root / "project")
    result = runner.invoke(
        app,
        [
            "run",
            str(root / "project" / "briefs" / "storm-signal.yaml"),
            "--auto-approve",
            "--out",
            str(root / "out"),
            "--state",
            f"sqlite:///{root / 'state.sqlite'}",
        ],
    )
    assert result.exit_code == 0, result.output
    return root / "out"


@pytest.fixture(scope="module")
def examples_dir() -> Path:
    from tests.conftest import EXAMPLES

    return EXAMPLES


def critique_json(*args: str) -> dict:
    result = runner.invoke(app, ["critique", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_critique_json_reproduces_the_runs_final_scores(package, examples_dir):
    verdict = critique_json(str(package), "--bible", str(examples_dir / "bible.yaml"))
    assert set(verdict) == {"scores", "overall", "passed", "notes"}
    record = json.loads((package / "run.json").read_text())
    final = json.loads((package / "critique.json").read_text())[-1]
    assert {**verdict["scores"], "overall": verdict["overall"]} == record["scores"]
    assert verdict["scores"] == final["scores"] and verdict["overall"] == final["overall"]
    assert verdict["passed"] is record["passed"]
    for note in verdict["notes"]:
        assert set(note) == {"target", "dimension", "scene_ids", "shot_ids", "text"}
        assert note["target"] in ("writer", "director")
    assert {(n["dimension"], tuple(n["scene_ids"])) for n in verdict["notes"]} == {
        (n["dimension"], tuple(n["scene_ids"])) for n in final["notes"]
    }


def test_critique_prints_scores_and_notes_for_people(package, examples_dir, tmp_path):
    """A package edited by hand to give Pip (who does not speak) a line: the verdict and
    the writer's dialogue note are printed for people."""
    edited = tmp_path / "edited"
    shutil.copytree(package, edited)
    script = json.loads((edited / "script.json").read_text())
    scene = next(s for s in script["scenes"] if "pip" in s["characters"])
    scene["dialogue"].append({"character": "pip", "text": "I can talk now.", "parenthetical": ""})
    (edited / "script.json").write_text(json.dumps(script))
    result = runner.invoke(
        app, ["critique", str(edited), "--bible", str(examples_dir / "bible.yaml")]
    )
    assert result.exit_code == 0, result.output
    assert "overall" in result.output and "below thresholds" in result.output
    assert "- writer · dialogue" in result.output


def test_a_hand_written_script_with_an_absent_speaker_is_scored_not_rejected(
    package, examples_dir, tmp_path
):
    folder = tmp_path / "pkg"
    folder.mkdir()
    for name in ("brief.yaml", "shots.json"):
        shutil.copy(package / name, folder / name)
    script = json.loads((package / "script.json").read_text())
    scene = script["scenes"][0]
    outsider = next(c for c in ("juno", "bram", "pip", "odalys") if c not in scene["characters"])
    scene["dialogue"].append({"character": outsider, "text": "I was never here."})
    (folder / "script.json").write_text(json.dumps(script))
    verdict = critique_json(str(folder), "--bible", str(examples_dir / "bible.yaml"))
    assert verdict["scores"]["continuity"] <= 4.0
    assert verdict["scores"]["technical"] == 0.0  # no frames/: nothing measured as rendered
    assert any(
        n["dimension"] == "continuity"
        and n["scene_ids"] == [scene["id"]]
        and n["target"] == "writer"
        for n in verdict["notes"]
    )


def test_brief_option_overrides_the_packages_brief(package, examples_dir, tmp_path):
    brief = yaml.safe_load((package / "brief.yaml").read_text())
    brief["thresholds"] = dict.fromkeys(brief["thresholds"], 0)
    path = tmp_path / "lenient.yaml"
    path.write_text(yaml.safe_dump(brief))
    verdict = critique_json(
        str(package), "--bible", str(examples_dir / "bible.yaml"), "--brief", str(path)
    )
    assert verdict["passed"] is True


def broken(package: Path, tmp_path: Path, name: str, content: str | None) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(package, folder)
    if content is None:
        (folder / name).unlink()
    else:
        (folder / name).write_text(content)
    return folder


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.json", None, "script.json not found"),
        ("shots.json", "{not json", "is not valid JSON"),
        ("script.json", '{"title": "x"}', "missing required field"),
        ("brief.yaml", None, "brief file not found"),
    ],
)
def test_bad_package_files_exit_2_naming_the_problem(
    package, examples_dir, tmp_path, name, content, message
):
    folder = broken(package, tmp_path, name, content)
    result = runner.invoke(
        app, ["critique", str(folder), "--bible", str(examples_dir / "bible.yaml"), "--json"]
    )
    assert result.exit_code == 2
    assert message in result.output


def test_a_missing_folder_or_bible_exits_2(examples_dir, tmp_path):
    result = runner.invoke(
        app, ["critique", str(tmp_path / "nope"), "--bible", str(examples_dir / "bible.yaml")]
    )
    assert result.exit_code == 2 and "no package folder" in result.output
    result = runner.invoke(app, ["critique", str(tmp_path), "--bible", str(tmp_path / "b.yaml")])
    assert result.exit_code == 2


def test_a_brief_naming_characters_the_bible_lacks_exits_2(package, examples_dir, tmp_path):
    brief = yaml.safe_load((package / "brief.yaml").read_text())
    brief["characters"].append("zed")
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(brief))
    result = runner.invoke(
        app,
        [
            "critique",
            str(package),
            "--bible",
            str(examples_dir / "bible.yaml"),
            "--brief",
            str(path),
        ],
    )
    assert result.exit_code == 2 and "zed" in result.output


def test_a_script_naming_someone_the_bible_lacks_exits_2(package, examples_dir, tmp_path):
    script = json.loads((package / "script.json").read_text())
    script["scenes"][0]["characters"].append("zed")
    folder = broken(package, tmp_path, "script.json", json.dumps(script))
    result = runner.invoke(
        app, ["critique", str(folder), "--bible", str(examples_dir / "bible.yaml")]
    )
    assert result.exit_code == 2 and "'zed'" in result.output


def test_critique_uses_the_bible_the_package_recorded(package, examples_dir):
    recorded_bible = yaml.safe_load((package / "bible.yaml").read_text())
    assert (
        recorded_bible["title"]
        == yaml.safe_load((examples_dir / "bible.yaml").read_text())["title"]
    )
    recorded = critique_json(str(package))
    given = critique_json(str(package), "--bible", str(examples_dir / "bible.yaml"))
    assert recorded == given
    record = json.loads((package / "run.json").read_text())
    assert {**recorded["scores"], "overall": recorded["overall"]} == record["scores"]
    assert "bible.yaml" in record["files"]  # hashed, so `verify` covers it


def test_an_explicit_bible_wins_over_the_recorded_one(package, examples_dir, tmp_path):
    bible = yaml.safe_load((examples_dir / "bible.yaml").read_text())
    bible["characters"] = [c for c in bible["characters"] if c["id"] != "pip"]
    path = tmp_path / "bible.yaml"
    path.write_text(yaml.safe_dump(bible))
    result = runner.invoke(app, ["critique", str(package), "--bible", str(path)])
    assert result.exit_code == 2 and "pip" in result.output  # this bible, not the package's


def test_an_older_package_without_a_bible_asks_for_one(package, tmp_path):
    older = tmp_path / "older"
    shutil.copytree(package, older)
    (older / "bible.yaml").unlink()
    result = runner.invoke(app, ["critique", str(older)])
    assert result.exit_code == 2
    assert "records no bible" in result.output and "--bible FILE" in result.output


def test_a_package_carries_its_character_sheets_and_scores_without_the_project(tmp_path):
    """A bible with a character sheet: the package holds a copy under sheets/ and a bible
    naming it there, so `critique PACKAGE` works once the project folder is gone."""
    from PIL import Image

    from tests.conftest import permissive_brief

    brief = permissive_brief(tmp_path / "project")
    bible = yaml.safe_load((tmp_path / "project" / "bible.yaml").read_text())
    bible["characters"][0]["sheet"] = "art/juno.PNG"
    (tmp_path / "project" / "art").mkdir()
    Image.new("RGB", (32, 32), (200, 80, 40)).save(tmp_path / "project" / "art" / "juno.PNG")
    (tmp_path / "project" / "bible.yaml").write_text(yaml.safe_dump(bible))
    out = tmp_path / "out"
    state = f"sqlite:///{tmp_path / 'state.sqlite'}"
    ran = runner.invoke(
        app, ["run", str(brief), "--auto-approve", "--out", str(out), "--state", state]
    )
    assert ran.exit_code == 0, ran.output
    recorded = yaml.safe_load((out / "bible.yaml").read_text())
    juno = bible["characters"][0]["id"]
    assert recorded["characters"][0]["sheet"] == f"sheets/{juno}.png"
    assert (out / "sheets" / f"{juno}.png").read_bytes() == (
        tmp_path / "project" / "art" / "juno.PNG"
    ).read_bytes()
    shutil.rmtree(tmp_path / "project")
    result = runner.invoke(app, ["critique", str(out), "--json"])
    assert result.exit_code == 0, result.output
