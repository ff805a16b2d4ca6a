"""The one copy of Reelwright's version: pyproject.toml reads it ([tool.setuptools.dynamic]),
records and cache keys stamp it. A module of its own, so that stamping it imports nothing."""

__version__ = "0.1.0"
