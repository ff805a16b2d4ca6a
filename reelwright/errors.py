"""Errors users see. The CLI maps InputError to exit 2 and the rest to exit 1."""

from __future__ import annotations


class ReelwrightError(Exception):
    """Base for errors with a message fit for a person."""


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
    """The LLM endpoint could not give a usable reply."""


class LLMAuthError(LLMError):
    """401/403: retrying will not help."""


class LLMRequestError(LLMError):
    """A 4xx other than auth: the request itself is wrong for this endpoint."""


class LLMUnavailable(LLMError):
    """Transient failures outlasted every retry."""


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
