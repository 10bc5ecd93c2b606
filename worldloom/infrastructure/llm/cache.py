"""Content-addressed cache of validated LLM answers, shared across processes (diskcache)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import diskcache

from worldloom.infrastructure.llm.record import FALLBACK_REASONS, FallbackReason

CACHE_FORMAT_VERSION = 1
"""Bump to invalidate every entry (e.g. when what a key covers changes)."""

DEFAULT_SIZE_LIMIT_BYTES = 512 * 2**20
"""diskcache evicts least-recently-stored entries past this size."""

ValueT = TypeVar("ValueT")


def compute_cache_key(
    *,
    provider: str,
    model: str,
    mode: str,
    template: str,
    template_hash: str,
    messages: Sequence[Mapping[str, str]],
    schema_hash: str,
    params: Mapping[str, Any],
) -> str:
    """Return the sha256 key of one request.

    The rendered messages cover the facts; the template hash makes invalidation auditable;
    the schema hash covers response-model edits. The API key and base URL are deliberately
    left out: they do not change the answer, and the key must never be written anywhere.

    Args:
        provider: Provider family (``embedded``, ``ollama``...).
        model: Model name.
        mode: instructor mode.
        template: Prompt name.
        template_hash: sha256 of the template source.
        messages: Rendered chat messages, exactly as sent.
        schema_hash: sha256 of the response model's JSON schema.
        params: Sampling parameters (temperature, max_tokens, seed, max_retries).

    Returns:
        A 64-character hex digest.
    """
    payload = {
        "v": CACHE_FORMAT_VERSION,
        "provider": provider,
        "model": model,
        "mode": mode,
        "template": [template, template_hash],
        "messages": list(messages),
        "schema": schema_hash,
        "params": dict(params),
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A validated answer as stored: its JSON and what producing it cost."""

    json: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True, slots=True)
class CachedFailure:
    """A request the model answered but never validly (with this seed it would again)."""

    reason: FallbackReason
    detail: str


FAILURE_TTL_S = 30 * 24 * 3600.0
"""Remembered failures expire: a long-lived cache should try a prompt again now and then."""
_FAILURE_PREFIX = "failed:"


@dataclass(frozen=True, slots=True)
class CacheStats:
    """Cache size and this process's lookups."""

    entries: int
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float | None:
        """Hits over lookups, or ``None`` before the first lookup."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else None


class ResponseCache:
    """Validated answers in a diskcache directory (SQLite/WAL: safe across processes).

    Values are stored as JSON text, not pickles, so reading the cache never executes code.
    A per-key lock lets concurrent identical requests in one process make a single call.
    """

    def __init__(self, directory: Path, *, size_limit_bytes: int = DEFAULT_SIZE_LIMIT_BYTES):
        """Open (creating if needed) the cache directory.

        Args:
            directory: Cache folder, e.g. ``$WORLDLOOM_HOME/llm-cache``.
            size_limit_bytes: Eviction threshold.
        """
        directory.mkdir(parents=True, exist_ok=True)
        self._directory = directory
        self._store = diskcache.Cache(str(directory), size_limit=size_limit_bytes)
        self._counts_lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._key_locks: dict[str, tuple[threading.Lock, int]] = {}
        self._key_locks_guard = threading.Lock()

    @property
    def directory(self) -> Path:
        """The cache folder."""
        return self._directory

    def lookup(
        self,
        key: str,
        revive: Callable[[CachedAnswer], ValueT | None],
        *,
        count: bool = True,
    ) -> ValueT | None:
        """Return the revived value for ``key``, counting a hit or a miss.

        Args:
            key: Request key.
            revive: Turns a stored answer back into a value, or returns ``None`` if it no
                longer validates (then the lookup counts as a miss).
            count: Whether this lookup counts in the stats (a re-check under the key lock
                after a counted miss does not).

        Returns:
            The revived value, or ``None`` on a miss.
        """
        raw = self._store.get(key)
        value = None
        if isinstance(raw, str):
            answer = _decode(raw)
            value = revive(answer) if answer is not None else None
        if not count:
            return value
        with self._counts_lock:
            if value is None:
                self._misses += 1
            else:
                self._hits += 1
        return value

    def store(self, key: str, answer: CachedAnswer) -> None:
        """Store a validated answer under ``key`` (overwrites a stale entry)."""
        record = {
            "json": answer.json,
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
        }
        self._store.set(key, json.dumps(record, ensure_ascii=False))

    def store_failure(self, key: str, failure: CachedFailure) -> None:
        """Remember that ``key`` ended in invalid answers, so a re-run does not ask again.

        Only failures of the model's answer belong here (validation, malformed or truncated
        JSON): with a fixed seed the same request gets the same answer. Outages do not.
        """
        record = {"reason": failure.reason, "detail": failure.detail}
        self._store.set(_FAILURE_PREFIX + key, json.dumps(record), expire=FAILURE_TTL_S)

    def lookup_failure(self, key: str) -> CachedFailure | None:
        """The remembered failure for ``key``, if any (and not expired)."""
        raw = self._store.get(_FAILURE_PREFIX + key)
        if not isinstance(raw, str):
            return None
        try:
            record = json.loads(raw)
            reason, detail = str(record["reason"]), str(record["detail"])
        except (ValueError, KeyError, TypeError):
            return None
        for known in FALLBACK_REASONS:  # an entry from an older reason list is ignored
            if known == reason:
                return CachedFailure(reason=known, detail=detail)
        return None

    def forget_failure(self, key: str) -> None:
        self._store.delete(_FAILURE_PREFIX + key)

    @contextmanager
    def key_lock(self, key: str) -> Iterator[None]:
        """Hold the in-process lock for one key (other keys proceed in parallel)."""
        with self._key_locks_guard:
            lock, users = self._key_locks.get(key, (threading.Lock(), 0))
            self._key_locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._key_locks_guard:
                lock, users = self._key_locks[key]
                if users == 1:
                    del self._key_locks[key]
                else:
                    self._key_locks[key] = (lock, users - 1)

    def stats(self) -> CacheStats:
        """Return the entry count and this process's hits and misses."""
        with self._counts_lock:
            hits, misses = self._hits, self._misses
        answers = sum(
            1 for key in self._store.iterkeys() if not str(key).startswith(_FAILURE_PREFIX)
        )
        return CacheStats(entries=answers, hits=hits, misses=misses)

    def close(self) -> None:
        """Close the SQLite connections."""
        self._store.close()


def _decode(raw: str) -> CachedAnswer | None:
    try:
        record = json.loads(raw)
        return CachedAnswer(
            json=str(record["json"]),
            prompt_tokens=int(record["prompt_tokens"]),
            completion_tokens=int(record["completion_tokens"]),
        )
    except (ValueError, KeyError, TypeError):
        # A corrupt or foreign entry is a miss, not a crash; the next answer overwrites it.
        return None
