"""Support: how fast tickets are answered and resolved, the backlog, SLAs and complaints."""

import streamlit as st

from kpi.periods import PERIOD_LABELS
from ui import cards, frame, meeting
from ui import support_view as sv

view = frame.page(
    "Support",
    ":material/support_agent:",
    caption="How fast tickets are answered and resolved, what is still open, how often you "
    "meet your targets, and what customers complain about.",
)

if frame.needs(view, "tickets", "created_at", what="The support page"):
    tickets, per = view.tables["tickets"], PERIOD_LABELS[view.period].lower()
    s = sv.settings()
    if s.business_hours:
        st.caption(f"Times in working hours: {sv.describe(s.business_hours)}.")
    cards.show(sv.support_cards(view, s), per_row=3)
    window = {"start": view.start, "end": view.end}
    if meeting.active():  # the cards, and the queue: what is open and whether it keeps up
        with frame.explained():
            now = sv.as_of(tickets, view.end)
            open_at_end, flows = sv.backlog_charts(tickets, view.period, now, **window)
            meeting.charts([
                (f"Open tickets at the end of each {per}", open_at_end),
                (f"Created against resolved per {per}", flows),
            ])  # fmt: skip
        st.stop()

    # Lazy tabs, as on Retention and Satisfaction: only the open one runs and is sent
    # (switching reruns the page). Drawn together, the eight charts were most of a first visit.
    tab_times, tab_backlog, tab_complaints, tab_arrivals = st.tabs(
        ["Response and SLA", "Backlog", "Complaints", "When tickets arrive"],
        key="sup_tab",
        on_change="rerun",
    )
    with tab_times:
        if tab_times.open:
            sv.times_block(view, s)
    with tab_backlog:
        if tab_backlog.open:
            sv.backlog_block(view)
    with tab_complaints:
        if tab_complaints.open:
            sv.complaints_block(view)
    with tab_arrivals:
        if tab_arrivals.open:
            sv.arrivals_block(view)
