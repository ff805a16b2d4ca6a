"""What a logline says, taken apart without a model: who, where, what goes wrong, what they
must do, by when, and the objects it turns on.

The offline writer tells the story from these parts (the trouble in one scene, the goal in
another, the deadline when time runs short) instead of pasting the logline into a beat. The
parse is a handful of clause patterns and noun-phrase rules; whatever it cannot place still
reaches the script through `Premise.words`.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from reelwright.models import Bible, Brief

STOP = frozenset(
    """a an the and or but if when while as after before until by to of in on at from for with
    into onto over under out up off down away back home his her their its our your my this that
    these those must has have had is are was were be been being will would can could should may
    might shall do does did not no so than then there here who whom whose which what where why how
    all any each every one some more most very just only also even still once again about against
    between through during without within upon across around near far per via it he she they we
    you i me him them us one's own new old""".split()
)
DETERMINERS = frozenset("a an the his her their its our your my this that these those".split())
# verbs that often follow a subject noun in a logline ("a storm knocks out ...")
PARTICLES = frozenset("out up off down away back in on at into over from to with".split())
MODALS = (
    "must",
    "has to",
    "have to",
    "needs to",
    "need to",
    "sets out to",
    "set out to",
    "tries to",
    "try to",
    "races to",
    "race to",
    "has one night to",
    "have one night to",
    "has until dawn to",
    "is determined to",
    "are determined to",
    "decides to",
    "decide to",
    "want to",
    "wants to",
)
LEAD_INS = ("when", "after", "as", "once", "while", "now that", "with")
DEADLINES = ("before", "until", "by the time")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


class Premise(BaseModel):
    """The logline's parts. Every text field is a phrase from the logline (lower-cased except
    names), or empty when the logline does not have that part."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    people: list[str] = Field(default_factory=list, description="Character ids it names.")
    places: list[str] = Field(default_factory=list, description="Location ids it names.")
    objects: list[str] = Field(default_factory=list, description="Noun phrases, in order.")
    trouble: str = Field("", description="What goes wrong: 'a storm knocks out the radio'.")
    goal: str = Field("", description="What they must do, a base-form verb phrase.")
    purpose: str = Field("", description="What the goal is for: 'repair the lighthouse lamp'.")
    deadline: str = Field("", description="By when: 'the fishing fleet returns at dusk'.")
    words: list[str] = Field(default_factory=list, description="Every content word.")
    rescued: list[str] = Field(
        default_factory=list, description="Character ids the goal is for (named in its purpose)."
    )

    def places_in(self, clause: str, bible: Bible) -> list[str]:
        """Location ids a clause of this premise names ('from the lighthouse')."""
        return _places_in(clause, bible)

    @property
    def threat(self) -> str:
        """The subject of the trouble clause ('a storm' -> 'storm'); empty without one."""
        phrases = noun_phrases(self.trouble)
        return phrases[0] if len(phrases) > 1 else ""

    @property
    def broken(self) -> str:
        """What is wrong: the trouble clause's last noun phrase, else what the purpose fixes."""
        phrases = noun_phrases(self.trouble)
        if len(phrases) > 1:
            return phrases[-1]
        if phrases and not self.purpose:
            return phrases[0]
        fixes = noun_phrases(self.purpose)
        return fixes[0] if fixes else ""

    @property
    def target(self) -> str:
        """The goal's object: 'rig a signal ...' -> 'signal'."""
        phrases = noun_phrases(self.goal)
        return phrases[0] if phrases else (self.objects[-1] if self.objects else "")


def _places_in(clause: str, bible: Bible) -> list[str]:
    low = clause.lower()
    return [
        loc.id
        for loc in bible.locations
        if loc.name.lower() in low
        or re.search(rf"\bthe {re.escape(loc.name.lower().split()[-1])}\b", low)
    ]


def content_words(text: str) -> list[str]:
    """Lower-case words that carry meaning (no stop words, no possessive tails), in order."""
    out: list[str] = []
    for raw in _WORD.findall(text):
        word = re.sub(r"['’]s?$", "", raw.lower())
        if len(word) > 2 and word not in STOP and word not in out:
            out.append(word)
    return out


def _looks_like_verb(word: str, following: str) -> bool:
    return word.endswith("s") and not word.endswith("ss") and following in PARTICLES | DETERMINERS


