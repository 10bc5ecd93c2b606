"""API users and their tokens (`auth_user`): roles, salted token hashes, revocation.

A token is `wl_<id>_<secret>`: the id (12 hex) names the row, the secret (32 random bytes) is
never stored; the users file keeps `sha256(salt + secret)` with a salt of its own. Tokens are
random, not chosen by people, so a slow password hash would add latency to every request and no
safety. The file lives in the home (`runtime/users.sqlite`, mode 0600); a running API sees a
`user add` or `user revoke` on its next request.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal, get_args

Role = Literal["reader", "admin"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)
"""reader: every read and talk route; admin: those and the /admin routes."""

TOKEN_PREFIX: Final = "wl_"
_TOKEN: Final = re.compile(r"^wl_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS users (
    token_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    salt TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS users_name ON users(name);
"""


class UserError(ValueError):
    """A user name or role that cannot be used (a request to fix)."""


@dataclass(frozen=True, slots=True)
class User:
    """A user as listed: never the token or its hash."""

    name: str
    role: Role
    token_id: str
    created_at: str
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request's token belongs to."""

    name: str
    role: Role
    token_id: str


def users_path(home: Path) -> Path:
    """Where the users of a Worldloom home are kept."""
    return home / "runtime" / "users.sqlite"


class UserBook:
    """The users file: add, list, revoke, and check a token (thread-safe)."""

    def __init__(self, path: Path, *, recheck_s: float = 0.5) -> None:
        """Open (creating) the users file at `path`, readable by its owner only.

        Args:
            path: The users file.
            recheck_s: How often `check` looks for users added or revoked elsewhere (a
                revocation takes effect within this time).
        """
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            path.touch(mode=0o600)
        os.chmod(path, 0o600)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._version = -1
        self._recheck_s = recheck_s
        self._checked = -math.inf
        self._tokens: dict[str, tuple[str, str, Principal]] = {}

    def add(self, name: str, role: str) -> str:
        """Create a user and return their token (shown once, never stored).

        Raises:
            UserError: A bad name or role, or an active user of that name.
        """
        if not _NAME.fullmatch(name):
            raise UserError(
                f"user name {name[:70]!r} must be 1-64 letters, digits and _.@- "
                "(starting with a letter or digit)"
            )
        if role not in ROLES:
            raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                active = self._db.execute(
                    "SELECT 1 FROM users WHERE name = ? AND revoked_at IS NULL", [name]
                ).fetchone()
                if active:
                    raise UserError(f"user {name!r} exists; revoke it first or pick another name")
                self._db.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    [token_id, name, role, salt, _digest(salt, secret), _now()],
                )
                self._db.execute("COMMIT")
                self._checked = -math.inf  # this book sees its own change at once
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return f"{TOKEN_PREFIX}{token_id}_{secret}"

    def revoke(self, name: str) -> int:
        """Revoke every active token of a user; return how many.

        Raises:
            UserError: No active user of that name.
        """
        with self._lock:
            revoked = self._db.execute(
                "UPDATE users SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                [_now(), name],
            ).rowcount
            self._checked = -math.inf
        if not revoked:
            raise UserError(f"no active user {name[:70]!r} (see `worldloom user list`)")
        return revoked

    def users(self) -> list[User]:
        """Every user, active and revoked, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name, role, token_id, created_at, revoked_at FROM users ORDER BY rowid"
            ).fetchall()
        return [User(*row) for row in rows]

    def check(self, token: str) -> Principal | None:
        """Who a token belongs to, or None for a malformed, unknown or revoked one."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        token_id, secret = match.groups()
        with self._lock:
            self._reload_if_changed()
            found = self._tokens.get(token_id)
        if found is None:
            return None
        salt, expected, principal = found
        return principal if hmac.compare_digest(_digest(salt, secret), expected) else None

    def close(self) -> None:
        self._db.close()

    def _reload_if_changed(self) -> None:
        now = time.monotonic()
        if now - self._checked < self._recheck_s:
            return
        self._checked = now
        # data_version moves when another connection (a `user` command) commits.
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version == self._version:
            return
        rows = self._db.execute(
            "SELECT token_id, name, role, salt, token_sha256 FROM users WHERE revoked_at IS NULL"
        ).fetchall()
        self._tokens = {
            token_id: (salt, digest, Principal(name=name, role=role, token_id=token_id))
            for token_id, name, role, salt, digest in rows
        }
        self._version = version


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
