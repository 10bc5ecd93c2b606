"""The API over a real world: every system's route, the generic table route, snapshot pins and
ETags, and how it answers bad ids, bad queries, hostile strings and oversized bodies."""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

import httpx
import pytest

from tests.runtime.servers import Server
from worldloom.reader import open_snapshot
from worldloom.runtime.usage import usage_path

pytestmark = [pytest.mark.flow]


@pytest.fixture(scope="module")
def api(api_server: Server) -> httpx.Client:
    return api_server.client(api_server.reader)


@pytest.fixture(scope="module")
def base(api_server: Server) -> str:
    return f"/worlds/{api_server.world_id}"


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_worlds_name_the_served_snapshot(api_server: Server, api: httpx.Client) -> None:
    worlds = ok(api.get("/worlds"))["worlds"]
    assert [w["world_id"] for w in worlds] == [api_server.world_id]
    assert worlds[0]["snapshot_id"] == api_server.snapshot_id
    health = httpx.get(f"{api_server.url}/health").json()  # no token needed
    assert health == {"status": "ok", "worlds": {api_server.world_id: api_server.snapshot_id}}


def test_every_answer_names_its_snapshot(api_server: Server, api: httpx.Client, base: str) -> None:
    response = api.get(base)
    body = ok(response)
    assert body["snapshot_id"] == api_server.snapshot_id
    assert response.headers["etag"] == f'"{api_server.snapshot_id}"'
    assert response.headers["x-worldloom-snapshot"] == api_server.snapshot_id
    assert body["data"]["snapshots"] == [api_server.snapshot_id]
    assert body["data"]["counts"]["settlements"] > 0
    again = api.get(base, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert api.get(base, headers={"If-None-Match": '"tick000001-000000000000"'}).status_code == 200


def test_pinned_snapshots(api_server: Server, api: httpx.Client, base: str) -> None:
    pinned = ok(api.get(f"{base}/regions", params={"snapshot": api_server.snapshot_id}))
    assert pinned["snapshot_id"] == api_server.snapshot_id
    header = {"X-Worldloom-Snapshot": api_server.snapshot_id}
    assert ok(api.get(f"{base}/regions", headers=header))["snapshot_id"] == api_server.snapshot_id
    missing = api.get(base, params={"snapshot": "tick000001-0123456789ab"})
    assert missing.status_code == 404
    assert "has no snapshot 'tick000001-0123456789ab'" in missing.json()["detail"]
    for escape in ("../../etc", "tick000060-../../x", "%2e%2e%2fpasswd"):
        assert api.get(base, params={"snapshot": escape}).status_code == 422


def test_regions_and_a_region(api: httpx.Client, base: str) -> None:
    page = ok(api.get(f"{base}/regions"))
    assert page["total"] == len(page["items"]) > 0
    first = page["items"][0]
    assert {"region_id", "name", "description", "climate", "area_km2"} <= set(first)
    assert "world_id" not in first
    region = ok(api.get(f"{base}/regions/{first['region_id']}"))["data"]
    assert region["region"]["name"] == first["name"]
    assert all(s["region_id"] == first["region_id"] for s in region["settlements"])


def test_a_settlement_with_its_people_market_and_routes(api: httpx.Client, base: str) -> None:
    data = ok(api.get(f"{base}/settlements/0"))["data"]
    assert data["settlement"]["tier"] == "capital"
    assert data["people"]["count"] >= len(data["people"]["residents"]) > 0
    assert data["people"]["notables"], "a capital has notables"
    assert data["market"]["here"] is True
    prices = [p["price"] for p in data["prices"]]
    assert prices == sorted(prices, reverse=True)
    assert prices
    assert data["routes"]
    assert all(r["to_place_id"] != 0 for r in data["routes"])
    assert data["factions"]
    assert data["sublocations"]
    # A hamlet trades at a market elsewhere.
    last = ok(api.get(f"{base}/settlements", params={"tier": "hamlet", "limit": 1}))["items"][0]
    hamlet = ok(api.get(f"{base}/settlements/{last['settlement_id']}"))["data"]
    assert hamlet["market"] is None or hamlet["market"]["here"] is False


def test_npcs_filtered_and_one_npc(api: httpx.Client, base: str) -> None:
    everyone = ok(api.get(f"{base}/npcs", params={"settlement": 0, "limit": 1000}))
    assert everyone["total"] == len(everyone["items"])
    profession = everyone["items"][0]["profession"]
    some = ok(api.get(f"{base}/npcs", params={"settlement": 0, "profession": profession}))
    assert some["items"]
    assert all(n["profession"] == profession for n in some["items"])
    notables = ok(api.get(f"{base}/npcs", params={"notable": "true", "limit": 5}))
    assert all(n["notable_role"] for n in notables["items"])
    npc_id = notables["items"][0]["npc_id"]
    npc = ok(api.get(f"{base}/npcs/{npc_id}"))["data"]
    assert npc["npc"]["npc_id"] == npc_id
    assert npc["settlement"]
    assert npc["culture"]
    assert npc["religion"]
    assert set(npc["family"]) == {"father", "mother", "spouse"}
    assert "strength" in npc["npc"], "columns beyond the declared ones come through"


def test_factions_markets_and_pois(api: httpx.Client, base: str) -> None:
    factions = ok(api.get(f"{base}/factions", params={"kind": "state"}))["items"]
    assert factions
    assert all(f["kind"] == "state" for f in factions)
    faction = ok(api.get(f"{base}/factions/{factions[0]['faction_id']}"))["data"]
    assert faction["relations"]
    assert faction["seat"]
    prices = ok(api.get(f"{base}/markets/0/prices", params={"good": "grain"}))["data"]
    assert prices["prices"]
    assert prices["history"]
    ticks = [h["tick"] for h in prices["history"]]
    assert ticks == sorted(ticks)
    assert api.get(f"{base}/markets/0/prices", params={"good": "unobtainium"}).status_code == 404
    pois = ok(api.get(f"{base}/pois", params={"kind": "dungeon"}))["items"]
    poi = ok(api.get(f"{base}/pois/{pois[0]['poi_id']}"))["data"]
    assert poi["sublocations"]
    assert poi["poi"]["kind"] == "dungeon"
    assert (poi["faith"], poi["desecrated_tick"]) == (None, None)
    # A holy site names the faith keeping it; a generated world's are all kept.
    site = ok(api.get(f"{base}/tables/holy_sites", params={"limit": 1}))["items"][0]
    holy = ok(api.get(f"{base}/pois/{site['poi_id']}"))["data"]
    assert holy["faith"]
    assert "desecrated_tick" in holy
    assert holy["desecrated_tick"] is None


def test_every_table_through_the_generic_route(api: httpx.Client, base: str) -> None:
    tables = ok(api.get(f"{base}/tables"))["data"]["tables"]
    for table in tables:
        page = ok(api.get(f"{base}/tables/{table['name']}", params={"limit": 2}))
        assert page["total"] == table["rows"]
        assert len(page["items"]) == min(2, table["rows"])


def test_generic_filters_sort_fields_and_pages(api: httpx.Client, base: str) -> None:
    params = {"age.gte": 30, "sex": "female", "sort": "-age", "fields": "npc_id,age,sex"}
    page = ok(api.get(f"{base}/tables/npcs", params={**params, "limit": 50}))
    ages = [row["age"] for row in page["items"]]
    assert ages == sorted(ages, reverse=True)
    assert min(ages) >= 30
    assert set(page["items"][0]) == {"npc_id", "age", "sex"}
    second = ok(api.get(f"{base}/tables/npcs", params={**params, "limit": 50, "offset": 50}))
    assert second["total"] == page["total"]
    assert {r["npc_id"] for r in page["items"]}.isdisjoint(r["npc_id"] for r in second["items"])
    several = ok(api.get(f"{base}/tables/settlements?tier=city&tier=capital"))["items"]
    assert {s["tier"] for s in several} <= {"city", "capital"}
    nulls = ok(api.get(f"{base}/tables/npcs", params={"spouse_id.null": "true", "limit": 3}))
    assert all(row["spouse_id"] is None for row in nulls["items"])


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/worlds/nowhere/regions", 404, "no world 'nowhere' is served"),
        ("{base}/npcs/999999999", 404, "has no npc 999999999"),
        ("{base}/settlements/99999", 404, "has no settlement 99999"),
        ("{base}/pois/0", 404, "has no point of interest 0"),
        ("{base}/factions/4242", 404, "has no faction 4242"),
        ("{base}/markets/4242/prices", 404, "has no market 4242"),
        ("{base}/regions/777", 404, "has no region 777"),
        ("{base}/tables/dragons", 404, "has no table 'dragons'"),
        ("{base}/tables/npcs?colour=red", 422, "has no column 'colour'"),
        ("{base}/tables/npcs?age=old", 422, "is not a value of 'age'"),
        ("{base}/tables/npcs?age.like=3", 422, "unknown operator"),
        ("{base}/tables/npcs?sort=-nonsense", 422, "has no column 'nonsense'"),
        ("{base}/tables/npcs?fields=npc_id,password", 422, "has no column 'password'"),
        ("{base}/tables/regions?neighbors=1", 422, "cannot be filtered"),
        ("{base}/tables/npcs?limit=0", 422, "greater than or equal to 1"),
        ("{base}/tables/npcs?limit=5000", 422, "less than or equal to 1000"),
        ("{base}/tables/npcs?offset=-1", 422, "greater than or equal to 0"),
        ("{base}/npcs?limit=abc", 422, "valid integer"),
        ("{base}/npcs/abc", 422, "valid integer"),
        ("{base}/tables/NPCS", 422, "pattern"),
        ("{base}/npcs?settlement=abc", 422, "query settlement: Input should be a valid integer"),
        ("/world", 404, "no route GET /world; the routes are at /docs"),
        ("{base}/people", 404, "/worlds/{world_id}/tables/{table}"),
        ("{base}/npcs/0/talk", 405, "GET is not allowed on"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    api: httpx.Client, base: str, path: str, status: int, words: str
) -> None:
    response = api.get(path.format(base=base))
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)  # one sentence, whoever refused the request
    assert words in detail


