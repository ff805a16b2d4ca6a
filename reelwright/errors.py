"""Errors users see. The CLI maps InputError to exit 2 and the rest to exit 1.

Messages name the API's parameters through `param(name)`: read from Python (`str(exc)`) a
message says `out`, `checkpointer`, `force=True`; the CLI shows the same message with its
flags (`--out`, `--state`, `--force`) through `for_cli`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reelwright.models import Usage

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: never in a user's text
_PARAM = re.compile(f"{_OPEN}([A-Za-z_]+)(=[^{_CLOSE}]*)?{_CLOSE}")


def param(name: str, value: str = "") -> str:
    """A parameter named in a message: `name` (or `name=value`) from Python, the flag from the
    command line (a boolean's value is dropped there: `force=True` becomes `--force`)."""
    return f"{_OPEN}{name}{'=' + value if value else ''}{_CLOSE}"


def as_parameters(text: str) -> str:
    """A marked message as Python callers read it."""
    return _PARAM.sub(lambda m: m.group(1) + (m.group(2) or ""), text)


def as_flags(text: str, flags: Mapping[str, str]) -> str:
    """A marked message with each parameter shown as its command-line flag."""
    return _PARAM.sub(lambda m: flags.get(m.group(1), "--" + m.group(1).replace("_", "-")), text)


class ReelwrightError(Exception):
    """Base for errors with a message fit for a person."""

    def __str__(self) -> str:
        return as_parameters(super().__str__())

    def for_cli(self, flags: Mapping[str, str]) -> str:
        """The message with each parameter shown as its command-line flag."""
        return as_flags(str(self.args[0]) if self.args else "", flags)


class InputError(ReelwrightError):
    """Bad input from the user: a brief, a bible, an id, a flag. Nothing has been written."""


class NotFoundError(InputError):
    """No such run (or file)."""


class ConflictError(InputError):
    """The decision or resume collides with another: stale revision, a decision already made,
    or another process resuming the same run."""


class BusyError(ConflictError):
    """Another process holds the run (running, resuming or publishing it). The CLI exits 4:
    nothing is wrong with the input; try again when that process is done."""


class AuthError(InputError):
    """No valid reviewer token (401), or a reviewer without the role the gate needs (403)."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class LLMError(ReelwrightError):
    """The LLM endpoint could not give a usable reply. `usage` is what the failed call spent
    (every request it sent), so a failed run still counts it."""

    usage: Usage | None = None


class LLMAuthError(LLMError):
    """401/403: retrying will not help."""


class LLMRequestError(LLMError):
    """A 4xx other than auth: the request itself is wrong for this endpoint."""


class LLMUnavailable(LLMError):
    """Transient failures outlasted every retry."""


class LLMTimeout(LLMUnavailable):
    """The endpoint did not answer within the timeout, on every attempt."""


class LLMRefusal(LLMError):
    """The model refused, or a content filter stopped the reply."""


class LLMTruncated(LLMError):
    """The reply hit the token limit before it was complete."""


class LLMInvalidReply(LLMError):
    """The reply did not validate, even after the repair re-asks."""


class PackageError(ReelwrightError):
    """The package on disk is not what the run's state says was written."""


class RenderError(ReelwrightError):
    """A renderer could not produce a frame."""
