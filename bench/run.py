"""Benchmark runner (issue 8): our KPI steps side by side with DuckDB SQL on the same data.

    python -m bench [--sizes 100000,1000000] [--repeat 3] [--only STEP] [--json PATH]

For each size, seeded canonical orders (~12 per customer, three years) and a matching
customers table are generated (:mod:`bench.data`), and each step is timed as the median of
``--repeat`` runs in one process. Next to each data step the same result is computed by a
DuckDB SQL query over the very same pandas DataFrame, in the same run, and both results are
checked to agree (cohort sizes and shares to 1e-9, per-customer frequency/recency/T, the
monthly table, the headline figures). The model fits are compared with the ``lifetimes``
package when it is importable. Steps (``--only`` takes these keys, comma-separated):

    csv      file read + mapping + validation of a European CSV export (DuckDB: read_csv)
    xlsx     the same for an XLSX workbook, up to --xlsx-max rows (DuckDB: none, see below)
    cohorts  customer and revenue cohort tables, kpi.retention.cohort_retention
    rfm      frequency/recency/T summary, kpi.models.rfm_summary
    monthly  revenue, orders, active and new customers per month, kpi.base.revenue_series
    home     the home page's numbers: headline of the range and of the range before (as a
             change), monthly series; the same three results as the DuckDB side
    fits     BG/NBD + Gamma-Gamma fits on rows // 12 model-drawn customers (vs lifetimes)
    whatif   what-if baseline (kpi.scenario.baseline) and one slider step (kpi.scenario.outcome)
    pages    each data page's whole script run in Streamlit's AppTest, with the orders read from
             the CSV export as after an upload: the first run after the page's caches are
             cleared (full recompute) and a rerun (what every widget move costs)
    layouts  every real export layout (quoted, European, ISO with offsets, line items, XLSX,
             Parquet) read + mapped + validated against DuckDB's read of the same file, and
             the whole ``python -m kpi report`` against DuckDB's core of it (bench.layouts);
             XLSX at min(size, --xlsx-max) rows

Cold and cached: every timed run of ours gets a fresh shallow copy of the tables, so nothing
kept per frame (customer codes, acquisition dates: the reductions of :mod:`kpi.reduce`) is
reused: the figure is a cold start, as right after an upload. The ``cached`` column times the
same call on the same frames again, as a page rerun or the next page sees them once an
upload's customer codes and acquisition dates are kept.

Peak MB is the tracemalloc peak of one extra, untimed run of our step (the timed runs are not
traced, since tracing slows Python code). It counts what numpy, pandas and Python allocate;
DuckDB allocates outside Python's allocator, so its memory is not in the table. The process's
peak resident size (ru_maxrss) is printed at the end.

DuckDB reads XLSX only through its ``excel`` extension, downloaded from DuckDB's own
extension server at run time; the benchmark does not fetch it, so XLSX has no DuckDB figure.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import tempfile
import tracemalloc
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from bench import data
from bench.ingest import timed

STEPS = (
    "csv", "xlsx", "cohorts", "rfm", "monthly", "home", "fits", "whatif", "pages", "layouts",
)  # fmt: skip
PAGES = {
    "Home": "app.py",
    "Revenue": "pages/3_Revenue.py",
    "Retention": "pages/4_Retention.py",
    "Value": "pages/5_Value.py",
    "What-if": "pages/6_What_if.py",
}
XLSX_MAX = 100_000
TOL = 1e-9
# Both packages maximise the same likelihoods with different optimisers: the estimates agree to
# about 1e-4 (r, alpha, a, b, p, q, v on 83,333 customers), so 1e-3 is a real check.
FIT_RTOL = 1e-3


@dataclass
class Result:
    """One row of the report. ``duckdb`` holds the reference time (lifetimes for the fits)."""

    step: str
    rows: int
    ours: float
    duckdb: float | None = None
    ratio: float | None = None
    agree: bool | None = None
    peak_mb: float | None = None
    note: str = ""
    cached: float | None = None  # ours again on the same frames (see the module docstring)


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _day(ts: pd.Timestamp) -> str:
    return f"TIMESTAMP '{pd.Timestamp(ts):%Y-%m-%d}'"


def _close(a: object, b: object, *, rtol: float = TOL, atol: float = 0.0) -> bool:
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))


# --- DuckDB side -------------------------------------------------------------------------------

COHORT_SQL = """
WITH o AS (
    SELECT customer_id AS c, CAST(order_date AS DATE) AS d, coalesce(amount, 0.0) AS a
    FROM orders WHERE order_date IS NOT NULL
),
f AS (
    SELECT c, min(d) FILTER (WHERE a >= 0) AS fd FROM o GROUP BY c
    HAVING count(*) FILTER (WHERE a >= 0) > 0
),
cells AS (
    SELECT c, m0, age, sum(a) AS rev, bool_or(a >= 0) AS act
    FROM (
        SELECT o.c, o.a, year(f.fd) * 12 + month(f.fd) - 1 AS m0,
               year(o.d) * 12 + month(o.d) - 1 - (year(f.fd) * 12 + month(f.fd) - 1) AS age
        FROM o JOIN f USING (c)
    )
    WHERE age >= 0
    GROUP BY c, m0, age
),
r0 AS (SELECT c, greatest(rev, 0.0) AS r0 FROM cells WHERE age = 0)
SELECT m0, age, count(*) FILTER (WHERE act) AS active, sum(rev) AS revenue,
       sum(least(greatest(rev, 0.0), r0)) AS gross
