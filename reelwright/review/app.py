"""The review web app and its JSON API (FastAPI).

Pages (cookie session, set by signing in with a reviewer token; forms carry a CSRF token and
must come from this origin): `/` the queue, `/runs/{id}` a run — script, contact sheet,
frames, animatic, scores against thresholds (chart across iterations), findings, decision
history, and forms to approve, reject with notes, or edit lines and prompts.

API (every route needs `Authorization: Bearer <token>`): `GET /api/runs`,
`GET /api/runs/{id}`, `POST /api/runs/{id}/decision`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
from typing import Any
from urllib.parse import quote, urlparse

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from reelwright.config import Settings
from reelwright.errors import AuthError, ConflictError, InputError, NotFoundError, ReelwrightError
from reelwright.review.reviewers import ReviewConfig, Reviewer

MAX_BODY = 64 * 1024
COOKIE = "rw_session"
DIMENSION_COLOURS = ["#2a6f97", "#e07a5f", "#3d405b", "#81b29a", "#c9a227", "#9c6644", "#111"]


def status_of(exc: Exception) -> int:
    if isinstance(exc, AuthError):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, InputError):
        return 400
    return 500


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    secret = secrets.token_bytes(32)  # CSRF tokens are valid for this server process
    app = FastAPI(title="Reelwright review", docs_url=None, redoc_url=None, openapi_url=None)

    def config() -> ReviewConfig:
        return ReviewConfig.load(settings.home)

    def csrf_for(token: str) -> str:
        return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()[:32]

    def bearer(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header.lower().startswith("bearer ") else None

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            return JSONResponse({"error": f"request body over {MAX_BODY} bytes"}, 413)
        return await call_next(request)

    # -- API ------------------------------------------------------------------------

    def api_reviewer(request: Request) -> Reviewer:
        return config().authenticate(bearer(request))

    def api_error(exc: Exception) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_of(exc))

    @app.get("/api/runs")
    def api_runs(request: Request) -> Response:
        from reelwright.api import pending_runs

        try:
            api_reviewer(request)
            return JSONResponse({"runs": pending_runs(settings=settings)})
        except ReelwrightError as exc:
            return api_error(exc)

    @app.get("/api/runs/{run_id}")
    def api_run(run_id: str, request: Request) -> Response:
        from reelwright.review.views import run_view

        try:
            api_reviewer(request)
            return JSONResponse(run_view(run_id, settings))
        except ReelwrightError as exc:
            return api_error(exc)

    @app.post("/api/runs/{run_id}/decision")
    async def api_decide(run_id: str, request: Request) -> Response:
        try:
            reviewer = api_reviewer(request)
            try:
                body = json.loads(await request.body())
            except ValueError as exc:
                raise InputError(f"the body is not valid JSON: {exc}") from None
            if not isinstance(body, dict):
                raise InputError("the body must be a JSON object")
            outcome = _decide(run_id, body, bearer(request))
            return JSONResponse(
                {
                    "run_id": outcome.run_id,
                    "status": outcome.status,
                    "gate": outcome.gate,
                    "by": reviewer.name,
                }
            )
        except ReelwrightError as exc:
            return api_error(exc)

    def _decide(run_id: str, body: dict[str, Any], token: str | None) -> Any:
        from reelwright.review.decisions import decide

        allowed = {
            "decision",
            "note",
            "to",
            "scene_ids",
            "shot_ids",
            "role",
            "revision",
            "token",
            "edits",
        }
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise InputError(f"unknown field(s) {unknown}")
        return decide(run_id, body, token, settings=settings, require_token=True)

    # -- pages ----------------------------------------------------------------------

    def session(request: Request) -> tuple[Reviewer, str] | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        try:
            return config().authenticate(token), token
        except AuthError:
            return None

    def same_origin(request: Request) -> bool:
        origin = request.headers.get("origin") or request.headers.get("referer")
        if not origin:
            return True  # same-site cookies already keep cross-site forms out
        return urlparse(origin).netloc == request.headers.get("host")

    @app.get("/login", response_class=HTMLResponse)
    def login_page(msg: str = "") -> str:
        return page(
            "Sign in",
            f"""{flash(msg)}
