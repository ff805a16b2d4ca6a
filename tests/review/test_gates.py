"""Gates configured per project: table read, storyboard review, final."""

from __future__ import annotations

from reelwright.api import decide_gate, resume_run, run_episode
from reelwright.approval.reviewers import GateRule, ReviewConfig
from reelwright.config import Settings
from tests.conftest import permissive_brief


def test_a_run_stops_at_each_configured_gate_for_the_roles_it_names(tmp_path, examples):
    settings = Settings(home=tmp_path / "home")
    config = ReviewConfig(
        gates={
            "script": GateRule(roles=["writer"]),
            "shots": GateRule(roles=["director"]),
            "final": GateRule(roles=["showrunner"]),
        }
    )
    config, wes = config.add_reviewer("wes", ["writer"])
    config, dee = config.add_reviewer("dee", ["director"])
    config, sam = config.add_reviewer("sam", ["showrunner"])
    config.save(settings.home)
    outcome = run_episode(
        permissive_brief(tmp_path / "project"),  # passes on its first iteration
        out=tmp_path / "out",
        llm=None,
        settings=settings,
        run_id="ep1",
    )
    assert outcome.status == "awaiting_approval" and outcome.gate.gate == "script"
    assert outcome.record is not None
    assert outcome.record.status == "awaiting_approval"  # run.json says so already
    assert not (tmp_path / "out" / "frames").exists()  # nothing rendered before the table read
    seen = []
    for token in (wes, dee, sam):
        outcome = decide_gate("ep1", {"decision": "approve"}, token, settings=settings)
        seen.append(outcome.gate.gate if outcome.gate else outcome.status)
    assert seen == ["shots", "final", "published"]
    assert outcome.record is not None
    gates = [a.gate for a in outcome.record.approvals]
    assert gates == ["script", "shots", "final"]
    assert resume_run("ep1", settings=settings).status == "published"


def test_auto_approve_passes_every_gate(tmp_path, examples):
    settings = Settings(home=tmp_path / "home")
    ReviewConfig(gates={"script": GateRule(), "shots": GateRule(), "final": GateRule()}).save(
        settings.home
    )
    outcome = run_episode(
        permissive_brief(tmp_path / "project"),  # passes on its first iteration
        out=tmp_path / "out",
        llm=None,
        settings=settings,
        auto_approve=True,
    )
    assert outcome.status == "published"
    assert outcome.record is not None
    assert [a.gate for a in outcome.record.approvals] == ["script", "shots", "final"]
