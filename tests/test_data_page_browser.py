"""In headless Chromium: the Data page names a recognised export and asks about an uncertain one."""

from __future__ import annotations

import os

import pytest

from tests.test_browser import _wait_ready

pytestmark = pytest.mark.browser

SHOPIFY = (
    b"Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,"
    b"Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"
    b"#1001,ann@example.com,paid,2025-03-04 14:22:01 +0100,fulfilled,EUR,100.00,5.00,19.00,"
    b"124.00,2025-03-04 14:22:01 +0100,1,Cleaning,60.00\n"
    b"#1001,,,,,,,,,,,1,Windows,40.00\n"
    b"#1002,bob@example.com,paid,2025-04-04 10:00:00 +0200,fulfilled,EUR,50.00,0.00,9.50,"
    b"59.50,2025-04-04 10:00:00 +0200,2,Ovens,25.00\n"
)
# Nothing in these headers names a date or an amount: both are chosen from the values.
UNSURE = b"Kunde;Wann;Wieviel\nA;01.02.2025;12,5\nB;03.02.2025;7\nA;09.02.2025;30\n"


def _upload(page, server, name: str, data: bytes) -> None:
    page.goto(f"{server}/Data")
    page.get_by_text("What your data unlocks").wait_for(timeout=60_000)
    _wait_ready(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_text("Check what each file holds").wait_for(timeout=60_000)
    _wait_ready(page)


def test_a_shopify_export_is_recognised_by_name(page, server, tmp_path):
    _upload(page, server, "orders_export_1.csv", SHOPIFY)
    page.get_by_text("Recognised: Shopify orders export").wait_for(timeout=30_000)
    assert "Please check the highlighted columns" not in page.locator("body").inner_text()
    page.screenshot(path=str(tmp_path / "recognised.png"), full_page=True)
    if os.environ.get("KEEP_SCREENSHOTS"):
        page.screenshot(path=os.environ["KEEP_SCREENSHOTS"] + "/recognised.png", full_page=True)
    use = page.get_by_role("button", name="Use these tables")
    assert use.is_enabled()


def test_an_uncertain_file_asks_before_its_tables_are_used(page, server, tmp_path):
    _upload(page, server, "export.csv", UNSURE)
    page.get_by_text("Please check the highlighted columns").wait_for(timeout=30_000)
    body = page.locator("body").inner_text()
    assert "chose 'Wann'" in body and "chose 'Wieviel'" in body
    use = page.get_by_role("button", name="Use these tables")
    assert use.is_disabled()  # nothing is used before the user has looked
    if os.environ.get("KEEP_SCREENSHOTS"):
        page.screenshot(path=os.environ["KEEP_SCREENSHOTS"] + "/question.png", full_page=True)
    page.get_by_text("I have checked the highlighted columns").click()
    _wait_ready(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.innerText.includes('Use these tables') && !b.disabled)",
        timeout=30_000,
    )
    page.get_by_role("button", name="Use these tables").click()
    page.get_by_text("Showing your uploaded data").wait_for(timeout=60_000)
