"""The reductions computed by DuckDB, PostgreSQL and Spark equal the in-memory ones, cell by cell.

The engines are real: DuckDB in process, a throwaway PostgreSQL cluster and a Spark Connect
server started here (``tests/engine_servers.py``, one of each for the run), and Spark
``local[2]`` (one session for the run). Each engine
is loaded with the same canonical tables as the in-memory engine, from two datasets: the
sample data (orders and customers, with signups and channels) and the CDNOW purchase log
of Fader, Hardie and Lee (2005). Counts must be equal; sums of amounts equal to 1e-9
relative (an engine adds in its own order, so the last digits of a sum differ).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from engine_servers import (
    SPARK_TINY_TABLES,
    postgres_bin,
    postgres_cluster,
    spark_connect_missing,
    spark_connect_server,
)

from kpi import base
from kpi.__main__ import main
from kpi.engines import report
from kpi.engines.reductions import REDUCTIONS, MemoryReductions, SqlReductions, Window
from kpi.engines.sources import SourceError, open_source, spark_session
from kpi.ingest import load_files
from kpi.retention import cohort_retention, suggested_inactivity_window

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
RTOL = 1e-9

duckdb = pytest.importorskip("duckdb")


def _sample() -> dict[str, pd.DataFrame]:
    files = [(n, (ROOT / "sample_data" / n).read_bytes()) for n in ("orders.csv", "customers.csv")]
    tables = load_files(files).tables
    return {
        "orders": tables["orders"][["customer_id", "order_date", "amount", "channel"]],
        "customers": tables["customers"][["customer_id", "signup_date", "channel"]],
    }


def _cdnow() -> dict[str, pd.DataFrame]:
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "order_date", "quantity", "amount"],
        dtype={"master_id": str, "customer_id": "int64", "order_date": str},
    )
    orders = pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_date": pd.to_datetime(raw["order_date"], format="%Y%m%d"),
            "amount": raw["amount"].astype(float),
        }
    )
    return {"orders": orders}


DATASETS = {"sample": _sample, "cdnow": _cdnow}
WINDOWS = {
    "sample": [
        Window(),
        Window(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-09-30"), "week"),
    ],
    "cdnow": [Window(), Window(None, pd.Timestamp("1997-09-30"), "quarter")],
}


@pytest.fixture(scope="module")
def datasets() -> dict[str, dict[str, pd.DataFrame]]:
    return {name: make() for name, make in DATASETS.items()}


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory, datasets) -> Path:
    """Each dataset's tables as Parquet files: what DuckDB and Spark read directly."""
    root = tmp_path_factory.mktemp("parquet")
    for name, tables in datasets.items():
        for table, frame in tables.items():
            frame.to_parquet(root / f"{name}_{table}.parquet", index=False)
    return root


@pytest.fixture(scope="module")
def duckdb_file(tmp_path_factory, datasets) -> Path:
    path = tmp_path_factory.mktemp("duckdb") / "crm.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA shop")
    for name, tables in datasets.items():
        for table, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE TABLE shop.{name}_{table} AS SELECT * FROM frame")
            con.unregister("frame")
    con.close()
    return path


@pytest.fixture(scope="module")
def postgres_url(datasets):
    psycopg = pytest.importorskip("psycopg")
    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql")
    with postgres_cluster() as url:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute("CREATE SCHEMA shop")
            for name, tables in datasets.items():
                for table, frame in tables.items():
                    _copy_to_postgres(con, f"shop.{name}_{table}", frame)
        yield url


def _copy_to_postgres(con, target: str, frame: pd.DataFrame) -> None:
    types = {
        c: "timestamp"
        if frame[c].dtype.kind == "M"
        else "double precision"
        if frame[c].dtype.kind == "f"
        else "bigint"
        if frame[c].dtype.kind in "iu"
        else "text"
        for c in frame.columns
    }
    con.execute(f"CREATE TABLE {target} ({', '.join(f'{c} {t}' for c, t in types.items())})")
    with con.cursor().copy(f"COPY {target} FROM STDIN") as copy:
        for row in frame.itertuples(index=False):
            copy.write_row([None if pd.isna(v) else v for v in row])


