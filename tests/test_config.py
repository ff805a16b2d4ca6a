"""Settings: every documented variable reaches its one owner; paths under home are named once;
the version has one copy."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

import reelwright
from reelwright.config import HomePaths, LLMSettings, RenderSettings, Settings
from tests.conftest import ROOT

# every variable docs/llm.md documents, a non-default value, and where it lands
DOCUMENTED = {
    "REELWRIGHT_LLM_BASE_URL": ("http://127.0.0.1:11434/v1", "llm.base_url", None),
    "REELWRIGHT_LLM_MODEL": ("llama3.1", "llm.model", None),
    "REELWRIGHT_LLM_API_KEY": ("sk-reelwright", "llm.api_key", None),
    "REELWRIGHT_LLM_MODE": ("json", "llm.mode", None),
    "REELWRIGHT_LLM_MAX_ATTEMPTS": ("3", "llm.max_attempts", 3),
    "REELWRIGHT_LLM_CONCURRENCY": ("2", "llm.concurrency", 2),
    "REELWRIGHT_LLM_TIMEOUT_S": ("12.5", "llm.timeout_s", 12.5),
    "REELWRIGHT_LLM_MAX_RETRY_WAIT_S": ("4", "llm.max_retry_wait_s", 4.0),
    "REELWRIGHT_LLM_VISION": ("off", "llm.vision", None),
    "REELWRIGHT_JUDGE_SAMPLES": ("3", "judge.samples", 3),
    "REELWRIGHT_JUDGE_MAX_FRAMES": ("8", "judge.max_frames", 8),
    "REELWRIGHT_JUDGE_FRAME_PX": ("128", "judge.frame_px", 128),
    "REELWRIGHT_CLIP_MODEL": ("/models/clip-vit-b32", "clip.model", Path("/models/clip-vit-b32")),
    "REELWRIGHT_CLIP_DEVICE": ("cuda", "clip.device", None),
    "REELWRIGHT_RENDER_STEPS": ("4", "render.steps", 4),
    "REELWRIGHT_RENDER_GUIDANCE": ("3.5", "render.guidance", 3.5),
    "REELWRIGHT_RENDER_BATCH_SIZE": ("2", "render.batch_size", 2),
    "REELWRIGHT_RENDER_DEVICE": ("cpu", "render.device", None),
    "REELWRIGHT_RENDER_DTYPE": ("bfloat16", "render.dtype", None),
    "REELWRIGHT_RENDER_COMPILE": ("1", "render.compile", True),
    "REELWRIGHT_RENDER_CHANNELS_LAST": ("true", "render.channels_last", True),
    "REELWRIGHT_RENDER_VAE_TILING": ("yes", "render.vae_tiling", True),
    "REELWRIGHT_RENDER_REFERENCE": ("character+scene", "render.reference", None),
    "REELWRIGHT_RENDER_REFERENCE_STRENGTH": ("0.35", "render.reference_strength", 0.35),
    "REELWRIGHT_HOME": ("/srv/studio/.reelwright", "home", Path("/srv/studio/.reelwright")),
    "REELWRIGHT_STATE": ("memory://", "state", None),
    "REELWRIGHT_ALLOW_SHEETS_OUTSIDE": ("1", "allow_sheets_outside", True),
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("REELWRIGHT_") or name == "OPENAI_API_KEY":
            monkeypatch.delenv(name)
    return monkeypatch


def read(settings: Settings, dotted: str) -> object:
    value: object = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_each_documented_variable_is_read_into_its_setting(clean_env, name):
    raw, where, expected = DOCUMENTED[name]
    default = read(Settings(), where)
    clean_env.setenv(name, raw)
    value = read(Settings(), where)
    assert value == (raw if expected is None else expected)
    assert value != default


def test_all_documented_variables_together(clean_env):
    for name, (raw, _, _) in DOCUMENTED.items():
        clean_env.setenv(name, raw)
    settings = Settings()
    for raw, where, expected in DOCUMENTED.values():
        assert read(settings, where) == (raw if expected is None else expected), where


def test_openai_api_key_is_the_fallback_and_reelwright_key_wins(clean_env):
    assert Settings().llm.api_key is None and not Settings().llm.configured
    clean_env.setenv("OPENAI_API_KEY", "sk-openai")
    assert Settings().llm.api_key == "sk-openai" and Settings().llm.configured
    assert LLMSettings().api_key == "sk-openai"  # built directly too
    clean_env.setenv("REELWRIGHT_LLM_API_KEY", "sk-reelwright")
    assert Settings().llm.api_key == "sk-reelwright"


def test_the_api_key_is_not_in_the_repr(clean_env):
    clean_env.setenv("REELWRIGHT_LLM_API_KEY", "sk-very-secret")
    assert "sk-very-secret" not in repr(Settings()) and "sk-very-secret" not in str(Settings())


def test_a_bad_value_is_reported_at_its_variable(clean_env):
    clean_env.setenv("REELWRIGHT_RENDER_REFERENCE_STRENGTH", "2")
    clean_env.setenv("REELWRIGHT_LLM_MODE", "loose")
    with pytest.raises(ValidationError) as err:
        Settings()
    locs = {"REELWRIGHT_" + "_".join(map(str, e["loc"])).upper() for e in err.value.errors()}
    assert locs == {"REELWRIGHT_RENDER_REFERENCE_STRENGTH", "REELWRIGHT_LLM_MODE"}


def test_unknown_variables_are_ignored(clean_env):
    clean_env.setenv("REELWRIGHT_LLM_COLOUR", "blue")
    clean_env.setenv("REELWRIGHT_SOMETHING", "x")
    assert Settings().llm == LLMSettings()


def test_settings_are_frozen_and_changed_by_copy(settings):
    with pytest.raises(ValidationError):
        settings.home = Path("elsewhere")  # type: ignore[misc]
    with pytest.raises(ValidationError):
        settings.render.steps = 3  # type: ignore[misc]
    allowed = settings.model_copy(update={"allow_sheets_outside": True})
    assert allowed.allow_sheets_outside and not settings.allow_sheets_outside
    local = settings.model_copy(update={"llm": settings.llm.model_copy(update={"model": "m"})})
    assert local.llm.model == "m" and settings.llm.model == "gpt-4o-mini"


def test_render_defaults_are_defined_once():
    assert Settings().render == RenderSettings()
    assert RenderSettings().steps == 25 and RenderSettings().reference_strength == 0.6


def test_home_paths_are_named_under_home(tmp_path):
    settings = Settings(home=tmp_path)
    paths = settings.paths
    assert paths == HomePaths(tmp_path)
    assert {
        "state_db": paths.state_db,
        "cache": paths.cache,
        "audio": paths.audio,
        "encodes": paths.encodes,
        "audit": paths.audit,
        "locks": paths.locks,
        "logs": paths.logs,
        "signing": paths.signing,
        "frames": paths.frames,
        "sessions": paths.sessions,
        "review": paths.review,
    } == {
        "state_db": tmp_path / "state.sqlite",
        "cache": tmp_path / "cache",
        "audio": tmp_path / "audio",
        "encodes": tmp_path / "encodes",
        "audit": tmp_path / "audit.jsonl",
        "locks": tmp_path / "locks",
        "logs": tmp_path / "logs",
        "signing": tmp_path / "signing",
        "frames": tmp_path / "frames.json",
        "sessions": tmp_path / "sessions.json",
        "review": tmp_path / "review.yaml",
    }
    assert settings.state_url == f"sqlite:///{tmp_path / 'state.sqlite'}"
    assert Settings(home=tmp_path, state="memory://").state_url == "memory://"


def test_the_version_has_one_copy():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "reelwright.version.__version__"
    }
    assert reelwright.__version__.count(".") == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REELWRIGHT_LLM", "{not json"),
        ("REELWRIGHT_LLM_MAX_ATTEMPTS", "many"),
        ("REELWRIGHT_RENDER_DTYPE", "float8"),
    ],
)
def test_the_cli_exits_2_naming_a_bad_variable(project, clean_env, name, value):
    from typer.testing import CliRunner

    from reelwright.cli import app

    clean_env.setenv(name, value)
    result = CliRunner().invoke(app, ["review", "list"])
    assert result.exit_code == 2, result.output
    assert f"bad setting in the environment: {name}:" in result.output


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:18473645/v1", "ftp://example.org/v1", "not a url"]
)
def test_a_bad_endpoint_url_exits_2_naming_it(project, monkeypatch, url):
    from typer.testing import CliRunner

    from reelwright.cli import app

    monkeypatch.setenv("REELWRIGHT_LLM_BASE_URL", url)
    result = CliRunner().invoke(app, ["run", "briefs/first-light.yaml", "--out", "out"])
    assert result.exit_code == 2 and "REELWRIGHT_LLM_BASE_URL" in result.output
    monkeypatch.delenv("REELWRIGHT_LLM_BASE_URL")
    flag = CliRunner().invoke(
        app, ["run", "briefs/first-light.yaml", "--out", "out", "--llm-base-url", url]
    )
    assert flag.exit_code == 2 and "--llm-base-url" in flag.output
    assert not (project / "out").exists()


def test_reelwright_cache_moves_the_content_caches_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setenv("REELWRIGHT_CACHE", str(tmp_path / "shared"))
    paths = Settings(home=tmp_path / "home").paths
    assert (paths.cache, paths.audio, paths.encodes) == (
        tmp_path / "shared" / "cache",
        tmp_path / "shared" / "audio",
        tmp_path / "shared" / "encodes",
    )
    assert paths.state_db == tmp_path / "home" / "state.sqlite"
    assert paths.frames == tmp_path / "home" / "frames.json"  # a project's own history
    assert paths.signing == tmp_path / "home" / "signing"


def test_an_empty_reelwright_cache_means_under_the_home(tmp_path, monkeypatch):
    monkeypatch.setenv("REELWRIGHT_CACHE", "")
    settings = Settings(home=tmp_path / "home")
    assert settings.cache is None and settings.paths.cache == tmp_path / "home" / "cache"


def test_a_reelwright_cache_that_is_a_file_is_a_bad_setting(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from reelwright.cli import app

    (tmp_path / "f").write_text("mine")
    monkeypatch.setenv("REELWRIGHT_CACHE", str(tmp_path / "f"))
    monkeypatch.chdir(tmp_path)
    brief = ROOT / "examples" / "briefs" / "storm-signal.yaml"
    result = CliRunner().invoke(app, ["run", str(brief), "--auto-approve", "--out", "o"])
    assert result.exit_code == 2 and "REELWRIGHT_CACHE" in result.output
    assert "not a folder" in result.output and not (tmp_path / "o").exists()
