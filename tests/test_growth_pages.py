"""Acquisition and Revenue pages: figures by their data, the view's helpers, AppTest flows."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pandas._testing as tm
import pytest

from kpi import acquisition as acq
from kpi import base
from kpi import revenue as rev
from kpi.filters import data_range
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import growth_charts as charts
from ui import growth_view as gv

ACQUISITION = "pages/2_Acquisition.py"
REVENUE = "pages/3_Revenue.py"
NAN = float("nan")

# Three months; February has no spend and no new customer (the empty period).
#   January: spend 1,000 (ads 600 marketing + web 400 sales); a and b start -> 2 new.
#   March:   spend 600 (ads marketing, email sales 0 + ads 600); c, d, e start -> 3 new.
SPEND = pd.DataFrame(
    {
        "date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-03-01", "2025-03-01"]),
        "amount": [600.0, 400.0, 600.0, 0.0],
        "channel": pd.array(["ads", "web", "ads", "email"], dtype="str"),
        "kind": pd.array(["marketing", "sales", "marketing", "sales"], dtype="str"),
    }
)
ORDERS = pd.DataFrame(
    {
        "customer_id": pd.array(["a", "b", "a", "c", "d", "e", "e"], dtype="str"),
        "order_date": pd.to_datetime(
            ["2025-01-05", "2025-01-20", "2025-03-03", "2025-03-04", "2025-03-10", "2025-03-12",
             "2025-03-20"]
        ),
        "amount": [100.0, 50.0, 80.0, 40.0, 30.0, 60.0, -10.0],
        "channel": pd.array(["ads", "web", "ads", "ads", "ads", "web", "web"], dtype="str"),
    }
)  # fmt: skip


def _sample():
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files)


def _axis_titles(fig) -> list[str]:
    return [fig.layout.xaxis.title.text or "", fig.layout.yaxis.title.text or ""]


# --------------------------------------------------------------------------------------------
# Acquisition figures


def test_cac_over_time_is_a_gap_in_a_period_without_new_customers():
    series = acq.cac_series(SPEND, ORDERS, period="month")
    fig = charts.cac_over_time(series, period="month", currency="EUR")
    line = fig.data[0]
    assert list(line.x) == ["2025-01", "2025-02", "2025-03"]
    # January 1,000 / 2 = 500; February nothing spent, nobody won (NaN); March 600 / 3 = 200.
    np.testing.assert_allclose(line.y, [500.0, NAN, 200.0])
    assert tuple(line.customdata[0]) == (1000.0, 2)
    assert tuple(line.customdata[1]) == (0.0, 0)
    assert _axis_titles(fig) == ["Month", "CAC (€)"]


def test_cac_by_channel_puts_the_cheapest_first_and_a_channel_without_customers_last():
    table = acq.cac_by_channel(SPEND, ORDERS)
    fig = charts.cac_by_channel_chart(table, currency="USD")
    # ads: 1,200 / 3 (a, c, d) = 400; web: 400 / 1 (b) = 400, since e came in March, after
    # the web spend's own span (January); email: 0 spent, nobody: NaN, last. A tie keeps the
    # channels' alphabetical order.
    assert list(fig.data[0].x) == ["Ads", "Web", "Email"]
    np.testing.assert_allclose(fig.data[0].y, [400.0, 400.0, NAN])
    assert tuple(fig.data[0].customdata[0]) == (1200.0, 3)
    assert tuple(fig.data[0].customdata[1]) == (400.0, 1)
    assert _axis_titles(fig) == ["Acquisition channel", "CAC ($)"]


def test_spend_split_stacks_marketing_and_sales_with_a_zero_period():
    series = acq.cac_series(SPEND, ORDERS, period="month")
    fig = charts.spend_split_over_time(series, period="month", currency="EUR")
    assert [t.name for t in fig.data] == ["Marketing", "Sales"]
    np.testing.assert_allclose(fig.data[0].y, [600.0, 0.0, 600.0])
    np.testing.assert_allclose(fig.data[1].y, [400.0, 0.0, 0.0])
    assert fig.layout.barmode == "stack"
    # Without a kind column, one bar of all the spend: 600 + 400 in the first month.
    series = acq.cac_series(SPEND.drop(columns="kind"), ORDERS, period="month")
    fig = charts.spend_split_over_time(series, period="month", currency="EUR")
    assert [t.name for t in fig.data] == ["Spend"]
    np.testing.assert_allclose(fig.data[0].y, [1000.0, 0.0, 600.0])


LEADS = pd.DataFrame(
    {
        "lead_id": pd.array(list("pqrstu"), dtype="str"),
        "created_date": pd.to_datetime(["2025-01-02"] * 6),
        "source": pd.array(["Ads", "ads", "ads", "Cold call", "cold-call", None], dtype="str"),
        "qualified": pd.array([True, True, False, False, True, True], dtype="boolean"),
        "converted_date": pd.to_datetime(
            ["2025-01-09", None, "2025-01-10", None, None, "2025-01-15"]
        ),
    }
)


def test_lead_funnel_draws_leads_qualified_and_converted_per_source():
    funnel = acq.lead_funnel(LEADS)
    fig = charts.lead_funnel_chart(funnel)
    converted, qualified, leads = fig.data
    assert [converted.name, qualified.name, leads.name] == ["Converted", "Qualified", "Leads"]
    # Most leads on top, i.e. last: ads 3 leads (p, q, r; r won without the flag counts as
    # qualified: 3), cold call 2 (1 qualified, 0 won: the zero cell), unknown 1 (1, 1).
    assert list(leads.y) == ["Unknown", "Cold call", "Ads"]
    assert list(leads.x) == [1, 2, 3]
    assert list(qualified.x) == [1, 1, 3]
    assert list(converted.x) == [1, 0, 2]
    np.testing.assert_allclose(converted.customdata, [1.0, 0.0, 2 / 3])
    assert fig.layout.legend.traceorder == "reversed"


def test_lead_funnel_without_a_qualified_flag_has_no_qualified_bars():
    funnel = acq.lead_funnel(LEADS.drop(columns="qualified"))
    fig = charts.lead_funnel_chart(funnel)
    assert [t.name for t in fig.data] == ["Converted", "Leads"]
    # The rate is then converted / leads: ads 2 / 3.
    assert fig.data[0].customdata[-1] == pytest.approx(2 / 3)
    assert "of the leads" in fig.data[0].hovertemplate


def test_conversions_by_source_are_shares_with_their_counts():
    shares = acq.acquisition_share_by_source(LEADS)
    fig = charts.conversions_by_source(shares)
    # Three conversions: ads 2 (2/3), unknown 1 (1/3); the largest on top (last).
    assert list(fig.data[0].y) == ["Unknown", "Ads"]
    np.testing.assert_allclose(fig.data[0].x, [1 / 3, 2 / 3])
    assert list(fig.data[0].customdata) == [1, 2]
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.xaxis.range[1] > 2 / 3, "room for the labels outside the bars"


TOUCHES = pd.DataFrame(
    {
        "date": pd.to_datetime(
            ["2025-01-03", "2025-01-05", "2025-01-08", "2025-01-04", "2025-01-05", "2025-01-12",
             "2025-01-20"]
        ),
        "lead_id": pd.array(["p", "p", "p", "r", "u", "u", "u"], dtype="str"),
        "touch_type": pd.array(["call", "Email", "call", "meeting", "call", "call", "email"],
                               dtype="str"),
    }
)  # fmt: skip


def test_touches_histogram_counts_deals_per_touches_with_mean_and_median():
    result = acq.touches_to_close(TOUCHES, LEADS)
    # Won: p (3 touches by 9 Jan), r (1), u (2 by 15 Jan; the one on 20 Jan is after the close).
    # Touch counts 1, 2, 3: mean 2, median 2; no deal took 0 touches, none more than 3.
    fig = charts.touches_histogram(result)
    bars, mean, median = fig.data
    assert list(bars.x) == [1, 2, 3] and list(bars.y) == [1, 1, 1]
    assert list(mean.x) == [2.0, 2.0] and mean.name == "Mean 2.0 touches"
    assert list(median.x) == [2.0, 2.0] and median.name == "Median 2.0 touches"
    assert _axis_titles(fig) == ["Touches before the deal was won", "Won deals"]


def test_touches_histogram_shows_an_empty_count_as_a_zero_bar():
    touches = TOUCHES.iloc[[0, 1, 2, 3]]  # p: 3 touches, r: 1; nobody took 2
    fig = charts.touches_histogram(acq.touches_to_close(touches, LEADS))
    assert list(fig.data[0].x) == [1, 2, 3] and list(fig.data[0].y) == [1, 0, 1]


def test_touches_histogram_without_won_deals_has_no_mean_line():
    fig = charts.touches_histogram(acq.touches_to_close(TOUCHES.iloc[:0], LEADS))
    assert len(fig.data) == 1 and list(fig.data[0].y) == []


def test_touches_by_type_is_touches_per_won_deal():
    result = acq.touches_to_close(TOUCHES, LEADS)
    fig = charts.touches_by_type_chart(result.by_type)
    # Six touches to close over three deals: call 4 (1.33 per deal), email 1, meeting 1.
    assert list(fig.data[0].y) == ["Email", "Meeting", "Call"]
    np.testing.assert_allclose(fig.data[0].x, [1 / 3, 1 / 3, 4 / 3])
    assert fig.layout.yaxis.title.text == "Touch type"


# --------------------------------------------------------------------------------------------
# Revenue figures

# e's refund has no type: it is counted under refunds.
TYPED = ORDERS.assign(
    revenue_type=pd.array(["new", "new", "upsell", "new", "new", "new", None], dtype="str")
)


def test_revenue_stack_orders_types_by_revenue_and_refunds_stack_down():
    wide = rev.revenue_by_type_series(TYPED, period="month")
    fig = charts.revenue_stack(wide, period="month", currency="EUR")
    # new: Jan 100 + 50, Mar 40 + 30 + 60 = 280 in all; upsell: Mar 80; refunds: Mar -10.
    assert [t.name for t in fig.data] == ["New sales", "Upsell", "Refunds"]
    np.testing.assert_allclose(fig.data[0].y, [150.0, 0.0, 130.0])
    np.testing.assert_allclose(fig.data[1].y, [0.0, 0.0, 80.0])
    np.testing.assert_allclose(fig.data[2].y, [0.0, 0.0, -10.0])
    assert fig.layout.barmode == "relative"
    assert _axis_titles(fig) == ["Month", "Revenue (€)"]


def test_new_and_returning_ignores_the_typed_revenue():
    wide = rev.new_and_returning_series(
        TYPED, period="month", start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-03-31")
    )
    # a's March order is a later sale (returning), every other sale is a first order day;
    # e's refund is a refund.
    expected = pd.DataFrame(
        {"new": [150.0, 0.0, 130.0], "refunds": [0.0, 0.0, -10.0], "repeat": [0.0, 0.0, 80.0]},
        index=pd.DatetimeIndex(pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
                               name="period"),
    )  # fmt: skip
    expected.columns.name = "revenue_type"
    tm.assert_frame_equal(wide, expected, check_index_type=False)
    fig = charts.revenue_stack(wide, period="month", currency="EUR", names=charts.CUSTOMER_NAMES)
    assert [t.name for t in fig.data] == ["New customers", "Returning customers", "Refunds"]


def test_arpu_and_aov_are_gaps_in_an_empty_period():
    series = base.revenue_series(ORDERS, period="month")
    fig = charts.arpu_aov_over_time(series, period="month", currency="EUR")
    arpu, aov = fig.data
    # January 150 / 2 customers = 75 and / 2 orders = 75; March (80 + 40 + 30 + 60 - 10) = 200
    # over 4 customers (a, c, d, e) = 50 and over 4 orders (e's refund is not an order) = 50;
    # February none.
    np.testing.assert_allclose(arpu.y, [75.0, NAN, 50.0])
    np.testing.assert_allclose(aov.y, [75.0, NAN, 50.0])
    assert list(aov.customdata) == [2, 0, 4]


COSTED = pd.DataFrame(
    {
        "customer_id": pd.array(["a", "b", "c", "d", "e"], dtype="str"),
        "order_date": pd.Timestamp("2025-01-10"),
        "amount": [100.0, 50.0, 40.0, 10.0, 0.0],
        "cost": [40.0, 20.0, 20.0, 20.0, 0.0],
    }
)


def test_pareto_curve_draws_each_band_and_joins_them():
    result = rev.profit_per_customer(COSTED)
    # Profits a 60, b 30, c 20, e 0, d -10: total 100. Of 5 customers the top 20 % is a, the
    # next 30 % (ranks up to 2.5, so 3) b and c, the rest e; d loses money.
    # Cumulative shares 0.6, 0.9, 1.1, 1.1, 1.0 at 0.2, 0.4, 0.6, 0.8, 1.0 of customers.
    fig = charts.pareto_curve(result)
    names = [t.name for t in fig.data]
    assert names == ["Top 20 % of customers", "Next 30 %", "Bottom 50 %", "Loss-making",
                     "Equal shares"]  # fmt: skip
    top, middle, bottom, loss, diagonal = fig.data
    np.testing.assert_allclose(top.x, [0.0, 0.2])
    np.testing.assert_allclose(top.y, [0.0, 0.6])
    np.testing.assert_allclose(middle.x, [0.2, 0.4, 0.6])
    np.testing.assert_allclose(middle.y, [0.6, 0.9, 1.1])
    np.testing.assert_allclose(bottom.y, [1.1, 1.1])
    np.testing.assert_allclose(loss.x, [0.8, 1.0])
    np.testing.assert_allclose(loss.y, [1.1, 1.0])
    assert list(diagonal.x) == [0, 1]
    assert _axis_titles(fig) == ["Share of customers, most profitable first",
                                 "Cumulative share of profit"]  # fmt: skip


def test_band_summary_counts_customers_and_profit_per_band():
    result = rev.profit_bands(rev.profit_per_customer(COSTED))
    expected = pd.DataFrame(
        {
            "band": ["top 20 %", "middle 30 %", "bottom 50 %", "loss"],
            "customers": np.array([1, 2, 1, 1], dtype="int64"),
            "revenue": [100.0, 90.0, 0.0, 10.0],
            "profit": [60.0, 50.0, 0.0, -10.0],
            "profit_share": [0.6, 0.5, 0.0, -0.1],
        }
    )
    tm.assert_frame_equal(result, expected, check_dtype=False)


def test_net_cash_waterfall_is_the_catalogue_example():
    cash = rev.net_cash(
        pd.DataFrame(
            {"period": pd.to_datetime(["2025-01-01"]), "operating_cash_flow": [100.0],
             "investments": [30.0], "working_capital_change": [10.0]}
        )
    )  # fmt: skip
    fig = charts.net_cash_waterfall(cash, currency="EUR")
    # OCF 100, investments 30, working-capital increase 10: net cash 100 - 30 - 10 = 60.
    assert list(fig.data[0].y) == [100.0, -30.0, -10.0, 60.0]
    assert list(fig.data[0].measure) == ["relative", "relative", "relative", "total"]
    assert fig.layout.yaxis.title.text == "Cash (€)"


def test_no_axis_title_is_a_raw_column_name():
    series = acq.cac_series(SPEND, ORDERS, period="month")
    result = acq.touches_to_close(TOUCHES, LEADS)
    figs = [
        charts.cac_over_time(series, period="month", currency="EUR"),
        charts.cac_by_channel_chart(acq.cac_by_channel(SPEND, ORDERS), currency="EUR"),
        charts.spend_split_over_time(series, period="month", currency="EUR"),
        charts.lead_funnel_chart(acq.lead_funnel(LEADS)),
        charts.conversions_by_source(acq.acquisition_share_by_source(LEADS)),
        charts.touches_histogram(result),
        charts.touches_by_type_chart(result.by_type),
        charts.revenue_stack(rev.revenue_by_type_series(TYPED), period="month", currency="EUR"),
        charts.arpu_aov_over_time(base.revenue_series(ORDERS), period="month", currency="EUR"),
        charts.pareto_curve(rev.profit_per_customer(COSTED)),
    ]
    for fig in figs:
        for title in _axis_titles(fig):
            assert title and "_" not in title, title
        for trace in fig.data:
            assert "_" not in (trace.name or ""), trace.name


# --------------------------------------------------------------------------------------------
# The pages (AppTest)


def _open(app_test, page, *, dataset=None, start=None, end=None):
    at = app_test()
    if dataset is not None:
        at.session_state["dataset"] = dataset
    if start is not None:
        at.session_state["f_start"] = pd.Timestamp(start).date()
        at.session_state["f_end"] = pd.Timestamp(end).date()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def _acquisition_expected(t, start, end):
    """The six cards' values and changes as the page formats them, from the kpi functions."""
    o, c, s, leads = t["orders"], t["customers"], t["spend"], t["leads"]
    prev = base.previous_window(start, end)

    def both(f):
        return f(start, end), f(*prev)

    cac = both(lambda a, b: acq.cac(s, o, c, start=a, end=b).cac)
    cpl = both(lambda a, b: acq.cpl(s, leads, start=a, end=b).cpl)
    conv = both(lambda a, b: acq.lead_conversion_rate(leads, start=a, end=b).rate)
    ref = both(lambda a, b: acq.referral_rate(o, leads=leads, customers=c, start=a, end=b).rate)
    ttc = both(lambda a, b: acq.touches_to_close(t["touches"], leads, start=a, end=b).mean)
    resp = (acq.marketing_response_rate(t["touches"], start=start, end=end), None)
    if prev[0] >= data_range(t)[0]:  # the page shows no change against a range before the data
        resp = both(lambda a, b: acq.marketing_response_rate(t["touches"], start=a, end=b))
    return {
        "CAC": (fmt.money(cac[0], "EUR"), fmt.change(base.relative_change(*cac))),
        "CPL": (fmt.money(cpl[0], "EUR"), fmt.change(base.relative_change(*cpl))),
        "Lead conversion": (fmt.percent(conv[0]), gv.points_delta(*conv)),
        "Referral rate": (fmt.percent(ref[0]), gv.points_delta(*ref)),
        "Touches to close": (fmt.number(ttc[0], 1), fmt.change(base.relative_change(*ttc))),
        "Marketing response": (fmt.percent(resp[0]), gv.points_delta(*resp)),
    }


