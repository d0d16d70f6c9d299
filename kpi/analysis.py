"""Every KPI family at once: what the command line prints and the app's shared report holds."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpi import acquisition, base, retention, revenue, satisfaction, support, team, value
from kpi.errors import KpiError
from kpi.report import Section

# The KPI families, in the order of KPI_CATALOGUE.md; each module has ``section()``.
FAMILIES = (base, acquisition, revenue, retention, value, satisfaction, support, team)


def analysis(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
) -> Section:
    """Every KPI of every family the data supports, merged into one Section.

    A family that cannot run at all (its table absent) adds a warning instead of its keys.
    """
    result = Section()
    for module in FAMILIES:
        try:
            part = module.section(tables, start=start, end=end, period=period)
        except KpiError as exc:
            part = Section(warnings=[f"{module.__name__.split('.')[-1]}: {exc}"])
        result = result.merge(part)
    return result
