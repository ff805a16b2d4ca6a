"""The writer's own repeat guard fires on the variants a critic would catch."""

from __future__ import annotations

import pytest

from reelwright.agents.offline.lines import near_repeat, norm

LINE = "The harbour radio is dead. Completely dead."


@pytest.mark.parametrize(
    "variant",
    [
        LINE,
        LINE + " Trust me.",  # words appended
        "The harbour radio is dead.",  # words removed
        "Completely dead. The harbour radio is dead.",  # reordered
        "The harbour radio's dead, completely dead!",  # light paraphrase
    ],
)
def test_variants_of_a_line_are_repeats(variant):
    assert near_repeat(variant, [norm(LINE)])


def test_a_different_line_is_not_a_repeat():
    assert not near_repeat("Then we rig a signal from the lighthouse. Tonight.", [norm(LINE)])


def test_beats_may_name_the_same_goal_in_other_words():
    decided = norm("Juno resolves to rig a signal from the lighthouse, whatever it takes")
    assert not near_repeat(
        "with time running out, Juno and Bram rig a signal from the lighthouse",
        [decided],
        loose=True,
    )
    assert near_repeat("Juno resolves to rig a signal from the lighthouse", [decided], loose=True)
