"""Memory that comes back: a closed session's upload is released within a bounded time.

What held it, measured with ``python -m bench.memory`` (three sessions uploading 300,000
orders each): the server grew from 290 MB idle to 528 MB and stayed there 60 s after the
sessions closed, then 687 MB after a second round.

- **Sessions kept for a reconnect were never shut down.** Streamlit keeps a closed session
  for ``server.disconnectedSessionTTL`` seconds so a browser that lost its connection can
  resume it. Its store drops an expired session only when another one is stored, and then
  without shutting it down, so the session's state (the upload's tables) and the uploaded
  file's bytes (Streamlit's upload manager, released only by a shutdown) stayed for good.
  :func:`reap` shuts down every session past that time and empties its state (Streamlit's
  event loop keeps a reference to the last session it served, found with ``gc``); a
  thread runs it every :data:`PERIOD` seconds.
- **Caches kept results of uploaded tables for an hour.** The pages' ``st.cache_data``
  results on an upload now live in session-scoped caches (ui/caching.py), which Streamlit
  clears when the session's connection closes; the sample's results stay shared.
- **The heaps did not shrink.** After Python frees the tables, Arrow's memory pool (text
  columns, mimalloc) and glibc keep the pages for reuse. :func:`allocators` puts Arrow on
  the C heap and caps glibc's arenas; :func:`release` trims the heap.

This reads two attributes of Streamlit's runtime that are not public API (the session
manager and its session store); tests/test_memory.py exercises them on a live server.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import threading
import time

PERIOD = 10.0
"""Seconds between two looks for sessions past their reconnect time."""

_LOG = logging.getLogger(__name__)
_STARTED = threading.Event()
_LOCK = threading.Lock()


def _storage():
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    manager = getattr(Runtime.instance(), "_session_mgr", None)
    storage = getattr(manager, "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    return cache if hasattr(cache, "expire") else None


def reap(at_time: float | None = None) -> int:
    """Shut down the sessions kept for a reconnect past ``server.disconnectedSessionTTL``.

    Returns how many were shut down. A session that reconnected in time is active again and
    is not in the store, so it is never touched.
    """
    cache = _storage()
    if cache is None:
        return 0
    with _LOCK:
        expired = cache.expire(at_time)
    for _, info in expired:
        try:
            info.session.shutdown()
            # Streamlit's event loop keeps a reference to the last session it looked at (a
            # loop variable); emptying the state lets the upload go even so.
            info.session.session_state.clear()
        except Exception:  # a session half shut down already: nothing left to free
            _LOG.debug("session shutdown failed", exc_info=True)
    if expired:
        release()
    return len(expired)


def release() -> None:
    """Collect garbage and hand the freed C heap back to the system (glibc only)."""
    from kpi import reduce

    gc.collect()  # tables held only in reference cycles go first, then their reductions
    reduce.forget_gone()  # the reductions of tables that are gone (32 tables kept at most)
    gc.collect()
    try:  # text columns live in Arrow's memory pool, which keeps freed blocks for reuse
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def _loop() -> None:
    while True:
        time.sleep(PERIOD)
        try:
            reap()
        except Exception:  # never let the thread die on one bad pass
            _LOG.warning("could not release closed sessions", exc_info=True)


def allocators() -> None:
    """Allocators that give memory back: Arrow on the C heap, and at most two glibc arenas.

    Arrow's default pool (mimalloc) kept the freed text columns of closed sessions (the
    server stayed 35-45 % above idle after the sessions were reaped); on glibc's heap
    :func:`release` can trim them. Each script thread would otherwise get its own arena.
    ``ARROW_DEFAULT_MEMORY_POOL`` and ``MALLOC_ARENA_MAX`` in the environment win.
    """
    import os

    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        with contextlib.suppress(ImportError, AttributeError):
            import pyarrow as pa

            pa.set_memory_pool(pa.system_memory_pool())
    name = ctypes.util.find_library("c")
    if name and "MALLOC_ARENA_MAX" not in os.environ:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).mallopt(-8, 2)  # M_ARENA_MAX


def install() -> None:
    """Set the allocators and start the reaping thread, once per server process."""
    if _STARTED.is_set():
        return
    with _LOCK:
        if _STARTED.is_set():
            return
        allocators()
        threading.Thread(target=_loop, name="release-closed-sessions", daemon=True).start()
        _STARTED.set()
