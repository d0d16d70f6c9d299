"""What-if: move churn, prices, margin, CAC and acquisition; see LTV, payback and 36 months."""

import streamlit as st

from kpi import scenario as sc
from ui import cards, frame, meeting
from ui import format as fmt
from ui import whatif_view as wv

view = frame.page(
    "What-if",
    ":material/tune:",
    caption="Start from your business as measured in the selected range, move the levers, and "
    "see what happens to lifetime value, payback and the next three years. The link in your "
    "address bar reopens the scenario.",
)

NUMBERS = "wi_numbers"  # session key of the scenario's "The numbers" expander: True when open
SAVE_PANEL = "wi_save_panel"  # session key of the "Save scenario" popover: True when open
SAVED_NOW = "_wi_saved_now"  # set by a save: the next run closes the popover, empties the name


@st.fragment
def scenario(b: sc.Baseline, currency: str) -> None:
    """Results with the levers beside them (below them on a phone): moving a slider reruns
    only this part, not the measurement."""
    results, controls = st.columns([5, 2] if not meeting.active() else [3, 1], gap="large")
    with controls, st.container(height=640 if meeting.active() else "content", border=False):
        st.subheader("Levers")
        wv.sliders(b, currency)
        st.button("Reset to baseline", key="wi_reset", on_click=wv.reset, args=(b, currency),
                  icon=":material/restart_alt:", width="stretch")  # fmt: skip
        # Lazy: the name field is drawn only once the popover is opened. Drawn at once, it
        # made every first visit load the text field's code (12 scripts) for a save.
        if st.session_state.pop(SAVED_NOW, False):  # just saved: closed and emptied
            st.session_state[SAVE_PANEL] = False
            st.session_state["wi_name"] = ""
        box = st.popover("Save scenario", key=SAVE_PANEL, on_change="rerun",
                         icon=":material/bookmark_add:", width="stretch")  # fmt: skip
        with box:
            if box.open:
                name = st.text_input("Name this scenario", key="wi_name", max_chars=40,
                                     placeholder="e.g. Churn down a point")  # fmt: skip
                if st.button("Save", key="wi_save", type="primary", width="stretch"):
                    why = wv.save_current(name)
                    if why:
                        st.warning(why)
                    else:
                        st.session_state[SAVED_NOW] = True
                        st.rerun()  # the whole page, so the comparison below lists it
    levers = wv.scenario_levers(b, st.session_state[wv.OVERRIDES], currency)
    with results, frame.explained():
        st.subheader("Scenario against the baseline")
        base, now = sc.outcome(b, sc.Levers.of(b)), sc.outcome(b, levers)
        table = sc.comparison(base, now)
        wv.scenario_cards(table, b, levers, currency)
        wv.projections({"Baseline": base.projection, "Scenario": now.projection}, currency,
                       key="wi_now")  # fmt: skip
        # Lazy: the table and its downloads are sent only once the expander is opened (a
        # rerun of this fragment). Sent closed, the grid still made a first visit load and run
        # Streamlit's table code (1.9 MB of script) for a table nobody had asked to see.
        with cards.lazy("The numbers", key=NUMBERS) as shown:
            if shown:
                names = ("Baseline", "Scenario", "Difference")
                shown = wv.table_on_screen(table, currency, names=names)
                st.dataframe(shown, hide_index=True, width="stretch", key="wi_table")
                wv.downloads(table, levers, b, key="wi_download")
    wv.sync_to_url(b, currency)


b = None
if frame.needs(view, "orders", "customer_id", "order_date", "amount", what="The what-if page"):
    with frame.explained():
        b = wv.baseline_of(dict(view.tables), view.start, view.end)

if b is not None:
    if not meeting.active():
        st.caption(
            f"Baseline measured from {fmt.day(view.start)} to {fmt.day(view.end)}: "
            f"{fmt.number(b.customers)} active customers at the end. Each lever says where its "
            "starting point comes from. The projection assumes churn, prices, margin and "
            "inflow stay as set for the next 36 months."
        )
    for note in b.notes:
        st.info(fmt.md(note), icon=":material/info:")
    wv.sync_from_url(b, view.currency)
    scenario(b, view.currency)

    st.divider()
    st.subheader("Saved scenarios")
    saved = st.session_state.get(wv.SAVED, {})
    if not saved:
        st.caption("Name and save a scenario to compare up to four of them here.")
    else:
        names = wv.compare_picker(saved)
        pick, open_col = st.columns([3, 1], vertical_alignment="bottom")
        chosen = pick.selectbox("Open a saved scenario", list(saved), key="wi_open_name")
        open_col.button("Open", key="wi_open", on_click=wv.open_saved,
                        args=(chosen, b, view.currency), width="stretch")  # fmt: skip
        if names:
            shown, lines = wv.comparison_table(b, names, view.currency)
            st.dataframe(shown, hide_index=True, width="stretch", key="wi_compare_table")
            wv.projections(lines, view.currency, key="wi_compare")
        else:
            st.caption("Pick up to four saved scenarios to compare.")
