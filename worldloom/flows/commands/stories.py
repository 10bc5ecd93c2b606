"""The stories commands: tell a world's stories, list or explain its arcs, and ask a notable
what they remember."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer

from worldloom.flows.commands.app import (
    LLM_HELP,
    Consoles,
    HomeOption,
    app,
    command,
    finished,
    frame_table,
    settings_for,
    writing_settings,
)
from worldloom.flows.commands.timeline import print_stories
from worldloom.flows.commands.world import resolve_world
from worldloom.flows.progress import stage_progress
from worldloom.flows.stories import stories_flow
from worldloom.infrastructure.llm import parse_provider
from worldloom.infrastructure.store import StoreError, open_store
from worldloom.infrastructure.store.frames import run_sql
from worldloom.systems.narrative.arc import why_not
from worldloom.systems.narrative.memory import recall as recall_memories
from worldloom.systems.world import ConfigError
from worldloom.tasks import catalog
from worldloom.tasks.story_year import story_clock
from worldloom.tasks.world_record import load_world

WorldArgument = Annotated[str, typer.Argument(help="World id (or a unique prefix of one).")]


@app.command()
@command
def stories(
    world: WorldArgument,
    llm: Annotated[str | None, typer.Option(help=LLM_HELP)] = None,
    home: HomeOption = None,
) -> None:
    """Tell a world's stories from its history (arcs, rumors, memories, quests, motifs,
    dialogue; simulate tells them as the years end), the leading ones retold through an LLM
    when one is given; prints what they hold."""
    settings = writing_settings(home)
    world_id = resolve_world(settings, world)
    provider = llm or settings.llm
    parse_provider(provider)
    with stage_progress(Consoles.err, f"Telling the stories of {world_id}"):
        told = finished(stories_flow(str(settings.home), world_id, provider, return_state=True))
    for key, value in told.model_dump().items():
        typer.echo(f"{key:<11} {value}")
    print_stories(str(settings.home), world_id)


@app.command()
@command
def arcs(
    world: WorldArgument,
    *,
    pattern: Annotated[
        str | None, typer.Option(help="Only the arcs of this pattern (data/arcs.toml).")
    ] = None,
    why_not_: Annotated[
        str | None,
        typer.Option(
            "--why-not",
            help="Explain, clause by clause, where this pattern stops matching the history.",
        ),
    ] = None,
    bind: Annotated[
        list[str] | None,
        typer.Option(help="With --why-not: fix a role, e.g. --bind attacker=3 (repeatable)."),
    ] = None,
    home: HomeOption = None,
) -> None:
    """List a world's arcs (the stories sifted from its history), or say why a pattern finds
    none (--why-not)."""
    patterns = catalog.arc_patterns()
    known = [p.name for p in patterns.patterns]
    asked = why_not_ or pattern
    if asked is not None and asked not in known:
        raise ConfigError(f"no arc pattern {asked!r}; patterns: {', '.join(known)}")
    bindings = _bindings(bind or [])
    if bindings and why_not_ is None:
        raise ConfigError("--bind fixes roles for --why-not: give --why-not PATTERN too")
    settings = settings_for(home)
    world_id = resolve_world(settings, world)
    with open_store(settings.world_db(world_id), read_only=True) as store:
        if why_not_ is not None:
            events = store.read("events", world_id)
            try:
                report = why_not(
                    patterns=patterns,
                    pattern=why_not_,
                    events=events,
                    run=run_sql,
                    bindings=bindings,
                )
            except ValueError as error:
                raise ConfigError(str(error)) from None
            for line in report.describe():
                typer.echo(line)
            return
        found = store.read("arcs", world_id)
    if pattern is not None:
        found = found.filter(pl.col("pattern") == pattern)
    days = catalog.calendar().days_per_year
    Consoles.out.print(
        frame_table(
            found.select(
                "arc_id",
                "pattern",
                "status",
                (pl.col("start_tick") // days).alias("from_year"),
                (pl.col("last_tick") // days).alias("to_year"),
                "title",
            ),
            title=f"Arcs of {world_id} ({found.height})",
        )
    )


def _bindings(given: list[str]) -> dict[str, int]:
    bindings = {}
    for item in given:
        role, _, value = item.partition("=")
        if not role or not value.lstrip("-").isdigit():
            raise ConfigError(f"--bind takes ROLE=ID (an entity id), got {item!r}")
        bindings[role] = int(value)
    return bindings


@app.command()
@command
def recall(
    world: WorldArgument,
    npc: Annotated[int, typer.Argument(help="The notable's npc_id.")],
    *,
    topic: Annotated[str, typer.Option(help="What to remember, e.g. 'war', 'the plague'.")],
    k: Annotated[int, typer.Option(min=1, max=50, help="How many memories.")] = 5,
    home: HomeOption = None,
) -> None:
    """What a notable remembers about a topic: their memories ranked by recency, importance
    and relevance (Generative Agents' retrieval)."""
    settings = settings_for(home)
    world_id = resolve_world(settings, world)
    with open_store(settings.world_db(world_id), read_only=True) as store:
        tick = load_world(store, world_id).tick
        person = store.read("npcs", world_id, where={"npc_id": npc})
        memories = store.read("memories", world_id, where={"npc_id": npc})
    if person.height == 0 or not person["notable"][0]:
        raise StoreError(f"world {world_id!r} has no notable with npc_id {npc}")
    found = recall_memories(
        memories,
        npc_id=npc,
        topic=topic,
        now_tick=story_clock(tick),
        k=k,
        rules=catalog.memory_rules(),
    )
    name = f"{person['name'][0]} {person['family_name'][0]}"
    Consoles.out.print(
        frame_table(
            found.select("tick", "how", "score", "text"),
            title=f"{name} remembers ({topic})",
        )
    )