@pytest.fixture(scope="module")
def spark_ready():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17: apt-get install openjdk-17-jre-headless")
    spark = spark_session("local[2]", SPARK_TINY_TABLES)
    return spark


@pytest.fixture(scope="module")
def spark_tables(spark_ready, parquet_dir, datasets) -> dict[str, str]:
    """The datasets as Spark temporary views, cached once (the engine then reads tables by
    name; the command line test reads a Parquet path)."""
    names = {}
    for name, tables in datasets.items():
        for table in tables:
            view = f"{name}_{table}"
            spark_ready.read.parquet(
                str(parquet_dir / f"{view}.parquet")
            ).cache().createOrReplaceTempView(view)
            names[view] = view
    return names


# Spark's first query in a process starts the JVM and compiles plans: well over a minute on a
# busy 2-core machine, so these cases get a longer safety limit than pytest's default 300 s.
SPARK_CONNECT = pytest.param("spark-connect", marks=pytest.mark.timeout(900))


@pytest.fixture(scope="module")
def spark_connect_url():
    """``sc://127.0.0.1:PORT`` of one Spark Connect server for this module's tests, stopped
    after them so its JVM does not compete with the rest of the suite."""
    missing = spark_connect_missing()
    if missing:
        pytest.skip(missing)
    from kpi.engines import sources

    with spark_connect_server() as url:
        yield url
        # release the session while the server still answers: at exit the client would
        # otherwise retry the stopped server for minutes
        session = sources._SPARK.pop(url, None)
        if session is not None:
            session.stop()


def _engine(kind: str, dataset: str, tables: dict, duckdb_file, parquet_dir, request):
    names = {t: f"shop.{dataset}_{t}" for t in tables}
    files = {t: str(parquet_dir / f"{dataset}_{t}.parquet") for t in tables}
    if kind == "duckdb":
        return open_source(f"duckdb://{duckdb_file}", names)
    if kind == "duckdb-parquet":
        return open_source(files["orders"], {k: v for k, v in files.items() if k != "orders"})
    if kind == "postgresql":
        return open_source(request.getfixturevalue("postgres_url"), names)
    request.getfixturevalue("spark_tables")
    return open_source("local[2]", {t: f"{dataset}_{t}" for t in tables})


def _assert_same(expected, result, what: str) -> None:
    if isinstance(expected, dict):
        assert expected.keys() == result.keys(), what
        for key in expected:
            assert result[key] == pytest.approx(expected[key], rel=RTOL), f"{what}: {key}"
        return
    pd.testing.assert_frame_equal(result, expected, check_exact=False, rtol=RTOL, obj=what)


# Spark Connect runs the very SQL that local Spark runs (one dialect), so each reduction is
# compared here on local Spark only; over Connect, the command line's report is compared with
# the file's, every KPI, series and cohort cell (test_command_line_gives_the_file_reports_kpis),
# which runs those reductions through the Connect server without a second minute and a half.
EQUIVALENCE_CASES = [
    pytest.param(kind, dataset, marks=mark, id=f"{kind}-{dataset}")
    for kind, mark in [
        ("duckdb", ()),
        ("duckdb-parquet", ()),
        ("postgresql", ()),
        ("spark", pytest.mark.timeout(900)),
    ]
    for dataset in DATASETS
]


@pytest.mark.parametrize(("kind", "dataset"), EQUIVALENCE_CASES)
def test_every_reduction_equals_the_in_memory_one(
    kind, dataset, datasets, duckdb_file, parquet_dir, request
):
    tables = datasets[dataset]
    memory = MemoryReductions(tables)
    engine = _engine(kind, dataset, tables, duckdb_file, parquet_dir, request)
    try:
        sql = SqlReductions(engine)
        # Spark takes seconds a query even on small tables: one window (the other engines two)
        windows = WINDOWS[dataset][-1:] if kind.startswith("spark") else WINDOWS[dataset]
        for w in windows:
            for name in REDUCTIONS:
                no_window = ("first_orders", "rfm", "gap_counts", "last_orders")
                args = () if name in no_window else (w,)
                expected = getattr(memory, name)(*args)
                _assert_same(expected, getattr(sql, name)(*args), f"{kind} {name} {w}")
                if isinstance(expected, pd.DataFrame):
                    assert len(expected) > 0, f"{name} {w} is empty: the check would be void"
            _assert_same(memory.extent(w), sql.extent(w), f"{kind} extent {w}")
            ext = memory.extent(w)
            lo = w.lo if w.lo is not None else ext["first_day"]
            hi = w.hi if w.hi is not None else ext["last_day"]
            money = memory.revenue_retention(lo, hi)
            _assert_same(money, sql.revenue_retention(lo, hi), f"{kind} revenue_retention {w}")
            if w.start is not None and dataset == "sample":
                assert money["revenue_before"] > 0, "the check of NRR's sums would be void"
        _assert_same(memory.visit_counts(), sql.visit_counts(), f"{kind} visit_counts")
        if dataset == "cdnow":  # the summary Fader, Hardie and Lee fit: calibration to 1997-09-30
            end = pd.Timestamp("1997-09-30")
            _assert_same(memory.rfm(end), sql.rfm(end), f"{kind} rfm to {end}")
    finally:
        engine.close()


