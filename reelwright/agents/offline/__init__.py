"""Offline agents: a deterministic writer and director that need no model.

The writer (`writer`) tells the brief's premise (`premise`) through a story structure that
varies with the number of scenes (`story`), in the vocabulary and rhythm of the brief's tone
(`registers`): beats (`beats`) and lines (`dialogue`) that never repeat (`lines`). The
director (`director`) covers it as a script supervisor would accept, timed within the hold
norms (`timing`).
"""

from reelwright.agents.offline.director import ProceduralDirector
from reelwright.agents.offline.writer import ProceduralWriter

__all__ = ["ProceduralDirector", "ProceduralWriter"]
