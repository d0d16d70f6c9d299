"""The Data page's "Connect a database" and the embedded default for large uploads.

A DuckDB file is the secret's connection: its tables carry German column names, so the
upload mapping editor has to map them. The KPIs the page shows are checked against the
command line's engine report (``kpi.engines.cli.source_output``, what ``python -m kpi report
--source`` prints) on the same rows, read through views that give the columns their
canonical names, as the command line asks. The password set beside the connection must not
appear in the page, the query string, the session's picks or the analysis file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kpi.engines.cli import source_output
from kpi.engines.reductions import MemoryReductions, Window
from kpi.engines.report import ENGINE_KPIS, build_output
from kpi.io import Limits
from tests.conftest import ROOT
from ui import analysis_file, connect, data_page, state
from ui import format as fmt

duckdb = pytest.importorskip("duckdb")

PASSWORD = "Zq8-very-s3cret-pw"
ORDERS = {
    "order_id": "Bestellnummer",
    "customer_id": "Kundennummer",
    "order_date": "Bestelldatum",
    "amount": "Betrag",
    "channel": "Kanal",
    "region": "Region",
}
CUSTOMERS = {"customer_id": "Kundennummer", "signup_date": "Anmeldedatum", "channel": "Kanal"}


def _sample(name: str) -> pd.DataFrame:
    """A tenth of the sample business (customer ids ending in 0): fast, and over 1,000 orders."""
    frame = pd.read_csv(ROOT / "sample_data" / name, dtype=str, keep_default_na=False)
    return frame[frame["customer_id"].str.endswith("0")].reset_index(drop=True)


@pytest.fixture(scope="module")
def orders_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "orders.csv"
    _sample("orders.csv").to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def shop(tmp_path_factory, orders_csv) -> Path:
    """shop.bestellungen and shop.kunden (German headers), shop.orders_canonical and
    shop.customers_canonical (views with the canonical names, for the command line), and
    shop.textdaten (dates stored as text)."""
    path = tmp_path_factory.mktemp("db") / "crm.duckdb"
    customers = _sample("customers.csv")
    customers.to_csv(orders_csv.parent / "customers.csv", index=False)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA shop")
    cols = ", ".join(
        f'{c} AS "{g}"' for c, g in ORDERS.items() if c not in ("order_date", "amount")
    )
    con.execute(
        f"CREATE TABLE shop.bestellungen AS SELECT {cols}, "
        'CAST(order_date AS TIMESTAMP) AS "Bestelldatum", CAST(amount AS DOUBLE) AS "Betrag" '
        f"FROM read_csv('{orders_csv}', all_varchar=true)"
    )
    con.execute(
        'CREATE TABLE shop.kunden AS SELECT customer_id AS "Kundennummer", '
        'CAST(NULLIF(signup_date, \'\') AS DATE) AS "Anmeldedatum", channel AS "Kanal" '
        f"FROM read_csv('{orders_csv.parent / 'customers.csv'}', all_varchar=true)"
    )
    back = ", ".join(f'"{g}" AS {c}' for c, g in ORDERS.items())
    con.execute(f"CREATE VIEW shop.orders_canonical AS SELECT {back} FROM shop.bestellungen")
    back = ", ".join(f'"{g}" AS {c}' for c, g in CUSTOMERS.items())
    con.execute(f"CREATE VIEW shop.customers_canonical AS SELECT {back} FROM shop.kunden")
    con.execute(
        'CREATE TABLE shop.textdaten AS SELECT "Kundennummer", '
        'strftime("Bestelldatum", \'%d.%m.%Y\') AS "Bestelldatum", "Betrag" FROM shop.bestellungen'
    )
    con.close()
    return path


def _app(app_test, shop: Path, **more: dict):
    at = app_test()
    at.secrets["connections"] = {
        "shop": {"url": f"duckdb:///{shop}", "password": PASSWORD},
        **more,
    }
    at.switch_page("pages/1_Data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pick(at, connection: str, orders: str | None = None, customers: str | None = None):
    at.selectbox(key="_cx_connection").set_value(connection).run()
    if orders:
        at.selectbox(key="_cx_orders").set_value(orders).run()
    if customers:
        at.selectbox(key="_cx_customers").set_value(customers).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at, label: str):
    found = [b for b in at.button if b.label.startswith(label)]
    assert found, [b.label for b in at.button]
    return found[0]


def _texts(at) -> str:
    """Everything the page wrote, as one string."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "code", "title"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(s.options) for s in at.selectbox]
    for df in at.dataframe:
        parts.append(df.value.to_csv() if hasattr(df.value, "to_csv") else str(df.value))
    return "\n".join(parts)


