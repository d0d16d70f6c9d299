"""The offline HTML report: the whole analysis of the view as a board pack in one file.

Built from the same ``section()`` of every KPI family that :func:`kpi.analysis.analysis`
merges (and the XLSX workbook of :mod:`ui.share` holds), so both files carry the numbers of the
view they were made from. The report follows the app's pages: a section per page with its
KPI cards grouped (breakdowns in one card, the NPS with its ± margin, the period each number
covers) and its charts drawn for an A4 page as well as a screen; model parameters go to an
appendix. Plotly's library is written into the file once: it opens offline, fetching nothing.
Nothing here imports Streamlit: the frame offers the file as a download built on click.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kpi import acquisition, base, retention, revenue, satisfaction, support, team, value
from kpi.errors import KpiError
from kpi.labels import label
from kpi.periods import PERIOD_LABELS
from kpi.report import Section
from ui import format as fmt
from ui.charts import FONT, PALETTE, partial_last_period
from ui.share import leaves, value_text

# The report's sections, in the order of the app's pages (Home first; What-if has no KPIs of
# its own, and Data none at all).
PAGES: tuple[tuple[str, ModuleType], ...] = (
    ("Overview", base),
    ("Acquisition", acquisition),
    ("Revenue", revenue),
    ("Retention", retention),
    ("Value", value),
    ("Satisfaction", satisfaction),
    ("Support", support),
    ("Team", team),
)

# Fitted model parameters: kept, but in the appendix, not among the business KPIs.
MODEL_PARAMETERS = {
    "sbg_alpha": "Shifted-beta-geometric churn model, alpha (heterogeneity of churn rates).",
    "sbg_beta": "Shifted-beta-geometric churn model, beta (with alpha, mean churn "
    "alpha / (alpha + beta)).",
}
# A KPI whose 95 % margin of error is a KPI of its own is shown as "value ± margin".
MARGINS = {"nps": "nps_margin_of_error"}
# KPIs measured at the last day of the range, not over it.
AT_END = {"open_tickets", "inactive_customers", "net_cash"}
# KPIs that describe customers acquired in the range over their lifetime.
LIFETIME = {
    "ltv_simple", "clv_visit", "clv_purchase", "ltv_profit", "ltv_retention", "clv_model_mean",
    "ltv_to_cac", "cac_payback_months", "median_customer_lifetime",
}  # fmt: skip

A4_WIDTH_PX = 700  # 210 mm less 2 x 12 mm margins, at 96 px per inch: the charts' width in print


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its heading, a sentence under it and the figure."""

    title: str
    note: str
    figure: go.Figure


def _shown(value: Any, unit: str, currency: str | None) -> str:
    if unit == "score" and isinstance(value, int | float) and not isinstance(value, bool):
        return fmt.number(value, 2)
    return value_text(value, unit, currency)


def _period_text(key: str, start: pd.Timestamp, end: pd.Timestamp) -> str:
    if key in AT_END:
        return f"On {fmt.day(end)}"
    if key in LIFETIME:
        return f"Customers acquired {fmt.day(start)} – {fmt.day(end)}"
    return f"{fmt.day(start)} – {fmt.day(end)}"


def _axis_layout(fig: go.Figure, *, height: int) -> go.Figure:
    """Room for every tick label and axis title: nothing clipped, nothing overlapping."""
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 16, "t": 8, "b": 8},
        font={"family": FONT, "size": 12, "color": "#1f2430"},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
    )
    fig.update_xaxes(
        automargin=True, showgrid=False, linecolor="#999", ticks="outside", title_standoff=8
    )
    fig.update_yaxes(automargin=True, gridcolor="#E6E6E6", zeroline=False, title_standoff=8)
    return fig


def _unit_axis(fig: go.Figure, unit: str, currency: str | None) -> str:
    """Tick format for ``unit``; returns the unit words for the axis title."""
    sym = fmt.currency_symbol(currency) if currency else ""
    if unit == "share":
        fig.update_yaxes(tickformat=".0%")
        return "%"
    if unit == "money":
        fig.update_yaxes(tickformat="~s", tickprefix=f"{sym} " if sym else "")
        return currency or "money"
    fig.update_yaxes(tickformat="~s")
    return {"hours": "hours", "points": "points", "months": "months"}.get(unit, "")


