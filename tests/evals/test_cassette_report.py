from __future__ import annotations

import json
from pathlib import Path

import pytest

from reelwright.evals.runner import EvalOptions, run_suite, write_outputs
from reelwright.records import EvalLog
from reelwright.testing import BASE_URL, ScriptedEndpoint
from tests.browser import CHROMIUM_ARGS, chromium_path


@pytest.fixture
def llm_env(monkeypatch):
    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", BASE_URL)
    monkeypatch.setenv("REELWRIGHT_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("REELWRIGHT_LLM_MAX_ATTEMPTS", "1")


def _strip(log: EvalLog) -> list[dict]:
    return [c.model_dump(exclude={"wall_s", "timings"}) for c in log.cases]


def package_texts(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): p.read_text()
        for p in sorted(out.glob("cases/*/package/*.json"))
        if p.name in ("script.json", "shots.json", "critique.json")
    }


def test_a_recorded_run_replays_with_no_network_and_identical_outputs(
    suite_factory, tmp_path, http, llm_env
):
    endpoint = ScriptedEndpoint()
    route = http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    suite = suite_factory(3, model_cleared="gpt-4o-mini")
    cassette = tmp_path / "cassette.jsonl"
    recorded = run_suite(suite, EvalOptions(out=tmp_path / "rec", record=cassette, long_side=256))
    assert all(c.status == "published" for c in recorded.cases), recorded.cases
    calls = route.call_count
    assert calls > 0 and len(cassette.read_text().splitlines()) == calls
    replayed = run_suite(suite, EvalOptions(out=tmp_path / "rep", replay=cassette, long_side=256))
    assert route.call_count == calls  # zero network calls while replaying
    assert _strip(replayed) == _strip(recorded)
    rec_texts = package_texts(tmp_path / "rec")
    assert rec_texts and package_texts(tmp_path / "rep") == rec_texts


def test_a_replay_missing_a_request_fails_naming_it(suite_factory, tmp_path, http, llm_env):
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=ScriptedEndpoint())
    suite = suite_factory(1, model_cleared="gpt-4o-mini")
    cassette = tmp_path / "cassette.jsonl"
    run_suite(suite, EvalOptions(out=tmp_path / "rec", record=cassette, long_side=256))
    lines = cassette.read_text().splitlines()
    dropped = [line for line in lines if " SceneReply:" in line][-1]
    cassette.write_text("\n".join(line for line in lines if line != dropped) + "\n")
    log = run_suite(suite, EvalOptions(out=tmp_path / "rep", replay=cassette, long_side=256))
    (case,) = log.cases
    assert case.status == "error"
    assert "CassetteMiss" in case.error and "holds no reply for POST" in case.error
    assert json.loads(dropped)["request"] in case.error


CHROMIUM = chromium_path()


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (installed by .ci/run)")
def test_html_report_opens_in_headless_chromium_and_shows_its_plots(suite_factory, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    from PIL import Image, ImageStat

    out = tmp_path / "out"
    log = run_suite(suite_factory(4), EvalOptions(out=out, offline=True, long_side=256))
    page_path = write_outputs(log, out)["html"]
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_path.as_uri())
        plots = page.query_selector_all("figure.plot")
        shots = []
        for i, el in enumerate(plots):
            target = tmp_path / f"plot-{i}.png"
            el.screenshot(path=str(target))
            shots.append(target)
        rows = page.locator("table").first.locator("tr").count()
        browser.close()
    assert errors == []
    assert len(shots) == 3 and rows == 5  # header + 4 cases
    for shot in shots:
        with Image.open(shot) as img:
            assert img.width > 300 and img.height > 80
            assert max(ImageStat.Stat(img.convert("L")).stddev) > 3  # drawn, not blank
            assert len(img.convert("RGB").getcolors(1 << 16) or []) > 8
