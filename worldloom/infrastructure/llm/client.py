"""Structured calls to one OpenAI-compatible endpoint through instructor (JSON_SCHEMA mode)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx2
from pydantic import BaseModel, ValidationError

from worldloom.infrastructure.llm.meter import DeadlinePassed, RequestMeter, StageClock
from worldloom.infrastructure.llm.prompt import PromptSpec, RenderedPrompt
from worldloom.infrastructure.llm.record import FallbackReason

MODES = {"json_schema": "json_schema_mode", "tools": "tool_call"}
"""instructor's mode (`instructor.Mode` value) per provider mode (`ProviderSpec.mode`). JSON_SCHEMA
is the default: measured on SmolLM2, 8/8 answers valid against 0/8 for JSON and MD_JSON (the
schema travels as a grammar constraint, not as prompt text). Values, not members, so that a
command that never calls a model never imports instructor and openai (~1.5 s)."""

SYSTEM_VAR = "worldloom_system_message"
USER_VAR = "worldloom_user_message"
"""instructor re-renders message text as a Jinja template whenever a validation context is
given. Our messages therefore travel as context *variables* and the message bodies are bare
``{{ var }}`` references: the already-rendered text is substituted, never parsed as a template."""

_DETAIL_LIMIT = 300

ResponseT = TypeVar("ResponseT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Completion(Generic[ResponseT]):
    """A validated answer and what it cost."""

    value: ResponseT
    prompt_tokens: int
    completion_tokens: int
    attempts: int


class ProviderCallError(Exception):
    """A request did not yield a valid answer; says why, in fallback-reason terms."""

    def __init__(
        self,
        reason: FallbackReason,
        detail: str,
        *,
        attempts: int = 0,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: FallbackReason = reason
        self.detail = detail
        self.attempts = attempts
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens


class StructuredClient:
    """instructor over ``openai.OpenAI`` for one base URL, with low SDK retries and a timeout."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout_s: float,
        http_retries: int,
        http_client: httpx2.Client | None = None,
        mode: str = "json_schema",
        meter: RequestMeter | None = None,
    ) -> None:
        """Build the clients (no network traffic yet).

        Args:
            base_url: OpenAI-compatible endpoint.
            api_key: Key for the endpoint; kept only inside the openai client.
            timeout_s: Per-request timeout (connect is capped at 5 s).
            http_retries: openai SDK retries; they multiply with instructor's re-asks.
            http_client: Custom transport (tests inject ``httpx2.MockTransport`` here).
            mode: ``json_schema`` or ``tools`` (`ProviderSpec.mode`).
            meter: Counts requests and holds them to the stage deadline.
        """
        import instructor  # noqa: PLC0415  # see MODES
        import openai  # noqa: PLC0415

        self._meter = meter or RequestMeter(StageClock(None))
        if http_client is None:
            http_client = openai.DefaultHttpxClient()
        # Every request the SDK sends (its retries too) passes the meter.
        http_client.event_hooks = {
            **http_client.event_hooks,
            "request": [*http_client.event_hooks["request"], self._meter],
        }
        self._openai = openai.OpenAI(
            base_url=base_url,
            api_key=api_key,
            timeout=httpx2.Timeout(timeout_s, connect=min(5.0, timeout_s)),
            max_retries=http_retries,
            http_client=http_client,
        )
        self._mode = instructor.Mode(MODES[mode])
        self._instructor = instructor.from_openai(self._openai, mode=self._mode)
        self._secret = api_key

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

        Args:
            spec: Prompt contract (response model, max_tokens, temperature, max_retries).
            response_model: What to ask for, if narrower than the spec's response model.
            model: Model name sent to the server.
            prompt: Rendered messages.
            validation_context: Passed to the response model's validators.
            seed: Sampling seed (fixed seeds make llama.cpp reproducible).

        Returns:
            The validated answer with token usage and the number of HTTP requests made.

        Raises:
            ProviderCallError: On any failure, classified for the fallback record.
        """
        asked = response_model or spec.response_model
        context = {
            **validation_context,
            SYSTEM_VAR: prompt.system,
            USER_VAR: prompt.user,
        }
        messages: Any = [
            {"role": "system", "content": "{{ " + SYSTEM_VAR + " }}"},
            {"role": "user", "content": "{{ " + USER_VAR + " }}"},
        ]
        with self._meter.counting() as sent:
            try:
                value, completion = self._instructor.create_with_completion(
                    model=model,
                    messages=messages,
                    response_model=asked,
                    max_retries=spec.max_retries,
                    context=context,
                    max_tokens=spec.max_tokens,
                    temperature=spec.temperature,
                    seed=seed,
                )
            except Exception as exc:
                raise self._failure(exc, sent()) from exc
            attempts = sent()
        usage = getattr(completion, "usage", None)
        # instructor returns a dynamic subclass carrying the raw completion; hand back a plain
        # instance of the declared model, built exactly as a cache hit would be.
        clean = spec.response_model.model_validate_json(
            value.model_dump_json(), context=dict(validation_context)
        )
        return Completion(
            value=clean,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            attempts=attempts,
        )

    def probe(self, *, timeout_s: float) -> str:
        """List the server's models with a short timeout, as a reachability check.

        Returns:
            A short description of what answered.

        Raises:
            ProviderCallError: If the endpoint does not answer successfully.
        """
        try:
            models = self._openai.with_options(timeout=timeout_s, max_retries=0).models.list()
            names = [m.id for m in models.data][:5]
        except Exception as exc:
            raise self._failure(exc, 1) from exc
        return f"models: {', '.join(names) or '(none listed)'}"

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._openai.close()

    def _failure(self, exc: BaseException, attempts: int) -> ProviderCallError:
        reason, detail = classify_failure(exc)
        if reason == "timeout" and self._meter.clock.expired:
            reason, detail = "deadline", "the stage's LLM deadline passed during the request"
        usage = getattr(exc, "total_usage", None)
        return ProviderCallError(
            reason,
            # The SDK may echo a (masked) key in an auth error; never let ours into a record.
            clip_detail(detail.replace(self._secret, "***"))
            if self._secret
            else clip_detail(detail),
            attempts=attempts,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )


def classify_failure(exc: BaseException) -> tuple[FallbackReason, str]:  # noqa: PLR0911  # one return per failure class reads as a table
    """Map an exception from instructor/openai to a fallback reason and a short detail.

    instructor wraps API errors and exhausted re-asks in ``InstructorRetryException``; the
    underlying cause is what decides the reason.
    """
    import openai  # noqa: PLC0415  # see MODES
    from instructor.v2.core.errors import IncompleteOutputException  # noqa: PLC0415

    cause = _root_cause(exc)
    match cause:
        case DeadlinePassed():
            return "deadline", str(cause)
        case openai.APITimeoutError() | httpx2.TimeoutException():
            return "timeout", "request timed out"
        case openai.APIConnectionError() | httpx2.TransportError():
            return "connection", f"cannot connect: {cause}"
        case openai.RateLimitError():
            return "rate_limited", f"HTTP 429: {cause.message}"
        case openai.APIStatusError() if cause.status_code >= 500:
            return "server_error", f"HTTP {cause.status_code}: {cause.message}"
        case openai.APIStatusError():
            return "http_error", f"HTTP {cause.status_code}: {cause.message}"
        case IncompleteOutputException():
            return "truncated", "answer hit max_tokens before the JSON was complete"
        case json.JSONDecodeError():
            return "malformed_json", f"response is not JSON: {cause.msg}"
        case ValidationError() if _only_json_errors(cause):
            return "malformed_json", f"answer is not valid JSON: {_first_error(cause)}"
        case ValidationError():
            return "validation", _first_error(cause)
        case _:
            return "http_error", f"{type(cause).__name__}: {cause}"


def _root_cause(exc: BaseException) -> BaseException:
    import openai  # noqa: PLC0415  # see MODES
    from instructor.v2.core.errors import InstructorRetryException  # noqa: PLC0415

    if isinstance(exc, InstructorRetryException):
        # __cause__ is the last attempt's error (API or parse); failed_attempts lists only
        # the parse failures.
        if exc.__cause__ is not None:
            return _root_cause(exc.__cause__)
        if exc.failed_attempts:
            return _root_cause(exc.failed_attempts[-1].exception)
    if isinstance(exc, openai.APIConnectionError) and isinstance(
        exc.__cause__, httpx2.TimeoutException | DeadlinePassed
    ):
        return exc.__cause__
    return exc


def _only_json_errors(error: ValidationError) -> bool:
    return all(item["type"] == "json_invalid" for item in error.errors())


def _first_error(error: ValidationError) -> str:
    items = error.errors(include_url=False)
    if not items:
        return str(error)
    first = items[0]
    where = ".".join(str(part) for part in first["loc"]) or "answer"
    return f"{where}: {first['msg']} ({len(items)} error(s))"


def clip_detail(text: str) -> str:
    """A fallback's detail, cut to the length a record keeps."""
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 1] + "…"
