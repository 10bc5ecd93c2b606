"""Yarn Spinner scripts: every generated script parses — with a structural Yarn 2 parser here
(headers, ---/=== framing, unique titles, jumps to existing nodes, well-formed options, no
unescaped special character in a line) and, where installed, with bondage.js, a Yarn 2 runner
from the npm registry — and holds exactly the dialogue lines it was rendered from."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings

from tests.systems.narrative.dialogue.dialogue_world import NAMES, World, worlds
from tests.systems.narrative.dialogue.test_dialogue_lines import WORLD
from worldloom.systems.narrative.dialogue import escape_line, file_name, render_yarn, speaker_label
from worldloom.systems.narrative.names import Names

_TITLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):\s*(.*)$")
_JUMP = re.compile(r"^<<jump ([A-Za-z][A-Za-z0-9_]*)>>$")
_LINE = re.compile(r"^([^:{}\[\]<>#/\\]+): (.*?)(?: #line:([A-Za-z0-9_]+))?$")
_SPECIAL = set("\\{}[]<>#/")


class YarnError(ValueError):
    """A script is not well-formed Yarn 2 (the message says where)."""


@dataclass
class Node:
    title: str
    tags: list[str] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)
    jumps: list[str] = field(default_factory=list)


def unescape(text: str, where: str) -> str:
    """Line text with its escapes undone; an unescaped special character is an error."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text) or text[i + 1] not in _SPECIAL:
                raise YarnError(f"{where}: a backslash escapes nothing in {text!r}")
            out.append(text[i + 1])
            i += 2
            continue
        if char in _SPECIAL:
            raise YarnError(f"{where}: unescaped {char!r} in {text!r}")
        out.append(char)
        i += 1
    return "".join(out)


def parse_yarn(scripts: dict[str, str]) -> dict[str, Node]:
    """Parse a project's scripts into nodes by title; raise YarnError on the first fault."""
    nodes: dict[str, Node] = {}
    line_ids: set[str] = set()
    for name, script in scripts.items():
        lines = script.split("\n")
        if lines[-1] != "":
            raise YarnError(f"{name}: does not end with a newline")
        i = 0
        while i < len(lines) - 1:
            node, i = _node(name, lines, i, line_ids)
            if node.title in nodes:
                raise YarnError(f"{name}: duplicate title {node.title}")
            nodes[node.title] = node
    for node in nodes.values():
        for target in [*node.jumps, *(t for _, t in node.options)]:
            if target not in nodes:
                raise YarnError(f"node {node.title} jumps to {target}, which does not exist")
    return nodes


def _node(name: str, lines: list[str], i: int, line_ids: set[str]) -> tuple[Node, int]:
    """The node starting at line `i`, and the line after its `===`."""
    headers: dict[str, str] = {}
    while lines[i] != "---":
        match = _HEADER.match(lines[i])
        if match is None:
            raise YarnError(f"{name}:{i + 1}: not a header: {lines[i]!r}")
        headers[match[1]] = match[2]
        i += 1
    title = headers.get("title", "")
    if not _TITLE.match(title):
        raise YarnError(f"{name}:{i}: bad or missing title {title!r}")
    node = Node(title, headers.get("tags", "").split())
    option: str | None = None
    i += 1
    while lines[i] != "===":
        if i == len(lines) - 1:
            raise YarnError(f"{name}: node {title} is not closed with ===")
        option = _statement(node, lines[i], option, f"{name}:{i + 1}", line_ids)
        i += 1
    if option is not None:
        raise YarnError(f"{name}: option {option!r} has no body")
    return node, i + 1


def _statement(node: Node, raw: str, option: str | None, where: str, ids: set[str]) -> str | None:
    """Read one body line into `node`; return the option still waiting for its body."""
    body = raw.strip()
    if raw.startswith("    "):
        if option is None or not (jump := _JUMP.match(body)):
            raise YarnError(f"{where}: indented line outside an option: {raw!r}")
        node.options.append((option, jump[1]))
        return None
    if option is not None:
        raise YarnError(f"{where}: option {option!r} has no body")
    if body.startswith("->"):
        text = unescape(body[2:].strip(), where)
        if not text:
            raise YarnError(f"{where}: empty option")
        return text
    if body.startswith("<<"):
        if not (jump := _JUMP.match(body)):
            raise YarnError(f"{where}: unknown command {body!r}")
        node.jumps.append(jump[1])
        return None
    match = _LINE.match(raw)
    if match is None:
        raise YarnError(f"{where}: not a 'Speaker: text' line: {raw!r}")
    if match[3] is not None:
        if match[3] in ids:
            raise YarnError(f"{where}: duplicate line id {match[3]}")
        ids.add(match[3])
    node.lines.append((match[1], unescape(match[2], where)))
    return None


