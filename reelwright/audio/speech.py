"""The speech endpoint voice: any OpenAI-compatible `/v1/audio/speech`, through the `openai`
client with an explicit httpx client and the client's own retries off.

Retries belong to the LLM port's policy (`reelwright.llm.retrying_for`): timeouts,
connection errors, 408/409/429 and 5xx are retried with back-off (Retry-After honoured);
400/401/403/404/422 are not — they fail at once with a message that says what to fix.
Audio is asked for as raw PCM (24 kHz, 16-bit, mono): no decoder needed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import httpx

from reelwright.audio.voice import SAMPLE_RATE, Clip, SpeechJob
from reelwright.errors import InputError, ReelwrightError
from reelwright.llm import RetryPolicy, retrying_for
from reelwright.models import Bible, Character, DialogueLine

if TYPE_CHECKING:
    import numpy as np

    from reelwright.config import VoiceSettings

log = logging.getLogger(__name__)


class SpeechError(ReelwrightError):
    """The speech endpoint could not voice a line (after retries, where retrying helps)."""


class SpeechVoice:
    """Voice lines with an OpenAI-compatible speech endpoint."""

    name = "speech"
    version = "1"

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        voices: Sequence[str] = (),
        default_voice: str = "alloy",
        http_client: httpx.Client | None = None,
        timeout_s: float = 60.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        import openai

        self.model = model
        self.base_url = base_url
        self.voices = tuple(voices)
        self.default_voice = default_voice
        self.retry = retry or RetryPolicy()
        self._http = http_client or httpx.Client(timeout=httpx.Timeout(timeout_s, connect=10.0))
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            http_client=self._http,  # type: ignore[arg-type]  # openai accepts httpx too
            max_retries=0,  # one owner for retries: the policy
            timeout=timeout_s,
        )

    @property
    def endpoint(self) -> str:
        return str(self._client.base_url).rstrip("/") + "/audio/speech"

    def close(self) -> None:
        self._http.close()

    def voice_of(self, character: Character) -> str:
        return character.voice_spec.name or self.default_voice

    def check(self, bible: Bible) -> None:
        if not self.voices:
            return
        unknown = [
            f"{c.id}: {self.voice_of(c)!r}"
            for c in bible.characters
            if c.speaks and self.voice_of(c) not in self.voices
        ]
        if unknown:
            raise InputError(
                f"unknown voice(s) for the speech endpoint: {', '.join(unknown)} (it has "
                f"{', '.join(self.voices)}; set REELWRIGHT_VOICE_VOICES to list others)"
            )

    def job(self, line_id: str, character: Character, line: DialogueLine) -> SpeechJob:
        spec = character.voice_spec
        return SpeechJob(
            line_id=line_id,
            character=character.id,
            text=line.text,
            backend=self.name,
            engine_version=self.version,
            model=self.model,
            voice=self.voice_of(character),
            speed=spec.speed,
            pitch=spec.pitch,
            style=spec.style,
        )

    def speak(self, jobs: Sequence[SpeechJob]) -> Iterator[Clip]:
        for job in jobs:
            started = time.perf_counter()
            samples = self._speak(job)
            yield Clip(job=job, samples=samples, seconds=time.perf_counter() - started)

    def _speak(self, job: SpeechJob) -> np.ndarray:
        import numpy as np
        import openai

        retrying = retrying_for(self.retry, f"voice {job.line_id}", self.endpoint, what="speech")
        extra = {"instructions": job.style} if job.style else {}

        def create() -> bytes:
            reply = self._client.audio.speech.create(
                model=job.model,
                voice=job.voice,
                input=job.text,
                speed=job.speed,
                response_format="pcm",
                **extra,  # type: ignore[arg-type]
            )
            return reply.content

        log.debug("speech %s: request to %s (voice %s)", job.line_id, self.endpoint, job.voice)
        try:
            pcm = retrying(create)
        except openai.AuthenticationError as exc:
            raise SpeechError(
                f"the speech endpoint rejected the API key (401): {_detail(exc)}"
            ) from None
        except openai.PermissionDeniedError as exc:
            raise SpeechError(f"the speech endpoint refused access (403): {_detail(exc)}") from None
        except openai.NotFoundError as exc:
            raise SpeechError(
                f"the speech endpoint answered 404 (model {job.model!r}, voice {job.voice!r}): "
                f"{_detail(exc)}"
            ) from None
        except openai.APIStatusError as exc:
            raise SpeechError(
                f"the speech endpoint answered {exc.status_code} for line {job.line_id}: "
                f"{_detail(exc)}"
            ) from None
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise SpeechError(
                f"the speech endpoint {self.endpoint} could not be reached after "
                f"{self.retry.max_attempts} attempt(s): {exc}"
            ) from None
        if len(pcm) < 2:
            raise SpeechError(f"the speech endpoint returned no audio for line {job.line_id}")
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(np.float32) / 32768
        if job.sample_rate != SAMPLE_RATE:  # pragma: no cover - jobs are made at SAMPLE_RATE
            raise SpeechError(f"unsupported sample rate {job.sample_rate}")
        return samples


def _detail(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError):
        try:
            body = exc.response.json()
            message = body.get("error", {}).get("message") if isinstance(body, dict) else None
            if message:
                return str(message)[:300]
        except ValueError:
            pass
        return exc.response.text[:300] or str(exc)
    return str(exc)


def speech_from_settings(
    settings: VoiceSettings, http_client: httpx.Client | None = None
) -> SpeechVoice:
    return SpeechVoice(
        model=settings.model,
        base_url=settings.base_url,
        api_key=settings.api_key,
        voices=settings.voices,
        default_voice=settings.default_voice,
        http_client=http_client,
        timeout_s=settings.timeout_s,
        retry=RetryPolicy(max_attempts=settings.max_attempts, max_wait_s=settings.max_retry_wait_s),
    )
