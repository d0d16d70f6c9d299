"""Retention page: figures by their data, the view's helpers, and AppTest flows."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pandas._testing as tm
import pytest

from kpi import base, models, retention
from kpi.errors import KpiError
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import retention_charts as charts
from ui import retention_view as rv
from ui.growth_view import points_delta

PAGE = "pages/4_Retention.py"
NAN = float("nan")

# Monthly cohorts, observed to 2025-03-31:
#   a: first order Jan (100), again Mar (150)     -> cohort Jan, active ages 0 and 2
#   b: first order Jan (50), nothing after          -> cohort Jan, active age 0 only
#   c: first order Mar (80)                         -> cohort Mar
# Cohort Jan: size 2; age 0 2 active (1.0), age 1 (Feb) 0 active (the zero cell, 0.0),
#   age 2 (Mar) 1 active (0.5). Cohort Mar: age 0 1 active; ages 1, 2 not yet observable (NaN).
# Revenue: Jan cohort 150 at age 0, 0 at age 1, 150 at age 2 -> NRR 1.0, 0.0, 1.0;
#   GRR caps a at 100 at age 2 -> 100 / 150 = 0.667.
ORDERS = pd.DataFrame(
    {
        "customer_id": pd.array(["a", "b", "a", "c"], dtype="str"),
        "order_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-03-02", "2025-03-10"]),
        "amount": [100.0, 50.0, 150.0, 80.0],
        "channel": pd.array(["web", "ads", "web", "web"], dtype="str"),
    }
)
COHORTS = retention.cohort_retention(ORDERS, period="month", as_of=pd.Timestamp("2025-03-31"))


def _sample() -> dict[str, pd.DataFrame]:
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files).tables


def _axis_titles(fig) -> list[str]:
    return [fig.layout.xaxis.title.text or "", fig.layout.yaxis.title.text or ""]


# --------------------------------------------------------------------------------------------
# Figures, by their data


def test_heatmap_shows_shares_with_zero_observed_and_grey_not_yet_observable():
    fig = charts.cohort_heatmap(COHORTS)
    grey, cells = fig.data
    assert list(cells.y) == ["2025-01", "2025-03"]
    assert list(cells.x) == ["0", "1", "2"]
    np.testing.assert_allclose(np.asarray(cells.z, dtype=float), [[1.0, 0.0, 0.5], [1.0, NAN, NAN]])
    # Grey only where the cohort cannot have reached the age yet.
    np.testing.assert_allclose(np.asarray(grey.z, dtype=float), [[NAN, NAN, NAN], [NAN, 1, 1]])
    assert "not yet observable" in grey.hovertemplate
    # Hover: cohort size 2, 1 active, 50 % at age 2 of January.
    size, count, share, _ = cells.customdata[0][2]
    assert (size, count, share) == (2.0, 1.0, 0.5)
    assert cells.zmin == 0 and cells.zmax == 1
    assert cells.colorbar.tickformat == ".0%"
    assert fig.layout.yaxis.autorange == "reversed"  # the oldest cohort on top


def test_heatmap_absolute_revenue_and_capped_grr():
    fig = charts.cohort_heatmap(COHORTS, metric="nrr", relative=False, currency="EUR")
    np.testing.assert_allclose(
        np.asarray(fig.data[1].z, dtype=float), [[150.0, 0.0, 150.0], [80.0, NAN, NAN]]
    )
    assert fig.data[1].colorbar.title.text == "Revenue (€)"
    fig = charts.cohort_heatmap(COHORTS, metric="grr")
    # GRR at age 2: a's 150 capped at its age-0 100, b none: 100 / 150.
    assert fig.data[1].z[0][2] == pytest.approx(100 / 150)


def test_heatmap_of_a_split_table_draws_one_group():
    table = retention.cohort_retention(
        ORDERS, period="month", by="channel", as_of=pd.Timestamp("2025-03-31")
    )
    fig = charts.cohort_heatmap(table, group="web")
    # web: a (Jan, active Jan and Mar) and c (Mar); ads: b only.
    assert list(fig.data[1].y) == ["2025-01", "2025-03"]
    np.testing.assert_allclose(np.asarray(fig.data[1].z[0], dtype=float), [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="split"):
        charts.cohort_heatmap(table)


def test_retention_curves_draw_each_cohort_and_the_weighted_average_last():
    curve = retention.retention_curve(COHORTS)
    fig = charts.retention_curves(COHORTS, curve)
    lines, average = fig.data
    # One trace holds every cohort's line, each ended by a gap: January at ages 0-2 (1 of 2
    # active, then 0, then 1: 1.0, 0.0, 0.5); March stops at age 0, its last observable age.
    np.testing.assert_allclose(np.asarray(lines.x, dtype=float), [0, 1, 2, NAN, 0, NAN])
    np.testing.assert_allclose(np.asarray(lines.y, dtype=float), [1.0, 0.0, 0.5, NAN, 1.0, NAN])
    assert list(lines.customdata) == ["2025-01"] * 4 + ["2025-03"] * 2  # named in the hover
    assert lines.connectgaps is False and "Cohort %{customdata}" in lines.hovertemplate
    # Average: age 0 (2 + 1) / 3 = 1.0; age 1 only Jan reached it: 0 / 2; age 2: 1 / 2.
    np.testing.assert_allclose(average.y, [1.0, 0.0, 0.5])
    assert average.line.width > lines.line.width
    assert _axis_titles(fig) == ["Months since first order or signup", "Share of the cohort active"]


def test_survival_curves_start_at_one_with_a_band():
    # Durations 2, 3, 3 (censored), 5: S = 0.75 after 2, 0.5 after 3, 0 after 5.
    fit = models.kaplan_meier([2, 3, 3, 5], [True, True, False, True])
    fig = charts.survival_curves({"All": fit}, definition="churn = contract ended")
    _top, bottom, line = fig.data
    assert list(line.x) == [0.0, 2.0, 3.0, 5.0]
    np.testing.assert_allclose(line.y, [1.0, 0.75, 0.5, 0.0])
    assert bottom.fill == "tonexty" and math.isnan(bottom.y[-1])
    assert "churn = contract ended" in fig.layout.title.text
    assert _axis_titles(fig) == ["Months since first order or signup", "Share still customers"]


def test_sbg_projection_splits_actual_into_fitted_and_held_out():
    # Fader and Hardie (2007), Regular: fitted on years 0-4, years 5-7 held out.
    survivors = np.array([1000, 631, 468, 382, 326, 289, 262, 241], dtype=float)
    fit = models.fit_sbg(survivors[:5])
    fig = charts.sbg_projection(survivors, fit, fitted_on=4, period="year", definition="x")
    projection, fitted, held = fig.data
    assert list(fitted.x) == [0, 1, 2, 3, 4] and list(held.x) == [5, 6, 7]
    np.testing.assert_allclose(held.y, [0.289, 0.262, 0.241])
    assert len(projection.x) == 8 + 6  # observed ages 0-7 and six more
    np.testing.assert_allclose(projection.y, fit.survival(np.arange(14)))


def test_churn_and_retention_over_time_with_an_empty_period():
    # a: Jan 1 - Feb 10; b: from Jan 15, still a customer; c: Mar 1 - Mar 20; seen to Apr 30.
    #   Jan: nobody at the start (NaN, the empty cell); a and b are new.
    #   Feb: 2 at the start, a lost: churn 1 / 2; CRR (1 at the end - 0 new) / 2 = 0.5.
    #   Mar: 1 at the start (b), c joins and leaves in March: a new customer lost, not a loss
    #        of the one at the start: churn 0 / 1; CRR (1 at the end - 0 new still there) / 1.
    #   Apr: 1 at the start, nobody lost: churn 0 (the zero cell), CRR 1.
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "b", "c"], dtype="str"),
            "signup_date": pd.to_datetime(["2025-01-01", "2025-01-15", "2025-03-01"]),
            "end_date": pd.to_datetime(["2025-02-10", pd.NaT, "2025-03-20"]),
        }
    )
    life = retention.contractual_lifetimes(customers, as_of=pd.Timestamp("2025-04-30"))
    series = retention.churn_series(life, period="month")
    fig = charts.churn_over_time(series, period="month", definition="churn = contract ended")
    assert list(fig.data[0].x) == ["2025-01", "2025-02", "2025-03", "2025-04"]
    np.testing.assert_allclose(fig.data[0].y, [NAN, 0.5, 0.0, 0.0])
    assert tuple(fig.data[0].customdata[1]) == (1, 2)  # 1 lost of 2 at the start
    assert fig.layout.title.text == "Churn rate per month · churn = contract ended"
    fig = charts.retention_over_time(series, period="month", definition="churn = contract ended")
    np.testing.assert_allclose(fig.data[0].y, [NAN, 0.5, 1.0, 1.0])
    assert _axis_titles(fig) == ["Month", "Customer retention rate"]


def test_gap_histogram_counts_gaps_and_marks_the_window():
    gaps = pd.Series([10, 10, 30, 400], name="gap_days")
    fig = charts.gap_histogram(gaps, suggested=30, window=45, bins=10)
    assert int(np.sum(fig.data[0].y)) == 4  # the long gap is in the last bar, not lost
    assert fig.data[0].y[-1] >= 1
    # the two lines, named in the legend (not by annotations that collided with each other)
    lines = [(s.x0, s.name, s.showlegend) for s in fig.layout.shapes]
    assert lines == [
        (30, "Suggested: 30 days (90% of gaps are shorter)", True),
        (45, "Chosen: 45 days", True),
    ]
    assert fig.layout.annotations == ()
    assert fig.data[0].showlegend is False


def test_no_axis_title_is_a_raw_column_name():
    curve = retention.retention_curve(COHORTS)
    figs = [
        charts.cohort_heatmap(COHORTS),
        charts.retention_curves(COHORTS, curve, metric="nrr"),
        charts.gap_histogram(pd.Series([3, 5]), suggested=5, window=5),
    ]
    for fig in figs:
        for title in _axis_titles(fig):
            assert title and "_" not in title, title


# --------------------------------------------------------------------------------------------
# The view's helpers


def test_logrank_words_match_the_p_value():
    assert "could well be chance (log-rank p = 0.40)" in rv.logrank_words(
        models.LogRank(0.7, 0.4, 1, 1), "a", "b"
    )
    assert "p < 0.001" in rv.logrank_words(models.LogRank(20, 1e-5, 1, 1), "a", "b")


def test_churned_in_lists_the_customers_lost_in_the_range():
    life = retention.inactivity_lifetimes(ORDERS, window_days=30, as_of=pd.Timestamp("2025-03-31"))
    # b's last order Jan 20 + 30 days = Feb 19; a and c ordered in March: still active.
    result = rv.churned_in(life, pd.Timestamp("2025-02-01"), pd.Timestamp("2025-02-28"))
    assert result["customer_id"].tolist() == ["b"]
    assert result["lost_on"].tolist() == [pd.Timestamp("2025-02-19")]


def test_customer_attribute_falls_back_to_the_first_order():
    result = rv.customer_attribute({"orders": ORDERS}, "channel")
    expected = pd.Series({"a": "web", "b": "ads", "c": "web"}).rename_axis("customer_id")
    tm.assert_series_equal(result, expected, check_dtype=False)


# --------------------------------------------------------------------------------------------
# The page (AppTest)


def _open(app_test, dataset=None, dates=None):
    at = app_test()
    if dataset is not None:
        at.session_state["dataset"] = dataset
    if dates is not None:
        at.session_state["f_start"], at.session_state["f_end"] = (d.date() for d in dates)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def _expected_cards(tables, start, end):
    orders, customers = tables["orders"], tables["customers"]
    life = retention.contractual_lifetimes(customers, orders, as_of=end)
    summary = retention.churn_summary(life, start=start, end=end)
    rate = retention.pooled_churn_rate(
        retention.churn_series(life, period="month", start=start, end=end)
    )
    window = retention.suggested_inactivity_window(orders)
    inactive = retention.inactive_customers(orders, as_of=end, window_days=window)
    try:
        money = retention.revenue_retention(orders, start=start, end=end)
    except KpiError:
        money = None
    return summary, rate, inactive, money


def test_page_cards_match_kpi_functions_on_sample_data(app_test):
    at = _open(app_test)
    tables = _sample()
    start, end = tables["orders"]["order_date"].min(), tables["orders"]["order_date"].max()
    summary, rate, inactive, money = _expected_cards(tables, start, end)
    # the whole data begins with nobody: churn over the range and NRR against the range
    # before it are unknown, and the cards say why; the per-month churn is there
    assert summary.customers_start == 0 and money is None
    assert _metric(at, "Churn rate over the range").value == fmt.DASH
    assert _metric(at, "Customer retention rate over the range").value == fmt.DASH
    assert any("Choose a later start date" in c.value for c in at.caption)
    # Another date range unlocks them, not more data: no "Add data" link under them.
    assert not [link for link in at.get("page_link") if link.label == "Add data"]
    assert _metric(at, "Churn rate per month").value == fmt.percent(rate)
    assert _metric(at, "Inactive customers").value == fmt.number(len(inactive))
    assert _metric(at, "NRR").value == fmt.DASH
    assert _metric(at, "GRR").value == fmt.DASH
    # The tabs run only when open, and the churn-definition panel draws only once opened: the
    # first view draws churn and retention over time; each other tab, opened in turn, draws
    # its charts (or the inactive list).
    assert len(at.get("plotly_chart")) == 2
    assert not at.radio and not at.number_input
    drawn = {}
    for tab in ("Cohorts", "Survival", "Projection (sBG)", "Inactive customers"):
        at.session_state["ret_tab"] = tab
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
        drawn[tab] = len(at.get("plotly_chart")) + len(at.dataframe)
    assert all(drawn.values()) and sum(drawn.values()) >= 5, drawn
    at.session_state["ret_tab"] = "Cohorts"
    at.session_state["ret_how"] = True  # the churn-definition panel opened
    at.run()
    assert len(at.get("plotly_chart")) == 3  # the heatmap, the curves and the gaps
    # Switch to churn by inactivity: the definition is named, the cards follow it.
    at.radio(key="ret_definition").set_value("inactivity").run()
    assert not at.exception, [e.value for e in at.exception]
    window = retention.suggested_inactivity_window(tables["orders"])
    life = retention.inactivity_lifetimes(tables["orders"], window_days=window, as_of=end)
    series = retention.churn_series(life, period="month", start=start, end=end)
    expected = fmt.percent(retention.pooled_churn_rate(series))
    assert _metric(at, "Churn rate per month").value == expected
    assert any(f"no order for {window:,} days" in c.value for c in at.caption)
    # Closed again, the panel's choice stays in force, and the caption says where the window
    # came from.
    at.session_state["ret_how"] = False
    at.run()
    assert not at.radio and _metric(at, "Churn rate per month").value == expected
    said = f"no order for {window:,} days (the window suggested from your data; percentile"
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    # Split the cohorts and the survival curves by segment: one log-rank sentence, no error.
    at.selectbox(key="ret_split").set_value("segment").run()
    at.session_state["ret_tab"] = "Survival"
    at.run()
    at.selectbox(key="ret_km_split").set_value("segment").run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "Comparing residential with business" in said and "log-rank p" in said


def test_moving_the_date_range_moves_the_cards_and_their_change(app_test):
    start, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30")
    at = _open(app_test, dates=(start, end))
    tables = _sample()
    summary, rate, inactive, money = _expected_cards(tables, start, end)
    prev_start, prev_end = base.previous_window(start, end)
    then, before, _, money_before = _expected_cards(tables, prev_start, prev_end)
    card = _metric(at, "Churn rate over the range")
    assert card.value == fmt.percent(summary.churn_rate)
    assert card.delta == points_delta(summary.churn_rate, then.churn_rate)  # in points
    crr = _metric(at, "Customer retention rate over the range")
    assert crr.value == fmt.percent(summary.retention_rate)
    card = _metric(at, "Churn rate per month")
    assert card.value == fmt.percent(rate)
    assert card.delta == points_delta(rate, before)
    nrr = _metric(at, "NRR")
    assert nrr.value == fmt.percent(money.nrr)
    assert nrr.delta == points_delta(money.nrr, money_before.nrr)
    assert _metric(at, "GRR").value == fmt.percent(money.grr)
    assert money.grr <= min(1.0, money.nrr)
    assert _metric(at, "Inactive customers").value == fmt.number(len(inactive))


def test_without_orders_or_contracts_the_page_says_what_unlocks_it(app_test):
    surveys = (ROOT / "sample_data" / "surveys.csv").read_bytes()
    at = _open(app_test, load_files([("surveys.csv", surveys)]))
    assert not at.metric
    text = " ".join(i.value for i in at.info)
    assert "orders" in text and "Data page" in text


def test_without_repeat_orders_the_window_is_called_a_default_not_a_suggestion(app_test):
    # Three customers, one order each: no gap between orders, so no window to suggest; the
    # page works with 90 days and says it is a default.
    orders = "customer_id,order_date,amount\nA,2025-01-05,10\nB,2025-02-05,20\nC,2025-03-05,30\n"
    at = _open(app_test, load_files([("orders.csv", orders.encode())]))
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "churn = no order for 90 days (a default window: nobody ordered on two" in said
    assert "suggested from your data" not in said


def test_a_window_the_data_cannot_support_is_said_on_the_page(app_test):
    # 200 one-off customers and five who came back after ten days: the suggested ten-day
    # window rests on five gaps; the page says so under the definition (its panel closed)
    # and on the churn card
    from tests.test_range_rates import one_off_orders

    orders = one_off_orders()
    csv = orders.assign(order_date=orders["order_date"].dt.strftime("%Y-%m-%d")).to_csv(index=False)
    dates = (pd.Timestamp("2025-03-01"), pd.Timestamp("2025-05-31"))
    at = _open(app_test, load_files([("orders.csv", csv.encode())]), dates=dates)
    warned = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "window of 10 days rests on 5 repeat orders" in warned
    said = "no order for 10 days (the window suggested from your data; percentile 90"
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    churn = _metric(at, "Churn rate over the range").value
    assert churn == fmt.percent(1.0)  # everyone at 1 March was lost in March
    notes = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "cannot support this short a window" in notes


def test_retention_cards_read_the_command_lines_keys(app_test):
    # the cards and `python -m kpi report` call the same functions for the same range
    from kpi.analysis import analysis

    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-06-30")
    at = _open(app_test, dates=(start, end))
    kpis = analysis(_sample(), start=start, end=end).kpis
    assert _metric(at, "Churn rate over the range").value == fmt.percent(kpis["churn_rate"])
    assert _metric(at, "Customer retention rate over the range").value == fmt.percent(
        kpis["customer_retention_rate"]
    )
    assert _metric(at, "Churn rate per month").value == fmt.percent(kpis["churn_rate_per_period"])
    assert _metric(at, "NRR").value == fmt.percent(kpis["nrr"])
    assert _metric(at, "GRR").value == fmt.percent(kpis["grr"])
    assert _metric(at, "Inactive customers").value == fmt.number(kpis["inactive_customers"])


def test_inactive_list_names_who_to_call_and_formats_its_money(app_test):
    # Last orders, against the data's last day 2025-06-30 and a 60-day window:
    #   A 2025-01-10 (171 days ago), orders 1,200.50 + 300 = revenue 1,500.50: inactive
    #   B 2025-06-20 (10 days ago): active, not listed
    #   C 2025-02-01 (149 days ago), one order of 80: inactive, not in the customers file
    orders = (
        "customer_id,order_date,amount\n"
        "A,2024-12-01,1200.50\nA,2025-01-10,300\nB,2025-05-01,50\nB,2025-06-20,70\n"
        "C,2025-02-01,80\nB,2025-06-30,20\n"
    )
    customers = (
        "Customer ID,Customer name,E-mail,Phone\n"
        "A,Anna Kowalska,anna@example.com,+48 600 100 200\n"
        "B,Bolt Ltd,office@bolt.example,\n"
    )
    ds = load_files([("orders.csv", orders.encode()), ("customers.csv", customers.encode())])
    assert set(ds.tables["customers"].columns) >= {"customer_id", "name", "email", "phone"}
    at = _open(app_test, ds)
    at.session_state["ret_how"] = True  # the churn-definition panel opened
    at.run()
    at.radio(key="ret_definition").set_value("inactivity").run()
    at.number_input(key="ret_window").set_value(60).run()
    at.session_state["ret_tab"] = "Inactive customers"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [table] = [d for d in at.dataframe if "Customer" in d.value.columns]
    sym = fmt.currency_symbol(at.session_state["f_currency"])
    assert list(table.value.columns[:4]) == ["Customer", "Name", "Email", "Phone"]
    got = table.value[["Customer", "Name", "Email", "Phone", f"Revenue ({sym})"]]
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["A", "Anna Kowalska", "anna@example.com", "+48 600 100 200", 1500.5],
        ["C", None, None, None, 80.0],
    ]
    config = json.loads(table.proto.columns)
    assert config[f"Revenue ({sym})"]["type_config"]["format"] == "accounting"
    assert config[f"Last order value ({sym})"]["type_config"]["format"] == "accounting"


def test_with_contacts_keeps_rows_as_they_are_without_contact_details():
    rows = pd.DataFrame({"customer_id": ["A"], "revenue": [1.0]})
    tm.assert_frame_equal(retention.with_contacts(rows, None), rows)
    blank = pd.DataFrame({"customer_id": ["A"], "email": [None]})
    tm.assert_frame_equal(retention.with_contacts(rows, blank), rows)
