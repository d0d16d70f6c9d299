"""Figures of the What-if page: data in, ``go.Figure`` out. No streamlit here.

Each builder takes projections of :func:`kpi.scenario.projection` (index ``month`` 0..36,
columns customers, revenue, ...) keyed by the scenario's name on screen, the baseline first.
The baseline is drawn as a grey dashed line so the eye reads the scenario against it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from ui import format as fmt
from ui.charts import PALETTE, _layout

BASELINE_COLOUR = "#8C8C8C"
# Scenario colours after the grey baseline: blue, amber, green, purple.
SCENARIO_COLOURS = (PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4])
MEASURE_TITLES = {"customers": "Active customers", "revenue": "Revenue in the month"}


def projection_chart(
    projections: Mapping[str, pd.DataFrame], *, measure: str, currency: str | None = None
) -> go.Figure:
    """One line per scenario of ``measure`` ("customers" or "revenue") over months ahead.

    The first entry of ``projections`` is the baseline (grey, dashed), the others get the
    scenario colours in order. Customers start at month 0 (today); revenue at month 1 (the
    first month ahead; month 0 has none, NaN). ``y`` holds the projected values as they are.
    """
    if measure not in MEASURE_TITLES:
        raise ValueError(f"measure must be customers or revenue; got {measure!r}")
    sym = fmt.currency_symbol(currency) if measure == "revenue" else ""
    fig = go.Figure()
    for i, (name, table) in enumerate(projections.items()):
        series = table[measure]
        if measure == "revenue":
            series = series.loc[1:]
        colour = BASELINE_COLOUR if i == 0 else SCENARIO_COLOURS[(i - 1) % 4]
        unit = f" {sym}" if sym else " customers"
        fig.add_trace(
            go.Scatter(
                x=list(series.index),
                y=series.to_numpy(dtype="float64"),
                mode="lines",
                name=name,
                line={
                    "color": colour,
                    "width": 2 if i == 0 else 3,
                    "dash": "dash" if i == 0 else "solid",
                },
                hovertemplate=f"{name}<br>Month %{{x}}: %{{y:,.0f}}{unit}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="Months from today", range=[0, _last_month(projections)],
                     dtick=6)  # fmt: skip
    title = MEASURE_TITLES[measure]
    # The axis spans the lines, not zero: the room discusses the gap between them.
    fig.update_yaxes(title_text=f"{title} ({sym})" if sym else title, tickformat=",.0f",
                     automargin=True)  # fmt: skip
    fig.update_xaxes(automargin=True)
    return _layout(fig, height=320)


def _last_month(projections: Mapping[str, pd.DataFrame]) -> int:
    return max((int(t.index.max()) for t in projections.values() if len(t)), default=36)
