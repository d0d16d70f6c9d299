"""Every screen, in headless Chromium: nothing cut off from phone to desktop, the sidebar out of
the way on a phone, and the meeting view on one screen."""

from __future__ import annotations

from contextlib import suppress

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.margins import WIDENED

pytestmark = pytest.mark.browser

# The page is drawn: no script running, no placeholder, every visible chart has its SVG.
READY = """() => {
  const q = s => document.querySelectorAll(s);
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (q('[data-testid="stSkeleton"]').length) return false;
  if (!q('[data-testid="stMetric"]').length) return false;
  return [...q('[data-testid="stPlotlyChart"]')].filter(c => c.offsetParent)
    .every(c => c.querySelector('.main-svg'));
}"""

# Card labels and values, and download buttons, whose text is wider than their box.
CUT = """() => {
  const boxes = document.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,' +
    '[data-testid="stMetricValue"], [data-testid="stMetricValue"] *,' +
    '[data-testid="stDownloadButton"] button, [data-testid="stDownloadButton"] button *');
  return [...boxes].filter(e => e.offsetParent && e.clientWidth > 0
                              && !e.closest('[data-testid="stIconMaterial"]')
                              && !(e.closest('[data-testid="stSidebar"]')
                                   && e.closest('[data-testid="stSidebar"]')
                                        .getBoundingClientRect().right <= 0)
                              && e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.textContent.trim()} (${e.clientWidth} < ${e.scrollWidth} px)`);
}"""

PAGES = ("", "Value", "What_if", "Support")


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(READY, timeout=90_000)


def test_no_card_label_value_or_button_is_cut_at_phone_laptop_or_desktop_width(page, server):
    cut: dict[str, list[str]] = {}
    for path in PAGES:
        page.set_viewport_size({"width": 1440, "height": 900})
        _open(page, f"{server}/{path}")
        for width in (390, 1280, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(400)  # let the columns reflow
            found = page.evaluate(CUT)
            if found:
                cut[f"{path or 'Home'} at {width} px"] = found
    assert cut == {}


def test_on_a_phone_the_sidebar_starts_closed_and_closes_after_a_page_link(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    sidebar = page.locator('[data-testid="stSidebar"]')

    def is_open() -> bool:
        box = sidebar.bounding_box()
        return box is not None and box["width"] > 0 and box["x"] + box["width"] > 0

    try:
        _open(page, server)
        assert not is_open()
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stSidebar\"]')"
            ".getBoundingClientRect().right > 0"
        )
        sidebar.get_by_role("link", name="What-if").tap()
        page.get_by_text("Scenario against the baseline").wait_for(timeout=90_000)
        page.wait_for_function(READY, timeout=90_000)
        page.wait_for_timeout(500)
        assert not is_open()
        # Results first: the scenario's cards come before the levers on a narrow screen.
        cards = page.locator('[data-testid="stMetric"]').first.bounding_box()
        lever = page.get_by_text("Levers", exact=True).bounding_box()
        assert cards is not None and lever is not None and cards["y"] < lever["y"]
    finally:
        context.close()


def test_meeting_view_puts_what_if_on_one_screen_with_big_numbers(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        _open(page, f"{server}/What_if?meeting=1")
        for width, height in ((1440, 900), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(500)
            assert page.locator('[data-testid="stSidebar"]').is_hidden()
            value = page.locator('[data-testid="stMetricValue"]').first
            assert float(value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40
            # The results (cards and the projection) and the levers beside them fit the screen.
            chart = page.locator('[data-testid="stPlotlyChart"]').first.bounding_box()
            lever = page.get_by_text("Levers", exact=True).bounding_box()
            cards = page.locator('[data-testid="stMetric"]').first.bounding_box()
            assert chart is not None and lever is not None and cards is not None
            assert chart["y"] + chart["height"] <= height, (width, chart)
            assert lever["x"] > chart["x"] + chart["width"] - 1  # beside the results
            assert abs(lever["y"] - cards["y"]) < 120
        assert "meeting=1" in page.url
        page.get_by_role("button", name="Leave the meeting view").click()
        page.wait_for_function("() => !location.search.includes('meeting=1')")
    finally:
        context.close()


# Every analysis page of the meeting view, by its link (the Data page is a workflow, not shown
# in meetings); each page's title is its link's, but Home's.
MEETING_PAGES = ("Home", "Acquisition", "Revenue", "Retention", "Value", "Satisfaction",
                 "Support", "Team")  # fmt: skip
TITLES = {"Home": "Customer KPI Explorer"}

# How far the main page scrolls, the font size of every visible card value, and the charts.
SCREEN = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const sizes = [...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .filter(e => e.offsetParent).map(e => parseFloat(getComputedStyle(e).fontSize));
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(c => c.offsetParent).length;
  return {overflow: main.scrollHeight - main.clientHeight, sizes, charts};
}"""


DRAWN = f"""() => ({READY})() && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
  .some(c => c.offsetParent && c.querySelector('.main-svg'))"""


def test_meeting_view_puts_every_analysis_page_on_one_screen_with_big_numbers(browser, server):
    found: dict[str, object] = {}
    # One session for both screens: the app loads once, and each page is drawn anew at each
    # size by its link (those of the hidden sidebar, clicked in the page).
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        _open(page, f"{server}/?meeting=1")
        for width, height in ((1440, 900), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            for link in MEETING_PAGES:
                if (width, link) != (1440, "Home"):
                    page.locator('[data-testid="stSidebar"] a', has_text=link).evaluate(
                        "a => a.click()"
                    )
                    title = TITLES.get(link, link)
                    page.locator("h1", has_text=title).wait_for(timeout=90_000)
                    page.wait_for_function(READY, timeout=90_000)
                # Every meeting page has a chart: READY alone holds while the cards are in and
                # the charts not yet sent, which a loaded machine makes last.
                page.wait_for_function(DRAWN, timeout=90_000)
                # The charts then take the height the cards leave, which on a loaded machine
                # lags the drawing: first drawn at Plotly's default height, they overflowed the
                # screen for a moment (59 px on Support). Give the layout time to settle; a page
                # that never fits still fails below.
                with suppress(PlaywrightTimeout):
                    page.wait_for_function(f"() => ({SCREEN})().overflow <= 4", timeout=10_000)
                page.wait_for_timeout(250)
                screen = page.evaluate(SCREEN)
                # One screen (no vertical scroll), the cards' big numbers, the charts drawn.
                big = bool(screen["sizes"]) and min(screen["sizes"]) >= 40
                if screen["overflow"] > 4 or not big or not screen["charts"]:
                    found[f"{link} at {width}x{height}"] = screen
        assert "meeting=1" in page.url
    finally:
        context.close()
    assert found == {}


def test_charts_are_drawn_once_with_room_for_their_labels_on_a_desktop(page, server):
    # The margins are worked out before drawing (ui.margins), so Plotly never widens them and
    # draws a chart twice; as its automatic margins stay on, no label is ever cut either way.
    widened: dict[str, list[str]] = {}
    page.set_viewport_size({"width": 1440, "height": 900})
    for path in ("Satisfaction", "Support", "Team"):
        _open(page, f"{server}/{path}")
        page.wait_for_timeout(300)
        if found := page.evaluate(WIDENED):
            widened[path] = found
    assert widened == {}
