"""Read briefs and bibles from YAML, turning every problem into an InputError that names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from reelwright.errors import InputError, param
from reelwright.models import Bible, Brief
from reelwright.paths import inside

M = TypeVar("M", bound=BaseModel)
MAX_YAML_BYTES = 2_000_000
MAX_YAML_DEPTH = 64
MAX_YAML_VALUES = 200_000


class _TooDeep(yaml.YAMLError):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _DepthLimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer (the one recursive part of PyYAML) refuses nesting deeper
    than MAX_YAML_DEPTH before Python's recursion limit can be reached."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        if self._depth >= MAX_YAML_DEPTH:
            raise _TooDeep(self.peek_event().start_mark.line + 1)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _count_values(data: Any, where: str) -> None:
    """Refuse a document that expands (through aliases, or cycles) to more than
    MAX_YAML_VALUES values; counted without recursion."""
    stack, seen = [data], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_YAML_VALUES:
            raise InputError(
                f"{where} holds too many values (over {MAX_YAML_VALUES} once aliases are expanded)"
            )
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def load_yaml_text(text: str, where: str) -> Any:
    """Parse untrusted YAML with limits on depth and expanded size; every problem is an
    InputError naming `where`."""
    try:
        data = yaml.load(text, Loader=_DepthLimitedLoader)  # noqa: S506 - a SafeLoader
    except _TooDeep as exc:
        raise InputError(
            f"{where} is nested deeper than {MAX_YAML_DEPTH} levels (at line {exc.line})"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{where} is not valid YAML: {exc}") from None
    except RecursionError:  # belt and braces: never a traceback
        raise InputError(f"{where} is nested too deeply") from None
    _count_values(data, where)
    return data


def read_yaml(path: Path, what: str) -> dict[str, object]:
    """Every YAML file the project reads comes through here: size, encoding, depth and
    expanded-size limits, and a mapping at the top."""
    if not path.is_file():
        raise InputError(f"{what} file not found: {path}")
    if path.stat().st_size > MAX_YAML_BYTES:
        raise InputError(f"{what} file {path} is larger than {MAX_YAML_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} file {path} is not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise InputError(f"{what} file {path} cannot be read: {exc}") from None
    data = load_yaml_text(text, f"{what} file {path}")
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
    path = Path(path)
    bible = parse(Bible, read_yaml(path, "bible"), f"bible {path}")
    for character in bible.characters:
        if character.sheet:
            if not allow_outside_sheets:  # before the file is opened at all
                check_sheet(
                    path.resolve().parent / character.sheet,
                    path.resolve().parent,
                    what=f"bible {path}: character {character.id}: sheet {character.sheet}",
                    hint=f"pass {param('allow_outside_sheets', 'True')} to use it",
                )
            character.sheet = str(_sheet_path(path, character.id, character.sheet))
    return bible


def _sheet_path(bible_path: Path, character_id: str, sheet: str) -> Path:
    """A character sheet, relative to the bible, that must be an image Pillow can read and
    no larger than MAX_IMAGE_PIXELS."""
    from PIL import UnidentifiedImageError

    from reelwright.images import open_image

    where = (bible_path.resolve().parent / sheet).resolve()
    what = f"bible {bible_path}: character {character_id}: sheet {sheet}"
    if not where.is_file():
        raise InputError(f"{what} not found (looked for {where})")
    with open_image(where, what) as img:
        try:
            img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
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
        f"no series bible given: pass {param('bible')} FILE, or put bible.yaml beside {brief_path} "
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


def check_sheet(sheet: Path, folder: Path | None, *, what: str, hint: str) -> None:
    """Refuse a character sheet outside `folder` (the bible's), symlinks resolved; with no
    folder (a Bible object built in Python) every sheet counts as outside."""
    if folder is not None and inside(sheet, folder):
        return
    where = f"the bible's folder {folder.resolve()}" if folder else "any bible's folder"
    raise InputError(f"{what} ({sheet.resolve()}) is outside {where}; {hint}")


def check_sheets(bible: Bible, bible_path: Path | None, *, allowed: bool) -> None:
    """Every sheet of `bible` inside the bible's folder, unless allowed."""
    if allowed:
        return
    folder = bible_path.resolve().parent if bible_path else None
    for character in bible.characters:
        if character.sheet:
            check_sheet(
                Path(character.sheet),
                folder,
                what=f"character {character.id}: sheet {character.sheet}",
                hint=f"pass {param('allow_outside_sheets', 'True')} to use it",
            )
