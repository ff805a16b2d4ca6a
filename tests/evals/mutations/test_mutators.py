"""Each mutator puts its defect in (checked here independently of the critic), touches what it
says it touched, and is deterministic."""

from __future__ import annotations

import re

import pytest
from rapidfuzz import fuzz

from reelwright.agents.planning import scene_budgets
from reelwright.evals.mutations import DEFECTS, MUTATORS, CleanEpisode, Mutant, load_episodes
from reelwright.evals.mutations.runner import sample

EPISODES = {e.name: e for e in load_episodes()}


def _story(mutant: Mutant) -> str:
    s = mutant.script
    return " ".join(
        [x.summary for x in s.scenes]
        + [b for x in s.scenes for b in x.beats]
        + [d.text for x in s.scenes for d in x.dialogue]
        + [x.description for x in mutant.shots.shots]
    )


def _has_defect(mutant: Mutant, ep: CleanEpisode) -> bool:  # noqa: C901 - one branch a class
    script, shots = mutant.script, mutant.shots
    scenes = {s.id: s for s in script.scenes}
    if mutant.defect == "repeated_line":
        (sid,) = mutant.scene_ids
        new = scenes[sid].dialogue[-1].text
        earlier = [
            d.text
            for s in script.scenes
            for d in (s.dialogue[:-1] if s.id == sid else s.dialogue)
            if s.number <= scenes[sid].number
        ]
        return max(fuzz.token_set_ratio(new, t) for t in earlier) >= 75
    if mutant.defect == "repeated_beat":
        (sid,) = mutant.scene_ids
        if mutant.variant == "shape_cloned":
            shapes = [
                (x.location, frozenset(x.characters), len(x.beats), len(x.dialogue))
                for x in script.scenes
            ]
            return max(shapes.count(x) for x in shapes) * 2 > len(shapes)
        others = [b for s in script.scenes if s.id != sid for b in s.beats]
        return any(fuzz.token_set_ratio(b, o) >= 80 for b in scenes[sid].beats for o in others)
    if mutant.defect == "silent_speaker":
        (sid,) = mutant.scene_ids
        return any(not ep.speaks(d.character) for d in scenes[sid].dialogue)
    if mutant.defect == "self_address":
        (sid,) = mutant.scene_ids
        return any(
            ep.bible.character(d.character).name.split()[0] in d.text for d in scenes[sid].dialogue
        )
    if mutant.defect == "absent_speaker":
        (sid,) = mutant.scene_ids
        return any(d.character not in scenes[sid].characters for d in scenes[sid].dialogue)
    if mutant.defect == "shot_mismatch":
        (shot_id,) = mutant.shot_ids
        shot = next(s for s in shots.shots if s.id == shot_id)
        scene = scenes[shot.scene_id]
        return shot.location != scene.location or not set(shot.characters) <= set(scene.characters)
    if mutant.defect == "line_in_no_shot":
        (sid,) = mutant.scene_ids
        carried = [d for s in shots.for_scene(sid) for d in s.dialogue]
        return any(d not in carried for d in scenes[sid].dialogue)
    if mutant.defect == "speaker_not_in_shot":
        (shot_id,) = mutant.shot_ids
        shot = next(s for s in shots.shots if s.id == shot_id)
        return any(d.character not in shot.characters for d in shot.dialogue)
    if mutant.defect == "speaker_never_shown":
        (sid,) = mutant.scene_ids
        shown = {c for s in shots.for_scene(sid) for c in s.characters}
        return any(d.character not in shown for d in scenes[sid].dialogue)
    if mutant.defect == "long_hold":
        (shot_id,) = mutant.shot_ids
        return next(s for s in shots.shots if s.id == shot_id).duration_s >= 12
    if mutant.defect == "scene_budget":
        (sid,) = mutant.scene_ids
        budget = scene_budgets(ep.brief, script.scenes)[sid]
        length = sum(s.duration_s for s in shots.for_scene(sid))
        return abs(length - budget) / budget > 0.5
    if mutant.defect == "premise_noun_missing":
        story = _story(mutant).lower()
        nouns = mutant.id.split(":")[-1].split("+")
        return all(not re.search(rf"\b{n}", story) for n in nouns)
    if mutant.defect == "premise_named_missing":
        story = _story(mutant).lower()
        gone = mutant.id.split(":")[-1]
        places = {x.location for x in script.scenes} | {x.location for x in shots.shots}
        cast = {c for x in script.scenes for c in x.characters}
        cast |= {c for x in shots.shots for c in x.characters}
        cast |= {d.character for x in script.scenes for d in x.dialogue}
        if gone in {loc.id for loc in ep.bible.locations}:
            name = ep.bible.location(gone).name.lower()
            return gone not in places and name not in story
        who = ep.bible.character(gone)
        return gone not in cast and not any(
            re.search(rf"\b{p.lower()}\b", story) for p in who.name.split()
        )
    raise AssertionError(f"no property for {mutant.defect}")


