"""A headless app session over Streamlit's WebSocket, for benchmarks and server-side tests.

It speaks the browser's protocol (``/_stcore/stream``, protobuf messages): opens a session,
asks for a page run with a query string and waits until the script has finished, as a
browser tab does, without drawing anything. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

XSRF_COOKIE = "_streamlit_xsrf"


def cookies(base: str) -> dict[str, str]:
    """The cookies the app (or a proxy in front of it) sets on its health check: Streamlit's
    XSRF token, and a sticky-session cookie where a proxy adds one."""
    out = {}
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            out[name.strip()] = rest.split(";", 1)[0]
    return out


@dataclass
class Session:
    """One app session. ``run(page)`` returns the seconds until the script finished."""

    base: str  # http://127.0.0.1:PORT
    session_id: str = ""
    messages: int = 0
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.jar = cookies(self.base)
        self.cookie = self.jar.get(XSRF_COOKIE)
        self.cookie_header = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        headers = {"Cookie": self.cookie_header} if self.jar else None
        protocols = ["streamlit", self.cookie] if self.cookie else ["streamlit"]
        self.ws = connect(
            self.base.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=protocols,  # type: ignore[arg-type]
            additional_headers=headers,
            origin=self.base,  # type: ignore[arg-type]
            max_size=2**26,
            open_timeout=30,
            legacy=True,
        )

    def run(self, page: str = "", query: str = "", timeout: float = 120.0) -> float:
        """Ask for a run of ``page`` ("" for Home, else its URL name such as "Retention")."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        started = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        deadline = started + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"page {page or 'Home'} did not finish in {timeout} s")
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=left))  # type: ignore[arg-type]
            self.messages += 1
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id
            elif kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                self.errors.append(fwd.delta.new_element.exception.message)
            elif kind == "script_finished":
                return time.perf_counter() - started

    def close(self) -> None:
        self.ws.close()
