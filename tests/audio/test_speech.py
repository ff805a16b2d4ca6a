"""The speech endpoint voice against respx and a real local HTTP server: the request it
sends, retries on 429/5xx under the LLM port's policy, none on 400/401, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pytest
import respx

from reelwright.audio.cache import AudioCache
from reelwright.audio.speech import SpeechError, SpeechVoice, speech_from_settings
from reelwright.audio.track import Sound, voice_pass
from reelwright.config import VoiceSettings
from reelwright.errors import InputError
from reelwright.llm import RetryPolicy
from reelwright.models import Bible, DialogueLine, VoiceSpec
from reelwright.testing import serve_endpoint
from tests.audio.conftest import shot, shots

BASE = "http://speech.test/v1"
URL = f"{BASE}/audio/speech"
PCM = (np.sin(np.arange(4800) / 10) * 8000).astype("<i2").tobytes()  # 0.2 s at 24 kHz


def _voice(base: str = BASE, attempts: int = 4) -> SpeechVoice:
    return SpeechVoice(
        model="tts-test",
        base_url=base,
        api_key="sk-test",
        voices=("alloy", "onyx"),
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=attempts, sleep=lambda s: None),
    )


def _styled(bible: Bible) -> Bible:
    juno = bible.character("juno").model_copy(
        update={"voice": VoiceSpec(name="onyx", speed=1.25, style="whispered, urgent")}
    )
    return bible.model_copy(update={"characters": [juno, *bible.characters[1:]]})


def test_request_shape(http: respx.MockRouter, bible: Bible) -> None:
    route = http.post(URL).mock(return_value=httpx.Response(200, content=PCM))
    voice = _voice()
    job = voice.job(
        "s1-1/0", _styled(bible).character("juno"), DialogueLine(character="juno", text="Hi.")
    )
    [clip] = list(voice.speak([job]))
    sent = json.loads(route.calls[0].request.content)
    assert sent == {
        "model": "tts-test",
        "voice": "onyx",
        "input": "Hi.",
        "speed": 1.25,
        "response_format": "pcm",
        "instructions": "whispered, urgent",
    }
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test"
    assert len(clip.samples) == 4800 and clip.samples.dtype == np.float32
    assert float(np.max(np.abs(clip.samples))) == pytest.approx(8000 / 32768, rel=1e-3)


@pytest.mark.parametrize("transient", [429, 500, 503])
def test_transient_failures_are_retried(
    http: respx.MockRouter, bible: Bible, transient: int
) -> None:
    route = http.post(URL).mock(
        side_effect=[
            httpx.Response(
                transient, headers={"retry-after": "0"}, json={"error": {"message": "busy"}}
            ),
            httpx.Response(transient, json={"error": {"message": "busy"}}),
            httpx.Response(200, content=PCM),
        ]
    )
    voice = _voice()
    job = voice.job("a/0", bible.character("juno"), DialogueLine(character="juno", text="Hi."))
    [clip] = list(voice.speak([job]))
    assert route.call_count == 3 and len(clip.samples) == 4800
    assert voice.retry.waits[0] == 0.0  # Retry-After honoured


@pytest.mark.parametrize(
    ("status", "message"), [(400, "answered 400"), (401, "rejected the API key"), (404, "404")]
)
def test_client_errors_are_not_retried(
    http: respx.MockRouter, bible: Bible, status: int, message: str
) -> None:
    route = http.post(URL).mock(
        return_value=httpx.Response(status, json={"error": {"message": "voice 'x' is unknown"}})
    )
    voice = _voice()
    job = voice.job("a/0", bible.character("juno"), DialogueLine(character="juno", text="Hi."))
    with pytest.raises(SpeechError, match=message) as err:
        list(voice.speak([job]))
    assert route.call_count == 1
    assert status == 401 or "voice 'x' is unknown" in str(err.value)


def test_retries_end_with_a_clear_error(http: respx.MockRouter, bible: Bible) -> None:
    route = http.post(URL).mock(return_value=httpx.Response(502, text="bad gateway"))
    voice = _voice(attempts=3)
    job = voice.job("a/0", bible.character("juno"), DialogueLine(character="juno", text="Hi."))
    with pytest.raises(SpeechError, match="answered 502 for line a/0: bad gateway"):
        list(voice.speak([job]))
    assert route.call_count == 3


def test_unknown_voice_names_are_bad_input(bible: Bible) -> None:
    voice = _voice()
    voice.check(bible)  # no names in the example bible: the default voice, which it has
    juno = bible.character("juno").model_copy(update={"voice": VoiceSpec(name="gandalf")})
    bad = bible.model_copy(update={"characters": [juno, *bible.characters[1:]]})
    with pytest.raises(InputError, match="gandalf"):
        voice.check(bad)


def test_against_a_real_local_server(http: respx.MockRouter, bible: Bible, tmp_path: Path) -> None:
    http.route(host="127.0.0.1").pass_through()
    replies = iter([httpx.Response(503, json={"error": {"message": "warming up"}})])

    def endpoint(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert request.url.path == "/v1/audio/speech"
        reply = next(replies, None)
        if reply is not None:
            return reply
        n = 2400 * len(body["input"].split())  # 0.1 s a word: length follows the text
        pcm = (np.sin(np.arange(n) / 7) * 9000).astype("<i2").tobytes()
        return httpx.Response(200, content=pcm, headers={"content-type": "audio/pcm"})

    server = serve_endpoint(endpoint)
    with server as base:
        settings = VoiceSettings(base_url=base, api_key="sk-local", max_attempts=3)
        voice = speech_from_settings(settings)
        voice.retry.sleep = lambda s: None
        sound = Sound(voice=voice, cache=AudioCache(tmp_path / "audio"))
        cut = shots(
            shot("s1-1", 1.0, ("juno", "One two three four five six.")),
            shot("s1-2", 2.0, ("pip", "Beep."), ("bram", "Two words.")),
        )
        timed, clips, count = voice_pass(sound, cut, bible, 1)
    # the 503 was retried; Pip's effect never reached the endpoint
    assert [r["input"] for r in server.requests] == [
        "One two three four five six.",
        "One two three four five six.",
        "Two words.",
    ]
    assert {r["voice"] for r in server.requests} == {"alloy"}
    assert count.synthesised == 3 and [c.job.kind for c in clips] == ["speech", "effect", "speech"]
    assert clips[0].duration_s == pytest.approx(0.6, abs=0.01)
    assert timed.shots[0].duration_s >= 0.6 + 0.6 > cut.shots[0].duration_s
