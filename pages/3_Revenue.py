"""Revenue: how much comes in, from whom and what kind, what is left as profit and as cash."""

import streamlit as st

from kpi import revenue as rev
from kpi.periods import PERIOD_LABELS
from ui import cards, frame, meeting
from ui import format as fmt
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
    st.subheader(f"Revenue by type per {per}")
    if (wide := gv.table_or_note(over_time["by_type"])) is not None:
        fig = charts.revenue_stack(wide, period=view.period, currency=view.currency, span=1)
        st.plotly_chart(fig, width="stretch")

    left, right = st.columns(2)
    with left:
        st.subheader(f"ARPU and average order value per {per}")
        if (series := gv.table_or_note(over_time["series"])) is not None:
            fig = charts.arpu_aov_over_time(series, period=view.period, currency=view.currency)
            st.plotly_chart(fig, width="stretch")
    with right:
        st.subheader(f"New against returning customers per {per}")
        if (wide := gv.table_or_note(over_time["split"])) is not None:
            fig = charts.revenue_stack(
                wide, period=view.period, currency=view.currency, names=charts.CUSTOMER_NAMES
            )
            st.plotly_chart(fig, width="stretch")
            st.caption("New: sales on a customer's first order day; returning: every later sale.")

    st.subheader("Who earns the profit")
    if isinstance(prof, rev.Profitability) and prof.top_share is not None:
        left, right = st.columns(2)
        left.plotly_chart(charts.pareto_curve(prof), width="stretch")
        with right:
            gv.band_table(rev.profit_bands(prof), view)
            st.caption(
                f"The most profitable 20 % of customers earn {fmt.percent(prof.top_share)} of "
                f"the profit of {view.money(prof.total)}."
            )
    elif isinstance(prof, rev.Profitability):
        st.info(
            "The total profit of this range is not positive, so there is no share of it "
            "to draw; see the rows behind the profit card."
        )
    else:
        st.info(fmt.md(str(prof)), icon=":material/info:")

    st.subheader("Net cash")
    if frame.needs(view, "cashflow", "operating_cash_flow", what="The net-cash waterfall"):
        with frame.explained():
            cash = rev.net_cash(view.tables["cashflow"], start=view.start, end=view.end)
            left, right = st.columns([3, 2])
            left.plotly_chart(
                charts.net_cash_waterfall(cash, currency=view.currency), width="stretch"
            )
            right.metric(
                "Net cash",
                view.money(cash.net_cash),
                border=True,
                help="Operating cash flow minus investments minus the increase in "
                f"working capital: {view.money(cash.operating_cash_flow)} - "
                f"{view.money(cash.investments)} - "
                f"{view.money(cash.working_capital_change)}.",
            )
            if cash.missing:
                right.caption(f"Taken as 0 (no such column): {', '.join(cash.missing)}.")
