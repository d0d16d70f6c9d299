"""The Data page past memory: a database connection, and large files read by DuckDB in process.

Two ways in, one path after them:

- **A connection** named in the app's secrets (``[connections.NAME]`` with a ``url`` and an
  optional ``password``; README, "Connect a database"). The user picks a table for the
  orders (and optionally the customers) and maps its columns with the upload mapping editor.
- **A large upload**: a file over the in-memory row limit, or a Parquet file over
  :data:`PARQUET_MB`, is written to a private temporary file for this session and read by
  DuckDB without pandas, instead of being refused.

Then, if every mapped table has no more rows than the in-memory limit (``max_rows`` of
``.streamlit/limits.toml``), only the mapped columns are fetched through the engine and
checked by the same code as an upload: every page works as with an upload. Above it, the
engine report of :mod:`kpi.engines.report` (the function ``python -m kpi report --source``
calls, so the numbers read the same) gives the headline KPIs here, a date range that fits in
memory is offered, and a month's orders can be looked at, fetched on demand with a LIMIT.

Secrets never leave this module's functions: the session holds the connection's *name*, the
URL and password are read from ``st.secrets`` at each use and scrubbed from every message.
The share link and the analysis file name the connection and table only.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import partial
from urllib.parse import quote, urlsplit

import numpy as np
import pandas as pd
import streamlit as st

from kpi.engines.reductions import SqlReductions, Window
from kpi.engines.report import build_output
from kpi.engines.sources import Engine, SourceError, list_tables, open_source
from kpi.errors import KpiError
from kpi.ingest import SourcePlan, apply_mapping
from kpi.io import Limits, RawTable, sniff_format
from kpi.schema import suggest_mapping
from ui import data_page, state
from ui import format as fmt

SECTION = "connections"  # st.secrets section: [connections.NAME] url = "...", password = "..."
ENGINE = "cx_engine"  # the source whose KPIs are computed where it is (no URL, no password)
LOADED = "cx_loaded"  # what the in-memory data was fetched from, for the Data page's note
PICKS = "cx_picks"  # the connection and tables chosen, kept across page switches
SAMPLE_ROWS = 500
DRILL_LIMIT = 1_000
PARQUET_MB = 100
"""Parquet files larger than this go through DuckDB (``engine_parquet_mb`` in limits.toml)."""
USE = "Use these tables"  # the button that puts tables that fit in memory to use
COMPUTE = "Compute the KPIs where the data is"  # the button for tables over the row limit
NO_TABLE = "— none —"


# Secrets ------------------------------------------------------------------------------------


def connection_names() -> list[str]:
    """The connections set up in the app's secrets (those with a ``url``)."""
    try:
        section = st.secrets.get(SECTION) or {}
        return [str(n) for n, v in section.items() if isinstance(v, Mapping) and v.get("url")]
    except Exception:  # no secrets file at all, or one that does not parse
        return []


def _url(where: str) -> tuple[str, list[str]]:
    """The URL to open for ``where`` (``db:NAME`` or ``file:PATH``) and the secrets to scrub.

    A ``password`` beside a PostgreSQL ``url`` is put into the URL here, never earlier.
    """
    kind, _, rest = where.partition(":")
    if kind == "file":
        return rest, []
    try:
        entry = st.secrets[SECTION][rest]
        url = str(entry["url"])
    except Exception:
        raise SourceError(f"no connection named {rest} in the app's secrets") from None
    password = entry.get("password")
    secrets = [str(password), quote(str(password), safe="")] if password else []
    parts = urlsplit(url)
    if password and url.startswith(("postgresql://", "postgres://")) and not parts.password:
        user = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
        host = parts.netloc.rsplit("@", 1)[-1]
        netloc = f"{user}:{quote(str(password), safe='')}@{host}"
        url = parts._replace(netloc=netloc).geturl()
    if urlsplit(url).password:
        secrets.append(str(urlsplit(url).password))
    return url, [s for s in secrets if s]


