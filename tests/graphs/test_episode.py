"""The episode graph end to end, with the LLM mocked at the HTTP layer."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from reelwright.agents.replies import OutlineReply, SceneReply, ShotPlanReply, ShotRevisionReply
from reelwright.api import pending_runs, resume_run, run_episode
from reelwright.compliance.screening.judge import RightsJudgementReply
from reelwright.critic.replies import JudgementReply
from reelwright.graphs.checkpoint import open_checkpointer, serializer
from reelwright.graphs.episode import build_graph
from reelwright.graphs.state import EpisodeState
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.models import Critique, Script, Shot, ShotList, Usage
from reelwright.records import RunRecord
from reelwright.testing import BASE_URL, ScriptedEndpoint, judgement
from tests.conftest import permissive_brief

BRIEF = "briefs/first-light.yaml"


def make_llm() -> OpenAILLM:
    return OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
    )


@pytest.fixture
def fake(http) -> ScriptedEndpoint:
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    return endpoint


MODEL_CLEARANCE = """
  - {id: test-model, kind: model, licence: test terms, permitted_uses: [scripts]}
"""


def run(examples: Path, tmp_path: Path, settings, brief: Path | None = None, **kw):
    kw.setdefault("auto_approve", True)
    kw.setdefault("llm", make_llm())
    if kw["llm"] is not None and "rights" not in kw:  # the test model is cleared too
        ledger = tmp_path / "rights.yaml"
        ledger.write_text((examples / "rights.yaml").read_text() + MODEL_CLEARANCE)
        kw["rights"] = ledger
    return run_episode(brief or examples / BRIEF, out=tmp_path / "out", settings=settings, **kw)


def test_llm_run_publishes_and_accounts_usage_per_agent(examples, tmp_path, settings, fake):
    outcome = run(examples, tmp_path, settings)
    assert outcome.status == "published", outcome.error
    rec = outcome.record
    assert rec is not None
    assert rec.iterations == 1 and rec.passed is True
    assert rec.stop_reason == "thresholds met"
    # outline + 3 scene drafts + 3 shot plans + 1 judge + the rights judge on the script and
    # on the shot prompts (on by default with a model)
    assert fake.calls == {
        OutlineReply: 1,
        SceneReply: 3,
        ShotPlanReply: 3,
        JudgementReply: 1,
        RightsJudgementReply: 2,
    }
    assert rec.llm.calls == 10 and rec.llm.backend == "openai"
    assert rec.llm.by_agent["rights_judge"].calls == 2  # counted, and against the budget
    assert rec.llm.by_agent["writer"].calls == 4
    assert rec.llm.by_agent["director"].calls == 3
    assert rec.llm.by_agent["critic"].calls == 1
    assert rec.llm.prompt_tokens == 1000 and rec.llm.completion_tokens == 500
    assert rec.offline is False


def test_writer_note_rewrites_only_that_scene_and_replans_its_shots(
    examples, tmp_path, settings, fake
):
    note = {
        "target": "writer",
        "dimension": "dialogue",
        "text": "sharper lines",
        "scene_ids": ["s2"],
        "shot_ids": [],
    }
    fake.reply(JudgementReply, judgement(4.0, [note]))  # then the default: 9.0, no notes
    outcome = run(examples, tmp_path, settings)
    assert outcome.record is not None and outcome.record.iterations == 2
    revisions = [r.instruction for r in fake.requests if r.instruction.startswith("Revise")]
    assert revisions == [
        "Revise scene s2: beats and dialogue. Speakers must be among the "
        "scene's characters. Address every note."
    ]
    plans = [r.instruction for r in fake.requests if r.model is ShotPlanReply]
    assert len(plans) == 4 and plans[-1].startswith("Plan the shots of scene s2")
    assert fake.calls[ShotRevisionReply] == 0
    script = json.loads((tmp_path / "out" / "script.json").read_text())
    assert [s["revision"] for s in script["scenes"]] == [0, 1, 0]
    assert script["scenes"][1]["dialogue"][0]["text"].startswith("revised ")


def test_director_note_on_two_shots_rerenders_exactly_two(examples, tmp_path, settings, fake):
    note = {
        "target": "director",
        "dimension": "shot_variety",
        "text": "reframe",
        "scene_ids": [],
        "shot_ids": ["s1-2", "s3-1"],
    }
    fake.reply(JudgementReply, judgement(4.0, [note]))
    outcome = run(examples, tmp_path, settings)
    rec = outcome.record
    assert rec is not None
    n = rec.shots
    assert rec.iterations == 2
    assert fake.calls[ShotRevisionReply] == 2 and fake.calls[SceneReply] == 3
    second = rec.renders.by_iteration[1]
    assert (second.iteration, second.rendered, second.cached) == (2, 2, n - 2)
    assert rec.renders.cached == n - 2 and rec.renders.rendered == n + 2


def test_max_iterations_reached_goes_to_the_gate_unpassed(examples, tmp_path, settings, fake):
    note = {
        "target": "director",
        "dimension": "pacing",
        "text": "tighten",
        "scene_ids": [],
        "shot_ids": ["s1-1"],
    }
    fake.always(JudgementReply, judgement(2.0, [note]))
    outcome = run(examples, tmp_path, settings, auto_approve=False, max_iterations=2)
    assert outcome.status == "awaiting_approval"
    assert outcome.gate is not None and outcome.gate.passed is False
    rec = outcome.record
    assert rec is not None
    assert rec.iterations == 2 and rec.passed is False
    assert rec.stop_reason == "max iterations reached (2)"
    assert len(json.loads((tmp_path / "out" / "critique.json").read_text())) == 2


def test_failing_endpoint_fails_the_run_and_resume_completes_it(examples, tmp_path, settings, fake):
    fake.always(ShotPlanReply, httpx.Response(500))
    outcome = run(examples, tmp_path, settings)
    assert outcome.status == "failed"
    assert "kept failing (500)" in outcome.error
    rec = json.loads((tmp_path / "out" / "run.json").read_text())
    assert rec["status"] == "failed" and "500" in rec["error"]
    drafted = fake.calls[SceneReply]
    fake.reset(ShotPlanReply)
    resumed = resume_run(outcome.run_id, settings=settings, llm=make_llm())
    assert resumed.status == "published"
    assert fake.calls[SceneReply] == drafted  # the script was kept, not rewritten
    assert resumed.record is not None and resumed.record.status == "published"


def test_offline_gate_reject_then_approve(examples, tmp_path, settings):
    brief = permissive_brief(tmp_path / "project")  # the offline episode passes at once
    outcome = run(examples, tmp_path, settings, brief=brief, auto_approve=False, llm=None)
    assert outcome.status == "awaiting_approval"
    assert outcome.record is not None and outcome.record.status == "awaiting_approval"
    assert outcome.record.llm.backend == "procedural (offline)"
    assert [r.run_id for r in pending_runs(settings=settings)] == [outcome.run_id]
    rejected = resume_run(
        outcome.run_id,
        settings=settings,
        decision={
            "decision": "reject",
            "by": "sam",
            "to": "director",
            "scene_ids": ["s2"],  # no note: the offline director re-plans the scene
        },
    )
    assert rejected.status == "awaiting_approval"
    assert rejected.record is not None
    second = rejected.record.renders.by_iteration[1]
    assert second.rendered > 0 and second.cached > 0  # only scene 2 re-rendered
    approved = resume_run(
        outcome.run_id, settings=settings, decision={"decision": "approve", "by": "sam"}
    )
    assert approved.status == "published"
    assert approved.record is not None
    assert [a.decision for a in approved.record.approvals] == ["reject", "approve"]
    assert pending_runs(settings=settings) == []


def test_auto_approval_is_recorded_as_such(examples, tmp_path, settings):
    outcome = run(examples, tmp_path, settings, llm=None)
    assert outcome.record is not None
    (approval,) = outcome.record.approvals
    assert approval.auto is True and approval.by == "auto-approve policy"
    prov = json.loads((tmp_path / "out" / "provenance.json").read_text())
    assert prov["approvals"][0]["auto"] is True


def test_checkpoint_round_trip_keeps_models(examples, tmp_path, settings):
    outcome = run(examples, tmp_path, settings, llm=None)
    with open_checkpointer(settings.state_url) as saver:
        values = (
            build_graph()
            .compile(checkpointer=saver)
            .get_state({"configurable": {"thread_id": outcome.run_id}})
            .values
        )
    assert isinstance(values["script"], Script)
    assert isinstance(values["shots"], ShotList) and isinstance(values["shots"].shots[0], Shot)
    assert isinstance(values["critiques"][0], Critique)
    assert isinstance(values["usage"]["writer"], Usage)
    state = EpisodeState.model_validate(values)
    serde = serializer()
    again = serde.loads_typed(serde.dumps_typed(state))
    assert isinstance(again, EpisodeState) and again == state


def test_package_is_complete(examples, tmp_path, settings):
    outcome = run(examples, tmp_path, settings, llm=None)
    out = tmp_path / "out"
    for name in [
        "brief.yaml",
        "bible.yaml",
        "script.md",
        "script.json",
        "shots.json",
        "contact_sheet.png",
        "animatic.mp4",
        "animatic.srt",
        "critique.json",
        "compliance.json",
        "provenance.json",
        "run.json",
    ]:
        assert (out / name).is_file(), name
    shots = json.loads((out / "shots.json").read_text())["shots"]
    assert sorted(p.stem for p in (out / "frames").glob("*.png")) == sorted(s["id"] for s in shots)
    rec = json.loads((out / "run.json").read_text())  # the keys docs/package.md documents
    for key in [
        "run_id",
        "status",
        "iterations",
        "scores",
        "thresholds",
        "passed",
        "shots",
        "renders",
        "llm",
        "timings",
        "version",
    ]:
        assert key in rec
    # publish writes run.json, so its own time is the one node the record cannot hold
    assert set(rec["timings"]) >= {"writer", "director", "render", "critic", "package", "gate"}
    assert rec["llm"]["calls"] == 0
    assert outcome.record == RunRecord.model_validate(rec)  # the API returns what is on disk


def test_package_animatic_matches_shots_and_subtitles_lie_inside(examples, tmp_path, settings):
    from tests.renderers.test_animatic import parse_srt, video_seconds

    run(examples, tmp_path, settings, llm=None)
    out = tmp_path / "out"
    shots = json.loads((out / "shots.json").read_text())["shots"]
    total = sum(s["duration_s"] for s in shots)
    seconds = video_seconds(out / "animatic.mp4")
    assert abs(seconds - total) <= len(shots) / 25
    cues = parse_srt((out / "animatic.srt").read_text())
    assert len(cues) == sum(len(s["dialogue"]) for s in shots) > 0
    assert all(0 <= a < b <= seconds for a, b, _ in cues)


def test_studio_graph_exports_schemas_and_runs_without_a_context(examples, tmp_path, monkeypatch):
    from reelwright.graphs.studio import graph
    from reelwright.loading import load_inputs

    assert graph.get_input_jsonschema()["title"] == "EpisodeState"
    graph.get_output_jsonschema()
    graph.get_context_jsonschema()
    monkeypatch.chdir(tmp_path)
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    result = graph.invoke(
        {
            "run": {
                "run_id": "studio1",
                "out_dir": str(tmp_path / "out"),
                "width": 320,
                "height": 176,
                "auto_approve": True,
                "rights": str(examples / "rights.yaml"),
            },
            "brief": brief.model_dump(),
            "bible": bible.model_dump(),
        }
    )
    assert result["iteration"] >= 1
    assert json.loads((tmp_path / "out" / "run.json").read_text())["status"] == "published"


@pytest.mark.parametrize("signed", [False, True])
def test_two_projects_sharing_a_cache_render_and_encode_a_repeated_run_once(
    examples, tmp_path, signed
):
    from reelwright.api import run_episode
    from reelwright.compliance.signing import init_signing
    from reelwright.config import Settings

    shared = tmp_path / "shared"
    outcomes = []
    for name in ("a", "b"):
        settings = Settings(home=tmp_path / name / "home", cache=shared)
        if signed:  # credentials differ on every write; the encodes are keyed without them
            init_signing(settings.home)
        outcomes.append(
            run_episode(
                examples / BRIEF, out=tmp_path / name / "out", settings=settings, auto_approve=True
            )
        )
    first, second = (o.record for o in outcomes)
    assert first is not None and second is not None
    assert first.renders.rendered > 0 and first.renders.by_iteration[0].cached == 0
    assert second.renders.rendered == 0
    assert second.renders.cached == first.renders.rendered + first.renders.cached
    assert len(list((shared / "encodes").rglob("*.mp4"))) == 1
    assert len(list((shared / "encodes").rglob("*.png"))) == 1  # the contact sheet
    a, b = (tmp_path / n / "out" / "animatic.mp4" for n in "ab")
    if not signed:
        assert a.read_bytes() == b.read_bytes()
    for n in "ab":  # each package still verifies, its animatic signed by its own signer
        record = json.loads((tmp_path / n / "out" / "run.json").read_text())
        assert record["status"] == "published"
    assert not (tmp_path / "a" / "home" / "cache").exists()  # the caches live in `shared`
