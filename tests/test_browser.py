"""In headless Chromium: upload through the real widget, switch pages, read numbers on screen."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

UPLOAD = (
    "Sales export\n"
    "\n"
    "Datum;Kunde;Betrag\n"
    "03.01.2025;Müller;1.234,50 €\n"
    "15.01.2025;Schön GmbH;99,90 €\n"
    "02.02.2025;Müller;2.000,00 €\n"
).encode("cp1252")
# Revenue 1,234.50 + 99.90 + 2,000.00 = 3,334.40 euros, shown as "€ 3,334".


DATES_SHOWN = """() => [...document.querySelectorAll(
  '[data-testid="stSidebar"] [data-testid="stDateInput"] input')].some(e => e.value)"""


def _wait_ready(page) -> None:
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def test_home_shows_sample_kpis_and_screenshot(page, server, tmp_path):
    page.goto(server)
    page.get_by_text("Revenue over time").wait_for(timeout=60_000)
    _wait_ready(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Revenue").first
    assert re.search(r"€ [\d,]+", metric.inner_text())
    # UPDATE_SCREENSHOT=1 refreshes the README's picture; otherwise it goes to a temp folder.
    target = (
        ROOT / "docs" / "screenshot.png"
        if os.environ.get("UPDATE_SCREENSHOT")
        else (tmp_path / "home.png")
    )
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000


def test_deep_link_with_filters_on_a_fresh_page(page, server):
    scripts: list[str] = []
    page.on("response", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]))
    page.goto(f"{server}/Data?period=quarter&start=2025-01-01&end=2025-06-30")
    page.get_by_text("What your data unlocks").wait_for(timeout=60_000)
    _wait_ready(page)
    assert "period=quarter" in page.url
    sidebar = page.locator('[data-testid="stSidebar"]')
    # The filters wait in a closed panel whose label says what is in force; a first visit
    # loads none of the filter widgets' code.
    panel = sidebar.get_by_text("Filters: 1 Jan 2025 – 30 Jun 2025 · by quarter")
    panel.wait_for(timeout=60_000)
    assert not sidebar.locator('[data-testid="stDateInput"]').count()
    widget_code = [u for u in scripts if u.startswith(("DateInput", "Multiselect", "Selectbox"))]
    assert scripts and not widget_code, widget_code
    panel.click()
    assert sidebar.get_by_role("combobox", name="Period").input_value() == "Quarter"
    # The status widget can be gone before the rerun the link starts has drawn the sidebar's
    # dates: wait for the inputs to hold a value, then read them.
    dates = sidebar.locator('[data-testid="stDateInput"] input')
    dates.first.wait_for(timeout=60_000)
    page.wait_for_function(DATES_SHOWN, timeout=60_000)
    shown = " ".join(dates.nth(i).input_value() for i in range(dates.count()))
    assert "2025-01-01" in shown and "2025-06-30" in shown
    # The date field in the panel shows both dates whole.
    field = sidebar.locator('[data-testid="stDateInput"]')
    cut = field.evaluate(
        "d => [...d.querySelectorAll('*')].filter(e => e.clientWidth > 10 && "
        "e.scrollWidth > e.clientWidth + 1).length"
    )
    assert cut == 0


def test_upload_switch_page_and_see_revenue(page, server):
    page.goto(f"{server}/Data")
    page.get_by_text("What your data unlocks").wait_for(timeout=60_000)
    _wait_ready(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": UPLOAD}]
    )
    page.get_by_text("Check what each file holds").wait_for(timeout=60_000)
    _wait_ready(page)
    page.get_by_role("button", name="Use these tables").click()
    page.get_by_text("Showing your uploaded data").wait_for(timeout=60_000)
    _wait_ready(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Home").click()
    page.get_by_text("Revenue over time").wait_for(timeout=60_000)
    _wait_ready(page)
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Revenue").first
    assert "€ 3,334" in metric.inner_text()
    orders = page.locator('[data-testid="stMetric"]').filter(has_text="Orders").first
    assert "3" in orders.inner_text()


HOSTILE = (
    b"customer_id,order_date,amount,<img src=x onerror=window.__pwned=1>\n"
    b"<script>window.__pwned=2</script>,2025-01-03,10.50,a\n"
    b"C2,2025-01-04,20.00,b\n"
)


def test_markup_in_a_header_and_a_cell_is_shown_as_text_and_runs_nothing(page, server):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/Data")
    page.get_by_text("What your data unlocks").wait_for(timeout=60_000)
    _wait_ready(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "<b>orders</b>.csv", "mimeType": "text/csv", "buffer": HOSTILE}]
    )
    page.get_by_text("Check what each file holds").wait_for(timeout=60_000)
    _wait_ready(page)
    body = page.locator("body").inner_text()
    assert "<b>orders</b>.csv" in body  # the file name, literally
    page.get_by_role("button", name="Use these tables").click()
    page.get_by_text("Showing your uploaded data").wait_for(timeout=60_000)
    _wait_ready(page)
    # The validation report names the unused column, literally.
    page.get_by_text("<b>orders</b>.csv: notes on the rows").click()
    page.get_by_text("Columns not used").wait_for(timeout=10_000)
    assert "<img src=x onerror=window.__pwned=1>" in page.locator("body").inner_text()
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Home").click()
    page.get_by_text("Revenue over time").wait_for(timeout=60_000)
    _wait_ready(page)
    assert "<b>orders</b>.csv" in page.locator("body").inner_text()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
