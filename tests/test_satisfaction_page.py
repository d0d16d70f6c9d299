"""Satisfaction page: figures by their data, the view's helpers, and AppTest flows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pandas._testing as tm
import pytest

from kpi import satisfaction
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import satisfaction_charts as charts
from ui import satisfaction_view as sv

PAGE = "pages/7_Satisfaction.py"
NAN = float("nan")

# Three months of NPS answers; February has none (the zero cell, NaN shares).
#   January: 10, 9, 3        -> 2 promoters, 0 passives, 1 detractor, NPS (2 - 1) / 3 = 33.3
#   March:   7               -> 1 passive, NPS 0
SURVEYS = pd.DataFrame(
    {
        "date": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-01-31", "2025-03-02"]),
        "score": [10.0, 9.0, 3.0, 7.0],
        "channel": pd.array(["web", "web", "ads", None], dtype="str"),
    }
)


def _sample() -> dict[str, pd.DataFrame]:
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files).tables


def _axis_titles(fig) -> list[str]:
    return [fig.layout.xaxis.title.text or "", fig.layout.yaxis.title.text or ""]


# --------------------------------------------------------------------------------------------
# Figures, by their data


def test_split_over_time_stacks_shares_with_a_gap_for_an_empty_period():
    series = satisfaction.nps_series(SURVEYS, period="month")
    fig = charts.nps_split_over_time(series, period="month")
    assert [t.name for t in fig.data] == [
        "Detractors (0-6)",
        "Passives (7-8)",
        "Promoters (9-10)",
    ]
    # January 1/3 detractors, 0 passives, 2/3 promoters; February none (NaN); March 1 passive.
    np.testing.assert_allclose(fig.data[0].y, [1 / 3, NAN, 0.0])
    np.testing.assert_allclose(fig.data[1].y, [0.0, NAN, 1.0])
    np.testing.assert_allclose(fig.data[2].y, [2 / 3, NAN, 0.0])
    assert fig.layout.barmode == "stack"
    assert fig.layout.yaxis.tickformat == ".0%"
    # The hover names the period and counts: "2025-01", 2 of 3 answers.
    assert tuple(fig.data[2].customdata[0]) == ("2025-01", 2, 3)
    assert _axis_titles(fig) == ["Month", "Share of answers"]


def test_nps_over_time_draws_the_band_below_and_above_the_line():
    series = satisfaction.nps_series(SURVEYS, period="month")
    fig = charts.nps_over_time(series, period="month")
    high, low, line = fig.data
    # January: NPS 33.3; var = 2/3 + 1/3 - (1/3)^2 = 8/9; margin 1.96 * sqrt(8/9 / 3) * 100.
    moe = 1.96 * math.sqrt((8 / 9) / 3) * 100
    np.testing.assert_allclose(line.y, [100 / 3, NAN, 0.0])
    np.testing.assert_allclose(high.y, [min(100 / 3 + moe, 100), NAN, 0.0])
    np.testing.assert_allclose(low.y, [max(100 / 3 - moe, -100), NAN, 0.0])
    assert low.fill == "tonexty"
    assert list(fig.layout.yaxis.range) == [-100, 100]
    assert "NPS" in fig.layout.yaxis.title.text and "points" in fig.layout.yaxis.title.text


def test_score_histogram_counts_every_score_and_colours_by_group():
    fig = charts.score_histogram(pd.Series([10.0, 9.0, 3.0, 7.0, NAN, 3.0]))
    det, pas, pro = fig.data
    assert list(det.x) == [0, 1, 2, 3, 4, 5, 6]
    assert list(det.y) == [0, 0, 0, 2, 0, 0, 0]
    assert list(pas.x) == [7, 8] and list(pas.y) == [1, 0]
    assert list(pro.x) == [9, 10] and list(pro.y) == [1, 1]
    # Five answers: the two 3s are 40 %; the blank is not an answer.
    assert det.customdata[3] == pytest.approx(0.4)
    assert det.marker.color != pro.marker.color != pas.marker.color
    assert fig.layout.yaxis.title.text == "Answers"


def test_score_histogram_of_no_answers_is_all_zero_bars():
    fig = charts.score_histogram(pd.Series([], dtype="float64"))
    assert [list(t.y) for t in fig.data] == [[0] * 7, [0, 0], [0, 0]]


def test_split_by_sorts_by_nps_and_flags_small_groups():
    table = satisfaction.nps_by(SURVEYS, "channel")
    fig = charts.nps_split_by(table, dimension="Channel")
    # ads: one 3 -> NPS -100; web: 10, 9 -> NPS 100. The blank channel is left out; the
    # channels cased as everywhere else.
    assert list(fig.data[2].y) == ["Ads (n = 1)", "Web (n = 2)"]
    np.testing.assert_allclose(fig.data[0].x, [1.0, 0.0])  # detractors
    np.testing.assert_allclose(fig.data[2].x, [0.0, 1.0])  # promoters
    assert tuple(fig.data[2].customdata[1]) == ("Web: NPS +100", 2, 2)
    assert _axis_titles(fig) == ["Share of answers", "Channel"]


def test_csat_by_chart_puts_the_best_on_top_and_pales_small_groups():
    table = pd.DataFrame(
        {"n": [40, 2], "mean": [3.5, 4.5], "satisfied": [20, 1], "satisfied_share": [0.5, 0.5]},
        index=pd.Index(["Ana", "Ivo"], name="agent"),
    )
    fig = charts.csat_by_chart(table, dimension="Agent", scale_max=5)
    assert list(fig.data[0].y) == ["Ana", "Ivo (n = 2)"]
    np.testing.assert_allclose(fig.data[0].x, [3.5, 4.5])
    colours = list(fig.data[0].marker.color)
    assert colours[0] != colours[1]
    assert list(fig.layout.xaxis.range) == [0, 5]
    assert fig.layout.xaxis.title.text == "Mean satisfaction score (1 to 5)"


def test_csat_over_time_is_a_gap_where_a_period_has_no_answers():
    surveys = SURVEYS.assign(score=[5.0, 4.0, 1.0, 3.0])
    series = satisfaction.csat_series(surveys, period="month", scale_max=5)
    fig = charts.csat_over_time(series, period="month", scale_max=5)
    # January (5 + 4 + 1) / 3 = 3.33, 2 of 3 satisfied; February none; March 3.
    np.testing.assert_allclose(fig.data[0].y, [10 / 3, NAN, 3.0])
    assert tuple(fig.data[0].customdata[0]) == ("2025-01", pytest.approx(2 / 3), 3)
    assert list(fig.layout.yaxis.range) == [0, 5]


def test_themes_chart_draws_one_group_most_frequent_on_top():
    themes = pd.DataFrame(
        {
            "group": ["promoter", "promoter", "detractor"],
            "kind": ["word", "phrase", "word"],
            "term": ["friendly", "friendly staff", "late"],
            "count": [3, 2, 1],
            "share_of_comments": [0.75, 0.5, 1.0],
        }
    )
    fig = charts.themes_chart(themes, "promoter")
    assert list(fig.data[0].y) == ["friendly staff", "friendly"]
    np.testing.assert_allclose(fig.data[0].x, [0.5, 0.75])
    assert fig.layout.xaxis.title.text == "Share of comments"
    assert fig.layout.title.text == "Promoters (9-10)"


def test_competitor_comparison_highlights_you_and_orders_by_value():
    others = pd.Series({"Acme": 50.0, "You": -10.0, "Zeta": 0.0})
    fig = charts.competitor_comparison(20.0, others, metric="NPS", unit="points")
    assert list(fig.data[0].x) == ["You"] and list(fig.data[0].y) == [20.0]
    assert list(fig.data[1].x) == ["Acme", "You (competitor)", "Zeta"]
    assert list(fig.layout.xaxis.categoryarray) == ["Acme", "You", "Zeta", "You (competitor)"]
    assert fig.layout.yaxis.title.text == "NPS (points)"


def test_no_axis_title_is_a_raw_column_name():
    series = satisfaction.nps_series(SURVEYS, period="month")
    figs = [
        charts.nps_split_over_time(series, period="month"),
        charts.nps_over_time(series, period="month"),
        charts.score_histogram(SURVEYS["score"]),
        charts.nps_split_by(satisfaction.nps_by(SURVEYS, "channel"), dimension="Channel"),
    ]
    for fig in figs:
        for title in _axis_titles(fig):
            assert title and "_" not in title, title


# --------------------------------------------------------------------------------------------
# The view's helpers


def test_benchmarks_keep_named_numbers_in_range():
    table = pd.DataFrame(
        {
            "Competitor": pd.array(["Acme", "  ", "Beta", None, "Gamma"], dtype="str"),
            "NPS": [40.0, 10.0, NAN, 5.0, -100.0],
        }
    )
    result = sv.benchmarks(table, "NPS", low=-100, high=100)
    expected = pd.Series([40.0, -100.0], index=["Acme", "Gamma"], name="NPS")
    tm.assert_series_equal(result, expected)


def test_in_range_includes_both_end_days():
    result = sv.in_range(SURVEYS, pd.Timestamp("2025-01-20"), pd.Timestamp("2025-01-31"))
    assert result["score"].tolist() == [9.0, 3.0]


# --------------------------------------------------------------------------------------------
# The page (AppTest)


def _open(app_test, dataset=None):
    at = app_test()
    if dataset is not None:
        at.session_state["dataset"] = dataset
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def _tab(at, name: str):
    """Open one of the page's tabs: only the open tab runs and is drawn."""
    at.session_state["sat_tab"] = name
    at.run()
    assert not at.exception, (name, [e.value for e in at.exception])
    return at