def _series_chart(
    key: str, values: Mapping[str, Any], *, period: str, partial: str | None, currency: str | None
) -> Chart:
    name, unit = label(key)
    periods = sorted(values)
    ys = [values[p] for p in periods]
    fig = go.Figure(
        go.Scatter(
            x=periods,
            y=ys,
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2},
            marker={"size": 5},
            connectgaps=False,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    note = f"{name} per {PERIOD_LABELS[period].lower()}."
    if partial is not None and periods and periods[-1] == partial:
        # The range ends inside its last period: that point covers part of it only, so it is
        # drawn apart (hollow, dotted) instead of reading as a collapse.
        fig.data[0].update(x=periods[:-1], y=ys[:-1])
        fig.add_trace(
            go.Scatter(
                x=periods[-2:] if len(periods) > 1 else periods,
                y=ys[-2:] if len(ys) > 1 else ys,
                mode="lines+markers",
                line={"color": PALETTE[0], "width": 2, "dash": "dot"},
                marker={"size": 8, "symbol": "circle-open"},
                hovertemplate="%{x} (partial): %{y}<extra></extra>",
            )
        )
        note += f" The last one, {partial}, is partial: the range ends within it."
    words = _unit_axis(fig, unit, currency)
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category", nticks=12)
    # The chart's heading names the KPI; the axis says the unit (a long name would be cut).
    fig.update_yaxes(title_text=words or (name if len(name) <= 22 else ""))
    return Chart(name, note, _axis_layout(fig, height=300))


def _cohort_chart(name: str, cohort: Mapping[str, list[Any]]) -> Chart:
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
            colorbar={"tickformat": ".0%", "thickness": 12},
        )
    )
    fig.update_xaxes(title_text="Periods since first order")
    fig.update_yaxes(title_text="Cohort (first order)", autorange="reversed", type="category")
    title = label(name)[0]
    note = "Share of each cohort still buying (or of its first-period revenue) each period after."
    return Chart(title, note, _axis_layout(fig, height=max(320, 14 * len(labels) + 90)))


def _value_curve_chart(cohort: Mapping[str, list[Any]], currency: str | None) -> Chart:
    ys = cohort.get("all", [])
    fig = go.Figure(
        go.Scatter(
            x=list(range(len(ys))),
            y=ys,
            mode="lines+markers",
            line={"color": PALETTE[2], "width": 2},
            marker={"size": 5},
            hovertemplate="Month %{x}: %{y:,.0f}<extra></extra>",
        )
    )
    words = _unit_axis(fig, "money", currency)
    fig.update_xaxes(title_text="Months since acquisition", nticks=12)
    fig.update_yaxes(title_text=f"Per customer ({words})")
    note = (
        "Cumulative gross profit per acquired customer, month by month after the first order; "
        "it pays back the acquisition cost where it crosses CAC."
    )
    return Chart("Value curve", note, _axis_layout(fig, height=300))


def _first_upper(text: str) -> str:
    """``"employee · Ann"`` -> ``"Employee · Ann"``: names from the data keep their case."""
    return text[:1].upper() + text[1:]


def _cards(section: Section, currency: str | None, start: pd.Timestamp, end: pd.Timestamp) -> str:
    esc = html.escape
    shown_margins = set(MARGINS.values())
    out = []
    period = section.kpis.get("churn_period")
    for key, got in section.kpis.items():
        if key in MODEL_PARAMETERS or key in shown_margins:
            continue
        name, unit = label(key, period=period if isinstance(period, str) else None)
        when = _period_text(key, start, end)
        if isinstance(got, Mapping):
            rows = "".join(
                f"<tr><th>{esc(_first_upper(str(part).replace('_', ' ')))}</th>"
                f"<td>{esc(_shown(v, unit, currency))}</td></tr>"
                for part, v in leaves(got)
            )
            body = f'<table class="parts">{rows}</table>' if rows else f"<p>{fmt.DASH}</p>"
            out.append(
                f'<div class="card wide"><div class="name">{esc(name)}</div>{body}'
                f'<div class="when">{esc(when)}</div></div>'
            )
            continue
        shown = _shown(got, unit, currency)
        margin = section.kpis.get(MARGINS.get(key, ""))
        if margin is not None and got is not None:
            shown += f" ± {fmt.number(margin)}"
            when += " · ± is the 95 % margin of error"
        out.append(
            f'<div class="card"><div class="name">{esc(name)}</div>'
            f'<div class="value">{esc(shown)}</div><div class="when">{esc(when)}</div></div>'
        )
    return f'<div class="cards">{"".join(out)}</div>' if out else ""


def _family(module: ModuleType, tables: Mapping[str, pd.DataFrame], **args: Any) -> Section:
    # The same call and the same fallback as kpi.analysis.analysis, kept per family.
    try:
        return module.section(tables, **args)
    except KpiError as exc:
        return Section(warnings=[str(exc)])


def _charts(
    section: Section, *, period: str, partial: str | None, currency: str | None
) -> list[Chart]:
    charts = [
        _series_chart(k, v, period=period, partial=partial, currency=currency)
        for k, v in section.series.items()
        if any(x is not None for x in v.values())
    ]
    for name, cohort in section.cohorts.items():
        if not cohort:
            continue
        if name == "value_curve":
            charts.append(_value_curve_chart(cohort, currency))
        else:
            charts.append(_cohort_chart(name, cohort))
    return charts


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 960px;
       color: #1f2430; padding: 0 1rem; line-height: 1.35; }