# The KPIs rebuilt from the reductions equal the existing functions on the rows.


@pytest.fixture(scope="module")
def sample_memory(datasets) -> MemoryReductions:
    return MemoryReductions(datasets["sample"])


@pytest.mark.parametrize("w", WINDOWS["sample"] + [Window(period="quarter")], ids=str)
def test_kpis_from_reductions_equal_the_functions_on_rows(w, datasets, sample_memory):
    orders, customers = datasets["sample"]["orders"], datasets["sample"]["customers"]
    expected = base.headline(orders, customers, start=w.start, end=w.end)
    assert report.headline(sample_memory.base_counts(w)) == pytest.approx(expected, rel=1e-12)

    ext = sample_memory.extent(w)
    result = report.revenue_series(
        sample_memory.period_table(w), w, ext["first_in_range"], ext["last_in_range"]
    )
    expected = base.revenue_series(orders, customers, period=w.period, start=w.start, end=w.end)
    pd.testing.assert_frame_equal(result, expected, check_freq=False)

    as_of = w.hi if w.hi is not None else ext["last_day"]
    table = report.cohort_table(
        sample_memory.cohort_sizes(w, as_of), sample_memory.cohort_cells(w, as_of), w.period, as_of
    )
    expected = cohort_retention(
        orders, period=w.period, customers=customers, start=w.start, end=w.end
    )
    for field in (
        "sizes",
        "active",
        "customer_retention",
        "revenue",
        "revenue_retention",
        "gross_revenue",
        "gross_revenue_retention",
        "observable",
        "complete",
    ):
        res, exp = getattr(table, field), getattr(expected, field)
        if isinstance(exp, pd.Series):
            pd.testing.assert_series_equal(res, exp, check_freq=False, obj=field)
        else:
            pd.testing.assert_frame_equal(res, exp, check_freq=False, obj=field)
    assert table.as_of == expected.as_of


