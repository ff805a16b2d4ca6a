"""The review web app and its JSON API (FastAPI), assembled from routers by concern.

Pages (`routes/pages.py`; signed in through a form that carries a CSRF token; the cookie
holds a random session id kept server-side, never the reviewer's token; forms carry a CSRF
token and must come from this origin): `/` the queue, `/runs/{id}` a run — script, contact
sheet, frames, animatic, scores against thresholds (chart across iterations), findings,
decision history, and forms to approve, reject with notes, or edit lines and prompts. Pages
are Jinja2 templates (`templates/`), autoescaped; the stylesheet is `static/review.css`.

API (`routes/api.py`; every route needs `Authorization: Bearer <token>`): `GET /api/runs`,
`GET /api/runs/{id}`, `POST /api/runs/{id}/decision`. Package files: `routes/files.py`.

One exception handler turns every error into its answer: `{"error": …}` under `/api/`, the
error page elsewhere. Every request passes the guards (`guards.py`): bodies over 64 KiB are
413 while they stream in, and every response carries the security headers. Decisions resume
the run and may publish, which takes a while: they run in a worker thread, never on the
event loop.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from reelwright.config import Settings
from reelwright.errors import AuthError, ConflictError, InputError, NotFoundError, ReelwrightError
from reelwright.review.guards import MAX_BODY, BodyLimit, SecurityHeaders
from reelwright.review.routes import api, files, pages
from reelwright.review.routes.deps import (
    COOKIE,
    STATIC,
    Review,
    review,
    session_of,
    templates,
)
from reelwright.review.sessions import SessionStore

__all__ = ["MAX_BODY", "COOKIE", "create_app", "status_of"]

PAGE_TITLES = {400: "Refused", 401: "Sign in", 403: "Refused", 404: "Not found", 409: "Conflict"}


def status_of(exc: Exception) -> int:
    """The HTTP status of an error: 401/403 for auth, 404 unknown, 409 stale, conflicting or
    busy, 400 other bad input, 500 anything else."""
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, AuthError):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):  # BusyError too
        return 409
    if isinstance(exc, InputError):
        return 400
    return 500


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="Reelwright review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.review = Review(settings, SessionStore(settings.home), templates())
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    app.add_middleware(SecurityHeaders)  # outermost: it also marks the 413s
    app.add_exception_handler(ReelwrightError, error_response)
    app.add_exception_handler(HTTPException, error_response)  # unknown routes, bad forms
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(files.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def error_response(request: Request, exc: Exception) -> Response:
    """The one exception handler: JSON `{"error": …}` for the API, the error page for the rest,
    with the status `status_of` gives."""
    status = status_of(exc)
    message = str(exc.detail) if isinstance(exc, HTTPException) else str(exc)
    headers = exc.headers if isinstance(exc, HTTPException) else None
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status, headers=headers)
    context = review(request)
    try:
        session = session_of(request, context)
    except ReelwrightError:  # e.g. an unreadable review.yaml: the page shows no one signed in
        session = None
    run_id = request.path_params.get("run_id")
    if request.url.path.startswith("/login") or (status == 401 and session is None):
        back = ("/login", "Sign in again")
    elif isinstance(run_id, str) and status != 404:
        back = (f"/runs/{quote(run_id)}", "Back to the run")
    else:
        back = ("/", "Back to the queue")
    return context.templates.TemplateResponse(
        request,
        "error.html",
        {
            "title": PAGE_TITLES.get(status, "Error"),
            "signed": session.signed if session else None,
            "msg": message,
            "msg_kind": "error",
            "back_href": back[0],
            "back_text": back[1],
        },
        status_code=status,
        headers=headers,
    )
