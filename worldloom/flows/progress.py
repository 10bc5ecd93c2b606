"""CLI progress for in-process flow runs: a spinner fed by Prefect's run loggers."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.status import Status

from worldloom.flows.warm_server import flow_api

_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")
_RUN_SUFFIX = re.compile(r"-[0-9a-f]{3}$")
"""Prefect names task runs `<task>-<3 hex>`; the task name is what a reader wants."""


class _StageHandler(logging.Handler):
    """Shows the running task or flow in the spinner and prints each finished task once."""

    def __init__(self, console: Console, status: Status, title: str) -> None:
        super().__init__(logging.INFO)
        self._console, self._status, self._title = console, status, title
        self._last = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        run_name = getattr(record, "task_run_name", None) or getattr(record, "flow_run_name", "")
        name = _RUN_SUFFIX.sub("", str(run_name))
        message = record.getMessage()
        if message.startswith("Finished in state") and record.name == "prefect.task_runs":
            # Tasks run one after another, so a task took the time since the last one ended.
            now = time.monotonic()
            state = message.removeprefix("Finished in state ").split("(")[0]
            # `<task> · <world>`: the command's title already names the world.
            task = name.partition(" · ")[0]
            self._console.print(
                f"  {task:<28} {state:<10} {now - self._last:6.2f} s", highlight=False
            )
            self._last = now
            return
        self._status.update(f"{self._title} · {name}")


@contextmanager
def stage_progress(console: Console, title: str) -> Iterator[None]:
    """A spinner titled `title` while flows run in this process, with a line per task; the
    flows report to the warm local server (`flow_api`)."""
    with flow_api(), console.status(title) as status:
        handler = _StageHandler(console, status, title)
        loggers = [logging.getLogger(name) for name in _RUN_LOGGERS]
        for logger in loggers:
            logger.addHandler(handler)
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeHandler(handler)
