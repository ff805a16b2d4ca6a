"""The offline writer and director (kept at this path for existing imports); they live in
`reelwright.agents.offline`."""

from reelwright.agents.offline import ProceduralDirector, ProceduralWriter

__all__ = ["ProceduralDirector", "ProceduralWriter"]
