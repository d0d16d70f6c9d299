"""Global filters across tables."""

from __future__ import annotations

import pandas as pd

from kpi.filters import apply_filters, attribute_values, data_range


def _tables():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "channel": ["Ads", "Web", "Ads"]})
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "a"],
            "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]),
            "amount": [1.0, 2.0, 3.0, 4.0],
            "region": ["N", "S", "S", "N"],
        }
    )
    tickets = pd.DataFrame({"ticket_id": ["t1", "t2"], "customer_id": ["a", "b"]})
    spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-01"]), "amount": [5.0]})
    return {"customers": customers, "orders": orders, "tickets": tickets, "spend": spend}


def test_attribute_values_span_tables():
    assert attribute_values(_tables()) == {"channel": ["Ads", "Web"], "region": ["N", "S"]}


def test_channel_filter_reaches_tables_through_customers():
    out = apply_filters(_tables(), {"channel": ["Ads"]})
    assert out["orders"]["customer_id"].tolist() == ["a", "c", "a"]
    assert out["tickets"]["ticket_id"].tolist() == ["t1"]
    assert len(out["spend"]) == 1  # no customers, no channel: left whole


def test_filters_combine_and_empty_means_all():
    out = apply_filters(_tables(), {"channel": ["Ads"], "region": ["S"]})
    assert out["orders"]["amount"].tolist() == [3.0]
    assert apply_filters(_tables(), {"channel": []})["orders"].shape == (4, 4)


def test_data_range_spans_every_dated_table():
    tables = _tables()
    assert data_range(tables) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-04-01"))
    # Spend dated the 1st of a month before the first order widens the range.
    tables["spend"] = pd.DataFrame({"date": pd.to_datetime(["2024-12-01"]), "amount": [5.0]})
    assert data_range(tables)[0] == pd.Timestamp("2024-12-01")


def test_tables_mostly_without_customers_are_not_cut_to_converted_rows():
    # Three leads, one converted by customer "a" (Ads): filtering by Ads must not keep only it.
    tables = _tables()
    tables["leads"] = pd.DataFrame(
        {"lead_id": ["l1", "l2", "l3"], "customer_id": ["a", None, None]}
    )
    out = apply_filters(tables, {"channel": ["Ads"]})
    assert out["leads"]["lead_id"].tolist() == ["l1", "l2", "l3"]
