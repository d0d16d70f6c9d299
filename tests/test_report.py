"""The offline HTML report: self-contained, escaped, complete."""

from __future__ import annotations

from tests.test_share import ARGS, ORDERS
from ui import format as fmt
from ui import report


def test_html_report_is_self_contained_and_escapes_text_from_the_data():
    page = report.report_html({"orders": ORDERS}, **ARGS)
    # Plotly's library is embedded once, and no script is fetched from anywhere.
    assert page.count("* plotly.js v") == 1
    assert "<script src" not in page and page.count("Plotly.newPlot") >= 2
    assert "<b>ads</b>" not in page and "&lt;b&gt;ads&lt;/b&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "Revenue" in page and fmt.money(180, "EUR") in page
    assert "Made 2025-03-01 09:30" in page
