"""Stored state is not trusted with power: a checkpoint edited by someone else cannot redirect
the API key, and no stored path makes a resume read or write outside its root."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from reelwright.api import resume_run, run_episode
from reelwright.cli import app
from reelwright.config import Settings
from reelwright.errors import InputError, NotFoundError, RenderError
from reelwright.graphs.checkpoint import open_checkpointer
from reelwright.loading import load_bible
from reelwright.renderers.cache import RenderCache, render_all
from reelwright.testing import ScriptedEndpoint
from tests.renderers.test_cache import CountingRenderer, jobs

BRIEF = "briefs/first-light.yaml"
GOOD = "https://good.example/v1"
EVIL = "https://evil.example/v1"
REJECT = {
    "decision": "reject",
    "by": "sam",
    "actions": [{"kind": "add_beat", "scene_id": "s1", "text": "A warmer opening."}],
}


def tamper(settings: Settings, run_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the latest checkpoint in place, as someone with write access to the database
    would: the run keeps its place (and a pending gate) but holds altered values."""
    with open_checkpointer(settings.state_url) as saver:
        found = saver.get_tuple({"configurable": {"thread_id": run_id}})
        assert found is not None
        change(found.checkpoint["channel_values"])
        saver.put(found.parent_config, found.checkpoint, found.metadata, {})


