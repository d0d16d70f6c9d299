"""The meeting view's shared pieces: y axes that show the change, and rows of big cards."""

import plotly.graph_objects as go
import pytest

from ui import meeting


def test_a_line_far_from_zero_is_zoomed_and_its_axis_says_it_does_not_start_at_zero():
    fig = go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[0.96, 0.97, 0.98, 0.99]))
    fig.update_yaxes(title_text="Customer retention rate", rangemode="tozero")
    result = meeting.zoom(fig).layout.yaxis
    # lo 0.96, hi 0.99: zero would take 0.96 / 0.99 of the axis; padding 8 % of 0.03 = 0.0024
    assert result.range == pytest.approx((0.9576, 0.9924))
    assert result.title.text == "Customer retention rate (axis not from 0)"


def test_bars_keep_their_zero_and_their_title():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[400_000, 440_000]))
    fig.update_yaxes(title_text="Revenue (€)")
    result = meeting.zoom(fig).layout.yaxis
    assert result.range is None
    assert result.title.text == "Revenue (€)"


def test_a_line_near_zero_starts_at_zero():
    # lo 0.01 < half of the spread 0.03: zero costs little of the axis, so it stays in sight
    fig = go.Figure(go.Scatter(x=[1, 2], y=[0.01, 0.04]))
    fig.update_yaxes(title_text="Churn rate")
    result = meeting.zoom(fig).layout.yaxis
    assert result.range is None
    assert result.rangemode == "tozero"
    assert result.title.text == "Churn rate"


def test_each_axis_of_two_is_judged_by_its_own_traces():
    fig = go.Figure([go.Bar(y=[5, 6]), go.Scatter(y=[200, 210], yaxis="y2")])
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "title": {"text": "€"}})
    meeting.zoom(fig)
    assert fig.layout.yaxis.range is None
    # 200 to 210, padded by 0.8
    assert fig.layout.yaxis2.range == pytest.approx((199.2, 210.8))


@pytest.mark.parametrize(
    ("cards", "usual", "expected"),
    [(6, 3, 3), (7, 3, 4), (8, 3, 4), (9, 3, 3), (4, 3, 4), (2, 3, 3), (3, 3, 3)],
)
def test_meeting_cards_fill_as_few_rows_of_at_most_four_as_they_need(
    monkeypatch, cards, usual, expected
):
    monkeypatch.setattr(meeting, "active", lambda: True)
    assert meeting.per_row(cards, usual) == expected


def test_outside_a_meeting_cards_keep_the_page_s_rows():
    assert meeting.per_row(7, 3) == 3
