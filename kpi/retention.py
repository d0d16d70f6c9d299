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
from typing import Any

import numpy as np
import pandas as pd

from kpi.base import (
    BEFORE_ALL,
    NONE_YET,
    customer_codes,
    per_code,
    previous_window,
    sorted_unique,
)
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.periods import Period, check_period, day_period_ordinal, period_labels
from kpi.reduce import reductions_for
from kpi.report import Section, Settings, assumption, plain

ORDER_COLUMNS = ("customer_id", "order_date", "amount")
DAYS_PER_MONTH = 365.25 / 12
SECTION_KEYS = (
    "churn_rate",
    "customer_retention_rate",
    "new_customers_lost",
    "churn_rate_per_period",
    "churn_period",
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
    converted = pd.to_datetime(dates)
    # a Series' own array: np.asarray(series) first asks its index (a million labels, hashed)
    # whether it holds numpy's attribute names
    if isinstance(converted, pd.Series | pd.Index):
        converted = converted.to_numpy()
    values = np.asarray(converted).astype("datetime64[D]")
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
    in id order and every per-customer reduction is an integer kernel. The arrays of all the
    dated rows are built once per table (kept with its reductions, read-only: the churn
    definition, the inactive customers, NRR and the value family's lifetimes all start
    from them); a cut-off day takes the rows up to it.
    """
    codes, day, amount, ids = reductions_for(orders).cached(
        "order arrays", lambda: _dated_order_arrays(orders)
    )
    if as_of_day is None:
        return codes, day, amount, ids
    keep = day <= as_of_day
    return codes[keep], day[keep], amount[keep], ids


def _dated_order_arrays(
    orders: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    cc = customer_codes(orders)
    day = _days(orders["order_date"])
    amount = orders["amount"].to_numpy(dtype=np.float64, na_value=np.nan)
    amount = np.where(np.isnan(amount), 0.0, amount)
    keep = (day != _NO_DAY) & (cc.codes >= 0)
    return (*_read_only(cc.codes[keep], day[keep], amount[keep]), cc.ids)


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays, marked read-only: they are shared through the reductions' cache."""
    for array in arrays:
        array.flags.writeable = False
    return arrays


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
    gap_codes, gaps, _, ids = _gap_arrays(orders)
    return pd.Series(gaps, index=ids[gap_codes], name="gap_days")


def _gap_arrays(orders: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """The gaps of :func:`order_gaps` as integer arrays: each gap's customer code, the gap
    (int64 days), the customer code of every dated sale row, and the ids of the codes.

    The inactivity window needs the gaps, how many customers they come from and how many
    customers bought at all; counted on the codes, no text id is hashed or copied. Computed
    once per table (the retention and value families both suggest the window).
    """
    return reductions_for(orders).cached("gap arrays", lambda: _gaps_of(orders))


def _gaps_of(orders: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    codes, day, amount, ids = _order_arrays(orders, None)
    sale = amount >= 0
    codes, day = codes[sale], day[sale]
    if len(day) == 0:
        return (*_read_only(codes[:0], np.empty(0, dtype=np.int64), codes), ids)
    # distinct (customer, day) pairs in customer-then-day order, as one sorted int64 key
    lo = int(day.min())
    span = int(day.max()) - lo + 1
    customer, visit = np.divmod(sorted_unique(codes * span + (day - lo)), span)
    same = customer[1:] == customer[:-1]
    gaps = np.diff(visit)[same]
    return (*_read_only(customer[1:][same], gaps.astype(np.int64), codes), ids)


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
    _check_orders(orders, "order gaps")
    return _window_days(_gap_arrays(orders)[1], percentile)


def _window_days(gaps: np.ndarray, percentile: float) -> int:
    """The ``percentile`` of the gaps (days), rounded up, at least 1."""
    if len(gaps) == 0:
        raise InsufficientDataError(
            "the inactivity window needs customers who ordered on at least two different days; "
            "found none. Set the window by hand, or upload a longer order history."
        )
    return max(1, math.ceil(float(np.quantile(gaps, percentile))))


INACTIVITY_PERCENTILE = 0.9
"""The default window's percentile of the gaps between orders (see :func:`inactivity_window`)."""
MIN_REPEAT_GAPS = 30
MIN_REPEAT_SHARE = 0.2


@dataclass(frozen=True)
class InactivityWindow:
    """The suggested inactivity window and the evidence behind it.

    ``days``: the window; ``percentile``: of the gaps it was taken from; ``gaps``: repeat
    gaps seen; ``repeat_customers`` of ``customers`` ordered on two different days or more.
    ``weak`` says, in words, why the data cannot support so short a window (None when it
    can).
    """

    days: int
    percentile: float
    gaps: int
    repeat_customers: int
    customers: int

    @property
    def rule(self) -> str:
        return (
            f"percentile {round(100 * self.percentile):d} of the gaps between a customer's "
            f"consecutive order days ({self.gaps:,} gaps from {self.repeat_customers:,} of "
            f"{self.customers:,} customers)"
        )

    @property
    def weak(self) -> str | None:
        few_gaps = self.gaps < MIN_REPEAT_GAPS
        few_repeat = self.repeat_customers < MIN_REPEAT_SHARE * self.customers
        if not (few_gaps or few_repeat):
            return None
        return (
            f"the suggested inactivity window of {self.days:,} days rests on {self.gaps:,} "
            f"repeat orders from {self.repeat_customers:,} of {self.customers:,} customers: "
            "too few to show how often customers usually come back, so the window is likely "
            "shorter than your customers' buying cycle and churn is overstated. Set the window "
            "from how often your customers buy (--inactivity-window-days, or on the Retention "
            "page)."
        )


def inactivity_window(
    orders: pd.DataFrame, *, percentile: float = INACTIVITY_PERCENTILE
) -> InactivityWindow:
    """Window = the ``percentile`` of the gaps between consecutive order days, rounded up.

    Variant: the catalogue derives the default from the gaps between orders and names the
    median; the default here is the 90th percentile. With the median, half of the ordinary
    repeat gaps would be longer than the window, so a loyal customer between two regular
    orders would count as lost half the time and churn would be overstated; with the 90th,
    nine in ten ordinary gaps stay inside the window. ``percentile=0.5`` gives the median
    variant. The rule and the percentile are reported under ``assumptions``; ``weak`` says
    when too few customers came back for the suggestion to be trusted. Raises
    InsufficientDataError when no customer ordered on two different days.

    >>> orders = pd.DataFrame({"customer_id": ["a"] * 3, "amount": [1.0] * 3,
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-02-10"])})
    >>> w = inactivity_window(orders)
    >>> w.days, w.gaps, w.repeat_customers, w.customers
    (28, 2, 1, 1)
    """
    if not 0 < percentile <= 1:
        raise ValueError(f"percentile must be in (0, 1]; got {percentile}")
    _check_orders(orders, "order gaps")
    # one pass over the orders for the gaps and both customer counts
    gap_codes, gaps, sale_codes, _ = _gap_arrays(orders)
    days = _window_days(gaps, percentile)
    return InactivityWindow(
        days=days,
        percentile=percentile,
        gaps=len(gaps),
        repeat_customers=len(sorted_unique(gap_codes)),
        customers=int(np.count_nonzero(np.bincount(sale_codes))) if len(sale_codes) else 0,
    )


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
    """Customer flows over one range, and its churn and retention rates (fractions, or NaN).

    ``lost`` counts only customers who were there at the range's start; ``new_lost`` the
    customers who joined and left inside the range (they are in neither rate), so
    customers_end = customers_start + new - lost - new_lost.
    """

    customers_start: int
    new: int
    lost: int
    new_lost: int
    customers_end: int
    churn_rate: float
    retention_rate: float


def _flows(lifetimes: pd.DataFrame, lo: np.ndarray, hi: np.ndarray) -> pd.DataFrame:
    """Customers at ``lo``, new, lost among those at ``lo``, new and lost, customers at ``hi``.

    ``lo`` and ``hi`` (days) bound consecutive intervals [lo, hi) that do not overlap, in
    order. churn_rate = lost / customers_start and retention_rate = (customers_end - new
    still there) / customers_start = 1 - churn_rate: both within [0, 1] by construction,
    whatever the window or the range (a customer who joins and leaves inside an interval is
    ``new_lost``, never a loss of the starting base).
    """
    start_day = _days(lifetimes["start"])
    end_day = _days(lifetimes["end"])
    starts = np.sort(start_day)
    ended = end_day != _NO_DAY
    ends = np.sort(end_day[ended])

    def active_before(t: np.ndarray) -> np.ndarray:
        return np.searchsorted(starts, t, "left") - np.searchsorted(ends, t, "left")

    lost_all = np.searchsorted(ends, hi, "left") - np.searchsorted(ends, lo, "left")
    # joined and left in the same interval: which interval holds each start and each end
    at_start = np.searchsorted(lo, start_day[ended], "right") - 1
    at_end = np.searchsorted(lo, end_day[ended], "right") - 1
    inside = (at_start >= 0) & (at_start == at_end)
    inside &= end_day[ended] < hi[np.clip(at_end, 0, None)]
    new_lost = np.bincount(at_start[inside], minlength=len(lo))[: len(lo)]
    out = pd.DataFrame(
        {
            "customers_start": active_before(lo),
            "new": np.searchsorted(starts, hi, "left") - np.searchsorted(starts, lo, "left"),
            "lost": lost_all - new_lost,
            "new_lost": new_lost,
            "customers_end": active_before(hi),
        }
    ).astype(np.int64)
    start = out["customers_start"].where(out["customers_start"] > 0)
    out["churn_rate"] = out["lost"] / start
    out["retention_rate"] = (start - out["lost"]) / start
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
    """Churn over one range = customers lost in it / customers at its start (S).

        churn = lost among S / S          CRR = (E - N) / S = 1 - churn

    where E is the customers at the end and N the customers new in the range who are still
    there at its end. Catalogue variants ``churn_rate`` and ``customer_retention_rate`` over
    the selected range (KPI_CATALOGUE.md; the finance-firm article's CRR). Both lie in [0, 1]
    by construction. A customer who joins and leaves inside the range is ``new_lost``: in
    neither rate (the catalogue's ``new_customers_lost``). ``lifetimes`` from
    :func:`contractual_lifetimes` or :func:`inactivity_lifetimes`; ``start`` and ``end`` are
    inclusive days (None: the lifetimes' first start, where S is 0, and their as_of). Rates
    are NaN when S is 0.
    """
    lo, hi = _range_days(lifetimes, start, end)
    row = _flows(lifetimes, np.array([lo]), np.array([hi])).iloc[0]
    return ChurnSummary(
        customers_start=int(row["customers_start"]),
        new=int(row["new"]),
        lost=int(row["lost"]),
        new_lost=int(row["new_lost"]),
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
    """Per-period churn = lost among those at the period's start / customers at its start.

    Index: the start of every period from the one holding ``start`` to the one holding ``end``
    (default: the lifetimes' first start and their as_of), a DatetimeIndex named ``period``.
    Columns: customers_start, new, lost (among customers_start), new_lost (joined and left
    in the period), customers_end (int64) and churn_rate, retention_rate (NaN when
    customers_start is 0). The first and last periods count only the days inside the range.
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

    Catalogue key ``churn_rate_per_period`` (its period is ``churn_period``): the average of
    the per-period churn rates of :func:`churn_series`, weighted by customers at the start of
    each period, so within [0, 1]; NaN when no period started with customers. This, with
    ``period="month"``, is the monthly churn the LTV formulas take; the headline
    ``churn_rate`` of a range is :func:`churn_summary`.

    >>> series = pd.DataFrame({"customers_start": [1000, 990], "lost": [10, 20]})
    >>> round(pooled_churn_rate(series), 4)
    0.0151
    """
    base = float(series["customers_start"].sum())
    return float(series["lost"].sum()) / base if base > 0 else math.nan


# --- net and gross revenue retention over the range ---------------------------------------------


@dataclass(frozen=True)
class RevenueRetention:
    """NRR and GRR of one range against the comparable range before it, with their parts.

    ``customers``: customers with a sale in the earlier range (``before_start`` to
    ``before_end``); ``revenue_before``: their revenue then; ``revenue_now``: their revenue in
    the range; ``capped_now``: the same, each customer capped at their earlier revenue.
    """

    nrr: float
    grr: float
    customers: int
    revenue_before: float
    revenue_now: float
    capped_now: float
    before_start: pd.Timestamp
    before_end: pd.Timestamp


def revenue_retention(
    orders: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> RevenueRetention:
    """NRR = revenue in the range from the earlier range's customers / their revenue then.

        NRR = sum_i r1_i / sum_i r0_i        GRR = sum_i min(r1_i, r0_i) / sum_i r0_i

    over the customers i with a sale in the comparable range before (the same number of days,
    ending the day before ``start``: :func:`kpi.base.previous_window`); r0 is a customer's
    revenue then and r1 in the range, each net of refunds and floored at 0. So GRR <= 1 and
    GRR <= NRR, whatever the period. Catalogue keys ``nrr`` and ``grr`` (the SaaS reading:
    expansion counts in NRR, not in GRR). ``start`` and ``end`` default to the first and last
    order day; the earlier range then holds no order, and InsufficientDataError says to pick a
    later start, as it does when nobody bought in the earlier range.

    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "a", "b"], "amount": [100.0, 100.0,
    ...     150.0, 0.0], "order_date": pd.to_datetime(["2025-01-05", "2025-01-09",
    ...     "2025-02-03", "2025-02-04"])})
    >>> r = revenue_retention(orders, start=pd.Timestamp("2025-02-01"),
    ...                       end=pd.Timestamp("2025-02-28"))
    >>> r.nrr, r.grr
    (0.75, 0.5)
    """
    _check_orders(orders, "NRR and GRR")
    dates = orders["order_date"].dropna()
    if dates.empty:
        raise InsufficientDataError(
            "NRR and GRR need dated orders; every order_date is blank. Check the date column "
            "on the Data page."
        )
    lo = pd.Timestamp(dates.min() if start is None else start).normalize()
    hi = pd.Timestamp(dates.max() if end is None else end).normalize()
    before_lo, before_hi = previous_window(lo, hi)
    codes, day, amount, ids = _order_arrays(orders, _day(hi))
    n = len(ids)
    now = day >= _day(lo)
    then = (day >= _day(before_lo)) & (day <= _day(before_hi))
    buyers = np.bincount(codes[then & (amount >= 0)], minlength=n) > 0
    r0 = np.maximum(np.bincount(codes[then], weights=amount[then], minlength=n), 0.0)[buyers]
    r1 = np.maximum(np.bincount(codes[now], weights=amount[now], minlength=n), 0.0)[buyers]
    total = float(r0.sum())
    if total <= 0:
        raise InsufficientDataError(
            f"NRR and GRR compare the range with the {(hi - lo).days + 1:,} days before it "
            f"({before_lo.date()} to {before_hi.date()}); no customer bought then. Choose a "
            "later start date (the date range; --start on the command line), so that a range of "
            "the same length comes before it."
        )
    capped = float(np.minimum(r1, r0).sum())
    return RevenueRetention(
        nrr=float(r1.sum()) / total,
        grr=capped / total,
        customers=int(buyers.sum()),
        revenue_before=total,
        revenue_now=float(r1.sum()),
        capped_now=capped,
        before_start=before_lo,
        before_end=before_hi,
    )


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
    codes, day, amount, ids, sale, as_of_day, orders_n, buyers, last = _last_orders(orders, as_of)
    columns = ["last_order_date", "last_order_value", "orders", "revenue"]
    n = len(ids)
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


CONTACT_COLUMNS = ("name", "email", "phone")


def with_contacts(rows: pd.DataFrame, customers: pd.DataFrame | None) -> pd.DataFrame:
    """``rows`` (one per customer, a ``customer_id`` column) with the customers table's name,
    email and phone beside the id: who to call, and how.

    Only the contact columns the customers table holds and has filled somewhere are added; a
    customer it lists twice gets the details of its first row; one it lacks gets blanks.
    ``rows`` is returned as it is when there are none. Rows keep their order.

    >>> rows = pd.DataFrame({"customer_id": ["B", "A"], "revenue": [9.0, 5.0]})
    >>> c = pd.DataFrame({"customer_id": ["A", "B"], "name": ["Ann", "Bo"], "phone": [None, None]})
    >>> with_contacts(rows, c).values.tolist()
    [['B', 'Bo', 9.0], ['A', 'Ann', 5.0]]
    """
    if customers is None or "customer_id" not in customers.columns:
        return rows
    found = [c for c in CONTACT_COLUMNS if c in customers.columns and customers[c].notna().any()]
    if not found:
        return rows
    known = customers.loc[customers["customer_id"].notna(), ["customer_id", *found]]
    # Looked up by the id's text: the orders and customers tables may hold it in other types.
    keys = known["customer_id"].astype(str).to_numpy()
    first = ~pd.Series(keys).duplicated().to_numpy()
    details = known[found][first].set_axis(keys[first])
    beside = details.reindex(rows["customer_id"].astype(str).to_numpy())
    out = rows[["customer_id"]].copy()
    for c in found:
        out[c] = beside[c].to_numpy()
    rest = [c for c in rows.columns if c != "customer_id"]
    return pd.concat([out, rows[rest]], axis=1)


def _last_orders(orders: pd.DataFrame, as_of: pd.Timestamp | None) -> tuple[Any, ...]:
    """The order arrays of :func:`inactive_customers` up to ``as_of`` (codes, day, amount,
    ids, sale), the day it counts from, and per customer code: non-refund orders, the codes
    of the customers who have one (buyers), and the last order day."""
    as_of_day = _day(as_of)
    codes, day, amount, ids = _order_arrays(orders, as_of_day)
    sale = amount >= 0
    if as_of_day is None:
        as_of_day = int(day[sale].max()) if sale.any() else 0
    n = len(ids)
    orders_n = np.bincount(codes[sale], minlength=n)
    buyers = np.flatnonzero(orders_n)  # customers with only refunds are not listed
    last = per_code(np.maximum, codes[sale], day[sale], n, BEFORE_ALL)
    return codes, day, amount, ids, sale, as_of_day, orders_n, buyers, last


def _inactive_count(orders: pd.DataFrame, *, as_of: pd.Timestamp | None, window_days: int) -> int:
    """``len(inactive_customers(...))``, without building and sorting the list by text ids."""
    _check_orders(orders, "inactive customers")
    *_, as_of_day, _, buyers, last = _last_orders(orders, as_of)
    return int(np.count_nonzero(as_of_day - last[buyers] >= window_days))


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

    def as_json(self, name: str) -> dict[str, list[Any]]:
        """One of the tables (``customer_retention``...) as ``{cohort label: [age 0, ...]}``,
        the command line's ``cohorts`` contract."""
        table: pd.DataFrame = getattr(self, name)
        return dict(zip(self.labels(), table.to_numpy().tolist(), strict=True))

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
    keep_rows: np.ndarray | None,
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
    order_codes = customer_codes(orders)  # factorised once per frame, ids sorted
    keep_rows = None  # the rows' positions, for the attribute of the first order (by)
    if by is None:  # the dated rows up to as_of, as the other retention KPIs take them
        ids, day, amount, _ = _order_arrays(orders, as_of_day)
    else:  # the attribute of the first order needs the rows' positions too
        all_day = _days(orders["order_date"])
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


def has_end_dates(customers: pd.DataFrame | None) -> bool:
    """True when the customers table has an end_date column with at least one date in it.

    An all-blank end_date column (a template column nobody filled) says nothing about
    cancellations: churn then stays on the inactivity definition.
    """
    return (
        customers is not None
        and "end_date" in customers.columns
        and bool(customers["end_date"].notna().any())
    )


def _definition(
    orders: pd.DataFrame | None,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | None,
    window_days: int | None,
    warnings: list[str],
    assumptions: dict[str, dict[str, object]],
) -> tuple[pd.DataFrame | None, int | None]:
    """Lifetimes for the section (contractual when possible) and the order inactivity window."""
    window = None
    if window_days is not None:
        window = int(window_days)
        assumptions["inactivity_window_days"] = assumption(window, "user", rule="set by the user")
    elif orders is not None:
        try:
            suggested = inactivity_window(orders)
        except InsufficientDataError as exc:
            warnings.append(str(exc))
        else:
            window = suggested.days
            assumptions["inactivity_window_days"] = assumption(
                window, "data", rule=suggested.rule, percentile=suggested.percentile
            )
            if suggested.weak is not None:
                warnings.append(suggested.weak)
    if customers is not None and "end_date" in customers.columns and not has_end_dates(customers):
        warnings.append(
            "the end_date column of the customers table is blank in every row, so churn is "
            "counted by inactivity, not by contract end. Fill in the cancellation dates for "
            "contractual churn."
        )
    if has_end_dates(customers):
        warnings.append(
            "churn is contractual: a customer is lost on the end_date of the customers table."
        )
        return contractual_lifetimes(customers, orders, as_of=as_of), window  # type: ignore[arg-type]
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
        "order. Add end_date to the customers table for contractual churn."
    )
    return inactivity_lifetimes(orders, window_days=window, as_of=as_of), window


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
    settings: Settings | None = None,
) -> Section:
    """Retention and churn KPIs for the range, per period, and the cohort tables.

    Variants: ``churn_rate`` and ``customer_retention_rate`` cover the range
    (:func:`churn_summary`: lost among the customers at its start / those customers, and
    1 - that), ``new_customers_lost`` counts the customers who joined and left inside it;
    ``churn_rate_per_period`` is the pooled per-period rate (:func:`pooled_churn_rate`) of
    ``churn_period`` (``settings.churn_period``, else ``period``); ``nrr`` and ``grr`` compare
    the range with the comparable range before it (:func:`revenue_retention`); the cohort-age
    versions are the cohort tables ``customer_retention`` and ``revenue_retention``;
    ``median_customer_lifetime`` is in months (Kaplan-Meier); ``sbg_alpha`` and ``sbg_beta``
    fit the whole base aligned by age. The inactivity window is ``settings``'
    ``inactivity_window_days``, else suggested by :func:`inactivity_window`; it and the churn
    period are reported under ``assumptions``.
    """
    p = check_period(period)
    settings = settings or Settings()
    churn_p = check_period(settings.churn_period or p)
    orders, customers = tables.get("orders"), tables.get("customers")
    kpis: dict[str, object] = dict.fromkeys(SECTION_KEYS)
    series: dict[str, dict[str, object]] = {}
    cohorts: dict[str, dict[str, list[object]]] = {}
    warnings: list[str] = []
    assumptions: dict[str, dict[str, object]] = {}
    as_of = pd.Timestamp(end) if end is not None else None

    lifetimes, window = _definition(
        orders, customers, as_of, settings.inactivity_window_days, warnings, assumptions
    )
    if lifetimes is not None and lifetimes.empty:
        warnings.append(
            "churn_rate, customer_retention_rate, median_customer_lifetime and sBG need "
            "customers with a start date; none has a signup_date or an order. Map signup_date "
            "in the customers table, or upload orders, on the Data page."
        )
        lifetimes = None
    if lifetimes is not None:
        summary = churn_summary(lifetimes, start=start, end=end)
        kpis["churn_rate"] = summary.churn_rate
        kpis["customer_retention_rate"] = summary.retention_rate
        kpis["new_customers_lost"] = summary.new_lost
        if summary.customers_start == 0:
            warnings.append(
                "churn_rate and customer_retention_rate cover the range: customers lost / "
                "customers at its start; no customer was there when the range begins. Choose "
                "a later start date (the date range; --start on the command line), or read the "
                "churn rate per period."
            )
        flows = churn_series(lifetimes, period=p, start=start, end=end)
        labels = period_labels(flows.index, p)
        series["churn_rate"] = dict(zip(labels, flows["churn_rate"].tolist(), strict=True))
        series["customer_retention_rate"] = dict(
            zip(labels, flows["retention_rate"].tolist(), strict=True)
        )
        pooled = churn_series(lifetimes, period=churn_p, start=start, end=end)
        rate = pooled_churn_rate(pooled)
        kpis["churn_rate_per_period"] = rate
        kpis["churn_period"] = churn_p
        if math.isnan(rate):
            warnings.append(
                f"churn_rate_per_period needs customers at the start of a {churn_p} in the "
                "range; found none. Widen the date range."
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
    assumptions["churn_period"] = assumption(
        churn_p, "user" if settings.churn_period else "default"
    )

    if orders is not None:
        if window is not None:
            kpis["inactive_customers"] = _inactive_count(orders, as_of=as_of, window_days=window)
        try:
            money = revenue_retention(orders, start=start, end=end)
        except InsufficientDataError as exc:
            warnings.append(str(exc))
        else:
            kpis["nrr"], kpis["grr"] = money.nrr, money.grr
        try:
            table = cohort_retention(orders, period=p, customers=customers, start=start, end=end)
        except InsufficientDataError as exc:
            warnings.append(str(exc))
        else:
            for name in ("customer_retention", "revenue_retention", "gross_revenue_retention"):
                cohorts[name] = table.as_json(name)
    else:
        warnings.append(
            "inactive_customers, nrr, grr and the cohort tables need an orders table with "
            "customer_id, order_date and amount; upload your orders on the Data page."
        )
    return Section(
        kpis=plain(kpis),
        series=plain(series),
        cohorts=plain(cohorts),
        warnings=warnings,
        assumptions=assumptions,
    )
