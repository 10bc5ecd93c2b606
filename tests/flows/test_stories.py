"""The stories of a world that has lived, through the real flows and commands: every story
refers to what exists, a second telling changes nothing, the commands print and explain them,
bad input is one line, and an LLM retells only what its checks accept."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from prefect.logging import disable_run_logger
from typer.testing import CliRunner

from tests.infrastructure.llm.fake_servers import FakeServer, Reply, Seen, chat_completion
from tests.systems.narrative.dialogue.test_yarn_script import (
    BONDAGE_SKIP,
    bondage_runs,
    parse_yarn,
)
from worldloom.flows.commands import app
from worldloom.flows.generate import generate_world
from worldloom.flows.params import GeneratedWorld, GenerateWorldParams
from worldloom.flows.simulate import simulate
from worldloom.flows.stories import stories_flow
from worldloom.infrastructure.settings import Settings
from worldloom.infrastructure.snapshot import SnapshotCorruptError, open_snapshot
from worldloom.infrastructure.store import open_store
from worldloom.tasks import catalog
from worldloom.tasks.stages import STORY_TABLES
from worldloom.tasks.stories import tell_year_stories
from worldloom.tasks.yarn_scripts import verify_yarn

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_server")]

YEAR = 365
LIVED = 4 * YEAR


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GeneratedWorld]:
    """A tiny world that has lived four years (its stories told as each year ended)."""
    home = tmp_path_factory.mktemp("stories") / "home"
    made = generate_world(
        GenerateWorldParams(seed=11, preset="tiny", home=str(home), economy_ticks=3)
    )
    simulate(str(home), made.world_id, until_tick=LIVED)
    return home, made


def copy_of(world: tuple[Path, GeneratedWorld], tmp_path: Path) -> Path:
    _, made = world
    copy = tmp_path / "home"
    (copy / "worlds").mkdir(parents=True)
    shutil.copy(made.database, copy / "worlds")
    return copy


def story_tables(home: Path, world_id: str) -> dict[str, pl.DataFrame]:
    with open_store(Settings(home=home).world_db(world_id), read_only=True) as store:
        return {name: store.read(name, world_id) for name in STORY_TABLES}


def test_the_stories_stand_on_what_exists(world: tuple[Path, GeneratedWorld]) -> None:
    home, made = world
    told = story_tables(home, made.world_id)
    for name in ("rumors", "rumor_beliefs", "memories", "quests", "quest_steps", "motifs"):
        assert told[name].height > 0, name
    assert told["dialogue_lines"].height > 0
    with open_store(Path(made.database), read_only=True) as store:
        dangling = store.dangling_references(made.world_id)
        vitals = store.read("npc_vitals", made.world_id)
        events = store.read("events", made.world_id)
    assert not {table: n for table, n in dangling.items() if n}, dangling
    # Each system has read the log to the last year's end.
    state = told["narrative_state"]
    assert set(state["system"]) == {"arcs", "rumors", "memories", "quests"}
    clocks = dict(state.select("system", "tick").iter_rows())
    assert clocks.pop("arcs") == int(events["tick"].max())  # type: ignore[arg-type]
    assert set(clocks.values()) == {LIVED}
    # Every position is an event's id, the last one's (a quest board reads by tick, but its
    # position is not a tick either).
    positions = dict(state.select("system", "last_event_id").iter_rows())
    assert set(positions.values()) == {int(events["event_id"].max())}  # type: ignore[arg-type]
    # A rumor tells of an event that happened; a version is heard no earlier than it.
    heard = told["rumor_beliefs"].join(
        events.select(pl.col("event_id").alias("rumor_id"), "tick"), on="rumor_id"
    )
    assert heard.height == told["rumor_beliefs"].height
    assert (heard["heard_tick"] >= heard["tick"]).all()
    # Open quests' givers are alive; closed ones say when and why.
    dead = vitals.filter(pl.col("died_tick").is_not_null())["npc_id"]
    quests = told["quests"]
    assert not quests.filter(
        (pl.col("status") == "open") & pl.col("giver_npc_id").is_in(dead.to_list())
    ).height
    closed = quests.filter(pl.col("status") == "closed")
    assert closed["closed_reason"].null_count() == 0
    assert (closed["closed_tick"] >= closed["issued_tick"]).all()
    # Motifs are shares of the world's history.
    assert abs(float(told["motifs"]["score"].sum()) - 1.0) < 1e-9


def test_telling_again_changes_nothing(world: tuple[Path, GeneratedWorld], tmp_path: Path) -> None:
    _, made = world
    copy = copy_of(world, tmp_path)
    before = story_tables(copy, made.world_id)
    told = stories_flow(str(copy), made.world_id)
    after = story_tables(copy, made.world_id)
    assert told.rumors == before["rumors"].height
    for name, frame in before.items():
        assert after[name].equals(frame), name


def test_a_telling_whose_boards_read_no_event_keeps_every_position_an_event_id(
    world: tuple[Path, GeneratedWorld], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A simulate run begins by telling the last year's stories again. With the year's end on
    a board period's last day (a medium world's 60th year), the boards read no event then: the
    quests' position was left the tick they read from, and the next year's stories read the
    whole log (1.7M events, 0.4 s and ~200 MB in a medium world's 61st year)."""
    _, made = world
    copy = copy_of(world, tmp_path)
    rules = catalog.quest_rules()
    # Boards a year apart: the next one's period begins on the world's last day.
    yearly = replace(rules, board=replace(rules.board, days=YEAR))
    monkeypatch.setattr(catalog, "quest_rules", lambda: yearly)
    with disable_run_logger():
        tell_year_stories.fn(home=str(copy), world_id=made.world_id)
    state = story_tables(copy, made.world_id)["narrative_state"]
    with open_store(Settings(home=copy).world_db(made.world_id), read_only=True) as store:
        last = store.next_id("events", made.world_id, "event_id") - 1
    assert dict(state.select("system", "last_event_id").iter_rows()) == dict.fromkeys(
        ("arcs", "memories", "quests", "rumors"), last
    )


