"""Domain models that cross boundaries: what a brief says, what agents produce, what is rendered.

Every id that can end up in a file name is restricted to ``SAFE_ID`` so untrusted text
(a brief, a model reply) never becomes a path.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

SAFE_ID_BODY = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
SAFE_ID_PATTERN = rf"^{SAFE_ID_BODY}$"
SafeId = Annotated[str, StringConstraints(pattern=SAFE_ID_PATTERN)]
MAX_SEED = 2**32 - 1  # what numpy's and most samplers' seeds accept
MAX_TEXT = 1000  # a description, a look: one paragraph
Label = Annotated[str, StringConstraints(max_length=64)]
_ASPECT = re.compile(r"^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$")


def trim_text(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


class Frozen(BaseModel):
    """Base for value objects: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Record(BaseModel):
    """Base for records the pipeline builds and revises: unknown fields rejected."""

    model_config = ConfigDict(extra="forbid")


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


# --------------------------------------------------------------------------- brief


class Distribution(Record):
    channels: list[Label] = Field(default_factory=lambda: ["web"], max_length=50)
    territories: list[Label] = Field(default_factory=lambda: ["worldwide"], max_length=300)
    release: date | None = Field(None, description="Release date; clearances must cover it.")


class Thresholds(Frozen):
    """Minimum critic scores (0-10) per dimension and overall for an episode to pass."""

    structure: float = Field(7.0, ge=0, le=10)
    pacing: float = Field(7.0, ge=0, le=10)
    dialogue: float = Field(7.0, ge=0, le=10)
    shot_variety: float = Field(7.0, ge=0, le=10)
    continuity: float = Field(7.0, ge=0, le=10)
    technical: float = Field(7.0, ge=0, le=10)
    overall: float = Field(7.5, ge=0, le=10)

    def dimensions(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if k != "overall"}

    def failing(self, scores: Mapping[str, float]) -> dict[str, tuple[float, float]]:
        """What fails among `scores` (per dimension and `overall`): name -> (score, threshold).
        A dimension missing from `scores` fails. The overall passes only when nothing does."""
        out = {
            d: (scores.get(d, 0.0), t)
            for d, t in self.dimensions().items()
            if scores.get(d, 0.0) < t
        }
        if scores.get("overall", 0.0) < self.overall:
            out["overall"] = (scores.get("overall", 0.0), self.overall)
        return out

    def marks(self, scores: Mapping[str, float]) -> dict[str, str]:
        """The mark shown beside each score: "ok" or "below"; the overall is "ok" only when
        every dimension is too (else "below" even when its own number meets its threshold)."""
        failing = self.failing(scores)
        marks = {d: "below" if d in failing else "ok" for d in [*self.dimensions(), "overall"]}
        if failing:
            marks["overall"] = "below"
        return marks


DIMENSIONS: tuple[str, ...] = tuple(Thresholds().dimensions())


class HoldNorms(Frozen):
    """How long a shot may hold, by framing: the longest static shot with nothing said, in
    seconds. A moving camera may hold `moving_factor` times longer; the time its lines take to
    say (at `words_per_second`) is added. The critic's pacing holds check measures every shot
    against these."""

    extreme_wide: float = Field(12.0, gt=0, le=60)
    wide: float = Field(10.0, gt=0, le=60)
    medium: float = Field(8.0, gt=0, le=60)
    close: float = Field(6.0, gt=0, le=60)
    extreme_close: float = Field(4.0, gt=0, le=60)
    moving_factor: float = Field(1.5, ge=1, le=5)
    words_per_second: float = Field(2.5, gt=0, le=10)

    def longest(self, framing: str) -> float:
        return float(getattr(self, framing))


class Budget(Frozen):
    """Limits on one run: critic iterations, LLM spend and renders."""

    max_iterations: int = Field(3, ge=1, le=20)
    max_llm_calls: int = Field(
        400, ge=1, le=100_000, description="LLM HTTP requests (retries and repairs count)."
    )
    max_tokens: int = Field(2_000_000, ge=1, le=10**10)
    max_renders: int = Field(500, ge=1, le=100_000)


