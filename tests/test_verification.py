"""`reelwright verify PACKAGE`: one verdict per file; an edited, removed, added or unsigned file
fails the package (exit 1), and an untrusted signer is told apart from no signature."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reelwright.api import run_episode
from reelwright.cli import app
from reelwright.compliance.signing import init_signing
from reelwright.config import Settings
from reelwright.verification import verify_package
from tests.conftest import permissive_brief

runner = CliRunner()


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    """A published package signed with a development CA, and that CA."""
    root = tmp_path_factory.mktemp("signed")
    settings = Settings(home=root / "home", state=f"sqlite:///{root / 'home' / 'state.sqlite'}")
    config, _ = init_signing(settings.home)
    brief = permissive_brief(root / "project")
    outcome = run_episode(
        brief, out=root / "out", settings=settings, llm=None, auto_approve=True, voice="none"
    )
    assert outcome.status == "published"
    return root / "out", config.ca


@pytest.fixture
def package(made, tmp_path) -> Path:
    """A copy of the signed package, free to damage."""
    copy = tmp_path / "out"
    shutil.copytree(made[0], copy)
    return copy


def verify(package: Path, ca: Path, *more: str):
    return runner.invoke(
        app,
        ["verify", str(package), "--trust", str(ca), "--json", *more],
    )


def verdicts(result) -> dict[str, str]:
    return {f["file"]: f["verdict"] for f in json.loads(result.output)["files"]}


def strip_signature(path: Path) -> None:
    """Drop the PNG's C2PA chunk (caBX), keeping the pixels."""
    data = path.read_bytes()
    out, pos = bytearray(data[:8]), 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if kind != b"caBX":
            out += data[pos:end]
        pos = end
    assert len(out) < len(data), "the frame had no C2PA chunk to strip"
    path.write_bytes(bytes(out))


def test_a_clean_signed_package_verifies(package, made):
    result = verify(package, made[1])
    assert result.exit_code == 0, result.output
    seen = verdicts(result)
    assert set(seen.values()) == {"ok"}
    assert {"script.json", "provenance.json", "animatic.mp4", "frames/s1-1.png"} <= set(seen)
    table = runner.invoke(
        app,
        ["verify", str(package), "--trust", str(made[1])],
    )
    assert table.exit_code == 0 and "verified: all" in table.output


def test_an_edited_file_is_caught(package, made):
    script = package / "script.md"
    script.write_text(script.read_text() + "\nOne more line.\n")
    result = verify(package, made[1])
    assert result.exit_code == 1
    seen = verdicts(result)
    assert seen["script.md"] == "edited"
    assert [v for v in seen.values() if v != "ok"] == ["edited"]


def test_a_removed_file_and_an_added_one_are_caught(package, made):
    (package / "shots.json").unlink()
    (package / "notes.txt").write_text("mine")
    seen = verdicts(verify(package, made[1]))
    assert seen["shots.json"] == "missing" and seen["notes.txt"] == "unlisted"


def test_a_removed_signature_is_unsigned_and_an_untrusted_signer_is_not(package, made, tmp_path):
    strip_signature(package / "frames" / "s1-1.png")
    result = verify(package, made[1])
    assert result.exit_code == 1
    seen = verdicts(result)
    assert seen["frames/s1-1.png"] == "unsigned"
    assert seen["frames/s1-2.png"] == "ok"
    other, _ = init_signing(tmp_path / "other-home")
    elsewhere = verify(package, other.ca)
    assert elsewhere.exit_code == 1
    seen = verdicts(elsewhere)
    assert seen["frames/s1-1.png"] == "unsigned"
    assert seen["frames/s1-2.png"] == "untrusted signer"
    assert seen["animatic.mp4"] == "untrusted signer"


def test_a_damaged_provenance_record_is_edited_and_signatures_are_still_checked(package, made):
    (package / "provenance.json").write_text("{}")
    result = verify(package, made[1])
    assert result.exit_code == 1
    seen = verdicts(result)
    assert seen["provenance.json"] == "edited"
    assert seen["frames/s1-1.png"] == "ok" and seen["animatic.mp4"] == "ok"


def test_a_package_made_without_a_signer_fails_and_says_how_to_sign(tmp_path, settings):
    brief = permissive_brief(tmp_path / "project")
    outcome = run_episode(
        brief, out=tmp_path / "out", settings=settings, llm=None, auto_approve=True, voice="none"
    )
    assert outcome.status == "published"
    checked = verify_package(tmp_path / "out", None)
    assert not checked.ok and not checked.signed
    unsigned = {f.file for f in checked.files if f.verdict == "unsigned"}
    assert "animatic.mp4" in unsigned and "frames/s1-1.png" in unsigned
    assert all(f.ok for f in checked.files if f.file not in unsigned)
    result = runner.invoke(app, ["verify", str(tmp_path / "out")])
    assert result.exit_code == 1 and "reelwright init-signing" in result.output


def test_a_folder_without_run_json_is_bad_input(tmp_path):
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 2 and "not an episode package" in result.output
