"""The episode package: everything a reviewer or a downstream tool needs, under one folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from reelwright import __version__
from reelwright.errors import PackageError
from reelwright.graphs.state import EpisodeState, RunStatus
from reelwright.models import Script
from reelwright.paths import OutputDir
from reelwright.renderers.animatic import contact_sheet, srt_text, write_animatic
from reelwright.staging import staged
from reelwright.tools.signing import SigningConfig, creation_manifest, sign_in_place

RUN_SCHEMA_VERSION = 2  # 2: `files`, every package file's SHA-256


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def script_markdown(script: Script, state: EpisodeState) -> str:
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


def run_record(state: EpisodeState, status: RunStatus, error: str = "") -> dict[str, Any]:
    critique = state.last_critique
    usage = state.total_usage
    record: dict[str, Any] = {
        "version": RUN_SCHEMA_VERSION,
        "run_id": state.run.run_id,
        "status": status,
        "iterations": state.iteration,
        "scores": ({**critique.scores, "overall": critique.overall} if critique else {}),
        "thresholds": state.brief.thresholds.model_dump(),
        "passed": state.passed,
        "stop_reason": state.stop_reason,
        "shots": len(state.shots.shots) if state.shots else 0,
        "duration_s": round(state.shots.duration_s, 3) if state.shots else 0.0,
        "renders": {
            "rendered": sum(c.rendered for c in state.render_counts),
            "cached": sum(c.cached for c in state.render_counts),
            "by_iteration": [c.model_dump() for c in state.render_counts],
            "seconds": round(sum(c.seconds for c in state.render_counts), 3),
            "images_per_s": _rate(state),
            "warnings": sorted({f"{r.shot_id}: {w}" for r in state.renders for w in r.warnings}),
        },
        "renderer": state.run.renderer,
        "agents": state.run.agents,
        "offline": state.run.agents == "procedural",
        "llm": {
            "backend": "openai" if state.run.agents == "llm" else "procedural (offline)",
            "model": state.run.llm_model,
            "calls": usage.calls,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "by_agent": {a: u.model_dump() for a, u in sorted(state.usage.items())},
        },
        "approvals": [a.model_dump() for a in state.approvals],
        "timings": dict(sorted(state.timings.items())),
        "software": f"reelwright {__version__}",
    }
    if error:
        record["error"] = error
    return record


def _rate(state: EpisodeState) -> float | None:
    rendered = sum(c.rendered for c in state.render_counts)
    seconds = sum(c.seconds for c in state.render_counts if c.rendered)
    return round(rendered / seconds, 3) if rendered and seconds else None


def write_run_record(state: EpisodeState, status: RunStatus, error: str = "") -> Path:
    """A new status for the package in place (failed, waiting at an early gate): the files
    there are carried over unchanged and run.json is replaced, in one swap."""
    with staged(state.run.out_dir, state.run.run_id, True, state.run.package_id) as (tx, _):
        tx.commit(run_record(state, status, error))
    return Path(state.run.out_dir) / "run.json"


def write_package(
    state: EpisodeState, status: RunStatus, signing: SigningConfig | None = None
) -> Path:
    """Write the whole package into a staging folder and swap it into place. Idempotent:
    safe to repeat after a resume."""
    assert state.script is not None and state.shots is not None
    with staged(state.run.out_dir, state.run.run_id, False, state.run.package_id) as (tx, out):
        out.write_text(
            yaml.safe_dump(
                state.brief.model_dump(mode="json"), sort_keys=False, allow_unicode=True
            ),
            "brief.yaml",
        )
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
        contact_sheet(frames, out.path("contact_sheet.png"))
        timed = [
            (path, shot.duration_s)
            for (_, path), shot in zip(frames, state.shots.shots, strict=True)
        ]
        write_animatic(timed, out.path("animatic.mp4"))
        if signing is not None:
            sign_in_place(
                out.path("animatic.mp4"),
                signing,
                _manifest(state, "animatic.mp4", {"shots": [s.id for s in state.shots.shots]}),
            )
        out.write_text(srt_text(state.shots.shots, state.bible), "animatic.srt")
        out.write_text(_json([c.model_dump(mode="json") for c in state.critiques]), "critique.json")
        _write_compliance(out, state)
        out.write_text(_json(provenance(state, out, signing)), "provenance.json")
        tx.commit(run_record(state, status))
    return Path(state.run.out_dir)


def finalize(state: EpisodeState, status: RunStatus, signing: SigningConfig | None = None) -> Path:
    """Rewrite the records that change at the gate (approvals, status) without re-encoding:
    the package is carried into a staging folder, its records replaced, and — for
    `published` — the whole staged package verified before it is swapped into place."""
    with staged(state.run.out_dir, state.run.run_id, True, state.run.package_id) as (tx, out):
        out.write_text(_json(provenance(state, out, signing)), "provenance.json")
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


def source_type(state: EpisodeState) -> str:
    """IPTC digital source type: trained-model output, or purely algorithmic (storyboard)."""
    kind = "algorithmicMedia" if state.run.renderer == "storyboard" else "trainedAlgorithmicMedia"
    return f"http://cv.iptc.org/newscodes/digitalsourcetype/{kind}"


def _manifest(state: EpisodeState, title: str, extra: dict[str, Any]) -> dict[str, Any]:
    record = {
        "run_id": state.run.run_id,
        "renderer": state.run.renderer,
        "agents": state.run.agents,
        "llm_model": state.run.llm_model,
        **extra,
    }
    return creation_manifest(title, source_type(state), f"reelwright {__version__}", record)


def _write_compliance(out: OutputDir, state: EpisodeState) -> None:
    from reelwright.tools.screening import verdict

    record = {
        "version": 1,
        "verdict": verdict(state.findings),
        "checks": {
            k: [f.model_dump(mode="json") for f in v] for k, v in sorted(state.compliance.items())
        },
        "findings": [f.model_dump(mode="json") for f in state.findings],
        "assets": state.assets,
    }
    out.write_text(_json(record), "compliance.json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def provenance(
    state: EpisodeState, out: OutputDir, signing: SigningConfig | None = None
) -> dict[str, Any]:
    assert state.shots is not None
    frames = [(shot.id, out.frame(shot.id)) for shot in state.shots.shots]
    renders = {r.shot_id: r for r in state.renders}
    models = sorted({(r.renderer, r.model) for r in state.renders})
    return {
        "version": 1,
        "run_id": state.run.run_id,
        "software": f"reelwright {__version__}",
        "digital_source_type": source_type(state),
        "models": [{"renderer": r, "model": m} for r, m in models],
        "agents": state.run.agents,
        "llm_model": state.run.llm_model,
        "c2pa": {
            "signed": signing is not None,
            "signer": str(signing.chain) if signing else None,
            "files": ["frames/*.png", "animatic.mp4"] if signing else [],
            "hint": "" if signing else "run `reelwright init-signing` to sign outputs",
        },
        "assets": state.assets,
        "frames": [
            {
                "shot_id": shot.id,
                "file": f"frames/{path.name}",
                "sha256": _sha256(path),
                "render_key": renders[shot.id].key,
                "seed": shot.seed,
                "prompt_sha256": hashlib.sha256(shot.prompt.encode()).hexdigest(),
            }
            for (_, path), shot in zip(frames, state.shots.shots, strict=True)
        ],
        "approvals": [a.model_dump() for a in state.approvals],
        "findings": [f.model_dump(mode="json") for f in state.findings],
    }


def write_blocked(state: EpisodeState) -> Path:
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
    state: EpisodeState,
    trust_pem: bytes | None = None,
    record: dict[str, Any] | None = None,
) -> list[str]:
    """Problems with a package folder as the run's state says it must be: every file there,
    none changed since it was written, frames for every shot with the hashes provenance
    gives, approvals as recorded, and valid content credentials when it was signed.
    `record` is the run.json about to be written (staged); default: the one on disk."""
    from reelwright.staging import inspect_folder, package_files, read_record
    from reelwright.tools.signing import verify

    problems: list[str] = []
    if record is None:
        record = read_record(root)
        if record is None:
            return [f"{root}/run.json is missing or unreadable"]
        if inspect_folder(root, state.run.run_id, state.run.package_id).kind != "same-run":
            problems.append("files were added, removed or changed since the package was written")
        listed = record.get("files")
        files: dict[str, Any] = listed if isinstance(listed, dict) else {}
    else:
        files = package_files(root)
    if record.get("run_id") != state.run.run_id:
        problems.append(f"run.json is for run {record.get('run_id')!r}")
    assert state.shots is not None
    wanted = [*PACKAGE_FILES, *(f"frames/{s.id}.png" for s in state.shots.shots)]
    problems += [f"{name} is missing" for name in wanted if name not in files]
    try:
        prov = json.loads((root / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [*problems, "provenance.json is unreadable"]
    for frame in prov.get("frames", []):
        if files.get(frame.get("file")) != frame.get("sha256"):
            problems.append(f"{frame.get('file')} does not match its provenance hash")
    approvals = json.loads(_json([a.model_dump() for a in state.approvals]))
    if (
        prov.get("approvals") != approvals
        or json.loads(_json(record.get("approvals"))) != approvals
    ):
        problems.append("the recorded approvals differ from the run's")
    if prov.get("c2pa", {}).get("signed"):
        for name in [*(f"frames/{s.id}.png" for s in state.shots.shots), "animatic.mp4"]:
            if name in files and not verify(root / name, trust_pem).ok:
                problems.append(f"{name}: content credentials do not verify")
    return problems
