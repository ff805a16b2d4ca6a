"""What Reelwright 0.1.0 wrote reads in this version (tests/fixtures/release_0_1_0/README.md
says how each fixture was made): its package records through the readers the CLI uses, its
eval log, and its state database, where two runs wait at the final gate. Every class the
release's checkpoints name must still be found where they name it, and a paused run must be
approved and published by this version."""

from __future__ import annotations

import fcntl
import json
import lzma
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ormsgpack
import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from reelwright.cli import app
from reelwright.config import Settings
from reelwright.records import (
    ComplianceRecord,
    EvalLog,
    ProvenanceRecord,
    RunRecord,
    read_record,
)

FIXTURES = Path(__file__).parent / "fixtures" / "release_0_1_0"
# Every path in the state database lies under this folder, as the release's run left them.
ROOT = Path("/tmp/reelwright-fixture-release-0.1.0")
PAUSED = ("paused-silent", "paused-voiced")

runner = CliRunner()


@pytest.fixture
def state_db(tmp_path: Path) -> Path:
    """A copy of the release's state database (the fixture is never written)."""
    path = tmp_path / "state.sqlite"
    path.write_bytes(lzma.decompress((FIXTURES / "state.sqlite.xz").read_bytes()))
    return path


@pytest.fixture
def world() -> Iterator[Path]:
    """The files `paused-silent` needs, laid out where the release left them: its staged
    package, its frames in the render cache and its inputs. One test at a time holds ROOT."""
    with open(f"{ROOT}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(ROOT, ignore_errors=True)
        try:
            shutil.copytree(FIXTURES / "paused" / "package", ROOT / "out")
            shutil.copytree(FIXTURES / "paused" / "home", ROOT / "home")
            shutil.copytree(FIXTURES / "paused" / "inputs", ROOT / "inputs")
            yield ROOT
        finally:
            shutil.rmtree(ROOT, ignore_errors=True)


def _env(state_db: Path, home: Path) -> dict[str, str]:
    return {"REELWRIGHT_STATE": f"sqlite:///{state_db}", "REELWRIGHT_HOME": str(home)}


# --------------------------------------------------------------------------- package


def test_the_release_package_records_read_through_their_migrations():
    package = FIXTURES / "package"
    run = read_record(package / "run.json", RunRecord)
    assert json.loads((package / "run.json").read_text())["version"] == 2  # as 0.1.0 wrote it
    assert run.version == RunRecord.VERSION and run.bible is None
    assert run.run_id == "release-0-1-0" and run.status == "published" and run.files
    compliance = read_record(package / "compliance.json", ComplianceRecord)
    assert compliance.verdict == "pass"
    provenance = read_record(package / "provenance.json", ProvenanceRecord)
    assert provenance.run_id == "release-0-1-0" and len(provenance.frames) == run.shots


def test_critique_scores_the_release_package(tmp_path, examples):
    package = shutil.copytree(FIXTURES / "package", tmp_path / "package")
    result = runner.invoke(
        app, ["critique", str(package), "--bible", str(examples / "bible.yaml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    assert set(verdict["scores"]) >= {"structure", "pacing", "dialogue"}


# --------------------------------------------------------------------------- eval log


def test_the_release_eval_log_reads_and_is_a_baseline_to_compare_with():
    log = read_record(FIXTURES / "eval.json", EvalLog)
    assert log.version == EvalLog.VERSION and log.case_ids == ["lamp"]
    assert log.cases[0].status == "published"
    baseline = str(FIXTURES / "eval.json")
    result = runner.invoke(app, ["eval", "compare", baseline, baseline, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases_compared"] == 1


# --------------------------------------------------------------------------- state


def test_review_list_shows_the_runs_the_release_paused(state_db, tmp_path):
    result = runner.invoke(app, ["review", "list"], env=_env(state_db, tmp_path / "home"))
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert sorted((r[0], r[1]) for r in rows) == [(run, "final") for run in PAUSED]


def _classes_named(blob: bytes) -> set[tuple[str, str]]:
    """Every (module, name) a LangGraph msgpack blob asks to rebuild, nested ones included."""
    named: set[tuple[str, str]] = set()

    def hook(code: int, data: bytes) -> Any:
        value = ormsgpack.unpackb(data, ext_hook=hook, option=ormsgpack.OPT_NON_STR_KEYS)
        if code != 6 and isinstance(value, list | tuple) and len(value) >= 2:  # 6: numpy
            module, name = value[0], value[1]
            if isinstance(module, str) and isinstance(name, str):
                named.add((module, name))
        return None

    ormsgpack.unpackb(blob, ext_hook=hook, option=ormsgpack.OPT_NON_STR_KEYS)
    return named


def test_every_class_the_release_checkpoints_name_is_found_and_allowed(state_db):
    """LangGraph stores each object's module and class name; a class that moved (or left the
    serializer's allowlist) would come back as a bare dict, so it must still be there."""
    import importlib

    from langgraph.checkpoint.serde import _msgpack

    from reelwright.graphs.checkpoint import serializer

    db = sqlite3.connect(state_db)
    blobs = [row[0] for row in db.execute("SELECT checkpoint FROM checkpoints")]
    blobs += [row[0] for row in db.execute("SELECT value FROM writes WHERE type = 'msgpack'")]
    db.close()
    named = set().union(*(_classes_named(b) for b in blobs))
    ours = {(m, n) for m, n in named if m.startswith("reelwright.")}
    assert {m for m, _ in ours} >= {"reelwright.models", "reelwright.audio.cache"}  # clean
    allowed = serializer()._allowed_msgpack_modules
    assert isinstance(allowed, set)
    missing = []
    for module, name in sorted(named):
        try:
            found = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            missing.append(f"{module}.{name}: not found")
            continue
        if (module, name) not in allowed and (module, name) not in _msgpack.SAFE_MSGPACK_TYPES:
            missing.append(f"{module}.{name}: not in the checkpoint serializer's allowlist")
        elif module.startswith("reelwright.") and found.__module__ != module:
            missing.append(f"{module}.{name}: now defined in {found.__module__}")
    assert not missing, "classes the 0.1.0 checkpoints name:\n" + "\n".join(missing)


def _models_rebuilt(raw: Any, validated: Any, where: str) -> list[str]:
    """Where the deserialised state holds a bare dict (or list of them) in place of a model."""
    if isinstance(validated, BaseModel):
        if type(raw) is not type(validated):
            return [f"{where}: {type(raw).__name__} instead of {type(validated).__name__}"]
        return []
    if isinstance(validated, list | tuple) and isinstance(raw, list | tuple):
        return [
            p
            for i, (r, v) in enumerate(zip(raw, validated, strict=False))
            for p in _models_rebuilt(r, v, f"{where}[{i}]")
        ]
    return []


@pytest.mark.parametrize("run_id", PAUSED)
def test_the_whole_state_of_a_run_the_release_paused_deserialises(state_db, tmp_path, run_id):
    from langgraph.checkpoint.serde.event_hooks import register_serde_event_listener

    from reelwright.api import waiting_gate
    from reelwright.graphs.checkpoint import open_checkpointer
    from reelwright.graphs.episode import build_graph
    from reelwright.graphs.state import EpisodeState
    from reelwright.review.views import run_view

    settings = Settings(home=tmp_path / "home", state=f"sqlite:///{state_db}")
    events: list[Any] = []
    unregister = register_serde_event_listener(events.append)
    try:
        gate = waiting_gate(run_id, settings)
        view = run_view(run_id, settings)  # what `review show` reads: the whole state
        with open_checkpointer(settings.state_url, create=False) as saver:
            graph = build_graph().compile(checkpointer=saver)
            values = graph.get_state({"configurable": {"thread_id": run_id}}).values
    finally:
        unregister()
    assert [e for e in events if "blocked" in e["kind"]] == []
    assert gate.gate == "final" and gate.run_id == run_id and gate.out.startswith(str(ROOT))
    assert view.status == "awaiting_approval" and view.script is not None
    state = EpisodeState.model_validate(values)
    rebuilt = [
        p for name in values for p in _models_rebuilt(values[name], getattr(state, name), name)
    ]
    assert not rebuilt, "stored objects that came back as plain data:\n" + "\n".join(rebuilt)
    assert state.run.run_id == run_id and state.shots is not None and state.critiques
    if run_id == "paused-voiced":
        assert state.run.voice == "scratch"


def test_a_run_the_release_paused_is_approved_and_published(state_db, world):
    env = _env(state_db, world / "home")
    result = runner.invoke(
        app, ["review", "approve", "paused-silent", "--as", "showrunner"], env=env
    )
    assert result.exit_code == 0, result.output
    record = read_record(world / "out" / "run.json", RunRecord)
    assert record.status == "published" and record.version == RunRecord.VERSION
    assert [a.by for a in record.approvals] == ["showrunner"]
    assert record.bible == str(world / "inputs" / "bible.yaml")  # this version records it
    listed = runner.invoke(app, ["review", "list"], env=env)
    assert [line.split("\t")[0] for line in listed.output.splitlines()] == ["paused-voiced"]