def _clean(message: object, secrets: list[str]) -> str:
    """One line, with every secret replaced (SourceError scrubs the URL's; this, the rest)."""
    line = (str(message).strip().splitlines() or ["the source could not be read"])[0]
    for secret in sorted(secrets, key=len, reverse=True):
        line = line.replace(secret, "***")
    return line


@contextmanager
def _opened(where: str, tables: Mapping[str, str], columns: Mapping | None = None) -> Iterator:
    """The engine for ``where`` with ``tables``, mapped by ``columns``; closed afterwards.

    Every failure, whatever raised it, leaves as one SourceError line without secrets.
    """
    url, secrets = _url(where)
    engine: Engine | None = None
    try:
        engine = open_source(url, dict(tables))
        for name, cols in (columns or {}).items():
            engine.rename(name, cols)
        yield engine
    except SourceError as exc:
        raise SourceError(_clean(exc, [*secrets, url])) from None
    except Exception as exc:  # an engine's own error type that escaped its guard
        raise SourceError(_clean(f"{type(exc).__name__}: {exc}", [*secrets, url])) from None
    finally:
        if engine is not None:
            engine.close()


# Reading (cached: each one is a query to the engine) ------------------------------------------


@st.cache_data(ttl=600, show_spinner="Listing the tables…", max_entries=20)
def tables_of(where: str) -> list[str]:
    url, secrets = _url(where)
    try:
        return list_tables(url)
    except SourceError as exc:
        raise SourceError(_clean(exc, [*secrets, url])) from None


@st.cache_data(ttl=600, show_spinner="Reading a sample…", max_entries=20)
def sample_of(where: str, target: str, canonical: str = "orders") -> tuple[pd.DataFrame, int]:
    """The first rows of ``target`` (to suggest the mapping) and its row count.

    Any table is opened under the name ``orders`` (the engines' one required table); a
    message names it as the ``canonical`` table it was picked for.
    """
    try:
        with _opened(where, {"orders": target}) as engine:
            rows = _count(engine, "orders")
            sample = engine.fetch(engine.compile(f"SELECT * FROM orders LIMIT {SAMPLE_ROWS}"))
    except SourceError as exc:
        raise SourceError(str(exc).replace(" orders table ", f" {canonical} table ")) from None
    return _plain(sample), rows


def _count(engine: Engine, name: str, where_sql: str = "") -> int:
    query = f"SELECT COUNT(*) AS n FROM {name}" + (f" WHERE {where_sql}" if where_sql else "")
    return int(engine.fetch(engine.compile(query)).iloc[0, 0])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Column types the upload checks read: decimals as floats, dates as timestamps."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype != object:
            continue
        filled = values.dropna()
        if filled.empty:
            continue
        first = filled.iloc[0]
        if isinstance(first, decimal.Decimal):
            out[col] = pd.to_numeric(values.astype(object), errors="coerce").astype("float64")
        elif isinstance(first, dt.date):
            out[col] = pd.to_datetime(values, errors="coerce")
    return out


def _spec(spec_json: str) -> dict:
    return json.loads(spec_json)


@st.cache_data(ttl=600, show_spinner=False, max_entries=20)
def check(where: str, spec_json: str) -> None:
    """SourceError when a mapped column is missing or of the wrong type, where the data is."""
    spec = _spec(spec_json)
    with _opened(where, spec["tables"], spec["columns"]) as engine:
        engine.check()


@st.cache_data(ttl=600, show_spinner="Computing the KPIs where the data is…", max_entries=20)
def engine_report(where: str, spec_json: str, label: str, period: str = "month") -> dict:
    """``python -m kpi report --source``'s JSON for the mapped tables (all dates)."""
    spec = _spec(spec_json)
    with _opened(where, spec["tables"], spec["columns"]) as engine:
        return build_output(SqlReductions(engine), Window(period=period), label)  # type: ignore[arg-type]


