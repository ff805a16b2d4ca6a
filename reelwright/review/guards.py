"""What every request to the review app passes through, whatever its route: a body-size limit
enforced while the body streams in, security headers on every response, and a JSON reader
that refuses deep nesting before the parser can recurse on it."""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reelwright.errors import InputError

MAX_BODY = 64 * 1024
MAX_DEPTH = 32

# Scripts and styles only from this origin (no inline <script>, no style attributes), nothing
# may frame the app, forms post only back to it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # not no-referrer: under it browsers send `Origin: null` on the app's own form posts, and
    # the same-origin check would refuse them
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Answer 413 once a request body passes `limit` bytes, counted as `receive()` delivers
    them, so a chunked body with no content-length is refused after `limit` bytes, not read to
    its end. A declared content-length over the limit is refused before any body is read."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = False
        headers = dict(scope["headers"])
        has_body = b"chunked" in headers.get(b"transfer-encoding", b"").lower() or (
            declared.isdigit() and int(declared) > 0
        )
        complete = not has_body

        async def counted_receive() -> Message:
            nonlocal received, complete
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLarge
                complete = complete or not message.get("more_body", False)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start" and not complete:
                # answered (401, 403, 404, a redirect…) before the body was read: close the
                # connection rather than let the server drain a body of any size
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"connection", b"close")],
                }
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _BodyTooLarge:
            if started:  # a route that answered before reading its body; nothing to add
                return
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"error": f"request body over {self.limit // 1024} KiB"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),  # the rest of the body is never read
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add the security headers to every response: pages, JSON, files, errors and 413s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in `raw`, brackets inside strings left out. A scan,
    not a parse: it cannot recurse, whatever the input."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b'""', raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def read_json_object(raw: bytes, max_depth: int = MAX_DEPTH) -> dict[str, object]:
    """A request body as a JSON object; InputError (400) when it is not one, or nests deeper
    than `max_depth`."""
    if json_depth(raw) > max_depth:
        raise InputError(f"the body is nested deeper than {max_depth} levels")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise InputError("the body must be a JSON object")
    return body
