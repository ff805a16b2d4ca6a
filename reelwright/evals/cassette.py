"""Record and replay LLM traffic at the HTTP layer.

`RecordingTransport` passes requests through and appends each request and reply to a JSONL
cassette; `ReplayTransport` answers from a cassette with no network at all, and fails loudly,
naming the request, when the cassette does not hold it. Requests are keyed by the hash of
their method, path and canonical JSON body, so concurrent cases replay in any order.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

import httpx

from reelwright.errors import ReelwrightError


class CassetteMiss(ReelwrightError):
    """The replayed run made a request the cassette does not hold."""


def request_key(request: httpx.Request) -> str:
    body: Any = request.content.decode("utf-8") if request.content else ""
    try:
        body = json.loads(body)
    except ValueError:
        pass
    canonical = json.dumps([request.method, request.url.path, body], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def describe(request: httpx.Request) -> str:
    try:
        body = json.loads(request.content)
        schema = body.get("response_format", {}).get("json_schema", {}).get("name", "json")
        user = [_text(m["content"]) for m in body.get("messages", []) if m.get("role") == "user"]
        first = user[-1].splitlines()[0][:120] if user else ""
        return f"{request.method} {request.url.path} {schema}: {first!r}"
    except (ValueError, AttributeError, KeyError, IndexError):
        return f"{request.method} {request.url}"


def _text(content: Any) -> str:
    """A message's text: the content, or its text parts joined (image parts left out)."""
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if p.get("type") == "text")
    return str(content)


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, path: Path, inner: httpx.BaseTransport | None = None) -> None:
        self.path = Path(path)
        self.inner = inner or httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        entry = {
            "key": request_key(request),
            "request": describe(request),
            "status": response.status_code,
            "headers": {
                k: v
                for k, v in response.headers.items()
                if k.lower() in ("content-type", "retry-after", "retry-after-ms")
            },
            "body": body.decode("utf-8", errors="replace"),
        }
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    def close(self) -> None:
        self.inner.close()


class ReplayTransport(httpx.BaseTransport):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise CassetteMiss(f"no cassette at {self.path}")
        self._entries: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        self._last: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                self._entries[entry["key"]].append(entry)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = request_key(request)
        with self._lock:
            queue = self._entries.get(key)
            if queue:
                entry = queue.popleft()
                self._last[key] = entry
            elif key in self._last:  # asked again more often than recorded: same answer
                entry = self._last[key]
            else:
                raise CassetteMiss(
                    f"the cassette {self.path.name} holds no reply for {describe(request)}"
                )
        return httpx.Response(
            entry["status"],
            headers=entry["headers"],
            content=entry["body"].encode("utf-8"),
            request=request,
        )


def merge_cassettes(parts: list[Path], target: Path) -> int:
    lines = [
        line
        for p in sorted(parts)
        if p.is_file()
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return len(lines)
