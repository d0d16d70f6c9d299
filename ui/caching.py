"""``st.cache_data`` for the pages' functions of the session's tables.

Streamlit hashes a DataFrame argument by its shape and, past 50,000 rows, a sample of 10,000
rows: at ten million orders that sample costs 0.15 s per cached call and rerun, and two tables
of one shape that differ outside the sample (a re-upload with one amount corrected) would share
a cache entry. The tables here are never changed in place, so a table's identity stands for
its contents: :func:`cached` keys a table argument by :func:`kpi.memo.token`, a name that the
same live table always gets and no other table ever does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from kpi.errors import KpiError
from kpi.memo import token

TABLE_HASH: dict[Any, Callable[[Any], Any]] = {pd.DataFrame: token, pd.Series: token}


@dataclass(frozen=True)
class _Failed:
    """A KpiError kept in the cache: the data cannot give this result, and will not on rerun."""

    kind: type[KpiError]
    message: str


def cached(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``st.cache_data(**options)`` with table arguments keyed by identity (see above).

    A KpiError is remembered too and raised again on the next call with the same arguments:
    Streamlit caches only results, and a block whose data is insufficient (say, no cohort in
    the range before) would otherwise be recomputed at every widget move.
    """

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def outcome(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except KpiError as err:
                return _Failed(type(err), str(err))

        remembered = st.cache_data(hash_funcs=TABLE_HASH, **options)(outcome)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            result = remembered(*args, **kwargs)
            if isinstance(result, _Failed):
                raise result.kind(result.message)
            return result

        call.clear = remembered.clear  # type: ignore[attr-defined]
        return call

    return decorate
