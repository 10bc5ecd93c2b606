"""How `pytest -n N --dist loadgroup` (pytest-xdist) deals the tests out to its workers: a test
module at a time, slowest kinds first."""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadGroupScheduling

FIRST = ("tests/flows/", "tests/tasks/")
"""Where the modules that generate whole worlds live: dealt out first, so that the run does not
end waiting on one of them (the many quick modules fill in around them)."""


def scope_of(nodeid: str) -> str:
    """The work unit a test belongs to: its `xdist_group` (xdist appends it to the node id as
    `@name`) or else its module, so that a module's fixtures are built on one worker only."""
    if nodeid.rfind("@") > nodeid.rfind("]"):
        return nodeid.rsplit("@", 1)[-1]
    return nodeid.split("::", 1)[0]


def rank(scope: str, size: int) -> tuple[int, int]:
    """Sort key of a work unit: groups and world-generating folders first, then the units
    with more tests."""
    return (0 if scope.startswith(FIRST) or "/" not in scope else 1, -size)


def make_scheduler(config: Any, log: Any) -> ModuleScheduling | None:
    """The scheduler for `--dist loadgroup`; None (xdist's own) for the other modes."""
    return ModuleScheduling(config, log) if config.getvalue("dist") == "loadgroup" else None


class ModuleScheduling(LoadGroupScheduling):
    """xdist's `loadgroup` (tests marked `xdist_group(name)` run on one worker), with every
    other test grouped by its module rather than sent alone."""

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)

    def _assign_work_unit(self, node: Any) -> None:
        # The queue is filled once, in collection order; reorder it before the first unit goes.
        if not getattr(self, "_ranked", False):
            units = sorted(self.workqueue.items(), key=lambda unit: rank(unit[0], len(unit[1])))
            self.workqueue.clear()
            self.workqueue.update(units)
            self._ranked = True
        super()._assign_work_unit(node)