def test_acquisition_by_hand_in_duckdb(tmp_path):
    """The earlier of signup and first order, paying customers only, by hand:

    a: first order 01-10, signup 01-20 (after it)  -> acquired 01-10, new in January
    b: signup 01-05, no order                      -> signup without an order, not new
    c: signup 12-28 (last year), first order 01-15 -> acquired 12-28, not new in January
    d: order 01-25 (a refund), no signup           -> acquired 01-25, new in January
    e: signup 02-03, no order                      -> outside January
    January: new 2 (a, d), sign-ups without an order 1 (b).
    """
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "c", "d"],
            "order_date": pd.to_datetime(["2025-01-10", "2025-01-15", "2025-01-25"]),
            "amount": [10.0, 5.0, -3.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "e"],
            "signup_date": pd.to_datetime(["2025-01-20", "2025-01-05", "2024-12-28", "2025-02-03"]),
        }
    )
    path = tmp_path / "hand.duckdb"
    con = duckdb.connect(str(path))
    for name, frame in {"orders": orders, "customers": customers}.items():
        con.register("frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")
    con.close()
    engine = open_source(f"duckdb://{path}", {"orders": "orders", "customers": "customers"})
    try:
        red = SqlReductions(engine)
        w = Window(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-31"))
        counts = red.base_counts(w)
        assert (counts["new_customers"], counts["signups_without_order"]) == (2, 1)
        first = red.first_orders().set_index("customer_id")["acquired"].dt.strftime("%m-%d")
        assert first.dropna().to_dict() == {"a": "01-10", "c": "12-28", "d": "01-25"}
    finally:
        engine.close()


def test_last_orders_and_revenue_types_by_hand(tmp_path):
    """Each customer's last order day and customer x revenue type, by hand, in memory and in
    DuckDB:

    a: 01-02 sale 10, 01-02 sale 5, 01-09 sale 7, 01-12 refund -2
       -> last order 01-09 (a refund is no order); new = 10 + 5 (2 orders, first day),
          repeat = 7 (1), refunds = -2 (0 orders)
    b: 01-05 refund -4, 01-05 sale 6, 01-20 sale with a blank amount
       -> last order 01-20 (a blank amount is an order); new = 6 (1, first day 01-05 with its
          refund), repeat = 0 (1 order), refunds = -4
    c: 01-07 refund -1 only -> no last order; refunds = -1
    (blank id): 01-03 sale 100 -> nobody's
    In the range 01-05..01-31: a keeps repeat 7 and refunds -2, b and c all theirs.
    """
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "b", "b", "c", None],
            "order_date": pd.to_datetime(
                [
                    "2025-01-02 09:00",
                    "2025-01-02 17:00",
                    "2025-01-09 00:00",
                    "2025-01-12 00:00",
                    "2025-01-05 00:00",
                    "2025-01-05 00:00",
                    "2025-01-20 00:00",
                    "2025-01-07 00:00",
                    "2025-01-03 00:00",
                ]
            ),
            "amount": [10.0, 5.0, 7.0, -2.0, -4.0, 6.0, np.nan, -1.0, 100.0],
        }
    )
    first = (pd.Timestamp("2025-01-01") - pd.Timestamp(0)) // pd.Timedelta(days=1)  # day 20089
    last = {"a": first + 8, "b": first + 19}
    whole = {
        ("a", "new"): (2, 15.0),
        ("a", "refunds"): (0, -2.0),
        ("a", "repeat"): (1, 7.0),
        ("b", "new"): (1, 6.0),  # the first day's refund is counted apart, under refunds
        ("b", "refunds"): (0, -4.0),
        ("b", "repeat"): (1, 0.0),
        ("c", "refunds"): (0, -1.0),
    }
    ranged = {k: v for k, v in whole.items() if k[0] != "a" or k[1] != "new"}
    path = tmp_path / "hand.duckdb"
    con = duckdb.connect(str(path))
    con.register("frame", orders)
    con.execute("CREATE TABLE orders AS SELECT * FROM frame")
    con.close()
    engine = open_source(f"duckdb://{path}", {"orders": "orders"})
    w = Window(pd.Timestamp("2025-01-05"), pd.Timestamp("2025-01-31"))
    try:
        for red in (MemoryReductions({"orders": orders}), SqlReductions(engine)):
            got = red.last_orders().set_index("customer_id")["last_order"].to_dict()
            assert got == last, red
            for window, expected in ((Window(), whole), (w, ranged)):
                cells = red.customer_revenue_types(window)
                got = {
                    (r.customer_id, r.revenue_type): (r.orders, r.revenue)
                    for r in cells.itertuples()
                }
                assert got == expected, (red, window)
    finally:
        engine.close()


def test_inactivity_window_from_the_gap_histogram(datasets):
    for tables in datasets.values():
        gaps = MemoryReductions(tables).gap_counts()
        for q in (0.5, 0.9, 0.33):
            expected = suggested_inactivity_window(tables["orders"], percentile=q)
            assert report.inactivity_window(gaps, q) == expected


def test_gap_quantile_by_hand():
    # gaps 1, 1, 1, 5, 9: the 0.9 quantile sits at position 3.6 -> 5 + 0.6 * (9 - 5) = 7.4
    gaps = pd.DataFrame({"gap_days": [1, 5, 9], "visits": [3, 1, 1]})
    assert report.gap_quantile(gaps, 0.9) == pytest.approx(7.4)
    assert report.gap_quantile(gaps, 0.5) == 1.0
    assert np.quantile([1, 1, 1, 5, 9], 0.9) == pytest.approx(7.4)


# The command line: the same KPIs from a CSV file, DuckDB, PostgreSQL and Spark.


