"""The episode package: everything a reviewer or a downstream tool needs, under one folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from reelwright import __version__
from reelwright.graphs.state import EpisodeState, RunStatus
from reelwright.models import Script
from reelwright.paths import OutputDir
from reelwright.renderers.animatic import contact_sheet, srt_text, write_animatic
from reelwright.tools.signing import SigningConfig, creation_manifest, sign_in_place

RUN_SCHEMA_VERSION = 1


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
    out = OutputDir(state.run.out_dir)
    return out.write_text(_json(run_record(state, status, error)), "run.json")


def write_package(
    state: EpisodeState, status: RunStatus, signing: SigningConfig | None = None
) -> Path:
    """Write (or rewrite) the whole package. Idempotent: safe to repeat after a resume."""
    out = OutputDir(state.run.out_dir)
    assert state.script is not None and state.shots is not None
    out.write_text(
        yaml.safe_dump(state.brief.model_dump(mode="json"), sort_keys=False, allow_unicode=True),
        "brief.yaml",
    )
    out.write_text(script_markdown(state.script, state), "script.md")
    out.write_text(_json(state.script.model_dump(mode="json")), "script.json")
    out.write_text(_json(state.shots.model_dump(mode="json")), "shots.json")
    renders = {r.shot_id: r for r in state.renders}
    frames: list[tuple[str, Path]] = []
    for shot in state.shots.shots:
        target = out.frame(shot.id)
        data = Path(renders[shot.id].path).read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            out.write_bytes(data, "frames", target.name)
        frames.append((shot.id, target))
    keep = {p for _, p in frames}
    for stale in out.path("frames").glob("*.png"):
        if stale not in keep:
            stale.unlink()
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
        (path, shot.duration_s) for (_, path), shot in zip(frames, state.shots.shots, strict=True)
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
    return finalize(state, status, signing)


def finalize(state: EpisodeState, status: RunStatus, signing: SigningConfig | None = None) -> Path:
    """Rewrite the records that change at the gate (approvals, status) without re-encoding."""
    out = OutputDir(state.run.out_dir)
    assert state.shots is not None
    frames = [(shot.id, out.frame(shot.id)) for shot in state.shots.shots]
    out.write_text(_json(provenance(state, frames, signing)), "provenance.json")
    return write_run_record(state, status)


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
    state: EpisodeState, frames: list[tuple[str, Path]], signing: SigningConfig | None = None
) -> dict[str, Any]:
    assert state.shots is not None
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
    out = OutputDir(state.run.out_dir)
    if state.script is not None:
        out.write_text(script_markdown(state.script, state), "script.md")
        out.write_text(_json(state.script.model_dump(mode="json")), "script.json")
    if state.shots is not None:
        out.write_text(_json(state.shots.model_dump(mode="json")), "shots.json")
    out.write_text(_json([c.model_dump(mode="json") for c in state.critiques]), "critique.json")
    _write_compliance(out, state)
    return write_run_record(state, "blocked")
