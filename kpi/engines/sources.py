"""Connections to the engines that run the reductions where the data lives.

``open_source(url, tables)`` takes the command line's ``--source`` and ``--table`` values:

- ``duckdb:///path/file.duckdb`` (``duckdb://`` alone: an empty in-memory database), or a
  path to a Parquet or CSV file (globs allowed), read by DuckDB without pandas;
- ``postgresql://user@host:port/db`` (psycopg 3; the password, if any, from the URL or
  libpq's usual ``PGPASSWORD`` / ``~/.pgpass``);
- ``spark://host:7077`` (a standalone cluster), ``local[N]`` (in process), or ``sc://host``
  (Spark Connect).

``tables`` maps a canonical name (orders, customers) to ``SCHEMA.TABLE`` in that engine or
to a Parquet/CSV path (DuckDB and Spark). Every failure becomes one :class:`SourceError`
line that names the engine, host and table but never a password or a full URL.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from kpi.engines import sql
from kpi.errors import KpiError

FILE_SUFFIXES = (".parquet", ".pq", ".csv", ".tsv", ".csv.gz")
REQUIRED = {"orders": ("customer_id", "order_date", "amount")}
# which kind of column each canonical column needs (see _kind)
KINDS = {"order_date": "time", "amount": "number", "signup_date": "time"}


class SourceError(KpiError):
    """A source that cannot be read: bad URL, connection refused, no table, wrong type."""


def safe_url(url: str) -> str:
    """The URL without user name and password, for messages.

    >>> safe_url("postgresql://ann:s3cret@db.example.com:5433/crm")
    'postgresql://db.example.com:5433/crm'
    """
    parts = urlsplit(url)
    if not parts.netloc or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=host).geturl()


def _scrub(text: str, url: str) -> str:
    """First line of an engine's message, with any secret of ``url`` removed."""
    line = (str(text).strip().splitlines() or [""])[0]
    parts = urlsplit(url)
    for secret in (url, parts.password, parts.netloc):
        if secret:
            line = line.replace(secret, "***")
    line = re.sub(r"password=\S+", "password=***", line)
    return re.sub(r"token=[^;\s]+", "token=***", line)  # Spark Connect: sc://host/;token=...


def is_file(target: str) -> bool:
    """Whether a --table value or --source names a file rather than a table."""
    lower = target.lower()
    return lower.endswith(FILE_SUFFIXES) or "/" in target or "\\" in target


def _kind(type_name: str) -> str:
    """'number', 'time', 'text' or 'other' for an engine's type name."""
    t = type_name.lower()
    if any(k in t for k in ("timestamp", "date")):
        return "time"
    if any(k in t for k in ("int", "double", "float", "decimal", "numeric", "real", "long")):
        return "number"
    if any(k in t for k in ("char", "text", "string")):
        return "text"
    return "other"


