"""How a tone sounds: each register has its own lines for every story stage, its own mood
beats, times of day and rhythm, so a deadpan comedy does not read like a tense adventure.

Lines are templates over the story's slots: {other} (who is spoken to), {target}, {broken},
{threat}, {goal}, {purpose}, {deadline}, {place}, {detail}, {away}. A template whose slots the
premise cannot fill is skipped; each template is used at most once an episode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

STAGES = ("opening", "trouble", "push", "setback", "climax", "closing")


@dataclass(frozen=True)
class Register:
    """A tone's vocabulary and rhythm."""

    name: str
    cues: tuple[str, ...]  # words in a brief's tone that choose this register
    lines: dict[str, tuple[str, ...]]  # stage -> line templates
    openings: tuple[str, ...]  # the episode's first beat: {intro} is the lead as introduced
    moods: tuple[str, ...]  # action beats that set the mood, one a scene at most
    parentheticals: tuple[str, ...]  # how lines are delivered
    lines_per_scene: tuple[int, int]  # rhythm: fewest, most lines a scene
    times: dict[str, Literal["day", "night", "dawn", "dusk"]] = field(default_factory=dict)
    sound: str = "reacts"  # a silent character's sound when the bible gives none


TENSE = Register(
    name="tense",
    cues=("tense", "urgent", "thrill", "adventure", "danger", "race", "action", "triumphant"),
    lines={
        "middle": (
            "Which way, {other}? Left or right?",
            "Say that again. Slowly.",
            "Stay behind me. Watch your footing.",
            "If this falls, we fall with it.",
            "Count with me, {other}. Three, two...",
            "My hands are shaking. Give me a second.",
            "We keep moving. Whatever happens, we keep moving.",
            "Tell me you brought a torch.",
            "Quiet. Did you hear something below us?",
            "There's no going back the way we came.",
        ),
        "opening": (
            "Not now, {other}. I almost have the {broken} figured out.",
            "Something's wrong with the {broken}. Listen to it.",
            "{other}, check the {detail}. Quickly.",
            "Keep your eyes open, {other}. Something's coming.",
            "We don't have long. We never do.",
            "Where was the {lost} last seen? Think.",
        ),
        "trouble": (
            "The {broken} is dead. Completely dead.",
            "We have until {deadline}. That's all we get.",
            "Then we {goal}. Tonight.",
            "Who else is going to {purpose}? Nobody.",
            "Did you feel that? That was the {threat}.",
            "Don't argue with me, {other}. Not this time.",
        ),
        "push": (
            "Hold it there, {other}. Don't let go.",
            "Faster. The {target} won't wait for us.",
            "Hand me the wire. No, the other one.",
            "We get one try at the {target}. Make it count.",
            "Mind the {detail}! Go round, go round!",
            "Talk to me, {other}. What do you see?",
        ),
        "setback": (
            "It's slipping! {other}, grab it!",
            "That was the last of the spare parts.",
            "The {threat} is getting worse. We're out of time.",
            "Don't say it's over, {other}. Don't you dare.",
            "We were so close. One more turn and it would have held.",
            "Think. There has to be another way up.",
        ),
        "climax": (
            "Now, {other}! Pull!",
            "Come on, come on... hold!",
            "There! Look at the {target}!",
            "It's working. It's actually working!",
            "Steady, {other}. Almost there.",
        ),
        "closing": (
            "We did it. We really did it.",
            "Next time, {other}, we start before the {threat}.",
            "I'm going to sleep for a week.",
            "You were brave out there, {other}.",
            "Look who made it home. Hello, {saved}!",
        ),
    },
    openings=(
        "{intro} is hard at work at {place}, one eye on the {detail}",
        "{intro} checks the {detail} at {place} for the third time",
    ),
    moods=(
        "every sound seems too loud",
        "a clock ticks somewhere, too loud",
        "somewhere, metal groans under strain",
        "the lights flicker and hold",
        "nobody stops to catch their breath",
        "an alarm starts, then cuts out",
        "the floor shudders underfoot",
    ),
    parentheticals=("urgent", "breathless", "shouting", "through gritted teeth"),
    lines_per_scene=(3, 5),
    times={
        "opening": "day",
        "trouble": "dusk",
        "push": "dusk",
        "setback": "night",
        "climax": "night",
        "closing": "dawn",
    },
)

