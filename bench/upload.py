"""Benchmark: a large upload through the Data page, then every data page, in one app session.

    python -m bench.upload [--rows 10000000] [--format csv|parquet]

What a user of a big file waits for and what the server holds: the Data page reading the
pending file and suggesting its mapping, a rerun of that page (a widget move while the
mapping is checked), "Use these tables" (every row mapped and validated), then each data
page's first run on the uploaded orders and a rerun. The file is the seeded export of
:mod:`bench.ingest` (European CSV, or the same rows as Parquet). Streamlit's AppTest runs the
pages in this process, so the peak resident memory printed at the end is the app's with one
such upload, plus this script's copy of the file.
"""

from __future__ import annotations

import argparse
import io
import resource
import time
from pathlib import Path

PAGES = ("app.py", "pages/2_Acquisition.py", "pages/3_Revenue.py", "pages/4_Retention.py",
         "pages/5_Value.py", "pages/6_What_if.py")  # fmt: skip


def _file(rows: int, fmt: str) -> tuple[str, bytes]:
    from bench.ingest import european_csv, orders_frame

    frame = orders_frame(rows)
    if fmt == "csv":
        return "orders.csv", european_csv(frame)
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return "orders.parquet", buffer.getvalue()


def main() -> None:
    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    from ui.data_page import PENDING, PENDING_KEYS
    from ui.state import content_key

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    args = parser.parse_args()
    streamlit.logger.set_log_level("error")

    name, payload = _file(args.rows, args.format)
    print(f"{name}: {args.rows:,} orders, {len(payload) / 2**20:,.0f} MB", flush=True)
    app = str(Path(__file__).resolve().parents[1] / "app.py")
    at = AppTest.from_file(app, default_timeout=3600)
    at.run()
    at.switch_page("pages/1_Data.py")
    # what the uploader leaves in the session once the file has arrived (ui.data_page)
    at.session_state[PENDING] = {name: payload}
    at.session_state[PENDING_KEYS] = {name: ("bench", content_key(payload))}

    def step(label: str, run: object) -> None:
        began = time.perf_counter()
        run()  # type: ignore[operator]
        if at.exception:
            raise RuntimeError(f"{label}: {at.exception}")
        print(f"{label:<44}{time.perf_counter() - began:>8.2f} s", flush=True)

    step("Data page: read and suggest a mapping", at.run)
    step("Data page: rerun", at.run)
    use = next(b for b in at.button if b.label == "Use these tables")
    step("Data page: use these tables (map, validate)", lambda: use.click().run())
    for page in PAGES:
        at.switch_page(page)
        step(f"{page}: first run", at.run)
        step(f"{page}: rerun", at.run)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak resident memory of the process {peak:.2f} GB")


if __name__ == "__main__":
    main()
