"""The critic: measurements that need no model, plus an LLM rubric judge when one is configured.

Each measurement returns a 0-10 score and notes aimed at the agent that can fix the problem,
naming the scene or shot ids concerned, so revisions stay targeted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reelwright.agents import prompts
from reelwright.agents.common import ask
from reelwright.agents.replies import judgement_reply
from reelwright.audio.cache import SpokenClip
from reelwright.audio.mix import Mastering
from reelwright.llm import LLM
from reelwright.models import (
    DIMENSIONS,
    Bible,
    Brief,
    CameraMove,
    Critique,
    Finding,
    Note,
    RenderResult,
    Script,
    Severity,
    ShotList,
    Usage,
)
from reelwright.tools.frame_qc import check_frame


@dataclass
class Measure:
    score: float = 10.0
    notes: list[Note] = field(default_factory=list)

    def penalise(self, amount: float) -> None:
        self.score = max(0.0, self.score - amount)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower()).strip()


def measure_structure(brief: Brief, script: Script) -> Measure:
    m = Measure()
    n, want = len(script.scenes), brief.scene_count
    if n != want:
        m.penalise(min(4.0, 1.0 * abs(n - want)))
        m.notes.append(
            Note(
                target="writer",
                dimension="structure",
                text=f"The brief asks for {want} scenes; the script has {n}.",
            )
        )
    lead = brief.characters[0]
    for scene, where in ((script.scenes[0], "opening"), (script.scenes[-1], "closing")):
        if lead not in scene.characters:
            m.penalise(1.5)
            m.notes.append(
                Note(
                    target="writer",
                    dimension="structure",
                    scene_ids=(scene.id,),
                    text=f"The lead ({lead}) should appear in the {where} scene.",
                )
            )
    for scene in script.scenes:
        if len(scene.beats) < 2:
            m.penalise(1.0)
            m.notes.append(
                Note(
                    target="writer",
                    dimension="structure",
                    scene_ids=(scene.id,),
                    text=f"Scene {scene.id} has a single beat; give it a turn.",
                )
            )
    silent = [s.id for s in script.scenes if not s.dialogue]
    if len(silent) > len(script.scenes) / 2:
        m.penalise(2.0)
        m.notes.append(
            Note(
                target="writer",
                dimension="structure",
                scene_ids=tuple(silent),
                text="Most scenes have no dialogue; the story is hard to follow.",
            )
        )
    return m


def measure_pacing(brief: Brief, script: Script, shots: ShotList) -> Measure:
    from reelwright.agents.common import scene_budgets

    m = Measure()
    total = shots.duration_s
    deviation = abs(total - brief.runtime_s) / brief.runtime_s
    m.penalise(min(10.0, 25.0 * max(0.0, deviation - 0.02)))
    budgets = scene_budgets(brief, script.scenes)
    for scene in script.scenes:
        scene_shots = shots.for_scene(scene.id)
        length = sum(s.duration_s for s in scene_shots)
        if budgets[scene.id] and abs(length - budgets[scene.id]) / budgets[scene.id] > 0.35:
            m.penalise(0.75)
            m.notes.append(
                Note(
                    target="director",
                    dimension="pacing",
                    shot_ids=tuple(s.id for s in scene_shots),
                    text=f"Scene {scene.id} runs {length:.1f}s against a budget of "
                    f"{budgets[scene.id]:.1f}s; retime its shots.",
                )
            )
    for shot in shots.shots:
        if shot.duration_s > 12 and shot.camera_move == CameraMove.static and not shot.dialogue:
            m.penalise(0.5)
            m.notes.append(
                Note(
                    target="director",
                    dimension="pacing",
                    shot_ids=(shot.id,),
                    text=f"Shot {shot.id} holds a static frame for "
                    f"{shot.duration_s:.0f}s with nothing said.",
                )
            )
    if deviation > 0.02 and not m.notes:  # aim the retiming at the scene furthest off
        worst = max(
            script.scenes,
            key=lambda sc: abs(sum(s.duration_s for s in shots.for_scene(sc.id)) - budgets[sc.id]),
        )
        m.notes.append(
            Note(
                target="director",
                dimension="pacing",
                shot_ids=tuple(s.id for s in shots.for_scene(worst.id)),
                text=f"The cut runs {total:.1f}s against a target of {brief.runtime_s}s; "
                f"retime scene {worst.id} first.",
            )
        )
    return m


def measure_dialogue(script: Script) -> Measure:
    m = Measure()
    seen: dict[str, str] = {}
    for scene in script.scenes:
        for line in scene.dialogue:
            key = _norm(line.text)
            if key in seen and seen[key] != scene.id:
                m.penalise(1.5)
                m.notes.append(
                    Note(
                        target="writer",
                        dimension="dialogue",
                        scene_ids=(scene.id,),
                        text=f"Scene {scene.id} repeats a line from scene {seen[key]}: "
                        f'"{line.text[:80]}". Write a fresh one.',
                    )
                )
            seen.setdefault(key, scene.id)
            if len(line.text.split()) > 45:
                m.penalise(0.5)
                m.notes.append(
                    Note(
                        target="writer",
                        dimension="dialogue",
                        scene_ids=(scene.id,),
                        text=f"A line in scene {scene.id} is a speech; cut it down.",
                    )
                )
        speakers = {d.character for d in scene.dialogue}
        if len(scene.characters) > 1 and len(scene.dialogue) >= 3 and len(speakers) == 1:
            m.penalise(0.5)
            m.notes.append(
                Note(
                    target="writer",
                    dimension="dialogue",
                    scene_ids=(scene.id,),
                    text=f"Only one character speaks in scene {scene.id}.",
                )
            )
    return m


def measure_shot_variety(shots: ShotList) -> Measure:
    m = Measure()
    for prev, shot in zip(shots.shots, shots.shots[1:], strict=False):
        if (prev.framing, prev.angle) == (shot.framing, shot.angle):
            m.penalise(1.0)
            m.notes.append(
                Note(
                    target="director",
                    dimension="shot_variety",
                    shot_ids=(shot.id,),
                    text=f"Shot {shot.id} repeats the {shot.framing.value} {shot.angle.value} "
                    f"framing of {prev.id}; vary it.",
                )
            )
    if len(shots.shots) >= 6 and len({s.framing for s in shots.shots}) < 3:
        m.penalise(1.5)
        m.notes.append(
            Note(
                target="director",
                dimension="shot_variety",
                text="The episode uses fewer than three framings.",
            )
        )
    return m


def measure_continuity(brief: Brief, script: Script, shots: ShotList) -> Measure:
    m = Measure()
    for scene in script.scenes:
        outsiders = [c for c in scene.characters if c not in brief.characters]
        if outsiders:
            m.penalise(1.0)
            m.notes.append(
                Note(
                    target="writer",
                    dimension="continuity",
                    scene_ids=(scene.id,),
                    text=f"Scene {scene.id} uses characters outside the brief: {outsiders}.",
                )
            )
        scene_shots = shots.for_scene(scene.id)
        if not scene_shots:
            m.penalise(2.0)
            m.notes.append(
                Note(
                    target="director",
                    dimension="continuity",
                    scene_ids=(scene.id,),
                    text=f"Scene {scene.id} has no shots.",
                )
            )
            continue
        covered = {(d.character, d.text) for s in scene_shots for d in s.dialogue}
        missing = [d for d in scene.dialogue if (d.character, d.text) not in covered]
        if missing:
            m.penalise(1.0)
            m.notes.append(
                Note(
                    target="director",
                    dimension="continuity",
                    scene_ids=(scene.id,),
                    text=f"{len(missing)} line(s) of scene {scene.id} are in no shot.",
                )
            )
        for shot in scene_shots:
            wrong = [c for c in shot.characters if c not in scene.characters]
            if wrong or shot.location != scene.location:
                m.penalise(1.0)
                m.notes.append(
                    Note(
                        target="director",
                        dimension="continuity",
                        shot_ids=(shot.id,),
                        text=f"Shot {shot.id} does not match scene {scene.id} "
                        f"(location {shot.location}, characters {shot.characters}).",
                    )
                )
    return m


def measure_technical(
    shots: ShotList, renders: Sequence[RenderResult]
) -> tuple[Measure, list[Finding]]:
    m = Measure()
    findings: list[Finding] = []
    by_shot = {r.shot_id: r for r in renders}
    for shot in shots.shots:
        result = by_shot.get(shot.id)
        if result is None:
            m.penalise(2.0)
            findings.append(
                Finding(
                    rule="qc.missing_frame",
                    severity=Severity.block,
                    where=f"shot {shot.id}",
                    evidence="no frame was rendered",
                    target="director",
                    shot_ids=(shot.id,),
                )
            )
            continue
        for problem in check_frame(result):
            m.penalise(2.0)
            findings.append(problem)
    for f in findings:
        m.notes.append(
            Note(
                target="director",
                dimension="technical",
                shot_ids=f.shot_ids,
                text=f"{f.where}: {f.evidence}",
                source="critic",
            )
        )
    return m, findings


class Critic:
    """Scores an iteration. With an LLM, the rubric judge's scores are averaged in, notes added."""

    def __init__(self, llm: LLM | None = None) -> None:
        self.llm = llm

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
        technical, findings = measure_technical(shots, renders)
        if speech:  # audio QC (reelwright/audio/qc.py): silence, clipping, cut lines, loudness
            from reelwright.audio.qc import audio_findings

            heard = audio_findings(shots, speech, bible, mastering or Mastering())
            for f in heard:
                technical.penalise(2.0 if f.severity == Severity.block else 1.0)
                technical.notes.append(
                    Note(
                        target="director",
                        dimension="technical",
                        shot_ids=f.shot_ids,
                        text=f"{f.where}: {f.evidence}",
                    )
                )
            findings = [*findings, *heard]
        measures = {
            "structure": measure_structure(brief, script),
            "pacing": measure_pacing(brief, script, shots),
            "dialogue": measure_dialogue(script),
            "shot_variety": measure_shot_variety(shots),
            "continuity": measure_continuity(brief, script, shots),
            "technical": technical,
        }
        scores = {d: round(measures[d].score, 2) for d in DIMENSIONS}
        notes = [n for d in DIMENSIONS for n in measures[d].notes]
        usage = Usage()
        judge = "measurements"
        if self.llm is not None:
            reply, usage = ask(
                self.llm,
                prompts.judgement(brief, script, shots, scores),
                judgement_reply(script, shots),
                agent="critic",
                where="the whole episode",
            )
            judged = reply.scores.model_dump()
            scores = {d: round((scores[d] + judged[d]) / 2, 2) for d in DIMENSIONS}
            notes += [
                Note(
                    target=n.target,
                    dimension=n.dimension,
                    text=n.text,
                    scene_ids=tuple(n.scene_ids),
                    shot_ids=tuple(n.shot_ids),
                    source="judge",
                )
                for n in reply.notes
            ]
            judge = "measurements+llm"
        overall = round(sum(scores.values()) / len(scores), 2)
        critique = Critique(
            iteration=iteration,
            scores=scores,
            overall=overall,
            notes=notes,
            findings=findings,
            judge=judge,
        )
        return critique, usage


__all__ = ["Critic"]
