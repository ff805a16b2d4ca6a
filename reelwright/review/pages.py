"""The review app's pages as HTML, every value escaped; the stylesheet is served from
`/static/review.css`, so the Content-Security-Policy needs no inline style or script."""

from __future__ import annotations

import html
from typing import Any, NamedTuple
from urllib.parse import quote

DIMENSION_COLOURS = ["#2a6f97", "#e07a5f", "#3d405b", "#81b29a", "#c9a227", "#9c6644", "#111"]

STYLESHEET = """\
body { font: 14px/1.45 system-ui, sans-serif; margin: 20px auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 6px 0 18px; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.flash { background: #fff4d6; border: 1px solid #e5c36a; padding: 8px 12px; }
.frames img { width: 240px; margin: 4px; border: 1px solid #ccc; }
#contact-sheet { max-width: 100%; }
.below { color: #b00020; font-weight: bold; } .ok { color: #17702f; }
form.inline { display: inline-block; vertical-align: top; margin-right: 18px; }
form.signout { display: inline; }
textarea { width: 420px; }
"""


class Signed(NamedTuple):
    """Who is signed in, and the CSRF token their forms carry."""

    name: str
    csrf: str


def page(title: str, body: str, who: Signed | None = None) -> str:
    """A whole page: the stylesheet (no inline style or script, for the CSP), the nav with a
    sign-out form when someone is signed in, then `body` (already escaped HTML)."""
    nav = '<nav><a href="/">Queue</a>'
    if who is not None:
        nav += (
            f' · signed in as <b id="who">{html.escape(who.name)}</b> '
            '<form class="signout" method="post" action="/logout">'
            f'<input type="hidden" name="csrf" value="{html.escape(who.csrf)}">'
            '<button type="submit" id="logout">Sign out</button></form>'
        )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} · Reelwright</title>
<link rel="stylesheet" href="/static/review.css">
</head><body><h1>{html.escape(title)}</h1>
{nav}</nav>{body}</body></html>"""


def login_form(csrf: str, msg: str = "") -> str:
    return f"""{flash(msg)}
