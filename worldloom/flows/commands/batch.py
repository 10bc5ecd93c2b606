"""`worldloom batch`: many worlds, a seed each, generated as parallel runs on a chosen runner."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.status import Status

from worldloom.flows.batch import OUTCOME_LOG_PREFIX, BatchParams, SeedOutcome, batch_worlds
from worldloom.flows.commands.app import (
    LLM_HELP,
    Consoles,
    EconomyTicksOption,
    HomeOption,
    OverridesOption,
    PresetOption,
    app,
    command,
    finished,
    writing_settings,
)
from worldloom.flows.commands.world import parse_overrides
from worldloom.flows.runners import LOCAL, RUNNER_HELP, parse_runner, task_runner
from worldloom.flows.warm_server import flow_api
from worldloom.infrastructure.llm import parse_provider
from worldloom.systems.world import ConfigError
from worldloom.tasks.plan import plan_world

MAX_SEEDS = 100_000
"""More worlds than this in one batch is a typo (`1-1000000`), not a plan."""


def parse_seeds(spec: str) -> tuple[int, ...]:
    """Seeds from `1-100`, `1,5,9` or a mix (`1-3,10,20-22`), in the order given.

    Raises:
        ConfigError: an empty, malformed, reversed or repeated item, or too many seeds.
    """
    seeds: list[int] = []
    for item in spec.split(","):
        low, dash, high = item.strip().partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise ConfigError(
                f"bad --seeds item {item.strip()!r} in {spec!r}: use 1-100, 1,5,9 or a mix"
            ) from None
        if first < 0 or last < first:
            raise ConfigError(f"bad --seeds range {item.strip()!r}: seeds run up from 0")
        if len(seeds) + last - first + 1 > MAX_SEEDS:
            raise ConfigError(f"--seeds {spec!r} names more than {MAX_SEEDS:,} worlds")
        seeds.extend(range(first, last + 1))
    repeated = sorted(seed for seed, times in Counter(seeds).items() if times > 1)
    if repeated:
        shown = ", ".join(map(str, repeated[:5]))
        raise ConfigError(f"--seeds {spec!r} names seeds more than once ({shown})")
    return tuple(seeds)


def check_world_ids(params: BatchParams) -> None:
    """Plan every seed's world (cheap: no generation) and refuse a batch in which two seeds
    would make the same world id, as they would overwrite each other in the home."""
    owners: dict[str, int] = {}
    for seed in params.seeds:
        plan = plan_world(seed=seed, preset=params.preset, name=None, overrides=params.overrides)
        if plan.world_id in owners:
            raise ConfigError(
                f"seeds {owners[plan.world_id]} and {seed} both make world {plan.world_id}"
            )
        owners[plan.world_id] = seed


class _BatchProgress(logging.Handler):
    """Counts the batch flow's finished worlds in the spinner and prints each one on stderr."""

    def __init__(self, console: Console, status: Status, title: str, total: int) -> None:
        super().__init__(logging.INFO)
        self._console, self._status, self._title = console, status, title
        self._total, self._done = total, 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(OUTCOME_LOG_PREFIX):
            return
        self._done += 1
        line = message.removeprefix(OUTCOME_LOG_PREFIX).strip()
        self._console.print(
            f"  [{self._done}/{self._total}] {line}", highlight=False, markup=False, soft_wrap=True
        )
        self._status.update(f"{self._title} · {self._done}/{self._total} done")


@contextmanager
def batch_progress(console: Console, title: str, total: int) -> Iterator[None]:
    """A spinner counting finished worlds while the batch flow runs in this process."""
    with console.status(title) as status:
        handler = _BatchProgress(console, status, title, total)
        logger = logging.getLogger("prefect.flow_runs")
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)


@app.command()
@command
def batch(
    *,
    seeds: Annotated[str, typer.Option(help="Seeds: 1-100, 1,5,9, or a mix (1-3,10).")],
    preset: PresetOption = "tiny",
    runner: Annotated[str, typer.Option(help=f"Where worlds run: {RUNNER_HELP}.")] = LOCAL,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worlds at once: Dask worker processes (dask) or threads (local); default "
            "one per core, at most 4.",
            min=1,
            max=64,
        ),
    ] = None,
    llm: Annotated[str, typer.Option(help=LLM_HELP.replace("$WORLDLOOM_LLM or ", ""))] = "none",
    set_: OverridesOption = None,
    economy_ticks: EconomyTicksOption = 60,
    home: HomeOption = None,
) -> None:
    """Generate a world per seed as parallel runs (threads, or a Dask cluster); prints a line
    per world (seed, world id, snapshot) and the batch's worlds per minute. A failed seed does
    not stop the others; the command then exits 1 naming them."""
    try:
        chosen = parse_runner(runner)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    parse_provider(llm)
    settings = writing_settings(home)
    params = BatchParams(
        seeds=parse_seeds(seeds),
        preset=preset,
        overrides=parse_overrides(set_ or []),
        home=str(settings.home),
        llm=llm,
        economy_ticks=economy_ticks,
        runner=chosen,
    )
    check_world_ids(params)  # also refuses a bad preset or --set before anything starts
    count = len(params.seeds)
    flow = batch_worlds.with_options(task_runner=task_runner(chosen, workers=workers))
    title = f"Generating {count} {preset} worlds on {chosen}"
    started = time.perf_counter()
    # The warm local server when there is one (or it is to start now); else, for worker
    # processes, one ephemeral server they share with this process.
    with flow_api(chosen), batch_progress(Consoles.err, title, count):
        outcomes = finished(flow(params, return_state=True))
    print_outcomes(outcomes, seconds=time.perf_counter() - started, runner=chosen)
    failed = [outcome.seed for outcome in outcomes if not outcome.ok]
    if failed:
        Consoles.err.print(
            f"error: {len(failed)} of {count} seeds failed: {', '.join(map(str, failed))}",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(1)


def print_outcomes(outcomes: list[SeedOutcome], *, seconds: float, runner: str) -> None:
    """A plain line per seed (`seed  world  snapshot`, or `failed: why`), then the rate."""
    for outcome in outcomes:
        where = outcome.snapshot if outcome.ok else f"failed: {outcome.error}"
        typer.echo(f"{outcome.seed:<8}{outcome.world_id or '-':<24}{where}")
    made = sum(outcome.ok for outcome in outcomes)
    rate = made / seconds * 60 if seconds > 0 else 0.0
    typer.echo(
        f"batch   {made} of {len(outcomes)} worlds in {seconds:.1f} s on {runner}: "
        f"{rate:.2f} worlds/min"
    )
