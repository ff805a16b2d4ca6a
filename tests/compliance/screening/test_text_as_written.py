"""Issue 16: text as people write it, names in other scripts, roles, context, trade dress,
and the watchlist's own validation. Each check fires on its case and passes a benign one."""

from __future__ import annotations

import pytest

from reelwright.compliance.screening import Screener, Watchlist, default_screener, fold, verdict
from reelwright.compliance.screening.watchlist import MARKET_LANGUAGES
from reelwright.errors import InputError


@pytest.fixture(scope="module")
def screener() -> Screener:
    return default_screener()


def entities(screener: Screener, text: str) -> set[str]:
    return {f.entity for f in screener.screen(text)}


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("𝐁𝐚𝐭𝐦𝐚𝐧", "batman"),  # mathematical bold (NFKC)
        ("ᏴᎪᎢᎷᎪN", "batman"),  # Cherokee look-alikes (UTS #39)
        ("V🅰der", "vader"),  # emoji letter
        ("ⓢⓗⓡⓔⓚ", "shrek"),  # circled
        ("ᴘɪᴋᴀᴄʜᴜ", "pikachu"),  # small capitals
        ("H⭕gwarts", "hogwarts"),  # emoji for a letter
    ],
)
def test_letters_from_other_blocks_fold_to_latin_with_the_same_length(text, folded):
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


def test_other_scripts_are_kept_for_their_own_matcher():
    assert fold("Гарри") != "гарри".upper() and len(fold("哈利")) == 2
    assert fold("哈利") == "哈利"


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Party for #StarWarsDay", "Star Wars"),
        ("follow @harrypotterfan88", "Harry Potter"),
        ("visit www.cocacola.com", "Coca-Cola"),
        ("player PikachuFan2009 wins", "Pikachu"),
        ("stream: batmanvsuperman rematch", "Batman"),
    ],
)
def test_names_inside_hashtags_handles_domains_and_camel_case(screener, text, entity):
    assert entity in entities(screener, text)


@pytest.mark.parametrize(
    "text",
    [
        "She shops at the supermarket and reads the author's notes.",
        "#HarbourDay at www.example.com with @juno_park2009",
        "Characteristically understated, the lighthouse keeper waves.",
    ],
)
def test_compound_words_without_names_pass(screener, text):
    assert screener.screen(text) == []


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Bob Esponja abre una tienda.", "SpongeBob SquarePants"),
        ("Dark Vador apprend à cuisiner.", "Darth Vader"),
        ("ミッキーマウスが港で船に乗る。", "Mickey Mouse"),
        ("哈利·波特在海边过暑假。", "Harry Potter"),
        ("Гарри Поттера видели в порту.", "Harry Potter"),  # declined form
        ("피카츄가 바다에 간다.", "Pikachu"),
        ("باتمان يساعد طفلاً", "Batman"),
        ("हैरी पॉटर छुट्टियाँ मनाता है", "Harry Potter"),
        ("In dieser Folge besucht Angela Merkel eine Bäckerei.", "Angela Merkel"),
    ],
)
def test_names_in_other_languages_and_scripts(screener, text, entity):
    assert entity in entities(screener, text)


@pytest.mark.parametrize(
    "text",
    [
        "Мы едем на море летом.",
        "我们在超市买了苹果。",
        "港で船に乗る。",
        "El hombre camina por la playa.",
    ],
)
def test_ordinary_text_in_other_scripts_passes(screener, text):
    assert screener.screen(text) == []


def test_every_high_protection_entry_names_itself_in_every_market_language():
    high = [e for e in Watchlist.default().entries if e.protection == "high"]
    assert len(high) >= 20
    for entry in high:
        missing = [lang for lang in MARKET_LANGUAGES if not entry.names.get(lang)]
        assert not missing, (entry.name, missing)
        assert entry.misspellings and entry.transliterations, entry.name


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Garri Potter edet na more", "Harry Potter"),
        ("Hali Bote zai haibian", "Harry Potter"),
        ("Betmen spasaet gorod", "Batman"),
        ("Suponji Bobu no ie", "SpongeBob SquarePants"),
    ],
)
def test_transliterated_names_are_caught(screener, text, entity):
    assert entity in entities(screener, text)


