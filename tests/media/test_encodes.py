"""The animatic cache: the same frames, durations and sound are encoded once; any change to
them is a new encode; an entry that leads outside the cache is never used."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest
from PIL import Image

from reelwright.media.encodes import EncodeCache, encode_key
from reelwright.renderers import animatic
from reelwright.renderers.animatic import write_animatic


def frames(folder: Path, n: int = 3) -> list[tuple[Path, float]]:
    out = []
    for i in range(n):
        p = folder / f"f{i}.png"
        Image.new("RGB", (64, 36), (40 * i, 90, 160)).save(p)
        out.append((p, 0.5 + i * 0.25))
    return out


def tone(path: Path, seconds: float = 1.25, level: int = 3000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24_000)
        w.writeframes(
            b"".join(
                ((level if (i // 40) % 2 else -level) & 0xFFFF).to_bytes(2, "little")
                for i in range(int(24_000 * seconds))
            )
        )
    return path


@pytest.fixture
def ffmpeg_calls(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd, *args, **kwargs):
        calls.append(list(cmd))
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(animatic.subprocess, "run", counting)
    return calls


def test_the_same_cut_is_encoded_once_and_copied_after(tmp_path, ffmpeg_calls):
    cache = EncodeCache(tmp_path / "encodes")
    cut, sound = frames(tmp_path), tone(tmp_path / "mix.wav")
    first = write_animatic(cut, tmp_path / "a" / "animatic.mp4", sound, cache)
    second = write_animatic(cut, tmp_path / "b" / "animatic.mp4", sound, cache)
    assert len(ffmpeg_calls) == 1
    assert first.read_bytes() == second.read_bytes() and len(first.read_bytes()) > 0
    assert not second.is_symlink()  # a package holds its own file, not a link into the cache
    assert len(list((tmp_path / "encodes").rglob("*.mp4"))) == 1


def test_a_changed_frame_duration_or_sound_is_encoded_again(tmp_path, ffmpeg_calls):
    cache = EncodeCache(tmp_path / "encodes")
    cut, sound = frames(tmp_path), tone(tmp_path / "mix.wav")
    write_animatic(cut, tmp_path / "0.mp4", sound, cache)
    retimed = [(p, s + (0.5 if i == 1 else 0)) for i, (p, s) in enumerate(cut)]
    write_animatic(retimed, tmp_path / "1.mp4", sound, cache)
    write_animatic(cut, tmp_path / "2.mp4", tone(tmp_path / "other.wav", level=6000), cache)
    write_animatic(cut, tmp_path / "3.mp4", None, cache)
    Image.new("RGB", (64, 36), (250, 0, 0)).save(cut[2][0])  # same name, other picture
    write_animatic(cut, tmp_path / "4.mp4", sound, cache)
    assert len(ffmpeg_calls) == 5
    assert len(list((tmp_path / "encodes").rglob("*.mp4"))) == 5


def test_the_key_covers_order_durations_sound_and_recipe(tmp_path):
    cut, sound = frames(tmp_path), tone(tmp_path / "mix.wav")
    key = encode_key(cut, sound, "x264")
    assert key == encode_key(list(cut), sound, "x264")
    assert key != encode_key(list(reversed(cut)), sound, "x264")
    assert key != encode_key([(p, s + 0.001) for p, s in cut], sound, "x264")
    assert key != encode_key(cut, None, "x264")
    assert key != encode_key(cut, sound, "x265")


def test_an_entry_leading_outside_the_cache_is_a_miss(tmp_path, ffmpeg_calls):
    cache = EncodeCache(tmp_path / "encodes")
    cut = frames(tmp_path)
    key = encode_key(cut, None, "anything")
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(b"not yours")
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).symlink_to(outside)
    assert cache.get(key) is None and not cache.copy_to(key, tmp_path / "t.mp4")
    with pytest.raises(ValueError, match="not an encode key"):
        cache.path("../../etc/passwd")


def test_without_a_cache_every_call_encodes(tmp_path, ffmpeg_calls):
    cut = frames(tmp_path)
    write_animatic(cut, tmp_path / "a.mp4")
    write_animatic(cut, tmp_path / "b.mp4")
    assert len(ffmpeg_calls) == 2


def test_a_contact_sheet_of_the_same_frames_and_ids_is_drawn_once(tmp_path, monkeypatch):
    from reelwright.renderers.animatic import contact_sheet

    drawn: list[int] = []
    real = animatic.ImageDraw.Draw
    monkeypatch.setattr(animatic.ImageDraw, "Draw", lambda im: drawn.append(1) or real(im))
    cache = EncodeCache(tmp_path / "encodes")
    named = [(f"s1-{i}", p) for i, (p, _) in enumerate(frames(tmp_path))]
    first = contact_sheet(named, tmp_path / "a.png", cache=cache)
    again = contact_sheet(named, tmp_path / "b.png", cache=cache)
    assert len(drawn) == 1 and first.read_bytes() == again.read_bytes()
    relabelled = [("s9-9", named[0][1]), *named[1:]]  # the ids are drawn on the sheet
    contact_sheet(relabelled, tmp_path / "c.png", cache=cache)
    contact_sheet(named, tmp_path / "d.png", columns=2, cache=cache)
    assert len(drawn) == 3
