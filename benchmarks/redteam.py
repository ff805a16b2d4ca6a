"""The shipped red-team suite: recall on must-block briefs (by family) and the false-positive
rate on benign controls. Prints one JSON line."""

from __future__ import annotations

import json
import time

from _machine import machine

from reelwright.compliance.redteam import evaluate, load_suite


def main() -> None:
    started = time.perf_counter()
    result = evaluate(load_suite())
    print(
        json.dumps(
            {
                "benchmark": "redteam",
                **result,
                "seconds": round(time.perf_counter() - started, 3),
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
