"""The episode package: everything a reviewer or a downstream tool needs, under one folder.

The package is written from a run's state, but this module does not import the graph: it
reads the state through `EpisodeView`, the part of it a package needs (the graph's
`EpisodeState` is one), so `graphs` may call the package writers and not the reverse.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml

from reelwright.audio.cache import SpokenClip
from reelwright.audio.track import Sound, srt_from_cues, write_track
from reelwright.compliance.signing import SigningConfig, creation_manifest, sign_in_place
from reelwright.errors import InputError, PackageError
from reelwright.media.encodes import EncodeCache
from reelwright.models import (
    Approval,
    Bible,
    Brief,
    Critique,
    Finding,
    RenderResult,
    Script,
    ShotList,
    Usage,
)
from reelwright.paths import OutputDir
from reelwright.records import (
    C2PASummary,
    ComplianceRecord,
    FrameProvenance,
    LLMSummary,
    ModelRef,
    ProvenanceRecord,
    RenderCountRecord,
    RenderSummary,
    RunRecord,
    RunStatus,
    read_record,
)
from reelwright.renderers.animatic import contact_sheet, write_animatic
from reelwright.staging import staged
from reelwright.subtitles import srt_text
from reelwright.version import __version__

RUN_SCHEMA_VERSION = RunRecord.VERSION


class RunView(Protocol):
    """What the package reads of how a run was asked for (the graph's RunSpec)."""

    @property
    def run_id(self) -> str: ...
    @property
    def package_id(self) -> str: ...
    @property
    def out_dir(self) -> str: ...
    @property
    def renderer(self) -> str: ...
    @property
    def agents(self) -> Literal["procedural", "llm"]: ...
    @property
    def llm_model(self) -> str | None: ...
    @property
    def bible_path(self) -> str | None: ...


class RenderCountView(Protocol):
    """One render pass: frames rendered and taken from the cache, and its seconds."""

    @property
    def iteration(self) -> int: ...
    @property
    def rendered(self) -> int: ...
    @property
    def cached(self) -> int: ...
    @property
    def seconds(self) -> float: ...


class EpisodeView(Protocol):
    """What the package reads of a run's state (the graph's EpisodeState)."""

    @property
    def run(self) -> RunView: ...
    @property
    def brief(self) -> Brief: ...
    @property
    def bible(self) -> Bible: ...
    @property
    def iteration(self) -> int: ...
    @property
    def script(self) -> Script | None: ...
    @property
    def shots(self) -> ShotList | None: ...
    @property
    def renders(self) -> Sequence[RenderResult]: ...
    @property
    def critiques(self) -> Sequence[Critique]: ...
    @property
    def compliance(self) -> Mapping[str, Sequence[Finding]]: ...
    @property
    def assets(self) -> Sequence[dict[str, str]]: ...
    @property
    def render_counts(self) -> Sequence[RenderCountView]: ...
    @property
    def speech(self) -> Sequence[SpokenClip]: ...
    @property
    def usage(self) -> Mapping[str, Usage]: ...
    @property
    def approvals(self) -> Sequence[Approval]: ...
    @property
    def timings(self) -> Mapping[str, float]: ...
    @property
    def stop_reason(self) -> str: ...
    @property
    def last_critique(self) -> Critique | None: ...
    @property
    def passed(self) -> bool: ...
    @property
    def findings(self) -> list[Finding]: ...
    @property
    def total_usage(self) -> Usage: ...


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def script_markdown(script: Script, state: EpisodeView) -> str:
    bible = state.bible
    out = [f"# {script.title}", "", f"_{script.logline}_", ""]
    for scene in script.scenes:
        loc = bible.location(scene.location)
        place = "INT." if loc.interior else "EXT."
        out += [f"## {scene.id}. {place} {loc.name.upper()} - {scene.time_of_day.upper()}", ""]
        out += [scene.summary, ""]
        out += [f"- {beat}" for beat in scene.beats] + [""]
        for line in scene.dialogue:
            name = bible.character(line.character).name.upper()
            paren = f" ({line.parenthetical})" if line.parenthetical else ""
            out += [f"**{name}**{paren}: {line.text}", ""]
    return "\n".join(out)


def run_record(state: EpisodeView, status: RunStatus, error: str = "") -> RunRecord:
    """run.json as the state says; `package_id` and `files` are added at commit."""
    critique = state.last_critique
    usage = state.total_usage
    return RunRecord(
        run_id=state.run.run_id,
        status=status,
        iterations=state.iteration,
        scores={**critique.scores, "overall": critique.overall} if critique else {},
        thresholds=state.brief.thresholds,
        passed=state.passed,
        stop_reason=state.stop_reason,
        shots=len(state.shots.shots) if state.shots else 0,
        duration_s=round(state.shots.duration_s, 3) if state.shots else 0.0,
        renders=RenderSummary(
            rendered=sum(c.rendered for c in state.render_counts),
            cached=sum(c.cached for c in state.render_counts),
            by_iteration=[
                RenderCountRecord(
                    iteration=c.iteration, rendered=c.rendered, cached=c.cached, seconds=c.seconds
                )
                for c in state.render_counts
            ],
            seconds=round(sum(c.seconds for c in state.render_counts), 3),
            images_per_s=_rate(state),
            warnings=sorted({f"{r.shot_id}: {w}" for r in state.renders for w in r.warnings}),
        ),
        renderer=state.run.renderer,
        agents=state.run.agents,
        offline=state.run.agents == "procedural",
        llm=LLMSummary(
            backend="openai" if state.run.agents == "llm" else "procedural (offline)",
            model=state.run.llm_model,
            calls=usage.calls,
            requests=usage.requests,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            by_agent=dict(sorted(state.usage.items())),
        ),
        approvals=list(state.approvals),
        timings=dict(sorted(state.timings.items())),
        software=f"reelwright {__version__}",
        error=error or None,
        bible=state.run.bible_path,
    )


def _rate(state: EpisodeView) -> float | None:
    rendered = sum(c.rendered for c in state.render_counts)
    seconds = sum(c.seconds for c in state.render_counts if c.rendered)
    return round(rendered / seconds, 3) if rendered and seconds else None


def write_run_record(state: EpisodeView, status: RunStatus, error: str = "") -> Path:
    """A new status for the package in place (failed, waiting at an early gate): the files
    there are carried over unchanged and run.json is replaced, in one swap."""
    with staged(state.run.out_dir, state.run.run_id, True, state.run.package_id) as (tx, _):
        tx.commit(run_record(state, status, error))
    return Path(state.run.out_dir) / "run.json"


def write_package(
    state: EpisodeView,
    status: RunStatus,
    signing: SigningConfig | None = None,
    sound: Sound | None = None,
    encodes: EncodeCache | None = None,
) -> Path:
    """Write the whole package into a staging folder and swap it into place. Idempotent:
    safe to repeat after a resume. With `sound` and voiced lines, the animatic has the mixed
    track and the subtitles sit where the audio does; with `encodes`, an animatic of the same
    frames and sound is copied from that cache rather than encoded again."""
    assert state.script is not None and state.shots is not None
    with staged(state.run.out_dir, state.run.run_id, False, state.run.package_id) as (tx, out):
        out.write_text(
            yaml.safe_dump(
                state.brief.model_dump(mode="json"), sort_keys=False, allow_unicode=True
            ),
            "brief.yaml",
        )
        _write_bible(out, state.bible)
        out.write_text(script_markdown(state.script, state), "script.md")
        out.write_text(_json(state.script.model_dump(mode="json")), "script.json")
        out.write_text(_json(state.shots.model_dump(mode="json")), "shots.json")
        renders = {r.shot_id: r for r in state.renders}
        frames: list[tuple[str, Path]] = []
        for shot in state.shots.shots:
            target = out.frame(shot.id)
            out.write_bytes(Path(renders[shot.id].path).read_bytes(), "frames", target.name)
            frames.append((shot.id, target))
        if signing is not None:
            for shot, (_, path) in zip(state.shots.shots, frames, strict=True):
                sign_in_place(
                    path,
                    signing,
                    _manifest(
                        state,
                        path.name,
                        {
                            "shot_id": shot.id,
                            "seed": shot.seed,
                            "render_key": renders[shot.id].key,
                            "model": renders[shot.id].model,
                            "prompt_sha256": hashlib.sha256(shot.prompt.encode()).hexdigest(),
                        },
                    ),
                )
        # the sheet and the animatic are made from the rendered frames as the cache holds
        # them: the same pixels as the package's, without the credentials signed into those
        # (new on every write), so an unchanged cut is found in `encodes` again
        rendered = [(shot.id, Path(renders[shot.id].path)) for shot in state.shots.shots]
        contact_sheet(rendered, out.path("contact_sheet.png"), cache=encodes)
        timed = [
            (path, shot.duration_s)
            for (_, path), shot in zip(rendered, state.shots.shots, strict=True)
        ]
        mixed, cues = (
            write_track(sound, out, state.shots, state.speech, state.bible, encodes)
            if sound is not None and state.speech
            else (None, None)
        )
        write_animatic(timed, out.path("animatic.mp4"), mixed, encodes)
        if signing is not None:
            sign_in_place(
                out.path("animatic.mp4"),
                signing,
                _manifest(state, "animatic.mp4", {"shots": [s.id for s in state.shots.shots]}),
            )
        srt = srt_from_cues(cues) if cues is not None else srt_text(state.shots.shots, state.bible)
        out.write_text(srt, "animatic.srt")
        out.write_text(_json([c.model_dump(mode="json") for c in state.critiques]), "critique.json")
        _write_compliance(out, state)
        out.write_text(provenance(state, out, signing).to_json(), "provenance.json")
        tx.commit(run_record(state, status))
    return Path(state.run.out_dir)


SHEET_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def _write_bible(out: OutputDir, bible: Bible) -> None:
    """The bible the run was made from, as bible.yaml, so the package can be scored again
    (`reelwright critique PACKAGE`) without it. Character sheets are copied to
    sheets/CHARACTER.EXT and named relative to the package, which keeps them inside it."""
    data = bible.model_dump(mode="json")
    for character, dumped in zip(bible.characters, data["characters"], strict=True):
        if character.sheet:
            source = Path(character.sheet)
            suffix = source.suffix.lower() if source.suffix.lower() in SHEET_SUFFIXES else ""
            name = f"{character.id}{suffix}"
            out.write_bytes(source.read_bytes(), "sheets", name)
            dumped["sheet"] = f"sheets/{name}"
    out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "bible.yaml")


