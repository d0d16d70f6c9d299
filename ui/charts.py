"""Plotly figure builders: data in, ``go.Figure`` out. No streamlit here.

Every axis and hover label is in business language, with units; figures are tested by their
data (``fig.data[0].y``) without a browser.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kpi.periods import PERIOD_LABELS, period_labels
from ui import format as fmt

PALETTE = ("#2F6FED", "#F29F05", "#1BA672", "#D64545", "#7B61FF", "#13A3B5", "#8C8C8C")
FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


def _layout(fig: go.Figure, *, title: str | None = None, height: int = 360) -> go.Figure:
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
    return fig


def revenue_over_time(series: pd.DataFrame, *, period: str, currency: str) -> go.Figure:
    """Revenue per period as bars, with the number of orders in the hover.

    ``series``: indexed by period start, columns ``revenue`` and ``orders``.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    sym = fmt.currency_symbol(currency)
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=series["revenue"],
            marker_color=PALETTE[0],
            name="Revenue",
            customdata=series["orders"],
            hovertemplate=f"%{{x}}<br>Revenue: %{{y:,.0f}} {sym}"
            "<br>Orders: %{customdata:,}<extra></extra>",
        )
    )
    # Periods as categories: one bar per label, however few, with no calendar gaps.
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(title_text=f"Revenue ({sym})" if sym else "Revenue", tickformat=",.0f")
    return _layout(fig)
