"""The whole analysis outside the app: XLSX workbook and HTML report, safe and complete."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from python_calamine import CalamineWorkbook

from ui import share
from ui.frame import SHARE_PANEL

# Two customers; one id is a formula and one channel is markup, as a hostile export might be.
#   revenue 100 + 50 + 30 = 180 from 3 orders; AOV 60.
ORDERS = pd.DataFrame(
    {
        "customer_id": pd.array(['=HYPERLINK("x")', "b", "b"], dtype="str"),
        "order_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-03"]),
        "amount": [100.0, 50.0, 30.0],
        "channel": pd.array(["<script>alert(1)</script>", "ads", "ads"], dtype="str"),
    }
)
ARGS = {
    "start": pd.Timestamp("2025-01-01"),
    "end": pd.Timestamp("2025-02-28"),
    "period": "month",
    "currency": "EUR",
    "settings": {"Dates": "1 Jan 2025 – 28 Feb 2025", "Channel": "<b>ads</b>"},
    "made_at": dt.datetime(2025, 3, 1, 9, 30),
}


def test_workbook_has_kpis_series_and_tables_with_formulas_neutralised():
    data = share.workbook_bytes({"orders": ORDERS}, **ARGS)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names[:3] == ["About", "KPIs", "Series"]
    assert "Table orders" in book.sheet_names

    def rows(sheet: str) -> list[list[object]]:
        return book.get_sheet_by_name(sheet).to_python()[1:]

    kpis = {r[0]: r[3] for r in rows("KPIs")}
    assert kpis["revenue"] == 180.0
    assert kpis["orders"] == 3
    assert kpis["average_order_value"] == 60.0
    assert rows("Table orders")[0][0] == '\'=HYPERLINK("x")'  # shown as text, never run
    assert dict(r[:2] for r in rows("About"))["Made"] == "2025-03-01 09:30"


def test_values_are_shown_with_their_units():
    assert share.value_text(0.25, "share", "EUR") == "25.0 %"
    assert share.value_text(None, "money", "EUR") == "—"
    assert share.value_text("good", "text", None) == "Good"


def test_every_page_offers_the_link_and_both_downloads_in_the_sidebar(app_test):
    at = app_test()
    at.query_params["period"] = "quarter"
    at.run()
    assert not at.exception
    assert "Share and download" in [e.label for e in at.sidebar.expander]
    # Closed, the panel sends nothing: a first view loads no code box, download or uploader.
    assert not at.sidebar.code and not at.sidebar.get("download_button")
    at.session_state[SHARE_PANEL] = True  # the reader opens it
    at.run()
    assert not at.exception
    # Outside a browser the address is unknown; the query string is still carried.
    (code,) = at.sidebar.code
    assert code.value.endswith("?period=quarter")
    labels = [b.proto.label for b in at.sidebar.get("download_button")]
    assert labels == ["Analysis file (zip)", "Whole analysis (XLSX)", "Report (HTML)"]
    # Another page starts with it closed again, so its first view stays light too.
    at.switch_page("pages/2_Acquisition.py").run()
    assert not at.exception
    assert not at.sidebar.code


def test_shown_as_keeps_its_sign_without_an_apostrophe():
    # NPS "+34" is the app's own formatting; the id from the data is still neutralised.
    surveys = pd.DataFrame(
        {
            "survey_type": pd.array(["nps"] * 4, dtype="str"),
            "date": pd.to_datetime(["2025-01-05"] * 4),
            "score": [10, 10, 9, 3],
        }
    )
    data = share.workbook_bytes({"orders": ORDERS, "surveys": surveys}, **ARGS)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name("KPIs").to_python()[1:]
    shown = {r[0]: r[4] for r in rows}
    # promoters 3 of 4, detractors 1 of 4: NPS = 100 x (3 - 1) / 4 = +50
    assert shown["nps"] == "+50"
    assert not any(str(v).startswith("'") for v in shown.values())


def test_churn_per_period_is_named_with_its_period_in_the_exports():
    # The JSON's churn_period says which period the per-period churn is measured over; the
    # workbook and report name it ("Churn per month"), not a generic "per period".
    from kpi.report import Section

    section = Section(kpis={"churn_rate_per_period": 0.0085, "churn_period": "month"})
    rows = share.kpi_rows(section, "EUR").set_index("key")
    assert rows.loc["churn_rate_per_period", "KPI"] == "Churn per month"
    weekly = Section(kpis={"churn_rate_per_period": 0.002, "churn_period": "week"})
    assert share.kpi_rows(weekly, "EUR").set_index("key").loc["churn_rate_per_period", "KPI"] == (
        "Churn per week"
    )
