from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reelwright.api import run_episode
from reelwright.config import Settings
from reelwright.review.app import create_app
from reelwright.review.reviewers import ReviewConfig


@pytest.fixture
def project(tmp_path: Path, examples: Path):
    """A project with three reviewers and one run waiting at the final gate."""
    settings = Settings(
        home=tmp_path / "home", state=f"sqlite:///{tmp_path / 'home' / 'state.sqlite'}"
    )
    config = ReviewConfig()
    tokens = {}
    for name, roles in (("sam", ["showrunner"]), ("lee", ["legal"]), ("wes", ["writer"])):
        config, tokens[name] = config.add_reviewer(name, roles)
    config.save(settings.home)
    outcome = run_episode(
        examples / "briefs" / "first-light.yaml",
        out=tmp_path / "out",
        llm=None,
        settings=settings,
        run_id="ep1",
    )
    assert outcome.status == "awaiting_approval"
    return settings, tokens


@pytest.fixture
def client(project) -> TestClient:
    settings, _ = project
    return TestClient(create_app(settings))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
