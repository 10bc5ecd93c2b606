"""Form and grounding checks every piece of LLM text passes before it is kept: text is data
(no markup, links or orders), well formed, in-world, and true to the facts it was written from.

`find_problems` lists everything wrong with a text (the audit reads it); `check_text` raises the
first problem (the response models' validators call it). Word lists live in
`data/text_checks.toml`.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from worldloom.prompts.text_rules import (
    FACT_NUMBERS,
    FACT_STRINGS,
    PERSON_SEX,
    RuleContext,
    check_known_entities,
    check_no_real_world_names,
    check_not_repetitive,
    check_plain_words,
    check_stays_in_world,
    read_rule_context,
)

CHECKS_RESOURCE = ("worldloom.data", "text_checks.toml")
"""Package and file of the word lists these checks read."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_MARKUP = (
    (re.compile(r"<\s*/?\s*[A-Za-z!]"), "an HTML tag"),
    (re.compile(r"\[[^\]]*\]\s*\("), "a markdown link"),
    (
        re.compile(
            r"(?i)\b(?:https?|ftp|file|javascript|data):|\bwww\.|\b[a-z0-9-]+\.(?:com|org|net|io|example|dev|ai)\b"
        ),
        "a link",
    ),
    (re.compile(r"[\[\]<>{}`*_#|\\~^$@=]"), "a markup character"),
)
"""Markup a renderer could act on: HTML, markdown, console markup ([bold], [/italic]), links."""
_ELISION = re.compile(r"\.\.|\u2026|\w\.\w")
_LOWER_START = re.compile(r"(?:^|[.!?]\s+)([a-z])")
_DANGLING = re.compile(r"\s[,.;:!?]|[,;:]\s*[.!?]|[,;:]\s*$|[.!?][.!?,;:]|,,|\(\s*\)|\s{2,}")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_VAGUE_COUNTS = frozenset({"dozens", "hundreds", "thousands", "millions"})
"""Counts that follow from any fact number at least as large as the value listed for them."""
_NOT_IN_A_LAND_NAME = frozenset(
    "river rivers brook stream creek lake sea ocean city town village hamlet capital region "  # noqa: SIM905  # a word table reads better as prose
    "regions land lands kingdom nation empire world".split()
)
"""Words that make a land's name call it something else ("Frozen River", "One of Two Regions")."""
_NAME_WORD = re.compile(r"^(?:[A-Z][a-z']+(?:-[A-Z]?[a-z']+)*|of|the)$")
_HE = frozenset({"he", "him", "his", "himself"})
_SHE = frozenset({"she", "her", "hers", "herself"})


@dataclass(frozen=True, slots=True)
class CheckWords:
    """The word lists of `data/text_checks.toml`."""

    meta_words: frozenset[str]
    instruction_phrases: tuple[str, ...]
    number_words: Mapping[str, int]
    licensed: Mapping[str, frozenset[str]]


@functools.cache
def check_words() -> CheckWords:
    """Load the shipped word lists (once per process)."""
    package, name = CHECKS_RESOURCE
    table = tomllib.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
    return CheckWords(
        meta_words=frozenset(str(w).casefold() for w in table["meta_words"]),
        instruction_phrases=tuple(str(p).casefold() for p in table["instruction_phrases"]),
        number_words={str(k): int(v) for k, v in table["number_words"].items()},
        licensed={
            str(k): frozenset(str(w).casefold() for w in v) for k, v in table["licensed"].items()
        },
    )


@dataclass(frozen=True, slots=True)
class TextFacts:
    """What a text may rest on: the names, numbers and fact words of its entity.

    Attributes:
        rules: Known, taken and forbidden names.
        numbers: Every number the facts state (counts, populations, ages).
        fact_words: Every word of the facts, lower case ("capital", "port", "priest").
        sex: ``male`` or ``female`` when the text is about one person, else ``None``.
    """

    rules: RuleContext
    numbers: frozenset[float]
    fact_words: frozenset[str]
    sex: str | None = None


def read_text_facts(context: object) -> TextFacts | None:
    """The text facts in a validation context (``None`` without one: procedural text)."""
    rules = read_rule_context(context)
    if rules is None or not isinstance(context, Mapping):
        return None
    sex = context.get(PERSON_SEX)
    return TextFacts(
        rules=rules,
        numbers=frozenset(float(n) for n in context.get(FACT_NUMBERS, ())),
        fact_words=fact_words_of(context.get(FACT_STRINGS, ())),
        sex=str(sex) if sex is not None else None,
    )


def find_problems(text: str, facts: TextFacts) -> list[str]:
    """Every reason `text` may not be kept (empty when it may).

    Args:
        text: LLM text (or text composed from an LLM's choices).
        facts: What the text may rest on.
    """
    checks: tuple[Callable[[], str | None], ...] = (
        lambda: check_markup(text),
        lambda: check_instructions(text),
        lambda: check_form(text),
        lambda: check_meta_words(text),
        lambda: check_numbers(text, facts.numbers),
        lambda: check_licensed_words(text, facts.fact_words),
        lambda: check_pronouns(text, facts.sex),
        lambda: _raised(check_no_real_world_names, text, facts.rules.forbidden_names),
        lambda: _raised(check_known_entities, text, facts.rules.known_names),
        lambda: _raised(check_stays_in_world, text),
        lambda: _raised(check_plain_words, text),
        lambda: _raised(check_not_repetitive, text),
    )
    return [problem for check in checks if (problem := check()) is not None]


