"""Record and replay an eval's LLM calls: one entry per logical request, after its retries.

A cassette is JSONL: a header (format, version, the Reelwright that wrote it, the LLM model,
mode and endpoint it was recorded with), then one entry per logical request of each case:
the request (model, mode, response format, token limit, messages), its key (a hash of the
request), how many HTTP requests it took, and how it ended (the completion, or the error it
ended on). A 429 or 500 that a retry got past is never in it, so a replay cannot fail on
one. `CassetteRecorder` and `CassettePlayer` are `reelwright.llm.Transcript`s: the LLM port
hands them each request with its retried send; the player answers from the cassette and
never sends. A request the cassette does not hold is a `CassetteMiss` that names what
differs from the nearest recorded request (model, mode, messages) with a diff.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelwright.errors import InputError, ReelwrightError
from reelwright.llm import Exchange

FORMAT = "reelwright-cassette"
VERSION = 2  # 1: the HTTP exchanges of every attempt (Reelwright 0.1.0 before this format)
_DIFF_LINES = 60


class CassetteMiss(ReelwrightError):
    """The replayed run made a request the cassette does not hold."""


class CassetteLLM(BaseModel):
    """The LLM a cassette was recorded with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    mode: Literal["auto", "strict", "json"]
    base_url: str | None = None


class CassetteHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["reelwright-cassette"] = "reelwright-cassette"
    version: int = VERSION
    software: str
    llm: CassetteLLM


class RecordedError(BaseModel):
    """The error a logical request ended on, after its retries."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["status", "timeout", "connection"]
    status: int | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    body: str = ""
    message: str = ""


class CassetteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case: str
    key: str
    label: str = ""
    request: dict[str, Any]
    attempts: int = Field(1, ge=0)
    completion: dict[str, Any] | None = None
    error: RecordedError | None = None


class Cassette(BaseModel):
    """A cassette read back: its header and entries, and the digest of its bytes."""

    header: CassetteHeader
    entries: list[CassetteEntry]
    digest: str

    def for_case(self, case: str) -> list[CassetteEntry]:
        return [e for e in self.entries if e.case == case]


def request_key(request: dict[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_cassette(path: Path) -> Cassette:
    """A cassette file; one of an older format or not a cassette is an InputError naming the
    file and the version."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such cassette") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the cassette: {exc}") from None
    lines = [line for line in raw.decode("utf-8", errors="replace").splitlines() if line.strip()]
    where = f"cassette {path}"
    try:
        first = json.loads(lines[0]) if lines else None
    except ValueError:
        raise InputError(f"{where} is not a Reelwright cassette: not JSON lines") from None
    if isinstance(first, dict) and "key" in first and "status" in first:
        raise InputError(
            f"{where} is cassette version 1 (HTTP exchanges, every retry attempt included), "
            f"which this Reelwright does not replay (it reads version {VERSION}); record it "
            "again with `reelwright eval run --record`"
        )
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise InputError(f"{where} is not a Reelwright cassette: it has no cassette header")
    if first.get("version") != VERSION:
        raise InputError(
            f"{where}: cassette version {first.get('version')!r} is not supported (this "
            f"Reelwright reads version {VERSION}); record it again or replay it with the "
            f"Reelwright that wrote it ({first.get('software', 'unknown')})"
        )
    try:
        header = CassetteHeader.model_validate(first)
        entries = [CassetteEntry.model_validate_json(line) for line in lines[1:]]
    except ValidationError as exc:
        raise InputError(f"{where} is damaged: {exc.errors()[0]['msg']}") from None
    return Cassette(header=header, entries=entries, digest=hashlib.sha256(raw).hexdigest()[:16])


def write_cassette(target: Path, header: CassetteHeader, entries: Iterable[CassetteEntry]) -> int:
    from reelwright.paths import atomic_write

    lines = [header.model_dump_json()] + [e.model_dump_json() for e in entries]
    atomic_write(target, ("\n".join(lines) + "\n").encode())
    return len(lines) - 1


def merge_cassettes(parts: list[Path], target: Path, header: CassetteHeader) -> int:
    """The cases' cassettes as one (cases in the order given); returns the entry count."""
    entries = [e for p in parts if p.is_file() for e in read_cassette(p).entries]
    return write_cassette(target, header, entries)


# --------------------------------------------------------------------------- record


class CassetteRecorder:
    """Sends each request (with its retries) and appends how it ended to a case's cassette."""

    def __init__(self, path: Path, case: str, header: CassetteHeader) -> None:
        self.path = Path(path)
        self.case = case
        self._lock = threading.Lock()
        if not self.path.is_file():  # a resumed case goes on appending to its own
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(header.model_dump_json() + "\n", encoding="utf-8")

    def exchange(self, exchange: Exchange, send: Callable[[], Exchange]) -> Exchange:
        outcome = send()
        entry = CassetteEntry(
            case=self.case,
            key=request_key(exchange.request),
            label=exchange.label,
            request=exchange.request,
            attempts=outcome.attempts,
            completion=(
                outcome.completion.model_dump(mode="json") if outcome.error is None else None
            ),
            error=_recorded_error(outcome.error) if outcome.error is not None else None,
        )
        with self._lock, open(self.path, "a", encoding="utf-8") as fh:
            fh.write(entry.model_dump_json() + "\n")
        return outcome


