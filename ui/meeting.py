"""Screen modes: the meeting view, and the sidebar on a phone.

Meeting view: big numbers, no sidebar, each page on one screen; a toggle and ``?meeting=1``.

The mode lives in the plain session key ``_meeting`` (so it survives a page switch) and is
mirrored into the link as ``meeting=1``; a link that carries it opens the meeting view. The
sidebar is collapsed and hidden, so the page itself offers the way out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from kpi.filters import ATTRIBUTE_LABELS
from kpi.periods import PERIOD_LABELS
from ui import format as fmt

if TYPE_CHECKING:
    import plotly.graph_objects as go

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
h3 { font-size: 1.3rem !important; padding: 0.2rem 0 0 !important; }
.st-key-meeting_bar { position: fixed; top: 0.9rem; right: 2rem; z-index: 999;
                      width: auto !important; background: white; }
/* One screen: the page is exactly as tall as the window, and the charts of :func:`charts`
   take what the title and the cards leave (Streamlit wraps each block in a layout wrapper). */
[data-testid="stMainBlockContainer"] { height: 100vh; display: flex; flex-direction: column; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { flex: 1 1 auto;
                                                                        min-height: 0; }
[data-testid="stLayoutWrapper"]:has(> .st-key-meeting_charts) { flex: 1 1 0; min-height: 260px; }
.st-key-meeting_charts, .st-key-meeting_charts > [data-testid="stLayoutWrapper"] {
  height: 100%; }
[class*="st-key-meeting_chart_"] { height: 100%; flex-wrap: nowrap !important; }
[class*="st-key-meeting_fig_"] { flex: 1 1 0; min-height: 0; }
</style>"""


def active() -> bool:
    """True in the meeting view. A link's ``meeting=1`` turns it on once, at the session's
    first run; after that the toggle decides and the link follows."""
    ss = st.session_state
    if not ss.get(_SEEDED):
        ss[_SEEDED] = True
        ss[KEY] = st.query_params.get(QUERY) == "1"
    return bool(ss.get(KEY))


def scope() -> str:
    """What the page's numbers cover, from the sidebar's filters: "1 Nov 2023 – 31 Oct 2026 ·
    by month", and any category filter ("Channel: Ads, Search")."""
    ss = st.session_state
    if "f_start" not in ss:
        return ""
    parts = [f"{fmt.day(ss['f_start'])} – {fmt.day(ss['f_end'])}"]
    if ss.get("f_period") in PERIOD_LABELS:
        parts.append(f"by {PERIOD_LABELS[ss['f_period']].lower()}")
    for attr, label in ATTRIBUTE_LABELS.items():
        if ss.get(f"f_{attr}"):
            parts.append(f"{label}: {', '.join(fmt.category(v) for v in ss[f'f_{attr}'])}")
    return " · ".join(parts)


def _mirror(on: bool) -> None:
    if on and st.query_params.get(QUERY) != "1":
        st.query_params[QUERY] = "1"
    elif not on and QUERY in st.query_params:
        del st.query_params[QUERY]


def _flip() -> None:
    st.session_state[KEY] = not st.session_state.get(KEY, False)


# On a phone the open sidebar covers the page, and Streamlit leaves it open after a page link
# is tapped. This runs once per page shown (the HTML changes with the page, not on a rerun of
# the same page) and closes it when the window is phone-narrow (Streamlit's own breakpoint,
# 768 px). It runs in the page itself (``st.html`` with JavaScript allowed, our own text): an
# iframe, as before, cost every first visit a document of its own and three more requests.
_CLOSE_ON_PHONE = """<script>
(() => {
  if (window.innerWidth > 768) return;
  const bar = document.querySelector('[data-testid="stSidebar"]');
  const box = bar && bar.getBoundingClientRect();
  const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (box && box.width > 0 && box.right > 0 && close) { close.click(); }
})();
</script><!-- PAGE -->"""


def close_sidebar_on_phone(page: str) -> None:
    """After a page switch on a phone, close the sidebar (see :data:`_CLOSE_ON_PHONE`)."""
    with st.sidebar:
        html = _CLOSE_ON_PHONE.replace("PAGE", page.replace("-", " "))
        st.html(html, unsafe_allow_javascript=True)


