"""Offline agents: a deterministic writer and director that need no model.

The writer tells the brief's premise (`premise`) through a story structure that varies with
the number of scenes (`story`), in the vocabulary and rhythm of the brief's tone
(`registers`), with lines that never repeat (`lines`); the director covers it as a script
supervisor would accept (`director`).
"""

from reelwright.agents.offline.director import ProceduralDirector
from reelwright.agents.offline.writer import ProceduralWriter

__all__ = ["ProceduralDirector", "ProceduralWriter"]
