"""Home: what the app does, the data status, headline KPIs and revenue over time."""

import streamlit as st

from kpi import base
from kpi.periods import in_days
from ui import cards, charts, frame, meeting
from ui import format as fmt
from ui import growth_view as gv

view = frame.page(
    "Customer KPI Explorer",
    ":material/insights:",
    caption="Every customer-service and CRM KPI that matters, from the spreadsheets your "
    "business already has. Drop your orders, customers, leads, spend, surveys and tickets on "
    "the Data page; explore them with the filters on the left.",
)

if frame.needs(view, "orders", what="The home page"):
    orders = view.tables["orders"]
    customers = view.tables.get("customers")
    now = gv.headline(orders, customers, start=view.start, end=view.end)
    delta = gv.headline_change(orders, customers, start=view.start, end=view.end, now=now)
    prev_start, prev_end = base.previous_window(view.start, view.end)
    span = f"{fmt.day(view.start)} – {fmt.day(view.end)}"
    versus = f"Change against {fmt.day(prev_start)} – {fmt.day(prev_end)}."
    st.subheader(f"Headline, {span}")
    in_range = base.orders_in_range(orders, start=view.start, end=view.end)
    who = base.customer_activity(orders, customers, start=view.start, end=view.end)
    active, repeat = len(who), int(who["repeat"].sum())
    starts = base.customer_starts(orders, customers)
    newcomers = starts[in_days(starts, view.start, view.end)]
    newcomers = newcomers.rename("acquired").reset_index()
    waiting = now["signups_without_order"]
    before = gv.headline(orders, customers, start=prev_start, end=prev_end)
    repeat_delta = None
    if before["repeat_customer_rate"] is not None and now["repeat_customer_rate"] is not None:
        repeat_delta = (
            f"{100 * (now['repeat_customer_rate'] - before['repeat_customer_rate']):+.1f} pts"
        )
    cards.show(
        [
            cards.Card(
                "Revenue",
                view.money(now["revenue"]),
                delta["revenue"],
                f"Sum of order amounts: {fmt.number(len(in_range))} order rows, net of "
                f"{fmt.number(now['refunds'])} refunds. {versus}",
                rows=in_range,
                key="home_revenue",
            ),
            cards.Card(
                "Orders",
                fmt.number(now["orders"]),
                delta["orders"],
                f"Order rows in the range with an amount of zero or more: "
                f"{fmt.number(len(in_range))} rows less {fmt.number(now['refunds'])} refunds. "
                + versus,
                rows=in_range,
                key="home_orders",
            ),
            cards.Card(
                "Active customers",
                fmt.number(now["active_customers"]),
                delta["active_customers"],
                f"Customers with at least one order in the range. {versus}",
                rows=who,
                key="home_active_customers",
            ),
            cards.Card(
                "New customers",
                fmt.number(now["new_customers"]),
                delta["new_customers"],
                "Customers with at least one order who were acquired in the range: the "
                "earlier of their signup and their first order falls in it. " + versus,
                rows=newcomers,
                key="home_new_customers",
                note=f"Not counted: {fmt.number(waiting)} signed up in the range without any order"
                if waiting
                else None,
            ),
            cards.Card(
                "Average order value",
                view.money(now["average_order_value"]),
                delta["average_order_value"],
                f"Revenue {view.money(now['revenue'])} / {fmt.number(now['orders'])} orders. "
                + versus,
                rows=in_range,
                key="home_aov",
            ),
            cards.Card(
                "Repeat customer rate",
                fmt.percent(now["repeat_customer_rate"]),
                None,
                f"Customers with two or more orders in the range / customers with at least "
                f"one: {fmt.number(repeat)} / {fmt.number(active)}. {versus}",
                rows=who[who["repeat"]],
                key="home_repeat",
                delta=repeat_delta,
            ),
        ]
    )
    series = gv.revenue_series(orders, period=view.period, start=view.start, end=view.end)
    if not meeting.active():
        st.subheader("Revenue over time")
    if series.empty:
        st.info("No orders fall in the selected range. Widen the date range on the left.")
    else:
        fig = charts.revenue_over_time(
            series, period=view.period, currency=view.currency, end=view.end
        )
        if meeting.active():
            meeting.charts([("Revenue over time", fig)])
        else:
            st.plotly_chart(fig, width="stretch")

if meeting.active():
    st.stop()  # the meeting view ends with the chart: where the data came from is for the Data page
st.subheader("Your data")
status = []
for report in view.dataset.reports:
    status.append(
        f"- **{report.table}** from {fmt.md(report.source)}: {fmt.number(report.rows_kept)} rows"
        + (f", {fmt.number(report.rows_rejected)} rejected" if report.rows_rejected else "")
    )
st.markdown("\n".join(status) if status else "No data yet.")
st.page_link(
    "pages/1_Data.py", label="Upload your own files on the Data page", icon=":material/upload_file:"
)
