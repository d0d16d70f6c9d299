"""Screen modes: the meeting view, and the sidebar on a phone.

Meeting view: big numbers, no sidebar, each page on one screen; a toggle and ``?meeting=1``.

The mode lives in the plain session key ``_meeting`` (so it survives a page switch) and is
mirrored into the link as ``meeting=1``; a link that carries it opens the meeting view. The
sidebar is collapsed and hidden, so the page itself offers the way out.
"""

from __future__ import annotations

import streamlit as st

KEY = "_meeting"
QUERY = "meeting"
_SEEDED = "_meeting_seeded"

# Bigger numbers, less chrome: the page is read from across a room.
_STYLE = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2rem 1rem !important;
                                       max-width: none !important; }
[data-testid="stMetricValue"] { font-size: max(1.6rem, min(3rem, 15cqi)) !important;
                                line-height: 1.15; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem !important; }
[data-testid="stMetricDelta"] { font-size: 1.05rem !important; }
h1 { font-size: 1.8rem !important; padding: 0 0 0.2rem !important; }
</style>"""


def active() -> bool:
    """True in the meeting view. A link's ``meeting=1`` turns it on once, at the session's
    first run; after that the toggle decides and the link follows."""
    ss = st.session_state
    if not ss.get(_SEEDED):
        ss[_SEEDED] = True
        ss[KEY] = st.query_params.get(QUERY) == "1"
    return bool(ss.get(KEY))


def _mirror(on: bool) -> None:
    if on and st.query_params.get(QUERY) != "1":
        st.query_params[QUERY] = "1"
    elif not on and QUERY in st.query_params:
        del st.query_params[QUERY]


def _flip() -> None:
    st.session_state[KEY] = not st.session_state.get(KEY, False)


# On a phone the open sidebar covers the page, and Streamlit leaves it open after a page link
# is tapped. This runs once per page shown (the frame is new when the page changes, not on a
# rerun of the same page) and closes it when the window is phone-narrow (Streamlit's own
# breakpoint, 768 px). Its frame is same-origin, so it can press the sidebar's close button.
_CLOSE_ON_PHONE = """<script>
const doc = window.parent.document;
if (window.parent.innerWidth <= 768) {
  const bar = doc.querySelector('[data-testid="stSidebar"]');
  const box = bar && bar.getBoundingClientRect();
  const close = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (box && box.width > 0 && box.right > 0 && close) { close.click(); }
}
</script><!-- PAGE -->"""


def close_sidebar_on_phone(page: str) -> None:
    """After a page switch on a phone, close the sidebar (see :data:`_CLOSE_ON_PHONE`)."""
    with st.sidebar:
        st.iframe(_CLOSE_ON_PHONE.replace("PAGE", page.replace("-", " ")), height=1)


def controls(page: str = "") -> None:
    """The toggle in the sidebar, or (in the meeting view) the way out and the style; on a
    phone, the sidebar closed once the page has changed."""
    close_sidebar_on_phone(page)
    on = active()
    _mirror(on)
    if on:
        st.html(_STYLE)
        st.button("Leave the meeting view", key="meeting_leave", on_click=_flip,
                  icon=":material/close_fullscreen:", type="tertiary")  # fmt: skip
    else:
        st.sidebar.button(
            "Meeting view", key="meeting_enter", on_click=_flip,
            icon=":material/open_in_full:", width="stretch",
            help="Big numbers, no sidebar, each page on one screen. The link keeps it.",
        )  # fmt: skip
