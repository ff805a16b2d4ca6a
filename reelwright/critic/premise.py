"""The premise: the logline's key people, places and things appear in the script.

Key terms are found without a model: the bible's characters and locations the logline names
(by full name, first name or id), then the logline's other things — the brief's `premise` list
when it has one, else the head of each noun phrase of the logline ("a clockwork helper" gives
"helper", "Odalys's boat" gives "boat"), so verbs ("builds", "returns") and modifiers are not
taken for things. A named character or place
must be in the script (in a scene's cast or location, or named in its beats, summaries or
dialogue); so must every key thing (each content word of it; crude stemming: "lamps" is
"lamp"); when most are missing
the script has drifted from its premise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from reelwright.critic.defects import Defect
from reelwright.critic.text import STOP_WORDS, content_stems, stem
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


def _forms(name: str, entity_id: str, person: bool = True) -> list[str]:
    """How a text names a character (full name, first name, id) or a place (full name, id:
    the first word alone, "Blue" of "The Blue Lantern", is not the place's name)."""
    bare = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    first = [bare.split()[0]] if person else []
    return [name, bare, *first, entity_id.replace("_", " ").replace("-", " ")]


def _mentions(forms: list[str], text: str) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text, re.IGNORECASE) for f in forms)


DETERMINERS = frozenset(
    "a an the his her their its our my your this that these those every each some two three "
    "four five several".split()
)
ADVERBS = frozenset("home away tonight today tomorrow together alone again ago".split())
PHRASE_LENGTH = 4  # words a noun phrase may run to after its determiner


def noun_heads(text: str) -> list[str]:
    """The head of each noun phrase in `text` — the last word of up to four after an article,
    a possessive ("Odalys's") or a number, stopping at a stop word, an adverb or punctuation;
    a word in -s followed by a stop word ends the phrase before it (a verb: "the fleet returns
    at dusk" gives "fleet")."""
    out: list[str] = []
    for clause in re.split(r"[,.;:!?()\u2014]+", text.replace("\u2019", "'")):
        tokens = clause.split()
        for i, token in enumerate(tokens):
            bare = token.lower()
            if not (bare in DETERMINERS or bare.endswith("'s")):
                continue
            phrase: list[str] = []
            for k, word in enumerate(tokens[i + 1 : i + 1 + PHRASE_LENGTH]):
                w = re.sub(r"[^a-z0-9-]", "", word.lower().removesuffix("'s"))
                if not w or w in STOP_WORDS or w in DETERMINERS or w in ADVERBS:
                    break
                after = tokens[i + 2 + k].lower() if i + 2 + k < len(tokens) else ""
                if phrase and w.endswith("s") and not w.endswith("ss") and after in STOP_WORDS:
                    break
                phrase.append(w)
                if word.lower().endswith("'s"):
                    break  # "the club's final set": the possessive starts a phrase of its own
            if phrase:
                out.append(phrase[-1])
    return out


def premise(brief: Brief, bible: Bible) -> Premise:
    logline = brief.logline
    chars = [c for c in bible.characters if _mentions(_forms(c.name, c.id), logline)]
    locs = [loc for loc in bible.locations if _mentions(_forms(loc.name, loc.id, False), logline)]
    named: set[str] = set()
    entities = [(c.name, c.id, True) for c in chars] + [(x.name, x.id, False) for x in locs]
    for name, entity_id, person in entities:
        for form in _forms(name, entity_id, person):
            named |= content_stems(form)
    if brief.premise is not None:  # the brief says what the story must show
        content = [t.strip().lower() for t in brief.premise]
    else:
        content = [w for w in noun_heads(logline) if len(w) > 2]
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
        if lid not in places and not _mentions(_forms(loc.name, loc.id, False), text):
            yield _missing(f"{loc.name}, where the logline is set,", ends)
    if p.words:
        stems = content_stems(text)
        absent = [w for w in p.words if not content_stems(w) <= stems]
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
                    gravity="major",
                    scene_ids=ends,
                    text=f'The logline\'s "{w}" appears nowhere in the script; the story '
                    "should show it.",
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