def replace_run(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(values: dict[str, Any]) -> None:
        values["run"] = values["run"].model_copy(update=changes)

    return change


def png(path: Path, colour: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (48, 27), colour).save(path)
    return path


class FailAt:
    """Progress that fails the run as `node` starts, leaving it resumable there."""

    def __init__(self, node: str) -> None:
        self.node_name = node

    def node(self, name: str, iteration: int) -> None:
        if name == self.node_name:
            raise RuntimeError(f"killed before {name}")

    def frame(self, result: Any, done: int, total: int) -> None:
        pass


def offline_run(examples: Path, tmp_path: Path, settings: Settings, **kw: Any):
    kw.setdefault("auto_approve", False)
    return run_episode(
        examples / BRIEF, out=tmp_path / "out", settings=settings, llm=None, run_id="ep1", **kw
    )


# --------------------------------------------------------------------------- endpoint


@pytest.fixture
def endpoints(http):
    good, evil = ScriptedEndpoint(), ScriptedEndpoint()
    good_route = http.post(f"{GOOD}/chat/completions").mock(side_effect=good)
    evil_route = http.post(f"{EVIL}/chat/completions").mock(side_effect=evil)
    openai_route = http.post("https://api.openai.com/v1/chat/completions").mock(side_effect=good)
    return good_route, evil_route, openai_route


def llm_settings(settings: Settings, base_url: str | None) -> Settings:
    llm = settings.llm.model_copy(update={"base_url": base_url, "api_key": "sk-user-secret"})
    return settings.model_copy(update={"llm": llm})


def llm_run_at_gate(examples: Path, tmp_path: Path, settings: Settings) -> None:
    outcome = run_episode(
        examples / BRIEF,
        out=tmp_path / "out",
        settings=llm_settings(settings, GOOD),
        run_id="ep1",
        auto_approve=False,
    )
    assert outcome.status == "awaiting_approval", outcome.error


def test_resume_refuses_a_tampered_endpoint_and_nothing_reaches_it(
    examples, tmp_path, settings, endpoints
):
    good, evil, _ = endpoints
    llm_run_at_gate(examples, tmp_path, settings)
    calls = good.call_count
    tamper(settings, "ep1", replace_run(llm_base_url=EVIL))
    with pytest.raises(InputError) as refused:
        resume_run("ep1", settings=llm_settings(settings, GOOD), decision=REJECT)
    message = str(refused.value)
    assert EVIL in message and GOOD in message and "REELWRIGHT_LLM_BASE_URL" in message
    assert not evil.called  # the key never left for the stored endpoint
    assert good.call_count == calls


def test_resume_with_no_endpoint_configured_refuses_a_stored_one(
    examples, tmp_path, settings, endpoints
):
    good, _, openai = endpoints
    llm_run_at_gate(examples, tmp_path, settings)
    calls = good.call_count
    with pytest.raises(InputError, match="good.example"):
        resume_run("ep1", settings=llm_settings(settings, None), decision=REJECT)
    assert good.call_count == calls and not openai.called


def test_resume_with_the_same_endpoint_configured_goes_on(examples, tmp_path, settings, endpoints):
    good, evil, _ = endpoints
    llm_run_at_gate(examples, tmp_path, settings)
    calls = good.call_count
    same = llm_settings(settings, "HTTPS://Good.Example:443/v1/")  # the same URL, spelt otherwise
    outcome = resume_run("ep1", settings=same, decision=REJECT)
    assert outcome.status == "awaiting_approval", outcome.error
    assert good.call_count > calls and not evil.called


# --------------------------------------------------------------------------- stored paths


def test_resume_refuses_a_frame_path_outside_the_render_cache(examples, tmp_path, settings):
    outcome = offline_run(examples, tmp_path, settings, progress=FailAt("package"))
    assert outcome.status == "failed"
    secret = png(tmp_path / "private" / "secret.png", "red")

    def point_at_secret(values: dict[str, Any]) -> None:
        first = values["renders"][0]
        values["renders"][0] = first.model_copy(update={"path": str(secret)})

    tamper(settings, "ep1", point_at_secret)
    with pytest.raises(InputError, match="render cache"):
        resume_run("ep1", settings=settings)
    frames = list((tmp_path / "out" / "frames").glob("*.png"))
    assert all(f.read_bytes() != secret.read_bytes() for f in frames)  # nothing copied out


def test_resume_refuses_a_frame_path_to_another_cache_entry(examples, tmp_path, settings):
    offline_run(examples, tmp_path, settings, progress=FailAt("package"))

    def swap(values: dict[str, Any]) -> None:
        a, b = values["renders"][0], values["renders"][1]
        values["renders"][0] = a.model_copy(update={"path": b.path})

    tamper(settings, "ep1", swap)
    with pytest.raises(InputError, match="render cache"):
        resume_run("ep1", settings=settings)


@pytest.mark.parametrize("how", ["inside", "through a symlink"])
def test_resume_refuses_a_stored_out_dir_in_the_state_folder(examples, tmp_path, settings, how):
    offline_run(examples, tmp_path, settings, progress=FailAt("package"))
    target = settings.home / "pkg"
    if how == "through a symlink":
        target.mkdir(parents=True)
        (tmp_path / "link").symlink_to(target)
        stored = tmp_path / "link"
    else:
        stored = target
    tamper(settings, "ep1", replace_run(out_dir=str(stored)))
    with pytest.raises(InputError, match="output folder"):
        resume_run("ep1", settings=settings)
    assert not (target / "run.json").exists() and not (target / "frames").exists()


def test_resume_refuses_a_rights_ledger_moved_into_the_state_folder(examples, tmp_path, settings):
    offline_run(examples, tmp_path, settings)
    planted = settings.home / "rights.yaml"
    shutil.copy(examples / "rights.yaml", planted)
    tamper(settings, "ep1", replace_run(rights=str(planted)))
    with pytest.raises(InputError, match="state folder"):
        resume_run("ep1", settings=settings, decision=REJECT)


def test_resume_refuses_references_that_are_no_longer_a_folder(examples, tmp_path, settings):
    offline_run(examples, tmp_path, settings)
    not_a_folder = png(tmp_path / "elsewhere.png", "blue")
    tamper(settings, "ep1", replace_run(references=str(not_a_folder)))
    with pytest.raises(InputError, match="references"):
        resume_run("ep1", settings=settings, decision=REJECT)


def test_an_untampered_run_resumes_and_publishes(examples, tmp_path, settings):
    assert offline_run(examples, tmp_path, settings, progress=FailAt("package")).status == "failed"
    outcome = resume_run("ep1", settings=settings, decision=None)
    assert outcome.status == "awaiting_approval", outcome.error
    approved = resume_run("ep1", settings=settings, decision={"decision": "approve", "by": "sam"})
    assert approved.status == "published"


# --------------------------------------------------------------------------- character sheets


def project_with_sheet(tmp_path: Path, examples: Path, sheet: str) -> Path:
    """A project folder (bible, brief, an inside sheet) whose first character names `sheet`."""
    folder = tmp_path / "series"
    png(folder / "sheets" / "juno.png", "gold")
    png(tmp_path / "outside" / "juno.png", "purple")
    (folder / "briefs").mkdir(parents=True, exist_ok=True)
    shutil.copy(examples / BRIEF, folder / BRIEF)
    shutil.copy(examples / "rights.yaml", folder / "rights.yaml")
    data = yaml.safe_load((examples / "bible.yaml").read_text())
    data["characters"][0]["sheet"] = sheet
    (folder / "bible.yaml").write_text(yaml.safe_dump(data))
    return folder


def outside_sheet(tmp_path: Path, how: str) -> str:
    if how == "dot-dot":
        return "../outside/juno.png"
    if how == "absolute":
        return str(tmp_path / "outside" / "juno.png")
    link = tmp_path / "series" / "sheets" / "link.png"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(tmp_path / "outside" / "juno.png")
    return "sheets/link.png"


@pytest.mark.parametrize("how", ["dot-dot", "absolute", "symlink"])
def test_a_sheet_outside_the_bible_folder_needs_the_flag(tmp_path, examples, how):
    sheet = outside_sheet(tmp_path, how)
    folder = project_with_sheet(tmp_path, examples, sheet)
    with pytest.raises(InputError, match="outside the bible's folder"):
        load_bible(folder / "bible.yaml")
    bible = load_bible(folder / "bible.yaml", allow_outside_sheets=True)
    assert bible.characters[0].sheet == str((tmp_path / "outside" / "juno.png").resolve())


def test_a_sheet_inside_the_bible_folder_needs_no_flag(tmp_path, examples):
    folder = project_with_sheet(tmp_path, examples, "sheets/juno.png")
    bible = load_bible(folder / "bible.yaml")
    assert bible.characters[0].sheet == str((folder / "sheets" / "juno.png").resolve())


def test_the_cli_refuses_an_outside_sheet_without_the_flag(tmp_path, examples, monkeypatch):
    folder = project_with_sheet(tmp_path, examples, "../outside/juno.png")
    monkeypatch.chdir(folder)
    runner = CliRunner()
    refused = runner.invoke(app, ["run", BRIEF, "--auto-approve", "--out", "out"])
    assert refused.exit_code == 2, refused.output
    assert "outside the bible's folder" in refused.output and "--allow-sheets-outside" in (
        refused.output
    )
    assert not (folder / "out").exists()
    allowed = runner.invoke(
        app, ["run", BRIEF, "--auto-approve", "--out", "out", "--allow-sheets-outside"]
    )
    assert allowed.exit_code == 0, allowed.output


def sheet_run(examples: Path, tmp_path: Path, settings: Settings, sheet: str, **kw: Any):
    folder = project_with_sheet(tmp_path, examples, sheet)
    outcome = run_episode(
        folder / BRIEF,
        out=tmp_path / "out",
        settings=settings,
        llm=None,
        run_id="ep1",
        auto_approve=False,
        **kw,
    )
    assert outcome.status == "awaiting_approval", outcome.error
    return folder


def point_sheet_at(sheet: Path) -> Callable[[dict[str, Any]], None]:
    """A tamper that points the first character's stored sheet at another file."""

    def change(values: dict[str, Any]) -> None:
        bible = values["bible"]
        first = bible.characters[0].model_copy(update={"sheet": str(sheet)})
        values["bible"] = bible.model_copy(update={"characters": [first, *bible.characters[1:]]})

    return change


def test_resume_refuses_a_sheet_moved_outside_the_project(examples, tmp_path, settings):
    sheet_run(examples, tmp_path, settings, "sheets/juno.png")
    secret = png(tmp_path / "private" / "id.png", "red")

    tamper(settings, "ep1", point_sheet_at(secret))
    with pytest.raises(InputError, match="outside the bible's folder"):
        resume_run("ep1", settings=settings, decision=REJECT)


def test_a_stored_sheet_allowance_also_needs_confirming_at_resume(examples, tmp_path, settings):
    sheet_run(examples, tmp_path, settings, "../outside/juno.png", allow_outside_sheets=True)
    with pytest.raises(InputError, match="REELWRIGHT_ALLOW_SHEETS_OUTSIDE"):
        resume_run("ep1", settings=settings, decision=REJECT)
    confirmed = settings.model_copy(update={"allow_sheets_outside": True})
    outcome = resume_run("ep1", settings=confirmed, decision=REJECT)
    assert outcome.status == "awaiting_approval", outcome.error
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["status"] == "awaiting_approval"


def test_a_tampered_sheet_allowance_alone_grants_nothing(examples, tmp_path, settings):
    sheet_run(examples, tmp_path, settings, "sheets/juno.png")
    tamper(settings, "ep1", replace_run(allow_outside_sheets=True))
    secret = png(tmp_path / "private" / "id.png", "red")

    tamper(settings, "ep1", point_sheet_at(secret))
    with pytest.raises(InputError, match="REELWRIGHT_ALLOW_SHEETS_OUTSIDE"):
        resume_run("ep1", settings=settings, decision=REJECT)


# --------------------------------------------------------------------------- cache entries


def test_a_cache_entry_that_leads_outside_the_cache_is_a_miss_and_is_replaced(tmp_path):
    cache = RenderCache(tmp_path / "cache")
    render_all(CountingRenderer(), jobs(2), cache)
    secret = png(tmp_path / "private" / "secret.png", "red")
    planted = cache.path(jobs(2)[0].key)
    planted.unlink()
    planted.symlink_to(secret)
    again = CountingRenderer()
    results = render_all(again, jobs(2), cache)
    assert again.rendered == ["s1-0"]  # re-rendered, not read through the link
    assert not planted.is_symlink() and planted.read_bytes() != secret.read_bytes()
    assert Path(results[0].path).read_bytes() != secret.read_bytes()


def test_a_reference_frame_that_leads_outside_the_cache_is_refused(tmp_path):
    cache = RenderCache(tmp_path / "cache")
    key = jobs(1)[0].key
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).symlink_to(png(tmp_path / "private" / "secret.png", "red"))
    with pytest.raises(RenderError, match="outside the render cache"):
        cache.reference(key)
    assert cache.reference("0" * 64) == cache.path("0" * 64)  # absent: the renderer says so


# --------------------------------------------------------------------------- review pages


def test_the_review_app_serves_only_files_the_runs_package_lists(examples, tmp_path, settings):
    from reelwright.review.views import package_file, run_view

    offline_run(examples, tmp_path, settings)
    view = run_view("ep1", settings)
    assert package_file(view, "contact_sheet.png").is_file()  # the clean case
    elsewhere = tmp_path / "elsewhere"
    png(elsewhere / "contact_sheet.png", "red")  # someone's file, not a package's
    tamper(settings, "ep1", replace_run(out_dir=str(elsewhere)))
    with pytest.raises(NotFoundError):
        package_file(run_view("ep1", settings), "contact_sheet.png")


def test_the_review_view_says_published_only_for_a_verified_package(examples, tmp_path, settings):
    from reelwright.review.views import run_view

    offline_run(examples, tmp_path, settings, auto_approve=True)
    assert run_view("ep1", settings).status == "published"
    (tmp_path / "out" / "animatic.mp4").write_bytes(b"not the animatic")
    assert run_view("ep1", settings).status.startswith("published, but")