h1 { margin-bottom: 0.2rem; } .made { color: #666; margin-top: 0; }
h2 { margin-top: 2.2rem; border-bottom: 2px solid #2F6FED; padding-bottom: 0.2rem; }
h3 { margin: 1.4rem 0 0.1rem; font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { text-align: left; padding: 0.2rem 1rem 0.2rem 0; vertical-align: top; }
th { color: #555; font-weight: 600; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
         grid-auto-flow: row dense; gap: 0.6rem; margin: 0.8rem 0; }
.card { border: 1px solid #dde1e8; border-radius: 8px; padding: 0.6rem 0.75rem;
        break-inside: avoid; overflow-wrap: anywhere; }
.card.wide { grid-column: span 2; }
.name { color: #444; font-size: 0.85rem; font-weight: 600; }
.value { font-size: 1.35rem; margin-top: 0.2rem; }
.when { color: #777; font-size: 0.75rem; margin-top: 0.3rem; }
table.parts { margin: 0.3rem 0 0; font-size: 0.9rem; }
table.parts th { font-weight: 400; color: #333; padding-right: 1.5rem; }
table.parts td { font-variant-numeric: tabular-nums; text-align: right; }
.chart { break-inside: avoid; margin: 0.6rem 0 1.4rem; }
.chart p { color: #555; font-size: 0.85rem; margin: 0 0 0.3rem; }
.notes { color: #555; font-size: 0.9rem; }
nav ol { columns: 2; }
@page { size: A4; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
  section { break-before: page; } nav { break-after: page; }
  .card.wide { grid-column: span 2; }
}
"""

# Plotly sizes each chart to its box once; the print layout is narrower than the screen, so
# every chart is redrawn to the page's width before printing (and back after).
_RESIZE = """<script>
(function () {
  function fit() { document.querySelectorAll('.js-plotly-plot').forEach(function (g) {
    if (window.Plotly) { Plotly.Plots.resize(g); } }); }
  window.addEventListener('beforeprint', fit); window.addEventListener('afterprint', fit);
  if (window.matchMedia) { window.matchMedia('print').addEventListener('change', fit); }
})();
</script>"""


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
    """A self-contained HTML board pack: settings, then a section per page of the app with
    its KPI cards and charts, the notes, and the model parameters in an appendix.

    Each chart is an interactive Plotly chart (PNG export kept in its toolbar). Plotly's
    script is embedded once, so the file opens offline in any browser. Every text from the
    data is escaped.
    """
    esc = html.escape
    made = (made_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    args = {"start": start, "end": end, "period": period}
    partial = partial_last_period(end, period)
    sections: list[str] = []
    nav: list[str] = []
    parameters: list[str] = []
    first_chart = True
    for i, (title, module) in enumerate(PAGES):
        part = _family(module, tables, **args)
        for key in MODEL_PARAMETERS:
            if part.kpis.get(key) is not None:
                parameters.append(
                    f"<tr><th>{esc(label(key)[0])}</th><td>{fmt.number(part.kpis[key], 3)}</td>"
                    f"<td>{esc(MODEL_PARAMETERS[key])}</td></tr>"
                )
        cards = _cards(part, currency, start, end)
        blocks = []
        for chart in _charts(part, period=period, partial=partial, currency=currency):
            plot = chart.figure.to_html(
                full_html=False,
                include_plotlyjs="inline" if first_chart else False,
                default_width="100%",
                config={
                    "displaylogo": False,
                    "responsive": True,
                    "toImageButtonOptions": {"format": "png"},
                },
            )
            first_chart = False
            blocks.append(
                f'<div class="chart"><h3>{esc(chart.title)}</h3><p>{esc(chart.note)}</p>'
                f"{plot}</div>"
            )
        notes = "".join(f"<li>{esc(w)}</li>" for w in part.warnings)
        if not cards and not blocks and not notes:
            continue
        anchor = f"s{i}"
        nav.append(f'<li><a href="#{anchor}">{esc(title)}</a></li>')
        sections.append(
            f'<section id="{anchor}"><h2>{esc(title)}</h2>{cards}{"".join(blocks)}'
            + (f'<ul class="notes">{notes}</ul>' if notes else "")
            + "</section>"
        )
    if parameters:
        nav.append('<li><a href="#appendix">Appendix: model parameters</a></li>')
        sections.append(
            '<section id="appendix"><h2>Appendix: model parameters</h2>'
            "<p>Fitted parameters behind the model-based numbers above, for the analyst.</p>"
            f"<table>{''.join(parameters)}</table></section>"
        )
    setting_rows = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in settings.items()
    )
    body = "".join(sections) or "<p>No KPI could be computed from these tables.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer KPI report, {esc(fmt.day(start))} – {esc(fmt.day(end))}</title>
<style>{_STYLE}</style></head><body>
<h1>Customer KPI report</h1>
<p class="made">{esc(fmt.day(start))} – {esc(fmt.day(end))}. Made {esc(made)} with Customer
KPI Explorer.</p>
<nav><h2>What this report shows</h2><table>{setting_rows}</table>
<ol>{"".join(nav)}</ol></nav>
{body}
{_RESIZE}
</body></html>
"""
