"""What every `worldloom` command shares: the app and its sub-apps, the consoles, the wrapper
that turns errors into one line and an exit code, and the options many commands take."""

from __future__ import annotations

import functools
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from prefect.client.schemas.objects import State
from prefect.settings import PREFECT_UI_URL
from rich.console import Console, ConsoleDimensions
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from worldloom.flows.commands.failure import check_writable, describe_environment_failure
from worldloom.flows.interrupt import EXIT_INTERRUPTED, interrupted
from worldloom.infrastructure.analytics import format_number
from worldloom.infrastructure.llm import PROVIDER_FORMS, EmbeddedModelError, ProviderConfigError
from worldloom.infrastructure.provenance import code_version
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.snapshot import SnapshotError
from worldloom.infrastructure.store import StoreError
from worldloom.infrastructure.world_lock import WorldBusyError
from worldloom.systems.world import ConfigError

app = typer.Typer(
    help="Generate RPG worlds as Prefect flows, store them in DuckDB, export verified snapshots.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
snapshot_app = typer.Typer(help="Check and describe exported snapshots.", no_args_is_help=True)
app.add_typer(snapshot_app, name="snapshot")
llm_app = typer.Typer(help="The LLM provider and the calls worlds made.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")


def summaries_on_one_line(commands: typer.Typer) -> None:
    """Give each command of `commands` (and of its groups) its docstring as help, with the
    first paragraph on one line. That paragraph is the command's summary in `--help`'s list,
    where Typer's rich mode keeps its line breaks: the docstring's, mid-sentence, not the
    terminal's. A command given its own help keeps it."""
    for info in commands.registered_commands:
        doc = inspect.getdoc(info.callback) if info.help is None and info.callback else None
        if doc:
            summary, gap, rest = doc.partition("\n\n")
            info.help = " ".join(summary.split("\n")) + gap + rest
    for group in commands.registered_groups:
        if group.typer_instance is not None:
            summaries_on_one_line(group.typer_instance)


PIPED_WIDTH = 10_000
"""Columns a result printed to a pipe or a file is laid out in: as wide as its rows are."""


class ResultConsole(Console):
    """Rich's console for results: on a terminal, laid out to its width; to a pipe or a file
    (a script reading it), as wide as each row is, where rich would lay it out in 80 columns
    and wrap a table's long row over lines a script cannot put back together. A width asked
    for (`width=`, `width =`, `size =`) is kept; `$COLUMNS`, which rich takes as one too, is a
    terminal's and left to terminals (pytest-xdist's workers, for one, set it to 80)."""

    def __init__(self, *, width: int | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._asked_width = width

    @property
    def size(self) -> ConsoleDimensions:
        measured = super().size
        if self._asked_width is not None:
            return ConsoleDimensions(self._asked_width, measured.height)
        return measured if self.is_terminal else ConsoleDimensions(PIPED_WIDTH, measured.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._asked_width, self.height = new_size

    @property
    def width(self) -> int:
        return self.size.width

    @width.setter
    def width(self, width: int) -> None:
        self._asked_width = width


class Consoles:
    """Where commands print: `out` for results (scripts read it), `err` for progress and errors.
    Attributes, not module constants, so tests can swap in consoles of their own."""

    out: Console = ResultConsole()
    err = Console(stderr=True)

    @classmethod
    def renew(cls) -> None:
        """Consoles for the streams this process has now: rich settles on colours as a console
        is made, and a command host made these for its log (a file), not for the terminal a
        hosted command's child writes to."""
        cls.out, cls.err = ResultConsole(), Console(stderr=True)


USER_ERRORS = (
    ConfigError,
    StoreError,
    SnapshotError,
    ProviderConfigError,
    EmbeddedModelError,
    WorldBusyError,
)
"""Mistakes a user can fix (bad value, unknown world, a world busy with another run, a bad
snapshot): exit 2."""

P = ParamSpec("P")
R = TypeVar("R")

LLM_HELP = f"LLM provider: {' | '.join(PROVIDER_FORMS)} (default: $WORLDLOOM_LLM or none)."

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Worldloom home (default: $WORLDLOOM_HOME or ~/.worldloom)."),
]
PresetOption = Annotated[str, typer.Option(help="tiny | small | medium | large.")]
OverridesOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a config value, e.g. --set terrain.cells=5000."),
]
EconomyTicksOption = Annotated[
    int, typer.Option(help="Days of economy burn-in before export.", min=0, max=3650)
]
"""The options of the commands that make worlds (`generate`, `batch`)."""


EXIT_INTERNAL, EXIT_USER, EXIT_ENVIRONMENT = 1, 2, 3
"""Exit codes: a bug (with its traceback), a request to fix, a machine to fix (disk, rights);
Ctrl-C exits 130 (`EXIT_INTERRUPTED`)."""

STOPPED = "stopped by Ctrl-C; what completed is kept (run the command again to go on)"


def command(function: Callable[P, R]) -> Callable[P, R]:
    """Turn what went wrong into one line and an exit code: user errors exit 2, failures of
    the machine (a full disk, a read-only folder...) exit 3, bugs exit 1 with a traceback, and
    Ctrl-C exits 130, whatever error it surfaced as."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt:
            _say("interrupted", STOPPED)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:
            if interrupted():  # surfaced as another error: DuckDB's "Query interrupted"...
                _say("interrupted", STOPPED)
                raise typer.Exit(EXIT_INTERRUPTED) from None
            if isinstance(error, USER_ERRORS):
                _say("error", str(error))
                raise typer.Exit(EXIT_USER) from None
            failure = describe_environment_failure(error)
            if failure is not None:
                _say("error", failure)
                raise typer.Exit(EXIT_ENVIRONMENT) from None
            traceback.print_exc(file=sys.stderr)
            _say("internal error", f"{type(error).__name__}: {error}")
            raise typer.Exit(EXIT_INTERNAL) from None

    return run


def _say(label: str, message: str) -> None:
    """One line on stderr; the message is text, never markup (it may quote a path or a name
    with brackets in it)."""
    Consoles.err.print(f"[red]{label}:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def finished(state: State[R]) -> R:
    """A flow run's result (raising what it raised); with a Prefect server in use, the run's
    page in the server's UI is named first, so a user can open its logs and artifacts."""
    run_id = state.state_details.flow_run_id
    if os.environ.get("PREFECT_API_URL") and run_id is not None:
        url = f"{PREFECT_UI_URL.value()}/runs/flow-run/{run_id}"
        Consoles.err.print(f"Prefect run: {url}", soft_wrap=True, highlight=False)
    result = state.result()
    if isinstance(result, Exception):  # raise_on_failure already raised any failure's own
        raise result
    return result


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"worldloom {code_version()}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version (package, commit and source digests) and exit.",
        ),
    ] = False,
) -> None:
    """Generate RPG worlds as Prefect flows, store them in DuckDB, export verified snapshots."""


def settings_for(home: Path | None) -> Settings:
    return Settings(home=home.expanduser().resolve()) if home else Settings()


def writing_settings(home: Path | None) -> Settings:
    """Settings for a command that writes: its home is checked writable, with room, first."""
    settings = settings_for(home)
    check_writable(settings.home, what="home")
    return settings


def plain(value: object) -> Text:
    """A value for the console as it is: a name with `[brackets]` is text, not rich markup."""
    return Text(format_number(value))


def frame_table(frame: Any, *, title: str) -> Table:
    table = Table(*frame.columns, title=title)
    for row in frame.iter_rows():
        table.add_row(*(plain(v) for v in row))
    return table