def _run(capsys, argv) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _same_kpis(a: dict, b: dict) -> None:
    for key, value in b["kpis"].items():
        if value is not None:
            assert value == pytest.approx(a["kpis"][key], rel=RTOL), key
    for key in b["series"]:
        assert b["series"][key].keys() == a["series"][key].keys(), key
        for label, value in b["series"][key].items():
            assert value == pytest.approx(a["series"][key][label], rel=RTOL, nan_ok=True)
    assert set(b["cohorts"]) == {"customer_retention", "revenue_retention"}
    for name in b["cohorts"]:
        assert b["cohorts"][name].keys() == a["cohorts"][name].keys()
        for label, cells in b["cohorts"][name].items():
            expected = [np.nan if v is None else v for v in a["cohorts"][name][label]]
            got = [np.nan if v is None else v for v in cells]
            assert got == pytest.approx(expected, rel=RTOL, nan_ok=True), (name, label)


@pytest.fixture(scope="module")
def file_report() -> dict:
    """The report of the sample orders file, read into memory as the app reads it."""
    from kpi.__main__ import build_output

    ds = load_files([("orders.csv", (ROOT / "sample_data" / "orders.csv").read_bytes())])
    start, end = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31")
    return json.loads(json.dumps(build_output(ds, start=start, end=end, period="month")))


# Spark Connect and local Spark run one SQL dialect, whose every reduction is compared cell by
# cell on local Spark above; the command line's whole report is compared over Connect.
@pytest.mark.parametrize("kind", ["csv", "duckdb", "postgresql", SPARK_CONNECT])
def test_command_line_gives_the_file_reports_kpis(
    kind, capsys, file_report, duckdb_file, parquet_dir, request
):
    if kind == "csv":
        source, tables = str(ROOT / "sample_data" / "orders.csv"), []
    elif kind == "duckdb":
        source, tables = f"duckdb://{duckdb_file}", ["orders=shop.sample_orders"]
    elif kind == "postgresql":
        source, tables = request.getfixturevalue("postgres_url"), ["orders=shop.sample_orders"]
    else:
        source = request.getfixturevalue("spark_connect_url")
        tables = [f"orders={parquet_dir / 'sample_orders.parquet'}"]
    argv = ["report", "--source", source, *[f"--table={t}" for t in tables]]
    code, out, err = _run(capsys, [*argv, "--start", "2024-01-01", "--end", "2024-12-31"])
    assert code == 0, err
    result = json.loads(out)
    assert result.keys() == file_report.keys()
    assert result["kpis"].keys() == file_report["kpis"].keys()
    assert result["tables"]["orders"]["rows"] == file_report["tables"]["orders"]["rows"]
    _same_kpis(file_report, result)
    # every default the engine used is stated, as the file report states it
    assert "inactivity_window_days" in result["assumptions"]
    for key, entry in result["assumptions"].items():
        assert entry == file_report["assumptions"][key], key
    assert any("still need the rows in memory" in w for w in result["warnings"])


# Bad input: one line, exit 2, no traceback, no credentials.


def _fails(capsys, argv, *needles: str) -> str:
    code, out, err = _run(capsys, ["report", *argv])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    for needle in needles:
        assert needle in err
    return err


def test_a_refused_connection_is_one_line_without_the_password(capsys):
    from engine_servers import _free_port

    url = f"postgresql://ann:s3cr3t-pw@127.0.0.1:{_free_port()}/crm"
    err = _fails(capsys, ["--source", url], "cannot connect", "127.0.0.1")
    assert "s3cr3t-pw" not in err and "ann:" not in err


def test_postgres_missing_table_and_wrong_type(capsys, postgres_url):
    psycopg = pytest.importorskip("psycopg")
    _fails(capsys, ["--source", postgres_url, "--table", "orders=shop.nowhere"], "shop.nowhere")
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS shop.text_amounts "
            "(customer_id text, order_date date, amount text)"
        )
    _fails(
        capsys,
        ["--source", postgres_url, "--table", "orders=shop.text_amounts"],
        "orders.amount",
        "number",
    )


