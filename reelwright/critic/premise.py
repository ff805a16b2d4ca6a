"""The premise: the logline's key people, places and things appear in the script.

Key terms are found without a model: the bible's characters and locations the logline names
(by full name, first name or id), then the logline's other content words (a small stop-word
list, crude stemming). A named character or place must be in the script (in a scene's cast or
location, or named in its beats, summaries or dialogue); the other words must mostly appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from reelwright.critic.defects import Defect
from reelwright.critic.text import STOP_WORDS, content_stems, stem
from reelwright.critic.text import words as text_words
from reelwright.models import Bible, Brief, Script

MIN_WORD_SHARE = 0.5  # below this share of the logline's other words, the script has drifted


@dataclass(frozen=True)
class Premise:
    characters: tuple[str, ...]  # bible ids the logline names
    locations: tuple[str, ...]
    words: tuple[str, ...]  # the logline's other content words

    @property
    def size(self) -> int:
        return len(self.characters) + len(self.locations) + len(self.words)


def _forms(name: str, entity_id: str) -> list[str]:
    bare = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    return [name, bare, bare.split()[0], entity_id.replace("_", " ").replace("-", " ")]


def _mentions(forms: list[str], text: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text, re.IGNORECASE) for f in forms)


def premise(brief: Brief, bible: Bible) -> Premise:
    logline = brief.logline
    chars = [c for c in bible.characters if _mentions(_forms(c.name, c.id), logline)]
    locs = [loc for loc in bible.locations if _mentions(_forms(loc.name, loc.id), logline)]
    named: set[str] = set()
    for name, entity_id in [(c.name, c.id) for c in chars] + [(x.name, x.id) for x in locs]:
        for form in _forms(name, entity_id):
            named |= content_stems(form)
    content = [w for w in text_words(logline) if w not in STOP_WORDS and len(w) > 2]
    words = dict.fromkeys(w for w in content if stem(w) not in named)
    return Premise(tuple(c.id for c in chars), tuple(loc.id for loc in locs), tuple(words))


def check_premise(brief: Brief, bible: Bible, script: Script) -> Iterable[Defect]:
    p = premise(brief, bible)
    text = " ".join(
        [part for sc in script.scenes for part in (sc.summary, *sc.beats)]
        + [d.text for sc in script.scenes for d in sc.dialogue]
    )
    ends = tuple(dict.fromkeys((script.scenes[0].id, script.scenes[-1].id)))
    cast = {c for sc in script.scenes for c in sc.characters}
    places = {sc.location for sc in script.scenes}
    for cid in p.characters:
        c = bible.character(cid)
        if cid not in cast and not _mentions(_forms(c.name, c.id), text):
            yield _missing(f"{c.name}, whom the logline names,", ends)
    for lid in p.locations:
        loc = bible.location(lid)
        if lid not in places and not _mentions(_forms(loc.name, loc.id), text):
            yield _missing(f"{loc.name}, where the logline is set,", ends)
    if p.words:
        stems = content_stems(text)
        absent = [w for w in p.words if stem(w) not in stems]
        if len(absent) > len(p.words) * (1 - MIN_WORD_SHARE):
            yield Defect(
                check="premise.drift",
                dimension="structure",
                target="writer",
                gravity="major",
                scene_ids=ends,
                text="The script has drifted from the logline: "
                f"{len(absent)} of its {len(p.words)} key words ({', '.join(absent)}) appear "
                "in no beat, summary or line. Bring the premise back into the story.",
            )
        else:
            for w in absent:
                yield Defect(
                    check="premise.word",
                    dimension="structure",
                    target="writer",
                    gravity="minor",
                    scene_ids=ends,
                    text=f'The logline\'s "{w}" appears nowhere in the script.',
                )


def _missing(what: str, ends: tuple[str, ...]) -> Defect:
    return Defect(
        check="premise.missing",
        dimension="structure",
        target="writer",
        gravity="major",
        scene_ids=ends,
        text=f"{what} is not in the script; bring them into the story.",
    )
