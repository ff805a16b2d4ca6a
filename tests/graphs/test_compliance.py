"""Compliance inside the loop: blocking findings route back, review findings need legal."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from reelwright.api import resume_run, run_episode
from reelwright.cli import app
from reelwright.graphs.compliance import _screen_step
from reelwright.graphs.state import EpisodeState, RunSpec
from reelwright.loading import load_inputs
from reelwright.models import Finding


def project(tmp_path: Path, examples: Path, brief: dict) -> Path:
    for name in ("bible.yaml", "rights.yaml"):
        (tmp_path / name).write_text((examples / name).read_text())
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(brief))
    return path


BASE = {
    "title": "Visitors",
    "runtime_s": 30,
    "characters": ["juno", "pip"],
    "locations": ["harbour", "workshop"],
    "scenes": 3,
}


def test_brief_naming_a_protected_character_is_revised_away(tmp_path, examples, settings):
    brief = project(
        tmp_path,
        examples,
        {**BASE, "logline": "Juno finds Darth Vader stranded at the harbour and fixes his ship."},
    )
    outcome = run_episode(
        brief, out=tmp_path / "out", auto_approve=True, llm=None, settings=settings
    )
    assert outcome.status == "published"
    script = (tmp_path / "out" / "script.md").read_text()
    assert "vader" not in script.lower()
    compliance = json.loads((tmp_path / "out" / "compliance.json").read_text())
    assert compliance["checks"]["script"] == [] and compliance["checks"]["shots"] == []
    (brief_finding,) = compliance["checks"]["brief"]
    assert brief_finding["entity"] == "Darth Vader" and brief_finding["severity"] == "info"
    shots = json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]
    assert not any("vader" in s["prompt"].lower() for s in shots)


def test_missing_clearance_ends_the_run_blocked_with_findings(tmp_path, examples, settings):
    brief = project(
        tmp_path,
        examples,
        {
            **BASE,
            "characters": ["juno", "bram"],
            "logline": "Juno and Bram mend a net on the pier.",
        },
    )
    ledger = yaml.safe_load((tmp_path / "rights.yaml").read_text())
    ledger["assets"] = [a for a in ledger["assets"] if a["id"] != "bram"]
    (tmp_path / "rights.yaml").write_text(yaml.safe_dump(ledger))
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(brief),
            "--auto-approve",
            "--out",
            str(tmp_path / "out"),
            "--state",
            settings.state_url,
        ],
    )
    assert result.exit_code == 1, result.output
    assert "blocked" in result.output and "Bram Holloway" in result.output
    rec = json.loads((tmp_path / "out" / "run.json").read_text())
    assert rec["status"] == "blocked"
    assert rec["stop_reason"] == "rights not cleared (ledger or bible)"
    assert not (tmp_path / "out" / "animatic.mp4").exists()
    compliance = json.loads((tmp_path / "out" / "compliance.json").read_text())
    assert compliance["verdict"] == "block"


def test_exhausted_revisions_end_blocked(examples):
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    state = EpisodeState(
        run=RunSpec(run_id="r", out_dir="/tmp/x", width=64, height=36),
        brief=brief,
        bible=bible,
        compliance_rounds=3,
    )
    block = Finding(
        rule="screen.name",
        severity="block",
        where="scene s1 line 1",
        evidence="Darth Vader",
        entity="Darth Vader",
        target="writer",
        scene_ids=("s1",),
    )
    command = _screen_step(state, [block], "script", "writer", "director")
    assert command.goto == "blocked" and "after 3 revision(s)" in command.update["stop_reason"]
    again = _screen_step(
        state.model_copy(update={"compliance_rounds": 1}), [block], "script", "writer", "director"
    )
    assert again.goto == "writer"
    (note,) = again.update["pending_notes"]
    assert (
        note.target == "writer" and note.scene_ids == ("s1",) and note.replace == ("Darth Vader",)
    )


def test_review_finding_needs_a_legal_approval(tmp_path, examples, settings):
    brief = project(
        tmp_path,
        examples,
        {**BASE, "logline": "Juno and Pip share a Coca-Cola on the harbour wall at sunset."},
    )
    outcome = run_episode(
        brief, out=tmp_path / "out", auto_approve=True, llm=None, settings=settings
    )
    assert outcome.status == "awaiting_approval"  # the auto-approve policy is not legal
    assert outcome.gate.needs == ["legal"]
    assert any("Coca-Cola" in line for line in outcome.gate.review_findings)
    showrunner = resume_run(
        outcome.run_id,
        settings=settings,
        decision={"decision": "approve", "by": "sam", "role": "showrunner"},
    )
    assert showrunner.status == "awaiting_approval" and showrunner.gate.needs == ["legal"]
    legal = resume_run(
        outcome.run_id,
        settings=settings,
        decision={"decision": "approve", "by": "lee", "role": "legal"},
    )
    assert legal.status == "published"
    assert legal.record is not None
    roles = [(a.role, a.auto) for a in legal.record.approvals]
    assert roles == [("policy", True), ("showrunner", False), ("legal", False)]


def test_signed_package_frames_and_animatic_verify(tmp_path, examples, settings):
    from reelwright.compliance.signing import init_signing, verify

    config, _ = init_signing(settings.home)
    outcome = run_episode(
        examples / "briefs" / "first-light.yaml",
        out=tmp_path / "out",
        auto_approve=True,
        llm=None,
        settings=settings,
    )
    assert outcome.status == "published"
    out = tmp_path / "out"
    for path in [*sorted((out / "frames").glob("*.png"))[:2], out / "animatic.mp4"]:
        result = verify(path, config.ca.read_bytes())
        assert result.ok, (path, result.failures)
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["c2pa"]["signed"] is True
    assert {a["id"]: a["clearance"] for a in prov["assets"]}["storyboard-pillow"] == "cleared"
    assert prov["frames"][0]["prompt_sha256"] and prov["frames"][0]["seed"] >= 0


def test_an_allow_listed_cleared_likeness_passes_and_expired_consent_blocks(
    tmp_path, examples, settings
):
    """A real person the production has cleared: consent in the ledger, the name allow-listed
    in the project's watchlist. With valid consent the episode publishes; once the consent
    has expired the run ends blocked."""
    bible = yaml.safe_load((examples / "bible.yaml").read_text())
    bible["characters"].append(
        {
            "id": "greta",
            "name": "Greta Thunberg",
            "description": "a young climate activist in a yellow raincoat",
        }
    )
    (tmp_path / "bible.yaml").write_text(yaml.safe_dump(bible))
    ledger = yaml.safe_load((examples / "rights.yaml").read_text())
    ledger["assets"].append(
        {
            "id": "greta",
            "kind": "likeness",
            "licence": "appearance release",
            "consent": {
                "who": "Greta Thunberg",
                "scope": ["likeness", "voice"],
                "expires": "2099-01-01",
            },
        }
    )
    (tmp_path / "rights.yaml").write_text(yaml.safe_dump(ledger))
    (tmp_path / "watchlist.yaml").write_text("allow: [Greta Thunberg]\n")
    brief = tmp_path / "brief.yaml"
    brief.write_text(
        yaml.safe_dump(
            {
                **BASE,
                "characters": ["juno", "greta"],
                "logline": "Juno interviews a visiting activist about tides.",
            }
        )
    )
    ok = run_episode(brief, out=tmp_path / "ok", auto_approve=True, llm=None, settings=settings)
    assert ok.status == "published"
    compliance = json.loads((tmp_path / "ok" / "compliance.json").read_text())
    assert compliance["verdict"] == "pass"
    assert {"kind": "character", "id": "greta"}.items() <= next(
        a for a in compliance["assets"] if a["id"] == "greta"
    ).items()

    ledger["assets"][-1]["consent"]["expires"] = "2020-01-01"
    (tmp_path / "rights.yaml").write_text(yaml.safe_dump(ledger))
    expired = run_episode(
        brief, out=tmp_path / "expired", auto_approve=True, llm=None, settings=settings
    )
    assert expired.status == "blocked"
    findings = json.loads((tmp_path / "expired" / "compliance.json").read_text())["findings"]
    assert any("consent expired 2020-01-01" in f["evidence"] for f in findings)

    (tmp_path / "watchlist.yaml").unlink()  # not allow-listed: screening blocks the name
    ledger["assets"][-1]["consent"]["expires"] = "2099-01-01"
    (tmp_path / "rights.yaml").write_text(yaml.safe_dump(ledger))
    named = run_episode(
        brief, out=tmp_path / "named", auto_approve=True, llm=None, settings=settings
    )
    assert named.status == "blocked"  # the bible names a real person nobody cleared
    findings = json.loads((tmp_path / "named" / "compliance.json").read_text())["findings"]
    assert any(
        f["where"] == "bible character greta name" and f["severity"] == "block" for f in findings
    )
