"""Records that cross modules or reach users: one pydantic model writes each and reads it back.

Every record carries a `version`. A reader takes the version its model describes and every
older version it knows how to upgrade: each model keeps a chain of migrations, one function
per step (`(model, from_version) -> function(dict) -> dict`), and an old record is upgraded
step by step to the current version before it is validated. A record of a newer or unknown
version, or of an old version whose chain has a missing step, is a clear InputError naming
the file and the version, never a half-read dict. Writers always write the current version.

- RunRecord — `run.json` of an episode package (what happened, scores, renders, usage).
- ComplianceRecord — `compliance.json` (verdict, findings per check, cleared assets).
- ProvenanceRecord — `provenance.json` (models, C2PA signing, every frame's hash).
- GateRequest — what an approval gate shows: the interrupt value, `RunOutcome.gate`.
- EvalLog — `eval.json` of an eval suite (cases, suite metrics, a comparison).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_serializer
from pydantic.functional_serializers import SerializerFunctionWrapHandler

from reelwright.errors import InputError
from reelwright.models import Approval, Finding, Note, Thresholds, Usage

RunStatus = Literal["running", "awaiting_approval", "published", "failed", "blocked"]
GateName = Literal["script", "shots", "final"]
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a record is never this big; a bigger file is not one


class VersionedRecord(BaseModel):
    """A record with a schema version: `VERSION` is the one this code writes and reads."""

    model_config = ConfigDict(extra="forbid")
    VERSION: ClassVar[int]
    NAME: ClassVar[str]  # how messages name the record: "run.json", "eval log", ...

    version: int

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON written to disk (unicode kept, a newline at the end)."""
        data = self.model_dump(mode="json")
        return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


R = TypeVar("R", bound=VersionedRecord)


JsonObject = dict[str, JsonValue]
"""A JSON object as read from disk or the wire: every value must be narrowed before use."""
Migration = Callable[[JsonObject], JsonObject]
"""One step of a record's chain: data of version N in, data of version N + 1 out."""

_MIGRATIONS: dict[tuple[type[VersionedRecord], int], Migration] = {}


def migration(model: type[VersionedRecord], from_version: int) -> Callable[[Migration], Migration]:
    """Register the step that upgrades `model` data of `from_version` to `from_version + 1`.
    The step gets a copy of the data and returns the new shape; the chain sets `version`."""

    def register(step: Migration) -> Migration:
        key = (model, from_version)
        if key in _MIGRATIONS:
            raise ValueError(f"{model.__name__} already has a migration from {from_version}")
        if not 1 <= from_version < model.VERSION:
            raise ValueError(
                f"{model.__name__}: a migration from version {from_version} cannot lead to "
                f"version {model.VERSION}"
            )
        _MIGRATIONS[key] = step
        return step

    return register


def readable_versions(model: type[VersionedRecord]) -> list[int]:
    """The versions a reader of `model` takes: the current one and every older version from
    which an unbroken chain of migrations leads to it."""
    versions = [model.VERSION]
    while (model, versions[-1] - 1) in _MIGRATIONS:
        versions.append(versions[-1] - 1)
    return sorted(versions)


def _reads(model: type[VersionedRecord]) -> str:
    versions = readable_versions(model)
    if len(versions) == 1:
        return f"version {versions[0]}"
    return f"versions {versions[0]} to {versions[-1]}"


def upgrade(model: type[R], data: JsonObject, where: str) -> JsonObject:
    """`data` of any version `model` reads, upgraded step by step to `model.VERSION`."""
    version = data.get("version")
    if version is None:
        raise InputError(f"{where} is not a Reelwright {model.NAME}: it has no version")
    if type(version) is not int or version < 1 or version > model.VERSION:
        newer = type(version) is int and version > model.VERSION
        raise InputError(
            f"{where}: {model.NAME} version {version!r} is not supported (this Reelwright "
            f"reads {_reads(model)}); "
            + (
                "it was written by a newer Reelwright: read it with that one"
                if newer
                else "no Reelwright writes that version"
            )
        )
    while version < model.VERSION:
        step = _MIGRATIONS.get((model, version))
        if step is None:
            raise InputError(
                f"{where}: {model.NAME} version {version} is not supported (this Reelwright "
                f"reads {_reads(model)} and cannot upgrade version {version}); read it with "
                "the Reelwright that wrote it"
            )
        data = {**step(dict(data)), "version": version + 1}
        version += 1
    return data


def parse_record(model: type[R], data: Any, where: str) -> R:
    """A record from decoded JSON, upgraded to the current version; `where` names its source
    in the error (a file, a run)."""
    from reelwright.loading import validation_message

    if not isinstance(data, dict):
        raise InputError(f"{where} is not a Reelwright {model.NAME}: not a JSON object")
    data = upgrade(model, data, where)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_message(exc, f"{where} ({model.NAME})")) from None


