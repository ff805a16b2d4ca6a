"""The shape of an episode: which story stages each scene plays, and the beats that tell them.

A scene's beats come from its stages (the opening, the trouble, the decision, a first try, a
setback, a low point, a new plan, the climax, the closing), filled with the premise: the
trouble clause in the scene where things go wrong, the goal where they decide, the deadline
when time runs short. The number of scenes picks the stages, so no two scenes share a beat.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

# every stage, in story order; a scene plays one or several
ORDER = (
    "opening",
    "trouble",
    "decision",
    "attempt",
    "setback",
    "low",
    "plan",
    "climax",
    "closing",
)
# which middle stages a longer episode adds first
MIDDLE_PRIORITY = ("trouble", "setback", "attempt", "plan", "decision", "low")
# the register's dialogue stages each story stage draws its lines from, in preference order
DIALOGUE_STAGES = {
    "opening": ("opening",),
    "trouble": ("trouble",),
    "decision": ("trouble", "middle"),
    "attempt": ("push", "middle"),
    "plan": ("push", "middle"),
    "setback": ("setback", "middle"),
    "low": ("setback", "middle"),
    "complication": ("middle", "push", "setback"),
    "climax": ("climax",),
    "closing": ("closing",),
}


def stage_plan(n: int) -> list[list[str]]:
    """The stages of each of `n` scenes. Stages a short episode has no room for fold into a
    neighbour (the trouble into the opening, the first try into the climax); an episode
    longer than the nine stages repeats 'complication' scenes, each with its own obstacle."""
    if n == 1:
        return [["opening", "trouble", "climax", "closing"]]
    if n == 2:
        return [["opening", "trouble", "decision"], ["climax", "closing"]]
    if n == 3:
        return [["opening", "trouble", "decision"], ["attempt", "climax"], ["closing"]]
    middle_count = n - 3
    chosen = set(MIDDLE_PRIORITY[:middle_count])
    middle = [[s] for s in ORDER if s in chosen]
    middle += [["complication"] for _ in range(middle_count - len(middle))]
    if "trouble" not in chosen:
        first = ["opening", "trouble"]
    else:
        first = ["opening"]
    if "decision" not in chosen:
        middle[0] = [*middle[0], "decision"]
    if len(middle) > 6:  # complications sit between the setback and the low point
        at = next((i for i, m in enumerate(middle) if m[0] == "low"), len(middle))
        extra = [m for m in middle if m == ["complication"]]
        core = [m for m in middle if m != ["complication"]]
        at = next((i for i, m in enumerate(core) if m[0] == "low"), len(core))
        middle = core[:at] + extra + core[at:]
    return [first, *middle, ["climax"], ["closing"]]


_FORMATTER = string.Formatter()

# Beat templates per stage. Slots: {lead}, {other}, {silent}, {sound}, {place}, {detail},
# {target}, {broken}, {threat}, {goal}, {purpose}, {deadline}, {trouble}, {away}, {saved}.
BEATS: dict[str, tuple[str, ...]] = {
    "opening": (
        "{lead} tinkers at {place} among the {detail}",
        "{lead} shows {other} the {broken}, which is not behaving",
        "{silent} {sound} and trundles after {lead}",
        "{lead} and {other} go about an ordinary morning at {place}",
    ),
    "trouble": (
        "{trouble}, and {place} falls silent",
        "the {broken} gives out in front of everyone",
        "word comes that {deadline}: there is no time to waste",
        "{other} says aloud what everyone fears: no one is coming to help",
    ),
    "decision": (
        "{lead} resolves to {goal}, whatever it takes",
        "{other} agrees to help, against all good sense",
        "they work out what it will take to {purpose}",
    ),
    "attempt": (
        "{lead} and {other} make a first try for the {target} at {place}",
        "the {target} takes shape, piece by stubborn piece",
        "{silent} {sound}, holding the last part steady",
    ),
    "setback": (
        "the {threat} hits {place} harder than anyone expected",
        "the first try fails; the {target} falls apart in their hands",
        "{other} blames {lead}, and for a moment nobody speaks",
    ),
    "low": (
        "{lead} sits alone by the {detail}, ready to give up",
        "{other} will not hear of quitting",
        "{silent} {sound} softly and nudges {lead}'s hand",
    ),
    "plan": (
        "{lead} sees how the {detail} could solve everything",
        "{silent} {sound} and points the way through the {detail}",
        "{lead} and {other} sketch a new plan on the back of a crate",
    ),
    "complication": (
        "a new obstacle at {place}: the {detail} blocks the way",
        "{other} finds a detour past the {detail}, at a cost",
        "{silent} {sound} in alarm as the {detail} gives way",
        "{lead} spots the {detail} and has an idea",
        "the {detail} turns out to be the answer, not the problem",
        "{other} and {lead} disagree about the {detail} and lose time",
        "a wrong turn costs them the better part of an hour",
        "{lead} drops a vital piece and has to go back for it",
        "a stranger's warning sends them the long way round",
        "{other} is hurt, not badly, but enough to slow everything",
        "the tools they need are locked away, and the key is missing",
        "a false alarm sends everyone running the wrong way",
        "{lead} takes a risk nobody agreed to",
        "what worked yesterday stops working today",
    ),
    "climax": (
        "with time running out, {lead} and {other} {goal}",
        "it works: they {purpose}",
        "just as {deadline}, the {target} comes to life",
        "{silent} {sound} in triumph at the last moment",
    ),
    "closing": (
        "back at {place}, {lead} and {other} take stock of the day",
        "{saved} makes it home safe, and grateful",
        "{lead} gives {silent} a pat; {silent} {sound} happily",
        "a last look at the {target}, quiet at last",
    ),
}


@dataclass(frozen=True)
class Slots:
    """The values a scene's beats and lines are filled with; empty means 'not in this story'."""

    lead: str = ""
    other: str = ""
    silent: str = ""
    sound: str = ""
    place: str = ""
    detail: str = ""
    target: str = ""
    broken: str = ""
    threat: str = ""
    goal: str = ""
    purpose: str = ""
    deadline: str = ""
    trouble: str = ""
    away: str = ""
    saved: str = ""

    def fill(self, template: str) -> str | None:
        """The template filled, or None when it needs a slot this story leaves empty."""
        values = self.__dict__
        try:
            needed = [
                name for _, name, _, _ in _FORMATTER.parse(template) if name is not None and name
            ]
        except ValueError:
            return None
        if any(not values.get(name) for name in needed):
            return None
        return template.format(**values)


PREMISE_SLOTS = frozenset(("trouble", "deadline", "goal", "purpose", "broken", "threat", "target"))


IMPLIES = {"trouble": {"threat", "broken"}, "goal": {"target"}}


def premise_slots(template: str) -> set[str]:
    """The premise parts a template tells (the trouble clause tells its threat and damage)."""
    named = {n for _, n, _, _ in _FORMATTER.parse(template) if n in PREMISE_SLOTS}
    return named.union(*(IMPLIES.get(n, set()) for n in named))


def sentence(text: str) -> str:
    """Upper-case first letter (names and all)."""
    return text[:1].upper() + text[1:] if text else text
