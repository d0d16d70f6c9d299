"""Benchmark: page times with ten people at once, one app process against the team set-up.

    python -m bench.team [--users 10] [--loops 2] [--workers N]

Each simulated user is an app session over the WebSocket (bench/wsclient.py, no browser):
it opens Home and then visits every page ``--loops`` times, as fast as the server answers.
All users start together. The same run is made against one app process and against
``deploy.team`` (one process per core behind HAProxy, sessions sticky by cookie), side by
side, and the page times (from asking for a page until its script finished) are printed as
median and 95th percentile with the page runs per second. Loopback only; bounded loops.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

from bench.memory import free_port, start_server
from bench.wsclient import Session

PAGES = ("", "Acquisition", "Revenue", "Retention", "Value", "What_if", "Satisfaction",
         "Support", "Team")  # fmt: skip


def drive(url: str, users: int, loops: int) -> tuple[list[float], float, list[str]]:
    """Run ``users`` sessions at once; returns every page time, the wall time, the errors."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(users)

    def user() -> None:
        try:
            session = Session(url)
            gate.wait(timeout=120)
            mine = [session.run(page, timeout=300) for _ in range(loops) for page in PAGES]
            session.close()
            with lock:
                times.extend(mine)
                errors.extend(session.errors)
        except Exception as err:  # a failed user is reported, not hidden
            with lock:
                errors.append(f"{type(err).__name__}: {err}")

    threads = [threading.Thread(target=user) for _ in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=1800)
    return times, time.perf_counter() - started, errors


def summary(label: str, times: list[float], wall: float, errors: list[str]) -> str:
    if not times:
        return f"{label}: no page finished; errors: {errors[:3]}"
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    return (
        f"{label:<34} median {statistics.median(times):5.2f} s   p95 {p95:5.2f} s   "
        f"{len(times) / wall:4.1f} page runs/s   ({len(times)} runs, {len(errors)} errors)"
    )


def main() -> None:
    from deploy import team

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--loops", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    rows = []
    single = start_server(free_port_single := free_port())
    try:
        url = f"http://127.0.0.1:{free_port_single}"
        Session(url).run("")  # warm: the sample read once, as on a server that has run
        rows.append(summary("one process", *drive(url, args.users, args.loops)))
    finally:
        single.terminate()
        single.wait(timeout=20)
    port = free_port()
    setup = team.start(port, args.workers)
    try:
        for _ in range(args.workers * 2):  # warm every process (round robin)
            Session(setup.url).run("")
        label = f"{args.workers} processes behind HAProxy"
        rows.append(summary(label, *drive(setup.url, args.users, args.loops)))
    finally:
        setup.stop()
    print(f"{args.users} users at once, {args.loops} rounds of {len(PAGES)} pages each "
          f"(shared machine, {os.cpu_count()} cores):")  # fmt: skip
    for row in rows:
        print("  " + row)


if __name__ == "__main__":
    main()
