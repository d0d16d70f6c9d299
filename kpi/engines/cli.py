"""``python -m kpi report --source URL --table orders=SCHEMA.TABLE``: the KPIs where the data is.

The source's reductions run in its own engine (:mod:`kpi.engines.sources`); the JSON is
built by :func:`kpi.engines.report.build_output`. Every failure is a
:class:`kpi.engines.sources.SourceError`, one line without credentials.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from kpi.engines.reductions import SqlReductions, Window
from kpi.engines.report import build_output
from kpi.engines.sources import SourceError, open_source, safe_url
from kpi.periods import check_period

TABLE_NAMES = ("orders", "customers")


def parse_tables(values: Sequence[str]) -> dict[str, str]:
    """``["orders=shop.orders"]`` -> ``{"orders": "shop.orders"}``; SourceError if malformed.

    >>> parse_tables(["orders=shop.orders", "customers=shop.people"])
    {'orders': 'shop.orders', 'customers': 'shop.people'}
    """
    out: dict[str, str] = {}
    for value in values:
        name, sep, target = value.partition("=")
        name, target = name.strip(), target.strip()
        if not sep or not target or name not in TABLE_NAMES:
            raise SourceError(
                f"--table {value!r}: use NAME=SCHEMA.TABLE with NAME one of "
                f"{', '.join(TABLE_NAMES)}"
            )
        out[name] = target
    return out


def source_output(
    url: str,
    tables: Sequence[str],
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    period: str,
) -> dict[str, Any]:
    """The report's JSON for a source (see the module docstring)."""
    w = Window(start=start, end=end, period=check_period(period))
    engine = open_source(url, parse_tables(tables))
    try:
        reductions = SqlReductions(engine)
        return build_output(reductions, w, safe_url(url))
    finally:
        engine.close()
