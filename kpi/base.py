"""Base counts and the headline figures every page starts from (KPI_CATALOGUE.md, Base counts).

The functions take the canonical ``orders`` table (customer_id, order_date, amount, ...) with its
full history, and an optional ``customers`` table; ``start`` and ``end`` are inclusive calendar
days (None: unbounded). A refund is an order row with a negative amount: it lowers revenue and
is counted under ``refunds``, never under ``orders``.

    customer_id  order_date  amount
    C1           2025-01-03   120.0
    C1           2025-02-10    80.0
    C2           2025-02-11   -20.0   <- a refund
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping

import numpy as np
import pandas as pd

from kpi.errors import SchemaError
from kpi.periods import (
    Period,
    check_period,
    in_days,
    period_labels,
    period_range,
    period_start,
)
from kpi.report import Section, plain

ORDER_COLUMNS = ("customer_id", "order_date", "amount")
HEADLINE_KEYS = (
    "revenue",
    "orders",
    "refunds",
    "active_customers",
    "new_customers",
    "average_order_value",
    "arpu",
    "repeat_customer_rate",
)


def _check_orders(orders: pd.DataFrame) -> None:
    missing = [c for c in ORDER_COLUMNS if c not in orders.columns]
    if missing:
        raise SchemaError(
            f"orders need the columns {', '.join(ORDER_COLUMNS)}; {', '.join(missing)} "
            "missing. Map them on the Data page."
        )


def orders_in_range(
    orders: pd.DataFrame, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Order rows (refunds included) dated from ``start`` to ``end``, both days inclusive."""
    _check_orders(orders)
    return orders[in_days(orders["order_date"], start, end)]


def _sales(orders: pd.DataFrame) -> pd.DataFrame:
    """Order rows that are not refunds (amount of zero or more)."""
    return orders[orders["amount"].fillna(0) >= 0]


def order_count(orders: pd.DataFrame) -> int:
    """Orders = number of order rows with a non-negative amount (refund rows are not orders).

    >>> order_count(pd.DataFrame({"amount": [10.0, -2.0, 0.0]}))
    2
    """
    return int((orders["amount"].fillna(0) >= 0).sum())


def refund_count(orders: pd.DataFrame) -> int:
    """Refunds = number of order rows with a negative amount.

    >>> refund_count(pd.DataFrame({"amount": [10.0, -2.0, 0.0]}))
    1
    """
    return int((orders["amount"] < 0).sum())


def revenue(orders: pd.DataFrame) -> float:
    """Revenue = sum of order amounts, net of refunds (negative amounts); blank amounts are 0.

    >>> revenue(pd.DataFrame({"amount": [120.0, 80.0, -20.0]}))
    180.0
    """
    return float(orders["amount"].sum())


def active_customers(orders: pd.DataFrame) -> int:
    """Active customers = distinct customers with at least one order (refunds alone do not count).

    >>> active_customers(pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 2.0, -1.0]}))
    1
    """
    return int(_sales(orders)["customer_id"].nunique())


def repeat_customer_rate(orders: pd.DataFrame) -> float | None:
    """Repeat customer rate = customers with two or more orders / customers with at least one.

    Orders are counted as rows (refund rows excluded), as in the Orders KPI. None without orders.

    >>> repeat_customer_rate(pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0] * 3}))
    0.5
    """
    counts = _sales(orders)["customer_id"].value_counts()
    if counts.empty:
        return None
    return float((counts >= 2).sum() / len(counts))


def average_order_value(orders: pd.DataFrame) -> float | None:
    """Average order value = revenue (net of refunds) / orders. None without orders.

    >>> average_order_value(pd.DataFrame({"amount": [120.0, 80.0, -20.0]}))
    90.0
    """
    n = order_count(orders)
    return revenue(orders) / n if n else None


def arpu(orders: pd.DataFrame) -> float | None:
    """ARPU = revenue (net of refunds) / active customers. None without active customers.

    >>> arpu(pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [120.0, 80.0, 100.0]}))
    150.0
    """
    n = active_customers(orders)
    return revenue(orders) / n if n else None


