"""Figures of the Satisfaction page: data in, ``go.Figure`` out. No streamlit here.

Each builder takes a table of :mod:`kpi.satisfaction` as it is returned (documented there)
and draws it in the house style of :mod:`ui.charts`. Shares stay fractions in the data
(``fig.data[i].y`` is 0-1) and are shown as percentages by the axis and hover formats; NPS is
in points (-100..100). A period or group without answers has NaN and draws no bar or point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kpi.periods import PERIOD_LABELS, period_labels
from kpi.satisfaction import SMALL_SAMPLE
from ui import format as fmt
from ui.charts import PALETTE, _layout

# Red for detractors, amber for passives, green for promoters: the reading every NPS report
# uses, so nobody needs the legend twice.
GROUP_COLOURS = {"promoter": PALETTE[2], "passive": PALETTE[1], "detractor": PALETTE[3]}
GROUP_NAMES = {
    "promoter": "Promoters (9-10)",
    "passive": "Passives (7-8)",
    "detractor": "Detractors (0-6)",
}
# Stacking order, bottom (or left) first: the bad news is where the eye starts.
_STACK = ("detractor", "passive", "promoter")
_PLURAL = {"promoter": "promoters", "passive": "passives", "detractor": "detractors"}
_SMALL = "#A9C1F5"
_OTHERS = "#B8B8B8"
NPS_AXIS = "NPS (points, -100 to +100)"


def _share_traces(table: pd.DataFrame, labels: list[str], *, horizontal: bool) -> list[go.Bar]:
    """One bar trace per NPS group with the group's share of answers, stacked."""
    traces = []
    n = table["n"].to_numpy()
    for group in _STACK:
        share = table[f"{group}_share"].to_numpy(dtype="float64")
        count = table[_PLURAL[group]].to_numpy()
        keys = list(table.index) if not isinstance(table.index, pd.DatetimeIndex) else None
        position = keys if keys is not None else table.index
        traces.append(
            go.Bar(
                x=share if horizontal else position,
                y=position if horizontal else share,
                orientation="h" if horizontal else "v",
                name=GROUP_NAMES[group],
                marker_color=GROUP_COLOURS[group],
                customdata=list(zip(labels, count.tolist(), n.tolist(), strict=True)),
                hovertemplate="%{customdata[0]}<br>"
                + GROUP_NAMES[group]
                + f": %{{{'x' if horizontal else 'y'}:.1%}}"
                + " (%{customdata[1]:,} of %{customdata[2]:,} answers)<extra></extra>",
            )
        )
    return traces


