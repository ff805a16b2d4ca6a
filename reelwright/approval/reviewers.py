"""Reviewers, roles and review gates, in one project file (`<home>/review.yaml`).

Each reviewer has a name, roles and a token; only the token's SHA-256 is stored, and tokens
are compared in constant time. The same file names the gates a run stops at and the roles
each gate needs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from reelwright.config import HomePaths
from reelwright.errors import AuthError, InputError
from reelwright.loading import parse, read_yaml
from reelwright.models import SafeId
from reelwright.paths import atomic_write

Role = SafeId


class Reviewer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SafeId
    roles: list[Role] = Field(min_length=1)
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class GateRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(default_factory=lambda: ["showrunner"], min_length=1)


class ReviewConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    gates: dict[str, GateRule] = Field(
        default_factory=lambda: {"final": GateRule()},
        description="Gates a run stops at (script, shots, final) and the roles each needs.",
    )
    reviewers: list[Reviewer] = Field(default_factory=list)

    @classmethod
    def path(cls, home: Path) -> Path:
        return HomePaths(Path(home)).review

    @classmethod
    def load(cls, home: Path) -> ReviewConfig:
        path = cls.path(home)
        if not path.is_file():
            return cls()
        return parse(cls, read_yaml(path, "review config"), f"review config {path}")

    def save(self, home: Path) -> Path:
        data = self.model_dump(mode="json")
        return atomic_write(self.path(home), yaml.safe_dump(data, sort_keys=False).encode())

    def add_reviewer(self, name: str, roles: list[str]) -> tuple[ReviewConfig, str]:
        """A new reviewer and their token (shown once; only its hash is kept)."""
        if any(r.name == name for r in self.reviewers):
            raise InputError(f"reviewer {name!r} already exists")
        token = "rw_" + secrets.token_urlsafe(24)
        reviewer = Reviewer(name=name, roles=roles, token_sha256=hash_token(token))
        return self.model_copy(update={"reviewers": [*self.reviewers, reviewer]}), token

    def authenticate(self, token: str | None) -> Reviewer:
        """The reviewer a token belongs to; AuthError(401) otherwise. Constant-time compare."""
        if not token:
            raise AuthError("a reviewer token is required", 401)
        digest = hash_token(token)
        found = None
        for reviewer in self.reviewers:  # compare against every entry, found or not
            if hmac.compare_digest(digest, reviewer.token_sha256):
                found = reviewer
        if found is None:
            raise AuthError("unknown reviewer token", 401)
        return found

    @model_validator(mode="after")
    def _known_gates(self) -> ReviewConfig:
        unknown = sorted(set(self.gates) - {"script", "shots", "final"})
        if unknown:
            raise ValueError(f"unknown gate(s) {unknown}: use script, shots, final")
        return self

    def gate_roles(self) -> dict[str, tuple[str, ...]]:
        return {name: tuple(rule.roles) for name, rule in self.gates.items()}

    def extra_gates(self) -> tuple[str, ...]:
        return tuple(g for g in ("script", "shots") if g in self.gates)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
