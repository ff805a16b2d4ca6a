"""The review app's structure: pages from autoescaped templates, one exception handler
(JSON under /api/, a page elsewhere), and the versioned RunView behind the page, the API
and `review show`."""

from __future__ import annotations

import pytest

from reelwright.errors import (
    AuthError,
    BusyError,
    ConflictError,
    InputError,
    NotFoundError,
    ReelwrightError,
)
from reelwright.locks import run_lock
from reelwright.review.app import create_app, status_of
from reelwright.review.chart import score_chart
from reelwright.review.views import RUN_VIEW_VERSION, RunView, run_view
from tests.review.conftest import auth, form_field, sign_in
from tests.review.test_hardening import security_headers_hold

SCRIPT_LINE = '<script>alert("line")</script>'
SCRIPT_NOTE = "<img src=x onerror=alert(1)>"


def test_a_script_bearing_line_and_note_are_escaped_on_the_run_page(client, project):
    _, tokens = project
    edited = client.post(
        "/api/runs/ep1/decision",
        headers=auth(tokens["sam"]),
        json={
            "decision": "edit",
            "note": SCRIPT_NOTE,
            "edits": [{"kind": "line", "scene_id": "s1", "line": 1, "text": SCRIPT_LINE}],
        },
    )
    assert edited.status_code == 200
    sign_in(client, tokens["sam"])
    page = client.get("/runs/ep1")
    assert page.status_code == 200
    assert SCRIPT_LINE not in page.text and SCRIPT_NOTE not in page.text
    assert "&lt;script&gt;alert(&#34;line&#34;)&lt;/script&gt;" in page.text  # the script
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text  # the decision history
    assert "<script" not in page.text


def test_the_templates_autoescape_every_page(project):
    settings, _ = project
    env = create_app(settings).state.review.templates.env
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InputError("bad"), 400),
        (AuthError("who?"), 401),
        (AuthError("not your gate", 403), 403),
        (NotFoundError("no run"), 404),
        (ConflictError("stale"), 409),
        (BusyError("another process"), 409),
        (ReelwrightError("broken"), 500),
    ],
)
def test_status_of_maps_each_error(error, status):
    assert status_of(error) == status


def test_api_errors_are_json_with_their_status(client, project):
    settings, tokens = project
    missing = client.get("/api/runs/nope", headers=auth(tokens["sam"]))
    assert missing.status_code == 404 and missing.json() == {"error": "no run nope"}
    unknown_route = client.get("/api/nowhere", headers=auth(tokens["sam"]))
    assert unknown_route.status_code == 404 and "error" in unknown_route.json()
    with run_lock(settings.home, "ep1"):  # another process holds the run: BusyError
        busy = client.post(
            "/api/runs/ep1/decision", headers=auth(tokens["sam"]), json={"decision": "approve"}
        )
    assert busy.status_code == 409 and "another process" in busy.json()["error"]
    for r in (missing, unknown_route, busy):
        assert r.headers["content-type"] == "application/json"
        security_headers_hold(r)


def test_page_errors_are_an_error_page_with_their_status(client, project):
    _, tokens = project
    sign_in(client, tokens["sam"])
    missing = client.get("/runs/nope")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert '<p class="flash error" id="flash" role="alert">no run nope</p>' in missing.text
    assert 'id="who">sam<' in missing.text  # still signed in: the nav shows who
    csrf = form_field(client.get("/runs/ep1").text, "csrf")
    bad = client.post("/runs/ep1/decision", data={"decision": "maybe", "csrf": csrf})
    # an invalid decision goes back to the run page with the reason shown as an error
    assert bad.status_code == 200 and bad.url.path == "/runs/ep1"
    assert '<p class="flash error" id="flash" role="alert">decision is invalid' in bad.text
    assert "Waiting at the" in bad.text
    no_page = client.get("/no-such-page")
    assert no_page.status_code == 404 and no_page.headers["content-type"].startswith("text/html")
    for r in (missing, bad, no_page):
        security_headers_hold(r)


