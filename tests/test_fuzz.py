"""Hostile and broken files: a clear ReadError or a report, never a traceback, no row lost.

Hypothesis writes random bytes and random order exports (encodings, delimiters, junk cells
such as ``1e308``, ``NaN``, ``--5``, ``10/10``, ``9,5``, dates in 1900 and 9999, markup);
fixed cases cover what a fuzzer rarely finds (a zip bomb, 10,000 columns, a million empty
rows). For every accepted source: rows read = rows kept + rows rejected.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

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
JUNK_CELLS = (
    [
        "C7", "Ann", "", " ", "2025-01-31", "31.01.2025", "1900-01-01", "9999-12-31",
        "2025-13-45", "45000", "12,5", "1 234,56", "€ 1.234,50", "1e308", "-1e308", "NaN",
        "inf", "--5", "(12.00)", "10/10", "9,5", "<img src=x onerror=alert(1)>", "=1+1",
        '"quoted; cell"', "line\nbreak", "ünïcödé", "Кузнецов", "\t", "None", "null",
    ]
)  # fmt: skip
CELLS = st.sampled_from(JUNK_CELLS)
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


# The command line over hostile files and the corpus of real layouts: never a traceback ------

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "files"

# Calls the command line's entry point (what ``python -m kpi report FILE`` runs) once per file
# in one process, so that a hundred files cost one interpreter start; reports per file the
# exit status, what went to stderr, and any exception that escaped main().
DRIVER = """
import contextlib, io, json, sys, traceback
from kpi.__main__ import main
out = []
for path in sys.argv[1:]:
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(["report", path])
        escaped = ""
    except BaseException:
        code, escaped = None, traceback.format_exc()
    out.append({"file": path, "code": code, "stderr": err.getvalue(), "escaped": escaped})
print(json.dumps(out))
"""


def fuzz_corpus(folder: Path) -> list[Path]:
    """Seeded hostile files: random bytes, broken workbooks, junk cells, odd layouts."""
    rng = random.Random(15)
    files: dict[str, bytes] = {
        "empty.csv": b"",
        "header_only.csv": b"customer_id,order_date,amount\n",
        "nul.csv": b"a,b\x00,c\n1,2,3\n",
        "not_a_zip.xlsx": b"\x00\x01garbage\x00" * 50,
        "truncated.xlsx": b"PK\x03\x04 truncated",
        "fake.parquet": b"PAR1" + bytes(rng.randrange(256) for _ in range(300)),
        "bomb.xlsx": _xlsx_bomb(),
        "wide.csv": (",".join(f"c{i}" for i in range(10_000)) + "\n1\n").encode(),
        "utf16.csv": "customer_id;order_date;amount\nC1;2025-01-02;5,5\n".encode("utf-16"),
        "offsets.csv": (
            b"customer_id,order_date,amount\n"
            b"C1,2025-03-04 14:22:01 +0100,10.00\nC2,2025-07-04 09:00:00 +0200,5.00\n"
        ),
        "aligned.txt": b"  C1  19970101  1  11.77\n  C2  19970112  2  12.00\n",
        "months.csv": "klient;data;kwota\nK1;3 marca 2025;1 234,56 z\u0142\nK2;x;(5,00)\n".encode(),
        "markup.csv": b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        "ragged.csv": b"customer_id,order_date,amount\nC1,2025-01-02\nC2,2025-01-03,5,9,9\n",
    }
    for i in range(12):
        size = rng.randrange(1, 3000)
        suffix = rng.choice([".csv", ".txt", ".xlsx", ".xls", ".ods", ".parquet"])
        files[f"random_{i}{suffix}"] = bytes(rng.randrange(256) for _ in range(size))
    for i in range(8):
        delimiter = rng.choice([",", ";", "\t", "|"])
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        writer.writerow(["customer_id", "order_date", "amount"])
        for _ in range(rng.randrange(1, 30)):
            writer.writerow([rng.choice(JUNK_CELLS) for _ in range(3)])
        encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1251"])
        files[f"messy_{i}.csv"] = buf.getvalue().encode(encoding, errors="replace")
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_command_line_never_shows_a_traceback(tmp_path):
    paths = fuzz_corpus(tmp_path) + sorted(p for p in CORPUS.glob("*") if p.is_file())
    run = subprocess.run(
        [sys.executable, "-c", DRIVER, *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout)
    assert len(results) == len(paths)
    for r in results:
        assert not r["escaped"], (r["file"], r["escaped"])
        assert r["code"] in (0, 2), r
        assert "Traceback" not in r["stderr"], r
        if r["code"] == 2:
            # One line that says what is wrong; a defect would say "unexpected failure".
            assert r["stderr"].count("\n") == 1 and r["stderr"].startswith("error: "), r
            assert "unexpected failure" not in r["stderr"], r
    by_name = {Path(r["file"]).name: r for r in results}
    assert by_name["offsets.csv"]["code"] == 0  # once "Mixed timezones detected", exit 1
    assert by_name["empty.csv"]["code"] == 2
    assert by_name["bomb.xlsx"]["code"] == 2


def test_python_m_kpi_report_exit_codes(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    run = subprocess.run(
        [sys.executable, "-m", "kpi", "report", str(tmp_path / "broken.xlsx")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("error: broken.xlsx is damaged")
    assert run.stderr.count("\n") == 1
