from __future__ import annotations

import pytest

from reelwright.evals.runner import EvalOptions, run_suite, write_outputs
from tests.browser import CHROMIUM_ARGS, chromium_path

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
