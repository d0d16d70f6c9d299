"""The offline HTML report: self-contained, escaped, complete."""

from __future__ import annotations

import pandas as pd

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


def test_report_follows_the_pages_and_keeps_model_parameters_in_an_appendix():
    # Two months of orders, ending mid-February: February is a partial period.
    args = {**ARGS, "end": pd.Timestamp("2025-02-14")}
    page = report.report_html({"orders": ORDERS}, **args)
    assert page.index(">Overview<") < page.index("</section>")
    assert "is partial" in page and "2025-02" in page
    assert "Appendix" not in page  # no churn model fitted on two months of orders
    assert '<div class="name">sBG' not in page


def test_partial_last_period_is_named_only_when_the_range_ends_inside_it():
    assert report.partial_last_period(pd.Timestamp("2025-02-14"), "month") == "2025-02"
    assert report.partial_last_period(pd.Timestamp("2025-02-28"), "month") is None
    assert report.partial_last_period(pd.Timestamp("2025-12-31"), "quarter") is None
    assert report.partial_last_period(pd.Timestamp("2025-11-30"), "quarter") == "2025-Q4"


def test_nested_breakdowns_are_cards_of_rows_not_a_crash():
    # complaints_by nests dimension, value and count: two complaint tickets, one escalated.
    tickets = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2"],
            "created_at": pd.to_datetime(["2025-01-05", "2025-01-20"]),
            "resolved_at": pd.to_datetime(["2025-01-06", None]),
            "type": ["complaint", "complaint"],
            "escalated": [True, False],
            "agent": ["Ann", "Bob"],
        }
    )
    page = report.report_html({"orders": ORDERS, "tickets": tickets}, **ARGS)
    # one row per leaf; the agent's name keeps its capital
    assert "<th>Employee · Ann · escalated</th><td>1</td>" in page
    assert "<th>Employee · Bob · outstanding</th><td>1</td>" in page
