"""Critic measurements: scores fall with the problem, and notes name who fixes what, where."""

from __future__ import annotations

import pytest

from reelwright.agents.critic import (
    Critic,
    measure_continuity,
    measure_dialogue,
    measure_pacing,
    measure_shot_variety,
    measure_structure,
)
from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.loading import load_inputs
from reelwright.models import DialogueLine, Framing


@pytest.fixture
def episode(examples):
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    return brief, bible, script, shots


def test_a_clean_procedural_episode_scores_full_marks(episode):
    brief, _, script, shots = episode
    for m in (
        measure_structure(brief, script),
        measure_pacing(brief, script, shots),
        measure_dialogue(script),
        measure_shot_variety(shots),
        measure_continuity(brief, script, shots),
    ):
        assert m.score == 10.0 and m.notes == []


def test_repeated_dialogue_is_a_writer_note_on_the_later_scene(episode):
    _, _, script, _ = episode
    line = script.scenes[0].dialogue[0]
    s3 = script.scenes[2].model_copy(
        update={
            "dialogue": [
                *script.scenes[2].dialogue,
                DialogueLine(character=line.character, text=line.text.upper()),
            ]
        }
    )
    script = script.model_copy(update={"scenes": [*script.scenes[:2], s3]})
    m = measure_dialogue(script)
    assert m.score == 8.5
    (note,) = m.notes
    assert note.target == "writer" and note.scene_ids == ("s3",)


def test_repeated_framing_is_a_director_note_on_that_shot(episode):
    _, _, _, shots = episode
    second = shots.shots[1]
    clone = shots.shots[2].model_copy(update={"framing": second.framing, "angle": second.angle})
    shots = shots.model_copy(update={"shots": [*shots.shots[:2], clone, *shots.shots[3:]]})
    m = measure_shot_variety(shots)
    assert [n.shot_ids for n in m.notes] == [(clone.id,)]
    assert all(n.target == "director" for n in m.notes)


def test_pacing_far_from_runtime_scores_low_and_names_the_scene_shots(episode):
    brief, _, script, shots = episode
    stretched = shots.model_copy(
        update={
            "shots": [
                s.model_copy(update={"duration_s": s.duration_s * 3}) if s.scene_id == "s2" else s
                for s in shots.shots
            ]
        }
    )
    m = measure_pacing(brief, script, stretched)
    assert m.score < 7
    assert any(set(n.shot_ids) == {s.id for s in shots.for_scene("s2")} for n in m.notes)


def test_shot_outside_its_scene_is_a_continuity_note(episode):
    brief, _, script, shots = episode
    wrong = shots.shots[0].model_copy(update={"location": "harbour"})
    m = measure_continuity(
        brief, script, shots.model_copy(update={"shots": [wrong, *shots.shots[1:]]})
    )
    assert m.notes[0].shot_ids == (wrong.id,) and m.notes[0].target == "director"


def test_structure_notes_when_lead_is_missing_from_the_opening(episode):
    brief, _, script, _ = episode
    first = script.scenes[0].model_copy(update={"characters": ["pip"], "dialogue": []})
    m = measure_structure(brief, script.model_copy(update={"scenes": [first, *script.scenes[1:]]}))
    assert m.score == 8.5 and m.notes[0].scene_ids == ("s1",)


def test_technical_findings_for_blank_and_missing_frames(episode, tmp_path):
    from PIL import Image

    from reelwright.models import RenderResult

    brief, bible, script, shots = episode
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 36), (0, 0, 0)).save(blank)
    first = shots.shots[0]
    renders = [
        RenderResult(
            shot_id=first.id,
            key="k",
            path=str(blank),
            cached=False,
            renderer="x",
            model="x",
            seed=1,
            width=64,
            height=36,
            seconds=0,
        )
    ]
    critique, _ = Critic().critique(1, brief, bible, script, shots, renders)
    rules = {f.rule for f in critique.findings}
    assert rules == {"qc.blank", "qc.missing_frame"}
    assert critique.scores["technical"] == 0.0
    assert all(f.target == "director" for f in critique.findings)
    assert {n.shot_ids[0] for n in critique.notes if n.dimension == "technical"} == {
        s.id for s in shots.shots
    }


def test_procedural_revision_replaces_repeated_lines(episode):
    brief, bible, script, _ = episode
    writer = ProceduralWriter()
    line = script.scenes[0].dialogue[0]
    s3 = script.scenes[2].model_copy(update={"dialogue": [line.model_copy()]})
    script = script.model_copy(update={"scenes": [*script.scenes[:2], s3]})
    notes = measure_dialogue(script).notes
    revised, changed, _ = writer.revise(script, notes, brief, bible)
    assert changed == ["s3"]
    assert measure_dialogue(revised).notes == []
    assert revised.scenes[:2] == script.scenes[:2]


def test_procedural_director_replans_a_shot_to_differ_from_its_neighbours(episode):
    brief, bible, script, shots = episode
    from reelwright.models import Note

    target = shots.shots[2]
    note = Note(target="director", text="vary", shot_ids=(target.id,))
    revised, _ = ProceduralDirector().revise(shots, script, [note], [], brief, bible)
    new = next(s for s in revised.shots if s.id == target.id)
    assert (new.framing, new.angle) != (target.framing, target.angle)
    assert new.revision == target.revision + 1
    assert [s for s in revised.shots if s.id != target.id] == [
        s for s in shots.shots if s.id != target.id
    ]
    assert new.framing in Framing


def test_a_long_procedural_episode_converges_on_fresh_dialogue(examples):
    """Thirty scenes exhaust the first draft's line bank; revisions draw unused variants
    until the dialogue stops repeating."""
    brief, bible = load_inputs(examples / "briefs" / "storm-signal.yaml", None)
    brief = brief.model_copy(update={"scenes": 30, "runtime_s": 600})
    writer = ProceduralWriter()
    script, _ = writer.write(brief, bible)
    scores = [measure_dialogue(script).score]
    for _ in range(4):
        notes = measure_dialogue(script).notes
        if not notes:
            break
        script, _, _ = writer.revise(script, notes, brief, bible)
        scores.append(measure_dialogue(script).score)
    assert scores[0] < 5 and scores[-1] == 10.0
