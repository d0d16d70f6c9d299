"""Chart margins worked out before drawing (:mod:`ui.margins`), against sums done by hand.

Text widths are DejaVu Sans advance widths at 12 px: a digit 636/1000 em = 7.632 px, a comma
318 = 3.816 px, a hyphen 361 = 4.332 px. Streamlit's chart theme puts a left axis's title
20 px from its labels, 14.6 px of label padding, and 18.2 px per title line (14 px x 1.3);
every side gets 2 px to spare.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from ui import charts, margins
from ui.charts import _layout


def _months(n: int, top: float) -> pd.DataFrame:
    index = pd.date_range("2023-11-01", periods=n, freq="MS")
    revenue = [top if k % 2 else top / 4 for k in range(n)]
    return pd.DataFrame({"revenue": revenue, "orders": [1] * n}, index=index)


def test_revenue_per_month_across_the_page():
    fig = charts.revenue_over_time(_months(36, 390_000.0), period="month", currency="EUR")
    # y: 360 px high, 250 px of axis: 250 / 40 + 1 = 7.25 ticks; the top 390,000 + 5 % =
    # 409,500; a step of 409,500 / 7.25 = 56,483 rounds up to 100,000; ticks 0 to 400,000.
    # "400,000": 6 x 7.632 + 3.816 = 49.608 px; left 49.608 + 14.6 + 20 + 18.2 + 2 = 104.4.
    assert fig.layout.margin.l == 105
    # x: 36 labels "2023-11" of 6 x 7.632 + 4.332 = 50.124 px on 980 - 102.4 - 10 = 867.6 px:
    # 24.1 px apart, too close for flat (56 px) or 30 degrees (26 px): turned 90 degrees.
    # Bottom: 13.6 px of padding, 50.124 + 5.4 of turned labels, the title 20 + 18.2, + 2.
    assert fig.layout.margin.b == 110
    # Nothing on the right beyond the 10 px edge, nor above but half a tick label (14 px).
    assert (fig.layout.margin.r, fig.layout.margin.t) == (12, 16)


def test_few_months_lie_flat():
    fig = charts.revenue_over_time(_months(4, 390_000.0), period="month", currency="EUR")
    # 4 labels of 50.1 px on 867.6 px are 217 px apart: flat. Bottom: 13.6 px of padding,
    # one line of labels 14.4, the title 38.2, + 2 = 68.2.
    assert fig.layout.margin.b == 69


def test_a_legend_too_wide_for_one_row_takes_a_grid():
    names = ["Top 20 % of customers", "Next 30 %", "Bottom 50 %", "Loss-making", "Equal shares"]
    fig = go.Figure([go.Scatter(x=[0, 1], y=[0, 1], name=n) for n in names])
    fig.update_xaxes(title_text="Share of customers", range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title_text="Share of profit", range=[0, 1], tickformat=".0%")
    fig = _layout(fig)
    # Left: "100%" is 3 x 7.632 + 950 / 1000 x 12 = 34.3 px; 34.3 + 52.8 + 2 = 89.1.
    assert fig.layout.margin.l == 90
    # Right: the x axis ends on "100%", half of it 17.2 + 12 px of padding, + 2 = 31.2.
    assert fig.layout.margin.r == 32
    # Half a page: 482 px wide, 482 - 87.1 - 29.2 = 365.7 px of plot. The widest entry, "Top
    # 20 % of customers", is 44 + 137.7 px; all five do not fit on a row, and two columns of
    # 181.7 px need 368 px: one column, five rows.
    assert margins._legend_rows(fig, 482 - 87.1 - 29.2) == 5
    # Two rows are set aside (25 + 2 x 19 + 2 = 65); Plotly makes room for the other three.
    assert fig.layout.margin.t == 65


def test_one_row_of_legend():
    fig = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name=n) for n in ("Created", "Resolved")])
    fig = _layout(fig)
    # Two short entries fit on one row: 25 + 19 + 2 = 46.
    assert fig.layout.margin.t == 46


def test_a_waterfall_total_is_not_added_to_the_steps():
    steps = margins._running_totals(
        pd.Series([100.0, -30.0, -20.0, 50.0]).to_numpy(),
        ["relative", "relative", "relative", "total"],
    )
    assert steps.tolist() == [100.0, 70.0, 50.0, 50.0]


def test_horizontal_bars_make_room_for_the_names():
    fig = go.Figure(go.Bar(x=[3.0, 1.5], y=["Tomasz Wiśniewski", "Ann"], orientation="h"))
    fig.update_yaxes(title_text="Agent")
    fig = _layout(fig)
    # "Tomasz Wiśniewski" is measured as "Tomasz Wisniewski" (ś on its base letter s):
    # T 611, o 612, m 974, a 613, s 521, z 525, space 318, W 989, i 278, s 521, n 634, i 278,
    # e 615, w 818, s 521, k 579, i 278: 9685 / 1000 x 12 = 116.22 px (the browser draws
    # 114.9). Left: 116.22 + 52.8 + 2 = 171.02.
    assert margins.text_width("Tomasz Wiśniewski") == pytest.approx(116.22)
    assert fig.layout.margin.l == 172


def test_negative_numbers_carry_the_wide_minus_sign():
    # Plotly writes "−100" with U+2212 (838 / 1000 em): 10.056 + 3 x 7.632 = 32.952 px.
    assert margins.text_width("\u2212100") == pytest.approx(32.952)


def test_a_heatmap_has_room_for_its_colour_bar():
    fig = go.Figure(go.Heatmap(z=[[0, 40], [90, 150]], x=["0", "1"], y=["Monday", "Tuesday"]))
    fig.update_yaxes(title_text="Weekday")
    fig = _layout(fig, span=1)
    # Left: "Tuesday" is T 611, u 634, e 615, s 521, d 635, a 613, y 592 = 4221 / 1000 x 12
    # = 50.65 px; a heatmap's labels sit 10 px further out: 50.65 + 52.8 + 10 = 113.45.
    assert fig.layout.margin.l == 116
    # The colour bar's ticks on 250 px: 150 / 7.25 = 20.7 rounds up to a step of 50, so 0 to
    # 150; "150" is 22.9 px. The bar takes 63 + 22.9 = 85.9 px, and stands off 2 % of the
    # plot's 980 - 113.45 - 85.9 = 780.65 px: 15.6. Right: 85.9 + 15.6 + 2 = 103.5.
    assert fig.layout.margin.r == 104
