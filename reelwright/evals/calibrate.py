"""Critic calibration: how well the critic people run agrees with human ratings.

Input is JSONL, one rated artefact a line (the format is in docs/evals.md, an example in
`examples/labels.jsonl`):

    {"id": "a1", "package": "out/ep1", "ratings": {"dialogue": 7.5, "overall": 7}}
    {"id": "a2", "brief": "briefs/x.yaml" | {...}, "bible": "bible.yaml" | {...},
     "script": {...}, "shots": {...}, "ratings": {...}}

Paths resolve against the labels file's folder. Ratings are numbers from 0 to 10 for the
critic's dimensions or `overall`. The critic is the one the settings configure (the LLM
judge when one is configured). Per dimension the report gives Spearman's rho and Kendall's
tau-b with percentile-bootstrap 95% intervals (scipy), and the mean absolute error; a
correlation that is undefined (a constant series, too few artefacts) is null with a reason.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelwright.errors import InputError
from reelwright.models import DIMENSIONS

if TYPE_CHECKING:
    from reelwright.config import Settings
    from reelwright.critic.agent import Critic
    from reelwright.llm import LLM

RATED = (*DIMENSIONS, "overall")
SCALE = (0.0, 10.0)
MIN_ARTEFACTS = 3
BOOTSTRAP_SAMPLES = 1000
MAX_UNDEFINED = 0.1  # withhold the interval when more resamples than this had no correlation


class LabelledItem(BaseModel):
    """One line of a labels file (ratings are checked before this, for clear messages)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    ratings: dict[str, float] = Field(min_length=1)
    package: str | None = None
    brief: dict[str, object] | str | None = None
    bible: dict[str, object] | str | None = None
    script: dict[str, object] | None = None
    shots: dict[str, object] | None = None


class Correlation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float | None = Field(description="None when undefined; `reason` says why.")
    ci95: tuple[float, float] | None = None
    undefined_resamples: int = Field(0, description="Bootstrap resamples with no correlation.")
    reason: str | None = None


class DimensionAgreement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int
    human_mean: float
    critic_mean: float
    mae: float
    spearman: Correlation
    kendall: Correlation


class CalibrationReport(BaseModel):
    """What `reelwright eval calibrate` prints: valid JSON (no NaN), one entry a rated
    dimension."""

    model_config = ConfigDict(extra="forbid")

    version: int = 2
    labels: str
    artefacts: int
    judge: str = Field(description="measurements, or measurements+llm with a judge.")
    model: str | None = None
    bootstrap_resamples: int = BOOTSTRAP_SAMPLES
    dimensions: dict[str, DimensionAgreement]

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, allow_nan=False)


# --------------------------------------------------------------------------- reading labels


def check_ratings(ratings: object, where: str) -> dict[str, float]:
    """Ratings of known dimensions on the 0-10 scale; InputError naming the item and the
    dimension otherwise (a string "7", a bool, 15 or -3 are all refused)."""
    if not isinstance(ratings, dict) or not ratings:
        raise InputError(f"{where}: ratings must be a non-empty mapping of dimension to score")
    out = {}
    for dim, value in ratings.items():
        if dim not in RATED:
            raise InputError(
                f"{where}: unknown dimension {dim!r} in ratings; known: {', '.join(RATED)}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f'{where}: rating for {dim!r} is {value!r}, not a number (write 7, not "7")'
            )
        if not (SCALE[0] <= value <= SCALE[1]):  # also refuses nan
            raise InputError(f"{where}: rating for {dim!r} is {value!r}, outside the 0-10 scale")
        out[dim] = float(value)
    return out


