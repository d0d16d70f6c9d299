"""The whole analysis outside the app as one XLSX workbook (the HTML report is ui.report).

Built from :func:`kpi.analysis.analysis` on the filtered tables, so it holds the numbers of
the view it was made from, and says which filters (and what-if scenario) made it and when.
Nothing here imports Streamlit: the frame offers the file as a download built on click.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kpi.analysis import analysis
from kpi.export import neutralise
from kpi.labels import label
from kpi.report import Section
from ui import format as fmt

TABLE_ORDER = (
    "orders", "customers", "leads", "spend", "surveys", "tickets", "touches", "employees",
    "cashflow",
)  # fmt: skip


def value_text(value: Any, unit: str, currency: str | None) -> str:
    """A KPI value as people read it, with its unit.

    >>> value_text(0.3966, "share", "EUR"), value_text(27.5, "hours", None)
    ('39.7 %', '27.5 h')
    """
    if value is None:
        return fmt.DASH
    if isinstance(value, str):
        return value.capitalize()
    if unit == "money":
        return fmt.money(value, currency)
    if unit == "share":
        return fmt.percent(value)
    if unit == "count":
        return fmt.number(value)
    if unit == "points":
        return fmt.points(value)
    if unit == "hours":
        return fmt.hours(value)
    if unit == "months":
        return fmt.months(value)
    if unit == "ratio":
        return fmt.ratio(value)
    return fmt.number(value, 2)


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(breakdown, value) pairs of a KPI value; nested maps (``complaints_by``: dimension,
    value, count) give one pair per leaf, their labels joined with " · "."""
    if not isinstance(value, Mapping):
        return [(path, value)]
    out: list[tuple[str, Any]] = []
    for part, v in value.items():
        out += leaves(v, f"{path} · {part}" if path else str(part))
    return out


def kpi_rows(section: Section, currency: str | None) -> pd.DataFrame:
    """One row per KPI (a keyed KPI gives a row per label): key, KPI, breakdown, value, shown.

    >>> s = Section(kpis={"complaints_by": {"type": {"billing": {"total": 2}}}})
    >>> kpi_rows(s, "EUR")[["Breakdown", "Shown as"]].values.tolist()
    [['type · billing · total', '2']]
    """
    rows = []
    period = section.kpis.get("churn_period")
    for key, value in section.kpis.items():
        name, unit = label(key, period=period if isinstance(period, str) else None)
        for part, v in leaves(value):
            shown = value_text(v, unit, currency)
            raw = v if isinstance(v, int | float) and not isinstance(v, bool) else None
            rows.append((key, name, str(part), raw, shown))
    return pd.DataFrame(rows, columns=["key", "KPI", "Breakdown", "Value", "Shown as"])


def series_frame(section: Section) -> pd.DataFrame:
    """Per-period values, one column per KPI key, periods in order."""
    frame = pd.DataFrame({key: pd.Series(values) for key, values in section.series.items()})
    frame.index.name = "Period"
    return frame.sort_index()


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: str,
    currency: str | None,
    settings: Mapping[str, str],
    made_at: dt.datetime | None = None,
) -> bytes:
    """An XLSX workbook: how it was made, the KPIs, the series, cohorts, and every table.

    Text cells that could run as formulas are neutralised (:func:`kpi.export.neutralise`)
    and strings are never read as formulas.
    """
    section = analysis(tables, start=start, end=end, period=period)
    sheets: list[tuple[str, pd.DataFrame]] = [
        ("About", _about(settings, made_at)),
        ("KPIs", kpi_rows(section, currency)),
        ("Series", series_frame(section).reset_index()),
    ]
    for name, cohort in section.cohorts.items():
        frame = pd.DataFrame.from_dict(cohort, orient="index")
        frame.columns = [f"Period {i}" for i in frame.columns]
        sheets.append((label(name)[0][:31], frame.rename_axis("Cohort").reset_index()))
    if section.warnings:
        sheets.append(("Warnings", pd.DataFrame({"Warning": section.warnings})))
    for name in TABLE_ORDER:
        if name in tables:
            sheets.append((f"Table {name}", tables[name]))
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False}}
    ) as writer:
        for sheet, frame in sheets:
            safe = neutralise(frame)
            if sheet == "KPIs":
                # "Shown as" is our own formatting ("+34", "-2.1 %"), never text from the data,
                # and strings are never read as formulas here: no apostrophe in front of it.
                safe["Shown as"] = frame["Shown as"]
            safe.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def _about(settings: Mapping[str, str], made_at: dt.datetime | None) -> pd.DataFrame:
    made = (made_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    rows = [("Made", made), *settings.items()]
    return pd.DataFrame(rows, columns=["Setting", "Value"])
