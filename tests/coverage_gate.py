"""Branch coverage per package, printed after the tests, and the bar it must clear.

Run by `make pytest` once the test runs have written their data: prints a line per package of
`worldloom` and the total, and exits 1 when any of them is below `BAR`.
"""

from __future__ import annotations

import io
import sys

import coverage

BAR = 90.0
"""Percent of statements and branches covered, in total and in each package."""
PACKAGES = ("systems", "infrastructure", "tasks", "flows", "prompts", "runtime")


def main() -> int:
    measured = coverage.Coverage()
    measured.load()
    scopes = {name: [f"worldloom/{name}/*"] for name in PACKAGES} | {"total": ["worldloom/*"]}
    failed = False
    print(f"\n{'coverage':<16}{'cover':>7}")
    for name, include in scopes.items():
        # `report` returns the percentage it would print; the listing itself is not needed.
        percent = measured.report(include=include, file=io.StringIO())
        low = percent < BAR
        failed |= low
        print(f"{name:<16}{percent:>6.1f}%" + (f"  below {BAR:.0f} %" if low else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