def read_labels(path: Path) -> list[LabelledItem]:
    if not path.is_file():
        raise InputError(f"no such labels file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"labels file {path} is not UTF-8 text: {exc}") from None
    items: list[LabelledItem] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{n}: not JSON ({exc})") from None
        except RecursionError:
            raise InputError(f"{path}:{n}: JSON nested too deeply") from None
        if not isinstance(raw, dict) or "ratings" not in raw or "id" not in raw:
            raise InputError(f"{path}:{n}: each line needs an id and ratings")
        where = f"{path}:{n}: item {raw['id']!r}"
        raw["ratings"] = check_ratings(raw["ratings"], where)
        try:
            item = LabelledItem.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise InputError(f"{where}: {field}: {first['msg']}") from None
        if item.id in seen:
            raise InputError(f"{where}: the id is used twice")
        if item.package is None and (item.script is None or item.shots is None):
            raise InputError(f"{where}: give a package, or a brief, bible, script and shots")
        seen.add(item.id)
        items.append(item)
    if len(items) < MIN_ARTEFACTS:
        raise InputError(f"{path}: calibration needs at least {MIN_ARTEFACTS} rated artefacts")
    return items


# --------------------------------------------------------------------------- scoring


def _artefact(item: LabelledItem, base: Path) -> tuple[Any, Any, Any, list[Any]]:
    """Brief, script, shots and renders of one labelled item."""
    from reelwright.critic.package import package_frames
    from reelwright.loading import load_brief, parse
    from reelwright.models import Brief, Script, ShotList

    if item.package is not None:
        pkg = (base / item.package).resolve()
        try:
            brief = load_brief(pkg / "brief.yaml")
            script = Script.model_validate_json((pkg / "script.json").read_bytes())
            shots = ShotList.model_validate_json((pkg / "shots.json").read_bytes())
        except (OSError, ValidationError) as exc:
            raise InputError(f"item {item.id!r}: package {pkg} is not readable: {exc}") from None
        return brief, script, shots, package_frames(pkg / "frames", shots)
    if item.brief is None:
        raise InputError(f"item {item.id!r} names no brief")
    brief = (
        parse(Brief, item.brief, f"{item.id} brief")
        if isinstance(item.brief, dict)
        else load_brief(base / item.brief)
    )
    script = parse(Script, item.script, f"{item.id} script")
    shots = parse(ShotList, item.shots, f"{item.id} shots")
    return brief, script, shots, []


def critic_scores(
    item: LabelledItem, base: Path, llm: LLM | None = None, critic: Critic | None = None
) -> tuple[dict, str]:
    """The critic's scores for one labelled artefact, and which judge gave them."""
    from reelwright.critic.agent import Critic
    from reelwright.loading import load_bible, parse
    from reelwright.models import Bible

    brief, script, shots, renders = _artefact(item, base)
    if not item.bible:
        raise InputError(f"labelled item {item.id!r} names no bible; the critic needs one")
    bible = (
        parse(Bible, item.bible, f"{item.id} bible")
        if isinstance(item.bible, dict)
        else load_bible(base / item.bible)
    )
    critique, _ = (critic or Critic(llm)).critique(1, brief, bible, script, shots, renders)
    return {**critique.scores, "overall": critique.overall}, critique.judge


# --------------------------------------------------------------------------- statistics


def _constant(values: list[float]) -> bool:
    return len(set(values)) <= 1


def _spearman(x: Any, y: Any, axis: int = -1) -> Any:
    """Spearman's rho along `axis` (vectorised for the bootstrap): Pearson of the ranks."""
    import numpy as np
    from scipy.stats import rankdata

    rx = rankdata(x, axis=axis)
    ry = rankdata(y, axis=axis)
    rx = rx - rx.mean(axis=axis, keepdims=True)
    ry = ry - ry.mean(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rx * ry).sum(axis=axis) / np.sqrt((rx**2).sum(axis=axis) * (ry**2).sum(axis=axis))


def _kendall(x: Any, y: Any) -> float:
    from scipy.stats import kendalltau

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant resample: nan, counted below
        return float(kendalltau(x, y).statistic)


def correlation(name: str, human: list[float], critic: list[float], dim: str) -> Correlation:
    """Spearman's rho or Kendall's tau-b with a paired percentile-bootstrap 95% interval;
    null with a reason where it is undefined."""
    import numpy as np
    from scipy.stats import bootstrap

    if len(human) < MIN_ARTEFACTS:
        return Correlation(value=None, reason=f"only {len(human)} artefacts rate {dim!r}")
    for who, series in (("human ratings", human), ("critic scores", critic)):
        if _constant(series):
            return Correlation(
                value=None,
                reason=f"{who} of {dim!r} are all {series[0]:g}: a constant series has no "
                "rank correlation",
            )
    x, y = np.asarray(human), np.asarray(critic)
    value = float(_spearman(x, y)) if name == "spearman" else _kendall(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined resamples are counted below
        result = bootstrap(
            (x, y),
            _spearman if name == "spearman" else _kendall,
            paired=True,
            vectorized=name == "spearman",
            n_resamples=BOOTSTRAP_SAMPLES,
            method="percentile",
            rng=np.random.default_rng(0),
        )
    # A resample that drew a constant series has no correlation: the interval is taken over
    # the defined resamples, and withheld when too many were undefined to trust it.
    distribution = np.asarray(result.bootstrap_distribution, dtype=float)
    defined = distribution[~np.isnan(distribution)]
    undefined = len(distribution) - len(defined)
    if undefined > MAX_UNDEFINED * len(distribution):
        return Correlation(
            value=round(value, 4),
            undefined_resamples=undefined,
            reason=f"no bootstrap interval: {undefined} of {len(distribution)} resamples "
            "drew a constant series (too few distinct values)",
        )
    low, high = np.percentile(defined, [2.5, 97.5])
    return Correlation(
        value=round(value, 4),
        ci95=(round(float(low), 4), round(float(high), 4)),
        undefined_resamples=undefined,
    )


def calibrate(
    labels: Path | str,
    llm: LLM | None = None,
    model: str | None = None,
    settings: Settings | None = None,
) -> CalibrationReport:
    """Score every labelled artefact with the critic a run would use (`critic_from_settings`:
    the judge's samples, frames when a CLIP model is configured, the LLM judge with `llm`)
    and report the agreement."""
    from reelwright.config import Settings
    from reelwright.critic.agent import critic_from_settings

    the_critic = critic_from_settings(settings or Settings(), llm)
    path = Path(labels)
    items = read_labels(path)
    pairs: dict[str, tuple[list[float], list[float]]] = {}
    judges = set()
    for item in items:
        scores, judge = critic_scores(item, path.parent, llm, the_critic)
        judges.add(judge)
        for dim, rating in item.ratings.items():
            h, c = pairs.setdefault(dim, ([], []))
            h.append(rating)
            c.append(float(scores[dim]))
    dims = {}
    for dim in (d for d in RATED if d in pairs):
        human, critic = pairs[dim]
        dims[dim] = DimensionAgreement(
            n=len(human),
            human_mean=round(sum(human) / len(human), 4),
            critic_mean=round(sum(critic) / len(critic), 4),
            mae=round(sum(abs(a - b) for a, b in zip(human, critic, strict=True)) / len(human), 4),
            spearman=correlation("spearman", human, critic, dim),
            kendall=correlation("kendall", human, critic, dim),
        )
    return CalibrationReport(
        labels=str(path),
        artefacts=len(items),
        judge="+".join(sorted(judges)) if len(judges) > 1 else judges.pop(),
        model=model,
        dimensions=dims,
    )
