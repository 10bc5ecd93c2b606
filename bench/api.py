"""Load test of the runtime API on loopback: a realistic mix for 5, 50 and 200 users.

Each simulated user holds one keep-alive connection and sends its next request when the last
one is answered (a closed loop): 90 % reads (an NPC, a settlement, a POI, a settlement's NPCs,
a market's prices, a generic table page, a region, factions) and 10 % dialogue (a topic asked
of an NPC), NPCs and places drawn from a Zipf law (a few are asked about often, most rarely).
A second run asks for single NPCs only, for the throughput of single-entity reads. Players talk
to the notable NPCs (rulers, priests, merchants, guild masters, adventurers: the people a story
meets first), so dialogue draws its speaker from those, reads from everyone.

Anchors: the issue's targets — reads p95 <= 20 ms and 0 errors at 50 users on 2 cores,
>= 1,000 requests/s for single-entity reads; dialogue with the embedded model p95 < 2 s and
>= 80 % cache hits at 5 users, provider calls de-duplicated.

The API runs in a process of its own (`worldloom api`), the client in this one; both share the
machine's cores, so the figures are a floor for a server that has the machine to itself.
Bounded: every level stops after --seconds or --max-requests, and only 127.0.0.1 is asked.

Usage: .venv/bin/python bench/api.py --home ~/.worldloom [--llm embedded] [--seconds 20]
       [--users 5,50,200] [--single-users 50] [--world WORLD]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import worldloom  # noqa: F401 (first: it pins numpy's float math as numpy loads)

# isort: split
import numpy as np

from worldloom.infrastructure.settings import Settings
from worldloom.runtime.auth import UserBook, users_path

HOST = "127.0.0.1"
ZIPF_S = 1.1
REQUEST_TIMEOUT_S = 30.0
"""A request unanswered this long counts as an error (and its connection is replaced)."""
TOPICS = ("greeting", "rumor", "quest", "place")


@dataclass
class Result:
    """What one level measured."""

    users: int
    seconds: float = 0.0
    kinds: dict[str, list[float]] = field(default_factory=dict)
    """Latencies (ms) by route kind ("npc", "settlement", ..., "talk")."""
    kind_errors: dict[str, int] = field(default_factory=dict)
    reads: list[float] = field(default_factory=list)
    read_errors: int = 0
    talks: list[float] = field(default_factory=list)
    talk_errors: int = 0
    talk_sources: dict[str, int] = field(default_factory=dict)
    talk_hits: int = 0
    talk_shared: int = 0
    talk_provider_calls: int = 0
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)


class Connection:
    """One keep-alive HTTP/1.1 connection (the API always sends Content-Length)."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {self.token}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length) if length else b""

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class Mix:
    """Requests drawn from the realistic mix (or single NPCs only)."""

    def __init__(self, base: str, world: dict[str, list[int]], rng: np.random.Generator) -> None:
        self.base, self.rng = base, rng
        self.npcs = rng.permutation(world["npcs"])
        self.notables = rng.permutation(world["notables"])
        self.settlements = rng.permutation(world["settlements"])
        self.pois = rng.permutation(world["pois"])
        self.markets = world["markets"]
        self.regions = world["regions"]

    def zipf(self, items: np.ndarray) -> int:
        weights = 1.0 / np.arange(1, len(items) + 1) ** ZIPF_S
        return int(items[self.rng.choice(len(items), p=weights / weights.sum())])

    def next(self, *, single: bool) -> tuple[str, str, str, bytes]:
        """The next request: its route kind, method, path and body."""
        if single:
            return "npc", "GET", f"{self.base}/npcs/{self.zipf(self.npcs)}", b""
        draw = self.rng.random()
        if draw < 0.10:
            topic = TOPICS[int(self.rng.integers(len(TOPICS)))]
            body = json.dumps({"topic": topic}).encode()
            return "talk", "POST", f"{self.base}/npcs/{self.zipf(self.notables)}/talk", body
        reads = [
            (0.30, "npc", lambda: f"/npcs/{self.zipf(self.npcs)}"),
            (0.18, "settlement", lambda: f"/settlements/{self.zipf(self.settlements)}"),
            (0.10, "poi", lambda: f"/pois/{self.zipf(self.pois)}"),
            (
                0.10,
                "npcs of a settlement",
                lambda: f"/npcs?settlement={self.zipf(self.settlements)}&limit=50",
            ),
            (
                0.08,
                "market prices",
                lambda: (
                    f"/markets/{self.markets[int(self.rng.integers(len(self.markets)))]}/prices"
                ),
            ),
            (
                0.08,
                "table page (filtered)",
                lambda: (
                    f"/tables/npcs?settlement_id={self.zipf(self.settlements)}&age.gte=16&limit=20"
                ),
            ),
            (
                0.04,
                "region",
                lambda: f"/regions/{self.regions[int(self.rng.integers(len(self.regions)))]}",
            ),
            (0.02, "factions", lambda: "/factions"),
        ]
        pick = self.rng.random() * sum(w for w, _, _ in reads)
        for weight, kind, path in reads:
            pick -= weight
            if pick <= 0:
                return kind, "GET", self.base + path(), b""
        return reads[0][1], "GET", self.base + reads[0][2](), b""


