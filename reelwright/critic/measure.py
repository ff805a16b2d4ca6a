"""All the measurement checks over one iteration: defects, QC findings, scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reelwright.critic import scoring
from reelwright.critic.defects import Defect
from reelwright.critic.holds import check_holds
from reelwright.critic.premise import check_premise, premise
from reelwright.critic.repetition import check_repetition
from reelwright.critic.shots import check_shots
from reelwright.critic.speakers import check_speakers
from reelwright.critic.structure import check_structure
from reelwright.critic.technical import check_technical
from reelwright.critic.variety import check_variety
from reelwright.models import Bible, Brief, Finding, RenderResult, Script, ShotList


@dataclass(frozen=True)
class Measurements:
    defects: list[Defect]
    findings: list[Finding]  # frame QC, for the compliance report
    scores: dict[str, float]
    caps: dict[str, float]  # the gravest defect's cap per dimension (see `scoring`)


def measure(
    brief: Brief,
    bible: Bible,
    script: Script,
    shots: ShotList,
    renders: Sequence[RenderResult],
) -> Measurements:
    technical, findings = check_technical(shots, renders)
    defects = [
        *check_structure(brief, script),
        *check_premise(brief, bible, script),
        *check_repetition(script),
        *check_speakers(script, bible),
        *check_holds(brief, script, shots),
        *check_shots(script, shots),
        *check_variety(shots),
        *technical,
    ]
    counts = scoring.units(script, shots, premise(brief, bible).size)
    return Measurements(defects, findings, scoring.scores(counts, defects), scoring.caps(defects))
