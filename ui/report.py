"""The offline HTML report: the whole analysis of the view as one self-contained page.

Built from :func:`kpi.analysis.analysis` on the filtered tables, like the XLSX workbook in
:mod:`ui.share`, so both hold the numbers of the view they were made from. Nothing here
imports Streamlit: the frame offers the file as a download built on click.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kpi.analysis import analysis
from kpi.labels import label
from ui import format as fmt
from ui.charts import _layout
from ui.share import kpi_rows


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