def test_page_cards_match_kpi_functions_on_sample_data(app_test):
    at = _open(app_test)
    surveys = _sample()["surveys"]
    kinds = satisfaction.survey_kinds(surveys)
    nps = satisfaction.net_promoter_score(surveys[(kinds == "nps").to_numpy()])
    assert _metric(at, "NPS").value == fmt.points(nps.score)
    captions = [c.value for c in at.caption]
    assert f"±{nps.margin_of_error:.1f} points (95 %)" in " ".join(captions)
    c = satisfaction.csat(surveys[(kinds == "csat").to_numpy()])
    assert _metric(at, "CSAT").value == f"{c.mean:.2f} of {c.scale_max}"
    enps = satisfaction.employee_net_promoter_score(surveys)
    assert _metric(at, "eNPS").value == fmt.points(enps.score)
    # The tabs run only when open: NPS's two charts over time first, then the breakdown's
    # two (scores given, NPS by group), CSAT's and the comments'.
    charts_drawn = {"NPS": len(at.get("plotly_chart"))}
    for name in ("NPS breakdown", "CSAT", "What customers say"):
        charts_drawn[name] = len(_tab(at, name).get("plotly_chart"))
    assert charts_drawn["NPS"] == 2 and charts_drawn["NPS breakdown"] == 2
    assert sum(charts_drawn.values()) >= 6, charts_drawn
    assert not at.warning, "the sample has more than 30 answers everywhere"


