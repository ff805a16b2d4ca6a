"""Frames measured with a local CLIP-family model: does each frame show its prompt, and does
each character look the same from shot to shot?

- Prompt adherence (dimension `technical`): the cosine between a frame's image embedding and
  its shot prompt's text embedding. CLIP cosines are small and model-dependent (a matching
  prompt scores about 0.25-0.35 with ViT-B/32 or L/14, an unrelated one 0.10-0.20), so the
  test is mostly relative: a frame fails when it matches its own prompt no better than the
  median of the episode's other prompts (with 3+ shots), or falls under an absolute floor
  (0.18) that real CLIP models rarely give a frame that shows its prompt.
- Character consistency (dimension `continuity`): the cosine between image embeddings of each
  frame a character is in and the character's reference, its sheet when the bible names one,
  else its first appearance. Two renders of the same design score about 0.8-0.95; a frame
  fails under an absolute floor (0.70), or (with 3+ frames compared) when it falls more than
  0.08 below the character's median, an off-model outlier within this episode.

A dimension's frame score is 10 x the share of measurements that pass; each failure is a
note to the director naming the shot. torch and transformers are imported inside functions;
the model loads from local safetensors only (`local_files_only`), never downloaded.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reelwright.errors import InputError
from reelwright.models import Bible, FrameMeasures, Note, RenderResult, Shot, ShotList

if TYPE_CHECKING:
    from PIL import Image as PILImage

logger = logging.getLogger("reelwright.critic.frames")

NOT_CONFIGURED = "no CLIP model configured (set REELWRIGHT_CLIP_MODEL to a local model folder)"
_BATCH = 16


class FrameMeasurer(Protocol):
    """Measures an iteration's frames: the record for critique.json and notes for the director."""

    def measure(
        self, bible: Bible, shots: ShotList, renders: Sequence[RenderResult]
    ) -> tuple[FrameMeasures, list[Note]]: ...


@dataclass(frozen=True)
class FrameThresholds:
    """Where a CLIP measurement fails; the defaults are for CLIP ViT-B/32 and L/14 class models
    (see the module docstring)."""

    adherence_floor: float = 0.18
    consistency_floor: float = 0.70
    consistency_drop: float = 0.08
    relative_from: int = 3  # the relative tests need this many comparisons to have a median


def not_measured(reason: str = NOT_CONFIGURED) -> FrameMeasures:
    return FrameMeasures(measured=False, reason=reason)


def check_model_folder(folder: Path) -> None:
    """A folder with a model config and safetensors weights, or an InputError saying which."""
    what = f"REELWRIGHT_CLIP_MODEL {folder}"
    if not folder.is_dir():
        raise InputError(f"{what}: no such folder (it must be a local CLIP model folder)")
    if not (folder / "config.json").is_file():
        raise InputError(f"{what}: no config.json (a transformers CLIP model folder is needed)")
    if not any(folder.glob("*.safetensors")):
        found = sorted(p.name for p in folder.glob("*.bin")) or ["no weights"]
        raise InputError(
            f"{what}: no .safetensors weights (found {', '.join(found)}); Reelwright loads "
            "weights from safetensors only: convert the model or use a safetensors release"
        )


