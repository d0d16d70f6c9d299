"""Scale past memory: ``python -m bench.scale [--orders 100M] [--spark 10M]``.

Writes synthetic orders as Parquet files under a temporary directory (in chunks, with
pyarrow, never one pandas frame of order rows), then times the command line on them in a
fresh process each, and reads the process's peak resident memory from the kernel
(``ru_maxrss`` of the finished child):

- ``python -m kpi report --source DIR/orders-*.parquet`` (DuckDB in process);
- ``python -m kpi report --source local[2] --table orders=DIR/orders-*.parquet`` (Spark).

The files are deleted at the end (``--keep`` keeps them). The orders: ``customers``
customer ids ``C00000001``..., order times uniform over three years (2023-2025), amounts
log-normal (median ~90), one row in a hundred a refund (negative amount).
Timings on a shared machine vary: compare the engines within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
FIRST = np.datetime64("2023-01-01T00:00:00", "us").astype(np.int64)
SPAN_US = 3 * 365 * 86_400 * 1_000_000


def count(text: str) -> int:
    """'100M' -> 100_000_000, '2.5k' -> 2500, '1000' -> 1000."""
    scale = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
    text = text.strip().lower()
    if text[-1] in scale:
        return int(float(text[:-1]) * scale[text[-1]])
    return int(text)


def write_orders(folder: Path, n_orders: int, n_customers: int, chunk: int = 5_000_000) -> Path:
    """``n_orders`` synthetic orders as Parquet files ``orders-00000.parquet``... in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(19)
    for i, lo in enumerate(range(0, n_orders, chunk)):
        n = min(chunk, n_orders - lo)
        ids = pc.binary_join_element_wise(
            "C",
            pc.utf8_lpad(pa.array(rng.integers(1, n_customers + 1, n)).cast(pa.string()), 8, "0"),
            "",
        )
        when = FIRST + rng.integers(0, SPAN_US, n)
        amount = np.round(rng.lognormal(4.5, 0.8, n), 2)
        amount[rng.random(n) < 0.01] *= -1
        table = pa.table(
            {
                "customer_id": ids,
                "order_date": pa.array(when.astype("datetime64[us]")),
                "amount": pa.array(amount),
            }
        )
        pq.write_table(table, folder / f"orders-{i:05d}.parquet", row_group_size=1_000_000)
    return folder


def timed(argv: list[str]) -> dict[str, float | int | str]:
    """Run ``python -m kpi ...`` in a child; its wall time, peak RSS (MB) and exit status.

    The peak is ``ru_maxrss`` of that child from ``wait4``: the Python process with DuckDB
    inside it; for Spark, the Python driver (the JVM is a process of its own).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kpi", *argv], cwd=ROOT, stdout=out, stderr=err, text=True
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not the run's
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    result: dict[str, float | int | str] = {
        "seconds": round(seconds, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "status": proc.returncode,
    }
    if proc.returncode:
        result["error"] = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    else:
        out = json.loads(stdout)
        result["orders"] = out["kpis"]["orders"]
        result["revenue"] = out["kpis"]["revenue"]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--orders",
        type=count,
        nargs="+",
        default=[count("100M")],
        help="order counts for DuckDB, e.g. 10M 30M 100M",
    )
    parser.add_argument(
        "--spark",
        type=count,
        nargs="*",
        default=[count("10M")],
        help="order counts also run on Spark local[2] (each must be in --orders)",
    )
    parser.add_argument("--customers-per-order", type=float, default=0.05)
    parser.add_argument("--dir", type=Path, default=None, help="where the Parquet files go")
    parser.add_argument("--keep", action="store_true", help="keep the Parquet files")
    parser.add_argument("--write-only", action="store_true", help="write the files, time nothing")
    args = parser.parse_args(argv)
    root = args.dir or Path(tempfile.mkdtemp(prefix="kpi-scale-"))
    print(f"# machine: {os.cpu_count()} cores, shared; files in {root}", flush=True)
    try:
        for n in args.orders:
            folder = root / f"orders-{n}"
            start = time.perf_counter()
            if not list(folder.glob("orders-*.parquet")):  # files of an earlier --keep run
                write_orders(folder, n, max(1, int(n * args.customers_per_order)))
            size = sum(f.stat().st_size for f in folder.iterdir()) / 1e9
            made = round(time.perf_counter() - start, 1)
            print(f"{n:>13,} orders ready in {made} s, {size:.2f} GB Parquet", flush=True)
            if args.write_only:
                continue
            glob = str(folder / "orders-*.parquet")
            duck = timed(["report", "--source", glob])
            print(f"{n:>13,} duckdb  {json.dumps(duck)}", flush=True)
            if n in args.spark:
                spark = timed(["report", "--source", "local[2]", "--table", f"orders={glob}"])
                print(f"{n:>13,} spark   {json.dumps(spark)}", flush=True)
                if spark["status"] == 0 and duck["status"] == 0:
                    ratio = float(spark["seconds"]) / float(duck["seconds"])
                    print(f"{n:>13,} spark / duckdb time: {ratio:.1f}", flush=True)
            if not args.keep:
                shutil.rmtree(folder)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
