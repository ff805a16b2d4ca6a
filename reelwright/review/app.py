"""The review web app and its JSON API (FastAPI).

Pages (signed in through a form that carries a CSRF token; the cookie holds a random session
id kept server-side, never the reviewer's token; forms carry a CSRF token and must come from
this origin): `/` the queue, `/runs/{id}` a run — script, contact sheet, frames, animatic,
scores against thresholds (chart across iterations), findings, decision history, and forms to
approve, reject with notes, or edit lines and prompts.

API (every route needs `Authorization: Bearer <token>`): `GET /api/runs`,
`GET /api/runs/{id}`, `POST /api/runs/{id}/decision`.

Every request passes the guards (`guards.py`): bodies over 64 KiB are 413 while they stream
in, and every response carries the security headers. Decisions resume the run and may
publish, which takes a while: they run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import html
import secrets
from typing import Any
from urllib.parse import quote, urlparse

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from reelwright.config import Settings
from reelwright.errors import AuthError, ConflictError, InputError, NotFoundError, ReelwrightError
from reelwright.review.guards import MAX_BODY, BodyLimit, SecurityHeaders, read_json_object
from reelwright.review.pages import (
    STYLESHEET,
    Signed,
    flash,
    login_form,
    page,
    queue_table,
    render_run,
)
from reelwright.review.reviewers import ReviewConfig, Reviewer
from reelwright.review.sessions import SessionStore, csrf_ok, csrf_token

__all__ = ["MAX_BODY", "COOKIE", "create_app"]

COOKIE = "rw_session"
LOGIN_COOKIE = "rw_login"  # a sign-in nonce; the form's CSRF token is bound to it
DECISION_FIELDS = frozenset(
    {"decision", "note", "to", "scene_ids", "shot_ids", "role", "revision", "token", "edits"}
)


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


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # same-site cookies already keep cross-site forms out
    return urlparse(origin).netloc == request.headers.get("host")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    sessions = SessionStore(settings.home)
    app = FastAPI(title="Reelwright review", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.add_middleware(SecurityHeaders)  # outermost: it also marks the 413s

    def config() -> ReviewConfig:
        return ReviewConfig.load(settings.home)

    def take_decision(run_id: str, body: dict[str, Any], reviewer: Reviewer) -> Any:
        """Validate the fields and take the decision; blocking (it may publish), so callers
        run it in a worker thread."""
        from reelwright.review.decisions import decide

        unknown = sorted(set(body) - DECISION_FIELDS)
        if unknown:
            raise InputError(f"unknown field(s) {unknown}")
        return decide(run_id, body, None, settings=settings, reviewer=reviewer)

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
            body = read_json_object(await request.body())
            outcome = await run_in_threadpool(take_decision, run_id, body, reviewer)
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

    # -- sign-in --------------------------------------------------------------------

    def signed_in(request: Request) -> tuple[Reviewer, Signed] | None:
        session_id = request.cookies.get(COOKIE)
        try:
            reviewer = sessions.reviewer(session_id, config())
        except AuthError:
            return None
        csrf = csrf_token(sessions.key(), "session", session_id or "")
        return reviewer, Signed(reviewer.name, csrf)

    def form_csrf_ok(request: Request, form: FormData, session_id: str | None) -> bool:
        return same_origin(request) and csrf_ok(
            sessions.key(), "session", session_id, str(form.get("csrf", ""))
        )

    def refused(message: str, status: int = 403) -> HTMLResponse:
        return HTMLResponse(page("Refused", flash(message)), status)

    @app.get("/static/review.css")
    def stylesheet() -> Response:
        return Response(STYLESHEET, media_type="text/css")

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, msg: str = "") -> Response:
        nonce = secrets.token_urlsafe(32)
        response = HTMLResponse(
            page("Sign in", login_form(csrf_token(sessions.key(), "login", nonce), msg))
        )
        response.set_cookie(
            LOGIN_COOKIE,
            nonce,
            max_age=3600,
            path="/login",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        if not same_origin(request) or not csrf_ok(
            sessions.key(), "login", request.cookies.get(LOGIN_COOKIE), str(form.get("csrf", ""))
        ):
            return HTMLResponse(
                page(
                    "Sign in",
                    flash("The sign-in form expired or came from another site.")
                    + '<p><a href="/login">Sign in again</a></p>',
                ),
                403,
            )
        try:
            reviewer = config().authenticate(str(form.get("token", "")))
        except AuthError:
            return HTMLResponse(
                page(
                    "Sign in",
                    flash("That token is not valid.") + '<p><a href="/login">Try again</a></p>',
                ),
                401,
            )
        session_id = await run_in_threadpool(sessions.start, reviewer)
        response = RedirectResponse("/", 303)
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=int(sessions.ttl_s),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        session_id = request.cookies.get(COOKIE)
        form = await request.form()
        if session_id and not form_csrf_ok(request, form, session_id):
            return refused("Cross-site request refused.")
        await run_in_threadpool(sessions.end, session_id)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE)
        return response

    # -- pages ----------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def queue(request: Request) -> Response:
        from reelwright.api import pending_runs

        who = signed_in(request)
        if who is None:
            return RedirectResponse("/login", 303)
        reviewer, signed = who
        body = (
            f"<p>Signed in as <b>{html.escape(reviewer.name)}</b> "
            f"({html.escape(', '.join(reviewer.roles))})</p>"
        ) + queue_table(pending_runs(settings=settings))
        return HTMLResponse(page("Review queue", body, signed))

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(run_id: str, request: Request, msg: str = "") -> Response:
        from reelwright.review.views import run_view

        who = signed_in(request)
        if who is None:
            return RedirectResponse("/login", 303)
        signed = who[1]
        try:
            view = run_view(run_id, settings)
        except ReelwrightError as exc:
            return HTMLResponse(page("Not found", flash(str(exc)), signed), status_of(exc))
        return HTMLResponse(page(f"Run {run_id}", render_run(view, signed.csrf, msg), signed))

    @app.post("/runs/{run_id}/decision")
    async def form_decide(run_id: str, request: Request) -> Response:
        who = signed_in(request)
        if who is None:
            return HTMLResponse(page("Sign in", flash("Sign in first.")), 401)
        reviewer, signed = who
        form = await request.form()
        if not form_csrf_ok(request, form, request.cookies.get(COOKIE)):
            return refused("Cross-site request refused.")
        try:
            outcome = await run_in_threadpool(
                take_decision, run_id, decision_from_form(form), reviewer
            )
        except ReelwrightError as exc:
            if status_of(exc) == 409:
                return RedirectResponse(f"/runs/{quote(run_id)}?msg={quote(str(exc)[:300])}", 303)
            back = f'<p><a href="/runs/{quote(run_id)}">Back to the run</a></p>'
            return HTMLResponse(page("Refused", flash(str(exc)) + back, signed), status_of(exc))
        done = {
            "published": "Published.",
            "awaiting_approval": "Decision recorded.",
            "blocked": "The run ended blocked.",
        }.get(outcome.status, outcome.status)
        return RedirectResponse(f"/runs/{quote(run_id)}?msg={quote(done)}", 303)

    @app.get("/runs/{run_id}/files/{name:path}")
    def run_file(run_id: str, name: str, request: Request) -> Response:
        from reelwright.review.views import package_file, run_view

        try:
            if signed_in(request) is None:
                api_reviewer(request)
            return FileResponse(package_file(run_view(run_id, settings), name))
        except ReelwrightError as exc:
            return Response(str(exc), status_of(exc), media_type="text/plain")

    return app


def decision_from_form(form: FormData) -> dict[str, Any]:
    """The decision a page's form posts, in the JSON API's shape."""
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
    return body
