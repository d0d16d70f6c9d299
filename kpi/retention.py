"""Retention and churn (KPI_CATALOGUE.md, Retention and churn): churn definitions, churn rate and
customer retention rate per period, inactive customers, cohort tables, survival and sBG inputs.

Two churn definitions, named in every result that depends on one:

- **contractual**: the customers table has an ``end_date`` (cancellation); a customer is active
  from ``signup_date`` (or the first order) until that day. See :func:`contractual_lifetimes`.
- **non-contractual**: a customer is lost once ``window_days`` pass without an order; the window
  is suggested from the gaps between a customer's consecutive orders. See
  :func:`inactivity_lifetimes` and :func:`suggested_inactivity_window`.

Both produce the same *lifetimes* table, one row per customer, which every churn figure reads::

    customer_id  start       end         observed  duration_months
    C1           2025-01-03  2025-04-02  True      2.92    <- churned on 2025-04-02
    C2           2025-02-11  NaT         False     4.63    <- still active at as_of (censored)

Orders are the canonical table (customer_id, order_date, amount, ...) with the full history. A
row with a negative amount is a refund: it lowers revenue but never makes a customer active.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi.base import BEFORE_ALL, NONE_YET, customer_codes, per_code, sorted_unique
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.periods import Period, check_period, day_period_ordinal, period_labels
from kpi.report import Section, plain

ORDER_COLUMNS = ("customer_id", "order_date", "amount")
DAYS_PER_MONTH = 365.25 / 12
SECTION_KEYS = (
    "churn_rate",
    "customer_retention_rate",
    "inactive_customers",
    "nrr",
    "grr",
    "median_customer_lifetime",
    "sbg_alpha",
    "sbg_beta",
)
_NO_DAY = NONE_YET  # a customer or row without a day
_NO_GROUP = "(none)"


# --- helpers ------------------------------------------------------------------------------------


def _check_orders(orders: pd.DataFrame, what: str = "this KPI") -> None:
    missing = [c for c in ORDER_COLUMNS if c not in orders.columns]
    if missing:
        raise SchemaError(
            f"{what} needs an orders table with columns {', '.join(ORDER_COLUMNS)}; "
            f"{', '.join(missing)} missing. Map them on the Data page."
        )


def _days(dates: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 as int64 (any datetime unit); NaT becomes _NO_DAY."""
    values = np.asarray(pd.to_datetime(dates)).astype("datetime64[D]")
    out = values.astype(np.int64)
    out[np.isnat(values)] = _NO_DAY
    return out


def _day(ts: pd.Timestamp | None) -> int | None:
    return None if ts is None or pd.isna(ts) else int(_days(np.array([pd.Timestamp(ts)]))[0])


def _code_days(codes: np.ndarray, period: Period) -> np.ndarray:
    """First day (days since 1970-01-01) of each period ordinal of
    :func:`kpi.periods.day_period_ordinal`."""
    c = np.asarray(codes, dtype=np.int64)
    if period == "week":
        return c * 7 - 3
    if period == "year":
        return c.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    months = c * 3 if period == "quarter" else c
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _to_index(days: np.ndarray, name: str) -> pd.DatetimeIndex:
    values = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[us]")
    return pd.DatetimeIndex(values, name=name)


