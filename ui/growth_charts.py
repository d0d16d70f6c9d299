"""Figures of the Acquisition and Revenue pages: data in, ``go.Figure`` out. No streamlit here.

Each builder takes a table or result of :mod:`kpi.acquisition`, :mod:`kpi.revenue` or
:mod:`kpi.base` as it is returned (documented there) and draws it in the house style of
:mod:`ui.charts`. Shares stay fractions in the data (``fig.data[i].y`` is 0-1) and are shown
as percentages by the axis and hover formats; money is in the data's units with the
currency's mark in the axis title. Period axes are categories labelled with
:func:`kpi.periods.period_labels`; a period without data is a zero bar or a gap in a line
(NaN), as the KPI function returns it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kpi.acquisition import TouchesToClose
from kpi.periods import PERIOD_LABELS, period_labels
from kpi.revenue import BANDS, NetCash, Profitability
from ui import format as fmt
from ui.charts import PALETTE, _layout

# Profitability bands, best first: green for the top, grey for the long tail, red for loss.
BAND_COLOURS = dict(zip(BANDS, (PALETTE[2], PALETTE[0], PALETTE[6], PALETTE[3]), strict=True))
BAND_NAMES = {
    "top 20 %": "Top 20 % of customers",
    "middle 30 %": "Next 30 %",
    "bottom 50 %": "Bottom 50 %",
    "loss": "Loss-making",
}
# Colours of stacked parts: the palette without its red (kept for refunds), then a few more.
_STACK_COLOURS = (*(c for c in PALETTE if c != PALETTE[3]), "#B5651D", "#E377C2", "#4D4D4D")
# Revenue types as people read them; other values are written out from their normalised form.
TYPE_NAMES = {
    "new": "New sales",
    "repeat": "Repeat sales",
    "subscription": "Subscriptions",
    "upsell": "Upsell",
    "cross_sell": "Cross-sell",
    "service_fee": "Service fees",
    "late_fee": "Late fees",
    "interest": "Interest",
    "add_on": "Add-ons",
    "other": "Other",
    "refunds": "Refunds",
}
# New against returning customers (kpi.revenue.revenue_types without a revenue_type column).
CUSTOMER_NAMES = {
    "new": "New customers",
    "repeat": "Returning customers",
    "refunds": "Refunds",
}


def label(value: object) -> str:
    """A normalised category (``cold_call``) as people read it (``Cold call``): the one
    display rule of :func:`ui.format.category`.

    >>> label("cold_call"), label("in_person"), label("web")
    ('Cold call', 'In person', 'Web')
    """
    return fmt.category(value)


def _money_axis(name: str, currency: str) -> str:
    sym = fmt.currency_symbol(currency)
    return f"{name} ({sym})" if sym else name


def _sym(currency: str) -> str:
    sym = fmt.currency_symbol(currency)
    return f" {sym}" if sym else ""


def _room(values: pd.Series) -> float:
    """An axis end with room for labels written outside the longest bar."""
    top = np.nanmax(_floats(values), initial=0.0)
    return float(top * 1.3) if top > 0 else 1.0


def _floats(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="float64", na_value=np.nan)


# --------------------------------------------------------------------------------------------
# Acquisition


def cac_by_channel_chart(table: pd.DataFrame, *, currency: str) -> go.Figure:
    """CAC per acquisition channel as bars, the cheapest first.

    ``table``: :func:`kpi.acquisition.cac_by_channel`. ``y`` is the CAC (NaN, no bar, for a
    channel that acquired nobody); the hover adds spend and new customers.
    """
    ordered = table.sort_values("cac", kind="stable", na_position="last")
    sym = _sym(currency)
    fig = go.Figure(
        go.Bar(
            x=[label(c) for c in ordered.index],
            y=_floats(ordered["cac"]),
            name="CAC",
            marker_color=PALETTE[0],
            texttemplate="%{y:,.0f}",
            textposition="outside",
            cliponaxis=False,
            customdata=list(
                zip(ordered["spend"].tolist(), ordered["new_customers"].tolist(), strict=True)
            ),
            hovertemplate=f"%{{x}}<br>CAC: %{{y:,.0f}}{sym}"
            f"<br>Spend: %{{customdata[0]:,.0f}}{sym}"
            "<br>New customers: %{customdata[1]:,}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Acquisition channel", type="category")
    fig.update_yaxes(title_text=_money_axis("CAC", currency), tickformat=",.0f", rangemode="tozero")
    return _layout(fig, height=340)


def cac_over_time(series: pd.DataFrame, *, period: str, currency: str) -> go.Figure:
    """CAC per period as a line, with spend and new customers in the hover.

    ``series``: :func:`kpi.acquisition.cac_series`. Trace 0 is the CAC: NaN (a gap) in a
    period without new customers.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    sym = _sym(currency)
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=_floats(series["cac"]),
            name="CAC",
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2},
            customdata=list(
                zip(
                    _floats(series["spend"]).tolist(), series["new_customers"].tolist(), strict=True
                )
            ),
            hovertemplate=f"%{{x}}<br>CAC: %{{y:,.0f}}{sym}"
            f"<br>Spend: %{{customdata[0]:,.0f}}{sym}"
            "<br>New customers: %{customdata[1]:,}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(title_text=_money_axis("CAC", currency), tickformat=",.0f", rangemode="tozero")
    return _layout(fig)


