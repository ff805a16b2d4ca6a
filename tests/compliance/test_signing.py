"""C2PA: a signed frame verifies against the development CA; a changed pixel or another CA
does not."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from reelwright.cli import app
from reelwright.compliance.signing import creation_manifest, init_signing, sign_in_place, verify

SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@pytest.fixture(scope="module")
def signer(tmp_path_factory):
    config, created = init_signing(tmp_path_factory.mktemp("home"))
    assert created
    return config


@pytest.fixture
def frame(tmp_path, signer) -> Path:
    path = tmp_path / "s1-1.png"
    Image.new("RGB", (48, 32), (120, 160, 200)).save(path)
    sign_in_place(
        path,
        signer,
        creation_manifest(
            "s1-1.png", SOURCE, "reelwright 0.1.0", {"run_id": "r1", "model": "tiny"}
        ),
    )
    return path


def change_one_pixel(path: Path) -> None:
    """Rewrite the PNG's image data with one pixel changed, keeping every other chunk
    (the C2PA manifest included)."""
    data = path.read_bytes()
    pos, chunks = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    ihdr = chunks[0][1]
    width = struct.unpack(">I", ihdr[:4])[0]
    raw = bytearray(zlib.decompress(b"".join(c for k, c in chunks if k == b"IDAT")))
    stride = width * 3 + 1
    raw[stride + 1] ^= 0x40  # second row, first pixel, red channel (filter byte first)
    out = bytearray(data[:8])
    wrote = False
    for kind, body in chunks:
        if kind == b"IDAT":
            if wrote:
                continue
            body, wrote = zlib.compress(bytes(raw)), True
        out += struct.pack(">I", len(body)) + kind + body
        out += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    path.write_bytes(bytes(out))


def test_signed_frame_verifies_with_the_development_ca(frame, signer):
    result = verify(frame, signer.ca.read_bytes())
    assert result.ok and result.state == "Trusted"
    actions = result.manifest["assertions"][0]["data"]["actions"]
    assert actions[0]["action"] == "c2pa.created"
    assert actions[0]["digitalSourceType"] == SOURCE


def test_one_pixel_changed_after_signing_fails(frame, signer):
    change_one_pixel(frame)
    assert Image.open(frame).getpixel((0, 1)) != (120, 160, 200)
    result = verify(frame, signer.ca.read_bytes())
    assert not result.ok and result.state == "Invalid"
    assert any("mismatch" in f or "hash" in f for f in result.failures)


def test_frame_signed_by_another_ca_is_untrusted(frame, tmp_path):
    other, _ = init_signing(tmp_path / "other-home")
    result = verify(frame, other.ca.read_bytes())
    assert not result.trusted and not result.ok


def test_verify_cli_exit_codes(frame, signer, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(frame), "--trust", str(signer.ca)])
    assert ok.exit_code == 0 and "Trusted" in ok.output
    other, _ = init_signing(tmp_path / "elsewhere")
    untrusted = runner.invoke(app, ["verify", str(frame), "--trust", str(other.ca)])
    assert untrusted.exit_code == 1 and "not trusted" in untrusted.output
    unsigned = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(unsigned)
    assert runner.invoke(app, ["verify", str(unsigned), "--trust", str(signer.ca)]).exit_code == 1
    change_one_pixel(frame)
    assert runner.invoke(app, ["verify", str(frame), "--trust", str(signer.ca)]).exit_code == 1
    missing = runner.invoke(app, ["verify", str(tmp_path / "nope.png")])
    assert missing.exit_code == 2
