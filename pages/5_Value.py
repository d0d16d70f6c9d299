"""Value: lifetime value against acquisition cost, payback, and the model-based CLV."""

import streamlit as st

from ui import cards, frame, meeting
from ui import value_charts as charts
from ui import value_view as vv

view = frame.page(
    "Value",
    ":material/diamond:",
    caption="What a customer is worth over their lifetime (LTV), what winning one costs (CAC), "
    "how many months it takes to earn the cost back, and which customers the purchase models "
    "expect the most from.",
)

if frame.needs(view, "orders", "customer_id", "order_date", "amount", what="The Value page"):
    with frame.explained():
        s = vv.settings(view)
        fit = vv.model(view, s)
        h = vv.show_cards(view, s, fit)
        t = view.tables
        if meeting.active():  # the cards, and profit per customer against what winning one costs
            curve = vv.value_curve(t["orders"], t.get("customers"), view.start, view.end, s.margin)
            fig = charts.value_curve(curve, cac=h.cac, currency=view.currency, payback=h.payback)
            meeting.charts([("Cumulative gross profit per acquired customer, against CAC", fig)])
            st.stop()
        # Lazy tabs: only the open tab runs and is sent (opening another reruns the page).
        # Drawn all at once, the hidden tabs' charts and tables doubled the Plotly work of a
        # first visit.
        tab_channel, tab_curve, tab_top, tab_check, tab_all = st.tabs(
            [
                "LTV/CAC by channel",
                "Profit against CAC",
                "Top customers",
                "Model check",
                "Every LTV formula",
            ],
            key="val_tab",
            on_change="rerun",
        )
        with tab_channel, frame.explained():
            if tab_channel.open and frame.needs(
                view, "spend", "date", "amount", what="LTV/CAC by channel"
            ):
                left, right = st.columns(2)
                left.subheader("LTV and CAC by channel")
                args = vv.formula_args(view, s, h)
                by = vv.ltv_cac_by_channel(t["orders"], t["spend"], t.get("customers"), **args)
                if by.empty:
                    left.info("No spend or new customer has a channel in this date range.")
                else:
                    fig = charts.ltv_cac_by_channel(by, currency=view.currency)
                    left.plotly_chart(fig, width="stretch")
                right.subheader("LTV/CAC by quarter acquired")
                cohorts = vv.ltv_cac_by_cohort(
                    t["orders"], t["spend"], t.get("customers"), period="quarter", **args
                )
                if cohorts["ltv_to_cac"].notna().any():
                    right.plotly_chart(
                        charts.ltv_cac_by_cohort(cohorts, period="quarter"), width="stretch"
                    )
                    right.caption(
                        "Young cohorts have lost few customers yet, so their LTV "
                        "runs high: read the last bars with care."
                    )
                else:
                    right.info("No cohort of the range has both a CAC and a measurable LTV.")
                if not by.empty:
                    # Lazy, like a card's rows: sent once opened, so a first visit does not
                    # load Streamlit's table code (1.3 MB of script) for a table below the fold.
                    with cards.lazy(
                        "LTV and CAC by channel, as a table", key="val_channel_table"
                    ) as shown:
                        if shown:
                            table = vv.channel_table(by, view)
                            st.dataframe(table, hide_index=True, width="stretch")
                st.caption(vv.formula_note(h))
        with tab_curve, frame.explained():
            if tab_curve.open:
                st.subheader("Cumulative gross profit per acquired customer, against CAC")
                curve = vv.value_curve(
                    t["orders"], t.get("customers"), view.start, view.end, s.margin
                )
                st.plotly_chart(
                    charts.value_curve(curve, cac=h.cac, currency=view.currency, payback=h.payback),
                    width="stretch",
                )
                st.caption(vv.payback_note(h, view))
        with tab_top, frame.explained():
            if tab_top.open:
                st.subheader(f"Top {vv.TOP} customers by predicted CLV ({s.horizon_months} months)")
                if fit is None:
                    st.info(
                        "The purchase models could not be fitted on this data: see the note "
                        "above. The formula LTV is used instead."
                    )
                else:
                    vv.top_customers(fit, view)
        with tab_check, frame.explained():
            if tab_check.open:
                st.subheader("Does the model predict what customers did next?")
                check = vv.holdout(t["orders"], view.end)
                if isinstance(check, str):
                    st.info(check)
                else:
                    st.plotly_chart(charts.holdout_chart(check.table), width="stretch")
                    st.caption(
                        f"Fitted on orders up to {check.cutoff:%d %b %Y}, then compared "
                        f"with the {check.holdout_weeks:.0f} weeks after it, by how many "
                        "repeat purchases each customer had made before."
                    )
        with tab_all, frame.explained():
            if tab_all.open:
                st.subheader("Every LTV formula on this data")
                st.dataframe(vv.variants_table(view, s, fit), hide_index=True, width="stretch")
                st.caption(
                    "Measured over the same range, the simple, visit and purchase forms "
                    "agree: they are one measurement written three ways."
                )