def test_acquisition_cards_match_kpi_functions_on_sample_data(app_test):
    at = _open(app_test, ACQUISITION)
    t = _sample().tables
    start, end = data_range(t)  # the default date filter
    expected = _acquisition_expected(t, start, end)
    shown = _metrics(at)
    for label, (value, _) in expected.items():
        # The whole history has no range before it: no change is shown.
        assert shown[label] == (value, None), label
    # The sections are tabs that run only when open: acquisition cost's two charts first,
    # then the spend's one, the leads' two and the touches' two.
    charts = {"Acquisition cost": len(at.get("plotly_chart"))}
    assert not at.info, [i.value for i in at.info]
    for tab in ("Spend", "Leads", "Touches to close"):
        at.session_state["acq_tab"] = tab
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
        assert not at.info, (tab, [i.value for i in at.info])
        charts[tab] = len(at.get("plotly_chart"))
    assert charts == {"Acquisition cost": 2, "Spend": 1, "Leads": 2, "Touches to close": 2}


def test_acquisition_cards_follow_the_date_filter_and_compare_with_the_range_before(app_test):
    start, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30")
    at = _open(app_test, ACQUISITION, start=start, end=end)
    t = _sample().tables
    # 181 days: the previous range is 2025-07-04 .. 2025-12-31, inside the data.
    expected = _acquisition_expected(t, start, end)
    assert all(delta is not None for _, delta in expected.values())
    assert _metrics(at) == expected
    whole = _acquisition_expected(t, *data_range(t))
    assert expected["CAC"][0] != whole["CAC"][0], "the range moved the number"


