"""KPI cards: value with unit, change against the previous range, formula, rows behind it.

Every card says how its number was made: the tooltip gives the formula in words with its
inputs and their values ("48,000 spend / 120 new customers"), and the drill-down shows the
rows behind the number with a download as CSV and XLSX (formulas neutralised by
:mod:`kpi.export`). A card the data cannot support says which table and columns would unlock
it and links to the Data page, instead of disappearing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from kpi import export
from ui import format as fmt
from ui import meeting

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
    what would unlock it, with a link to the Data page when ``add_data``; ``delta`` overrides
    the formatted relative ``change`` (for differences in points, say).
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
    add_data: bool = True


def missing_card(label: str, why: str, *, add_data: bool = True) -> Card:
    """A card that explains what would unlock it. ``add_data``: whether more data would (a
    link to the Data page under it); False when another date range would, as ``why`` says."""
    return Card(label, fmt.DASH, missing=why, add_data=add_data)


# Raw columns that hold money: shown with two decimals ("434.90", not "434.9").
MONEY_COLUMNS = ("amount", "cost", "revenue", "spend", "profit", "value", "price", "cac", "ltv")


def display_formats(rows: pd.DataFrame) -> dict[str, str]:
    """How the drill-down table writes each column that needs it, by raw column name.

    Date-times that are all midnight are days (no "00:00:00"); money columns (a name holding
    one of :data:`MONEY_COLUMNS`) keep two decimals. Returns ``{column: format}`` with the
    formats of Streamlit's column configuration.

    >>> display_formats(pd.DataFrame({"order_date": pd.to_datetime(["2025-01-02"]),
    ...     "amount": [434.9], "n_orders": [3]}))
    {'order_date': 'YYYY-MM-DD', 'amount': '%.2f'}
    """
    out = {}
    for col in rows.columns:
        values = rows[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            times = values.dropna()
            tz_free = times.dt.tz_localize(None) if times.dt.tz is not None else times
            midnight = bool((tz_free == tz_free.dt.normalize()).all())
            out[col] = "YYYY-MM-DD" if midnight else "YYYY-MM-DD HH:mm"
        elif pd.api.types.is_float_dtype(values) and any(
            word in str(col).lower() for word in MONEY_COLUMNS
        ):
            out[col] = "%.2f"
    return out


def _column_config(
    rows: pd.DataFrame, labels: list[str], formats: Mapping[str, str] | None = None
) -> dict[str, object]:
    config: dict[str, object] = {}
    for raw, fmt_ in {**display_formats(rows), **(formats or {})}.items():
        name = labels[list(rows.columns).index(raw)]
        if fmt_.startswith("YYYY"):
            config[name] = st.column_config.DatetimeColumn(format=fmt_)
        else:
            config[name] = st.column_config.NumberColumn(format=fmt_)
    return config


def _categories_cased(rows: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """``shown`` with its category columns (channel, segment...) written by the screen's one
    rule, :func:`ui.format.category`; the downloads keep the data's own values."""
    cased = {
        label: shown[label].map(fmt.category, na_action="ignore")
        for raw, label in zip(rows.columns, shown.columns, strict=True)
        if raw in fmt.CATEGORY_COLUMNS and not pd.api.types.is_numeric_dtype(shown[label])
    }
    return shown.assign(**cased) if cased else shown


def drill_down(
    rows: pd.DataFrame, *, name: str, key: str, formats: Mapping[str, str] | None = None
) -> None:
    """The rows behind a number: a table (first rows) and CSV and XLSX downloads of all.

    ``formats``: Streamlit number formats by raw column name, over :func:`display_formats`.
    """
    shown = readable(rows)
    st.dataframe(
        _categories_cased(rows, shown.head(ROWS_SHOWN)), hide_index=True, width="stretch",
        column_config=_column_config(rows, list(shown.columns), formats),
    )  # fmt: skip
    if len(rows) > ROWS_SHOWN:
        st.caption(
            f"The first {fmt.number(ROWS_SHOWN)} of {fmt.number(len(rows))} rows; "
            "the downloads have them all."
        )
    downloads(shown, name=name, key=key)


def downloads(shown: pd.DataFrame, *, name: str, key: str) -> None:
    """CSV and XLSX downloads of ``shown`` (columns already named for people)."""
    # Files are built only when clicked; cells that could run as formulas are neutralised.
    # A row that wraps, buttons as wide as their words: a narrow card never cuts "XLSX" to "X…".
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            "CSV", data=partial(export.csv_bytes, shown), file_name=f"{name}.csv",
            mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/download:",
            width="content",
        )  # fmt: skip
        st.download_button(
            "XLSX", data=partial(export.xlsx_bytes, shown), file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx", on_click="ignore", icon=":material/download:", width="content",
        )  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "kpi"


@contextmanager
def lazy(label: str, *, key: str, **options: Any) -> Iterator[bool]:
    """A closed expander whose content is sent only once it is opened: the block runs inside
    it and gets True when it is open (the opening reruns the script).

    For tables and downloads behind a click: drawn closed, a table still makes a first visit
    load and run Streamlit's table code (about 1.5 MB of script) for rows nobody asked to see.
    ``options`` go to ``st.expander`` (``icon``, ``expanded``).
    """
    box = st.expander(label, key=key, on_change="rerun", **options)
    with box:
        yield bool(box.open)


def card(c: Card) -> None:
    """Draw one card in a bordered box, with its drill-down or what would unlock it."""
    with st.container(border=True):
        delta = c.delta if c.delta is not None else fmt.change(c.change)
        # In a meeting, what would unlock a card is its tooltip: the row stays one line high.
        tip_only = bool(c.missing) and meeting.active()
        st.metric(
            c.label,
            c.value,
            delta=delta,
            delta_color="inverse" if c.lower_is_better else "normal",
            help=fmt.md(c.missing) if tip_only else c.help,
        )
        if c.note:
            st.caption(fmt.md(c.note))
        if c.missing and not tip_only:
            st.caption(fmt.md(c.missing))
            if c.add_data:
                st.page_link(DATA_PAGE, label="Add data", icon=":material/upload_file:")
        elif c.rows is not None and not meeting.active():  # a meeting reads the number
            key = c.key or _slug(c.label)
            # Lazy: the rows are sent only once the expander is opened. A page's first view
            # then carries no table at all (six hidden tables of up to 1,000 rows each made
            # the browser load and lay out its table code before drawing the cards).
            with lazy(f"Rows behind it ({fmt.number(len(c.rows))})", key=f"rows_{key}") as shown:
                if shown:
                    drill_down(c.rows, name=key, key=f"card_{key}")


# A card's label wraps instead of ending in "…", and its value shrinks with the card (down to
# a floor) and then wraps, so "CAC payback 5.2 months" is read whole in a narrow column.
FIT_STYLE = """<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricValue"] { font-size: max(1.3rem, min(2.25rem, 13cqi)); }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere;
}
</style>"""


def fit() -> None:
    """Make every card on the page fit its column (see :data:`FIT_STYLE`)."""
    st.html(FIT_STYLE)


def show(cards: Sequence[Card], *, per_row: int = 3) -> None:
    """Draw cards in rows of ``per_row`` columns."""
    fit()
    per_row = meeting.per_row(len(cards), per_row)
    for i in range(0, len(cards), per_row):
        row = cards[i : i + per_row]
        for col, c in zip(st.columns(per_row), row, strict=False):
            with col:
                card(c)