def customer_starts(orders: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.Series:
    """Acquisition date per customer: the signup date where the customers table has one,
    otherwise the date of the customer's first order (refund rows included: a refund implies
    an earlier purchase, even one outside the data).

    Returns a Series indexed by customer_id (named ``customer_id``), values datetime64, sorted
    by customer. Customers of the customers table without a signup date and without orders
    are left out (their acquisition date is unknown).

    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "a"], "amount": [1.0, 1.0, 1.0],
    ...     "order_date": pd.to_datetime(["2025-03-01", "2025-01-05", "2025-01-02"])})
    >>> customer_starts(orders).dt.strftime("%Y-%m-%d").to_dict()
    {'a': '2025-01-02', 'b': '2025-01-05'}
    """
    _check_orders(orders)
    key = (id(orders), id(customers))
    with _STARTS_LOCK:
        hit = _STARTS.get(key)
    if hit is not None and hit[0]() is orders and hit[1]() is customers:
        return hit[2].copy(deep=False)
    first = orders.dropna(subset=["order_date"]).groupby("customer_id")["order_date"].min()
    if customers is not None and {"customer_id", "signup_date"} <= set(customers.columns):
        signup = customers.dropna(subset=["signup_date"]).groupby("customer_id")["signup_date"]
        first = signup.min().combine_first(first)
    first.index.name = "customer_id"
    result = first.sort_index()
    with _STARTS_LOCK:
        if len(_STARTS) >= 16:
            _STARTS.clear()
        _STARTS[key] = (weakref.ref(orders), _ref(customers), result)
    return result.copy(deep=False)


# customer_starts is asked for the same frames many times in one page run (headline, the
# range before, activity, series): it is remembered by the frames' identity, while they live.
# Frames are never changed in place here; each caller gets its own shallow copy, which
# pandas' copy-on-write keeps from changing the remembered Series.
_STARTS: dict[tuple[int, int], tuple[weakref.ref, weakref.ref, pd.Series]] = {}
_STARTS_LOCK = threading.Lock()


def _none() -> None:
    return None


def _ref(frame: pd.DataFrame | None) -> weakref.ref | object:
    return weakref.ref(frame) if frame is not None else _none


def new_customers(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> int:
    """New customers = customers whose first ever order (or signup date) falls in the range.

    ``orders`` must hold the full history, so that "first ever" is known.
    """
    starts = customer_starts(orders, customers)
    return int(in_days(starts, start, end).sum())


def customer_activity(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per customer active in the range: acquisition date, orders, revenue, new, repeat.

    The rows behind the active, new and repeat customer counts. One row per customer with
    an order in the range (refund rows included), columns ``customer_id``, ``acquired``
    (:func:`customer_starts`), ``orders`` (non-refund orders in the range), ``revenue``
    (net of refunds), ``new`` (acquired in the range) and ``repeat`` (two or more orders).

    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "a"], "amount": [5.0, 2.0, 1.0],
    ...     "order_date": pd.to_datetime(["2025-03-01", "2025-01-05", "2024-12-30"])})
    >>> customer_activity(orders, start=pd.Timestamp("2025-01-01"))[["customer_id", "orders",
    ...     "new", "repeat"]].to_dict("list")
    {'customer_id': ['a', 'b'], 'orders': [1, 1], 'new': [False, True], 'repeat': [False, False]}
    """
    rows = orders_in_range(orders, start=start, end=end)
    sales = rows["amount"].fillna(0) >= 0
    grouped = rows.assign(_sale=sales.astype("int64")).groupby("customer_id", sort=True)
    out = pd.DataFrame({"orders": grouped["_sale"].sum(), "revenue": grouped["amount"].sum()})
    starts = customer_starts(orders, customers)
    out.insert(0, "acquired", starts.reindex(out.index))
    out["new"] = in_days(out["acquired"], start, end).to_numpy(dtype=bool)
    out["repeat"] = (out["orders"] >= 2).to_numpy()
    return out.reset_index()


def headline(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> dict[str, float | int | None]:
    """The home page's figures for a range, keyed as in KPI_CATALOGUE.md (see HEADLINE_KEYS)."""
    window = orders_in_range(orders, start=start, end=end)
    return {
        "revenue": revenue(window),
        "orders": order_count(window),
        "refunds": refund_count(window),
        "active_customers": active_customers(window),
        "new_customers": new_customers(orders, customers, start=start, end=end),
        "average_order_value": average_order_value(window),
        "arpu": arpu(window),
        "repeat_customer_rate": repeat_customer_rate(window),
    }


