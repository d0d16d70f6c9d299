"""Order arrays and repeat gaps computed once per table and shared, read-only, by the
retention and value families."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi import retention
from kpi.value import customer_lifetimes


def _orders() -> pd.DataFrame:
    # b's second row has no date, c's no customer id: neither is a dated order row.
    return pd.DataFrame(
        {
            "customer_id": ["b", "a", "b", None, "a", "b"],
            "order_date": pd.to_datetime(
                ["2025-01-11", "2025-01-01", None, "2025-01-02", "2025-01-21", "2025-02-10"]
            ),
            "amount": [10.0, 5.0, 7.0, 3.0, np.nan, -2.0],
        }
    )


def test_order_arrays_by_hand_shared_and_cut_at_a_day():
    orders = _orders()
    codes, day, amount, ids = retention._order_arrays(orders, None)
    # ids sorted: a = 0, b = 1; days since 1970-01-01: 2025-01-01 is day 20089
    assert ids.tolist() == ["a", "b"]
    assert codes.tolist() == [1, 0, 0, 1]
    assert (day - 20089).tolist() == [10, 0, 20, 40]
    assert amount.tolist() == [10.0, 5.0, 0.0, -2.0]  # a blank amount counts 0
    again = retention._order_arrays(orders, None)
    assert again[0] is codes and again[1] is day  # built once per table
    with pytest.raises(ValueError, match="read-only"):
        day[0] = 0
    codes, day, amount, _ = retention._order_arrays(orders, 20089 + 20)
    assert codes.tolist() == [1, 0, 0] and amount.tolist() == [10.0, 5.0, 0.0]


def test_gaps_shared_by_the_window_and_the_value_lifetimes():
    orders = _orders()
    # a: days 0 and 20 -> one gap of 20; b: day 10 (day 40 is a refund, no visit) -> none
    gap_codes, gaps, sale_codes, _ = retention._gap_arrays(orders)
    assert gap_codes.tolist() == [0] and gaps.tolist() == [20]
    assert sorted(sale_codes.tolist()) == [0, 0, 1]
    assert retention._gap_arrays(orders)[1] is gaps
    assert retention.suggested_inactivity_window(orders) == 20
    lifetimes, rule = customer_lifetimes(orders)
    assert rule == "inactivity: a customer is lost after 20 days without an order"
    # as_of is the last sale day, a's day 20 (b's day 40 is a refund); lost at last order day
    # + 20: a on day 40, b on day 30, both after day 20, so both are still active
    assert lifetimes["observed"].tolist() == [False, False]
    assert (lifetimes["start"] - pd.Timestamp("2025-01-01")).dt.days.tolist() == [0, 10]
