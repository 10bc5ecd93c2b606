"""Checks that LLM prose refers only to entities that exist and names nothing from our world."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import Field

DENY_LIST_RESOURCE = ("worldloom.data", "real_world_names.txt")
"""Package and file of the real-world names prose must not mention."""

KNOWN_NAMES = "known_names"
USED_NAMES = "used_names"
FORBIDDEN_NAMES = "forbidden_names"
FACT_STRINGS = "fact_strings"
FACT_NUMBERS = "fact_numbers"
PERSON_SEX = "person_sex"
"""Validation-context keys (instructor hands the context to pydantic validators)."""

NAME_CONNECTORS = frozenset({"of", "the", "and"})
"""Lower-case words allowed inside a multi-word proper name ("Sea of Thorns")."""

SENTENCE_STARTERS = frozenset(
    "A An The This That These Those Its It Their There Here In On At To From By With "  # noqa: SIM905  # a word table reads better as prose
    "Without Beyond Across Along Among Around Under Over Between Through Near Far Few "
    "Many Most Some All Each Every Both When While Where As Though Although Yet But And "
    "Or For So Only Travellers Travelers Visitors Locals People Folk".split()
)
"""Capitalised only because they open a sentence; dropped from the front of a name run."""

GENERIC_WORDS = frozenset(
    "North South East West Northern Southern Eastern Western Upper Lower Great Old New "  # noqa: SIM905  # a word table reads better as prose
    "River Rivers Lake Sea Mount Mountains Forest Woods Hills Vale Valley Marsh Coast Bay "
    "Spring Summer Autumn Winter".split()
)
"""Words that are capitalised as part of a given name but never make a new entity alone."""

DANGLING_WORDS = frozenset(
    "a an the of and or but to in on at by with from for into as that which whose its their "  # noqa: SIM905  # a word table reads better as prose
    "is are was were".split()
)
"""A sentence ending on one of these was cut off (e.g. by a length cap), not finished."""

_MAX_HYPHENS, _MAX_WORD_LENGTH = 2, 24
"""Longer hyphen chains or words are garbled output ("Gro-Norr-haven-Rand-..."), not names."""
_REPEAT_WORDS, _REPEAT_TIMES = 3, 3
"""A three-word phrase said three times is a loop, not style."""
_OUT_OF_WORLD = re.compile(
    r"\b(our world|the real world|real-world|fantasy|video game|role-playing|as an ai)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_CLAUSE_END = re.compile(r"[.!?:;]")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_CUT_SENTENCE = "text stops mid-sentence; end every sentence with '.', '!' or '?'"
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(]?[A-Z])")


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What the validators know about the world, read from the validation context."""

    known_names: frozenset[str]
    used_names: frozenset[str]
    forbidden_names: frozenset[str]


def read_rule_context(context: Any) -> RuleContext | None:
    """Read the rule context from pydantic's ``info.context``.

    Returns ``None`` when there is no context: the text rules guard untrusted LLM output, which
    always arrives with one; procedural writers build the models without a context.
    """
    if not isinstance(context, Mapping):
        return None
    return RuleContext(
        known_names=frozenset(context.get(KNOWN_NAMES, ())),
        used_names=frozenset(context.get(USED_NAMES, ())),
        forbidden_names=frozenset(context.get(FORBIDDEN_NAMES, ())),
    )


def rule_context(
    *,
    known: Iterable[str],
    used: Iterable[str] = (),
    facts: Iterable[str] = (),
    numbers: Iterable[float] = (),
    sex: str | None = None,
) -> dict[str, Any]:
    """Build a validation context from a prompt's facts, with the real-world deny list.

    Args:
        known: Names of entities the text may mention.
        used: Names already taken in the world (a new name must differ).
        facts: Fact strings whose words license fact-bound words ("capital", "priest").
        numbers: Numbers the facts state.
        sex: The person's sex, for a text about one person.
    """
    return {
        KNOWN_NAMES: tuple(sorted(set(known))),
        USED_NAMES: tuple(sorted(set(used))),
        FORBIDDEN_NAMES: tuple(sorted(real_world_names())),
        FACT_STRINGS: tuple(sorted({f for f in facts if f})),
        FACT_NUMBERS: tuple(sorted({float(n) for n in numbers})),
        PERSON_SEX: sex,
    }


@functools.cache
def real_world_names() -> frozenset[str]:
    """Load the real-world deny list shipped in ``worldloom/data`` (read once per process)."""
    package, name = DENY_LIST_RESOURCE
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    names = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(n for n in names if n)


