"""Every brief the offline agents are held to: the two examples of the Tidewater series and
the original briefs of other genres (each series folder holds its bible)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelwright.loading import load_inputs
from reelwright.models import Bible, Brief

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BRIEFS = sorted(EXAMPLES.glob("briefs/*.yaml")) + sorted(EXAMPLES.glob("*/briefs/*.yaml"))


def load(path: Path) -> tuple[Brief, Bible]:
    return load_inputs(path, None)


@pytest.fixture(params=BRIEFS, ids=[p.stem for p in BRIEFS])
def inputs(request: pytest.FixtureRequest) -> tuple[Brief, Bible]:
    return load(request.param)
