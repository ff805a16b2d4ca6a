"""Visual screening: frames compared by perceptual hash against the project's protected
reference images, and against frames of earlier episodes for near-duplicates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelwright.images import open_image
from reelwright.models import Finding, RenderResult, Severity
from reelwright.paths import atomic_write

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"}
HASH_BITS = 256  # 16x16 pHash: finer than the 8x8 default, so unrelated frames stay far apart


def perceptual_hash(path: Path | str, what: str | None = None) -> str:
    """16x16 pHash; an image that is unreadable or over MAX_IMAGE_PIXELS is an InputError."""
    import imagehash

    with open_image(path, what or f"image {path}") as img:
        return str(imagehash.phash(img.convert("RGB"), hash_size=16))


def similarity(a: str, b: str) -> float:
    import imagehash

    distance = imagehash.hex_to_hash(a) - imagehash.hex_to_hash(b)
    return 1.0 - distance / HASH_BITS


@dataclass(frozen=True)
class Reference:
    name: str
    hash: str


class ReferenceLibrary:
    """A folder of protected reference images (characters, logos, key art) the project supplies."""

    def __init__(self, folder: Path | str, threshold: float = 0.85) -> None:
        self.folder = Path(folder)
        self.threshold = threshold
        self.references = [
            Reference(p.name, perceptual_hash(p, f"reference image {p}"))
            for p in sorted(self.folder.rglob("*"))
            if p.suffix.lower() in IMAGE_SUFFIXES
        ]

    def best_match(self, frame_hash: str) -> tuple[Reference, float] | None:
        scored = [(r, similarity(frame_hash, r.hash)) for r in self.references]
        return max(scored, key=lambda x: x[1], default=None)

    def screen(self, renders: Sequence[RenderResult]) -> list[Finding]:
        findings = []
        for r in renders:
            match = self.best_match(perceptual_hash(r.path))
            if match and match[1] >= self.threshold:
                ref, score = match
                findings.append(
                    Finding(
                        rule="visual.protected_reference",
                        severity=Severity.block,
                        where=f"shot {r.shot_id}",
                        entity=ref.name,
                        kind="reference_image",
                        evidence=f"frame matches protected reference {ref.name} "
                        f"(similarity {score:.2f} >= {self.threshold:.2f})",
                        fix="re-plan the shot so it does not reproduce the reference",
                        target="director",
                        shot_ids=(r.shot_id,),
                    )
                )
        return findings


class FrameHistory:
    """Hashes of frames published by earlier runs, in one JSON file under the project home."""

    def __init__(self, path: Path, threshold: float = 0.97) -> None:
        self.path = Path(path)
        self.threshold = threshold
        self._hashes: dict[str, str] = {}  # render key -> hash: each frame hashed once

    def _hash(self, r: RenderResult) -> str:
        if r.key not in self._hashes:
            self._hashes[r.key] = perceptual_hash(r.path)
        return self._hashes[r.key]

    def _load(self) -> dict[str, dict[str, dict[str, str]]]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def screen(self, run_id: str, renders: Sequence[RenderResult]) -> list[Finding]:
        history = {k: v for k, v in self._load().items() if k != run_id}
        findings: list[Finding] = []
        if not history:
            return findings
        for r in renders:
            h = self._hash(r)
            for other_run, frames in history.items():
                for shot_id, seen in frames.items():
                    if seen["key"] == r.key:
                        continue  # the same content re-used on purpose, not a near-copy
                    score = similarity(h, seen["hash"])
                    if score >= self.threshold:
                        findings.append(
                            Finding(
                                rule="visual.near_duplicate",
                                severity=Severity.info,
                                where=f"shot {r.shot_id}",
                                entity=f"{other_run}/{shot_id}",
                                evidence=f"near-duplicate of run {other_run} shot {shot_id} "
                                f"(similarity {score:.2f})",
                                shot_ids=(r.shot_id,),
                            )
                        )
        return findings

    def record(self, run_id: str, renders: Sequence[RenderResult]) -> None:
        data = self._load()
        data[run_id] = {r.shot_id: {"hash": self._hash(r), "key": r.key} for r in renders}
        atomic_write(self.path, json.dumps(data).encode())
