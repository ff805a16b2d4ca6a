"""The offline director's coverage, as a script supervisor would check it, on every brief."""

from __future__ import annotations

import pytest

from reelwright.agents.offline import ProceduralDirector, ProceduralWriter
from reelwright.agents.offline.timing import HOLD_MAX, cap, floor
from reelwright.agents.planning import scene_budgets
from reelwright.models import CameraMove, Framing, Note
from tests.agents.offline.conftest import EXAMPLES, load


def episode(brief, bible):
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    return script, shots


def test_every_hold_is_within_its_framing_norm(inputs):
    brief, bible = inputs
    _, shots = episode(brief, bible)
    for shot in shots.shots:
        moving = shot.camera_move != CameraMove.static
        limit = HOLD_MAX[shot.framing] * (brief.holds.moving_factor if moving else 1.0)
        assert shot.duration_s <= limit + 0.01, shot.id
        words = sum(len(d.text.split()) for d in shot.dialogue)
        norm = brief.holds.longest(shot.framing.value) * (1.5 if moving else 1.0)
        assert shot.duration_s <= norm + words / brief.holds.words_per_second + 0.01, shot.id
        assert shot.duration_s >= words / (brief.holds.words_per_second * 1.5), shot.id


def test_every_line_is_in_a_shot_that_shows_its_speaker(inputs):
    brief, bible = inputs
    script, shots = episode(brief, bible)
    for scene in script.scenes:
        scene_shots = shots.for_scene(scene.id)
        placed = [(d.character, d.text) for s in scene_shots for d in s.dialogue]
        assert sorted(placed) == sorted((d.character, d.text) for d in scene.dialogue)
        for shot in scene_shots:
            assert all(d.character in shot.characters for d in shot.dialogue), shot.id
            assert set(shot.characters) <= set(scene.characters), shot.id
            assert shot.location == scene.location and shot.time_of_day == scene.time_of_day
        for speaker in {d.character for d in scene.dialogue}:  # each speaker is seen
            assert any(speaker in s.characters for s in scene_shots)


def test_scenes_match_their_budgets_and_the_cut_its_runtime(inputs):
    brief, bible = inputs
    script, shots = episode(brief, bible)
    budgets = scene_budgets(brief, script.scenes)
    for scene in script.scenes:
        length = sum(s.duration_s for s in shots.for_scene(scene.id))
        assert length == pytest.approx(budgets[scene.id], rel=0.02), scene.id
    assert shots.duration_s == pytest.approx(brief.runtime_s, rel=0.02)


def test_adjacent_shots_differ_and_the_episode_uses_several_framings(inputs):
    brief, bible = inputs
    _, shots = episode(brief, bible)
    pairs = [(s.framing, s.angle) for s in shots.shots]
    assert all(a != b for a, b in zip(pairs, pairs[1:], strict=False))
    assert len({s.framing for s in shots.shots}) >= 3


def test_a_silent_character_gets_a_reaction_shot():
    brief, bible = load(EXAMPLES / "briefs" / "first-light.yaml")
    script, shots = episode(brief, bible)
    for scene in script.scenes:
        assert any(s.characters == ["pip"] and not s.dialogue for s in shots.for_scene(scene.id)), (
            scene.id
        )


def test_a_long_budget_is_filled_with_cutaways_not_over_long_holds():
    brief, bible = load(EXAMPLES / "briefs" / "first-light.yaml")
    brief = brief.model_copy(update={"runtime_s": 240})
    script, shots = episode(brief, bible)
    assert any(s.description.startswith("cutaway") for s in shots.shots)
    assert all(s.duration_s <= HOLD_MAX[s.framing] * 1.5 + 0.01 for s in shots.shots)
    assert shots.duration_s == pytest.approx(240, rel=0.02)


def test_a_short_budget_drops_silent_inserts_before_rushing_lines():
    brief, bible = load(EXAMPLES / "briefs" / "storm-signal.yaml")
    brief = brief.model_copy(update={"runtime_s": 30})
    script, shots = episode(brief, bible)
    for shot in shots.shots:
        assert shot.duration_s >= floor(shot.dialogue, brief.holds) - 0.01, shot.id
    assert not any(s.characters == ["pip"] and not s.dialogue for s in shots.shots)


def test_a_replanned_scene_is_covered_anew_and_the_others_kept():
    brief, bible = load(EXAMPLES / "briefs" / "storm-signal.yaml")
    script, shots = episode(brief, bible)
    note = Note(target="director", text="recover it", scene_ids=("s2",))
    revised, _ = ProceduralDirector().revise(shots, script, [note], [], brief, bible)
    assert [s for s in revised.shots if s.scene_id != "s2"] == [
        s for s in shots.shots if s.scene_id != "s2"
    ]
    old = [(s.framing, s.angle) for s in shots.for_scene("s2")]
    new = [(s.framing, s.angle) for s in revised.for_scene("s2")]
    assert new != old and all(s.revision == 1 for s in revised.for_scene("s2"))


def test_a_replanned_shot_fits_its_framing(inputs):
    brief, bible = inputs
    script, shots = episode(brief, bible)
    target = next(s for s in shots.shots if s.dialogue)
    note = Note(target="director", text="vary", shot_ids=(target.id,))
    revised, _ = ProceduralDirector().revise(shots, script, [note], [], brief, bible)
    new = next(s for s in revised.shots if s.id == target.id)
    assert (new.framing, new.angle) != (target.framing, target.angle)
    assert new.duration_s <= cap(_plan(new), new.dialogue, brief.holds) + 0.01
    assert new.framing in Framing


def _plan(shot):
    from reelwright.agents.replies import PlannedShot

    return PlannedShot(
        framing=shot.framing,
        angle=shot.angle,
        camera_move=shot.camera_move,
        lens_mm=shot.lens_mm,
        duration_s=shot.duration_s,
        characters=list(shot.characters),
        description=shot.description,
        dialogue_lines=[],
    )
