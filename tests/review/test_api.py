"""The JSON API and the decision path: tokens, roles, revisions, conflicts, bad input."""

from __future__ import annotations

import json
import threading

import pytest

from reelwright.api import decide_gate, run_episode
from reelwright.approval.audit import AuditLog
from reelwright.errors import AuthError, ConflictError
from tests.review.conftest import auth


def test_no_token_is_401_and_a_token_without_the_role_is_403(client, project):
    _, tokens = project
    assert client.get("/api/runs").status_code == 401
    assert client.get("/api/runs", headers=auth("rw_nope")).status_code == 401
    listed = client.get("/api/runs", headers=auth(tokens["wes"]))
    assert listed.status_code == 200 and [r["run_id"] for r in listed.json()["runs"]] == ["ep1"]
    denied = client.post(
        "/api/runs/ep1/decision", headers=auth(tokens["wes"]), json={"decision": "approve"}
    )
    assert denied.status_code == 403 and "needs showrunner" in denied.json()["error"]
    assert client.get("/api/runs/ep1").status_code == 401


def test_approve_publishes_and_is_audited(client, project):
    settings, tokens = project
    detail = client.get("/api/runs/ep1", headers=auth(tokens["sam"])).json()
    assert detail["gate"]["gate"] == "final" and detail["script"]["scenes"]
    r = client.post(
        "/api/runs/ep1/decision",
        headers=auth(tokens["sam"]),
        json={
            "decision": "approve",
            "revision": detail["gate"]["revision"],
            "token": detail["gate"]["token"],
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "published"
    (record,) = AuditLog(settings.paths.audit).records()
    assert (record["reviewer"], record["role"], record["gate"], record["decision"]) == (
        "sam",
        "showrunner",
        "final",
        "approve",
    )
    assert record["revision"] == detail["gate"]["revision"]


def test_a_legal_finding_is_not_passed_by_a_showrunner_only_approval(
    tmp_path, examples, project, client
):
    settings, tokens = project
    brief = tmp_path / "cola.yaml"
    brief.write_text(
        (examples / "briefs" / "first-light.yaml")
        .read_text()
        .replace("before the fishing fleet returns at dusk", "while drinking a Coca-Cola")
    )
    run_episode(
        brief,
        examples / "bible.yaml",
        out=tmp_path / "out2",
        llm=None,
        settings=settings,
        run_id="ep2",
        rights=examples / "rights.yaml",
    )
    r = client.post(
        "/api/runs/ep2/decision", headers=auth(tokens["sam"]), json={"decision": "approve"}
    )
    assert r.status_code == 200 and r.json()["status"] == "awaiting_approval"
    assert r.json()["gate"]["needs"] == ["legal"]
    again = client.post(
        "/api/runs/ep2/decision", headers=auth(tokens["sam"]), json={"decision": "approve"}
    )
    assert again.status_code == 403 and "needs legal" in again.json()["error"]
    legal = client.post(
        "/api/runs/ep2/decision", headers=auth(tokens["lee"]), json={"decision": "approve"}
    )
    assert legal.json()["status"] == "published"


def test_a_stale_approval_is_refused(client, project):
    _, tokens = project
    gate = client.get("/api/runs/ep1", headers=auth(tokens["sam"])).json()["gate"]
    edited = client.post(
        "/api/runs/ep1/decision",
        headers=auth(tokens["sam"]),
        json={
            "decision": "edit",
            "edits": [
                {"kind": "line", "scene_id": "s1", "line": 1, "text": "A brand-new first line."}
            ],
        },
    )
    assert edited.status_code == 200 and edited.json()["status"] == "awaiting_approval"
    stale = client.post(
        "/api/runs/ep1/decision",
        headers=auth(tokens["sam"]),
        json={"decision": "approve", "revision": gate["revision"]},
    )
    assert stale.status_code == 409 and "stale decision" in stale.json()["error"]


def test_an_edit_rerenders_only_the_edited_shots(client, project, tmp_path):
    _, tokens = project
    shots = json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]
    target = shots[2]["id"]
    r = client.post(
        "/api/runs/ep1/decision",
        headers=auth(tokens["sam"]),
        json={
            "decision": "edit",
            "edits": [
                {"kind": "prompt", "shot_id": target, "text": "wide shot of the lamp room at dawn"}
            ],
        },
    )
    assert r.status_code == 200
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    last = run["renders"]["by_iteration"][-1]
    assert (last["rendered"], last["cached"]) == (1, len(shots) - 1)
    new = {s["id"]: s for s in json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]}
    assert new[target]["prompt"] == "wide shot of the lamp room at dawn"


