"""Repetition: near-repeated lines across and within scenes, repeated beats, one scene shape
used over and over.

Lines and beats are compared by their content words (stemmed) and by rapidfuzz's token-set
and token-sort ratios on the normalised text, so words appended or removed, a reordering or
a light paraphrase still count as the same line: "The lamp needs oil. Trust me." repeats
"The lamp needs oil."
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from reelwright.critic.defects import Defect, quote
from reelwright.critic.text import content_stems, normalise
from reelwright.models import Scene, Script

# A pair is a near-repeat when most of the shorter one's content words are in the longer one
# and the texts read alike (either ratio at or above its bar).
MIN_OVERLAP = 0.75
TOKEN_SET_BAR = 88.0
TOKEN_SORT_BAR = 80.0
EXACT_MIN_WORDS = 3  # "Come on." said twice is speech, not a repeat


@dataclass(frozen=True)
class Passage:
    """A line or beat, placed: its scene and its position, text normalised once."""

    scene_id: str
    text: str
    norm: str
    stems: frozenset[str]


def passage(scene_id: str, text: str) -> Passage:
    return Passage(scene_id, text, normalise(text), frozenset(content_stems(text)))


def alike(a: Passage, b: Passage) -> bool:
    """Whether two passages say the same thing (see the module docstring)."""
    if a.norm == b.norm:
        return len(a.norm.split()) >= EXACT_MIN_WORDS
    small = min(len(a.stems), len(b.stems))
    if small < 2 or len(a.stems & b.stems) / small < MIN_OVERLAP:
        return False
    return (
        fuzz.token_set_ratio(a.norm, b.norm) >= TOKEN_SET_BAR
        or fuzz.token_sort_ratio(a.norm, b.norm) >= TOKEN_SORT_BAR
    )


def first_match(items: list[Passage]) -> dict[int, int]:
    """For each passage, the earliest earlier passage it repeats (index -> index). Candidate
    pairs share a content stem (or the whole text), so the work stays near-linear."""
    by_key: dict[str, list[int]] = defaultdict(list)
    found: dict[int, int] = {}
    for j, item in enumerate(items):
        keys = {f"={item.norm}", *item.stems}
        candidates = sorted({i for k in keys for i in by_key[k]})
        for i in candidates:
            if alike(items[i], item):
                found[j] = i
                break
        for k in keys:
            by_key[k].append(j)
    return found


def near_repeat_lines(script: Script) -> list[Defect]:
    items = [passage(sc.id, d.text) for sc in script.scenes for d in sc.dialogue]
    defects = []
    for j, i in first_match(items).items():
        earlier, later = items[i], items[j]
        where = (
            "twice in scene " + later.scene_id
            if earlier.scene_id == later.scene_id
            else f"in scene {later.scene_id} after scene {earlier.scene_id}"
        )
        defects.append(
            Defect(
                check="dialogue.near_repeat",
                dimension="dialogue",
                target="writer",
                gravity="major",
                scene_ids=(later.scene_id,),
                text=f"A line is said {where}: {quote(later.text)} repeats "
                f"{quote(earlier.text)}. Write a fresh line, not a variant.",
            )
        )
    return defects


def repeated_beats(script: Script) -> list[Defect]:
    """A scene at least half of whose beats (or whose summary) repeat earlier ones."""
    beats: list[Passage] = []
    owner: list[int] = []
    for k, sc in enumerate(script.scenes):
        for b in sc.beats:
            beats.append(passage(sc.id, b))
            owner.append(k)
    repeats = first_match(beats)
    summaries = first_match([passage(sc.id, sc.summary) for sc in script.scenes])
    per_scene: Counter[int] = Counter(owner[j] for j in repeats)
    defects = []
    for k, sc in enumerate(script.scenes):
        repeated = per_scene[k] * 2 >= len(sc.beats) and per_scene[k] > 0
        if not (repeated or k in summaries):
            continue
        like = {beats[i].scene_id for j, i in repeats.items() if owner[j] == k}
        if k in summaries:
            like.add(script.scenes[summaries[k]].id)
        defects.append(
            Defect(
                check="structure.repeated_beats",
                dimension="structure",
                target="writer",
                gravity="major",
                scene_ids=(sc.id,),
                text=f"Scene {sc.id} replays the beats of scene(s) {', '.join(sorted(like))}; "
                "give it a beat of its own that moves the story on.",
            )
        )
    return defects


def _shape(scene: Scene) -> tuple[object, ...]:
    turns = [d.character for d in scene.dialogue]
    collapsed = tuple(c for n, c in enumerate(turns) if n == 0 or turns[n - 1] != c)
    return (scene.location, frozenset(scene.characters), collapsed, len(scene.beats))


def repeated_shapes(script: Script) -> list[Defect]:
    """More than half the scenes (three or more) built alike: same place, cast, turn order
    and beat count."""
    shapes: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for sc in script.scenes:
        shapes[_shape(sc)].append(sc.id)
    defects = []
    for ids in shapes.values():
        if len(ids) >= 3 and len(ids) * 2 > len(script.scenes):
            defects.append(
                Defect(
                    check="structure.repeated_shape",
                    dimension="structure",
                    target="writer",
                    gravity="serious",
                    scene_ids=tuple(ids[1:]),
                    text=f"Scenes {', '.join(ids)} are built alike (same place, cast, turns "
                    "and beats); vary where they happen, who is in them and how they turn.",
                )
            )
    return defects


def check_repetition(script: Script) -> Iterable[Defect]:
    yield from near_repeat_lines(script)
    yield from repeated_beats(script)
    yield from repeated_shapes(script)
