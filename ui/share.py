"""The whole analysis outside the app: one XLSX workbook and one self-contained HTML report.

Both are built from :func:`kpi.analysis.analysis` on the filtered tables, so they hold the
numbers of the view they were made from, and both say which filters (and what-if scenario)
made them and when. Nothing here imports Streamlit: the frame offers the files as downloads
built on click.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kpi.analysis import analysis
from kpi.export import neutralise
from kpi.labels import label
from kpi.report import Section
from ui import format as fmt
from ui.charts import _layout

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


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(breakdown, value) pairs of a KPI value; nested maps (``complaints_by``: dimension,
    value, count) give one pair per leaf, their labels joined with " · "."""
    if not isinstance(value, Mapping):
        return [(path, value)]
    out: list[tuple[str, Any]] = []
    for part, v in value.items():
        out += _leaves(v, f"{path} · {part}" if path else str(part))
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
        for part, v in _leaves(value):
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
            neutralise(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def _about(settings: Mapping[str, str], made_at: dt.datetime | None) -> pd.DataFrame:
    made = (made_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    rows = [("Made", made), *settings.items()]
    return pd.DataFrame(rows, columns=["Setting", "Value"])


def _series_figure(key: str, values: Mapping[str, Any], currency: str | None) -> go.Figure:
    name, unit = label(key)
    periods = sorted(values)
    ys = [values[p] for p in periods]
    fig = go.Figure(go.Scatter(x=periods, y=ys, mode="lines+markers", name=name))
    axis = {
        "money": f"{name} ({currency or 'money'})",
        "share": f"{name} (%)",
        "hours": f"{name} (hours)",
        "points": f"{name} (points)",
    }.get(unit, name)
    if unit == "share":
        fig.update_yaxes(tickformat=".0%")
    fig.update_xaxes(title_text="Period", type="category")
    fig.update_yaxes(title_text=axis)
    return _layout(fig, title=name, height=320)


def _cohort_figure(name: str, cohort: Mapping[str, list[Any]]) -> go.Figure:
    labels = sorted(cohort)
    width = max((len(v) for v in cohort.values()), default=0)
    z = [[*cohort[c], *[None] * (width - len(cohort[c]))] for c in labels]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(width)),
            y=labels,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            hovertemplate="Cohort %{y}, period %{x}: %{z:.0%}<extra></extra>",
            colorbar={"tickformat": ".0%"},
        )
    )
    fig.update_xaxes(title_text="Periods since first order")
    fig.update_yaxes(title_text="Cohort", autorange="reversed", type="category")
    return _layout(fig, title=label(name)[0], height=520)


def report_html(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    period: str,
    currency: str | None,
    settings: Mapping[str, str],
    made_at: dt.datetime | None = None,
) -> str:
    """A self-contained HTML report: settings, KPI cards, every series and cohort as an
    interactive Plotly chart (PNG export kept in each chart's toolbar), and the warnings.

    Plotly's script is embedded once, so the file opens offline in any browser. Every text
    from the data is escaped.
    """
    section = analysis(tables, start=start, end=end, period=period)
    made = (made_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    esc = html.escape
    cards = []
    for _key, name, part, _raw, shown in kpi_rows(section, currency).itertuples(
        index=False, name=None
    ):
        title = name + (f" · {part.replace('_', ' ')}" if part else "")
        cards.append(
            f'<div class="card"><div class="name">{esc(title)}</div>'
            f'<div class="value">{esc(shown)}</div></div>'
        )
    figures = [_series_figure(k, v, currency) for k, v in section.series.items() if v]
    figures += [_cohort_figure(k, v) for k, v in section.cohorts.items() if v]
    charts = []
    for i, fig in enumerate(figures):
        charts.append(
            fig.to_html(
                full_html=False,
                include_plotlyjs="inline" if i == 0 else False,
                config={"displaylogo": False, "toImageButtonOptions": {"format": "png"}},
            )
        )
    setting_rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in settings.items()
    )
    warnings = "".join(f"<li>{esc(w)}</li>" for w in section.warnings)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Customer KPI report, {esc(fmt.day(start))} – {esc(fmt.day(end))}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px;
       color: #1f2430; padding: 0 1rem; }}
h1 {{ margin-bottom: 0.2rem; }} .made {{ color: #666; margin-top: 0; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ text-align: left; padding: 0.25rem 1rem 0.25rem 0; }} th {{ color: #555; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr));
          gap: 0.75rem; }}
.card {{ border: 1px solid #dde1e8; border-radius: 8px; padding: 0.75rem; }}
.name {{ color: #555; font-size: 0.85rem; }} .value {{ font-size: 1.4rem; margin-top: 0.3rem; }}
</style></head><body>
<h1>Customer KPI report</h1>
<p class="made">Made {esc(made)} with Customer KPI Explorer.</p>
<h2>What this report shows</h2><table>{setting_rows}</table>
<h2>KPIs</h2><div class="cards">{"".join(cards)}</div>
<h2>Over time</h2>{"".join(charts) or "<p>No per-period values for this data.</p>"}
{f"<h2>Notes</h2><ul>{warnings}</ul>" if warnings else ""}
</body></html>
"""