class Engine:
    """One connection: ``columns(table)`` and ``fetch(sql)`` for the reductions."""

    dialect = "duckdb"
    label = "DuckDB"

    def __init__(self, url: str, tables: Mapping[str, str]) -> None:
        self.url = url
        self.tables = dict(tables)

    def fail(self, what: str, exc: BaseException) -> SourceError:
        return SourceError(f"{self.label} {what}: {_scrub(str(exc), self.url)}")

    def columns(self, name: str) -> dict[str, str]:
        """{column: type name} of a canonical table, raising SourceError if it is missing."""
        raise NotImplementedError

    def fetch(self, query: str) -> pd.DataFrame:
        raise NotImplementedError

    def compile(self, query: str) -> str:
        return query

    def close(self) -> None:
        pass

    def rename(self, name: str, columns: Mapping[str, str]) -> None:
        """Show the canonical table ``name`` with only ``columns`` ({canonical: source
        column}), under their canonical names: the Data page's column mapping, applied where
        the data is. SourceError, naming the source column, for a missing column or a
        column of the wrong type."""
        have = self.columns(name)
        for canonical, column in columns.items():
            if column not in have:
                raise SourceError(
                    f"{name} table {self.tables[name]} has no column {column}; "
                    f"it has {', '.join(have) or 'none'}."
                )
            kind = KINDS.get(canonical)
            if kind and _kind(have[column]) not in (kind, "other"):
                raise SourceError(
                    f"{self.tables[name]}.{column} is {have[column]}; as {name}.{canonical} "
                    f"it needs a {'date or timestamp' if kind == 'time' else 'number'} column."
                )
        select = ", ".join(f"{_ident(c)} AS {_ident(k)}" for k, c in columns.items())
        self._rename(name, select)

    def _rename(self, name: str, select: str) -> None:
        raise SourceError(
            f"{self.label}: the column mapping needs DuckDB or PostgreSQL; name the columns "
            "customer_id, order_date and amount in a view instead."
        )

    def check(self) -> sql.Columns:
        """The optional columns present; SourceError for a missing column or a wrong type."""
        found: dict[str, dict[str, str]] = {}
        for name in self.tables:
            cols = self.columns(name)
            need = REQUIRED.get(name, ())
            missing = [c for c in need if c not in cols]
            if missing:
                raise SourceError(
                    f"{name} table {self.tables[name]} lacks the column(s) {', '.join(missing)}; "
                    f"it has {', '.join(cols) or 'none'}. Rename them in a view."
                )
            for col, kind in KINDS.items():
                if col in cols and _kind(cols[col]) not in (kind, "other"):
                    raise SourceError(
                        f"{name}.{col} in {self.tables[name]} is {cols[col]}; it needs a "
                        f"{'date or timestamp' if kind == 'time' else 'number'} column."
                    )
            found[name] = cols
        if "orders" not in found:
            raise SourceError("an orders table is needed: --table orders=SCHEMA.TABLE")
        customers = found.get("customers", {})
        return sql.Columns(
            orders_channel="channel" in found["orders"],
            customers="customer_id" in customers,
            signup_date="customer_id" in customers and "signup_date" in customers,
            customers_channel="customer_id" in customers and "channel" in customers,
        )


def _guard(engine: Engine, what: str, call: Callable[[], Any], errors: tuple[type, ...]) -> Any:
    try:
        return call()
    except errors as exc:
        raise engine.fail(what, exc) from None


class DuckDBEngine(Engine):
    """DuckDB in process: a database file, or Parquet/CSV files read directly.

    At most ``memory_gb`` of memory (3 GB by default, so that the whole command stays under
    4 GB); larger aggregations spill to ``$TMPDIR/kpi-duckdb-spill``.
    """

    def __init__(self, url: str, tables: Mapping[str, str], *, memory_gb: float = 3.0):
        import duckdb

        self._errors = (duckdb.Error,)
        tables = dict(tables)
        if url.startswith("duckdb:"):
            database = url.removeprefix("duckdb:").removeprefix("//") or ":memory:"
        elif url.lower().endswith((".duckdb", ".db")):
            database = url
        else:  # a Parquet or CSV path (or glob): the orders themselves
            database = ":memory:"
            tables["orders"] = url
        if database != ":memory:" and not Path(database).exists():
            raise SourceError(f"DuckDB: no database file at {database}")
        super().__init__(url, tables)
        read_only = database != ":memory:"
        self.con = _guard(
            self, "cannot open", lambda: duckdb.connect(database, read_only=read_only), self._errors
        )
        # past memory_gb DuckDB spills its hash tables to a temporary directory on disk
        spill = Path(tempfile.gettempdir()) / "kpi-duckdb-spill"
        self.con.execute(f"SET memory_limit = '{float(memory_gb)}GB'")
        self.con.execute(f"SET temp_directory = '{str(spill).replace(chr(39), '')}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET TimeZone = 'UTC'")
        # fetchall, not fetchone: DuckDB 2 holds a connection until its result is read out
        here = self.con.execute("SELECT current_database(), current_schema()").fetchall()[0]
        for name, target in self.tables.items():
            self._view(name, target, here)

    def _view(self, name: str, target: str, here: tuple[str, str]) -> None:
        """A temporary view named after the canonical table (``orders``) over its source."""
        if is_file(target) and not target.lower().endswith((".duckdb", ".db")):
            if not Path(target).exists() and not any(ch in target for ch in "*?["):
                raise SourceError(f"DuckDB: no file at {target} for the {name} table")
            lower = target.lower()
            reader = "read_csv" if (".csv" in lower or ".tsv" in lower) else "read_parquet"
            source = f"{reader}('{target.replace(chr(39), chr(39) * 2)}')"
        else:
            parts = [p.strip('"') for p in target.split(".")]
            parts = [*here[: max(0, 3 - len(parts))], *parts]
            source = _quoted(".".join(parts))
        self.sources = {**getattr(self, "sources", {}), name: source}
        _guard(
            self,
            f"cannot read the {name} table {target}",
            lambda: self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {source}"
            ),
            self._errors,
        )

    def columns(self, name: str) -> dict[str, str]:
        rel = _guard(
            self,
            f"cannot read the {name} table {self.tables[name]}",
            lambda: self.con.sql(f"SELECT * FROM {name} LIMIT 0"),
            self._errors,
        )
        return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}

    def fetch(self, query: str) -> pd.DataFrame:
        return _guard(self, "query failed", lambda: self.con.sql(query).df(), self._errors)

    def _rename(self, name: str, select: str) -> None:
        query = f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {select} FROM {self.sources[name]}"
        _guard(self, f"cannot map the {name} table", lambda: self.con.execute(query), self._errors)

    def close(self) -> None:
        self.con.close()