def _order_arrays(
    orders: pd.DataFrame, as_of_day: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Customer codes, days and amounts (blank: 0) of the dated order rows up to ``as_of_day``.

    Refund rows are kept; rows without a customer id are left out. ``ids[code]`` is a row's
    customer, ids sorted (:func:`kpi.base.customer_codes`), so ascending codes are customers
    in id order and every per-customer reduction is an integer kernel.
    """
    cc = customer_codes(orders)
    day = _days(orders["order_date"])
    amount = orders["amount"].to_numpy(dtype=np.float64, na_value=np.nan)
    amount = np.where(np.isnan(amount), 0.0, amount)
    keep = (day != _NO_DAY) & (cc.codes >= 0)
    if as_of_day is not None:
        keep &= day <= as_of_day
    return cc.codes[keep], day[keep], amount[keep], cc.ids


def order_gaps(orders: pd.DataFrame) -> pd.Series:
    """Gap = days between a customer's consecutive distinct order days (refund rows ignored).

    Returns a Series of int64 day counts, one per repeat visit, indexed by customer_id and named
    ``gap_days``; customers with one order day contribute nothing.

    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "amount": [5.0, 5.0, 1.0, 2.0],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-01-31", "2025-01-31", "2025-01-05"])})
    >>> order_gaps(orders).tolist()
    [30]
    """
    _check_orders(orders, "order gaps")
    codes, day, amount, ids = _order_arrays(orders, None)
    sale = amount >= 0
    codes, day = codes[sale], day[sale]
    if len(day) == 0:
        return pd.Series([], dtype=np.int64, index=ids[:0], name="gap_days")
    # distinct (customer, day) pairs in customer-then-day order, as one sorted int64 key
    lo = int(day.min())
    span = int(day.max()) - lo + 1
    customer, visit = np.divmod(sorted_unique(codes * span + (day - lo)), span)
    same = customer[1:] == customer[:-1]
    gaps = np.diff(visit)[same]
    return pd.Series(gaps.astype(np.int64), index=ids[customer[1:][same]], name="gap_days")


def suggested_inactivity_window(orders: pd.DataFrame, *, percentile: float = 0.9) -> int:
    """Window = the ``percentile`` of the gaps between consecutive order days, rounded up to days.

    Variant: the catalogue derives the default from the gaps between orders; the default here
    is their 90th percentile, so that nine in ten ordinary repeat gaps do not count as churn
    (``percentile=0.5`` gives the median variant). Raises InsufficientDataError when no
    customer ordered on two different days.

    >>> orders = pd.DataFrame({"customer_id": ["a"] * 3, "amount": [1.0] * 3,
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-02-10"])})
    >>> suggested_inactivity_window(orders, percentile=0.5)
    20
    """
    if not 0 < percentile <= 1:
        raise ValueError(f"percentile must be in (0, 1]; got {percentile}")
    gaps = order_gaps(orders)
    if gaps.empty:
        raise InsufficientDataError(
            "the inactivity window needs customers who ordered on at least two different days; "
            "found none. Set the window by hand, or upload a longer order history."
        )
    return max(1, math.ceil(float(np.quantile(gaps.to_numpy(), percentile))))


def _lifetime_frame(
    ids: np.ndarray, start: np.ndarray, end: np.ndarray, as_of_day: int
) -> pd.DataFrame:
    observed = end != _NO_DAY
    stop = np.where(observed, end, as_of_day)
    frame = pd.DataFrame(
        {
            "start": start.astype("datetime64[D]").astype("datetime64[us]"),
            "end": np.where(observed, end, np.iinfo(np.int64).min)
            .astype("datetime64[D]")
            .astype("datetime64[us]"),
            "observed": observed,
            "duration_months": (stop - start) / DAYS_PER_MONTH,
        },
        index=pd.Index(ids, name="customer_id"),
    )
    frame.loc[~observed, "end"] = pd.NaT
    frame = frame.sort_index()
    frame.attrs["as_of"] = pd.Timestamp(np.datetime64(as_of_day, "D"))
    return frame


def _as_of_day(lifetimes: pd.DataFrame) -> int:
    """The day the lifetimes were observed to: attrs["as_of"], else their latest date."""
    if "as_of" in lifetimes.attrs:
        return int(_day(lifetimes.attrs["as_of"]))  # type: ignore[arg-type]
    ends = _days(lifetimes["end"])
    return max(int(_days(lifetimes["start"]).max()), int(ends[ends != _NO_DAY].max(initial=0)))


def contractual_lifetimes(
    customers: pd.DataFrame,
    orders: pd.DataFrame | None = None,
    *,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Contractual lifetime = from signup_date (or first order) to end_date; censored at as_of.

    Returns the lifetimes table of the module docstring (index customer_id; start, end,
    observed, duration_months). ``end`` is NaT and ``observed`` False for customers without an
    end date or whose end date is after ``as_of`` (default: the latest date in the data). An end
    date before the start counts as churn on the start day. Customers without any start date
    are left out.
    """
    if "customer_id" not in customers.columns or "end_date" not in customers.columns:
        raise SchemaError(
            "contractual churn needs a customers table with columns customer_id and end_date; "
            f"found {', '.join(map(str, customers.columns))}. Map the cancellation date as "
            "end_date on the Data page, or use the inactivity definition."
        )
    rows = customers.drop_duplicates("customer_id")
    ids = rows["customer_id"].to_numpy()
    start = (
        _days(rows["signup_date"])
        if "signup_date" in rows.columns
        else np.full(len(rows), _NO_DAY, dtype=np.int64)
    )
    if orders is not None:
        _check_orders(orders, "contractual churn")
        o_codes, o_day, _, o_ids = _order_arrays(orders, None)
        first = per_code(np.minimum, o_codes, o_day, len(o_ids), _NO_DAY)
        at = o_ids.get_indexer(pd.Index(ids))  # -1: a customer without dated orders
        fallback = np.where(at >= 0, first[at], _NO_DAY)
        missing = (start == _NO_DAY) & (fallback != _NO_DAY)
        start[missing] = fallback[missing]
    end = _days(rows["end_date"])
    known = start != _NO_DAY
    ids, start, end = ids[known], start[known], end[known]
    if as_of is None:
        candidates = [start.max(initial=np.iinfo(np.int64).min)]
        candidates.append(end[end != _NO_DAY].max(initial=np.iinfo(np.int64).min))
        if orders is not None:
            candidates.append(_days(orders["order_date"].dropna()).max(initial=candidates[0]))
        as_of_day = int(max(candidates))
    else:
        as_of_day = int(_day(as_of))  # type: ignore[arg-type]
    keep = start <= as_of_day
    ids, start, end = ids[keep], start[keep], end[keep]
    end = np.where((end != _NO_DAY) & (end > as_of_day), _NO_DAY, end)
    end = np.where(end != _NO_DAY, np.maximum(end, start), end)
    return _lifetime_frame(ids, start, end, as_of_day)


def inactivity_lifetimes(
    orders: pd.DataFrame, *, window_days: int, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Non-contractual lifetime = first order to last order + window_days; censored if active.

    A customer counts as lost ``window_days`` after their last order up to ``as_of`` (default:
    the last order date), and as still active (``observed`` False, ``end`` NaT) when that day
    is after ``as_of``. Variant: one spell per customer, so a customer who comes back after a
    long gap is not counted as lost during it. Refund rows are ignored.

    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0] * 3,
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-03-01"])})
    >>> inactivity_lifetimes(orders, window_days=30)["end"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-02-10', nan]
    """
    _check_orders(orders, "churn by inactivity")
    if window_days < 1:
        raise ValueError(f"window_days must be 1 or more; got {window_days}")
    as_of_day = _day(as_of)
    codes, day, amount, ids = _order_arrays(orders, as_of_day)
    sale = amount >= 0
    if not sale.any():
        raise InsufficientDataError(
            "churn by inactivity needs orders with a date and a non-negative amount; found none "
            "up to the chosen date. Check the order_date and amount columns on the Data page."
        )
    if as_of_day is None:
        as_of_day = int(day[sale].max())
    codes, day = codes[sale], day[sale]
    buyers = np.flatnonzero(np.bincount(codes, minlength=len(ids)))
    first = per_code(np.minimum, codes, day, len(ids), _NO_DAY)[buyers]
    last = per_code(np.maximum, codes, day, len(ids), BEFORE_ALL)[buyers]
    churn = last + int(window_days)
    end = np.where(churn <= as_of_day, churn, _NO_DAY)
    return _lifetime_frame(ids[buyers].to_numpy(), first, end, as_of_day)


# --- churn rate and CRR -------------------------------------------------------------------------


def churn_rate(lost: float, customers_start: float) -> float:
    """Churn rate = customers lost in the period / customers at the start of the period.

    NaN when there were no customers at the start.

    >>> churn_rate(50, 1_000)
    0.05
    """
    return lost / customers_start if customers_start > 0 else math.nan


def customer_retention_rate(customers_start: float, customers_end: float, new: float) -> float:
    """CRR = (customers at end - new customers in the period) / customers at start.

    As a fraction (the catalogue's "x 100" is left to the display). NaN without customers at
    the start.

    >>> customer_retention_rate(200, 210, 30)
    0.9
    """
    return (customers_end - new) / customers_start if customers_start > 0 else math.nan


@dataclass(frozen=True)
class ChurnSummary:
    """Customer flows over one range, and its churn and retention rates (fractions, or NaN)."""

    customers_start: int
    new: int
    lost: int
    customers_end: int
    churn_rate: float
    retention_rate: float


def _flows(lifetimes: pd.DataFrame, lo: np.ndarray, hi: np.ndarray) -> pd.DataFrame:
    """Customers at ``lo``, new and lost in [lo, hi), customers at ``hi`` (days, arrays)."""
    starts = np.sort(_days(lifetimes["start"]))
    ends = _days(lifetimes["end"])
    ends = np.sort(ends[ends != _NO_DAY])

    def active_before(t: np.ndarray) -> np.ndarray:
        return np.searchsorted(starts, t, "left") - np.searchsorted(ends, t, "left")

    out = pd.DataFrame(
        {
            "customers_start": active_before(lo),
            "new": np.searchsorted(starts, hi, "left") - np.searchsorted(starts, lo, "left"),
            "lost": np.searchsorted(ends, hi, "left") - np.searchsorted(ends, lo, "left"),
            "customers_end": active_before(hi),
        }
    ).astype(np.int64)
    start = out["customers_start"].where(out["customers_start"] > 0)
    out["churn_rate"] = out["lost"] / start
    out["retention_rate"] = (out["customers_end"] - out["new"]) / start
    return out


def _range_days(
    lifetimes: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> tuple[int, int]:
    """[lo, hi) in days; defaults run from the first start to the lifetimes' as_of."""
    if lifetimes.empty and (start is None or end is None):
        raise InsufficientDataError(
            "churn needs at least one customer with a start date; found none. Upload orders, "
            "or customers with signup_date, on the Data page."
        )
    lo = _day(start) if start is not None else int(_days(lifetimes["start"]).min())
    hi = (_day(end) if end is not None else _as_of_day(lifetimes)) + 1  # type: ignore[operator]
    return lo, hi


def churn_summary(
    lifetimes: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> ChurnSummary:
    """Churn over one range: lost / customers at start, CRR = (end - new) / start.

    ``lifetimes`` from :func:`contractual_lifetimes` or :func:`inactivity_lifetimes`; ``start``
    and ``end`` are inclusive days (None: the lifetimes' first start and their as_of). ``lost``
    counts every customer whose churn day falls in the range, new ones included, so
    customers_end = customers_start + new - lost and retention_rate = 1 - churn_rate.
    """
    lo, hi = _range_days(lifetimes, start, end)
    row = _flows(lifetimes, np.array([lo]), np.array([hi])).iloc[0]
    return ChurnSummary(
        customers_start=int(row["customers_start"]),
        new=int(row["new"]),
        lost=int(row["lost"]),
        customers_end=int(row["customers_end"]),
        churn_rate=float(row["churn_rate"]),
        retention_rate=float(row["retention_rate"]),
    )


def churn_series(
    lifetimes: pd.DataFrame,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per-period churn = lost in period / customers at its start; CRR = (end - new) / start.

    Index: the start of every period from the one holding ``start`` to the one holding ``end``
    (default: the lifetimes' first start and their as_of), a DatetimeIndex named ``period``.
    Columns: customers_start, new, lost, customers_end (int64) and churn_rate, retention_rate
    (NaN when customers_start is 0). The first and last periods count only the days inside the
    range.
    """
    p = check_period(period)
    lo, hi = _range_days(lifetimes, start, end)
    codes = np.arange(
        day_period_ordinal(np.array([lo]), p)[0], day_period_ordinal(np.array([hi - 1]), p)[0] + 1
    )
    firsts = _code_days(codes, p)
    nexts = _code_days(codes + 1, p)
    out = _flows(lifetimes, np.maximum(firsts, lo), np.minimum(nexts, hi))
    out.index = _to_index(firsts, "period")
    return out


def pooled_churn_rate(series: pd.DataFrame) -> float:
    """Churn per period over a range = sum of lost / sum of customers at each period's start.

    The average of the per-period churn rates of :func:`churn_series`, weighted by customers at
    the start of each period; NaN when no period started with customers.
    """
    base = float(series["customers_start"].sum())
    return float(series["lost"].sum()) / base if base > 0 else math.nan


# --- inactive customers -------------------------------------------------------------------------


def inactive_customers(
    orders: pd.DataFrame, *, as_of: pd.Timestamp | None = None, window_days: int
) -> pd.DataFrame:
    """Inactive = customers whose last order is ``window_days`` or more days before ``as_of``.

    Orders after ``as_of`` (default: the last order date) are ignored. Returns one row per
    inactive customer, columns customer_id, last_order_date, last_order_value (sum of the
    amounts on the last order day), orders (rows with a non-negative amount), revenue (net of
    refunds) and days_since_last_order (int64), sorted by revenue, highest first: the list a
    manager calls. Customers who only have refunds are not listed.
    """
    _check_orders(orders, "inactive customers")
    as_of_day = _day(as_of)
    codes, day, amount, ids = _order_arrays(orders, as_of_day)
    columns = ["last_order_date", "last_order_value", "orders", "revenue"]
    sale = amount >= 0
    if as_of_day is None:
        as_of_day = int(day[sale].max()) if sale.any() else 0
    n = len(ids)
    orders_n = np.bincount(codes[sale], minlength=n)
    buyers = np.flatnonzero(orders_n)  # customers with only refunds are not listed
    last = per_code(np.maximum, codes[sale], day[sale], n, BEFORE_ALL)
    on_last = sale & (day == last[codes])
    last_value = np.bincount(codes[on_last], weights=amount[on_last], minlength=n)
    revenue = np.bincount(codes, weights=amount, minlength=n)
    last = last[buyers]
    out = pd.DataFrame(
        {
            "last_order_date": last.astype("datetime64[D]").astype("datetime64[us]"),
            "last_order_value": last_value[buyers].astype(np.float64),
            "orders": orders_n[buyers].astype(np.int64),
            "revenue": revenue[buyers].astype(np.float64),
            "days_since_last_order": (as_of_day - last).astype(np.int64),
        },
        index=ids[buyers],
    )
    out = out[out["days_since_last_order"] >= window_days]
    out = out.rename_axis("customer_id").reset_index()
    out = out.sort_values(["revenue", "customer_id"], ascending=[False, True], kind="stable")
    return out[["customer_id", *columns, "days_since_last_order"]].reset_index(drop=True)


# --- cohorts ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CohortTable:
    """Cohort tables: one row per cohort, one column per age (periods since the cohort's start).

    Rows: a DatetimeIndex ``cohort`` (start of the period of the first order or signup), or a
    MultiIndex (attribute, ``cohort``) when split by an attribute; only cohorts with customers.
    Columns: ages 0, 1, 2, ... named ``age``. Cells a cohort cannot have reached by ``as_of`` are
    NaN in every table and False in ``observable``; an observed cell with nobody active is 0.0.

    - ``sizes``: customers per cohort (int64 Series).
    - ``active``: customers with an order in the cell's period.
    - ``customer_retention``: active / size.
    - ``revenue``: the cohort's revenue in the cell's period (net of refunds).
    - ``revenue_retention`` (NRR): revenue / revenue at age 0 (NaN when that is 0).
    - ``gross_revenue``: each customer's revenue in the cell capped at its own age-0 revenue
      (negative amounts count as 0), summed over the cohort.
    - ``gross_revenue_retention`` (GRR): gross_revenue / gross_revenue at age 0.
    - ``observable``: the cell's period has started by ``as_of``; ``complete``: it has ended.
    """

    period: Period
    as_of: pd.Timestamp
    sizes: pd.Series
    active: pd.DataFrame
    customer_retention: pd.DataFrame
    revenue: pd.DataFrame
    revenue_retention: pd.DataFrame
    gross_revenue: pd.DataFrame
    gross_revenue_retention: pd.DataFrame
    observable: pd.DataFrame
    complete: pd.DataFrame

    def labels(self) -> list[str]:
        """Row labels: the cohort's period label, prefixed by the attribute when split."""
        idx = self.sizes.index
        if isinstance(idx, pd.MultiIndex):
            return [
                f"{g} {lab}"
                for g, lab in zip(
                    idx.get_level_values(0),
                    period_labels(idx.get_level_values(-1), self.period),
                    strict=True,
                )
            ]
        return period_labels(idx, self.period)


def _group_values(
    by: str,
    ids: np.ndarray,
    uniques: np.ndarray,
    orders: pd.DataFrame,
    keep_rows: np.ndarray,
    day: np.ndarray,
    sale: np.ndarray,
    customers: pd.DataFrame | None,
) -> np.ndarray:
    """Attribute per customer (index of ``uniques``): from customers, else the first sale's.

    When several sales share the first day, the alphabetically first attribute wins, so the
    result does not depend on row order.
    """
    if customers is not None and by in customers.columns and "customer_id" in customers.columns:
        rows = customers.dropna(subset=[by]).drop_duplicates("customer_id")
        values = pd.Series(rows[by].astype("str").to_numpy(), index=rows["customer_id"].to_numpy())
        out = values.reindex(uniques)
    elif by in orders.columns:
        first = per_code(np.minimum, ids[sale], day[sale], len(uniques), _NO_DAY)
        on_first = sale & (day == first[ids])
        attr = orders[by].astype("str").to_numpy()[keep_rows][on_first]
        out = pd.Series(attr).groupby(ids[on_first]).min().reindex(np.arange(len(uniques)))
    else:
        raise SchemaError(
            f"cohorts split by {by!r} need a column {by!r} in the customers or orders table; "
            "found none. Pick another attribute, or map the column on the Data page."
        )
    return out.fillna(_NO_GROUP).to_numpy(dtype=object)


def _cells(
    key: np.ndarray, amount: np.ndarray, sale: np.ndarray, n_keys: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct keys (ascending), the amount summed and whether any row is a sale, per key.

    ``key`` in [0, n_keys). Dense counting arrays when they fit in about 400 MB, else a
    group-by; both give the same cells.
    """
    if n_keys <= 50_000_000:
        rows = np.bincount(key, minlength=n_keys)
        cell = np.flatnonzero(rows)
        total = np.bincount(key, weights=amount, minlength=n_keys)[cell]
        sales = np.bincount(key[sale], minlength=n_keys)[cell] > 0
        return cell, total, sales
    frame = pd.DataFrame({"key": key, "amount": amount, "sale": sale})
    cells = frame.groupby("key", sort=True).agg(amount=("amount", "sum"), sale=("sale", "any"))
    return cells.index.to_numpy(), cells["amount"].to_numpy(), cells["sale"].to_numpy()


def cohort_retention(
    orders: pd.DataFrame,
    *,
    period: str = "month",
    customers: pd.DataFrame | None = None,
    by: str | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    as_of: pd.Timestamp | None = None,
) -> CohortTable:
    """Cell (c, k) = share of cohort c active in period k after its start (and its revenue).

    Cohort = the period of the customer's first order with a non-negative amount, or of its
    signup_date when ``customers`` has one (a customer who signed up but never ordered is in
    its cohort, never active; orders before the signup period are ignored). Active in a period =
    at least one order with a non-negative amount. Cohorts whose start day is outside
    ``start``..``end`` are left out; orders after ``as_of`` (default ``end``, else the last
    order date) are ignored. ``by`` splits cohorts by an attribute of the customers table, or
    failing that of the customer's first order (channel, segment, region, plan...); blanks
    become "(none)". See :class:`CohortTable` for the tables and their NaN rule.
    Formulas: KPI_CATALOGUE.md, "Cohort retention (customers)" and "Cohort retention (revenue) /
    NRR, GRR" (GRR capped per customer, the usual gross revenue retention of subscription
    reporting).
    """
    p = check_period(period)
    _check_orders(orders, "cohort tables")
    if as_of is None:
        as_of = end if end is not None else orders["order_date"].max()
    if as_of is None or pd.isna(as_of):
        raise InsufficientDataError(
            "cohort tables need dated orders; every order_date is blank. Check the date column "
            "on the Data page."
        )
    as_of_day = int(_day(as_of))  # type: ignore[arg-type]
    all_day = _days(orders["order_date"])
    order_codes = customer_codes(orders)  # factorised once per frame, ids sorted
    keep_rows = (all_day != _NO_DAY) & (all_day <= as_of_day) & (order_codes.codes >= 0)
    ids = order_codes.codes[keep_rows]
    day = all_day[keep_rows]
    amount = orders["amount"].to_numpy(dtype=np.float64, na_value=np.nan)[keep_rows]
    amount = np.where(np.isnan(amount), 0.0, amount)
    sale = amount >= 0

    sid = np.array([], dtype=np.int64)
    signup_day = np.array([], dtype=np.int64)
    signup_only = pd.Index([], dtype=object)  # signed-up customers without an order
    if customers is not None and {"customer_id", "signup_date"} <= set(customers.columns):
        rows = customers.dropna(subset=["customer_id", "signup_date"])
        rows = rows.drop_duplicates("customer_id")
        signup_day = _days(rows["signup_date"])
        signed = rows["customer_id"][signup_day <= as_of_day]
        signup_day = signup_day[signup_day <= as_of_day]
        sid = order_codes.ids.get_indexer(signed)
        new = sid < 0
        extra_codes, signup_only = pd.factorize(signed[new])
        sid[new] = len(order_codes.ids) + extra_codes
    n_ids = len(order_codes.ids) + len(signup_only)

    first_day = per_code(np.minimum, ids[sale], day[sale], n_ids, _NO_DAY)
    first_day[sid] = signup_day
    in_cohort = first_day != _NO_DAY
    lo, hi = _day(start), _day(end)
    if lo is not None:
        in_cohort &= first_day >= lo
    if hi is not None:
        in_cohort &= first_day <= hi
    if not in_cohort.any():
        raise InsufficientDataError(
            "cohort tables need customers whose first order (or signup) falls in the chosen "
            "range; found none. Widen the date range, or check order_date on the Data page."
        )
    first_code = day_period_ordinal(np.where(in_cohort, first_day, 0), p)
    as_of_code = int(day_period_ordinal(np.array([as_of_day]), p)[0])
    end_code = int(day_period_ordinal(np.array([as_of_day + 1]), p)[0])  # first incomplete period

    if by is None:
        group = np.zeros(n_ids, dtype=np.int64)
        group_names = np.array([None], dtype=object)
    else:
        uniques = np.concatenate(
            [order_codes.ids.to_numpy(dtype=object), signup_only.to_numpy(dtype=object)]
        )
        values = _group_values(by, ids, uniques, orders, keep_rows, day, sale, customers)
        group, group_names = pd.factorize(values, sort=True)
        group_names = np.asarray(group_names, dtype=object)
    min_code = int(first_code[in_cohort].min())
    n_ages = as_of_code - min_code + 1
    # cohort row id per customer: one row per (group, cohort) pair that has customers
    pair = group * n_ages + (first_code - min_code)
    row_keys, row_of = np.unique(pair[in_cohort], return_inverse=True)
    row = np.full(n_ids, -1, dtype=np.int64)
    row[in_cohort] = row_of
    n_rows = len(row_keys)
    sizes = np.bincount(row_of, minlength=n_rows)

    # reduce orders to one cell per (customer, age): the step DESIGN.md pushes to DuckDB at scale
    age = day_period_ordinal(day, p) - first_code[ids]
    use = in_cohort[ids] & (age >= 0)
    key = ids[use].astype(np.int64) * n_ages + age[use]
    cell_key, cell_rev, cell_sale = _cells(key, amount[use], sale[use], n_ids * n_ages)
    cust, cell_age = np.divmod(cell_key, n_ages)
    rev0 = np.zeros(n_ids)
    at0 = cell_age == 0
    rev0[cust[at0]] = np.maximum(cell_rev[at0], 0.0)
    capped = np.minimum(np.maximum(cell_rev, 0.0), rev0[cust])
    flat = row[cust] * n_ages + cell_age
    shape = (n_rows, n_ages)
    size = n_rows * n_ages
    active = np.bincount(flat, weights=cell_sale, minlength=size).reshape(shape)
    revenue = np.bincount(flat, weights=cell_rev, minlength=size).reshape(shape)
    gross = np.bincount(flat, weights=capped, minlength=size).reshape(shape)

    row_code = row_keys % n_ages + min_code
    ages = np.arange(n_ages)
    observable = row_code[:, None] + ages[None, :] <= as_of_code
    complete = row_code[:, None] + ages[None, :] < end_code
    with np.errstate(divide="ignore", invalid="ignore"):
        retention = active / sizes[:, None]
        nrr = revenue / np.where(revenue[:, :1] != 0, revenue[:, :1], np.nan)
        grr = gross / np.where(gross[:, :1] > 0, gross[:, :1], np.nan)

    cohort_index = _to_index(_code_days(row_code, p), "cohort")
    if by is None:
        index: pd.Index = cohort_index
    else:
        index = pd.MultiIndex.from_arrays(
            [pd.Index(group_names[row_keys // n_ages], dtype="str", name=by), cohort_index]
        )
    columns = pd.RangeIndex(n_ages, name="age")

    def table(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.where(observable, values, np.nan), index=index, columns=columns)

    return CohortTable(
        period=p,
        as_of=pd.Timestamp(as_of).normalize(),
        sizes=pd.Series(sizes.astype(np.int64), index=index, name="customers"),
        active=table(active),
        customer_retention=table(retention),
        revenue=table(revenue),
        revenue_retention=table(nrr),
        gross_revenue=table(gross),
        gross_revenue_retention=table(grr),
        observable=pd.DataFrame(observable, index=index, columns=columns),
        complete=pd.DataFrame(complete, index=index, columns=columns),
    )


def retention_curve(cohorts: CohortTable) -> pd.DataFrame:
    """Average curve at age k = sum of active / sum of sizes, over cohorts that reached age k.

    Cohort-size weighted, so a large cohort counts more than a small one, and a cohort that has
    not reached age k does not pull the average down. Index: ``age`` (or attribute and age when
    the table is split). Columns: cohorts (how many reached the age), customers (their total
    size), active, customer_retention, revenue_retention (their revenue / their age-0 revenue)
    and gross_revenue_retention (capped revenue / capped age-0 revenue). Ages no cohort reached
    are left out; a ratio with a zero denominator is NaN.
    """
    obs = cohorts.observable.to_numpy()
    size = cohorts.sizes.to_numpy(dtype=np.float64)[:, None]
    rev0 = cohorts.revenue.iloc[:, [0]].to_numpy()
    gross0 = cohorts.gross_revenue.iloc[:, [0]].to_numpy()
    parts = {
        "cohorts": obs.astype(np.float64),
        "customers": np.where(obs, size, 0.0),
        "active": np.nan_to_num(cohorts.active.to_numpy()),
        "revenue": np.nan_to_num(cohorts.revenue.to_numpy()),
        "revenue0": np.where(obs, rev0, 0.0),
        "gross": np.nan_to_num(cohorts.gross_revenue.to_numpy()),
        "gross0": np.where(obs, gross0, 0.0),
    }
    index, columns = cohorts.observable.index, cohorts.observable.columns
    frames = {n: pd.DataFrame(v, index=index, columns=columns) for n, v in parts.items()}
    if isinstance(index, pd.MultiIndex):
        sums = pd.DataFrame({n: f.groupby(level=0).sum().stack() for n, f in frames.items()})
    else:
        sums = pd.DataFrame({n: f.sum() for n, f in frames.items()})
    sums = sums[sums["cohorts"] > 0]
    return pd.DataFrame(
        {
            "cohorts": sums["cohorts"].astype(np.int64),
            "customers": sums["customers"].astype(np.int64),
            "active": sums["active"].astype(np.int64),
            "customer_retention": sums["active"] / sums["customers"].where(sums["customers"] > 0),
            "revenue_retention": sums["revenue"] / sums["revenue0"].where(sums["revenue0"] != 0),
            "gross_revenue_retention": sums["gross"] / sums["gross0"].where(sums["gross0"] > 0),
        }
    )


# --- survival and sBG inputs --------------------------------------------------------------------


def survival_durations(lifetimes: pd.DataFrame) -> pd.DataFrame:
    """Duration = months from start to churn (observed) or to as_of (censored), for Kaplan-Meier.

    Returns index customer_id, columns duration (months, float) and observed (bool): the pair
    ``kpi.models.kaplan_meier(durations, observed)`` takes.
    """
    return pd.DataFrame(
        {"duration": lifetimes["duration_months"], "observed": lifetimes["observed"].astype(bool)}
    )


def median_customer_lifetime(lifetimes: pd.DataFrame) -> float:
    """Median lifetime = first month at which the Kaplan-Meier survival falls to 0.5 or below.

    Censored customers (still active) count as at risk until ``as_of``. NaN when the survival
    curve never reaches 0.5 (more than half the customers have not churned yet). Raises
    InsufficientDataError without customers. Source: Kaplan and Meier, "Nonparametric
    Estimation from Incomplete Observations", JASA 53(282), 1958 (via ``kpi.models``).
    """
    from kpi.models import kaplan_meier

    if lifetimes.empty:
        raise InsufficientDataError(
            "the median customer lifetime needs at least one customer with a start date; found "
            "none. Upload orders, or customers with signup_date and end_date, on the Data page."
        )
    durations = survival_durations(lifetimes)
    fit = kaplan_meier(durations["duration"].to_numpy(), durations["observed"].to_numpy())
    return float(fit.median)


def sbg_survivors(
    lifetimes: pd.DataFrame,
    *,
    period: str = "month",
    cohort: pd.Timestamp | None = None,
    as_of: pd.Timestamp | None = None,
) -> np.ndarray:
    """Survivors at age k = customers still active at the start of their k-th period after start.

    With ``cohort`` (any day of its period), the counts of that cohort for ages 0 up to the
    last one it reached by ``as_of`` (default: the lifetimes' as_of). Without, the
    whole base aligned by age: each age's retention is pooled over the cohorts that reached it
    (active at k / active at k - 1 among them) and chained from the base size, the discrete
    Kaplan-Meier form, so the counts may be fractional. The input of ``kpi.models.fit_sbg``
    (Fader and Hardie 2007: alive at the start of periods 0, 1, ...). Raises
    InsufficientDataError for an empty cohort.
    """
    p = check_period(period)
    start = _days(lifetimes["start"])
    end = _days(lifetimes["end"])
    as_of_day = _as_of_day(lifetimes) if as_of is None else int(_day(as_of))  # type: ignore[arg-type]
    code = day_period_ordinal(start, p)
    keep = start <= as_of_day
    if cohort is not None:
        keep &= code == day_period_ordinal(np.array([_day(cohort)]), p)[0]
    if not keep.any():
        raise InsufficientDataError(
            "sBG needs customers in the chosen cohort; found none. Pick a cohort that has "
            "customers, or leave the cohort empty to use the whole base."
        )
    code, end = code[keep], end[keep]
    reach = int(day_period_ordinal(np.array([as_of_day]), p)[0]) - code  # last age each one reached
    ended = day_period_ordinal(np.where(end == _NO_DAY, 0, end), p)
    alive_to = np.where(end == _NO_DAY, reach, ended)
    last_alive = np.minimum(np.where(end == _NO_DAY, reach, alive_to - code), reach)
    n_ages = int(reach.max()) + 1
    # alive at age k among those who reached k, and alive at k - 1 among the same customers
    alive = np.bincount(last_alive, minlength=n_ages)[::-1].cumsum()[::-1]
    before = np.bincount(np.minimum(last_alive + 1, reach), minlength=n_ages)[::-1].cumsum()[::-1]
    if cohort is not None:
        return alive[:n_ages].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(before[1:] > 0, alive[1:] / before[1:], 0.0)
    return float(len(code)) * np.concatenate([[1.0], np.cumprod(step)])


# --- the report section -------------------------------------------------------------------------


def _definition(
    orders: pd.DataFrame | None,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | None,
    warnings: list[str],
) -> tuple[pd.DataFrame | None, int | None]:
    """Lifetimes for the section (contractual when possible) and the order inactivity window."""
    window = None
    if orders is not None:
        try:
            window = suggested_inactivity_window(orders)
        except InsufficientDataError as exc:
            warnings.append(str(exc))
    if customers is not None and "end_date" in customers.columns:
        warnings.append(
            "churn is contractual: a customer is lost on the end_date of the customers table."
        )
        return contractual_lifetimes(customers, orders, as_of=as_of), window
    if orders is None:
        warnings.append(
            "churn, retention and cohorts need an orders table with customer_id, order_date and "
            "amount, or a customers table with signup_date and end_date; upload them on the "
            "Data page."
        )
        return None, None
    if window is None:
        return None, None
    warnings.append(
        f"churn is non-contractual: a customer counts as lost after {window} days without an "
        "order (the 90th percentile of the gaps between a customer's orders). Add end_date to "
        "the customers table for contractual churn."
    )
    return inactivity_lifetimes(orders, window_days=window, as_of=as_of), window


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
) -> Section:
    """Retention and churn KPIs for the range, per period, and the cohort tables.

    Variants: ``churn_rate`` and ``customer_retention_rate`` are per period (per month by
    default): lost / customers at start, summed over the periods of the range; ``nrr`` and
    ``grr`` are the size-weighted average cohort revenue retention one period after the
    cohort's start; ``median_customer_lifetime`` is in months (Kaplan-Meier); ``sbg_alpha`` and
    ``sbg_beta`` fit the whole base aligned by age. Cohorts are customers whose first order or
    signup falls in the range, followed to ``end`` (default: the last order).
    """
    p = check_period(period)
    orders, customers = tables.get("orders"), tables.get("customers")
    kpis: dict[str, object] = dict.fromkeys(SECTION_KEYS)
    series: dict[str, dict[str, object]] = {}
    cohorts: dict[str, dict[str, list[object]]] = {}
    warnings: list[str] = []
    as_of = pd.Timestamp(end) if end is not None else None

    lifetimes, window = _definition(orders, customers, as_of, warnings)
    if lifetimes is not None and lifetimes.empty:
        warnings.append(
            "churn_rate, customer_retention_rate, median_customer_lifetime and sBG need "
            "customers with a start date; none has a signup_date or an order. Map signup_date "
            "in the customers table, or upload orders, on the Data page."
        )
        lifetimes = None
    if lifetimes is not None:
        flows = churn_series(lifetimes, period=p, start=start, end=end)
        labels = period_labels(flows.index, p)
        series["churn_rate"] = dict(zip(labels, flows["churn_rate"].tolist(), strict=True))
        series["customer_retention_rate"] = dict(
            zip(labels, flows["retention_rate"].tolist(), strict=True)
        )
        rate = pooled_churn_rate(flows)
        kpis["churn_rate"] = rate
        kpis["customer_retention_rate"] = 1 - rate
        if math.isnan(rate):
            warnings.append(
                "churn_rate needs customers at the start of a period in the range; found none. "
                "Widen the date range."
            )
        in_range = lifetimes
        if start is not None:
            in_range = in_range[in_range["start"] >= pd.Timestamp(start).normalize()]
        try:
            median = median_customer_lifetime(in_range)
        except KpiError as exc:
            warnings.append(f"median_customer_lifetime: {exc}")
        else:
            kpis["median_customer_lifetime"] = median
            if math.isnan(median):
                warnings.append(
                    "median_customer_lifetime is not reached yet: more than half of the "
                    "customers have not churned. Follow them for longer."
                )
        try:
            from kpi.models import fit_sbg

            fit = fit_sbg(sbg_survivors(in_range, period=p, as_of=as_of))
        except KpiError as exc:
            warnings.append(f"sbg_alpha and sbg_beta: {exc}")
        else:
            kpis["sbg_alpha"], kpis["sbg_beta"] = fit.alpha, fit.beta

    if orders is not None:
        if window is not None:
            kpis["inactive_customers"] = len(
                inactive_customers(orders, as_of=as_of, window_days=window)
            )
        try:
            table = cohort_retention(orders, period=p, customers=customers, start=start, end=end)
        except InsufficientDataError as exc:
            warnings.append(str(exc))
        else:
            labels = table.labels()
            cohorts["customer_retention"] = dict(
                zip(labels, table.customer_retention.to_numpy().tolist(), strict=True)
            )
            cohorts["revenue_retention"] = dict(
                zip(labels, table.revenue_retention.to_numpy().tolist(), strict=True)
            )
            curve = retention_curve(table)
            if 1 in curve.index:
                kpis["nrr"] = curve.loc[1, "revenue_retention"]
                kpis["grr"] = curve.loc[1, "gross_revenue_retention"]
            else:
                warnings.append(
                    "nrr and grr need a cohort followed for at least one full period after its "
                    "first order; widen the date range or upload a longer order history."
                )
    else:
        warnings.append(
            "inactive_customers, nrr, grr and the cohort tables need an orders table with "
            "customer_id, order_date and amount; upload your orders on the Data page."
        )
    return Section(
        kpis=plain(kpis), series=plain(series), cohorts=plain(cohorts), warnings=warnings
    )