def _check_scripts_hold_the_lines(lines: pl.DataFrame, scripts: dict[str, str]) -> None:
    nodes = parse_yarn(scripts)
    assert set(nodes) == set(lines["node"])
    for (title,), rows in lines.group_by("node"):
        said = [text for _, text in nodes[str(title)].lines]
        assert said == [" ".join(t.split()) for t in rows.sort("position")["text"]]
        npc = int(rows["npc_id"][0])
        assert {who for who, _ in nodes[str(title)].lines} == {speaker_label(npc, NAMES)}
    for node in nodes.values():
        if node.title.endswith("_Farewell"):
            assert node.options == []
        else:
            assert node.options[-1][1].endswith("_Farewell")


def test_the_scripts_of_a_world_parse_and_hold_its_lines() -> None:
    lines = WORLD.write()
    scripts = render_yarn(lines, names=NAMES)
    assert list(scripts) == [
        "dialogue/1-alda-brenn.yarn",
        "dialogue/2-gorm.yarn",
        "dialogue/3-ysolde-of-the-vale.yarn",
    ]
    _check_scripts_hold_the_lines(lines, scripts)
    nodes = parse_yarn(scripts)
    assert nodes["N1_Greeting"].tags == ["npc_1", "greeting"]
    assert [t for _, t in nodes["N1_Greeting"].options] == [
        "N1_Rumors",
        "N1_Work",
        "N1_Memories",
        "N1_Farewell",
    ]
    assert [t for _, t in nodes["N3_Rumors"].options] == ["N3_Farewell"]
    assert scripts["dialogue/2-gorm.yarn"].startswith(
        "title: N2_Greeting\ntags: npc_2 greeting\n---\n"
    )
    assert render_yarn(lines.head(0), names=NAMES) == {}


@settings(max_examples=60, deadline=None)
@given(world=worlds())
def test_every_generated_script_parses_and_holds_its_lines(world: World) -> None:
    lines = world.write()
    _check_scripts_hold_the_lines(lines, render_yarn(lines, names=NAMES))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Plain words, and a colon: fine.", "Plain words, and a colon: fine."),
        ("{gold} and [b]bold[/b]", "\\{gold\\} and \\[b\\]bold\\[\\/b\\]"),
        ("<<stop>> #tag // c", "\\<\\<stop\\>\\> \\#tag \\/\\/ c"),
        ("-> not an option", "-\\> not an option"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines  here", "two lines here"),
    ],
)
def test_escape_line_backslashes_what_yarn_reads(text: str, escaped: str) -> None:
    assert escape_line(text) == escaped
    assert unescape(escaped, "test") == " ".join(text.split())


def test_speaker_labels_and_file_names_come_from_ids_and_safe_names() -> None:
    names = Names(npc={1: "Ana: the Bold", 2: "Élodie [Fair]", 3: "##", 4: "-> Vex"})
    assert speaker_label(1, names) == "Ana the Bold"
    assert speaker_label(2, names) == "Élodie Fair"
    assert speaker_label(3, names) == "N3"
    assert speaker_label(4, names) == "Vex"
    assert speaker_label(5, names) == "N5"
    assert file_name(2, names) == "dialogue/2-elodie-fair.yarn"
    assert file_name(3, names) == "dialogue/3.yarn"


