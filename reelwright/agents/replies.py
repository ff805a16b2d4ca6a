"""What the LLM is asked to return. Every field is required (strict structured outputs).

The classes here are the shapes; the agents ask for a per-call form of each built from the
run's facts (`outline_reply`, `scene_reply`, `shot_plan_reply`, `shot_revision_reply`,
`judgement_reply`): ids are `enum`s of what exists and is allowed there, the scene count is
fixed, dialogue-line indices are bounded, so a server that enforces schemas cannot send an
invalid id. The same model validates the reply: a name that is not an id is mapped to one
where the mapping is unambiguous (`reelwright.agents.names`, counted in `Reply.normalised`);
what cannot be mapped becomes a repair re-ask naming the allowed ids. The shapes also accept
known ids as validation context, for callers that ask for them directly."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache, partial
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from reelwright.agents.names import Names, Refs, recording
from reelwright.models import (
    Angle,
    Bible,
    Brief,
    CameraMove,
    Framing,
    Scene,
    trim_text,
)

R = TypeVar("R", bound="Reply")


def _trim(value: Any, limit: int) -> Any:
    return trim_text(value, limit) if isinstance(value, str) else value


def FreeText(limit: int) -> Any:  # noqa: N802 - used like a type
    """Free text a model writes: over `limit` it is trimmed at a word boundary rather than
    failing validation (a re-ask would often repeat it, and a resume the same crash). The JSON
    schema sent to the model is unchanged; ids and enums still fail and are re-asked."""
    return BeforeValidator(partial(_trim, limit=limit))


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")
    _normalised: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _count_mappings(cls, data: Any, handler: ModelWrapValidatorHandler[Reply]) -> Reply:
        with recording() as counts:
            reply = handler(data)
        reply._normalised = dict(counts)  # nested replies share the outer count
        return reply

    @property
    def normalised(self) -> dict[str, int]:
        """`"Juno Park → juno": 2`: the names in this reply that were mapped to ids."""
        return dict(self._normalised)


def known_ids(info: ValidationInfo, key: str, values: list[str], what: str) -> list[str]:
    known = (info.context or {}).get(key)
    if known is not None:
        unknown = [v for v in values if v not in known]
        if unknown:
            raise ValueError(f"unknown {what} {unknown}; use only: {sorted(known)}")
    return values


class OutlineScene(Reply):
    summary: str = Field(min_length=1)
    location: str
    time_of_day: Literal["day", "night", "dawn", "dusk"]
    characters: list[str] = Field(min_length=1)
    beats: list[str] = Field(min_length=1, max_length=8)

    @field_validator("characters")
    @classmethod
    def _characters(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return known_ids(info, "characters", v, "character id(s)")

    @field_validator("location")
    @classmethod
    def _location(cls, v: str, info: ValidationInfo) -> str:
        return known_ids(info, "locations", [v], "location id")[0]


class OutlineReply(Reply):
    title: str
    scenes: list[OutlineScene] = Field(min_length=1, max_length=40)


class LineReply(Reply):
    character: str
    text: Annotated[str, Field(min_length=1, max_length=600), FreeText(600)]
    parenthetical: str


class SceneReply(Reply):
    summary: str = Field(min_length=1)
    beats: list[str] = Field(min_length=1, max_length=8)
    dialogue: list[LineReply] = Field(max_length=30)

    @field_validator("dialogue")
    @classmethod
    def _speakers(cls, v: list[LineReply], info: ValidationInfo) -> list[LineReply]:
        known_ids(info, "speakers", [line.character for line in v], "speaker(s)")
        return v


class PlannedShot(Reply):
    framing: Framing
    angle: Angle
    camera_move: CameraMove
    lens_mm: int = Field(ge=8, le=300)
    duration_s: float = Field(ge=0.5, le=60)
    characters: list[str]
    description: str = Field(min_length=1)
    dialogue_lines: list[int] = Field(description="Indices into the scene's dialogue.")

    @field_validator("characters")
    @classmethod
    def _characters(cls, v: list[str], info: ValidationInfo) -> list[str]:
        return known_ids(info, "speakers", v, "character id(s)")


class ShotPlanReply(Reply):
    shots: list[PlannedShot] = Field(min_length=1, max_length=20)


class ShotRevisionReply(Reply):
    shot: PlannedShot


# -- per-call forms: the schema says what is allowed, the validator maps names to ids ----


def _one_of(resolver: Names | Refs) -> Any:
    """A field whose schema is an `enum` of the allowed ids (an `enum` even for one id:
    servers and grammars that know `enum` do not all know `const`), mapping names first."""
    values = resolver.allowed
    return Annotated[
        cast(Any, Literal)[values],
        BeforeValidator(resolver.resolve),
        WithJsonSchema({"type": "string", "enum": list(values)}),
    ]


def list_of(item: Any) -> Any:
    """`list[item]` for an item type built at run time."""
    return list[item]


def ids_of(resolver: Names | Refs, **constraints: Any) -> tuple[Any, Any]:
    """A list of allowed ids; with none allowed, a list that must be empty."""
    if not resolver.allowed:
        return list[str], Field(max_length=0)
    return list_of(_one_of(resolver)), Field(**constraints)


def _line_indices(count: int) -> tuple[Any, Any]:
    description = "Indices into the scene's dialogue."
    if count == 0:
        return list[int], Field(max_length=0, description=description)
    return list_of(cast(Any, Literal)[tuple(range(count))]), Field(description=description)


def named(model: type[R], **fields: Any) -> type[R]:
    """`model` with these fields narrowed; same name, so the schema the server sees (and a
    scripted test endpoint) still calls it `SceneReply` and so on."""
    return cast(type[R], create_model(model.__name__, __base__=model, **fields))


def characters(bible: Bible, allowed: Sequence[str]) -> Names:
    entries = tuple((c.id, c.name) for c in bible.characters)
    return Names("character", entries, tuple(dict.fromkeys(allowed)))


def locations(bible: Bible, allowed: Sequence[str]) -> Names:
    entries = tuple((loc.id, loc.name) for loc in bible.locations)
    return Names("location", entries, tuple(dict.fromkeys(allowed)))


@lru_cache(maxsize=64)
def _outline_model(cast_: Names, places: Names, scenes: int) -> type[OutlineReply]:
    scene = named(
        OutlineScene,
        location=(_one_of(places), ...),
        characters=ids_of(cast_, min_length=1),
    )
    exactly = Field(min_length=scenes, max_length=scenes)
    return named(OutlineReply, scenes=(list_of(scene), exactly))


def outline_reply(brief: Brief, bible: Bible) -> type[OutlineReply]:
    """The brief's cast and locations (all the bible's when it names none), exactly
    `brief.scene_count` scenes."""
    places = brief.locations or [loc.id for loc in bible.locations]
    return _outline_model(
        characters(bible, brief.characters), locations(bible, places), brief.scene_count
    )


@lru_cache(maxsize=256)
def _scene_model(speakers: Names) -> type[SceneReply]:
    line = named(LineReply, character=(_one_of(speakers), ...))
    return named(SceneReply, dialogue=(list_of(line), Field(max_length=30)))


def scene_reply(scene: Scene, bible: Bible) -> type[SceneReply]:
    """Speakers are the scene's characters."""
    return _scene_model(characters(bible, scene.characters))


@lru_cache(maxsize=256)
def _planned_shot(cast_: Names, lines: int) -> type[PlannedShot]:
    return named(PlannedShot, characters=ids_of(cast_), dialogue_lines=_line_indices(lines))


def _shot_for(scene: Scene, bible: Bible) -> type[PlannedShot]:
    return _planned_shot(characters(bible, scene.characters), len(scene.dialogue))


def shot_plan_reply(scene: Scene, bible: Bible) -> type[ShotPlanReply]:
    """Shots of this scene: its characters only, its dialogue lines only."""
    shot = _shot_for(scene, bible)
    return _plan_model(shot)


@lru_cache(maxsize=256)
def _plan_model(shot: type[PlannedShot]) -> type[ShotPlanReply]:
    return named(ShotPlanReply, shots=(list_of(shot), Field(min_length=1, max_length=20)))


@lru_cache(maxsize=256)
def _revision_model(shot: type[PlannedShot]) -> type[ShotRevisionReply]:
    return named(ShotRevisionReply, shot=(shot, ...))


def shot_revision_reply(scene: Scene, bible: Bible) -> type[ShotRevisionReply]:
    return _revision_model(_shot_for(scene, bible))
