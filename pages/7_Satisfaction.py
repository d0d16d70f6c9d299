"""Satisfaction: NPS, CSAT and eNPS with their margins, what customers say, and what-ifs."""

import streamlit as st

from kpi.periods import PERIOD_LABELS
from ui import frame, meeting
from ui import satisfaction_charts as charts
from ui import satisfaction_view as sv

SPLIT = "sat_split"  # session key of the NPS tab's "Split by" choice, kept while the tab is closed

view = frame.page(
    "Satisfaction",
    ":material/sentiment_satisfied:",
    caption="How likely customers are to recommend you (NPS), how satisfied they are (CSAT) "
    "and how your team feels (eNPS), with the uncertainty that comes with every survey.",
)

if frame.needs(view, "surveys", "score", what="The satisfaction page"):
    with frame.explained():
        survey_type, csat_scale = sv.survey_settings(view)
        parts = sv.answers_by_kind(
            view.tables["surveys"], survey_type=survey_type, csat_scale=csat_scale
        )
        nps_col, csat_col, enps_col = st.columns(3)
        with nps_col:
            nps = sv.nps_card(view, parts["nps"])
        with csat_col:
            csat = sv.csat_card(view, parts["csat"])
        with enps_col:
            sv.nps_card(view, parts["enps"], employee=True)

        per = PERIOD_LABELS[view.period].lower()
        if meeting.active():  # the three cards, and NPS and CSAT over time
            window = {"period": view.period, "start": view.start, "end": view.end}
            series = sv.nps_series(parts["nps"], **window)
            figures = [(f"NPS per {per}, with 95 % band",
                        charts.nps_over_time(series, period=view.period))]  # fmt: skip
            if csat is not None:
                series = sv.csat_series(parts["csat"], **window)
                fig = charts.csat_over_time(series, period=view.period, scale_max=csat.scale_max)
                figures.append((f"CSAT per {per}", fig))
            meeting.charts(figures)
            st.stop()
        # Lazy tabs: only the open one runs and is sent (switching reruns the page). Drawn
        # together, the nine charts, the comments' tables and the competitors' editor were
        # most of a first visit, for three tabs nobody had opened yet. NPS over time comes
        # first; the scores and the split, its second row once, have a tab of their own.
        tab_nps, tab_breakdown, tab_csat, tab_words, tab_compare = st.tabs(
            ["NPS", "NPS breakdown", "CSAT", "What customers say", "Competitors and what-if"],
            key="sat_tab",
            on_change="rerun",
        )
        with tab_nps, frame.explained():
            if tab_nps.open:
                rows = parts["nps"]
                series = sv.nps_series(rows, period=view.period, start=view.start, end=view.end)
                left, right = st.columns(2)
                left.subheader(f"NPS per {per}, with 95 % band")
                left.plotly_chart(charts.nps_over_time(series, period=view.period), width="stretch")
                right.subheader(f"NPS groups per {per}")
                fig = charts.nps_split_over_time(series, period=view.period)
                right.plotly_chart(fig, width="stretch")
        with tab_breakdown, frame.explained():
            if tab_breakdown.open:
                rows = parts["nps"]
                left, right = st.columns(2)
                left.subheader("Scores given")
                scores = sv.in_range(rows, view.start, view.end)["score"]
                left.plotly_chart(charts.score_histogram(scores), width="stretch")
                options = sv.breakdowns(rows, sv.BREAKDOWNS)
                right.subheader("NPS by group")
                if options:
                    # The choice lives in a plain key too: Streamlit forgets a widget's value
                    # while its tab is closed (not drawn), and the choice must survive that.
                    # A segmented control, not a select: at most four choices, all in sight,
                    # and no select code for a first visit to load.
                    ss = st.session_state
                    kept = ss.get(SPLIT) if ss.get(SPLIT) in options else next(iter(options))
                    if "sat_split_by" not in ss:
                        ss["sat_split_by"] = kept
                    chosen = right.segmented_control(
                        "Split by",
                        list(options),
                        format_func=options.get,
                        key="sat_split_by",
                        label_visibility="collapsed",
                    )
                    by = chosen or kept  # a click on the chosen one unselects it: keep it
                    ss[SPLIT] = by
                    table = sv.nps_by(rows, by, start=view.start, end=view.end)
                    fig = charts.nps_split_by(table, dimension=options[by])
                    right.plotly_chart(fig, width="stretch")
                else:
                    right.caption("Add a segment, channel or agent column to split NPS by it.")
        with tab_csat, frame.explained():
            if tab_csat.open:
                if csat is not None:
                    rows, scale = parts["csat"], csat.scale_max
                    series = sv.csat_series(
                        rows, period=view.period, start=view.start, end=view.end
                    )
                    figs = {f"CSAT per {per}": charts.csat_over_time(series, period=view.period,
                                                                     scale_max=scale)}  # fmt: skip
                    for by, label in sv.breakdowns(rows, sv.CSAT_BREAKDOWNS).items():
                        table = sv.csat_by(rows, by, start=view.start, end=view.end)
                        figs[f"CSAT by {label.lower()}"] = charts.csat_by_chart(
                            table, dimension=label, scale_max=scale
                        )
                    sv.two_per_row(figs)
                else:
                    st.caption("No CSAT answers to chart: see the CSAT card above.")
        with tab_words, frame.explained():
            if tab_words.open:
                st.caption("Most used words and phrases of each group's comments, and a few "
                           "comments word for word.")  # fmt: skip
                sv.comments(view, parts["nps"])
        with tab_compare:
            if tab_compare.open:
                st.subheader("Beside your competitors")
                sv.competitors(nps, csat)
                st.subheader("What if you won some of them over?")
                if nps is not None:
                    sv.what_if(nps)
                else:
                    st.caption("The what-if needs NPS answers: see the NPS card above.")