def _recorded_error(exc: Exception) -> RecordedError:
    import openai

    if isinstance(exc, openai.APIStatusError):
        kept = ("content-type", "retry-after", "retry-after-ms")
        return RecordedError(
            kind="status",
            status=exc.status_code,
            headers={k: v for k, v in exc.response.headers.items() if k.lower() in kept},
            body=exc.response.text,
            message=exc.message,
        )
    if isinstance(exc, openai.APITimeoutError):
        return RecordedError(kind="timeout", message=str(exc))
    cause = exc.__cause__
    return RecordedError(
        kind="connection", message=f"{type(cause).__name__}: {cause}" if cause else str(exc)
    )


# --------------------------------------------------------------------------- replay


class CassettePlayer:
    """Answers each request of one case from the cassette; never sends. Requests are matched
    by key, each recorded answer used once in order; asked more often than recorded, the
    last answer again."""

    def __init__(self, cassette: Cassette, case: str, name: str) -> None:
        self.name = name
        self._entries = cassette.for_case(case)
        self._queues: dict[str, deque[CassetteEntry]] = defaultdict(deque)
        for entry in self._entries:
            self._queues[entry.key].append(entry)
        self._last: dict[str, CassetteEntry] = {}
        self._lock = threading.Lock()

    def exchange(self, exchange: Exchange, send: Callable[[], Exchange]) -> Exchange:
        key = request_key(exchange.request)
        with self._lock:
            queue = self._queues.get(key)
            if queue:
                entry = self._last[key] = queue.popleft()
            elif key in self._last:
                entry = self._last[key]
            else:
                raise CassetteMiss(self._miss(exchange))
        exchange.attempts = entry.attempts
        if entry.error is not None:
            exchange.error = _replayed_error(entry.error)
        else:
            from openai.types.chat import ChatCompletion

            exchange.completion = ChatCompletion.model_validate(entry.completion)
        return exchange

    def _miss(self, exchange: Exchange) -> str:
        asked = exchange.request
        head = f"the cassette {self.name} holds no reply for {exchange.label}"
        if not self._entries:
            return f"{head}: it has no requests of this case at all"
        nearest = max(
            self._entries,
            key=lambda e: (
                e.label == exchange.label,
                difflib.SequenceMatcher(None, _lines(e.request), _lines(asked)).quick_ratio(),
            ),
        )
        recorded = nearest.request
        differs = [
            f"{what} (recorded {recorded.get(what)!r}, asked {asked.get(what)!r})"
            for what in ("model", "mode")
            if recorded.get(what) != asked.get(what)
        ]
        rest = [k for k in sorted({*recorded, *asked}) if k not in ("model", "mode")]
        named = {"messages": "prompt (messages)"}
        differs += [named.get(k, k) for k in rest if recorded.get(k) != asked.get(k)]
        diff = list(
            difflib.unified_diff(
                _lines(recorded), _lines(asked), "recorded", "asked", n=2, lineterm=""
            )
        )
        if len(diff) > _DIFF_LINES:
            diff = [*diff[:_DIFF_LINES], f"... ({len(diff) - _DIFF_LINES} more lines)"]
        return (
            f"{head}; the nearest recorded request ({nearest.label}) differs in "
            f"{', '.join(differs) or 'nothing visible'}:\n" + "\n".join(diff)
        )


def _lines(request: dict[str, Any]) -> list[str]:
    """A request as lines for a diff: one per field, each message's text line by line."""
    out = []
    for key in sorted(request):
        if key == "messages":
            continue
        value = request[key]
        if key == "response_format" and isinstance(value, dict):
            schema = value.get("json_schema") or {}
            digest = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:12]
            value = f"{value.get('type')} {schema.get('name', '')} (schema {digest})".strip()
        out.append(f"{key}: {value}")
    for i, message in enumerate(request.get("messages") or []):
        out.append(f"[message {i + 1}: {message.get('role')}]")
        for line in str(message.get("content", "")).splitlines():
            out += _expanded(line)
    return out


def _expanded(line: str) -> list[str]:
    """A line of JSON (an agent's data) one value a line, so a diff shows the value that
    changed; any other line as it is."""
    if not line.lstrip().startswith(("{", "[")):
        return [line]
    try:
        data = json.loads(line)
    except ValueError:
        return [line]
    return json.dumps(data, indent=1, ensure_ascii=False).splitlines()


def _replayed_error(error: RecordedError) -> Exception:
    import httpx
    import openai

    # openai's errors only read the request and response they carry: plain httpx ones do
    request: Any = httpx.Request("POST", "http://replay.invalid/v1/chat/completions")
    if error.kind == "timeout":
        return openai.APITimeoutError(request=request)
    if error.kind == "connection":
        return openai.APIConnectionError(message=error.message, request=request)
    status = error.status or 500
    response: Any = httpx.Response(
        status, headers=error.headers, content=error.body.encode(), request=request
    )
    try:
        body: Any = json.loads(error.body)
    except ValueError:
        body = error.body
    classes: dict[int, type[openai.APIStatusError]] = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        403: openai.PermissionDeniedError,
        404: openai.NotFoundError,
        409: openai.ConflictError,
        422: openai.UnprocessableEntityError,
        429: openai.RateLimitError,
    }
    fallback = openai.InternalServerError if status >= 500 else openai.APIStatusError
    cls = classes.get(status, fallback)
    return cls(error.message, response=response, body=body)
