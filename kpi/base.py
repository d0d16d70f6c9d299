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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.errors import SchemaError
from kpi.periods import (
    Period,
    check_period,
    day_bounds,
    in_days,
    period_labels,
    period_ordinal,
    period_range,
)
from kpi.reduce import CustomerCodes, Reductions, reductions_for
from kpi.report import Section, plain

ORDER_COLUMNS = ("customer_id", "order_date", "amount")
HEADLINE_KEYS = (
    "revenue",
    "orders",
    "refunds",
    "active_customers",
    "new_customers",
    "signups_without_order",
    "average_order_value",
    "arpu",
    "repeat_customer_rate",
)


def check_orders(orders: pd.DataFrame) -> None:
    """Raise SchemaError, naming what is missing, unless orders has ORDER_COLUMNS."""
    missing = [c for c in ORDER_COLUMNS if c not in orders.columns]
    if missing:
        raise SchemaError(
            f"orders need the columns {', '.join(ORDER_COLUMNS)}; {', '.join(missing)} "
            "missing. Map them on the Data page."
        )


def orders_in_range(
    orders: pd.DataFrame, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Order rows (refunds included) dated from ``start`` to ``end``, both days inclusive.

    The table itself when every row is in range (the default range spans the data): no copy.
    """
    check_orders(orders)
    mask = in_days(orders["order_date"], start, end)
    return orders if bool(mask.all()) else orders[mask]


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
    return int(np.count_nonzero(_orders_per_customer(orders)))


def repeat_customer_rate(orders: pd.DataFrame) -> float | None:
    """Repeat customer rate = customers with two or more orders / customers with at least one.

    Orders are counted as rows (refund rows excluded), as in the Orders KPI. None without orders.

    >>> repeat_customer_rate(pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0] * 3}))
    0.5
    """
    counts = _orders_per_customer(orders)
    buyers = int(np.count_nonzero(counts))
    if buyers == 0:
        return None
    return float(int(np.count_nonzero(counts >= 2)) / buyers)


def _orders_per_customer(orders: pd.DataFrame) -> np.ndarray:
    """Non-refund order rows per customer code of :func:`customer_codes` (0 for a code
    without any); rows without a customer id count for nobody.

    On the integer codes: filtering the frame copies every text column, and counting text
    ids hashes every string again.
    """
    cc = customer_codes(orders)
    sale = (orders["amount"].fillna(0) >= 0).to_numpy(dtype=bool)
    buyers = cc.codes[sale]
    return np.bincount(buyers[buyers >= 0], minlength=len(cc.ids))


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


def customer_codes(orders: pd.DataFrame, reductions: Reductions | None = None) -> CustomerCodes:
    """The orders' customer ids as integer codes, ids sorted: the in-memory engine's
    (:attr:`kpi.reduce.Reductions.codes`), factorised once per table.

    Grouping by a text id hashes every string again; the per-customer counts of a page run
    (active, repeat, new customers, per-period actives) all group the same rows, so they share
    one factorisation and then count with integer kernels (``np.bincount``).

    >>> cc = customer_codes(pd.DataFrame({"customer_id": ["b", "a", None, "b"]}))
    >>> cc.codes.tolist(), cc.ids.tolist()
    ([1, 0, -1, 1], ['a', 'b'])
    """
    return reductions_for(orders, reductions).codes


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, ascending, as ``np.unique(values)``.

    By a sort: numpy 2's hash-based ``np.unique`` takes ~0.45 s on a million int64 keys,
    a sort ~0.01 s.

    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def distinct_per_group(
    group: np.ndarray, code: np.ndarray, n_groups: int, n_codes: int
) -> np.ndarray:
    """How many distinct codes each group holds: ``len(set(code[group == g]))`` for every g.

    ``group`` in [0, n_groups) and ``code`` in [0, n_codes), both int arrays of one length.
    A table of seen (group, code) cells when it is small enough (a few hundred MB at most),
    else a hash of the pairs.

    >>> distinct_per_group(np.array([0, 0, 0, 2]), np.array([5, 5, 1, 5]), 3, 6).tolist()
    [2, 0, 1]
    """
    if n_groups * n_codes <= 200_000_000:
        seen = np.zeros(n_groups * n_codes, dtype=bool)
        seen[group * n_codes + code] = True
        return seen.reshape(n_groups, n_codes).sum(axis=1)
    pairs = pd.unique(group.astype(np.int64) * n_codes + code)
    return np.bincount(pairs // n_codes, minlength=n_groups)


NONE_YET = np.iinfo(np.int64).max  # the start of a running minimum: "no value yet"
BEFORE_ALL = np.iinfo(np.int64).min  # the start of a running maximum


def per_code(
    reduce: np.ufunc, codes: np.ndarray, values: np.ndarray, n: int, empty: int
) -> np.ndarray:
    """``reduce`` (np.minimum or np.maximum) of int64 ``values`` per code in [0, n).

    ``empty`` where a code has no value (:data:`NONE_YET` for a minimum, :data:`BEFORE_ALL`
    for a maximum). The earliest order, signup or channel row of every customer in one pass.

    >>> per_code(np.minimum, np.array([1, 0, 1]), np.array([5, 7, 3]), 3, NONE_YET)[:2].tolist()
    [7, 3]
    """
    out = np.full(n, empty, dtype=np.int64)
    reduce.at(out, codes, values)
    return out


def id_positions(ids: pd.Index, values: pd.Series | pd.Index) -> np.ndarray:
    """``ids.get_indexer(values)``: each value's position in ``ids``, -1 where absent.

    Text ids are looked up with Arrow's hash kernel (``index_in``), four times faster than
    pandas, which first converts every string to a Python object for its hash table.

    >>> id_positions(pd.Index(["a", "b"], dtype="str"), pd.Series(["b", "x", None], dtype="str"))
    array([ 1, -1, -1])
    """
    if isinstance(ids.dtype, pd.StringDtype) and isinstance(values.dtype, pd.StringDtype):
        try:
            found = pc.index_in(pa.array(values.array), value_set=pa.array(ids.array))
            return np.asarray(found.fill_null(-1), dtype=np.int64)
        except (pa.ArrowException, TypeError):  # an unusual string storage: pandas does it
            pass
    return ids.get_indexer(values)


def customer_starts(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    reductions: Reductions | None = None,
) -> pd.Series:
    """Acquisition date per paying customer: the earlier of the signup date (where the
    customers table has one) and the first order (refund rows included: a refund implies an
    earlier purchase, even one outside the data).

    Returns a Series indexed by customer_id (named ``customer_id``), values datetime64, sorted
    by customer. Only customers with at least one order row are here: a signup without an
    order is not an acquired customer (:func:`signups_without_order` counts those), and a
    customer without a signup date or a dated order is left out (acquisition date unknown).
    Computed once per pair of tables by the in-memory engine (``reductions``: the orders'
    :class:`kpi.reduce.Reductions`, found from the table when not given).

    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "a"], "amount": [1.0, 1.0, 1.0],
    ...     "order_date": pd.to_datetime(["2025-03-01", "2025-01-05", "2025-01-02"])})
    >>> customer_starts(orders).dt.strftime("%Y-%m-%d").to_dict()
    {'a': '2025-01-02', 'b': '2025-01-05'}
    """
    check_orders(orders)
    return reductions_for(orders, reductions).customer_starts(customers)


def _start_dates(
    orders: pd.DataFrame, customers: pd.DataFrame | None, reductions: Reductions | None = None
) -> tuple[np.ndarray, pd.Series]:
    """The acquisition dates of :func:`customer_starts` before they become a Series
    (:meth:`kpi.reduce.Reductions.start_dates`); the counters (new customers in a range or
    per period) need only the dates."""
    return reductions_for(orders, reductions).start_dates(customers)


def _starts_in(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    reductions: Reductions | None = None,
) -> np.ndarray:
    """The acquisition dates (one per paying customer) from ``start`` to ``end``, days
    inclusive."""
    by_code, _ = _start_dates(orders, customers, reductions)
    return _within(by_code[~np.isnat(by_code)], start, end)


def _within(dates: np.ndarray, start: pd.Timestamp | None, end: pd.Timestamp | None) -> np.ndarray:
    lo, hi = day_bounds(start, end)
    keep = np.ones(len(dates), dtype=bool)
    if lo is not None:
        keep &= dates >= np.datetime64(lo)
    if hi is not None:
        keep &= dates < np.datetime64(hi)
    return dates[keep]


def new_customers(
    orders: pd.DataFrame | None,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> int:
    """New customers = paying customers acquired in the range: customers with at least one
    order whose acquisition date (the earlier of signup and first order) falls in the range.

    ``orders`` must hold the full history, so that "first ever" is known. Sign-ups without an
    order are not counted (:func:`signups_without_order`). Without an orders table
    (``orders`` None), the customers' signup dates in the range are counted instead.

    >>> orders = pd.DataFrame({"customer_id": ["a"], "amount": [10.0],
    ...     "order_date": pd.to_datetime(["2025-01-05"])})
    >>> customers = pd.DataFrame({"customer_id": ["a", "b"],
    ...     "signup_date": pd.to_datetime(["2025-01-02", "2025-01-03"])})
    >>> new_customers(orders, customers), signups_without_order(orders, customers)
    (1, 1)
    """
    if orders is None:
        return len(_signups_in(customers, start, end))
    check_orders(orders)
    return len(_starts_in(orders, customers, start, end, reductions))


def _signups_in(
    customers: pd.DataFrame | None, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> pd.Series:
    """Earliest signup date per customer of ``customers``, those in the range."""
    if customers is None or not {"customer_id", "signup_date"} <= set(customers.columns):
        return pd.Series([], dtype="datetime64[us]")
    signed = customers.dropna(subset=["customer_id", "signup_date"])
    first = signed.groupby("customer_id")["signup_date"].min()
    return first[in_days(first, start, end).to_numpy(dtype=bool)]


def signups_without_order(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> int:
    """Sign-ups without an order = customers of the customers table whose signup date falls in
    the range and who have no order row at all: registered, not (yet) paying, so not among
    :func:`new_customers`. 0 without a customers table with signup_date.
    """
    check_orders(orders)
    _, others = _start_dates(orders, customers, reductions)
    return len(_within(others.to_numpy(), start, end))


def customer_activity(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
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
    check_orders(orders)
    w = OrderWindow.of(orders, start, end, reductions)
    n = len(w.ids)
    counted = w.codes >= 0  # a blank customer id belongs to nobody
    codes, amount = w.codes[counted], w.amount[counted]
    present = np.flatnonzero(np.bincount(codes, minlength=n))
    out = pd.DataFrame(
        {
            "orders": np.bincount(codes[w.sale[counted]], minlength=n)[present],
            "revenue": np.bincount(codes, weights=np.nan_to_num(amount), minlength=n)[
                present
            ].astype(np.float64),  # an empty range gives numpy's int bincount
        },
        index=w.ids[present],
    )
    starts = customer_starts(orders, customers, reductions=reductions)
    out.insert(0, "acquired", starts.reindex(out.index))
    out["new"] = in_days(out["acquired"], start, end).to_numpy(dtype=bool)
    out["repeat"] = (out["orders"] >= 2).to_numpy()
    return out.reset_index()


@dataclass(frozen=True)
class OrderWindow:
    """The order rows of a range as numpy arrays, with their customers' integer codes.

    ``amount`` keeps blanks (NaN); ``sale`` is True for rows that are not refunds (amount of
    zero or more, or blank); ``in_range`` marks the rows of the whole table that are here.
    """

    dates: np.ndarray
    amount: np.ndarray
    codes: np.ndarray
    sale: np.ndarray
    ids: pd.Index
    in_range: np.ndarray

    @classmethod
    def of(
        cls,
        orders: pd.DataFrame,
        start: pd.Timestamp | None,
        end: pd.Timestamp | None,
        reductions: Reductions | None = None,
    ) -> OrderWindow:
        cc = customer_codes(orders, reductions)
        mask = in_days(orders["order_date"], start, end).to_numpy(dtype=bool)
        dates = orders["order_date"].to_numpy()
        amount = orders["amount"].to_numpy(dtype=float, na_value=np.nan)
        codes = cc.codes
        if not mask.all():  # the default range holds every row: no copies then
            dates, amount, codes = dates[mask], amount[mask], codes[mask]
        return cls(dates, amount, codes, ~(amount < 0), cc.ids, mask)


def headline(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> dict[str, float | int | None]:
    """The home page's figures for a range, keyed as in KPI_CATALOGUE.md (see HEADLINE_KEYS).

    The same definitions as :func:`revenue`, :func:`order_count`, :func:`active_customers` and
    the rest, counted in one pass over the range with integer customer codes.
    """
    check_orders(orders)
    w = OrderWindow.of(orders, start, end, reductions)
    total = float(np.nansum(w.amount))
    n_orders = int(w.sale.sum())
    buyers = w.codes[w.sale]
    per_customer = np.bincount(buyers[buyers >= 0], minlength=len(w.ids))
    active = int(np.count_nonzero(per_customer))
    repeaters = int(np.count_nonzero(per_customer >= 2))
    return {
        "revenue": total,
        "orders": n_orders,
        "refunds": int(len(w.sale) - n_orders),
        "active_customers": active,
        "new_customers": new_customers(
            orders, customers, start=start, end=end, reductions=reductions
        ),
        "signups_without_order": signups_without_order(
            orders, customers, start=start, end=end, reductions=reductions
        ),
        "average_order_value": total / n_orders if n_orders else None,
        "arpu": total / active if active else None,
        "repeat_customer_rate": repeaters / active if active else None,
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
    now: Mapping[str, float | int | None] | None = None,
    reductions: Reductions | None = None,
) -> dict[str, float | None]:
    """Relative change of each headline figure against the previous range of the same length.

    None for a figure when the previous range has no data for it (no orders before ``start``).
    ``now``: the range's :func:`headline`, when the caller has it already.
    """
    if now is None:
        now = headline(orders, customers, start=start, end=end, reductions=reductions)
    prev_start, prev_end = previous_window(start, end)
    lo = orders["order_date"].min()
    if pd.isna(lo) or lo > prev_end:
        return dict.fromkeys(now)
    before = headline(orders, customers, start=prev_start, end=prev_end, reductions=reductions)
    return {k: relative_change(now[k], before[k]) for k in now}


def revenue_series(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> pd.DataFrame:
    """Per-period revenue, orders, active and new customers, AOV and ARPU.

    Index: the start of every period from the one holding ``start`` to the one holding ``end``
    (the data's first and last order when None), a DatetimeIndex named ``period``; periods
    without orders are rows of 0 (and NaN for ``average_order_value`` and ``arpu``). The first
    and last periods count only the days inside the range. Empty frame when nothing is in range.
    """
    p: Period = check_period(period)
    check_orders(orders)
    w = OrderWindow.of(orders, start, end, reductions)
    columns = ["revenue", "orders", "active_customers", "new_customers"]
    if len(w.dates) == 0:
        empty = pd.DataFrame(columns=[*columns, "average_order_value", "arpu"], dtype=float)
        empty.index = pd.DatetimeIndex([], name="period")
        return empty
    first = pd.Timestamp(start) if start is not None else pd.Timestamp(w.dates.min())
    last = pd.Timestamp(end) if end is not None else pd.Timestamp(w.dates.max())
    index = period_range(first, last, p)
    n = len(index)
    origin = period_ordinal(index[:1], p)[0]

    at = period_ordinal(w.dates, p) - origin  # each row's position in index
    out = pd.DataFrame(
        {
            "revenue": np.bincount(at, weights=np.nan_to_num(w.amount), minlength=n),
            "orders": np.bincount(at[w.sale], minlength=n),
        },
        index=pd.DatetimeIndex(index, name="period"),
    )
    buyer = w.sale & (w.codes >= 0)
    out["active_customers"] = distinct_per_group(at[buyer], w.codes[buyer], n, len(w.ids))
    new_at = period_ordinal(_starts_in(orders, customers, start, end, reductions), p) - origin
    out["new_customers"] = np.bincount(new_at[(new_at >= 0) & (new_at < n)], minlength=n)
    out[columns[1:]] = out[columns[1:]].astype(np.int64)
    out["average_order_value"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["arpu"] = out["revenue"] / out["active_customers"].where(out["active_customers"] > 0)
    return out


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
    reductions: Reductions | None = None,
) -> Section:
    """Base counts, revenue, average order value and ARPU, headline and per period.

    ``reductions``: the orders' in-memory reductions (:func:`kpi.analysis.analysis` builds
    them once for every family); found from the table when not given."""
    orders = tables.get("orders")
    customers = tables.get("customers")
    if orders is None:
        kpis = dict.fromkeys(HEADLINE_KEYS)
        warnings = [
            "orders, revenue and customer counts need an orders table with customer_id, "
            "order_date and amount; upload your orders on the Data page."
        ]
        if customers is not None and {"customer_id", "signup_date"} <= set(customers.columns):
            # the catalogue's "orders or customers": without orders, a signup is the start
            kpis["new_customers"] = new_customers(None, customers, start=start, end=end)
            warnings.append(
                "new_customers counts signups in the range: without an orders table nobody "
                "can be told apart as a paying customer."
            )
        return Section(kpis=kpis, warnings=warnings)
    reductions = reductions_for(orders, reductions)
    kpis = headline(orders, customers, start=start, end=end, reductions=reductions)
    series = revenue_series(
        orders, customers, period=period, start=start, end=end, reductions=reductions
    )
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
