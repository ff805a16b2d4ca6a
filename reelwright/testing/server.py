"""`serve_endpoint`: a scripted endpoint served over real HTTP on 127.0.0.1, for tests (and
benchmarks) of the whole client stack, a subprocess included."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx


class serve_endpoint:  # noqa: N801 - used as a context manager, like open()
    """Serve an endpoint (a `ScriptedEndpoint`, or any function from an httpx request to a
    response) over real HTTP on 127.0.0.1; `with serve_endpoint(ep) as base_url:`. With
    strict=False it answers 400 to JSON-schema response formats, as servers without
    structured outputs do; `requests` holds every request body it received."""

    def __init__(
        self, endpoint: Callable[[httpx.Request], httpx.Response], *, strict: bool = True
    ) -> None:
        self.endpoint = endpoint
        self.strict = strict
        self.requests: list[dict[str, object]] = []

    def __enter__(self) -> str:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                data = json.loads(body)
                outer.requests.append(data)
                fmt = data.get("response_format")  # a speech request names a plain format
                fmt = fmt.get("type") if isinstance(fmt, dict) else fmt
                if not outer.strict and fmt == "json_schema":
                    reply = httpx.Response(
                        400,
                        json={
                            "error": {
                                "message": "response_format type json_schema is not supported"
                            }
                        },
                    )
                else:
                    reply = outer.endpoint(
                        httpx.Request("POST", f"http://x{self.path}", content=body)
                    )
                payload = reply.read()
                self.send_response(reply.status_code)
                self.send_header(
                    "content-type", reply.headers.get("content-type", "application/json")
                )
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test): nothing to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