def previous_window(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The range of the same number of days that ends the day before ``start``.

    >>> [d.strftime("%Y-%m-%d") for d in previous_window(pd.Timestamp("2025-03-01"),
    ...                                                 pd.Timestamp("2025-03-31"))]
    ['2025-01-29', '2025-02-28']
    """
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    prev_end = start - pd.Timedelta(days=1)
    return prev_end - (end - start), prev_end


def relative_change(now: float | None, before: float | None) -> float | None:
    """(now - before) / |before|; None when either is unknown or ``before`` is zero.

    >>> relative_change(110, 100), relative_change(5, 0)
    (0.1, None)
    """
    if now is None or before is None or before == 0:
        return None
    if np.isnan(now) or np.isnan(before):
        return None
    return (now - before) / abs(before)


def headline_change(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> dict[str, float | None]:
    """Relative change of each headline figure against the previous range of the same length.

    None for a figure when the previous range has no data for it (no orders before ``start``).
    """
    now = headline(orders, customers, start=start, end=end)
    prev_start, prev_end = previous_window(start, end)
    lo = orders["order_date"].min()
    if pd.isna(lo) or lo > prev_end:
        return dict.fromkeys(now)
    before = headline(orders, customers, start=prev_start, end=prev_end)
    return {k: relative_change(now[k], before[k]) for k in now}


def revenue_series(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per-period revenue, orders, active and new customers, AOV and ARPU.

    Index: the start of every period from the one holding ``start`` to the one holding ``end``
    (the data's first and last order when None), a DatetimeIndex named ``period``; periods
    without orders are rows of 0 (and NaN for ``average_order_value`` and ``arpu``). The first
    and last periods count only the days inside the range. Empty frame when nothing is in range.
    """
    p: Period = check_period(period)
    window = orders_in_range(orders, start=start, end=end)
    columns = ["revenue", "orders", "active_customers", "new_customers"]
    if window.empty:
        empty = pd.DataFrame(columns=[*columns, "average_order_value", "arpu"], dtype=float)
        empty.index = pd.DatetimeIndex([], name="period")
        return empty
    first = pd.Timestamp(start) if start is not None else window["order_date"].min()
    last = pd.Timestamp(end) if end is not None else window["order_date"].max()
    index = period_range(first, last, p)

    keys = period_start(window["order_date"], p)
    is_sale = window["amount"].fillna(0).to_numpy() >= 0
    grouped = pd.DataFrame(
        {
            "revenue": window["amount"].fillna(0).to_numpy(),
            "orders": is_sale.astype(np.int64),
            "key": keys.to_numpy(),
        }
    ).groupby("key")
    out = grouped[["revenue", "orders"]].sum()
    sales = window[is_sale]
    out["active_customers"] = (
        pd.DataFrame({"key": keys.to_numpy()[is_sale], "c": sales["customer_id"].to_numpy()})
        .groupby("key")["c"]
        .nunique()
    )
    starts = customer_starts(orders, customers)
    starts = starts[in_days(starts, start, end)]
    out = out.reindex(index)
    out["new_customers"] = (
        pd.Series(1, index=period_start(starts, p).to_numpy()).groupby(level=0).sum()
    )
    out = out[columns].fillna(0)
    out[["orders", "active_customers", "new_customers"]] = out[
        ["orders", "active_customers", "new_customers"]
    ].astype(np.int64)
    out["average_order_value"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["arpu"] = out["revenue"] / out["active_customers"].where(out["active_customers"] > 0)
    out.index = pd.DatetimeIndex(index, name="period")
    return out


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
) -> Section:
    """Base counts, revenue, average order value and ARPU, headline and per period."""
    orders = tables.get("orders")
    if orders is None:
        return Section(
            kpis=dict.fromkeys(HEADLINE_KEYS),
            warnings=[
                "orders, revenue and customer counts need an orders table with customer_id, "
                "order_date and amount; upload your orders on the Data page."
            ],
        )
    customers = tables.get("customers")
    kpis = headline(orders, customers, start=start, end=end)
    series = revenue_series(orders, customers, period=period, start=start, end=end)
    labels = period_labels(series.index, check_period(period))
    by_period = {
        key: dict(zip(labels, series[key].tolist(), strict=True))
        for key in (
            "revenue",
            "orders",
            "active_customers",
            "new_customers",
            "average_order_value",
            "arpu",
        )
    }
    return Section(kpis=plain(kpis), series=plain(by_period))
