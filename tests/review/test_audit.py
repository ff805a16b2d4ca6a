"""`reelwright audit verify` passes on an untouched log and fails after any tampering."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reelwright.approval.audit import AuditLog
from reelwright.cli import app
from reelwright.models import Approval


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


def test_the_head_is_kept_outside_the_log(log):
    head = json.loads(log.head_path.read_text())
    assert head["count"] == 4 and head["last_hash"] == json.loads(lines(log)[-1])["hash"]
    assert log.head_path.parent == log.path.parent and log.head_path != log.path


def test_a_deleted_last_record_fails(log, tmp_path, monkeypatch):
    rows = lines(log)
    log.path.write_text("\n".join(rows[:-1]) + "\n")  # the chain that is left is intact
    problems = log.verify()
    assert any("truncated" in p and "4" in p and "3" in p for p in problems)
    monkeypatch.setenv("REELWRIGHT_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "intact" not in result.output


@pytest.mark.parametrize("how", ["emptied", "deleted"])
def test_a_log_with_every_record_gone_fails(log, tmp_path, monkeypatch, how):
    if how == "emptied":
        log.path.write_text("")
    else:
        log.path.unlink()
    assert any("truncated" in p for p in log.verify())
    monkeypatch.setenv("REELWRIGHT_HOME", str(tmp_path))
    assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 1


def test_a_replaced_last_record_fails_against_the_head(log):
    rows = lines(log)
    audit = AuditLog(log.path.parent / "other.jsonl")  # a different, valid chain of 4
    for n in range(4):
        audit.sync(f"ep{n}", [Approval(decision="approve", by="mallory")])
    log.path.write_text(audit.path.read_text())
    assert len(lines(log)) == len(rows)
    assert any("head" in p for p in log.verify())


def test_a_deleted_head_fails_while_records_exist(log):
    log.head_path.unlink()
    assert any("head" in p for p in log.verify())


def test_an_empty_project_verifies(tmp_path):
    assert AuditLog(tmp_path / "audit.jsonl").verify() == []


def test_a_truncation_stays_visible_after_the_next_append(log):
    rows = lines(log)
    log.path.write_text("\n".join(rows[:-2]) + "\n")
    log.sync("ep3", [Approval(decision="approve", by="sam")])  # 3 records now; the head said 4
    assert any("truncated" in p for p in log.verify())
    log.sync("ep4", [Approval(decision="approve", by="sam")])  # 4 again, but not the same 4
    assert any("head" in p for p in log.verify())
