"""Revenue: how much comes in, from whom and what kind, what is left as profit and as cash."""

import streamlit as st

from kpi.periods import PERIOD_LABELS
from ui import cards, frame, meeting
from ui import growth_charts as charts
from ui import growth_view as gv

view = frame.page(
    "Revenue",
    ":material/payments:",
    caption="Revenue by type and by new against returning customers, revenue per customer "
    "and per order, who earns the profit, and how it turns into cash.",
)

if frame.needs(view, "orders", what="The revenue page"):
    orders, per = view.tables["orders"], PERIOD_LABELS[view.period].lower()
    with meeting.tucked("Gross margin", when=not view.has("orders", "cost")):
        margin = gv.margin_input(view)
    shown, prof = gv.revenue_cards(view, margin)
    cards.show(shown, per_row=3)

    over_time = gv.revenue_over_time(
        orders, view.tables.get("customers"), view.period, view.start, view.end
    )
    if meeting.active():  # the cards, revenue by type and ARPU against AOV; profit and cash out
        figures = []
        if (wide := gv.table_or_note(over_time["by_type"])) is not None:
            fig = charts.revenue_stack(wide, period=view.period, currency=view.currency)
            figures.append((f"Revenue by type per {per}", fig))
        if (series := gv.table_or_note(over_time["series"])) is not None:
            fig = charts.arpu_aov_over_time(series, period=view.period, currency=view.currency)
            figures.append((f"ARPU and average order value per {per}", fig))
        meeting.charts(figures)
        st.stop()
    # Lazy tabs, as on Retention and Support: only the open one runs and is sent (switching
    # reruns the page). The profit curve, its band table and the cash waterfall made a first
    # visit load the table's code and draw two more charts.
    tab_time, tab_profit, tab_cash = st.tabs(
        ["Over time", "Who earns the profit", "Net cash"], key="rev_tab", on_change="rerun"
    )
    with tab_time:
        if tab_time.open:
            gv.revenue_time_block(view, over_time)
    with tab_profit:
        if tab_profit.open:
            gv.profit_block(view, prof)
    with tab_cash:
        if tab_cash.open and frame.needs(
            view, "cashflow", "operating_cash_flow", what="The net-cash waterfall"
        ):
            with frame.explained():
                gv.cash_block(view)
