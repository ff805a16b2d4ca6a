"""A hand-written clean episode (three scenes at the example bible's places) that every check
passes, and helpers that plant one defect in it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from reelwright.loading import load_bible
from reelwright.models import Bible, Brief, DialogueLine, Scene, Script, Shot, ShotList

LOGLINE = (
    "When a storm knocks out the harbour radio, Juno and Pip must rig a signal from the "
    "lighthouse to guide Odalys's boat home."
)


@dataclass(frozen=True)
class Episode:
    brief: Brief
    bible: Bible
    script: Script
    shots: ShotList

    def with_scene(self, scene_id: str, **changes: object) -> Episode:
        scenes = [
            Scene.model_validate({**s.model_dump(), **changes}) if s.id == scene_id else s
            for s in self.script.scenes
        ]
        return replace(self, script=self.script.model_copy(update={"scenes": scenes}))

    def with_shot(self, shot_id: str, **changes: object) -> Episode:
        shots = [
            Shot.model_validate({**s.model_dump(), **changes}) if s.id == shot_id else s
            for s in self.shots.shots
        ]
        return replace(self, shots=ShotList(shots=shots))

    def scene(self, scene_id: str) -> Scene:
        return self.script.scene(scene_id)

    def shot(self, shot_id: str) -> Shot:
        return next(s for s in self.shots.shots if s.id == shot_id)


def line(character: str, text: str) -> DialogueLine:
    return DialogueLine(character=character, text=text)


SCENES = [
    Scene(
        id="s1",
        number=1,
        location="harbour",
        summary="The storm knocks the harbour radio out while Odalys is still at sea.",
        beats=["Thunder rolls over the harbour and the radio dies", "Bram says Odalys is out"],
        characters=["juno", "pip", "bram"],
        dialogue=[
            line("juno", "The radio just went dead. Every channel."),
            line("bram", "Odalys took her boat out at noon. She has no way home in this."),
            line("pip", "(three worried chimes)"),
            line("juno", "Then we build her a light she can follow."),
        ],
    ),
    Scene(
        id="s2",
        number=2,
        location="workshop",
        summary="Juno and Pip rig a signal lamp from spare parts.",
        beats=["Juno sorts batteries and an old fog lens", "Pip finds a brass mirror"],
        characters=["juno", "pip"],
        dialogue=[
            line("juno", "Mirror, battery, the old fog lens. Hand me that wrench."),
            line("pip", "(a bright rising beep)"),
            line("juno", "Pip, you clever thing. That mirror doubles the beam."),
        ],
    ),
    Scene(
        id="s3",
        number=3,
        location="lighthouse",
        summary="From the lighthouse they flash the signal to guide the boat home.",
        beats=["They climb the spiral stair in the wind", "Odalys steps onto the rocks, safe"],
        characters=["juno", "pip", "bram", "odalys"],
        dialogue=[
            line("bram", "Three long, three short. She knows that pattern."),
            line("odalys", "I saw your beam from the rocks. Who built that thing?"),
            line("juno", "Pip found the mirror. I just held the wrench."),
        ],
    ),
]

# (id, scene, framing, angle, seconds, characters, line indices of the scene)
PLAN = [
    ("s1-1", "s1", "wide", "eye_level", 5, ["juno", "pip", "bram"], []),
    ("s1-2", "s1", "medium", "eye_level", 4, ["juno"], [0]),
    ("s1-3", "s1", "close", "low", 6, ["bram"], [1]),
    ("s1-4", "s1", "medium", "high", 6, ["pip", "juno"], [2, 3]),
    ("s2-1", "s2", "wide", "eye_level", 5, ["juno", "pip"], []),
    ("s2-2", "s2", "close", "eye_level", 5, ["juno"], [0]),
    ("s2-3", "s2", "close", "low", 3, ["pip"], [1]),
    ("s2-4", "s2", "medium", "eye_level", 5, ["juno", "pip"], [2]),
    ("s3-1", "s3", "extreme_wide", "low", 4, ["juno", "pip", "bram"], []),
    ("s3-2", "s3", "medium", "eye_level", 4, ["bram"], [0]),
    ("s3-3", "s3", "close", "eye_level", 5, ["odalys"], [1]),
    ("s3-4", "s3", "medium", "high", 5, ["juno", "pip"], [2]),
]


def clean_episode(bible: Bible) -> Episode:
    scenes = {s.id: s for s in SCENES}
    shots = [
        Shot(
            id=sid,
            scene_id=scene,
            framing=framing,  # type: ignore[arg-type]
            angle=angle,  # type: ignore[arg-type]
            duration_s=seconds,
            characters=cast,
            location=scenes[scene].location,
            description=f"shot {sid}",
            prompt=f"shot {sid}",
            seed=n,
            dialogue=[scenes[scene].dialogue[i] for i in lines],
        )
        for n, (sid, scene, framing, angle, seconds, cast, lines) in enumerate(PLAN)
    ]
    brief = Brief(
        title="Storm Signal",
        logline=LOGLINE,
        runtime_s=57,
        characters=["juno", "pip", "bram", "odalys"],
        locations=["harbour", "workshop", "lighthouse"],
        scenes=3,
    )
    script = Script(title="Storm Signal", logline=LOGLINE, scenes=SCENES)
    return Episode(brief, bible, script, ShotList(shots=shots))


@pytest.fixture
def clean(examples) -> Episode:
    return clean_episode(load_bible(examples / "bible.yaml"))
