"""A place the logline names is not "mentioned" by a word it shares with the place's name."""

from __future__ import annotations

from reelwright.critic.premise import check_premise
from reelwright.evals.mutations import MUTATORS, load_episodes

EPISODE = load_episodes(["last-set"])[0]  # logline names the club, "The Blue Lantern"


def test_a_club_written_out_is_missing_though_blue_chalk_is_still_in_the_script():
    mutator = next(m for m in MUTATORS if m.variant == "place_written_out")
    mutant = next(m for m in mutator.mutants(EPISODE) if m.id.endswith(":club"))
    assert "blue chalk" in " ".join(b for s in mutant.script.scenes for b in s.beats).lower()
    checks = [d.check for d in check_premise(EPISODE.brief, EPISODE.bible, mutant.script)]
    assert "premise.missing" in checks


def test_the_club_in_its_scene_is_not_missing():
    checks = [d.check for d in check_premise(EPISODE.brief, EPISODE.bible, EPISODE.script)]
    assert "premise.missing" not in checks
