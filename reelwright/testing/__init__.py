"""Helpers for testing code built on Reelwright, by concern:

- `reelwright.testing.llm`: `ScriptedEndpoint`, an OpenAI-compatible endpoint for respx whose
  replies a test scripts by reply model, and `completion()` for one-off responses;
- `reelwright.testing.server`: `serve_endpoint`, the same endpoint over real HTTP;
- `reelwright.testing.diffusion`: tiny random-weight Stable Diffusion and FLUX pipelines and
  the original single-file checkpoint layout, for renderer tests (torch, diffusers and
  transformers are imported only when one is built).

Importing this package needs only the core dependencies."""

from reelwright.testing.diffusion import (
    build_tiny_flux_pipeline,
    build_tiny_pipeline,
    save_original_layout,
)
from reelwright.testing.llm import (
    BASE_URL,
    ScriptedEndpoint,
    ScriptedRequest,
    completion,
    judgement,
)
from reelwright.testing.server import serve_endpoint

__all__ = [
    "BASE_URL",
    "ScriptedEndpoint",
    "ScriptedRequest",
    "build_tiny_flux_pipeline",
    "build_tiny_pipeline",
    "completion",
    "judgement",
    "save_original_layout",
    "serve_endpoint",
]
