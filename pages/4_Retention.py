"""Retention: churn and retention rates, cohorts, survival, projected retention, who to call."""

import streamlit as st

from kpi import retention
from ui import frame, meeting
from ui import retention_charts as charts
from ui import retention_view as rv

view = frame.page(
    "Retention",
    ":material/group:",
    caption="How many customers you keep and lose, how each cohort holds up, how long "
    "customers stay, where retention is heading, and the inactive customers worth a call.",
)

has_orders = view.has("orders", "customer_id", "order_date", "amount")
has_contracts = view.has("customers", "customer_id", "end_date")
if has_orders or has_contracts:
    definition = None
    with frame.explained():
        definition = rv.choose_definition(view)
    if definition is not None:
        with frame.explained():
            rv.kpi_cards(view, definition)
        if meeting.active():  # the cards, and churn and retention over time
            with frame.explained():
                series = retention.churn_series(
                    definition.lifetimes, period=view.period, start=view.start, end=view.end
                )
                args = {"period": view.period, "definition": definition.label}
                meeting.charts([("", charts.churn_over_time(series, **args)),
                                ("", charts.retention_over_time(series, **args))])  # fmt: skip
            st.stop()

        # Lazy tabs: only the open tab runs and is sent. Drawn all at once, the hidden tabs'
        # six charts and the inactive list made a first visit load the table code and spend
        # more main-thread time in Plotly than on any other page; opening a tab reruns the page.
        # Churn over time comes first: the trend behind the cards, in two light line charts
        # (the cohort heatmap and its switches, first, cost a first visit about a quarter of a
        # minimal page's time: ``python -m bench browser``).
        tab_time, tab_cohorts, tab_survival, tab_sbg, tab_inactive = st.tabs(
            [
                "Churn over time",
                "Cohorts",
                "Survival",
                "Projection (sBG)",
                "Inactive customers",
            ],
            key="ret_tab",
            on_change="rerun",
        )
        with tab_time:
            if tab_time.open:
                rv.over_time_block(view, definition)
        with tab_cohorts:
            if tab_cohorts.open and frame.needs(
                view, "orders", "customer_id", "order_date", what="The cohort table"
            ):
                rv.cohort_block(view, definition)
        with tab_survival:
            if tab_survival.open:
                st.subheader(f"How long customers stay · {definition.label}")
                rv.survival_block(view, definition)
        with tab_sbg:
            if tab_sbg.open:
                st.subheader(f"Where retention is heading · {definition.label}")
                st.caption(
                    "The shifted-beta-geometric model (Fader and Hardie 2007) fitted on the "
                    "first periods of a cohort; the periods after the fit show how well it "
                    "projects."
                )
                rv.sbg_block(view, definition)
        with tab_inactive:
            if tab_inactive.open:
                st.subheader(f"Inactive customers · no order for {definition.window or '—'} days")
                rv.inactive_block(view, definition)
else:
    frame.needs(view, "orders", "customer_id", "order_date", "amount", what="The retention page")