WARM = Register(
    name="warm",
    cues=("warm", "curious", "gentle", "cozy", "cosy", "heartfelt", "whimsical", "lyrical"),
    lines={
        "middle": (
            "I brought sandwiches, just in case.",
            "What would you do, {other}, if you were me?",
            "My grandmother always said to measure twice.",
            "Look at the light through the window. Isn't it lovely?",
            "We're a good team, aren't we, {other}?",
            "I've drawn it three ways. Which one do you like?",
            "Careful, that bit is still sticky.",
            "Tell me a story while we work.",
            "I'm not tired. Well, only a little.",
            "Shall we ask for help? It's all right to ask.",
        ),
        "opening": (
            "Good morning, {other}. Come and see what I found.",
            "I've been thinking about the {broken} all night.",
            "Every corner here has a story. Even the {detail}.",
            "Do you ever wonder how things work, {other}? I do. All the time.",
            "Pass me the little screwdriver, would you?",
        ),
        "trouble": (
            "Oh no. The {broken} isn't supposed to do that.",
            "Who would take the {lost}? It doesn't make sense.",
            "We have until {deadline}. That's enough time, if we're clever.",
            "Maybe we could {goal}. Together?",
            "Someone has to {purpose}. Why not us?",
            "Don't worry, {other}. We'll think of something.",
        ),
        "push": (
            "Let's try it slowly this time, {other}.",
            "If we borrow the {detail}, it might just fit.",
            "Here, you hold this end and I'll hold the other.",
            "You're better at this than you think, {other}.",
            "One small piece at a time. That's the secret.",
        ),
        "setback": (
            "Oh. Oh dear. That wasn't meant to come off.",
            "Maybe this was a silly idea.",
            "It isn't silly, {other}. It just isn't finished.",
            "Let's sit for a moment and look at it again.",
            "The {threat} doesn't care how hard we tried.",
        ),
        "climax": (
            "Ready? On three. One, two...",
            "Gently now, {other}. Gently.",
            "It's moving! Look, it's really moving!",
            "Please work. Please, please work.",
            "You can do it, {other}. I know you can.",
        ),
        "closing": (
            "Thank you, {other}. I couldn't have done it alone.",
            "We should celebrate. Something small. Maybe a biscuit.",
            "Same time tomorrow?",
            "I think this place feels a little different now.",
            "Let's go home. I'll make cocoa.",
        ),
    },
    openings=(
        "{intro} tinkers at {place} among the {detail}",
        "{intro} hums at {place}, sorting the {detail}",
    ),
    moods=(
        "sunlight spills across the floor",
        "a kettle hums in the corner",
        "gulls call somewhere overhead",
        "the smell of sawdust and salt hangs in the air",
        "a breeze turns the pages of an open notebook",
        "someone hums a tune without noticing",
    ),
    parentheticals=("softly", "smiling", "thinking aloud", "brightly"),
    lines_per_scene=(3, 4),
    times={
        "opening": "day",
        "trouble": "day",
        "push": "day",
        "setback": "dusk",
        "climax": "dusk",
        "closing": "dawn",
    },
)

DEADPAN = Register(
    name="deadpan",
    cues=("deadpan", "comedy", "comic", "dry", "absurd", "wry", "satir", "funny", "sitcom"),
    lines={
        "middle": (
            "I'd like to speak to whoever is in charge. Oh. It's me.",
            "Is this a metaphor, {other}? It feels like a metaphor.",
            "I've scheduled a small breakdown for Thursday.",
            "Do we have a budget for this? Asking for the budget.",
            "That's the third worst idea I've heard today.",
            "I'm told enthusiasm is contagious. I've been vaccinated.",
            "Let's circle back. Let's circle all the way back.",
            "Write that down, {other}. In pencil. Nothing is certain.",
            "I'm not upset. This is just my face.",
            "Remarkable. No, I don't mean that in a good way.",
        ),
        "opening": (
            "This is fine. Everything here is fine.",
            "I have a system, {other}. The system is not to ask questions.",
            "The {broken} has opinions today.",
            "I've filed a complaint. With myself.",
            "Morning, {other}. Don't touch the {detail}.",
        ),
        "trouble": (
            "So the {broken} is broken. Great. Love that.",
            "The {lost} is missing. I've checked under my desk. Twice.",
            "We have until {deadline}. Which is, I'm told, a problem.",
            "Fine. We {goal}. How hard can it be.",
            "Somebody has to {purpose}. I was hoping it would be someone else.",
            "{other}, I want you to know I am very calm about this.",
        ),
        "push": (
            "Step one, we try. Step two, I haven't written step two.",
            "Hold this. Don't ask what it is.",
            "The {target} is technically working. Technically.",
            "Great teamwork. I'll put it in the newsletter.",
            "I read the manual. The manual gave up on page two.",
        ),
        "setback": (
            "Well. That came off. That was load-bearing.",
            "I'm going to need a minute. Possibly a week.",
            "The {threat} didn't read the plan, {other}.",
            "Nobody panic. I'm panicking, but quietly.",
            "New plan: the old plan, but with more sighing.",
        ),
        "climax": (
            "If this works, I'm taking full credit.",
            "On my mark. That was the mark. Go.",
            "It works. Nobody breathe on it.",
            "{other}, this is my excited face. Enjoy it.",
            "Against all odds, and one or two rules, we did the thing.",
        ),
        "closing": (
            "So. That happened.",
            "I'd like to never do that again, {other}.",
            "Same time tomorrow? I'm joking. Mostly.",
            "We should write this down. We won't, but we should.",
            "Put it on my desk, next to the other miracles.",
        ),
    },
    openings=(
        "{intro} sits at {place}, staring at the {detail}",
        "{intro} arrives at {place} exactly on time, as always",
    ),
    moods=(
        "nobody reacts",
        "a long pause; somebody coughs",
        "a fly circles the room, unbothered",
        "the clock on the wall is ten minutes wrong, as always",
        "a chair squeaks into the silence",
        "someone stares straight ahead, blinking slowly",
    ),
    parentheticals=("flatly", "beat", "not looking up", "deadpan"),
    lines_per_scene=(2, 4),
    times={
        "opening": "day",
        "trouble": "day",
        "push": "day",
        "setback": "day",
        "climax": "dusk",
        "closing": "day",
    },
    sound="stares",
)

