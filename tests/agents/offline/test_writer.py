"""Offline script properties, on every example and original brief: no line by a silent
character, no self-address, no repeated beat or line, the logline's key words on screen, the
tone heard in the lines, the same episode for the same seed; revisions stay targeted."""

from __future__ import annotations

import itertools
import re

import pytest
from rapidfuzz import fuzz

from reelwright.agents.offline import ProceduralWriter
from reelwright.agents.offline.dialogue import short_name
from reelwright.agents.offline.lines import alike, norm, stems
from reelwright.agents.offline.premise import content_words, parse_premise
from reelwright.models import Note
from tests.agents.offline.conftest import EXAMPLES, load

SHARED_RATIO = 85  # two lines at or above this fuzzy ratio count as the same line
MAX_SHARED = 0.05  # measured: 0.0 for every pair of tones on the same premise


def write(brief, bible):
    script, _ = ProceduralWriter().write(brief, bible)
    return script


def test_silent_characters_never_speak_but_act(inputs):
    brief, bible = inputs
    script = write(brief, bible)
    silent = {c.id for c in bible.characters if not c.speaks and c.id in brief.characters}
    assert not [d for s in script.scenes for d in s.dialogue if d.character in silent]
    for cid in silent:  # present, and described doing something
        name = short_name(bible.character(cid))
        assert any(name in b for s in script.scenes if cid in s.characters for b in s.beats)


def test_nobody_says_their_own_name(inputs):
    brief, bible = inputs
    for s in write(brief, bible).scenes:
        for d in s.dialogue:
            c = bible.character(d.character)
            for form in {c.name, *c.name.split()}:
                assert not re.search(rf"\b{re.escape(form)}\b", d.text), (s.id, d)


def test_lines_name_others_by_their_short_name(inputs):
    brief, bible = inputs
    script = write(brief, bible)
    full = [c.name for c in bible.characters if len(c.name.split()) > 1]
    said = " ".join(d.text for s in script.scenes for d in s.dialogue)
    assert not any(name in said for name in full)
    shorts = {short_name(bible.character(c)) for c in brief.characters}
    assert any(re.search(rf"\b{re.escape(n)}\b", said) for n in shorts)


def test_no_beat_or_line_repeats_another(inputs):
    brief, bible = inputs
    script = write(brief, bible)
    lines = [norm(d.text) for s in script.scenes for d in s.dialogue]
    beats = [(s.id, norm(b)) for s in script.scenes for b in s.beats]
    for a, b in itertools.combinations(lines, 2):
        assert not alike(a, b) and fuzz.ratio(a, b) < SHARED_RATIO, (a, b)
    for (sa, a), (sb, b) in itertools.combinations(beats, 2):
        assert a != b, (sa, sb, a)
    summaries = [s.summary for s in script.scenes]
    assert len(set(summaries)) == len(summaries)


def test_every_scene_has_a_turn_and_a_place_in_the_story(inputs):
    brief, bible = inputs
    script = write(brief, bible)
    assert len(script.scenes) == brief.scene_count
    assert all(len(s.beats) >= 2 for s in script.scenes)
    assert all(s.dialogue for s in script.scenes)
    assert brief.characters[0] in script.scenes[0].characters
    assert brief.characters[0] in script.scenes[-1].characters


def test_the_logline_reaches_the_screen_without_being_pasted(inputs):
    brief, bible = inputs
    script = write(brief, bible)
    told = " ".join(
        part for s in script.scenes for part in (s.summary, *s.beats, *(d.text for d in s.dialogue))
    )
    told_stems = stems(told)
    missing = [w for w in content_words(brief.logline) if not stems(w) <= told_stems]
    assert missing == []
    premise = parse_premise(brief, bible)
    cast = {c for s in script.scenes for c in s.characters}
    assert set(premise.people) <= cast
    logline = norm(brief.logline)
    assert all(fuzz.ratio(norm(b), logline) < 70 for s in script.scenes for b in s.beats)


def test_the_same_brief_and_seed_give_the_same_episode_and_another_seed_another():
    brief, bible = load(EXAMPLES / "briefs" / "storm-signal.yaml")
    assert write(brief, bible) == write(brief, bible)
    other = write(brief.model_copy(update={"seed": brief.seed + 1}), bible)
    assert other != write(brief, bible)


def shared_share(a: list[str], b: list[str]) -> float:
    """The share of a's lines that b also says (fuzzy ratio >= SHARED_RATIO)."""
    return sum(any(fuzz.ratio(x, y) >= SHARED_RATIO for y in b) for x in a) / len(a)


def test_different_tones_share_almost_no_lines():
    """The same premise told in four tones, and two briefs of different tone: measured 0.0."""
    brief, bible = load(EXAMPLES / "briefs" / "storm-signal.yaml")
    tones = ["tense, then triumphant", "deadpan comedy", "moody noir", "warm, curious"]
    told = {
        t: [
            norm(d.text)
            for s in write(brief.model_copy(update={"tone": t}), bible).scenes
            for d in s.dialogue
        ]
        for t in tones
    }
    for a, b in itertools.combinations(tones, 2):
        assert max(shared_share(told[a], told[b]), shared_share(told[b], told[a])) <= MAX_SHARED
    warm_brief, warm_bible = load(EXAMPLES / "briefs" / "first-light.yaml")
    warm = [norm(d.text) for s in write(warm_brief, warm_bible).scenes for d in s.dialogue]
    assert shared_share(warm, told["tense, then triumphant"]) <= MAX_SHARED


def test_tone_changes_the_rhythm_and_the_time_of_day():
    brief, bible = load(EXAMPLES / "briefs" / "storm-signal.yaml")
    tense = write(brief, bible)
    noir = write(brief.model_copy(update={"tone": "noir mystery"}), bible)
    assert [s.time_of_day for s in noir.scenes].count("night") > [
        s.time_of_day for s in tense.scenes
    ].count("night")
    words = lambda script: [len(d.text.split()) for s in script.scenes for d in s.dialogue]  # noqa: E731
    assert sum(words(tense)) / len(words(tense)) < sum(words(noir)) / len(words(noir))


@pytest.mark.parametrize("n", [1, 2, 12, 30])
def test_short_and_long_episodes_keep_every_property(n):
    brief, bible = load(EXAMPLES / "briefs" / "storm-signal.yaml")
    script = write(brief.model_copy(update={"scenes": n, "runtime_s": 20 * n}), bible)
    lines = [norm(d.text) for s in script.scenes for d in s.dialogue]
    assert all(not alike(a, b) for a, b in itertools.combinations(lines, 2))
    assert all(d.character != "pip" for s in script.scenes for d in s.dialogue)
    silent = [s for s in script.scenes if not s.dialogue]
    assert len(silent) * 2 <= len(script.scenes)


def test_a_revision_rewrites_only_the_noted_scene_with_fresh_lines():
    brief, bible = load(EXAMPLES / "briefs" / "storm-signal.yaml")
    writer = ProceduralWriter()
    script = write(brief, bible)
    note = Note(target="writer", text="sharper", scene_ids=("s3",))
    revised, changed, _ = writer.revise(script, [note], brief, bible)
    assert changed == ["s3"]
    assert [s for s in revised.scenes if s.id != "s3"] == [s for s in script.scenes if s.id != "s3"]
    new, old = revised.scene("s3"), script.scene("s3")
    assert new.revision == 1 and new.dialogue != old.dialogue
    others = [norm(d.text) for s in revised.scenes if s.id != "s3" for d in s.dialogue]
    assert all(not alike(norm(d.text), o) for d in new.dialogue for o in others)