def check_text(text: str, facts: TextFacts) -> str:
    """Return `text` if it passes every check.

    Raises:
        ValueError: With the first problem, worded for a re-ask.
    """
    problems = find_problems(text, facts)
    if problems:
        raise ValueError(problems[0])
    return text


def check_markup(text: str) -> str | None:
    """HTML tags, markdown links, URLs and markup characters are refused: text is data."""
    for pattern, what in _MARKUP:
        if pattern.search(text):
            return f"the text contains {what}; write plain words only"
    return None


def check_instructions(text: str) -> str | None:
    """Orders to a reader or a model ("ignore all previous instructions") are refused."""
    folded = text.casefold()
    for phrase in check_words().instruction_phrases:
        if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", folded):
            return f"the text says {phrase!r}; describe the place, give no instructions"
    return None


def check_form(text: str) -> str | None:
    """Elisions, sentences opening in lower case and dangling punctuation are refused."""
    stripped = text.strip()
    if not stripped:
        return "the text is empty"
    if _ELISION.search(stripped):
        return "the text leaves words out ('...'); write every word"
    if stripped[0].islower() or _LOWER_START.search(stripped):
        return "a sentence starts in lower case; start every sentence with a capital"
    if _DANGLING.search(stripped):
        return "the text has stray punctuation; write plain, whole sentences"
    if stripped.count("(") != stripped.count(")") or stripped.count('"') % 2:
        return "the text has an unclosed bracket or quote"
    return None


def check_meta_words(text: str) -> str | None:
    """Words about the text, the game or our world ("medieval", "world's") are refused."""
    meta = check_words().meta_words
    for word in _words(text):
        if word in meta:
            return f"{word!r} talks about the text or our world; describe the place itself"
    return None


def check_numbers(text: str, numbers: Iterable[float]) -> str | None:
    """Every number, in digits or words, must be one the facts state (or follow from them)."""
    known = frozenset(numbers)
    for match in _NUMBER.finditer(text):
        value = float(match.group(0).rstrip(",").replace(",", ""))
        if value not in known:
            return f"the number {match.group(0)} is in no fact; state only the numbers given"
    words = check_words().number_words
    for word in _words(text):
        stated = words.get(word)
        if stated is None:
            continue
        vague = word in _VAGUE_COUNTS
        if vague and any(n >= stated for n in known):
            continue
        if not vague and float(stated) in known:
            continue
        return f"{word!r} is a number in no fact; state only the numbers given"
    return None


def check_licensed_words(text: str, fact_words: Iterable[str]) -> str | None:
    """Words that state a fact (ranks, polities, roles, kinship, waters, lands) must agree
    with the facts: "kingdom" only where the facts say kingdom, "brother" never unless given."""
    licensed = check_words().licensed
    present = frozenset(fact_words)
    for word in _words(text):
        key = word if word in licensed else _singular(word)
        licences = licensed.get(key)
        if licences is None:
            continue
        if not licences & present:
            return f"{word!r} is not in the facts; say only what the facts say"
    return None


def check_pronouns(text: str, sex: str | None) -> str | None:
    """A person is not called "he" when the facts say she is a woman, nor the other way."""
    if sex is None:
        return None
    wrong = _SHE if sex == "male" else _HE
    for word in _words(text):
        if word in wrong:
            return f"{word!r} does not fit a {sex} person"
    return None


def check_land_name(name: str) -> str | None:
    """A region's name is a name: one to four capitalised words (``of``/``the`` between them),
    no sentence or list, no number, no meta word, and not a river's, a town's or a realm's."""
    words = name.split()
    if not 1 <= len(words) <= 4 or not all(_NAME_WORD.match(w) for w in words):
        return f"{name!r} is not a name: one to four capitalised words"
    folded = [w.casefold() for w in words]
    if words[0] in {"of", "the"} or words[-1] in {"of", "the"}:
        return f"{name!r} is not a name: it starts or ends with a small word"
    numbers = check_words().number_words.keys() | {"one", "first", "second", "third"}
    for word in folded:
        if word in numbers or word in check_words().meta_words or word in _NOT_IN_A_LAND_NAME:
            return f"{name!r} is not a land's name: {word!r} does not belong in one"
    return None


def fact_words_of(values: Iterable[str]) -> frozenset[str]:
    """The lower-case words (and hyphen parts) of fact strings, for `TextFacts.fact_words`."""
    words: set[str] = set()
    for value in values:
        for word in _words(value):
            words.add(word)
            words.update(part for part in word.split("-") if part)
        words.add(value.casefold())
    return frozenset(words)


def _words(text: str) -> list[str]:
    return [w.casefold().replace("\u2019", "'") for w in _WORD.findall(text)]


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses")):
        return word[:-2]
    return word.removesuffix("s")


def _raised(check: Callable[..., None], *args: object) -> str | None:
    try:
        check(*args)
    except ValueError as exc:
        return str(exc)
    return None