def finalize(state: EpisodeView, status: RunStatus, signing: SigningConfig | None = None) -> Path:
    """Rewrite the records that change at the gate (approvals, status) without re-encoding:
    the package is carried into a staging folder, its records replaced, and — for
    `published` — the whole staged package verified before it is swapped into place."""
    with staged(state.run.out_dir, state.run.run_id, True, state.run.package_id) as (tx, out):
        if not (out.root / "bible.yaml").exists():  # staged by a release that did not keep it
            _write_bible(out, state.bible)
        out.write_text(provenance(state, out, signing).to_json(), "provenance.json")
        record = run_record(state, status)
        if status == "published":
            problems = check_package(
                out.root, state, signing.ca.read_bytes() if signing else None, record
            )
            if problems:
                raise PackageError(
                    f"the package of run {state.run.run_id} is not complete, not publishing: "
                    + "; ".join(problems[:5])
                )
        tx.commit(record)
    return Path(state.run.out_dir)


def source_type(state: EpisodeView) -> str:
    """IPTC digital source type: trained-model output, or purely algorithmic (storyboard)."""
    kind = "algorithmicMedia" if state.run.renderer == "storyboard" else "trainedAlgorithmicMedia"
    return f"http://cv.iptc.org/newscodes/digitalsourcetype/{kind}"


