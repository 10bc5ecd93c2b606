"""Prompt contracts (template + facts + response model) and their sandboxed rendering."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from jinja2 import BaseLoader, PackageLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict

PROMPTS_PACKAGE = "worldloom.prompts"
"""Package whose directory holds the `*.j2` templates (loaded by name, never imported here)."""

MESSAGE_BLOCKS = ("system", "user")
"""Every template defines these Jinja blocks; each becomes one chat message, in this order."""


class PromptFacts(BaseModel):
    """Base for the facts a prompt is rendered from (trusted structure, untrusted strings).

    Subclasses list the fields their template uses and say which names the answer may mention.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def validation_context(self) -> dict[str, Any]:
        """Return what the response model's validators need (names that exist, names in use).

        Returns:
            A JSON-serialisable mapping handed to pydantic as the validation context.
        """
        return {}


FactsT = TypeVar("FactsT", bound=PromptFacts)
ResponseT = TypeVar("ResponseT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class PromptSpec(Generic[FactsT, ResponseT]):
    """One structured-output prompt: a template paired with its facts and response model.

    Attributes:
        name: Stable identifier written to call records (e.g. ``"region"``).
        template: Template file name inside the prompts package (e.g. ``"region.j2"``).
        facts_model: Pydantic model of the template's inputs.
        response_model: Pydantic model the answer must validate against.
        max_tokens: Completion cap, sized to the response schema.
        temperature: Sampling temperature sent with every request.
        max_retries: Re-asks after a validation failure (instructor's ``max_retries``).
        narrow: The response model for one request's facts: a subclass whose schema admits only
            what those facts allow, so a grammar-constrained model cannot pick anything else
            (``None``: `response_model` for every request).
    """

    name: str
    template: str
    facts_model: type[FactsT]
    response_model: type[ResponseT]
    max_tokens: int
    temperature: float = 0.7
    max_retries: int = 1
    narrow: Callable[[FactsT], type[ResponseT]] | None = None
    schema_hash: str = field(init=False, repr=False)
    """sha256 of the response model's JSON schema: field, constraint or description edits
    change it (and so the cache key)."""

    def __post_init__(self) -> None:
        if not 0 <= self.max_retries <= 2:
            # More re-asks only burn CPU on small models; DESIGN §5 caps it at 2.
            raise ValueError(f"prompt {self.name!r}: max_retries must be 0..2")
        if self.max_tokens <= 0:
            raise ValueError(f"prompt {self.name!r}: max_tokens must be positive")
        schema = self.response_model.model_json_schema()
        # Computed once: the cache-hit path must not rebuild the schema on every call.
        object.__setattr__(
            self, "schema_hash", _sha256(json.dumps(schema, sort_keys=True, separators=(",", ":")))
        )

    def model_for(self, facts: FactsT) -> type[ResponseT]:
        """The response model one request is asked for (`narrow`'s, or `response_model`)."""
        return self.response_model if self.narrow is None else self.narrow(facts)


@dataclass(frozen=True, slots=True)
class RenderedPrompt:
    """Chat messages exactly as sent, plus the hash of the template source they came from."""

    template_hash: str
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        """Return the OpenAI-style message list."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user},
        ]


class PromptRenderingError(ValueError):
    """A template is missing, malformed, or refers to a fact that was not given."""


class PromptRenderer:
    """Renders prompt templates with one sandboxed, StrictUndefined Jinja2 environment.

    Facts are passed as variables, never as template source, so text that came from an earlier
    LLM answer (or a user) cannot inject template syntax.
    """

    def __init__(self, loader: BaseLoader | None = None) -> None:
        """Create the environment.

        Args:
            loader: Where templates come from; defaults to the ``worldloom.prompts`` package.
        """
        self._env = SandboxedEnvironment(
            loader=loader if loader is not None else PackageLoader(PROMPTS_PACKAGE, "."),
            undefined=StrictUndefined,
            autoescape=False,  # plain-text prompts, not HTML
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates ship with the code; skipping the per-render mtime check keeps the
            # cache-hit path cheap.
            auto_reload=False,
        )
        self._hashes: dict[str, str] = {}
        self._lock = threading.Lock()

    def template_hash(self, template: str) -> str:
        """Return the sha256 of a template's source.

        Args:
            template: Template file name.

        Raises:
            PromptRenderingError: If the template does not exist.
        """
        with self._lock:
            cached = self._hashes.get(template)
            if cached is None:
                try:
                    source, _, _ = self._env.loader.get_source(self._env, template)  # type: ignore[union-attr]  # loader is always set in __init__
                except TemplateError as exc:
                    raise PromptRenderingError(f"prompt template {template!r}: {exc}") from exc
                cached = self._hashes[template] = _sha256(source)
        return cached

    def render(self, spec: PromptSpec[Any, Any], facts: PromptFacts) -> RenderedPrompt:
        """Render a prompt's system and user messages from its facts.

        Args:
            spec: The prompt contract.
            facts: Inputs; must be an instance of ``spec.facts_model``.

        Returns:
            The rendered messages and the template hash.

        Raises:
            PromptRenderingError: On a wrong facts type, a missing block or an undefined variable.
        """
        if not isinstance(facts, spec.facts_model):
            raise PromptRenderingError(
                f"prompt {spec.name!r} expects {spec.facts_model.__name__}, "
                f"got {type(facts).__name__}"
            )
        template_hash = self.template_hash(spec.template)
        variables: Mapping[str, Any] = facts.model_dump(mode="json")
        try:
            template = self._env.get_template(spec.template)
            context = template.new_context(dict(variables))
            rendered = {}
            for block in MESSAGE_BLOCKS:
                render_block = template.blocks.get(block)
                if render_block is None:
                    raise PromptRenderingError(
                        f"prompt template {spec.template!r} has no {{% block {block} %}}"
                    )
                rendered[block] = "".join(render_block(context)).strip()
        except TemplateError as exc:
            raise PromptRenderingError(f"prompt template {spec.template!r}: {exc}") from exc
        return RenderedPrompt(
            template_hash=template_hash, system=rendered["system"], user=rendered["user"]
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
