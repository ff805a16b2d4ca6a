"""Read briefs and bibles from YAML, turning every problem into an InputError that names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from reelwright.errors import InputError
from reelwright.models import Bible, Brief

M = TypeVar("M", bound=BaseModel)
MAX_YAML_BYTES = 2_000_000


def read_yaml(path: Path, what: str) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"{what} file not found: {path}")
    if path.stat().st_size > MAX_YAML_BYTES:
        raise InputError(f"{what} file {path} is larger than {MAX_YAML_BYTES} bytes")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} file {path} is not UTF-8 text: {exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{what} file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(
            f"{what} file {path} must hold a YAML mapping (key: value lines), "
            f"got {type(data).__name__}"
        )
    return data


def validation_message(exc: ValidationError, what: str) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "missing required field"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err["type"] == "string_pattern_mismatch":
            msg = (
                f"{err.get('input')!r} is not a safe id: use letters, digits, '-' and '_', "
                "starting with a letter or digit"
            )
        lines.append(f"  {loc}: {msg}")
    return f"{what} is invalid:\n" + "\n".join(lines)


def parse(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_message(exc, what)) from None


def load_brief(path: Path | str) -> Brief:
    path = Path(path)
    return parse(Brief, read_yaml(path, "brief"), f"brief {path}")


def load_bible(path: Path | str, *, allow_outside_sheets: bool = False) -> Bible:
    """A bible; its character sheets resolve beside it and must stay inside its folder
    (symlinks resolved) unless `allow_outside_sheets`."""
    from reelwright.trust import check_sheet

    path = Path(path)
    bible = parse(Bible, read_yaml(path, "bible"), f"bible {path}")
    for character in bible.characters:
        if character.sheet:
            if not allow_outside_sheets:  # before the file is opened at all
                check_sheet(
                    path.resolve().parent / character.sheet,
                    path.resolve().parent,
                    what=f"bible {path}: character {character.id}: sheet {character.sheet}",
                    hint="pass --allow-sheets-outside (allow_outside_sheets=True) to use it",
                )
            character.sheet = str(_sheet_path(path, character.id, character.sheet))
    return bible


def _sheet_path(bible_path: Path, character_id: str, sheet: str) -> Path:
    """A character sheet, relative to the bible, that must be an image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    where = (bible_path.resolve().parent / sheet).resolve()
    what = f"bible {bible_path}: character {character_id}: sheet {sheet}"
    if not where.is_file():
        raise InputError(f"{what} not found (looked for {where})")
    try:
        with Image.open(where) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputError(f"{what} is not an image Reelwright can read: {exc}") from None
    return where


def find_bible(brief_path: Path) -> Path:
    """A bible.yaml beside the brief, or one folder up (examples/ for examples/briefs/x.yaml)."""
    here = brief_path.resolve().parent
    for folder in (here, here.parent):
        candidate = folder / "bible.yaml"
        if candidate.is_file():
            return candidate
    raise InputError(
        f"no series bible given: pass --bible FILE, or put bible.yaml beside {brief_path} "
        "or in the folder above it"
    )


def project_file(bible_path: Path | None, name: str) -> Path | None:
    """A project file (rights.yaml, watchlist.yaml, references/) beside the bible, if any."""
    if bible_path is None:
        return None
    candidate = bible_path.resolve().parent / name
    return candidate if candidate.exists() else None


def load_inputs(
    brief_path: Path | str, bible_path: Path | str | None, *, allow_outside_sheets: bool = False
) -> tuple[Brief, Bible]:
    """Load and cross-check a brief and its bible."""
    brief_path = Path(brief_path)
    brief = load_brief(brief_path)
    bible_file = Path(bible_path) if bible_path else find_bible(brief_path)
    bible = load_bible(bible_file, allow_outside_sheets=allow_outside_sheets)
    try:
        brief.check_against(bible)
    except ValueError as exc:
        raise InputError(f"brief {brief_path}: {exc}") from None
    return brief, bible
