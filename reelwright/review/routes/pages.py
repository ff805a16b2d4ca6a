"""The HTML pages: sign-in and sign-out, the queue, a run and its decision forms. Forms carry
a CSRF token and must come from this origin; errors become the app's error page."""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from reelwright.errors import AuthError, ConflictError, InputError
from reelwright.review.chart import score_chart
from reelwright.review.routes.deps import (
    COOKIE,
    LOGIN_COOKIE,
    Review,
    ReviewDep,
    Session,
    Signed,
    optional_session,
    required_session,
    same_origin,
    take_decision,
)
from reelwright.review.sessions import csrf_ok, csrf_token
from reelwright.review.views import run_view

router = APIRouter()
MaybeSession = Annotated[Session | None, Depends(optional_session)]
RequiredSession = Annotated[Session, Depends(required_session)]
OUTCOME_MESSAGES = {
    "published": "Published.",
    "awaiting_approval": "Decision recorded.",
    "blocked": "The run ended blocked.",
}


def render(
    request: Request,
    review: Review,
    name: str,
    title: str,
    *,
    signed: Signed | None = None,
    msg: str = "",
    msg_kind: str = "",
    status: int = 200,
    **context: Any,
) -> Response:
    """A page from templates/`name`, every value autoescaped; `msg_kind` "error" shows the
    message as an error."""
    return review.templates.TemplateResponse(
        request,
        name,
        {"title": title, "signed": signed, "msg": msg, "msg_kind": msg_kind, **context},
        status_code=status,
    )


def check_form_csrf(request: Request, review: Review, form: FormData) -> None:
    """A signed-in form must carry the session's CSRF token and come from this origin."""
    if not same_origin(request) or not csrf_ok(
        review.sessions.key(), "session", request.cookies.get(COOKIE), str(form.get("csrf", ""))
    ):
        raise AuthError("Cross-site request refused.", 403)


@router.get("/login")
def login_page(request: Request, review: ReviewDep, msg: str = "") -> Response:
    nonce = secrets.token_urlsafe(32)
    csrf = csrf_token(review.sessions.key(), "login", nonce)
    response = render(request, review, "login.html", "Sign in", msg=msg, csrf=csrf)
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


@router.post("/login")
async def login(request: Request, review: ReviewDep) -> Response:
    form = await request.form()
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not same_origin(request) or not csrf_ok(
        review.sessions.key(), "login", nonce, str(form.get("csrf", ""))
    ):
        raise AuthError("The sign-in form expired or came from another site.", 403)
    try:
        reviewer = review.config().authenticate(str(form.get("token", "")))
    except AuthError:
        raise AuthError("That token is not valid.", 401) from None
    session_id = await run_in_threadpool(review.sessions.start, reviewer)
    response = RedirectResponse("/", 303)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(review.sessions.ttl_s),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
async def logout(request: Request, review: ReviewDep) -> Response:
    session_id = request.cookies.get(COOKIE)
    form = await request.form()
    if session_id:
        check_form_csrf(request, review, form)
    await run_in_threadpool(review.sessions.end, session_id)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def queue(request: Request, review: ReviewDep, session: MaybeSession) -> Response:
    from reelwright.api import pending_runs

    if session is None:
        return RedirectResponse("/login", 303)
    from reelwright.graphs.waiting import waited

    runs = sorted(pending_runs(settings=review.settings), key=lambda r: r.waiting_since or "")
    return render(
        request,
        review,
        "queue.html",
        "Review queue",
        signed=session.signed,
        reviewer=session.reviewer,
        runs=runs,
        waited=waited,
    )


@router.get("/runs/{run_id}")
def run_page(
    run_id: str,
    request: Request,
    review: ReviewDep,
    session: MaybeSession,
    msg: str = "",
    kind: str = "",
) -> Response:
    if session is None:
        return RedirectResponse("/login", 303)
    view = run_view(run_id, review.settings)
    return render(
        request,
        review,
        "run.html",
        f"Run {run_id}",
        signed=session.signed,
        msg=msg,
        msg_kind="error" if kind == "error" else "",
        view=view,
        chart=score_chart(view.scores, view.thresholds),
    )


@router.post("/runs/{run_id}/decision")
async def form_decision(
    run_id: str, request: Request, review: ReviewDep, session: RequiredSession
) -> Response:
    form = await request.form()
    check_form_csrf(request, review, form)
    back = f"/runs/{quote(run_id)}?msg="
    try:
        outcome = await run_in_threadpool(
            take_decision, review.settings, run_id, decision_from_form(form), session.reviewer
        )
    except ConflictError as exc:  # stale, decided meanwhile, busy: show the run as it is now
        return RedirectResponse(back + quote(str(exc)[:300]) + "&kind=error", 303)
    except InputError as exc:  # e.g. a free-text note the offline agents cannot read
        return RedirectResponse(back + quote(str(exc)[:600]) + "&kind=error", 303)
    done = OUTCOME_MESSAGES.get(outcome.status, outcome.status)
    if outcome.status == "published":
        done = f"Published: the package is in {outcome.out}."
    return RedirectResponse(back + quote(done), 303)


def decision_from_form(form: FormData) -> dict[str, object]:
    """The decision a page's form posts, in the JSON API's shape."""
    body: dict[str, object] = {
        k: str(v)
        for k, v in form.items()
        if k in ("decision", "note", "to", "role", "revision", "token") and str(v)
    }
    for key in ("scene_ids", "shot_ids"):
        text = str(form.get(key, ""))
        if text:
            body[key] = [x.strip() for x in text.split(",") if x.strip()]
    kind = str(form.get("action", ""))
    if body.get("decision") == "reject" and kind:
        body["actions"] = [action_from_form(kind, form)]
    if body.get("decision") == "edit":
        edit: dict[str, object] = {
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


ACTION_FIELDS = (
    "shot_id",
    "scene_id",
    "line",
    "into",
    "seconds",
    "framing",
    "angle",
    "lens_mm",
    "move",
    "character",
    "to_shot",
    "text",
    "instruction",
    "after",
    "summary",
    "location",
    "name",
    "speed",
    "pitch",
    "style",
)


def action_from_form(kind: str, form: FormData) -> dict[str, object]:
    """A structured note from a shot's or a line's action form: its kind and the fields it
    filled in (the decision's model checks them)."""
    action: dict[str, object] = {"kind": kind}
    for key in ACTION_FIELDS:
        value = str(form.get(key, "")).strip()
        if value:
            action[key] = value
    framings = str(form.get("framings", "")).strip()
    if framings:
        action["framings"] = [f.strip() for f in framings.split(",") if f.strip()]
    return action