SAMPLED = [
    (EPISODES[m.episode], m)
    for mutator in MUTATORS
    for ep in EPISODES.values()
    for m in sample(mutator, ep, 2, seed=0)
]


@pytest.mark.parametrize("variant", MUTATORS, ids=lambda m: f"{m.defect.name}:{m.variant}")
def test_every_variant_applies_to_some_clean_episode(variant):
    assert any(next(variant.mutants(ep), None) for ep in EPISODES.values())


@pytest.mark.parametrize(("episode", "mutant"), SAMPLED, ids=[m.id for _, m in SAMPLED])
def test_a_mutant_carries_its_defect_and_names_ids_that_exist(episode, mutant):
    assert (mutant.script, mutant.shots) != (episode.script, episode.shots)
    assert _has_defect(mutant, episode)
    assert set(mutant.scene_ids) <= {s.id for s in episode.script.scenes}
    assert set(mutant.shot_ids) <= {s.id for s in mutant.shots.shots}


@pytest.mark.parametrize("episode", EPISODES.values(), ids=lambda e: e.name)
def test_the_clean_episode_has_none_of_the_defects(episode):
    clean = Mutant(
        id="clean",
        episode=episode.name,
        defect="",
        variant="",
        dimension="",
        target="writer",
        description="",
        script=episode.script,
        shots=episode.shots,
    )
    for scene in episode.script.scenes:
        for defect in DEFECTS:
            if defect.name in (
                "repeated_line",
                "repeated_beat",
                "premise_noun_missing",
                "premise_named_missing",
                "long_hold",
            ):
                continue  # these properties read what the mutant added
            probe = clean.model_copy(
                update={"defect": defect.name, "scene_ids": (scene.id,), "shot_ids": ()}
            )
            if defect.name in ("shot_mismatch", "speaker_not_in_shot"):
                for shot in episode.shots.for_scene(scene.id):
                    shot_probe = probe.model_copy(update={"scene_ids": (), "shot_ids": (shot.id,)})
                    assert not _has_defect(shot_probe, episode), (defect.name, shot.id)
                continue
            assert not _has_defect(probe, episode), (defect.name, scene.id)
    for shot in episode.shots.shots:
        assert not _has_defect(
            clean.model_copy(update={"defect": "long_hold", "shot_ids": (shot.id,)}), episode
        )


def test_sampling_is_deterministic_and_follows_the_seed():
    ep = EPISODES["storm-signal"]
    mutator = MUTATORS[0]
    first = [m.id for m in sample(mutator, ep, 3, seed=0)]
    assert first == [m.id for m in sample(mutator, ep, 3, seed=0)]
    assert len(first) == 3
    assert any([m.id for m in sample(mutator, ep, 3, seed=s)] != first for s in range(1, 6))
    assert len(sample(mutator, ep, 0, seed=0)) == len(list(mutator.mutants(ep)))


def test_the_cosmetic_edit_appends_words_to_a_copied_line():
    mutator = next(m for m in MUTATORS if m.variant == "words_appended")
    mutant = next(mutator.mutants(EPISODES["first-light"]))
    (sid,) = mutant.scene_ids
    line = mutant.script.scene(sid).dialogue[-1].text
    assert line.endswith("Trust me.")