class Brief(Record):
    """What the episode is about. Loaded from YAML; every field is checked."""

    title: str = Field(min_length=1, max_length=200)
    logline: str = Field(min_length=10, max_length=2000)
    runtime_s: int = Field(ge=10, le=1800, description="Target runtime in seconds.")
    aspect_ratio: str = Field("16:9", max_length=20)
    characters: list[SafeId] = Field(
        min_length=1, max_length=200, description="Bible character ids."
    )
    locations: list[SafeId] = Field(
        default_factory=list, max_length=200, description="Bible location ids."
    )
    scenes: int | None = Field(None, ge=1, le=40, description="Scene count; derived if unset.")
    tone: str = Field("warm, curious", max_length=500)
    audience: str = Field("general", max_length=200)
    seed: int = Field(7, ge=0, le=MAX_SEED)
    distribution: Distribution = Field(default_factory=Distribution)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    holds: HoldNorms = Field(default_factory=HoldNorms)
    premise: list[Annotated[str, StringConstraints(min_length=2, max_length=60)]] | None = Field(
        None,
        max_length=30,
        description="The logline's key things the story must show (words or short phrases); "
        "unset: the critic takes the heads of the logline's noun phrases.",
    )
    budget: Budget = Field(default_factory=Budget)

    @field_validator("aspect_ratio")
    @classmethod
    def _aspect(cls, value: str) -> str:
        m = _ASPECT.match(value.strip())
        if not m or float(m[1]) <= 0 or float(m[2]) <= 0:
            raise ValueError(f"aspect_ratio must look like '16:9', got {value!r}")
        ratio = float(m[1]) / float(m[2])
        if not 0.25 <= ratio <= 4.0:
            raise ValueError(f"aspect_ratio {value!r} is outside 1:4 .. 4:1")
        return value.strip()

    @property
    def aspect(self) -> float:
        w, h = self.aspect_ratio.split(":")
        return float(w) / float(h)

    @property
    def scene_count(self) -> int:
        return self.scenes or max(2, min(12, round(self.runtime_s / 15)))

    def check_against(self, bible: Bible) -> None:
        """Raise ValueError naming every character or location the bible does not define."""
        known_c = {c.id for c in bible.characters}
        known_l = {loc.id for loc in bible.locations}
        unknown_c = [c for c in self.characters if c not in known_c]
        unknown_l = [loc for loc in self.locations if loc not in known_l]
        problems = []
        if unknown_c:
            problems.append(
                f"unknown character(s) {', '.join(unknown_c)} "
                f"(bible has: {', '.join(sorted(known_c))})"
            )
        if unknown_l:
            problems.append(
                f"unknown location(s) {', '.join(unknown_l)} "
                f"(bible has: {', '.join(sorted(known_l))})"
            )
        if problems:
            raise ValueError("; ".join(problems))


# --------------------------------------------------------------------------- script


class DialogueLine(Record):
    character: SafeId
    text: str = Field(min_length=1, max_length=600)
    parenthetical: str = ""
    take: int = Field(
        0, ge=0, le=99, description="Which recording of the line; a re-voice asks for the next."
    )


class Scene(Record):
    """One scene. A line by a character the scene does not list is allowed here (a person's
    script may have one) and flagged by the critic (`speakers.absent`)."""

    id: SafeId
    number: int = Field(ge=1)
    location: SafeId
    time_of_day: Literal["day", "night", "dawn", "dusk"] = "day"
    summary: str
    beats: list[str] = Field(min_length=1)
    characters: list[SafeId] = Field(min_length=1)
    dialogue: list[DialogueLine] = Field(default_factory=list)
    revision: int = 0


class Script(Record):
    title: str
    logline: str
    scenes: list[Scene] = Field(min_length=1)

    def scene(self, scene_id: str) -> Scene:
        for s in self.scenes:
            if s.id == scene_id:
                return s
        raise KeyError(scene_id)


# --------------------------------------------------------------------------- shots


class Framing(StrEnum):
    extreme_wide = "extreme_wide"
    wide = "wide"
    medium = "medium"
    close = "close"
    extreme_close = "extreme_close"


class Angle(StrEnum):
    eye_level = "eye_level"
    high = "high"
    low = "low"
    overhead = "overhead"
    dutch = "dutch"


class CameraMove(StrEnum):
    static = "static"
    pan = "pan"
    tilt = "tilt"
    dolly_in = "dolly_in"
    dolly_out = "dolly_out"
    tracking = "tracking"
    handheld = "handheld"
    crane = "crane"


