"""CLI progress for in-process flow runs: a spinner fed by Prefect's run loggers."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.status import Status

_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


class _StageHandler(logging.Handler):
    """Shows the running task or flow in the spinner and prints each finished task once."""

    def __init__(self, console: Console, status: Status, title: str) -> None:
        super().__init__(logging.INFO)
        self._console, self._status, self._title = console, status, title
        self._started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        name = str(getattr(record, "task_run_name", None) or getattr(record, "flow_run_name", ""))
        message = record.getMessage()
        if message.startswith("Finished in state"):
            took = time.monotonic() - self._started.pop(name, time.monotonic())
            state = message.removeprefix("Finished in state ").split("(")[0]
            if record.name == "prefect.task_runs":
                self._console.print(f"  {name:<44} {state:<10} {took:6.2f} s", highlight=False)
            return
        self._started.setdefault(name, time.monotonic())
        self._status.update(f"{self._title} · {name}")


@contextmanager
def stage_progress(console: Console, title: str) -> Iterator[None]:
    """A spinner titled `title` while flows run in this process, with a line per task."""
    with console.status(title) as status:
        handler = _StageHandler(console, status, title)
        loggers = [logging.getLogger(name) for name in _RUN_LOGGERS]
        for logger in loggers:
            logger.addHandler(handler)
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeHandler(handler)
