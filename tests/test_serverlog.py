"""An upload abandoned mid-transfer leaves one line in the server's log, not a traceback."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from starlette.requests import ClientDisconnect

from ui import serverlog


def _record(exc: BaseException | None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                             "Exception in ASGI application", (), info)  # fmt: skip


def test_a_client_disconnect_becomes_one_line_and_other_errors_pass_unchanged():
    f = serverlog.AbandonedUpload()
    try:
        try:
            raise ClientDisconnect()
        except ClientDisconnect as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as err:
        wrapped = err
    rec = _record(wrapped)
    assert f.filter(rec) and rec.getMessage() == serverlog.LINE and rec.exc_info is None
    assert "\n" not in logging.Formatter().format(rec)
    other = _record(ValueError("a real bug"))
    assert f.filter(other) and other.exc_info is not None
    assert "ValueError: a real bug" in logging.Formatter().format(other)


@pytest.mark.browser
def test_the_running_server_logs_an_abandoned_upload_in_one_line(tmp_path):
    from bench.memory import free_port, start_server
    from bench.wsclient import Session

    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = start_server(port, stderr=out)
        try:
            base = f"http://127.0.0.1:{port}"
            session = Session(base)
            session.run("")
            head = (
                f"PUT /_stcore/upload_file/{session.session_id}/f1 HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{port}\r\nOrigin: {base}\r\n"
                f"Cookie: _streamlit_xsrf={session.cookie}\r\nX-Xsrftoken: {session.cookie}\r\n"
                "Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 9000000\r\n\r\n"
                '--B\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
            ).encode()
            with socket.create_connection(("127.0.0.1", port)) as c:
                c.sendall(head + b"customer_id,order_date,amount\n" * 20_000)
                time.sleep(0.5)
            deadline = time.monotonic() + 15
            while serverlog.LINE not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            session.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    text = log.read_text()
    assert serverlog.LINE in text
    assert "Traceback" not in text and "ClientDisconnect" not in text
