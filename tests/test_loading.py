"""Briefs and bibles: every problem is an InputError that names it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reelwright.errors import InputError
from reelwright.loading import load_bible, load_brief, load_inputs


def write(tmp_path: Path, data: object, name: str = "brief.yaml") -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return p


BRIEF = {
    "title": "T",
    "logline": "Someone wants something badly.",
    "runtime_s": 30,
    "characters": ["juno"],
}


def test_example_brief_and_bible_load(examples):
    brief, bible = load_inputs(examples / "briefs" / "storm-signal.yaml", None)
    assert brief.scene_count == 6 and bible.character("juno").name == "Juno Park"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": None}, "title"),
        ({"runtime_s": "long"}, "runtime_s"),
        ({"runtime_s": 5}, "runtime_s"),
        ({"aspect_ratio": "wide"}, "aspect_ratio must look like '16:9'"),
        ({"aspect_ratio": "10:1"}, "outside 1:4"),
        ({"characters": ["../x"]}, "not a safe id"),
        ({"colour": "blue"}, "unknown field"),
    ],
)
def test_bad_brief_fields_are_named(tmp_path, change, message):
    data = {**BRIEF, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(InputError, match=message):
        load_brief(write(tmp_path, data))


def test_missing_field_is_named(tmp_path):
    with pytest.raises(InputError, match=r"logline: missing required field"):
        load_brief(write(tmp_path, {k: v for k, v in BRIEF.items() if k != "logline"}))


def test_non_yaml_and_non_mapping_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="not valid YAML"):
        load_brief(write(tmp_path, "title: [unclosed\n  - x: y"))
    with pytest.raises(InputError, match="must hold a YAML mapping"):
        load_brief(write(tmp_path, "- just\n- a list\n"))
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        load_brief(binary)
    with pytest.raises(InputError, match="not found"):
        load_brief(tmp_path / "missing.yaml")


def test_unknown_character_is_named_with_the_known_ones(tmp_path, examples):
    brief = write(tmp_path, {**BRIEF, "characters": ["juno", "zorblax"]})
    with pytest.raises(InputError, match=r"unknown character\(s\) zorblax \(bible has: bram"):
        load_inputs(brief, examples / "bible.yaml")


def test_bible_with_duplicate_ids_is_refused(tmp_path, examples):
    data = yaml.safe_load((examples / "bible.yaml").read_text())
    data["characters"].append(dict(data["characters"][0]))
    with pytest.raises(InputError, match="duplicate character id 'juno'"):
        load_bible(write(tmp_path, data, "bible.yaml"))


def test_bible_is_found_beside_or_above_the_brief(tmp_path, examples):
    (tmp_path / "briefs").mkdir()
    (tmp_path / "bible.yaml").write_text((examples / "bible.yaml").read_text())
    brief = write(tmp_path / "briefs", BRIEF)
    assert load_inputs(brief, None)[1].title == "Tidewater Workshop"
    lonely = tmp_path / "elsewhere" / "deeper"
    lonely.mkdir(parents=True)
    with pytest.raises(InputError, match="no series bible given"):
        load_inputs(write(lonely, BRIEF), None)


def _bible_with_sheet(tmp_path: Path, examples: Path, sheet: str) -> Path:
    data = yaml.safe_load((examples / "bible.yaml").read_text())
    data["characters"][0]["sheet"] = sheet
    path = tmp_path / "series" / "bible.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data))
    return path


def test_character_sheets_resolve_beside_the_bible(tmp_path, examples):
    from PIL import Image

    (tmp_path / "series" / "sheets").mkdir(parents=True)
    Image.new("RGB", (48, 48), "gold").save(tmp_path / "series" / "sheets" / "juno.png")
    bible = load_bible(_bible_with_sheet(tmp_path, examples, "sheets/juno.png"))
    assert bible.characters[0].sheet == str(tmp_path / "series" / "sheets" / "juno.png")
    assert bible.characters[1].sheet is None


def test_a_missing_or_unreadable_sheet_is_named(tmp_path, examples):
    with pytest.raises(InputError, match="character juno: sheet sheets/nope.png not found"):
        load_bible(_bible_with_sheet(tmp_path, examples, "sheets/nope.png"))
    path = _bible_with_sheet(tmp_path, examples, "notes.png")
    (path.parent / "notes.png").write_text("not an image")
    with pytest.raises(InputError, match="sheet notes.png is not an image"):
        load_bible(path)
