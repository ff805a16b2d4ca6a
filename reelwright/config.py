"""Settings from the environment (REELWRIGHT_*) with documented defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process settings. CLI flags override these; these override the defaults."""

    model_config = SettingsConfigDict(env_prefix="REELWRIGHT_", extra="ignore")

    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_mode: str = Field("auto", description="auto | strict | json: how replies are constrained")
    llm_timeout_s: float = 60.0
    llm_max_attempts: int = Field(5, ge=1, le=20)
    llm_max_retry_wait_s: float = 30.0
    llm_concurrency: int = Field(8, ge=1, le=64)
    home: Path = Field(Path(".reelwright"), description="State, cache and signing folder.")
    render_steps: int = Field(25, ge=1, le=200)
    render_guidance: float = Field(7.5, ge=0, le=30)
    render_batch_size: int = Field(8, ge=1, le=64)
    render_device: str = "auto"
    render_dtype: str = "auto"
    render_compile: bool = False
    render_channels_last: bool = False
    render_vae_tiling: bool = False
    render_reference: Literal["none", "scene", "character", "character+scene"] = Field(
        "none",
        description="What an image-to-image pass starts from: the previous frame of the "
        "scene, the lead character's sheet from the bible, or the sheet for a scene's "
        "first shot and the previous frame after it.",
    )
    render_reference_strength: float = Field(0.6, gt=0, le=1)
    state: str | None = Field(None, description="Checkpointer URL; default sqlite under home.")
    allow_sheets_outside: bool = Field(
        False,
        description="Character sheets outside the bible's folder: allows them for a new run, "
        "and confirms, at resume, a run started with --allow-sheets-outside.",
    )

    @property
    def api_key(self) -> str | None:
        return self.llm_api_key or os.environ.get("OPENAI_API_KEY") or None

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url or self.api_key)

    @property
    def state_url(self) -> str:
        return self.state or f"sqlite:///{self.home / 'state.sqlite'}"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"
