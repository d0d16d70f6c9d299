"""Customer KPI Explorer: pure computation of customer-service and CRM KPIs.

This package imports the standard library, numpy, pandas and scipy only; never streamlit
or plotly. The app (``app.py``, ``pages/``, ``ui/``) and the command line (``python -m kpi``)
are both thin layers over it.
"""

import os

# One BLAS thread, as the command line runs (kpi/__main__.py): the model fits' linear algebra
# is a few 4 x 4 matrices, and on a busy machine waking OpenBLAS's worker threads at every step
# of L-BFGS-B took most of a fit (an sBG fit: about 110 ms against 10 ms). OpenBLAS reads this
# when numpy and scipy first load it, so it is set before they are imported; a value already
# set wins, and a program that loaded numpy before kpi keeps its own threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from kpi.errors import ConvergenceError, InsufficientDataError, KpiError, ReadError, SchemaError

__all__ = ["ConvergenceError", "InsufficientDataError", "KpiError", "ReadError", "SchemaError"]
