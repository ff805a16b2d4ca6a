"""End to end in headless Chromium: queue, run page with frames and scores, a free-text note
refused offline, a shot split into two through its action form, the run comes back with two
shots marked addressed, approve, published."""

from __future__ import annotations

import json
import time

import pytest

from tests.browser import CHROMIUM_ARGS, chromium_path
from tests.review.conftest import sign_in

CHROMIUM = chromium_path()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (installed by .ci/run)"
)


def test_review_in_a_real_browser(server, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    base, tokens = server
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(  # anything the Content-Security-Policy blocked
            "console",
            lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{base}/")
        assert page.url.endswith("/login")
        page.fill("input[name=token]", tokens["sam"])
        page.click("button[type=submit]")
        assert page.locator("#queue").is_visible()
        row = page.inner_text("#queue tr:nth-child(2)")
        assert "First Light" in row and "final" in row and "showrunner" in row
        assert page.inner_text("#queue tr:nth-child(2) td.waiting").endswith((" s", " min"))
        page.click("text=ep1")
        assert "Waiting at the final gate" in page.inner_text("#gate")
        assert page.locator("#scores tr").count() == 8  # header + 6 dimensions + overall
        assert page.locator("#score-chart").is_visible()
        frames = page.locator("#shots img")
        assert frames.count() >= 6
        # polled from here: wait_for_function evaluates its predicate with eval(), which the
        # page's Content-Security-Policy (rightly) forbids
        deadline = time.monotonic() + 10
        while not page.eval_on_selector_all(
            "#shots img", "imgs => imgs.every(i => i.naturalWidth > 0)"
        ):
            assert time.monotonic() < deadline, "frames did not load"
            page.wait_for_timeout(50)
        page.screenshot(path=str(tmp_path / "run.png"), full_page=True)
        # what needs a decision comes first, then the critic's notes, then the animatic
        tops = [
            page.eval_on_selector(sel, "e => e.getBoundingClientRect().top")
            for sel in ("#needs-decision", "#approve", "h2:text('Critic')", "#animatic", "#shots")
        ]
        assert tops == sorted(tops)
        assert page.locator("#animatic track[kind=subtitles]").count() == 1
        assert page.locator("#score-chart line.threshold").count() >= 1
        # each frame once, each with its full prompt on demand
        assert page.locator("img[alt^='frame of']").count() == page.locator("#shots figure").count()
        assert page.locator("#shots figure details.prompt").count() == frames.count()

        # free text is refused offline, as an error that looks like one
        page.select_option("#reject-to", "director")
        page.fill("#reject-note", "Scene 2 needs closer coverage of Juno.")
        page.click("#reject")
        assert "cannot read a free-text note" in page.inner_text("#flash")
        assert "error" in (page.get_attribute("#flash", "class") or "")
        error_bg = page.eval_on_selector("#flash", "e => getComputedStyle(e).backgroundColor")
        assert error_bg == "rgb(253, 226, 228)"

        # a structured note on one shot: split it into two close singles
        shot = page.get_attribute("#shots figure:nth-child(2)", "data-shot")
        form = f"#act-shot-{shot}"
        page.click(f"{form} summary")
        page.select_option(f"{form} select[name=action]", "split_shot")
        page.fill(f"{form} input[name=into]", "2")
        page.fill(f"{form} input[name=framings]", "close, close")
        page.fill(f"{form} input[name=note]", "split into two singles under 6 s")
        page.click(f"{form} button[type=submit]")
        assert page.inner_text("#flash") == "Decision recorded."
        assert "iteration 2" in page.inner_text("#status")  # back after the revision
        assert "Waiting at the final gate" in page.inner_text("#gate")
        assert page.locator(f"#shot-{shot}").count() == 0
        assert page.locator(f"#shot-{shot}a").count() == 1
        assert page.locator(f"#shot-{shot}b").count() == 1
        addressed = page.inner_text("#addressed")
        assert f"split_shot {shot}" in addressed and "addressed" in addressed
        assert "not addressed" not in addressed
        page.screenshot(path=str(tmp_path / "revised.png"), full_page=True)
        history = page.inner_text("#history")
        assert "reject" in history and "split into two singles" in history

        page.click("#approve")
        assert page.inner_text("#flash").startswith("Published: the package is in ")
        assert "published" in page.inner_text("#status")
        flash_bg = page.eval_on_selector("#flash", "e => getComputedStyle(e).backgroundColor")
        assert flash_bg == "rgb(255, 244, 214)"  # the stylesheet loaded under the CSP

        page.click("#logout")
        assert page.url.endswith("/login")
        page.goto(f"{base}/")
        assert page.url.endswith("/login")  # the session ended
        browser.close()
    assert errors == []
    settings_out = tmp_path / "out"
    record = json.loads((settings_out / "run.json").read_text())
    assert record["status"] == "published" and record["iterations"] == 2
    assert [a["decision"] for a in record["approvals"]] == ["reject", "approve"]


def test_cross_site_form_posts_are_refused(server, http):
    import httpx

    base, tokens = server
    http.route(host="127.0.0.1").pass_through()  # our own server on loopback
    with httpx.Client(base_url=base) as client:
        assert sign_in(client, tokens["sam"]).status_code == 303
        page = client.get("/runs/ep1")
        assert page.status_code == 200
        forged = client.post(
            "/runs/ep1/decision",
            data={"decision": "approve", "csrf": "x"},
            headers={"origin": "http://evil.example"},
        )
        assert forged.status_code == 403
        unsigned = client.post("/runs/ep1/decision", data={"decision": "approve"})
        assert unsigned.status_code == 403
        assert client.get("/api/runs").status_code == 401  # cookies never open the API
