"""Benchmark: does the server give back the memory of sessions that uploaded and left?

    python -m bench.memory [--rows 300000] [--sessions 3] [--wait 60] [--rounds 2]
                           [--ttl SECONDS]

Starts the app on a free loopback port, opens Home and the Data page once on the sample (the
idle figure: the pages an upload session passes through, loaded once), then
per round opens ``--sessions`` headless Chromium sessions that each upload a CSV of ``--rows``
orders through the Data page's uploader, confirm it and draw Home on it. The sessions are
closed; the server's resident memory (VmRSS of its process) is printed right after, and
``--wait`` seconds later. ``--ttl`` sets ``server.disconnectedSessionTTL`` (how long a closed
session is kept for a reconnect; Streamlit's default is 120 s, the app's config sets its own).
Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    port: int, *extra: str, env: dict[str, str] | None = None, stderr: object = None
) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:``port``; returns once it answers its health check.

    ``stderr``: where the server's log goes (a file), else nowhere."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=stderr if stderr is not None else subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("the app did not start within 60 s")


def wait_ready(page, timeout_ms: int = 180_000) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms
    )


def upload_session(browser, url: str, path: Path, timeout_ms: int = 300_000):
    """A new browser session that uploads ``path`` on the Data page and draws Home on it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(f"{url}/Data")
    page.get_by_text("What your data unlocks").wait_for()
    wait_ready(page, timeout_ms)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_role("button", name="Use these tables").click()
    page.get_by_text("Showing your data").wait_for()
    wait_ready(page, timeout_ms)
    page.locator('[data-testid="stSidebar"]').get_by_text("Home", exact=True).click()
    page.get_by_text("Revenue over time").wait_for()
    wait_ready(page, timeout_ms)
    return context


def orders_csv(rows: int, folder: Path) -> Path:
    from bench.ingest import orders_frame

    path = folder / f"orders_{rows}.csv"
    orders_frame(rows).to_csv(path, index=False)
    return path


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--wait", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ttl", type=int, default=None)
    args = parser.parse_args()
    extra = ["--server.disconnectedSessionTTL", str(args.ttl)] if args.ttl is not None else []
    with tempfile.TemporaryDirectory() as tmp:
        path = orders_csv(args.rows, Path(tmp))
        print(f"{path.name}: {path.stat().st_size / 2**20:,.1f} MB", flush=True)
        port = free_port()
        server = start_server(port, *extra)
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                    args=CHROMIUM_ARGS,
                )
                context = browser.new_context()
                page = context.new_page()
                page.goto(url)
                page.get_by_text("Revenue over time").wait_for(timeout=120_000)
                wait_ready(page)
                idle_home = rss_mb(server.pid)
                page.goto(f"{url}/Data")  # the pages an upload session passes through
                page.get_by_text("What your data unlocks").wait_for(timeout=120_000)
                wait_ready(page)
                context.close()
                time.sleep(5)
                idle = rss_mb(server.pid)
                print(
                    f"idle: {idle_home:,.0f} MB after Home on the sample; {idle:,.0f} MB after "
                    "Home and the Data page (session closed), the base below",
                    flush=True,
                )
                for r in range(1, args.rounds + 1):
                    sessions = [upload_session(browser, url, path) for _ in range(args.sessions)]
                    held = rss_mb(server.pid)
                    for s in sessions:
                        s.close()
                    time.sleep(2)
                    closed = rss_mb(server.pid)
                    time.sleep(max(args.wait - 2, 0))
                    later = rss_mb(server.pid)
                    print(
                        f"round {r}: {args.sessions} uploads held {held:,.0f} MB; closed "
                        f"{closed:,.0f} MB; {args.wait:.0f} s later {later:,.0f} MB "
                        f"({later / idle:.2f}x idle)",
                        flush=True,
                    )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