def noun_phrases(text: str, names: frozenset[str] = frozenset()) -> list[str]:
    """Phrases after a determiner or a possessive ("the harbour radio", "Odalys's boat" ->
    "harbour radio", "boat"), up to three words, stopping at a stop word or a likely verb."""
    tokens = re.findall(r"[A-Za-z][A-Za-z'’-]*|[,.;:!?]", text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        starts = low in DETERMINERS or bool(re.search(r"['’]s$", tok))
        if not starts:
            i += 1
            continue
        phrase: list[str] = []
        j = i + 1
        while j < len(tokens) and len(phrase) < 3:
            word = tokens[j].lower()
            nxt = tokens[j + 1].lower() if j + 1 < len(tokens) else ""
            if not word[0].isalpha() or word in STOP or word in names:
                break
            if phrase and _looks_like_verb(word, nxt):
                break
            if re.search(r"['’]s$", word):  # another possessive starts a new phrase
                break
            phrase.append(word)
            j += 1
        if phrase:
            text_phrase = " ".join(phrase)
            if text_phrase not in out:
                out.append(text_phrase)
        i = j if phrase else i + 1
    return out


def _base_form(verb: str) -> str:
    """'builds' -> 'build', 'fixes' -> 'fix', 'carries' -> 'carry' (a logline's present tense)."""
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if re.search(r"(ch|sh|x|ss|zz)es$", verb):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith("ss") and len(verb) > 3:
        return verb[:-1]
    return verb


def _split_off(text: str, markers: tuple[str, ...]) -> tuple[str, str]:
    """(before, after) the first marker found as a whole word; (text, '') when none is."""
    best: tuple[int, int] | None = None
    for marker in markers:
        m = re.search(rf"\b{re.escape(marker)}\b", text, flags=re.IGNORECASE)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), m.end())
    if best is None:
        return text, ""
    return text[: best[0]].strip(" ,;"), text[best[1] :].strip(" ,;")


def parse_premise(brief: Brief, bible: Bible) -> Premise:
    """Take the logline apart (see the module docstring)."""
    text = " ".join(brief.logline.split()).rstrip(".!? ")
    people = [c.id for c in bible.characters if _mentions(text, c.name) or _mentions(text, c.id)]
    places = _places_in(text, bible)
    names = frozenset(w.lower() for c in bible.characters for w in c.name.split())

    trouble, rest = "", text
    for lead_in in LEAD_INS:
        if text.lower().startswith(lead_in + " ") and "," in text:
            head, _, rest = text.partition(",")
            trouble = head[len(lead_in) + 1 :].strip()
            break
    rest, deadline = _split_off(rest, DEADLINES)
    subject, goal = _split_off(rest, MODALS)
    if not goal:  # "Juno builds a clockwork helper to ...": the verb after the named subject
        words = rest.split()
        k = 0
        while k < len(words) and (
            words[k].strip(",").lower() in names or words[k].lower() in ("and", "&")
        ):
            k += 1
        if 0 < k < len(words):
            goal = " ".join([_base_form(words[k].lower()), *words[k + 1 :]])
    phrases = noun_phrases(text, names)
    goal, purpose = _split_purpose(goal)
    return Premise(
        people=people,
        places=places,
        objects=[p for p in phrases if not _is_place_phrase(p, bible)] or phrases,
        trouble=_lower_first(trouble),
        goal=goal,
        purpose=purpose,
        deadline=_lower_first(deadline),
        words=content_words(text),
        rescued=[c.id for c in bible.characters if c.id in people and _mentions(purpose, c.name)],
    )


def _split_purpose(goal: str) -> tuple[str, str]:
    """'rig a signal from the lighthouse to guide the boat home' -> ('rig a signal from the
    lighthouse', 'guide the boat home')."""
    m = re.search(r"\s(?:in order to|so as to|to)\s+([a-z]+\b.*)$", goal)
    if m and m.start() > 0 and m[1].split()[0] not in DETERMINERS:
        return goal[: m.start()].strip(" ,"), m[1].strip()
    return goal.strip(), ""


def _lower_first(text: str) -> str:
    if not text or (len(text) > 1 and text[1].isupper()):
        return text
    first = text.split()[0]
    if first.lower() in STOP:
        return text[0].lower() + text[1:]
    return text


def _is_place_phrase(phrase: str, bible: Bible) -> bool:
    return any(
        phrase == loc.name.lower().removeprefix("the ") or phrase == loc.name.lower().split()[-1]
        for loc in bible.locations
    )


def _mentions(text: str, name: str, whole: bool = False) -> bool:
    """The logline names `name`: in full, or (for people) by its first word."""
    low = text.lower()
    if re.search(rf"\b{re.escape(name.lower())}\b", low):
        return True
    if whole:
        return False
    first = name.split()[0].lower()
    return len(first) > 2 and bool(re.search(rf"\b{re.escape(first)}(['’]s)?\b", low))
