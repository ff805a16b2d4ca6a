"""`ScriptedEndpoint` is an OpenAI-compatible endpoint for respx (or any
httpx mock transport): it reads each request (the schema name
in response_format, the JSON data in the prompt) and answers with a valid, well-made reply,
unless a test scripts something else. Thread-safe: agents call it concurrently."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

BASE_URL = "http://llm.test/v1"

SINGLES = [("close", "eye_level"), ("medium", "low"), ("close", "high"), ("medium", "eye_level")]


def completion(
    content: str,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
) -> httpx.Response:
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


def _data(request_body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    user = [m for m in request_body["messages"] if m["role"] == "user"][0]["content"]
    head, _, rest = user.partition("\n")
    return head, json.loads(rest)


def _schema_from_prompt(body: dict[str, Any]) -> str:
    """In JSON mode the schema travels in the system message: find which one it is."""
    system = " ".join(m["content"] for m in body["messages"] if m["role"] == "system")
    for name, marker in (
        ("OutlineReply", '"title":"OutlineReply"'),
        ("SceneReply", '"title":"SceneReply"'),
        ("ShotPlanReply", '"title":"ShotPlanReply"'),
        ("ShotRevisionReply", '"title":"ShotRevisionReply"'),
        ("JudgementReply", '"title":"JudgementReply"'),
    ):
        if marker in system:
            return name
    return "json"


class ScriptedEndpoint:
    def __init__(self, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []  # (schema, first line of the prompt)
        self.judge_notes: list[list[dict[str, Any]]] = []  # one list per judge call, in order
        self.judge_scores: list[float] = []
        self.fail_with: Callable[[str], httpx.Response | None] | None = None
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        fmt = body.get("response_format", {})
        schema = fmt.get("json_schema", {}).get("name") or _schema_from_prompt(body)
        head, data = _data(body)
        with self._lock:
            self.calls[schema] += 1
            self.requests.append((schema, head))
            judge_call = self.calls["JudgementReply"]
        if self.fail_with is not None:
            failure = self.fail_with(schema)
            if failure is not None:
                return failure
        if self.latency_s:
            time.sleep(self.latency_s)
        reply = getattr(self, f"_{schema}")(head, data, judge_call)
        return completion(json.dumps(reply))

    # -- replies ----------------------------------------------------------------------

    def _OutlineReply(self, head: str, data: dict[str, Any], _: int) -> dict[str, Any]:
        n = int(re.search(r"exactly (\d+) scenes", head)[1])  # type: ignore[index]
        brief = data["brief"]
        chars = brief["characters"]
        locs = brief["locations"] or [loc["id"] for loc in data["bible"]["locations"]]
        return {
            "title": brief["title"],
            "scenes": [
                {
                    "summary": f"Scene {i + 1}: things happen",
                    "location": locs[i % len(locs)],
                    "time_of_day": "day",
                    "characters": chars[:2],
                    "beats": [f"beat {i + 1}a", f"beat {i + 1}b"],
                }
                for i in range(n)
            ],
        }

    def _SceneReply(self, head: str, data: dict[str, Any], _: int) -> dict[str, Any]:
        scene = data["scene"]
        rev = "revised " if head.startswith("Revise") else ""
        speakers = scene["characters"]
        return {
            "summary": f"{rev}{scene['summary']}",
            "beats": scene["beats"],
            "dialogue": [
                {
                    "character": speakers[k % len(speakers)],
                    "text": f"{rev}Line {k + 1} of scene {scene['id']}.",
                    "parenthetical": "",
                }
                for k in range(2)
            ],
        }

    def _ShotPlanReply(self, head: str, data: dict[str, Any], _: int) -> dict[str, Any]:
        scene = data["scene"]
        seconds = float(re.search(r"about ([\d.]+) seconds", head)[1])  # type: ignore[index]
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

    def _ShotRevisionReply(self, head: str, data: dict[str, Any], _: int) -> dict[str, Any]:
        shot = data["shot"]
        scene = data["scene"]
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

    def _JudgementReply(self, head: str, data: dict[str, Any], call: int) -> dict[str, Any]:
        notes = self.judge_notes[call - 1] if call <= len(self.judge_notes) else []
        score = self.judge_scores[call - 1] if call <= len(self.judge_scores) else 9.0
        dims = ["structure", "pacing", "dialogue", "shot_variety", "continuity", "technical"]
        return {"scores": dict.fromkeys(dims, score), "notes": notes}
