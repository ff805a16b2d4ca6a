"""Repetition: near-repeated lines (appended, reordered, lightly paraphrased) across and within
scenes, repeated beats and one scene shape used over and over."""

from __future__ import annotations

import pytest

from reelwright.critic.repetition import near_repeat_lines, repeated_beats, repeated_shapes
from tests.critic.conftest import line

ORIGINAL = "Odalys took her boat out at noon. She has no way home in this."


def test_the_clean_episode_repeats_nothing(clean):
    assert near_repeat_lines(clean.script) == []
    assert repeated_beats(clean.script) == []
    assert repeated_shapes(clean.script) == []


def with_line_in_s3(clean, text, character="juno"):
    s3 = clean.scene("s3")
    return clean.with_scene("s3", dialogue=[*s3.dialogue, line(character, text)])


@pytest.mark.parametrize(
    "variant",
    [
        ORIGINAL,
        ORIGINAL.upper(),
        ORIGINAL + " Trust me.",  # the cosmetic edit
        "Trust me, " + ORIGINAL.lower(),
        "She has no way home in this. Odalys took her boat out at noon.",  # reordered
        "Odalys took her boat out at noon, and she has no way home in this storm.",
        "Odalys took the boat out at noon; she's got no way home in this.",  # light paraphrase
    ],
)
def test_a_near_repeat_across_scenes_is_a_major_writer_note_on_the_later_scene(clean, variant):
    ep = with_line_in_s3(clean, variant)
    (d,) = near_repeat_lines(ep.script)
    assert (d.check, d.dimension, d.target, d.gravity) == (
        "dialogue.near_repeat",
        "dialogue",
        "writer",
        "major",
    )
    assert d.scene_ids == ("s3",) and d.shot_ids == ()
    assert "scene s1" in d.text


def test_a_near_repeat_within_a_scene_is_flagged(clean):
    s2 = clean.scene("s2")
    again = line("juno", "Hand me that wrench. Mirror, battery, the old fog lens!")
    ep = clean.with_scene("s2", dialogue=[*s2.dialogue, again])
    (d,) = near_repeat_lines(ep.script)
    assert d.scene_ids == ("s2",) and "twice in scene s2" in d.text


@pytest.mark.parametrize(
    "fresh",
    [
        "Come on.",  # short lines recur in speech
        "The radio mast is down too.",  # shares a word, says something else
        "Her boat has the brightest lamp in the harbour.",
    ],
)
def test_different_lines_that_share_words_are_not_repeats(clean, fresh):
    ep = with_line_in_s3(with_line_in_s3(clean, "Come on."), fresh)
    assert near_repeat_lines(ep.script) == []


def test_a_scene_replaying_earlier_beats_is_a_structure_note(clean):
    ep = clean.with_scene(
        "s3",
        beats=["Thunder rolls over the harbour; the radio dies", "Bram says that Odalys is out"],
    )
    (d,) = repeated_beats(ep.script)
    assert (d.check, d.dimension, d.target, d.scene_ids) == (
        "structure.repeated_beats",
        "structure",
        "writer",
        ("s3",),
    )
    assert "s1" in d.text


def test_a_repeated_summary_alone_repeats_the_scene(clean):
    ep = clean.with_scene("s2", summary="The storm knocks the harbour radio out, Odalys at sea.")
    assert [d.scene_ids for d in repeated_beats(ep.script)] == [("s2",)]


def test_most_scenes_built_alike_is_a_serious_structure_defect(clean):
    s2 = clean.scene("s2")
    copies = [s2.model_copy(update={"id": f"s{k}", "number": k}) for k in range(4, 9)]
    script = clean.script.model_copy(update={"scenes": [*clean.script.scenes, *copies]})
    (d,) = repeated_shapes(script)
    assert (d.gravity, d.dimension, d.target) == ("serious", "structure", "writer")
    assert d.scene_ids == ("s4", "s5", "s6", "s7", "s8")  # the first of them stands


def test_a_few_alike_scenes_in_a_longer_episode_are_not_a_shape_defect(clean):
    s2 = clean.scene("s2")
    copies = [s2.model_copy(update={"id": f"s{k}", "number": k}) for k in range(4, 5)]
    script = clean.script.model_copy(update={"scenes": [*clean.script.scenes, *copies]})
    assert repeated_shapes(script) == []  # two of four
