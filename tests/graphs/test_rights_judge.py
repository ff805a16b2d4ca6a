"""The rights judge inside an LLM run (REELWRIGHT_LLM_RIGHTS_JUDGE): its findings reach the
compliance record as review findings and hold the run for legal; a failed judge holds it too;
without the setting no judge call is made."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from reelwright.api import run_episode
from reelwright.compliance.screening.judge import RightsJudgementReply
from reelwright.config import Settings
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.testing import BASE_URL, ScriptedEndpoint

BRIEF = "briefs/first-light.yaml"
MODEL_CLEARANCE = """
  - {id: test-model, kind: model, licence: test terms, permitted_uses: [scripts]}
"""


@pytest.fixture
def fake(http) -> ScriptedEndpoint:
    endpoint = ScriptedEndpoint()
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    return endpoint


def run(examples: Path, tmp_path: Path, settings: Settings, judge: bool):
    settings = settings.model_copy(
        update={"llm": settings.llm.model_copy(update={"rights_judge": judge})}
    )
    llm = OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        max_repairs=0,
        retry=RetryPolicy(max_attempts=1, sleep=lambda _: None),
    )
    ledger = tmp_path / "rights.yaml"
    ledger.write_text((examples / "rights.yaml").read_text() + MODEL_CLEARANCE)
    return run_episode(
        examples / BRIEF,
        out=tmp_path / "out",
        settings=settings,
        llm=llm,
        rights=ledger,
        auto_approve=True,
    )


def judge_of(request) -> dict:
    first = request.data["passages"][0]
    quote = first["text"].split()[0]
    return {
        "findings": [
            {
                "passage": 1,
                "entity": "A Protected Show",
                "kind": "franchise",
                "evidence": quote,
                "confidence": 0.7,
            }
        ]
    }


def findings(tmp_path: Path) -> list[dict]:
    record = json.loads((tmp_path / "out" / "compliance.json").read_text())
    return list(record["findings"])


def test_judged_findings_hold_the_run_for_legal_review(examples, tmp_path, settings, fake):
    fake.always(RightsJudgementReply, judge_of)
    outcome = run(examples, tmp_path, settings, judge=True)
    assert fake.calls[RightsJudgementReply] >= 2  # the script and the shots
    assert outcome.status == "awaiting_approval", outcome.error
    judged = [f for f in findings(tmp_path) if f["rule"] == "screen.judge"]
    assert judged and {f["severity"] for f in judged} == {"review"}
    assert all(f["entity"] == "A Protected Show" and f["span"] for f in judged)


def test_a_failed_judge_does_not_clear_the_run(examples, tmp_path, settings, fake):
    fake.always(RightsJudgementReply, "not json")
    outcome = run(examples, tmp_path, settings, judge=True)
    assert outcome.status == "awaiting_approval", outcome.error
    assert any(f["rule"] == "screen.judge_failed" for f in findings(tmp_path))
    # the failed calls' requests (repairs included) still count against the budget
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["llm"]["by_agent"]["rights_judge"]["requests"] >= 2


def test_without_the_setting_no_judge_is_asked(examples, tmp_path, settings, fake):
    outcome = run(examples, tmp_path, settings, judge=False)
    assert outcome.status == "published", outcome.error
    assert fake.calls[RightsJudgementReply] == 0
