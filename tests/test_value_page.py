"""Value page: figures by their data, the view's tables, and AppTest flows."""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd

from kpi import value
from kpi.base import previous_window
from kpi.filters import data_range
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import value_charts as charts

PAGE = "pages/5_Value.py"
NAN = float("nan")


def _sample() -> dict[str, pd.DataFrame]:
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files).tables


def _axis_titles(fig) -> list[str]:
    return [fig.layout.xaxis.title.text or "", fig.layout.yaxis.title.text or ""]


# --------------------------------------------------------------------------------------------
# Figures, by their data

# Two channels: ads spent 300 on 2 customers (CAC 150) worth 600 each (4×); search acquired
# one customer for nothing, and its LTV is unknown (NaN: no bar, ratio "—").
CHANNELS = pd.DataFrame(
    {
        "spend": [300.0, 0.0],
        "new_customers": np.array([2, 1], dtype=np.int64),
        "cac": [150.0, 0.0],
        "ltv": [600.0, NAN],
        "ltv_to_cac": [4.0, NAN],
        "payback_months": [2.5, NAN],
    },
    index=pd.Index(["ads", "search"], name="channel"),
)


def test_ltv_cac_by_channel_draws_ltv_beside_cac():
    fig = charts.ltv_cac_by_channel(CHANNELS, currency="EUR")
    assert [t.name for t in fig.data] == ["Lifetime value (LTV)", "Acquisition cost (CAC)"]
    assert list(fig.data[0].x) == ["ads", "search"]
    np.testing.assert_allclose(fig.data[0].y, [600.0, NAN])
    np.testing.assert_allclose(fig.data[1].y, [150.0, 0.0])
    assert [c[0] for c in fig.data[0].customdata] == ["4.0×", fmt.DASH]
    assert _axis_titles(fig) == ["Acquisition channel", "Per customer (€)"]


def test_ltv_cac_by_cohort_has_a_gap_for_an_empty_quarter_and_the_3_to_1_line():
    # Q1: LTV/CAC 4 (healthy, green); Q2: nobody acquired (NaN, no bar); Q3: 2 (amber).
    table = pd.DataFrame(
        {
            "spend": [400.0, 0.0, 200.0],
            "new_customers": np.array([2, 0, 1], dtype=np.int64),
            "cac": [200.0, NAN, 200.0],
            "ltv": [800.0, NAN, 400.0],
            "ltv_to_cac": [4.0, NAN, 2.0],
        },
        index=pd.DatetimeIndex(
            pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"]), name="period"
        ),
    )
    fig = charts.ltv_cac_by_cohort(table, period="quarter")
    assert list(fig.data[0].x) == ["2025-Q1", "2025-Q2", "2025-Q3"]
    np.testing.assert_allclose(fig.data[0].y, [4.0, NAN, 2.0])
    assert fig.data[0].marker.color[0] != fig.data[0].marker.color[2]
    assert fig.layout.shapes[0].y0 == 3.0
    assert _axis_titles(fig) == ["Acquisition quarter", "LTV / CAC (times)"]


def test_value_curve_marks_the_cards_payback_on_the_cac_line():
    # Cumulative 62.5, 102.5, 150 per customer; the card's payback (CAC 100 / 40 a month =
    # 2.5 months) is the star on the CAC line, not the month the curve crosses it.
    curve = pd.DataFrame(
        {
            "customers": np.array([2, 1, 0], dtype=np.int64),
            "gross_profit": [62.5, 40.0, 47.5],
            "cumulative_gross_profit": [62.5, 102.5, 150.0],
        },
        index=pd.RangeIndex(3, name="months_since_acquisition"),
    )
    fig = charts.value_curve(curve, cac=100.0, currency="EUR", payback=2.5)
    assert list(fig.data[0].x) == [1, 2, 3]
    np.testing.assert_allclose(fig.data[0].y, [62.5, 102.5, 150.0])
    assert list(fig.data[1].y) == [100.0, 100.0]
    assert list(fig.data[2].x) == [2.5] and list(fig.data[2].y) == [100.0]
    assert fig.data[2].name == "CAC payback: 2.5 months"
    assert "payback" not in fig.data[0].name.lower()
    assert _axis_titles(fig) == ["Months since acquisition", "Gross profit per customer (€)"]
    without = charts.value_curve(curve, cac=None, currency="EUR")
    assert len(without.data) == 1


