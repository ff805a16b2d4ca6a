"""The cheap reader of waiting runs agrees with the graph's own answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reelwright.api import resume_run, run_episode
from reelwright.graphs.checkpoint import open_checkpointer, thread_ids
from reelwright.graphs.episode import build_graph
from reelwright.graphs.waiting import read_waiting, waiting_runs
from reelwright.records import GateRequest
from tests.conftest import permissive_brief


def graph_answer(url: str) -> list[GateRequest]:
    """What LangGraph says is waiting: the interrupts of each run's latest state."""
    rows = []
    with open_checkpointer(url) as saver:
        graph = build_graph().compile(checkpointer=saver)
        for run_id in thread_ids(saver):
            snap = graph.get_state({"configurable": {"thread_id": run_id}})
            if snap.interrupts:
                gate = GateRequest.from_interrupt(snap.interrupts[0].value, run_id)
                rows.append(gate.model_copy(update={"waiting_since": snap.created_at}))
    return rows


def test_waiting_runs_match_the_graph_before_and_after_decisions(tmp_path, settings):
    brief = permissive_brief(tmp_path / "project")
    for run_id in ("first", "second"):
        outcome = run_episode(
            brief, out=tmp_path / run_id, run_id=run_id, settings=settings, llm=None
        )
        assert outcome.status == "awaiting_approval"
    url = settings.state_url
    waiting = read_waiting(url)
    assert waiting is not None and [r.run_id for r in waiting] == ["first", "second"]
    assert waiting == graph_answer(url)
    assert all(r.waiting_since for r in waiting)

    rejected = resume_run(
        "first",
        settings=settings,
        decision={"decision": "reject", "by": "sam", "to": "director", "scene_ids": ["s2"]},
    )
    assert rejected.status == "awaiting_approval"  # waiting again, at a newer checkpoint
    assert read_waiting(url) == graph_answer(url)
    resume_run("second", settings=settings, decision={"decision": "approve", "by": "sam"})
    after = read_waiting(url)
    assert after == graph_answer(url) and [r.run_id for r in after or []] == ["first"]


def test_what_only_the_graph_can_read_is_left_to_it(tmp_path):
    assert read_waiting("memory://x") is None
    assert waiting_runs(tmp_path / "none.sqlite") == []
    not_a_db = tmp_path / "state.sqlite"
    not_a_db.write_text("not a database")
    assert read_waiting(f"sqlite:///{not_a_db}") is None
    odd = tmp_path / "odd.sqlite"
    conn = sqlite3.connect(odd)
    conn.execute(
        "CREATE TABLE checkpoints (thread_id, checkpoint_ns, checkpoint_id, type, checkpoint)"
    )
    conn.execute(
        "CREATE TABLE writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, "
        "type, value)"
    )
    conn.execute("INSERT INTO checkpoints VALUES ('r', '', '1', 'msgpack', x'80')")
    conn.execute("INSERT INTO writes VALUES ('r', '', '1', 't', 0, '__interrupt__', 'json', '{}')")
    conn.commit()
    conn.close()
    assert read_waiting(f"sqlite:///{Path(odd)}") is None  # an unknown encoding: ask the graph


def test_a_checkpoint_time_is_read_from_the_head_or_else_from_the_whole_map():
    import ormsgpack

    from reelwright.graphs.waiting import _checkpoint_time

    head = ormsgpack.packb({"v": 4, "ts": "2026-12-07T04:12:57+00:00", "channel_values": {}})
    assert _checkpoint_time("msgpack", head) == "2026-12-07T04:12:57+00:00"
    later = ormsgpack.packb({"channel_values": {"a": [1, 2]}, "v": 300, "ts": "T"})
    assert _checkpoint_time("msgpack", later) == "T"  # not at the head: the full decode
    assert _checkpoint_time("msgpack", ormsgpack.packb({"v": 4})) is None
