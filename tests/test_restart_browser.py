"""A server restart under a tab that had uploaded data: the tab says the data is gone and
never passes the sample off as the user's business."""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.test_browser import UPLOAD, _wait_ready

pytestmark = pytest.mark.browser


def test_a_restart_says_the_upload_is_gone_and_shows_no_sample_numbers(browser, tmp_path):
    from bench.memory import free_port, start_server

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/Data")
        page.get_by_text("What your data unlocks").wait_for()
        _wait_ready(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            {"name": "export.csv", "mimeType": "text/csv", "buffer": UPLOAD}
        )
        page.get_by_role("button", name="Use these tables").click()
        page.get_by_text("Showing your data").wait_for()
        _wait_ready(page)
        page.wait_for_function("() => location.search.includes('data=upload')")

        server.terminate()
        server.wait(timeout=20)
        server = start_server(port)  # the same address, as after a redeploy or a wake-up
        # Streamlit's page reconnects without a rerun; the next click (here, the Home link)
        # runs the app on the new server. A click made before the socket is back is lost,
        # and how long reconnecting takes depends on the machine's load: click again until
        # the new server answers, for two minutes at most.
        notice = page.get_by_text("The uploaded data this view was made on is not here")
        deadline = time.monotonic() + 120
        while True:
            page.locator('[data-testid="stSidebar"]').get_by_text("Home", exact=True).click(
                timeout=60_000
            )
            try:
                notice.wait_for(timeout=10_000)
                break
            except PlaywrightTimeout:
                if time.monotonic() > deadline:
                    raise
        _wait_ready(page)
        shot = tmp_path / "after_restart.png"
        page.screenshot(path=str(shot))
        if os.environ.get("KEEP_SCREENSHOTS"):
            page.screenshot(path=os.environ["KEEP_SCREENSHOTS"] + "/after_restart.png")
        main = page.locator('[data-testid="stMain"]')
        assert main.locator('[data-testid="stMetric"]').count() == 0
        assert "uploaded files are not kept when the app restarts" in main.inner_text()
        assert main.get_by_text("Explore the sample business instead").count() == 1
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=20)
