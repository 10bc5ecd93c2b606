"""The stories' LLM text: the arcs a reader sees first summarised, the rumors most widely held
retold, the leading notables' latest reflections, and their greetings, rumors and quest offers
spoken (an offer is also its quest's text), through the LLM gateway (cache, budgets and
deadline as for the world's prose). A text the checks refuse (or no answer) keeps its
procedural version; `--llm none` never comes here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from worldloom.infrastructure.llm import CallRecord, LLMGateway
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import WorldStore, open_store
from worldloom.prompts.dialogue import DIALOGUE_PROMPT, DialogueFacts, DialogueLine
from worldloom.prompts.story import STORY_PROMPT, StoryFacts, StoryText
from worldloom.systems.narrative import Names
from worldloom.systems.narrative.dialogue import LineFacts, line_facts, names_in
from worldloom.systems.narrative.memory import reflection_facts
from worldloom.systems.narrative.motif import MotifScores, surface_arcs, tone
from worldloom.systems.narrative.rumor import tell_event
from worldloom.systems.rng import Seeds
from worldloom.tasks import catalog
from worldloom.tasks.motifs_dialogue import dialogue_inputs
from worldloom.tasks.prose import CallLog, gateway_for
from worldloom.tasks.story_book import world_names
from worldloom.tasks.world_record import load_world, world_db

ARCS = 8
"""Arcs summarised: those a reader of the world sees first."""
RUMORS = 8
"""Rumors retold: the most widely held."""
SPEAKERS = 8
"""Notables who speak through the LLM (rulers first, then by id)."""
SPOKEN = frozenset({"greeting", "rumor", "quest"})
"""The kinds of line the dialogue prompt writes (memories and farewells stay procedural)."""
_EVENTS, _NAMES, _FACT = 8, 12, 150

Record = Callable[[str, CallRecord], None]


@task(name="retell-stories", cache_policy=NO_CACHE, task_run_name="retell-stories · {world_id}")
def retell_stories(*, home: str, world_id: str, llm: str, run_id: str) -> dict[str, int]:
    """Ask `llm` for the arcs' summaries, the rumors' telling and the notables' lines; returns
    how many calls ended as llm / cache / fallback."""
    path = world_db(home, world_id)
    with open_store(path, read_only=True) as store:
        world = load_world(store, world_id)
        names = world_names(store, world_id)
        tables = {
            name: store.read(name, world_id)
            for name in ("arcs", "arc_events", "motifs", "region_motifs", "rumor_beliefs")
        }
        tables["versions"] = store.read("rumor_versions", world_id)
        tables["events"] = _arc_and_rumor_events(store, world_id, tables)
        inputs = dialogue_inputs(store, world_id)
        lines = store.read("dialogue_lines", world_id)
        reflections = store.read("reflections", world_id)
        people = store.read("npcs", world_id, where={"notable": True})
        tiers = dict(
            store.read("settlements", world_id).select("settlement_id", "tier").iter_rows()
        )
    scores = MotifScores(
        world=tables["motifs"],
        regions=tables["region_motifs"],
        arcs=tables["arcs"],
        table=catalog.motif_table(),
    )
    seeds = Seeds(world.config.seed)
    outcomes: dict[str, int] = {}
    log = CallLog(path, world_id=world_id, run_id=run_id, stage="stories")

    def record(entity: str, call: CallRecord) -> None:
        outcomes[call.outcome] = outcomes.get(call.outcome, 0) + 1
        log(entity, call)

    with gateway_for(Settings(home=Path(home)), llm) as gateway:
        teller = _Teller(
            gateway=gateway, names=names, known=names.known(), seeds=seeds, record=record
        )
        try:
            arcs = _summaries(teller, tables, scores)
            versions = _rumors(teller, tables, scores)
            thoughts = _reflections(teller, reflections, inputs=inputs)
            spoken, offers = _lines(
                teller, lines, inputs=inputs, people=people, tiers=tiers, scores=scores
            )
        finally:
            log.flush()
            gateway.drain_records()
    with open_store(path) as store:
        store.replace_rows(
            world_id,
            {
                "arcs": arcs,
                "rumor_versions": versions,
                "reflections": thoughts,
                "dialogue_lines": spoken,
                "quests": _with_texts(inputs["quests"], offers),
            },
        )
    get_run_logger().info("stories via %s: %s", llm, outcomes)
    return outcomes


def _arc_and_rumor_events(
    store: WorldStore, world_id: str, tables: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    wanted = set(tables["arc_events"]["event_id"]) | set(tables["rumor_beliefs"]["rumor_id"])
    first = min(wanted, default=0)
    events = store.read("events", world_id, after={"event_id": first - 1})
    return events.filter(pl.col("event_id").is_in(list(wanted)))


def _told(event: dict[str, Any], names: Names) -> str:
    texts = catalog.rumor_rules().texts
    telling = tell_event(event, texts=texts, names=names, numbers=frozenset())
    return telling.render(names)[:_FACT]


@dataclass(frozen=True, slots=True)
class _Teller:
    """What every retelling asks through: the gateway, the world's names and seeds, and the
    call log."""

    gateway: LLMGateway
    names: Names
    seeds: Seeds
    record: Record
    known: frozenset[str]
    """Every name in the world (`Names.known`), gathered once: a world has tens of thousands."""

    def seed(self, kind: str, key: int) -> int:
        return int(self.seeds.stream(f"llm.story.{kind}", key).integers(2**31))

    def story(self, facts: StoryFacts, *, entity: str, key: int) -> str | None:
        """The accepted retelling, or None (the procedural text stays)."""
        answer = self.gateway.generate(
            STORY_PROMPT, facts, fallback=_no_story, seed=self.seed(facts.kind, key)
        )
        self.record(entity, answer.record)
        if answer.record.outcome == "fallback" or not isinstance(answer.value, StoryText):
            return None
        return answer.value.text


def _no_story() -> StoryText:
    """The fallback's stand-in: never read, as a fallback keeps the procedural text."""
    return StoryText.model_construct(text="")