def test_holdout_chart_pools_the_last_row_and_keeps_an_empty_row_as_a_gap():
    # Nobody had exactly 1 calibration purchase: NaN means, no point.
    table = pd.DataFrame(
        {"customers": [5, 0, 3], "actual": [0.2, NAN, 2.0], "predicted": [0.25, NAN, 1.8]},
        index=pd.RangeIndex(3, name="frequency_cal"),
    )
    fig = charts.holdout_chart(table)
    assert list(fig.data[0].x) == ["0", "1", "2+"]
    np.testing.assert_allclose(fig.data[0].y, [0.2, NAN, 2.0])
    np.testing.assert_allclose(fig.data[1].y, [0.25, NAN, 1.8])
    assert _axis_titles(fig) == [
        "Repeat purchases before the cut-off",
        "Purchases after cut-off, per customer",
    ]


def test_charts_module_does_not_import_streamlit():
    tree = ast.parse((ROOT / "ui" / "value_charts.py").read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(str(n).startswith("streamlit") for n in names)


# --------------------------------------------------------------------------------------------
# AppTest flows


def _open(app_test, dataset=None, *, start=None, end=None):
    at = app_test()
    if dataset is not None:
        at.session_state["dataset"] = dataset
    if start is not None:
        at.session_state["f_start"] = start.date()
        at.session_state["f_end"] = end.date()
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


def _expected(tables, start=None, end=None):
    return value.ltv_to_cac_overall(
        tables["orders"], tables["spend"], tables["customers"], start=start, end=end
    )


def test_cards_match_kpi_functions_on_sample_data(app_test):
    at = _open(app_test)
    tables = _sample()
    # The page's default range is the span of every table (spend starts before the orders).
    expected = _expected(tables, *data_range(tables))
    assert _metric(at, "LTV").value == fmt.money(expected.ltv, "EUR")
    assert _metric(at, "CAC").value == fmt.money(expected.cac, "EUR")
    assert _metric(at, "LTV/CAC").value == fmt.ratio(expected.ratio)
    assert _metric(at, "CAC payback").value == fmt.months(expected.payback_months)
    # The settings panel is closed: no widget drawn; the margin measured from the costs is
    # stated in the assumptions line under the cards.
    assert not at.selectbox and not at.slider
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert f"gross margin {fmt.percent(expected.inputs.gross_margin)}, measured from" in said
    assert not at.warning, [w.value for w in at.warning]  # the models fit on the sample
    # The tabs run only when open: the first shows LTV and CAC by channel and by cohort; each
    # tab, opened in turn, draws its chart or table without an error.
    assert len(at.get("plotly_chart")) == 2
    assert not at.dataframe  # the channel table is sent once its expander is opened
    at.session_state["val_channel_table"] = True
    at.run()
    (table,) = at.dataframe
    assert list(table.value.columns)[:3] == ["Channel", "Spend", "New customers"]
    assert len(table.value) >= 2
    drawn = {"LTV/CAC by channel": 2}
    for tab in ("Profit against CAC", "Top customers", "Model check", "Every LTV formula"):
        at.session_state["val_tab"] = tab
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
        drawn[tab] = len(at.get("plotly_chart")) + len(at.dataframe)
    assert all(drawn.values()), drawn
    assert sum(drawn.values()) >= 5
    at.session_state["val_tab"] = "LTV/CAC by channel"
    at.run()

    # Another variant feeds LTV/CAC: the profit form, chosen in the settings panel (opened),
    # which shows the measured margin beside it.
    at.session_state["val_settings"] = True
    at.run()
    assert _metric(at, "Gross margin").value == fmt.percent(expected.inputs.gross_margin)
    at.selectbox(key="val_variant").set_value("ltv_profit").run()
    assert not at.exception
    profit = value.ltv(expected.inputs, variant="ltv_profit")
    assert _metric(at, "LTV").value == fmt.money(profit, "EUR")
    assert _metric(at, "LTV/CAC").value == fmt.ratio(profit / expected.cac)


def test_the_curve_shows_the_cards_payback_and_no_other(app_test):
    # Issue 16: the card said 5.2 months while the curve said "paid back in month 4". The
    # caption under the curve now quotes the card's number, and no other payback month.
    at = _open(app_test)
    card = _metric(at, "CAC payback").value
    at.session_state["val_tab"] = "Profit against CAC"  # the curve's tab
    at.run()
    assert _metric(at, "CAC payback").value == card
    notes = [c.value for c in at.caption if "CAC payback" in c.value]
    assert len(notes) == 1 and f"CAC payback: {card}" in notes[0], (card, notes)
    assert not any("paid back in month" in c.value.lower() for c in at.caption)
    assert not any(re.search(r"by month \d", c.value) for c in at.caption)


def test_moving_the_date_range_moves_the_cards_consistently(app_test):
    start, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30")
    at = _open(app_test, start=start, end=end)
    expected = _expected(_sample(), start, end)
    whole = _expected(_sample(), *data_range(_sample()))
    assert _metric(at, "CAC").value == fmt.money(expected.cac, "EUR")
    assert _metric(at, "LTV").value == fmt.money(expected.ltv, "EUR")
    assert _metric(at, "LTV").value != fmt.money(whole.ltv, "EUR")
    # The range before (2025-07-03 to 2025-12-31) is inside the data: changes are shown.
    prev = _expected(_sample(), *previous_window(start, end))
    change = expected.cac / prev.cac - 1
    assert _metric(at, "CAC").delta == fmt.change(change)
    assert _metric(at, "LTV/CAC").value == fmt.ratio(expected.ltv / expected.cac)


def test_without_spend_and_cost_the_page_says_what_unlocks_it(app_test):
    orders = (ROOT / "sample_data" / "orders.csv").read_text()
    header, *rows = orders.splitlines()
    cols = header.split(",")
    keep = [i for i, c in enumerate(cols) if c != "cost"]
    text = "\n".join(",".join(r.split(",")[i] for i in keep) for r in [header, *rows])
    at = _open(app_test, load_files([("orders.csv", text.encode())]))
    # No cost column: the margin is a slider (50 % by default), stated as a default while
    # the settings panel is closed; no spend: CAC cards explain.
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "gross margin 50.0 % (default: your orders have no cost column)" in said
    at.session_state["val_settings"] = True
    at.run()
    assert at.slider(key="val_margin").value == 50
    at.slider(key="val_margin").set_value(40).run()
    at.session_state["val_settings"] = False
    at.run()
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "gross margin 40.0 % (set by you)" in said
    assert _metric(at, "CAC").value == fmt.DASH
    captions = " ".join(c.value for c in at.caption)
    assert "spend table" in captions
    # More data unlocks them: each of the three says so with a link to the Data page.
    assert len([link for link in at.get("page_link") if link.label == "Add data"]) == 3
    assert _metric(at, "LTV").value != fmt.DASH


def test_without_orders_the_page_explains_what_unlocks_it(app_test):
    surveys = (ROOT / "sample_data" / "surveys.csv").read_bytes()
    at = _open(app_test, load_files([("surveys.csv", surveys)]))
    assert not at.metric
    text = " ".join(i.value for i in at.info)
    assert "orders" in text and "Data page" in text


def test_ltv_without_a_lost_customer_is_unknown_and_kept_out_of_ltv_to_cac(app_test):
    # ten customers ordering on the 1st of each month, January to June, each order 100 with a
    # cost of 40, and 500 of spend a month: nobody is lost, so the retention form is unknown
    months = pd.date_range("2025-01-01", periods=6, freq="MS").strftime("%Y-%m-%d")
    orders = "customer_id,order_date,amount,cost\n" + "".join(
        f"c{i},{day},100,40\n" for i in range(10) for day in months
    )
    spend = "date,amount\n" + "".join(f"{day},500\n" for day in months)
    at = _open(
        app_test, load_files([("orders.csv", orders.encode()), ("spend.csv", spend.encode())])
    )
    assert next(m for m in at.metric if m.label == "LTV").value == fmt.DASH
    assert next(m for m in at.metric if m.label == "LTV/CAC").value == fmt.DASH
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "no customer was lost in the range" in said
    assert "Assumptions: discount rate 10 % a year (default)" in said