async def run_level(
    port: int,
    token: str,
    mix_for: list[Mix],
    result: Result,
    *,
    seconds: float,
    max_requests: int,
    single: bool,
    think_s: float,
) -> None:
    deadline = time.perf_counter() + seconds
    sent = 0

    async def user(mix: Mix) -> None:
        nonlocal sent
        connection = Connection(port, token)
        try:
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                if think_s:
                    await asyncio.sleep(float(mix.rng.exponential(think_s)))
                kind, method, path, body = mix.next(single=single)
                started = time.perf_counter()
                try:
                    status, payload = await asyncio.wait_for(
                        connection.request(method, path, body), timeout=REQUEST_TIMEOUT_S
                    )
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError, TimeoutError):
                    status, payload = 599, b""
                    connection.close()
                    connection = Connection(port, token)
                elapsed = (time.perf_counter() - started) * 1000
                result.kinds.setdefault(kind, []).append(elapsed)
                result.kind_errors[kind] = result.kind_errors.get(kind, 0) + (status != 200)
                if method == "POST":
                    result.talks.append(elapsed)
                    if status != 200:
                        result.talk_errors += 1
                    else:
                        data = json.loads(payload)["data"]
                        source = data["source"]
                        result.talk_sources[source] = result.talk_sources.get(source, 0) + 1
                        result.talk_hits += bool(data["cache_hit"])
                        result.talk_shared += bool(data["shared"])
                        result.talk_provider_calls += data["attempts"] > 0
                else:
                    result.reads.append(elapsed)
                    result.read_errors += status != 200
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(user(mix) for mix in mix_for))
    result.seconds = time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def world_ids(port: int, token: str, world: str | None) -> tuple[str, dict[str, list[int]]]:
    async def fetch() -> tuple[str, dict[str, list[int]]]:
        connection = Connection(port, token)
        _, body = await connection.request("GET", "/worlds")
        worlds = json.loads(body)["worlds"]
        chosen = world or worlds[0]["world_id"]
        ids: dict[str, list[int]] = {}
        for key, table, column in (
            ("npcs", "npcs", "npc_id"),
            ("notables", "npcs", "npc_id&notable=true"),
            ("settlements", "settlements", "settlement_id"),
            ("pois", "pois", "poi_id"),
            ("markets", "markets", "market_id"),
            ("regions", "regions", "region_id"),
        ):
            values: list[int] = []
            while True:
                query = f"fields={column}&limit=1000&offset={len(values)}"
                path = f"/worlds/{chosen}/tables/{table}?{query}"
                page = json.loads((await connection.request("GET", path))[1])
                values += [row[column.partition("&")[0]] for row in page["items"]]
                if len(values) >= page["total"] or not page["items"]:
                    break
            ids[key] = values
        connection.close()
        return chosen, ids

    return asyncio.run(fetch())


