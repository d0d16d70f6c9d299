"""Customer KPI Explorer: pure computation of customer-service and CRM KPIs.

This package imports the standard library, numpy, pandas and scipy only; never streamlit
or plotly. The app (``app.py``, ``pages/``, ``ui/``) and the command line (``python -m kpi``)
are both thin layers over it.
"""

from kpi.errors import ConvergenceError, InsufficientDataError, KpiError, ReadError, SchemaError

__all__ = ["ConvergenceError", "InsufficientDataError", "KpiError", "ReadError", "SchemaError"]
