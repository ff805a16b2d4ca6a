"""The schema each agent sends says what is allowed, so a server that honours `enum` but
writes its own words everywhere else gets a run published; and replies that name people the
way people do (`Juno`, `JUNO`, `Juno Park`, `Juno's`) publish, with the mappings counted."""

from __future__ import annotations

import json
import logging
import random
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelwright.agents.replies import OutlineReply, SceneReply, ShotPlanReply
from reelwright.api import run_episode
from reelwright.critic.replies import JudgementReply
from reelwright.errors import LLMInvalidReply
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.records import RunRecord
from reelwright.testing import BASE_URL, ScriptedEndpoint, ScriptedRequest, completion
from reelwright.testing.llm import DEFAULT_REPLIES

BRIEF = "briefs/first-light.yaml"
MODEL_CLEARANCE = """
  - {id: test-model, kind: model, licence: test terms, permitted_uses: [scripts]}
"""
CAST = {"juno", "pip", "bram", "odalys"}  # the example bible's characters
WORDS = (
    "copper lantern tide gull brass kettle velvet harbour-light marmalade quietly sideways "
    "Juniper Tidewater Holloway moonlit sprocket whistle barnacle Saltwind clockwork"
).split()


def make_llm(mode: str = "auto") -> OpenAILLM:
    return OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
        mode=mode,  # type: ignore[arg-type]
    )


def run(examples: Path, tmp_path: Path, settings, **kw):
    # these servers answer every schema in their own words, the rights judge's too (a failed
    # judge reply is a review finding that holds the run for legal); the judge is tested in
    # tests/graphs/test_rights_judge.py
    settings = settings.model_copy(
        update={"llm": settings.llm.model_copy(update={"rights_judge": False})}
    )
    ledger = tmp_path / "rights.yaml"
    ledger.write_text((examples / "rights.yaml").read_text() + MODEL_CLEARANCE)
    kw.setdefault("llm", make_llm())
    return run_episode(
        examples / BRIEF,
        out=tmp_path / "out",
        settings=settings,
        rights=ledger,
        auto_approve=True,
        **kw,
    )


class FreeTextServer:
    """An OpenAI-compatible server like a small local model under a grammar: it honours the
    JSON schema it is sent (types, `enum`, bounds, item counts) and writes words of its own
    in every free string, ids included when the schema lets it."""

    def __init__(self, seed: int = 3) -> None:
        self.rng = random.Random(seed)
        self.schemas: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        schema = body["response_format"]["json_schema"]["schema"]
        with self._lock:
            self.schemas.append(body["response_format"]["json_schema"])
            reply = self.fill(schema, schema)
        return completion(json.dumps(reply))

    def fill(self, schema: dict[str, Any], root: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self.fill(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
        if "anyOf" in schema:
            return self.fill(schema["anyOf"][0], root)
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        if "const" in schema:
            return schema["const"]
        kind = schema["type"]
        if kind == "object":
            return {k: self.fill(v, root) for k, v in schema["properties"].items()}
        if kind == "array":
            low = schema.get("minItems", 0)
            high = min(schema.get("maxItems", 3), max(low, 3))
            n = self.rng.randint(min(max(low, 1), high), high)
            return [self.fill(schema["items"], root) for _ in range(n)]
        if kind == "string":
            text = " ".join(self.rng.choices(WORDS, k=self.rng.randint(1, 6)))
            return text[: schema.get("maxLength", len(text))]
        if kind == "integer":
            return self.rng.randint(schema.get("minimum", 0), schema.get("maximum", 100))
        if kind == "number":
            return round(self.rng.uniform(schema.get("minimum", 0), schema.get("maximum", 10)), 2)
        if kind == "boolean":
            return self.rng.random() < 0.5
        raise AssertionError(f"the fake does not know {schema}")


@pytest.mark.parametrize("seed", [3, 11])
def test_a_server_that_honours_enum_but_writes_its_own_words_publishes(
    examples, tmp_path, settings, http, seed
):
    server = FreeTextServer(seed)
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=server)
    outcome = run(examples, tmp_path, settings)
    assert outcome.status == "published", outcome.error
    script = json.loads((tmp_path / "out" / "script.json").read_text())
    assert len(script["scenes"]) == 3  # the brief's count, fixed by the schema
    for scene in script["scenes"]:
        assert scene["location"] in ("workshop", "lighthouse")
        assert set(scene["characters"]) <= {"juno", "pip", "bram"}
        assert {d["character"] for d in scene["dialogue"]} <= set(scene["characters"])
    shots = json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]
    by_scene = {s["id"]: s for s in script["scenes"]}
    for shot in shots:
        assert set(shot["characters"]) <= set(by_scene[shot["scene_id"]]["characters"])
    names = {s["name"] for s in server.schemas}
    assert {"OutlineReply", "SceneReply", "ShotPlanReply", "JudgementReply"} <= names
    assert all(s["strict"] for s in server.schemas)
    # every reply validated as sent: a re-ask would have asked for more calls than were made
    # (and in auto mode switched to JSON mode, which this server does not answer)
    assert outcome.record is not None and outcome.record.llm.calls == len(server.schemas)


