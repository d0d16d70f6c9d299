"""Throwaway engines for the tests: a PostgreSQL cluster and a local Spark session.

PostgreSQL: Debian's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/*/bin``) make a cluster in
a temporary directory, listening on a free loopback port, with trust authentication for the
user ``kpi``; as root the server runs as the ``postgres`` user (initdb refuses root). It is
stopped with ``pg_ctl stop`` on its own data directory. Spark: ``local[2]``, one session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL bin directory with initdb, or one on PATH; None if none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> list[str]:
    """The command prefix that drops root to the postgres user (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A running throwaway cluster; yields ``postgresql://kpi@127.0.0.1:PORT/postgres``."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="kpi-pg-"))
    data = root / "data"
    prefix = _as_server_user()
    if prefix:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "kpi",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ],
        **run,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    log = root / "server.log"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "start",
        ],
        **run,
    )
    try:
        yield f"postgresql://kpi@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(root, ignore_errors=True)
