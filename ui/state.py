"""Session state: the data of this session and the global filters, in plain keys.

Widgets never own this state. Each filter lives in a plain ``st.session_state`` key that
survives page switches; the frame seeds a widget from it before drawing and copies the
widget's value back in ``on_change`` (the "dummy key" strategy of Streamlit's guide "Working
with widgets in multipage apps"). The same keys are mirrored into the URL query string, and
values read back from the URL are validated against what the data holds, never evaluated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import streamlit as st

from kpi.filters import ATTRIBUTES
from kpi.ingest import (
    Dataset,
    MappedTable,
    SourcePlan,
    apply_mapping,
    build_dataset,
    load_files,
    plan_sources,
)
from kpi.io import Limits
from kpi.periods import PERIODS
from ui.format import CURRENCIES

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
DATASET = "dataset"
SOURCE = "data_source"
UPLOAD_NAMES = "upload_names"
FILTER_KEYS = ("start", "end", "period", *ATTRIBUTES, "currency")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


LIMITS_FILE = Path(__file__).resolve().parents[1] / ".streamlit" / "limits.toml"
_LIMIT_KEYS = ("max_rows", "max_columns", "max_sheets")


def limits(path: Path = LIMITS_FILE) -> Limits:
    """Upload limits: bytes from ``server.maxUploadSize``, rows, columns, sheets from ``path``.

    A missing file or key keeps the default of :class:`kpi.io.Limits`; a value that is not a
    positive whole number is ignored too, so a typo cannot switch a limit off.
    """
    try:
        mb = int(st.get_option("server.maxUploadSize"))
    except Exception:  # option missing in a bare test runtime
        mb = 200
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        settings = {}
    chosen = {
        k: v
        for k, v in settings.items()
        if k in _LIMIT_KEYS and isinstance(v, int) and not isinstance(v, bool) and v > 0
    }
    return Limits(max_bytes=mb * 2**20, **chosen)


@st.cache_resource(max_entries=1, show_spinner="Loading the sample data…")
def sample_dataset() -> Dataset:
    """The built-in sample business, read through the same chain as an upload.

    One object shared by every session (public data, never changed in place): its tables keep
    their identity across reruns, so the pages' caches (ui/caching.py) find them again.
    """
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLE_DIR.glob("*.csv"))]
    return load_files(files)


# An upload's reading and mapping are cached per session (``scope="session"``), keyed by the
# file's name and a hash of its bytes that the Data page works out once per upload; the bytes
# themselves are not hashed again on every rerun (``_data``). A resource cache hands back the
# very object it holds: a ten-million-row table is neither pickled into the cache nor copied
# out of it at every widget move (st.cache_data does both), and it is released when the
# session ends. Nothing here changes a table it was given.


@st.cache_resource(
    max_entries=20, ttl=3600, show_spinner="Reading the file…", scope="session"
)  # fmt: skip
def _plans(name: str, key: str, _data: bytes, _limits: Limits) -> list[SourcePlan]:
    return plan_sources([(name, _data)], limits=_limits)


def plan_upload(
    name: str, data: bytes, limits: Limits | None = None, *, key: str | None = None
) -> list[SourcePlan]:
    """Read an uploaded file and suggest a mapping per table in it (cached by content).

    ``key``: :func:`content_key` of ``data``, when the caller has it already.
    """
    return _plans(name, key or content_key(data), data, limits or Limits())


@st.cache_resource(
    max_entries=40, ttl=3600, show_spinner="Checking the rows…", scope="session"
)  # fmt: skip
def _mapped(
    name: str,
    key: str,
    source: str,
    table: str,
    mapping_json: str,
    orders_json: str,
    _data: bytes,
    constants_json: str = "{}",
) -> MappedTable:
    plan = next(p for p in plan_upload(name, _data, limits(), key=key) if p.raw.source == source)
    return apply_mapping(
        plan.raw,
        table,
        json.loads(mapping_json),
        date_orders=json.loads(orders_json) or None,
        constants=json.loads(constants_json) or None,
    )


def mapped_table(
    name: str,
    data: bytes,
    source: str,
    table: str,
    mapping_json: str,
    orders_json: str,
    *,
    key: str | None = None,
    constants_json: str = "{}",
) -> MappedTable:
    """Apply a mapping to one source of an uploaded file (cached by content and mapping).

    ``constants_json``: canonical columns the whole source shares (the survey type the user
    chose), as JSON.
    """
    return _mapped(
        name,
        key or content_key(data),
        source,
        table,
        mapping_json,
        orders_json,
        data,
        constants_json,
    )


def dataset() -> Dataset:
    """This session's data: the confirmed uploads, or the sample business."""
    ds = st.session_state.get(DATASET)
    if ds is None:
        return sample_dataset()
    return ds


def using_sample() -> bool:
    return st.session_state.get(DATASET) is None


def use_uploads(mapped: list[MappedTable], names: list[str]) -> Dataset:
    """Make the confirmed uploads this session's data and reset the filters to fit them."""
    ds = build_dataset(mapped)
    st.session_state[DATASET] = ds
    st.session_state[UPLOAD_NAMES] = names
    clear_filters()
    return ds


def use_sample() -> None:
    for key in (DATASET, UPLOAD_NAMES, "pending_files", "pending_keys", "mappings"):
        st.session_state.pop(key, None)
    clear_filters()


def clear_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(f"f_{key}", None)
        st.session_state.pop(f"_w_{key}", None)
    st.session_state.pop("_w_dates", None)


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# Query string ------------------------------------------------------------------------------


def _valid_date(text: str, lo: dt.date, hi: dt.date) -> dt.date | None:
    if not isinstance(text, str) or not _DATE.match(text):
        return None
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return min(max(d, lo), hi)


def seed_from_query(options: dict[str, list[str]], lo: dt.date, hi: dt.date) -> None:
    """Once per session, take the filters from the URL, keeping only values that make sense."""
    if st.session_state.get("_seeded_from_url"):
        return
    st.session_state["_seeded_from_url"] = True
    qp = st.query_params
    start = _valid_date(qp.get("start", ""), lo, hi)
    end = _valid_date(qp.get("end", ""), lo, hi)
    if start and end and start <= end:
        st.session_state["f_start"], st.session_state["f_end"] = start, end
    if qp.get("period") in PERIODS:
        st.session_state["f_period"] = qp.get("period")
    if qp.get("currency") in CURRENCIES:
        st.session_state["f_currency"] = qp.get("currency")
    for attr in ATTRIBUTES:
        wanted = [v for v in qp.get_all(attr) if v in options.get(attr, [])]
        if wanted:
            st.session_state[f"f_{attr}"] = wanted[:100]


def mirror_to_query(defaults: dict[str, object]) -> None:
    """Write the filters that differ from their defaults into the URL, so a link reopens them."""
    wanted: dict[str, str | list[str]] = {}
    for key in FILTER_KEYS:
        value = st.session_state.get(f"f_{key}")
        if value is None or value == defaults.get(key) or value == []:
            continue
        if isinstance(value, dt.date):
            wanted[key] = value.isoformat()
        elif isinstance(value, list):
            wanted[key] = [str(v) for v in value]
        else:
            wanted[key] = str(value)
    # Only the filters' own keys are touched: a page may keep its state (w_*) in the URL too.
    current = {
        k: (st.query_params.get_all(k) if k in ATTRIBUTES else st.query_params.get(k))
        for k in st.query_params
        if k in FILTER_KEYS
    }
    if current != wanted:
        others = {k: st.query_params.get_all(k) for k in st.query_params if k not in FILTER_KEYS}
        st.query_params.from_dict({**others, **wanted})


def timestamp(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d)
