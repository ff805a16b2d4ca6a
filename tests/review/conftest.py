from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reelwright.api import run_episode
from reelwright.approval.reviewers import ReviewConfig
from reelwright.config import Settings
from reelwright.review.app import create_app
from tests.conftest import permissive_brief


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
        permissive_brief(tmp_path / "project"),  # passes on its first iteration
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


@pytest.fixture
def server(project) -> Iterator[tuple[str, dict[str, str]]]:
    """The app on a real uvicorn server on loopback, in a thread: (base URL, tokens)."""
    import uvicorn

    settings, tokens = project
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", tokens
    srv.should_exit = True
    thread.join(timeout=10)


def form_field(page: str, name: str) -> str:
    """The value of a form's hidden input, e.g. its CSRF token."""
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} field in the page"
    return found.group(1)


def sign_in(client: Any, token: str) -> Any:
    """Sign in through the form, as a browser does: GET the form, POST it with its CSRF token."""
    form = client.get("/login")
    return client.post(
        "/login",
        data={"token": token, "csrf": form_field(form.text, "csrf")},
        follow_redirects=False,
    )