def controls(page: str = "") -> None:
    """The toggle in the sidebar, or (in the meeting view) the way out and the style; on a
    phone, the sidebar closed once the page has changed."""
    close_sidebar_on_phone(page)
    on = active()
    _mirror(on)
    if on:
        st.html(_STYLE)
        # Top right, beside the title: what the numbers cover (the sidebar is hidden), the way out.
        with st.container(key="meeting_bar", horizontal=True, vertical_alignment="center",
                          gap="medium", width="content"):  # fmt: skip
            st.caption(fmt.md(scope()))
            st.button("Leave the meeting view", key="meeting_leave", on_click=_flip,
                      icon=":material/close_fullscreen:", type="tertiary")  # fmt: skip
    else:
        st.sidebar.button(
            "Meeting view", key="meeting_enter", on_click=_flip,
            icon=":material/open_in_full:", width="stretch",
            help="Big numbers, no sidebar, each page on one screen. The link keeps it.",
        )  # fmt: skip


# A y axis that holds only lines is zoomed to the data when zero would take more than a third
# of its height: the change the room discusses fills the chart. Bars keep their zero (a bar cut
# short misleads), and so does an axis whose data crosses or nears zero.
_FAR = 0.5


def zoom(fig: go.Figure) -> go.Figure:
    """``fig`` with each y axis of lines only fitted to its data when the data is far from
    zero; the axis title then says so, as "(axis not from 0)". Other such axes start at zero.
    Changes ``fig`` and returns it.
    """
    axes: dict[str, list[float]] = {}
    kinds: dict[str, set[str]] = {}
    for trace in fig.data:
        name = "yaxis" + (getattr(trace, "yaxis", None) or "y")[1:]
        kinds.setdefault(name, set()).add(trace.type)
        y = getattr(trace, "y", None)
        values = pd.to_numeric(pd.Series([] if y is None else list(y)), errors="coerce")
        axes.setdefault(name, []).extend(values.dropna().tolist())
    for name, ys in axes.items():
        if not ys or kinds[name] != {"scatter"}:
            continue
        lo, hi = min(ys), max(ys)
        axis = fig.layout[name]
        if lo <= 0 or hi == lo or lo < _FAR * (hi - lo):
            if axis.range is None:  # near zero: zero in sight, so the axis never starts unsaid
                axis.update(rangemode="tozero")
            continue
        pad = 0.08 * (hi - lo)
        title = axis.title.text or ""
        axis.update(range=[lo - pad, hi + pad], rangemode="normal", autorange=False,
                    title_text=f"{title} (axis not from 0)".strip())  # fmt: skip
    return fig


def charts(figures: Sequence[tuple[str, go.Figure]]) -> None:
    """The meeting view's charts: one full width, or two side by side, each under its title,
    together as tall as the screen leaves below the cards; y axes zoomed (see :func:`zoom`)."""
    with st.container(key="meeting_charts", horizontal=True, gap="medium"):
        for i, (title, fig) in enumerate(figures):
            with st.container(key=f"meeting_chart_{i}", height="stretch"):
                if title:  # else the figure carries its own
                    st.subheader(title)
                fig.update_layout(height=None, autosize=True)
                st.plotly_chart(zoom(fig), width="stretch", height="stretch",
                                key=f"meeting_fig_{i}")  # fmt: skip


@contextmanager
def tucked(label: str, *, when: bool = True) -> Iterator[None]:
    """Draw the block as usual, or in the meeting view inside a closed expander ``label``: page
    settings stay at hand without taking the screen from the numbers. ``when``: whether the
    block draws anything (no empty expander)."""
    if not (active() and when):
        yield
        return
    with st.expander(label, icon=":material/tune:"):
        yield


def per_row(n: int, usual: int) -> int:
    """Cards per row: ``usual``, or in the meeting view as few rows of at most four as hold
    ``n`` cards, evenly filled (7 cards: two rows of four, not three rows).

    Four is the most that keep the meeting's big numbers at 1440 px.
    """
    if not active() or n <= usual:
        return usual
    rows = -(-n // 4)
    return max(usual, -(-n // rows))