def test_acquisition_without_spend_or_leads_says_what_unlocks_them(app_test):
    orders = (ROOT / "sample_data" / "orders.csv").read_bytes()
    at = _open(app_test, ACQUISITION, dataset=load_files([("orders.csv", orders)]))
    shown = _metrics(at)
    assert shown["CAC"] == (fmt.DASH, None)
    assert shown["Touches to close"] == (fmt.DASH, None)
    captions = " ".join(c.value for c in at.caption)
    assert "spend table" in captions and "leads table" in captions
    # Each section's tab, opened, says which table would unlock it.
    for tab, table in [("Acquisition cost", "**spend**"), ("Spend", "**spend**"),
                       ("Leads", "**leads**"), ("Touches to close", "**touches**")]:  # fmt: skip
        at.session_state["acq_tab"] = tab
        at.run()
        info = " ".join(i.value for i in at.info)
        assert table in info and "Data page" in info, tab
    # Orders carry each customer's channel: the referral rate falls back on referral customers.
    assert shown["Referral rate"][0] != fmt.DASH


def _revenue_expected(orders, start, end, *, margin=None):
    prev = base.previous_window(start, end)
    now = base.orders_in_range(orders, start=start, end=end)
    then = base.orders_in_range(orders, start=prev[0], end=prev[1])
    p_now = rev.profit_per_customer(orders, start=start, end=end, margin=margin)
    p_then = rev.profit_per_customer(orders, start=prev[0], end=prev[1], margin=margin)

    def money(f):
        return fmt.money(f(now), "EUR"), fmt.change(base.relative_change(f(now), f(then)))

    return {
        "Revenue": money(base.revenue),
        "ARPU": money(base.arpu),
        "Average order value": money(base.average_order_value),
        "Repeat customer rate": (
            fmt.percent(base.repeat_customer_rate(now)),
            gv.points_delta(base.repeat_customer_rate(now), base.repeat_customer_rate(then)),
        ),
        "Profit per customer": (
            fmt.money(p_now.mean, "EUR"),
            fmt.change(base.relative_change(p_now.mean, p_then.mean)),
        ),
        "Profit from the top 20 %": (
            fmt.percent(p_now.top_share),
            gv.points_delta(p_now.top_share, p_then.top_share),
        ),
    }


