"""Every KPI family at once: what the command line prints and the app's shared report holds.

The flow is read, then reduce, then compute the KPIs, then show them. The tables come read
and mapped (:mod:`kpi.ingest`); :func:`analysis` then builds the in-memory reductions of the
orders once (:class:`kpi.reduce.Reductions`: customer codes, acquisition dates, last order
days, revenue types, each computed on first use) and hands the same object to every family's
``section`` as ``reductions=``, so no family derives the per-customer facts again; each
section computes its KPIs from them and from the tables; the command line and the pages show
the merged :class:`kpi.report.Section`. Tables too large for memory, or living in a
database, take the same path through :mod:`kpi.engines`, whose reductions are SQL.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from kpi import acquisition, base, retention, revenue, satisfaction, support, team, value
from kpi.errors import KpiError
from kpi.reduce import Reductions
from kpi.report import Section, Settings, assumption

# The KPI families, in the order of KPI_CATALOGUE.md; each module has ``section()``.
FAMILIES = (base, acquisition, revenue, retention, value, satisfaction, support, team)
BESIDE = (value,)
"""With ``workers=2``, the families computed in a second thread while this one computes the
others: the model fits spend their time in numpy and scipy.special, outside the interpreter
lock, on arrays of their own."""
TURNOVER_WINDOW_MONTHS = 12
"""Without a start date, employee turnover covers the twelve months up to the end."""


def _takes(module, name: str) -> bool:
    return name in inspect.signature(module.section).parameters


def analysis(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
    settings: Settings | None = None,
    families: tuple | None = None,
    workers: int = 1,
) -> Section:
    """Every KPI of every family the data supports, merged into one Section.

    A family that cannot run at all (its table absent) adds a warning instead of its keys.
    ``settings`` (what the user set) goes to every family whose ``section`` takes it; each
    family reports the defaults it used under ``assumptions``. ``families`` (default: all of
    FAMILIES) limits the work to those modules, for the command line's ``--only``.

    The orders' reductions are built here, once, and passed to every family whose
    ``section`` takes ``reductions``: read, reduce, then compute.

    ``workers=2`` (the command line) computes the :data:`BESIDE` families in a second thread
    while this one computes the others; the sections are merged in the same order, so the
    result is the same. The default, one, computes every family in this thread, as the app
    does.
    """
    settings = settings or Settings()
    reductions = Reductions.of(tables)
    modules = FAMILIES if families is None else families

    def part(module) -> Section:
        options: dict[str, object] = {"settings": settings} if _takes(module, "settings") else {}
        if reductions is not None and _takes(module, "reductions"):
            options["reductions"] = reductions
        try:
            return module.section(tables, start=start, end=end, period=period, **options)
        except KpiError as exc:
            return Section(warnings=[f"{module.__name__.split('.')[-1]}: {exc}"])

    beside = [m for m in modules if m in BESIDE] if workers > 1 and len(modules) > 1 else []
    if beside:
        _shared(tables, reductions)
        # the pool's thread is joined when the block ends, also when a family here raises
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpi-analysis") as pool:
            futures = {m: pool.submit(part, m) for m in beside}
            parts = {m: part(m) for m in modules if m not in futures}
            parts.update((m, f.result()) for m, f in futures.items())
    else:
        parts = {m: part(m) for m in modules}
    result = Section()
    for module in modules:
        result = result.merge(parts[module])
    return result.merge(_turnover(tables, start, end, settings))


def _shared(tables: Mapping[str, pd.DataFrame], reductions: Reductions | None) -> None:
    """Build, in this thread, what both threads of :func:`analysis` read and pandas builds on
    first use: the orders' customer codes, and the hash tables of the tables' column names
    and of the customer ids (pandas fills a numeric index's table outside the interpreter
    lock, so a second thread could look up in a half-filled one)."""
    for frame in tables.values():
        if len(frame.columns):
            frame.columns.get_loc(frame.columns[0])
    if reductions is not None:
        ids = reductions.codes.ids
        if len(ids):
            ids.get_indexer(ids[:1])


def _turnover(
    tables: Mapping[str, pd.DataFrame],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    settings: Settings,
) -> Section:
    """Employee turnover over the user's window when the range has no start (the team
    section's own default is twelve months), and the window as an assumption."""
    employees = tables.get("employees")
    if employees is None or "leave_date" not in employees.columns or start is not None:
        return Section()
    months = settings.turnover_window_months
    source = "default" if months is None else "user"
    months = TURNOVER_WINDOW_MONTHS if months is None else int(months)
    out = Section(assumptions={"turnover_window_months": assumption(months, source)})
    if source == "user":
        dates = [employees[c].max() for c in ("hire_date", "leave_date") if c in employees]
        last = pd.Timestamp(end) if end is not None else max(d for d in dates if pd.notna(d))
        first = last - pd.DateOffset(months=months) + pd.Timedelta(days=1)
        try:
            out.kpis["employee_turnover_rate"] = team.employee_turnover_rate(
                employees, start=first, end=last
            )
        except KpiError as exc:
            out.warnings.append(f"employee_turnover_rate: {exc}")
    return out
