"""Eval reports: a self-contained HTML page with inline SVG plots, Markdown for CI logs, and
JUnit XML for CI test tabs."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from reelwright.evals.verdict import run_verdict
from reelwright.models import DIMENSIONS
from reelwright.records import CaseResult, Comparison, ComparisonRow, EvalLog, SuiteSummary

PALETTE = [
    "#2a6f97",
    "#e07a5f",
    "#3d405b",
    "#81b29a",
    "#f2cc8f",
    "#9c6644",
    "#6d597a",
    "#b56576",
    "#355070",
    "#588157",
]


def _num(value: float | None, fmt: str = ".4g") -> str:
    return "–" if value is None else format(value, fmt)


def _ci(ci: tuple[float, float] | None) -> str:
    return "–" if ci is None else f"[{ci[0]:+.4g}, {ci[1]:+.4g}]"


def _judgement(r: ComparisonRow) -> str:
    if r.regression:
        return "REGRESSION"
    return "reported" if r.gate == "reported" else ""


# --------------------------------------------------------------------------- SVG plots


def strip_plot(cases: list[CaseResult]) -> str:
    """Score distribution: one row per dimension, one dot per case, the mean as a bar."""
    dims = [*DIMENSIONS, "overall"]
    w, row, left = 640, 34, 120
    h = row * len(dims) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="score distributions">',
        f'<rect width="{w}" height="{h}" fill="#fbfbf8"/>',
    ]
    scale = (w - left - 20) / 10
    for t in range(0, 11, 2):
        x = left + t * scale
        parts.append(f'<line x1="{x}" y1="10" x2="{x}" y2="{h - 25}" stroke="#ddd"/>')
        parts.append(f'<text x="{x}" y="{h - 8}" font-size="11" text-anchor="middle">{t}</text>')
    for i, dim in enumerate(dims):
        y = 25 + i * row
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" font-size="12" text-anchor="end">{dim}</text>'
        )
        values = [c.scores[dim] for c in cases if dim in c.scores]
        for k, v in enumerate(values):
            jitter = ((k * 7) % 11 - 5) * 1.2
            parts.append(
                f'<circle cx="{left + v * scale:.1f}" cy="{y + jitter:.1f}" r="4" '
                f'fill="{PALETTE[i % len(PALETTE)]}" fill-opacity="0.7"/>'
            )
        if values:
            mean = sum(values) / len(values)
            parts.append(
                f'<line x1="{left + mean * scale:.1f}" y1="{y - 11}" '
                f'x2="{left + mean * scale:.1f}" y2="{y + 11}" stroke="#111" '
                f'stroke-width="3"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def iteration_plot(cases: list[CaseResult]) -> str:
    """Overall score by iteration, one line per case."""
    w, h, left, bottom = 640, 300, 50, 40
    histories = [c.score_history for c in cases if c.score_history]
    most = max((len(x) for x in histories), default=1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="score by iteration">',
        f'<rect width="{w}" height="{h}" fill="#fbfbf8"/>',
    ]
    xs = lambda i: left + (w - left - 30) * (i / max(1, most - 1)) if most > 1 else left + 20  # noqa: E731
    ys = lambda v: 15 + (h - bottom - 15) * (1 - v / 10)  # noqa: E731
    for t in range(0, 11, 2):
        parts.append(
            f'<line x1="{left}" y1="{ys(t):.1f}" x2="{w - 20}" y2="{ys(t):.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{ys(t) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{t}</text>'
        )
    for i in range(most):
        parts.append(
            f'<text x="{xs(i):.1f}" y="{h - 15}" font-size="11" text-anchor="middle">'
            f"iteration {i + 1}</text>"
        )
    for k, hist in enumerate(histories):
        colour = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{xs(i):.1f},{ys(s['overall']):.1f}" for i, s in enumerate(hist))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2" stroke-opacity="0.8"/>'
        )
        for i, s in enumerate(hist):
            parts.append(
                f'<circle cx="{xs(i):.1f}" cy="{ys(s["overall"]):.1f}" r="3" fill="{colour}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def pass_bar(summary: SuiteSummary) -> str:
    """Pass rate and expectation rate with their 95% intervals."""
    w, h, left = 640, 110, 150
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="pass rates">',
        f'<rect width="{w}" height="{h}" fill="#fbfbf8"/>',
    ]
    scale = w - left - 30
    for i, name in enumerate(["pass_rate", "expectation_rate"]):
        m = summary.metrics.get(name)
        if not m:
            continue
        y = 20 + i * 40
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{name.replace('_', ' ')}</text>"
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{scale:.1f}" height="22" fill="#eee"/>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{m.mean * scale:.1f}" height="22" '
            f'fill="{PALETTE[i]}"/>'
        )
        lo, hi = m.ci95
        parts.append(
            f'<line x1="{left + lo * scale:.1f}" y1="{y + 11}" '
            f'x2="{left + hi * scale:.1f}" y2="{y + 11}" stroke="#111" '
            f'stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{left + scale + 4}" y="{y + 15}" font-size="11">{m.mean:.0%}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- documents

PASS_SERIES = [
    ("pass rate (critic thresholds met)", PALETTE[0]),
    ("expectation rate (the suite's assertions)", PALETTE[1]),
]
TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _templates() -> Any:
    """The report page's template: every value autoescaped; a name it gets wrong is an error."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def chart_series(cases: list[CaseResult]) -> dict[str, list[tuple[str, str]]]:
    """Every series the charts draw, named with its colour, for their legends."""
    dims = [*DIMENSIONS, "overall"]
    return {
        "pass": PASS_SERIES,
        "interval": [("95% Wilson interval", "#111")],
        "scores": [(d, PALETTE[i % len(PALETTE)]) for i, d in enumerate(dims)],
        "mean": [("mean over cases", "#111")],
        "iterations": [
            (c.id, PALETTE[k % len(PALETTE)])
            for k, c in enumerate(x for x in cases if x.score_history)
        ],
    }


