from __future__ import annotations

from pathlib import Path

import pytest

from tests.evals.suites import make_suite


@pytest.fixture
def suite_factory(tmp_path):
    def factory(n: int, **kw) -> Path:
        return make_suite(tmp_path / f"suite-{n}.yaml", n, **kw)

    return factory