def test_the_same_server_fails_the_writer_when_the_schema_allows_any_string(http):
    """Why the per-call schema matters: the shape alone lets the server write words where the
    bible's ids belong, and three asks later the call fails."""
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=FreeTextServer())
    with pytest.raises(LLMInvalidReply, match="unknown location id"):
        make_llm("strict").structured(
            [{"role": "user", "content": "outline"}],
            OutlineReply,
            agent="writer",
            context={"characters": {"juno", "pip"}, "locations": {"workshop"}},
        )


def schema_of(request: ScriptedRequest) -> dict[str, Any]:
    return request.body["response_format"]["json_schema"]["schema"]


def test_each_agents_schema_names_what_is_allowed(examples, tmp_path, settings, http):
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)

    def outline(request: ScriptedRequest) -> dict[str, Any]:
        reply = DEFAULT_REPLIES[OutlineReply](request)
        reply["scenes"][1]["characters"] = ["bram"]  # scenes with different casts
        return reply

    endpoint.reply(OutlineReply, outline)
    outcome = run(examples, tmp_path, settings)
    assert outcome.status == "published", outcome.error
    first = {  # the first request for each model; for scene drafts and plans, scene s1's
        r.model: schema_of(r)
        for r in reversed(endpoint.requests)
        if not (isinstance(r.data, dict) and r.data.get("scene", {}).get("id", "s1") != "s1")
    }
    script = json.loads((tmp_path / "out" / "script.json").read_text())

    outline = first[OutlineReply]
    scene_def = outline["$defs"]["OutlineScene"]["properties"]
    assert scene_def["location"]["enum"] == ["workshop", "lighthouse"]
    assert scene_def["characters"]["items"]["enum"] == ["juno", "pip", "bram"]
    scenes = outline["properties"]["scenes"]
    assert scenes["minItems"] == scenes["maxItems"] == 3

    s1 = script["scenes"][0]
    for request in endpoint.requests:  # each scene's own characters, no one else
        if request.model in (SceneReply, ShotPlanReply):
            enums = [d for d in _walk(schema_of(request)) if d.get("type") == "string"]
            ids = {v for d in enums for v in d.get("enum", ())} & CAST
            assert ids == set(request.data["scene"]["characters"]), request.instruction
    assert {s["id"]: s["characters"] for s in script["scenes"]}["s2"] == ["bram"]
    plan = first[ShotPlanReply]["$defs"]["PlannedShot"]["properties"]
    assert plan["dialogue_lines"]["items"]["enum"] == list(range(len(s1["dialogue"])))

    judge = first[JudgementReply]["$defs"]["NoteReply"]["properties"]
    assert judge["scene_ids"]["items"]["enum"] == ["s1", "s2", "s3"]
    shots = json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]
    assert judge["shot_ids"]["items"]["enum"] == [s["id"] for s in shots]
    for model, schema in first.items():  # strict: closed objects, every property required
        for d in _walk(schema):
            if d.get("type") == "object":
                assert d["additionalProperties"] is False, model
                assert set(d["required"]) == set(d["properties"]), model


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for v in node.values():
            found += _walk(v)
    elif isinstance(node, list):
        for v in node:
            found += _walk(v)
    return found


