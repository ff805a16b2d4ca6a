"""The clean episodes are valid, consistent, and written as the suite promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelwright.agents.planning import scene_budgets
from reelwright.errors import InputError
from reelwright.evals.mutations import load_episodes
from reelwright.evals.mutations.episode import suite_root
from reelwright.models import Script, ShotList

REPO = Path(__file__).resolve().parents[3]
EPISODES = load_episodes()


def test_the_suite_ships_the_examples_and_three_originals_of_other_sizes():
    names = {e.name for e in EPISODES}
    assert {"first-light", "storm-signal"} <= names
    originals = [e for e in EPISODES if e.bible.title != "Tidewater Workshop"]
    assert len(originals) >= 3
    assert len({e.bible.title for e in originals}) >= 3
    runtimes = sorted(e.brief.runtime_s for e in EPISODES)
    assert runtimes[0] <= 30 and runtimes[-1] >= 180
    assert len({len(e.script.scenes) for e in EPISODES}) >= 4


@pytest.mark.parametrize("episode", EPISODES, ids=lambda e: e.name)
def test_a_clean_episode_is_a_valid_script_and_shot_list(episode):
    Script.model_validate(episode.script.model_dump())
    ShotList.model_validate(episode.shots.model_dump())
    assert episode.script.logline == episode.brief.logline
    assert len(episode.script.scenes) == episode.brief.scene_count


@pytest.mark.parametrize("episode", EPISODES, ids=lambda e: e.name)
def test_a_clean_episode_keeps_the_rules_a_supervisor_checks(episode):
    script, shots = episode.script, episode.shots
    budgets = scene_budgets(episode.brief, script.scenes)
    assert abs(shots.duration_s - episode.brief.runtime_s) < 0.5
    story = " ".join(
        [s.summary for s in script.scenes]
        + [b for s in script.scenes for b in s.beats]
        + [d.text for s in script.scenes for d in s.dialogue]
    ).lower()
    for noun in episode.premise:
        assert noun.lower() in story, noun
    for scene in script.scenes:
        assert scene.location in episode.brief.locations
        assert set(scene.characters) <= set(episode.brief.characters)
        scene_shots = shots.for_scene(scene.id)
        assert abs(sum(s.duration_s for s in scene_shots) - budgets[scene.id]) < 0.5
        for line in scene.dialogue:
            assert episode.speaks(line.character), line
            assert line.character in scene.characters
            who = episode.bible.character(line.character)
            assert who.name.split()[0].lower() not in line.text.lower(), line
            holders = [s for s in scene_shots if line in s.dialogue]
            assert holders and all(line.character in s.characters for s in holders), line
        for shot in scene_shots:
            assert shot.location == scene.location
            assert set(shot.characters) <= set(scene.characters)
    pairs = list(zip(shots.shots, shots.shots[1:], strict=False))
    assert all((a.framing, a.angle) != (b.framing, b.angle) for a, b in pairs)


def test_each_bible_has_a_character_who_does_not_speak():
    for episode in EPISODES:
        assert episode.silent_characters, episode.name


def test_the_original_briefs_and_bibles_are_also_in_examples():
    """The copies in examples/<series>/ (where `reelwright run` finds the bible beside the
    briefs folder) are the files the suite ships."""
    root = suite_root()
    for bible in (root / "bibles").glob("*.yaml"):
        twin = (
            REPO
            / "examples"
            / ("bible.yaml" if bible.stem == "tidewater" else f"{bible.stem}/bible.yaml")
        )
        assert twin.read_text(encoding="utf-8") == bible.read_text(encoding="utf-8")
    for brief in (root / "briefs").glob("*.yaml"):
        twins = list((REPO / "examples").glob(f"**/briefs/{brief.name}"))
        assert len(twins) == 1, brief.name
        assert twins[0].read_text(encoding="utf-8") == brief.read_text(encoding="utf-8")


def test_an_unknown_episode_name_is_an_input_error_naming_the_shipped_ones():
    with pytest.raises(InputError, match="no clean episode named nope.*first-light"):
        load_episodes(["nope"])


@pytest.mark.parametrize(
    "brief", sorted((REPO / "examples").glob("*/briefs/*.yaml")), ids=lambda p: p.stem
)
def test_an_original_example_brief_finds_its_bible_and_rights_ledger(brief):
    from reelwright.loading import load_inputs

    loaded, bible = load_inputs(brief, None)
    assert set(loaded.characters) <= {c.id for c in bible.characters}
    ledger = (brief.parent.parent / "rights.yaml").read_text(encoding="utf-8")
    for cid in loaded.characters + loaded.locations:
        assert f"id: {cid}," in ledger
