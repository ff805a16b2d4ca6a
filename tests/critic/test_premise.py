"""The premise: the logline's key people, places and things appear in the script."""

from __future__ import annotations

from reelwright.critic.premise import check_premise, premise


def test_key_terms_are_the_named_bible_entries_and_the_other_content_words(clean):
    p = premise(clean.brief, clean.bible)
    assert p.characters == ("juno", "pip", "odalys")
    assert p.locations == ("harbour", "lighthouse")
    assert p.words == ("storm", "knocks", "radio", "rig", "signal", "guide", "boat", "home")


def test_the_clean_episode_keeps_its_premise(clean):
    assert list(check_premise(clean.brief, clean.bible, clean.script)) == []


def test_a_character_the_logline_names_missing_from_the_script_is_major(clean):
    ep = clean.with_scene("s3", characters=["juno", "pip", "bram"])
    ep = ep.with_scene(
        "s3",
        dialogue=[d for d in ep.scene("s3").dialogue if d.character != "odalys"],
        beats=["They climb the spiral stair in the wind", "A boat turns toward the beam"],
    )
    ep = ep.with_scene(
        "s1",
        summary="The storm knocks the harbour radio out.",
        beats=["Thunder rolls over the harbour and the radio dies", "Bram says she is out"],
        dialogue=[d for d in ep.scene("s1").dialogue if "Odalys" not in d.text],
    )
    (d,) = check_premise(ep.brief, ep.bible, ep.script)
    assert (d.check, d.dimension, d.target, d.gravity) == (
        "premise.missing",
        "structure",
        "writer",
        "major",
    )
    assert d.scene_ids == ("s1", "s3") and "Odalys Reyes" in d.text


def test_a_script_about_something_else_has_drifted(clean):
    ep = clean
    for sc in clean.script.scenes:
        ep = ep.with_scene(
            sc.id,
            summary="A quiet afternoon.",
            beats=["Juno paints a fence", "Pip counts gulls"],
            dialogue=[d for d in sc.dialogue if d.character == "pip"],
        )
    (d,) = check_premise(ep.brief, ep.bible, ep.script)
    assert (d.check, d.gravity) == ("premise.drift", "major")


def test_one_missing_word_is_a_minor_note(clean):
    ep = clean.with_scene("s3", summary="From the lighthouse they flash the signal to the boat.")
    (d,) = check_premise(ep.brief, ep.bible, ep.script)
    assert (d.check, d.gravity) == ("premise.word", "minor")
    assert '"guide"' in d.text