def _manifest(state: EpisodeView, title: str, extra: dict[str, object]) -> dict[str, object]:
    record = {
        "run_id": state.run.run_id,
        "renderer": state.run.renderer,
        "agents": state.run.agents,
        "llm_model": state.run.llm_model,
        **extra,
    }
    return creation_manifest(title, source_type(state), f"reelwright {__version__}", record)


def compliance_record(state: EpisodeView) -> ComplianceRecord:
    from reelwright.compliance.screening import verdict

    return ComplianceRecord(
        verdict=verdict(state.findings),
        checks={k: list(v) for k, v in sorted(state.compliance.items())},
        findings=state.findings,
        assets=list(state.assets),
    )


def _write_compliance(out: OutputDir, state: EpisodeView) -> None:
    out.write_text(compliance_record(state).to_json(), "compliance.json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(
    state: EpisodeView, out: OutputDir, signing: SigningConfig | None = None
) -> ProvenanceRecord:
    assert state.shots is not None
    frames = [(shot.id, out.frame(shot.id)) for shot in state.shots.shots]
    renders = {r.shot_id: r for r in state.renders}
    models = sorted({(r.renderer, r.model) for r in state.renders})
    return ProvenanceRecord(
        run_id=state.run.run_id,
        software=f"reelwright {__version__}",
        digital_source_type=source_type(state),
        models=[ModelRef(renderer=r, model=m) for r, m in models],
        agents=state.run.agents,
        llm_model=state.run.llm_model,
        c2pa=C2PASummary(
            signed=signing is not None,
            signer=str(signing.chain) if signing else None,
            files=["frames/*.png", "animatic.mp4"] if signing else [],
            hint="" if signing else "run `reelwright init-signing` to sign outputs",
        ),
        assets=list(state.assets),
        frames=[
            FrameProvenance(
                shot_id=shot.id,
                file=f"frames/{path.name}",
                sha256=_sha256(path),
                render_key=renders[shot.id].key,
                seed=shot.seed,
                prompt_sha256=hashlib.sha256(shot.prompt.encode()).hexdigest(),
            )
            for (_, path), shot in zip(frames, state.shots.shots, strict=True)
        ],
        approvals=list(state.approvals),
        findings=state.findings,
    )