@dataclass(frozen=True, slots=True)
class ProseBounds:
    """Length and sentence bounds of one prose field, shared by its schema and its validator."""

    min_length: int
    max_length: int
    max_sentences: int

    def field(self) -> Any:
        """The pydantic field: the length bounds and the grammar pattern (`prose_pattern`)."""
        return Field(
            min_length=self.min_length,
            max_length=self.max_length,
            pattern=prose_pattern(self.min_length, self.max_length),
        )


def prose_pattern(min_length: int, max_length: int) -> str:
    """Regex for one paragraph that starts with a capital and ends a sentence.

    Sent as the JSON-schema ``pattern``: llama.cpp turns it into a grammar, so a small model
    that wants to stop without a full stop is steered to write one (SmolLM2 usually omits
    it otherwise). llama.cpp ignores min/maxLength when a pattern is present, hence the
    counted repetition.
    """
    return rf'^[A-Z][^"\\\n]{{{min_length - 2},{max_length - 2}}}[.!?]$'


def validate_invented_name(name: str, context: Any) -> str:
    """A response model's name rule: invented, and not taken (checked only for LLM output).

    Raises:
        ValueError: As the individual checks do.
    """
    rules = read_rule_context(context)
    if rules is not None:
        check_no_real_world_names(name, rules.forbidden_names)
        check_new_name(name, rules.used_names)
    return name


def validate_grounded_prose(
    text: str, context: Any, *, own_name: object, bounds: ProseBounds
) -> str:
    """A response model's prose rule: whole sentences, in-world, no loops, only known names.

    Checked only for LLM output (procedural writers build models without a context, and only
    the field bounds apply). `own_name` is the name the same answer gives its entity. A text
    that filled its length cap loses the sentence the cap cut (`drop_cut_sentence`).

    Raises:
        ValueError: As the individual checks do.
    """
    rules = read_rule_context(context)
    if rules is None:
        return text
    text = drop_cut_sentence(text, bounds)
    text = check_complete_sentences(text, min_sentences=1, max_sentences=bounds.max_sentences)
    check_no_real_world_names(text, rules.forbidden_names)
    check_stays_in_world(text)
    check_plain_words(text)
    check_not_repetitive(text)
    known = rules.known_names | ({own_name} if isinstance(own_name, str) else set())
    check_known_entities(text, frozenset(known))
    return text


def drop_cut_sentence(text: str, bounds: ProseBounds) -> str:
    """Keep the whole sentences of a text that filled its length cap.

    Once a rambling answer reaches the cap, llama.cpp's grammar (`prose_pattern`) forces a full
    stop, so the last sentence of a text at the cap was cut, not finished ("...and is
    dedicated to the worship of the T."). Shorter texts are returned as they are.

    Raises:
        ValueError: When no whole sentence of at least the minimum length is left.
    """
    stripped = text.strip()
    if len(text) < bounds.max_length:
        return stripped
    breaks = list(_SENTENCE_SPLIT.finditer(stripped))
    kept = stripped[: breaks[-1].end()].rstrip() if breaks else ""
    if len(kept) < bounds.min_length:
        raise ValueError(_CUT_SENTENCE)
    return kept


def check_complete_sentences(text: str, *, min_sentences: int, max_sentences: int) -> str:
    """Require text that ends a sentence and has a bounded number of sentences.

    Raises:
        ValueError: With a message the model can act on when re-asked.
    """
    stripped = text.strip()
    words = _WORD.findall(stripped)
    if (
        stripped.endswith(("...", "\u2026"))
        or not _SENTENCE_END.search(stripped)
        or (words and words[-1].casefold() in DANGLING_WORDS)
        # "...the 25 rivers of E." is a word cut by a length cap, not an initial.
        or (words and len(words[-1]) == 1 and words[-1] not in {"I", "a"})
    ):
        raise ValueError(_CUT_SENTENCE)
    count = len(_SENTENCE_SPLIT.split(stripped))
    if not min_sentences <= count <= max_sentences:
        raise ValueError(
            f"write {min_sentences} to {max_sentences} complete sentences (got {count})"
        )
    return stripped


def check_no_real_world_names(text: str, forbidden: frozenset[str]) -> None:
    """Reject text naming a real-world place, people or culture.

    Raises:
        ValueError: Naming the first offending word.
    """
    match = _deny_pattern(forbidden).search(text) if forbidden else None
    if match is not None:
        raise ValueError(
            f"{match.group(0)!r} is a real-world name; this is an invented world, "
            "so use only invented or given names"
        )


