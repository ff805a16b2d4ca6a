"""Generated eval suites for the eval tests and benchmarks/eval_throughput.py: n cases over
the repository's example bible and rights ledger (so this lives with the tests, not in the
installed package)."""

from __future__ import annotations

from pathlib import Path

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def make_suite(
    path: Path,
    n: int,
    *,
    extra_cases: list[dict] | None = None,
    model_cleared: str | None = None,
    thresholds: dict | None = None,
) -> Path:
    """Write a suite of `n` generated cases (plus `extra_cases`) to `path`; `model_cleared`
    adds that model to the suite's rights ledger; `thresholds` go into every generated
    brief."""
    bible = yaml.safe_load((EXAMPLES / "bible.yaml").read_text())
    rights = yaml.safe_load((EXAMPLES / "rights.yaml").read_text())
    if model_cleared:
        rights["assets"].append({"id": model_cleared, "kind": "model", "licence": "test"})
    people = ["juno", "pip", "bram", "odalys"]
    places = ["harbour", "workshop", "market", "lighthouse", "cliffs"]
    cases = []
    for i in range(n):
        cast = [people[i % 4], people[(i + 1) % 4]]
        cases.append(
            {
                "id": f"case-{i:02d}",
                "tags": ["generated", "even" if i % 2 == 0 else "odd"],
                "brief": {
                    "title": f"Episode {i}",
                    "logline": f"{cast[0].title()} and "
                    f"{cast[1].title()} solve problem number {i} before the tide turns.",
                    "runtime_s": 20 + (i % 3) * 5,
                    "characters": cast,
                    "locations": [places[i % 5], places[(i + 2) % 5]],
                    "scenes": 2 + i % 2,
                    "seed": 100 + i,
                    **({"thresholds": thresholds} if thresholds else {}),
                },
                "expect": {"verdict": "published", "characters": [cast[0]], "clean": True},
            }
        )
    cases += extra_cases or []
    path.write_text(
        yaml.safe_dump(
            {"version": 1, "name": "generated", "bible": bible, "rights": rights, "cases": cases},
            sort_keys=False,
        )
    )
    return path
