"""Names a model writes for ids are mapped to the ids; each rule is shown doing its work (and
the name failing without it), and what no rule maps stays an error that names the ids."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reelwright.agents.names import RULES, Names, Refs, recording
from reelwright.agents.replies import LineReply, SceneReply
from reelwright.models import Usage

CAST = (
    ("juno", "Juno Park"),
    ("bram", "Bram Holloway"),
    ("pip", "Pip"),
    ("odalys", "Odalys Reyes"),
    ("k-7", "Mara Quill"),  # an id that is no part of the name
)
PLACES = (("harbour", "Tidewater Harbour"), ("lighthouse", "Gull Point Lighthouse"))


def cast(*allowed: str, rules: tuple[str, ...] = RULES) -> Names:
    return Names("character", CAST, allowed or tuple(i for i, _ in CAST), rules)


@pytest.mark.parametrize(
    ("rule", "written", "ident"),
    [
        ("case", "K-7", "k-7"),
        ("case", "k_7", "k-7"),
        ("name", "Mara Quill", "k-7"),
        ("name", "juno park", "juno"),
        ("possessive", "Mara Quill's", "k-7"),
        ("possessive", "Juno's", "juno"),
        ("possessive", "Juno’s", "juno"),
        ("title", "Captain Mara Quill", "k-7"),
        ("title", "Captain Bram", "bram"),
        ("word", "Holloway", "bram"),
        ("word", "Quill", "k-7"),
        ("prefix", "Odal", "odalys"),
        ("prefix", "Mara Q", "k-7"),
    ],
)
def test_each_rule_maps_a_name_that_fails_without_it(rule, written, ident):
    assert cast().lookup(written) == ident
    without = tuple(r for r in RULES if r != rule)
    assert cast(rules=without).lookup(written) is None


def test_a_location_display_name_maps_to_its_id():
    places = Names("location", PLACES, ("harbour", "lighthouse"))
    assert places.resolve("Tidewater Harbour") == "harbour"
    assert places.resolve("Gull Point") == "lighthouse"
    assert places.resolve("HARBOUR") == "harbour"


@pytest.mark.parametrize("written", ["Juno", "JUNO", "Juno Park", "Juno's"])
def test_the_four_variants_map_and_are_counted(written):
    with recording() as counts:
        assert cast("juno", "pip").resolve(written) == "juno"
    assert counts == {f"{written} → juno": 1}


def test_an_id_as_written_is_not_a_mapping():
    with recording() as counts:
        assert cast().resolve("juno") == "juno"
        assert cast().resolve(" juno ") == "juno"
    assert not counts


def test_an_unmappable_name_is_an_error_naming_the_ids():
    with pytest.raises(ValueError, match=r"unknown character 'Captain Nemo'; .*juno, pip"):
        cast("juno", "pip").resolve("Captain Nemo")


def test_a_name_of_someone_not_allowed_here_is_an_error_saying_so():
    with pytest.raises(ValueError, match=r"^'Odalys' \('odalys'\) is not allowed here; .*juno"):
        cast("juno", "pip").resolve("Odalys")
    with pytest.raises(ValueError, match=r"^character 'odalys' is not allowed here"):
        cast("juno", "pip").resolve("odalys")


def test_an_ambiguous_prefix_is_not_guessed():
    twins = Names("character", (("ana", "Ana Bell"), ("anabel", "Anabel Roe")), ("ana", "anabel"))
    assert twins.lookup("Anab") == "anabel"
    assert twins.lookup("An") is None  # too short to mean anyone
    pair = Names("character", (("tom", "Tom Reed"), ("tomas", "Tomas Vale")), ("tom", "tomas"))
    assert pair.lookup("Tom R") == "tom"
    assert pair.lookup("Reed") == "tom"
    two = Names("character", (("a1", "Sam Cole"), ("a2", "Sam Reed")), ("a1", "a2"))
    assert two.lookup("Sam") is None  # a word of both names


def test_the_allowed_ids_win_a_prefix_shared_with_the_rest_of_the_bible():
    names = Names("character", (("tom", "Tom Reed"), ("tomas", "Tomas Vale")), ("tomas",))
    assert names.lookup("Toma") == "tomas"


@pytest.mark.parametrize(
    ("kind", "written", "ident"),
    [
        ("scene", "S2", "s2"),
        ("scene", "scene 2", "s2"),
        ("scene", "Scene s2", "s2"),
        ("scene", "2", "s2"),
        ("shot", "S1-2", "s1-2"),
        ("shot", "shot s1-2", "s1-2"),
    ],
)
def test_scene_and_shot_references_map_to_ids(kind, written, ident):
    refs = Refs(kind, ("s1", "s2") if kind == "scene" else ("s1-1", "s1-2"))
    with recording() as counts:
        assert refs.resolve(written) == ident
    assert counts == {f"{written} → {ident}": 1}


def test_an_unknown_shot_reference_is_an_error():
    with pytest.raises(ValueError, match=r"unknown shot id 's9-9'; use one of: s1-1"):
        Refs("shot", ("s1-1",)).resolve("s9-9")


def test_a_reply_counts_only_its_own_mappings():
    from reelwright.agents.replies import scene_reply
    from reelwright.models import Bible, Scene

    bible = Bible.model_validate(
        {
            "title": "t",
            "characters": [{"id": i, "name": n, "description": "d"} for i, n in CAST[:3]],
            "locations": [{"id": "harbour", "name": "Tidewater Harbour", "description": "d"}],
        }
    )
    scene = Scene(
        id="s1", number=1, location="harbour", summary="s", beats=["b"], characters=["juno", "pip"]
    )
    model = scene_reply(scene, bible)
    lines = [{"character": c, "text": "hi", "parenthetical": ""} for c in ("Juno", "Juno", "pip")]
    reply = model.model_validate({"summary": "s", "beats": ["b"], "dialogue": lines})
    assert [d.character for d in reply.dialogue] == ["juno", "juno", "pip"]
    assert reply.normalised == {"Juno → juno": 2}
    again = model.model_validate({"summary": "s", "beats": ["b"], "dialogue": lines[2:]})
    assert again.normalised == {}
    with pytest.raises(ValidationError, match="'Bram' \\('bram'\\) is not allowed"):
        model.model_validate(
            {"summary": "s", "beats": ["b"], "dialogue": [{**lines[0], "character": "Bram"}]}
        )
    # the shapes themselves still accept any string: only the per-call form checks ids
    assert SceneReply.model_validate({"summary": "s", "beats": ["b"], "dialogue": lines})
    assert LineReply.model_validate(lines[0]).normalised == {}


def test_usage_adds_mapping_counts():
    a = Usage(calls=1, normalised={"Juno → juno": 1})
    b = Usage(calls=1, normalised={"Juno → juno": 2, "JUNO → juno": 1})
    assert (a + b).normalised == {"JUNO → juno": 1, "Juno → juno": 3}
    assert Usage.model_validate({"calls": 2}).normalised == {}  # older run.json files load