def _cli(shop: Path, **window) -> dict:
    return source_output(
        f"duckdb:///{shop}",
        ["orders=shop.orders_canonical", "customers=shop.customers_canonical"],
        start=window.get("start"),
        end=window.get("end"),
        period=window.get("period", "month"),
    )


def _editor_keys(at) -> dict[str, str]:
    """{canonical table: its mapping editor's key} for the tables picked."""
    out = {}
    for s in at.selectbox:
        if s.key and s.key.startswith("_m_cx_") and s.key.endswith("_table_"):
            out[s.value] = s.key.removeprefix("_m_").removesuffix("_table_")
    return out


def _mapping_widget(at, table: str, column: str):
    return at.selectbox(key=f"_m_{_editor_keys(at)[table]}_column_{column}")


def _mapping(at) -> dict[tuple[str, str], str]:
    """{(canonical table, canonical column): the header chosen} in the mapping editors."""
    out = {}
    for table, key in _editor_keys(at).items():
        for s in at.selectbox:
            if s.key and s.key.startswith(f"_m_{key}_column_"):
                out[table, s.key.removeprefix(f"_m_{key}_column_")] = s.value
    return out


def test_tables_mapping_and_rows_in_memory_give_the_command_lines_kpis(app_test, shop):
    at = _app(app_test, shop)
    at.selectbox(key="_cx_connection").set_value("shop").run()
    assert at.selectbox(key="_cx_orders").options == [
        "shop.bestellungen", "shop.customers_canonical", "shop.kunden",
        "shop.orders_canonical", "shop.textdaten",
    ]  # fmt: skip
    _pick(at, "shop", "shop.bestellungen", "shop.kunden")
    # The upload's mapping editor mapped the German headers; the signup date it does not
    # recognise is chosen by hand, as on an upload.
    mapped = _mapping(at)
    for canonical in ("customer_id", "order_date", "amount", "channel"):
        assert mapped["orders", canonical] == ORDERS[canonical], mapped
    assert mapped["customers", "customer_id"] == "Kundennummer"
    assert mapped["customers", "signup_date"] == data_page.NONE
    _mapping_widget(at, "customers", "signup_date").set_value("Anmeldedatum").run()
    assert _mapping(at)["customers", "signup_date"] == "Anmeldedatum"
    _button(at, "Use these tables").click().run()
    assert not at.exception, [e.value for e in at.exception]
    # Under the limit: the mapped columns are in memory, and the page says where from.
    ds = at.session_state["dataset"]
    assert len(ds.tables["orders"]) == len(_sample("orders.csv"))
    note = " ".join(s.value for s in at.success)
    assert "database connection" in note and fmt.md("shop: shop.bestellungen") in note
    # The same KPIs as the command line on the same rows.
    lo, hi = pd.Timestamp("2024-07-01"), pd.Timestamp("2024-12-31")
    for window in (Window(), Window(lo, hi, "quarter")):
        memory = build_output(MemoryReductions(ds.tables), window, "x")["kpis"]
        cli = _cli(shop, start=window.start, end=window.end, period=window.period)["kpis"]
        assert cli["nrr"] is not None or window.start is None
        for key in ENGINE_KPIS:
            if cli[key] is None:
                assert memory[key] is None, key
            else:
                assert memory[key] == pytest.approx(cli[key], rel=1e-9), key
    # No password anywhere: the page, the link, the picks, the analysis file.
    at.switch_page("app.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert PASSWORD not in _texts(at)
    assert PASSWORD not in str(dict(at.query_params))
    # The link names the connection the data came from, not an upload.
    assert at.query_params.get("data") == "database:shop"
    at.session_state["share_panel"] = True  # open the lazy Share and download panel
    at.run()
    panel = " ".join(c.value for c in at.sidebar.caption)
    assert "names the database connection **shop** the data was fetched from" in panel
    assert "needs your data too" not in panel
    picks = {k: at.session_state[k] for k in at.session_state if str(k).startswith(("cx", "_cx"))}
    assert PASSWORD not in repr(picks) and "duckdb:///" not in repr(picks)
    dump = analysis_file.dump(state.analysis_snapshot(at.session_state))
    with zipfile.ZipFile(io.BytesIO(dump)) as z:
        members = {name: z.read(name) for name in z.namelist()}
    for name, body in members.items():
        assert PASSWORD.encode() not in body and b"duckdb:///" not in body, name
    assert "shop: shop.bestellungen" in members["manifest.json"].decode()


def test_over_the_limit_the_engine_report_drill_down_and_a_range_that_fits(
    app_test, shop, monkeypatch
):
    monkeypatch.setattr(state, "limits", lambda *a, **k: Limits(max_rows=1_000))
    monkeypatch.setattr(connect, "DRILL_LIMIT", 7)
    at = _pick(_app(app_test, shop), "shop", "shop.bestellungen", "shop.kunden")
    _mapping_widget(at, "customers", "signup_date").set_value("Anmeldedatum").run()
    _button(at, "Compute the KPIs where the data is").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert state.DATASET not in at.session_state  # the other pages keep the sample
    info = " ".join(i.value for i in at.info)
    assert "more than the 1,000 rows" in info and "need the rows in memory" in info
    cli = _cli(shop)["kpis"]
    cur = at.session_state["f_currency"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Revenue"] == fmt.money(cli["revenue"], cur, decimals=2)
    assert shown["Orders"] == fmt.number(cli["orders"])
    assert shown["Active customers"] == fmt.number(cli["active_customers"])
    assert shown["New customers"] == fmt.number(cli["new_customers"])
    aov = fmt.money(cli["average_order_value"], cur, decimals=2)
    assert shown["Average order value, per order"] == aov
    assert shown["Repeat customer rate"] == fmt.percent(cli["repeat_customer_rate"])
    assert shown["Net revenue retention"] == fmt.percent(cli["nrr"])
    # Drill-down: one month's orders, fetched with a LIMIT.
    month = at.selectbox(key="_cx_month").value
    [rows] = [d.value for d in at.dataframe if "order_date" in getattr(d.value, "columns", [])]
    assert len(rows) == 7
    assert (pd.to_datetime(rows["order_date"]).dt.strftime("%Y-%m") == month).all()
    # A range that fits: fetched into memory, the same orders as the command line counts.
    start, end = at.date_input(key="_cx_range").value
    _button(at, "Fetch").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ds = at.session_state["dataset"]
    window = Window(pd.Timestamp(start), pd.Timestamp(end))
    cli = _cli(shop, start=window.start, end=window.end)["kpis"]
    memory = build_output(MemoryReductions(ds.tables), window, "x")["kpis"]
    assert 0 < len(ds.tables["orders"]) <= 1_000
    assert ds.tables["orders"]["order_date"].between(window.start, window.end).all()
    assert len(ds.tables["orders"]) == cli["orders"] + cli["refunds"]
    for key in ("revenue", "orders", "refunds", "active_customers", "arpu"):
        assert memory[key] == pytest.approx(cli[key], rel=1e-9), key
    assert fmt.md(f"orders dated {start} to {end}") in " ".join(s.value for s in at.success)


def test_a_bad_connection_a_missing_table_and_a_wrong_type_get_one_line(app_test, shop):
    at = _app(
        app_test,
        shop,
        gone={"url": "duckdb:///nonexistent/place/crm.duckdb"},
        pg={"url": "postgresql://kpireader@127.0.0.1:9/crm", "password": PASSWORD},
    )
    at.selectbox(key="_cx_connection").set_value("gone").run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error == fmt.md(
        "Connection gone: DuckDB: no database file at /nonexistent/place/crm.duckdb"
    )
    at.selectbox(key="_cx_connection").set_value("pg").run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Connection pg: PostgreSQL") and "cannot connect" in error
    assert PASSWORD not in error and "kpireader" not in error
    # A column of the wrong type: dates stored as text.
    _pick(at, "shop", "shop.textdaten")
    _button(at, "Use these tables").click().run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "Bestelldatum is VARCHAR" in error and "needs a date or timestamp column" in error
    # A table gone since the list was read.
    con = duckdb.connect(str(shop))
    con.execute("CREATE TABLE shop.kurz AS SELECT * FROM shop.bestellungen LIMIT 3")
    con.close()
    connect.tables_of.clear()
    at.selectbox(key="_cx_connection").set_value("shop").run()
    con = duckdb.connect(str(shop))
    con.execute("DROP TABLE shop.kurz")
    con.close()
    at.selectbox(key="_cx_orders").set_value("shop.kurz").run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert fmt.md("cannot read the orders table shop.kurz") in error and "Traceback" not in error
    assert PASSWORD not in _texts(at)


def test_an_upload_over_the_limit_goes_through_duckdb_with_the_command_lines_kpis(
    app_test, orders_csv, monkeypatch
):
    monkeypatch.setattr(state, "limits", lambda *a, **k: Limits(max_rows=1_000))
    at = app_test()
    at.switch_page("pages/1_Data.py").run()
    data = orders_csv.read_bytes()
    at.file_uploader(key="uploader").set_value([("orders.csv", data, "text/csv")]).run()
    assert not at.exception, [e.value for e in at.exception]
    info = " ".join(i.value for i in at.info)
    assert fmt.md("over the in-memory limit of 1,000 rows") in info and "DuckDB" in info
    assert "Parquet files over 100 MB" in info
    _button(at, "Compute the KPIs where the data is").click().run()
    assert not at.exception, [e.value for e in at.exception]
    cli = source_output(str(orders_csv), [], start=None, end=None, period="month")["kpis"]
    cur = at.session_state["f_currency"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Revenue"] == fmt.money(cli["revenue"], cur, decimals=2)
    assert shown["Orders"] == fmt.number(cli["orders"])
    assert cli["orders"] + cli["refunds"] == len(_sample("orders.csv"))  # every row, by DuckDB
    assert shown["ARPU, per active customer"] == fmt.money(cli["arpu"], cur, decimals=2)


def test_a_parquet_file_over_the_threshold_goes_through_duckdb(app_test, orders_csv, monkeypatch):
    monkeypatch.setattr(connect, "PARQUET_MB", 0.01)
    buf = io.BytesIO()
    frame = pd.read_csv(orders_csv)
    frame.assign(order_date=pd.to_datetime(frame["order_date"])).to_parquet(buf, index=False)
    assert len(buf.getvalue()) > 0.01 * 2**20
    reason = connect.too_large("o.parquet", buf.getvalue(), Limits())
    assert reason is not None and "Parquet file" in reason
    assert connect.too_large("o.csv", orders_csv.read_bytes(), Limits()) is None


@pytest.fixture(scope="module")
def postgres_shop(shop):
    """The same German tables and canonical views in a throwaway PostgreSQL cluster."""
    psycopg = pytest.importorskip("psycopg")
    from engine_servers import postgres_bin, postgres_cluster

    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql")
    con = duckdb.connect(str(shop), read_only=True)
    frames = {t: con.sql(f"SELECT * FROM shop.{t}").df() for t in ("bestellungen", "kunden")}
    con.close()
    with postgres_cluster() as url, psycopg.connect(url, autocommit=True) as pg:
        pg.execute("CREATE SCHEMA shop")
        for table, frame in frames.items():
            types = {
                c: "timestamp" if frame[c].dtype.kind == "M"
                else "double precision" if frame[c].dtype.kind == "f" else "text"
                for c in frame.columns
            }  # fmt: skip
            cols = ", ".join(f'"{c}" {t}' for c, t in types.items())
            pg.execute(f"CREATE TABLE shop.{table} ({cols})")
            with pg.cursor().copy(f"COPY shop.{table} FROM STDIN") as copy:
                for row in frame.itertuples(index=False):
                    copy.write_row([None if pd.isna(v) else v for v in row])
        back = ", ".join(f'"{g}" AS {c}' for c, g in ORDERS.items())
        pg.execute(f"CREATE VIEW shop.orders_canonical AS SELECT {back} FROM shop.bestellungen")
        back = ", ".join(f'"{g}" AS {c}' for c, g in CUSTOMERS.items())
        pg.execute(f"CREATE VIEW shop.customers_canonical AS SELECT {back} FROM shop.kunden")
        yield url


def test_postgresql_connection_with_a_password_gives_the_command_lines_kpis(
    app_test, shop, postgres_shop, monkeypatch
):
    monkeypatch.setattr(state, "limits", lambda *a, **k: Limits(max_rows=1_000))
    # The throwaway cluster trusts local connections: the password travels, unchecked.
    at = _app(app_test, shop, pg={"url": postgres_shop, "password": PASSWORD})
    at.selectbox(key="_cx_connection").set_value("pg").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="_cx_orders").options == [
        "shop.bestellungen", "shop.customers_canonical", "shop.kunden", "shop.orders_canonical",
    ]  # fmt: skip
    _pick(at, "pg", "shop.bestellungen", "shop.kunden")
    _mapping_widget(at, "customers", "signup_date").set_value("Anmeldedatum").run()
    _button(at, "Compute the KPIs where the data is").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    cli = source_output(
        postgres_shop,
        ["orders=shop.orders_canonical", "customers=shop.customers_canonical"],
        start=None,
        end=None,
        period="month",
    )["kpis"]
    cur = at.session_state["f_currency"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Revenue"] == fmt.money(cli["revenue"], cur, decimals=2)
    assert shown["New customers"] == fmt.number(cli["new_customers"])
    assert shown["Repeat customer rate"] == fmt.percent(cli["repeat_customer_rate"])
    assert PASSWORD not in _texts(at) and PASSWORD not in str(dict(at.query_params))
