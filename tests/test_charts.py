"""Figures are checked by their data and labels, without a browser."""

import pandas as pd
import pytest

from kpi import base
from ui import charts


def test_revenue_over_time_has_one_bar_per_period_with_labels():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a"],
            "order_date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-03-02"]),
            "amount": [100.0, 50.0, -20.0],
        }
    )
    series = base.revenue_series(orders, period="month")
    fig = charts.revenue_over_time(series, period="month", currency="EUR")
    bar = fig.data[0]
    assert list(bar.x) == ["2025-01", "2025-02", "2025-03"]  # the empty February is a bar of 0
    assert list(bar.y) == [150.0, 0.0, -20.0]
    assert list(bar.customdata) == [2, 0, 0]  # orders; the refund is not an order
    assert fig.layout.yaxis.title.text == "Revenue (€)"
    assert fig.layout.xaxis.title.text == "Month"


def test_sla_priorities_are_drawn_most_urgent_first_not_alphabetically():
    from ui import support_charts

    table = pd.DataFrame(
        {"met": [5, 1, 3, 2], "missed": [0, 1, 1, 2], "compliance": [1.0, 0.5, 0.75, 0.5]},
        index=pd.Index(["high", "low", "medium", "urgent"], name="priority"),
    )
    fig = support_charts.sla_by_chart({"First response within 24 h": table}, dimension="Priority")
    order = [str(x).lower() for x in fig.layout.xaxis.categoryarray]
    assert order == ["urgent", "high", "medium", "low"]
    # Groups that are not priorities keep the table's order (no category array).
    agents = table.rename(index={"high": "Ann", "low": "Bo", "medium": "Cy", "urgent": "Di"})
    fig = support_charts.sla_by_chart({"First response within 24 h": agents}, dimension="Agent")
    assert fig.layout.xaxis.categoryarray is None


@pytest.mark.parametrize(
    "names, expected",
    [
        (["Высокий", "Низкий", "Средний", "Критический"],
         ["Критический", "Высокий", "Средний", "Низкий"]),
        (["Niski", "Średni", "Wysoki", "Pilny"], ["Pilny", "Wysoki", "Średni", "Niski"]),
        (["Niedrig", "Hoch", "Mittel"], ["Hoch", "Mittel", "Niedrig"]),
        (["Basse", "Haute", "Moyenne", "Urgente"], ["Urgente", "Haute", "Moyenne", "Basse"]),
        (["Baja", "Alta", "Media"], ["Alta", "Media", "Baja"]),
    ],
)  # fmt: skip
def test_sla_priorities_in_other_languages_are_drawn_most_urgent_first(names, expected):
    from ui import support_charts

    n = len(names)
    table = pd.DataFrame(
        {"met": [1] * n, "missed": [1] * n, "compliance": [0.5] * n},
        index=pd.Index(names, name="priority"),
    )
    fig = support_charts.sla_by_chart({"First response within 24 h": table}, dimension="Priority")
    assert list(fig.layout.xaxis.categoryarray) == expected


def test_a_partial_last_period_is_pale_and_labelled_not_a_collapse():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "b", "a"],
            "order_date": pd.to_datetime(["2025-01-05", "2025-02-20", "2025-03-02"]),
            "amount": [100.0, 50.0, 20.0],
        }
    )
    series = base.revenue_series(orders, period="month")
    # The range ends on 10 March: March is partial.
    fig = charts.revenue_over_time(
        series, period="month", currency="EUR", end=pd.Timestamp("2025-03-10")
    )
    colours = list(fig.data[0].marker.color)
    assert colours[:2] == [charts.PALETTE[0]] * 2 and colours[2] == charts.PARTIAL_COLOUR
    assert [a.text for a in fig.layout.annotations] == ["partial"]
    # Ending on the month's last day, every bar is whole.
    fig = charts.revenue_over_time(
        series, period="month", currency="EUR", end=pd.Timestamp("2025-03-31")
    )
    assert set(fig.data[0].marker.color) == {charts.PALETTE[0]} and not fig.layout.annotations
