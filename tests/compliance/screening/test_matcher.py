"""Screening: each obfuscation family is caught on several entities; benign text passes."""

from __future__ import annotations

import pytest

from reelwright.compliance.redteam import evaluate, load_suite
from reelwright.compliance.screening import Screener, Watchlist, default_screener, fold, verdict


@pytest.fixture(scope="module")
def screener() -> Screener:
    return default_screener()


def entities(screener: Screener, text: str) -> set[str]:
    return {f.entity for f in screener.screen(text)}


FAMILIES = {
    "case": [
        ("DARTH VADER arrives", "Darth Vader"),
        ("pIkAcHu sleeps", "Pikachu"),
        ("hogwarts at dawn", "Harry Potter (series)"),
    ],
    "punctuation": [
        ("S.p.i.d.e.r-M.a.n", "Spider-Man"),
        ("Mickey_Mouse waves", "Mickey Mouse"),
        ("Dar-th Va.der", "Darth Vader"),
    ],
    "diacritics": [
        ("Sûpérmàn flies", "Superman"),
        ("Pïkâchü", "Pikachu"),
        ("Bëyoncé sings", "Beyoncé"),
    ],
    "lookalikes": [
        ("Dаrth Vаder", "Darth Vader"),  # Cyrillic а
        ("Ηarry Ρotter", "Harry Potter"),  # Greek Η and Ρ
        ("Ｐｉｋａｃｈｕ", "Pikachu"),
    ],  # fullwidth
    "spacing": [
        ("D a r t h  V a d e r", "Darth Vader"),
        ("P i k a c h u", "Pikachu"),
        ("Spider Man", "Spider-Man"),
        ("Mickey\u200bMouse", "Mickey Mouse"),
    ],
    "leetspeak": [
        ("D4rth V4d3r", "Darth Vader"),
        ("P1k4chu", "Pikachu"),
        ("$p0ngeB0b", "SpongeBob SquarePants"),
        ("B@tm@n", "Batman"),
    ],
    "possessives_plurals": [
        ("Vader's helmet", "Darth Vader"),
        ("two Pikachus", "Pikachu"),
        ("Minions everywhere at Gru's lab", "Minions"),
        ("Batman's car", "Batman"),
    ],
    "misspellings": [
        ("Spyderman", "Spider-Man"),
        ("Harry Pottr", "Harry Potter"),
        ("Pikachuu", "Pikachu"),
        ("Voldemortt", "Lord Voldemort"),
    ],
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_obfuscation_family_is_caught_on_several_entities(screener, family):
    for text, entity in FAMILIES[family]:
        assert entity in entities(screener, text), (family, text)


@pytest.mark.parametrize(
    "text",
    [
        "He clicked the link to the report.",
        "Anna and Elsa Lindqvist run a bakery.",
        "Mario Rossi, a retired teacher, tiles his bathroom.",
        "It was a dark night and the swift current took the boat.",
        "A sonic boom rattled the windows; the pond was frozen.",
        "The kids found a crab under the rock. Bram moved his knight.",
        "Thor Hansen mends nets. A spider spins a web. The target was hit.",
        "Monsters under the bed tell a meta joke about the god Hermes.",
        "Juno Park and Pip repair the lighthouse lamp at Gull Point.",
        "They share apples, ride the bus and trump each other's stories.",
    ],
)
def test_ordinary_words_and_common_first_names_pass(screener, text):
    assert screener.screen(text) == []


def test_ambiguous_names_match_with_context(screener):
    assert "Elsa" in entities(screener, "Elsa freezes the fjords of Arendelle")
    assert "Link (Zelda)" in entities(screener, "Link lifts the Master Sword in Hyrule")
    assert "Mario" in entities(screener, "Mario stomps a Goomba and saves Princess Peach")


def test_spans_point_into_the_original_text(screener):
    text = "Intro — then Dаrth Vаder (with Cyrillic letters) enters."
    (finding,) = screener.screen(text)
    a, b = finding.span
    assert text[a:b] == "Dаrth Vаder" == finding.evidence
    assert len(fold(text)) == len(text)


def test_description_without_a_name_is_caught(screener):
    found = screener.screen("a yellow electric mouse with red cheeks and a lightning bolt tail")
    assert [(f.entity, f.rule) for f in found] == [("Pikachu", "screen.description")]


def test_style_requests_block_but_a_mention_is_review(screener):
    (style,) = screener.screen("painted in the style of Greg Rutkowski")
    (mention,) = screener.screen("Greg Rutkowski gave a talk")
    assert (style.severity, style.rule) == ("block", "screen.style")
    assert mention.severity == "review"


def test_trademarks_are_review_and_people_block(screener):
    assert verdict(screener.screen("They drink Coca-Cola")) == "review"
    assert verdict(screener.screen("Taylor Swift waves")) == "block"
    assert verdict(screener.screen("A quiet harbour")) == "pass"


def test_project_watchlist_and_allow_list(tmp_path):
    extra = tmp_path / "watchlist.yaml"
    extra.write_text(
        "entries:\n  - {name: Captain Brineheart, kind: franchise_character, "
        "owner: Rival Studio, aliases: [Brineheart]}\n"
    )
    custom = Screener(Watchlist.load([extra], allow=["Darth Vader"]))
    assert entities(custom, "Brineheart sails") == {"Captain Brineheart"}
    assert entities(custom, "Darth Vader sails") == set()  # cleared by the project


def test_invalid_project_watchlist_is_an_input_error(tmp_path):
    from reelwright.errors import InputError

    bad = tmp_path / "w.yaml"
    bad.write_text("entries:\n  - {name: Xyzzy, kind: nonsense}\n")
    with pytest.raises(InputError, match="undefined kinds"):
        Watchlist.load([bad])


def test_default_watchlist_covers_every_kind_with_300_entries():
    wl = Watchlist.default()
    kinds = {e.kind for e in wl.entries}
    assert len(wl.entries) >= 300
    assert kinds == {
        "franchise_character",
        "franchise",
        "studio",
        "trademark",
        "trade_dress",
        "public_figure",
        "office",
        "living_artist",
    }


SEEN = {"direct", "description", "obfuscation", "indirection", "control"}


def test_redteam_suite_recall_and_false_positives_per_category():
    result = evaluate(load_suite())
    assert result["must_catch"] >= 120 and result["controls"] >= 50
    assert set(result["recall_by_category"]) >= {
        "described",
        "multilingual",
        "compound",
        "person_by_role",
        "trade_dress",
        "confusables",
        "public_domain_marked",
    }
    assert set(result["false_positive_rate_by_category"]) >= {"benign_collision", "public_domain"}
    # the cases the watchlist was extended for: all caught, no false positive
    tuned = {k: v for k, v in result["recall_by_category"].items()}
    assert min(tuned.values()) >= 0.8, result["missed"]
    assert [m for m in result["missed"] if not m.startswith("ho-")] == []
    assert [f for f in result["false_positives"] if not f.startswith("ho-")] == []
    # held-out cases: reported, not tuned; a floor so a regression shows
    assert result["heldout"]["recall"] >= 0.7
    assert result["heldout"]["false_positive_rate"] <= 0.15
