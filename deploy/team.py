"""A team set-up: one app process per core behind HAProxy, sessions kept on their process.

    python -m deploy.team [--port 8501] [--workers N] [--address 127.0.0.1]

A Streamlit server runs its scripts on one core, so one process cannot use a second one. This
starts ``--workers`` app processes (default: one per core) on the ports after ``--port``
and Debian's HAProxy (``apt-get install haproxy``) in front of them on ``--port``:

- a browser's session is kept on one process by a cookie (``kpi_srv``) that HAProxy sets on
  its first response; Streamlit's session, its WebSocket and its uploads must all reach the
  same process, so the cookie is required, an IP hash would put a whole office on one core;
- WebSockets pass through (HAProxy's HTTP mode upgrades them), with a one-hour idle limit;
- HAProxy checks each process's ``/_stcore/health`` and sends new sessions elsewhere while
  one is down.

Everything listens on ``--address`` (loopback by default); put TLS and sign-in in front as
the README's "Private deployment for a team" describes. Ctrl-C stops HAProxy and every app
process, each by its own process id.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COOKIE = "kpi_srv"


def haproxy_config(address: str, port: int, workers: list[int]) -> str:
    """HAProxy's configuration: cookie-sticky round robin over the app processes."""
    servers = "\n".join(
        f"    server app{i} 127.0.0.1:{p} check cookie app{i}" for i, p in enumerate(workers)
    )
    return f"""global
    maxconn 4000

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # an open WebSocket may sit idle while a user reads a page
    timeout tunnel 1h
    timeout http-request 30s

frontend kpi
    bind {address}:{port}
    default_backend apps

backend apps
    balance roundrobin
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
{servers}
"""


@dataclass
class Team:
    """The running processes of a team set-up."""

    url: str
    apps: list[subprocess.Popen] = field(default_factory=list)
    proxy: subprocess.Popen | None = None
    folder: tempfile.TemporaryDirectory | None = None

    def stop(self) -> None:
        for proc in [self.proxy, *self.apps]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [self.proxy, *self.apps]:
            if proc is not None:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.folder is not None:
            self.folder.cleanup()


def _healthy(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def start(
    port: int, workers: int, *, address: str = "127.0.0.1", extra: tuple[str, ...] = ()
) -> Team:
    """Start ``workers`` app processes on ``port+1``.. and HAProxy on ``port``; wait for all."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        raise RuntimeError("HAProxy is not installed: apt-get install haproxy")
    ports = [port + 1 + i for i in range(workers)]
    team = Team(url=f"http://{address}:{port}", folder=tempfile.TemporaryDirectory())
    try:
        for p in ports:
            team.apps.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "streamlit",
                        "run",
                        str(ROOT / "app.py"),
                        "--server.address",
                        "127.0.0.1",
                        "--server.port",
                        str(p),
                        "--server.headless",
                        "true",
                        "--browser.gatherUsageStats",
                        "false",
                        "--server.fileWatcherType",
                        "none",
                        *extra,
                    ],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    # allocators that give a closed session's memory back (ui/sessions.py)
                    env={
                        "ARROW_DEFAULT_MEMORY_POOL": "system",
                        "MALLOC_ARENA_MAX": "2",
                        **os.environ,
                    },
                )
            )
        deadline = time.monotonic() + 90
        for p in ports:
            if not _healthy(f"http://127.0.0.1:{p}", deadline):
                raise RuntimeError(f"the app process on port {p} did not start")
        cfg = Path(team.folder.name) / "haproxy.cfg"
        cfg.write_text(haproxy_config(address, port, ports))
        team.proxy = subprocess.Popen(
            [haproxy, "-f", str(cfg), "-db"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not _healthy(team.url, time.monotonic() + 20):
            raise RuntimeError("HAProxy did not start")
    except BaseException:
        team.stop()
        raise
    return team


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--address", default="127.0.0.1")
    args = parser.parse_args()
    team = start(args.port, args.workers, address=args.address)
    print(f"{args.workers} app processes behind HAProxy on {team.url}", flush=True)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in [team.proxy, *team.apps]):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        team.stop()


if __name__ == "__main__":
    main()
