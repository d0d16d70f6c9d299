"""Figures of the Value page: data in, ``go.Figure`` out. No streamlit here.

Each builder takes a table of :mod:`kpi.value` as it is returned (documented there) and draws
it in the house style of :mod:`ui.charts`. Money stays in the data's units; a NaN value draws
no bar or point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kpi.periods import PERIOD_LABELS, period_labels
from kpi.value import HEALTHY_LTV_TO_CAC
from ui import format as fmt
from ui.charts import PALETTE, _layout


def _money_axis(currency: str, what: str) -> str:
    sym = fmt.currency_symbol(currency)
    return f"{what} ({sym})" if sym else what


def ltv_cac_by_channel(table: pd.DataFrame, *, currency: str) -> go.Figure:
    """LTV and CAC per acquisition channel, side by side, with LTV/CAC in the hover.

    ``table``: :func:`kpi.value.ltv_to_cac_by_channel`. Trace 0 is LTV, trace 1 is CAC, one
    bar per channel in the table's order.
    """
    sym = fmt.currency_symbol(currency)
    channels = [str(c) for c in table.index]
    ratio = [fmt.ratio(r) for r in table["ltv_to_cac"]]
    custom = list(zip(ratio, table["new_customers"].tolist(), strict=True))
    fig = go.Figure(
        [
            go.Bar(
                x=channels,
                y=table["ltv"],
                name="Lifetime value (LTV)",
                marker_color=PALETTE[0],
                customdata=custom,
                hovertemplate=f"%{{x}}<br>LTV: %{{y:,.0f}} {sym}<br>LTV/CAC: %{{customdata[0]}}"
                "<br>New customers: %{customdata[1]:,}<extra></extra>",
            ),
            go.Bar(
                x=channels,
                y=table["cac"],
                name="Acquisition cost (CAC)",
                marker_color=PALETTE[1],
                customdata=custom,
                hovertemplate=f"%{{x}}<br>CAC: %{{y:,.0f}} {sym}<br>LTV/CAC: %{{customdata[0]}}"
                "<extra></extra>",
            ),
        ]
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Acquisition channel", type="category")
    fig.update_yaxes(title_text=_money_axis(currency, "Per customer"), tickformat=",.0f")
    return _layout(fig)


def ltv_cac_by_cohort(table: pd.DataFrame, *, period: str) -> go.Figure:
    """LTV/CAC per acquisition cohort as bars, with the 3:1 rule of thumb as a dashed line.

    ``table``: :func:`kpi.value.ltv_to_cac_by_cohort`. One bar per period (NaN: no bar);
    bars at 3 or more are green, below it amber.
    """
    labels = period_labels(table.index, period)  # type: ignore[arg-type]
    ratio = table["ltv_to_cac"].to_numpy(dtype=float)
    ratio = np.where(np.isinf(ratio), np.nan, ratio)
    colours = [PALETTE[2] if r >= HEALTHY_LTV_TO_CAC else PALETTE[1] for r in ratio]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=ratio,
            marker_color=colours,
            name="LTV/CAC",
            customdata=table["new_customers"],
            hovertemplate="%{x}<br>LTV/CAC: %{y:.1f}×<br>New customers: %{customdata:,}"
            "<extra></extra>",
        )
    )
    fig.add_hline(
        y=HEALTHY_LTV_TO_CAC,
        line_dash="dash",
        line_color=PALETTE[6],
        annotation_text="3:1 rule of thumb",
        annotation_position="top right",
        annotation_bgcolor="rgba(255,255,255,0.85)",
        layer="above",
    )
    fig.update_xaxes(title_text=f"Acquisition {PERIOD_LABELS[period].lower()}", type="category")
    fig.update_yaxes(title_text="LTV / CAC (times)", tickformat=".1f")
    return _layout(fig)


def value_curve(
    curve: pd.DataFrame, *, cac: float | None, currency: str, payback: float | None = None
) -> go.Figure:
    """Cumulative gross profit per acquired customer by month, against the CAC line.

    ``curve``: :func:`kpi.value.cohort_value_curve`, what the customers acquired in the range
    actually earned, lost customers included. Trace 0 is that curve (x = months since
    acquisition, counted from 1: month 1 is the first month); trace 1, when ``cac`` is given,
    the flat CAC line; trace 2 marks ``payback``, the CAC payback in months of
    :func:`kpi.value.cac_payback_months` (the card's number), on the CAC line. The curve's own
    crossing is not marked: the page shows one payback, the card's.
    """
    sym = fmt.currency_symbol(currency)
    months = np.asarray(curve.index, dtype=int) + 1
    fig = go.Figure(
        go.Scatter(
            x=months,
            y=curve["cumulative_gross_profit"],
            mode="lines+markers",
            name="Gross profit earned so far per acquired customer (lost ones included)",
            line={"color": PALETTE[0], "width": 3},
            customdata=curve["customers"],
            hovertemplate=f"Month %{{x}}<br>Cumulative gross profit: %{{y:,.0f}} {sym}"
            "<br>Customers followed this long: %{customdata:,}<extra></extra>",
        )
    )
    if cac is not None and np.isfinite(cac):
        fig.add_trace(
            go.Scatter(
                x=[months.min(), months.max()] if len(months) else [],
                y=[cac, cac],
                mode="lines",
                name="Acquisition cost (CAC)",
                line={"color": PALETTE[3], "dash": "dash"},
                hovertemplate=f"CAC: %{{y:,.0f}} {sym}<extra></extra>",
            )
        )
        if payback is not None and np.isfinite(payback):
            fig.add_trace(
                go.Scatter(
                    x=[payback],
                    y=[cac],
                    mode="markers",
                    name=f"CAC payback: {fmt.months(payback)}",
                    marker={"color": PALETTE[2], "size": 14, "symbol": "star"},
                    hovertemplate="CAC payback: %{x:.1f} months<extra></extra>",
                )
            )
    fig.update_xaxes(title_text="Months since acquisition")
    fig.update_yaxes(title_text=_money_axis(currency, "Gross profit per customer"),
                     tickformat=",.0f")  # fmt: skip
    return _layout(fig, span=1)


def holdout_chart(table: pd.DataFrame) -> go.Figure:
    """Mean repeat purchases in the holdout, actual and predicted, by calibration purchases.

    ``table``: ``kpi.value.holdout_check(...).table`` (index 0..N, the last row pooling N or
    more). Trace 0 actual, trace 1 predicted; x labels "0", "1", ..., "N+".
    """
    last = int(table.index.max())
    labels = [f"{i}+" if i == last else str(i) for i in table.index]
    custom = table["customers"]
    fig = go.Figure(
        [
            go.Scatter(
                x=labels,
                y=table["actual"],
                mode="lines+markers",
                name="Actual",
                line={"color": PALETTE[0], "width": 3},
                customdata=custom,
                hovertemplate="%{x} earlier repeat purchases<br>Actual: %{y:.2f} per customer"
                "<br>Customers: %{customdata:,}<extra></extra>",
            ),
            go.Scatter(
                x=labels,
                y=table["predicted"],
                mode="lines+markers",
                name="Predicted by the model",
                line={"color": PALETTE[1], "width": 3, "dash": "dash"},
                customdata=custom,
                hovertemplate="%{x} earlier repeat purchases<br>Predicted: %{y:.2f} per customer"
                "<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(title_text="Repeat purchases before the cut-off", type="category")
    fig.update_yaxes(title_text="Purchases after cut-off, per customer",
                     rangemode="tozero")  # fmt: skip
    return _layout(fig, span=1)
