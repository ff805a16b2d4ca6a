"""`ScriptedEndpoint`: an OpenAI-compatible chat-completions endpoint for respx (or any httpx
mock transport), scripted by the pydantic reply model each request asks for.

A request names its reply model in `response_format` (the JSON schema's name) or, in JSON
mode, carries the model's JSON schema in its system message; the endpoint finds the model
class from either. Each reply model has a default that answers with a valid, well-made reply
built from the request's data, so a test scripts only what it is about:

    endpoint = ScriptedEndpoint()
    respx.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    endpoint.reply(JudgementReply, judgement(4.0, notes=[note]))   # the next judge call
    endpoint.always(ShotPlanReply, httpx.Response(500))            # every plan call, until
    endpoint.reset(ShotPlanReply)                                  # ... this
    assert endpoint.calls[SceneReply] == 3

`ScriptedEndpoint(vision=False)` answers any request carrying image content with a 400, as a
text-only server does. Thread-safe: agents call it concurrently."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Self, TypeAlias

import httpx
from pydantic import BaseModel

from reelwright.agents.replies import OutlineReply, SceneReply, ShotPlanReply, ShotRevisionReply
from reelwright.agents.restructure import StructureReply
from reelwright.compliance.screening.judge import RightsJudgementReply
from reelwright.critic.replies import JudgementReply

BASE_URL = "http://llm.test/v1"

JUDGE_DIMENSIONS = ("structure", "pacing", "dialogue", "shot_variety", "continuity", "technical")
SINGLES = [("close", "eye_level"), ("medium", "low"), ("close", "high"), ("medium", "eye_level")]


@dataclass(frozen=True)
class ScriptedRequest:
    """One request as the endpoint saw it."""

    model: type[BaseModel]  # the reply model it asks for
    instruction: str  # the first line of the (first) user message
    data: Any  # the JSON after that line, or None when there is none
    call: int  # 1 for the first request for this reply model, 2 for the next, ...
    body: dict[str, Any]  # the whole request body

    @property
    def images(self) -> list[tuple[str, str]]:
        """Each image sent, as (the text part just before it, its URL), in order."""
        out: list[tuple[str, str]] = []
        for message in self.body["messages"]:
            before = ""
            for part in message["content"] if isinstance(message["content"], list) else []:
                if part["type"] == "text":
                    before = part["text"]
                elif part["type"] == "image_url":
                    out.append((before, part["image_url"]["url"]))
        return out


# What a test scripts: a reply model instance or a dict (checked against the reply model when
# scripted, sent as given), a str sent verbatim (for malformed replies), an httpx.Response
# returned as is (for failures), or a function of the request returning one of these.
Reply: TypeAlias = BaseModel | Mapping[str, Any] | str | httpx.Response
Responder: TypeAlias = Callable[[ScriptedRequest], Reply]


def completion(
    content: str,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
) -> httpx.Response:
    """A chat-completions response whose one choice carries `content`."""
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def judgement(score: float = 9.0, notes: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A `JudgementReply` giving `score` on every dimension, with these notes (dicts of
    `NoteReply` fields, sent as given: an over-long note stays over-long on the wire)."""
    return {"scores": dict.fromkeys(JUDGE_DIMENSIONS, score), "notes": list(notes)}