def test_revenue_shows_the_profit_bands_as_a_plain_table(app_test):
    # A table of four or five rows of formatted text: plain, so that a first visit does not
    # load the interactive grid's code for it.
    t = _sample().tables
    start, end = data_range(t)
    at = _open(app_test, REVENUE)
    assert not at.table and not at.dataframe  # a first view shows the time charts only
    at = _rev_tab(at, "Who earns the profit")
    assert len(at.table) == 1 and not at.dataframe
    shown = at.table[0].value
    assert list(shown.columns) == ["Band", "Customers", "Revenue", "Profit", "Share"]
    per = rev.profit_per_customer(t["orders"], start=start, end=end).per_customer
    per = per.dropna(subset=["profit"])
    # Each band's customers and share of profit, grouped here from the per-customer rows.
    groups = per.groupby(per["band"].astype(str))
    expected = [b for b in rev.BANDS if b in groups.groups]
    assert list(shown["Band"]) == [charts.BAND_NAMES[b] for b in expected]
    assert list(shown["Customers"]) == [fmt.number(len(groups.get_group(b))) for b in expected]
    total = per["profit"].sum()
    shares = [groups.get_group(b)["profit"].sum() / total for b in expected]
    assert list(shown["Share"]) == [fmt.percent(x) for x in shares]


