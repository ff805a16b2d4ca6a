"""Technical QC of the frames: every shot rendered, every frame passing `check_frame`."""

from __future__ import annotations

from collections.abc import Sequence

from reelwright.compliance.frame_qc import check_frame
from reelwright.critic.defects import Defect
from reelwright.models import Finding, RenderResult, Severity, ShotList


def check_technical(
    shots: ShotList, renders: Sequence[RenderResult]
) -> tuple[list[Defect], list[Finding]]:
    """Defects for the score and the QC findings for the compliance report."""
    findings: list[Finding] = []
    by_shot = {r.shot_id: r for r in renders}
    for shot in shots.shots:
        result = by_shot.get(shot.id)
        if result is None:
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
        findings.extend(check_frame(result))
    defects = [
        Defect(
            check=f.rule,
            dimension="technical",
            target="director",
            gravity="serious" if f.rule == "qc.missing_frame" else "major",
            shot_ids=f.shot_ids,
            text=f"{f.where}: {f.evidence}",
        )
        for f in findings
    ]
    return defects, findings
