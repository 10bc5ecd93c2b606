"""Users and tokens: shown once, kept as salted hashes, checked, revoked, rate limited."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.runtime.servers import RuntimeWorld, copy_home
from worldloom.infrastructure.settings import Settings
from worldloom.runtime import ApiConfig, create_app
from worldloom.runtime.auth import UserBook, UserError, users_path
from worldloom.runtime.ratelimit import RateLimiter, retry_after


def test_tokens_are_shown_once_and_kept_hashed(home: Path) -> None:
    book = UserBook(users_path(home))
    token = book.add("ann", "reader")
    assert re.fullmatch(r"wl_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)
    principal = book.check(token)
    assert principal is not None
    assert (principal.name, principal.role) == ("ann", "reader")
    stored = users_path(home).read_bytes()
    assert token.split("_", 2)[2].encode() not in stored
    assert stat.S_IMODE(users_path(home).stat().st_mode) == 0o600
    assert stat.S_IMODE(users_path(home).parent.stat().st_mode) & 0o077 == 0
    [user] = book.users()
    assert user.token_id == token.split("_")[1]
    assert user.revoked_at is None
    book.close()


@pytest.mark.parametrize(
    "token",
    ["", "wl_", "Bearer x", "wl_0123456789ab_short", "wl_ZZZZZZZZZZZZ_" + "a" * 43, "x" * 5000],
)
def test_malformed_tokens_belong_to_nobody(home: Path, token: str) -> None:
    book = UserBook(users_path(home))
    book.add("ann", "admin")
    assert book.check(token) is None
    book.close()


def test_a_guessed_secret_is_refused(home: Path) -> None:
    book = UserBook(users_path(home))
    token = book.add("ann", "reader")
    assert book.check(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    book.close()


def test_revocation_reaches_a_running_api(home: Path) -> None:
    running = UserBook(users_path(home), recheck_s=0.2)
    command = UserBook(users_path(home))  # as `worldloom user` would, from another process
    token = command.add("bob", "admin")
    assert running.check(token) is not None
    assert command.revoke("bob") == 1
    assert running.check(token) is not None  # seen within recheck_s, not at once
    time.sleep(0.25)
    assert running.check(token) is None
    again = command.add("bob", "reader")  # the name is free again
    time.sleep(0.25)
    assert running.check(again) is not None
    assert [u.revoked_at is None for u in command.users()] == [False, True]
    running.close()
    command.close()


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("ann", "god", "is not one of reader, admin"),
        ("", "reader", "must be 1-64"),
        ("a b", "reader", "must be 1-64"),
        ("-x", "reader", "must be 1-64"),
        ("x" * 65, "reader", "must be 1-64"),
    ],
)
def test_bad_users_are_refused(home: Path, name: str, role: str, message: str) -> None:
    book = UserBook(users_path(home))
    with pytest.raises(UserError, match=message):
        book.add(name, role)
    book.close()


def test_names_are_unique_among_active_users(home: Path) -> None:
    book = UserBook(users_path(home))
    book.add("ann", "reader")
    with pytest.raises(UserError, match="exists"):
        book.add("ann", "admin")
    with pytest.raises(UserError, match="no active user 'zed'"):
        book.revoke("zed")
    book.close()


def test_the_rate_limit_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2, burst=3, clock=lambda: now[0])
    assert [limiter.admit("t") for _ in range(3)] == [0, 0, 0]
    wait = limiter.admit("t")
    assert wait == pytest.approx(0.5)
    assert retry_after(wait) == 1
    assert limiter.admit("other") == 0
    now[0] = 1.0
    assert limiter.admit("t") == 0
    assert RateLimiter(rate=0, burst=1).admit("t") == 0
    with pytest.raises(ValueError, match="rate must be"):
        RateLimiter(rate=-1, burst=1)


@pytest.mark.flow
def test_429_past_the_rate_limit(runtime_world: RuntimeWorld, home: Path) -> None:
    copy_home(runtime_world, home)
    token = UserBook(users_path(home)).add("ann", "reader")
    config = ApiConfig.from_settings(
        Settings(home=home), llm="none", poll_s=0, rate=0.5, burst=2, record_usage=False
    )
    with TestClient(create_app(config)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        statuses = [client.get("/worlds", headers=headers).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = client.get("/worlds", headers=headers)
        assert int(refused.headers["retry-after"]) >= 1
        assert "rate limit" in refused.json()["detail"]
        assert client.get("/admin/usage", headers=headers).status_code in {403, 429}
