"""One sentence of colour for a procedural description, from words a model picks.

A small model writes poor prose but picks well from short lists, so a colour prompt offers, per
slot ("mood", "sound", "smell"...), only the options `data/colour.toml` licenses for the entity's
facts; the schema's enum holds the model to the vocabulary, the validator to the offered options,
and the chosen words fill one of the table's sentences. The composed sentence then passes every
text check, as any LLM text must.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationInfo,
    computed_field,
    create_model,
    model_validator,
)

from worldloom.infrastructure.llm.prompt import PromptFacts
from worldloom.prompts.text_checks import check_text, fact_words_of, read_text_facts
from worldloom.prompts.text_rules import rule_context

COLOUR_RESOURCE = ("worldloom.data", "colour.toml")
"""Package and file of the colour vocabulary."""

OPTIONS = "colour_options"
PRONOUN = "colour_pronoun"
"""Validation-context keys: the options offered per slot, and the pronoun for a person."""


@dataclass(frozen=True, slots=True)
class ColourTable:
    """One prompt's sentences and, per slot, its options with the fact words licensing each."""

    frames: tuple[str, ...]
    slots: Mapping[str, Mapping[str, frozenset[str]]]


@functools.cache
def colour_tables() -> Mapping[str, ColourTable]:
    """The shipped vocabulary, per prompt name (read once per process)."""
    package, name = COLOUR_RESOURCE
    table = tomllib.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
    tables = {}
    for prompt, entry in table.items():
        frames = tuple(str(f) for f in entry["frames"])
        slots = {
            slot: {
                str(option): frozenset(str(w) for w in licences) for option, licences in v.items()
            }
            for slot, v in entry.items()
            if slot != "frames"
        }
        for frame in frames:
            missing = {s for s in slots if "{" + s + "}" not in frame}
            if missing:
                raise ValueError(f"colour frame {frame!r} of {prompt!r} lacks {sorted(missing)}")
        tables[prompt] = ColourTable(frames=frames, slots=slots)
    return tables


def slot_field(prompt: str, slot: str) -> Any:
    """The pydantic field of one slot: a string held to the slot's vocabulary by an enum."""
    options: list[JsonValue] = []
    options.extend(sorted(colour_tables()[prompt].slots[slot]))
    return Field(min_length=1, max_length=60, json_schema_extra={"enum": options})


def offered_options(prompt: str, facts: Iterable[str], *, order: int) -> dict[str, tuple[str, ...]]:
    """Per slot, the options the facts license, in an order drawn from `order` (the entity's
    seed), so a model that favours the first option does not give every entity the same word.

    Args:
        prompt: Prompt name in the colour table.
        facts: The entity's fact strings.
        order: Seed of the listing order.
    """
    words = fact_words_of(facts)
    offered = {}
    for slot, options in colour_tables()[prompt].slots.items():
        fitting = [o for o, licences in options.items() if not licences or licences & words]
        offered[slot] = tuple(sorted(fitting, key=lambda o: _digest(f"{order}:{o}")))
    return offered


def compose(prompt: str, choices: Mapping[str, str], *, pronoun: str | None = None) -> str:
    """The sentence the choices fill (which sentence follows from the choices themselves)."""
    frames = colour_tables()[prompt].frames
    frame = frames[int(_digest(json.dumps(dict(choices), sort_keys=True))[:8], 16) % len(frames)]
    values = dict(choices)
    if pronoun is not None:
        values |= {"pronoun": pronoun, "Pronoun": pronoun.capitalize()}
    return frame.format(**values)


class ColourFacts(PromptFacts):
    """Base of the colour prompts' facts: the procedural text the sentence joins, the order its
    options are listed in, and the options the subclass's facts license."""

    PROMPT: ClassVar[str]

    entry: str = Field(default="", max_length=400)
    """The entity's procedural text."""
    order: int = 0
    """Seed of the order options are listed in (the entity's own)."""

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented computed_field pattern
    @property
    def options(self) -> dict[str, tuple[str, ...]]:
        """The colour options these facts license, per slot."""
        return offered_options(self.PROMPT, self.fact_strings(), order=self.order)

    def fact_strings(self) -> list[str]:
        """The facts in words, for licensing fact-bound words (subclasses list theirs)."""
        return []

    def known_names(self) -> list[str]:
        """Names the text may mention (subclasses list theirs)."""
        return []

    def pronoun(self) -> str | None:
        """The pronoun for the entity, if it is a person."""
        return None

    def validation_context(self) -> dict[str, Any]:
        """Known names, fact words and the offered options."""
        sex = {"he": "male", "she": "female"}.get(self.pronoun() or "")
        return {
            **rule_context(known=self.known_names(), facts=self.fact_strings(), sex=sex),
            OPTIONS: self.options,
            PRONOUN: self.pronoun(),
        }


class ColourAnswer(BaseModel):
    """Base of the colour response models: one field per slot of `PROMPT`'s table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    PROMPT: ClassVar[str]

    def choices(self) -> dict[str, str]:
        """The chosen option per slot."""
        return {slot: str(getattr(self, slot)) for slot in colour_tables()[self.PROMPT].slots}

    def sentence(self, *, pronoun: str | None = None) -> str:
        """The colour sentence the choices fill."""
        return compose(self.PROMPT, self.choices(), pronoun=pronoun)

    @model_validator(mode="after")
    def _offered_and_sound(self, info: ValidationInfo) -> ColourAnswer:
        context = info.context
        facts = read_text_facts(context)
        if facts is None or not isinstance(context, Mapping):
            return self
        offered: Mapping[str, Iterable[str]] = context.get(OPTIONS, {})
        for slot, value in self.choices().items():
            allowed = tuple(offered.get(slot, ()))
            if value not in allowed:
                raise ValueError(
                    f"{slot} {value!r} does not fit; choose one of: {', '.join(allowed)}"
                )
        check_text(self.sentence(pronoun=context.get(PRONOUN)), facts)
        return self


AnswerT = TypeVar("AnswerT", bound=ColourAnswer)


def narrow_to_offered(model: type[AnswerT]) -> Callable[[Any], type[AnswerT]]:
    """A `PromptSpec.narrow` for a colour prompt: the model whose slots admit only the options
    the facts offer (and, with a ``name`` slot, only the offered names' numbers), so a model
    held by the schema's grammar cannot pick an option its facts do not license."""

    def narrow(facts: Any) -> type[AnswerT]:
        offered = tuple(facts.options.items())
        names = len(getattr(facts, "name_candidates", ())) if "name" in model.model_fields else 0
        return _narrowed(model, offered, names)

    return narrow


@functools.lru_cache(maxsize=1024)
def _narrowed(
    model: type[AnswerT], offered: tuple[tuple[str, tuple[str, ...]], ...], names: int
) -> type[AnswerT]:
    fields: dict[str, Any] = {
        slot: (str, Field(min_length=1, max_length=60, json_schema_extra={"enum": list(options)}))
        for slot, options in offered
        if options
    }
    if names:
        fields["name"] = (int, Field(ge=1, le=names))
    # Same name as the model: tool-calling providers see it as the function's name.
    return create_model(model.__name__, __base__=model, __module__=model.__module__, **fields)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
