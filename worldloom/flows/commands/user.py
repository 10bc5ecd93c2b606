"""The API's users: add one (its token printed once), list them, revoke one."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from worldloom.flows.commands.app import Consoles, HomeOption, app, command, plain, writing_settings
from worldloom.runtime.auth import ROLES, UserBook, UserError, users_path
from worldloom.systems.world import ConfigError

user_app = typer.Typer(help="Users of the API and their tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
@command
def user_add(
    name: Annotated[str, typer.Argument(help="The user's name (letters, digits, _.@-).")],
    role: Annotated[str, typer.Option(help=f"{' | '.join(ROLES)}.")] = "reader",
    home: HomeOption = None,
) -> None:
    """Add a user and print their token, once: only a salted hash of it is kept."""
    book = _book(home)
    try:
        token = book.add(name, role)
    except UserError as error:
        raise ConfigError(str(error)) from None
    finally:
        book.close()
    Consoles.err.print(plain(f"user {name} ({role}) added; the token is shown this once, keep it:"))
    typer.echo(token)


@user_app.command("list")
@command
def user_list(home: HomeOption = None) -> None:
    """List the users: name, role, token id (not the token), when added and revoked."""
    book = _book(home)
    try:
        users = book.users()
    finally:
        book.close()
    table = Table("name", "role", "token id", "added", "revoked")
    for user in users:
        table.add_row(
            plain(user.name), user.role, user.token_id, user.created_at, user.revoked_at or "-"
        )
    Consoles.out.print(table if users else plain("no users yet: worldloom user add NAME"))


@user_app.command("revoke")
@command
def user_revoke(
    name: Annotated[str, typer.Argument(help="The user whose tokens to revoke.")],
    home: HomeOption = None,
) -> None:
    """Revoke a user's token; a running API refuses it from its next request."""
    book = _book(home)
    try:
        count = book.revoke(name)
    except UserError as error:
        raise ConfigError(str(error)) from None
    finally:
        book.close()
    Consoles.err.print(plain(f"revoked {count} token(s) of {name}"))


def _book(home: HomeOption) -> UserBook:
    return UserBook(users_path(writing_settings(home).home))