def test_a_conflicting_form_decision_goes_back_to_the_run_with_the_reason(client, project):
    _, tokens = project
    sign_in(client, tokens["sam"])
    csrf = form_field(client.get("/runs/ep1").text, "csrf")
    stale = client.post(
        "/runs/ep1/decision",
        data={"decision": "approve", "revision": "0" * 16, "csrf": csrf},
        follow_redirects=False,
    )
    assert stale.status_code == 303 and stale.headers["location"].startswith("/runs/ep1?msg=")
    shown = client.get(stale.headers["location"])
    assert "stale decision" in shown.text and "Waiting at the" in shown.text


def test_the_api_answers_the_versioned_run_view(client, project):
    settings, tokens = project
    answer = client.get("/api/runs/ep1", headers=auth(tokens["sam"])).json()
    documented = {"status", "gate", "iteration", "thresholds", "scores", "script", "shots"}
    assert documented | {"findings", "approvals"} <= set(answer) == set(RunView.model_fields)
    assert answer["version"] == RUN_VIEW_VERSION
    assert RunView.model_validate(answer) == run_view("ep1", settings)  # it reads back


def test_the_score_chart_draws_a_line_per_dimension_and_nothing_without_scores():
    assert score_chart([]) is None
    chart = score_chart([{"pacing": 5.0, "overall": 6.0}, {"pacing": 10.0, "overall": 7.0}])
    assert chart is not None
    assert [s.dimension for s in chart.series] == ["pacing", "overall"]
    pacing = chart.series[0]
    assert len(pacing.points) == 2 and pacing.points[1][1] == 10  # 10/10 is the top
    assert pacing.polyline.count(",") == 2


def test_an_unreadable_review_config_is_an_error_page_not_a_crash(client, project):
    settings, tokens = project
    sign_in(client, tokens["sam"])
    (settings.home / "review.yaml").write_text("reviewers: [unclosed\n")
    page = client.get("/runs/ep1")
    assert page.status_code == 400 and "review config" in page.text
    assert 'id="who"' not in page.text  # no one can be shown as signed in
    security_headers_hold(page)
    api = client.get("/api/runs", headers=auth(tokens["sam"]))
    assert api.status_code == 400 and "review config" in api.json()["error"]


def test_waiting_times_read_as_people_say_them():
    from datetime import UTC, datetime

    from reelwright.graphs.waiting import waited

    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert waited("2026-11-26T11:59:20+00:00", now) == "40 s"
    assert waited("2026-11-26T09:55:00+00:00", now) == "2 h 5 min"
    assert waited("2026-11-23T08:00:00+00:00", now) == "3 d 4 h"
    assert waited(None, now) == "—" and waited("garbage", now) == "—"


def test_equal_thresholds_share_one_labelled_line():
    from reelwright.review.chart import score_chart

    chart = score_chart(
        [{"pacing": 5.0, "dialogue": 6.0, "overall": 6.0}],
        {"pacing": 7.0, "dialogue": 7.0, "overall": 7.5},
    )
    assert chart is not None
    assert [(t.score, t.label) for t in chart.thresholds] == [
        (7.0, "pacing, dialogue ≥ 7"),
        (7.5, "overall ≥ 7.5"),
    ]
    assert len({t.y for t in chart.thresholds}) == 2


def test_each_line_plays_on_its_own_and_voices_can_be_changed(client, project):
    import re

    _, tokens = project
    sign_in(client, tokens["sam"])
    page = client.get("/runs/ep1").text
    sources = re.findall(r'<audio class="line"[^>]*src="([^"]+)"', page)
    assert sources, "no line player on the run page"
    assert all(re.search(r"/files/audio/mix\.wav#t=\d+\.\d\d,\d+\.\d\d$", s) for s in sources)
    start, end = (float(x) for x in sources[0].split("#t=")[1].split(","))
    assert 0 <= start < end
    mix = client.get(sources[0].split("#")[0])
    assert mix.status_code == 200 and mix.content[:4] == b"RIFF"
    assert 'id="act-voice-juno"' in page and 'value="set_voice"' in page
    assert 'value="revoice_line"' in page


def test_the_sign_in_page_says_how_to_get_a_token(tmp_path):
    from fastapi.testclient import TestClient

    from reelwright.config import Settings

    settings = Settings(home=tmp_path / "home", state=f"sqlite:///{tmp_path / 'state.sqlite'}")
    page = TestClient(create_app(settings)).get("/login")
    assert page.status_code == 200
    assert "reelwright reviewers add NAME --role showrunner" in page.text
    assert "only its hash is kept" in page.text  # why a lost token cannot be shown again
