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
    neighbour (the decision into the trouble, the first try into the climax); an episode
    longer than the nine stages adds 'complication' scenes before the low point, each with
    its own obstacle."""
    if n == 1:
        return [["opening", "trouble", "climax", "closing"]]
    if n == 2:
        return [["opening", "trouble", "decision"], ["climax", "closing"]]
    if n == 3:
        return [["opening", "trouble", "decision"], ["attempt", "climax"], ["closing"]]
    chosen = set(MIDDLE_PRIORITY[: n - 3])
    core = [[s] for s in ORDER if s in chosen]
    if "decision" not in chosen:
        core[0] = [*core[0], "decision"]
    extra = [["complication"] for _ in range(n - 3 - len(core))]
    at = next((i for i, m in enumerate(core) if m[0] == "low"), len(core))
    return [["opening"], *core[:at], *extra, *core[at:], ["climax"], ["closing"]]


_FORMATTER = string.Formatter()

# Beat templates per stage; the slots are the fields of `Slots`.
BEATS: dict[str, tuple[str, ...]] = {
    "opening": (
        "{lead} shows {other} the {broken}; something about it is not right",
        "{silent} {sound} and trundles after {lead}",
        "{lead} and {other} go about an ordinary {time} at {place}",
    ),
    "trouble": (
        "{trouble}, and {place} falls silent",
        "the {lost} is gone, and nobody saw a thing",
        "the {broken} gives out in front of everyone",
        "word comes that {when}: there is no time to waste",
        "it all has to be done before {by}, and the clock is running",
        "{other} says aloud what everyone fears: no one is coming to help",
    ),
    "decision": (
        "{lead} makes a decision and will not be talked out of it",
        "meanwhile, {side}",
        "{other} agrees to help, against all good sense",
        "{other} asks what it will cost them, and gets no answer",
    ),
    "attempt": (
        "{lead} and {other} make a first try for the {target} at {place}",
        "meanwhile, {side}",
        "they get closer to the {target}, one stubborn step at a time",
        "{silent} {sound}, holding the last part steady",
    ),
    "setback": (
        "the {threat} hits {place} harder than anyone expected",
        "the first try fails, and the {target} seems further away than ever",
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
        "just as {when}, it is done",
        "with {by} almost upon them, they make it",
        "{silent} {sound} in triumph at the last moment",
        "at the last possible moment, it all comes together",
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
    lost: str = ""
    threat: str = ""
    goal: str = ""
    purpose: str = ""
    deadline: str = ""
    when: str = ""
    by: str = ""
    trouble: str = ""
    away: str = ""
    saved: str = ""
    side: str = ""
    time: str = ""
    intro: str = ""  # the lead as the logline introduces them; the first scene only

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


PREMISE_SLOTS = frozenset(
    (
        "trouble",
        "deadline",
        "when",
        "by",
        "goal",
        "purpose",
        "broken",
        "lost",
        "threat",
        "target",
        "side",
    )
)


IMPLIES = {
    "trouble": {"threat", "broken", "lost"},
    "goal": {"target"},
    "when": {"deadline", "by"},
    "by": {"deadline", "when"},
    "deadline": {"when", "by"},
}


def premise_slots(template: str) -> set[str]:
    """The premise parts a template tells (the trouble clause tells its threat and damage)."""
    named = {n for _, n, _, _ in _FORMATTER.parse(template) if n in PREMISE_SLOTS}
    return named.union(*(IMPLIES.get(n, set()) for n in named))


def sentence(text: str) -> str:
    """Upper-case first letter (names and all)."""
    return text[:1].upper() + text[1:] if text else text
