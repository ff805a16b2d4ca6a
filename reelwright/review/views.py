"""What a reviewer sees of a run: read from its checkpointed state and its package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reelwright.config import Settings
from reelwright.errors import NotFoundError
from reelwright.graphs.checkpoint import open_checkpointer
from reelwright.graphs.episode import build_graph
from reelwright.graphs.state import EpisodeState
from reelwright.paths import check_id


def run_view(run_id: str, settings: Settings) -> dict[str, Any]:
    check_id(run_id, "run id")
    with open_checkpointer(settings.state_url, create=False) as saver:
        snapshot = (
            build_graph()
            .compile(checkpointer=saver)
            .get_state({"configurable": {"thread_id": run_id}})
        )
    if not snapshot.values:
        raise NotFoundError(f"no run {run_id}")
    state = EpisodeState.model_validate(snapshot.values)
    gate = dict(snapshot.interrupts[0].value) if snapshot.interrupts else None
    record = _record(Path(state.run.out_dir))
    status = "awaiting_approval" if gate else _status(state, record, settings)
    return {
        "run_id": run_id,
        "status": status,
        "gate": gate,
        "title": state.script.title if state.script else state.brief.title,
        "iteration": state.iteration,
        "thresholds": state.brief.thresholds.model_dump(),
        "scores": [{**c.scores, "overall": c.overall} for c in state.critiques],
        "script": state.script.model_dump(mode="json") if state.script else None,
        "shots": state.shots.model_dump(mode="json")["shots"] if state.shots else [],
        "findings": [f.model_dump(mode="json") for f in state.findings],
        "approvals": [a.model_dump(mode="json") for a in state.approvals],
        "characters": {c.id: c.name for c in state.bible.characters},
        "out": state.run.out_dir,
        "has_frames": (Path(state.run.out_dir) / "contact_sheet.png").is_file(),
    }


def _status(state: EpisodeState, record: dict[str, Any], settings: Settings) -> str:
    """What durably happened: `published` only for a package that verifies on disk."""
    if state.ended == "published":
        from reelwright.package import check_package
        from reelwright.tools.signing import signing_config

        signing = signing_config(settings.home)
        trust = signing.ca.read_bytes() if signing else None
        return (
            "published"
            if not check_package(Path(state.run.out_dir), state, trust)
            else ("published, but the package on disk does not verify (resume it)")
        )
    if state.ended == "blocked":
        return "blocked"
    return "failed" if record.get("status") == "failed" else "running"


def _record(out: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((out / "run.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


PACKAGE_FILES = {"contact_sheet.png", "animatic.mp4", "animatic.srt", "script.md"}


def package_file(view: dict[str, Any], name: str) -> Path:
    """A file of the run's package a reviewer may fetch: frames/<shot>.png or a known name,
    and only one the package's run.json lists for this run (the stored folder is not trusted
    to point anywhere else)."""
    from reelwright.paths import OutputDir

    out = OutputDir(view["out"])
    record = _record(out.root)
    listed = record.get("files") if record.get("run_id") == view["run_id"] else None
    if name.startswith("frames/"):
        shot = name.removeprefix("frames/").removesuffix(".png")
        path = out.frame(shot)
    elif name in PACKAGE_FILES:
        path = out.path(name)
    else:
        raise NotFoundError(f"no such file {name!r}")
    if not path.is_file() or not isinstance(listed, dict) or name not in listed:
        raise NotFoundError(f"{name} is not there yet")
    return path
