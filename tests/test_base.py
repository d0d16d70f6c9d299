"""Base counts and headline figures against a hand-built table."""

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest

from kpi import base
from kpi.errors import SchemaError


def _orders() -> pd.DataFrame:
    # customer, date, amount. C refunds in February; D orders only in March.
    rows = [
        ("A", "2025-01-05", 100.0),
        ("A", "2025-02-10", 50.0),
        ("B", "2025-01-20", 200.0),
        ("C", "2025-02-01", 80.0),
        ("C", "2025-02-15", -30.0),
        ("A", "2025-03-31", 70.0),
        ("D", "2025-03-02", 40.0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def test_headline_whole_range_by_hand():
    result = base.headline(_orders())
    # revenue 100 + 50 + 200 + 80 - 30 + 70 + 40 = 510; 6 orders, 1 refund
    # active A, B, C, D = 4; repeat: A has 3 orders, others 1 -> 1 / 4
    assert result == {
        "revenue": 510.0,
        "orders": 6,
        "refunds": 1,
        "active_customers": 4,
        "new_customers": 4,
        "signups_without_order": 0,  # no customers table
        "average_order_value": 85.0,  # 510 / 6
        "arpu": 127.5,  # 510 / 4
        "repeat_customer_rate": 0.25,
    }


def test_headline_february_counts_only_first_orders_as_new():
    feb = base.headline(_orders(), start=pd.Timestamp("2025-02-01"), end=pd.Timestamp("2025-02-28"))
    # February rows: A 50, C 80, C -30 -> revenue 100, 2 orders, 1 refund
    # active A and C; new: only C (A's first order was in January)
    assert feb["revenue"] == 100.0
    assert (feb["orders"], feb["refunds"]) == (2, 1)
    assert (feb["active_customers"], feb["new_customers"]) == (2, 1)
    assert feb["average_order_value"] == 50.0
    assert feb["repeat_customer_rate"] == 0.0


def test_end_day_is_inclusive_even_with_times():
    orders = _orders()
    orders.loc[5, "order_date"] = pd.Timestamp("2025-03-31 18:30")
    march = base.headline(orders, start=pd.Timestamp("2025-03-01"), end=pd.Timestamp("2025-03-31"))
    assert march["revenue"] == 110.0  # 70 + 40


def test_new_customers_are_paying_customers_acquired_at_the_earlier_date():
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "E", "C"],
            "signup_date": pd.to_datetime(["2024-12-20", None, "2025-01-10", "2025-02-20"]),
        }
    )
    jan = dict(start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-01-31"))
    feb = dict(start=pd.Timestamp("2025-02-01"), end=pd.Timestamp("2025-02-28"))
    # A signed up in December (before its first order): acquired then, not new in January.
    # B has no signup date: first order 2025-01-20, new in January.
    # E signed up in January and never ordered: a sign-up without an order, not a new customer.
    # C ordered first on 2025-02-01 and signed up on 2025-02-20: acquired 2025-02-01.
    assert base.new_customers(_orders(), customers, **jan) == 1  # B
    assert base.signups_without_order(_orders(), customers, **jan) == 1  # E
    assert base.new_customers(_orders(), customers, **feb) == 1  # C
    starts = base.customer_starts(_orders(), customers)
    assert "E" not in starts.index
    assert starts["C"] == pd.Timestamp("2025-02-01")
    assert starts["A"] == pd.Timestamp("2024-12-20")
    # Never more new customers than there are customers with an order.
    whole = base.headline(_orders(), customers)
    assert whole["new_customers"] <= whole["active_customers"]


def test_without_orders_signups_are_the_new_customers():
    customers = pd.DataFrame(
        {
            "customer_id": ["A", "B", "B"],
            "signup_date": pd.to_datetime(["2025-01-05", "2025-01-07", "2024-12-01"]),
        }
    )
    # A signed up in January; B's earliest signup is in December: one new customer.
    result = base.section(
        {"customers": customers}, start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-01-31")
    )
    assert result.kpis["new_customers"] == 1
    assert result.kpis["active_customers"] is None


def test_previous_window_and_change():
    orders = _orders()
    change = base.headline_change(
        orders, start=pd.Timestamp("2025-02-01"), end=pd.Timestamp("2025-02-28")
    )
    # previous window 2025-01-04 .. 2025-01-31: A 100, B 200 -> revenue 300, 2 orders
    # February revenue 100: (100 - 300) / 300
    assert change["revenue"] == pytest.approx(-2 / 3)
    assert change["orders"] == 0.0
    assert change["repeat_customer_rate"] is None  # 0 / 2 before: division by zero


def test_change_is_unknown_before_the_data_starts():
    change = base.headline_change(
        _orders(), start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-01-31")
    )
    assert set(change.values()) == {None}


def test_revenue_series_keeps_empty_periods():
    orders = _orders()
    orders = orders[orders["order_date"].dt.month != 2]
    result = base.revenue_series(orders, period="month")
    expected = pd.DataFrame(
        {
            "revenue": [300.0, 0.0, 110.0],
            "orders": [2, 0, 2],
            "active_customers": [2, 0, 2],
            "new_customers": [2, 0, 1],
            "average_order_value": [150.0, np.nan, 55.0],
            "arpu": [150.0, np.nan, 55.0],
        },
        index=pd.DatetimeIndex(
            pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]), name="period"
        ),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False, check_freq=False)