def test_change_against_the_previous_range_is_the_nps_difference(app_test):
    at = app_test()
    at.session_state["f_start"] = pd.Timestamp("2026-01-01").date()
    at.session_state["f_end"] = pd.Timestamp("2026-06-30").date()
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    rows = sv.answers_by_kind(_sample()["surveys"])["nps"]
    # 181 days: the previous range is 2025-07-04 .. 2025-12-31.
    now = satisfaction.net_promoter_score(rows, start=pd.Timestamp("2026-01-01"),
                                          end=pd.Timestamp("2026-06-30"))  # fmt: skip
    before = satisfaction.net_promoter_score(rows, start=pd.Timestamp("2025-07-04"),
                                             end=pd.Timestamp("2025-12-31"))  # fmt: skip
    card = _metric(at, "NPS")
    assert card.value == fmt.points(now.score)
    assert card.delta == f"{now.score - before.score:+.1f} points"


def test_what_if_slider_moves_the_nps(app_test):
    at = _tab(_open(app_test), "Competitors and what-if")
    at.slider(key="sat_what_if_detractors").set_value(50).run()
    assert not at.exception
    rows = sv.answers_by_kind(_sample()["surveys"])["nps"]
    nps = satisfaction.net_promoter_score(rows)
    after = satisfaction.nps_what_if(nps, detractors_to_passives=0.5)
    card = _metric(at, "NPS after the change")
    assert card.value == fmt.points(after)
    assert card.delta == f"{after - nps.score:+.1f} points"


def test_split_by_offers_the_breakdowns_of_the_data(app_test):
    at = _open(app_test)
    assert not at.segmented_control  # on the breakdown's tab
    split = _tab(at, "NPS breakdown").segmented_control(key="sat_split_by")
    # The sample's NPS answers carry segment and channel, not agent; segment comes first.
    assert split.options == ["Segment", "Channel"] and split.value == "segment"
    split.set_value("channel").run()
    assert not at.exception
    assert "Channel" in at.get("plotly_chart")[-1].proto.spec
    # A click on the chosen one unselects it: the chart stays on the channel.
    at.segmented_control(key="sat_split_by").set_value(None).run()
    assert not at.exception and at.session_state["sat_split"] == "channel"
    assert "Channel" in at.get("plotly_chart")[-1].proto.spec


