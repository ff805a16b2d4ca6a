"""Critic calibration: how well the critic's scores agree with human ratings.

Input is JSONL, one artefact a line: {"id", "package": "path/to/episode/package",
"ratings": {"dialogue": 7.5, ...}} or, without frames, {"id", "brief": {...} | path,
"bible": path, "script": {...}, "shots": {...}, "ratings": {...}}. Reports Spearman and
Kendall (tau-b) correlations per dimension and the mean absolute error.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reelwright.errors import InputError


def ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    if sx == 0 or sy == 0:
        return float("nan")
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / (sx * sy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return pearson(ranks(x), ranks(y))


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    concordant = discordant = ties_x = ties_y = 0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                ties_x += 1
            elif dy == 0:
                ties_y += 1
            elif (dx > 0) == (dy > 0):
                concordant += 1
            else:
                discordant += 1
    denom = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return (concordant - discordant) / denom if denom else float("nan")


def critic_scores(item: dict[str, Any], base: Path) -> dict[str, float]:
    from reelwright.agents.critic import Critic
    from reelwright.loading import load_bible, load_brief, parse
    from reelwright.models import Bible, Brief, RenderResult, Script, ShotList

    if "package" in item:
        pkg = (base / item["package"]).resolve()
        brief = load_brief(pkg / "brief.yaml")
        script = Script.model_validate_json((pkg / "script.json").read_text(encoding="utf-8"))
        shots = ShotList.model_validate_json((pkg / "shots.json").read_text(encoding="utf-8"))
        renders = []
        for s in shots.shots:
            frame = pkg / "frames" / f"{s.id}.png"
            if frame.is_file():
                from reelwright.images import open_image

                with open_image(frame, f"frame {frame}") as img:
                    w, h = img.size
                renders.append(
                    RenderResult(
                        shot_id=s.id,
                        key="",
                        path=str(frame),
                        cached=True,
                        renderer="",
                        model="",
                        seed=s.seed,
                        width=w,
                        height=h,
                        seconds=0,
                    )
                )
    else:
        brief = (
            parse(Brief, item["brief"], f"{item['id']} brief")
            if isinstance(item["brief"], dict)
            else load_brief(base / item["brief"])
        )
        script = Script.model_validate(item["script"])
        shots = ShotList.model_validate(item["shots"])
        renders = []
    if not item.get("bible"):
        raise InputError(
            f"labelled item {item.get('id', '?')!r} names no bible; the critic needs one"
        )
    bible = (
        parse(Bible, item["bible"], "bible")
        if isinstance(item["bible"], dict)
        else load_bible(base / item["bible"])
    )
    critique, _ = Critic().critique(1, brief, bible, script, shots, renders)
    return {**critique.scores, "overall": critique.overall}


def calibrate(labels: Path | str) -> dict[str, Any]:
    path = Path(labels)
    if not path.is_file():
        raise InputError(f"no such labels file: {path}")
    items = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"labels file {path} is not UTF-8 text: {exc}") from None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{n}: not JSON ({exc})") from None
        except RecursionError:
            raise InputError(f"{path}:{n}: JSON nested too deeply") from None
        if not isinstance(item, dict) or "ratings" not in item or "id" not in item:
            raise InputError(f"{path}:{n}: each line needs an id and ratings")
        items.append(item)
    if len(items) < 3:
        raise InputError(f"{path}: calibration needs at least 3 rated artefacts")
    pairs: dict[str, tuple[list[float], list[float]]] = {}
    for item in items:
        scores = critic_scores(item, path.parent)
        for dim, rating in item["ratings"].items():
            if dim in scores:
                h, c = pairs.setdefault(dim, ([], []))
                h.append(float(rating))
                c.append(float(scores[dim]))
    dims = {}
    for dim, (human, critic) in sorted(pairs.items()):
        dims[dim] = {
            "n": len(human),
            "spearman": round(spearman(human, critic), 4),
            "kendall": round(kendall_tau_b(human, critic), 4),
            "mae": round(
                sum(abs(a - b) for a, b in zip(human, critic, strict=True)) / len(human), 4
            ),
        }
    return {"version": 1, "labels": str(path), "artefacts": len(items), "dimensions": dims}
