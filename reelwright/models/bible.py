"""The series bible: characters (with their voices and sheets), locations and style."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from reelwright.models.base import MAX_SEED, MAX_TEXT, Frozen, Record, SafeId

# --------------------------------------------------------------------------- bible


class VoiceSpec(Frozen):
    """How a character sounds: a free-text description for the writer, and what the voice
    backend is given (voice name, speed, pitch, style). `imitates` names a real person whose
    voice this imitates: the rights ledger must then hold a `voice` clearance with consent."""

    description: str = Field("", max_length=500)
    name: str = Field(
        "", max_length=64, description="Backend voice name (e.g. 'alto', 'alloy'); '' = default."
    )
    speed: float = Field(1.0, ge=0.5, le=2.0)
    pitch: float = Field(0.0, ge=-12, le=12, description="Semitones up (+) or down (-).")
    style: str = Field("", max_length=500, description="Delivery instructions for the backend.")
    imitates: str = Field("", max_length=120, description="Real person imitated (needs consent).")


class Character(Record):
    id: SafeId
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(
        min_length=1, max_length=MAX_TEXT, description="Visual description used in every prompt."
    )
    voice: str | VoiceSpec = Field(
        "", description="A description (text), or a voice spec mapping: name, speed, pitch..."
    )

    @field_validator("voice")
    @classmethod
    def _voice_text(cls, value: str | VoiceSpec) -> str | VoiceSpec:
        if isinstance(value, str) and len(value) > 500:
            raise ValueError("voice description is longer than 500 characters")
        return value

    @property
    def voice_spec(self) -> VoiceSpec:
        """The voice as a spec: a plain description becomes a spec with defaults."""
        return (
            self.voice if isinstance(self.voice, VoiceSpec) else VoiceSpec(description=self.voice)
        )

    speaks: bool = Field(
        True,
        description="False for characters who never speak words (a robot that beeps, a dog): "
        "they act and react, their sounds go in parentheticals, and the critic flags any line "
        "given to them.",
    )
    seed: int | None = Field(
        None, ge=0, le=MAX_SEED, description="Per-character seed; derived from id if unset."
    )
    sheet: str | None = Field(
        None,
        max_length=500,
        description="Character sheet image (path relative to the bible): with "
        "REELWRIGHT_RENDER_REFERENCE=character, image-to-image renderers start the "
        "character's shots from it.",
    )


class Location(Record):
    id: SafeId
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=MAX_TEXT)
    palette: list[Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]] = Field(
        default_factory=list, max_length=16, description="Hex colours: sky/back, ground, accent."
    )
    interior: bool = False


class Style(Record):
    look: str = Field("clean storyboard, soft light", max_length=MAX_TEXT)
    negative: str = Field("text, watermark, logo, blurry, deformed hands", max_length=MAX_TEXT)


class Bible(Record):
    """A series bible: the characters, locations and look every episode shares."""

    title: str = Field(min_length=1, max_length=200)
    style: Style = Field(default_factory=Style)
    characters: list[Character] = Field(min_length=1, max_length=200)
    locations: list[Location] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _unique_ids(self) -> Bible:
        for kind, items in (("character", self.characters), ("location", self.locations)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise ValueError(f"duplicate {kind} id {item.id!r} in the bible")
                seen.add(item.id)
        return self

    def character(self, character_id: str) -> Character:
        for c in self.characters:
            if c.id == character_id:
                return c
        raise KeyError(character_id)

    def location(self, location_id: str) -> Location:
        for loc in self.locations:
            if loc.id == location_id:
                return loc
        raise KeyError(location_id)