FROM cells JOIN r0 USING (c)
GROUP BY m0, age ORDER BY m0, age
"""

RFM_SQL = """
WITH d AS (
    SELECT customer_id AS c, CAST(order_date AS DATE) AS day, sum(amount) AS amt
    FROM orders WHERE order_date IS NOT NULL AND customer_id IS NOT NULL
    GROUP BY ALL
),
r AS (SELECT c, day, amt, min(day) OVER (PARTITION BY c) AS first FROM d),
e AS (SELECT max(day) AS e FROM d)
SELECT c AS customer_id, count(*) - 1.0 AS frequency, (max(day) - first) / 7.0 AS recency,
       (any_value(e.e) - first) / 7.0 AS "T",
       CASE WHEN count(*) = 1 THEN 0.0 ELSE avg(amt) FILTER (WHERE day > first) END
           AS monetary_value
FROM r, e GROUP BY c, first ORDER BY c
"""

# acquisition day of a customer with at least one order row: the earlier of the first order
# (refunds included) and the earliest signup_date, as kpi.base.customer_starts
STARTS_SQL = """
starts AS (
    SELECT least(coalesce(fo.s, su.s), coalesce(su.s, fo.s)) AS s
    FROM (SELECT DISTINCT customer_id AS c FROM orders WHERE customer_id IS NOT NULL) oc
    LEFT JOIN (SELECT customer_id AS c, min(order_date) AS s FROM orders
               WHERE order_date IS NOT NULL GROUP BY c) fo USING (c)
    LEFT JOIN (SELECT customer_id AS c, min(signup_date) AS s FROM customers
               WHERE signup_date IS NOT NULL GROUP BY c) su USING (c)
)"""

# sign-ups in the range without any order row, as kpi.base.signups_without_order
SIGNUPS_SQL = """
SELECT count(*) FROM (SELECT customer_id AS c, min(signup_date) AS s FROM customers
                      WHERE signup_date IS NOT NULL AND customer_id IS NOT NULL GROUP BY c)
WHERE s >= {lo} AND s < {hi} + INTERVAL 1 DAY
  AND c NOT IN (SELECT customer_id FROM orders WHERE customer_id IS NOT NULL)
