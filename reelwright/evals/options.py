"""How an eval suite runs: the options the CLI, the API and the benchmarks pass to
`run_suite` and the reuse check reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class EvalOptions:
    out: Path
    concurrency: int = 1
    seed: int | None = None
    record: Path | None = None
    replay: Path | None = None
    prices: dict[str, dict[str, float]] = field(default_factory=dict)
    offline: bool = False
    long_side: int = 512
    cache: Path | None = None  # None: REELWRIGHT_CACHE if set, else `out/cache`
