"""Hostile and broken files: a clear ReadError or a report, never a traceback, no row lost.

Hypothesis writes random bytes and random order exports (encodings, delimiters, junk cells
such as ``1e308``, ``NaN``, ``--5``, ``10/10``, ``9,5``, dates in 1900 and 9999, markup);
fixed cases cover what a fuzzer rarely finds (a zip bomb, 10,000 columns, a million empty
rows). For every accepted source: rows read = rows kept + rows rejected.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.errors import KpiError, ReadError
from kpi.ingest import load_files
from kpi.io import Limits, read_file

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ["orders.csv", "orders.txt", "orders.xlsx", "orders.xls", "orders.ods", "o.parquet"]


def _accounted(ds) -> None:
    for report in ds.reports:
        if report.table == "unknown":
            continue
        assert report.rows_read == report.rows_kept + report.rows_rejected, report


@EXAMPLES
@given(data=st.binary(max_size=4_000), name=st.sampled_from(NAMES))
def test_random_bytes_are_read_or_refused_with_a_read_error(data, name):
    try:
        tables = read_file(data, name)
    except ReadError as err:
        assert str(err)
        return
    for table in tables:
        assert isinstance(table.frame, pd.DataFrame)


@EXAMPLES
@given(data=st.binary(min_size=1, max_size=4_000))
def test_random_bytes_through_the_whole_chain(data):
    try:
        ds = load_files([("export.csv", data)])
    except KpiError as err:
        assert str(err)
        return
    _accounted(ds)


GOOD_ROW = ("C1", "2025-03-04", "120.50")
CELLS = st.sampled_from(
    [
        "C7", "Ann", "", " ", "2025-01-31", "31.01.2025", "1900-01-01", "9999-12-31",
        "2025-13-45", "45000", "12,5", "1 234,56", "€ 1.234,50", "1e308", "-1e308", "NaN",
        "inf", "--5", "(12.00)", "10/10", "9,5", "<img src=x onerror=alert(1)>", "=1+1",
        '"quoted; cell"', "line\nbreak", "ünïcödé", "Кузнецов", "\t", "None", "null",
    ]
)  # fmt: skip
ROWS = st.lists(
    st.one_of(st.just(GOOD_ROW), st.tuples(CELLS, CELLS, CELLS)), min_size=1, max_size=40
)


@EXAMPLES
@given(
    rows=ROWS,
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251", "cp1252"]),
    title=st.booleans(),
)
def test_messy_order_exports_keep_every_readable_row(rows, delimiter, encoding, title):
    buf = io.StringIO()
    if title:
        buf.write("Orders export\n\n")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["customer_id", "order_date", "amount"])
    writer.writerows(rows)
    data = buf.getvalue().encode(encoding, errors="replace")
    try:
        ds = load_files([("orders.csv", data)])
    except KpiError as err:
        assert str(err)
        return
    _accounted(ds)
    good = sum(r == GOOD_ROW for r in rows)
    orders = ds.tables.get("orders")
    if good and orders is not None:
        # Every well-formed row is kept (other rows may be kept too, or rejected with a reason).
        kept = orders[
            (orders["customer_id"] == "C1")
            & (orders["order_date"] == pd.Timestamp("2025-03-04"))
            & (orders["amount"] == 120.5)
        ]
        assert len(kept) >= good


def _xlsx_bomb() -> bytes:
    """A small zip whose one sheet would expand to 200 MB of zeros (a ratio of about 1,000)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as f:
            chunk = b"\0" * 2**20
            for _ in range(200):
                f.write(chunk)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    bomb = _xlsx_bomb()
    assert len(bomb) < 2**20
    began = time.perf_counter()
    with pytest.raises(ReadError, match="would expand to 200 MB"):
        read_file(bomb, "report.xlsx")
    assert time.perf_counter() - began < 1.0


def test_an_xlsx_that_is_not_a_zip_is_a_read_error():
    with pytest.raises(ReadError, match="not a workbook Excel or LibreOffice can open"):
        read_file(b"\x00\x01garbage\x00" * 50, "orders.xlsx")
    with pytest.raises(ReadError, match="damaged"):
        read_file(b"PK\x03\x04 truncated", "orders.xlsx")


def test_csv_text_saved_under_a_workbook_name_is_read_as_text():
    (table,) = read_file(b"customer_id;amount\nC1;5,5\n", "orders.xls")
    assert table.frame.shape == (1, 2)


def test_ten_thousand_columns_are_refused_with_the_limit_named():
    header = ",".join(f"c{i}" for i in range(10_000))
    data = (header + "\n" + ",".join("1" for _ in range(10_000)) + "\n").encode()
    with pytest.raises(ReadError, match="10,000 columns; the limit is 1,000"):
        read_file(data, "wide.csv")


def test_a_million_empty_rows_are_dropped_and_counted_quickly():
    data = b"customer_id;order_date;amount\nC1;2025-01-02;10,50\n" + b";;\n" * 1_000_000
    began = time.perf_counter()
    ds = load_files([("orders.csv", data)], limits=Limits(max_rows=2_000_000))
    assert time.perf_counter() - began < 20
    assert len(ds.tables["orders"]) == 1
    assert ds.tables["orders"]["amount"].tolist() == [10.5]


def test_a_header_only_file_says_it_has_no_rows():
    with pytest.raises(KpiError):
        load_files([("orders.csv", b"customer_id,order_date,amount\n")])


def test_duplicate_header_names_are_kept_apart():
    data = b"customer_id,order_date,amount,amount\nC1,2025-01-02,10,99\nC2,2025-01-03,5,1\n"
    (table,) = read_file(data, "orders.csv")
    assert len(set(table.frame.columns)) == 4
    ds = load_files([("orders.csv", data)])
    _accounted(ds)
    assert len(ds.tables["orders"]) == 2


def test_mixed_encodings_in_one_file_lose_no_row():
    utf8 = "C1;2025-01-02;10,50;Müller\n".encode()
    cp1251 = "C2;2025-01-03;7,25;Кузнецов\n".encode("cp1251")
    data = b"customer_id;order_date;amount;name\n" + utf8 + cp1251
    ds = load_files([("orders.csv", data)])
    _accounted(ds)
    assert ds.tables["orders"]["amount"].tolist() == [10.5, 7.25]


@pytest.mark.parametrize(
    ("date", "amount", "kept"),
    [
        ("2025-01-02", "1e308", True),  # huge but a number
        ("2025-01-02", "NaN", False),  # no amount
        ("2025-01-02", "--5", False),  # not a number
        ("9999-12-31", "5", False),  # "not a date between 1950 and 2100"
        ("1900-01-01", "5", False),
    ],
)
def test_extreme_cells_are_kept_or_rejected_with_a_reason(date, amount, kept):
    data = f"customer_id,order_date,amount\nC1,{date},{amount}\nC2,2025-01-03,5\n".encode()
    ds = load_files([("orders.csv", data)])
    _accounted(ds)
    (report,) = ds.reports
    assert report.rows_kept == (2 if kept else 1)
    if not kept:
        assert report.rejected and report.rejected[0].reason


def test_an_open_ended_9999_end_date_means_no_end():
    data = b"customer_id,signup_date,end_date\nC1,2024-01-01,9999-12-31\nC2,2024-02-01,2025-01-01\n"
    ds = load_files([("customers.csv", data)])
    _accounted(ds)
    ends = ds.tables["customers"]["end_date"]
    assert ends.isna().tolist() == [True, False]
