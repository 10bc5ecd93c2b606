"""The world browser in a real headless Chromium (Debian's, driven by Playwright): the map is
drawn from the snapshot, a click on a place shows its people, prices and factions, an NPC
talks; nothing is fetched from anywhere but the API."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.chromium import chromium, require_chromium
from tests.runtime.servers import Server

SCREENSHOT = "WORLDLOOM_SCREENSHOT"
"""Set to a path to keep the test's screenshot (the README's picture is made this way)."""

pytestmark = [pytest.mark.flow]

require_chromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def test_browse_a_world(api_server: Server, browser: object, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 860})  # type: ignore[attr-defined]
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def only_loopback(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urlsplit(url).hostname != "127.0.0.1":
            elsewhere.append(url)
            route.abort()  # type: ignore[attr-defined]
        else:
            route.continue_()  # type: ignore[attr-defined]

    page.route("**/*", only_loopback)
    page.goto(f"{api_server.url}/")
    page.fill("#token", api_server.reader)
    page.click("#login button")
    page.wait_for_selector("circle.settlement[data-id='0']")
    assert page.locator("path.region").count() > 0
    assert page.locator("path.route").count() > 0
    assert page.locator("rect.poi").count() > 0
    assert api_server.snapshot_id in page.inner_text("#snapshot")

    page.click("circle.settlement[data-id='0']")
    page.wait_for_selector("#prices tr:nth-child(3)")
    api = api_server.client(api_server.reader)
    capital = api.get(f"/worlds/{api_server.world_id}/settlements/0").json()["data"]
    assert page.inner_text("#panel h2") == capital["settlement"]["name"]
    shown_prices = page.locator("#prices tr").count() - 1
    assert shown_prices == min(15, len(capital["prices"]))
    assert page.locator("#people li").count() > 0
    assert page.locator("#factions li").count() > 0
    page.click("#people li:first-child button.talk")
    page.wait_for_selector("#people li:first-child q.line")
    assert len(page.inner_text("#people li:first-child q.line")) > 10
    shot = tmp_path / "browser.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT):
        shutil.copyfile(shot, os.environ[SCREENSHOT])

    page.click("rect.poi >> nth=0", force=True)
    page.wait_for_selector("#inside")
    assert page.locator("#inside tr").count() > 1

    page.locator("path.region").first.dispatch_event("click")
    page.locator("#panel p.muted", has_text="region ·").wait_for()

    page.mouse.move(400, 400)
    page.mouse.wheel(0, -300)  # zoom in: the view box shrinks
    page.wait_for_timeout(100)
    box = page.get_attribute("#map", "viewBox")
    assert box is not None
    assert float(box.split()[2]) < 1000

    assert problems == []
    assert elsewhere == []
    page.close()


def test_a_bad_token_is_said(api_server: Server, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{api_server.url}/")
    page.fill("#token", "wl_nonsense")
    page.click("#login button")
    page.locator("#status", has_text="401").wait_for()
    headers = page.request.get(f"{api_server.url}/").headers
    assert "default-src 'none'" in headers["content-security-policy"]
    page.close()
