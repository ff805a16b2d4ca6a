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
    you i me him them us one's own""".split()
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
BREAK = frozenset(
    "knock break destroy damage flood cut kill wreck jam sink burn blow shut silence ruin smash "
    "crush block bury poison drain disable fail collapse short freeze".split()
)
LOSS = frozenset("steal stole take took vanish disappear lose lost snatch kidnap".split())
PURSUIT = frozenset(
    "build make rig repair fix craft assemble design invent find recover rescue save catch "
    "reach deliver restore win stop protect guard mend rebuild track uncover solve "
    "finish bake cook write paint".split()
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
    setting: str = Field("", description="Where it all happens: 'aboard a failing colony ship'.")
    role: str = Field("", description="What the lead is: 'office manager', 'Commander'.")
    side: str = Field("", description="What happens meanwhile: 'Marcus builds a replacement'.")
    words: list[str] = Field(default_factory=list, description="Every content word.")
    names: list[str] = Field(
        default_factory=list, description="Lower-case words of the bible's character names."
    )
    roles: dict[str, str] = Field(
        default_factory=dict, description="What the logline calls a character: 'old knight'."
    )
    rescued: list[str] = Field(
        default_factory=list, description="Character ids the goal is for (named in its purpose)."
    )

    def places_in(self, clause: str, bible: Bible) -> list[str]:
        """Location ids a clause of this premise names ('from the lighthouse')."""
        return _places_in(clause, bible)

    @property
    def threat(self) -> str:
        """The subject of the trouble clause ('a storm' -> 'storm'); empty without one."""
        phrases = self._phrases(self.trouble)
        return phrases[0] if len(phrases) > 1 else ""

    @property
    def broken(self) -> str:
        """What the trouble breaks ('knocks out the harbour radio', 'floods the old holt'),
        else what the purpose fixes ('repair the lighthouse lamp')."""
        phrases = self._phrases(self.trouble)
        if phrases and self._verbs(self.trouble) & BREAK:
            return phrases[-1]
        fixes = self._phrases(self.purpose)
        return fixes[0] if fixes and self._verbs(self.purpose) & PURSUIT else ""

    @property
    def lost(self) -> str:
        """What the trouble takes away ('steal the copper crown', 'the stapler vanishes')."""
        phrases = self._phrases(self.trouble)
        return phrases[-1] if phrases and self._verbs(self.trouble) & LOSS else ""

    @property
    def target(self) -> str:
        """What the goal is after: the object of a making or finding verb in the goal
        ('rig a signal' -> 'signal'), else in what happens meanwhile ('Marcus builds a
        replacement' -> 'replacement'), else what was lost, else the goal's first object."""
        for clause in (self.goal, self.side):
            phrases = self._phrases(clause)
            if self._verbs(" ".join(clause.split()[:4])) & PURSUIT and phrases:
                return phrases[0]
        if self.lost:
            return self.lost
        phrases = self._phrases(self.goal)
        return phrases[0] if phrases else ""

    def _phrases(self, clause: str) -> list[str]:
        return noun_phrases(clause, frozenset(self.names))

    @staticmethod
    def _verbs(clause: str) -> set[str]:
        return {_base_form(w.lower().strip(",.")) for w in clause.split()}

    @property
    def when(self) -> str:
        """The deadline when it is a clause ('the fishing fleet returns at dusk')."""
        words = self.deadline.split()
        return self.deadline if len(words) >= 3 and any(_is_verb(w) for w in words[1:]) else ""

    @property
    def by(self) -> str:
        """The deadline when it is a time or an event ('midnight', 'the board meeting')."""
        return "" if self.when else self.deadline


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


def _is_verb(word: str) -> bool:
    """A crude test for a verb in a short clause: a present-tense -s or a past -ed form."""
    low = word.lower().strip(",.")
    return (low.endswith("s") and not low.endswith(("ss", "'s", "’s"))) or low.endswith("ed")


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


SETTING = re.compile(
    r"^((?:aboard|on|in|at|inside|deep in|far from|across|under|beneath)\s[^,]+),\s*", re.I
)
HAS_UNTIL = re.compile(r"\b(?:has|have)\s+(?:until|till)\s+(.+?)\s+to\s+(.+)$", re.I)


def parse_premise(brief: Brief, bible: Bible) -> Premise:
    """Take the logline apart (see the module docstring)."""
    text = " ".join(brief.logline.split()).rstrip(".!? ")
    people = [c.id for c in bible.characters if _mentions(text, c.name) or _mentions(text, c.id)]
    places = _places_in(text, bible)
    names = frozenset(_bare(w) for c in bible.characters for w in c.name.split())

    setting, rest = "", text
    m = SETTING.match(rest)
    if m:
        setting, rest = m[1], rest[m.end() :]
    trouble = ""
    for lead_in in LEAD_INS:
        if rest.lower().startswith(lead_in + " ") and "," in rest:
            head, _, rest = rest.partition(",")
            trouble = head[len(lead_in) + 1 :].strip()
            break
    deadline, goal = "", ""
    m = HAS_UNTIL.search(rest)
    if m:
        deadline, goal, rest = m[1], m[2], rest[: m.start()]
    else:
        rest, deadline = _split_off(rest, DEADLINES)
        rest, goal = _split_off(rest, MODALS)
    if not trouble:
        goal, trouble = _split_off(goal, (" when", " after", " as soon as"))
    trouble, before = _split_off(trouble, DEADLINES)
    deadline = deadline or before
    subject = rest
    if not goal:  # "Juno builds a clockwork helper": the verb after the named subject
        subject, goal = _subject_verb(rest, names)
    goal, side = _split_off(goal, ("while", "as", "whilst"))
    goal, purpose = _split_purpose(goal)
    phrases = noun_phrases(text, names)
    return Premise(
        people=people,
        places=places,
        objects=[p for p in phrases if not _is_place_phrase(p, bible)] or phrases,
        setting=_lower_first(setting),
        role=_role(subject, names),
        trouble=_lower_first(trouble),
        goal=goal,
        purpose=purpose,
        side=side,
        deadline=_lower_first(deadline),
        words=content_words(text),
        names=sorted(names),
        roles={c.id: r for c in bible.characters if (r := _role_of(text, c.name, names))},
        rescued=[c.id for c in bible.characters if c.id in people and _mentions(purpose, c.name)],
    )


def _subject_verb(clause: str, names: frozenset[str]) -> tuple[str, str]:
    """('office manager Dana', 'question the floor') from 'office manager Dana questions the
    floor': the words up to the last name in a run of names, then the verb after them."""
    words = clause.split()
    first = next((i for i, w in enumerate(words) if _bare(w) in names), None)
    if first is None:
        return clause, ""
    k = first
    while k < len(words) and (_bare(words[k]) in names or words[k].lower() in ("and", "&")):
        k += 1
    if k >= len(words):
        return clause, ""
    return " ".join(words[:k]), " ".join([_base_form(words[k].lower()), *words[k + 1 :]])


def _bare(word: str) -> str:
    return re.sub(r"['’]s$", "", word.strip(",;:").lower())


def _role_of(text: str, name: str, names: frozenset[str]) -> str:
    """The words the logline puts right before a character's name ('and old knight Oskar'
    -> 'old knight'): up to three, none of them a stop word, a name or a verb it knows."""
    verbs = BREAK | LOSS | PURSUIT
    for form in dict.fromkeys((name, name.split()[-1], name.split()[0])):
        m = re.search(rf"(?:^|(\S+)\s+)((?:[A-Za-z-]+\s+){{1,3}}){re.escape(form)}\b", text)
        if not m:
            continue
        words = m[2].split()
        run: list[str] = []
        for word in reversed(words):
            low = word.lower()
            if low in STOP or _bare(word) in names or _base_form(low) in verbs:
                break
            run.insert(0, word)
        before = words[: len(words) - len(run)]
        preceding = (before[-1] if before else (m[1] or "")).lower()
        if run and preceding != "to":
            return " ".join(run)
    return ""


def _role(subject: str, names: frozenset[str]) -> str:
    """What the logline calls the lead before their name ('office manager', 'Commander')."""
    out: list[str] = []
    for word in subject.split():
        if _bare(word) in names:
            break
        out.append(word.strip(","))
    role = " ".join(out)
    return role if role and role.lower() not in STOP else ""


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
