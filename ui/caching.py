"""``st.cache_data`` for the pages' functions of the session's tables.

Streamlit hashes a DataFrame argument by its shape and, past 50,000 rows, a sample of 10,000
rows: at ten million orders that sample costs 0.15 s per cached call and rerun, and two tables
of one shape that differ outside the sample (a re-upload with one amount corrected) would share
a cache entry. The tables here are never changed in place, so a table's identity stands for
its contents: :func:`cached` keys a table argument by :func:`kpi.memo.token`, a name that the
same live table always gets and no other table ever does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from kpi.memo import token

TABLE_HASH: dict[Any, Callable[[Any], Any]] = {pd.DataFrame: token, pd.Series: token}


def cached(**options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``st.cache_data(**options)`` with table arguments keyed by identity (see above)."""
    return st.cache_data(hash_funcs=TABLE_HASH, **options)
