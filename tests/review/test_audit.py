"""`reelwright audit verify` passes on an untouched log and fails after any tampering."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reelwright.cli import app
from reelwright.models import Approval
from reelwright.review.audit import AuditLog


@pytest.fixture
def log(tmp_path):
    audit = AuditLog(tmp_path / "audit.jsonl")
    audit.sync(
        "ep1", [Approval(decision="approve", by="auto-approve policy", auto=True, role="policy")]
    )
    audit.sync(
        "ep2",
        [
            Approval(decision="reject", by="sam", to="writer", note="tighter"),
            Approval(decision="approve", by="sam"),
        ],
    )
    audit.sync(
        "ep1",
        [
            Approval(decision="approve", by="auto-approve policy", auto=True, role="policy"),
            Approval(decision="approve", by="lee", role="legal"),
        ],
    )
    return audit


def lines(audit: AuditLog) -> list[str]:
    return audit.path.read_text().splitlines()


def test_untouched_log_verifies(log, tmp_path, monkeypatch):
    assert log.verify() == [] and len(log.records()) == 4
    assert (
        log.sync(
            "ep2", [Approval(decision="reject", by="sam"), Approval(decision="approve", by="sam")]
        )
        == 0
    )  # nothing new
    monkeypatch.setenv("REELWRIGHT_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "4 records" in result.output


def test_an_edited_record_fails(log, tmp_path, monkeypatch):
    rows = lines(log)
    record = json.loads(rows[1])
    record["note"] = "looks great"
    rows[1] = json.dumps(record)
    log.path.write_text("\n".join(rows) + "\n")
    assert any("edited" in p for p in log.verify())
    monkeypatch.setenv("REELWRIGHT_HOME", str(tmp_path))
    assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 1


def test_a_deleted_record_fails(log):
    rows = lines(log)
    log.path.write_text("\n".join(rows[:1] + rows[2:]) + "\n")
    assert any("deleted" in p for p in log.verify())


def test_swapped_records_fail(log):
    rows = lines(log)
    rows[1], rows[2] = rows[2], rows[1]
    log.path.write_text("\n".join(rows) + "\n")
    assert log.verify() != []
