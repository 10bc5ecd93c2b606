"""Ollama through its native API and the official `ollama` client, for what its OpenAI-compatible
`/v1` cannot do: list local models, pull one, fail fast on a missing one, and answer with the
JSON schema as a grammar while honouring the context size (`/v1` ignores `num_ctx` and
truncates long prompts silently)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from worldloom.infrastructure.llm.client import Completion, ProviderCallError, clip_detail
from worldloom.infrastructure.llm.meter import DeadlinePassed, RequestMeter
from worldloom.infrastructure.llm.prompt import PromptSpec, RenderedPrompt
from worldloom.infrastructure.llm.record import FallbackReason

NUM_CTX = 4096
"""Context tokens asked of Ollama for every prompt (ours are a few hundred)."""

ResponseT = TypeVar("ResponseT", bound=BaseModel)


def ollama_host(base_url: str) -> str:
    """The native API's root from a provider URL (which may end in the `/v1` of old configs)."""
    return base_url.rstrip("/").removesuffix("/v1")


class OllamaClient:
    """One model on one Ollama server, through the native API."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        timeout_s: float,
        meter: RequestMeter,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Configure the client (no network traffic yet).

        Args:
            base_url: Ollama's URL (``http://127.0.0.1:11434``, ``/v1`` tolerated).
            model: Model name as Ollama lists it (``llama3.2`` or ``llama3.2:3b``).
            timeout_s: Per-request timeout (connect capped at 5 s).
            meter: Counts requests and holds them to the stage deadline.
            transport: Custom httpx transport (tests).
        """
        ollama = _ollama()
        extra: dict[str, Any] = {} if transport is None else {"transport": transport}
        self._client = ollama.Client(
            host=ollama_host(base_url),
            timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
            event_hooks={"request": [meter]},
            **extra,
        )
        self._model = model
        self._meter = meter
        self._missing: str | None = None
        self._checked = False
        self._lock = threading.Lock()

    def local_models(self) -> list[str]:
        """The models the server has, as it names them.

        Raises:
            ProviderCallError: If the server cannot be asked.
        """
        try:
            return sorted(str(m.model) for m in self._client.list().models if m.model)
        except Exception as exc:
            raise _failure(exc, 1, self._meter) from exc

    def has_model(self) -> bool:
        """Whether the server has this client's model (``name`` means ``name:latest``)."""
        wanted = {self._model, f"{self._model}:latest"}
        return bool(wanted & set(self.local_models()))

    def pull(self, *, progress: Callable[[str], None] = lambda _: None) -> None:
        """Download the model into the server, reporting each status line.

        Raises:
            ProviderCallError: If the server refuses or cannot be reached.
        """
        try:
            for part in self._client.pull(self._model, stream=True):
                progress(str(part.status or ""))
        except Exception as exc:
            raise _failure(exc, 1, self._meter) from exc
        with self._lock:
            self._missing, self._checked = None, True

    def complete(
        self,
        *,
        spec: PromptSpec[Any, ResponseT],
        model: str,
        prompt: RenderedPrompt,
        response_model: type[ResponseT] | None = None,
        validation_context: Mapping[str, Any],
        seed: int,
    ) -> Completion[ResponseT]:
        """Ask for one structured answer, re-asking with the validation error on failure.

        The same contract as `StructuredClient.complete` (`response_model`: what to ask for, if
        narrower than the spec's); the first call checks that the model
        is there, so a missing model fails every call at once with how to get it.

        Raises:
            ProviderCallError: On any failure, classified for the fallback record.
        """
        self._check_model()
        messages: list[dict[str, str]] = prompt.messages()
        asked = response_model or spec.response_model
        schema = asked.model_json_schema()
        tokens = [0, 0]
        with self._meter.counting() as sent:
            error: ProviderCallError | None = None
            for _ in range(spec.max_retries + 1):
                try:
                    response = self._client.chat(
                        model,
                        messages,
                        format=schema,
                        options={
                            "temperature": spec.temperature,
                            "seed": seed,
                            "num_predict": spec.max_tokens,
                            "num_ctx": NUM_CTX,
                        },
                    )
                except Exception as exc:
                    raise _failure(exc, sent(), self._meter, tokens) from exc
                tokens[0] += int(response.prompt_eval_count or 0)
                tokens[1] += int(response.eval_count or 0)
                content = str(response.message.content or "")
                if response.done_reason == "length":
                    error = ProviderCallError(
                        "truncated", "answer hit max_tokens before the JSON was complete"
                    )
                    continue
                try:
                    value = asked.model_validate_json(content, context=dict(validation_context))
                    # A plain instance of the declared model, as a cache hit would give.
                    value = spec.response_model.model_validate_json(
                        value.model_dump_json(), context=dict(validation_context)
                    )
                except ValidationError as invalid:
                    error = _invalid(invalid)
                    messages = [
                        *messages,
                        {"role": "assistant", "content": content},
                        {"role": "user", "content": f"Correct your answer: {error.detail}"},
                    ]
                    continue
                return Completion(
                    value=value,
                    prompt_tokens=tokens[0],
                    completion_tokens=tokens[1],
                    attempts=sent(),
                )
            assert error is not None
            raise ProviderCallError(
                error.reason,
                error.detail,
                attempts=sent(),
                prompt_tokens=tokens[0],
                completion_tokens=tokens[1],
            )

    def probe(self, *, timeout_s: float) -> str:
        """List the server's models, saying whether this client's model is among them.

        Raises:
            ProviderCallError: If the server cannot be asked.
        """
        del timeout_s  # the client's own timeout applies; the list is one small request
        names = self.local_models()
        there = "present" if self.has_model() else "missing: pull it first"
        return f"model {self._model} {there}; models: {', '.join(names[:5]) or '(none)'}"

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def _check_model(self) -> None:
        with self._lock:
            if not self._checked:
                if not self.has_model():
                    self._missing = (
                        f"Ollama has no model {self._model!r}: run `worldloom llm pull "
                        f"ollama/{self._model}` (or `ollama pull {self._model}`)"
                    )
                self._checked = True
            if self._missing is not None:
                raise ProviderCallError("unavailable", self._missing)


