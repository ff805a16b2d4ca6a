"""The critic as the loop uses it: notes name the detector, the agent and the ids; the same
detector re-measures a defect in the next iteration, so a cosmetic edit does not clear it; the
LLM judge cannot lift a dimension over a measured defect."""

from __future__ import annotations

import httpx

from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.critic.agent import Critic
from reelwright.critic.replies import JudgementReply
from reelwright.llm import OpenAILLM, RetryPolicy
from reelwright.loading import load_bible, load_inputs
from reelwright.models import DialogueLine, Framing, Note
from reelwright.testing import BASE_URL, ScriptedEndpoint
from reelwright.testing.llm import judgement
from tests.critic.conftest import clean_episode


def episode(examples):
    return clean_episode(load_bible(examples / "bible.yaml"))


def critique(ep, iteration=1, critic=None):
    c, _ = (critic or Critic()).critique(
        iteration, ep.brief, ep.bible, ep.script, ep.shots, renders=[]
    )
    return c


def with_repeat(ep, text):
    s3 = ep.scene("s3")
    return ep.with_scene("s3", dialogue=[*s3.dialogue, DialogueLine(character="juno", text=text)])


def test_every_note_names_its_check_target_and_ids(examples):
    ep = episode(examples)
    ep = ep.with_shot("s2-2", location="harbour")
    c = critique(with_repeat(ep, ep.scene("s1").dialogue[1].text))
    by_check = {n.check: n for n in c.notes}
    assert by_check["dialogue.near_repeat"].target == "writer"
    assert by_check["dialogue.near_repeat"].scene_ids == ("s3",)
    assert by_check["shots.scene_match"].target == "director"
    assert by_check["shots.scene_match"].shot_ids == ("s2-2",)
    assert all(n.check and n.dimension in c.scores for n in c.notes)


def test_a_cosmetic_edit_does_not_clear_a_repeated_line(examples):
    """Iteration 1 flags a repeat; the writer appends "Trust me."; iteration 2's same detector
    still flags it, on the same scene, and the dimension still fails."""
    ep = episode(examples)
    said = ep.scene("s1").dialogue[1].text
    first = critique(with_repeat(ep, said))
    (note,) = [n for n in first.notes if n.dimension == "dialogue"]
    assert note.check == "dialogue.near_repeat"

    edited = with_repeat(ep, said + " Trust me.")
    second = critique(edited, iteration=2)
    again = [n for n in second.notes if n.check == note.check]
    assert [n.scene_ids for n in again] == [note.scene_ids]
    assert "dialogue" in second.failing(edited.brief.thresholds)

    fresh = with_repeat(ep, "Get the spare batteries from the crate.")
    assert not [n for n in critique(fresh, 3).notes if n.check == note.check]


def test_technical_findings_for_blank_and_missing_frames(examples, tmp_path):
    from PIL import Image

    from reelwright.models import RenderResult

    ep = episode(examples)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 36), (0, 0, 0)).save(blank)
    first = ep.shots.shots[0]
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
    c, _ = Critic().critique(1, ep.brief, ep.bible, ep.script, ep.shots, renders)
    assert {f.rule for f in c.findings} == {"qc.blank", "qc.missing_frame"}
    assert c.scores["technical"] == 0.0
    assert all(f.target == "director" for f in c.findings)
    technical = [n for n in c.notes if n.dimension == "technical"]
    assert {n.shot_ids[0] for n in technical} == {s.id for s in ep.shots.shots}
    assert {n.check for n in technical} == {"qc.blank", "qc.missing_frame"}


def test_the_judge_cannot_lift_a_dimension_over_a_measured_defect(examples, http):
    ep = episode(examples)
    ep = with_repeat(ep, ep.scene("s1").dialogue[1].text)
    endpoint = ScriptedEndpoint().always(JudgementReply, judgement(10.0))
    http.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
    llm = OpenAILLM(
        model="test-model",
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx.Client(),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _: None),
    )
    c = critique(ep, critic=Critic(llm))
    assert c.judge == "measurements+llm"
    assert c.scores["dialogue"] == 6.5  # (6.5 + 10) / 2 would pass; the defect's cap holds
    assert c.scores["structure"] == 10.0


def test_procedural_revision_replaces_a_repeated_line(examples):
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    writer = ProceduralWriter()
    script, _ = writer.write(brief, bible)
    said = script.scenes[0].dialogue[0]
    s3 = script.scenes[2].model_copy(update={"dialogue": [said.model_copy()]})
    script = script.model_copy(update={"scenes": [*script.scenes[:2], s3]})
    notes = [Note(target="writer", dimension="dialogue", scene_ids=("s3",), text="repeat")]
    revised, changed, _ = writer.revise(script, notes, brief, bible)
    assert changed == ["s3"]
    assert said.text not in {d.text for d in revised.scene("s3").dialogue}
    assert revised.scenes[:2] == script.scenes[:2]


def test_procedural_director_replans_a_shot_to_differ_from_its_neighbours(examples):
    brief, bible = load_inputs(examples / "briefs" / "first-light.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
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