class Shot(Record):
    id: SafeId
    scene_id: SafeId
    framing: Framing
    angle: Angle = Angle.eye_level
    camera_move: CameraMove = CameraMove.static
    lens_mm: int = Field(35, ge=8, le=300)
    duration_s: float = Field(ge=0.5, le=60)
    characters: list[SafeId] = Field(default_factory=list)
    location: SafeId
    time_of_day: Literal["day", "night", "dawn", "dusk"] = "day"
    description: str
    prompt: str = Field(min_length=1)
    negative_prompt: str = ""
    seed: int = Field(ge=0)
    dialogue: list[DialogueLine] = Field(default_factory=list)
    revision: int = 0


class ShotList(Record):
    shots: list[Shot] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ShotList:
        ids = [s.id for s in self.shots]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate shot ids: {dupes}")
        return self

    @property
    def duration_s(self) -> float:
        return sum(s.duration_s for s in self.shots)

    def for_scene(self, scene_id: str) -> list[Shot]:
        return [s for s in self.shots if s.scene_id == scene_id]


# --------------------------------------------------------------------------- rendering


class RenderJob(Frozen):
    """Everything that determines a frame. Its key is the cache key."""

    shot_id: SafeId
    renderer: str
    renderer_version: str
    model: str
    prompt: str
    negative_prompt: str = ""
    seed: int
    width: int = Field(ge=16, le=8192)
    height: int = Field(ge=16, le=8192)
    steps: int = 1
    guidance: float = 0.0
    scheduler: str = ""
    panel: dict[str, object] = Field(
        default_factory=dict, description="Renderer-specific inputs (storyboard layout)."
    )
    reference: str = Field("", description="Key of the frame an image-to-image pass starts from.")
    strength: float = Field(0.0, ge=0, le=1)

    @property
    def key(self) -> str:
        payload = self.model_dump(mode="json", exclude={"shot_id"}, exclude_defaults=True)
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()


class RenderResult(Frozen):
    shot_id: SafeId
    key: str
    path: str = Field(description="Path of the cached frame.")
    cached: bool
    renderer: str
    model: str
    seed: int
    width: int
    height: int
    seconds: float
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------- critique


class Severity(StrEnum):
    block = "block"
    review = "review"
    info = "info"


Target = Literal["writer", "director"]


class Finding(Frozen):
    rule: str
    severity: Severity
    where: str
    evidence: str
    fix: str = ""
    target: Target | None = None
    scene_ids: tuple[SafeId, ...] = ()
    shot_ids: tuple[SafeId, ...] = ()
    entity: str = ""
    kind: str = ""
    span: tuple[int, int] | None = None


NOTE_MAX = 2000

# --------------------------------------------------------------------------- structured notes


class _Action(Frozen):
    """An exact change a note asks for. Lines are 1-based positions in their scene's dialogue
    as the reviewer saw it; the framework applies actions itself, then checks each one."""

    kind: str

    @property
    def target(self) -> Target:
        """The agent whose artefact the action changes."""
        return "director" if self.kind in DIRECTOR_ACTIONS else "writer"


class SplitShot(_Action):
    kind: Literal["split_shot"] = "split_shot"
    shot_id: SafeId
    into: int = Field(2, ge=2, le=6)
    framings: tuple[Framing, ...] = Field((), description="One framing per part (optional).")

    @model_validator(mode="after")
    def _framings(self) -> SplitShot:
        if self.framings and len(self.framings) != self.into:
            raise ValueError(
                f"split into {self.into} needs {self.into} framings, got {len(self.framings)}"
            )
        return self


class RetimeShot(_Action):
    kind: Literal["retime_shot"] = "retime_shot"
    shot_id: SafeId
    seconds: float = Field(ge=0.5, le=60)


class ReframeShot(_Action):
    kind: Literal["reframe_shot"] = "reframe_shot"
    shot_id: SafeId
    framing: Framing | None = None
    angle: Angle | None = None
    lens_mm: int | None = Field(None, ge=8, le=300)

    @model_validator(mode="after")
    def _something(self) -> ReframeShot:
        if self.framing is None and self.angle is None and self.lens_mm is None:
            raise ValueError("reframe_shot needs a framing, an angle or a lens_mm")
        return self


class MoveCamera(_Action):
    kind: Literal["camera_move"] = "camera_move"
    shot_id: SafeId
    move: CameraMove


class AddCharacter(_Action):
    kind: Literal["add_character"] = "add_character"
    shot_id: SafeId
    character: SafeId


class RemoveCharacter(_Action):
    kind: Literal["remove_character"] = "remove_character"
    shot_id: SafeId
    character: SafeId