class ScriptedEndpoint:
    """Answers each request for a reply model with, in order: the next reply queued by
    `reply()`, else the one set by `always()`, else the built-in default for that model.
    `calls` counts requests per reply model; `requests` lists them in arrival order."""

    def __init__(self, latency_s: float = 0.0, *, vision: bool = True) -> None:
        self.latency_s = latency_s
        self.vision = vision
        self.rejected_images = 0  # requests answered 400 for carrying images
        self.calls: Counter[type[BaseModel]] = Counter()
        self.requests: list[ScriptedRequest] = []
        self._queued: defaultdict[type[BaseModel], deque[Reply | Responder]] = defaultdict(deque)
        self._standing: dict[type[BaseModel], Reply | Responder] = {}
        self._lock = threading.Lock()

    # -- scripting ----------------------------------------------------------------------

    def reply(self, model: type[BaseModel], *replies: Reply | Responder) -> Self:
        """Queue replies for the next requests for `model`, one each, in order."""
        for r in replies:
            _check(model, r)
        with self._lock:
            self._queued[model].extend(replies)
        return self

    def always(self, model: type[BaseModel], reply: Reply | Responder) -> Self:
        """Answer every request for `model` with `reply` (once the queue is spent), until
        `reset`."""
        _check(model, reply)
        with self._lock:
            self._standing[model] = reply
        return self

    def reset(self, model: type[BaseModel] | None = None) -> Self:
        """Back to the defaults for `model` (or every model): queue and `always` dropped."""
        with self._lock:
            for m in [model] if model else [*self._queued, *self._standing]:
                self._queued.pop(m, None)
                self._standing.pop(m, None)
        return self

    # -- answering ----------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if not self.vision and any(
            isinstance(m["content"], list) and any(p["type"] == "image_url" for p in m["content"])
            for m in body["messages"]
        ):
            with self._lock:
                self.rejected_images += 1
            message = "This model does not support image input."
            return httpx.Response(400, json={"error": {"message": message}})
        with self._lock:
            model = self._requested_model(body)
            if model is None:
                return _unscripted(body)
            self.calls[model] += 1
            seen = ScriptedRequest(model, *_instruction(body), self.calls[model], body)
            self.requests.append(seen)
            queue = self._queued.get(model)
            reply = (
                queue.popleft() if queue else self._standing.get(model, DEFAULT_REPLIES.get(model))
            )
        if reply is None:
            return _unscripted(body)
        if self.latency_s:
            time.sleep(self.latency_s)
        if callable(reply):
            answer = reply(seen)
            _check(model, answer)
            return _response(answer)
        return _response(reply)

    def _requested_model(self, body: dict[str, Any]) -> type[BaseModel] | None:
        known = {*DEFAULT_REPLIES, *self._queued, *self._standing}
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            name = fmt["json_schema"]["name"]
            return next((m for m in known if m.__name__ == name), None)
        system = "\n".join(_text(m["content"]) for m in body["messages"] if m["role"] == "system")
        title = _schema_title(system)  # an agent's per-call form keeps its shape's name
        if title is not None:
            return next((m for m in known if m.__name__ == title), None)
        found = [m for m in known if _schema_text(m) in system]
        return max(found, key=lambda m: len(_schema_text(m)), default=None)


def _schema_title(system: str) -> str | None:
    """The title of the JSON schema that JSON mode puts after `JSON schema:` (reelwright.llm)."""
    _, marker, rest = system.partition("JSON schema:\n")
    if not marker:
        return None
    try:
        schema, _ = json.JSONDecoder().raw_decode(rest)
    except ValueError:
        return None
    title = schema.get("title") if isinstance(schema, dict) else None
    return title if isinstance(title, str) else None


@cache
def _schema_text(model: type[BaseModel]) -> str:
    """The schema as JSON mode puts it in the system message (see reelwright.llm)."""
    return json.dumps(model.model_json_schema(), separators=(",", ":"))


def _check(model: type[BaseModel], reply: object) -> None:
    if isinstance(reply, BaseModel) and not isinstance(reply, model):
        raise TypeError(f"a {type(reply).__name__} scripted as a reply to {model.__name__}")
    if isinstance(reply, Mapping):
        model.model_validate(reply)  # a typo in a scripted reply fails here, not mid-run


def _text(content: str | list[dict[str, Any]]) -> str:
    """A message's text: the content, or its text parts joined."""
    if isinstance(content, str):
        return content
    return "\n".join(p["text"] for p in content if p["type"] == "text")


def _instruction(body: dict[str, Any]) -> tuple[str, Any]:
    users = [_text(m["content"]) for m in body["messages"] if m["role"] == "user"]
    head, _, rest = (users[0] if users else "").partition("\n")
    try:
        return head, json.loads(rest)
    except ValueError:
        return head, None


def _response(reply: Reply) -> httpx.Response:
    if isinstance(reply, httpx.Response):  # a copy: one Response may be scripted many times
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)
    if isinstance(reply, BaseModel):
        return completion(reply.model_dump_json())
    if isinstance(reply, str):
        return completion(reply)
    return completion(json.dumps(reply))


def _unscripted(body: dict[str, Any]) -> httpx.Response:
    fmt = body.get("response_format") or {}
    asked = fmt.get("json_schema", {}).get("name", "a JSON-mode reply")
    message = f"ScriptedEndpoint: nothing scripted for {asked}; use endpoint.reply(Model, ...)"
    return httpx.Response(400, json={"error": {"message": message}})


# -- the defaults: valid, well-made replies from the request's data ------------------------


_SYLLABLES = ("ba", "ko", "mi", "tu", "re", "lo", "ne", "si", "da", "pu")


def _word(seed: str) -> str:
    """A made-up word, different for each seed: scripted lines and beats that no two scenes
    share, so the critic's repetition checks pass a default episode."""
    n = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 10**6
    return "".join(_SYLLABLES[int(d)] for d in f"{n:06d}")


