"""The server's log: one line, not a traceback, for an upload the browser abandoned.

When a browser closes or loses its connection while a file is still on its way, Starlette
raises ``ClientDisconnect`` inside Streamlit's upload route and the server (uvicorn) logs
"Exception in ASGI application" with forty lines of traceback. Nothing is wrong with the app
and nothing was kept, so :class:`AbandonedUpload` turns that record into one plain line.
Every other record passes unchanged.
"""

from __future__ import annotations

import logging

LOGGER = "uvicorn.error"
LINE = (
    "An upload was abandoned before it arrived (the browser closed or lost its connection); "
    "nothing was kept."
)


def _is_disconnect(exc: BaseException | None) -> bool:
    while exc is not None:
        if type(exc).__name__ == "ClientDisconnect" and type(exc).__module__.startswith(
            "starlette"
        ):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class AbandonedUpload(logging.Filter):
    """Rewrite the record of a client that went away mid-request into :data:`LINE`."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if _is_disconnect(exc):
            record.msg, record.args = LINE, ()
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def install() -> None:
    """Add the filter to the server's error logger, once per process."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(f, AbandonedUpload) for f in logger.filters):
        logger.addFilter(AbandonedUpload())