def test_revenue_cards_match_kpi_functions_and_follow_the_date_filter(app_test):
    t = _sample().tables
    orders = t["orders"]
    at = _open(app_test, REVENUE)
    start, end = data_range(t)  # the default date filter
    shown = _metrics(at)
    for label, (value, _) in _revenue_expected(orders, start, end).items():
        assert shown[label] == (value, None), label
    assert not at.number_input, "orders have a cost: no margin to set"
    # The tabs run only when open: the three charts over time first, then one each.
    drawn = {"Over time": len(at.get("plotly_chart"))}
    for name in ("Who earns the profit", "Net cash"):
        drawn[name] = len(_rev_tab(at, name).get("plotly_chart"))
    assert drawn == {"Over time": 3, "Who earns the profit": 1, "Net cash": 1}
    cash = rev.net_cash(t["cashflow"], start=start, end=end)
    assert _metrics(at)["Net cash"][0] == fmt.money(cash.net_cash, "EUR")

    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-31")
    at = _open(app_test, REVENUE, start=start, end=end)
    expected = _revenue_expected(orders, start, end)
    assert all(delta is not None for _, delta in expected.values())
    shown = _metrics(_rev_tab(at, "Net cash"))
    assert {k: shown[k] for k in expected} == expected
    assert shown["Net cash"][0] == fmt.money(
        rev.net_cash(t["cashflow"], start=start, end=end).net_cash, "EUR"
    )


