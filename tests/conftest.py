"""Shared fixtures. No test reaches the network: httpx traffic goes through a respx router
that refuses unmatched requests, and sockets may only connect to loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

from reelwright.config import Settings
from reelwright.models import Thresholds

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (
        host.startswith("127.") or host in ("localhost", "::1") or self.family == socket.AF_UNIX
    ):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "REELWRIGHT_LLM_BASE_URL",
        "REELWRIGHT_LLM_API_KEY",
        "REELWRIGHT_LLM_MODEL",
        "REELWRIGHT_VOICE_BASE_URL",
        "REELWRIGHT_VOICE_API_KEY",
        "REELWRIGHT_STATE",
        "REELWRIGHT_HOME",
        "REELWRIGHT_CACHE",
    ):
        monkeypatch.delenv(var, raising=False)
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def http(no_network: respx.MockRouter) -> respx.MockRouter:
    """The respx router every httpx client in the test goes through."""
    return no_network


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", state=f"sqlite:///{tmp_path / 'home' / 'state.sqlite'}")


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@pytest.fixture
def project(tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding a copy of the examples; the CLI runs from it."""
    (tmp_path / "briefs").mkdir()
    for name in ("bible.yaml", "rights.yaml"):
        (tmp_path / name).write_text((examples / name).read_text())
    for brief in (examples / "briefs").glob("*.yaml"):
        (tmp_path / "briefs" / brief.name).write_text(brief.read_text())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def permissive_brief(folder: Path, name: str = "first-light.yaml") -> Path:
    """An example brief with every threshold at 0, beside copies of the example bible and
    rights ledger: for tests about the loop, gates or packages that need an episode passing on
    its first iteration (the offline writer does not meet the critic's default bars)."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    for file in ("bible.yaml", "rights.yaml"):
        (folder / file).write_text((EXAMPLES / file).read_text())
    data = yaml.safe_load((EXAMPLES / "briefs" / name).read_text())
    data["thresholds"] = dict.fromkeys(Thresholds().model_dump(), 0)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