def test_the_split_by_choice_survives_a_visit_to_another_tab(app_test):
    # The tabs are lazy: a closed tab's widgets are not drawn, and Streamlit forgets them.
    at = _open(app_test)
    _tab(at, "NPS breakdown").segmented_control(key="sat_split_by").set_value("channel").run()
    _tab(at, "CSAT")
    assert "sat_split_by" not in at.session_state
    _tab(at, "NPS breakdown")
    assert not at.exception
    assert at.segmented_control(key="sat_split_by").value == "channel"


def test_without_surveys_the_page_says_what_unlocks_it(app_test):
    orders = (ROOT / "sample_data" / "orders.csv").read_bytes()
    at = _open(app_test, load_files([("orders.csv", orders)]))
    assert not at.metric
    text = " ".join(i.value for i in at.info)
    assert "surveys" in text and "Data page" in text


HOSTILE = (
    b"date,survey_type,score,comment\n"
    b"2025-01-03,nps,2,<script>alert(1)</script>\n"
    b"2025-01-04,nps,10,**bold**\n"
    b"2025-01-05,nps,8,[link](javascript:alert(1))\n"
    b"2025-01-06,csat,4,\n"
)


def test_hostile_comments_are_shown_literally_and_a_small_sample_is_warned(app_test):
    orders = (ROOT / "sample_data" / "orders.csv").read_bytes()
    at = _open(app_test, load_files([("orders.csv", orders), ("surveys.csv", HOSTILE)]))
    _tab(at, "What customers say")
    shown = [c for df in at.dataframe for c in df.value.get("comment", pd.Series()).tolist()]
    assert "<script>alert(1)</script>" in shown
    assert "**bold**" in shown
    assert "[link](javascript:alert(1))" in shown
    for element in [*at.markdown, *at.caption, *at.info, *at.warning]:
        assert "<script>" not in element.value
        assert "**bold**" not in element.value
    # Three NPS answers: NPS (1 - 1) / 3 = 0, and fewer than 30 answers is warned.
    assert _metric(at, "NPS").value == "+0"
    assert any("Only 3 answers" in w.value for w in at.warning)


def test_untyped_answers_wait_for_the_type_and_scale_the_user_gives(app_test):
    # four answers without survey_type or scale_max: never typed or scaled from the scores
    text = "date,score\n2025-01-05,5\n2025-01-06,3\n2025-01-07,4\n2025-01-08,5\n"
    at = _open(app_test, load_files([("answers.csv", text.encode())]))
    assert all(m.label != "CSAT" or m.value == fmt.DASH for m in at.metric)
    assert any("left out" in c.value for c in at.caption)
    at.selectbox(key="sat_survey_type").set_value("csat").run()
    at.selectbox(key="sat_csat_scale").set_value(5).run()
    assert not at.exception, [e.value for e in at.exception]
    # (5 + 3 + 4 + 5) / 4 = 4.25 on the 1-5 scale the user chose
    assert _metric(at, "CSAT").value == "4.25 of 5"
    said = " ".join(c.value for c in at.caption)
    assert "Assumption: survey type csat (set by you)." in said
    assert "Assumption: CSAT scale 1-5 (set by you)." in said


def test_competitor_editor_shows_an_untyped_number_as_an_empty_cell(app_test):
    # Bolt has a CSAT and no NPS: its NPS cell is missing, and drawn empty, not as "None".
    at = app_test()
    at.query_params.update({"rivals": "Acme~35~4.2|Bolt~~3.9"})
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    _tab(at, "Competitors and what-if")
    editor = next(d for d in at.dataframe if d.proto.id and "competitors" in d.proto.id)
    assert editor.proto.HasField("placeholder") and editor.proto.placeholder == ""
    expected = pd.DataFrame(
        {"Competitor": pd.Series(["Acme", "Bolt", ""], dtype="str"),
         "NPS": [35.0, NAN, NAN], "CSAT": [4.2, 3.9, NAN]}
    )  # fmt: skip
    tm.assert_frame_equal(editor.value.reset_index(drop=True), expected, check_dtype=False)
    assert at.session_state["s_rivals"] == [["Acme", 35.0, 4.2], ["Bolt", None, 3.9]]
