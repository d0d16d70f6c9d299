"""Revenue by type, upsell revenue, profit per customer and net cash against hand-built tables."""

import json

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi import base
from kpi import revenue as rev
from kpi.errors import KpiError, SchemaError

T = pd.Timestamp


def _orders() -> pd.DataFrame:
    rows = [
        # customer, date, amount, type, cost
        ("A", "2025-01-05", 100.0, "new", 60.0),
        ("A", "2025-01-20", 40.0, "Upsell", 10.0),
        ("B", "2025-01-25", 200.0, "new", 150.0),
        ("B", "2025-03-02", 30.0, "cross-sell", 0.0),  # a zero cost
        ("B", "2025-03-10", -30.0, "cross-sell", None),  # refund of it, no cost
        ("C", "2025-03-15", 50.0, None, 20.0),  # untyped sale
        ("D", "2025-03-20", 10.0, "late fee", 40.0),  # a loss-making customer
        ("E", "2025-03-21", 80.0, "new", None),  # cost unknown
    ]
    frame = pd.DataFrame(
        rows, columns=["customer_id", "order_date", "amount", "revenue_type", "cost"]
    )
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["customer_id"] = frame["customer_id"].astype("string")
    frame["revenue_type"] = frame["revenue_type"].astype("string")
    return frame


# ------------------------------------------------------------------------------------------
# Revenue by type


def test_revenue_by_type_nets_refunds_within_the_type():
    result = rev.revenue_by_type(_orders())
    # new 100 + 200 + 80 = 380; upsell 40; cross_sell 30 - 30 = 0; other 50; late_fee 10
    expected = pd.DataFrame(
        {
            "revenue": [380.0, 50.0, 40.0, 10.0, 0.0],
            "orders": np.array([3, 1, 1, 1, 1], dtype=np.int64),
            "share": [380 / 480, 50 / 480, 40 / 480, 10 / 480, 0.0],
        },
        index=pd.Index(["new", "other", "upsell", "late_fee", "cross_sell"], name="revenue_type"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)
    assert result["revenue"].sum() == base.revenue(_orders())  # 480


def test_revenue_by_type_without_the_column_is_new_against_repeat():
    orders = _orders().drop(columns="revenue_type")
    result = rev.revenue_by_type(orders, start=T("2025-01-10"), end=T("2025-03-31"))
    # first-order days: A 5 Jan, B 25 Jan, C, D, E in March. In range:
    # repeat A 40 + B 30 = 70; new B 200 + C 50 + D 10 + E 80 = 340; refunds -30
    assert result["revenue"].to_dict() == {"new": 340.0, "repeat": 70.0, "refunds": -30.0}
    assert result["orders"].to_dict() == {"new": 4, "repeat": 2, "refunds": 0}


def test_revenue_by_type_series_has_the_empty_month():
    result = rev.revenue_by_type_series(_orders(), period="month")
    expected = pd.DataFrame(
        {
            "cross_sell": [0.0, 0.0, 0.0],
            "late_fee": [0.0, 0.0, 10.0],
            "new": [300.0, 0.0, 80.0],
            "other": [0.0, 0.0, 50.0],
            "upsell": [40.0, 0.0, 0.0],
        },
        index=pd.DatetimeIndex(
            pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]), name="period"
        ),
    )
    expected.columns.name = "revenue_type"
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_upsell_revenue_counts_upsell_and_cross_sell_net_of_refunds():
    # upsell 40 + cross-sell 30 - 30 = 40
    assert rev.upsell_revenue(_orders()) == 40.0
    assert rev.upsell_revenue(_orders(), start=T("2025-03-01")) == 0.0


def test_upsell_revenue_series_by_hand():
    result = rev.upsell_revenue_series(_orders(), start=T("2025-01-01"), end=T("2025-04-30"))
    expected = pd.Series(
        [40.0, 0.0, 0.0, 0.0],
        index=pd.DatetimeIndex(
            pd.date_range("2025-01-01", periods=4, freq="MS").to_numpy(), name="period"
        ),
        name="upsell_revenue",
    )
    tm.assert_series_equal(result, expected, check_index_type=False)


