"""Benchmark: monthly cohort tables (customers, NRR, GRR) for a million orders.

    python -m bench.cohorts [--rows 1000000] [--period month] [--repeat 3]

Target (issue 4, Speed): cohort tables for 1,000,000 orders in under 1 s. Prints the median of
``--repeat`` runs in one process, after one warm-up run.
"""

from __future__ import annotations

import argparse

import pandas as pd

from bench.ingest import orders_frame, timed


def canonical_orders(rows: int, *, seed: int = 11) -> pd.DataFrame:
    """:func:`bench.ingest.orders_frame` as the canonical orders table (as if mapped)."""
    raw = orders_frame(rows, seed=seed)
    return pd.DataFrame(
        {
            "customer_id": pd.array(raw["Customer"], dtype="str"),
            "order_date": raw["Date"].astype("datetime64[us]"),
            "amount": raw["Amount"],
            "channel": pd.array(raw["Channel"], dtype="str"),
        }
    )


def main() -> None:
    from kpi.retention import cohort_retention, retention_curve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--period", default="month")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    orders = canonical_orders(args.rows)
    cohort_retention(orders, period=args.period)  # warm-up: imports, first allocations

    def tables() -> object:
        table = cohort_retention(orders, period=args.period)
        retention_curve(table)
        return table

    seconds, table = timed(tables, args.repeat)
    by_seconds, _ = timed(lambda: cohort_retention(orders, period=args.period, by="channel"), 1)
    print(f"{'step':<48}{'median s':>10}{'target s':>10}")
    print(f"{f'cohort tables + curve, {args.rows:,} orders':<48}{seconds:>10.2f}{1.0:>10.1f}")
    print(f"{'cohort tables split by channel':<48}{by_seconds:>10.2f}{'':>10}")
    rows, ages = table.active.shape  # type: ignore[attr-defined]
    print(f"{rows} cohorts x {ages} ages")


if __name__ == "__main__":
    main()
