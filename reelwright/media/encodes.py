"""Content-addressed cache of what a package derives from its frames and takes: the animatic
(under the digest of each frame's bytes and duration, the sound's bytes, the encoder and its
settings), the contact sheet, the mastered mix. The same cut is never encoded or mastered
twice: not across iterations, not on a resume, and not when an eval replays a recording.

A key covers the Reelwright version and a recipe name, so a release that changes how a file
is made never reads an older one."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

from reelwright.paths import atomic_write, inside
from reelwright.version import __version__

log = logging.getLogger(__name__)


def encode_key(frames: Sequence[tuple[Path, float]], audio: Path | None, recipe: str) -> str:
    """The digest of an encode's inputs: frame bytes and durations in order, the sound's
    bytes, and `recipe` (the encoder binary and its arguments)."""
    h = hashlib.sha256()
    h.update(json.dumps({"version": __version__, "recipe": recipe, "n": len(frames)}).encode())
    for path, seconds in frames:
        h.update(hashlib.sha256(Path(path).read_bytes()).digest())
        h.update(f"{seconds:.3f}".encode())
    h.update(hashlib.sha256(Path(audio).read_bytes()).digest() if audio else b"silent")
    return h.hexdigest()


def digest_key(recipe: str, parts: object) -> str:
    """The key of a file made by `recipe` from `parts` (JSON-able: content keys, settings)."""
    blob = json.dumps([__version__, recipe, parts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class EncodeCache:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, key: str, suffix: str = ".mp4") -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not an encode key: {key!r}")
        return self.root / key[:2] / f"{key}{suffix}"

    def get(self, key: str, suffix: str = ".mp4") -> Path | None:
        """The stored file, if there is one inside the cache folder."""
        p = self.path(key, suffix)
        if not p.is_file():
            return None
        if not inside(p, self.root):
            log.warning("encode cache entry %s leads outside %s: treated as a miss", p, self.root)
            return None
        return p

    def copy_to(self, key: str, target: Path, suffix: str = ".mp4") -> bool:
        """Copy the stored file to `target`; False on a miss."""
        hit = self.get(key, suffix)
        if hit is None:
            return False
        shutil.copyfile(hit, target)
        return True

    def put(self, key: str, encoded: Path, suffix: str = ".mp4") -> Path:
        return self.put_bytes(key, encoded.read_bytes(), suffix)

    def put_bytes(self, key: str, data: bytes, suffix: str) -> Path:
        return atomic_write(self.path(key, suffix), data)