def test_upsell_revenue_needs_revenue_type():
    with pytest.raises(SchemaError, match="upsell_revenue needs a revenue_type column"):
        rev.upsell_revenue(_orders().drop(columns="revenue_type"))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 80),
            st.floats(-100, 1000, allow_nan=False).map(lambda x: round(x, 2)),
            st.sampled_from(["new", "upsell", "Repeat", None]),
        ),
        min_size=1,
        max_size=25,
    ),
    seed=st.integers(0, 1000),
    typed=st.booleans(),
)
def test_revenue_by_type_sums_to_revenue_whatever_the_row_order(rows, seed, typed):
    orders = pd.DataFrame(rows, columns=["customer_id", "day", "amount", "revenue_type"])
    orders["order_date"] = T("2025-01-01") + pd.to_timedelta(orders.pop("day"), unit="D")
    if not typed:
        orders = orders.drop(columns="revenue_type")
    result = rev.revenue_by_type(orders)
    assert result["revenue"].sum() == pytest.approx(base.revenue(orders), abs=1e-6)
    assert result["orders"].sum() == base.order_count(orders)
    shuffled = rev.revenue_by_type(orders.sample(frac=1, random_state=seed))
    tm.assert_frame_equal(shuffled.sort_index(), result.sort_index(), rtol=1e-9)


# ------------------------------------------------------------------------------------------
# Profit per customer


def test_profit_per_customer_from_cost():
    result = rev.profit_per_customer(_orders())
    # A 140 - 70 = 70; B 200 - 150 = 50 (the refund row's blank cost is 0); C 50 - 20 = 30;
    # D 10 - 40 = -30 (loss); E cost unknown -> NaN, left out
    expected = pd.DataFrame(
        {
            "revenue": [140.0, 200.0, 50.0, 10.0, 80.0],
            "cost": [70.0, 150.0, 20.0, 40.0, np.nan],
            "profit": [70.0, 50.0, 30.0, -30.0, np.nan],
            # 4 known: top 20 % = ceil(0.8) = 1 customer, middle up to ceil(2.0) = 2
            "band": pd.array(["top 20 %", "middle 30 %", "bottom 50 %", "loss", None], "string"),
        },
        index=pd.Index(["A", "B", "C", "D", "E"], name="customer_id", dtype="string"),
    )
    tm.assert_frame_equal(result.per_customer, expected)
    assert (result.total, result.customers, result.customers_without_cost) == (120.0, 4, 1)
    assert result.mean == 30.0  # 120 / 4
    assert result.basis == "cost"
    # curve: cumulative 70, 120, 150, 120 over 120 -> 0.583, 1.0, 1.25, 1.0
    tm.assert_series_equal(
        result.curve["profit_share"],
        pd.Series(
            [70 / 120, 1.0, 1.25, 1.0],
            index=pd.Index([1, 2, 3, 4], name="rank"),
            name="profit_share",
        ),
    )
    # top 20 % of 4 customers: ceil(0.8) = the first one, as in its band: 70 / 120
    assert result.top_share == pytest.approx(70 / 120)


def test_profit_per_customer_from_a_margin():
    orders = _orders().drop(columns="cost")
    result = rev.profit_per_customer(orders, margin=0.5, start=T("2025-03-01"))
    # March revenue: B 0 (30 - 30), C 50, D 10, E 80 -> profit half of each
    assert result.per_customer["profit"].to_dict() == {"E": 40.0, "C": 25.0, "D": 5.0, "B": 0.0}
    assert result.basis == "margin" and result.customers_without_cost == 0


def test_profit_margin_fills_blank_costs():
    result = rev.profit_per_customer(_orders(), margin=0.25)
    # E's blank cost becomes 80 x 0.75 = 60: profit 20
    assert result.per_customer.loc["E", "profit"] == 20.0
    assert result.basis == "cost and margin" and result.customers == 5


def test_profit_top_share_of_ten_customers():
    # ten customers with profits 10, 20, ..., 100: top 20 % = 100 + 90 = 190 of 550
    orders = pd.DataFrame(
        {
            "customer_id": [f"c{i:02d}" for i in range(1, 11)],
            "order_date": T("2025-01-01"),
            "amount": [10.0 * i for i in range(1, 11)],
            "cost": 0.0,
        }
    )
    result = rev.profit_per_customer(orders)
    assert result.top_share == pytest.approx(190 / 550)
    assert result.per_customer["band"].value_counts().to_dict() == {
        "bottom 50 %": 5,
        "middle 30 %": 3,
        "top 20 %": 2,
    }


def test_profit_needs_cost_or_margin():
    with pytest.raises(SchemaError, match="cost column in orders, or a gross margin"):
        rev.profit_per_customer(_orders().drop(columns="cost"))
    with pytest.raises(KpiError, match=r"0\.6 for 60 %"):
        rev.profit_per_customer(_orders(), margin=60)


