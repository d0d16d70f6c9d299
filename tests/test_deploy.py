"""The team set-up: two app processes behind HAProxy, sessions and uploads kept together."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser  # starts servers: run with the browser tests


def _put_upload(url: str, session) -> int:
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="o.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\ncustomer_id,order_date,amount\nC1,2025-01-03,5\n"
        b"\r\n--B--\r\n"
    )
    req = urllib.request.Request(
        f"{url}/_stcore/upload_file/{session.session_id}/file-1",
        data=body,
        method="PUT",
        headers={
            "Content-Type": "multipart/form-data; boundary=B",
            "Cookie": session.cookie_header,
            "X-Xsrftoken": session.cookie or "",
            "Origin": url,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.mark.skipif(
    not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()),
    reason="HAProxy not installed (apt-get install haproxy)",
)
def test_sessions_spread_over_both_processes_and_each_keeps_its_uploads():
    from bench.memory import free_port
    from bench.wsclient import Session
    from deploy import team

    setup = team.start(free_port(), 2)
    try:
        sessions = [Session(setup.url) for _ in range(4)]
        for s in sessions:
            s.run("")
            assert s.session_id and not s.errors
        where = {s.jar.get(team.COOKIE) for s in sessions}
        assert where == {"app0", "app1"}  # round robin: both processes serve sessions
        # Every upload reaches the process that holds its session; without the sticky
        # cookie half of them would be refused as an unknown session (HTTP 400).
        assert [_put_upload(setup.url, s) for s in sessions] == [204] * 4
        for s in sessions:
            s.close()
    finally:
        setup.stop()
    assert all(p.poll() is not None for p in [setup.proxy, *setup.apps])


def test_the_proxy_configuration_is_sticky_and_checks_health():
    from deploy import team

    cfg = team.haproxy_config("127.0.0.1", 8501, [8502, 8503])
    assert "cookie kpi_srv insert indirect nocache" in cfg
    assert "server app1 127.0.0.1:8503 check cookie app1" in cfg
    assert "option httpchk GET /_stcore/health" in cfg and "timeout tunnel 1h" in cfg