def wait_for(server: subprocess.Popen[bytes], port: int) -> None:
    """Until the API accepts connections (or fails to start)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the API did not start") from None
            time.sleep(0.2)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, default=Settings().home)
    parser.add_argument("--world", default=None)
    parser.add_argument("--llm", default="none")
    parser.add_argument("--users", default="5,50,200")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument(
        "--single-users",
        type=int,
        default=50,
        help="Users of the single-NPC throughput run after the mix (0: no such run).",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--think-ms",
        type=float,
        default=250.0,
        help="Mean (exponential) pause of a user between answers in the mix; the NPC-reads "
        "run never pauses (it measures throughput).",
    )
    args = parser.parse_args()

    book = UserBook(users_path(args.home))
    name = f"bench-{os.getpid()}"
    token = book.add(name, "reader")
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("worldloom")),
        "api",
        "--home",
        str(args.home),
        "--host",
        HOST,
        "--port",
        str(port),
        "--rate",
        "0",
        "--poll",
        "0",
        "--llm",
        args.llm,
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(server, port)
        world, ids = world_ids(port, token, args.world)
        print(
            f"world {world}: {len(ids['npcs'])} NPCs, {len(ids['settlements'])} settlements, "
            f"{len(ids['pois'])} POIs; dialogue LLM: {args.llm}; {os.cpu_count()} cores"
        )
        rows = []
        levels = [(int(u), False) for u in args.users.split(",")]
        levels += [(args.single_users, True)] if args.single_users else []
        for users, single in levels:
            result = Result(users=users)
            rng = np.random.default_rng([args.seed, users, int(single)])
            mixes = [
                Mix(f"/worlds/{world}", ids, np.random.default_rng(rng.integers(2**32)))
                for _ in range(users)
            ]
            load_before = os.getloadavg()[0]
            server_before, client_before = cpu_seconds(server.pid), time.process_time()
            asyncio.run(
                run_level(
                    port,
                    token,
                    mixes,
                    result,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                    single=single,
                    think_s=0.0 if single else args.think_ms / 1000,
                )
            )
            result.server_cpu_s = cpu_seconds(server.pid) - server_before
            result.client_cpu_s = time.process_time() - client_before
            result.load = (load_before, os.getloadavg()[0])
            label = "NPC reads, no pause" if single else f"mix, {args.think_ms:g} ms pauses"
            rows.append((label, result))
        print_table(rows)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        book.revoke(name)
        book.close()


def print_table(rows: list[tuple[str, Result]]) -> None:
    print()
    print(
        "| load | users | requests/s | reads p50 ms | reads p95 ms | reads p99 ms | read errors "
        "| talk n | talk p50 ms | talk p95 ms | talk p99 ms | talk cache hits | shared "
        "| provider calls | talk errors | server CPU | client CPU | load avg before/after |"
    )
    print("|---" * 18 + "|")
    for label, r in rows:
        total = len(r.reads) + len(r.talks)
        talked = sum(r.talk_sources.values())
        hits, provider = r.talk_hits, r.talk_provider_calls
        print(
            f"| {label} | {r.users} | {total / r.seconds:,.0f} | {percentile(r.reads, 50):.1f} | "
            f"{percentile(r.reads, 95):.1f} | {percentile(r.reads, 99):.1f} | {r.read_errors} | "
            f"{len(r.talks)} | {percentile(r.talks, 50):.0f} | {percentile(r.talks, 95):.0f} | "
            f"{percentile(r.talks, 99):.0f} | {(hits / talked if talked else 0):.0%} | "
            f"{r.talk_shared} | {provider} | {r.talk_errors} | "
            f"{r.server_cpu_s / r.seconds:.2f} cores | {r.client_cpu_s / r.seconds:.2f} cores | "
            f"{r.load[0]:.1f} / {r.load[1]:.1f} |"
        )
    print()
    print(
        "| load | users | route kind | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |"
    )
    print("|---" * 9 + "|")
    for label, r in rows:
        for kind, latencies in sorted(r.kinds.items(), key=lambda item: -len(item[1])):
            print(
                f"| {label} | {r.users} | {kind} | {len(latencies)} | "
                f"{len(latencies) / r.seconds:,.1f} | {percentile(latencies, 50):.1f} | "
                f"{percentile(latencies, 95):.1f} | {percentile(latencies, 99):.1f} | "
                f"{r.kind_errors.get(kind, 0)} |"
            )


if __name__ == "__main__":
    main()