<form method="post" action="/login" class="card">
<label>Reviewer token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Sign in</button></form>""",
        )

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        token = str(form.get("token", ""))
        try:
            config().authenticate(token)
        except AuthError:
            return HTMLResponse(
                page(
                    "Sign in",
                    flash("That token is not valid.") + '<p><a href="/login">Try again</a></p>',
                ),
                401,
            )
        response = RedirectResponse("/", 303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.post("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request) -> Response:
        from reelwright.api import pending_runs

        who = session(request)
        if who is None:
            return RedirectResponse("/login", 303)
        rows = "".join(
            f'<tr><td><a href="/runs/{quote(r["run_id"])}">{html.escape(r["run_id"])}</a></td>'
            f"<td>{html.escape(r.get('gate', ''))}</td>"
            f"<td>{html.escape(', '.join(r.get('needs', [])))}</td>"
            f"<td>{r.get('iteration', '')}</td><td>{r.get('overall', '')}</td>"
            f"<td>{'passed' if r.get('passed') else 'below thresholds'}</td></tr>"
            for r in pending_runs(settings=settings)
        )
        body = (
            f"<p>Signed in as <b>{html.escape(who[0].name)}</b> "
            f"({html.escape(', '.join(who[0].roles))})</p>"
            '<table id="queue"><tr><th>run</th><th>gate</th><th>needs</th><th>iteration</th>'
            f"<th>overall</th><th></th></tr>{rows}</table>"
            + ("" if rows else '<p class="empty">No runs are waiting for review.</p>')
        )
        return HTMLResponse(page("Review queue", body))

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(run_id: str, request: Request, msg: str = "") -> Response:
        from reelwright.review.views import run_view

        who = session(request)
        if who is None:
            return RedirectResponse("/login", 303)
        try:
            view = run_view(run_id, settings)
        except ReelwrightError as exc:
            return HTMLResponse(page("Not found", flash(str(exc))), status_of(exc))
        return HTMLResponse(page(f"Run {run_id}", render_run(view, csrf_for(who[1]), msg)))

    @app.post("/runs/{run_id}/decision")
    async def form_decide(run_id: str, request: Request) -> Response:
        who = session(request)
        if who is None:
            return HTMLResponse(page("Sign in", flash("Sign in first.")), 401)
        form = await request.form()
        if not same_origin(request) or not hmac.compare_digest(
            str(form.get("csrf", "")), csrf_for(who[1])
        ):
            return HTMLResponse(page("Refused", flash("Cross-site request refused.")), 403)
        body: dict[str, Any] = {
            k: str(v)
            for k, v in form.items()
            if k in ("decision", "note", "to", "role", "revision", "token") and str(v)
        }
        for key in ("scene_ids", "shot_ids"):
            text = str(form.get(key, ""))
            if text:
                body[key] = [x.strip() for x in text.split(",") if x.strip()]
        if body.get("decision") == "edit":
            edit: dict[str, Any] = {
                "kind": str(form.get("kind", "")),
                "text": str(form.get("text", "")),
            }
            if edit["kind"] == "line":
                edit["scene_id"] = str(form.get("scene_id", ""))
                line = str(form.get("line", ""))
                edit["line"] = int(line) if line.isdigit() else None
            else:
                edit["shot_id"] = str(form.get("shot_id", ""))
            body["edits"] = [edit]
        try:
            outcome = _decide(run_id, body, who[1])
        except ReelwrightError as exc:
            return (
                RedirectResponse(f"/runs/{quote(run_id)}?msg={quote(str(exc)[:300])}", 303)
                if status_of(exc) in (409,)
                else HTMLResponse(
                    page(
                        "Refused",
                        flash(str(exc)) + f'<p><a href="/runs/{quote(run_id)}">'
                        "Back to the run</a></p>",
                    ),
                    status_of(exc),
                )
            )
        done = {
            "published": "Published.",
            "awaiting_approval": "Decision recorded.",
            "blocked": "The run ended blocked.",
        }.get(outcome.status, outcome.status)
        return RedirectResponse(f"/runs/{quote(run_id)}?msg={quote(done)}", 303)

    @app.get("/runs/{run_id}/files/{name:path}")
    def run_file(run_id: str, name: str, request: Request) -> Response:
        from reelwright.review.views import package_file, run_view

        if session(request) is None and bearer(request) is None:
            return Response(status_code=401)
        try:
            if session(request) is None:
                api_reviewer(request)
            return FileResponse(package_file(run_view(run_id, settings), name))
        except ReelwrightError as exc:
            return Response(str(exc), status_of(exc))

    return app


# --------------------------------------------------------------------------- HTML


def page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} · Reelwright</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 20px auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; margin: 6px 0 18px; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; margin: 10px 0; }}
.flash {{ background: #fff4d6; border: 1px solid #e5c36a; padding: 8px 12px; }}
.frames img {{ width: 240px; margin: 4px; border: 1px solid #ccc; }}
.below {{ color: #b00020; font-weight: bold; }} .ok {{ color: #17702f; }}
form.inline {{ display: inline-block; vertical-align: top; margin-right: 18px; }}
textarea {{ width: 420px; }}
</style></head><body><h1>{html.escape(title)}</h1>
<nav><a href="/">Queue</a></nav>{body}</body></html>"""


