"""Page settings in plain session keys and in the link: declared, parsed strictly, kept across
pages; links that cannot be honoured say so."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi import scenario as sc
from kpi import staffing, value
from ui import retention_charts, state
from ui import retention_view as rv
from ui import whatif_view as wv
from ui.retention_view import CONTRACTUAL, INACTIVITY


def test_the_registry_repeats_the_pages_lists_exactly():
    assert state.CHURN_KINDS == (CONTRACTUAL, INACTIVITY)
    assert state.LTV_VARIANTS == value.VARIANTS
    b = sc.Baseline(churn=0.03, arpu=100.0, gross_margin=0.5, cac=300.0, new_customers=12.0,
                    referral_rate=0.01, paid_new=10.0, discount_rate=0.1, customers=500,
                    months=12.0)  # fmt: skip
    assert {lv.name: lv.code for lv in wv.levers(b, "EUR")} == state.LEVER_CODES
    assert state.SETTING["s_discount"].default == round(value.DEFAULT_DISCOUNT_RATE * 100)
    assert tuple(retention_charts.METRICS) == state.COHORT_METRICS
    assert state.COHORT_PERIODS == rv.GRANULARITIES
    assert tuple(rv.ATTRIBUTES) == state.SPLITS
    assert state.WEEKDAYS == staffing.WEEKDAYS
    names = [s.name for s in state.SETTINGS]
    assert len(set(names)) == len(names) and not set(names) & set(state.FILTER_KEYS)


@pytest.mark.parametrize("setting", state.SETTINGS, ids=lambda s: s.name)
def test_every_default_is_valid_and_survives_the_link(setting):
    if setting.default is not None:
        assert setting.valid(setting.default)
        assert setting.parse(setting.render(setting.default)) == setting.default


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=30))
def test_link_text_is_parsed_strictly(text):
    for s in state.SETTINGS:
        got = s.parse(text)
        assert got is None or s.valid(got)


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("s_window", "45", 45),
        ("s_window", "0", None),  # below the bound
        ("s_window", "45.5", None),
        ("s_window", "__import__('os')", None),
        ("s_window", "1e3", None),
        ("s_discount", "31", None),
        ("s_horizon", "24", 24),
        ("s_horizon", "18", None),
        ("s_churn", "inactivity", "inactivity"),
        ("s_churn", "anything", None),
        ("sup_first_target", "8.5", 8.5),
        ("sup_first_target", "nan", None),
        ("sup_bh_days", "0.1.2", [0, 1, 2]),
        ("sup_bh_days", "0.7", None),
        ("sup_bh_start", "9.5", 9.5),
        ("sup_bh_start", "9.25", None),
        ("sup_bh_on", "1", True),
        ("sup_bh_on", "True", None),
        ("s_rivals", "Acme~35~4.2|Bolt~~3.9", [["Acme", 35.0, 4.2], ["Bolt", None, 3.9]]),
        ("s_rivals", "Acme~135~", None),  # NPS above 100
        ("s_rivals", "Acme~35", None),  # a field missing
        ("s_rivals", "<b>~1~1", None),
        ("s_rivals", "~1~1", None),  # no name
        ("s_slot_day", "Tue", "Tue"),
        ("s_slot_day", "Tuesday", None),
        ("s_slot_hour", "24", None),
        ("s_csat_scale", "7", 7),
        ("s_csat_scale", "6", None),
        ("s_ret_split", "segment", "segment"),
        ("s_ret_split", "customer_id", None),
        ("s_ret_sbg_cohort", "Jan 2025", "Jan 2025"),
        ("s_ret_sbg_cohort", "a\x00b", None),
    ],
)
def test_examples_of_link_values(key, text, expected):
    assert state.SETTING[key].parse(text) == expected


def test_a_saved_scenario_round_trips_through_the_link():
    text = state.encode_scenario("Churn down", {"churn": 2.0, "cac": 40.0})
    assert text == "Churn down~c=2~k=40"
    assert state.decode_scenario(text) == ("Churn down", {"churn": 2.0, "cac": 40.0})
    for bad in ("", "<b>x</b>~c=1", "x~z=1", "x~c=1e999", "x~c=" + "9" * 12, "a" * 41):
        assert state.decode_scenario(bad) is None, bad


def test_link_dates_outside_the_data_are_never_clamped_in_silence():
    lo, hi = dt.date(2024, 1, 1), dt.date(2025, 6, 30)
    inside = state.dates_from_link(dt.date(2024, 3, 1), dt.date(2024, 4, 1), lo, hi)
    assert inside == (dt.date(2024, 3, 1), dt.date(2024, 4, 1), None)
    start, end, note = state.dates_from_link(dt.date(2030, 1, 1), dt.date(2030, 2, 1), lo, hi)
    assert (start, end) == (lo, hi) and "no orders" in note and "full range" in note
    start, end, note = state.dates_from_link(dt.date(2025, 6, 1), dt.date(2026, 1, 1), lo, hi)
    assert (start, end) == (dt.date(2025, 6, 1), hi) and "2026-01-01" in note
    assert state.dates_from_link(dt.date(2025, 2, 1), dt.date(2025, 1, 1), lo, hi) is None


def _orders() -> bytes:
    rows = ["customer_id,order_date,amount"]
    for c in range(30):
        for m in range(1, 1 + c % 6 + 1):
            rows.append(f"C{c},2025-{m:02d}-{1 + c % 27:02d},{10 + c}")
    return "\n".join(rows).encode()


def _upload(at) -> None:
    at.switch_page("pages/1_Data.py").run()
    at.file_uploader(key="uploader").upload("orders.csv", _orders(), "text/csv").run()
    [use] = [b for b in at.button if b.label == "Use these tables"]
    use.click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_retention_window_survives_a_page_switch_and_goes_into_the_link(app_test):
    at = app_test().run()
    _upload(at)
    at.switch_page("pages/4_Retention.py")
    at.session_state["ret_how"] = True  # the churn-definition panel opened
    at.run()
    at.number_input(key="ret_window").set_value(45).run()
    del at.session_state["ret_how"]  # closed again
    at.run()
    churned = [m.value for m in at.metric]
    at.switch_page("app.py").run()
    at.switch_page("pages/4_Retention.py").run()
    # Back on the page, the panel is closed and its window in force, as the caption says.
    assert not at.number_input and [m.value for m in at.metric] == churned
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "no order for 45 days (the window set by you" in said
    at.session_state["ret_how"] = True
    at.run()
    assert at.number_input(key="ret_window").value == 45
    assert at.query_params.get("window") == "45"
    assert at.query_params.get("data") == "upload"


def test_settings_come_from_the_link_on_any_page(app_test):
    at = app_test()
    at.query_params.update({"discount": "25", "horizon": "24", "scn": "Cheaper~k=40"})
    at.switch_page("pages/5_Value.py").run()
    assert not at.exception
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "discount rate 25 % a year (set by you)" in said
    at.session_state["val_settings"] = True  # the LTV settings panel opened
    at.run()
    assert at.slider(key="val_discount").value == 25
    assert at.session_state["wi_saved"] == {"Cheaper": {"cac": 40.0}}
    at.switch_page("app.py").run()
    assert at.query_params.get("discount") == "25" and at.query_params.get("scn") == "Cheaper~k=40"


def test_a_link_to_an_upload_the_receiver_lacks_says_so_and_shows_no_sample_numbers(app_test):
    at = app_test()
    at.query_params.update({"data": "upload", "window": "45"})
    at.run()
    assert not at.exception
    assert any("not here" in w.value for w in at.warning)
    assert not [m for m in at.metric if m.label == "Revenue"]
    [go] = [b for b in at.button if b.label == "Explore the sample business instead"]
    go.click().run()
    assert [m for m in at.metric if m.label == "Revenue"]
    assert "data" not in at.query_params


def test_a_link_to_database_data_the_receiver_has_not_fetched_says_so(app_test):
    # The receiver has no connection "shop": the data cannot be fetched here.
    at = app_test()
    at.query_params.update({"data": "database:shop", "window": "45"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [note] = [w.value for w in at.warning if "not loaded here" in w.value]
    assert "fetched from the database connection **shop**" in note
    assert "This app has no connection **shop**" in note
    assert not any("uploaded data" in w.value for w in at.warning)
    assert "Go to the Data page" in [link.label for link in at.get("page_link")]
    assert not [m for m in at.metric if m.label == "Revenue"]
    # The receiver has it: told where to fetch the same tables.
    at = app_test()
    at.secrets["connections"] = {"shop": {"url": "duckdb:///nowhere/shop.duckdb"}}
    at.query_params.update({"data": "database:shop"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [note] = [w.value for w in at.warning if "not loaded here" in w.value]
    assert "This app has the connection **shop**" in note and "Connect a database" in note
    assert "Fetch it on the Data page" in [link.label for link in at.get("page_link")]
    [go] = [b for b in at.button if b.label == "Explore the sample business instead"]
    go.click().run()
    assert [m for m in at.metric if m.label == "Revenue"]
    assert "data" not in at.query_params
    # A marker that is not a plain connection name is not taken as one.
    at = app_test()
    at.query_params.update({"data": "database:<b>x</b>"})
    at.run()
    assert not at.exception
    assert not [w for w in at.warning if "not loaded here" in w.value]


def test_a_link_with_dates_outside_the_data_says_what_is_shown(app_test):
    at = app_test()
    at.query_params.update({"start": "2031-01-01", "end": "2031-02-01"})
    at.run()
    assert any("Showing the full range" in i.value for i in at.info)
    revenue = next(m.value for m in at.metric if m.label == "Revenue")
    assert revenue.replace("€", "").strip() not in ("0", "")


def test_team_staffing_inputs_survive_a_page_switch_and_go_into_the_link(app_test):
    at = app_test()
    at.switch_page("pages/9_Team.py").run()
    assert not at.slider, "Team opens on its agents, the staffing tab closed"
    at.session_state["team_tab"] = "Staffing what-if"  # only the open tab is drawn
    at.run()
    at.radio(key="team_slot_mode").set_value("choose").run()
    at.selectbox(key="team_slot_day").set_value("Tue").run()
    at.selectbox(key="team_slot_hour").set_value(14).run()
    at.number_input(key="team_arrivals").set_value(7.5).run()
    at.slider(key="team_agents").set_value(6).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [(m.label, m.value) for m in at.metric]
    at.switch_page("app.py").run()
    assert at.query_params.get("slot_day") == "Tue" and at.query_params.get("slot_hour") == "14"
    assert at.query_params.get("arrivals") == "7.5" and at.query_params.get("agents") == "6"
    at.switch_page("pages/9_Team.py").run()
    assert at.selectbox(key="team_slot_day").value == "Tue"
    assert at.number_input(key="team_arrivals").value == 7.5
    assert at.slider(key="team_agents").value == 6
    assert [(m.label, m.value) for m in at.metric] == shown
    assert any("set by you" in c.value for c in at.caption)
    # Another hour of the week: the tickets and agents typed for the old one are dropped.
    at.selectbox(key="team_slot_hour").set_value(15).run()
    assert "arrivals" not in at.query_params and "agents" not in at.query_params


def test_team_staffing_inputs_come_from_a_link(app_test):
    at = app_test()
    at.query_params.update({"slot": "choose", "slot_day": "Wed", "slot_hour": "10",
                            "arrivals": "12", "agents": "9", "answer_s": "30"})  # fmt: skip
    at.switch_page("pages/9_Team.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="team_agents").value == 9
    assert at.number_input(key="team_arrivals").value == 12.0
    # 12 tickets an hour of the handling time shown, 9 agents, 30 s: the cards say so
    assert any(m.label == "Answered within 30 s" for m in at.metric)


def test_retention_chart_choices_survive_a_page_switch_and_go_into_the_link(app_test):
    at = app_test()
    at.switch_page("pages/4_Retention.py")
    at.session_state["ret_tab"] = "Cohorts"  # only the open tab is drawn
    at.run()
    at.selectbox(key="ret_granularity").set_value("quarter").run()
    at.selectbox(key="ret_split").set_value("segment").run()
    at.session_state["ret_tab"] = "Survival"  # only the open tab is drawn
    at.run()
    at.selectbox(key="ret_km_split").set_value("segment").run()
    at.session_state["ret_tab"] = "Projection (sBG)"
    at.run()
    at.selectbox(key="ret_sbg_cohort").set_value(at.selectbox(key="ret_sbg_cohort").options[2])
    at.run()
    cohort = at.selectbox(key="ret_sbg_cohort").value
    at.slider(key="ret_sbg_k").set_value(3).run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    at.switch_page("app.py").run()
    assert at.query_params.get("cohort_by") == "quarter"
    assert at.query_params.get("cohort_split") == "segment"
    assert at.query_params.get("km_split") == "segment"
    assert at.query_params.get("sbg_cohort") == cohort and at.query_params.get("sbg_fit") == "3"
    at.switch_page("pages/4_Retention.py")
    at.session_state["ret_tab"] = "Cohorts"
    at.run()
    assert at.selectbox(key="ret_granularity").value == "quarter"
    assert at.selectbox(key="ret_split").value == "segment"
    at.session_state["ret_tab"] = "Survival"
    at.run()
    assert at.selectbox(key="ret_km_split").value == "segment"
    at.session_state["ret_tab"] = "Projection (sBG)"
    at.run()
    assert at.selectbox(key="ret_sbg_cohort").value == cohort
    assert at.slider(key="ret_sbg_k").value == 3
    assert [c.value for c in at.caption] == captions


def test_a_link_with_a_cohort_the_data_lacks_falls_back_to_the_whole_base(app_test):
    at = app_test()
    at.query_params.update({"sbg_cohort": "Jan 1999", "cohort_split": "plan"})
    at.switch_page("pages/4_Retention.py")
    at.session_state["ret_tab"] = "Cohorts"  # only the open tab is drawn
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="ret_split").value == "plan"  # the sample's customers have plans
    at.session_state["ret_tab"] = "Projection (sBG)"  # only the open tab is drawn
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="ret_sbg_cohort").value == "whole"


def test_competitors_come_from_the_link_and_go_back_into_it(app_test):
    at = app_test()
    at.query_params.update({"rivals": "Acme~35~4.2|Bolt~~3.9"})
    at.switch_page("pages/7_Satisfaction.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["s_rivals"] == [["Acme", 35.0, 4.2], ["Bolt", None, 3.9]]
    at.session_state["sat_tab"] = "Competitors and what-if"  # only the open tab is drawn
    at.run()
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"Acme"' in spec for spec in titles)
    assert any('"Bolt"' in spec for spec in titles)  # on the CSAT chart
    assert not any("Type competitors" in c.value for c in at.caption)
    at.switch_page("app.py").run()
    assert at.query_params.get("rivals") == "Acme~35~4.2|Bolt~~3.9"


def test_filters_wait_closed_under_a_label_that_says_what_is_in_force(app_test):
    at = app_test()
    at.query_params.update({"start": "2025-01-01", "end": "2025-06-30", "period": "quarter",
                            "channel": ["ads", "search", "referral"]})  # fmt: skip
    at.switch_page("pages/3_Revenue.py").run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [e.label for e in at.sidebar.expander]
    # Three channels chosen: the first two named, the third counted.
    summary = (
        "Filters: 1 Jan 2025 – 30 Jun 2025 · by quarter · EUR · Channel: Ads, Search and 1 more"
    )
    assert summary in labels
    # Closed, the panel sends no widget: a first visit loads none of their code.
    assert not at.sidebar.date_input and not at.sidebar.multiselect and not at.sidebar.selectbox
    revenue = at.metric[0].value
    at.session_state["filters_open"] = True  # what opening the panel sets (frame._keep_panel)
    at.run()
    assert at.sidebar.date_input[0].value == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert at.sidebar.selectbox(key="_w_period").value == "quarter"
    assert at.sidebar.multiselect(key="_w_channel").value == ["ads", "search", "referral"]
    assert at.metric[0].value == revenue  # the same filters, open or closed
    # A change made in the panel is in force and in its label; the panel stays open on the
    # next page.
    at.sidebar.multiselect(key="_w_channel").set_value(["ads"]).run()
    assert any(label.endswith("Channel: Ads") for label in (e.label for e in at.sidebar.expander))
    at.switch_page("app.py").run()
    assert at.sidebar.multiselect(key="_w_channel").value == ["ads"]
    assert at.query_params.get("channel") == "ads"
