"""Debian's Chromium, driven headless by Playwright (never a browser Playwright downloads): what
the browser tests (the world browser page, the Prefect UI) share."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the calling test module where Chromium is missing (in CI: fail, it must be there)."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):  # pragma: no cover - CI installs it (the Makefile)
        raise RuntimeError("the browser tests need Debian's chromium: apt-get install chromium")
    pytest.skip(  # pragma: no cover
        "Debian's chromium is not installed (make install adds it)", allow_module_level=True
    )


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched headless Chromium (a Playwright `Browser`), closed afterwards."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()
