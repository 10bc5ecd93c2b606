"""Which LLM provider a run uses, parsed from a string such as ``ollama/llama3.2``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from worldloom.infrastructure.llm.embedded import MODEL_NAME

ProviderKind = Literal["none", "embedded", "ollama", "openai", "anthropic", "perplexity"]
HostedKind = Literal["openai", "anthropic", "perplexity"]

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
"""Ollama's server, asked through its native API (`ollama_native.py`), which honours the
``num_ctx`` each request sets; a URL ending in the ``/v1`` of older configs is accepted."""

OLLAMA_URL_ENV = "WORLDLOOM_OLLAMA_URL"
OPENAI_URL_ENV = "WORLDLOOM_OPENAI_BASE_URL"
OPENAI_KEY_ENV = "OPENAI_API_KEY"
"""The only place an OpenAI key is read from; it is never logged, stored, cached or exported."""


@dataclass(frozen=True, slots=True)
class HostedEndpoint:
    """A cloud provider reached through its OpenAI-compatible endpoint.

    Attributes:
        url: Default base URL.
        url_env: Environment variable overriding the URL (a proxy, or a test's fake server).
        key_env: The only place its key is read from; never logged, stored, cached or exported.
        mode: instructor mode its endpoint supports.
    """

    url: str
    url_env: str
    key_env: str
    mode: Literal["json_schema", "tools"]


HOSTED: Mapping[str, HostedEndpoint] = {
    "openai": HostedEndpoint(
        "https://api.openai.com/v1", OPENAI_URL_ENV, OPENAI_KEY_ENV, "json_schema"
    ),
    # Anthropic's compatibility layer ignores response_format but honours tools (without
    # `strict`), so its answers come as a forced tool call; the validators do the rest.
    "anthropic": HostedEndpoint(
        "https://api.anthropic.com/v1",
        "WORLDLOOM_ANTHROPIC_BASE_URL",
        "ANTHROPIC_API_KEY",
        "tools",
    ),
    # Perplexity's chat completions take a json_schema response_format; no /v1 in its path.
    "perplexity": HostedEndpoint(
        "https://api.perplexity.ai",
        "WORLDLOOM_PERPLEXITY_BASE_URL",
        "PERPLEXITY_API_KEY",
        "json_schema",
    ),
}
"""Hosted providers, each through its OpenAI-compatible endpoint."""

DEFAULT_TIMEOUT_S: Mapping[ProviderKind, float] = {
    "none": 0.0,
    # SmolLM2 answers a small object in ~0.6 s on idle cores, but on 2 shared cores a
    # 180-token answer was measured at up to ~30 s; requests also queue behind the one slot.
    "embedded": 60.0,
    # A user's Ollama may be loading a 7-8B model on first use.
    "ollama": 120.0,
    "openai": 60.0,
    "anthropic": 60.0,
    "perplexity": 60.0,
}
"""Per-request HTTP timeout when the caller does not choose one."""

DEFAULT_HTTP_RETRIES: Mapping[ProviderKind, int] = {
    "none": 0,
    "embedded": 0,
    "ollama": 0,
    # One SDK retry honours a cloud 429's Retry-After; it multiplies with instructor's re-asks
    # (every request sent is counted in `attempts`, and none outlives the stage deadline).
    "openai": 1,
    "anthropic": 1,
    "perplexity": 1,
}
"""openai SDK retries (408/429/5xx, connection errors) per request."""

PROVIDER_FORMS = (
    "none",
    "embedded",
    "ollama/MODEL",
    "openai/MODEL",
    "anthropic/MODEL",
    "perplexity/MODEL",
)
"""What `--llm` / `WORLDLOOM_LLM` accepts."""
_USAGE = "expected " + ", ".join(PROVIDER_FORMS[:-1]) + " or " + PROVIDER_FORMS[-1]


class ProviderConfigError(ValueError):
    """A provider string or its environment (URL, key) is unusable."""


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    """A parsed provider choice. Holds no secrets, so it is safe to log and record.

    Attributes:
        kind: Provider family.
        model: Model name as sent to the server (a label for ``none`` and ``embedded``).
        base_url: The endpoint (OpenAI-compatible, or Ollama's); ``None`` for ``none`` and
            ``embedded`` (the embedded server learns its port when it starts).
    """

    kind: ProviderKind
    model: str
    base_url: str | None = None

    @property
    def label(self) -> str:
        """The string this spec was parsed from, normalised (``ollama/llama3.2``)."""
        if self.kind in ("none", "embedded"):
            return self.kind
        return f"{self.kind}/{self.model}"

    @property
    def mode(self) -> Literal["json_schema", "tools"]:
        """The instructor mode this provider's endpoint supports."""
        hosted = HOSTED.get(self.kind)
        return "json_schema" if hosted is None else hosted.mode

    @property
    def timeout_s(self) -> float:
        """Default per-request timeout for this provider."""
        return DEFAULT_TIMEOUT_S[self.kind]

    @property
    def http_retries(self) -> int:
        """Default SDK-level retries for this provider."""
        return DEFAULT_HTTP_RETRIES[self.kind]


def parse_provider(text: str, *, environ: Mapping[str, str] | None = None) -> ProviderSpec:
    """Parse a provider string (``--llm`` / ``WORLDLOOM_LLM``).

    Args:
        text: One of `PROVIDER_FORMS` (``none``, ``embedded``, ``ollama/MODEL``, ``openai/MODEL``,
            ``anthropic/MODEL``, ``perplexity/MODEL``).
        environ: Environment for URL overrides; defaults to ``os.environ``.

    Returns:
        The provider spec.

    Raises:
        ProviderConfigError: If the string names no known provider or lacks a model.
    """
    env = os.environ if environ is None else environ
    value = text.strip()
    if value == "none":
        return ProviderSpec(kind="none", model="procedural")
    if value == "embedded":
        return ProviderSpec(kind="embedded", model=MODEL_NAME)
    family, sep, model = value.partition("/")
    if not sep or family not in ("ollama", *HOSTED):
        raise ProviderConfigError(f"unknown LLM provider {text!r}: {_USAGE}")
    if not model.strip():
        raise ProviderConfigError(f"LLM provider {text!r} names no model: {_USAGE}")
    if family == "ollama":
        url = env.get(OLLAMA_URL_ENV) or OLLAMA_DEFAULT_URL
        return ProviderSpec(kind="ollama", model=model.strip(), base_url=_checked_url(url))
    hosted = HOSTED[family]
    url = env.get(hosted.url_env) or hosted.url
    return ProviderSpec(kind=family, model=model.strip(), base_url=_checked_url(url))  # type: ignore[arg-type]  # as above


def read_api_key(spec: ProviderSpec, *, environ: Mapping[str, str] | None = None) -> str:
    """Return the API key the provider needs (a placeholder for local servers).

    Args:
        spec: The provider.
        environ: Environment to read the key from; defaults to ``os.environ``.

    Raises:
        ProviderConfigError: If a hosted provider is chosen and its key variable is unset.
    """
    hosted = HOSTED.get(spec.kind)
    if hosted is None:
        # Local servers ignore the key but the SDK insists on one.
        return "not-needed"
    env = os.environ if environ is None else environ
    key = str(env.get(hosted.key_env, "")).strip()
    if not key:
        raise ProviderConfigError(
            f"LLM provider {spec.label!r} needs {hosted.key_env} set in the environment"
        )
    return key


def _checked_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ProviderConfigError(f"LLM base URL {url!r} must start with http:// or https://")
    return url.rstrip("/")