def _summaries(
    teller: _Teller, tables: dict[str, pl.DataFrame], scores: MotifScores
) -> pl.DataFrame:
    arcs = tables["arcs"]
    chosen = surface_arcs(arcs, scores, region_id=None, k=ARCS)
    events = tables["events"]
    summaries: dict[int, str] = {}
    for arc in chosen.iter_rows(named=True):
        ids = tables["arc_events"].filter(pl.col("arc_id") == arc["arc_id"])["event_id"]
        told = [
            _told(event, teller.names)
            for event in events.filter(pl.col("event_id").is_in(ids.to_list())).iter_rows(
                named=True
            )
        ][:_EVENTS]
        facts = StoryFacts(
            kind="arc",
            title=arc["title"][:120],
            events=tuple(told) or (arc["summary"][:_FACT],),
            names=_names_of([arc["title"], *told], teller.known),
            tone=tone(scores, region_id=None).phrase[:60],
        )
        text = teller.story(facts, entity=f"arc {arc['arc_id']}", key=arc["arc_id"])
        if text is not None:
            summaries[arc["arc_id"]] = text
    return arcs.with_columns(
        pl.col("arc_id").replace_strict(summaries, default=pl.col("summary")).alias("summary")
    )


def _rumors(teller: _Teller, tables: dict[str, pl.DataFrame], scores: MotifScores) -> pl.DataFrame:
    versions = tables["versions"]
    widest = (
        tables["rumor_beliefs"]
        .group_by("rumor_id", "version")
        .agg(pl.len().alias("places"))
        .sort(["places", "rumor_id", "version"], descending=[True, False, False])
        .head(RUMORS)
    )
    events = {row["event_id"]: row for row in tables["events"].iter_rows(named=True)}
    retold: dict[tuple[int, int], str] = {}
    for rumor_id, version in widest.select("rumor_id", "version").iter_rows():
        told = versions.filter(
            (pl.col("rumor_id") == rumor_id) & (pl.col("version") == version)
        ).row(0, named=True)
        truth = _told(events[rumor_id], teller.names) if rumor_id in events else told["text"]
        facts = StoryFacts(
            kind="rumor",
            title=str(events.get(rumor_id, {}).get("type", "news")).replace("_", " "),
            events=(truth[:_FACT],),
            names=_names_of([truth, told["text"]], teller.known),
            tone=tone(scores, region_id=None).phrase[:60],
            told_as=told["text"][:200],
        )
        text = teller.story(
            facts, entity=f"rumor {rumor_id}.{version}", key=rumor_id * 64 + version
        )
        if text is not None:
            retold[(rumor_id, version)] = text
    return versions.with_columns(
        pl.struct("rumor_id", "version")
        .map_elements(
            lambda key: retold.get((key["rumor_id"], key["version"])), return_dtype=pl.String
        )
        .fill_null(pl.col("text"))
        .alias("text")
    )


def _names_of(texts: list[str], known: frozenset[str]) -> tuple[str, ...]:
    found = sorted(set().union(*(names_in(text, known) for text in texts)))
    return tuple(found[:_NAMES]) or ("the world",)


