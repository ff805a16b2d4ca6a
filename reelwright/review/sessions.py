"""Sign-in sessions of the review web app, kept server-side in `<home>/sessions.json`.

The browser holds only a random session id; the file holds its SHA-256, the reviewer's name,
the hash of the token they signed in with, and an expiry. A session ends at logout (its
record is deleted, so a copied cookie stops working), at expiry, or when the reviewer's token
changes or the reviewer is removed from `review.yaml`. Several server processes on the same
home share the file (read-modify-write under a file lock, written atomically).

The same file keeps a random key that signs the sign-in form's CSRF token, so a login form
served by one process is accepted by another.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reelwright.approval.reviewers import ReviewConfig, Reviewer
from reelwright.config import HomePaths
from reelwright.errors import AuthError
from reelwright.paths import atomic_write

SESSION_TTL_S = 12 * 3600


class Session(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewer: str
    token_sha256: str = Field(description="Hash of the token signed in with; a new token ends it.")
    expires: float


class SessionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    key: str = Field(default_factory=lambda: secrets.token_hex(32))
    sessions: dict[str, Session] = Field(
        default_factory=dict, description="By SHA-256 of the session id."
    )


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class SessionStore:
    def __init__(self, home: Path, ttl_s: float = SESSION_TTL_S) -> None:
        self.path = HomePaths(Path(home)).sessions
        self.ttl_s = ttl_s

    def _read(self) -> SessionFile | None:
        if not self.path.is_file():
            return None
        try:
            return SessionFile.model_validate_json(self.path.read_bytes())
        except ValueError:  # an unreadable file signs everyone out; it never signs anyone in
            return None

    @contextmanager
    def _editing(self) -> Iterator[SessionFile]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            state = self._read() or SessionFile()
            yield state
            now = time.time()
            state.sessions = {k: s for k, s in state.sessions.items() if s.expires > now}
            atomic_write(self.path, state.model_dump_json(indent=1).encode())
            os.chmod(self.path, 0o600)
        finally:
            os.close(fd)

    def key(self) -> bytes:
        """The key that signs CSRF tokens, made on first use and shared by every process."""
        state = self._read()
        if state is None:
            with self._editing() as state:
                pass
        return bytes.fromhex(state.key)

    def start(self, reviewer: Reviewer) -> str:
        """A new session for `reviewer`; returns its id (for the cookie, never stored here)."""
        session_id = secrets.token_urlsafe(32)
        with self._editing() as state:
            state.sessions[_hash(session_id)] = Session(
                reviewer=reviewer.name,
                token_sha256=reviewer.token_sha256,
                expires=time.time() + self.ttl_s,
            )
        return session_id

    def reviewer(self, session_id: str | None, config: ReviewConfig) -> Reviewer:
        """The reviewer a live session belongs to; AuthError(401) for anything else."""
        if not session_id:
            raise AuthError("sign in first", 401)
        state = self._read()
        session = state.sessions.get(_hash(session_id)) if state else None
        if session is None or session.expires <= time.time():
            raise AuthError("the session has ended; sign in again", 401)
        for reviewer in config.reviewers:
            if reviewer.name == session.reviewer and hmac.compare_digest(
                reviewer.token_sha256, session.token_sha256
            ):
                return reviewer
        raise AuthError("the session's reviewer or token no longer exists", 401)

    def end(self, session_id: str | None) -> None:
        """Delete the session, so its cookie no longer signs anyone in."""
        if session_id:
            with self._editing() as state:
                state.sessions.pop(_hash(session_id), None)


def csrf_token(key: bytes, purpose: str, value: str) -> str:
    """A CSRF token bound to `value` (a session id, or a sign-in nonce): HMAC, so a page can
    show it without revealing the value, and no one without the key can make one."""
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(key: bytes, purpose: str, value: str | None, given: str) -> bool:
    return bool(value) and hmac.compare_digest(given, csrf_token(key, purpose, value or ""))