def test_misspellings_listed_per_entry_are_caught(screener):
    assert "Adidas" in entities(screener, "new Addidas trainers")
    assert "Mickey Mouse" in entities(screener, "Mikey Mouse waves")


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Queen Bey headlines the festival.", "Beyoncé"),
        ("The billionaire who bought Twitter lands a rocket.", "Elon Musk"),
        (
            "The current President of the United States visits.",
            "President of the United States (office holder)",
        ),
        ("The Pope blesses the fleet.", "The Pope (office holder)"),
    ],
)
def test_people_by_role_or_nickname_are_review_findings(screener, text, entity):
    (finding,) = [f for f in screener.screen(text) if f.entity == entity]
    assert finding.severity == "review"
    assert finding.evidence in text


def test_a_nickname_finding_names_the_person_and_says_why(screener):
    (finding,) = screener.screen("Queen Bey sings")
    assert (finding.rule, finding.entity) == ("screen.role", "Beyoncé")
    assert "role or nickname" in finding.fix


@pytest.mark.parametrize(
    "text",
    [
        "The queen bee leaves the hive.",
        "The avengers of the murdered king ride out at dawn.",
        "Nike, the winged goddess of victory, watches the games.",
        "The corona of the sun glows during the eclipse.",
        "A jaguar stalks through the rainforest.",
    ],
)
def test_ambiguous_words_without_corroborating_context_pass(screener, text):
    assert screener.screen(text) == []


def test_ambiguous_words_with_context_flag(screener):
    assert "Nike" in entities(screener, "He laces up his Nike running shoes with the swoosh.")
    assert "Marvel Cinematic Universe" in entities(
        screener, "The Avengers assemble: Iron Man leads"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Sherlock Holmes and Dr Watson investigate in foggy London.",
        "Cinderella loses a glass slipper at midnight.",
        "Winnie-the-Pooh and Piglet look for honey.",
        "Snow White bites a poisoned apple.",
        "Victor Frankenstein brings his creature to life.",
    ],
)
def test_public_domain_works_stay_clear(screener, text):
    assert screener.screen(text) == []


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("Winnie the Pooh in his little red shirt", "Winnie the Pooh (Disney)"),
        ("Cinderella sings Bibbidi-Bobbidi-Boo", "Cinderella (Disney)"),
        ("dwarfs named Dopey and Sneezy", "Seven Dwarfs (Disney)"),
        (
            "the monster, flat-topped head and bolts in his neck",
            "Frankenstein's Monster (Universal design)",
        ),
    ],
)
def test_public_domain_with_a_protected_adaptations_marks_flags(screener, text, entity):
    assert entity in entities(screener, text)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("A red can with white swirling script.", "Coca-Cola trade dress"),
        ("A laptop with a glowing bitten apple on its lid.", "Apple logo"),
        ("A double-arched yellow M over the burger stand.", "McDonald's Golden Arches"),
    ],
)
def test_trade_dress_described_is_a_review_finding(screener, text, entity):
    (finding,) = [f for f in screener.screen(text) if f.entity == entity]
    assert (finding.rule, finding.severity, finding.kind) == (
        "screen.description",
        "review",
        "trade_dress",
    )


@pytest.mark.parametrize(
    "text",
    [
        "A red can of paint sits on the shelf.",  # one feature alone
        "A swoosh of her cape and she is gone.",
        "He eats a bitten apple on the bench.",
        "The bridge has a double-arched span.",
    ],
)
def test_one_distinctive_feature_alone_does_not_flag(screener, text):
    assert verdict(screener.screen(text)) == "pass"


def _load_with(tmp_path, entry: str) -> Watchlist:
    path = tmp_path / "w.yaml"
    path.write_text(f"entries:\n  - {entry}\n", encoding="utf-8")
    return Watchlist.load([path])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{name: Captain Brine, kind: franchise, aliases: ['--']}", "alias"),
        ("{name: Captain Brine, kind: franchise, cues: [[sea captain], []]}", "empty cue group"),
        ("{name: Captain Brine, kind: franchise, cues: [[sea captain, brine]]}", "two groups"),
        ("{name: Captain Brine, kind: franchise, cues: [[sea captain], ['!']]}", "cue"),
        ("{name: Captain Brine, kind: franchise, names: {ja: ['・']}}", "ja name"),
        ("{name: Captain Brine, kind: franchise, roles: ['?']}", "alias"),
    ],
)
def test_a_malformed_alias_or_cue_is_an_error_naming_the_entry(tmp_path, entry, message):
    with pytest.raises(InputError) as err:
        _load_with(tmp_path, entry)
    assert "Captain Brine" in str(err.value) and message in str(err.value)
