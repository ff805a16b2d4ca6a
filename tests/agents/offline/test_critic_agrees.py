"""The critic's measurements find nothing wrong with the offline agents' episodes, on the
examples and the original briefs of other genres (frames aside: none are rendered here)."""

from __future__ import annotations

from reelwright.agents.offline import ProceduralDirector, ProceduralWriter
from reelwright.critic.agent import Critic


def test_the_critic_raises_no_note_on_an_offline_episode(inputs):
    brief, bible = inputs
    script, _ = ProceduralWriter().write(brief, bible)
    shots, _ = ProceduralDirector().plan(script, brief, bible)
    critique, _ = Critic().critique(1, brief, bible, script, shots, [])
    notes = [n for n in critique.notes if n.dimension != "technical"]
    assert notes == []
    assert all(v == 10.0 for d, v in critique.scores.items() if d != "technical")
