"""Benchmark: every real export layout read, mapped and validated, side by side with DuckDB.

    python -m bench.layouts [--rows 1000000] [--xlsx-rows 100000] [--repeat 3] [--report]
    python -m bench.layouts --only-report [--rows 1000000] [--repeat 3]

The same seeded orders (:func:`bench.ingest.orders_frame`, with a time of day added) are
written in the layouts users upload, to a temporary folder:

    quoted      every cell quoted, "2022-01-01 00:26:27" timestamps, channel and region
    plain       the same without quotes
    european    ";", "01.01.2022 00:26", "1 234,56" (decimal comma, thousands space)
    iso_offsets "2022-01-01T00:26:27+01:00", +02:00 from April to October
    line_items  one row per line of an order (1 to 4 lines), order fields on every line
    xlsx        a workbook with date cells (``--xlsx-rows``, comma-separated sizes)
    parquet     typed columns, a timestamp column

Each file is read by ``kpi.ingest.load_files`` and by DuckDB (``read_csv`` with the formats
given where its sniffer cannot guess them, ``read_parquet``; ``read_xlsx`` needs DuckDB's
``excel`` extension, which is fetched from the network, so for XLSX the floor is
python-calamine's own read of the sheet into Python values, what our reader starts from).
Both sides must agree on the number of orders, the sum of amounts and the distinct customers.
Times are medians of ``--repeat`` runs in one process; the ratio is ours / DuckDB.

``--report`` also times the whole ``python -m kpi report`` on the quoted file (a fresh
process, imports included) against DuckDB doing the core of it: the read, the base counts,
the monthly cohort cells and the per-customer frequency, recency and T.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bench.ingest import orders_frame, timed

ROOT = Path(__file__).resolve().parents[1]
TEXT_LAYOUTS = ("quoted", "plain", "european", "iso_offsets", "line_items")
TARGET_TEXT = 1.5
TARGET_XLSX = 1.5
TARGET_REPORT = 2.0


@dataclass
class Row:
    """One line of the table: a layout, our time, the reference time, and the checks."""

    layout: str
    rows: int
    ours: float
    reference: float
    reference_name: str
    agree: bool
    target: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.reference if self.reference else float("nan")


def timestamped(rows: int, *, seed: int = 7) -> pd.DataFrame:
    """The bench orders with a seeded time of day on every order date."""
    frame = orders_frame(rows, seed=seed)
    rng = np.random.default_rng(seed + 100)
    seconds = rng.integers(0, 86_400, rows).astype("timedelta64[s]")
    frame["Date"] = frame["Date"] + seconds
    return frame


def _thousands_comma(amount: pd.Series) -> pd.Series:
    """``1234.5`` as ``1 234,50``: a space between thousands, a decimal comma."""
    text = amount.map("{:,.2f}".format)
    return text.str.replace(",", " ", regex=False).str.replace(".", ",", regex=False)


def write_text(frame: pd.DataFrame, layout: str) -> bytes:
    """The orders as ``layout`` writes them (see the module docstring)."""
    out = frame.copy()
    if layout in ("quoted", "plain"):
        out["Date"] = out["Date"].dt.strftime("%Y-%m-%d %H:%M:%S")
        out["Amount"] = out["Amount"].map("{:.2f}".format)
        quoting = csv.QUOTE_ALL if layout == "quoted" else csv.QUOTE_MINIMAL
        return out.to_csv(index=False, quoting=quoting).encode("utf-8")
    if layout == "european":
        out["Date"] = out["Date"].dt.strftime("%d.%m.%Y %H:%M")
        out["Amount"] = _thousands_comma(out["Amount"])
        return out.to_csv(index=False, sep=";").encode("utf-8")
    if layout == "iso_offsets":
        summer = out["Date"].dt.month.between(4, 10).to_numpy()
        out["Date"] = out["Date"].dt.strftime("%Y-%m-%dT%H:%M:%S") + np.where(
            summer, "+02:00", "+01:00"
        )
        out["Amount"] = out["Amount"].map("{:.2f}".format)
        return out.to_csv(index=False).encode("utf-8")
    if layout == "line_items":
        return line_items(frame).to_csv(index=False).encode("utf-8")
    raise ValueError(f"unknown layout {layout}")


def line_items(frame: pd.DataFrame, *, seed: int = 9) -> pd.DataFrame:
    """Each order split into 1-4 lines whose amounts add up to the order's amount."""
    rng = np.random.default_rng(seed)
    lines = rng.integers(1, 5, len(frame))
    rep = frame.loc[frame.index.repeat(lines)].reset_index(drop=True)
    cents = np.round(frame["Amount"].to_numpy() * 100).astype(np.int64)
    first = np.zeros(len(rep), dtype=bool)
    first[np.r_[0, np.cumsum(lines)[:-1]]] = True
    share = rng.integers(1, 100, len(rep))
    order_of = np.repeat(np.arange(len(frame)), lines)
    total_share = np.bincount(order_of, weights=share)
    part = np.floor(cents[order_of] * share / total_share[order_of]).astype(np.int64)
    # the first line takes the rounding left over, so the lines add up to the order exactly
    rest = cents - np.bincount(order_of, weights=part).astype(np.int64)
    part[first] += rest
    return pd.DataFrame(
        {
            "Order ID": rep["Order number"],
            "Order date": rep["Date"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "Customer": rep["Customer"],
            "Product": rng.choice(["Basic", "Plus", "Gift card", "Shipping"], len(rep)),
            "Line total": [f"{c / 100:.2f}" for c in part],
            "Channel": rep["Channel"],
        }
    )


def xlsx_file(frame: pd.DataFrame) -> bytes:
    """A workbook whose Date column holds date cells (number format yyyy-mm-dd hh:mm:ss)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", datetime_format="yyyy-mm-dd hh:mm:ss") as writer:
        frame.to_excel(writer, index=False, sheet_name="Orders")
    return buf.getvalue()


def parquet_file(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


# --- the two sides -------------------------------------------------------------------------


def ours(path: str) -> tuple[int, float, int]:
    """Read, map and validate one file as the app does; orders, amount sum, customers."""
    from kpi.ingest import load_files

    with open(path, "rb") as fh:
        data = fh.read()
    orders = load_files([(os.path.basename(path), data)]).tables["orders"]
    return len(orders), float(orders["amount"].sum()), int(orders["customer_id"].nunique())


DUCK_READ = {
    "quoted": "read_csv('{p}', header = true)",
    "plain": "read_csv('{p}', header = true)",
    "european": (
        "(SELECT * REPLACE (CAST(replace(replace(Amount, ' ', ''), ',', '.') AS DOUBLE) "
        "AS Amount) FROM read_csv('{p}', delim = ';', header = true, "
        "timestampformat = '%d.%m.%Y %H:%M', types = {{'Amount': 'VARCHAR'}}))"
    ),
    "iso_offsets": "read_csv('{p}', header = true)",
    "line_items": (
        '(SELECT "Order ID", Customer, "Line total" AS Amount FROM read_csv(\'{p}\', '
        "header = true))"
    ),
    "parquet": "read_parquet('{p}')",
}


def duck(path: str, layout: str) -> tuple[int, float, int]:
    """DuckDB's read of the same file into a table, then the same three figures."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    source = DUCK_READ[layout].format(p=path)
    con.execute(f"CREATE TABLE t AS SELECT * FROM {source}")
    count_orders = 'count(DISTINCT "Order ID")' if layout == "line_items" else "count(*)"
    n, total, customers = con.execute(
        f"SELECT {count_orders}, sum(Amount), count(DISTINCT Customer) FROM t"
    ).fetchone()
    con.close()
    return int(n), float(total), int(customers)


def calamine_floor(path: str) -> tuple[int, float, int]:
    """python-calamine's read of the sheet into Python values: the floor of any reader on it."""
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as fh:
        book = CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    header, body = rows[0], rows[1:]
    amount, customer = header.index("Amount"), header.index("Customer")
    return (
        len(body),
        float(sum(r[amount] for r in body)),
        len({r[customer] for r in body}),
    )


def _agree(a: tuple[int, float, int], b: tuple[int, float, int], line_rows: int = 0) -> bool:
    # A line-item export is one order per order id once mapped; or one row per line.
    rows_ok = a[0] == b[0] or (line_rows and a[0] == line_rows)
    return bool(rows_ok) and abs(a[1] - b[1]) < 0.005 * max(1, a[0]) and a[2] == b[2]


REPORT_SQL = """
CREATE TABLE o AS SELECT Customer AS c, "Date" AS d, Amount AS a
FROM read_csv('{p}', header = true);
SELECT count(*), sum(a), count(DISTINCT c) FROM o;
SELECT date_trunc('month', d) AS m, sum(a), count(*), count(DISTINCT c) FROM o GROUP BY m;
WITH f AS (SELECT c, min(date_trunc('month', d)) AS m0 FROM o GROUP BY c)
SELECT f.m0, date_diff('month', f.m0, date_trunc('month', o.d)) AS age, count(DISTINCT o.c),
       sum(o.a)
FROM o JOIN f USING (c) GROUP BY ALL;
WITH d AS (SELECT c, CAST(d AS DATE) AS day FROM o GROUP BY ALL),
     e AS (SELECT max(day) AS e FROM d)
SELECT c, count(*) - 1, (max(day) - min(day)) / 7.0, (any_value(e.e) - min(day)) / 7.0
FROM d, e GROUP BY c;
"""


def duck_report(path: str) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    for statement in REPORT_SQL.format(p=path).split(";"):
        if statement.strip():
            con.execute(statement).fetchall()
    con.close()


def kpi_report(path: str) -> None:
    """The whole command line in a fresh process, as a user runs it."""
    subprocess.run(
        [sys.executable, "-m", "kpi", "report", path],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


# --- the run -------------------------------------------------------------------------------


def run(
    rows: int,
    *,
    xlsx_rows: Sequence[int] = (100_000,),
    repeat: int = 3,
    layouts: Sequence[str] = (*TEXT_LAYOUTS, "xlsx", "parquet"),
    report: bool = False,
    log: Callable[[str], None] = print,
) -> list[Row]:
    """Write every layout of ``rows`` orders to a temporary folder and time both sides."""
    frame = timestamped(rows)
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for layout in layouts:
            if layout == "xlsx":
                for n in xlsx_rows:
                    path = os.path.join(tmp, f"orders_{n}.xlsx")
                    with open(path, "wb") as fh:
                        fh.write(xlsx_file(timestamped(n, seed=8)))
                    t_ours, a = timed(lambda p=path: ours(p), repeat)
                    t_ref, b = timed(lambda p=path: calamine_floor(p), repeat)
                    out.append(Row("xlsx", n, t_ours, t_ref, "calamine", _agree(a, b), TARGET_XLSX))
                    log(_line(out[-1]))
                continue
            suffix = ".parquet" if layout == "parquet" else ".csv"
            path = os.path.join(tmp, f"{layout}{suffix}")
            data = parquet_file(frame) if layout == "parquet" else write_text(frame, layout)
            with open(path, "wb") as fh:
                fh.write(data)
            line_rows = data.count(b"\n") - 1 if layout == "line_items" else 0
            note = f"{line_rows:,} lines" if line_rows else ""
            t_ref, b = timed(lambda p=path, lay=layout: duck(p, lay), repeat)
            try:
                t_ours, a = timed(lambda p=path: ours(p), repeat)
            except Exception as exc:  # an old version may fail on a layout: say so, go on
                t_ours, a = float("nan"), (0, 0.0, 0)
                note = f"fails: {type(exc).__name__}: {str(exc)[:60]}"
            out.append(
                Row(
                    layout,
                    rows,
                    t_ours,
                    t_ref,
                    "duckdb",
                    _agree(a, b, line_rows),
                    TARGET_TEXT,
                    note,
                )
            )
            log(_line(out[-1]))
        if report:
            path = os.path.join(tmp, "report.csv")
            with open(path, "wb") as fh:
                fh.write(write_text(frame, "quoted"))
            t_ours, _ = timed(lambda: kpi_report(path), repeat)
            t_ref, _ = timed(lambda: duck_report(path), repeat)
            out.append(Row("python -m kpi report", rows, t_ours, t_ref, "duckdb core", True, 2.0))
            log(_line(out[-1]))
    return out


HEADER = (
    f"{'layout':<22}{'rows':>11}{'ours s':>9}{'ref s':>8}  {'reference':<12}"
    f"{'ratio':>7}{'target':>8}{'agree':>7}  note"
)


def _line(r: Row) -> str:
    met = "" if r.ratio <= r.target or r.ratio != r.ratio else "  (over target)"
    return (
        f"{r.layout:<22}{r.rows:>11,}{r.ours:>9.2f}{r.reference:>8.2f}  {r.reference_name:<12}"
        f"{r.ratio:>7.2f}{r.target:>8.1f}{'yes' if r.agree else 'NO':>7}  {r.note}{met}"
    )


def table(rows: Sequence[Row]) -> str:
    return "\n".join([HEADER, *(_line(r) for r in rows)])


def main(argv: Sequence[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", default="100000", help="workbook sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="layouts, comma-separated")
    parser.add_argument("--report", action="store_true", help="also time python -m kpi report")
    parser.add_argument(
        "--only-report",
        action="store_true",
        help="time only python -m kpi report against DuckDB's core (no layouts)",
    )
    args = parser.parse_args(argv)
    layouts = [s for s in args.only.split(",") if s] or [*TEXT_LAYOUTS, "xlsx", "parquet"]
    if args.only_report:
        layouts = []
    xlsx_rows = [int(s) for s in args.xlsx_rows.split(",") if s]
    began = time.perf_counter()
    print(HEADER, flush=True)
    rows = run(
        args.rows,
        xlsx_rows=xlsx_rows,
        repeat=args.repeat,
        layouts=layouts,
        report=args.report or args.only_report,
        log=lambda line: print(line, flush=True),
    )
    print(f"median of {args.repeat} runs; {time.perf_counter() - began:,.0f} s in all")
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
