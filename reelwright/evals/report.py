"""Eval reports: a self-contained HTML page with inline SVG plots, Markdown for CI logs, and
JUnit XML for CI test tabs."""

from __future__ import annotations

import html
from typing import Any
from xml.etree import ElementTree as ET

from reelwright.models import DIMENSIONS
from reelwright.records import CaseResult, Comparison, EvalLog, SuiteSummary

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


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return html.escape(str(value))


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


def html_report(log: EvalLog, comparison: Comparison | None = None) -> str:
    cases = log.cases
    summary = log.summary
    rows = []
    for c in cases:
        ok = c.expectations_met
        link = (
            f'<a href="cases/{html.escape(c.id)}/package/">package</a>'
            if c.kind == "episode" and c.status != "error"
            else ""
        )
        overall = c.scores.get("overall", "")
        iterations = c.iterations if "iterations" in c.model_fields_set else ""
        rows.append(
            f'<tr class="{"ok" if ok else "fail"}"><td>{html.escape(c.id)}</td>'
            f"<td>{html.escape(', '.join(c.tags))}</td><td>{_fmt(c.status)}</td>"
            f"<td>{'yes' if c.passed else 'no'}</td><td>{'✔' if ok else '✘'}</td>"
            f"<td>{_fmt(iterations)}</td><td>{_fmt(overall)}</td>"
            f"<td>{html.escape('; '.join(c.failures))}</td><td>{link}</td></tr>"
        )
    metric_rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v.mean:.4g}</td>"
        f"<td>[{v.ci95[0]:.4g}, {v.ci95[1]:.4g}]</td><td>{v.n}</td></tr>"
        for k, v in summary.metrics.items()
    )
    compare_html = ""
    if comparison:
        crow = "".join(
            f'<tr class="{"fail" if r.regression else ""}"><td>{html.escape(r.metric)}'
            f"</td><td>{r.baseline:.4g}</td><td>{r.current:.4g}</td>"
            f"<td>{r.diff:+.4g}</td><td>[{r.ci95[0]:+.4g}, {r.ci95[1]:+.4g}]</td>"
            f"<td>{'REGRESSION' if r.regression else ''}</td></tr>"
            for r in comparison.rows
        )
        compare_html = (
            f"<h2>Compared with the baseline (tolerance {comparison.tolerance})</h2>"
            "<table><tr><th>metric</th><th>baseline</th><th>current</th><th>diff</th>"
            f"<th>95% CI</th><th></th></tr>{crow}</table>"
        )
    plots = ""
    if log.kind == "episode":
        plots = (
            f'<figure class="plot" id="scores">{strip_plot(cases)}'
            "<figcaption>Score distributions (dots: cases; bar: mean)</figcaption></figure>"
            f'<figure class="plot" id="iterations">{iteration_plot(cases)}'
            "<figcaption>Overall score by iteration</figcaption></figure>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Reelwright eval: {html.escape(log.suite)}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1100px; }}
table {{ border-collapse: collapse; margin: 8px 0 24px; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
tr.fail td {{ background: #fde8e4; }} tr.ok td {{ background: #eef7ee; }}
figure {{ display: inline-block; margin: 8px 16px 16px 0; }}
figcaption {{ font-size: 12px; color: #555; }}
</style></head><body>
<h1>Eval: {html.escape(log.suite)}</h1>
<p>{summary.cases} cases · {summary.errors} errors · created {html.escape(log.created)}
· log version {log.version}</p>
<figure class="plot" id="pass">{pass_bar(summary)}
<figcaption>Pass rates with bootstrap 95% intervals</figcaption></figure>
{plots}
<h2>Cases</h2>
<table><tr><th>case</th><th>tags</th><th>status</th><th>passed thresholds</th>
<th>expectations</th><th>iterations</th><th>overall</th><th>failures</th><th></th></tr>
{"".join(rows)}</table>
<h2>Suite metrics</h2>
<table><tr><th>metric</th><th>mean</th><th>95% CI</th><th>n</th></tr>{metric_rows}</table>
{compare_html}
</body></html>
"""


def markdown_report(log: EvalLog, comparison: Comparison | None = None) -> str:
    s = log.summary
    lines = [
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
    lines += ["", "| metric | mean | 95% CI | n |", "|---|---|---|---|"]
    for k, v in s.metrics.items():
        lines.append(f"| {k} | {v.mean:.4g} | [{v.ci95[0]:.4g}, {v.ci95[1]:.4g}] | {v.n} |")
    if comparison:
        lines += [
            "",
            f"## Compared with the baseline (tolerance {comparison.tolerance})",
            "",
            "| metric | baseline | current | diff | 95% CI | |",
            "|---|---|---|---|---|---|",
        ]
        for r in comparison.rows:
            lines.append(
                f"| {r.metric} | {r.baseline:.4g} | {r.current:.4g} | "
                f"{r.diff:+.4g} | [{r.ci95[0]:+.4g}, {r.ci95[1]:+.4g}] | "
                f"{'**REGRESSION**' if r.regression else ''} |"
            )
    return "\n".join(lines) + "\n"


def junit_xml(log: EvalLog) -> str:
    cases = log.cases
    suite = ET.Element(
        "testsuite",
        name=log.suite,
        tests=str(len(cases)),
        failures=str(sum(not c.expectations_met and c.status != "error" for c in cases)),
        errors=str(sum(c.status == "error" for c in cases)),
        time=str(log.wall_s),
    )
    for c in cases:
        tc = ET.SubElement(
            suite,
            "testcase",
            classname=f"reelwright.{log.suite}",
            name=c.id,
            time=str(c.wall_s),
        )
        if c.status == "error":
            ET.SubElement(tc, "error", message=c.error[:500]).text = c.error
        elif not c.expectations_met:
            ET.SubElement(tc, "failure", message="; ".join(c.failures)[:500]).text = "\n".join(
                c.failures
            )
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)