@dataclass
class ClipFrames:
    """A `FrameMeasurer` with a local CLIP-family model (transformers `CLIPModel` and
    `CLIPProcessor`). The folder is checked at once; the model loads on first use. Image
    embeddings are kept per render key (content-addressed) and prompt embeddings per prompt,
    so a later iteration embeds only the frames and prompts that changed."""

    folder: Path
    device: str = "cpu"
    thresholds: FrameThresholds = field(default_factory=FrameThresholds)
    _loaded: tuple[Any, Any] | None = field(default=None, init=False, repr=False)
    _images: dict[str, list[float]] = field(default_factory=dict, init=False, repr=False)
    _texts: dict[str, list[float]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        check_model_folder(self.folder)

    @property
    def name(self) -> str:
        return self.folder.name

    # -- embeddings ------------------------------------------------------------------------

    def _model(self) -> tuple[Any, Any]:
        if self._loaded is None:
            from transformers import CLIPModel, CLIPProcessor

            try:
                model = CLIPModel.from_pretrained(
                    self.folder, use_safetensors=True, local_files_only=True
                )
                processor = CLIPProcessor.from_pretrained(self.folder, local_files_only=True)
            except (OSError, ValueError, KeyError) as exc:
                raise InputError(
                    f"REELWRIGHT_CLIP_MODEL {self.folder}: not a CLIP model Reelwright can "
                    f"load: {exc}"
                ) from None
            loaded: Any = model  # transformers' typing of `.to` does not take a device string
            self._loaded = (loaded.to(self.device).eval(), processor)
            logger.info("CLIP model %s loaded on %s", self.folder, self.device)
        return self._loaded

    def _embed_images(self, images: Sequence[PILImage.Image]) -> list[list[float]]:
        import torch

        model, processor = self._model()
        out: list[list[float]] = []
        for start in range(0, len(images), _BATCH):
            batch = processor(images=list(images[start : start + _BATCH]), return_tensors="pt")
            with torch.no_grad():
                pixels = batch["pixel_values"].to(self.device)
                features = model.get_image_features(pixel_values=pixels)
            out += _unit_rows(features)
        return out

    def _embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        import torch

        model, processor = self._model()
        out: list[list[float]] = []
        for start in range(0, len(texts), _BATCH):
            batch = processor(
                text=list(texts[start : start + _BATCH]),
                return_tensors="pt",
                padding=True,
                truncation=True,  # the CLIP window is 77 tokens: the head of each prompt
            )
            with torch.no_grad():
                features = model.get_text_features(
                    input_ids=batch["input_ids"].to(self.device),
                    attention_mask=batch["attention_mask"].to(self.device),
                )
            out += _unit_rows(features)
        return out

    def _frame_embeddings(self, renders: Sequence[RenderResult]) -> dict[str, list[float]]:
        """Shot id -> image embedding, for each frame that opens; new ones embedded in batches."""
        from reelwright.images import open_image

        todo: dict[str, PILImage.Image] = {}
        for r in renders:
            if r.key in self._images or r.key in todo:
                continue
            try:
                with open_image(r.path, f"frame of shot {r.shot_id}") as img:
                    todo[r.key] = img.convert("RGB")
            except InputError as exc:  # technical QC reports the frame; here it is unmeasured
                logger.warning("frames: %s", exc)
        if todo:
            for key, vector in zip(todo, self._embed_images(list(todo.values())), strict=True):
                self._images[key] = vector
        return {r.shot_id: self._images[r.key] for r in renders if r.key in self._images}

    def _sheet_embedding(self, path: Path) -> list[float] | None:
        from reelwright.images import open_image

        key = f"sheet:{path}:{path.stat().st_mtime_ns}" if path.is_file() else ""
        if not key:
            return None
        if key not in self._images:
            with open_image(path, f"character sheet {path}") as img:
                self._images[key] = self._embed_images([img.convert("RGB")])[0]
        return self._images[key]

    # -- measurements ----------------------------------------------------------------------

    def measure(
        self, bible: Bible, shots: ShotList, renders: Sequence[RenderResult]
    ) -> tuple[FrameMeasures, list[Note]]:
        frames = self._frame_embeddings(renders)
        measured = [s for s in shots.shots if s.id in frames]
        if not measured:
            return not_measured("no frame could be read"), []
        adherence, adherence_notes = self._adherence(measured, frames)
        consistency, references, consistency_notes = self._consistency(bible, measured, frames)
        scores = {"technical": _share_score(adherence, adherence_notes)}
        pairs = sum(len(v) for v in consistency.values())
        if pairs:
            scores["continuity"] = round(10.0 * (pairs - len(consistency_notes)) / pairs, 2)
        record = FrameMeasures(
            measured=True,
            model=self.name,
            adherence={k: round(v, 4) for k, v in adherence.items()},
            consistency={c: {k: round(v, 4) for k, v in m.items()} for c, m in consistency.items()},
            references=references,
            scores=scores,
        )
        return record, adherence_notes + consistency_notes

    def _adherence(
        self, shots: Sequence[Shot], frames: dict[str, list[float]]
    ) -> tuple[dict[str, float], list[Note]]:
        prompts = [s.prompt for s in shots]
        new = list(dict.fromkeys(p for p in prompts if p not in self._texts))
        if new:
            self._texts.update(zip(new, self._embed_texts(new), strict=True))
        texts = [self._texts[p] for p in prompts]
        sims = [[_dot(frames[shot.id], text) for text in texts] for shot in shots]
        own = {shot.id: sims[i][i] for i, shot in enumerate(shots)}
        notes: list[Note] = []
        for i, typical in adherence_failures(prompts, sims, self.thresholds):
            shot = shots[i]
            against = (
                f", while other shots' prompts score {typical:.2f} on it"
                if typical is not None
                else ""
            )
            notes.append(
                Note(
                    target="director",
                    dimension="technical",
                    shot_ids=(shot.id,),
                    text=f"The frame of shot {shot.id} does not show its prompt (CLIP "
                    f"similarity {sims[i][i]:.2f}{against}); make the prompt name what the "
                    "shot must show, and re-render it.",
                )
            )
        return own, notes

    def _consistency(
        self, bible: Bible, shots: Sequence[Shot], frames: dict[str, list[float]]
    ) -> tuple[dict[str, dict[str, float]], dict[str, str], list[Note]]:
        sheets = {c.id: Path(c.sheet) for c in bible.characters if c.sheet}
        names = {c.id: c.name for c in bible.characters}
        appearances: dict[str, list[Shot]] = {}
        for shot in shots:
            for c in shot.characters:
                appearances.setdefault(c, []).append(shot)
        out: dict[str, dict[str, float]] = {}
        references: dict[str, str] = {}
        notes: list[Note] = []
        for character, seen in appearances.items():
            reference = self._sheet_embedding(sheets[character]) if character in sheets else None
            if reference is not None:
                references[character], compared = "sheet", seen
            else:
                reference, compared = frames[seen[0].id], seen[1:]
                references[character] = seen[0].id
            if not compared:
                continue
            sims = {s.id: _dot(reference, frames[s.id]) for s in compared}
            out[character] = sims
            median, failing = consistency_failures(sims, self.thresholds)
            where = (
                "their character sheet"
                if references[character] == "sheet"
                else f"their first appearance (shot {references[character]})"
            )
            for shot_id in failing:
                sim = sims[shot_id]
                typical = f"; their median is {median:.2f}" if median is not None else ""
                notes.append(
                    Note(
                        target="director",
                        dimension="continuity",
                        shot_ids=(shot_id,),
                        text=f"In shot {shot_id}, {names.get(character, character)} looks "
                        f"unlike {where} (CLIP image similarity {sim:.2f}{typical}); "
                        "re-render it on-model.",
                    )
                )
        return out, references, notes


def adherence_failures(
    prompts: Sequence[str], sims: Sequence[Sequence[float]], thresholds: FrameThresholds
) -> list[tuple[int, float | None]]:
    """Frames that do not show their prompt. `sims[i][j]` is frame i against prompt j. Frame i
    fails under the absolute floor, or (given enough other prompts) when it matches its own
    prompt no better than the median of the other shots' (distinct) prompts. Returns
    (i, that median or None) for each failure."""
    out: list[tuple[int, float | None]] = []
    for i, row in enumerate(sims):
        others = [row[j] for j, p in enumerate(prompts) if p != prompts[i]]
        enough = len(others) >= thresholds.relative_from - 1
        typical = statistics.median(others) if enough else None
        if row[i] < thresholds.adherence_floor or (typical is not None and row[i] <= typical):
            out.append((i, typical))
    return out


def consistency_failures(
    sims: dict[str, float], thresholds: FrameThresholds
) -> tuple[float | None, list[str]]:
    """The shots (by id) where a character is off-model: under the absolute floor, or (given
    enough frames) more than `consistency_drop` below the character's median. Returns the
    median (None when too few frames for one) and the failing shot ids."""
    t = thresholds
    median = statistics.median(sims.values()) if len(sims) >= t.relative_from else None
    failing = [
        shot_id
        for shot_id, sim in sims.items()
        if sim < t.consistency_floor or (median is not None and sim < median - t.consistency_drop)
    ]
    return median, failing


def _share_score(values: dict[str, float], failures: Sequence[Note]) -> float:
    return round(10.0 * (len(values) - len(failures)) / len(values), 2) if values else 10.0


def _unit_rows(features: Any) -> list[list[float]]:
    """L2-normalised rows. transformers 5 returns an output whose `pooler_output` is the
    projected embedding; 4.x returns the tensor itself."""
    import torch

    tensor = features if isinstance(features, torch.Tensor) else features.pooler_output
    tensor = tensor / tensor.norm(dim=-1, keepdim=True)
    rows: list[list[float]] = tensor.float().cpu().tolist()
    return rows


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def clip_frames_from_settings(folder: Path | None, device: str = "cpu") -> ClipFrames | None:
    """The frame measurer for `REELWRIGHT_CLIP_MODEL`, or None when it is unset."""
    return ClipFrames(folder, device=device) if folder is not None else None


__all__ = [
    "NOT_CONFIGURED",
    "ClipFrames",
    "adherence_failures",
    "consistency_failures",
    "FrameMeasurer",
    "FrameThresholds",
    "check_model_folder",
    "clip_frames_from_settings",
    "not_measured",
]
