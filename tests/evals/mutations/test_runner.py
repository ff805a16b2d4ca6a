"""The suite's verdicts, and the critic against a fast subset of the suite."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reelwright.cli import app
from reelwright.evals.mutations import DEFECTS, MUTATORS, load_episodes
from reelwright.evals.mutations.report import html_report, write_reports
from reelwright.evals.mutations.runner import (
    MIN_KILL_RATE,
    MutationLog,
    SuiteOptions,
    judge_clean,
    judge_mutant,
    run_suite,
    sample,
)
from reelwright.models import Critique, Note, Thresholds

EPISODE = load_episodes(["first-light"])[0]
MUTANT = next(
    m for m in sample(next(x for x in MUTATORS if x.variant == "line_moved"), EPISODE, 1, 0)
)
SCORES = dict.fromkeys(Thresholds().dimensions(), 9.0)


def _critique(score: float, *notes: Note) -> Critique:
    return Critique(
        iteration=1,
        scores={**SCORES, MUTANT.dimension: score},
        overall=8.0,
        notes=list(notes),
    )


def _note(**kw: object) -> Note:
    base: dict[str, object] = {
        "target": MUTANT.target,
        "dimension": MUTANT.dimension,
        "text": "a line is in a shot that does not show its speaker",
        "shot_ids": MUTANT.shot_ids,
        "scene_ids": MUTANT.scene_ids,
    }
    return Note(**(base | kw))  # type: ignore[arg-type]


def test_a_mutant_is_killed_by_a_failing_score_and_a_note_naming_its_ids():
    result = judge_mutant(MUTANT, _critique(4.0, _note()), Thresholds())
    assert result.killed and not result.survived_because


@pytest.mark.parametrize(
    ("critique", "why"),
    [
        (_critique(8.0, _note()), "scored 8.0"),
        (_critique(4.0), "no continuity note aimed at the director"),
        (_critique(4.0, _note(target="writer")), "no continuity note aimed at the director"),
        (_critique(4.0, _note(dimension="pacing")), "no continuity note"),
        (_critique(4.0, _note(shot_ids=("s1-1",))), "names"),
    ],
    ids=["score-passes", "no-note", "wrong-agent", "wrong-dimension", "wrong-shot"],
)
def test_a_mutant_survives_when_the_critique_misses_any_part(critique, why):
    result = judge_mutant(MUTANT, critique, Thresholds())
    assert not result.killed
    assert why in result.survived_because


def test_a_note_the_clean_episode_also_got_is_no_evidence_of_a_kill():
    note = _note()
    clean = Critique(iteration=1, scores=SCORES, overall=9.0, notes=[note])
    result = judge_mutant(MUTANT, _critique(4.0, note), Thresholds(), clean)
    assert not result.killed
    assert "no continuity note aimed at the director" in result.survived_because
    fresh = _note(text="shot s1-4 carries juno's line but does not show juno")
    assert judge_mutant(MUTANT, _critique(4.0, note, fresh), Thresholds(), clean).killed


def test_a_clean_episode_raises_a_false_alarm_on_a_failing_score_or_a_mutated_kind_of_note():
    quiet = Critique(iteration=1, scores=SCORES, overall=9.0)
    assert not judge_clean(EPISODE, quiet, {"continuity"}).false_alarm
    failing = quiet.model_copy(update={"scores": {**SCORES, "pacing": 3.0}})
    assert judge_clean(EPISODE, failing, {"continuity"}).false_alarm
    noted = quiet.model_copy(update={"notes": [_note()]})
    assert judge_clean(EPISODE, noted, {"continuity"}).false_alarm
    assert not judge_clean(EPISODE, noted, {"dialogue"}).false_alarm


@pytest.fixture(scope="module")
def fast_subset(tmp_path_factory: pytest.TempPathFactory) -> MutationLog:
    """One mutant per variant and episode, critiqued by the real critic (the full suite runs
    from the CLI: `reelwright eval critic-mutations`)."""
    return run_suite(SuiteOptions(out=tmp_path_factory.mktemp("mutations"), per_variant=1))


@pytest.mark.parametrize("defect", [d.name for d in DEFECTS])
def test_the_critic_kills_each_defect_class_of_the_fast_subset(fast_subset, defect):
    summary = next(d for d in fast_subset.defects if d.defect == defect)
    survivors = [
        f"{m.id}: {m.survived_because}"
        for m in fast_subset.mutants
        if m.defect == defect and not m.killed
    ]
    assert summary.mutants >= 5
    assert summary.kill_rate >= MIN_KILL_RATE, survivors


@pytest.mark.parametrize("episode", [e.name for e in load_episodes()])
def test_the_critic_raises_no_false_alarm_on_a_clean_episode(fast_subset, episode):
    clean = next(c for c in fast_subset.clean if c.episode == episode)
    assert not clean.false_alarm, [*clean.failing, *(n.text for n in clean.notes)]


def test_the_report_is_json_and_escaped_html(tmp_path):
    log = run_suite(
        SuiteOptions(out=tmp_path, per_variant=1, episodes=("stapler-summit",)),
        mutators=[m for m in MUTATORS if m.defect.name == "long_hold"],
    )
    hostile = log.model_copy(
        update={
            "mutants": [
                m.model_copy(update={"description": "<script>x</script>", "killed": False})
                for m in log.mutants
            ]
        }
    )
    page = html_report(hostile)
    assert "<script>x" not in page and "&lt;script&gt;x" in page
    files = write_reports(log, tmp_path)
    back = MutationLog.model_validate_json(files["log"].read_text(encoding="utf-8"))
    assert back == log
    assert "long_hold" in files["html"].read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "frames" / "stapler-summit").iterdir()) == sorted(
        f"{s.id}.png" for s in load_episodes(["stapler-summit"])[0].shots.shots
    )


def test_cli_prints_the_log_and_exits_by_the_verdict(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "critic-mutations",
            "--out",
            str(tmp_path),
            "--json",
            "--per-variant",
            "1",
            "--episode",
            "stapler-summit",
        ],
    )
    log = MutationLog.model_validate(json.loads(result.stdout))
    assert result.exit_code == (0 if log.passed else 1)
    assert (tmp_path / "critic-mutations.html").is_file()
    assert [c.episode for c in log.clean] == ["stapler-summit"]


def test_cli_names_an_unknown_episode_and_exits_2(tmp_path):
    result = CliRunner().invoke(
        app, ["eval", "critic-mutations", "--out", str(tmp_path), "--episode", "nope"]
    )
    assert result.exit_code == 2
    assert "nope" in result.output
