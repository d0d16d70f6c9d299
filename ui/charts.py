"""Plotly figure builders: data in, ``go.Figure`` out. No streamlit here.

Every axis and hover label is in business language, with units; figures are tested by their
data (``fig.data[0].y``) without a browser.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kpi.periods import (
    PERIOD_LABELS,
    check_period,
    next_period_start,
    period_label,
    period_labels,
)
from kpi.periods import period_start as _period_start
from ui import format as fmt
from ui import margins

PALETTE = ("#2F6FED", "#F29F05", "#1BA672", "#D64545", "#7B61FF", "#13A3B5", "#8C8C8C")
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


def partial_last_period(end: pd.Timestamp, period: str) -> str | None:
    """Label of the period holding ``end`` when ``end`` is not its last day, else None.

    >>> partial_last_period(pd.Timestamp("2025-03-14"), "month")
    '2025-03'
    >>> partial_last_period(pd.Timestamp("2025-03-31"), "month") is None
    True
    """
    p = check_period(period)
    first = _period_start(pd.Series([pd.Timestamp(end)]), p).iloc[0]
    last_day = next_period_start(first, p) - pd.Timedelta(days=1)
    return period_label(first, p) if pd.Timestamp(end).normalize() < last_day else None


PARTIAL_COLOUR = "#A9C2F7"  # the pale blue of a period the range covers only in part


def _layout(
    fig: go.Figure, *, title: str | None = None, height: int = 360, span: float = 0.5
) -> go.Figure:
    """The house style, with margins worked out ahead so the browser draws ``fig`` once
    (:func:`ui.margins.estimate`; ``span``: the share of a desktop page's width the chart is
    drawn in)."""
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        font={"family": FONT, "size": 13},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font_size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    fig.update_xaxes(showgrid=False, linecolor="#BBB")
    fig.update_yaxes(gridcolor="#EEE", zerolinecolor="#CCC")
    room = margins.estimate(fig, span=span)
    if title:
        room["t"] = max(room["t"], 40)
    fig.update_layout(margin=room)
    return fig


def revenue_over_time(
    series: pd.DataFrame, *, period: str, currency: str, end: pd.Timestamp | None = None
) -> go.Figure:
    """Revenue per period as bars, with the number of orders in the hover.

    ``series``: indexed by period start, columns ``revenue`` and ``orders``. When the range
    ends inside its last period (``end``), that bar is drawn pale and labelled "partial", so a
    short month does not read as a collapse.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    sym = fmt.currency_symbol(currency)
    partial = partial_last_period(end, period) if end is not None else None
    colours = [PALETTE[0]] * len(labels)
    if partial is not None and labels and labels[-1] == partial:
        colours[-1] = PARTIAL_COLOUR
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=series["revenue"],
            marker_color=colours,
            name="Revenue",
            customdata=series["orders"],
            hovertemplate=f"%{{x}}<br>Revenue: %{{y:,.0f}} {sym}"
            "<br>Orders: %{customdata:,}<extra></extra>",
        )
    )
    if colours and colours[-1] == PARTIAL_COLOUR:
        fig.add_annotation(x=labels[-1], y=series["revenue"].iloc[-1], text="partial",
                           showarrow=False, yshift=10, font={"color": "#666"})  # fmt: skip
    # Periods as categories: one bar per label, however few, with no calendar gaps.
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(title_text=f"Revenue ({sym})" if sym else "Revenue", tickformat=",.0f")
    return _layout(fig, span=1)
