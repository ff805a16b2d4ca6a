"""Hostile input at the command line: each is exit 2 with a message naming the problem, never
a traceback, and nothing written."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reelwright.cli import app
from tests.conftest import tree

runner = CliRunner()
BRIEF = "briefs/first-light.yaml"
DEEP_FLOW = "[" * 100_000
DEEP_MAPPING = "{a: " * 10_000 + "1" + "}" * 10_000
DEEP_BLOCK = "".join(f"{' ' * i}k{i}:\n" for i in range(200)) + " " * 200 + "x: 1\n"
DEEP = [DEEP_FLOW, DEEP_MAPPING, DEEP_BLOCK]
DEEP_IDS = ["flow-sequences", "flow-mappings", "block-mappings"]


def refused(args: list[str], *messages: str, root: Path | None = None) -> str:
    """Run the CLI; assert exit 2, every message in the output, no traceback, nothing new."""
    before = tree(root) if root else None
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for message in messages:
        assert message in result.output, result.output
    if root is not None:
        assert tree(root) == before
    return result.output


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (1-bit grey): cheap to write, a bomb to
    decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- YAML depth


@pytest.mark.parametrize("payload", DEEP, ids=DEEP_IDS)
@pytest.mark.parametrize("role", ["brief", "bible", "rights", "watchlist"])
def test_deeply_nested_yaml_is_refused_by_depth(project, role, payload):
    target = {
        "brief": project / "deep.yaml",
        "bible": project / "bible.yaml",
        "rights": project / "rights.yaml",
        "watchlist": project / "watchlist.yaml",
    }[role]
    target.write_text(payload)
    brief = "deep.yaml" if role == "brief" else BRIEF
    refused(
        ["run", brief, "--auto-approve", "--out", "out"],
        str(target.name),
        "nested deeper than 64 levels",
        root=project,
    )


@pytest.mark.parametrize("payload", DEEP, ids=DEEP_IDS)
def test_deeply_nested_eval_suite_and_prices_are_refused(project, payload):
    (project / "suite.yaml").write_text(payload)
    refused(["eval", "run", "suite.yaml", "--out", "ev"], "suite.yaml", "nested deeper than 64")
    (project / "prices.yaml").write_text(payload)
    smoke = ["eval", "run", "smoke", "--out", "ev", "--prices", "prices.yaml"]
    refused(smoke, "prices.yaml", "nested deeper than 64")


def test_a_price_table_of_the_wrong_shape_is_refused_before_any_case_runs(project):
    (project / "prices.yaml").write_text("gpt-4o-mini: cheap\n")
    smoke = ["eval", "run", "smoke", "--out", "ev", "--prices", "prices.yaml"]
    refused(smoke, "prices.yaml", "gpt-4o-mini")
    assert not (project / "ev" / "cases").exists()


def test_a_yaml_alias_bomb_is_refused(project):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("title: *a8")
    (project / "bomb.yaml").write_text("\n".join(lines) + "\n")
    refused(["run", "bomb.yaml", "--out", "out"], "bomb.yaml", "too many values", root=project)


# --------------------------------------------------------------------------- watchlists


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"- name: Foo\n  kind: brand\n", "must hold a YAML mapping"),
        ("entries: [{name: Caf\u00e9, kind: brand}]\n".encode("latin-1"), "not UTF-8"),
        (
            yaml.safe_dump(
                {"entries": [{"name": f"N{i}", "kind": "brand"} for i in range(20_001)]}
            ).encode(),
            "entries: List should have at most 20000 items",
        ),
        (
            yaml.safe_dump(
                {"entries": [{"name": "Foo", "kind": "brand", "aliases": ["x" * 5000]}]}
            ).encode(),
            "at most 200 characters",
        ),
        (b"entries: 7\n", "entries: Input should be a valid list"),
    ],
    ids=["a-list", "latin-1", "too-many-entries", "oversize-alias", "wrong-type"],
)
def test_a_bad_watchlist_exits_2_naming_the_file(project, content, message):
    (project / "mine.yaml").write_bytes(content)
    refused(["screen", "--watchlist", "mine.yaml", "hello"], "mine.yaml", message)
    (project / "watchlist.yaml").write_bytes(content)
    refused(["run", BRIEF, "--out", "out"], "watchlist.yaml", message, root=project)


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize("size", [(40_000, 40_000), (9_000, 9_000)], ids=["bomb", "over-limit"])
def test_a_huge_character_sheet_is_refused_before_decoding(project, size):
    (project / "sheets").mkdir()
    (project / "sheets" / "juno.png").write_bytes(png_header(*size))
    bible = yaml.safe_load((project / "bible.yaml").read_text())
    bible["characters"][0]["sheet"] = "sheets/juno.png"
    (project / "bible.yaml").write_text(yaml.safe_dump(bible))
    refused(
        ["run", BRIEF, "--auto-approve", "--out", "out"],
        "sheet sheets/juno.png",
        f"{size[0] * size[1]} pixels",
        "limit is 67108864 pixels",
        root=project,
    )


def test_a_reference_image_bomb_is_refused(project):
    (project / "references").mkdir()
    (project / "references" / "bomb.png").write_bytes(png_header(40_000, 40_000))
    refused(
        ["run", BRIEF, "--auto-approve", "--out", "out"],
        "bomb.png",
        "1600000000 pixels",
        "limit is 67108864 pixels",
        root=project,
    )


# --------------------------------------------------------------------------- state


def test_state_that_is_not_a_database_exits_2(project):
    (project / "notes.txt").write_text("shopping list: eggs, milk, a database\n" * 200)
    url = f"sqlite:///{project / 'notes.txt'}"
    for args in (
        ["run", BRIEF, "--auto-approve", "--out", "out", "--state", url],
        ["resume", "ep1", "--state", url],
        ["review", "list", "--state", url],
    ):
        refused(args, "notes.txt is not a SQLite database", root=project)
    assert (project / "notes.txt").read_text().startswith("shopping list")


# --------------------------------------------------------------------------- fields


BASE = yaml.safe_load((Path(__file__).parents[1] / "examples" / BRIEF).read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seed": 10**30}, "seed: Input should be less than or equal to 4294967295"),
        ({"seed": -1}, "seed: Input should be greater than or equal to 0"),
        ({"tone": "x" * 5000}, "tone: String should have at most 500 characters"),
        ({"audience": "x" * 5000}, "audience: String should have at most 200 characters"),
        ({"aspect_ratio": "1" * 5000 + ":9"}, "aspect_ratio: String should have at most 20"),
        ({"runtime_s": 10**30}, "runtime_s: Input should be less than or equal to 1800"),
        ({"distribution": {"channels": ["web"] * 500}}, "channels: List should have at most"),
        ({"budget": {"max_renders": 10**30}}, "max_renders: Input should be less than or equal"),
    ],
    ids=[
        "huge-seed",
        "negative-seed",
        "tone",
        "audience",
        "aspect",
        "runtime",
        "channels",
        "renders",
    ],
)
def test_out_of_range_brief_fields_exit_2(project, change, message):
    (project / "bad.yaml").write_text(yaml.safe_dump({**BASE, **change}))
    refused(["run", "bad.yaml", "--auto-approve", "--out", "out"], message, root=project)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("characters", 0, "description"), "x" * 5000, "description: String should have at most"),
        (("characters", 0, "seed"), 10**30, "seed: Input should be less than or equal to 4294"),
        (("locations", 0, "description"), "x" * 5000, "description: String should have at most"),
        (("style", "look"), "x" * 5000, "look: String should have at most 1000"),
        (("title",), "x" * 5000, "title: String should have at most 200"),
    ],
    ids=["character", "character-seed", "location", "look", "title"],
)
def test_oversize_bible_fields_exit_2(project, path, value, message):
    bible = yaml.safe_load((project / "bible.yaml").read_text())
    node = bible
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    (project / "bible.yaml").write_text(yaml.safe_dump(bible))
    refused(["run", BRIEF, "--auto-approve", "--out", "out"], "bible", message, root=project)


def test_eval_seed_out_of_range_exits_2(project):
    result = runner.invoke(app, ["eval", "run", "smoke", "--seed", str(10**30), "--out", "ev"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--seed" in result.output


def test_deeply_nested_json_labels_and_baselines_exit_2(project):
    (project / "labels.jsonl").write_text("[" * 100_000 + "\n")
    refused(["eval", "calibrate", "labels.jsonl"], "labels.jsonl:1", "nested too deeply")
    (project / "labels.jsonl").write_bytes('{"id": "caf\u00e9"}\n'.encode("latin-1"))
    refused(["eval", "calibrate", "labels.jsonl"], "labels.jsonl", "not UTF-8")
    (project / "base.json").write_text("[" * 100_000)
    refused(
        ["eval", "run", "smoke", "--compare", "base.json", "--out", "ev"], "base.json", "too deeply"
    )
