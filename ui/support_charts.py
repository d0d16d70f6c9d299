"""Figures of the Support and Team pages: data in, ``go.Figure`` out. No streamlit here.

Each builder takes a table of :mod:`kpi.support`, :mod:`kpi.team` or :mod:`kpi.staffing` as
it is returned (documented there) and draws it in the house style of :mod:`ui.charts`.
Shares stay fractions in the data (``fig.data[i].y`` is 0-1) and are shown as percentages by
the axis and hover formats; durations are hours (working hours when the page says so). A
period or group without tickets has 0 (counts) or NaN (rates) and draws no bar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kpi.periods import PERIOD_LABELS, period_labels
from kpi.schema import normalise
from kpi.staffing import WEEKDAYS
from ui.charts import PALETTE, _layout

WEEKDAY_NAMES = dict(
    zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                   "Sunday"), strict=True)
)  # fmt: skip
MEASURE_NAMES = {"first_response": "first response", "resolution": "resolution"}
COMPLAINT_PARTS = {
    "resolved": "Resolved",
    "open": "Still open",
    "closed": "Closed, no resolution time",
}
_PALE = "#A9C1F5"


def _hours_unit(working: bool) -> str:
    return "Working hours" if working else "Hours"


def _labels(index: pd.Index, period: str) -> list[str]:
    return period_labels(index, period)  # type: ignore[arg-type]


def label(name: object) -> str:
    """A name from the user's file as plotly shows it literally: plotly reads ``<b>``, ``<a>``
    and entities in text, so ``&``, ``<`` and ``>`` are written as entities.

    >>> label("<b>Ana</b> & co")
    '&lt;b&gt;Ana&lt;/b&gt; &amp; co'
    """
    return str(name).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def hour_label(hour: int) -> str:
    """``9`` -> ``09:00-10:00``, the slot of an hour of the day."""
    return f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"


# --------------------------------------------------------------------------------------------
# Support


def time_distribution_chart(table: pd.DataFrame, *, measure: str, working: bool) -> go.Figure:
    """Tickets per duration bin as bars, with the share of measured tickets in the hover.

    ``table``: :func:`kpi.support.time_distribution` (index bin label, columns ``tickets``
    and ``share``); ``measure`` first_response or resolution. ``y`` is the ticket count, an
    empty bin a zero bar.
    """
    what = MEASURE_NAMES[measure]
    fig = go.Figure(
        go.Bar(
            x=[str(b) for b in table.index],
            y=table["tickets"].to_numpy(dtype="int64"),
            name="Tickets",
            marker_color=PALETTE[0] if measure == "first_response" else PALETTE[5],
            customdata=table["share"].to_numpy(dtype="float64"),
            hovertemplate="%{x}: %{y:,} tickets (%{customdata:.1%})<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=f"{_hours_unit(working)} to {what}", type="category")
    fig.update_yaxes(title_text="Tickets", tickformat=",d", rangemode="tozero")
    return _layout(fig, height=320)


# Ticket priorities in their natural order, most urgent first, in the app's eight languages
# (compared after kpi.schema.normalise: lower case, accents off, "wysoki"/"Высокий"/"élevée").
PRIORITY_RANK = {
    normalise(name): rank
    for rank, names in enumerate(
        (("critical", "blocker", "p1", "критический", "критичный", "krytyczny", "critic",
          "critica", "kriticno", "kriticna", "kritisch", "critique", "critico"),
         ("urgent", "highest", "p2", "срочный", "наивысший", "pilny", "najwyzszy", "urgenta",
          "nujno", "nujna", "dringend", "hochste", "urgente", "tres haute", "muy alta"),
         ("high", "p3", "высокий", "wysoki", "ridicata", "ridicat", "mare", "visoka", "visok",
          "hoch", "haute", "haut", "elevee", "eleve", "alta", "alto"),
         ("medium", "normal", "p4", "средний", "обычный", "нормальный", "sredni", "normalny",
          "medie", "mediu", "srednja", "srednji", "normalna", "mittel", "moyenne", "moyen",
          "normale", "media", "medio"),
         ("low", "p5", "низкий", "niski", "scazuta", "scazut", "mica", "nizka", "nizek",
          "niedrig", "basse", "bas", "faible", "baja", "bajo"),
         ("lowest", "minor", "trivial", "самый низкий", "najnizszy", "niedrigste",
          "tres basse", "muy baja"))
    )
    for name in names
}  # fmt: skip


def _priority(key: object) -> int | None:
    return PRIORITY_RANK.get(normalise(key))


def sla_by_chart(tables: dict[str, pd.DataFrame], *, dimension: str) -> go.Figure:
    """SLA compliance per group (priority ...), one bar trace per target.

    ``tables``: trace name ("First response within 24 h") to a
    :func:`kpi.support.sla_compliance_by` table. ``y`` is the compliance (0-1, NaN where no
    ticket was judged); the hover adds met and judged counts.
    """
    traces = []
    for i, (name, table) in enumerate(tables.items()):
        judged = (table["met"] + table["missed"]).to_numpy(dtype="int64")
        traces.append(
            go.Bar(
                x=[label(k) for k in table.index],
                y=table["compliance"].to_numpy(dtype="float64"),
                name=name,
                marker_color=PALETTE[i % len(PALETTE)],
                customdata=list(zip(table["met"].tolist(), judged.tolist(), strict=True)),
                hovertemplate=f"%{{x}}<br>{name}: %{{y:.1%}}"
                " (%{customdata[0]:,} of %{customdata[1]:,} tickets)<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=dimension, type="category")
    keys = [k for table in tables.values() for k in table.index]
    if keys and all(_priority(k) is not None for k in keys):
        # priorities read from the most urgent down, not alphabetically (high, low, medium)
        ordered = sorted(dict.fromkeys(keys), key=_priority)
        fig.update_xaxes(categoryorder="array", categoryarray=[label(k) for k in ordered])
    fig.update_yaxes(title_text="Share within target", tickformat=".0%", range=[0, 1])
    return _layout(fig, height=320, span=1)


def backlog_chart(table: pd.DataFrame, *, period: str) -> go.Figure:
    """Open tickets at the end of each period (bars).

    ``table``: :func:`kpi.support.backlog`. ``y`` is ``open_at_end``; the hover adds the
    tickets created and resolved in the period.
    """
    labels = _labels(table.index, period)
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=table["open_at_end"].to_numpy(dtype="int64"),
            name="Open at period end",
            marker_color=PALETTE[1],
            customdata=list(
                zip(table["created"].tolist(), table["resolved"].tolist(), strict=True)
            ),
            hovertemplate="%{x}<br>Open at the end: %{y:,}<br>Created: %{customdata[0]:,}"
            " · Resolved: %{customdata[1]:,}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    # short enough for a 320 px chart; the hover and the chart's heading say "at period end"
    fig.update_yaxes(title_text="Open tickets", tickformat=",d", rangemode="tozero")
    return _layout(fig, height=320)


def created_resolved_chart(table: pd.DataFrame, *, period: str) -> go.Figure:
    """Tickets created against tickets resolved per period, side by side.

    ``table``: :func:`kpi.support.backlog`. Trace 0 created, trace 1 resolved (``y``
    counts, 0 for an empty period).
    """
    labels = _labels(table.index, period)
    traces = [
        go.Bar(
            x=labels,
            y=table[col].to_numpy(dtype="int64"),
            name=name,
            marker_color=colour,
            hovertemplate=f"%{{x}}<br>{name}: %{{y:,}} tickets<extra></extra>",
        )
        for col, name, colour in (
            ("created", "Created", PALETTE[0]),
            ("resolved", "Resolved", PALETTE[2]),
        )
    ]
    fig = go.Figure(traces)
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(title_text="Tickets", tickformat=",d", rangemode="tozero")
    return _layout(fig, height=320)


def complaints_chart(table: pd.DataFrame, *, dimension: str, period: str | None = None
                     ) -> go.Figure:  # fmt: skip
    """Complaints per group as stacked horizontal bars: resolved, still open, closed without
    a resolution time; escalated complaints as a marker on the same scale.

    ``table``: :func:`kpi.support.complaints_by` (columns ``total``, ``open``, ``resolved``
    and optionally ``escalated``). Groups sorted by total, the largest on top. Traces:
    resolved, open, closed (only when some complaint has no resolution time), escalated
    (only with an escalated column); ``x`` counts. With ``period`` the table is per period
    (``by="period"``): rows keep their order, the earliest on top, labelled by period.
    """
    if period is None:
        ordered = table.sort_values("total", kind="stable")
        names = [label(k) for k in ordered.index]
    else:
        ordered = table.iloc[::-1]
        names = _labels(ordered.index, period)
    parts = {
        "resolved": ordered["resolved"],
        "open": ordered["open"],
        "closed": ordered["total"] - ordered["open"] - ordered["resolved"],
    }
    colours = {"resolved": PALETTE[2], "open": PALETTE[1], "closed": PALETTE[6]}
    traces: list[go.BaseTraceType] = []
    for part, values in parts.items():
        if part == "closed" and not (values > 0).any():
            continue
        traces.append(
            go.Bar(
                x=values.to_numpy(dtype="int64"),
                y=names,
                orientation="h",
                name=COMPLAINT_PARTS[part],
                marker_color=colours[part],
                customdata=ordered["total"].to_numpy(dtype="int64"),
                hovertemplate=f"%{{y}}<br>{COMPLAINT_PARTS[part]}: %{{x:,}}"
                " of %{customdata:,} complaints<extra></extra>",
            )
        )
    if "escalated" in ordered.columns:
        traces.append(
            go.Scatter(
                x=ordered["escalated"].to_numpy(dtype="int64"),
                y=names,
                mode="markers",
                name="Escalated",
                marker={"color": PALETTE[3], "symbol": "diamond", "size": 11},
                customdata=ordered["total"].to_numpy(dtype="int64"),
                hovertemplate="%{y}<br>Escalated: %{x:,} of %{customdata:,} complaints"
                "<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Complaints", tickformat=",d", rangemode="tozero")
    fig.update_yaxes(title_text=dimension, type="category")
    return _layout(fig, height=max(260, 70 + 30 * len(ordered)), span=1)


def complaints_per_customer_chart(
    table: pd.DataFrame, escalation: pd.Series | None, *, period: str
) -> go.Figure:
    """Complaints per active customer per period (line, left axis), and the escalation rate
    (line, right axis) beside it when the tickets have the flag.

    ``table``: :func:`kpi.support.complaints_per_customer_series`; ``escalation``: the
    ``escalation_rate`` column of :func:`kpi.support.escalation_rate_by` per period (0-1,
    NaN for a period without tickets). Trace 0 complaints per customer, trace 1 the
    escalation rate.
    """
    labels = _labels(table.index, period)
    traces = [
        go.Scatter(
            x=labels,
            y=table["complaints_per_customer"].to_numpy(dtype="float64"),
            name="Complaints per customer",
            mode="lines+markers",
            line={"color": PALETTE[3], "width": 2},
            customdata=list(
                zip(table["complaints"].tolist(), table["active_customers"].tolist(), strict=True)
            ),
            hovertemplate="%{x}<br>Complaints per customer: %{y:.3f}<br>%{customdata[0]:,} "
            "complaints / %{customdata[1]:,} customers with an order<extra></extra>",
        )
    ]
    if escalation is not None:
        traces.append(
            go.Scatter(
                x=labels,
                y=escalation.reindex(table.index).to_numpy(dtype="float64"),
                name="Escalation rate",
                mode="lines",
                yaxis="y2",
                line={"color": PALETTE[0], "width": 2, "dash": "dot"},
                hovertemplate="%{x}<br>Escalation rate: %{y:.1%}<extra></extra>",
            )
        )
        fig = go.Figure(traces)
        fig.update_layout(
            yaxis2={"title": {"text": "Escalated tickets"}, "overlaying": "y", "side": "right",
                    "rangemode": "tozero", "showgrid": False, "tickformat": ".0%"},
        )  # fmt: skip
    else:
        fig = go.Figure(traces)
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_layout(
        yaxis={"title": {"text": "Complaints per active customer"}, "rangemode": "tozero"}
    )
    return _layout(fig, span=1)


def arrivals_heatmap(counts: pd.DataFrame) -> go.Figure:
    """Tickets created per weekday (rows, Monday on top) and hour of day (columns).

    ``counts``: :func:`kpi.staffing.arrivals_by_weekday_hour` (7 x 24 ints). ``z`` holds the
    counts, row 0 Monday; ``x`` the hours 0-23.
    """
    days = [WEEKDAY_NAMES.get(str(d), str(d)) for d in counts.index]
    hours = [int(h) for h in counts.columns]
    slots = [[hour_label(h) for h in hours] for _ in days]
    fig = go.Figure(
        go.Heatmap(
            z=counts.to_numpy(dtype="int64"),
            x=hours,
            y=days,
            colorscale="Blues",
            customdata=slots,
            colorbar={"title": {"text": "Tickets"}},
            hovertemplate="%{y} %{customdata}: %{z:,} tickets<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Hour of the day (ticket created)", tickmode="linear", dtick=2,
                     tickformat="d")  # fmt: skip
    fig.update_yaxes(title_text="Weekday", autorange="reversed", type="category")
    return _layout(fig, height=320, span=1)


# --------------------------------------------------------------------------------------------
# Team


def agent_bars(table: pd.DataFrame, column: str, *, title: str, decimals: int = 1,
               axis_range: list[float] | None = None) -> go.Figure:  # fmt: skip
    """One horizontal bar per agent of ``table[column]``, the highest on top.

    ``table``: :func:`kpi.team.agent_table` (indexed by agent); ``title`` is the axis title
    with its unit. An agent without a value (NaN) is listed with no bar and "no data" in
    its hover.
    """
    ordered = table.sort_values(column, kind="stable", na_position="first")
    values = ordered[column].to_numpy(dtype="float64")
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[label(a) for a in ordered.index],
            orientation="h",
            name=title,
            marker_color=PALETTE[0],
            texttemplate=f"%{{x:,.{decimals}f}}",
            textposition="inside",
            insidetextanchor="end",
            hovertemplate=f"%{{y}}<br>{title}: %{{x:,.{decimals}f}}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=title, rangemode="tozero")
    if axis_range is not None:
        fig.update_xaxes(range=axis_range)
    fig.update_yaxes(title_text="Agent", type="category")
    return _layout(fig, height=max(220, 70 + 32 * len(ordered)))


def turnover_chart(table: pd.DataFrame, *, period: str) -> go.Figure:
    """Employee turnover per period (bars, left axis) and headcount at period end (line,
    right axis).

    ``table``: :func:`kpi.team.employee_turnover`. Trace 0 the turnover rate (0-1, NaN with
    no headcount), trace 1 the headcount at the end; the hover adds leavers, hires and the
    average headcount.
    """
    labels = _labels(table.index, period)
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=table["turnover_rate"].to_numpy(dtype="float64"),
                name="Turnover",
                marker_color=PALETTE[3],
                customdata=list(
                    zip(
                        table["leavers"].tolist(),
                        table["hires"].tolist(),
                        table["average_headcount"].tolist(),
                        strict=True,
                    )
                ),
                hovertemplate="%{x}<br>Turnover: %{y:.1%}<br>Leavers: %{customdata[0]:,}"
                " · Hires: %{customdata[1]:,}<br>Average headcount: %{customdata[2]:,.1f}"
                "<extra></extra>",
            ),
            go.Scatter(
                x=labels,
                y=table["headcount_end"].to_numpy(dtype="int64"),
                name="Headcount at period end",
                mode="lines+markers",
                yaxis="y2",
                line={"color": PALETTE[0], "width": 2},
                hovertemplate="%{x}<br>Headcount at the end: %{y:,}<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        yaxis2={"title": {"text": "Employees"}, "overlaying": "y", "side": "right",
                "rangemode": "tozero", "showgrid": False, "tickformat": ",d"},
    )  # fmt: skip
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_layout(
        yaxis={"title": {"text": "Turnover (leavers / average headcount)"}, "tickformat": ".0%",
               "rangemode": "tozero"},
    )  # fmt: skip
    return _layout(fig, span=1)


def touches_histogram(engagement: pd.DataFrame) -> go.Figure:
    """Customers by the number of touches they had (bars), from 1 to the most.

    ``engagement``: :func:`kpi.team.engagement_by_customer`. ``x`` touches per customer,
    ``y`` customers (0 for a count nobody had).
    """
    counts = engagement["touches"].value_counts()
    top = int(counts.index.max()) if len(counts) else 0
    x = np.arange(1, top + 1)
    y = counts.reindex(x, fill_value=0).to_numpy(dtype="int64")
    fig = go.Figure(
        go.Bar(
            x=x,
            y=y,
            name="Customers",
            marker_color=PALETTE[0],
            hovertemplate="%{x:,} touches: %{y:,} customers<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Touches per customer", tickmode="linear", dtick=1)
    fig.update_yaxes(title_text="Customers", tickformat=",d", rangemode="tozero")
    return _layout(fig, height=300)


def efforts_chart(table: pd.DataFrame) -> go.Figure:
    """Efforts against results per manager: calls and meetings (bars, left axis) and
    conversions (markers, right axis).

    ``table``: :func:`kpi.team.efforts_vs_results`. Traces: calls, meetings (``y`` counts),
    converted leads (``y`` counts on the right axis, with the conversion rate in the hover).
    """
    managers = [label(m) for m in table.index]
    fig = go.Figure(
        [
            go.Bar(x=managers, y=table["calls"].to_numpy(dtype="int64"), name="Calls",
                   marker_color=PALETTE[0],
                   hovertemplate="%{x}<br>Calls: %{y:,}<extra></extra>"),
            go.Bar(x=managers, y=table["meetings"].to_numpy(dtype="int64"), name="Meetings",
                   marker_color=_PALE,
                   hovertemplate="%{x}<br>Meetings: %{y:,}<extra></extra>"),
            go.Scatter(
                x=managers, y=table["converted"].to_numpy(dtype="int64"),
                name="Leads converted", mode="markers", yaxis="y2",
                marker={"color": PALETTE[2], "size": 13, "symbol": "diamond"},
                customdata=list(zip(table["leads"].tolist(),
                                    table["conversion_rate"].tolist(), strict=True)),
                hovertemplate="%{x}<br>Converted: %{y:,} of %{customdata[0]:,} leads"
                " (%{customdata[1]:.1%})<extra></extra>",
            ),
        ]
    )  # fmt: skip
    fig.update_layout(
        barmode="group",
        yaxis2={"title": {"text": "Leads converted"}, "overlaying": "y", "side": "right",
                "rangemode": "tozero", "showgrid": False, "tickformat": ",d",
                "tickmode": "auto"},
    )  # fmt: skip
    fig.update_xaxes(title_text="Manager", type="category")
    fig.update_layout(
        yaxis={"title": {"text": "Calls and meetings"}, "tickformat": ",d", "rangemode": "tozero"}
    )
    return _layout(fig, span=1)


def staffing_curve(table: pd.DataFrame, *, agents: int, target_share: float,
                   target_seconds: float) -> go.Figure:  # fmt: skip
    """Share answered within the target for each number of agents, the chosen one marked.

    ``table``: indexed by agents, columns ``service_level`` and ``p_wait`` (0-1), as
    :func:`ui.support_view.staffing_table` returns. Trace 0 the service level, trace 1 the
    probability of waiting, trace 2 the chosen number of agents; a dotted line marks the
    target share.
    """
    n = table.index.to_numpy(dtype="int64")
    fig = go.Figure(
        [
            go.Scatter(x=n, y=table["service_level"].to_numpy(dtype="float64"),
                       name=f"Answered within {target_seconds:,.0f} s", mode="lines+markers",
                       line={"color": PALETTE[0], "width": 2},
                       hovertemplate="%{x} agents: %{y:.1%} answered within "
                       f"{target_seconds:,.0f} s<extra></extra>"),
            go.Scatter(x=n, y=table["p_wait"].to_numpy(dtype="float64"),
                       name="Probability of waiting", mode="lines",
                       line={"color": PALETTE[1], "width": 2, "dash": "dot"},
                       hovertemplate="%{x} agents: %{y:.1%} wait<extra></extra>"),
        ]
    )  # fmt: skip
    if agents in table.index:
        fig.add_trace(
            go.Scatter(
                x=[agents], y=[float(table.loc[agents, "service_level"])],
                name="Your choice", mode="markers",
                marker={"color": PALETTE[3], "size": 14, "symbol": "circle-open",
                        "line": {"width": 3}},
                hovertemplate="%{x} agents: %{y:.1%}<extra></extra>",
            )
        )  # fmt: skip
    fig.add_hline(y=target_share, line_dash="dash", line_color="#888",
                  annotation_text=f"Target {target_share:.0%}",
                  annotation_position="bottom right")  # fmt: skip
    fig.update_xaxes(title_text="Agents on duty", tickmode="linear", dtick=1)
    fig.update_yaxes(title_text="Share of customers", tickformat=".0%", range=[0, 1.02])
    return _layout(fig, height=320, span=1)
