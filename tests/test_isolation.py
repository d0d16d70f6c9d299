"""Users never see each other's data, and caches stay bounded under many uploads."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.caching import cache_resource_api
from streamlit.testing.v1 import AppTest

from ui import format as fmt


def _orders(amount: float) -> bytes:
    return f"customer_id,order_date,amount\nC1,2025-01-03,{amount:.2f}\n".encode()


def _upload(at, name: str, data: bytes) -> None:
    at.switch_page("pages/1_Data.py").run()
    at.file_uploader(key="uploader").upload(name, data, "text/csv").run()
    [use] = [b for b in at.button if b.label == "Use these tables"]
    use.click().run()
    at.switch_page("app.py").run()
    assert not at.exception, [e.value for e in at.exception]


def _revenue(at) -> str:
    return next(m.value for m in at.metric if m.label == "Revenue")


def test_two_sessions_with_different_uploads_each_see_their_own_numbers(app_test):
    # Same file name, different content: caches are keyed by content, never by name.
    first, second = app_test(), app_test()
    first.run()
    second.run()
    _upload(first, "orders.csv", _orders(111.0))
    _upload(second, "orders.csv", _orders(222.0))
    first.run()
    assert _revenue(first) == fmt.money(111.0, "EUR")
    assert _revenue(second) == fmt.money(222.0, "EUR")


def _read_many() -> None:
    from ui import state

    for i in range(25):
        data = f"customer_id,order_date,amount\nC1,2025-01-03,{i + 1}\n".encode()
        state.plan_upload(f"orders_{i}.csv", data)


def _entries(name: str) -> int:
    # Streamlit has no public count of a cache's entries; this reads its (pinned) internals:
    # resource caches per session id, then per function.
    caches = cache_resource_api._resource_caches._function_caches
    found = [c for group in caches.values() for c in group.values() if c.display_name == name]
    return sum(len(c._mem_cache) for c in found)


def test_twenty_five_uploads_in_turn_keep_the_read_cache_bounded():
    st.cache_resource.clear()
    at = AppTest.from_function(_read_many, default_timeout=60).run()
    assert not at.exception
    # max_entries=20 on the session's read cache: the oldest five readings were dropped.
    assert _entries("ui.state._plans") == 20
