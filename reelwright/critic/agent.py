"""The critic: measurements that need no model, plus an LLM rubric judge when one is configured.

The measurements are the checks in `reelwright.critic` (each names the scene or shot ids it
concerns and the agent that can fix it); `reelwright.critic.scoring` turns them into scores.
"""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.audio.cache import SpokenClip
from reelwright.audio.mix import Mastering
from reelwright.config import JudgeSettings, Settings
from reelwright.critic import scoring
from reelwright.critic.frames import FrameMeasurer, not_measured
from reelwright.critic.judge import Judge, combine_scores
from reelwright.critic.measure import measure
from reelwright.llm import LLM
from reelwright.media.encodes import EncodeCache
from reelwright.models import (
    DIMENSIONS,
    Bible,
    Brief,
    Critique,
    Note,
    RenderResult,
    Script,
    Severity,
    ShotList,
    Usage,
)


class Critic:
    """Scores an iteration: the deterministic checks (`reelwright.critic.measure`), frames
    when a `frames` measurer is configured, then, with an LLM, the rubric judge. A dimension's
    final score is the lowest of its measurements and the judge's
    (`reelwright.critic.judge.combine_scores`): neither can lift what the other fails."""

    def __init__(
        self,
        llm: LLM | None = None,
        *,
        judge: JudgeSettings | None = None,
        frames: FrameMeasurer | None = None,
        masters: EncodeCache | None = None,
    ) -> None:
        self.llm = llm
        self.judge_settings = judge or JudgeSettings()
        self.frames = frames
        self.masters = masters  # mastered tracks by content: the audio QC's, then the package's

    def critique(
        self,
        iteration: int,
        brief: Brief,
        bible: Bible,
        script: Script,
        shots: ShotList,
        renders: Sequence[RenderResult],
        speech: Sequence[SpokenClip] = (),
        mastering: Mastering | None = None,
    ) -> tuple[Critique, Usage]:
        checked = measure(brief, bible, script, shots, renders)
        scores = dict(checked.scores)
        findings = checked.findings
        notes = [d.note() for d in checked.defects]
        # frames (reelwright.critic.frames): a measured dimension keeps the lower score
        frames, frame_notes = (
            self.frames.measure(bible, shots, renders)
            if self.frames is not None
            else (not_measured(), [])
        )
        scores = {d: min(scores[d], frames.scores.get(d, scores[d])) for d in DIMENSIONS}
        notes += frame_notes
        if speech:  # audio QC (reelwright/audio/qc.py): silence, clipping, cut lines, loudness
            from reelwright.audio.qc import audio_findings

            heard = audio_findings(shots, speech, bible, mastering or Mastering(), self.masters)
            penalty = sum(2.0 if f.severity == Severity.block else 1.0 for f in heard)
            scores["technical"] = round(max(0.0, scores["technical"] - penalty), 2)
            notes += [
                Note(
                    target="director",
                    dimension="technical",
                    shot_ids=f.shot_ids,
                    text=f"{f.where}: {f.evidence}",
                )
                for f in heard
            ]
            findings = [*findings, *heard]
        measured = dict(scores)
        usage = Usage()
        judge = "measurements"
        verdict = None
        if self.llm is not None:  # the judge (reelwright.critic.judge): lower of the two
            verdict = Judge(self.llm, self.judge_settings).judge(
                brief, bible, script, shots, renders
            )
            usage = verdict.usage
            scores = combine_scores(measured, verdict)
            notes += verdict.notes
            judge = "measurements+llm"
        critique = Critique(
            iteration=iteration,
            scores=scores,
            overall=scoring.overall(scores),
            notes=notes,
            findings=findings,
            judge=judge,
            measured_scores=measured,
            judge_scores=verdict.scores if verdict else None,
            judge_samples=verdict.samples if verdict else [],
            judge_saw_frames=list(verdict.saw_frames) if verdict else [],
            frames=frames,
        )
        return critique, usage


def critic_from_settings(settings: Settings, llm: LLM | None = None) -> Critic:
    """The critic a run uses: frames measured when REELWRIGHT_CLIP_MODEL names a model, the
    judge's samples and frames from settings, the LLM judge when `llm` is given."""
    from reelwright.critic.frames import clip_frames_from_settings

    return Critic(
        llm,
        judge=settings.judge,
        frames=clip_frames_from_settings(settings.clip.model, settings.clip.device),
        masters=EncodeCache(settings.paths.encodes),
    )


__all__ = ["Critic", "critic_from_settings"]
