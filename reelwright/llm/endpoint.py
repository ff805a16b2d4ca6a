"""Which endpoint a run may talk to: an endpoint spelt one way, and the check that a resumed
run uses the endpoint configured now, so the API key never goes where stored state says."""

from __future__ import annotations

import logging
import os

import httpx

from reelwright.errors import InputError

logger = logging.getLogger("reelwright.trust")
OPENAI_DEFAULT = "https://api.openai.com/v1"


def endpoint(url: str | None) -> str:
    """An endpoint as the openai client would reach it, spelt one way: no URL means
    OPENAI_BASE_URL or OpenAI's own; scheme and host lower case, default port and trailing
    slash dropped."""
    raw = (url or os.environ.get("OPENAI_BASE_URL") or OPENAI_DEFAULT).strip()
    try:
        parsed = httpx.URL(raw)
    except httpx.InvalidURL:
        return raw
    default_port = {"http": 80, "https": 443}.get(parsed.scheme)
    port = f":{parsed.port}" if parsed.port not in (None, default_port) else ""
    user = f"{parsed.userinfo.decode()}@" if parsed.userinfo else ""
    query = f"?{parsed.query.decode()}" if parsed.query else ""
    return f"{parsed.scheme}://{user}{parsed.host}{port}{parsed.path.rstrip('/')}{query}"


def _shown(url: str) -> str:
    """An endpoint for a message: without any user:password part."""
    try:
        return str(httpx.URL(url).copy_with(userinfo=b""))
    except httpx.InvalidURL:
        return "(an unparseable URL)"


def check_endpoint(stored_url: str | None, run_id: str, configured_url: str | None) -> str | None:
    """The base URL to build the run's LLM with: the one configured now. A run whose stored
    endpoint differs is refused, so the API key never goes where the state says."""
    stored, configured = endpoint(stored_url), endpoint(configured_url)
    if stored != configured:
        logger.warning(
            "run %s: stored LLM endpoint %s differs from the configured %s; refusing",
            run_id,
            _shown(stored),
            _shown(configured),
        )
        raise InputError(
            f"run {run_id} was started with the LLM endpoint {_shown(stored)}, but the "
            f"endpoint configured now is {_shown(configured)}; your API key goes only to the "
            "endpoint configured now, never to one read from stored state. If you trust "
            f"{_shown(stored)}, set REELWRIGHT_LLM_BASE_URL={_shown(stored)} and resume again; "
            "if you did not start the run against it, the state database was edited: start a "
            "new run"
        )
    return configured_url
