"""Seeded benchmark data: canonical orders and customers at a given size, and the raw files.

The generators of :mod:`bench.ingest` (raw export, CSV, XLSX), :mod:`bench.cohorts` (canonical
orders) and :mod:`bench.value` (model-drawn RFM summaries) are reused, so every benchmark of
the project times the same data.

    orders     ~12 orders per customer over 2023-2025, 0.5 % refunds, a channel
    customers  one row per customer of the orders (and 1 % who never ordered), a signup day
               0-30 days before the first order (blank for 10 %), the same channel
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.cohorts import canonical_orders
from bench.ingest import european_csv, orders_frame, xlsx_bytes
from bench.value import synthetic_summary

__all__ = [
    "canonical_customers",
    "canonical_orders",
    "european_csv",
    "orders_frame",
    "synthetic_summary",
    "tables",
    "xlsx_bytes",
]


def canonical_customers(orders: pd.DataFrame, *, seed: int = 13) -> pd.DataFrame:
    """Seeded customers table matching ``orders``: customer_id, signup_date, channel.

    The signup day is 0-30 days before the customer's first order (blank for 10 %), so it is
    the acquisition date wherever it is given; 1 % extra customers signed up and never ordered.
    """
    rng = np.random.default_rng(seed)
    first = orders.groupby("customer_id", sort=True)["order_date"].min()
    n = len(first)
    extra = max(1, n // 100)
    ids = np.concatenate(
        [first.index.to_numpy(dtype=object), np.char.add("N", np.arange(extra).astype(str))]
    )
    lag = rng.integers(0, 31, n + extra).astype("timedelta64[D]")
    base = np.concatenate(
        [
            first.to_numpy().astype("datetime64[us]"),
            np.datetime64("2023-06-01", "us") + rng.integers(0, 900, extra).astype("m8[D]"),
        ]
    )
    signup = base - lag.astype("timedelta64[us]")
    signup[rng.random(n + extra) < 0.10] = np.datetime64("NaT")
    return pd.DataFrame(
        {
            "customer_id": pd.array(ids, dtype="str"),
            "signup_date": signup,
            "channel": pd.array(
                rng.choice(["Ads", "Web", "Referral", "Partner"], n + extra), "str"
            ),
        }
    )


def tables(rows: int, *, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical (orders, customers) with ``rows`` order rows, seeded."""
    orders = canonical_orders(rows, seed=seed)
    return orders, canonical_customers(orders, seed=seed + 2)
