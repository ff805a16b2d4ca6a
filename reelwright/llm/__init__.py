"""The LLM port: messages + a pydantic output type -> a validated instance and its usage.

One owner for retries: tenacity wraps each HTTP call (the openai client's own retries are
off). Transient failures (429 with Retry-After honoured, 5xx, timeouts, connection errors)
are retried with jittered exponential back-off and a cap; 400/401/403/404/422 are not.
A reply that is not valid JSON or does not match the schema gets a bounded repair re-ask;
`<think>` blocks, fences and prose around the object are dropped first. A reply cut off at
the token limit gets one re-ask at twice the limit.

Images (`vision`): a message may carry image parts (`reelwright.messages.ChatMessage`). With
`auto` they are sent until the endpoint rejects them (a 400/422); then that request and the
rest of the run go text-only, each image replaced by a line naming what it showed. `on` fails
clearly on such a rejection; `off` never sends an image.

Mode (`auto`): strict JSON schemas until the endpoint rejects one (a 400/422 about the
response format); then JSON mode with the schema in the prompt, for the rest of the run. A
reply that fails validation never changes the mode. Every HTTP request is counted in
`Usage.requests`, and per agent in `usage_by_agent`, failed calls included.

A `Transcript` (eval record/replay) sits around each logical request with its retries: it
sees the request and its final outcome, never a transient failure a retry got past.
"""

from reelwright.errors import LLMError
from reelwright.llm.client import OpenAILLM, llm_from_settings
from reelwright.llm.port import LLM, Exchange, Message, Mode, Prompt, Transcript, VisionMode
from reelwright.llm.retry import RetryPolicy, retrying_for

__all__ = [
    "LLM",
    "Exchange",
    "LLMError",
    "Message",
    "Mode",
    "OpenAILLM",
    "Prompt",
    "RetryPolicy",
    "Transcript",
    "VisionMode",
    "llm_from_settings",
    "retrying_for",
]