def spend_split_over_time(series: pd.DataFrame, *, period: str, currency: str) -> go.Figure:
    """Sales and marketing spend per period, stacked.

    ``series``: :func:`kpi.acquisition.cac_series`. With the spend table's kind column,
    trace 0 is marketing and trace 1 sales; without it, one trace of all acquisition spend.
    Empty periods are zero bars.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    sym = _sym(currency)
    columns = (
        (("spend", "Spend", PALETTE[0]),)
        if series[["marketing_spend", "sales_spend"]].isna().all().all()
        else (("marketing_spend", "Marketing", PALETTE[0]), ("sales_spend", "Sales", PALETTE[1]))
    )
    traces = [
        go.Bar(
            x=labels,
            y=_floats(series[column]),
            name=name,
            marker_color=colour,
            hovertemplate=f"%{{x}}<br>{name}: %{{y:,.0f}}{sym}<extra></extra>",
        )
        for column, name, colour in columns
    ]
    fig = go.Figure(traces)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(title_text=_money_axis("Spend", currency), tickformat=",.0f")
    return _layout(fig, span=1)


def lead_funnel_chart(funnel: pd.DataFrame, *, dimension: str = "Lead source") -> go.Figure:
    """Leads, qualified and converted leads per source, as grouped horizontal bars.

    ``funnel``: :func:`kpi.acquisition.lead_funnel`. Traces: converted, qualified (left out
    when the leads table has no qualified flag: the column is NaN), leads, so that leads are
    drawn on top of each group (the legend reads the other way round); the source with most
    leads on top. The hover of the converted bar adds the conversion rate.
    """
    ordered = funnel.iloc[::-1]
    names = [label(k) for k in ordered.index]
    steps = [
        ("leads", "Leads", PALETTE[6]),
        ("qualified", "Qualified", PALETTE[0]),
        ("converted", "Converted", PALETTE[2]),
    ]
    traces = []
    # Horizontal groups draw the first trace at the bottom: converted first puts leads on top.
    for column, name, colour in reversed(steps):
        values = _floats(ordered[column])
        if np.isnan(values).all():
            continue
        extra = ""
        customdata = None
        if column == "converted":
            customdata = _floats(ordered["rate"])
            extra = " (%{customdata:.1%} of the qualified)"
            if np.isnan(_floats(ordered["qualified"])).all():
                extra = " (%{customdata:.1%} of the leads)"
        traces.append(
            go.Bar(
                x=values,
                y=names,
                orientation="h",
                name=name,
                marker_color=colour,
                customdata=customdata,
                hovertemplate=f"%{{y}}<br>{name}: %{{x:,}}{extra}<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(barmode="group", legend_traceorder="reversed")
    fig.update_xaxes(title_text="Leads", tickformat=",d", rangemode="tozero")
    fig.update_yaxes(title_text=dimension, type="category")
    return _layout(fig, height=max(260, 80 + 26 * len(traces) * len(ordered)))


def conversions_by_source(shares: pd.DataFrame, *, dimension: str = "Lead source") -> go.Figure:
    """Each source's share of all conversions, as horizontal bars, the largest on top.

    ``shares``: :func:`kpi.acquisition.acquisition_share_by_source`. ``x`` holds shares (0-1),
    the bars are labelled with the count of conversions.
    """
    ordered = shares.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=_floats(ordered["share"]),
            y=[label(k) for k in ordered.index],
            orientation="h",
            name="Share of conversions",
            marker_color=PALETTE[2],
            customdata=ordered["conversions"].tolist(),
            texttemplate="%{x:.1%} (%{customdata:,})",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{x:.1%} of conversions (%{customdata:,} customers won)"
            "<extra></extra>",
        )
    )
    fig.update_xaxes(
        title_text="Share of conversions", tickformat=".0%", range=[0, _room(ordered["share"])]
    )
    fig.update_yaxes(title_text=dimension, type="category")
    return _layout(fig, height=max(240, 70 + 34 * len(ordered)))


def touches_histogram(result: TouchesToClose) -> go.Figure:
    """Number of won deals per count of touches to close, with the mean and median marked.

    ``result``: :func:`kpi.acquisition.touches_to_close`. Trace 0 is the bars (``x`` the
    touches, every count from 1 to the largest, 0 deals where none took that many); traces 1
    and 2 are the mean and the median as vertical lines (``x`` twice the value), only when
    there are deals.
    """
    dist = result.distribution
    top = int(dist.index.max()) if len(dist) else 0
    counts = dist.reindex(range(1, top + 1), fill_value=0)
    deals = int(counts.sum())
    share = counts / deals if deals else counts.astype(float) * np.nan
    fig = go.Figure(
        go.Bar(
            x=list(counts.index),
            y=counts.to_numpy(dtype="int64"),
            name="Won deals",
            marker_color=PALETTE[0],
            customdata=share.to_numpy(dtype="float64"),
            hovertemplate="%{x} touches: %{y:,} deals (%{customdata:.1%})<extra></extra>",
        )
    )
    # Mean and median as vertical line traces named in the legend: their values sit close
    # together, where annotations would overlap.
    height = max(int(counts.max()) if len(counts) else 0, 1) * 1.08
    marks = (
        ("Mean", result.mean, PALETTE[3], "dash"),
        ("Median", result.median, PALETTE[1], "dot"),
    )
    for name, value, colour, dash in marks:
        if value is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=[value, value],
                y=[0, height],
                name=f"{name} {value:.1f} touches",
                mode="lines",
                line={"color": colour, "dash": dash, "width": 2},
                hovertemplate=f"{name}: {value:.1f} touches<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="Touches before the deal was won", tickmode="linear", dtick=1)
    fig.update_yaxes(title_text="Won deals", tickformat=",d", rangemode="tozero")
    return _layout(fig, height=340)


def touches_by_type_chart(by_type: pd.DataFrame) -> go.Figure:
    """Touches per won deal by touch type (call, e-mail, meeting...), the most used on top.

    ``by_type``: ``TouchesToClose.by_type``. ``x`` is touches per deal; the hover adds the
    count and the share of all touches to close.
    """
    ordered = by_type.sort_values("per_deal", kind="stable")
    fig = go.Figure(
        go.Bar(
            x=_floats(ordered["per_deal"]),
            y=[label(k) for k in ordered.index],
            orientation="h",
            name="Touches per deal",
            marker_color=PALETTE[4],
            texttemplate="%{x:.2f}",
            textposition="outside",
            cliponaxis=False,
            customdata=list(
                zip(ordered["touches"].tolist(), _floats(ordered["share"]).tolist(), strict=True)
            ),
            hovertemplate="%{y}<br>%{x:.2f} per won deal<br>%{customdata[0]:,} touches, "
            "%{customdata[1]:.1%} of all<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Touches per won deal", range=[0, _room(ordered["per_deal"])])
    fig.update_yaxes(title_text="Touch type", type="category")
    return _layout(fig, height=max(240, 70 + 34 * len(ordered)))


# --------------------------------------------------------------------------------------------
# Revenue


def revenue_stack(
    wide: pd.DataFrame,
    *,
    period: str,
    currency: str,
    names: dict[str, str] | None = None,
    span: float = 0.5,
) -> go.Figure:
    """Revenue per period split into parts, stacked; refunds below zero.

    ``wide``: :func:`kpi.revenue.revenue_by_type_series` (one column per type, empty periods
    0). One bar trace per column, ordered by total revenue (largest at the bottom), with
    ``names`` (default :data:`TYPE_NAMES`) as legend labels; ``barmode`` "relative" so that
    refunds (negative) stack downwards.
    """
    names = names or TYPE_NAMES
    labels = period_labels(wide.index, period)  # type: ignore[arg-type]
    sym = _sym(currency)
    order = wide.sum().sort_values(ascending=False, kind="stable").index
    traces = []
    for i, column in enumerate(order):
        name = names.get(column, label(column))
        colour = PALETTE[3] if column == "refunds" else _STACK_COLOURS[i % len(_STACK_COLOURS)]
        traces.append(
            go.Bar(
                x=labels,
                y=_floats(wide[column]),
                name=name,
                marker_color=colour,
                hovertemplate=f"%{{x}}<br>{name}: %{{y:,.0f}}{sym}<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_layout(barmode="relative")
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(title_text=_money_axis("Revenue", currency), tickformat=",.0f")
    return _layout(fig, span=span)


def arpu_aov_over_time(series: pd.DataFrame, *, period: str, currency: str) -> go.Figure:
    """ARPU and average order value per period, as two lines.

    ``series``: :func:`kpi.base.revenue_series`. Trace 0 is ARPU (revenue / active
    customers), trace 1 average order value (revenue / orders); NaN, a gap, in a period
    without orders. The hover adds active customers and orders.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    sym = _sym(currency)
    lines = (
        (
            "arpu",
            "ARPU (revenue per active customer)",
            "active_customers",
            "Active customers",
            PALETTE[0],
        ),
        ("average_order_value", "Average order value", "orders", "Orders", PALETTE[1]),
    )
    traces = [
        go.Scatter(
            x=labels,
            y=_floats(series[column]),
            name=name,
            mode="lines+markers",
            line={"color": colour, "width": 2},
            customdata=series[count].tolist(),
            hovertemplate=f"%{{x}}<br>{name}: %{{y:,.2f}}{sym}"
            f"<br>{count_name}: %{{customdata:,}}<extra></extra>",
        )
        for column, name, count, count_name, colour in lines
    ]
    fig = go.Figure(traces)
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(
        title_text=_money_axis("Revenue per customer or order", currency),
        tickformat=",.0f",
        rangemode="tozero",
    )
    return _layout(fig)


