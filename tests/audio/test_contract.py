"""The contract every Voice keeps, run over each backend: one clip per job, in any order;
the same job gives the same audio; a job's key does not depend on where the line is; a
bible naming a voice the backend lacks is refused."""

from __future__ import annotations

import hashlib
import json

import httpx
import numpy as np
import pytest
import respx

from reelwright.audio.scratch import ScratchVoice
from reelwright.audio.speech import SpeechVoice
from reelwright.audio.voice import Voice
from reelwright.errors import InputError
from reelwright.llm import RetryPolicy
from reelwright.models import Bible, DialogueLine, VoiceSpec


def _speech_reply(request: httpx.Request) -> httpx.Response:
    """A deterministic stand-in for a speech service: audio derived from the request."""
    body = json.loads(request.content)
    seed = int.from_bytes(hashlib.sha256(request.content).digest()[:4], "little")
    n = 2400 * len(body["input"].split())
    pcm = (np.random.default_rng(seed).standard_normal(n) * 3000).astype("<i2").tobytes()
    return httpx.Response(200, content=pcm)


@pytest.fixture(params=["scratch", "speech"])
def backend(request: pytest.FixtureRequest, http: respx.MockRouter) -> Voice:
    if request.param == "scratch":
        return ScratchVoice()
    http.post("http://speech.test/v1/audio/speech").mock(side_effect=_speech_reply)
    return SpeechVoice(
        model="tts-test",
        base_url="http://speech.test/v1",
        voices=("alloy", "onyx"),
        http_client=httpx.Client(),
        retry=RetryPolicy(sleep=lambda s: None),
    )


def test_one_clip_per_job_and_the_same_job_sounds_the_same(backend: Voice, bible: Bible) -> None:
    juno, bram = bible.character("juno"), bible.character("bram")
    jobs = [
        backend.job("a/0", juno, DialogueLine(character="juno", text="Slow down. Look again.")),
        backend.job("a/1", bram, DialogueLine(character="bram", text="Trust me.")),
    ]
    first = {c.job.line_id: c for c in backend.speak(jobs)}
    again = {c.job.line_id: c for c in backend.speak(list(reversed(jobs)))}
    assert set(first) == set(again) == {"a/0", "a/1"}
    for line_id, clip in first.items():
        assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
        assert 0 < float(np.max(np.abs(clip.samples))) <= 1.0
        assert np.array_equal(clip.samples, again[line_id].samples)
    assert len(first["a/0"].samples) > len(first["a/1"].samples)  # longer text, longer clip


def test_the_key_does_not_depend_on_where_the_line_is(backend: Voice, bible: Bible) -> None:
    juno = bible.character("juno")
    line = DialogueLine(character="juno", text="Hello.")
    assert backend.job("s1-1/0", juno, line).key == backend.job("s9-2/4", juno, line).key
    faster = juno.model_copy(update={"voice": VoiceSpec(speed=1.3)})
    assert backend.job("s1-1/0", faster, line).key != backend.job("s1-1/0", juno, line).key


def test_a_voice_the_backend_lacks_is_refused(backend: Voice, bible: Bible) -> None:
    backend.check(bible)
    juno = bible.character("juno").model_copy(update={"voice": VoiceSpec(name="no-such-voice")})
    with pytest.raises(InputError, match="no-such-voice"):
        backend.check(bible.model_copy(update={"characters": [juno, *bible.characters[1:]]}))