def test_duckdb_missing_table_column_and_file(capsys, duckdb_file, tmp_path):
    _fails(
        capsys,
        ["--source", f"duckdb://{duckdb_file}", "--table", "orders=shop.nowhere"],
        "shop.nowhere",
    )
    _fails(
        capsys,
        ["--source", f"duckdb://{duckdb_file}", "--table", "orders=shop.sample_customers"],
        "order_date",
        "amount",
    )
    _fails(capsys, ["--source", f"duckdb://{tmp_path / 'absent.duckdb'}"], "no database file")
    _fails(capsys, ["--source", str(tmp_path / "absent.parquet")], "no file")
    bad = tmp_path / "dates_as_numbers.csv"
    bad.write_text("customer_id,order_date,amount\nC1,5,10\n")
    _fails(capsys, ["--source", str(bad)], "orders.order_date", "date")


def test_unknown_source_and_malformed_table(capsys):
    _fails(capsys, ["--source", "mysql://ann:pw@db/crm"], "unknown source")
    err = _fails(capsys, ["--source", "mysql://ann:pw@db/crm"])
    assert "pw" not in err.replace("postgresql", "")
    _fails(capsys, ["--source", "duckdb://", "--table", "orders"], "NAME=SCHEMA.TABLE")


def test_spark_missing_table(capsys, spark_ready):
    _fails(capsys, ["--source", "local[2]", "--table", "orders=shop.nowhere"], "shop.nowhere")


def test_spark_connect_missing_table_and_file(capsys, spark_connect_url, tmp_path):
    _fails(
        capsys, ["--source", spark_connect_url, "--table", "orders=shop.nowhere"], "shop.nowhere"
    )
    absent = tmp_path / "absent.parquet"
    _fails(capsys, ["--source", spark_connect_url, f"--table=orders={absent}"], str(absent))


def test_an_unreachable_spark_connect_server_is_one_quick_line_without_the_token(capsys):
    """The client would retry for minutes; the engine gives up after a 5 second probe."""
    from engine_servers import _free_port

    pytest.importorskip("pyspark")
    url = f"sc://127.0.0.1:{_free_port()}/;token=s3cr3t-tk;user_id=ann"
    began = time.monotonic()
    err = _fails(capsys, ["--source", url], "cannot connect", "127.0.0.1")
    assert time.monotonic() - began < 30
    assert "s3cr3t-tk" not in err


def test_open_source_rejects_nothing_silently(tmp_path):
    with pytest.raises(SourceError, match="no file"):
        open_source(str(tmp_path / "x.parquet"))


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_period_ordinal_sql_equals_the_numpy_one(period):
    from kpi.engines.sql import period_ordinal
    from kpi.periods import day_period_ordinal

    # every day from 1967 to 1973 (before and after the 1970 origin, leap year 1972 included)
    # and the turns of year 1999/2000, 2024/2025
    days = np.concatenate([np.arange(-1100, 1500), np.arange(10_950, 10_960), [20_088, 20_089]])
    con = duckdb.connect()
    con.register("days", pd.DataFrame({"d": days}))
    result = con.execute(f"SELECT {period_ordinal('d', period)} FROM days ORDER BY d").fetchall()
    assert [r[0] for r in result] == day_period_ordinal(np.sort(days), period).tolist()


def test_engine_packages_are_imported_only_when_used():
    """kpi.engines imports duckdb, sqlglot, psycopg and pyspark inside the functions that use
    them, so the app (requirements.txt) imports kpi without them; never streamlit or plotly."""
    import ast

    allowed = {
        "__future__",
        "collections",
        "dataclasses",
        "math",
        "pathlib",
        "re",
        "tempfile",
        "typing",
        "urllib",
        "numpy",
        "pandas",
        "kpi",
    }
    for path in sorted((ROOT / "kpi" / "engines").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                top.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                top.add(node.module.split(".")[0])
        assert top <= allowed, (path.name, top - allowed)


def test_file_only_flags_are_refused_with_a_source_not_ignored(capsys, tmp_path):
    # --inactivity-window-days would shape churn in a file report; through an engine it
    # would change nothing, so it is refused rather than reported as taken.
    with pytest.raises(SystemExit) as exc:
        main(["report", "--source", str(tmp_path / "o.parquet"), "--inactivity-window-days", "45"])
    assert exc.value.code == 2
    assert "--inactivity-window-days work with FILE(s) only" in capsys.readouterr().err