def _quoted(target: str) -> str:
    """SCHEMA.TABLE as a quoted identifier path (each part double-quoted)."""
    parts = [p.strip('"') for p in target.split(".")]
    return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


class PostgresEngine(Engine):
    """PostgreSQL through psycopg 3; the reductions transpiled to its dialect."""

    dialect = "postgresql"
    label = "PostgreSQL"

    def __init__(self, url: str, tables: Mapping[str, str]) -> None:
        super().__init__(url, tables)
        try:
            import psycopg
        except ImportError:
            raise SourceError(
                "PostgreSQL needs psycopg: pip install -r requirements-scale.txt"
            ) from None
        self._errors = (psycopg.Error,)
        where = safe_url(url)
        try:
            self.con = psycopg.connect(url, connect_timeout=5, autocommit=True)
        except (psycopg.Error, ValueError) as exc:
            raise SourceError(
                f"PostgreSQL: cannot connect to {where}: {_scrub(str(exc), url)}"
            ) from None
        self.con.execute("SET TIME ZONE 'UTC'")

    def columns(self, name: str) -> dict[str, str]:
        import psycopg

        target = self.tables[name]
        try:
            cur = self.con.execute(f"SELECT * FROM {_quoted(target)} LIMIT 0")
        except psycopg.Error as exc:
            raise SourceError(
                f"PostgreSQL: cannot read the {name} table {target}: {_scrub(str(exc), self.url)}"
            ) from None
        types = self.con.adapters.types
        return {
            d.name: (types.get(d.type_code).name if types.get(d.type_code) else "other")
            for d in cur.description or []
        }

    def compile(self, query: str) -> str:
        return sql.compile_for(query, "postgresql", {k: _quoted(v) for k, v in self.tables.items()})

    def fetch(self, query: str) -> pd.DataFrame:
        def run() -> pd.DataFrame:
            cur = self.con.execute(query)
            names = [d.name for d in cur.description or []]
            return pd.DataFrame.from_records(cur.fetchall(), columns=names)

        return _guard(self, "query failed", run, self._errors)

    def _rename(self, name: str, select: str) -> None:
        view = f"kpi_{name}"
        source = _quoted(self.tables[name])

        def run() -> None:
            self.con.execute(f"DROP VIEW IF EXISTS pg_temp.{view}")
            self.con.execute(f"CREATE TEMP VIEW {view} AS SELECT {select} FROM {source}")

        _guard(self, f"cannot map the {name} table", run, self._errors)
        self.tables[name] = f"pg_temp.{view}"

    def close(self) -> None:
        self.con.close()


