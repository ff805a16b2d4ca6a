"""Output folders are sacred: a package is written only into a new or empty folder, or over
an earlier package of the same run; anything else is refused (exit 2) unless --force, which
moves the old contents aside. Nothing the package did not write is ever deleted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reelwright.api import resume_run, run_episode
from reelwright.cli import app
from reelwright.config import Settings
from reelwright.errors import InputError
from reelwright.staging import Staging, inspect_folder
from tests.conftest import tree

runner = CliRunner()
HOLIDAY = b"\x89PNG\r\n\x1a\n my holiday"


def _someone_elses(folder: Path) -> dict[str, bytes]:
    (folder / "frames").mkdir(parents=True)
    files = {
        "run.json": json.dumps({"run_id": "theirs", "status": "published"}).encode(),
        "frames/holiday.png": HOLIDAY,
        "notes.txt": b"precious",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def _unchanged(folder: Path, files: dict[str, bytes]) -> bool:
    return all((folder / name).read_bytes() == data for name, data in files.items())


def test_a_folder_holding_someone_elses_files_is_refused_and_left_alone(project):
    files = _someone_elses(project / "out")
    result = runner.invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"]
    )
    assert result.exit_code == 2, result.output
    assert "another run" in result.output and "--force" in result.output
    assert tree(project / "out") == {"frames", *files}
    assert _unchanged(project / "out", files)


def test_force_moves_the_old_contents_aside_and_deletes_nothing(project):
    files = _someone_elses(project / "out")
    result = runner.invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out", "--force"]
    )
    assert result.exit_code == 0, result.output
    aside = [p for p in project.iterdir() if p.name.startswith("out.moved-")]
    assert len(aside) == 1 and _unchanged(aside[0], files)
    assert "moved the old contents" in result.output
    record = json.loads((project / "out" / "run.json").read_text())
    assert record["status"] == "published"
    assert not (project / "out" / "notes.txt").exists()


def test_a_symlinked_out_is_resolved_and_checked_there(project):
    real = project / "elsewhere"
    files = _someone_elses(real)
    (project / "link").symlink_to(real)
    refused = runner.invoke(
        app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "link"]
    )
    assert refused.exit_code == 2 and str(real) in refused.output
    assert _unchanged(real, files)
    empty = project / "empty"
    empty.mkdir()
    (project / "link2").symlink_to(empty)
    ok = runner.invoke(app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "link2"])
    assert ok.exit_code == 0, ok.output
    assert (project / "link2").is_symlink()  # the link is left as it was
    assert json.loads((empty / "run.json").read_text())["status"] == "published"


@pytest.mark.parametrize("out", [".reelwright/out", ".reelwright", ".", "briefs"])
def test_out_may_not_be_in_or_hold_the_state_folder_or_the_inputs(project, out):
    before = tree(project)
    result = runner.invoke(app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", out])
    assert result.exit_code == 2, result.output
    assert "choose a folder" in result.output
    assert tree(project) == before


def test_force_never_moves_the_project_or_the_state_folder(project):
    runner.invoke(app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", "out"])
    for out in (".", ".reelwright"):
        result = runner.invoke(
            app, ["run", "briefs/first-light.yaml", "--auto-approve", "--out", out, "--force"]
        )
        assert result.exit_code == 2, result.output
    assert (project / ".reelwright" / "state.sqlite").is_file()
    assert not [p for p in project.parent.iterdir() if ".moved-" in p.name]


def test_files_dropped_into_a_waiting_package_survive_and_block_the_publish(tmp_path, examples):
    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "out"
    first = run_episode(
        examples / "briefs" / "first-light.yaml", out=out, llm=None, run_id="ep", settings=settings
    )
    assert first.status == "awaiting_approval"
    (out / "frames" / "holiday.png").write_bytes(HOLIDAY)
    with pytest.raises(InputError, match="frames/holiday.png"):
        resume_run("ep", settings=settings, decision={"decision": "approve", "by": "sam"})
    assert (out / "frames" / "holiday.png").read_bytes() == HOLIDAY
    assert json.loads((out / "run.json").read_text())["status"] == "awaiting_approval"
    (out / "frames" / "holiday.png").unlink()  # the user moves their file away …
    done = resume_run("ep", settings=settings, decision={"decision": "approve", "by": "sam"})
    assert done.status == "published"  # … and the decision goes through


def test_an_edited_package_file_is_not_overwritten(tmp_path, examples):
    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "out"
    run_episode(
        examples / "briefs" / "first-light.yaml", out=out, llm=None, run_id="ep", settings=settings
    )
    (out / "script.md").write_text("my own rewrite")
    assert inspect_folder(out, "ep").kind == "foreign"
    with pytest.raises(InputError, match="script.md .changed since"):
        resume_run("ep", settings=settings, decision={"decision": "approve", "by": "sam"})
    assert (out / "script.md").read_text() == "my own rewrite"


def test_a_package_rewrite_swaps_the_whole_folder(tmp_path, examples):
    """A reject makes a new package; it replaces the old one whole (no stale frames), and
    the staging and old folders are gone afterwards."""
    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "out"
    run_episode(
        examples / "briefs" / "first-light.yaml", out=out, llm=None, run_id="ep", settings=settings
    )
    inode = (out / "animatic.mp4").stat().st_ino
    again = resume_run(
        "ep",
        settings=settings,
        decision={
            "decision": "reject",
            "by": "sam",
            "actions": [{"kind": "split_shot", "shot_id": "s1-1", "into": 2}],
        },
    )
    assert again.status == "awaiting_approval"
    assert (out / "animatic.mp4").stat().st_ino != inode
    shots = {s["id"] for s in json.loads((out / "shots.json").read_text())["shots"]}
    assert {p.stem for p in (out / "frames").iterdir()} == shots
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out"]


def test_recover_puts_back_a_package_whose_swap_was_cut_short(tmp_path, examples):
    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "out"
    run_episode(
        examples / "briefs" / "first-light.yaml", out=out, llm=None, run_id="ep", settings=settings
    )
    staging = Staging(out, "ep")
    before = tree(out)
    os.rename(out, staging.old)  # a crash between the two renames of the fallback swap
    staging.stage.mkdir()
    (staging.stage / ".reelwright-staging").write_text("ep")
    staging.recover()
    assert tree(out) == before
    assert not staging.old.exists() and not staging.stage.exists()


def test_recover_refuses_to_remove_a_folder_it_did_not_make(tmp_path):
    staging = Staging(tmp_path / "out", "ep")
    staging.stage.mkdir()
    (staging.stage / "mine.txt").write_text("x")
    with pytest.raises(InputError, match="not made by Reelwright"):
        staging.recover()
    assert (staging.stage / "mine.txt").read_text() == "x"


def test_a_package_of_the_same_run_id_from_another_project_is_not_replaced(tmp_path, examples):
    """Run ids are not unique across projects: a package is this run's only with its random
    package id too, so another state database's run of the same id is refused."""
    out = tmp_path / "shared-out"
    first = run_episode(
        examples / "briefs" / "storm-signal.yaml",
        out=out,
        llm=None,
        run_id="s1",
        auto_approve=True,
        settings=Settings(home=tmp_path / "project-a"),
    )
    assert first.status == "published"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(InputError, match="another run named 's1'"):
        run_episode(
            examples / "briefs" / "first-light.yaml",
            out=out,
            llm=None,
            run_id="s1",
            auto_approve=True,
            settings=Settings(home=tmp_path / "project-b"),
        )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_dropped_file_at_resume_says_to_move_it_and_resume_not_force(tmp_path, examples):
    settings = Settings(home=tmp_path / "home")
    out = tmp_path / "out"
    run_episode(
        examples / "briefs" / "first-light.yaml", out=out, llm=None, run_id="ep", settings=settings
    )
    (out / "extra.txt").write_text("mine")
    with pytest.raises(InputError) as refused:
        resume_run("ep", settings=settings, decision={"decision": "approve", "by": "sam"})
    assert "reelwright resume ep" in str(refused.value) and "--force" not in str(refused.value)
