"""Benchmark: each data page's first render and rerun on a million orders (AppTest).

    python -m bench.pages [--rows 1000000] [--repeat 2]

A rerun is what every widget move costs; the first render includes the cached work. The
orders are the seeded generator of :mod:`bench.ingest`, read through the app's own reader.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench.ingest import european_csv, orders_frame

PAGES = ("app.py", "pages/3_Revenue.py", "pages/4_Retention.py", "pages/5_Value.py",
         "pages/6_What_if.py")  # fmt: skip


def main() -> None:
    from streamlit.testing.v1 import AppTest

    from kpi.ingest import load_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    ds = load_files([("orders.csv", european_csv(orders_frame(args.rows)))])
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    print(f"{'page':<24}{'first s':>10}{'rerun s':>10}")
    for page in PAGES:
        at = AppTest.from_file(app, default_timeout=600)
        at.session_state["dataset"] = ds
        at.run()
        if page != "app.py":
            at.switch_page(page)
        began = time.perf_counter()
        at.run()
        first = time.perf_counter() - began
        reruns = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            at.run()
            reruns.append(time.perf_counter() - began)
        assert not at.exception, (page, at.exception)
        print(f"{page:<24}{first:>10.2f}{statistics.median(reruns):>10.2f}")


if __name__ == "__main__":
    main()