def read_record(path: Path | str, model: type[R]) -> R:
    """Load a record file: missing, unreadable, not JSON, another version or the wrong shape
    is an InputError that names the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise InputError(f"{path} is larger than {MAX_RECORD_BYTES} bytes: not a record")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such {model.NAME}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {model.NAME}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{path} is not a Reelwright {model.NAME}: not JSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{path} is nested too deeply to be a {model.NAME}") from None
    return parse_record(model, data, str(path))


# --------------------------------------------------------------------------- run.json


class RenderCountRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iteration: int
    rendered: int
    cached: int
    seconds: float = 0.0


class RenderSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rendered: int = 0
    cached: int = 0
    by_iteration: list[RenderCountRecord] = Field(default_factory=list)
    seconds: float = 0.0
    images_per_s: float | None = None
    warnings: list[str] = Field(default_factory=list, description="`SHOT: warning`, sorted.")


class LLMSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: str
    model: str | None = None
    calls: int = 0
    requests: int = Field(0, description="Every HTTP request, retries and failures included.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    by_agent: dict[str, Usage] = Field(default_factory=dict)


class RunRecord(VersionedRecord):
    """`run.json`: what a run durably did. Version 2 added `package_id` and `files` (every
    package file's SHA-256), filled in when the package folder is committed; version 3 added
    `bible`, the series bible file the run was made from."""

    VERSION: ClassVar[int] = 3
    NAME: ClassVar[str] = "run.json"

    version: int = VERSION
    run_id: str
    status: RunStatus
    iterations: int = 0
    scores: dict[str, float] = Field(
        default_factory=dict, description="Last critique: per dimension and `overall`."
    )
    thresholds: Thresholds = Field(default_factory=Thresholds)
    passed: bool = False
    stop_reason: str = ""
    shots: int = 0
    duration_s: float = 0.0
    renders: RenderSummary = Field(default_factory=RenderSummary)
    renderer: str = "storyboard"
    agents: Literal["procedural", "llm"] = "procedural"
    offline: bool = True
    llm: LLMSummary = Field(default_factory=lambda: LLMSummary(backend="procedural (offline)"))
    approvals: list[Approval] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    software: str = ""
    error: str | None = Field(None, description="Why the run failed; absent otherwise.")
    package_id: str = ""
    files: dict[str, str] = Field(
        default_factory=dict, description="Every other file of the package: path -> SHA-256."
    )
    bible: str | None = Field(
        None, description="The series bible file the run was made from; None when unknown."
    )

    @model_serializer(mode="wrap")
    def _without_empty_error(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("error") is None:
            data.pop("error", None)  # run.json has an `error` key only when the run failed
        return data


@migration(RunRecord, 1)
def _run_record_1_to_2(data: JsonObject) -> JsonObject:
    # version 2 added `package_id` and `files`; a version-1 package lists no file hashes
    return data


@migration(RunRecord, 2)
def _run_record_2_to_3(data: JsonObject) -> JsonObject:
    # version 3 added `bible`; which bible a version-2 package was made from is not recorded
    return {**data, "bible": None}


# --------------------------------------------------------------------------- compliance.json


class ComplianceRecord(VersionedRecord):
    """`compliance.json`: the verdict, each check's findings, all findings, cleared assets."""

    VERSION: ClassVar[int] = 1
    NAME: ClassVar[str] = "compliance.json"

    version: int = VERSION
    verdict: Literal["block", "review", "pass"]
    checks: dict[str, list[Finding]] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    assets: list[dict[str, str]] = Field(default_factory=list)


# --------------------------------------------------------------------------- provenance.json


class ModelRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    renderer: str
    model: str


class C2PASummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signed: bool
    signer: str | None = None
    files: list[str] = Field(default_factory=list)
    hint: str = ""


class FrameProvenance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shot_id: str
    file: str
    sha256: str
    render_key: str
    seed: int
    prompt_sha256: str


class ProvenanceRecord(VersionedRecord):
    """`provenance.json`: how every frame was made, by which models, signed or not."""

    VERSION: ClassVar[int] = 1
    NAME: ClassVar[str] = "provenance.json"

    version: int = VERSION
    run_id: str
    software: str
    digital_source_type: str
    models: list[ModelRef] = Field(default_factory=list)
    agents: Literal["procedural", "llm"] = "procedural"
    llm_model: str | None = None
    c2pa: C2PASummary
    assets: list[dict[str, str]] = Field(default_factory=list)
    frames: list[FrameProvenance] = Field(default_factory=list)
    approvals: list[Approval] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


# --------------------------------------------------------------------------- gate


class GateRequest(VersionedRecord):
    """What an approval gate asks of reviewers. It is the graph's interrupt value, so it is
    stored in checkpoints as plain JSON (`model_dump(mode="json")`) and read back here."""

    VERSION: ClassVar[int] = 1
    NAME: ClassVar[str] = "gate request"

    version: int = VERSION
    run_id: str
    gate: GateName
    revision: str = Field(description="Revision of the artefacts the gate shows.")
    token: str = Field(description="Changes with every decision: a stale view conflicts.")
    needs: list[str] = Field(default_factory=list, description="Roles still to approve.")
    roles: list[str] = Field(default_factory=list, description="Roles that decide here.")
    passed: bool = False
    iteration: int = 0
    scores: dict[str, float] = Field(default_factory=dict)
    overall: float | None = None
    review_findings: list[str] = Field(default_factory=list)
    out: str = Field(description="The package folder.")
    title: str = Field("", description="The episode's title.")
    waiting_since: str | None = Field(
        None, description="When the run stopped at the gate (ISO 8601, from its checkpoint)."
    )

    @classmethod
    def from_interrupt(cls, value: Any, run_id: str) -> GateRequest:
        """The interrupt value a checkpoint holds. Runs paused before gate requests were
        versioned hold the same shape without `version`: that is version 1."""
        if isinstance(value, dict) and "version" not in value:
            value = {**value, "version": 1}
        return parse_record(cls, value, f"the gate run {run_id} waits at")


# --------------------------------------------------------------------------- eval.json


class CaseCompliance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected: list[str] = Field(default_factory=list)
    caught: list[str] = Field(default_factory=list)
    recall: float | None = None
    false_positive: bool | None = None


class CaseLLM(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None


class CaseRenders(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rendered: int = 0
    cached: int = 0


class CaseInputs(BaseModel):
    """Everything that decides a case's result, each part named so a change can be: digests
    of the brief, bible, rights ledger and options (expectations, decisions, suite kind, frame
    size, prices) as read now, and the seed, the LLM (offline | live | record | replay, model,
    mode, endpoint, the replayed cassette's digest) and the Reelwright version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    brief: str
    bible: str
    rights: str
    options: str
    seed: int | None = None
    llm: Literal["offline", "live", "record", "replay"] = "offline"
    model: str | None = None
    mode: str | None = None
    endpoint: str | None = None
    cassette: str | None = None
    settings: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        description="Settings that decide a result beyond the model (`reuse.deciding_settings`).",
    )
    software: str

    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    def changes(self, before: CaseInputs) -> list[str]:
        """What differs from `before`, in words: `seed 5 → 6`, `bible changed`."""
        out = []
        for name in type(self).model_fields:
            old, new = getattr(before, name), getattr(self, name)
            if old == new:
                continue
            if name == "settings":  # a setting one side lacks came or went with the LLM
                if not old:
                    out.append("settings not recorded before")
                for key in sorted(old.keys() & new.keys()):
                    if old[key] != new[key]:
                        out.append(f"{key} {old[key]} → {new[key]}")
            elif name in ("brief", "bible", "rights", "options", "cassette") and old and new:
                out.append(f"{name} changed")
            else:
                out.append(f"{name} {old} → {new}")
        return out


class CaseResult(BaseModel):
    """One case of an eval: `cases/<id>/result.json` and an entry of the eval log. Episode
    cases fill the package figures; screening cases the verdict and entities caught."""

    model_config = ConfigDict(extra="forbid")

    id: str
    tags: list[str] = Field(default_factory=list)
    kind: Literal["episode", "screening", "critique"] = "episode"
    fingerprint: str = ""  # CaseInputs.digest() of `inputs`
    inputs: CaseInputs | None = None
    changed: list[str] = Field(
        default_factory=list, description="Why the case ran again rather than being reused."
    )
    status: str = "error"
    error: str = ""
    timings: dict[str, float] = Field(default_factory=dict)
    wall_s: float = 0.0
    resumed: bool = False
    # outcome
    passed: bool = False
    verdict: str | None = None
    entities_caught: list[str] = Field(default_factory=list)
    # episode figures
    iterations: int = 0
    iterations_to_pass: int | None = None
    scores: dict[str, float] = Field(default_factory=dict)
    score_history: list[dict[str, float]] = Field(default_factory=list)
    score_delta_per_iteration: dict[str, float] = Field(default_factory=dict)
    stop_reason: str = ""
    llm: CaseLLM = Field(default_factory=CaseLLM)
    renders: CaseRenders = Field(default_factory=CaseRenders)
    characters_present: list[str] = Field(default_factory=list)
    # critique cases: the dimensions below threshold and the critic's notes
    failing: list[str] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    # expectations
    expectations_met: bool = False
    failures: list[str] = Field(default_factory=list)
    compliance: CaseCompliance = Field(default_factory=CaseCompliance)

    @model_serializer(mode="wrap")
    def _only_what_the_case_filled(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)  # episode and screening cases fill different keys
        return {k: v for k, v in data.items() if k in self.model_fields_set or k == "id"}

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=1, ensure_ascii=False)


class MetricSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mean: float
    ci95: tuple[float, float]
    n: int
    ci: Literal["wilson", "bootstrap"] = Field(
        "bootstrap", description="How ci95 was found: Wilson score (proportions) or bootstrap."
    )


class SuiteSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cases: int
    errors: int
    metrics: dict[str, MetricSummary] = Field(default_factory=dict)
    node_seconds_mean: dict[str, float] = Field(default_factory=dict)


class ComparisonRow(BaseModel):
    """One metric of two eval logs, paired by case id: the means over the cases both runs
    have, the mean paired difference with a bootstrap 95% interval, and the gate's decision.
    A metric on one side only has that side's mean and no difference."""

    model_config = ConfigDict(extra="forbid")

    metric: str
    gate: Literal["cases", "exact", "permutation", "reported"] = Field(
        description="cases: any case newly failing counts; exact: McNemar's exact test; "
        "permutation: paired sign-flip test of the mean; reported: shown, never gated."
    )
    higher_is_better: bool | None = None
    n: int = Field(0, description="Cases with a value on both sides.")
    baseline: float | None = None
    current: float | None = None
    diff: float | None = None
    ci95: tuple[float, float] | None = None
    p_value: float | None = Field(None, description="One-sided, toward the worse direction.")
    tolerance: float | None = Field(None, description="Absolute, in the metric's units.")
    worse_cases: list[str] = Field(default_factory=list, description="Cases that got worse.")
    regression: bool = False
    note: str = ""


class Comparison(BaseModel):
    """Two eval logs of one suite compared case by case: each metric's paired difference and
    the regressions (what `--compare` and `eval compare` exit 1 on)."""

    model_config = ConfigDict(extra="forbid")

    suite: str = ""
    baseline_created: str = ""
    alpha: float = 0.05
    gate_operational: bool = False
    cases_compared: int = 0
    only_in_baseline: list[str] = Field(default_factory=list)
    only_in_current: list[str] = Field(default_factory=list)
    rows: list[ComparisonRow] = Field(default_factory=list)
    regressions: list[str] = Field(default_factory=list)


class EvalOptionsRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concurrency: int = 1
    seed: int | None = None
    record: str = ""
    replay: str = ""
    offline: bool = False


class EvalLLM(BaseModel):
    """The LLM an eval ran with: `offline` (procedural agents), `live`, `record` or `replay`
    (model and mode as asked of the cassette)."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["offline", "live", "record", "replay"] = "offline"
    model: str | None = None
    mode: str | None = None


class EvalLog(VersionedRecord):
    """`eval.json`: a suite's cases, its metrics with 95% intervals, and (with --compare) the
    comparison with a baseline log. Version 2 added what makes two logs comparable: the
    suite's digest and case ids, the LLM, and the Reelwright version."""

    VERSION: ClassVar[int] = 2
    NAME: ClassVar[str] = "eval log"

    version: int = VERSION
    suite: str
    suite_version: int
    suite_digest: str = Field("", description="sha256 of the suite file, first 16 hex digits.")
    case_ids: list[str] = Field(default_factory=list)
    kind: Literal["episode", "screening"] = "episode"
    created: str
    software_version: str = ""
    llm: EvalLLM = Field(default_factory=EvalLLM)
    options: EvalOptionsRecord = Field(default_factory=EvalOptionsRecord)
    wall_s: float = 0.0
    cases: list[CaseResult] = Field(default_factory=list)
    summary: SuiteSummary
    compare: Comparison | None = None

    @model_serializer(mode="wrap")
    def _without_empty_compare(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("compare") is None:
            data.pop("compare", None)  # only a log written with --compare has the key
        return data


@migration(EvalLog, 1)
def _eval_log_1_to_2(data: JsonObject) -> JsonObject:
    # version 2 added the suite's digest, case ids, LLM and Reelwright version; of these a
    # version-1 log knows only its case ids
    cases = data.get("cases")
    ids = (
        [c["id"] for c in cases if isinstance(c, dict) and "id" in c]
        if isinstance(cases, list)
        else []
    )
    return {**data, "case_ids": ids}