def test_revenue_series_sums_to_headline():
    orders = _orders()
    series = base.revenue_series(orders, period="week")
    assert series["revenue"].sum() == base.revenue(orders)
    assert series["orders"].sum() == base.order_count(orders)


def test_section_without_orders_is_null_with_a_warning():
    result = base.section({})
    assert result.kpis["revenue"] is None
    assert "orders" in result.warnings[0]


def test_section_series_labels():
    result = base.section({"orders": _orders()}, period="quarter")
    assert result.kpis["orders"] == 6
    assert result.series["revenue"] == {"2025-Q1": 510.0}


def test_missing_column_is_a_schema_error():
    with pytest.raises(SchemaError, match="amount"):
        base.headline(pd.DataFrame({"customer_id": [], "order_date": []}))


def test_customer_activity_is_the_rows_behind_the_customer_counts():
    # a: two orders in January (repeat), first ever in December -> not new.
    # b: one order and one refund in January, first ever then -> new, 1 order, revenue 8 - 3.
    # c: only in March, outside the range -> absent.
    orders = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "a", "a", "b", "b", "c"], dtype="str"),
            "order_date": pd.to_datetime(
                ["2024-12-20", "2025-01-03", "2025-01-20", "2025-01-10", "2025-01-11", "2025-03-01"]
            ),
            "amount": [1.0, 2.0, 4.0, 8.0, -3.0, 16.0],
        }
    )
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31")
    result = base.customer_activity(orders, start=start, end=end)
    assert result["customer_id"].tolist() == ["a", "b"]
    assert result["orders"].tolist() == [2, 1]
    assert result["revenue"].tolist() == [6.0, 5.0]
    assert result["new"].tolist() == [False, True]
    assert result["repeat"].tolist() == [True, False]
    window = base.orders_in_range(orders, start=start, end=end)
    assert len(result) == base.active_customers(window)
    assert result["new"].sum() == base.new_customers(orders, start=start, end=end)


def test_customer_starts_remembered_per_frame_is_never_changed_by_a_caller():
    orders = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "b"], dtype="str"),
            "order_date": pd.to_datetime(["2025-01-02", "2025-02-03"]),
            "amount": [1.0, 2.0],
        }
    )
    first = base.customer_starts(orders)
    first.iloc[0] = pd.Timestamp("1999-01-01")  # a caller's change stays its own
    again = base.customer_starts(orders)
    assert again["a"] == pd.Timestamp("2025-01-02")
    # Another customers table gives another answer, not the remembered one.
    customers = pd.DataFrame(
        {"customer_id": pd.array(["a"], dtype="str"), "signup_date": pd.to_datetime(["2024-12-01"])}
    )
    assert base.customer_starts(orders, customers)["a"] == pd.Timestamp("2024-12-01")
    assert base.customer_starts(orders)["a"] == pd.Timestamp("2025-01-02")