NOIR = Register(
    name="noir",
    cues=("noir", "mystery", "moody", "dark", "brooding", "hard-boiled", "suspense", "crime"),
    lines={
        "middle": (
            "Nobody talks for free in this town, {other}.",
            "I know that look. You've been lying since breakfast.",
            "The coffee's cold and so is the trail.",
            "Somebody's paying for all this. Find out who.",
            "Don't trust the quiet ones. Don't trust the loud ones either.",
            "I'd ask you to be careful, {other}, but you never are.",
            "Every lock in this place has two keys.",
            "You hear that? That's the sound of someone covering their tracks.",
            "Ten years on this job and it still surprises me.",
            "Keep the lights off. We're not here.",
        ),
        "opening": (
            "Rain again. This town never learned to wash itself clean.",
            "You're late, {other}. Sit down.",
            "The {broken} went quiet an hour ago. Quiet is never good.",
            "Everybody here owes somebody, {other}.",
            "Somebody's been at the {detail}. Look at the marks.",
        ),
        "trouble": (
            "The {broken} didn't break itself. Somebody helped it.",
            "Nobody takes the {lost} by accident, {other}.",
            "We have until {deadline}. After that, the trail goes cold.",
            "So we {goal}. Quietly.",
            "Somebody has to {purpose}. It might as well be us.",
            "Don't look at me like that, {other}. I didn't start this.",
        ),
        "push": (
            "Follow the money, {other}. Or the footprints. Whichever is cheaper.",
            "Keep your voice down. Walls have ears here.",
            "The {target} is the key. It always was.",
            "I've seen this before. It ended badly then, too.",
            "Stay close, and keep your hands where I can see them.",
        ),
        "setback": (
            "It's a setup. We walked right into it.",
            "They knew we were coming, {other}.",
            "The {threat} covered their tracks. Clever.",
            "Go home, {other}. This isn't your fight.",
            "I've been wrong before. Not often. Tonight, maybe.",
        ),
        "climax": (
            "It ends here. Tonight.",
            "Easy, {other}. Nobody has to get hurt.",
            "There it is. The {target}, right where I said.",
            "Now we'll see who blinks first.",
            "Step into the light where I can see you.",
        ),
        "closing": (
            "Case closed. For now.",
            "Buy you a coffee, {other}? The bad kind.",
            "The town will sleep tonight. I won't.",
            "Funny how the truth looks smaller in the morning.",
            "Next time somebody calls, {other}, let it ring.",
        ),
    },
    openings=(
        "{intro} waits at {place}, under the {detail}",
        "{intro} lights nothing and watches the {detail} at {place}",
    ),
    moods=(
        "rain streaks the windows",
        "a neon sign buzzes on and off outside",
        "smoke curls under a single bulb",
        "footsteps pass in the street and fade",
        "a phone rings twice and stops",
        "shadows of the blinds cut across the wall",
    ),
    parentheticals=("low", "without turning", "quietly", "coldly"),
    lines_per_scene=(2, 4),
    times={
        "opening": "night",
        "trouble": "night",
        "push": "dusk",
        "setback": "night",
        "climax": "night",
        "closing": "dawn",
    },
    sound="watches",
)

REGISTERS = (TENSE, DEADPAN, NOIR, WARM)


def register_for(tone: str) -> Register:
    """The register whose cue comes first in the tone ('tense, then triumphant' -> tense);
    warm when none does."""
    low = tone.lower()
    best: tuple[int, Register] | None = None
    for register in REGISTERS:
        for cue in register.cues:
            at = low.find(cue)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, register)
    return best[1] if best else WARM
