"""The smoke suite's critique cases: the real critic fails each planted defect on the right
dimension and passes the clean episode; a critic that passes everything fails the suite."""

from __future__ import annotations

import yaml

from reelwright.evals.runner import EvalOptions, resolve_suite, run_suite
from reelwright.models import Critique, Usage


def _critique_suite(tmp_path):
    smoke = yaml.safe_load(resolve_suite("smoke").read_text())
    smoke["cases"] = [c for c in smoke["cases"] if "critique" in c]
    path = tmp_path / "critic.yaml"
    path.write_text(yaml.safe_dump(smoke))
    return path, len(smoke["cases"])


def test_the_critic_fails_each_planted_defect_and_passes_the_clean_episode(tmp_path):
    path, n = _critique_suite(tmp_path)
    assert n >= 6
    log = run_suite(path, EvalOptions(out=tmp_path / "out", offline=True))
    by_id = {c.id: c for c in log.cases}
    assert all(c.expectations_met for c in log.cases), [c.failures for c in log.cases]
    assert by_id["critic-clean"].verdict == "pass"
    assert by_id["critic-repeat"].failing == ["dialogue"]
    assert any(n.target == "director" for n in by_id["critic-hold"].notes)


class PassEverything:
    def critique(self, iteration, brief, bible, script, shots, renders):
        scores = dict.fromkeys(brief.thresholds.dimensions(), 10.0)
        return Critique(iteration=iteration, scores=scores, overall=10.0), Usage()


def test_a_critic_that_passes_everything_fails_the_suite(tmp_path, monkeypatch):
    import reelwright.critic.agent as critic

    monkeypatch.setattr(critic, "critic_from_settings", lambda *a, **k: PassEverything())
    path, n = _critique_suite(tmp_path)
    log = run_suite(path, EvalOptions(out=tmp_path / "out", offline=True))
    missed = [c.id for c in log.cases if not c.expectations_met]
    assert missed == [c.id for c in log.cases if c.id != "critic-clean"]
    for case in (c for c in log.cases if c.id in missed):
        assert any("the critic did not fail" in f for f in case.failures), case.failures
