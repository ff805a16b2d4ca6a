"""The LLM judge: the episode against an anchored rubric (`prompts.JUDGE_RUBRIC`), with its
frames when the model takes images, asked `samples` times independently.

How the judge and the measurements combine (documented in docs/judge.md):
each final dimension score is the minimum of the measured score and the judge's median score.
Either side can fail a dimension, neither can lift one the other fails: an LLM that likes
everything cannot clear a measured defect, and a story problem no detector names still
counts. The judge's `technical` score counts only when it saw frames: without them it has no
evidence about the pictures. The judge is not shown the measured scores, so it is a second,
independent opinion rather than an echo.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from reelwright.agents.calls import ask, total_usage
from reelwright.config import JudgeSettings
from reelwright.critic import prompts
from reelwright.critic.replies import JudgementReply, judgement_reply
from reelwright.errors import InputError
from reelwright.llm import LLM
from reelwright.messages import ImagePart, image_part
from reelwright.models import DIMENSIONS, Bible, Brief, Note, RenderResult, Script, ShotList, Usage

logger = logging.getLogger("reelwright.critic.judge")


@dataclass(frozen=True)
class Verdict:
    """The judge's opinion: the median per dimension over its samples, each sample's scores,
    the notes of the sample nearest the median, and the shots whose frames it saw."""

    scores: dict[str, float]
    samples: list[dict[str, float]]
    notes: list[Note]
    saw_frames: tuple[str, ...]
    usage: Usage


class Judge:
    """Asks the LLM for `settings.samples` independent judgements of one iteration."""

    def __init__(self, llm: LLM, settings: JudgeSettings | None = None) -> None:
        self.llm = llm
        self.settings = settings or JudgeSettings()

    def judge(
        self,
        brief: Brief,
        bible: Bible,
        script: Script,
        shots: ShotList,
        renders: Sequence[RenderResult],
    ) -> Verdict:
        frames = self._frames(shots, renders) if self.llm.vision != "off" else {}
        messages = prompts.judgement(
            brief, script, shots, bible=bible, frames=tuple(frames.values())
        )
        reply_type = judgement_reply(script, shots)
        n = self.settings.samples

        def sample(k: int) -> tuple[JudgementReply, Usage]:
            where = "the whole episode" + (f", sample {k + 1} of {n}" if n > 1 else "")
            return ask(self.llm, messages, reply_type, agent="critic", where=where)

        if n == 1:
            replies = [sample(0)]
        else:  # independent requests: concurrently (the port is thread-safe)
            with ThreadPoolExecutor(max_workers=n) as pool:
                replies = list(pool.map(sample, range(n)))
        # vision "off" now: the endpoint rejected the images, so the judge saw text only
        saw = tuple(frames) if self.llm.vision != "off" else ()
        samples = [{d: float(v) for d, v in r.scores.model_dump().items()} for r, _ in replies]
        median = {d: round(statistics.median(s[d] for s in samples), 2) for d in DIMENSIONS}
        chosen = min(
            range(len(samples)),
            key=lambda i: sum(abs(samples[i][d] - median[d]) for d in DIMENSIONS),
        )
        notes = [
            Note(
                target=note.target,
                dimension=note.dimension,
                text=note.text,
                scene_ids=tuple(note.scene_ids),
                shot_ids=tuple(note.shot_ids),
                source="judge",
            )
            for note in replies[chosen][0].notes
        ]
        return Verdict(
            scores=median,
            samples=samples,
            notes=notes,
            saw_frames=saw,
            usage=total_usage(u for _, u in replies),
        )

    def _frames(self, shots: ShotList, renders: Sequence[RenderResult]) -> dict[str, ImagePart]:
        """Up to `max_frames` frames spread evenly over the episode, downscaled, each labelled
        with its shot id; a frame that cannot be read is left out (technical QC reports it)."""
        by_shot = {r.shot_id: r for r in renders}
        ordered = [s.id for s in shots.shots if s.id in by_shot]
        k = min(self.settings.max_frames, len(ordered))
        if k == 0:
            return {}
        picked = (
            ordered
            if k == len(ordered)
            else [ordered[round(i * (len(ordered) - 1) / max(k - 1, 1))] for i in range(k)]
        )
        out: dict[str, ImagePart] = {}  # shot id -> its frame, in episode order
        for shot_id in dict.fromkeys(picked):
            try:
                path = by_shot[shot_id].path
                out[shot_id] = image_part(path, f"shot {shot_id}", max_px=self.settings.frame_px)
            except InputError as exc:
                logger.warning("judge: %s; left out", exc)
        return out


def combine_scores(measured: dict[str, float], verdict: Verdict) -> dict[str, float]:
    """Per dimension, the lower of the measured score and the judge's median; the judge's
    `technical` counts only when it saw frames."""
    out = {}
    for d in DIMENSIONS:
        if d == "technical" and not verdict.saw_frames:
            out[d] = measured[d]
        else:
            out[d] = round(min(measured[d], verdict.scores[d]), 2)
    return out


__all__ = ["Judge", "Verdict", "combine_scores"]
