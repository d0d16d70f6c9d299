"""KPI cards: people's column names in drill-downs, and a card drawn with its rows."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import cards


def test_readable_names_canonical_columns_and_keeps_clashes_apart():
    rows = pd.DataFrame(columns=["customer_id", "created_date", "created_at", "days_open"])
    result = list(cards.readable(rows).columns)
    # created_date and created_at both read "Created": the raw names keep them apart.
    assert result == ["Customer", "Created (created_date)", "Created (created_at)", "Days open"]


def _card_script() -> None:
    import pandas as pd

    from ui import cards

    rows = pd.DataFrame({"customer_id": ["=HYPERLINK(1)", "b"], "amount": [-5.0, 2.0]})
    cards.show(
        [cards.Card("Revenue", "€-3", 0.1, help="Sum of amounts: €-5 + €2", rows=rows, key="rev")]
    )


def test_card_shows_value_change_help_and_the_rows_behind_it():
    at = AppTest.from_function(_card_script).run()
    assert not at.exception
    (metric,) = at.metric
    assert (metric.value, metric.delta, metric.help) == (
        "€-3",
        "+10.0 %",
        "Sum of amounts: €-5 + €2",
    )
    assert [e.label for e in at.expander] == ["Rows behind it (2)"]
    assert not at.dataframe  # the rows are sent only when the expander is opened
    at.session_state["rows_rev"] = True
    at.run()
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["Customer", "Amount"]
    assert shown["Amount"].tolist() == [-5.0, 2.0]


def test_drill_down_writes_days_without_midnight_and_money_with_cents():
    import pandas as pd

    from ui import cards

    rows = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2025-01-02", "2025-01-03"]),
            "created_at": pd.to_datetime(["2025-01-02 09:15", "2025-01-03 00:00"]),
            "resolved_at": pd.to_datetime(["2025-01-02", None]).tz_localize("UTC"),
            "amount": [434.9, 12.0],
            "last_order_amount": [1.5, 2.25],
            "share": [0.25, 0.5],
            "n_orders": [3, 4],
        }
    )
    assert cards.display_formats(rows) == {
        "order_date": "YYYY-MM-DD",
        "created_at": "YYYY-MM-DD HH:mm",
        "resolved_at": "YYYY-MM-DD",
        "amount": "%.2f",
        "last_order_amount": "%.2f",
    }
