"""The command line's JSON from reduced tables: the KPIs a source's reductions support.

Through an engine, the orders never come into memory; only the reductions of
:mod:`kpi.engines.reductions` do. From them this module computes, with the existing code
where it accepts reduced input:

- the base counts and headline figures (revenue, orders, refunds, active, new and repeat
  customers, average order value, ARPU), as :func:`kpi.base.headline` defines them;
- the per-period table of :func:`kpi.base.revenue_series` (empty periods filled here);
- the cohort tables of :func:`kpi.retention.cohort_retention`, rebuilt as a
  :class:`kpi.retention.CohortTable` from the cohort cells;
- NRR and GRR of :func:`kpi.retention.revenue_retention` (the range against the comparable
  range before it) from its reduced sums;
- the inactivity window of :func:`kpi.retention.inactivity_window`, from the order-gap
  histogram and the visit counts, reported under ``assumptions`` with its rule and
  percentile (and the same warning when too few customers came back), as the file report
  does.

Every other KPI is null with one warning: its code still takes raw order rows (see the
module docstring of :mod:`kpi.engines`). The JSON has the keys and shape of
``python -m kpi report FILE``; its ``assumptions`` hold only the defaults that shaped a
number computed here (churn_period and the value defaults shape KPIs left null).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kpi.analysis import analysis
from kpi.base import HEADLINE_KEYS
from kpi.engines.reductions import MemoryReductions, SqlReductions, Window, day_timestamp
from kpi.errors import InsufficientDataError
from kpi.periods import Period, day_period_ordinal, period_labels, period_range
from kpi.report import Section, assumption, plain
from kpi.retention import INACTIVITY_PERCENTILE, CohortTable, InactivityWindow

Reductions = MemoryReductions | SqlReductions
SERIES_KEYS = ("revenue", "orders", "active_customers", "new_customers")
ENGINE_KPIS = (*HEADLINE_KEYS, "nrr", "grr")


def headline(counts: dict[str, float | int]) -> dict[str, float | int | None]:
    """kpi.base.headline's figures from the base counts of a range.

    >>> headline({"revenue": 300.0, "orders": 3, "refunds": 1, "active_customers": 2,
    ...           "repeat_customers": 1, "new_customers": 2, "signups_without_order": 0})["arpu"]
    150.0
    """
    revenue, orders, active = counts["revenue"], counts["orders"], counts["active_customers"]
    return {
        "revenue": float(revenue),
        "orders": int(orders),
        "refunds": int(counts["refunds"]),
        "active_customers": int(active),
        "new_customers": int(counts["new_customers"]),
        "signups_without_order": int(counts["signups_without_order"]),
        "average_order_value": revenue / orders if orders else None,
        "arpu": revenue / active if active else None,
        "repeat_customer_rate": counts["repeat_customers"] / active if active else None,
    }


def period_starts(ordinals: np.ndarray, period: Period) -> pd.DatetimeIndex:
    """The first day of each period ordinal (:func:`kpi.periods.day_period_ordinal`).

    >>> period_starts(np.array([0, 1]), "week").strftime("%Y-%m-%d").tolist()
    ['1969-12-29', '1970-01-05']
    """
    c = np.asarray(ordinals, dtype=np.int64)
    if period == "week":
        days = (c * 7 - 3).astype("datetime64[D]")
    elif period == "year":
        days = c.astype("datetime64[Y]").astype("datetime64[D]")
    else:
        months = c * 3 if period == "quarter" else c
        days = months.astype("datetime64[M]").astype("datetime64[D]")
    return pd.DatetimeIndex(days.astype("datetime64[us]"))


def revenue_series(
    table: pd.DataFrame, w: Window, first_day: int | None, last_day: int | None
) -> pd.DataFrame:
    """kpi.base.revenue_series from the period table and the range's first and last order
    days (None: no order in the range, an empty frame as revenue_series gives)."""
    columns = [*SERIES_KEYS, "average_order_value", "arpu"]
    if first_day is None or last_day is None:
        empty = pd.DataFrame(columns=columns, dtype=float)
        empty.index = pd.DatetimeIndex([], name="period")
        return empty
    first = w.start if w.start is not None else day_timestamp(first_day)
    last = w.end if w.end is not None else day_timestamp(last_day)
    index = period_range(pd.Timestamp(first), pd.Timestamp(last), w.period)
    origin = int(day_period_ordinal(np.array([_day(index[0])]), w.period)[0])
    at = table["period"].to_numpy() - origin
    keep = (at >= 0) & (at < len(index))
    out = pd.DataFrame(0, index=pd.DatetimeIndex(index, name="period"), columns=list(SERIES_KEYS))
    out["revenue"] = out["revenue"].astype(np.float64)
    for col in SERIES_KEYS:
        values = out[col].to_numpy().copy()
        values[at[keep]] = table[col].to_numpy()[keep]
        out[col] = values
    out[list(SERIES_KEYS[1:])] = out[list(SERIES_KEYS[1:])].astype(np.int64)
    out["average_order_value"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["arpu"] = out["revenue"] / out["active_customers"].where(out["active_customers"] > 0)
    return out


def _day(ts: pd.Timestamp) -> int:
    return int((pd.Timestamp(ts).normalize() - pd.Timestamp(0)) // pd.Timedelta(days=1))


def cohort_table(
    sizes: pd.DataFrame, cells: pd.DataFrame, period: Period, as_of_day: int
) -> CohortTable:
    """kpi.retention.cohort_retention's CohortTable from the cohort sizes and cells.

    Cells absent from ``cells`` are observed zeros; cells after ``as_of_day`` are NaN (not
    observable), as in cohort_retention. Raises InsufficientDataError without a cohort.
    """
    if sizes.empty:
        raise InsufficientDataError(
            "cohort tables need customers whose first order (or signup) falls in the chosen "
            "range; found none. Widen the date range, or check order_date on the Data page."
        )
    codes = sizes["cohort"].to_numpy(dtype=np.int64)
    as_of_code = int(day_period_ordinal(np.array([as_of_day]), period)[0])
    end_code = int(day_period_ordinal(np.array([as_of_day + 1]), period)[0])
    min_code = int(codes.min())
    n_ages = as_of_code - min_code + 1
    row = pd.Series(np.arange(len(codes)), index=codes)
    r = row.reindex(cells["cohort"].to_numpy()).to_numpy()
    a = cells["age"].to_numpy(dtype=np.int64)
    shape = (len(codes), n_ages)

    def grid(col: str) -> np.ndarray:
        out = np.zeros(shape)
        out[r, a] = cells[col].to_numpy(dtype=np.float64)
        return out

    active, revenue, gross = grid("active"), grid("revenue"), grid("gross_revenue")
    n = sizes["customers"].to_numpy(dtype=np.int64)
    ages = np.arange(n_ages)
    observable = codes[:, None] + ages[None, :] <= as_of_code
    complete = codes[:, None] + ages[None, :] < end_code
    with np.errstate(divide="ignore", invalid="ignore"):
        retention = active / n[:, None]
        nrr = revenue / np.where(revenue[:, :1] != 0, revenue[:, :1], np.nan)
        grr = gross / np.where(gross[:, :1] > 0, gross[:, :1], np.nan)
    index = period_starts(codes, period).rename("cohort")
    columns = pd.RangeIndex(n_ages, name="age")

    def table(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(np.where(observable, values, np.nan), index=index, columns=columns)

    return CohortTable(
        period=period,
        as_of=day_timestamp(as_of_day),
        sizes=pd.Series(n, index=index, name="customers"),
        active=table(active),
        customer_retention=table(retention),
        revenue=table(revenue),
        revenue_retention=table(nrr),
        gross_revenue=table(gross),
        gross_revenue_retention=table(grr),
        observable=pd.DataFrame(observable, index=index, columns=columns),
        complete=pd.DataFrame(complete, index=index, columns=columns),
    )


def gap_quantile(gaps: pd.DataFrame, q: float) -> float:
    """``np.quantile`` (linear) of the gaps the histogram stands for, without expanding it.

    >>> gap_quantile(pd.DataFrame({"gap_days": [10, 30], "visits": [1, 1]}), 0.5)
    20.0
    """
    values = gaps["gap_days"].to_numpy(dtype=np.float64)
    cum = np.cumsum(gaps["visits"].to_numpy(dtype=np.int64))
    h = (cum[-1] - 1) * q
    lo, hi = math.floor(h), math.ceil(h)
    below = values[np.searchsorted(cum, lo, side="right")]
    above = values[np.searchsorted(cum, hi, side="right")]
    return float(below + (h - lo) * (above - below))


def inactivity_window(gaps: pd.DataFrame, percentile: float = 0.9) -> int | None:
    """kpi.retention.suggested_inactivity_window from the gap histogram; None without gaps."""
    if gaps.empty:
        return None
    return max(1, math.ceil(gap_quantile(gaps, percentile)))


def _revenue_retention(
    red: Reductions, w: Window, ext: dict[str, int | None], warnings: list[str]
) -> dict[str, float]:
    """nrr and grr of kpi.retention.revenue_retention (the range against the comparable range
    before it) from the reduced sums; {} with its warning when they cannot be computed."""
    lo = w.lo if w.lo is not None else ext["first_day"]
    hi = w.hi if w.hi is not None else ext["last_day"]
    if lo is None or hi is None:
        warnings.append(
            "NRR and GRR need dated orders; every order_date is blank. Check the date column "
            "on the Data page."
        )
        return {}
    money = red.revenue_retention(lo, hi)
    if money["revenue_before"] <= 0:
        before_hi = day_timestamp(lo - 1)
        before_lo = day_timestamp(lo - 1 - (hi - lo))
        warnings.append(
            f"NRR and GRR compare the range with the {hi - lo + 1:,} days before it "
            f"({before_lo.date()} to {before_hi.date()}); no customer bought then. Choose a "
            "later start date (--start, or the date range), so that a range of the same "
            "length comes before it."
        )
        return {}
    total = float(money["revenue_before"])
    return {"nrr": money["revenue_now"] / total, "grr": money["capped_now"] / total}


def engine_section(red: Reductions, w: Window) -> tuple[Section, dict[str, Any]]:
    """Every KPI the reductions support, in the shape of :func:`kpi.analysis.analysis`, and
    the source's row counts (all rows, dated rows, refunds)."""
    every = analysis({}, period=w.period)
    kpis: dict[str, Any] = dict.fromkeys(every.kpis)
    warnings: list[str] = []
    counts = red.base_counts(w)
    kpis.update(headline(counts))
    ext = red.extent(w)
    series = revenue_series(red.period_table(w), w, ext["first_in_range"], ext["last_in_range"])
    labels = period_labels(series.index, w.period)
    by_period = {
        k: dict(zip(labels, series[k].tolist(), strict=True))
        for k in (*SERIES_KEYS, "average_order_value", "arpu")
    }
    cohorts: dict[str, dict[str, list[Any]]] = {}
    as_of = w.hi if w.hi is not None else ext["last_day"]
    try:
        if as_of is None:
            raise InsufficientDataError("cohort tables need dated orders; none is dated.")
        sizes, cells = red.cohort_sizes(w, as_of), red.cohort_cells(w, as_of)
        table = cohort_table(sizes, cells, w.period, as_of)
    except InsufficientDataError as exc:
        warnings.append(str(exc))
    else:
        for name in ("customer_retention", "revenue_retention"):
            cohorts[name] = table.as_json(name)
    kpis.update(_revenue_retention(red, w, ext, warnings))
    assumptions: dict[str, dict[str, Any]] = {}
    gaps = red.gap_counts()
    window = inactivity_window(gaps, INACTIVITY_PERCENTILE)
    if window is not None:
        visits = red.visit_counts()
        evidence = InactivityWindow(
            days=window,
            percentile=INACTIVITY_PERCENTILE,
            gaps=int(gaps["visits"].sum()),
            repeat_customers=visits["repeat_customers"],
            customers=visits["customers"],
        )
        assumptions["inactivity_window_days"] = assumption(
            window, "data", rule=evidence.rule, percentile=evidence.percentile
        )
        if evidence.weak is not None:
            warnings.append(evidence.weak)
    missing = [k for k in every.kpis if k not in ENGINE_KPIS]
    warnings.append(
        f"computed from a database source: {', '.join(ENGINE_KPIS)} and the cohort tables; "
        f"{len(missing)} other KPIs ({', '.join(missing[:4])}, ...) still need the rows in "
        "memory: export the tables and run python -m kpi report FILE."
    )
    section = Section(
        kpis=plain(kpis),
        series=plain(by_period),
        cohorts=plain(cohorts),
        warnings=warnings,
        assumptions=assumptions,
    )
    return section, ext


def build_output(red: Reductions, w: Window, source: str) -> dict[str, Any]:
    """The command line's JSON (kpi.__main__.build_output's keys) for a source's reductions."""
    section, ext = engine_section(red, w)
    undated = int(ext["all_rows"]) - int(ext["dated_rows"])
    warnings = list(section.warnings)
    if undated:
        warnings.insert(0, f"{source}: {undated} row(s) left out: no order_date")
    tables = {
        "orders": {
            "rows": int(ext["dated_rows"]),
            "rejected": undated,
            "read": int(ext["all_rows"]),
            "refunds": int(ext["refunds"] or 0),
            "duplicates": None,
            "sources": [source],
        }
    }
    return plain(
        {
            "tables": tables,
            "currency": None,
            "kpis": section.kpis,
            "series": section.series,
            "cohorts": section.cohorts,
            "assumptions": dict(sorted(section.assumptions.items())),
            "warnings": warnings,
        }
    )
