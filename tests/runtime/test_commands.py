"""The runtime's commands: user add/list/revoke, usage, api, and export --format."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.runtime.servers import RuntimeWorld, copy_home, free_port
from worldloom.flows.commands import api as api_command
from worldloom.flows.commands import app
from worldloom.runtime.auth import UserBook, users_path
from worldloom.runtime.usage import RequestRecord, TalkRecord, UsageLog, now, usage_path
from worldloom.runtime.usage_report import usage_report

runner = CliRunner()


def test_user_add_list_revoke(home: Path) -> None:
    added = runner.invoke(app, ["user", "add", "ann", "--role", "admin", "--home", str(home)])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("wl_")
    assert UserBook(users_path(home)).check(token) is not None
    listed = runner.invoke(app, ["user", "list", "--home", str(home)])
    assert "ann" in listed.stdout
    assert "admin" in listed.stdout
    assert token.split("_", 2)[2] not in listed.stdout
    again = runner.invoke(app, ["user", "add", "ann", "--home", str(home)])
    assert again.exit_code == 2
    bad = runner.invoke(app, ["user", "add", "bob", "--role", "king", "--home", str(home)])
    assert bad.exit_code == 2
    revoked = runner.invoke(app, ["user", "revoke", "ann", "--home", str(home)])
    assert revoked.exit_code == 0
    assert UserBook(users_path(home)).check(token) is None
    assert runner.invoke(app, ["user", "revoke", "ann", "--home", str(home)]).exit_code == 2
    empty = tmp = home / "other"
    tmp.mkdir()
    assert "no users yet" in runner.invoke(app, ["user", "list", "--home", str(empty)]).stdout


def test_usage_report(home: Path) -> None:
    assert "no API usage" in runner.invoke(app, ["usage", "--home", str(home)]).stdout
    assert "no API usage" in runner.invoke(app, ["report", "usage", "--home", str(home)]).stdout
    log = UsageLog(usage_path(home))
    for latency, status in ((1.0, 200), (2.0, 200), (3.0, 404), (50.0, 500)):
        log.record(RequestRecord(now(), "GET", "/worlds", status, latency, "ann", "w", "s", 10))
    for hit, shared, attempts in ((True, False, 0), (False, True, 0), (False, False, 1)):
        log.record(
            TalkRecord(
                now(),
                "w",
                "s",
                1,
                "greeting",
                "",
                "ann",
                "dialogue",
                "h",
                "embedded",
                "m",
                "k",
                hit,
                shared,
                0,
                0,
                10.0,
                attempts,
                "cache",
                None,
                "",
            )
        )
    log.close()
    report = usage_report(usage_path(home), hours=1)
    row = report.by_route.row(0, named=True)
    assert (row["requests"], row["4xx"], row["5xx"], row["p50_ms"]) == (4, 1, 1, 3.0)
    assert row["p95_ms"] == 50.0
    talk = report.talk.row(0, named=True)
    assert (talk["requests"], talk["cache_hits"], talk["shared"], talk["provider_calls"]) == (
        3,
        1,
        1,
        1,
    )
    assert talk["cache_hit_rate"] == pytest.approx(0.333)
    shown = runner.invoke(app, ["usage", "--home", str(home), "--hours", "2"])
    assert shown.exit_code == 0
    assert "GET /worlds" in shown.stdout
    assert "cache hit rate" in shown.stdout
    as_report = runner.invoke(app, ["report", "usage", "--home", str(home)])
    assert as_report.exit_code == 0
    assert "Requests by route (last 24 h)" in as_report.stdout
    assert "GET /worlds" in as_report.stdout
    with sqlite3.connect(usage_path(home)) as db:
        assert db.execute("SELECT count(*) FROM usage").fetchone()[0] == 4


def test_api_serves_the_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = runner.invoke(app, ["api", "--home", str(home)])
    assert missing.exit_code == 2
    assert "no snapshots" in missing.output
    (home / "snapshots").mkdir()
    served: dict[str, Any] = {}
    monkeypatch.setattr(
        api_command,
        "serve",
        lambda config, host, port: served.update(config=config, host=host, port=port),
    )
    port = free_port()
    api = ["api", "--home", str(home), "--port", str(port)]
    started = runner.invoke(app, [*api, "--rate", "5", "--no-usage"])
    assert started.exit_code == 0, started.output
    assert served["host"] == "127.0.0.1"
    assert served["port"] == port
    assert served["config"].rate == 5
    assert served["config"].record_usage is False
    assert "Dialogue: procedural lines (--llm embedded" in started.output
    embedded = runner.invoke(app, [*api, "--llm", "embedded"])
    assert "Dialogue: embedded, then procedural lines" in embedded.output
    assert served["config"].llm == "embedded"
    assert runner.invoke(app, [*api, "--llm", "bogus"]).exit_code == 2
    exposed = runner.invoke(app, [*api, "--host", "0.0.0.0"])
    assert exposed.exit_code == 0
    assert "other machines" in exposed.output
    assert served["host"] == "0.0.0.0"
    assert runner.invoke(app, [*api, "--host", "localhost"]).exit_code == 0


def test_api_refuses_an_address_in_use(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "snapshots").mkdir()
    served: dict[str, Any] = {}
    monkeypatch.setattr(api_command, "serve", lambda config, host, port: served.update(host=host))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = runner.invoke(app, ["api", "--home", str(home), "--port", port])
    assert busy.exit_code == 2
    assert f"cannot listen on 127.0.0.1 port {port}" in busy.output
    assert "pick another --port" in busy.output
    assert served == {}  # refused before anything was loaded
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        ipv6 = True
    except OSError:
        ipv6 = False
    loopback6 = runner.invoke(
        app, ["api", "--home", str(home), "--host", "::1", "--port", str(free_port())]
    )
    if ipv6:
        assert loopback6.exit_code == 0, loopback6.output
        assert served == {"host": "::1"}
        assert "http://[::1]:" in loopback6.output
        assert "other machines" not in loopback6.output
    else:  # pragma: no cover - a machine without IPv6
        assert loopback6.exit_code == 2
        assert "cannot listen on ::1" in loopback6.output


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_server")
@pytest.mark.parametrize(("form", "suffix"), [("sqlite", ".sqlite"), ("json", "-json")])
def test_export_formats(runtime_world: RuntimeWorld, home: Path, form: str, suffix: str) -> None:
    import shutil

    shutil.copytree(runtime_world.home / "worlds", home / "worlds")
    copy_home(runtime_world, home)
    out = home / "engine"
    result = runner.invoke(
        app,
        [
            "export",
            runtime_world.world_id,
            "--format",
            form,
            "--out",
            str(out),
            "--home",
            str(home),
        ],
    )
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.name.endswith(suffix)
    assert path.parent == out / runtime_world.world_id


def test_serve_runs_uvicorn_on_loopback(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    import uvicorn

    from worldloom.runtime import ApiConfig, server

    ran: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: ran.update(options, app=app))
    logger = logging.getLogger("worldloom.runtime")
    monkeypatch.setattr(logger, "handlers", [])
    server.serve(ApiConfig(home=home, snapshots_dir=home / "snapshots"))
    assert ran["host"] == "127.0.0.1"
    assert ran["access_log"] is False
    assert logger.handlers
