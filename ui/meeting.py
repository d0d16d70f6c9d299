"""Meeting view: big numbers, no sidebar, each page on one screen; a toggle and ``?meeting=1``.

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
[data-testid="stMetricValue"] { font-size: 2.6rem !important; line-height: 1.15; }
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


def controls() -> None:
    """The toggle in the sidebar, or (in the meeting view) the way out and the style."""
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
