"""The run page plays the animatic with its sound track and the dialogue subtitles."""

from __future__ import annotations

import re

from tests.review.conftest import auth, sign_in


def test_the_run_page_plays_the_animatic_with_sound_and_subtitles(client, project):
    _, tokens = project
    sign_in(client, tokens["sam"])
    page = client.get("/runs/ep1")
    assert page.status_code == 200
    video = re.search(r"<video id=\"animatic\".*?</video>", page.text, re.S)
    assert video is not None
    assert 'src="/runs/ep1/files/animatic.mp4"' in video.group()
    assert '<track kind="subtitles"' in video.group()
    assert 'src="/runs/ep1/files/animatic.vtt"' in video.group()
    vtt = client.get("/runs/ep1/files/animatic.vtt", headers=auth(tokens["sam"]))
    srt = client.get("/runs/ep1/files/animatic.srt", headers=auth(tokens["sam"]))
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT\n\n")
    first = re.search(r"(\d\d:\d\d:\d\d)[.,](\d{3}) --> ", vtt.text)
    assert first is not None and f"{first[1]},{first[2]} --> " in srt.text
    mp4 = client.get("/runs/ep1/files/animatic.mp4", headers=auth(tokens["sam"]))
    assert mp4.status_code == 200 and b"mp4a" in mp4.content  # an AAC track in the file
