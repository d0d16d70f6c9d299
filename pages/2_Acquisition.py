"""Acquisition: what a new customer costs, where leads come from and how many touches win one."""

import streamlit as st

from kpi.periods import PERIOD_LABELS
from ui import cards, frame, meeting
from ui import growth_charts as charts
from ui import growth_view as gv

view = frame.page(
    "Acquisition",
    ":material/campaign:",
    caption="What it costs to win a customer (CAC) and a lead (CPL), how leads convert by "
    "source, and how many calls, e-mails and meetings it takes to close a deal.",
)

ttc_card, ttc = gv.touches_card(view)
cards.show(
    [
        gv.cac_card(view),
        gv.cpl_card(view),
        gv.conversion_card(view),
        gv.referral_card(view),
        ttc_card,
        gv.response_card(view),
    ],
    per_row=3,
)
per = PERIOD_LABELS[view.period].lower()
tables = view.tables

if meeting.active():  # the cards and CAC, over time and by channel; leads and touches stay out
    if frame.needs(view, "spend", "amount", what="Acquisition cost") and frame.needs(
        view, "orders", what="Counting new customers"
    ):
        with frame.explained():
            spend, orders, customers = tables["spend"], tables["orders"], tables.get("customers")
            window = {"start": view.start, "end": view.end}
            series = gv.cac_series(spend, orders, customers, period=view.period, **window)
            by_channel = gv.cac_by_channel(spend, orders, customers, **window)
            meeting.charts(
                [
                    (f"CAC per {per}",
                     charts.cac_over_time(series, period=view.period, currency=view.currency)),
                    ("CAC by acquisition channel",
                     charts.cac_by_channel_chart(by_channel, currency=view.currency)),
                ]
            )  # fmt: skip
    st.stop()

# Lazy tabs: only the open section runs and is sent (switching reruns the page). Drawn one
# under the other, the seven charts were a first visit's main cost: each is Plotly work on
# the browser's one main thread, against one chart on the minimal page. The spend behind CAC
# has a tab of its own: as a third chart under CAC's two it cost a first visit about a tenth
# of the minimal page's time (python -m bench browser).
tab_cost, tab_spend, tab_leads, tab_touches = st.tabs(
    ["Acquisition cost", "Spend", "Leads", "Touches to close"], key="acq_tab", on_change="rerun"
)


def has_spend(what: str) -> bool:
    """Spend, and orders to count the new customers it bought; else what would unlock them."""
    return frame.needs(view, "spend", "amount", what=what) and frame.needs(
        view, "orders", what="Counting new customers"
    )


with tab_cost:
    if tab_cost.open and has_spend("Acquisition cost"):
        spend, orders, customers = tables["spend"], tables["orders"], tables.get("customers")
        left, right = st.columns(2)
        with left, frame.explained():
            st.subheader("CAC by acquisition channel")
            by_channel = gv.cac_by_channel(spend, orders, customers, start=view.start, end=view.end)
            if by_channel["cac"].notna().any():
                st.plotly_chart(
                    charts.cac_by_channel_chart(by_channel, currency=view.currency),
                    width="stretch",
                )
            else:
                st.info("No channel acquired a customer in this range.")
        with right, frame.explained():
            st.subheader(f"CAC per {per}")
            series = gv.cac_series(
                spend, orders, customers, period=view.period, start=view.start, end=view.end
            )
            fig = charts.cac_over_time(series, period=view.period, currency=view.currency)
            st.plotly_chart(fig, width="stretch")
            if view.period == "week":
                st.caption(
                    "Spend is counted on the dates of the spend table: booked once a month, "
                    "it makes weekly CAC swing between 0 and several times its level."
                )

with tab_spend:
    if tab_spend.open and has_spend("Acquisition spend"):
        spend, orders, customers = tables["spend"], tables["orders"], tables.get("customers")
        kinds = gv.spend_kinds(spend) is not None
        st.subheader(f"{'Sales and marketing' if kinds else 'Acquisition'} spend per {per}")
        with frame.explained():  # as CAC per period: the spend that counts for CAC
            series = gv.cac_series(
                spend, orders, customers, period=view.period, start=view.start, end=view.end
            )
            fig = charts.spend_split_over_time(series, period=view.period, currency=view.currency)
            st.plotly_chart(fig, width="stretch")
            if not kinds:
                st.caption(
                    "Add a kind column (sales or marketing) to the spend table to split CAC's "
                    "spend into sales and marketing."
                )

with tab_leads:
    if tab_leads.open and frame.needs(view, "leads", "created_date", what="The lead funnel"):
        leads = tables["leads"]
        left, right = st.columns(2)
        with left, frame.explained():
            st.subheader("Lead funnel by source")
            funnel = gv.lead_funnel(leads, start=view.start, end=view.end)
            if len(funnel):
                st.plotly_chart(charts.lead_funnel_chart(funnel), width="stretch")
            else:
                st.info("No leads were created in this range.")
        with right, frame.explained():
            st.subheader("Conversions by source")
            shares = gv.acquisition_share_by_source(leads, start=view.start, end=view.end)
            if len(shares):
                st.plotly_chart(charts.conversions_by_source(shares), width="stretch")
            else:
                st.info("No lead was won in this range.")

with tab_touches:
    if tab_touches.open and frame.needs(view, "touches", "lead_id", what="Touches to close"):
        if ttc is None or ttc.deals == 0:
            st.info("No won deal in this range has a logged touch: see the Touches to close card.")
        else:
            left, right = st.columns(2)
            left.subheader("Touches per won deal")
            left.plotly_chart(charts.touches_histogram(ttc), width="stretch")
            right.subheader("By touch type")
            if ttc.by_type is not None and len(ttc.by_type):
                right.plotly_chart(charts.touches_by_type_chart(ttc.by_type), width="stretch")
            else:
                right.caption("Add a touch_type column (call, e-mail, meeting) to split touches.")
