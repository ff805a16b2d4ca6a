"""Domain models that cross boundaries: what a brief says, what agents produce, what is rendered.

Every id that can end up in a file name is restricted to ``SAFE_ID`` so untrusted text
(a brief, a model reply) never becomes a path.

The vocabulary is split by section (`base`, `bible`, `brief`, `script`, `shots`, `render`,
`critique`, `notes`, `decisions`, `usage`) and re-exported here: import from
`reelwright.models`. Each class names this package as its module, so checkpoints, which store
a class by module and name, read the same whichever section holds it.
"""

from reelwright.models.base import (
    MAX_SEED,
    MAX_TEXT,
    SAFE_ID_BODY,
    SAFE_ID_PATTERN,
    Frozen,
    Label,
    Record,
    SafeId,
    trim_text,
)
from reelwright.models.bible import Bible, Character, Location, Style, VoiceSpec
from reelwright.models.brief import DIMENSIONS, Brief, Budget, Distribution, HoldNorms, Thresholds
from reelwright.models.critique import Critique, Finding, FrameMeasures, Severity
from reelwright.models.decisions import Approval, Edit
from reelwright.models.notes import (
    DIRECTOR_ACTIONS,
    NOTE_MAX,
    Action,
    ActionOutcome,
    AddBeat,
    AddCharacter,
    AddScene,
    CutLine,
    CutScene,
    GiveLine,
    MoveCamera,
    MoveLine,
    Note,
    ReframeShot,
    RemoveCharacter,
    RetimeShot,
    RevoiceLine,
    RewriteLine,
    SetVoice,
    SplitShot,
    Target,
)
from reelwright.models.render import RenderJob, RenderResult
from reelwright.models.script import DialogueLine, Scene, Script
from reelwright.models.shots import Angle, CameraMove, Framing, Shot, ShotList
from reelwright.models.usage import Usage

__all__ = [
    "Action",
    "ActionOutcome",
    "AddBeat",
    "AddCharacter",
    "AddScene",
    "Angle",
    "Approval",
    "Bible",
    "Brief",
    "Budget",
    "CameraMove",
    "Character",
    "Critique",
    "CutLine",
    "CutScene",
    "DIMENSIONS",
    "DIRECTOR_ACTIONS",
    "DialogueLine",
    "Distribution",
    "Edit",
    "Finding",
    "FrameMeasures",
    "Framing",
    "Frozen",
    "GiveLine",
    "HoldNorms",
    "Label",
    "Location",
    "MAX_SEED",
    "MAX_TEXT",
    "MoveCamera",
    "MoveLine",
    "NOTE_MAX",
    "Note",
    "Record",
    "ReframeShot",
    "RemoveCharacter",
    "RenderJob",
    "RenderResult",
    "RetimeShot",
    "RevoiceLine",
    "RewriteLine",
    "SAFE_ID_BODY",
    "SAFE_ID_PATTERN",
    "SafeId",
    "Scene",
    "Script",
    "SetVoice",
    "Severity",
    "Shot",
    "ShotList",
    "SplitShot",
    "Style",
    "Target",
    "Thresholds",
    "Usage",
    "VoiceSpec",
    "trim_text",
]

for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) and _value.__module__.startswith(f"{__name__}."):
        _value.__module__ = __name__
del _name, _value
