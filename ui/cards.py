"""KPI cards: value with unit, change against the previous range, formula, rows behind it.

Every card says how its number was made: the tooltip gives the formula in words with its
inputs and their values ("48,000 spend / 120 new customers"), and the drill-down shows the
rows behind the number with a download as CSV and XLSX (formulas neutralised by
:mod:`kpi.export`). A card the data cannot support says which table and columns would unlock
it and links to the Data page, instead of disappearing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from kpi import export
from ui import format as fmt

DATA_PAGE = "pages/1_Data.py"
ROWS_SHOWN = 1_000

# Canonical column names as people read them; anything else is title-cased.
COLUMN_LABELS = {
    "customer_id": "Customer",
    "order_id": "Order",
    "order_date": "Order date",
    "amount": "Amount",
    "revenue_type": "Revenue type",
    "cost": "Cost",
    "signup_date": "Signed up",
    "end_date": "Ended",
    "referred_by": "Referred by",
    "lead_id": "Lead",
    "created_date": "Created",
    "converted_date": "Converted",
    "ticket_id": "Ticket",
    "created_at": "Created",
    "first_response_at": "First response",
    "resolved_at": "Resolved",
    "scale_max": "Scale maximum",
    "survey_type": "Survey",
    "touch_type": "Touch type",
    "duration_min": "Duration (minutes)",
    "hire_date": "Hired",
    "leave_date": "Left",
    "operating_cash_flow": "Operating cash flow",
    "working_capital_change": "Working-capital change",
    "last_order_date": "Last order",
    "last_order_amount": "Last order amount",
    "n_orders": "Orders",
}


def column_label(name: object) -> str:
    """A column name as people read it.

    >>> column_label("first_response_at"), column_label("days_since_order")
    ('First response', 'Days since order')
    """
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    words = re.sub(r"[_\s]+", " ", text).strip()
    return words[:1].upper() + words[1:] if words else text


def readable(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with people's column names (duplicates kept apart by their raw name)."""
    labels = [column_label(c) for c in rows.columns]
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    names = [
        lab if seen[lab] == 1 else f"{lab} ({raw})"
        for lab, raw in zip(labels, rows.columns, strict=True)
    ]
    return rows.set_axis(names, axis=1)


@dataclass(frozen=True)
class Card:
    """One KPI card.

    ``help`` is the formula in words with its inputs; ``rows`` the rows behind the number
    (drill-down and downloads, file names from ``key``); ``missing`` replaces the value with
    what would unlock it; ``delta`` overrides the formatted relative ``change`` (for
    differences in points, say).
    """

    label: str
    value: str
    change: float | None = None
    help: str | None = None
    lower_is_better: bool = False
    rows: pd.DataFrame | None = None
    key: str | None = None
    missing: str | None = None
    delta: str | None = None
    note: str | None = None


def missing_card(label: str, why: str) -> Card:
    """A card that explains what would unlock it."""
    return Card(label, fmt.DASH, missing=why)


def drill_down(rows: pd.DataFrame, *, name: str, key: str) -> None:
    """The rows behind a number: a table (first rows) and CSV and XLSX downloads of all."""
    shown = readable(rows)
    st.dataframe(shown.head(ROWS_SHOWN), hide_index=True, width="stretch")
    if len(rows) > ROWS_SHOWN:
        st.caption(
            f"The first {fmt.number(ROWS_SHOWN)} of {fmt.number(len(rows))} rows; "
            "the downloads have them all."
        )
    left, right = st.columns(2)
    # Files are built only when clicked; cells that could run as formulas are neutralised.
    left.download_button(
        "CSV", data=partial(export.csv_bytes, shown), file_name=f"{name}.csv",
        mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/download:",
        width="stretch",
    )  # fmt: skip
    right.download_button(
        "XLSX", data=partial(export.xlsx_bytes, shown), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", icon=":material/download:", width="stretch",
    )  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "kpi"


def card(c: Card) -> None:
    """Draw one card in a bordered box, with its drill-down or what would unlock it."""
    with st.container(border=True):
        delta = c.delta if c.delta is not None else fmt.change(c.change)
        st.metric(
            c.label,
            c.value,
            delta=delta,
            delta_color="inverse" if c.lower_is_better else "normal",
            help=c.help,
        )
        if c.note:
            st.caption(fmt.md(c.note))
        if c.missing:
            st.caption(fmt.md(c.missing))
            st.page_link(DATA_PAGE, label="Add data", icon=":material/upload_file:")
        elif c.rows is not None:
            key = c.key or _slug(c.label)
            with st.expander(f"Rows behind it ({fmt.number(len(c.rows))})"):
                drill_down(c.rows, name=key, key=f"card_{key}")


def show(cards: Sequence[Card], *, per_row: int = 3) -> None:
    """Draw cards in rows of ``per_row`` columns."""
    for i in range(0, len(cards), per_row):
        row = cards[i : i + per_row]
        for col, c in zip(st.columns(per_row), row, strict=False):
            with col:
                card(c)
