"""Throwaway engines for the tests: a PostgreSQL cluster, a Spark Connect server, local Spark.

PostgreSQL: Debian's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/*/bin``) make a cluster in
a temporary directory, listening on a free loopback port, with trust authentication for the
user ``kpi``; as root the server runs as the ``postgres`` user (initdb refuses root). It is
stopped with ``pg_ctl stop`` on its own data directory. Spark: ``local[2]``, one session.
Spark Connect: the server class of the jar pyspark ships, started with pyspark's own
``spark-submit`` on a free loopback port and stopped by its process id.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
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


CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"


def spark_home() -> Path | None:
    """The installed pyspark package, which is a Spark home (bin/, jars/); None without it."""
    try:
        import pyspark
    except ImportError:
        return None
    return Path(pyspark.__file__).parent


def spark_connect_missing() -> str | None:
    """Why a Spark Connect server cannot start here (what to install), or None if it can."""
    home = spark_home()
    if home is None:
        return "Spark Connect needs pyspark: pip install -r requirements-scale.txt"
    if shutil.which("java") is None:
        return "Spark Connect needs Java 17: apt-get install openjdk-17-jre-headless"
    if not list(home.glob("jars/spark-connect_*.jar")):
        return f"pyspark at {home} lacks jars/spark-connect_*.jar: pip install pyspark==4.3.0"
    for module in ("grpc", "grpc_status", "google.rpc", "zstandard"):
        try:
            __import__(module)
        except ImportError:
            return f"the Spark Connect client needs {module}: pip install -r requirements-scale.txt"
    return None


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


# Spark settings for the tests' tiny tables: one shuffle partition, no code generation and no
# adaptive re-planning each save seconds a query (adaptive planning alone took a third of the
# reductions' time on the sample orders).
SPARK_TINY_TABLES = {
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
}


@contextmanager
def spark_connect_server(timeout: float = 240) -> Iterator[str]:
    """A Spark Connect server on ``local[2]``; yields ``sc://127.0.0.1:PORT``.

    Every port and address of the server is on 127.0.0.1; its scratch files and log are in a
    temporary directory, removed at the end. It is stopped by its own process id (``spark-class``
    execs ``java``, so the child is the server itself).
    """
    home = spark_home()
    if home is None:
        raise RuntimeError("pyspark is not installed")
    root = Path(tempfile.mkdtemp(prefix="kpi-spark-connect-"))
    port = _free_port()
    settings = {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.local.dir": str(root / "scratch"),
        "spark.sql.warehouse.dir": str(root / "warehouse"),
        **SPARK_TINY_TABLES,
    }
    command = [str(home / "bin" / "spark-submit"), "--class", CONNECT_SERVER]
    command += ["--master", "local[2]", "--driver-memory", "1g", "--name", "kpi-tests"]
    for key, value in settings.items():
        command += ["--conf", f"{key}={value}"]
    command.append("spark-internal")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    log = root / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                lines = log.read_text(errors="replace").strip().splitlines() or ["(no output)"]
                raise RuntimeError(f"the Spark Connect server did not start: {lines[-1]}")
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
