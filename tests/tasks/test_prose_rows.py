"""The prose stage's `llm_calls` rows: one per gateway call, in the table's one row shape,
written in batches as calls end."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from worldloom.infrastructure.llm import CallRecord, ProviderConfigError
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.store import TABLES, open_store
from worldloom.systems.prose.selection import add_colour, name_candidates
from worldloom.tasks.prose import CallLog, call_rows, gateway_for

RECORD = CallRecord(
    template="region",
    template_hash="h",
    provider="embedded",
    model="m",
    cache_key="k",
    cache_hit=False,
    prompt_tokens=1,
    completion_tokens=2,
    latency_ms=3.5,
    attempts=1,
    outcome="fallback",
    fallback_reason="timeout",
    detail="request timed out",
)


def test_a_call_record_is_an_llm_calls_row_without_its_run_columns() -> None:
    fields = [field.name for field in dataclasses.fields(CallRecord)]
    run_columns = ["world_id", "run_id", "call_seq", "stage", "entity"]
    assert run_columns + fields == list(TABLES["llm_calls"].column_names)


def test_calls_become_rows_in_order_under_their_entities() -> None:
    rows = call_rows(
        [RECORD, dataclasses.replace(RECORD, outcome="llm", fallback_reason=None)],
        "run-1",
        ["region 0", "world"],
    )
    assert rows.schema == TABLES["llm_calls"].schema
    assert rows["call_seq"].to_list() == [0, 1]
    assert rows["entity"].to_list() == ["region 0", "world"]
    assert rows["fallback_reason"].to_list() == ["timeout", None]
    assert set(rows["run_id"]) == {"run-1"}


def test_a_call_without_its_entity_is_a_bug() -> None:
    with pytest.raises(RuntimeError, match="1 call records for 2 entities"):
        call_rows([RECORD], "run-1", ["region 0", "world"])


def test_the_call_log_writes_batches_as_calls_end(tmp_path: Path) -> None:
    """A killed stage keeps every batch written before it died."""
    path = tmp_path / "w.duckdb"
    log = CallLog(path, world_id="w", run_id="run-1", batch=2)

    def written() -> list[tuple[int, str]]:
        with open_store(path, read_only=True) as store:
            rows = store.read("llm_calls", "w")
        return list(zip(rows["call_seq"], rows["entity"], strict=True))

    log("region 0", RECORD)
    assert not path.exists() or written() == []
    log("region 1", RECORD)
    assert written() == [(0, "region 0"), (1, "region 1")]
    log("world", RECORD)
    assert len(written()) == 2  # the last batch is not full yet
    log.flush()
    log.flush()  # nothing pending: no write
    assert written() == [(0, "region 0"), (1, "region 1"), (2, "world")]


def test_the_call_log_writes_a_slow_batch_after_its_wait(tmp_path: Path) -> None:
    """A slow provider's records are not held back until eight calls have ended."""
    path = tmp_path / "w.duckdb"
    now = [0.0]
    log = CallLog(path, world_id="w", run_id="run-1", batch=8, wait_s=5.0, clock=lambda: now[0])

    log("region 0", RECORD)
    now[0] = 6.0
    log("region 1", RECORD)

    with open_store(path, read_only=True) as store:
        assert store.read("llm_calls", "w").height == 2


PATTERNS = {
    "default": ("{name}", "{name} Vale"),
    "mountains": ("{name} Peaks", "{name} Heights", "{name} Crags"),
    "temperate_forest": ("{name} Wood", "{name} Forest", "{name}wood"),
    "tropical_seasonal_forest": ("{name} Woodlands", "{name} Forest"),
}


@pytest.mark.parametrize(
    ("name", "prefer", "taken", "expected"),
    [
        ("Bromdor Crags", "taiga", (), ("Bromdor Crags", "Bromdor Peaks", "Bromdor Heights")),
        (
            "Oliathilwood",
            "temperate_forest",
            (),
            ("Oliathilwood", "Oliathil Wood", "Oliathil Forest"),
        ),
        # "X Forest" fits two landforms: the region's own biome decides.
        ("Kel Forest", "tropical_seasonal_forest", (), ("Kel Forest", "Kel Woodlands")),
        ("Kel Forest", "temperate_forest", ("kel wood",), ("Kel Forest", "Kelwood")),
        ("Ashvale", "grassland", (), ("Ashvale", "Ashvale Vale")),
    ],
)
def test_name_candidates_keep_the_root_in_the_landform_s_other_patterns(
    name: str, prefer: str, taken: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    got = name_candidates(name, PATTERNS, prefer=prefer, taken=taken, limit=3, max_length=40)
    assert got == expected


def test_a_name_candidate_too_long_or_taken_is_left_out() -> None:
    got = name_candidates(
        "Bromdor Crags", PATTERNS, prefer="x", taken=("Bromdor Peaks",), limit=4, max_length=14
    )
    assert got == ("Bromdor Crags",)


def test_colour_joins_after_the_first_sentence_and_drops_the_last_to_fit() -> None:
    text = "Ashvale is a mild land. It is crossed by 2 rivers. Its people live on grain."
    colour = "It is quiet country, full of birdsong."
    assert add_colour(text, colour, limit=200) == (
        "Ashvale is a mild land. It is quiet country, full of birdsong. It is crossed by 2 "
        "rivers. Its people live on grain."
    )
    assert add_colour(text, colour, limit=100) == (
        "Ashvale is a mild land. It is quiet country, full of birdsong. It is crossed by 2 rivers."
    )
    assert add_colour(text, colour, limit=40) == text  # not even the opening fits with it


def test_routes_from_the_environment_send_a_template_to_its_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORLDLOOM_LLM_ROUTES", '{"lore": "none", "notable": "embedded"}')
    monkeypatch.setenv("WORLDLOOM_LLM_STAGE_DEADLINE_S", "12.5")
    settings = Settings(home=tmp_path)
    assert settings.llm_routes == {"lore": "none", "notable": "embedded"}
    assert settings.llm_stage_deadline_s == 12.5
    with gateway_for(settings, "none") as gateway:
        detail = gateway.status().detail  # nothing started: the embedded route is not asked
    assert "lore -> none" in detail
    assert "notable -> embedded" in detail


def test_a_route_for_no_prompt_is_refused_naming_the_prompts(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, llm_routes={"lroe": "none"})
    with pytest.raises(ProviderConfigError, match=r"name no prompt: lroe \(prompts: .*lore"):
        gateway_for(settings, "none")
