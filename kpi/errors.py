"""The errors the kpi package raises on purpose.

Every message says what was needed, what was found, and what to do next, so a page can show
it as it is.
"""

from __future__ import annotations


class KpiError(ValueError):
    """Everything the kpi package raises on purpose."""


class SchemaError(KpiError):
    """A column is missing, or holds values of the wrong kind."""


class InsufficientDataError(KpiError):
    """Valid input, but too little of it for this metric."""


class ReadError(KpiError):
    """A file could not be read: format, encoding or size."""


class ConvergenceError(InsufficientDataError):
    """A statistical model did not converge on this data."""
