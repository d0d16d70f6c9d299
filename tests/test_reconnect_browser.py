"""When the server goes away under an open page, the page says what happened in plain words
instead of blaming the user's internet connection."""

from __future__ import annotations

import os

import pytest

from tests.test_browser import _wait_ready
from ui import reconnect

pytestmark = pytest.mark.browser


def test_a_stopped_server_is_named_and_the_internet_is_not_blamed(browser):
    from bench.memory import free_port, start_server

    port = free_port()
    server = start_server(port)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{port}/")
        _wait_ready(page)
        page.wait_for_function("() => window.__kpiReconnect === true")  # the page's watcher
        server.terminate()
        server.wait(timeout=20)
        dialog = page.get_by_role("dialog").filter(has_text="server stopped or restarted")
        dialog.wait_for(timeout=120_000)
        if os.environ.get("KEEP_SCREENSHOTS"):
            page.screenshot(path=os.environ["KEEP_SCREENSHOTS"] + "/server_gone.png")
        said = dialog.inner_text()
        assert reconnect.MESSAGE in " ".join(said.split())
        assert "internet" not in said and "streamlit run" not in said
    finally:
        context.close()
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=20)