@st.cache_data(ttl=600, show_spinner="Counting orders per day…", max_entries=20)
def orders_per_day(where: str, spec_json: str) -> pd.DataFrame:
    spec = _spec(spec_json)
    query = (
        "SELECT CAST(order_date AS DATE) AS day, COUNT(*) AS n FROM orders "
        "WHERE order_date IS NOT NULL GROUP BY CAST(order_date AS DATE) ORDER BY 1"
    )
    with _opened(where, spec["tables"], spec["columns"]) as engine:
        days = engine.fetch(engine.compile(query))
    return pd.DataFrame(
        {"day": pd.to_datetime(days["day"]).dt.normalize(), "n": days["n"].astype("int64")}
    )


def _between(start: dt.date, end: dt.date) -> str:
    """SQL for orders dated ``start``..``end`` inclusive (dates only: nothing to inject)."""
    after = end + dt.timedelta(days=1)
    return (
        f"order_date >= TIMESTAMP '{start.isoformat()} 00:00:00' "
        f"AND order_date < TIMESTAMP '{after.isoformat()} 00:00:00'"
    )


@st.cache_data(ttl=600, show_spinner="Fetching the rows…", max_entries=20)
def drill(where: str, spec_json: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The first :data:`DRILL_LIMIT` orders dated ``start``..``end``, fetched on demand."""
    spec = _spec(spec_json)
    query = (
        f"SELECT * FROM orders WHERE {_between(start, end)} ORDER BY order_date LIMIT {DRILL_LIMIT}"
    )
    with _opened(where, spec["tables"], spec["columns"]) as engine:
        return _plain(engine.fetch(engine.compile(query)))


def fetch(
    where: str, spec_json: str, limit: int, span: tuple[dt.date, dt.date] | None = None
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The mapped columns of each table, in memory (orders dated in ``span`` only, if given).

    The customers table comes whole when it fits; otherwise only the customers with orders
    in ``span``, said in the notes returned.
    """
    spec = _spec(spec_json)
    notes: list[str] = []
    out: dict[str, pd.DataFrame] = {}
    with _opened(where, spec["tables"], spec["columns"]) as engine:
        cond = f" WHERE {_between(*span)}" if span else ""
        out["orders"] = _plain(engine.fetch(engine.compile(f"SELECT * FROM orders{cond}")))
        if "customers" in spec["tables"]:
            query = "SELECT * FROM customers"
            if _count(engine, "customers") > limit:
                query += f" WHERE customer_id IN (SELECT customer_id FROM orders{cond})"
                notes.append(
                    "The customers table is over the limit too: only the customers with orders "
                    "in that range were fetched, so signups without an order are left out."
                )
            out["customers"] = _plain(engine.fetch(engine.compile(query)))
    return out, notes


# Large uploads ---------------------------------------------------------------------------------


def parquet_threshold_mb() -> int:
    """:data:`PARQUET_MB`, or ``engine_parquet_mb`` of limits.toml when it is a whole number."""
    import tomllib

    try:
        value = tomllib.loads(state.LIMITS_FILE.read_text(encoding="utf-8")).get(
            "engine_parquet_mb"
        )
    except (OSError, tomllib.TOMLDecodeError):
        value = None
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else PARQUET_MB


def too_large(name: str, data: bytes, limits: Limits) -> str | None:
    """Why an upload goes through DuckDB rather than memory, or None when it does not.

    A Parquet file over :func:`parquet_threshold_mb`, or a Parquet or text file with more
    rows than ``limits.max_rows`` (text: lines counted as the reader does). Workbooks stay
    with the reader, which says when they are over the limit.
    """
    kind = sniff_format(data, name)
    mb = len(data) / 2**20
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        threshold = parquet_threshold_mb()
        if mb > threshold:
            return f"{name} is a Parquet file of {mb:,.0f} MB, over {threshold:,} MB"
        try:
            rows = pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows
        except Exception:  # damaged: the reader says so in its own words
            return None
        if rows > limits.max_rows:
            return f"{name} has {rows:,} rows, over the in-memory limit of {limits.max_rows:,}"
        return None
    if kind == "text":
        lines = data.count(b"\n")
        if lines > limits.max_rows + 100:
            return (
                f"{name} has about {lines:,} lines, over the in-memory limit of "
                f"{limits.max_rows:,} rows"
            )
    return None


def upload_button(name: str, data: bytes, limits: Limits) -> str:
    """The label of the button that puts a waiting upload to use on the Data page.

    :data:`USE` for a file read into memory, and for a Parquet file sent to DuckDB by its
    size alone (its rows fit, so its own button fetches them); :data:`COMPUTE` for a file
    over the row limit, as :func:`mapping_and_use` labels it.
    """
    if too_large(name, data, limits) is None:
        return USE
    if sniff_format(data, name) == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            rows = pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows
        except Exception:  # damaged: too_large said None above, so not reached in practice
            return USE
        return COMPUTE if rows > limits.max_rows else USE
    return COMPUTE


def _delete(path: str) -> None:
    with suppress(OSError):
        os.remove(path)


@st.cache_resource(
    max_entries=4, ttl=3600, scope="session", on_release=_delete, show_spinner=False
)  # fmt: skip
def _spill(key: str, suffix: str, _data: bytes) -> str:
    """A private temporary copy of an upload for DuckDB to read; deleted with the session."""
    fd, path = tempfile.mkstemp(prefix="kpi-upload-", suffix=suffix)
    with os.fdopen(fd, "wb") as out:
        out.write(_data)
    return path


def large_upload(name: str, data: bytes, reason: str) -> None:
    """The embedded default: map a large upload's orders and compute with DuckDB in process."""
    suffix = ".parquet" if sniff_format(data, name) == "parquet" else ".csv"
    path = _spill(data_page.pending_key(name, data), suffix, data)
    st.info(
        f"**{fmt.md(reason)}**, so it is read by DuckDB inside the app, not into memory "
        f"(Parquet files over {parquet_threshold_mb():,} MB and files over "
        f"{state.limits().max_rows:,} rows go this way). It is held in a private temporary "
        "file on the server while this session lasts. Map its orders columns below.",
        icon=":material/database:",
    )
    mapping_and_use(f"file:{path}", name, {"orders": (path, name)})


# The Data page's section -----------------------------------------------------------------------


def _kept(key: str, default: object = None) -> object:
    return st.session_state.setdefault(PICKS, {}).get(key, default)


def _keep(key: str, widget: str):
    def copy() -> None:
        st.session_state.setdefault(PICKS, {})[key] = st.session_state[widget]

    return copy


def _select(label: str, options: list, key: str, **kw: object) -> object:
    """A selectbox whose choice is kept in the plain key ``cx_picks`` (survives page switches)."""
    widget = f"_cx_{key}"
    value = _kept(key)
    st.session_state[widget] = value if value in options else None
    return st.selectbox(label, options, key=widget, on_change=_keep(key, widget), index=None, **kw)  # type: ignore[call-overload]


def section() -> None:
    """ "Connect a database": pick a connection and tables, map them, use them."""
    st.subheader("Connect a database")
    names = connection_names()
    if not names:
        st.caption(
            "No database connection is set up for this app. Whoever runs it can add one to "
            "`.streamlit/secrets.toml` as `[connections.NAME]` with a `url` (DuckDB or "
            "PostgreSQL) and an optional `password`: see the README, “Connect a database”."
        )
        return
    st.caption(
        "Connections set up for this app. The password stays on the server: it is never "
        "shown, and neither the link nor the analysis file carries it."
    )
    conn = _select("Connection", names, "connection", placeholder="Choose a connection")
    if conn is None:
        return
    where = f"db:{conn}"
    try:
        tables = tables_of(where)
    except SourceError as exc:
        st.error(f"Connection {fmt.md(conn)}: {fmt.md(exc)}", icon=":material/error:")
        return
    if not tables:
        st.warning(f"Connection {fmt.md(conn)} has no tables or views to read.")
        return
    left, right = st.columns(2)
    with left:
        orders = _select("Orders table", tables, "orders", placeholder="Choose a table")
    with right:
        customers = _select("Customers table (optional)", tables, "customers", placeholder=NO_TABLE)
    if orders is None:
        return
    picked = {"orders": (orders, f"{conn}: {orders}")}
    if customers is not None:
        picked["customers"] = (customers, f"{conn}: {customers}")
    mapping_and_use(where, conn, picked)  # type: ignore[arg-type]


def mapping_and_use(where: str, label: str, picked: dict[str, tuple[str, str]]) -> None:
    """The mapping editor for each picked table (``{canonical: (target, shown)}``), then the
    button that uses them: in memory when they fit, computed where they are when not."""
    tables: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    date_orders: dict[str, dict[str, str]] = {}
    rows: dict[str, int] = {}
    complete = True
    for canonical, (target, shown) in picked.items():
        try:
            sample, count = sample_of(where, target, canonical)
        except SourceError as exc:
            st.error(f"{fmt.md(shown)}: {fmt.md(exc)}", icon=":material/error:")
            return
        raw = RawTable(
            shown,
            sample,
            np.arange(len(sample)) + 2,
            "database",
            notes=[
                f"The first {fmt.number(len(sample))} of {fmt.number(count)} rows, read to "
                "suggest the mapping; only the mapped columns are used."
            ],
        )
        sug = suggest_mapping(sample, canonical, name=shown)
        key = "cx_" + state.content_key(f"{where}|{target}|{canonical}".encode())
        chosen = data_page.plan_editor(
            key, SourcePlan(raw, sug, (sug,)), only=canonical, rows=count
        )
        if chosen is None:
            complete = False
            continue
        tables[canonical] = target
        columns[canonical] = {k: v for k, v in chosen[2].items() if v}
        date_orders[canonical] = dict(chosen[3])
        rows[canonical] = count
    limit = state.limits().max_rows
    fits = all(n <= limit for n in rows.values())
    st.caption(
        f"Up to {limit:,} rows per table are fetched into memory (only the mapped columns), "
        "and then every page works as with an upload; larger tables are computed where they "
        "are, and the headline KPIs shown here."
    )
    button = USE if fits else COMPUTE
    if not st.button(button, type="primary", disabled=not complete, key=f"cx_use_{where}"):
        return
    spec_json = json.dumps({"tables": tables, "columns": columns}, sort_keys=True)
    try:
        check(where, spec_json)
    except SourceError as exc:
        st.error(fmt.md(exc), icon=":material/error:")
        return
    shown = {c: picked[c][1] for c in tables}
    spec = {
        "where": where,
        "label": label,
        "spec": spec_json,
        "shown": shown,
        "rows": rows,
        "date_orders": date_orders,
    }
    if fits:
        load(spec, None)
    else:
        st.session_state[ENGINE] = spec
        st.rerun()


def load(spec: dict, span: tuple[dt.date, dt.date] | None) -> None:
    """Fetch the mapped columns into memory and make them this session's data."""
    limit = state.limits().max_rows
    try:
        frames, notes = fetch(spec["where"], spec["spec"], limit, span)
        mapped = []
        for canonical, frame in frames.items():
            if len(frame) > limit:
                raise KpiError(
                    f"{spec['shown'][canonical]} has {len(frame):,} rows now, over the "
                    f"in-memory limit of {limit:,}; choose a shorter date range."
                )
            raw = RawTable(spec["shown"][canonical], frame, np.arange(len(frame)) + 2, "database")
            mapped.append(
                apply_mapping(
                    raw,
                    canonical,
                    {c: c for c in frame.columns},
                    date_orders=spec["date_orders"].get(canonical) or None,  # type: ignore[arg-type]
                )
            )
        names = list(spec["shown"].values())
        state.use_uploads(mapped, names)
        if spec["where"].startswith("db:"):  # the link names the connection, not an upload
            st.session_state[state.DATA_SOURCE] = state.database_marker(spec["where"][3:])
    except (SourceError, KpiError) as exc:
        st.error(fmt.md(exc), icon=":material/error:")
        return
    where = "a database connection" if spec["where"].startswith("db:") else "DuckDB"
    dates = f", orders dated {span[0]} to {span[1]}" if span else ""
    st.session_state[LOADED] = {
        "names": names,
        "note": f"Showing data fetched through {where}: {', '.join(names)}{dates} (only the "
        "mapped columns). " + " ".join(notes),
    }
    st.session_state.pop(ENGINE, None)
    st.rerun()


def loaded_note() -> str | None:
    """Where this session's data came from, when it was fetched here."""
    loaded = st.session_state.get(LOADED)
    if loaded and loaded["names"] == st.session_state.get(state.UPLOAD_NAMES):
        return fmt.md(loaded["note"])
    return None


def fitting_range(days: pd.DataFrame, limit: int) -> tuple[dt.date, dt.date, int] | None:
    """The latest range of days, up to the last order, whose orders fit in memory, starting on
    the first of a month when a whole month fits; None when not even the last day fits.

    >>> d = pd.DataFrame({"day": pd.to_datetime(["2024-01-31", "2024-02-01", "2024-02-10"]),
    ...                   "n": [5, 3, 4]})
    >>> fitting_range(d, 8)
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 10), 7)
    """
    if days.empty:
        return None
    day = days["day"].to_numpy()
    after = days["n"].to_numpy()[::-1].cumsum()[::-1]  # orders from each day to the end
    ok = np.flatnonzero(after <= limit)
    if not len(ok):
        return None
    i, first, last = int(ok[0]), pd.Timestamp(day[ok[0]]), pd.Timestamp(day[-1])
    if first.day != 1:
        month = first + pd.offsets.MonthBegin(1)
        j = int(np.searchsorted(day, month.to_datetime64()))
        if j < len(day) and last - month >= pd.Timedelta(days=27):
            i, first = j, month
    return first.date(), last.date(), int(after[i])


def engine_view(currency: str) -> None:
    """The headline KPIs of a source over the in-memory limit, computed where it is."""
    spec = st.session_state.get(ENGINE)
    if not spec:
        return
    where, spec_json, shown = spec["where"], spec["spec"], spec["shown"]
    limit = state.limits().max_rows
    st.subheader(f"{fmt.md(spec['label'])}: computed where the data is")
    over = ", ".join(
        f"{fmt.md(shown[c])} has {n:,} rows" for c, n in spec["rows"].items() if n > limit
    )
    st.info(
        f"{over}: more than the {limit:,} rows a table may hold in this app's memory "
        "(`max_rows` in .streamlit/limits.toml). So the KPIs below are computed by "
        f"{'the database' if where.startswith('db:') else 'DuckDB'}, with the same code as "
        "`python -m kpi report --source`, and only the results come here. The other pages "
        "need the rows in memory: they still show "
        f"{'the built-in sample business' if state.using_sample() else 'the data used before'}"
        ". Fetch a date range that fits, below, to explore it on every page.",
        icon=":material/database:",
    )
    try:
        out = engine_report(where, spec_json, spec["label"])
    except SourceError as exc:
        st.error(fmt.md(exc), icon=":material/error:")
        return
    k = out["kpis"]
    orders_table = out["tables"]["orders"]
    money = partial(fmt.money, currency=currency, decimals=2)
    cards = [
        ("Revenue", money(k["revenue"]), "All orders' amounts, refunds netted."),
        ("Orders", fmt.number(k["orders"]), "Orders with a date."),
        ("Active customers", fmt.number(k["active_customers"]), "Customers with an order."),
        ("New customers", fmt.number(k["new_customers"]), "Customers acquired in the range."),
        ("Average order value, per order", money(k["average_order_value"]),
         "Revenue ÷ orders."),
        ("ARPU, per active customer", money(k["arpu"]), "Revenue ÷ active customers."),
        ("Repeat customer rate", fmt.percent(k["repeat_customer_rate"]),
         "Share of active customers with two or more orders."),
        ("Net revenue retention", fmt.percent(k.get("nrr")),
         "Revenue from the customers who bought in the range before, against that range's."),
    ]  # fmt: skip
    cols = st.columns(4)
    for i, (label, value, help_text) in enumerate(cards):
        cols[i % 4].metric(label, value, help=help_text)
    st.caption(
        f"All dates, {fmt.number(orders_table['read'])} rows read, "
        f"{fmt.number(orders_table['rejected'])} without an order date left out. Amounts "
        f"are shown in {currency} (the sidebar's currency); the database's amounts are not "
        "converted. Other KPIs need the rows in memory."
    )
    for warning in out["warnings"][:-1]:  # the last one says what needs memory: said above
        st.caption(f":material/warning: {fmt.md(warning)}")
    _fit_and_drill(spec, limit)


def _fit_and_drill(spec: dict, limit: int) -> None:
    try:
        days = orders_per_day(spec["where"], spec["spec"])
    except SourceError as exc:
        st.error(fmt.md(exc), icon=":material/error:")
        return
    if days.empty:
        return
    st.markdown("**A date range that fits in memory**")
    fit = fitting_range(days, limit)
    lo, hi = days["day"].iloc[0].date(), days["day"].iloc[-1].date()
    if fit is None:
        st.warning(f"Even one day has more than {limit:,} orders: no range fits in memory.")
    else:
        key = "_cx_range"
        if not isinstance(st.session_state.get(key), tuple | list):
            st.session_state[key] = (fit[0], fit[1])
        picked = st.date_input(
            "Orders dated", min_value=lo, max_value=hi, key=key, format="YYYY-MM-DD",
            help=f"Suggested: the latest range with at most {limit:,} orders.",
        )  # fmt: skip
        if isinstance(picked, tuple | list) and len(picked) == 2:
            a, b = pd.Timestamp(picked[0]), pd.Timestamp(picked[1])
            n = int(days.loc[(days["day"] >= a) & (days["day"] <= b), "n"].sum())
            ok = n <= limit
            st.caption(
                f"{n:,} orders in this range: "
                + ("they fit." if ok else f"more than {limit:,}; choose a shorter range.")
            )
            if st.button(
                f"Fetch {picked[0]} to {picked[1]} into memory",
                disabled=not ok or n == 0,
                key="cx_fetch_range",
                icon=":material/download:",
            ):
                load(spec, (picked[0], picked[1]))
    months = sorted({d.strftime("%Y-%m") for d in days["day"]}, reverse=True)
    with st.expander(f"Look at one month's orders (the first {DRILL_LIMIT:,})"):
        month = st.selectbox("Month", months, key="_cx_month")
        if month:
            start = dt.date.fromisoformat(f"{month}-01")
            end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
            try:
                rows = drill(spec["where"], spec["spec"], start, end)
            except SourceError as exc:
                st.error(fmt.md(exc), icon=":material/error:")
                return
            total = int(
                days.loc[
                    (days["day"] >= pd.Timestamp(start)) & (days["day"] <= pd.Timestamp(end)), "n"
                ].sum()
            )
            st.caption(f"{len(rows):,} of the {total:,} orders of {month}, fetched on demand.")
            st.dataframe(rows, hide_index=True, width="stretch")
    if st.button("Stop computing from this source", key="cx_stop", icon=":material/close:"):
        st.session_state.pop(ENGINE, None)
        st.rerun()
