"""``st.cache_data`` for the pages' functions of the session's tables.

Streamlit hashes a DataFrame argument by its shape and, past 50,000 rows, a sample of 10,000
rows: at ten million orders that sample costs 0.15 s per cached call and rerun, and two tables
of one shape that differ outside the sample (a re-upload with one amount corrected) would share
a cache entry. The tables here are never changed in place, so a table's identity stands for
its contents: :func:`cached` keys a table argument by :func:`kpi.reduce.token`, a name that the
same live table always gets and no other table ever does.

Results computed on an upload are kept in a session-scoped cache, so they go when the session
closes (ui/sessions.py); results on the sample are shared by every session.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from kpi.errors import KpiError
from kpi.reduce import token

TABLE_HASH: dict[Any, Callable[[Any], Any]] = {pd.DataFrame: token, pd.Series: token}


@dataclass(frozen=True)
class _Failed:
    """A KpiError kept in the cache: the data cannot give this result, and will not on rerun."""

    kind: type[KpiError]
    message: str


def _on_sample() -> bool:
    """True when this run shows the sample, or runs outside any session (tests, benches)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return True
    return st.session_state.get("dataset") is None


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

        shared = st.cache_data(hash_funcs=TABLE_HASH, **options)(outcome)
        own = st.cache_data(hash_funcs=TABLE_HASH, scope="session", **options)(outcome)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            # An upload's results belong to its session: Streamlit drops a session's caches
            # when its connection closes. The sample's are shared by every session.
            remembered = shared if _on_sample() else own
            result = remembered(*args, **kwargs)
            if isinstance(result, _Failed):
                raise result.kind(result.message)
            return result

        def clear() -> None:
            shared.clear()
            with contextlib.suppress(Exception):  # no session to clear outside a script run
                own.clear()

        call.clear = clear  # type: ignore[attr-defined]
        return call

    return decorate


def kept(function: Callable[..., Any], max_entries: int = 16) -> Callable[..., Any]:
    """A kpi ``function`` cached on its arguments, without a spinner (see :func:`cached`).

    The pages call it instead of the kpi function: the same function with the same arguments,
    so the same numbers, computed once per table, range and setting rather than at every
    rerun, and on the sample once for every visitor. Keep to small results (a number, a row
    per period, agent or bin): a frame with a row per order or ticket would be held per
    session at the size of an upload.
    """
    return cached(show_spinner=False, max_entries=max_entries)(function)