_SPARK: dict[str, Any] = {}  # one session per process and master: starting one takes seconds


def spark_session(master: str, settings: Mapping[str, str] | None = None) -> Any:
    """The SparkSession for ``master``, made once (UTC, no UI, few shuffle partitions).

    ``settings``: extra Spark settings, used only when the session is made here.
    """
    if master in _SPARK:
        return _SPARK[master]
    if master.startswith("sc://"):
        _SPARK[master] = _connect_session(master, settings)
        return _SPARK[master]
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName("kpi")
        .master(master)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
    )
    if master.startswith("local"):  # one machine: a few shuffle partitions, not 200
        builder = builder.config("spark.sql.shuffle.partitions", "4").config(
            "spark.driver.memory", "2g"
        )
    builder = builder.config("spark.sql.session.timeZone", "UTC").config(
        "spark.sql.timestampType", "TIMESTAMP_NTZ"
    )
    for key, value in (settings or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _SPARK[master] = session
    return session


def connect_address(url: str) -> tuple[str, int]:
    """Host and port of a Spark Connect URL (15002 when none is given).

    >>> connect_address("sc://spark.example.com/;token=abc")
    ('spark.example.com', 15002)
    >>> connect_address("sc://127.0.0.1:40123")
    ('127.0.0.1', 40123)
    """
    parts = urlsplit(url)
    try:
        return parts.hostname or "localhost", parts.port or 15002
    except ValueError:
        raise SourceError(f"Spark Connect: no port number in {parts.netloc}") from None


def _connect_session(url: str, settings: Mapping[str, str] | None) -> Any:
    """A Spark Connect session on ``url`` (``sc://host:port/;token=...``).

    The server must answer within 5 seconds: the client would otherwise retry an unreachable
    one for about ten minutes. The session is made by the Connect client itself, not by
    ``SparkSession.builder.remote``, which refuses when a local session already runs in the
    process and, after it, any later local one.
    """
    import socket
    import warnings

    host, port = connect_address(url)
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise SourceError(
            f"Spark Connect: cannot connect to {host}:{port}: {exc.strerror or exc}"
        ) from None
    with warnings.catch_warnings():
        # pyspark 4.3 warns about pandas 3 on import; the reductions collect rows, not pandas
        warnings.filterwarnings("ignore", "PySpark does not yet", FutureWarning)
        try:
            from pyspark.sql.connect.session import SparkSession
        except ImportError as exc:  # grpcio, grpcio-status, googleapis-common-protos, zstandard
            raise SourceError(
                f"Spark Connect needs more packages ({_scrub(str(exc), url)}): "
                "pip install -r requirements-scale.txt"
            ) from None
        session = SparkSession.builder.remote(url).create()
    # session settings (runtime ones; a Connect server ignores static ones)
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.timestampType", "TIMESTAMP_NTZ")
    for key, value in (settings or {}).items():
        session.conf.set(key, value)
    return session


class SparkEngine(Engine):
    """Spark SQL (local, a standalone cluster or Spark Connect); results collected as rows."""

    dialect = "spark"
    label = "Spark"

    def __init__(self, url: str, tables: Mapping[str, str]) -> None:
        super().__init__(url, tables)
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise SourceError(
                "Spark needs pyspark: pip install -r requirements-scale.txt"
            ) from None
        where = safe_url(url)
        if url.startswith("sc://"):  # without the ;token=... of the URL
            where = "sc://{}:{}".format(*connect_address(url))
        try:
            self.spark = spark_session(url)
        except SourceError:
            raise
        except Exception as exc:  # py4j and JVM start-up errors have no common base
            raise SourceError(
                f"Spark: cannot start a session on {where}: {_scrub(str(exc), url)}"
            ) from None
        self.names: dict[str, str] = {}
        for name, target in self.tables.items():
            if is_file(target):
                if "://" not in target and Path(target).exists():
                    # the server resolves a relative path against its own directory
                    target = str(Path(target).resolve())
                view = f"kpi_{name}"
                reader = self.spark.read
                try:
                    if ".csv" in target.lower():
                        frame = reader.csv(target, header=True, inferSchema=True)
                    else:
                        frame = reader.parquet(target)
                    frame.createOrReplaceTempView(view)
                except Exception as exc:
                    raise SourceError(
                        f"Spark: cannot read {target} for the {name} table: {_scrub(str(exc), url)}"
                    ) from None
                self.names[name] = view
            else:
                self.names[name] = target

    def columns(self, name: str) -> dict[str, str]:
        try:
            schema = self.spark.table(self.names[name]).schema
        except Exception as exc:
            raise SourceError(
                f"Spark: cannot read the {name} table {self.tables[name]}: "
                f"{_scrub(str(exc), self.url)}"
            ) from None
        return {f.name: f.dataType.simpleString() for f in schema.fields}

    def compile(self, query: str) -> str:
        return sql.compile_for(query, "spark", {k: _backticked(v) for k, v in self.names.items()})

    def fetch(self, query: str) -> pd.DataFrame:
        try:
            result = self.spark.sql(query)
            rows = result.collect()
        except Exception as exc:
            raise SourceError(f"Spark query failed: {_scrub(str(exc), self.url)}") from None
        return pd.DataFrame.from_records([tuple(r) for r in rows], columns=result.columns)


def _backticked(target: str) -> str:
    return ".".join("`" + p.strip("`").replace("`", "``") + "`" for p in target.split("."))


def open_source(url: str, tables: Mapping[str, str] | None = None) -> Engine:
    """The engine for a --source URL (see the module docstring); SourceError if unknown."""
    tables = dict(tables or {})
    tables.setdefault("orders", "orders")
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if url.startswith("duckdb:") or (not scheme and is_file(url)):
        return DuckDBEngine(url, tables)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(url, tables)
    if url.startswith(("spark://", "sc://")) or re.fullmatch(r"local(\[(\d+|\*)\])?", url):
        return SparkEngine(url, tables)
    raise SourceError(
        f"unknown source {safe_url(url)!r}: use duckdb:///file.duckdb, a Parquet or CSV path, "
        "postgresql://user@host:port/db, spark://host:7077, sc://host or local[N]"
    )


def _ident(name: str) -> str:
    """One column name as a double-quoted identifier (DuckDB and PostgreSQL)."""
    return '"' + str(name).replace('"', '""') + '"'


TABLE_LIST = (
    "SELECT table_schema, table_name FROM information_schema.tables "
    "WHERE table_catalog = current_database() "
    "AND table_schema NOT IN ('information_schema', 'pg_catalog') "
    "AND table_schema NOT LIKE 'pg_temp%' AND table_schema NOT LIKE 'pg_toast%' "
    "ORDER BY table_schema, table_name"
)


def list_tables(url: str) -> list[str]:
    """``SCHEMA.TABLE`` of every table and view in a DuckDB file or PostgreSQL database, for
    the Data page's choice; SourceError (one line, no password) if it cannot be read."""
    if url.startswith(("postgresql://", "postgres://")):
        engine: Engine = PostgresEngine(url, {})
    elif url.startswith("duckdb:") or url.lower().endswith((".duckdb", ".db")):
        engine = DuckDBEngine(url, {})
    else:
        raise SourceError(
            f"{safe_url(url)}: tables can be listed in DuckDB files and PostgreSQL only; "
            "use python -m kpi report --source URL --table orders=SCHEMA.TABLE"
        )
    try:
        rows = engine.fetch(TABLE_LIST)
    finally:
        engine.close()
    return [f"{s}.{t}" for s, t in zip(rows.iloc[:, 0], rows.iloc[:, 1], strict=True)]
