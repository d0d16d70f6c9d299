"""A private deployment makes no call outside itself: every request the browser makes, on
every page, goes to the app's own loopback address."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.test_browser import _wait_ready

pytestmark = pytest.mark.browser

PAGES = ("", "Data", "Acquisition", "Retention", "What_if", "Support")


def test_no_request_leaves_the_app_server(page, server):
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    for name in PAGES:
        page.goto(f"{server}/{name}")
        if name == "Data":
            page.get_by_text("What your data unlocks").wait_for(timeout=60_000)
        else:
            page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
        _wait_ready(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("Share and download").click()
    page.wait_for_timeout(500)
    hosts = {
        urlparse(u).hostname for u in seen if urlparse(u).scheme in ("http", "https", "ws", "wss")
    }
    assert len(seen) > 20  # the pages' scripts, styles, fonts and icons were all recorded
    assert hosts == {"127.0.0.1"}, sorted(u for u in seen if "127.0.0.1" not in u)[:10]
