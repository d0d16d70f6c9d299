"""Benchmark: read, map and validate large uploads; compute the home page on them.

    python -m bench.ingest [--rows 1000000] [--xlsx-rows 100000] [--repeat 3]

Targets (issue "Foundation"): a 1,000,000-row orders CSV read, mapped and validated in under
3 s; a 100,000-row XLSX in under 2 s; the home page's numbers in under 1 s once data is loaded.
Prints medians of ``--repeat`` runs in one process, and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd


def orders_frame(rows: int, *, seed: int = 7) -> pd.DataFrame:
    """Seeded synthetic orders: 1 customer per ~12 orders over three years, a few refunds."""
    rng = np.random.default_rng(seed)
    customers = max(1, rows // 12)
    start = np.datetime64("2023-01-01")
    days = rng.integers(0, 3 * 365, rows)
    amount = np.round(rng.gamma(2.0, 60.0, rows), 2)
    amount[rng.random(rows) < 0.005] *= -1
    return pd.DataFrame(
        {
            "Order number": np.arange(1, rows + 1),
            "Date": (start + days.astype("timedelta64[D]")).astype("datetime64[s]"),
            "Customer": np.char.add("C", rng.integers(1, customers + 1, rows).astype(str)),
            "Amount": amount,
            "Channel": rng.choice(["Ads", "Web", "Referral", "Partner"], rows),
            "Region": rng.choice(["North", "South", "East", "West"], rows),
        }
    )


def european_csv(frame: pd.DataFrame) -> bytes:
    """The frame as a European export: semicolons, day-first dates, decimal commas."""
    out = frame.copy()
    out["Date"] = out["Date"].dt.strftime("%d.%m.%Y")
    out["Amount"] = out["Amount"].map("{:.2f}".format).str.replace(".", ",", regex=False)
    return out.to_csv(sep=";", index=False).encode("utf-8")


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as writer:
        frame.to_excel(writer, index=False, sheet_name="Orders")
    return buf.getvalue()


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def home_page_render(ds: object, repeat: int) -> float:
    """Median seconds of a whole home-page script run with the data already in the session.

    The first run (imports, page config) is left out, as a user only pays it once.
    """
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parents[1] / "app.py"
    at = AppTest.from_file(str(app), default_timeout=120)
    at.session_state["dataset"] = ds
    at.run()
    assert not at.exception, at.exception
    seconds, _ = timed(at.run, repeat)
    assert not at.exception, at.exception
    return seconds


def main() -> None:
    from kpi import base
    from kpi.ingest import load_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    frame = orders_frame(args.rows)
    csv = european_csv(frame)
    t_csv, ds = timed(lambda: load_files([("orders.csv", csv)]), args.repeat)
    orders = ds.tables["orders"]  # type: ignore[union-attr]
    assert len(orders) == args.rows, (len(orders), args.rows)
    assert abs(orders["amount"].sum() - frame["Amount"].sum()) < 0.01 * args.rows

    small = orders_frame(args.xlsx_rows, seed=8)
    book = xlsx_bytes(small)
    t_xlsx, ds_x = timed(lambda: load_files([("orders.xlsx", book)]), args.repeat)
    assert len(ds_x.tables["orders"]) == args.xlsx_rows  # type: ignore[union-attr]

    lo, hi = orders["order_date"].min(), orders["order_date"].max()

    def home() -> object:
        base.headline(orders, None, start=lo, end=hi)
        base.headline_change(orders, None, start=lo, end=hi)
        return base.revenue_series(orders, period="month", start=lo, end=hi)

    t_home, _ = timed(home, args.repeat)
    t_page = home_page_render(ds, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'step':<44}{'median s':>10}{'target s':>10}")
    print(f"{f'CSV {args.rows:,} rows read+map+validate':<44}{t_csv:>10.2f}{3.0:>10.1f}")
    print(f"{f'XLSX {args.xlsx_rows:,} rows read+map+validate':<44}{t_xlsx:>10.2f}{2.0:>10.1f}")
    print(f"{f'home page numbers, {args.rows:,} orders':<44}{t_home:>10.2f}{1.0:>10.1f}")
    print(f"{f'home page render (AppTest), {args.rows:,} orders':<44}{t_page:>10.2f}{1.0:>10.1f}")
    print(
        f"CSV size {len(csv) / 2**20:,.0f} MB, XLSX size {len(book) / 2**20:,.1f} MB, "
        f"peak memory {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
