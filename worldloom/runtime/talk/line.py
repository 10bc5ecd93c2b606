"""The procedural line: what an NPC says when no model answers, from the same facts.

Its wording follows the speaker's character (warm, curt or plain by their traits) and the
subject; every variant is chosen from a stream named for the NPC and the topic, so the same
question gets the same answer.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from worldloom.prompts.dialogue import LINE, DialogueLine, Topic
from worldloom.runtime.talk.subject import Speaker, Subject

WARM: Final = frozenset({"gregarious", "kind", "generous", "trusting", "content", "humble"})
CURT: Final = frozenset({"shy", "paranoid", "cruel", "proud", "wrathful", "greedy", "craven"})

GREETINGS: Final = {
    "warm": (
        "Well met, traveller! I am {first}, {a_trade} of {home}.",
        "Welcome to {home}! I am {full}, and gladly at your service.",
    ),
    "curt": (
        "I am {first}. What do you want in {home}?",
        "{full}, {trade}. Say your business and be brief.",
    ),
    "plain": (
        "Good day. I am {full}, {a_trade} here in {home}.",
        "Greetings. I am {first}, and I work as {a_trade} in {home}.",
    ),
}
ROLE_GREETINGS: Final = (
    "I am {full}, {role} of {home}. Speak, and mind your manners.",
    "You stand before {full}, {role} of {home}. What brings you here?",
)
RUMOR_LEADS: Final = ("They say", "Word in {home} is that", "I heard that")
NOTHING: Final = {
    "greeting": "Good day to you.",
    "rumor": "I have heard nothing worth telling, traveller.",
    "quest": "I have no work for you, traveller. Try the tavern in {home}.",
    "place": "I know little of the lands around {home}, I am afraid.",
}


def write_line(
    speaker: Speaker, topic: Topic, subject: Subject, *, rng: np.random.Generator
) -> DialogueLine:
    """The speaker's line on a topic (within the response model's bounds)."""
    sentences = _sentences(speaker, topic, subject, rng)
    line = ""
    for sentence in sentences:
        candidate = f"{line} {sentence}".strip()
        if len(candidate) > LINE.max_length:
            break
        line = candidate
    if len(line) < LINE.min_length:
        line = NOTHING[topic].format(home=speaker.home)
        if len(line) > LINE.max_length:
            line = "I have nothing to say about that."
    return DialogueLine(line=line.replace('"', "'").replace("\\", "/"))


def _sentences(
    speaker: Speaker, topic: Topic, subject: Subject, rng: np.random.Generator
) -> list[str]:
    if topic == "greeting":
        return [_greeting(speaker, rng)]
    if subject.kind == "none":
        return [NOTHING[topic].format(home=speaker.home)]
    lead = _pick(rng, RUMOR_LEADS).format(home=speaker.home)
    if subject.kind == "market":
        return [
            f"{lead} {subject.what} is dear at the market of {subject.other}: {subject.detail}."
        ]
    if subject.kind == "feud":
        return [
            f"{lead} {subject.name} and {subject.other} are {subject.detail}.",
            "Keep your head down on the roads.",
        ]
    return _about_place(speaker, topic, subject, lead)


def _greeting(speaker: Speaker, rng: np.random.Generator) -> str:
    templates = ROLE_GREETINGS if speaker.role else GREETINGS[_tone(speaker)]
    return _pick(rng, templates).format(
        first=speaker.first_name,
        full=speaker.full_name,
        home=speaker.home,
        trade=speaker.profession,
        a_trade=_article(speaker.profession),
        role=speaker.role.replace("_", " "),
    )


def _about_place(speaker: Speaker, topic: Topic, subject: Subject, lead: str) -> list[str]:
    where = _where(subject, speaker)
    seen = [f"{subject.detail.capitalize()} were seen there."] if subject.detail else []
    if topic == "quest":
        reward = f"{speaker.home} will remember you"
        task = (
            f"Clear it of {subject.detail} and {reward}."
            if subject.detail
            else f"Bring back word of what lies inside and {reward}."
        )
        errand = f"If you have a strong arm, go to {subject.name}, {where}."
        if len(errand) + 1 + len(task) > LINE.max_length:
            errand = f"Go to {subject.name}, {where}."  # the task must fit the line, not the wish
        return [errand, task]
    if topic == "rumor":
        return [f"{lead} {subject.name}, {where}, is not safe.", *seen]
    if subject.population:
        return [
            f"{subject.name} is {_article(subject.what)} of {subject.population} people, "
            f"{_distance(subject)} of {speaker.home}.",
            *([f"It lies in {subject.region}."] if subject.region else []),
        ]
    return [f"{subject.name} is {where}.", _danger(subject.danger), *seen]


def _where(subject: Subject, speaker: Speaker) -> str:
    return f"{_article(subject.what)} {_distance(subject)} of {speaker.home}".strip()


def _distance(subject: Subject) -> str:
    days = subject.days or 1
    walk = "a day's walk" if days == 1 else f"{days} days' walk"
    return f"{walk} {subject.direction}".strip()


def _danger(danger: int | None) -> str:
    if danger is None or danger <= 2:
        return "Folk go there without fear."
    if danger <= 5:
        return "Go armed, and not alone."
    return "Few who go there come back."


def _tone(speaker: Speaker) -> str:
    traits = set(speaker.traits)
    if traits & CURT:
        return "curt"
    if traits & WARM:
        return "warm"
    return "plain"


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
