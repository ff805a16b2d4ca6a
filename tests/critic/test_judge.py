"""The LLM judge through the real OpenAI client against a scripted endpoint: the anchored
rubric, frames sent with their shot ids, the text-only fallback, samples combined by median,
and both score sets kept."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import httpx
import pytest
from PIL import Image

from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.config import JudgeSettings
from reelwright.critic.agent import Critic
from reelwright.critic.judge import Verdict, combine_scores
from reelwright.critic.replies import JudgementReply
from reelwright.errors import LLMRequestError
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.loading import load_inputs
from reelwright.models import DIMENSIONS, RenderResult, Usage
from reelwright.testing import BASE_URL, ScriptedEndpoint, judgement
from reelwright.testing.llm import JUDGE_DIMENSIONS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def make_llm(vision: str = "auto") -> OpenAILLM:
    return OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
        vision=vision,  # type: ignore[arg-type]
    )


def endpoint(http, **kw) -> ScriptedEndpoint:
    fake = ScriptedEndpoint(**kw)
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=fake)
    return fake


@pytest.fixture
def episode(tmp_path):
    """The storm-signal episode from the offline agents, with a 640x360 frame per shot."""
    brief, bible = load_inputs(EXAMPLES / "briefs" / "storm-signal.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    renders = []
    for i, shot in enumerate(shots.shots):
        path = tmp_path / f"{shot.id}.png"
        Image.new("RGB", (640, 360), (20 * i % 255, 90, 160)).save(path)
        renders.append(
            RenderResult(
                shot_id=shot.id,
                key=f"k{i}",
                path=str(path),
                cached=False,
                renderer="test",
                model="test",
                seed=i,
                width=640,
                height=360,
                seconds=0.0,
            )
        )
    return brief, bible, script, shots, renders


def scores(**given: float) -> dict[str, float]:
    return {d: given.get(d, 9.0) for d in JUDGE_DIMENSIONS}


def test_the_judge_is_sent_the_rubric_with_anchors_for_every_dimension(http, episode):
    fake = endpoint(http)
    Critic(make_llm()).critique(1, *episode)
    system = fake.requests[0].body["messages"][0]["content"]
    for dimension in DIMENSIONS:
        line = next(x for x in system.splitlines() if x.startswith(f"{dimension}: "))
        assert "2 = " in line and "5 = " in line and "8 = " in line and "10 = " in line


def test_with_vision_the_judge_sees_downscaled_frames_labelled_with_shot_ids(http, episode):
    fake = endpoint(http)
    shots = episode[3]
    critic = Critic(make_llm("on"), judge=JudgeSettings(max_frames=4))
    critique, _ = critic.critique(1, *episode)
    sent = fake.requests[0].images
    ids = [s.id for s in shots.shots]
    labels = [label for label, _ in sent]
    assert len(sent) == 4 and labels[0] == f"Frame of shot {ids[0]}:"
    assert labels[-1] == f"Frame of shot {ids[-1]}:"  # spread over the whole episode
    assert critique.judge_saw_frames == [label[len("Frame of shot ") : -1] for label in labels]
    header, data = sent[0][1].split(",", 1)
    assert header == "data:image/jpeg;base64"
    with Image.open(io.BytesIO(base64.b64decode(data))) as img:
        assert img.format == "JPEG" and max(img.size) == 256


def test_vision_off_sends_no_image(http, episode):
    fake = endpoint(http)
    critique, _ = Critic(make_llm("off")).critique(1, *episode)
    assert fake.requests[0].images == []
    assert len(fake.requests[0].body["messages"]) == 2
    assert critique.judge_saw_frames == []


def test_auto_falls_back_to_text_on_a_server_that_rejects_images_and_remembers(http, episode):
    fake = endpoint(http, vision=False)
    fake.always(JudgementReply, {"scores": scores(technical=2.0), "notes": []})
    llm = make_llm("auto")
    critic = Critic(llm)
    first, _ = critic.critique(1, *episode)
    second, usage = critic.critique(2, *episode)
    assert fake.rejected_images == 1  # tried once, then text only for the run
    assert llm.vision == "off"
    assert fake.calls[JudgementReply] == 2
    assert all(r.images == [] for r in fake.requests)
    text = fake.requests[0].body["messages"][-1]["content"]
    assert isinstance(text, str) and "[image of shot " in text
    assert first.judge_saw_frames == second.judge_saw_frames == []
    # a judge that saw no frames has no say on technical
    assert second.judge_scores is not None and second.judge_scores["technical"] == 2.0
    assert second.scores["technical"] == second.measured_scores["technical"]
    assert usage.requests == 1


def test_vision_on_fails_clearly_when_the_server_rejects_images(http, episode):
    endpoint(http, vision=False)
    with pytest.raises(LLMRequestError, match="rejected the images") as caught:
        Critic(make_llm("on")).critique(1, *episode)
    assert "REELWRIGHT_LLM_VISION" in str(caught.value)


def test_samples_are_combined_by_median_per_dimension(http, episode):
    fake = endpoint(http)
    notes = {
        k: {
            "target": "writer",
            "dimension": "dialogue",
            "text": f"from the {k} sample",
            "scene_ids": ["s1"],
            "shot_ids": [],
        }
        for k in ("low", "mid", "high")
    }
    fake.reply(
        JudgementReply,
        {"scores": scores(dialogue=3.0, pacing=8.0), "notes": [notes["low"]]},
        {"scores": scores(dialogue=9.0, pacing=4.0), "notes": [notes["high"]]},
        {"scores": scores(dialogue=6.0, pacing=7.0), "notes": [notes["mid"]]},
    )
    critique, usage = Critic(make_llm(), judge=JudgeSettings(samples=3)).critique(1, *episode)
    assert fake.calls[JudgementReply] == 3 and usage.calls == 3
    assert critique.judge_scores is not None
    assert critique.judge_scores["dialogue"] == 6.0 and critique.judge_scores["pacing"] == 7.0
    assert critique.judge_scores["structure"] == 9.0
    assert sorted(s["dialogue"] for s in critique.judge_samples) == [3.0, 6.0, 9.0]
    judged = [n.text for n in critique.notes if n.source == "judge"]
    assert judged == ["from the mid sample"]  # the notes of the sample nearest the median


def test_critique_json_keeps_the_measured_and_the_judge_scores(http, episode):
    fake = endpoint(http)
    fake.reply(JudgementReply, judgement(4.0))
    critique, _ = Critic(make_llm()).critique(1, *episode)
    record = json.loads(critique.model_dump_json())
    assert record["judge"] == "measurements+llm"
    assert record["judge_scores"] == dict.fromkeys(DIMENSIONS, 4.0)
    measured = record["measured_scores"]
    assert set(measured) == set(DIMENSIONS)
    assert record["scores"] == {d: min(measured[d], 4.0) for d in DIMENSIONS}
    assert record["frames"]["measured"] is False


def verdict(judged: dict[str, float], saw: tuple[str, ...] = ("s1-1",)) -> Verdict:
    return Verdict(scores=judged, samples=[judged], notes=[], saw_frames=saw, usage=Usage())


def test_the_judge_cannot_lift_a_failing_measurement_nor_be_outvoted_by_one():
    measured = dict.fromkeys(DIMENSIONS, 9.0) | {"dialogue": 3.0}
    judged = dict.fromkeys(DIMENSIONS, 10.0) | {"pacing": 4.0}
    combined = combine_scores(measured, verdict(judged))
    assert combined["dialogue"] == 3.0  # a measured defect stays
    assert combined["pacing"] == 4.0  # the judge's objection stays
    assert combined["structure"] == 9.0


def test_the_judge_technical_score_counts_only_when_it_saw_frames():
    measured = dict.fromkeys(DIMENSIONS, 9.0)
    judged = dict.fromkeys(DIMENSIONS, 9.0) | {"technical": 2.0}
    assert combine_scores(measured, verdict(judged, saw=()))["technical"] == 9.0
    assert combine_scores(measured, verdict(judged))["technical"] == 2.0


def test_a_run_writes_both_score_sets_and_the_frames_shown_to_critique_json(
    http, tmp_path, settings
):
    from reelwright.api import run_episode

    fake = endpoint(http)
    note = {
        "target": "writer",
        "dimension": "dialogue",
        "text": "Sharpen it.",
        "scene_ids": ["s2"],
        "shot_ids": [],
    }
    fake.reply(JudgementReply, judgement(4.0, [note]))  # then the default, 9.0
    ledger = tmp_path / "rights.yaml"
    ledger.write_text(
        (EXAMPLES / "rights.yaml").read_text()
        + "\n  - {id: test-model, kind: model, licence: test terms, permitted_uses: [scripts]}\n"
    )
    run_episode(
        EXAMPLES / "briefs" / "first-light.yaml",
        out=tmp_path / "out",
        settings=settings,
        llm=make_llm(),
        rights=ledger,
        auto_approve=True,
    )
    first, second = json.loads((tmp_path / "out" / "critique.json").read_text())
    assert first["judge_scores"] == dict.fromkeys(DIMENSIONS, 4.0)
    assert second["judge_scores"] == dict.fromkeys(DIMENSIONS, 9.0)
    for record in (first, second):
        measured, judged = record["measured_scores"], record["judge_scores"]
        assert record["scores"] == {d: min(measured[d], judged[d]) for d in DIMENSIONS}
        assert record["frames"]["measured"] is False
    shown = [label for label, _ in fake.requests[-1].images]
    assert shown and second["judge_saw_frames"] == [x[len("Frame of shot ") : -1] for x in shown]


def test_a_frame_that_cannot_be_read_is_left_out_of_the_judges_view(http, episode):
    fake = endpoint(http)
    renders = episode[4]
    Path(renders[0].path).write_bytes(b"not an image")  # the first is always picked
    critique, _ = Critic(make_llm("on"), judge=JudgeSettings(max_frames=3)).critique(1, *episode)
    shown = [label for label, _ in fake.requests[0].images]
    assert f"Frame of shot {renders[0].shot_id}:" not in shown and len(shown) == 2
    assert renders[0].shot_id not in critique.judge_saw_frames