def test_a_refused_request_names_each_problem(api: httpx.Client, base: str) -> None:
    refused = api.post(f"{base}/npcs/x/talk", json={"topic": "weather", "place_id": "far"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["detail"].startswith("path npc_id: Input should be a valid integer")
    assert "(got 'x'); body topic:" in body["detail"]
    assert "body topic: Input should be 'greeting', 'rumor', 'quest' or 'place'" in body["detail"]
    assert [e["loc"][0] for e in body["errors"]] == ["path", "body", "body"]
    as_form = api.post(
        f"{base}/npcs/0/talk",
        content=b'{"topic": "rumor"}',
        headers={"content-type": "application/x-www-form-urlencoded"},  # what curl -d sends
    )
    assert as_form.status_code == 422
    assert as_form.json()["detail"].endswith("with Content-Type: application/json")
    as_json = api.post(
        f"{base}/npcs/0/talk", content=b"[]", headers={"content-type": "application/json"}
    )
    assert "Content-Type" not in as_json.json()["detail"]
    many = api.get(f"{base}/npcs", params=dict.fromkeys(("settlement", "limit", "offset"), "x"))
    assert many.json()["detail"].count(";") == 2


HOSTILE = [
    "x' OR '1'='1",
    "'; DROP TABLE npcs; --",
    '" OR 1=1 --',
    "1); DELETE FROM npcs; --",
    "\\'; ATTACH DATABASE '/tmp/x.db' AS x; --",
    "Robert'); SELECT * FROM users; --",
    "%' UNION SELECT name FROM sqlite_master --",
    "\x00",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_only_values(api: httpx.Client, base: str, value: str) -> None:
    page = ok(api.get(f"{base}/tables/npcs", params={"name": value}))
    assert page["total"] == 0
    assert api.get(f"{base}/tables/npcs", params={"age": value}).status_code == 422
    named = api.get(f"{base}/npcs", params={"profession": value})
    assert named.status_code == 422 or named.json()["total"] == 0  # over 40 characters: 422


@pytest.mark.parametrize(
    "name", ["name;--", 'name"', "name) OR (1=1", "npcs.name", "age.gte.x", "__class__"]
)
def test_hostile_column_names_are_refused(api: httpx.Client, base: str, name: str) -> None:
    response = api.get(f"{base}/tables/npcs", params={name: "1"})
    assert response.status_code == 422
    assert api.get(f"{base}/tables/npcs", params={"sort": name}).status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "{base}/tables/..%2f..%2fmanifest",
        "{base}/tables/%2e%2e",
        "/worlds/..%2F..%2Fetc/regions",
        "/worlds/%2e%2e/regions",
        "{base}/tables/npcs%00",
        "/page/..%2f..%2fapp.py",
        "/page/app.py",
    ],
)
def test_names_cannot_leave_the_snapshot(api: httpx.Client, base: str, path: str) -> None:
    response = api.get(path.format(base=base))
    assert response.status_code in {404, 422}, response.text


def test_the_data_survives_the_attempts(api_server: Server, api: httpx.Client, base: str) -> None:
    rows = open_snapshot(
        api_server.home / "snapshots" / api_server.world_id / api_server.snapshot_id
    )
    assert (
        ok(api.get(f"{base}/tables/npcs", params={"limit": 1}))["total"]
        == rows.manifest.tables["npcs"].rows
    )


def test_map_files(api_server: Server, api: httpx.Client, base: str) -> None:
    geojson = api.get(f"{base}/map.geojson")
    assert geojson.headers["content-type"] == "application/geo+json"
    assert geojson.json()["type"] == "FeatureCollection"
    png = api.get(f"{base}/map.png")
    assert png.content.startswith(b"\x89PNG")
    assert (
        api.get(f"{base}/map.png", headers={"If-None-Match": png.headers["etag"]}).status_code
        == 304
    )


def test_tokens_and_roles(api_server: Server) -> None:
    path = f"/worlds/{api_server.world_id}/regions"
    anonymous = api_server.client().get(path)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    for token in (
        "nonsense",
        api_server.revoked,
        api_server.reader[:-1] + ("B" if api_server.reader.endswith("A") else "A"),
        "wl_" + "0" * 12 + "_" + "a" * 43,
    ):
        assert api_server.client(token).get(path).status_code == 401
    assert api_server.client(api_server.reader).get("/admin/usage").status_code == 403
    assert api_server.client(api_server.admin).get(path).status_code == 200
    reload = api_server.client(api_server.admin).post("/admin/reload")
    assert reload.status_code == 200
    assert reload.json() == {"changes": []}


def test_oversized_and_malformed_bodies(api_server: Server, api: httpx.Client, base: str) -> None:
    talk = f"{base}/npcs/0/talk"
    assert api.post(talk, content=b"{" + b" " * 10_000 + b"}").status_code == 413
    chunks = (b"x" * 1024 for _ in range(10))
    assert api.post(talk, content=chunks).status_code == 413
    assert api.post(talk, json={"topic": "weather"}).status_code == 422
    assert api.post(talk, json={"topic": "greeting", "secret": 1}).status_code == 422
    assert (
        api.post(
            talk, content=b"not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )


def test_usage_is_recorded_without_tokens(api_server: Server, api: httpx.Client, base: str) -> None:
    # Its own requests: one that succeeds, one refused (as ann), one as root.
    ok(api.get(f"{base}/npcs/0"))
    assert api.get(f"{base}/tables/npcs?bogus=1").status_code >= 400
    admin = api_server.client(api_server.admin)
    ok(admin.get("/admin/usage", params={"hours": 1}))
    for _ in range(50):  # the writer flushes every quarter second
        report = ok(admin.get("/admin/usage", params={"hours": 1}))
        routes = {r["route"]: r for r in report["by_route"]}
        users = {u["user"] for u in report["by_user"]}
        refused = any(r["4xx"] for r in report["by_route"])
        if "GET /worlds/{world_id}/npcs/{npc_id}" in routes and "root" in users and refused:
            break
        time.sleep(0.1)
    assert routes["GET /worlds/{world_id}/npcs/{npc_id}"]["requests"] >= 1
    assert {"ann", "root"} <= users
    assert refused
    stored = usage_path(api_server.home).read_bytes()
    for token in (api_server.reader, api_server.admin, api_server.revoked):
        secret = token.split("_", 2)[2]
        assert secret.encode() not in stored
    with sqlite3.connect(usage_path(api_server.home)) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(usage)")]
    assert "token" not in " ".join(columns)


def test_tokens_never_reach_the_logs(
    api_server: Server, api: httpx.Client, base: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        ok(api.get(f"{base}/npcs/1"))
        api_server.client(api_server.revoked).get(f"{base}/npcs/1")
        api.get(f"{base}/tables/npcs?bogus=1")
    secrets = [t.split("_", 2)[2] for t in (api_server.reader, api_server.revoked)]
    assert not [r for r in caplog.records if any(s in r.getMessage() for s in secrets)]


def test_the_openapi_document(api_server: Server) -> None:
    document = httpx.get(f"{api_server.url}/openapi.json").json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["security"] == [{"bearer": []}]
    paths = document["paths"]
    for path in (
        "/worlds",
        "/worlds/{world_id}/regions",
        "/worlds/{world_id}/settlements/{settlement_id}",
        "/worlds/{world_id}/npcs",
        "/worlds/{world_id}/factions",
        "/worlds/{world_id}/markets/{market_id}/prices",
        "/worlds/{world_id}/pois/{poi_id}",
        "/worlds/{world_id}/tables/{table}",
        "/worlds/{world_id}/npcs/{npc_id}/talk",
    ):
        assert path in paths
    assert paths["/health"]["get"]["security"] == []
    assert "/" not in paths  # the page is not an API route
    talk = paths["/worlds/{world_id}/npcs/{npc_id}/talk"]["post"]
    assert "TalkRequest" in str(talk["requestBody"])
