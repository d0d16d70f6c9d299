"""Figures of the Retention page: data in, ``go.Figure`` out. No streamlit here.

Each builder takes what :mod:`kpi.retention` and :mod:`kpi.models` return (documented there)
and draws it in the house style of :mod:`ui.charts`. Shares stay fractions in the data
(``fig.data[i].y`` or ``z`` is 0-1) and are shown as percentages by the axis and hover
formats. Every title names the churn definition it depends on (``definition``, e.g.
"churn = no order for 31 days"), so a chart copied into a slide still says what it counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kpi.models import KaplanMeier, SbgFit
from kpi.periods import PERIOD_LABELS, period_labels
from kpi.retention import CohortTable
from ui import format as fmt
from ui.charts import PALETTE, _layout

METRICS = {
    "customers": "Customers",
    "nrr": "Net revenue (NRR)",
    "grr": "Gross revenue (GRR)",
}
# One sequential scale for every heatmap: the lightest blue is an observed 0, never white,
# so it stays distinct from the grey of cells not yet observable.
SCALE = [[0.0, "#EEF3FD"], [0.5, "#7FA6F2"], [1.0, "#173C8C"]]
NOT_YET = "#D9D9D9"
_FAINT = "rgba(47, 111, 237, 0.22)"
_BANDS = (
    "rgba(47, 111, 237, 0.15)",
    "rgba(242, 159, 5, 0.18)",
    "rgba(27, 166, 114, 0.15)",
    "rgba(214, 69, 69, 0.15)",
    "rgba(123, 97, 255, 0.15)",
    "rgba(19, 163, 181, 0.15)",
    "rgba(140, 140, 140, 0.15)",
)
MAX_TEXT_CELLS = 400


def _titled(fig: go.Figure, title: str, height: int, *, span: float = 0.5) -> go.Figure:
    """House layout with room for both the title and the legend above the plot."""
    fig = _layout(fig, title=title, height=height, span=span)
    fig.update_layout(
        margin={"t": max(84, fig.layout.margin.t)}, title={"y": 0.98, "yanchor": "top"}
    )
    return fig


def _plural(period: str) -> str:
    return f"{PERIOD_LABELS[period].lower()}s"


def age_axis(period: str) -> str:
    """The axis title of cohort ages: ``Months since first order or signup``."""
    return f"{_plural(period).capitalize()} since first order or signup"


# --------------------------------------------------------------------------------------------
# Churn definition


def gap_histogram(
    gaps: pd.Series, *, suggested: int, window: int, percentile: float = 0.9, bins: int = 40
) -> go.Figure:
    """Repeat visits by days since the customer's previous order, with the window marked.

    ``gaps``: :func:`kpi.retention.order_gaps` (days). Bars of equal width from 0 to the 99th
    percentile of the gaps or the window, whichever is larger; longer gaps are counted in the
    last bar ("or more" in its hover). Trace 0 is the bars (``y`` repeat visits per bar,
    ``customdata`` the bar's first and last day and its share of all gaps); the suggested
    window (the ``percentile`` of the gaps) and the chosen one are vertical lines
    (``layout.shapes``), named in the legend above the plot.
    """
    days = gaps.to_numpy(dtype=np.float64)
    top = max(float(np.quantile(days, 0.99)) if len(days) else 1.0, float(window), 1.0) * 1.05
    edges = np.linspace(0.0, top, bins + 1)
    counts, _ = np.histogram(np.minimum(days, top), bins=edges)
    total = max(int(counts.sum()), 1)
    last = [
        f"{edges[-2]:,.0f} or more" if i == bins - 1 else f"{edges[i + 1]:,.0f}"
        for i in range(bins)
    ]
    fig = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=counts,
            width=np.diff(edges) * 0.92,
            name="Repeat visits",
            marker_color=PALETTE[0],
            showlegend=False,
            customdata=list(
                zip([f"{e:,.0f}" for e in edges[:-1]], last, counts / total, strict=True)
            ),
            hovertemplate="%{customdata[0]} to %{customdata[1]} days since the previous order"
            "<br>%{y:,} repeat visits (%{customdata[2]:.1%})<extra></extra>",
        )
    )
    # The lines are named in the legend above the plot, not by annotations beside them: a
    # label beside its line was crossed by the line itself, sat on the bars, and ran into the
    # other line's label when the two windows were close ("Suggested: 31 days" over "Chosen").
    # Vertical lines over the plot's full height, as layout shapes given at once: add_vline
    # rebuilt the figure's layout for each line, most of this chart's build time.
    lines = [(suggested, {"color": PALETTE[1], "width": 2, "dash": "dash"},
              f"Suggested: {suggested:,} days ({percentile:.0%} of gaps are shorter)")]  # fmt: skip
    if window != suggested:
        lines.append((window, {"color": PALETTE[3], "width": 2}, f"Chosen: {window:,} days"))
    fig.update_layout(
        shapes=[
            {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1,
             "yref": "y domain", "line": line, "name": name, "showlegend": True}
            for x, line, name in lines
        ]
    )  # fmt: skip
    fig.update_xaxes(title_text="Days between a customer's orders", range=[0, top])
    fig.update_yaxes(title_text="Repeat visits", tickformat=",d", rangemode="tozero")
    return _titled(fig, "Gaps between orders", 320)


# --------------------------------------------------------------------------------------------
# Cohorts


def cohort_rows(cohorts: CohortTable, group: str | None = None) -> pd.Index:
    """Positions of the rows of one split group (all rows when not split)."""
    index = cohorts.sizes.index
    if isinstance(index, pd.MultiIndex):
        if group is None:
            raise ValueError("the cohort table is split: name the group to draw")
        return pd.Index(np.flatnonzero(index.get_level_values(0) == group))
    return pd.RangeIndex(len(index))


def _values(cohorts: CohortTable, metric: str, relative: bool) -> pd.DataFrame:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}; got {metric!r}")
    if metric == "customers":
        return cohorts.customer_retention if relative else cohorts.active
    if metric == "nrr":
        return cohorts.revenue_retention if relative else cohorts.revenue
    return cohorts.gross_revenue_retention if relative else cohorts.gross_revenue


def cohort_heatmap(
    cohorts: CohortTable,
    *,
    metric: str = "customers",
    relative: bool = True,
    group: str | None = None,
    currency: str | None = None,
) -> go.Figure:
    """Cohorts (rows, oldest on top) by age (columns): share retained, or counts or money.

    ``cohorts``: :func:`kpi.retention.cohort_retention`; ``metric`` customers, nrr or grr;
    ``relative`` shares (customer retention, NRR, GRR) or absolute values (active customers,
    revenue, capped revenue); ``group`` the split value to draw when the table is split.
    Trace 0 paints cells not yet observable grey (``z`` 1 there, NaN elsewhere; hover "not yet
    observable"); trace 1 holds the values (``z``: NaN where not yet observable, an observed
    zero is 0.0) on one colour scale, with cohort size, count or money and share in the hover.
    Shares of customers and GRR are scaled 0-100 %; NRR, which can pass 100 %, up to its
    largest value after age 0.
    """
    rows = cohort_rows(cohorts, group)
    values = _values(cohorts, metric, relative).iloc[rows]
    share = _values(cohorts, metric, True).iloc[rows].to_numpy(dtype=np.float64)
    amount = _values(cohorts, metric, False).iloc[rows].to_numpy(dtype=np.float64)
    observable = cohorts.observable.iloc[rows].to_numpy()
    complete = cohorts.complete.iloc[rows].to_numpy()
    sizes = cohorts.sizes.iloc[rows].to_numpy()
    starts = cohorts.sizes.index[rows]
    if isinstance(starts, pd.MultiIndex):
        starts = starts.get_level_values(-1)
    y = period_labels(starts, cohorts.period)
    x = [str(a) for a in values.columns]
    z = values.to_numpy(dtype=np.float64)

    sym = fmt.currency_symbol(currency)
    money = metric != "customers"
    count_text = (
        f"%{{customdata[1]:,.0f}} {sym}".strip() if money else "%{customdata[1]:,.0f} active"
    )
    what = {
        "customers": "of the cohort active",
        "nrr": "of age-0 revenue",
        "grr": "of age-0 revenue, capped",
    }[metric]
    running = np.where(observable & ~complete, " (period still running)", "")
    custom = np.empty((*z.shape, 4), dtype=object)
    custom[..., 0] = np.broadcast_to(sizes[:, None], z.shape).astype(np.float64)
    custom[..., 1] = amount
    custom[..., 2] = share
    custom[..., 3] = running
    hover = (
        "Cohort %{y} (%{customdata[0]:,.0f} customers)<br>Age %{x}%{customdata[3]}<br>"
        + count_text
        + f"<br>%{{customdata[2]:.1%}} {what}<extra></extra>"
    )
    if relative:
        after = z[:, 1:][np.isfinite(z[:, 1:])] if z.shape[1] > 1 else np.array([])
        zmax = max(1.0, float(after.max())) if metric == "nrr" and after.size else 1.0
        scale = {"zmin": 0.0, "zmax": zmax}
        colorbar = {"title": {"text": "Share"}, "tickformat": ".0%"}
        text = "%{z:.0%}"
    else:
        finite = z[np.isfinite(z)]
        scale = {
            "zmin": min(0.0, float(finite.min()) if finite.size else 0.0),
            "zmax": max(1.0, float(finite.max()) if finite.size else 1.0),
        }
        unit = f"Revenue ({sym})" if money and sym else ("Revenue" if money else "Customers")
        colorbar = {"title": {"text": unit}, "tickformat": ",.0f"}
        text = "%{z:,.0f}"
    grey = np.where(observable, np.nan, 1.0)
    # Plain dicts, checked once by go.Figure: go.Heatmap objects would be copied cell by cell
    # (the hover's table holds Python objects) when the figure takes them.
    fig = go.Figure(
        [
            {
                "type": "heatmap",
                "x": x,
                "y": y,
                "z": grey,
                "colorscale": [[0, NOT_YET], [1, NOT_YET]],
                "showscale": False,
                "name": "Not yet observable",
                "xgap": 1,
                "ygap": 1,
                "hovertemplate": "Cohort %{y}, age %{x}: not yet observable<extra></extra>",
            },
            {
                "type": "heatmap",
                "x": x,
                "y": y,
                "z": z,
                "colorscale": SCALE,
                "colorbar": colorbar,
                "name": METRICS[metric],
                "customdata": custom,
                "hovertemplate": hover,
                "xgap": 1,
                "ygap": 1,
                "texttemplate": text if z.size <= MAX_TEXT_CELLS else None,
                "textfont": {"size": 11},
                **scale,
            },
        ]
    )
    fig.update_xaxes(title_text=age_axis(cohorts.period), type="category", side="top")
    fig.update_yaxes(
        title_text=f"Cohort ({PERIOD_LABELS[cohorts.period].lower()} of first order or signup)",
        type="category",
        autorange="reversed",
    )
    fig = _layout(fig, height=min(900, max(300, 120 + 24 * len(y))), span=1)
    fig.update_layout(plot_bgcolor="white", margin={"t": max(60, fig.layout.margin.t)})
    return fig


def retention_curves(
    cohorts: CohortTable, average: pd.DataFrame, *, metric: str = "customers"
) -> go.Figure:
    """One thin line per cohort and the cohort-size weighted average in bold.

    ``average``: :func:`kpi.retention.retention_curve` of ``cohorts``. When the table is split,
    one bold average line per group and no cohort lines. Shares in ``y`` (0-1); a cohort's line
    stops at its last observable age. The cohort lines are one trace (trace 0, when there are
    cohorts), each line ended by a NaN point and its cohort's label in ``customdata``; the
    average is the last trace (or one per group).
    """
    column = {
        "customers": "customer_retention",
        "nrr": "revenue_retention",
        "grr": "gross_revenue_retention",
    }[metric]
    values = _values(cohorts, metric, True)
    # Traces as plain dicts, checked once by go.Figure: built as go.Scatter objects first,
    # the thirty-odd cohort lines were validated twice, the slowest part of the page's run.
    traces: list[dict] = []
    if isinstance(values.index, pd.MultiIndex):
        for i, (group, curve) in enumerate(average[column].groupby(level=0)):
            curve = curve.droplevel(0)
            traces.append(
                {
                    "type": "scatter",
                    "x": curve.index.to_numpy(),
                    "y": curve.to_numpy(dtype=np.float64),
                    "mode": "lines+markers",
                    "name": str(group),
                    "line": {"color": PALETTE[i % len(PALETTE)], "width": 3},
                    "hovertemplate": f"{group}<br>Age %{{x}}: %{{y:.1%}}<extra></extra>",
                }
            )
    else:
        # Every cohort's line in one trace, the lines apart at a NaN gap, the cohort named in
        # each point's hover: thirty-odd traces of their own cost the browser three times the
        # time to draw (Plotly's work per trace), on a page's first view.
        labels = period_labels(values.index, cohorts.period)
        xs, ys, names = [], [], []
        for label, row in zip(labels, values.to_numpy(dtype=np.float64), strict=True):
            keep = np.flatnonzero(np.isfinite(row))
            xs += [keep.astype(np.float64), [np.nan]]
            ys += [row[keep], [np.nan]]
            names += [np.full(len(keep) + 1, label, dtype=object)]
        if xs:
            traces.append(
                {
                    "type": "scatter",
                    "x": np.concatenate(xs),
                    "y": np.concatenate(ys),
                    "customdata": np.concatenate(names),
                    "mode": "lines",
                    "name": "One line per cohort",
                    "line": {"color": _FAINT, "width": 1},
                    "connectgaps": False,
                    "hovertemplate": "Cohort %{customdata}<br>Age %{x}: %{y:.1%}<extra></extra>",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "x": average.index.to_numpy(),
                "y": average[column].to_numpy(dtype=np.float64),
                "mode": "lines+markers",
                "name": "Weighted average",
                "line": {"color": PALETTE[0], "width": 4},
                "customdata": average["cohorts"].to_numpy(),
                "hovertemplate": "Weighted average<br>Age %{x}: %{y:.1%}"
                "<br>over %{customdata:,} cohorts<extra></extra>",
            }
        )
    fig = go.Figure(traces)
    fig.update_xaxes(title_text=age_axis(cohorts.period))
    name = {
        "customers": "Share of the cohort active",
        "nrr": "Revenue as share of age 0 (NRR)",
        "grr": "Capped revenue as share of age 0 (GRR)",
    }[metric]
    fig.update_yaxes(title_text=name, tickformat=".0%", rangemode="tozero")
    return _layout(fig, height=380, span=1)


# --------------------------------------------------------------------------------------------
# Survival


def survival_curves(fits: dict[str, KaplanMeier], *, definition: str) -> go.Figure:
    """Kaplan-Meier survival per group, as steps from 100 % at month 0, with 95 % bands.

    ``fits``: group name -> :func:`kpi.models.kaplan_meier`. Per group three traces: the
    band's top, its bottom (filled up to the top) and the curve; ``x`` in months, ``y`` shares
    (0-1) starting at (0, 1). Where survival has reached 0 the band is NaN (a gap).
    """
    traces: list[go.Scatter] = []
    for i, (name, fit) in enumerate(fits.items()):
        table = fit.table
        t = np.concatenate([[0.0], table.index.to_numpy(dtype=np.float64)])

        def col(c: str, t0: float, table: pd.DataFrame = table) -> np.ndarray:
            return np.concatenate([[t0], table[c].to_numpy(dtype=np.float64)])

        colour = PALETTE[i % len(PALETTE)]
        band = {
            "mode": "lines",
            "line": {"width": 0, "shape": "hv"},
            "hoverinfo": "skip",
            "showlegend": False,
            "legendgroup": name,
        }
        traces += [
            go.Scatter(x=t, y=col("upper", 1.0), name=f"{name}: 95 % band, top", **band),
            go.Scatter(
                x=t,
                y=col("lower", 1.0),
                name=f"{name}: 95 % band",
                fill="tonexty",
                fillcolor=_BANDS[i % len(_BANDS)],
                **band,
            ),
            go.Scatter(
                x=t,
                y=col("survival", 1.0),
                name=name,
                mode="lines",
                legendgroup=name,
                line={"color": colour, "width": 2.5, "shape": "hv"},
                customdata=col("at_risk", float(table["at_risk"].iloc[0])),
                hovertemplate=f"{name}<br>%{{x:.1f}} months: %{{y:.1%}} still customers"
                "<br>%{customdata:,.0f} at risk<extra></extra>",
            ),
        ]
    fig = go.Figure(traces)
    fig.update_xaxes(title_text="Months since first order or signup", rangemode="tozero")
    fig.update_yaxes(title_text="Share still customers", tickformat=".0%", range=[0, 1.02])
    return _titled(fig, f"Survival (Kaplan-Meier, 95 % band) · {definition}", 400, span=1)


def sbg_projection(
    survivors: np.ndarray,
    fit: SbgFit,
    *,
    fitted_on: int,
    period: str,
    definition: str,
    horizon: int | None = None,
) -> go.Figure:
    """Actual survivors against the sBG projection, as shares of the cohort.

    ``survivors``: :func:`kpi.retention.sbg_survivors` (all observed ages); ``fit``:
    :func:`kpi.models.fit_sbg` of its first ``fitted_on + 1`` counts. Traces: 0 the projection
    ``fit.survival(t)`` for t = 0..horizon (default: observed ages + 6), 1 the actual shares
    the model was fitted on (ages 0..fitted_on), 2 the actual shares it was not (the holdout,
    ages after fitted_on; empty when there are none). A dotted line marks the end of the fit.
    """
    n = len(survivors) - 1
    horizon = n + 6 if horizon is None else horizon
    size = float(survivors[0])
    share = np.asarray(survivors, dtype=np.float64) / size
    t = np.arange(horizon + 1)
    projected = np.asarray(fit.survival(t), dtype=np.float64)
    per = PERIOD_LABELS[period].lower()
    ages = np.arange(n + 1)
    calib, hold = ages <= fitted_on, ages > fitted_on
    marker = {"size": 8}
    fig = go.Figure(
        [
            go.Scatter(
                x=t,
                y=projected,
                name="sBG projection",
                mode="lines",
                line={"color": PALETTE[1], "width": 3, "dash": "dash"},
                customdata=projected * size,
                hovertemplate=f"{per.capitalize()} %{{x}}: projected %{{y:.1%}}"
                " (%{customdata:,.0f} customers)<extra></extra>",
            ),
            go.Scatter(
                x=ages[calib],
                y=share[calib],
                name="Actual, fitted on",
                mode="markers+lines",
                line={"color": PALETTE[0], "width": 2},
                marker=marker,
                customdata=survivors[calib],
                hovertemplate=f"{per.capitalize()} %{{x}}: %{{y:.1%}} still customers"
                " (%{customdata:,.0f})<extra></extra>",
            ),
            go.Scatter(
                x=ages[hold],
                y=share[hold],
                name="Actual, held out",
                mode="markers+lines",
                line={"color": PALETTE[3], "width": 2},
                marker={**marker, "symbol": "circle-open", "line": {"width": 2}},
                customdata=survivors[hold],
                hovertemplate=f"{per.capitalize()} %{{x}}: %{{y:.1%}} still customers"
                " (%{customdata:,.0f}), not used by the fit<extra></extra>",
            ),
        ]
    )
    fig.add_vline(
        x=fitted_on,
        line={"color": "#888", "width": 1, "dash": "dot"},
        annotation_text=f"fitted on {per}s 0–{fitted_on}",
        annotation_position="top right",
    )
    fig.update_xaxes(title_text=f"{_plural(period).capitalize()} since first order or signup")
    fig.update_yaxes(
        title_text="Share of the cohort still customers", tickformat=".0%", rangemode="tozero"
    )
    return _titled(fig, f"Projected retention (sBG) · {definition}", 400)


# --------------------------------------------------------------------------------------------
# Over time


def churn_over_time(series: pd.DataFrame, *, period: str, definition: str) -> go.Figure:
    """Churn rate per period (bars) with lost and starting customers in the hover.

    ``series``: :func:`kpi.retention.churn_series`. ``y`` holds shares (0-1); a period that
    started without customers is NaN (no bar).
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=series["churn_rate"].to_numpy(dtype=np.float64),
            name="Churn rate",
            marker_color=PALETTE[3],
            customdata=list(
                zip(series["lost"].tolist(), series["customers_start"].tolist(), strict=True)
            ),
            hovertemplate="%{x}<br>Churn: %{y:.1%}<br>%{customdata[0]:,} lost of "
            "%{customdata[1]:,} customers at the start<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(
        title_text="Churn rate",
        tickformat=".1%",
        rangemode="tozero",
    )
    return _titled(fig, f"Churn rate per {period} · {definition}", 340)


def retention_over_time(series: pd.DataFrame, *, period: str, definition: str) -> go.Figure:
    """Customer retention rate (CRR) per period as a line, customers at start and end in hover.

    ``series``: :func:`kpi.retention.churn_series`; ``y`` holds ``retention_rate`` (0-1), NaN
    for a period that started without customers (a gap).
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=series["retention_rate"].to_numpy(dtype=np.float64),
            name="Customer retention rate",
            mode="lines+markers",
            line={"color": PALETTE[2], "width": 2.5},
            customdata=list(
                zip(
                    series["customers_start"].tolist(),
                    series["customers_end"].tolist(),
                    series["new"].tolist(),
                    strict=True,
                )
            ),
            hovertemplate="%{x}<br>CRR: %{y:.1%}<br>(%{customdata[1]:,} at the end - "
            "%{customdata[2]:,} new) / %{customdata[0]:,} at the start<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=PERIOD_LABELS[period], type="category")
    fig.update_yaxes(title_text="Customer retention rate", tickformat=".0%")
    return _titled(fig, f"Customer retention rate per {period} · {definition}", 340)
