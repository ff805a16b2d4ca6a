"""Structured notes from the command line: every action option at once on an offline run,
applied and marked addressed in `review show`; free text and bad values exit 2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from reelwright.cli import app
from tests.revisions.test_apply import actions_for

runner = CliRunner()


def _waiting(project, run_id: str = "w") -> None:
    result = runner.invoke(
        app, ["run", "briefs/storm-signal.yaml", "--out", "out", "--run-id", run_id]
    )
    assert result.exit_code == 3, result.output


def _episode(project):
    from reelwright.loading import load_bible
    from reelwright.models import Script, ShotList

    out = project / "out"
    script = Script.model_validate_json((out / "script.json").read_text())
    shots = ShotList.model_validate_json((out / "shots.json").read_text())
    return script, shots, load_bible(project / "bible.yaml")


def _option(action: dict) -> list[str]:
    kind = action["kind"]
    if kind == "split_shot":
        return ["--split", f"{action['shot_id']}:{action['into']}:{','.join(action['framings'])}"]
    if kind == "retime_shot":
        return ["--retime", f"{action['shot_id']}:{action['seconds']}"]
    if kind == "reframe_shot":
        return ["--reframe", f"{action['shot_id']}:{action['framing']}:{action['angle']}"]
    if kind == "camera_move":
        return ["--camera", f"{action['shot_id']}:{action['move']}"]
    if kind in ("add_character", "remove_character"):
        flag = "--" + kind.replace("_", "-")
        return [flag, f"{action['shot_id']}:{action['character']}"]
    if kind == "move_line":
        return ["--move-line", f"{action['scene_id']}:{action['line']}:{action['to_shot']}"]
    if kind == "cut_line":
        return ["--cut-line", f"{action['scene_id']}:{action['line']}"]
    if kind == "rewrite_line":
        return ["--rewrite-line", f"{action['scene_id']}:{action['line']}:{action['text']}"]
    if kind == "give_line":
        return ["--give-line", f"{action['scene_id']}:{action['line']}:{action['character']}"]
    if kind == "add_beat":
        return ["--add-beat", f"{action['scene_id']}:{action['text']}"]
    if kind == "cut_scene":
        return ["--cut-scene", action["scene_id"]]
    return ["--add-scene", f"{action['after']}:{action['summary']}"]


def _last_addressed(critique: list[dict]) -> list[dict]:
    """The outcomes of the latest decision: recorded in the iteration that applied it (the
    critic may send the episode round again, e.g. when a split leaves two alike close-ups)."""
    return next(c["addressed"] for c in reversed(critique) if c.get("addressed"))


def test_every_action_option_is_applied_and_shown_addressed(project):
    _waiting(project)
    script, shots, bible = _episode(project)
    actions = actions_for(script, shots, bible)
    # one decision for the shot and line actions (they touch different things) …
    together = [
        "split_shot",
        "reframe_shot",
        "add_character",
        "remove_character",
        "cut_line",
        "add_beat",
    ]
    args = [a for k in together for a in _option(actions[k])]
    result = runner.invoke(app, ["review", "reject", "w", "--as", "sam", *args])
    assert result.exit_code == 3, result.output
    shown = runner.invoke(app, ["review", "show", "w"])
    assert shown.output.count(": addressed") == len(together), shown.output
    assert "NOT addressed" not in shown.output
    assert "before: " in shown.output and "after:  " in shown.output
    critique = json.loads((project / "out" / "critique.json").read_text())
    assert sorted(o["action"]["kind"] for o in _last_addressed(critique)) == sorted(together)
    # … then each of the others on the episode as it is now
    for kind in [
        "retime_shot",
        "camera_move",
        "move_line",
        "rewrite_line",
        "give_line",
        "add_scene",
        "cut_scene",
    ]:
        script, shots, bible = _episode(project)
        result = runner.invoke(
            app,
            [
                "review",
                "reject",
                "w",
                "--as",
                "sam",
                *_option(actions_for(script, shots, bible)[kind]),
            ],
        )
        assert result.exit_code == 3, (kind, result.output)
        critique = json.loads((project / "out" / "critique.json").read_text())
        (outcome,) = _last_addressed(critique)
        assert outcome["action"]["kind"] == kind and outcome["addressed"], outcome
    approve = runner.invoke(app, ["review", "approve", "w", "--as", "sam"])
    assert approve.exit_code == 0, approve.output


def test_a_single_split_rerenders_exactly_its_two_parts(project):
    _waiting(project)
    _, shots, _ = _episode(project)
    target = shots.shots[2].id
    result = runner.invoke(app, ["review", "reject", "w", "--as", "sam", "--split", f"{target}:2"])
    assert result.exit_code == 3, result.output
    record = json.loads((project / "out" / "run.json").read_text())
    last = record["renders"]["by_iteration"][-1]
    assert (last["rendered"], last["cached"]) == (2, len(shots.shots) - 1)


def test_offline_free_text_and_bad_values_exit_2_and_change_nothing(project):
    _waiting(project)
    before = (project / "out" / "shots.json").read_text()
    cases = [
        (["--to", "director", "--note", "make it punchier"], "cannot read a free-text note"),
        (["--rewrite-instruction", "s1:1:funnier"], "cannot follow a rewrite instruction"),
        (["--split", "s1-1:nine"], "into"),
        (["--retime", "s1-1"], "seconds missing"),
        (["--cut-line", ":3"], "must start with scene_id"),
        (["--camera", "s1-1:sideways"], "move"),
        ([], "say what to change"),
        (["--note", "tighter"], "--to must name who revises"),
        (["--actions", "missing.json"], "cannot read it"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["review", "reject", "w", "--as", "sam", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
    assert (project / "out" / "shots.json").read_text() == before
    (project / "acts.json").write_text(json.dumps([{"kind": "cut_scene", "scene_id": "s2"}]))
    result = runner.invoke(app, ["review", "reject", "w", "--as", "sam", "--actions", "acts.json"])
    assert result.exit_code == 3, result.output
    assert "s2" not in {
        s["id"] for s in json.loads((project / "out" / "script.json").read_text())["scenes"]
    }


def test_sound_notes_from_the_command_line(project):
    _waiting(project)
    script, _, bible = _episode(project)
    scene = next(
        s for s in script.scenes if s.dialogue and bible.character(s.dialogue[0].character).speaks
    )
    result = runner.invoke(
        app,
        [
            "review",
            "reject",
            "w",
            "--as",
            "sam",
            "--revoice-line",
            f"{scene.id}:1",
            "--set-voice",
            "bram::1.1:-2",
        ],
    )
    assert result.exit_code == 3, result.output
    critique = json.loads((project / "out" / "critique.json").read_text())
    done = [o for c in critique for o in c.get("addressed", [])]
    assert sorted(o["action"]["kind"] for o in done) == ["revoice_line", "set_voice"]
    assert all(o["addressed"] for o in done), done
    bad = runner.invoke(app, ["review", "reject", "w", "--as", "sam", "--set-voice", "bram"])
    assert bad.exit_code == 2 and "set_voice" in bad.output