def nps_split_over_time(series: pd.DataFrame, *, period: str) -> go.Figure:
    """Promoter, passive and detractor shares per period, stacked to 100 %.

    ``series``: :func:`kpi.satisfaction.nps_series`. Traces in the order detractors,
    passives, promoters; ``y`` holds shares (0-1), NaN for a period without answers.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    fig = go.Figure(_share_traces(series, labels, horizontal=False))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=PERIOD_LABELS[period])
    fig.update_yaxes(title_text="Share of answers", tickformat=".0%", range=[0, 1])
    return _layout(fig)


def nps_split_by(table: pd.DataFrame, *, dimension: str) -> go.Figure:
    """Promoter, passive and detractor shares per segment, channel or agent, stacked.

    ``table``: :func:`kpi.satisfaction.nps_by`; ``dimension`` is the breakdown's name on
    screen ("Channel"). Horizontal bars, the highest NPS on top (plotly draws the first row
    at the bottom, so rows are sorted by ascending NPS). Traces: detractors, passives,
    promoters; ``x`` holds shares (0-1). A group with fewer than 30 answers says so in its
    label.
    """
    ordered = table.sort_values("nps", kind="stable")
    keys = [fmt.category(key) for key in ordered.index]  # cased as everywhere else
    names = [
        f"{key} (n = {n:,})" if n < SMALL_SAMPLE else key
        for key, n in zip(keys, ordered["n"], strict=True)
    ]
    labels = [f"{key}: NPS {nps:+.0f}" for key, nps in zip(keys, ordered["nps"], strict=True)]
    shown = ordered.set_axis(pd.Index(names))
    fig = go.Figure(_share_traces(shown, labels, horizontal=True))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Share of answers", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title_text=dimension, type="category")
    return _layout(fig, height=max(240, 60 + 34 * len(ordered)))


def nps_over_time(series: pd.DataFrame, *, period: str) -> go.Figure:
    """NPS per period with its 95 % band (the trinomial margin of error).

    ``series``: :func:`kpi.satisfaction.nps_series`. Traces: 0 the band's top (``high``),
    1 its bottom (``low``, filled up to the top), 2 the NPS line with the number of answers
    in the hover. A period without answers is a gap, not a zero.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    band = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}
    fig = go.Figure(
        [
            go.Scatter(x=series.index, y=series["high"], name="95 % band, top", **band),
            go.Scatter(
                x=series.index,
                y=series["low"],
                name="95 % band",
                fill="tonexty",
                fillcolor="rgba(47, 111, 237, 0.15)",
                **band,
            ),
            go.Scatter(
                x=series.index,
                y=series["nps"],
                name="NPS",
                mode="lines+markers",
                line={"color": PALETTE[0], "width": 2},
                customdata=list(
                    zip(
                        labels,
                        series["n"].tolist(),
                        series["margin_of_error"].tolist(),
                        strict=True,
                    )
                ),
                hovertemplate="%{customdata[0]}<br>NPS: %{y:+.1f} points"
                " ± %{customdata[2]:.1f} (95 %)<br>Answers: %{customdata[1]:,}<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(title_text=PERIOD_LABELS[period])
    fig.update_yaxes(title_text=NPS_AXIS, range=[-100, 100], zeroline=True)
    return _layout(fig)


def score_histogram(scores: pd.Series) -> go.Figure:
    """Number of answers per score 0-10, coloured by NPS group.

    ``scores``: 0-10 answers (blanks are dropped). One bar trace per group, in the order
    detractors (x 0-6), passives (7-8), promoters (9-10); a score nobody gave is a zero bar.
    """
    known = pd.to_numeric(scores, errors="coerce").dropna()
    counts = known.round().astype("int64").value_counts().reindex(range(11), fill_value=0)
    total = int(counts.sum())
    ranges = {"detractor": range(7), "passive": range(7, 9), "promoter": range(9, 11)}
    traces = []
    for group in _STACK:
        x = list(ranges[group])
        y = counts.loc[x].to_numpy(dtype="int64")
        share = y / total if total else np.full(len(y), np.nan)
        traces.append(
            go.Bar(
                x=x,
                y=y,
                name=GROUP_NAMES[group],
                marker_color=GROUP_COLOURS[group],
                customdata=share,
                hovertemplate="Score %{x}: %{y:,} answers (%{customdata:.1%})<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    fig.update_xaxes(title_text="Score given (0 = not at all likely, 10 = extremely likely)",
                     tickmode="linear", dtick=1, range=[-0.5, 10.5])  # fmt: skip
    fig.update_yaxes(title_text="Answers", tickformat=",d", rangemode="tozero")
    return _layout(fig, height=320)


def csat_over_time(series: pd.DataFrame, *, period: str, scale_max: int) -> go.Figure:
    """Mean CSAT per period (line, left axis 0 to ``scale_max``).

    ``series``: :func:`kpi.satisfaction.csat_series`. Trace 0 is the mean score; the hover
    adds the share of satisfied answers and the number of answers. A period without answers
    is a gap.
    """
    labels = period_labels(series.index, period)  # type: ignore[arg-type]
    fig = go.Figure(
        go.Scatter(
            x=series.index,
            y=series["mean"].to_numpy(dtype="float64"),
            name="CSAT",
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 2},
            customdata=list(
                zip(labels, series["satisfied_share"].tolist(), series["n"].tolist(), strict=True)
            ),
            hovertemplate=f"%{{customdata[0]}}<br>Mean score: %{{y:.2f}} of {scale_max}"
            "<br>Satisfied (top two boxes): %{customdata[1]:.1%}"
            "<br>Answers: %{customdata[2]:,}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=PERIOD_LABELS[period])
    fig.update_yaxes(title_text=f"Mean satisfaction score (1 to {scale_max})",
                     range=[0, scale_max])  # fmt: skip
    return _layout(fig)


def csat_by_chart(table: pd.DataFrame, *, dimension: str, scale_max: int) -> go.Figure:
    """Mean CSAT per agent or category as horizontal bars, the best on top.

    ``table``: :func:`kpi.satisfaction.csat_by`. ``x`` is the mean score (0 to
    ``scale_max``); the hover adds the share of satisfied answers and the number of answers.
    Groups with fewer than 30 answers are drawn pale and say so in their label.
    """
    ordered = table.sort_values("mean", kind="stable")
    small = (ordered["n"] < SMALL_SAMPLE).to_numpy()
    names = [
        f"{key} (n = {n:,})" if s else str(key)
        for key, n, s in zip(ordered.index, ordered["n"], small, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=ordered["mean"].to_numpy(dtype="float64"),
            y=names,
            orientation="h",
            name="CSAT",
            marker_color=[_SMALL if s else PALETTE[0] for s in small],
            texttemplate="%{x:.2f}",
            textposition="inside",
            insidetextanchor="end",
            customdata=list(
                zip(ordered["satisfied_share"].tolist(), ordered["n"].tolist(), strict=True)
            ),
            hovertemplate=f"%{{y}}<br>Mean score: %{{x:.2f}} of {scale_max}"
            "<br>Satisfied (top two boxes): %{customdata[0]:.1%}"
            "<br>Answers: %{customdata[1]:,}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=f"Mean satisfaction score (1 to {scale_max})",
                     range=[0, scale_max])  # fmt: skip
    fig.update_yaxes(title_text=dimension, type="category")
    return _layout(fig, height=max(220, 60 + 34 * len(ordered)))


def themes_chart(themes: pd.DataFrame, group: str) -> go.Figure:
    """The words and phrases one NPS group uses most, by share of the group's comments.

    ``themes``: :func:`kpi.satisfaction.comment_themes`; only rows of ``group`` are drawn,
    words and phrases together, the most frequent on top. ``x`` holds shares (0-1).
    """
    rows = themes[themes["group"] == group].sort_values(
        ["count", "term"], ascending=[True, False], kind="stable"
    )
    fig = go.Figure(
        go.Bar(
            x=rows["share_of_comments"].to_numpy(dtype="float64"),
            y=rows["term"].tolist(),
            orientation="h",
            name=GROUP_NAMES[group],
            marker_color=GROUP_COLOURS[group],
            customdata=list(zip(rows["count"].tolist(), rows["kind"].tolist(), strict=True)),
            hovertemplate="“%{y}” (%{customdata[1]})<br>In %{x:.0%} of the comments"
            " (%{customdata[0]:,})<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Share of comments", tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(type="category")
    return _layout(fig, title=GROUP_NAMES[group], height=max(220, 70 + 24 * len(rows)), span=1)


def competitor_comparison(
    own: float,
    others: pd.Series,
    *,
    metric: str,
    unit: str,
    decimals: int = 1,
    own_label: str = "You",
) -> go.Figure:
    """Your value beside the competitors' values the user typed in, one bar each.

    ``others``: values indexed by competitor name; ``metric`` is the name on screen ("NPS",
    "CSAT") and ``unit`` its axis unit ("points", "mean score of 5"). Trace 0 is you
    (highlighted), trace 1 the competitors; bars are ordered by value, highest first and
    labelled with ``decimals`` decimals. A
    competitor named like you is shown as "<name> (competitor)".
    """
    values = others.astype("float64").rename(
        lambda name: f"{name} (competitor)" if str(name) == own_label else str(name)
    )
    order = pd.concat([pd.Series({own_label: float(own)}), values])
    order = order.sort_values(ascending=False, kind="stable")
    template = f"%{{x}}<br>{metric}: %{{y:.{decimals}f}} {unit}<extra></extra>"
    fig = go.Figure(
        [
            go.Bar(x=[own_label], y=[float(own)], name=own_label, marker_color=PALETTE[0],
                   hovertemplate=template),
            go.Bar(x=list(values.index), y=values.to_numpy(), name="Competitors",
                   marker_color=_OTHERS, hovertemplate=template),
        ]
    )  # fmt: skip
    fig.update_traces(texttemplate=f"%{{y:.{decimals}f}}", textposition="outside", cliponaxis=False)
    fig.update_layout(bargap=0.45)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(order.index))
    fig.update_yaxes(title_text=f"{metric} ({unit})")
    return _layout(fig, height=300)