def test_a_world_that_has_not_lived_has_no_stories_yet(tmp_path: Path) -> None:
    made = generate_world(
        GenerateWorldParams(seed=11, preset="tiny", home=str(tmp_path), economy_ticks=3)
    )
    told = stories_flow(str(tmp_path), made.world_id)
    assert (told.arcs, told.rumors, told.memories, told.quests) == (0, 0, 0, 0)
    result = CliRunner().invoke(app, ["report", made.world_id, "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Arcs to read first" not in result.output


def test_the_commands_print_list_explain_and_recall(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    _, made = world
    home = copy_of(world, tmp_path)
    runner = CliRunner()
    told = runner.invoke(app, ["stories", made.world_id, "--home", str(home)])
    assert told.exit_code == 0, told.output
    assert re.search(r"^rumors\s+\d+", told.output, re.MULTILINE)
    for section in ("Themes", "Quests on offer", "Rumors most widely held"):
        assert section in told.output
    report = runner.invoke(app, ["report", made.world_id, "--home", str(home)])
    assert "Themes" in report.output
    listed = runner.invoke(app, ["arcs", made.world_id, "--home", str(home)])
    assert listed.exit_code == 0, listed.output
    assert f"Arcs of {made.world_id}" in listed.output
    explained = runner.invoke(
        app, ["arcs", made.world_id, "--why-not", "desecration_revenge", "--home", str(home)]
    )
    assert explained.exit_code == 0, explained.output
    assert "pattern 'desecration_revenge'" in explained.output
    assert "stage " in explained.output
    with open_store(Settings(home=home).world_db(made.world_id), read_only=True) as store:
        memories = store.read("memories", made.world_id)
    npc = int(memories.group_by("npc_id").len().sort("len", descending=True)["npc_id"][0])
    recalled = runner.invoke(
        app, ["recall", made.world_id, str(npc), "--topic", "war", "--home", str(home)]
    )
    assert recalled.exit_code == 0, recalled.output
    assert "remembers (war)" in recalled.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["arcs", "{w}", "--why-not", "nope"], "no arc pattern 'nope'"),
        (["arcs", "{w}", "--pattern", "nope"], "no arc pattern 'nope'"),
        (["arcs", "{w}", "--bind", "attacker=3"], "give --why-not PATTERN too"),
        (["arcs", "{w}", "--why-not", "war_to_peace", "--bind", "attacker=x"], "ROLE=ID"),
        (["arcs", "{w}", "--why-not", "war_to_peace", "--bind", "king=3"], "no variables"),
        (["recall", "{w}", "999999", "--topic", "war"], "no notable with npc_id 999999"),
        (["stories", "nowhere"], "nowhere"),
        (["stories", "{w}", "--llm", "sorcery/9"], "sorcery"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    world: tuple[Path, GeneratedWorld], tmp_path: Path, args: list[str], needle: str
) -> None:
    _, made = world
    home = copy_of(world, tmp_path)
    before = story_tables(home, made.world_id)
    asked = [arg.format(w=made.world_id) for arg in args]
    result = CliRunner().invoke(app, [*asked, "--home", str(home)])
    assert result.exit_code == 2, result.output
    assert needle in result.output
    after = story_tables(home, made.world_id)
    for name, frame in before.items():
        assert after[name].equals(frame), name


def test_the_dialogue_exports_as_yarn_scripts_that_parse_and_verify(
    world: tuple[Path, GeneratedWorld], tmp_path: Path
) -> None:
    _, made = world
    home = copy_of(world, tmp_path)
    out = tmp_path / "engine"
    args = ["export", made.world_id, "--format", "yarn", "--out", str(out), "--home", str(home)]
    exported = CliRunner().invoke(app, args)
    assert exported.exit_code == 0, exported.output
    folder = Path(exported.output.strip().splitlines()[-1])
    assert folder.parent == out / made.world_id
    assert folder.name.endswith("-yarn")
    manifest = verify_yarn(folder)
    lines = open_snapshot(home / "snapshots" / made.world_id / manifest.snapshot_id).polars(
        "dialogue_lines"
    )
    scripts = {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.yarn"))
    }
    assert len(scripts) == lines["npc_id"].n_unique()
    nodes = parse_yarn(scripts)
    assert sum(len(node.lines) for node in nodes.values()) == lines.height
    if BONDAGE_SKIP is None:
        bondage_runs(sorted(folder.rglob("*.yarn")))
    # The same snapshot again: the export that verifies is kept.
    again = CliRunner().invoke(app, args)
    assert Path(again.output.strip().splitlines()[-1]) == folder
    victim = next(iter(sorted(folder.rglob("*.yarn"))))
    victim.write_text(victim.read_text(encoding="utf-8") + "X: extra\n", encoding="utf-8")
    with pytest.raises(SnapshotCorruptError, match="checksum"):
        verify_yarn(folder)
    (folder / "stray.txt").write_text("?", encoding="utf-8")
    with pytest.raises(SnapshotCorruptError, match="differ from the manifest"):
        verify_yarn(folder)


NAMES = re.compile(r"Mention no names except: (?P<names>[^\n]*)\.")


def _grounded(seen: Seen) -> Reply:
    """A fake model that answers every prompt in its schema with a text naming only the first
    name the prompt allows."""
    user = next(m["content"] for m in seen.body["messages"] if m["role"] == "user")
    name = NAMES.search(user)["names"].split(", ")[0]  # type: ignore[index]
    schema = seen.body["response_format"]["json_schema"]["schema"]
    if "line" in schema["properties"]:
        return chat_completion({"line": f"Welcome, traveller. I know all about {name} here."})
    return chat_completion({"text": f"Long ago the deeds of {name} began. They are sung still."})


def test_an_llm_retells_what_its_checks_accept(
    world: tuple[Path, GeneratedWorld], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, made = world
    home = copy_of(world, tmp_path)
    before = story_tables(home, made.world_id)
    server = FakeServer().script("POST /v1/chat/completions", _grounded)
    with server.running():
        monkeypatch.setenv("WORLDLOOM_OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        stories_flow(str(home), made.world_id, "openai/fake")
    after = story_tables(home, made.world_id)
    with open_store(Settings(home=home).world_db(made.world_id), read_only=True) as store:
        calls = store.read("llm_calls", made.world_id)
    assert calls.height > 0
    assert set(calls["stage"]) == {"stories"}
    accepted = calls.filter(pl.col("outcome") == "llm")
    assert accepted.height > 0
    retold = after["arcs"].join(before["arcs"], on="arc_id", suffix="_before")
    changed = retold.filter(pl.col("summary") != pl.col("summary_before"))
    assert changed.height == accepted.filter(pl.col("entity").str.starts_with("arc ")).height
    assert changed["summary"].str.contains("Long ago the deeds of").all()
    spoken = after["dialogue_lines"].filter(pl.col("source") == "llm")
    assert spoken.height == accepted.filter(pl.col("entity").str.starts_with("line ")).height
    thought = after["reflections"].filter(pl.col("source") == "llm")
    assert thought.height == accepted.filter(pl.col("entity").str.starts_with("reflection")).height
    assert thought["text"].str.contains("Long ago the deeds of").all()
    # A quest whose offer the model spoke takes it as its text; nothing else about it moves.
    offered = spoken.filter(pl.col("quest_id").is_not_null())["text"]
    quests = after["quests"].join(before["quests"], on="quest_id", suffix="_before")
    moved = quests.filter(pl.col("text") != pl.col("text_before"))
    assert set(moved["text"]) <= set(offered)
    assert after["quests"].drop("text").equals(before["quests"].drop("text"))
    # Everything the model did not touch is as the procedural telling left it.
    for name in ("rumors", "rumor_beliefs", "memories", "quest_steps", "motifs"):
        assert after[name].equals(before[name]), name