def flash(msg: str) -> str:
    return f'<p class="flash" id="flash">{html.escape(msg)}</p>' if msg else ""


def score_chart(history: list[dict[str, float]]) -> str:
    if not history:
        return ""
    dims = list(history[0])
    w, h, left, bottom = 560, 240, 40, 30
    xs = [left + (w - left - 120) * (i / max(1, len(history) - 1)) for i in range(len(history))]

    def y(v: float) -> float:
        return 10 + (h - bottom - 10) * (1 - v / 10)

    parts = [
        f'<svg id="score-chart" xmlns="http://www.w3.org/2000/svg" width="{w}" '
        f'height="{h}" role="img" aria-label="scores by iteration">'
        f'<rect width="{w}" height="{h}" fill="#fbfbf8"/>'
    ]
    for t in range(0, 11, 5):
        parts.append(
            f'<line x1="{left}" x2="{w - 120}" y1="{y(t)}" y2="{y(t)}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(t) + 4}" font-size="10" '
            f'text-anchor="end">{t}</text>'
        )
    for k, dim in enumerate(dims):
        colour = DIMENSION_COLOURS[k % len(DIMENSION_COLOURS)]
        pts = " ".join(f"{xs[i]:.1f},{y(s.get(dim, 0)):.1f}" for i, s in enumerate(history))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, s in enumerate(history):
            parts.append(
                f'<circle cx="{xs[i]:.1f}" cy="{y(s.get(dim, 0)):.1f}" r="3" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{w - 110}" y="{18 + k * 16}" font-size="11" '
            f'fill="{colour}">{html.escape(dim)}</text>'
        )
    for i in range(len(history)):
        parts.append(
            f'<text x="{xs[i]:.1f}" y="{h - 8}" font-size="10" '
            f'text-anchor="middle">it. {i + 1}</text>'
        )
    return "".join(parts) + "</svg>"


