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
    readable_versions,
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
    assert record.version == model.VERSION  # writers write the current version
    assert record.to_json() == path.read_text(encoding="utf-8")  # byte for byte


def test_run_json_names_the_bible_the_run_was_made_from(published, examples):
    record = read_record(published.out / "run.json", RunRecord)
    assert record.bible == str((examples / "bible.yaml").resolve())


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
    versions = readable_versions(model)
    reads = f"versions {versions[0]} to {versions[-1]}" if len(versions) > 1 else "version 1"
    assert f"reads {reads}" in str(err.value) and "written by a newer Reelwright" in str(err.value)


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
    newer = RunRecord.VERSION + 1
    run_json.write_text(json.dumps({**json.loads(run_json.read_text()), "version": newer}))
    check = inspect_folder(published.out, "ep1", package_id)
    assert check.kind == "foreign"
    assert f"run.json version {newer} is not supported" in check.problems[0]


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


# --------------------------------------------------------------------------- migrations


def _all_record_models() -> list[type[VersionedRecord]]:
    import reelwright.evals.mutations.runner  # noqa: F401  (MutationLog)

    found, todo = [], list(VersionedRecord.__subclasses__())
    while todo:
        model = todo.pop()
        found.append(model)
        todo += model.__subclasses__()
    return sorted(found, key=lambda m: m.__name__)


def test_every_record_model_reads_every_version_it_has_had():
    """Whoever bumps a VERSION adds the step from the one before: every chain is unbroken
    from version 1."""
    models = _all_record_models()
    assert {m.__name__ for m in models} >= {
        "RunRecord",
        "ComplianceRecord",
        "ProvenanceRecord",
        "GateRequest",
        "EvalLog",
        "MutationLog",
    }
    for model in models:
        assert readable_versions(model) == list(range(1, model.VERSION + 1)), model.__name__


# run.json as 0.1.0 writes it (version 2), and as Reelwright wrote it before `files` (1)
RUN_JSON_V2 = {
    "version": 2,
    "run_id": "ep1",
    "status": "published",
    "iterations": 2,
    "scores": {"structure": 9.0, "overall": 8.5},
    "passed": True,
    "shots": 3,
    "renders": {"rendered": 3, "cached": 1, "by_iteration": [], "seconds": 1.5},
    "llm": {"backend": "procedural (offline)", "calls": 0},
    "software": "reelwright 0.1.0",
    "package_id": "0123456789abcdef",
    "files": {"script.json": "ab" * 32},
}
RUN_JSON_V1 = {k: v for k, v in RUN_JSON_V2.items() if k not in ("package_id", "files")} | {
    "version": 1
}


@pytest.mark.parametrize("data", [RUN_JSON_V1, RUN_JSON_V2], ids=["v1", "v2"])
def test_an_older_run_json_reads_through_its_migrations(tmp_path, data):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data))
    record = read_record(path, RunRecord)
    assert record.version == RunRecord.VERSION == 3
    assert record.bible is None  # not recorded before version 3
    assert record.run_id == "ep1" and record.scores["overall"] == 8.5
    assert record.files == data.get("files", {})
    assert json.loads(record.to_json())["version"] == 3  # written back as the current version


def test_an_eval_log_of_version_1_reads_through_its_migration(tmp_path):
    v1 = {  # eval.json before suite digests, case ids, the LLM and the software version
        "version": 1,
        "suite": "smoke",
        "suite_version": 1,
        "kind": "episode",
        "created": "2026-11-20T10:00:00+00:00",
        "options": {"concurrency": 1, "seed": None, "record": "", "replay": "", "offline": True},
        "wall_s": 4.2,
        "cases": [{"id": "lamp", "status": "published", "passed": True}],
        "summary": {"cases": 1, "errors": 0},
    }
    path = tmp_path / "eval.json"
    path.write_text(json.dumps(v1))
    log = read_record(path, EvalLog)
    assert log.version == 2 and log.case_ids == ["lamp"] and log.suite_digest == ""
    assert log.cases[0].id == "lamp" and log.cases[0].status == "published"


@pytest.mark.parametrize("model", _all_record_models(), ids=lambda m: m.__name__)
def test_a_record_of_a_newer_version_is_refused_naming_file_and_version(tmp_path, model):
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"version": model.VERSION + 1}))
    with pytest.raises(InputError) as err:
        read_record(path, model)
    message = str(err.value)
    assert str(path) in message
    assert f"{model.NAME} version {model.VERSION + 1} is not supported" in message
    assert "written by a newer Reelwright" in message


@pytest.mark.parametrize("version", [0, -1, "2", 2.0, True, [2]])
def test_a_record_of_an_unknown_version_is_refused(tmp_path, version):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({**RUN_JSON_V2, "version": version}))
    with pytest.raises(InputError) as err:
        read_record(path, RunRecord)
    assert str(path) in str(err.value)
    assert f"run.json version {version!r} is not supported" in str(err.value)
    assert "no Reelwright writes that version" in str(err.value)


def test_a_chain_with_a_missing_step_is_refused(tmp_path, monkeypatch):
    from reelwright import records

    monkeypatch.delitem(records._MIGRATIONS, (RunRecord, 1))
    assert readable_versions(RunRecord) == [2, 3]
    path = tmp_path / "run.json"
    path.write_text(json.dumps(RUN_JSON_V2))
    assert read_record(path, RunRecord).version == 3  # clean case: the chain from 2 is whole
    path.write_text(json.dumps(RUN_JSON_V1))
    with pytest.raises(InputError) as err:
        read_record(path, RunRecord)
    assert str(path) in str(err.value)
    assert "run.json version 1 is not supported" in str(err.value)
    assert "reads versions 2 to 3 and cannot upgrade version 1" in str(err.value)


def test_a_migration_is_registered_once_and_only_towards_the_current_version():
    from reelwright.records import migration

    with pytest.raises(ValueError, match="already has a migration from 2"):
        migration(RunRecord, 2)(lambda data: data)
    with pytest.raises(ValueError, match="cannot lead to version 3"):
        migration(RunRecord, 3)(lambda data: data)
    with pytest.raises(ValueError, match="cannot lead to version 1"):
        migration(ComplianceRecord, 0)(lambda data: data)