MAX_CURVE_POINTS = 1_000


def _rows_of(*columns: np.ndarray) -> np.ndarray:
    """Columns side by side as one object array of rows (a trace's ``customdata``).

    >>> _rows_of(np.array(["a", "b"], dtype=object), np.array([1.5, 2.0])).tolist()
    [['a', 1.5], ['b', 2.0]]
    """
    out = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, column in enumerate(columns):
        out[:, j] = column
    return out


def pareto_curve(result: Profitability) -> go.Figure:
    """The sorted profit curve: cumulative share of profit against share of customers.

    ``result``: :func:`kpi.revenue.profit_per_customer`. One line trace per profitability
    band present (in the order of :data:`kpi.revenue.BANDS`), ``x`` the share of customers
    (most profitable first) and ``y`` the cumulative share of the total profit (above 1
    where loss-making customers pull it back); then a dotted "equal shares" diagonal. Each
    band's line starts at the previous band's last point so the curve is unbroken. A dotted
    vertical line marks the top ``result.top`` share of customers. A band of more than
    :data:`MAX_CURVE_POINTS` customers is drawn through that many of its points, evenly
    spaced, its first and last included.
    """
    curve = result.curve
    band = result.per_customer["band"].reindex(curve["customer_id"].to_numpy())
    bands = band.to_numpy(dtype=object)
    xs = np.concatenate([[0.0], _floats(curve["customer_share"])])
    ys = np.concatenate([[0.0], _floats(curve["profit_share"])])
    profit = np.concatenate([[np.nan], _floats(curve["profit"])])
    ids = np.array(["", *curve["customer_id"].astype(str).tolist()], dtype=object)
    traces = []
    for name in BANDS:
        where = np.flatnonzero(bands == name) + 1
        if not len(where):
            continue
        idx = np.concatenate([[where[0] - 1], where])
        if len(idx) > MAX_CURVE_POINTS:
            # Tens of thousands of customers draw the same curve as a thousand points of it
            # (ends kept); Plotly would spend seconds on every point's hover data.
            keep = np.unique(np.linspace(0, len(idx) - 1, MAX_CURVE_POINTS).round().astype(int))
            idx = idx[keep]
        traces.append(
            go.Scatter(
                x=xs[idx],
                y=ys[idx],
                name=BAND_NAMES[name],
                mode="lines",
                line={"color": BAND_COLOURS[name], "width": 3},
                # one (customer, profit) row per point, as an array: Plotly checks a list of
                # tuples element by element (a quarter of a second for a few thousand points)
                customdata=_rows_of(ids[idx], profit[idx]),
                hovertemplate="Customer %{customdata[0]} (profit %{customdata[1]:,.0f})<br>"
                "Top %{x:.1%} of customers earn %{y:.1%} of the profit<extra></extra>",
            )
        )
    traces.append(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            name="Equal shares",
            mode="lines",
            line={"color": "#BBB", "dash": "dot", "width": 1},
            hoverinfo="skip",
        )
    )
    fig = go.Figure(traces)
    fig.add_vline(x=result.top, line={"color": "#888", "dash": "dot", "width": 1})
    fig.update_xaxes(
        title_text="Share of customers, most profitable first", tickformat=".0%", range=[0, 1]
    )
    fig.update_yaxes(title_text="Cumulative share of profit", tickformat=".0%", rangemode="tozero")
    return _layout(fig, height=380)