"""

STARTS_NO_CUSTOMERS_SQL = """
starts AS (
    SELECT min(order_date) AS s FROM orders WHERE order_date IS NOT NULL GROUP BY customer_id
)"""

MONTHLY_SQL = """
WITH o AS (
    SELECT customer_id AS c, order_date AS d, coalesce(amount, 0.0) AS a FROM orders
    WHERE order_date >= {lo} AND order_date < {hi} + INTERVAL 1 DAY
),
m AS (
    SELECT date_trunc('month', d) AS p, sum(a) AS revenue, count(*) FILTER (WHERE a >= 0) AS n,
           count(DISTINCT c) FILTER (WHERE a >= 0) AS active
    FROM o GROUP BY p
),
{starts},
n AS (
    SELECT date_trunc('month', s) AS p, count(*) AS new FROM starts
    WHERE s >= {lo} AND s < {hi} + INTERVAL 1 DAY GROUP BY p
),
cal AS (
    SELECT unnest(generate_series(date_trunc('month', {lo}), date_trunc('month', {hi}),
                                  INTERVAL 1 MONTH)) AS p
)
SELECT cal.p AS period, coalesce(m.revenue, 0.0) AS revenue, coalesce(m.n, 0) AS orders,
       coalesce(m.active, 0) AS active_customers, coalesce(n.new, 0) AS new_customers
FROM cal LEFT JOIN m USING (p) LEFT JOIN n USING (p) ORDER BY cal.p
"""

HEADLINE_SQL = """
WITH o AS (
    SELECT customer_id AS c, coalesce(amount, 0.0) AS a, amount FROM orders
    WHERE order_date >= {lo} AND order_date < {hi} + INTERVAL 1 DAY
),
pc AS (SELECT c, count(*) AS n FROM o WHERE a >= 0 GROUP BY c),
{starts}
SELECT (SELECT sum(amount) FROM o) AS revenue,
       (SELECT count(*) FILTER (WHERE a >= 0) FROM o) AS orders,
       (SELECT count(*) FILTER (WHERE amount < 0) FROM o) AS refunds,
       (SELECT count(*) FROM pc) AS active_customers,
       (SELECT count(*) FILTER (WHERE n >= 2) FROM pc) AS repeaters,
       (SELECT count(*) FROM starts WHERE s >= {lo} AND s < {hi} + INTERVAL 1 DAY)
           AS new_customers
"""


class Duck:
    """A DuckDB connection with the benchmark's pandas frames registered as views."""

    def __init__(self, orders: pd.DataFrame, customers: pd.DataFrame | None) -> None:
        import duckdb

        self.con = duckdb.connect()
        self.con.register("orders", orders)
        if customers is not None:
            self.con.register("customers", customers)
        self.has_customers = customers is not None

    def cohorts(self) -> dict[str, np.ndarray]:
        """The cohort tables as arrays shaped like ours (cohorts x ages, unreached cells NaN)."""
        cells = self.con.sql(COHORT_SQL).fetchnumpy()
        m0 = np.asarray(cells["m0"], dtype=np.int64)
        age = np.asarray(cells["age"], dtype=np.int64)
        as_of = int((m0 + age).max())
        months, row = np.unique(m0, return_inverse=True)
        n_ages = as_of - int(months.min()) + 1
        shape = (len(months), n_ages)
        out = {}
        for name in ("active", "revenue", "gross"):
            table = np.zeros(shape)
            table[row, age] = np.asarray(cells[name], dtype=float)
            out[name] = table
        observable = months[:, None] + np.arange(n_ages)[None, :] <= as_of
        sizes = out["active"][:, 0]  # every cohort customer's first sale is at age 0
        with np.errstate(divide="ignore", invalid="ignore"):
            out["customer_retention"] = out["active"] / sizes[:, None]
            r0, g0 = out["revenue"][:, :1], out["gross"][:, :1]
            out["revenue_retention"] = out["revenue"] / np.where(r0 != 0, r0, np.nan)
            out["gross_revenue_retention"] = out["gross"] / np.where(g0 > 0, g0, np.nan)
        for name in list(out):
            out[name] = np.where(observable, out[name], np.nan)
        out["sizes"] = sizes
        return out

    def rfm(self) -> pd.DataFrame:
        return self.con.sql(RFM_SQL).df().set_index("customer_id")

    def monthly(self, lo: pd.Timestamp, hi: pd.Timestamp, *, customers: bool) -> pd.DataFrame:
        starts = STARTS_SQL if customers and self.has_customers else STARTS_NO_CUSTOMERS_SQL
        sql = MONTHLY_SQL.format(lo=_day(lo), hi=_day(hi), starts=starts.strip())
        return self.con.sql(sql).df().set_index("period")

    def headline(
        self, lo: pd.Timestamp, hi: pd.Timestamp, *, customers: bool
    ) -> dict[str, float | int | None]:
        starts = STARTS_SQL if customers and self.has_customers else STARTS_NO_CUSTOMERS_SQL
        sql = HEADLINE_SQL.format(lo=_day(lo), hi=_day(hi), starts=starts.strip())
        row = self.con.sql(sql).fetchall()[0]
        assert row is not None
        rev, n, refunds, active, repeaters, new = row
        rev = float(rev or 0.0)
        signups = 0
        if customers and self.has_customers:
            signups = self.con.sql(SIGNUPS_SQL.format(lo=_day(lo), hi=_day(hi))).fetchall()[0][0]
        return {
            "revenue": rev,
            "orders": int(n),
            "refunds": int(refunds),
            "active_customers": int(active),
            "new_customers": int(new),
            "signups_without_order": int(signups),
            "average_order_value": rev / n if n else None,
            "arpu": rev / active if active else None,
            "repeat_customer_rate": repeaters / active if active else None,
        }

    def home(self, lo: pd.Timestamp, hi: pd.Timestamp) -> dict[str, Any]:
        from kpi.base import previous_window

        now = self.headline(lo, hi, customers=True)
        prev_lo, prev_hi = previous_window(lo, hi)
        first = self.con.sql("SELECT min(order_date) FROM orders").fetchall()[0][0]
        before = None
        if first is not None and pd.Timestamp(first) <= prev_hi:
            before = self.headline(prev_lo, prev_hi, customers=True)
        return {"now": now, "before": before, "series": self.monthly(lo, hi, customers=False)}