def _ollama() -> Any:
    """The `ollama` package, imported when an Ollama provider is first used (only it needs it).

    Raises:
        ProviderCallError: ``unavailable``, saying how to install it, if it is missing.
    """
    try:
        import ollama  # noqa: PLC0415  # an optional dependency, for ollama/MODEL only
    except ImportError as exc:
        raise ProviderCallError(
            "unavailable",
            "ollama/MODEL needs the `ollama` package: pip install 'worldloom[ollama]'",
        ) from exc
    return ollama


def _invalid(error: ValidationError) -> ProviderCallError:
    items = error.errors(include_url=False)
    if items and all(item["type"] == "json_invalid" for item in items):
        return ProviderCallError("malformed_json", "answer is not valid JSON")
    first = items[0] if items else None
    where = ".".join(str(p) for p in first["loc"]) if first else ""
    message = first["msg"] if first else str(error)
    return ProviderCallError("validation", clip_detail(f"{where or 'answer'}: {message}"))


def _failure(
    exc: BaseException,
    attempts: int,
    meter: RequestMeter,
    tokens: list[int] | None = None,
) -> ProviderCallError:
    reason: FallbackReason
    response_error = _ollama().ResponseError
    match exc:
        case ProviderCallError():
            return exc
        case DeadlinePassed():
            reason, detail = "deadline", str(exc)
        case httpx.TimeoutException():
            expired = meter.clock.expired
            reason = "deadline" if expired else "timeout"
            detail = "the stage's LLM deadline passed" if expired else "request timed out"
        case ConnectionError() | httpx.TransportError():
            reason, detail = "connection", f"cannot connect: {exc}"
        case _ if isinstance(exc, response_error):
            reason, detail = _status_reason(int(exc.status_code), str(exc.error))
        case _:
            reason, detail = "http_error", f"{type(exc).__name__}: {exc}"
    spent = tokens or [0, 0]
    return ProviderCallError(
        reason,
        clip_detail(detail),
        attempts=attempts,
        prompt_tokens=spent[0],
        completion_tokens=spent[1],
    )


def _status_reason(status: int, message: str) -> tuple[FallbackReason, str]:
    if status == 429:
        return "rate_limited", f"HTTP 429: {message}"
    if status >= 500:
        return "server_error", f"HTTP {status}: {message}"
    if status == 404:
        return "unavailable", f"HTTP 404: {message}"
    return "http_error", f"HTTP {status}: {message}"
