"""Typed records: each one written by the product reads back through its model unchanged,
and a record of another version (or the wrong shape) is refused naming the file and version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reelwright.api import pending_runs, run_episode, waiting_gate
from reelwright.errors import InputError
from reelwright.records import (
    ComplianceRecord,
    EvalLog,
    GateRequest,
    ProvenanceRecord,
    RunRecord,
    VersionedRecord,
    read_record,
)
from reelwright.staging import inspect_folder

PACKAGE_RECORDS: list[tuple[str, type[VersionedRecord]]] = [
    ("run.json", RunRecord),
    ("compliance.json", ComplianceRecord),
    ("provenance.json", ProvenanceRecord),
]


@pytest.fixture
def published(examples, tmp_path, settings):
    outcome = run_episode(
        examples / "briefs" / "first-light.yaml",
        out=tmp_path / "out",
        auto_approve=True,
        llm=None,
        settings=settings,
        run_id="ep1",
    )
    assert outcome.status == "published"
    return outcome


@pytest.mark.parametrize(("name", "model"), PACKAGE_RECORDS)
def test_every_package_record_round_trips_through_its_model(published, name, model):
    path = published.out / name
    record = read_record(path, model)
    assert record.version == model.VERSION
    assert record.to_json() == path.read_text(encoding="utf-8")  # byte for byte


def test_the_api_returns_the_run_record_on_disk(published):
    assert isinstance(published.record, RunRecord)
    assert published.record == read_record(published.out / "run.json", RunRecord)
    assert published.record.status == "published" and published.record.files


def test_a_gate_request_round_trips_through_the_checkpoint(examples, tmp_path, settings):
    outcome = run_episode(
        examples / "briefs" / "first-light.yaml",
        out=tmp_path / "out",
        llm=None,
        settings=settings,
        run_id="ep1",
    )
    gate = outcome.gate
    assert isinstance(gate, GateRequest) and gate.gate == "final" and gate.version == 1
    assert waiting_gate("ep1", settings) == gate
    (listed,) = pending_runs(settings=settings)
    assert listed.waiting_since is not None  # the queue adds when the run stopped there
    assert listed.model_copy(update={"waiting_since": None}) == gate
    as_json = json.loads(json.dumps(gate.model_dump(mode="json")))  # what the web API sends
    assert GateRequest.from_interrupt(as_json, "ep1") == gate


def test_a_gate_request_from_before_versioning_reads_as_version_1():
    unversioned = {
        "run_id": "ep1",
        "gate": "final",
        "revision": "r",
        "token": "t",
        "needs": ["showrunner"],
        "roles": ["showrunner"],
        "out": "out",
    }
    assert GateRequest.from_interrupt(unversioned, "ep1").version == 1


def test_a_gate_request_of_an_unknown_version_is_refused_naming_the_run():
    value = {"version": 7, "run_id": "ep1", "gate": "final", "revision": "r", "token": "t"}
    with pytest.raises(InputError, match=r"run ep1.*gate request version 7 is not supported"):
        GateRequest.from_interrupt(value, "ep1")


@pytest.mark.parametrize(("name", "model"), PACKAGE_RECORDS)
def test_a_record_of_an_unknown_version_is_refused_naming_file_and_version(
    published, name, model, tmp_path
):
    data = json.loads((published.out / name).read_text(encoding="utf-8"))
    copy = tmp_path / name
    copy.write_text(json.dumps(data))
    assert read_record(copy, model) == read_record(published.out / name, model)  # clean case
    copy.write_text(json.dumps({**data, "version": 99}))
    with pytest.raises(InputError) as err:
        read_record(copy, model)
    assert str(copy) in str(err.value) and "version 99 is not supported" in str(err.value)
    assert f"reads version {model.VERSION}" in str(err.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"run_id": "ep1", "status": "published"}', "it has no version"),
        ('{"version": 2, "run_id": "ep1", "status": "shipped"}', "status"),
        ('{"version": 2, "run_id": "ep1", "status": "published", "colour": 1}', "colour"),
    ],
)
def test_a_bad_run_record_is_refused_naming_the_file_and_the_problem(tmp_path, text, problem):
    path = tmp_path / "run.json"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_record(path, RunRecord)
    assert str(path) in str(err.value) and problem in str(err.value)


def test_a_missing_record_is_refused_naming_the_file(tmp_path):
    with pytest.raises(InputError, match=r"run\.json: no such run\.json"):
        read_record(tmp_path / "run.json", RunRecord)


def test_a_package_whose_run_json_is_another_version_is_not_taken_for_this_runs(published):
    package_id = published.record.package_id
    assert inspect_folder(published.out, "ep1", package_id).kind == "same-run"  # clean case
    run_json = published.out / "run.json"
    run_json.write_text(json.dumps({**json.loads(run_json.read_text()), "version": 3}))
    check = inspect_folder(published.out, "ep1", package_id)
    assert check.kind == "foreign"
    assert "run.json version 3 is not supported" in check.problems[0]


def test_read_record_refuses_another_models_file(published):
    with pytest.raises(
        InputError, match=r"is not a Reelwright eval log|eval log version|\(eval log\) is invalid"
    ):
        read_record(published.out / "run.json", EvalLog)


def test_the_package_writer_does_not_import_the_graph():
    """`graphs` calls the package writers; the package reads the state through a protocol."""
    code = (
        "import sys, reelwright.package, reelwright.records; "
        "print(sorted(m for m in sys.modules if m.startswith('reelwright.graphs')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert run.stdout.strip() == "[]"