VARIANTS = ["Juno", "JUNO", "Juno Park", "Juno's"]


def test_replies_naming_juno_four_ways_publish_with_the_mappings_counted(
    examples, tmp_path, settings, http, caplog
):
    caplog.set_level(logging.INFO, logger="reelwright.agents")
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)

    def outline(request: ScriptedRequest) -> dict[str, Any]:
        reply = DEFAULT_REPLIES[OutlineReply](request)
        for scene, name in zip(reply["scenes"], VARIANTS, strict=False):
            scene["characters"] = [name, "Pip"]
        reply["scenes"][0]["location"] = "The Workshop"
        return reply

    def scene(request: ScriptedRequest) -> dict[str, Any]:
        reply = DEFAULT_REPLIES[SceneReply](request)
        for line in reply["dialogue"]:
            if line["character"] == "juno":
                line["character"] = "Juno's"
        return reply

    def plan(request: ScriptedRequest) -> dict[str, Any]:
        reply = DEFAULT_REPLIES[ShotPlanReply](request)
        for shot in reply["shots"]:
            shot["characters"] = ["JUNO" if c == "juno" else c for c in shot["characters"]]
        return reply

    endpoint.reply(OutlineReply, outline).always(SceneReply, scene)
    endpoint.always(ShotPlanReply, plan)
    outcome = run(examples, tmp_path, settings)
    assert outcome.status == "published", outcome.error
    assert endpoint.calls[OutlineReply] == 1  # no re-asks: every name was mapped

    script = json.loads((tmp_path / "out" / "script.json").read_text())
    assert [s["characters"] for s in script["scenes"]] == [["juno", "pip"]] * 3
    assert script["scenes"][0]["location"] == "workshop"
    assert all(d["character"] in ("juno", "pip") for s in script["scenes"] for d in s["dialogue"])

    record = RunRecord.model_validate_json((tmp_path / "out" / "run.json").read_text())
    writer = record.llm.by_agent["writer"].normalised
    assert writer == {
        "Juno → juno": 1,
        "JUNO → juno": 1,
        "Juno Park → juno": 1,
        "Pip → pip": 3,
        "The Workshop → workshop": 1,
        "Juno's → juno": 6,  # both lines of each scene: Pip does not speak
    }
    director = record.llm.by_agent["director"].normalised
    assert director["JUNO → juno"] == sum(
        1
        for s in json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]
        if "juno" in s["characters"] and s["revision"] == 0
    )
    assert record.llm.by_agent["critic"].normalised == {}
    assert "LLM writer: mapped names to ids in OutlineReply: " in caplog.text
    raw = json.loads((tmp_path / "out" / "run.json").read_text())
    assert raw["llm"]["by_agent"]["writer"]["normalised"]["Juno Park → juno"] == 1


def test_an_unmappable_name_fails_the_run_with_a_clear_error(examples, tmp_path, settings, http):
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)

    def outline(request: ScriptedRequest) -> dict[str, Any]:
        reply = DEFAULT_REPLIES[OutlineReply](request)
        reply["scenes"][1]["characters"] = ["Captain Nemo"]
        return reply

    endpoint.always(OutlineReply, outline)
    outcome = run(examples, tmp_path, settings)
    assert outcome.status == "failed"
    assert "unknown character 'Captain Nemo'; use one of the ids: juno, pip, bram" in str(
        outcome.error
    )
    assert endpoint.calls[OutlineReply] == 3  # the ask and two repair re-asks
    again = [r.body["messages"][-1]["content"] for r in endpoint.requests[1:]]
    assert all("Captain Nemo" in m and "juno, pip, bram" in m for m in again)


def test_json_mode_asks_with_the_per_call_schema_in_the_prompt(examples, tmp_path, settings, http):
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    outcome = run(examples, tmp_path, settings, llm=make_llm("json"))
    assert outcome.status == "published", outcome.error
    outline = next(r for r in endpoint.requests if r.model is OutlineReply)
    system = outline.body["messages"][0]["content"]
    assert '"enum":["workshop","lighthouse"]' in system
    assert '"minItems":3' in system and '"maxItems":3' in system