def _outline(request: ScriptedRequest) -> dict[str, Any]:
    n = int(re.search(r"exactly (\d+) scenes", request.instruction)[1])  # type: ignore[index]
    brief = request.data["brief"]
    chars = brief["characters"]
    locs = brief["locations"] or [loc["id"] for loc in request.data["bible"]["locations"]]
    return {
        "title": brief["title"],
        "scenes": [
            {
                # the first scene states the premise, so the script keeps the logline's terms
                "summary": brief["logline"] if i == 0 else f"Scene {i + 1}",
                "location": locs[i % len(locs)],
                "time_of_day": "day",
                "characters": chars[:2],
                "beats": [f"beat {i + 1}a", f"beat {i + 1}b"],
            }
            for i in range(n)
        ],
    }


def _scene(request: ScriptedRequest) -> dict[str, Any]:
    scene = request.data["scene"]
    rev = "revised " if request.instruction.startswith("Revise") else ""
    silent = {c["id"] for c in request.data.get("characters", []) if c.get("speaks") is False}
    speakers = [c for c in scene["characters"] if c not in silent] or scene["characters"]
    return {
        "summary": f"{rev}{scene['summary']}",
        "beats": scene["beats"],
        "dialogue": [
            {
                "character": speakers[k % len(speakers)],
                "text": f"{rev}Line {k + 1} of {scene['id']}: {_word(rev + scene['id'] + str(k))}.",
                "parenthetical": "",
            }
            for k in range(2)
        ],
    }


def _shot_plan(request: ScriptedRequest) -> dict[str, Any]:
    scene = request.data["scene"]
    seconds = float(re.search(r"about ([\d.]+) seconds", request.instruction)[1])  # type: ignore[index]
    lines = scene["dialogue"]
    count = 1 + len(lines)
    shots = [
        {
            "framing": "wide",
            "angle": "eye_level",
            "camera_move": "pan",
            "lens_mm": 24,
            "duration_s": seconds / count,
            "characters": scene["characters"],
            "description": f"establishing {scene['id']}",
            "dialogue_lines": [],
        }
    ]
    for k, line in enumerate(lines):
        framing, angle = SINGLES[k % len(SINGLES)]
        shots.append(
            {
                "framing": framing,
                "angle": angle,
                "camera_move": "static",
                "lens_mm": 50,
                "duration_s": seconds / count,
                "characters": [line["character"]],
                "description": f"{line['character']} speaks",
                "dialogue_lines": [k],
            }
        )
    return {"shots": shots}


def _shot_revision(request: ScriptedRequest) -> dict[str, Any]:
    shot = request.data["shot"]
    scene = request.data["scene"]
    lines = [i for i, d in enumerate(scene["dialogue"]) if d in shot["dialogue"]]
    return {
        "shot": {
            "framing": shot["framing"],
            "angle": shot["angle"],
            "camera_move": shot["camera_move"],
            "lens_mm": shot["lens_mm"],
            "duration_s": shot["duration_s"],
            "characters": shot["characters"],
            "description": f"revised: {shot['description']}",
            "dialogue_lines": lines,
        }
    }


def _structure(request: ScriptedRequest) -> dict[str, Any]:
    """Cut or add scenes just before the closing scene until the count is the one asked."""
    want = int(re.search(r"exactly (\d+) scenes", request.instruction)[1])  # type: ignore[index]
    ids = [s["id"] for s in request.data["script"]]
    if len(ids) >= want:
        return {"remove": ids[want - 1 : -1] if want > 1 else ids[1:], "add": []}
    locs = [loc["id"] for loc in request.data["bible"]["locations"]]
    chars = request.data["brief"]["characters"][:2]
    after = ids[-2] if len(ids) > 1 else ids[-1]
    return {
        "remove": [],
        "add": [
            {
                "after": after,
                "summary": f"Added scene {k + 1}: the stakes rise for {_word(f'add{k}')}",
                "location": locs[k % len(locs)],
                "time_of_day": "dusk",
                "characters": chars,
                "beats": [f"added beat {k + 1}{x}: {_word(f'add{k}{x}')}" for x in "ab"],
            }
            for k in range(want - len(ids))
        ],
    }


DEFAULT_REPLIES: dict[type[BaseModel], Responder] = {
    OutlineReply: _outline,
    SceneReply: _scene,
    ShotPlanReply: _shot_plan,
    ShotRevisionReply: _shot_revision,
    JudgementReply: lambda request: judgement(),
    StructureReply: _structure,
    RightsJudgementReply: lambda request: {"findings": []},  # nothing missed
}
