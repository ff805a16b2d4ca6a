"""An existing episode package as the critic's input: its brief, script, shots and frames,
checked like any untrusted input (`reelwright critique`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from reelwright.errors import InputError, param
from reelwright.loading import load_bible, load_brief, parse
from reelwright.models import Bible, Brief, RenderResult, Script, ShotList

MAX_JSON_BYTES = 20_000_000
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class PackageInput:
    brief: Brief
    bible: Bible
    script: Script
    shots: ShotList
    renders: list[RenderResult]
    frames: bool  # whether the package has a frames/ folder


def read_package(
    folder: Path, bible_path: Path | None = None, brief_path: Path | None = None
) -> PackageInput:
    """The package in `folder`, scored against `bible_path` and `brief_path` when given, else
    the bible.yaml and brief.yaml the package recorded. Raise InputError naming the problem:
    a missing folder or file, JSON that does not parse or validate, a brief, script or shot
    list naming what the bible lacks."""
    if not folder.is_dir():
        raise InputError(f"no package folder {folder}")
    brief_file = brief_path or folder / "brief.yaml"
    if not brief_file.is_file():
        raise InputError(f"brief file not found: {brief_file} (pass {param('brief')} FILE)")
    bible_file = bible_path or folder / "bible.yaml"
    if not bible_file.is_file():
        if bible_path is not None:
            raise InputError(f"bible file not found: {bible_file}")
        raise InputError(
            f"{folder} records no bible (packages made before bible.yaml was added): "
            f"pass {param('bible')} FILE, the series bible the run used"
        )
    brief = load_brief(brief_file)
    bible = load_bible(bible_file)
    try:
        brief.check_against(bible)
    except ValueError as exc:
        raise InputError(f"brief {brief_file}: {exc}") from None
    script = _read_json(folder / "script.json", Script)
    shots = _read_json(folder / "shots.json", ShotList)
    _check_names(script, shots, bible)
    frames_dir = folder / "frames"
    renders = package_frames(frames_dir, shots) if frames_dir.is_dir() else []
    return PackageInput(brief, bible, script, shots, renders, frames_dir.is_dir())


def _read_json(path: Path, model: type[M]) -> M:
    if not path.is_file():
        raise InputError(f"{path.name} not found in the package: {path}")
    if path.stat().st_size > MAX_JSON_BYTES:
        raise InputError(f"{path} is larger than {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    return parse(model, data, str(path))


def _check_names(script: Script, shots: ShotList, bible: Bible) -> None:
    characters = {c.id for c in bible.characters}
    locations = {loc.id for loc in bible.locations}
    problems = []
    for sc in script.scenes:
        named = {*sc.characters, *(d.character for d in sc.dialogue)}
        problems += [f"scene {sc.id} names character {c!r}" for c in sorted(named - characters)]
        if sc.location not in locations:
            problems.append(f"scene {sc.id} is set in location {sc.location!r}")
    for shot in shots.shots:
        named = {*shot.characters, *(d.character for d in shot.dialogue)}
        problems += [f"shot {shot.id} names character {c!r}" for c in sorted(named - characters)]
        if shot.location not in locations:
            problems.append(f"shot {shot.id} is set in location {shot.location!r}")
    if problems:
        raise InputError(
            "the package names what the bible does not define: " + "; ".join(problems[:10])
        )


def package_frames(frames_dir: Path, shots: ShotList) -> list[RenderResult]:
    """A RenderResult per shot with a regular-file frame inside the folder, at its own size
    (the package does not record the size it was rendered at)."""
    from reelwright.images import open_image

    root = frames_dir.resolve()
    out = []
    for shot in shots.shots:
        path = frames_dir / f"{shot.id}.png"
        if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(root):
            continue  # counted as not rendered
        try:
            with open_image(path, f"frame {path}") as img:
                width, height = img.size
        except InputError:
            width, height = 0, 0  # technical QC reports it unreadable
        out.append(
            RenderResult(
                shot_id=shot.id,
                key="",
                path=str(path),
                cached=True,
                renderer="package",
                model="",
                seed=shot.seed,
                width=width,
                height=height,
                seconds=0.0,
            )
        )
    return out
