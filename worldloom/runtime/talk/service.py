"""The dialogue route's service: facts from the snapshot, then the LLM gateway (cache,
provider, procedural line), with identical requests in flight sharing one call."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

from worldloom.infrastructure.llm import Generated, LLMGateway
from worldloom.prompts.dialogue import DIALOGUE_PROMPT, DialogueLine, Topic
from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.errors import UnavailableError
from worldloom.runtime.models import TalkAnswer, TalkRequest
from worldloom.runtime.talk.line import write_line
from worldloom.runtime.talk.subject import dialogue_facts, pick_subject, read_speaker
from worldloom.runtime.usage import TalkRecord, UsageLog, now
from worldloom.systems.rng import Seeds, stable_key

WORKERS: Final = 4
"""Threads for dialogue: enough to keep a provider busy, apart from the read path's."""
MAX_IN_FLIGHT: Final = 64
"""Distinct dialogue requests waiting at once; past it the route answers 503."""

Key = tuple[str, int, str, int | None]


@dataclass(frozen=True, slots=True)
class Spoken:
    """What one generation produced."""

    speaker: str
    subject: str
    generated: Generated[DialogueLine]


class TalkService:
    """Answers `POST .../npcs/{id}/talk`; owns a small thread pool and the in-flight table."""

    def __init__(
        self, gateway: LLMGateway, usage: UsageLog | None, *, workers: int = WORKERS
    ) -> None:
        self._gateway = gateway
        self._usage = usage
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="talk")
        self._in_flight: dict[Key, Future[Spoken]] = {}
        self._lock = threading.Lock()

    async def talk(
        self,
        engine: SnapshotEngine,
        npc_id: int,
        request: TalkRequest,
        *,
        user: str | None,
    ) -> TalkAnswer:
        """The NPC's line on the request's topic.

        Raises:
            NotFoundError: No such NPC or place.
            UnavailableError: Too many distinct dialogue requests in flight.
        """
        started = time.perf_counter()
        key: Key = (engine.snapshot_id, npc_id, request.topic, request.place_id)
        with self._lock:
            future = self._in_flight.get(key)
            shared = future is not None
            if future is None:
                if len(self._in_flight) >= MAX_IN_FLIGHT:
                    raise UnavailableError(
                        "too many dialogue requests in flight; try again shortly",
                        headers={"Retry-After": "1"},
                    )
                future = self._pool.submit(
                    self._generate, engine, npc_id, request.topic, request.place_id
                )
                self._in_flight[key] = future
        if not shared:
            # Outside the lock: a future already done runs its callback here and now.
            future.add_done_callback(lambda _done: self._forget(key))
        spoken = await asyncio.wrap_future(future)
        latency_ms = (time.perf_counter() - started) * 1000.0
        record = spoken.generated.record
        if self._usage is not None:
            self._usage.record(
                TalkRecord(
                    at=now(),
                    world_id=engine.world_id,
                    snapshot_id=engine.snapshot_id,
                    npc_id=npc_id,
                    topic=request.topic,
                    subject=spoken.subject,
                    user=user,
                    template=record.template,
                    template_hash=record.template_hash,
                    provider=record.provider,
                    model=record.model,
                    cache_key=record.cache_key,
                    cache_hit=record.cache_hit and not shared,
                    shared=shared,
                    prompt_tokens=0 if shared else record.prompt_tokens,
                    completion_tokens=0 if shared else record.completion_tokens,
                    latency_ms=latency_ms,
                    attempts=0 if shared else record.attempts,
                    outcome=record.outcome,
                    fallback_reason=record.fallback_reason,
                    detail=record.detail,
                )
            )
        return TalkAnswer(
            npc_id=npc_id,
            speaker=spoken.speaker,
            topic=request.topic,
            subject=spoken.subject,
            line=spoken.generated.value.line,
            source=record.outcome,
            fallback_reason=record.fallback_reason,
            cache_hit=record.cache_hit and not shared,
            attempts=0 if shared else record.attempts,
            shared=shared,
            latency_ms=round(latency_ms, 2),
        )

    def close(self) -> None:
        """Let calls in flight end, then stop the threads."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _forget(self, key: Key) -> None:
        with self._lock:
            self._in_flight.pop(key, None)

    def _generate(
        self, engine: SnapshotEngine, npc_id: int, topic: Topic, place_id: int | None
    ) -> Spoken:
        seeds = Seeds(engine.manifest.seed)
        speaker = read_speaker(engine, npc_id)
        subject = pick_subject(engine, speaker, topic, place_id, seeds)
        facts = dialogue_facts(speaker, topic, subject)
        seed = stable_key("dialogue", engine.manifest.seed, npc_id, topic, subject.name)[0]

        def fallback() -> DialogueLine:
            rng = seeds.stream("dialogue.line", npc_id, topic, subject.name)
            return write_line(speaker, topic, subject, rng=rng)

        generated = self._gateway.generate(DIALOGUE_PROMPT, facts, fallback=fallback, seed=seed)
        # The records live in talk_calls; the gateway's own list would grow without end.
        self._gateway.drain_records()
        return Spoken(speaker=speaker.full_name, subject=subject.name, generated=generated)
