"""The logline taken apart: who, where, what goes wrong, what they must do, for what, by when."""

from __future__ import annotations

from reelwright.agents.offline.premise import noun_phrases, parse_premise
from tests.agents.offline.conftest import EXAMPLES, load


def premise_of(name: str):
    brief, bible = load(next(EXAMPLES.glob(f"**/{name}.yaml")))
    return parse_premise(brief, bible)


def test_a_when_clause_is_the_trouble_and_the_modal_clause_the_goal():
    p = premise_of("storm-signal")
    assert p.trouble == "a storm knocks out the harbour radio"
    assert (p.threat, p.broken) == ("storm", "harbour radio")
    assert (p.goal, p.purpose, p.target) == (
        "rig a signal from the lighthouse",
        "guide Odalys's boat home",
        "signal",
    )
    assert p.people == ["juno", "pip", "odalys"] and p.rescued == ["odalys"]


def test_a_present_tense_verb_after_the_name_is_the_goal_and_before_is_the_deadline():
    p = premise_of("first-light")
    assert (p.goal, p.purpose) == ("build a clockwork helper", "repair the lighthouse lamp")
    assert p.when == "the fishing fleet returns at dusk" and p.by == ""
    assert p.broken == "lighthouse lamp" and p.target == "clockwork helper"


def test_roles_settings_deadlines_and_what_is_lost():
    crown = premise_of("the-copper-crown")
    assert crown.lost == "copper crown" and crown.broken == ""  # stolen, not broken
    assert crown.by == "the coronation" and crown.target == "copper crown"
    assert crown.roles == {"wren": "map-maker", "oskar": "old knight"}
    soup = premise_of("soup-of-the-day")
    assert soup.side == "Gus promises the impossible" and soup.role == "chef"
    assert soup.goal == "invent a soup from whatever is left in the cellar"


def test_noun_phrases_stop_before_verbs_and_names():
    assert noun_phrases("the fishing fleet returns at dusk") == ["fishing fleet"]
    assert noun_phrases("a storm knocks out the harbour radio") == ["storm", "harbour radio"]
    assert noun_phrases("Odalys's boat home") == ["boat"]