def check_known_entities(text: str, known: frozenset[str]) -> None:
    """Reject proper names that are not among the given names.

    A run of capitalised words (``of``/``the`` allowed inside) counts as a name once a
    sentence-opening function word is dropped; it is allowed if each of its words appears in
    a given name or is a generic geographic word. A lone capitalised word counts too unless it
    opens a sentence ("Forests cover..." is not a name; "...the mountains of Khegor" is).

    Raises:
        ValueError: Naming the first unknown entity and the names that may be used.
    """
    allowed_words = {_bare(w) for name in known for w in _WORD.findall(name)}
    allowed_words |= {_bare(w) for w in GENERIC_WORDS}
    for run, opens_sentence in _name_runs(text):
        capitals = [w for w in run if w.casefold() not in NAME_CONNECTORS]
        if len(capitals) < 2 and opens_sentence:
            continue
        if all(_bare(w) in allowed_words for w in capitals):
            continue
        allowed = ", ".join(sorted(known)) or "none"
        raise ValueError(
            f"names {' '.join(run)!r}, which is not a given name; "
            f"mention only these names: {allowed}"
        )


def check_not_repetitive(text: str) -> None:
    """Reject text that loops ("the land of the Aelora, the land of the Aelora, ...").

    Raises:
        ValueError: Quoting the repeated phrase.
    """
    words = [w.casefold() for w in _WORD.findall(text)]
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - _REPEAT_WORDS + 1):
        phrase = tuple(words[i : i + _REPEAT_WORDS])
        seen[phrase] = seen.get(phrase, 0) + 1
        if seen[phrase] >= _REPEAT_TIMES:
            raise ValueError(
                f"the text repeats {' '.join(phrase)!r}; say each thing once, in plain sentences"
            )


def check_plain_words(text: str) -> None:
    """Reject garbled words ("Gro-Norr-haven-Rand-Norr-Norr"): long hyphen chains or runs.

    Raises:
        ValueError: Quoting the word.
    """
    for word in _WORD.findall(text):
        if word.count("-") > _MAX_HYPHENS or len(word) > _MAX_WORD_LENGTH:
            raise ValueError(f"{word[:40]!r} is not a word; write plain words")


def check_stays_in_world(text: str) -> None:
    """Reject prose that steps outside the invented world ("our world", "fantasy").

    Raises:
        ValueError: Quoting the phrase.
    """
    match = _OUT_OF_WORLD.search(text)
    if match is not None:
        raise ValueError(
            f"{match.group(0)!r} steps outside the story; describe the place as if it were real"
        )


def check_new_name(name: str, used: frozenset[str]) -> None:
    """Reject a name already taken in the world (case-insensitive).

    Raises:
        ValueError: If ``name`` is in ``used``.
    """
    if name.casefold() in {u.casefold() for u in used}:
        raise ValueError(f"the name {name!r} is already taken; invent a different one")


def _name_runs(text: str) -> list[tuple[list[str], bool]]:
    """Runs of capitalised words, each with whether it opens a sentence."""
    runs: list[tuple[list[str], bool]] = []
    current: list[str] = []
    current_opens = False
    previous_end = 0
    for index, match in enumerate(_WORD.finditer(text)):
        gap = text[previous_end : match.start()]
        sentence_start = index == 0 or bool(_CLAUSE_END.search(gap))
        if gap.strip():
            # Punctuation between two words ends a name run.
            _close_run(current, current_opens, runs)
            current = []
        word = match.group(0)
        starter = sentence_start and word in SENTENCE_STARTERS
        joins_name = bool(current) and word in NAME_CONNECTORS
        if (word[0].isupper() and not starter) or joins_name:
            if not current:
                current_opens = sentence_start
            current.append(word)
        else:
            _close_run(current, current_opens, runs)
            current = []
        previous_end = match.end()
    _close_run(current, current_opens, runs)
    return runs


def _bare(word: str) -> str:
    # "Ashvale's" names Ashvale.
    folded = word.casefold()
    return folded.removesuffix("'s").removesuffix("\u2019s")


def _close_run(current: list[str], opens: bool, runs: list[tuple[list[str], bool]]) -> None:
    while current and current[-1] in NAME_CONNECTORS:
        current.pop()
    if current:
        runs.append((list(current), opens))


@functools.lru_cache(maxsize=8)
def _deny_pattern(forbidden: frozenset[str]) -> re.Pattern[str]:
    # Longest first so "South America" wins over "America"; word boundaries keep "Roman" out
    # of "Romantic".
    alternatives = "|".join(re.escape(n) for n in sorted(forbidden, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")
