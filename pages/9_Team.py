"""Team: agent productivity and CSAT, turnover, customer engagement, efforts against results,
and how many agents the queue needs (Erlang C)."""

import streamlit as st

from kpi.periods import PERIOD_LABELS
from ui import cards, frame, meeting
from ui import support_view as sv

view = frame.page(
    "Team",
    ":material/badge:",
    caption="What each agent gets done and how customers rate them, who joins and leaves, "
    "how much attention customers get, what sales effort brings, and how many agents the "
    "queue needs.",
)
bh, _ = sv.business_hours()
tables, window = view.tables, {"start": view.start, "end": view.end}
cards.show(sv.team_cards(view, bh), per_row=3)

if meeting.active():  # the cards, and what each agent resolves and how customers rate them
    if frame.needs(view, "tickets", "agent", "resolved_at", what="The agent table"):
        with frame.explained():
            scale = sv.csat_scale(tables.get("surveys"))
            per_day, csat = sv.agent_charts(view, bh)
            figures = [("Tickets resolved per working day", per_day)]
            if csat is not None:
                figures.append((f"Mean CSAT score (1 to {scale}) per agent", csat))
            meeting.charts(figures)
    st.stop()

# Lazy tabs, as on Support and Revenue: only the open one runs and is sent (switching reruns
# the page). A link that carries staffing inputs (a session that set them has them in its
# address too) opens on the staffing tab.
TABS = ("Agents", "Turnover and engagement", "Efforts per manager", "Staffing what-if")
staffing = any(k in st.query_params for k in sv.STAFFING_LINK)
tab_agents, tab_people, tab_efforts, tab_staffing = st.tabs(
    TABS, key="team_tab", on_change="rerun", default=TABS[3] if staffing else TABS[0]
)
with tab_agents:
    if tab_agents.open and frame.needs(
        view, "tickets", "agent", "resolved_at", what="The agent table"
    ):
        with frame.explained():
            unit = "working hours" if bh else "hours"
            agents = sv.agents(view, bh)
            scale = sv.csat_scale(tables.get("surveys"))
            if bh:
                st.caption(f"Working days and response times in the Support page's business "
                           f"hours: {sv.describe(bh)}.")  # fmt: skip
            left, right = st.columns(2)
            per_day, csat = sv.agent_charts(view, bh)
            left.plotly_chart(per_day, width="stretch")
            if csat is not None:
                right.plotly_chart(csat, width="stretch")
            elif view.has("surveys", "agent"):
                right.info("No CSAT answers with an agent in this range.")
            else:
                right.info("CSAT per agent needs CSAT surveys with an agent column.")
            sv.agent_table(agents, unit=unit, scale=scale)
with tab_people:
    if tab_people.open:
        st.subheader("Employee turnover")
        if frame.needs(view, "employees", "employee", what="Employee turnover"):
            with frame.explained():
                fig = sv.turnover_chart(tables["employees"], view.period, **window)
                st.plotly_chart(fig, width="stretch")
                st.caption(
                    f"Turnover per {PERIOD_LABELS[view.period].lower()}: leavers divided by "
                    "the average of the headcount on its first and last day."
                )

        st.subheader("Customer engagement")
        if frame.needs(view, "touches", "customer_id", what="Customer engagement"):
            with frame.explained():
                sv.engagement(tables["touches"], view.start, view.end)
with tab_efforts:
    what = "Efforts against results"
    if (
        tab_efforts.open
        and frame.needs(view, "touches", "employee", what=what)
        and frame.needs(view, "leads", "owner", what=what)
    ):
        with frame.explained():
            efforts, fig = sv.efforts(tables["touches"], tables["leads"], **window)
            if fig is not None:
                st.plotly_chart(fig, width="stretch")
                with cards.lazy("The numbers per manager", key="team_efforts_numbers") as shown:
                    if shown:
                        cards.drill_down(efforts.reset_index(), name="efforts", key="team_efforts")
            else:
                st.info("No touches by a manager and no leads with an owner in this range.")
with tab_staffing:
    if tab_staffing.open and frame.needs(
        view, "tickets", "created_at", what="The staffing what-if"
    ):
        sv.what_if(view)
