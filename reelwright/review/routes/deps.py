"""What the review app's routers share: the app's context (settings, sessions, templates),
who is asking (a bearer token or a sign-in session), and the one way a decision is taken."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple
from urllib.parse import urlparse

import jinja2
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from reelwright.approval.reviewers import ReviewConfig, Reviewer
from reelwright.config import Settings
from reelwright.errors import AuthError, InputError
from reelwright.review.sessions import SessionStore, csrf_token

if TYPE_CHECKING:
    from reelwright.api import RunOutcome

COOKIE = "rw_session"
LOGIN_COOKIE = "rw_login"  # a sign-in nonce; the form's CSRF token is bound to it
TEMPLATES = Path(__file__).parent.parent / "templates"
STATIC = Path(__file__).parent.parent / "static"
DECISION_FIELDS = frozenset(
    {
        "decision",
        "note",
        "to",
        "scene_ids",
        "shot_ids",
        "role",
        "revision",
        "token",
        "edits",
        "actions",
    }
)


def templates() -> Jinja2Templates:
    """The pages' templates: every value autoescaped, and a name a template gets wrong is an
    error rather than an empty string."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Jinja2Templates(env=env)


@dataclass(frozen=True)
class Review:
    """One review app's context, kept on `app.state.review`."""

    settings: Settings
    sessions: SessionStore
    templates: Jinja2Templates

    def config(self) -> ReviewConfig:
        return ReviewConfig.load(self.settings.home)


def review(request: Request) -> Review:
    context: Review = request.app.state.review
    return context


ReviewDep = Annotated[Review, Depends(review)]


class Signed(NamedTuple):
    """Who is signed in, and the CSRF token their forms carry."""

    name: str
    csrf: str


@dataclass(frozen=True)
class Session:
    reviewer: Reviewer
    signed: Signed


def session_of(request: Request, review: Review) -> Session | None:
    """The reviewer whose live sign-in session the request's cookie names, if any."""
    session_id = request.cookies.get(COOKIE)
    try:
        reviewer = review.sessions.reviewer(session_id, review.config())
    except AuthError:
        return None
    csrf = csrf_token(review.sessions.key(), "session", session_id or "")
    return Session(reviewer, Signed(reviewer.name, csrf))


def optional_session(request: Request, review: ReviewDep) -> Session | None:
    return session_of(request, review)


def required_session(request: Request, review: ReviewDep) -> Session:
    session = session_of(request, review)
    if session is None:
        raise AuthError("Sign in first.", 401)
    return session


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def api_reviewer(request: Request, review: ReviewDep) -> Reviewer:
    """The reviewer of the request's bearer token (cookies never open the API)."""
    return review.config().authenticate(bearer(request))


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # same-site cookies already keep cross-site forms out
    return urlparse(origin).netloc == request.headers.get("host")


def take_decision(
    settings: Settings, run_id: str, body: Mapping[str, object], reviewer: Reviewer
) -> RunOutcome:
    """Validate the fields and take the decision; blocking (it may publish), so callers run
    it in a worker thread."""
    from reelwright.api import decide_gate

    unknown = sorted(set(body) - DECISION_FIELDS)
    if unknown:
        raise InputError(f"unknown field(s) {unknown}")
    return decide_gate(run_id, body, None, settings=settings, reviewer=reviewer)