class MoveLine(_Action):
    kind: Literal["move_line"] = "move_line"
    scene_id: SafeId
    line: int = Field(ge=1)
    to_shot: SafeId


class CutLine(_Action):
    kind: Literal["cut_line"] = "cut_line"
    scene_id: SafeId
    line: int = Field(ge=1)


class RewriteLine(_Action):
    kind: Literal["rewrite_line"] = "rewrite_line"
    scene_id: SafeId
    line: int = Field(ge=1)
    text: str | None = Field(None, min_length=1, max_length=600, description="The new line.")
    instruction: str | None = Field(
        None, min_length=1, max_length=NOTE_MAX, description="How to rewrite it (needs a model)."
    )

    @model_validator(mode="after")
    def _one(self) -> RewriteLine:
        if (self.text is None) == (self.instruction is None):
            raise ValueError("rewrite_line needs exactly one of text or instruction")
        return self


class GiveLine(_Action):
    kind: Literal["give_line"] = "give_line"
    scene_id: SafeId
    line: int = Field(ge=1)
    character: SafeId


class RevoiceLine(_Action):
    """Record the line again (the next take), same words and voice."""

    kind: Literal["revoice_line"] = "revoice_line"
    scene_id: SafeId
    line: int = Field(ge=1)


class SetVoice(_Action):
    """Change a character's voice for the whole episode: every line of theirs is re-voiced."""

    kind: Literal["set_voice"] = "set_voice"
    character: SafeId
    name: str | None = Field(None, max_length=64, description="Backend voice name.")
    speed: float | None = Field(None, ge=0.5, le=2.0)
    pitch: float | None = Field(None, ge=-12, le=12)
    style: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _something(self) -> SetVoice:
        if self.name is None and self.speed is None and self.pitch is None and self.style is None:
            raise ValueError("set_voice needs a name, speed, pitch or style")
        return self


class AddBeat(_Action):
    kind: Literal["add_beat"] = "add_beat"
    scene_id: SafeId
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class CutScene(_Action):
    kind: Literal["cut_scene"] = "cut_scene"
    scene_id: SafeId


class AddScene(_Action):
    kind: Literal["add_scene"] = "add_scene"
    after: SafeId = Field(description="The scene the new one follows.")
    summary: str = Field(min_length=1, max_length=MAX_TEXT)
    location: SafeId | None = Field(None, description="Default: the location of `after`.")
    characters: tuple[SafeId, ...] = Field((), description="Default: the characters of `after`.")


Action = Annotated[
    SplitShot
    | RetimeShot
    | ReframeShot
    | MoveCamera
    | AddCharacter
    | RemoveCharacter
    | MoveLine
    | CutLine
    | RewriteLine
    | GiveLine
    | RevoiceLine
    | SetVoice
    | AddBeat
    | CutScene
    | AddScene,
    Field(discriminator="kind"),
]
DIRECTOR_ACTIONS = frozenset(
    {
        "split_shot",
        "retime_shot",
        "reframe_shot",
        "camera_move",
        "add_character",
        "remove_character",
        "move_line",
    }
)


class Note(Frozen):
    """A critic's (or reviewer's) request for a change, aimed at one agent and specific ids."""

    target: Target
    text: str = Field(min_length=1, max_length=NOTE_MAX)
    dimension: str = "general"
    scene_ids: tuple[SafeId, ...] = ()
    shot_ids: tuple[SafeId, ...] = ()
    source: Literal["critic", "judge", "reviewer", "compliance"] = "critic"
    replace: tuple[str, ...] = Field((), description="Exact phrases that must not survive.")
    check: str = Field(
        "",
        max_length=64,
        description="The critic's detector that raised it (e.g. `dialogue.near_repeat`); the "
        "next iteration's same detector re-measures the defect.",
    )
    actions: tuple[Action, ...] = Field((), description="Exact changes, applied and checked.")


class ActionOutcome(Frozen):
    """Whether a note's action was carried out, checked on the revised script and shots."""

    action: Action
    source: Literal["critic", "judge", "reviewer", "compliance"] = "reviewer"
    iteration: int = Field(0, description="The iteration the revision fed.")
    applied: bool = Field(True, description="False when the action could not be carried out.")
    addressed: bool
    reason: str = ""
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    line: DialogueLine | None = Field(
        None, description="The line acted on, as the reviewer saw it."
    )


