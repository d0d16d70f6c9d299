"""Support: how fast tickets are answered and resolved, the backlog, SLAs and complaints."""

import streamlit as st

from kpi import support
from kpi.periods import PERIOD_LABELS
from ui import cards, frame, meeting
from ui import format as fmt
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

    left, right = st.columns(2)
    bins = sv.WORKING_BINS if s.business_hours else support.DEFAULT_BINS
    for col, measure, title in ((left, "first_response", "Time to first response"),
                                (right, "resolution", "Time to resolution")):  # fmt: skip
        with col, frame.explained():
            st.subheader(f"{title} ({s.unit})")
            fig = sv.distribution_chart(tickets, measure, bins, s.business_hours, **window)
            if fig is not None:
                st.plotly_chart(fig, width="stretch", key=f"sup_dist_{measure}")
                st.caption("Tickets still waiting are in no bar: see the Kaplan-Meier median.")
            else:
                st.info("No ticket created in this range got there yet.")

    st.subheader("SLA compliance by priority")
    if sv.breakdowns(tickets, {"priority": "Priority"}):
        with frame.explained():
            targets = (
                (f"First response within {s.duration(s.first_target)}", "first_response",
                 s.first_target),
                (f"Resolution within {s.duration(s.resolution_target)}", "resolution",
                 s.resolution_target),
            )  # fmt: skip
            fig = sv.sla_by_priority_chart(tickets, targets, s.business_hours,
                                           sv.as_of(tickets, view.end), **window)  # fmt: skip
            if fig is not None:
                st.plotly_chart(fig, width="stretch")
            else:
                st.info("No tickets created in this range.")
    else:
        st.caption("Add a priority column to the tickets to see SLA compliance by priority.")

    left, right = st.columns(2)
    with frame.explained():
        open_at_end, flows = sv.backlog_charts(tickets, view.period, sv.as_of(tickets, view.end),
                                               **window)  # fmt: skip
        left.subheader(f"Open tickets at the end of each {per}")
        left.plotly_chart(open_at_end, width="stretch")
        right.subheader(f"Created against resolved per {per}")
        right.plotly_chart(flows, width="stretch")

    st.subheader("Complaints")
    options = {
        **sv.breakdowns(tickets, sv.COMPLAINT_BREAKDOWNS),
        "period": PERIOD_LABELS[view.period],
    }
    with frame.explained():
        counts = sv.complaint_counts(tickets, as_of=sv.as_of(tickets, view.end), **window)
        escalated = (
            "" if counts.escalated is None else f" · {fmt.number(counts.escalated)} escalated"
        )
        st.caption(
            f"{fmt.number(counts.total)} complaints created in the range: "
            f"{fmt.number(counts.open)} still open, {fmt.number(counts.resolved)} resolved"
            f"{escalated}."
        )
        if counts.total:
            by = st.selectbox("Complaints by", list(options), format_func=options.get,
                              key="sup_complaints_by")  # fmt: skip
            fig = sv.complaints_chart(tickets, by, options[by], view.period, **window)
            st.plotly_chart(fig, width="stretch")
        else:
            st.info("No complaints in this range: tickets of type complaint are counted here.")
        if view.has("orders"):
            with frame.explained():
                fig = sv.complaints_per_customer_chart(tickets, view.tables["orders"],
                                                       view.period, **window)  # fmt: skip
                st.plotly_chart(fig, width="stretch")
                st.caption(f"Complaints per {per} divided by the customers who ordered in it, "
                           "beside the share of tickets escalated.")  # fmt: skip

    st.subheader("When tickets arrive")
    with frame.explained():
        fig = sv.arrivals_chart(tickets, **window)
        if fig is not None:
            st.plotly_chart(fig, width="stretch")
            st.caption("Tickets created per weekday and hour, at the times your file records. "
                       "The Team page turns these arrivals into a staffing what-if.")  # fmt: skip
        else:
            st.info("No tickets created in this range.")
