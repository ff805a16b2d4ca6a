"""Who speaks: silent characters given words, speakers absent from their scene, characters
addressing themselves by their own name."""

from __future__ import annotations

import pytest

from reelwright.critic.speakers import absent_speakers, self_address, silent_speakers
from reelwright.models import Script
from tests.critic.conftest import line


def test_the_clean_episode_has_no_speaker_defect(clean):
    """Pip (speaks: false) only chimes and beeps in parentheticals."""
    assert silent_speakers(clean.script, clean.bible) == []
    assert absent_speakers(clean.script, clean.bible) == []
    assert self_address(clean.script, clean.bible) == []


def with_line(clean, scene_id, character, text):
    sc = clean.scene(scene_id)
    return clean.with_scene(scene_id, dialogue=[*sc.dialogue, line(character, text)])


@pytest.mark.parametrize("text", ["We must hurry to the lighthouse.", "Beep. I can help!"])
def test_a_silent_character_given_words_is_a_serious_dialogue_defect(clean, text):
    ep = with_line(clean, "s2", "pip", text)
    (d,) = silent_speakers(ep.script, ep.bible)
    assert (d.check, d.dimension, d.target, d.gravity, d.scene_ids) == (
        "speakers.silent",
        "dialogue",
        "writer",
        "serious",
        ("s2",),
    )
    assert "Pip does not speak" in d.text


@pytest.mark.parametrize("sound", ["(beeps twice)", "[whirr]", "*chime* ... *chime*"])
def test_a_silent_character_making_sounds_is_fine(clean, sound):
    ep = with_line(clean, "s2", "pip", sound)
    assert silent_speakers(ep.script, ep.bible) == []


def test_a_script_with_a_line_by_someone_not_in_the_scene_loads_and_is_flagged(clean):
    data = clean.script.model_dump()
    data["scenes"][1]["dialogue"].append({"character": "odalys", "text": "Who is there?"})
    script = Script.model_validate(data)  # a person's script is critiqued, not rejected
    (d,) = absent_speakers(script, clean.bible)
    assert (d.check, d.dimension, d.target, d.gravity, d.scene_ids) == (
        "speakers.absent",
        "continuity",
        "writer",
        "serious",
        ("s2",),
    )
    assert "Odalys Reyes" in d.text


@pytest.mark.parametrize(
    "text", ["Juno Park, keep your head.", "Come on, Juno, think!", "Juno always finds a way."]
)
def test_a_character_saying_their_own_name_is_a_dialogue_defect(clean, text):
    ep = with_line(clean, "s2", "juno", text)
    (d,) = self_address(ep.script, ep.bible)
    assert (d.check, d.dimension, d.target, d.gravity, d.scene_ids) == (
        "speakers.self_address",
        "dialogue",
        "writer",
        "major",
        ("s2",),
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm Juno. Juno Park.",  # the second is after an introduction too
        "My name is Juno Park.",
        "Call me Juno.",
        "Junoesque is not a word.",
        "Bram, hold the lamp.",  # someone else's name
    ],
)
def test_introductions_and_other_names_are_not_self_address(clean, text):
    ep = with_line(clean, "s2", "juno", text)
    assert self_address(ep.script, ep.bible) == []


def test_a_first_word_that_is_not_a_name_is_not_self_address(clean):
    bible = clean.bible.model_copy(
        update={
            "characters": [
                c.model_copy(update={"name": "The Keeper"}) if c.id == "bram" else c
                for c in clean.bible.characters
            ]
        }
    )
    ep = with_line(clean, "s1", "bram", "The lamp is out. The Keeper always knows.")
    assert [d.text[:40] for d in self_address(ep.script, bible)] == [
        "The Keeper says their own name in line 5"
    ]
    ep = with_line(clean, "s1", "bram", "The lamp is out.")
    assert self_address(ep.script, bible) == []