def render_run(view: dict[str, Any], csrf: str, msg: str) -> str:
    run_id = quote(view["run_id"])
    gate = view["gate"]
    latest = view["scores"][-1] if view["scores"] else {}
    rows = "".join(
        f"<tr><td>{html.escape(d)}</td><td>{latest.get(d, 0):.2f}</td><td>{t:.2f}</td>"
        f'<td class="{"ok" if latest.get(d, 0) >= t else "below"}">'
        f"{'ok' if latest.get(d, 0) >= t else 'below'}</td></tr>"
        for d, t in view["thresholds"].items()
    )
    parts = [
        flash(msg),
        f'<p id="status">Status: <b>{html.escape(view["status"])}</b> · iteration '
        f"{view['iteration']} · {html.escape(view['title'])}</p>",
    ]
    if gate:
        parts.append(
            f'<p id="gate">Waiting at the <b>{html.escape(gate["gate"])}</b> gate '
            f"(revision {html.escape(gate['revision'])}); needs: "
            f"{html.escape(', '.join(gate['needs']) or '—')}</p>"
        )
    parts.append(
        f'<h2>Scores</h2><table id="scores"><tr><th>dimension</th><th>score</th>'
        f"<th>threshold</th><th></th></tr>{rows}</table>{score_chart(view['scores'])}"
    )
    if view["has_frames"]:
        frames = "".join(
            f'<a href="/runs/{run_id}/files/frames/{quote(s["id"])}.png">'
            f'<img alt="{html.escape(s["id"])}" src="/runs/{run_id}/files/frames/'
            f'{quote(s["id"])}.png"></a>'
            for s in view["shots"]
        )
        parts.append(
            f'<h2>Frames</h2><img id="contact-sheet" alt="contact sheet" '
            f'src="/runs/{run_id}/files/contact_sheet.png" style="max-width:100%">'
            f'<div class="frames" id="frames">{frames}</div>'
            f'<h2>Animatic</h2><video id="animatic" controls width="640" '
            f'src="/runs/{run_id}/files/animatic.mp4"></video>'
        )
    if view["script"]:
        scenes = []
        for scene in view["script"]["scenes"]:
            lines = "".join(
                f"<li><b>{html.escape(view['characters'].get(d['character'], d['character']))}"
                f"</b>: {html.escape(d['text'])}</li>"
                for d in scene["dialogue"]
            )
            scenes.append(
                f'<div class="card scene" id="scene-{html.escape(scene["id"])}">'
                f"<b>{html.escape(scene['id'])}</b> {html.escape(scene['summary'])}"
                f"<ol>{lines}</ol></div>"
            )
        parts.append("<h2>Script</h2>" + "".join(scenes))
    if view["shots"]:
        shot_rows = "".join(
            f"<tr><td>{html.escape(s['id'])}</td><td>{html.escape(s['framing'])}</td>"
            f"<td>{s['duration_s']}</td><td>{html.escape(s['prompt'][:220])}</td></tr>"
            for s in view["shots"]
        )
        parts.append(
            '<h2>Shots</h2><table id="shots"><tr><th>shot</th><th>framing</th>'
            f"<th>s</th><th>prompt</th></tr>{shot_rows}</table>"
        )
    findings = "".join(
        f"<tr><td>{html.escape(f['severity'])}</td><td>{html.escape(f['where'])}</td>"
        f"<td>{html.escape(f['evidence'])}</td><td>{html.escape(f.get('entity') or f['rule'])}"
        f"</td></tr>"
        for f in view["findings"]
    )
    parts.append(
        '<h2>Compliance findings</h2><table id="findings"><tr><th>severity</th>'
        f"<th>where</th><th>evidence</th><th>entity</th></tr>{findings}</table>"
    )
    history = "".join(
        f"<tr><td>{html.escape(a['at'])}</td><td>{html.escape(a['gate'])}</td>"
        f"<td>{html.escape(a['by'])}</td><td>{html.escape(a['role'])}</td>"
        f"<td>{html.escape(a['decision'])}</td><td>{html.escape(a['note'])}</td></tr>"
        for a in view["approvals"]
    )
    parts.append(
        '<h2>Decisions</h2><table id="history"><tr><th>at</th><th>gate</th><th>by</th>'
        f"<th>role</th><th>decision</th><th>note</th></tr>{history}</table>"
    )
    if gate:
        hidden = (
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<input type="hidden" name="revision" value="{html.escape(gate["revision"])}">'
            f'<input type="hidden" name="token" value="{html.escape(gate["token"])}">'
        )
        action = f"/runs/{run_id}/decision"
        parts.append(f"""<h2>Decide</h2>
<form class="inline card" id="approve-form" method="post" action="{action}">{hidden}
<input type="hidden" name="decision" value="approve">
<label>Note <input name="note" maxlength="2000"></label>
<button type="submit" id="approve">Approve</button></form>
<form class="inline card" id="reject-form" method="post" action="{action}">{hidden}
<input type="hidden" name="decision" value="reject">
<label>To <select name="to" id="reject-to"><option value="writer">writer</option>
<option value="director">director</option></select></label><br>
<label>Scenes <input name="scene_ids" placeholder="s2, s3"></label>
<label>Shots <input name="shot_ids" placeholder="s2-1"></label><br>
<textarea name="note" id="reject-note" rows="3" maxlength="2000" required
 placeholder="What should change?"></textarea><br>
<button type="submit" id="reject">Reject with notes</button></form>
<form class="inline card" id="edit-form" method="post" action="{action}">{hidden}
<input type="hidden" name="decision" value="edit">
<label>Edit <select name="kind"><option value="line">dialogue line</option>
<option value="prompt">shot prompt</option></select></label>
<label>Scene <input name="scene_id" size="4"></label> <label>Line <input name="line" size="3">
</label> <label>Shot <input name="shot_id" size="5"></label><br>
<textarea name="text" rows="3" maxlength="4000" required></textarea><br>
<button type="submit" id="edit">Save edit</button></form>""")
    return "".join(parts)