class FrameMeasures(Frozen):
    """What a CLIP-family model measured on the frames (`reelwright.critic.frames`), or why
    nothing was: never a silent 10."""

    measured: bool
    reason: str = Field("", description="Why frames were not measured.")
    model: str = ""
    adherence: dict[str, float] = Field(
        default_factory=dict, description="Shot id -> image-text cosine with its prompt."
    )
    consistency: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Character id -> shot id -> image cosine with the character's reference.",
    )
    references: dict[str, str] = Field(
        default_factory=dict,
        description="Character id -> what it was compared with: 'sheet' or a first shot id.",
    )
    scores: dict[str, float] = Field(
        default_factory=dict, description="Dimension -> 0-10, for the dimensions measured."
    )


class Critique(Record):
    """One iteration's verdict. `scores` are the final per-dimension scores; the parts they
    are built from are kept beside them: `measured_scores` (the deterministic checks, frames
    included), `judge_scores` (the LLM judge's median over `judge_samples`), `frames`."""

    iteration: int
    scores: dict[str, float]
    overall: float
    notes: list[Note] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    judge: Literal["measurements", "measurements+llm"] = "measurements"
    measured_scores: dict[str, float] = Field(default_factory=dict)
    judge_scores: dict[str, float] | None = None
    judge_samples: list[dict[str, float]] = Field(default_factory=list)
    judge_saw_frames: list[str] = Field(
        default_factory=list, description="Shot ids of the frames the judge was shown."
    )
    frames: FrameMeasures = Field(
        default_factory=lambda: FrameMeasures(measured=False, reason="not recorded")
    )
    addressed: list[ActionOutcome] = Field(
        default_factory=list, description="The structured notes this iteration acted on."
    )

    def failing(self, thresholds: Thresholds) -> dict[str, tuple[float, float]]:
        """Dimensions below threshold: name -> (score, threshold)."""
        return thresholds.failing({**self.scores, "overall": self.overall})


class Edit(Frozen):
    """A reviewer's direct change: a dialogue line (scene id + 1-based line) or a shot prompt."""

    kind: Literal["line", "prompt"]
    scene_id: SafeId | None = None
    line: int | None = Field(None, ge=1)
    shot_id: SafeId | None = None
    text: str = Field(min_length=1, max_length=4000)


class Approval(Frozen):
    """A decision at a gate: approve, reject (with a note for the writer or director), or edit."""

    decision: Literal["approve", "reject", "edit"]
    by: str = Field(min_length=1, max_length=120)
    role: str = "showrunner"
    note: str = Field("", max_length=2000)
    to: Target | None = None
    scene_ids: tuple[SafeId, ...] = ()
    shot_ids: tuple[SafeId, ...] = ()
    gate: Literal["script", "shots", "final"] = "final"
    revision: str = Field("", description="Revision of the artefact the reviewer saw.")
    edits: tuple[Edit, ...] = ()
    actions: tuple[Action, ...] = Field(
        (), description="Structured changes for a reject: split a shot, cut a line…"
    )
    auto: bool = False
    at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


class Usage(Frozen):
    """What LLM calls spent. `calls`: replies received; `requests`: every HTTP request sent
    (retries, repair re-asks and failed requests included); tokens as the server reported."""

    calls: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    normalised: dict[str, int] = Field(
        default_factory=dict,
        description="Names in accepted replies mapped to ids, `'Juno Park → juno': count`.",
    )

    def __add__(self, other: Usage) -> Usage:
        normalised = dict(self.normalised)
        for mapping, count in other.normalised.items():
            normalised[mapping] = normalised.get(mapping, 0) + count
        return Usage(
            calls=self.calls + other.calls,
            requests=self.requests + other.requests,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            latency_s=round(self.latency_s + other.latency_s, 6),
            normalised=dict(sorted(normalised.items())),
        )

    def __sub__(self, other: Usage) -> Usage:
        """What this spent beyond `other` (never below zero)."""
        return Usage(
            calls=max(0, self.calls - other.calls),
            requests=max(0, self.requests - other.requests),
            prompt_tokens=max(0, self.prompt_tokens - other.prompt_tokens),
            completion_tokens=max(0, self.completion_tokens - other.completion_tokens),
            latency_s=round(max(0.0, self.latency_s - other.latency_s), 6),
        )

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def spent_requests(self) -> int:
        """Requests sent; for usage recorded before `requests` existed, the calls."""
        return max(self.requests, self.calls)