# --- agreement checks --------------------------------------------------------------------------


def cohorts_agree(ours: Any, theirs: dict[str, np.ndarray]) -> bool:
    if not np.array_equal(ours.sizes.to_numpy(dtype=float), theirs["sizes"]):
        return False
    if not _close(ours.active.to_numpy(), theirs["active"], rtol=0.0):
        return False
    shares = ("customer_retention", "revenue_retention", "gross_revenue_retention")
    if not all(_close(getattr(ours, n).to_numpy(), theirs[n], rtol=0, atol=TOL) for n in shares):
        return False
    return _close(ours.revenue.to_numpy(), theirs["revenue"]) and _close(
        ours.gross_revenue.to_numpy(), theirs["gross"]
    )


def rfm_agree(ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    if len(ours) != len(theirs) or not ours.index.isin(theirs.index).all():
        return False
    theirs = theirs.reindex(ours.index)
    same = all(_close(ours[c], theirs[c], rtol=1e-12) for c in ("frequency", "recency", "T"))
    return same and _close(ours["monetary_value"], theirs["monetary_value"])


def monthly_agree(ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    if len(ours) != len(theirs) or not (ours.index == theirs.index).all():
        return False
    counts = ("orders", "active_customers", "new_customers")
    if not all(np.array_equal(ours[c].to_numpy(), theirs[c].to_numpy()) for c in counts):
        return False
    return _close(ours["revenue"], theirs["revenue"])


def headline_agree(ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    for key, value in ours.items():
        other = theirs[key]
        if (value is None) != (other is None):
            return False
        if value is not None and not _close(value, other):
            return False
    return True


# --- steps -------------------------------------------------------------------------------------


def _ratio(ours: float, theirs: float | None) -> float | None:
    return None if theirs is None or theirs <= 0 else ours / theirs


def _step(
    name: str,
    rows: int,
    ours: Callable[[], object],
    theirs: Callable[[], object] | None,
    agree: Callable[[Any, Any], bool] | None,
    *,
    repeat: int,
    memory: bool,
    note: str = "",
    cached: Callable[[], object] | None = None,
) -> Result:
    t_ours, r_ours = timed(ours, repeat)
    t_theirs, ok = None, None
    if theirs is not None:
        t_theirs, r_theirs = timed(theirs, repeat)
        ok = bool(agree(r_ours, r_theirs)) if agree is not None else None
    t_cached = None
    if cached is not None:
        cached()  # fills what is remembered for these frames
        t_cached, r_cached = timed(cached, repeat)
        if theirs is not None and agree is not None:
            ok = ok and bool(agree(r_cached, r_theirs))
    peak = _peak_mb(ours) if memory else None
    return Result(name, rows, t_ours, t_theirs, _ratio(t_ours, t_theirs), ok, peak, note, t_cached)


def _duckdb_available() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def _lifetimes() -> tuple[Any, Any] | None:
    try:
        with warnings.catch_warnings():  # its import sets a pandas option pandas 3 deprecates
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter, GammaGammaFitter
    except Exception:  # an old package may fail on import with pandas 3, not only be missing
        return None
    return BetaGeoFitter, GammaGammaFitter


def run_size(
    rows: int,
    *,
    repeat: int = 3,
    only: Sequence[str] = STEPS,
    xlsx_max: int = XLSX_MAX,
    memory: bool = True,
    log: Callable[[str], None] = print,
) -> list[Result]:
    """Every step of ``only`` at ``rows`` order rows; one Result per step (two for whatif)."""
    from kpi import base, scenario
    from kpi.ingest import load_files
    from kpi.models import fit_bgnbd, fit_gamma_gamma, rfm_summary
    from kpi.retention import cohort_retention

    has_duck = _duckdb_available()
    out: list[Result] = []
    orders, customers = data.tables(rows)
    lo, hi = orders["order_date"].min(), orders["order_date"].max()
    duck = Duck(orders, customers) if has_duck else None
    no_duck = "duckdb not installed" if not has_duck else ""

    def fresh() -> tuple[pd.DataFrame, pd.DataFrame]:
        return orders.copy(deep=False), customers.copy(deep=False)

    if "csv" in only:
        raw = data.orders_frame(rows)
        csv = data.european_csv(raw)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "orders.csv")
            with open(path, "wb") as fh:
                fh.write(csv)

            def ours_csv() -> pd.DataFrame:
                return load_files([("orders.csv", csv)]).tables["orders"]

            def duck_csv() -> pd.DataFrame:
                import duckdb

                sql = (
                    f"SELECT * FROM read_csv('{path}', delim = ';', decimal_separator = ',', "
                    "dateformat = '%d.%m.%Y', header = true)"
                )
                return duckdb.sql(sql).df()

            def csv_agree(a: pd.DataFrame, b: pd.DataFrame) -> bool:
                return (
                    len(a) == len(b) == rows
                    and _close(a["amount"].sum(), b["Amount"].sum())
                    and a["customer_id"].nunique() == b["Customer"].nunique()
                    and (a["order_date"].to_numpy() == b["Date"].to_numpy()).all()
                )

            out.append(
                _step(
                    "CSV read + validate",
                    rows,
                    ours_csv,
                    duck_csv if has_duck else None,
                    csv_agree,
                    repeat=repeat,
                    memory=memory,
                    note=f"{len(csv) / 2**20:.0f} MB file; {no_duck}".rstrip("; "),
                )
            )
        log(_line(out[-1]))

    if "xlsx" in only:
        if rows > xlsx_max:
            log(f"XLSX read + validate: skipped above {xlsx_max:,} rows")
        else:
            book = data.xlsx_bytes(data.orders_frame(rows, seed=8))
            out.append(
                _step(
                    "XLSX read + validate",
                    rows,
                    lambda: load_files([("orders.xlsx", book)]).tables["orders"],
                    None,
                    None,
                    repeat=repeat,
                    memory=memory,
                    note="DuckDB needs its downloaded excel extension",
                )
            )
            log(_line(out[-1]))

    if "cohorts" in only:
        out.append(
            _step(
                "cohort tables (customers + revenue)",
                rows,
                lambda: cohort_retention(fresh()[0], period="month"),
                duck.cohorts if duck else None,
                cohorts_agree,
                repeat=repeat,
                memory=memory,
                note=no_duck,
                cached=lambda: cohort_retention(orders, period="month"),
            )
        )
        log(_line(out[-1]))

    if "rfm" in only:
        out.append(
            _step(
                "frequency/recency/T summary",
                rows,
                lambda: rfm_summary(fresh()[0]),
                duck.rfm if duck else None,
                rfm_agree,
                repeat=repeat,
                memory=memory,
                note=no_duck,
                cached=lambda: rfm_summary(orders),
            )
        )
        log(_line(out[-1]))

    if "monthly" in only:
        out.append(
            _step(
                "monthly KPI table",
                rows,
                lambda: base.revenue_series(*fresh(), period="month", start=lo, end=hi),
                (lambda: duck.monthly(lo, hi, customers=True)) if duck else None,
                monthly_agree,
                repeat=repeat,
                memory=memory,
                note=no_duck,
                cached=lambda: base.revenue_series(
                    orders, customers, period="month", start=lo, end=hi
                ),
            )
        )
        log(_line(out[-1]))

    if "home" in only:

        def ours_home(o: pd.DataFrame | None = None, c: pd.DataFrame | None = None) -> dict:
            if o is None or c is None:
                o, c = fresh()
            now = base.headline(o, c, start=lo, end=hi)
            change = base.headline_change(o, c, start=lo, end=hi, now=now)
            series = base.revenue_series(o, period="month", start=lo, end=hi)
            return {"now": now, "change": change, "series": series}

        def home_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
            before_known = b["before"] is not None
            change_known = any(v is not None for v in a["change"].values())
            return (
                headline_agree(a["now"], b["now"])
                and before_known == change_known
                and monthly_agree(a["series"], b["series"])
            )

        out.append(
            _step(
                "home page numbers",
                rows,
                ours_home,
                (lambda: duck.home(lo, hi)) if duck else None,
                home_agree,
                repeat=repeat,
                memory=memory,
                note=no_duck,
                cached=lambda: ours_home(orders, customers),
            )
        )
        log(_line(out[-1]))

    if "fits" in only:
        n = max(rows // 12, 1_000)
        s = data.synthetic_summary(n, seed=5)
        f, r, t, m = (s[c].to_numpy() for c in ("frequency", "recency", "T", "monetary_value"))

        def ours_fits() -> tuple[float, ...]:
            bg, gg = fit_bgnbd(f, r, t), fit_gamma_gamma(f, m)
            return (bg.r, bg.alpha, bg.a, bg.b, gg.p, gg.q, gg.v)

        lt = _lifetimes()
        theirs_fits = None
        if lt is not None:
            bgf, ggf = lt

            def theirs_fits() -> tuple[float, ...]:
                bg = bgf().fit(s["frequency"], s["recency"], s["T"])
                rep = s[s["frequency"] > 0]
                gg = ggf().fit(rep["frequency"], rep["monetary_value"])
                return (*bg.params_[["r", "alpha", "a", "b"]], *gg.params_[["p", "q", "v"]])

        else:
            log("lifetimes not installed")
        out.append(
            _step(
                "BG/NBD + Gamma-Gamma fits (vs lifetimes)",
                n,
                ours_fits,
                theirs_fits,
                lambda a, b: _close(a, b, rtol=FIT_RTOL),
                repeat=repeat,
                memory=memory,
                note=f"{n:,} customers" + ("" if lt else "; lifetimes not installed"),
            )
        )
        log(_line(out[-1]))

    if "whatif" in only:
        tables = {"orders": orders, "customers": customers}
        out.append(
            _step(
                "what-if baseline",
                rows,
                lambda: scenario.baseline(dict(zip(tables, fresh(), strict=True))),
                None,
                None,
                repeat=repeat,
                memory=memory,
            )
        )
        log(_line(out[-1]))
        b = scenario.baseline(tables)
        levers = scenario.Levers.of(b).changed(churn=b.churn * 0.9, price_change=0.05)
        out.append(
            _step(
                "what-if slider step",
                rows,
                lambda: scenario.outcome(b, levers),
                None,
                None,
                repeat=max(repeat, 20),
                memory=memory,
                note="median of max(repeat, 20) runs",
            )
        )
        log(_line(out[-1]))
    if "pages" in only:
        out += page_runs(rows, repeat=repeat, memory=memory, log=log)
    return out


def page_runs(
    rows: int, *, repeat: int, memory: bool, log: Callable[[str], None] = print
) -> list[Result]:
    """Each page of PAGES run whole in AppTest on ``rows`` orders read from the CSV export.

    Two Results per page: the first run after ``st.cache_data`` is cleared (every number of
    the page computed afresh; the data stays in the session, as after an upload) and the
    median rerun. Peak MB is tracemalloc's over one more full recompute.
    """
    from pathlib import Path

    import streamlit as st
    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    # AppTest runs without a server: Streamlit warns about it on every page; not our news
    streamlit.logger.set_log_level("error")

    from kpi.ingest import load_files

    ds = load_files([("orders.csv", data.european_csv(data.orders_frame(rows)))])
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    out: list[Result] = []
    for title, page in PAGES.items():
        at = AppTest.from_file(app, default_timeout=900)
        at.session_state["dataset"] = ds
        at.run()  # imports and page config, paid once per visitor
        if page != "app.py":
            at.switch_page(page)

        def full(at: AppTest = at) -> None:
            st.cache_data.clear()
            at.run()

        t_full, _ = timed(full, repeat)
        t_rerun, _ = timed(at.run, max(repeat, 3))
        if at.exception:
            raise RuntimeError(f"{title} page failed: {at.exception}")
        peak = _peak_mb(full) if memory else None
        out.append(Result(f"{title} page, full recompute", rows, t_full, peak_mb=peak))
        log(_line(out[-1]))
        out.append(Result(f"{title} page, rerun", rows, t_rerun, note="a widget move"))
        log(_line(out[-1]))
    return out


# --- report ------------------------------------------------------------------------------------

HEADER = (
    f"{'step':<42}{'rows':>12}{'ours (s)':>11}{'cached':>9}{'DuckDB (s)':>12}{'ratio':>8}"
    f"{'agree':>7}{'peak MB':>9}  note"
)


def _num(value: float | None, width: int, digits: int) -> str:
    return (
        f"{'-':>{width}}" if value is None or math.isnan(value) else f"{value:>{width}.{digits}f}"
    )


def _line(r: Result) -> str:
    agree = "-" if r.agree is None else ("yes" if r.agree else "NO")
    return (
        f"{r.step:<42}{r.rows:>12,}{_num(r.ours, 11, 4)}{_num(r.cached, 9, 4)}"
        f"{_num(r.duckdb, 12, 4)}{_num(r.ratio, 8, 2)}{agree:>7}{_num(r.peak_mb, 9, 0)}  {r.note}"
    )


def table(results: Sequence[Result]) -> str:
    return "\n".join([HEADER, *(_line(r) for r in results)])


def main(argv: Sequence[str] | None = None) -> list[Result]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="order rows, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=",".join(STEPS), help=f"steps of {', '.join(STEPS)}")
    parser.add_argument("--xlsx-max", type=int, default=XLSX_MAX)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--json", help="write the results to this JSON file")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(STEPS))
    if unknown:
        parser.error(f"unknown step {', '.join(unknown)}; choose from {', '.join(STEPS)}")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    if not _duckdb_available():
        print("duckdb not installed: our steps only (pip install -r requirements-bench.txt)")
    results: list[Result] = []
    print(HEADER, flush=True)
    for rows in sizes:
        results += run_size(
            rows,
            repeat=args.repeat,
            only=only,
            xlsx_max=args.xlsx_max,
            memory=not args.no_memory,
            log=lambda line: print(line, flush=True),
        )
    layout_rows = []
    if "layouts" in only and _duckdb_available():
        from bench import layouts

        print("\n" + layouts.HEADER, flush=True)
        for rows in sizes:
            layout_rows += layouts.run(
                rows,
                xlsx_rows=(min(rows, args.xlsx_max),),
                repeat=args.repeat,
                report=True,
                log=lambda line: print(line, flush=True),
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nmedian of {args.repeat} runs; peak resident memory of the process {peak:,.0f} MB")
    print("\n" + table(results))
    if layout_rows:
        print("\n" + layouts.table(layout_rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "repeat": args.repeat,
                    "max_rss_mb": peak,
                    "results": [asdict(r) for r in results],
                },
                fh,
                indent=2,
            )
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