def _rev_tab(at, name: str):
    """Open one of the Revenue page's tabs: only the open tab runs and is drawn."""
    at.session_state["rev_tab"] = name
    at.run()
    assert not at.exception, (name, [e.value for e in at.exception])
    return at


def _orders_without_cost() -> bytes:
    frame = pd.read_csv(ROOT / "sample_data" / "orders.csv").drop(columns="cost")
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def test_revenue_without_cost_asks_for_a_margin_and_without_cashflow_says_so(app_test):
    ds = load_files([("orders.csv", _orders_without_cost())])
    at = _open(app_test, REVENUE, dataset=ds)
    orders = ds.tables["orders"]
    start, end = data_range(ds.tables)
    margin = at.number_input(key=gv.MARGIN_KEY)
    assert margin.value == 50.0
    assert any("no cost column" in c.value for c in at.caption)
    profit = rev.profit_per_customer(orders, start=start, end=end, margin=0.5)
    assert _metrics(at)["Profit per customer"][0] == fmt.money(profit.mean, "EUR")
    info = " ".join(i.value for i in _rev_tab(at, "Net cash").info)
    assert "**cashflow**" in info and "Data page" in info
    assert "Net cash" not in _metrics(at)

    margin.set_value(60.0).run()
    assert not at.exception
    profit = rev.profit_per_customer(orders, start=start, end=end, margin=0.6)
    assert _metrics(at)["Profit per customer"][0] == fmt.money(profit.mean, "EUR")


