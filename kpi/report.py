"""The shape every KPI family hands to the command line and the app.

Each family module (``kpi.base``, ``kpi.acquisition``, ``kpi.revenue``, ``kpi.retention``,
``kpi.value``, ``kpi.satisfaction``, ``kpi.support``) exposes::

    def section(tables: Mapping[str, pd.DataFrame], *, start=None, end=None,
                period="month") -> Section

``tables`` maps canonical table names (orders, customers, leads, spend, surveys, tickets,
touches, employees, cashflow) to canonical frames; any may be absent. A KPI the data cannot
support is ``None`` in ``kpis`` and ``warnings`` says which table or column would unlock it.
Values are plain JSON types: float, int, str or None (never NaN).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kpi.periods import Period, period_labels


@dataclass
class Section:
    """KPIs of one family, in the JSON contract of the command line (see DESIGN.md).

    ``kpis``: {key: value}; ``series``: {key: {period label: value}};
    ``cohorts``: {name: {cohort label: [period 0, period 1, ...]}}; ``warnings``: [text];
    ``assumptions``: {name: {"value": v, "source": "default" | "data" | "user", ...}}, every
    default that shaped a number (see :func:`assumption`).
    """

    kpis: dict[str, Any] = field(default_factory=dict)
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    cohorts: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    assumptions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def merge(self, other: Section) -> Section:
        """Return a new Section with ``other``'s entries added (other wins on equal keys)."""
        return Section(
            kpis={**self.kpis, **other.kpis},
            series={**self.series, **other.series},
            cohorts={**self.cohorts, **other.cohorts},
            warnings=[*self.warnings, *(w for w in other.warnings if w not in self.warnings)],
            assumptions={**self.assumptions, **other.assumptions},
        )


SOURCES = ("default", "data", "user")


def assumption(value: Any, source: str, **notes: Any) -> dict[str, Any]:
    """One entry of ``assumptions``: the value that shaped a number and where it came from.

    ``source`` is ``default`` (the product's default), ``data`` (read or derived from the
    uploaded data) or ``user`` (set on a page or on the command line); ``notes`` add how it
    was chosen (a rule, a percentile).

    >>> assumption(24.0, "default")
    {'value': 24.0, 'source': 'default'}
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}; got {source!r}")
    return {"value": plain(value), "source": source, **plain(notes)}


@dataclass(frozen=True)
class Settings:
    """What the user set (None: the default, or what the data says), for every KPI family.

    The command line's flags and the pages' settings; each is reported under ``assumptions``
    with source ``user`` when set. ``discount_rate`` is yearly; ``survey_type`` is the type of
    answers that carry none (nps, csat, ces, enps).
    """

    sla_hours: float | None = None
    discount_rate: float | None = None
    clv_horizon_months: int | None = None
    inactivity_window_days: int | None = None
    csat_scale_max: float | None = None
    turnover_window_months: int | None = None
    survey_type: str | None = None
    churn_period: str | None = None
    service_contact_days: int | None = None


def plain(value: Any) -> Any:
    """Convert numpy and pandas scalars (and containers of them) to JSON types; NaN -> None.

    >>> plain({"a": np.float64("nan"), "b": [np.int64(3), pd.Timestamp("2025-01-02")]})
    {'a': None, 'b': [3, '2025-01-02']}
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [plain(v) for v in list(value)]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer | int):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    return value


def labelled(values: pd.Series, period: Period) -> dict[str, Any]:
    """A per-period Series as the JSON contract's ``{period label: value}``.

    >>> labelled(pd.Series([1.0, np.nan], index=pd.to_datetime(["2025-01-01", "2025-02-01"])),
    ...          "month")
    {'2025-01': 1.0, '2025-02': None}
    """
    return plain(dict(zip(period_labels(values.index, period), values.tolist(), strict=True)))
