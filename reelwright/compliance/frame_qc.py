"""Technical QC on rendered frames: blank, clipped exposure, too little detail, wrong size."""

from __future__ import annotations

from PIL import ImageFilter, ImageStat

from reelwright.errors import InputError
from reelwright.images import open_image
from reelwright.models import Finding, RenderResult, Severity


def check_frame(result: RenderResult) -> list[Finding]:
    where = f"shot {result.shot_id}"

    def finding(rule: str, evidence: str, fix: str) -> Finding:
        return Finding(
            rule=rule,
            severity=Severity.block,
            where=where,
            evidence=evidence,
            fix=fix,
            target="director",
            shot_ids=(result.shot_id,),
        )

    try:
        with open_image(result.path, "frame") as img:
            img.load()
            frame = img.convert("L")
            size = img.size
    except (InputError, OSError, ValueError) as exc:
        return [finding("qc.unreadable", f"frame cannot be read: {exc}", "re-render the shot")]
    out: list[Finding] = []
    if size != (result.width, result.height):
        out.append(
            finding(
                "qc.size",
                f"frame is {size[0]}x{size[1]}, expected {result.width}x{result.height}",
                "re-render at the episode's size",
            )
        )
    small = frame.resize((64, max(1, round(64 * size[1] / size[0]))))
    stat = ImageStat.Stat(small)
    mean, std = stat.mean[0], stat.stddev[0]
    if std < 2.0:
        out.append(
            finding(
                "qc.blank",
                f"frame is blank (mean {mean:.0f}, spread {std:.1f})",
                "re-render with another seed",
            )
        )
    else:
        hist = small.histogram()
        pixels = sum(hist)
        clipped = (sum(hist[:3]) + sum(hist[-3:])) / pixels
        if clipped > 0.6:
            out.append(
                finding(
                    "qc.clipped",
                    f"{clipped:.0%} of the frame is crushed or blown",
                    "re-render with balanced exposure",
                )
            )
        detail = ImageStat.Stat(small.filter(ImageFilter.FIND_EDGES)).mean[0]
        if detail < 1.0:
            out.append(
                finding(
                    "qc.low_detail",
                    f"edge energy {detail:.2f} is very low",
                    "re-render with more detail",
                )
            )
    return out
