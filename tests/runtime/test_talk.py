"""On-demand dialogue: grounded facts, a procedural line for every topic, the gateway's cache
and provider, identical requests in flight sharing one call, a record per request."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.infrastructure.llm.scripted import ScriptedEndpoint, answer, slow
from tests.runtime.servers import RuntimeWorld, Server
from worldloom.infrastructure.llm import GatewayLimits, LLMGateway, open_gateway
from worldloom.prompts.dialogue import DIALOGUE_PROMPT, EXAMPLE_FACTS, LINE, DialogueLine
from worldloom.runtime.engine import SnapshotEngine
from worldloom.runtime.errors import NotFoundError, UnavailableError
from worldloom.runtime.models import TalkRequest
from worldloom.runtime.talk import service as service_module
from worldloom.runtime.talk.line import write_line
from worldloom.runtime.talk.service import TalkService
from worldloom.runtime.talk.subject import (
    Subject,
    dialogue_facts,
    pick_subject,
    read_speaker,
    subject_statements,
)
from worldloom.runtime.usage import UsageLog, usage_path
from worldloom.systems.rng import Seeds

pytestmark = [pytest.mark.flow]

ENVIRON = {"OPENAI_API_KEY": "sk-test", "WORLDLOOM_OPENAI_BASE_URL": "http://llm.test/v1"}


@pytest.fixture(scope="module")
def engine(runtime_world: RuntimeWorld) -> SnapshotEngine:
    return SnapshotEngine.load(runtime_world.snapshot, threads=1)


@pytest.fixture(scope="module")
def notable(engine: SnapshotEngine) -> int:
    return int(engine.scalar('SELECT min(npc_id) FROM "npcs" WHERE notable'))


def gateway_for(endpoint: ScriptedEndpoint, cache: Path) -> LLMGateway:
    return open_gateway(
        "openai/test-model",
        cache_dir=cache,
        limits=GatewayLimits(http_retries=0, max_calls=50),
        http_client=endpoint.client(),
        environ=ENVIRON,
    )


@pytest.fixture
def usage(home: Path) -> Iterator[UsageLog]:
    log = UsageLog(usage_path(home))
    yield log
    log.close()


@pytest.mark.parametrize("topic", ["greeting", "rumor", "quest", "place"])
def test_every_topic_has_grounded_facts_and_a_line(
    engine: SnapshotEngine, notable: int, topic: str
) -> None:
    seeds = Seeds(engine.manifest.seed)
    speaker = read_speaker(engine, notable)
    subject = pick_subject(engine, speaker, topic, None, seeds)  # type: ignore[arg-type]
    assert subject == pick_subject(engine, speaker, topic, None, seeds)  # type: ignore[arg-type]
    facts = dialogue_facts(speaker, topic, subject)  # type: ignore[arg-type]
    known = facts.validation_context()["known_names"]
    assert speaker.full_name in known
    assert speaker.home in known
    if topic != "greeting":
        assert subject.kind != "none"
        assert subject.name in known
    line = write_line(speaker, topic, subject, rng=seeds.stream("t", topic))  # type: ignore[arg-type]
    # The procedural line passes the same contract the model's answer must.
    checked = DialogueLine.model_validate({"line": line.line}, context=facts.validation_context())
    assert LINE.min_length <= len(checked.line) <= LINE.max_length
    if topic != "greeting":
        assert subject.name.lower() in line.line.lower()


def test_a_place_by_id_and_an_unknown_one(engine: SnapshotEngine, notable: int) -> None:
    seeds = Seeds(engine.manifest.seed)
    speaker = read_speaker(engine, notable)
    poi = int(engine.scalar('SELECT min(poi_id) FROM "pois"'))
    subject = pick_subject(engine, speaker, "place", poi, seeds)
    assert subject.name == engine.scalar('SELECT name FROM "pois" WHERE poi_id = ?', [poi])
    town = pick_subject(engine, speaker, "place", 1, seeds)
    assert town.population
    with pytest.raises(NotFoundError, match="no settlement or POI 999999"):
        pick_subject(engine, speaker, "place", 999_999, seeds)
    with pytest.raises(NotFoundError, match="has no npc"):
        read_speaker(engine, 10**9)


@pytest.mark.parametrize(
    ("subject", "words"),
    [
        (Subject(kind="none"), ()),
        (
            Subject(kind="market", name="Salt", what="salt", other="Ashford", detail="9 copper"),
            ("salt is dear at the market of Ashford", "9 copper"),
        ),
        (
            Subject(kind="feud", name="Ashford", other="Bree", detail="at war"),
            ("Ashford and Bree are at war",),
        ),
        (
            Subject(
                kind="place",
                name="Deep",
                what="cave",
                days=1,
                direction="east",
                danger=7,
                detail="goblins",
            ),
            ("a cave", "a day's walk east", "danger 7 of 10"),
        ),
    ],
)
def test_subject_statements(subject: Subject, words: tuple[str, ...]) -> None:
    assert subject_statements(subject) == words or all(
        any(w in s for s in subject_statements(subject)) for w in words
    )


def test_lines_follow_character_and_subject(engine: SnapshotEngine, notable: int) -> None:
    from dataclasses import replace

    speaker = read_speaker(engine, notable)
    seeds = Seeds(1)
    commoner = replace(speaker, role="", traits=("paranoid",))
    curt = write_line(commoner, "greeting", Subject(kind="none"), rng=seeds.stream("a")).line
    assert speaker.first_name in curt or speaker.full_name in curt
    market = Subject(
        kind="market", name="Salt", what="salt", other="Ashford", detail="9 copper a unit"
    )
    assert (
        "dear at the market of Ashford"
        in write_line(speaker, "rumor", market, rng=seeds.stream("b")).line
    )
    feud = Subject(kind="feud", name="Ashford", other="Bree", detail="at war")
    assert (
        "Ashford and Bree are at war"
        in write_line(speaker, "rumor", feud, rng=seeds.stream("c")).line
    )
    nothing = write_line(speaker, "quest", Subject(kind="none"), rng=seeds.stream("d")).line
    assert "no work" in nothing
    far = Subject(kind="place", name="Deep", what="cave", days=5, direction="", danger=1)
    assert "without fear" in write_line(speaker, "place", far, rng=seeds.stream("e")).line
    plain = Subject(kind="place", name="Deep", what="ruin", days=2, direction="north")
    assert "Bring back word" in write_line(speaker, "quest", plain, rng=seeds.stream("f")).line
    near = replace(speaker, home="Ash")
    lair = replace(plain, name="Den", days=1, detail="wolves")
    assert write_line(near, "quest", lair, rng=seeds.stream("h")).line == (
        "If you have a strong arm, go to Den, a ruin a day's walk north of Ash. "
        "Clear it of wolves and Ash will remember you."
    )
    far_home = replace(speaker, home="Vellivenza Bay")
    halls = replace(lair, name="The Halls of Vorgarkar", what="dungeon", days=5)
    halls = replace(halls, detail="ghouls and minotaurs")
    asked = write_line(far_home, "quest", halls, rng=seeds.stream("i")).line
    assert asked == (
        "Go to The Halls of Vorgarkar, a dungeon 5 days' walk north of Vellivenza Bay. "
        "Clear it of ghouls and minotaurs and Vellivenza Bay will remember you."
    )
    assert len(asked) <= LINE.max_length
    long_name = replace(speaker, home="X" * 300, role="")
    assert (
        len(write_line(long_name, "greeting", Subject(kind="none"), rng=seeds.stream("g")).line)
        <= LINE.max_length
    )


def test_identical_requests_share_one_provider_call(
    engine: SnapshotEngine, notable: int, home: Path, usage: UsageLog
) -> None:
    speaker = read_speaker(engine, notable)
    line = f"Well met, traveller. I am {speaker.first_name}, and this is {speaker.home}."
    endpoint = ScriptedEndpoint(slow(answer({"line": line}), 0.5))
    gateway = gateway_for(endpoint, home / "llm-cache")
    talk = TalkService(gateway, usage)

    async def five() -> list[object]:
        asks = [talk.talk(engine, notable, TalkRequest(), user="ann") for _ in range(5)]
        return list(await asyncio.gather(*asks))

    try:
        answers = asyncio.run(five())
        again = asyncio.run(talk.talk(engine, notable, TalkRequest(), user="ann"))
    finally:
        talk.close()
        gateway.close()
    assert len(endpoint.requests) == 1
    assert {a.line for a in answers} == {line}  # type: ignore[attr-defined]
    assert sorted(a.shared for a in answers) == [False, True, True, True, True]  # type: ignore[attr-defined]
    assert {a.source for a in answers} == {"llm"}  # type: ignore[attr-defined]
    assert again.source == "cache"
    assert again.line == line
    assert not again.shared
    usage.close()
    with sqlite3.connect(usage_path(home)) as db:
        rows = db.execute(
            "SELECT cache_hit, shared, outcome, attempts, user FROM talk_calls ORDER BY at"
        ).fetchall()
    assert len(rows) == 6
    assert sum(r[1] for r in rows) == 4
    assert sum(r[0] for r in rows) == 1
    assert sum(1 for r in rows if r[3] > 0) == 1
    assert {r[4] for r in rows} == {"ann"}


def test_a_bad_answer_falls_back_and_is_remembered(
    engine: SnapshotEngine, notable: int, home: Path
) -> None:
    endpoint = ScriptedEndpoint(answer({"line": "Greetings from Paris, in the real world."}))
    gateway = gateway_for(endpoint, home / "llm-cache")
    talk = TalkService(gateway, None)
    try:
        first = asyncio.run(talk.talk(engine, notable, TalkRequest(topic="rumor"), user=None))
        second = asyncio.run(talk.talk(engine, notable, TalkRequest(topic="rumor"), user=None))
    finally:
        talk.close()
        gateway.close()
    assert first.source == "fallback"
    assert first.fallback_reason == "validation"
    assert second.line == first.line
    calls = len(endpoint.requests)
    assert calls <= 2  # the first ask and one re-ask; the second request asks nothing


def test_answers_done_at_once_do_not_block(engine: SnapshotEngine, notable: int) -> None:
    # With provider none the answer is ready before the caller registers for it.
    gateway = open_gateway("none", cache_dir=None)
    talk = TalkService(gateway, None, workers=1)

    async def many() -> list[object]:
        return [await talk.talk(engine, notable, TalkRequest(), user=None) for _ in range(30)]

    try:
        assert len(asyncio.run(asyncio.wait_for(many(), timeout=60))) == 30
    finally:
        talk.close()
        gateway.close()


def test_too_many_requests_in_flight(
    engine: SnapshotEngine, notable: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = ScriptedEndpoint(slow(answer({"line": "Hello there, friend."}), 0.3))
    gateway = gateway_for(endpoint, None)  # type: ignore[arg-type]
    talk = TalkService(gateway, None, workers=1)
    monkeypatch.setattr(service_module, "MAX_IN_FLIGHT", 1)

    async def two() -> None:
        first = asyncio.ensure_future(talk.talk(engine, notable, TalkRequest(), user=None))
        await asyncio.sleep(0.05)
        try:
            with pytest.raises(UnavailableError, match="too many dialogue requests"):
                await talk.talk(engine, notable, TalkRequest(topic="quest"), user=None)
        finally:
            await first

    try:
        asyncio.run(two())
    finally:
        talk.close()
        gateway.close()


def test_the_talk_route(api_server: Server) -> None:
    api = api_server.client(api_server.reader)
    base = f"/worlds/{api_server.world_id}"
    npc = api.get(f"{base}/npcs", params={"notable": "true", "limit": 1}).json()["items"][0]
    started = time.perf_counter()
    response = api.post(f"{base}/npcs/{npc['npc_id']}/talk", json={"topic": "quest"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["snapshot_id"] == api_server.snapshot_id
    assert response.headers["x-worldloom-snapshot"] == api_server.snapshot_id
    data = body["data"]
    assert data["speaker"].startswith(npc["name"])
    assert data["source"] == "fallback"
    assert data["fallback_reason"] == "llm_disabled"
    assert data["subject"]
    assert data["subject"] in data["line"]
    assert time.perf_counter() - started < 5
    place = api.post(f"{base}/npcs/{npc['npc_id']}/talk", json={"topic": "place", "place_id": 0})
    assert place.json()["data"]["subject"]
    missing = api.post(
        f"{base}/npcs/{npc['npc_id']}/talk", json={"topic": "place", "place_id": 10**6}
    )
    assert missing.status_code == 404
    assert api.post(f"{base}/npcs/999999999/talk", json={}).status_code == 404
    assert api_server.client().post(f"{base}/npcs/0/talk", json={}).status_code == 401
    assert isinstance(httpx.Response, type)


def test_the_prompt_renders(engine: SnapshotEngine) -> None:
    from worldloom.infrastructure.llm import PromptRenderer

    for facts in EXAMPLE_FACTS:
        rendered = PromptRenderer().render(DIALOGUE_PROMPT, facts)
        assert facts.speaker in rendered.user
        assert "JSON" in rendered.system