def net_cash_waterfall(result: NetCash, *, currency: str) -> go.Figure:
    """Operating cash flow, less investments, less the increase in working capital: net cash.

    ``result``: :func:`kpi.revenue.net_cash`. One waterfall trace; ``y`` is
    [operating cash flow, -investments, -working-capital change, net cash] with measures
    relative, relative, relative, total.
    """
    sym = _sym(currency)
    fig = go.Figure(
        go.Waterfall(
            x=["Operating<br>cash flow", "Investments", "Working-capital<br>change", "Net cash"],
            y=[
                result.operating_cash_flow,
                -result.investments,
                -result.working_capital_change,
                result.net_cash,
            ],
            measure=["relative", "relative", "relative", "total"],
            texttemplate="%{y:,.0f}",
            textposition="outside",
            cliponaxis=False,
            increasing={"marker": {"color": PALETTE[2]}},
            decreasing={"marker": {"color": PALETTE[3]}},
            totals={"marker": {"color": PALETTE[0]}},
            connector={"line": {"color": "#BBB"}},
            hovertemplate=f"%{{x}}: %{{y:,.0f}}{sym}<extra></extra>",
            name="Net cash",
        )
    )
    fig.update_xaxes(title_text="Cash flow step", type="category")
    fig.update_yaxes(title_text=_money_axis("Cash", currency), tickformat=",.0f")
    return _layout(fig, height=360, span=0.6)