<form method="post" action="/login" class="card">
<input type="hidden" name="csrf" value="{html.escape(csrf)}">
<label>Reviewer token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Sign in</button></form>"""


def queue_table(runs: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr><td><a href="/runs/{quote(r["run_id"])}">{html.escape(r["run_id"])}</a></td>'
        f"<td>{html.escape(r.get('gate', ''))}</td>"
        f"<td>{html.escape(', '.join(r.get('needs', [])))}</td>"
        f"<td>{r.get('iteration', '')}</td><td>{r.get('overall', '')}</td>"
        f"<td>{'passed' if r.get('passed') else 'below thresholds'}</td></tr>"
        for r in runs
    )
    return (
        '<table id="queue"><tr><th>run</th><th>gate</th><th>needs</th><th>iteration</th>'
        f"<th>overall</th><th></th></tr>{rows}</table>"
        + ("" if rows else '<p class="empty">No runs are waiting for review.</p>')
    )


def flash(msg: str) -> str:
    return f'<p class="flash" id="flash">{html.escape(msg)}</p>' if msg else ""


def score_chart(history: list[dict[str, float]]) -> str:
    if not history:
        return ""
    dims = list(history[0])
    w, h, left, bottom = 560, 240, 40, 30
    xs = [left + (w - left - 120) * (i / max(1, len(history) - 1)) for i in range(len(history))]

    def y(v: float) -> float:
        return 10 + (h - bottom - 10) * (1 - v / 10)

    parts = [
        f'<svg id="score-chart" xmlns="http://www.w3.org/2000/svg" width="{w}" '
        f'height="{h}" role="img" aria-label="scores by iteration">'
        f'<rect width="{w}" height="{h}" fill="#fbfbf8"/>'
    ]
    for t in range(0, 11, 5):
        parts.append(
            f'<line x1="{left}" x2="{w - 120}" y1="{y(t)}" y2="{y(t)}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(t) + 4}" font-size="10" '
            f'text-anchor="end">{t}</text>'
        )
    for k, dim in enumerate(dims):
        colour = DIMENSION_COLOURS[k % len(DIMENSION_COLOURS)]
        pts = " ".join(f"{xs[i]:.1f},{y(s.get(dim, 0)):.1f}" for i, s in enumerate(history))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, s in enumerate(history):
            parts.append(
                f'<circle cx="{xs[i]:.1f}" cy="{y(s.get(dim, 0)):.1f}" r="3" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{w - 110}" y="{18 + k * 16}" font-size="11" '
            f'fill="{colour}">{html.escape(dim)}</text>'
        )
    for i in range(len(history)):
        parts.append(
            f'<text x="{xs[i]:.1f}" y="{h - 8}" font-size="10" '
            f'text-anchor="middle">it. {i + 1}</text>'
        )
    return "".join(parts) + "</svg>"


def render_run(view: dict[str, Any], csrf: str, msg: str) -> str:
    run_id = quote(view["run_id"])
    gate = view["gate"]
    latest = view["scores"][-1] if view["scores"] else {}
    rows = "".join(
        f"<tr><td>{html.escape(d)}</td><td>{latest.get(d, 0):.2f}</td><td>{t:.2f}</td>"
        f'<td class="{"ok" if latest.get(d, 0) >= t else "below"}">'
        f"{'ok' if latest.get(d, 0) >= t else 'below'}</td></tr>"
        for d, t in view["thresholds"].items()
    )
    parts = [
        flash(msg),
        f'<p id="status">Status: <b>{html.escape(view["status"])}</b> · iteration '
        f"{view['iteration']} · {html.escape(view['title'])}</p>",
    ]
    if gate:
        parts.append(
            f'<p id="gate">Waiting at the <b>{html.escape(gate["gate"])}</b> gate '
            f"(revision {html.escape(gate['revision'])}); needs: "
            f"{html.escape(', '.join(gate['needs']) or '—')}</p>"
        )
    parts.append(
        f'<h2>Scores</h2><table id="scores"><tr><th>dimension</th><th>score</th>'
        f"<th>threshold</th><th></th></tr>{rows}</table>{score_chart(view['scores'])}"
    )
    if view["has_frames"]:
        frames = "".join(
            f'<a href="/runs/{run_id}/files/frames/{quote(s["id"])}.png">'
            f'<img alt="{html.escape(s["id"])}" src="/runs/{run_id}/files/frames/'
            f'{quote(s["id"])}.png"></a>'
            for s in view["shots"]
        )
        parts.append(
            f'<h2>Frames</h2><img id="contact-sheet" alt="contact sheet" '
            f'src="/runs/{run_id}/files/contact_sheet.png">'
            f'<div class="frames" id="frames">{frames}</div>'
            f'<h2>Animatic</h2><video id="animatic" controls width="640" '
            f'src="/runs/{run_id}/files/animatic.mp4"></video>'
        )
    if view["script"]:
        scenes = []
        for scene in view["script"]["scenes"]:
            lines = "".join(
                f"<li><b>{html.escape(view['characters'].get(d['character'], d['character']))}"
                f"</b>: {html.escape(d['text'])}</li>"
                for d in scene["dialogue"]
            )
            scenes.append(
                f'<div class="card scene" id="scene-{html.escape(scene["id"])}">'
                f"<b>{html.escape(scene['id'])}</b> {html.escape(scene['summary'])}"
                f"<ol>{lines}</ol></div>"
            )
        parts.append("<h2>Script</h2>" + "".join(scenes))
    if view["shots"]:
        shot_rows = "".join(
            f"<tr><td>{html.escape(s['id'])}</td><td>{html.escape(s['framing'])}</td>"
            f"<td>{s['duration_s']}</td><td>{html.escape(s['prompt'][:220])}</td></tr>"
            for s in view["shots"]
        )
        parts.append(
            '<h2>Shots</h2><table id="shots"><tr><th>shot</th><th>framing</th>'
            f"<th>s</th><th>prompt</th></tr>{shot_rows}</table>"
        )
    findings = "".join(
        f"<tr><td>{html.escape(f['severity'])}</td><td>{html.escape(f['where'])}</td>"
        f"<td>{html.escape(f['evidence'])}</td><td>{html.escape(f.get('entity') or f['rule'])}"
        f"</td></tr>"
        for f in view["findings"]
    )
    parts.append(
        '<h2>Compliance findings</h2><table id="findings"><tr><th>severity</th>'
        f"<th>where</th><th>evidence</th><th>entity</th></tr>{findings}</table>"
    )
    history = "".join(
        f"<tr><td>{html.escape(a['at'])}</td><td>{html.escape(a['gate'])}</td>"
        f"<td>{html.escape(a['by'])}</td><td>{html.escape(a['role'])}</td>"
        f"<td>{html.escape(a['decision'])}</td><td>{html.escape(a['note'])}</td></tr>"
        for a in view["approvals"]
    )
    parts.append(
        '<h2>Decisions</h2><table id="history"><tr><th>at</th><th>gate</th><th>by</th>'
        f"<th>role</th><th>decision</th><th>note</th></tr>{history}</table>"
    )
    if gate:
        hidden = (
            f'<input type="hidden" name="csrf" value="{csrf}">'
            f'<input type="hidden" name="revision" value="{html.escape(gate["revision"])}">'
            f'<input type="hidden" name="token" value="{html.escape(gate["token"])}">'
        )
        action = f"/runs/{run_id}/decision"
        parts.append(f"""<h2>Decide</h2>
<form class="inline card" id="approve-form" method="post" action="{action}">{hidden}
<input type="hidden" name="decision" value="approve">
<label>Note <input name="note" maxlength="2000"></label>
<button type="submit" id="approve">Approve</button></form>
<form class="inline card" id="reject-form" method="post" action="{action}">{hidden}
<input type="hidden" name="decision" value="reject">
<label>To <select name="to" id="reject-to"><option value="writer">writer</option>
<option value="director">director</option></select></label><br>
<label>Scenes <input name="scene_ids" placeholder="s2, s3"></label>
<label>Shots <input name="shot_ids" placeholder="s2-1"></label><br>
<textarea name="note" id="reject-note" rows="3" maxlength="2000" required
 placeholder="What should change?"></textarea><br>
<button type="submit" id="reject">Reject with notes</button></form>
<form class="inline card" id="edit-form" method="post" action="{action}">{hidden}
<input type="hidden" name="decision" value="edit">
<label>Edit <select name="kind"><option value="line">dialogue line</option>
<option value="prompt">shot prompt</option></select></label>
<label>Scene <input name="scene_id" size="4"></label> <label>Line <input name="line" size="3">
</label> <label>Shot <input name="shot_id" size="5"></label><br>
<textarea name="text" rows="3" maxlength="4000" required></textarea><br>
<button type="submit" id="edit">Save edit</button></form>""")
    return "".join(parts)
