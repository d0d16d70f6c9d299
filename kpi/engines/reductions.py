"""The reductions' common shape, as every engine answers it, in memory or in SQL.

The flow is read, then reduce, then compute the KPIs, then show them. In memory, the
"reduce" step is :class:`kpi.reduce.Reductions`: :func:`kpi.analysis.analysis` builds it once
per orders table and passes it to every family's section, and the numpy kernels of
``kpi.base``, ``kpi.retention`` and ``kpi.models`` compute the KPIs from it. For data too
large for memory, or living in a database, :class:`SqlReductions` answers the same questions
by one query each, and :mod:`kpi.engines.report` computes the KPIs from the answers.

Every engine answers the same questions about the orders (and the optional customers
table), each as a small table whose columns and order are fixed here:

=================  ========================================================================
base_counts        {revenue, orders, refunds, active_customers, repeat_customers,
                   new_customers, signups_without_order} of a day range
first_orders       customer_id, first_order, acquired, channel (sorted by customer_id)
customer_periods   customer_id, period, orders, revenue (sorted by customer, period)
period_table       period, revenue, orders, active_customers, new_customers (sorted)
cohort_sizes       cohort, customers;  cohort_cells: cohort, age, active, revenue,
                   gross_revenue (sorted)
rfm                customer_id, frequency, recency, T, monetary_value (sorted)
gap_counts         gap_days, visits (sorted)
last_orders        customer_id, last_order (day of the last order that is not a refund)
customer_revenue_  customer_id, revenue_type, orders, revenue of a day range (the types
types              new / repeat / refunds derived from the first order day)
=================  ========================================================================

``period`` and ``cohort`` are period ordinals (:func:`kpi.periods.period_ordinal`); days
are whole days since 1970-01-01. :class:`MemoryReductions` puts the in-memory engine's
answers in these shapes: the per-customer facts of :class:`kpi.reduce.Reductions` and the
public functions of ``kpi.base``, ``kpi.acquisition``, ``kpi.retention`` and ``kpi.models``
on pandas frames (``tests/test_engines.py`` compares them cell by cell with the SQL
engines'); :class:`SqlReductions` computes them by one query each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpi import base
from kpi.acquisition import acquisition_channels
from kpi.engines import sql
from kpi.errors import InsufficientDataError
from kpi.models import rfm_summary
from kpi.periods import Period, in_days, period_ordinal
from kpi.reduce import Reductions
from kpi.retention import CohortTable, cohort_retention, order_gaps, revenue_retention
from kpi.revenue import type_codes

if TYPE_CHECKING:
    from kpi.engines.sources import Engine

REDUCTIONS = (
    "base_counts",
    "first_orders",
    "customer_periods",
    "period_table",
    "cohort_sizes",
    "cohort_cells",
    "rfm",
    "gap_counts",
    "last_orders",
    "customer_revenue_types",
)
COUNT_KEYS = (
    "revenue",
    "orders",
    "refunds",
    "active_customers",
    "repeat_customers",
    "new_customers",
    "signups_without_order",
)
RETENTION_KEYS = ("customers", "revenue_before", "revenue_now", "capped_now")
COLUMNS = {
    "first_orders": ("customer_id", "first_order", "acquired", "channel"),
    "customer_periods": ("customer_id", "period", "orders", "revenue"),
    "period_table": ("period", "revenue", "orders", "active_customers", "new_customers"),
    "cohort_sizes": ("cohort", "customers"),
    "cohort_cells": ("cohort", "age", "active", "revenue", "gross_revenue"),
    "rfm": ("customer_id", "frequency", "recency", "T", "monetary_value"),
    "gap_counts": ("gap_days", "visits"),
    "last_orders": ("customer_id", "last_order"),
    "customer_revenue_types": ("customer_id", "revenue_type", "orders", "revenue"),
}
INTEGER = {"period", "orders", "active_customers", "new_customers", "cohort", "customers"}
INTEGER |= {"age", "active", "gap_days", "visits", "last_order"}
FLOAT = {"revenue", "gross_revenue", "frequency", "recency", "T", "monetary_value"}
TIMES = {"first_order", "acquired"}
SORT = {
    "first_orders": ["customer_id"],
    "customer_periods": ["customer_id", "period"],
    "period_table": ["period"],
    "cohort_sizes": ["cohort"],
    "cohort_cells": ["cohort", "age"],
    "rfm": ["customer_id"],
    "gap_counts": ["gap_days"],
    "last_orders": ["customer_id"],
    "customer_revenue_types": ["customer_id", "revenue_type"],
}


def day_number(ts: pd.Timestamp | None) -> int | None:
    """Whole days from 1970-01-01 to the day of ``ts`` (None stays None).

    >>> day_number(pd.Timestamp("1970-01-03 18:00"))
    2
    """
    if ts is None or pd.isna(ts):
        return None
    return int((pd.Timestamp(ts).normalize() - pd.Timestamp(0)) // pd.Timedelta(days=1))


def day_timestamp(day: int) -> pd.Timestamp:
    """The midnight that starts day number ``day`` (the inverse of :func:`day_number`)."""
    return pd.Timestamp(0) + pd.Timedelta(days=int(day))


def normalise(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A reduction's table in its fixed columns, types and order, whatever engine made it.

    Text ids stay text, counts become int64, amounts float64 (SQL NULL: NaN), times
    datetime64 (microseconds), rows sorted by the table's key; the index is a RangeIndex.
    """
    named = {str(c).lower(): c for c in frame.columns}  # PostgreSQL folds names to lower case
    out = pd.DataFrame({c: frame[named[c.lower()]] for c in COLUMNS[name]})
    for col in out.columns:
        if col in INTEGER:
            out[col] = pd.to_numeric(out[col]).astype(np.int64)
        elif col in FLOAT:
            out[col] = pd.to_numeric(out[col].astype(object).where(out[col].notna(), np.nan))
            out[col] = out[col].astype(np.float64)
        elif col in TIMES:
            out[col] = pd.to_datetime(out[col]).astype("datetime64[us]")
        else:
            out[col] = out[col].astype("str").where(out[col].notna(), None).astype("str")
    return out.sort_values(SORT[name], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Window:
    """The question every reduction is asked: a day range, a period, and the cohorts' as-of.

    ``start``/``end`` inclusive calendar days (None: open); ``as_of`` ignores orders after
    it in the cohort tables (None: ``end``, else the last order).
    """

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    period: Period = "month"

    @property
    def lo(self) -> int | None:
        return day_number(self.start)

    @property
    def hi(self) -> int | None:
        return day_number(self.end)


class MemoryReductions:
    """The reductions of canonical pandas frames, in the tables above.

    The per-customer facts come from the orders' :class:`kpi.reduce.Reductions` (the same
    object :func:`kpi.analysis.analysis` hands to the sections); the kernels stay where they
    are (``kpi.base``, ``kpi.retention``, ``kpi.models``): this class calls them and reshapes
    their answers.
    """

    dialect = "memory"

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.orders = tables["orders"]
        self.customers = tables.get("customers")
        base.check_orders(self.orders)
        self.facts = Reductions.of_orders(self.orders)

    def extent(self, w: Window) -> dict[str, int | None]:
        """First and last order day, overall and in the range (None: no such row), and the
        numbers of rows, dated rows and refund rows."""
        dates = self.orders["order_date"]
        dated = dates.notna()
        in_range = in_days(dates, w.start, w.end)
        amount = self.orders["amount"].to_numpy(dtype=float, na_value=np.nan)
        return {
            "first_day": day_number(dates.min()),
            "last_day": day_number(dates.max()),
            "first_in_range": day_number(dates[in_range].min()),
            "last_in_range": day_number(dates[in_range].max()),
            "dated_rows": int(dated.sum()),
            "refunds": int((amount[dated.to_numpy()] < 0).sum()),
            "all_rows": len(dates),
        }

    def base_counts(self, w: Window) -> dict[str, float | int]:
        rows = base.orders_in_range(self.orders, start=w.start, end=w.end)
        per = base.customer_activity(self.orders, self.customers, start=w.start, end=w.end)
        buyers = per[per["orders"] > 0]
        return {
            "revenue": float(np.nansum(rows["amount"].to_numpy(dtype=float, na_value=np.nan))),
            "orders": base.order_count(rows),
            "refunds": base.refund_count(rows),
            "active_customers": len(buyers),
            "repeat_customers": int(buyers["repeat"].sum()),
            "new_customers": base.new_customers(
                self.orders, self.customers, start=w.start, end=w.end
            ),
            "signups_without_order": base.signups_without_order(
                self.orders, self.customers, start=w.start, end=w.end
            ),
        }

    def first_orders(self) -> pd.DataFrame:
        first = base.customer_starts(self.orders).rename("first_order")
        acquired = base.customer_starts(self.orders, self.customers).rename("acquired")
        channel = acquisition_channels(self.orders, self.customers).rename("channel")
        frame = pd.concat([first, acquired, channel], axis=1).rename_axis("customer_id")
        return normalise("first_orders", frame.reset_index())

    def customer_periods(self, w: Window) -> pd.DataFrame:
        win = base.OrderWindow.of(self.orders, w.start, w.end)
        known = win.codes >= 0
        frame = pd.DataFrame(
            {
                "code": win.codes[known],
                "period": period_ordinal(win.dates[known], w.period),
                "orders": win.sale[known].astype(np.int64),
                "revenue": np.nan_to_num(win.amount[known]),
            }
        )
        cells = frame.groupby(["code", "period"], sort=True).sum().reset_index()
        cells.insert(0, "customer_id", win.ids[cells.pop("code").to_numpy()].astype("str"))
        return normalise("customer_periods", cells)

    def period_table(self, w: Window) -> pd.DataFrame:
        series = base.revenue_series(
            self.orders, self.customers, period=w.period, start=w.start, end=w.end
        )
        cols = ["revenue", "orders", "active_customers", "new_customers"]
        used = (series[cols] != 0).any(axis=1)
        out = series.loc[used, cols].reset_index()
        out["period"] = period_ordinal(out["period"], w.period)
        return normalise("period_table", out)

    def _cohorts(self, w: Window, as_of: int | None) -> CohortTable:
        return cohort_retention(
            self.orders,
            period=w.period,
            customers=self.customers,
            start=w.start,
            end=w.end,
            as_of=None if as_of is None else day_timestamp(as_of),
        )

    def cohort_sizes(self, w: Window, as_of: int | None = None) -> pd.DataFrame:
        try:
            table = self._cohorts(w, as_of)
        except InsufficientDataError:
            return normalise("cohort_sizes", pd.DataFrame(columns=COLUMNS["cohort_sizes"]))
        sizes = table.sizes.rename("customers").reset_index()
        sizes["cohort"] = period_ordinal(sizes["cohort"], w.period)
        return normalise("cohort_sizes", sizes)

    def cohort_cells(self, w: Window, as_of: int | None = None) -> pd.DataFrame:
        try:
            table = self._cohorts(w, as_of)
        except InsufficientDataError:
            return normalise("cohort_cells", pd.DataFrame(columns=COLUMNS["cohort_cells"]))
        parts = {
            "active": table.active,
            "revenue": table.revenue,
            "gross_revenue": table.gross_revenue,
        }
        long = pd.concat({k: v.stack() for k, v in parts.items()}, axis=1).reset_index()
        long = long[(long[list(parts)].fillna(0) != 0).any(axis=1)]
        long["cohort"] = period_ordinal(long["cohort"], w.period)
        return normalise("cohort_cells", long)

    def rfm(self, end: pd.Timestamp | None = None, freq: str = "W") -> pd.DataFrame:
        summary = rfm_summary(self.orders, end=end, freq=freq)  # type: ignore[arg-type]
        return normalise("rfm", summary.reset_index())

    def gap_counts(self) -> pd.DataFrame:
        counts = order_gaps(self.orders).value_counts()
        frame = pd.DataFrame({"gap_days": counts.index.to_numpy(), "visits": counts.to_numpy()})
        return normalise("gap_counts", frame)

    def last_orders(self) -> pd.DataFrame:
        last = self.facts.last_order_days
        known = np.flatnonzero(last != base.BEFORE_ALL)
        frame = pd.DataFrame(
            {"customer_id": self.facts.codes.ids[known].astype("str"), "last_order": last[known]}
        )
        return normalise("last_orders", frame)

    def customer_revenue_types(self, w: Window) -> pd.DataFrame:
        cc = self.facts.codes
        types, names = type_codes(self.orders, self.facts)
        dates = self.orders["order_date"]
        rows = (
            in_days(dates, w.start, w.end).to_numpy(dtype=bool)
            & dates.notna().to_numpy()
            & (cc.codes >= 0)
        )
        amount = np.nan_to_num(self.orders["amount"].to_numpy(dtype=float, na_value=np.nan))
        frame = pd.DataFrame(
            {
                "code": cc.codes[rows],
                "type": types[rows],
                "orders": (amount[rows] >= 0).astype(np.int64),
                "revenue": amount[rows],
            }
        )
        cells = frame.groupby(["code", "type"], sort=True).sum().reset_index()
        cells.insert(0, "customer_id", cc.ids[cells.pop("code").to_numpy()].astype("str"))
        cells.insert(1, "revenue_type", names[cells.pop("type").to_numpy()].astype(str))
        return normalise("customer_revenue_types", cells)

    def revenue_retention(self, lo: int, hi: int) -> dict[str, float | int]:
        """kpi.retention.revenue_retention's customers and sums for the days ``lo`` to ``hi``
        (all 0 when nobody bought in the earlier range)."""
        try:
            r = revenue_retention(self.orders, start=day_timestamp(lo), end=day_timestamp(hi))
        except InsufficientDataError:
            return dict.fromkeys(RETENTION_KEYS, 0)
        return {k: getattr(r, k) for k in RETENTION_KEYS}

    def visit_counts(self) -> dict[str, int]:
        """Customers with an order (not a refund) and those with two order days or more:
        kpi.retention.inactivity_window's ``customers`` and ``repeat_customers``."""
        cc = base.customer_codes(self.orders)
        amount = self.orders["amount"].to_numpy(dtype=float, na_value=0.0)
        sale = (cc.codes >= 0) & self.orders["order_date"].notna().to_numpy() & (amount >= 0)
        return {
            "customers": len(np.unique(cc.codes[sale])),
            "repeat_customers": int(order_gaps(self.orders).index.nunique()),
        }


class SqlReductions:
    """The reductions run by a SQL engine (:mod:`kpi.engines.sources`): one query each.

    The text comes from :mod:`kpi.engines.sql` (DuckDB's dialect), compiled for the engine;
    only the small reduced tables travel back, normalised as :func:`normalise` says.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.cols = engine.check()

    def _run(self, query: str) -> pd.DataFrame:
        return self.engine.fetch(self.engine.compile(query))

    def _table(self, name: str, query: str) -> pd.DataFrame:
        return normalise(name, self._run(query))

    def extent(self, w: Window) -> dict[str, int | None]:
        """As :meth:`MemoryReductions.extent`."""
        row = self._run(sql.extent(self.cols, w.lo, w.hi)).iloc[0]
        return {k: None if pd.isna(v) else int(v) for k, v in row.items()}

    def base_counts(self, w: Window) -> dict[str, float | int]:
        row = self._run(sql.base_counts(self.cols, w.lo, w.hi)).iloc[0]
        return {k: float(row[k]) if k == "revenue" else int(row[k]) for k in COUNT_KEYS}

    def first_orders(self) -> pd.DataFrame:
        return self._table("first_orders", sql.first_orders(self.cols))

    def customer_periods(self, w: Window) -> pd.DataFrame:
        return self._table(
            "customer_periods", sql.customer_periods(self.cols, w.period, w.lo, w.hi)
        )

    def period_table(self, w: Window) -> pd.DataFrame:
        return self._table("period_table", sql.period_table(self.cols, w.period, w.lo, w.hi))

    def _as_of(self, w: Window) -> int | None:
        return w.hi if w.hi is not None else self.extent(Window())["last_day"]

    def cohort_sizes(self, w: Window, as_of: int | None = None) -> pd.DataFrame:
        as_of = self._as_of(w) if as_of is None else as_of
        if as_of is None:
            return normalise("cohort_sizes", pd.DataFrame(columns=COLUMNS["cohort_sizes"]))
        query = sql.cohort_sizes(self.cols, w.period, w.lo, w.hi, as_of)
        return self._table("cohort_sizes", query)

    def cohort_cells(self, w: Window, as_of: int | None = None) -> pd.DataFrame:
        as_of = self._as_of(w) if as_of is None else as_of
        if as_of is None:
            return normalise("cohort_cells", pd.DataFrame(columns=COLUMNS["cohort_cells"]))
        query = sql.cohort_cells(self.cols, w.period, w.lo, w.hi, as_of)
        return self._table("cohort_cells", query)

    def rfm(self, end: pd.Timestamp | None = None, freq: str = "W") -> pd.DataFrame:
        return self._table("rfm", sql.rfm(self.cols, day_number(end), freq))

    def gap_counts(self) -> pd.DataFrame:
        return self._table("gap_counts", sql.gap_counts(self.cols))

    def last_orders(self) -> pd.DataFrame:
        return self._table("last_orders", sql.last_orders(self.cols))

    def customer_revenue_types(self, w: Window) -> pd.DataFrame:
        query = sql.customer_revenue_types(self.cols, w.lo, w.hi)
        return self._table("customer_revenue_types", query)

    def revenue_retention(self, lo: int, hi: int) -> dict[str, float | int]:
        """As :meth:`MemoryReductions.revenue_retention`."""
        row = self._run(sql.revenue_retention(self.cols, lo, hi)).iloc[0]
        return {k: int(row[k]) if k == "customers" else float(row[k]) for k in RETENTION_KEYS}

    def visit_counts(self) -> dict[str, int]:
        """As :meth:`MemoryReductions.visit_counts`."""
        row = self._run(sql.visit_counts(self.cols)).iloc[0]
        return {k: int(row[k]) for k in ("customers", "repeat_customers")}