def test_structured_actions_through_the_json_api(client, project, tmp_path):
    _, tokens = project
    shots = json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]
    target = shots[1]["id"]
    refused = client.post(
        "/api/runs/ep1/decision",
        headers=auth(tokens["sam"]),
        json={
            "decision": "reject",
            "actions": [{"kind": "split_shot", "shot_id": target, "into": 9}],
        },
    )
    assert refused.status_code == 400 and "into" in refused.text
    r = client.post(
        "/api/runs/ep1/decision",
        headers=auth(tokens["sam"]),
        json={
            "decision": "reject",
            "note": "two singles",
            "actions": [
                {"kind": "split_shot", "shot_id": target, "into": 2},
                {"kind": "retime_shot", "shot_id": "s9-9", "seconds": 3},
            ],
        },
    )
    assert r.status_code == 200, r.text
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    last = run["renders"]["by_iteration"][-1]
    assert (last["rendered"], last["cached"]) == (2, len(shots) - 1)
    new = [s["id"] for s in json.loads((tmp_path / "out" / "shots.json").read_text())["shots"]]
    assert target not in new and {f"{target}a", f"{target}b"} <= set(new)
    view = client.get("/api/runs/ep1", headers=auth(tokens["sam"])).json()
    split, retime = view["addressed"]
    assert split["addressed"] is True and split["action"]["kind"] == "split_shot"
    assert retime["addressed"] is False and retime["reason"] == "shot s9-9 no longer exists"
    critique = json.loads((tmp_path / "out" / "critique.json").read_text())
    assert [o["addressed"] for o in critique[-1]["addressed"]] == [True, False]


def test_two_reviewers_at_once_exactly_one_decision_applies(project):
    settings, tokens = project
    from reelwright.api import waiting_gate

    gate = waiting_gate("ep1", settings)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def act(decision: str) -> None:
        barrier.wait()
        try:
            body = {"decision": decision, "token": gate.token, "revision": gate.revision}
            if decision == "reject":
                body.update(to="director", shot_ids=["s1-1"])  # redo the shot
            results.append(decide_gate("ep1", body, tokens["sam"], settings=settings).status)
        except ConflictError as exc:
            results.append(exc)

    threads = [threading.Thread(target=act, args=(d,)) for d in ("approve", "reject")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    applied = [r for r in results if isinstance(r, str)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(applied) == 1 and len(conflicts) == 1
    assert any(
        w in str(conflicts[0]) for w in ("another process", "someone else decided", "not waiting")
    )
    decisions = [r["decision"] for r in AuditLog(settings.paths.audit).records()]
    assert len(decisions) == 1


def test_two_processes_resuming_the_same_run_one_is_refused(project):
    settings, _ = project
    from reelwright.api import resume_run
    from reelwright.locks import run_lock

    with run_lock(settings.home, "ep1"):  # another process holds the run
        with pytest.raises(ConflictError, match="being run or resumed by another process"):
            resume_run("ep1", settings=settings)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"decision": "approve", "note": "x" * 2001}, 400, "note"),
        ({"decision": "maybe"}, 400, "decision"),
        ({"decision": "approve", "path": "../../etc"}, 400, "unknown field"),
        (
            {
                "decision": "edit",
                "edits": [{"kind": "line", "scene_id": "s9", "line": 1, "text": "x"}],
            },
            400,
            "s9",
        ),
    ],
)
def test_bad_decisions_are_4xx_and_change_nothing(client, project, body, status, message):
    settings, tokens = project
    before = client.get("/api/runs/ep1", headers=auth(tokens["sam"])).json()
    r = client.post("/api/runs/ep1/decision", headers=auth(tokens["sam"]), json=body)
    assert r.status_code == status and message in r.json()["error"]
    after = client.get("/api/runs/ep1", headers=auth(tokens["sam"])).json()
    assert after["gate"] == before["gate"] and after["approvals"] == before["approvals"]


def test_malformed_json_unknown_and_path_like_run_ids(client, project):
    _, tokens = project
    h = {**auth(tokens["sam"]), "content-type": "application/json"}
    assert client.post("/api/runs/ep1/decision", headers=h, content=b"{not json").status_code == 400
    assert client.post("/api/runs/ep1/decision", headers=h, content=b"[1, 2]").status_code == 400
    assert client.get("/api/runs/nope", headers=auth(tokens["sam"])).status_code == 404
    assert client.get("/api/runs/..%2F..%2Fetc", headers=auth(tokens["sam"])).status_code in (
        400,
        404,
    )
    assert client.get("/api/runs/.hidden", headers=auth(tokens["sam"])).status_code == 400
    big = client.post("/api/runs/ep1/decision", headers=h, content=b"x" * 70_000)
    assert big.status_code == 413


def test_cli_needs_a_token_once_reviewers_exist(project):
    settings, tokens = project
    with pytest.raises(AuthError):
        decide_gate("ep1", {"decision": "approve", "by": "sam"}, None, settings=settings)
    outcome = decide_gate("ep1", {"decision": "approve"}, tokens["sam"], settings=settings)
    assert outcome.status == "published"
