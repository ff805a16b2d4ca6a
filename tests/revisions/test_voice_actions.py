"""Sound notes: a reviewer re-voices one line (its next take: exactly one line synthesised
again) or changes a character's voice (all their lines), both checked as addressed; the run
page plays each line on its own."""

from __future__ import annotations

import json

import pytest

from reelwright.api import resume_run, run_episode
from reelwright.errors import InputError
from reelwright.graphs.checkpoint import open_checkpointer
from reelwright.graphs.episode import build_graph
from reelwright.graphs.state import EpisodeState
from tests.conftest import permissive_brief


def _state(settings, run_id: str) -> EpisodeState:
    with open_checkpointer(settings.state_url) as saver:
        graph = build_graph().compile(checkpointer=saver)
        values = graph.get_state({"configurable": {"thread_id": run_id}}).values
    return EpisodeState.model_validate(values)


@pytest.fixture
def waiting(examples, tmp_path, settings):
    brief = permissive_brief(tmp_path / "project")
    outcome = run_episode(brief, out=tmp_path / "out", settings=settings, run_id="v")
    assert outcome.status == "awaiting_approval", outcome.error
    return _state(settings, "v")


def test_a_revoiced_line_is_synthesised_again_alone(waiting, settings, tmp_path):
    scene = next(
        s
        for s in waiting.script.scenes
        if any(waiting.bible.character(d.character).speaks for d in s.dialogue)
    )
    n = next(
        i for i, d in enumerate(scene.dialogue, 1) if waiting.bible.character(d.character).speaks
    )
    outcome = resume_run(
        "v",
        settings=settings,
        decision={
            "decision": "reject",
            "by": "sam",
            "actions": [{"kind": "revoice_line", "scene_id": scene.id, "line": n}],
        },
    )
    assert outcome.status == "awaiting_approval", outcome.error
    state = _state(settings, "v")
    assert state.voice_counts[-1].synthesised == 1  # that line's next take, nothing else
    assert state.script.scene(scene.id).dialogue[n - 1].take == 1
    (done,) = json.loads((tmp_path / "out" / "critique.json").read_text())[-1]["addressed"]
    assert done["addressed"] and done["after"][-1] == "take 1"


def test_a_changed_voice_revoices_that_character_and_is_checked(waiting, settings, tmp_path):
    juno = [d for s in waiting.script.scenes for d in s.dialogue if d.character == "juno"]
    assert juno
    outcome = resume_run(
        "v",
        settings=settings,
        decision={
            "decision": "reject",
            "by": "sam",
            "actions": [{"kind": "set_voice", "character": "juno", "pitch": 3, "speed": 1.2}],
        },
    )
    assert outcome.status == "awaiting_approval", outcome.error
    state = _state(settings, "v")
    assert state.bible.character("juno").voice_spec.pitch == 3
    assert state.voice_counts[-1].synthesised == len(juno)
    (done,) = json.loads((tmp_path / "out" / "critique.json").read_text())[-1]["addressed"]
    assert done["addressed"], done


def test_an_unknown_voice_is_refused_before_anything_changes(waiting, settings):
    with pytest.raises(InputError, match="voice"):
        resume_run(
            "v",
            settings=settings,
            decision={
                "decision": "reject",
                "by": "sam",
                "actions": [{"kind": "set_voice", "character": "juno", "name": "nope"}],
            },
        )
    assert _state(settings, "v").bible == _state(settings, "v").bible.model_copy()
    assert _state(settings, "v").iteration == waiting.iteration