def html_report(log: EvalLog, comparison: Comparison | None = None) -> str:
    """The self-contained report page (templates/report.html), led by the verdict."""
    from markupsafe import Markup

    cases = log.cases
    plots = {  # SVG built from numbers and fixed names (see the plot functions)
        "pass": Markup(pass_bar(log.summary)),
        "scores": Markup(strip_plot(cases)),
        "iterations": Markup(iteration_plot(cases)),
    }
    return str(
        _templates()
        .get_template("report.html")
        .render(
            log=log,
            summary=log.summary,
            cases=cases,
            verdict=run_verdict(log, comparison),
            plots=plots,
            series=chart_series(cases),
            comparison=comparison,
        )
    )


def comparison_markdown(comparison: Comparison) -> list[str]:
    lines = [
        f"## Compared with the baseline of {comparison.baseline_created}",
        "",
        f"{comparison.cases_compared} cases paired by id; one-sided tests at "
        f"alpha {comparison.alpha}; operational metrics "
        f"{'gated' if comparison.gate_operational else 'reported only'}.",
        "",
    ]
    if comparison.only_in_baseline or comparison.only_in_current:
        lines += [
            f"**The case sets differ**: missing from this run: "
            f"{', '.join(comparison.only_in_baseline) or '-'}; new in this run: "
            f"{', '.join(comparison.only_in_current) or '-'}.",
            "",
        ]
    lines += [
        "| metric | gate | n | baseline | current | diff | 95% CI | p | tolerance | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in comparison.rows:
        mark = "**REGRESSION**" if r.regression else _judgement(r)
        worse = f" ({', '.join(r.worse_cases)})" if r.regression and r.gate == "cases" else ""
        lines.append(
            f"| {r.metric} | {r.gate} | {r.n} | {_num(r.baseline)} | {_num(r.current)} | "
            f"{_num(r.diff, '+.4g')} | {_ci(r.ci95)} | {_num(r.p_value, '.3g')} | "
            f"{_num(r.tolerance, 'g')} | {mark}{worse} {r.note} |"
        )
    return lines


def comparison_text(comparison: Comparison) -> str:
    """The comparison as a plain-text table for the console."""
    head = f"{'metric':<22} {'gate':<11} {'n':>3} {'baseline':>9} {'current':>9} {'diff':>9}"
    lines = [head + f"  {'95% CI of diff':<20} {'p':>6}"]
    for r in comparison.rows:
        lines.append(
            f"{r.metric:<22} {r.gate:<11} {r.n:>3} {_num(r.baseline):>9} {_num(r.current):>9} "
            f"{_num(r.diff, '+.4g'):>9}  {_ci(r.ci95):<20} {_num(r.p_value, '.3g'):>6}"
            f"  {_judgement(r)} {r.note}".rstrip()
        )
    return "\n".join(lines)


def markdown_report(log: EvalLog, comparison: Comparison | None = None) -> str:
    s = log.summary
    lines = [
        f"**{run_verdict(log, comparison).line}**",
        "",
        f"# Eval: {log.suite}",
        "",
        f"{s.cases} cases, {s.errors} errors.",
        "",
        "| case | status | passed | expectations | iterations | overall |",
        "|---|---|---|---|---|---|",
    ]
    for c in log.cases:
        iterations = c.iterations if "iterations" in c.model_fields_set else ""
        lines.append(
            f"| {c.id} | {c.status} | {'yes' if c.passed else 'no'} | "
            f"{'ok' if c.expectations_met else 'FAIL: ' + '; '.join(c.failures)}"
            f" | {iterations} | {c.scores.get('overall', '')} |"
        )
    lines += ["", "| metric | mean | 95% CI | interval | n |", "|---|---|---|---|---|"]
    for k, v in s.metrics.items():
        lines.append(
            f"| {k} | {v.mean:.4g} | [{v.ci95[0]:.4g}, {v.ci95[1]:.4g}] | {v.ci} | {v.n} |"
        )
    if comparison:
        lines += ["", *comparison_markdown(comparison)]
    return "\n".join(lines) + "\n"


# Characters XML 1.0 cannot carry at all (not even as character references).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` with every character XML 1.0 cannot hold shown as a visible escape (`\\x1b`),
    so a case's error or failure text never breaks the report."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def junit_xml(log: EvalLog) -> str:
    cases = log.cases
    suite = ET.Element(
        "testsuite",
        name=xml_text(log.suite),
        tests=str(len(cases)),
        failures=str(sum(not c.expectations_met and c.status != "error" for c in cases)),
        errors=str(sum(c.status == "error" for c in cases)),
        time=str(log.wall_s),
    )
    for c in cases:
        tc = ET.SubElement(
            suite,
            "testcase",
            classname=xml_text(f"reelwright.{log.suite}"),
            name=xml_text(c.id),
            time=str(c.wall_s),
        )
        if c.status == "error":
            error = xml_text(c.error)
            ET.SubElement(tc, "error", message=error[:500]).text = error
        elif not c.expectations_met:
            failures = [xml_text(f) for f in c.failures]
            ET.SubElement(tc, "failure", message="; ".join(failures)[:500]).text = "\n".join(
                failures
            )
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)
