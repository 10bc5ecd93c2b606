"""How `make pytest` deals tests out to pytest-xdist workers: whole modules, `xdist_group`s
across modules, world-generating folders first; xdist's own modes untouched."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.scheduling import ModuleScheduling, make_scheduler, rank, scope_of

COLLECTION = [
    "tests/systems/test_a.py::test_one",
    "tests/systems/test_a.py::test_two[x@y]",
    "tests/systems/test_a.py::test_three",
    "tests/flows/test_b.py::test_one",
    "tests/flows/test_b.py::test_two@port",
    "tests/flows/test_c.py::test_one@port",
    "tests/flows/test_c.py::test_two",
    "tests/reader/test_d.py::test_one",
]


@dataclass
class Config:
    """What the schedulers ask of pytest's config."""

    dist: str = "loadgroup"
    tx: list[str] = field(default_factory=lambda: ["2*popen"])
    option: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(loadscopereorder=True))

    def getvalue(self, name: str) -> object:
        return {"dist": self.dist, "tx": self.tx}[name]


@dataclass(eq=False)
class Worker:
    """A worker that records what it is sent and finishes it when told."""

    name: str
    sent: list[int] = field(default_factory=list)
    shutting_down: bool = False
    gateway: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(id="gw"))

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


def run(collection: list[str], workers: int) -> dict[str, list[str]]:
    """Schedule `collection` on `workers` workers that finish their tests in turn; the tests
    each was sent, in order."""
    scheduler = make_scheduler(Config(tx=[f"{workers}*popen"]), None)
    assert isinstance(scheduler, ModuleScheduling)
    nodes = [Worker(f"gw{n}") for n in range(workers)]
    for node in nodes:
        scheduler.add_node(node)  # type: ignore[arg-type]
        scheduler.add_node_collection(node, collection)  # type: ignore[arg-type]
    scheduler.schedule()
    done = dict.fromkeys((node.name for node in nodes), 0)
    while scheduler.has_pending:
        for node in nodes:
            if done[node.name] < len(node.sent):
                scheduler.mark_test_complete(node, node.sent[done[node.name]])  # type: ignore[arg-type]
                done[node.name] += 1
    assert scheduler.tests_finished
    assert all(node.shutting_down for node in nodes)
    return {node.name: [collection[i] for i in node.sent] for node in nodes}


def test_modules_and_groups_each_run_on_one_worker() -> None:
    ran = run(COLLECTION, workers=2)
    assert sorted(t for tests in ran.values() for t in tests) == sorted(COLLECTION)
    for unit in {scope_of(t) for t in COLLECTION}:
        holders = [name for name, tests in ran.items() if any(scope_of(t) == unit for t in tests)]
        assert len(holders) == 1, unit
    assert {scope_of(t) for t in COLLECTION} == {
        "tests/systems/test_a.py",
        "tests/flows/test_b.py",
        "tests/flows/test_c.py",
        "tests/reader/test_d.py",
        "port",
    }


def test_groups_and_world_generating_folders_are_sent_first() -> None:
    [sent] = run(COLLECTION, workers=1).values()
    assert list(dict.fromkeys(map(scope_of, sent))) == [
        "port",
        "tests/flows/test_b.py",
        "tests/flows/test_c.py",
        "tests/systems/test_a.py",
        "tests/reader/test_d.py",
    ]


@pytest.mark.parametrize("dist", ["load", "loadfile", "loadscope", "worksteal", "no"])
def test_other_modes_keep_xdists_scheduler(dist: str) -> None:
    assert make_scheduler(Config(dist=dist), None) is None


@pytest.mark.parametrize(
    ("nodeid", "scope"),
    [
        ("tests/flows/test_cli.py::test_a", "tests/flows/test_cli.py"),
        ("tests/flows/test_cli.py::test_a[x-1]", "tests/flows/test_cli.py"),
        ("tests/flows/test_cli.py::test_a[a@b]", "tests/flows/test_cli.py"),
        ("tests/flows/test_cli.py::test_a[a@b]@port", "port"),
        ("tests/flows/test_cli.py::Case::test_a@port", "port"),
    ],
)
def test_scope_of(nodeid: str, scope: str) -> None:
    assert scope_of(nodeid) == scope


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["tests/flows/", "tests/tasks/", "tests/systems/", "g"]),
            st.integers(1, 50),
        ),
        min_size=1,
    )
)
def test_rank_puts_first_folders_ahead_then_bigger_units(units: list[tuple[str, int]]) -> None:
    ordered = sorted(units, key=lambda unit: rank(*unit))
    first = [unit for unit in ordered if unit[0] in {"tests/flows/", "tests/tasks/", "g"}]
    assert ordered[: len(first)] == first
    for group in (first, ordered[len(first) :]):
        sizes = [size for _, size in group]
        assert sizes == sorted(sizes, reverse=True)