def write_blocked(state: EpisodeView) -> Path:
    """A run that cannot clear its blocking findings: no frames, no animatic; what was written
    so far, every finding, and run.json with status `blocked`."""
    with staged(state.run.out_dir, state.run.run_id, False, state.run.package_id) as (tx, out):
        if state.script is not None:
            out.write_text(script_markdown(state.script, state), "script.md")
            out.write_text(_json(state.script.model_dump(mode="json")), "script.json")
        if state.shots is not None:
            out.write_text(_json(state.shots.model_dump(mode="json")), "shots.json")
        out.write_text(_json([c.model_dump(mode="json") for c in state.critiques]), "critique.json")
        _write_compliance(out, state)
        tx.commit(run_record(state, "blocked"))
    return Path(state.run.out_dir)


PACKAGE_FILES = (
    "brief.yaml",
    "bible.yaml",
    "script.md",
    "script.json",
    "shots.json",
    "contact_sheet.png",
    "animatic.mp4",
    "animatic.srt",
    "critique.json",
    "compliance.json",
    "provenance.json",
)


def check_package(
    root: Path,
    state: EpisodeView,
    trust_pem: bytes | None = None,
    record: RunRecord | None = None,
) -> list[str]:
    """Problems with a package folder as the run's state says it must be: every file there,
    none changed since it was written, frames for every shot with the hashes provenance
    gives, approvals as recorded, and valid content credentials when it was signed.
    `record` is the run.json about to be written (staged); default: the one on disk."""
    from reelwright.compliance.signing import verify
    from reelwright.staging import inspect_folder, package_files
    from reelwright.staging import read_record as package_record

    problems: list[str] = []
    if record is None:
        try:
            record = package_record(root)
        except InputError as exc:
            return [str(exc)]
        if record is None:
            return [f"{root}/run.json is missing"]
        if inspect_folder(root, state.run.run_id, state.run.package_id).kind != "same-run":
            problems.append("files were added, removed or changed since the package was written")
        files = record.files
    else:
        files = package_files(root)
    if record.run_id != state.run.run_id:
        problems.append(f"run.json is for run {record.run_id!r}")
    assert state.shots is not None
    wanted = [*PACKAGE_FILES, *(f"frames/{s.id}.png" for s in state.shots.shots)]
    problems += [f"{name} is missing" for name in wanted if name not in files]
    try:
        prov = read_record(root / "provenance.json", ProvenanceRecord)
    except InputError as exc:
        return [*problems, f"provenance.json is unreadable: {exc}"]
    for frame in prov.frames:
        if files.get(frame.file) != frame.sha256:
            problems.append(f"{frame.file} does not match its provenance hash")
    approvals = list(state.approvals)
    if prov.approvals != approvals or record.approvals != approvals:
        problems.append("the recorded approvals differ from the run's")
    if prov.c2pa.signed:
        for name in [*(f"frames/{s.id}.png" for s in state.shots.shots), "animatic.mp4"]:
            if name in files and not verify(root / name, trust_pem).ok:
                problems.append(f"{name}: content credentials do not verify")
    return problems
