"""The score chart on a run page: one line per dimension across iterations. Only the
geometry lives here; `templates/chart.html` draws it as inline SVG (no script, for the CSP)."""

from __future__ import annotations

from dataclasses import dataclass

DIMENSION_COLOURS = ["#2a6f97", "#e07a5f", "#3d405b", "#81b29a", "#c9a227", "#9c6644", "#111"]
WIDTH, HEIGHT, LEFT, BOTTOM, LEGEND = 560, 240, 40, 30, 120


@dataclass(frozen=True)
class Series:
    dimension: str
    colour: str
    points: tuple[tuple[float, float], ...]
    legend_y: float

    @property
    def polyline(self) -> str:
        """The line through the points, as an SVG `points` attribute."""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True)
class Threshold:
    """One dashed line per distinct threshold value, labelled with every dimension that has
    it, so equal thresholds never draw over each other."""

    score: float
    y: float
    label: str


@dataclass(frozen=True)
class ScoreChart:
    width: int
    height: int
    left: int
    right: int
    gridlines: tuple[tuple[int, float], ...]  # (score, y)
    series: tuple[Series, ...]
    iterations: tuple[float, ...]  # x of each iteration
    thresholds: tuple[Threshold, ...] = ()


def _y(score: float) -> float:
    return 10 + (HEIGHT - BOTTOM - 10) * (1 - score / 10)


def score_chart(
    history: list[dict[str, float]], thresholds: dict[str, float] | None = None
) -> ScoreChart | None:
    """The chart of `history` (scores per iteration, dimensions of the first one) with its
    `thresholds`; None when there is nothing to draw."""
    if not history:
        return None
    span = WIDTH - LEFT - LEGEND
    xs = tuple(LEFT + span * (i / max(1, len(history) - 1)) for i in range(len(history)))
    series = tuple(
        Series(
            dimension=dim,
            colour=DIMENSION_COLOURS[k % len(DIMENSION_COLOURS)],
            points=tuple((xs[i], _y(s.get(dim, 0))) for i, s in enumerate(history)),
            legend_y=18 + k * 16,
        )
        for k, dim in enumerate(history[0])
    )
    return ScoreChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - LEGEND,
        gridlines=tuple((t, _y(t)) for t in range(0, 11, 5)),
        series=series,
        iterations=xs,
        thresholds=_threshold_lines(thresholds or {}),
    )


def _threshold_lines(thresholds: dict[str, float]) -> tuple[Threshold, ...]:
    by_value: dict[float, list[str]] = {}
    for dimension, value in thresholds.items():
        by_value.setdefault(value, []).append(dimension)
    lines = []
    for value in sorted(by_value):
        names = by_value[value]
        label = "all dimensions" if len(names) == len(thresholds) > 1 else ", ".join(names)
        lines.append(Threshold(score=value, y=_y(value), label=f"{label} ≥ {value:g}"))
    return tuple(lines)