def test_revenue_without_orders_says_what_unlocks_it(app_test):
    leads = (ROOT / "sample_data" / "leads.csv").read_bytes()
    at = _open(app_test, REVENUE, dataset=load_files([("leads.csv", leads)]))
    assert not at.metric
    info = " ".join(i.value for i in at.info)
    assert "**orders**" in info and "Data page" in info


def test_pareto_curve_of_many_customers_is_drawn_through_its_ends_and_fewer_points():
    # 5,000 customers with profits 5,000 down to 1: bands of 1,000, 1,500 and 2,500 customers
    # (top 20 %, next 30 %, bottom 50 %), each drawn through at most 1,000 points; the curve
    # still starts at 0 and ends at all customers, all the profit.
    n = 5_000
    orders = pd.DataFrame(
        {
            "customer_id": pd.array([f"c{i:05d}" for i in range(n)], dtype="str"),
            "order_date": pd.Timestamp("2025-01-01"),
            "amount": np.arange(n, 0, -1, dtype="float64"),
            "cost": 0.0,
        }
    )
    result = rev.profit_per_customer(orders)
    fig = charts.pareto_curve(result)
    lines = [t for t in fig.data if t.name != "Equal shares"]
    assert all(len(t.x) <= charts.MAX_CURVE_POINTS for t in lines)
    assert lines[0].x[0] == 0.0 and lines[-1].x[-1] == pytest.approx(1.0)
    assert lines[-1].y[-1] == pytest.approx(1.0)