_GOOD = "title: A\n---\nX: hi\n-> Go\n    <<jump B>>\n===\ntitle: B\n---\nX: bye\n===\n"


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (_GOOD.replace("title: B", "title: A"), "duplicate title"),
        (_GOOD.replace("title: A", "title: 1A"), "bad or missing title"),
        (_GOOD.replace("jump B", "jump C"), "does not exist"),
        (_GOOD.replace("X: hi", "X: hi {x}"), "unescaped"),
        (_GOOD.replace("X: hi", "X: hi \\q"), "escapes nothing"),
        (_GOOD.replace("X: hi", "hi there"), "not a 'Speaker: text'"),
        (_GOOD.replace("X: hi", "<<wait 2>>"), "unknown command"),
        (_GOOD.replace("    <<jump B>>\n", ""), "has no body"),
        (_GOOD.replace("-> Go\n    <<jump B>>\n", "-> Go\n"), "has no body"),
        (_GOOD.replace("-> Go", "->"), "empty option"),
        (_GOOD.replace("X: hi\n", "    X: hi\n"), "indented line outside"),
        (_GOOD.replace("title: A\n", "title A\n"), "not a header"),
        (_GOOD[:-1], "does not end with a newline"),
        (_GOOD.replace("X: bye\n===\n", "X: bye\n"), "not closed"),
        (_GOOD.replace("X: bye", "X: bye #line:a\nX: again #line:a"), "duplicate line id"),
    ],
)
def test_the_structural_parser_refuses_broken_scripts(script: str, message: str) -> None:
    parse_yarn({"good.yarn": _GOOD})
    with pytest.raises(YarnError, match=message):
        parse_yarn({"bad.yarn": script})


BONDAGE = "@mnbroatch/bondage"
_RUN_EVERY_NODE = """
const bondage = require(process.env.BONDAGE);
const fs = require('fs');
for (const file of process.argv.slice(1)) {
  const runner = new bondage.Runner();
  runner.load(fs.readFileSync(file, 'utf8'));
  for (const title of Object.keys(runner.yarnNodes)) {
    const run = runner.run(title);
    let result = run.next().value;
    for (let n = 0; result && n < 100; n++) {
      if (result.options) result.select(result.options.length - 1);
      result = run.next().value;
    }
  }
}
"""


def _bondage() -> str | None:
    """bondage.js's folder: $WORLDLOOM_BONDAGE, or under $WORLDLOOM_NODE_MODULES."""
    if shutil.which("node") is None:
        return None
    for folder in (
        os.environ.get("WORLDLOOM_BONDAGE"),
        os.path.join(os.environ.get("WORLDLOOM_NODE_MODULES", "/nonexistent"), BONDAGE),
    ):
        if folder and Path(folder, "package.json").is_file():
            return folder
    return None


BONDAGE_SKIP = (
    None
    if _bondage() is not None
    else (
        "bondage.js (a Yarn 2 runner) is not installed: `npm install --prefix DIR "
        "@mnbroatch/bondage@4.2.4` and set WORLDLOOM_NODE_MODULES=DIR/node_modules "
        "(make install does)"
    )
)
"""Why the bondage.js checks skip here, or None when it is installed."""


def _run_every_node(files: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BONDAGE": str(_bondage())}
    return subprocess.run(
        ["node", "-e", _RUN_EVERY_NODE, *files],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def bondage_runs(files: list[Path]) -> None:
    """Load the scripts in bondage.js and run every node to its end (the last option taken)."""
    done = _run_every_node([str(path) for path in files])
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(BONDAGE_SKIP is not None, reason=str(BONDAGE_SKIP))
def test_bondage_js_loads_and_runs_every_generated_node(tmp_path: Path) -> None:
    lines = WORLD.write()
    scripts = render_yarn(lines, names=NAMES)
    tricky = World(
        speakers=WORLD.speakers,
        rumors=WORLD.rumors.with_columns(pl.col("text") + " {gold} [b] <<stop>> #tag // x \\"),
        quests=WORLD.quests,
        quest_steps=WORLD.quest_steps,
        memories=WORLD.memories,
        motifs=WORLD.motifs,
    ).write()
    scripts |= {f"tricky/{k}": v for k, v in render_yarn(tricky, names=NAMES).items()}
    files = []
    for name, text in scripts.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files.append(path)
    bondage_runs(files)
    broken = tmp_path / "broken.yarn"
    broken.write_text("title: A\n---\nX: hi {oops\n===\n", encoding="utf-8")
    assert _run_every_node([str(broken)]).returncode != 0
