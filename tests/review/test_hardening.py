"""The review server under hostile or heavy input: body size enforced while streaming, nested
JSON refused, decisions off the event loop, login CSRF, server-side sessions revoked at
logout, and security headers on every response."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import AsyncIterator
from urllib.parse import urlparse

import httpx
import pytest
from fastapi.testclient import TestClient

from reelwright import api
from reelwright.review.app import MAX_BODY, create_app
from tests.review.conftest import auth, form_field, sign_in

CHUNK = 16 * 1024


def test_a_chunked_body_over_the_limit_is_413_without_reading_the_rest(project):
    settings, tokens = project
    pulled = 0

    async def body() -> AsyncIterator[bytes]:  # 200 MB, chunked (no content-length)
        nonlocal pulled
        for _ in range(200 * 1024 * 1024 // CHUNK):
            pulled += 1
            yield b"x" * CHUNK

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.post(
                "/api/runs/ep1/decision",
                headers={**auth(tokens["sam"]), "content-type": "application/json"},
                content=body(),
            )

    r = asyncio.run(post())
    assert r.status_code == 413 and "64" in r.json()["error"]
    assert pulled * CHUNK <= MAX_BODY + 2 * CHUNK  # it stopped just past the limit


def test_a_real_server_answers_413_before_a_chunked_body_ends(server):
    base, tokens = server
    port = urlparse(base).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(
            b"POST /api/runs/ep1/decision HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"Authorization: Bearer {tokens['sam']}\r\n".encode()
            + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(MAX_BODY // CHUNK + 1):
            s.sendall(f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n")
        # the final chunk is never sent: a server that waits for the whole body hangs here
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize("path", ["/api/runs/ep1/decision", "/login", "/nowhere"])
def test_a_refused_request_closes_the_connection_instead_of_reading_the_body(server, path):
    """401/403/404 answered before the body was read: the server closes the connection, so
    an unauthenticated client cannot make it drain a body of any size."""
    base, _ = server
    port = urlparse(base).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
            + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + f"{CHUNK:x}\r\n".encode()
            + b"x" * CHUNK
            + b"\r\n"
        )
        reply = b""
        while chunk := s.recv(65536):  # returns b"" once the server closes the connection
            reply += chunk
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    assert head.split(b" ")[1] in (b"401", b"403", b"404"), head
    assert b"connection: close" in head


def test_a_declared_length_over_the_limit_is_413(client, project):
    _, tokens = project
    h = {**auth(tokens["sam"]), "content-type": "application/json"}
    r = client.post("/api/runs/ep1/decision", headers=h, content=b"x" * (MAX_BODY + 1))
    assert r.status_code == 413 and r.json()["error"]
    # a body just under the limit is read and judged on its contents
    r = client.post("/api/runs/ep1/decision", headers=h, content=b" " * (MAX_BODY - 10) + b"{}")
    assert r.status_code == 400


@pytest.mark.parametrize("depth", [33, 30_000])  # 30 000 deep: 60 KB, under the limit
def test_deeply_nested_json_is_400(client, project, depth):
    _, tokens = project
    h = {**auth(tokens["sam"]), "content-type": "application/json"}
    body = '{"note": ' + "[" * depth + "]" * depth + "}"
    r = client.post("/api/runs/ep1/decision", headers=h, content=body.encode())
    assert r.status_code == 400 and "nested" in r.json()["error"]


def test_nesting_within_the_limit_is_judged_on_its_contents(client, project):
    _, tokens = project
    h = {**auth(tokens["sam"]), "content-type": "application/json"}
    # brackets inside strings do not count, and depth 32 is allowed
    body = '{"decision": "maybe", "note": "' + "[" * 100 + '", "edits": ' + "[" * 31 + "]" * 31
    r = client.post("/api/runs/ep1/decision", headers=h, content=(body + "}").encode())
    assert r.status_code == 400 and "nested" not in r.json()["error"]


def test_a_get_is_answered_while_a_decision_publishes(server, http, monkeypatch):
    base, tokens = server
    http.route(host="127.0.0.1").pass_through()  # our own server on loopback
    started, release = threading.Event(), threading.Event()
    resume = api.resume_run

    def slow_resume(*args, **kwargs):  # the publish that follows a decision, made slow
        started.set()
        release.wait(timeout=20)
        return resume(*args, **kwargs)

    monkeypatch.setattr(api, "resume_run", slow_resume)
    answer: dict[str, httpx.Response] = {}

    def approve() -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            answer["decision"] = c.post(
                "/api/runs/ep1/decision", headers=auth(tokens["sam"]), json={"decision": "approve"}
            )

    thread = threading.Thread(target=approve)
    thread.start()
    try:
        assert started.wait(timeout=20)
        with httpx.Client(base_url=base, timeout=5) as c:
            t0 = time.monotonic()
            listed = c.get("/api/runs/ep1", headers=auth(tokens["sam"]))
            elapsed = time.monotonic() - t0
        assert listed.status_code == 200 and elapsed < 3
        assert not release.is_set() and thread.is_alive()  # the decision is still publishing
    finally:
        release.set()
        thread.join(timeout=60)
    assert answer["decision"].status_code == 200
    assert answer["decision"].json()["status"] == "published"


def test_login_needs_the_csrf_token_of_its_own_form(project):
    settings, tokens = project
    app = create_app(settings)
    with TestClient(app) as client, TestClient(app) as other:
        bare = client.post("/login", data={"token": tokens["sam"]}, follow_redirects=False)
        assert bare.status_code == 403 and "rw_session" not in client.cookies
        client.get("/login")
        stolen = form_field(other.get("/login").text, "csrf")  # another browser's form
        forged = client.post(
            "/login", data={"token": tokens["sam"], "csrf": stolen}, follow_redirects=False
        )
        assert forged.status_code == 403 and "rw_session" not in client.cookies
        assert client.get("/", follow_redirects=False).status_code == 303  # not signed in
        assert sign_in(client, tokens["sam"]).status_code == 303
        assert client.get("/", follow_redirects=False).status_code == 200


def test_a_login_from_another_origin_is_refused(client, project):
    _, tokens = project
    csrf = form_field(client.get("/login").text, "csrf")
    r = client.post(
        "/login",
        data={"token": tokens["sam"], "csrf": csrf},
        headers={"origin": "http://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and "rw_session" not in client.cookies


def test_the_session_cookie_holds_a_random_id_never_the_token(project):
    settings, tokens = project
    app = create_app(settings)
    ids = []
    for _ in range(2):
        with TestClient(app) as client:
            r = sign_in(client, tokens["sam"])
            assert r.status_code == 303
            set_cookies = r.headers.get_list("set-cookie")
            assert set_cookies and not any(tokens["sam"] in c for c in set_cookies)
            session = next(c for c in set_cookies if c.startswith("rw_session="))
            assert "httponly" in session.lower() and "samesite=strict" in session.lower()
            ids.append(client.cookies["rw_session"])
    assert ids[0] != ids[1] and len(ids[0]) >= 32
    stored = settings.paths.sessions.read_text()
    assert tokens["sam"] not in stored and ids[0] not in stored  # only hashes are kept


def test_logout_revokes_the_session(project):
    settings, tokens = project
    app = create_app(settings)
    with TestClient(app) as client:
        sign_in(client, tokens["sam"])
        old = client.cookies["rw_session"]
        queue = client.get("/")
        assert queue.status_code == 200
        out = client.post(
            "/logout", data={"csrf": form_field(queue.text, "csrf")}, follow_redirects=False
        )
        assert out.status_code == 303
    with TestClient(app) as replay:
        replay.cookies.set("rw_session", old)
        assert replay.get("/", follow_redirects=False).status_code == 303  # to /login
        assert replay.get("/runs/ep1", follow_redirects=False).status_code == 303
        assert replay.post("/runs/ep1/decision", data={"decision": "approve"}).status_code == 401
        assert replay.get("/runs/ep1/files/contact_sheet.png").status_code == 401


def test_logout_without_its_csrf_token_is_refused(client, project):
    _, tokens = project
    sign_in(client, tokens["sam"])
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_a_session_of_a_removed_reviewer_no_longer_works(client, project):
    from reelwright.approval.reviewers import ReviewConfig

    settings, tokens = project
    sign_in(client, tokens["sam"])
    config = ReviewConfig.load(settings.home)
    kept = [r for r in config.reviewers if r.name != "sam"]
    config.model_copy(update={"reviewers": kept}).save(settings.home)
    assert client.get("/", follow_redirects=False).status_code == 303


def security_headers_hold(r: httpx.Response) -> None:
    csp = r.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], r.url
    script = directives.get("script-src", directives.get("default-src"))
    assert script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("referrer-policy") == "same-origin"


def test_every_response_carries_the_security_headers(client, project):
    _, tokens = project
    h = {**auth(tokens["sam"]), "content-type": "application/json"}
    responses = [
        client.get("/login"),
        client.get("/", follow_redirects=False),
        client.get("/api/runs"),  # 401
        client.get("/api/runs", headers=auth(tokens["sam"])),
        client.get("/api/runs/nope", headers=auth(tokens["sam"])),  # 404
        client.post("/api/runs/ep1/decision", headers=h, content=b"x" * 70_000),  # 413
        client.get("/static/review.css"),
    ]
    sign_in(client, tokens["sam"])
    responses += [
        client.get("/"),
        client.get("/runs/ep1"),
        client.get("/runs/ep1/files/contact_sheet.png"),
        client.get("/no-such-page"),
    ]
    for r in responses:
        security_headers_hold(r)


def test_pages_hold_no_inline_script_or_style(client, project):
    _, tokens = project
    pages = [client.get("/login").text]
    sign_in(client, tokens["sam"])
    pages += [client.get("/").text, client.get("/runs/ep1").text]
    for text in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # no inline script bodies
        assert not re.search(r"\son\w+=", text)  # no inline event handlers
        assert "<style" not in text and not re.search(r"\sstyle=", text)
        assert '<link rel="stylesheet" href="/static/review.css">' in text
    css = client.get("/static/review.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ".flash" in css.text
