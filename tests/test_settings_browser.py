"""Settings typed in a browser travel: the competitors typed on the Satisfaction page go into
the link and are still there after a visit to another page."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("SHOTS")


def _drawn(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stMetric\"]').length > 0",
        timeout=90_000,
    )


def test_competitors_typed_in_the_editor_go_into_the_link_and_survive_a_page_switch(page, server):
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{server}/Satisfaction")
    _drawn(page)
    page.get_by_role("tab", name="Competitors and what-if").click()
    editor = page.locator('[data-testid="stDataFrame"]').filter(has=page.locator("canvas")).last
    editor.scroll_into_view_if_needed()
    # A double click opens a cell's editor; rows are about 35 px high, and the first column
    # selects rows. Each committed cell reruns the script, so wait between the two.
    for x, text, url in ((120, "Acme", "rivals=Acme~~"), (400, "35", "rivals=Acme~35~")):
        box = editor.bounding_box()
        assert box is not None
        page.mouse.dblclick(box["x"] + x, box["y"] + 35 + 17)
        field = page.locator("#portal textarea, #portal input").first
        field.wait_for(timeout=10_000)
        field.fill(text)
        field.press("Enter")
        page.wait_for_function(
            f"() => location.search.replace(/%7E/gi, '~').includes('{url}')", timeout=30_000
        )
        _drawn(page)
    page.get_by_text("Type competitors").wait_for(state="detached", timeout=30_000)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/competitors-typed.png", full_page=True)
    assert "rivals=Acme~35~" in page.url.replace("%7E", "~")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Value").click()
    _drawn(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Satisfaction").click()
    _drawn(page)
    page.get_by_role("tab", name="Competitors and what-if").click()
    chart = page.locator('[data-testid="stPlotlyChart"] .main-svg').filter(has_text="Acme")
    chart.first.wait_for(timeout=30_000)
    assert "rivals=Acme~35~" in page.url.replace("%7E", "~")