# ------------------------------------------------------------------------------------------
# Net cash


def test_net_cash_catalogue_worked_example():
    # KPI_CATALOGUE.md: OCF 100, investments 30, working-capital increase 10: 100 - 30 - 10 = 60
    cashflow = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01"]),
            "operating_cash_flow": [100.0],
            "investments": [30.0],
            "working_capital_change": [10.0],
        }
    )
    result = rev.net_cash(cashflow)
    assert result == rev.NetCash(
        net_cash=60.0, operating_cash_flow=100.0, investments=30.0, working_capital_change=10.0
    )


def _cashflow() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-04-01"]),
            "operating_cash_flow": [100.0, -20.0, 50.0],
            "investments": [30.0, np.nan, 0.0],  # a blank: no investment
            "working_capital_change": [10.0, -5.0, 0.0],  # a release of working capital
        }
    )


def test_net_cash_series_with_an_empty_quarter_month():
    result = rev.net_cash_series(_cashflow(), period="month")
    expected = pd.DataFrame(
        {
            "operating_cash_flow": [100.0, -20.0, 0.0, 50.0],
            "investments": [30.0, 0.0, 0.0, 0.0],
            "working_capital_change": [10.0, -5.0, 0.0, 0.0],
            "net_cash": [60.0, -15.0, 0.0, 50.0],  # -20 - 0 - (-5) = -15; March empty
        },
        index=pd.DatetimeIndex(
            pd.date_range("2025-01-01", periods=4, freq="MS").to_numpy(), name="period"
        ),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)
    assert rev.net_cash(_cashflow(), end=T("2025-03-31")).net_cash == 45.0  # 60 - 15


def test_net_cash_without_optional_columns():
    result = rev.net_cash(_cashflow().drop(columns=["investments"]))
    # 130 - 0 - 5 = 125
    assert result.net_cash == 125.0 and result.missing == ("investments",)


def test_net_cash_needs_operating_cash_flow():
    with pytest.raises(SchemaError, match="operating_cash_flow missing"):
        rev.net_cash(_cashflow().drop(columns="operating_cash_flow"))


# ------------------------------------------------------------------------------------------
# section()


def test_section_on_hand_built_tables():
    tables = {"orders": _orders(), "cashflow": _cashflow()}
    result = rev.section(tables, start=T("2025-01-01"), end=T("2025-03-31"))
    assert set(result.kpis) == set(rev.KEYS)
    assert result.kpis["revenue_by_type"] == {
        "new": 380.0,
        "other": 50.0,
        "upsell": 40.0,
        "late_fee": 10.0,
        "cross_sell": 0.0,
    }
    assert result.kpis["upsell_revenue"] == 40.0
    assert result.kpis["profit_per_customer"] == 30.0
    assert result.kpis["net_cash"] == 45.0
    assert result.series["upsell_revenue"] == {"2025-01": 40.0, "2025-02": 0.0, "2025-03": 0.0}
    assert result.series["net_cash"] == {"2025-01": 60.0, "2025-02": -15.0, "2025-03": 0.0}
    # E's cost is unknown: said, not hidden
    assert result.warnings == [
        "profit_per_customer leaves out 1 customers with orders of unknown cost; fill "
        "orders.cost or set a gross margin."
    ]
    json.dumps(result.kpis)


def test_section_with_missing_tables_and_columns():
    orders = _orders().drop(columns=["revenue_type", "cost"])
    result = rev.section({"orders": orders})
    assert result.kpis["revenue_by_type"] == {"new": 440.0, "repeat": 70.0, "refunds": -30.0}
    assert (result.kpis["upsell_revenue"], result.kpis["profit_per_customer"]) == (None, None)
    assert result.kpis["net_cash"] is None
    text = " ".join(result.warnings)
    assert "revenue_type column" in text and "cost column" in text
    assert "cashflow table with columns period and operating_cash_flow" in text


def test_section_with_a_margin():
    orders = _orders().drop(columns="cost")
    result = rev.section({"orders": orders}, margin=0.5)
    # revenue 480 over 5 customers at 50 % margin: 240 / 5
    assert result.kpis["profit_per_customer"] == 48.0


def test_section_without_tables():
    result = rev.section({})
    assert result.kpis == dict.fromkeys(rev.KEYS)
    assert len(result.warnings) == 2
