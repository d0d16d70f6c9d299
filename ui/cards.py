"""KPI cards: a value with its unit, the change against the previous range, and the formula."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from ui import format as fmt


@dataclass(frozen=True)
class Card:
    """One KPI card: label, formatted value, relative change, tooltip text."""

    label: str
    value: str
    change: float | None = None
    help: str | None = None
    lower_is_better: bool = False


def show(cards: Sequence[Card], *, per_row: int = 3) -> None:
    """Draw cards in rows of ``per_row`` columns, with bordered metrics."""
    for i in range(0, len(cards), per_row):
        row = cards[i : i + per_row]
        for col, card in zip(st.columns(per_row), row, strict=False):
            col.metric(
                card.label,
                card.value,
                delta=fmt.change(card.change),
                delta_color="inverse" if card.lower_is_better else "normal",
                help=card.help,
                border=True,
            )