def _lines(
    teller: _Teller,
    lines: pl.DataFrame,
    *,
    inputs: dict[str, pl.DataFrame],
    people: pl.DataFrame,
    tiers: dict[int, str],
    scores: MotifScores,
) -> tuple[pl.DataFrame, dict[int, str]]:
    """The leading notables' spoken lines through the dialogue prompt (source `llm`), and the
    accepted quest offers by quest id."""
    speakers = inputs["speakers"]
    order = speakers.sort(pl.col("notable_role") != "ruler", "npc_id").head(SPEAKERS)["npc_id"]
    person = {row["npc_id"]: row for row in people.iter_rows(named=True)}
    rewritten: dict[tuple[int, str, int], str] = {}
    offers: dict[int, str] = {}
    chosen = lines.filter(pl.col("npc_id").is_in(order.to_list()) & pl.col("kind").is_in(SPOKEN))
    # A quest's offer is its first line (the steps follow it).
    first = (
        chosen.filter(pl.col("quest_id").is_not_null())
        .group_by("quest_id")
        .agg(pl.col("position").min())
    )
    offer_at = {(int(q), int(p)) for q, p in first.iter_rows()}
    for line in chosen.iter_rows(named=True):
        facts = line_facts(line, motifs=scores, names=teller.names, **inputs)
        asked = _spoken(facts, person[facts.npc_id], tiers)
        answer = teller.gateway.generate(
            DIALOGUE_PROMPT,
            asked,
            fallback=_no_line,
            seed=teller.seed("line", facts.npc_id * 1024 + line["position"]),
        )
        teller.record(f"line {line['npc_id']} {line['node']} {line['position']}", answer.record)
        if answer.record.outcome != "fallback" and isinstance(answer.value, DialogueLine):
            rewritten[(line["npc_id"], line["node"], line["position"])] = answer.value.line
            if (line["quest_id"], line["position"]) in offer_at:
                offers[int(line["quest_id"])] = answer.value.line
    if not rewritten:
        return lines, offers
    keyed = pl.DataFrame(
        [(*key, text) for key, text in rewritten.items()],
        schema={"npc_id": pl.Int64, "node": pl.String, "position": pl.Int16, "llm": pl.String},
        orient="row",
    )
    spoken = (
        lines.join(keyed, on=["npc_id", "node", "position"], how="left")
        .with_columns(
            pl.coalesce("llm", "text").alias("text"),
            pl.when(pl.col("llm").is_null())
            .then(pl.col("source"))
            .otherwise(pl.lit("llm"))
            .alias("source"),
        )
        .drop("llm")
    )
    return spoken, offers


def _with_texts(quests: pl.DataFrame, offers: dict[int, str]) -> pl.DataFrame:
    """Quests whose offer the LLM spoke take it as their text."""
    return quests.with_columns(
        pl.col("quest_id").replace_strict(offers, default=pl.col("text")).alias("text")
    )


def _reflections(
    teller: _Teller, reflections: pl.DataFrame, *, inputs: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """The leading notables' latest reflections, in their words (source `llm`)."""
    speakers = inputs["speakers"].sort(pl.col("notable_role") != "ruler", "npc_id")
    latest = (
        reflections.filter(pl.col("npc_id").is_in(speakers["npc_id"].head(SPEAKERS).to_list()))
        .sort("reflection_id")
        .group_by("npc_id", maintain_order=True)
        .last()
    )
    thought: dict[int, str] = {}
    for reflection_id in latest["reflection_id"]:
        facts = reflection_facts(
            reflection_id=reflection_id,
            reflections=reflections,
            memories=inputs["memories"],
            names=teller.names,
        )
        who = facts.npc_name or "someone"
        remembered = tuple(m.text[:_FACT] for m in facts.memories)[:_EVENTS]
        story = StoryFacts(
            kind="reflection",
            title=who[:120],
            events=remembered or (who,),
            names=_names_of([who, *remembered], teller.known),
        )
        text = teller.story(story, entity=f"reflection {reflection_id}", key=reflection_id)
        if text is not None:
            thought[reflection_id] = text
    return reflections.with_columns(
        pl.col("reflection_id").replace_strict(thought, default=pl.col("text")).alias("text"),
        pl.when(pl.col("reflection_id").is_in(list(thought)))
        .then(pl.lit("llm"))
        .otherwise(pl.col("source"))
        .alias("source"),
    )


def _spoken(facts: LineFacts, person: dict[str, Any], tiers: dict[int, str]) -> DialogueFacts:
    topic: Literal["greeting", "rumor", "quest"] = (
        "rumor" if facts.kind == "rumor" else "quest" if facts.kind == "quest" else "greeting"
    )
    others = sorted(facts.allowed_names - {facts.speaker, facts.settlement, facts.region})
    return DialogueFacts(
        speaker=facts.speaker[:80],
        age=min(int(person["age"]), 150),
        sex="male" if person["sex"] == "male" else "female",
        profession=str(person["profession"])[:40],
        role=(facts.role or "")[:40],
        traits=facts.traits[:3],
        home=facts.settlement[:80],
        home_kind=tiers.get(int(person["settlement_id"]), "village")[:20],
        region=facts.region[:80],
        topic=topic,
        subject=(others[0] if others else facts.settlement)[:80] if topic != "greeting" else "",
        subject_facts=(facts.topic[:_FACT],) if facts.topic else (),
        names=tuple(name[:80] for name in others[:8]),
    )


def _no_line() -> DialogueLine:
    """The fallback's stand-in: never read, as a fallback keeps the procedural line."""
    return DialogueLine.model_construct(line="")
