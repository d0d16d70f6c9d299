"""What-if page: figures by their data, the view's pure helpers, and AppTest flows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi import scenario as sc
from kpi.filters import data_range
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import whatif_charts as charts
from ui import whatif_view as wv

PAGE = "pages/6_What_if.py"
NUMBERS = "wi_numbers"  # session key of the page's "The numbers" expander
NAN = float("nan")


def _tiny(**changes: float) -> sc.Baseline:
    values = dict(churn=0.1, arpu=10.0, gross_margin=0.5, cac=20.0, new_customers=7.0,
                  referral_rate=0.02, paid_new=5.0, discount_rate=0.0, customers=100,
                  months=12.0)  # fmt: skip
    values.update(changes)
    return sc.Baseline(**values)  # type: ignore[arg-type]


def _sample() -> dict[str, pd.DataFrame]:
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files).tables


START, END = data_range(_sample())


# --------------------------------------------------------------------------------------------
# Figures, by their data


def _two_lines():
    b = _tiny()
    base = sc.projection(b, sc.Levers.of(b), horizon=2)
    faster = sc.projection(b, sc.Levers.of(b).changed(churn=0.2), horizon=2)
    return {"Baseline": base, "Scenario": faster}


def test_customers_chart_draws_baseline_dashed_and_scenario_from_today():
    fig = charts.projection_chart(_two_lines(), measure="customers")
    base, scen = fig.data
    # Baseline: 100 -> 100 x 0.9 + 7 = 97 -> 97 x 0.9 + 6.94 = 94.24.
    # Churn 20 %: 100 -> 100 x 0.8 + 7 = 87 -> 87 x 0.8 + (5 + 0.02 x 87) = 76.34.
    assert list(base.x) == [0, 1, 2]
    np.testing.assert_allclose(base.y, [100.0, 97.0, 94.24])
    np.testing.assert_allclose(scen.y, [100.0, 87.0, 76.34])
    assert base.line.dash == "dash" and scen.line.dash == "solid"
    assert [t.name for t in fig.data] == ["Baseline", "Scenario"]
    assert fig.layout.xaxis.title.text == "Months from today"
    assert fig.layout.yaxis.title.text == "Active customers"


def test_revenue_chart_leaves_out_month_zero_which_has_no_revenue():
    fig = charts.projection_chart(_two_lines(), measure="revenue", currency="EUR")
    base = fig.data[0]
    # Month 0 is today (NaN revenue, not drawn); month 1: 10 x (100 + 97) / 2 = 985;
    # month 2: 10 x (97 + 94.24) / 2 = 956.2.
    assert list(base.x) == [1, 2]
    np.testing.assert_allclose(base.y, [985.0, 956.2])
    assert fig.layout.yaxis.title.text == "Revenue in the month (€)"
    assert "%{y:,.0f} €" in base.hovertemplate


def test_projection_chart_refuses_an_unknown_measure():
    with pytest.raises(ValueError, match="customers or revenue"):
        charts.projection_chart(_two_lines(), measure="profit")


# --------------------------------------------------------------------------------------------
# The view's pure helpers


def test_no_override_gives_the_baseline_levers_exactly_even_with_unknown_cac():
    for b in (_tiny(), _tiny(cac=NAN, churn=0.0123456789)):
        result = wv.scenario_levers(b, {}, "EUR")
        expected = sc.Levers.of(b)
        for name in sc.LEVER_NAMES:
            got, want = getattr(result, name), getattr(expected, name)
            assert got == want or (math.isnan(got) and math.isnan(want)), name


def test_overrides_are_screen_units_and_round_trip_through_the_url():
    b = _tiny()
    overrides = {"churn": 1.5, "price_change": -5.0, "cac": 30.0, "referral_rate": 0.3}
    query = wv.encode(overrides, b, "EUR")
    assert query == {"w_c": "1.5", "w_p": "-5", "w_k": "30", "w_r": "0.3"}
    assert wv.decode(query, b, "EUR") == overrides
    levers = wv.scenario_levers(b, overrides, "EUR")
    assert levers.churn == 0.015 and levers.price_change == -0.05 and levers.cac == 30.0
    assert levers.referral_rate == pytest.approx(0.003)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"w_c": "__import__('os').system('x')"}, {}),
        ({"w_c": "1e9", "w_m": "nan", "w_p": "inf"}, {}),
        # churn cannot go below 0.05 % nor prices below -90 %; a price rise of 500 % is kept
        # (the slider widens to it)
        ({"w_c": "-4", "w_p": "500"}, {"churn": 0.05, "price_change": 500.0}),
        ({"w_p": "-95", "w_m": "101"}, {"price_change": -90.0, "gross_margin": 100.0}),
        ({"w_zz": "3", "start": "2025-01-01"}, {}),
    ],
)
def test_hostile_or_out_of_range_query_values_are_ignored_or_clamped(query, expected):
    assert wv.decode(query, _tiny(), "EUR") == expected


def test_values_are_written_the_page_way():
    assert wv.show_value(math.inf, "months", "EUR") == "never"
    assert wv.show_value(2540.8, "money", "EUR") == "€ 2,541"
    assert wv.show_difference(-0.25, "months", "EUR") == "-0.2 months"
    assert wv.show_difference(1009.4, "money", "EUR") == "+€ 1,009"
    assert wv.show_difference(0.0, "ratio", "EUR") == "no change"
    assert wv.show_difference(NAN, "months", "EUR") == fmt.DASH


# --------------------------------------------------------------------------------------------
# The page (AppTest)


def _open(app_test, query=None, dataset=None):
    at = app_test()
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if dataset is not None:
        at.session_state["dataset"] = dataset
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at) -> pd.DataFrame:
    """The scenario table: the page's first table (Measure, Baseline, Scenario, Difference),
    in "The numbers", which is opened (and the page rerun) when it is closed."""
    if NUMBERS not in at.session_state or not at.session_state[NUMBERS]:
        at.session_state[NUMBERS] = True
        at.run()
    table = at.dataframe[0].value
    assert list(table.columns) == ["Measure", "Baseline", "Scenario", "Difference"]
    return table.set_index("Measure")


def _expected_column(o: sc.Outcome, currency: str = "EUR") -> list[str]:
    values = sc.measures(o)
    return [wv.show_value(values[k], unit, currency) for k, _, unit in sc.MEASURES]


def test_the_numbers_table_is_sent_only_once_its_expander_is_opened(app_test):
    at = _open(app_test)
    assert "The numbers" in [e.label for e in at.expander]
    assert not at.dataframe  # a first view loads no table code
    table = _table(at)  # opened
    b = sc.baseline(_sample(), start=START, end=END)  # the default date filter
    assert table["Baseline"].tolist() == _expected_column(sc.outcome(b, sc.Levers.of(b)))
    assert table["Scenario"].tolist() == table["Baseline"].tolist()  # no lever moved


def test_slider_moves_the_scenario_not_the_baseline_and_reset_restores_it(app_test):
    at = _open(app_test)
    b = sc.baseline(_sample(), start=START, end=END)  # the default date filter
    base = sc.outcome(b, sc.Levers.of(b))
    table = _table(at)
    assert table["Baseline"].tolist() == _expected_column(base)
    assert table["Scenario"].tolist() == table["Baseline"].tolist()
    assert set(table["Difference"]) == {"no change"}
    assert next(m for m in at.metric if m.label == "LTV").value == fmt.money(base.ltv, "EUR")
    assert not any(k.startswith("w_") for k in at.query_params)

    at.slider(key="wi_s_churn").set_value(1.0).run()
    assert not at.exception
    table = _table(at)
    assert table["Baseline"].tolist() == _expected_column(base)
    moved = sc.outcome(b, sc.Levers.of(b).changed(churn=0.01))
    assert table["Scenario"].tolist() == _expected_column(moved)
    assert table.at["LTV (gross profit per customer)", "Difference"].startswith("+€")
    assert at.query_params["w_c"] == "1"

    at.button(key="wi_reset").click().run()
    table = _table(at)
    assert table["Scenario"].tolist() == _expected_column(base)
    assert "w_c" not in at.query_params


def test_a_link_with_w_keys_reopens_the_scenario_in_its_date_range(app_test):
    query = {"start": "2026-01-01", "end": "2026-06-30", "w_c": "1.2", "w_p": "5"}
    at = _open(app_test, query)
    b = sc.baseline(_sample(), start=pd.Timestamp("2026-01-01"), end=pd.Timestamp("2026-06-30"))
    table = _table(at)
    assert table["Baseline"].tolist() == _expected_column(sc.outcome(b, sc.Levers.of(b)))
    levers = sc.Levers.of(b).changed(churn=0.012, price_change=0.05)
    assert table["Scenario"].tolist() == _expected_column(sc.outcome(b, levers))
    assert at.slider(key="wi_s_churn").value == pytest.approx(1.2)
    assert at.slider(key="wi_s_price_change").value == pytest.approx(5.0)


def test_a_link_value_outside_a_slider_widens_its_track_and_an_impossible_one_is_named(
    app_test,
):
    at = _open(app_test, {"w_c": "45", "w_p": "3", "w_m": "250"})
    b = sc.baseline(_sample(), start=START, end=END)
    churn = next(lv for lv in wv.levers(b, "EUR") if lv.name == "churn")
    assert churn.high < 45  # the track is centred on the measured churn, far below 45 %
    slider = at.slider(key="wi_s_churn")
    assert slider.value == pytest.approx(45.0) and slider.max == pytest.approx(45.0)
    said = [c.value.replace("\\", "") for c in at.caption]
    assert any("widened to 45.00 %" in c for c in said)
    # a margin of 250 % cannot be: it is brought to 100 % and the page says so, beside it
    assert at.slider(key="wi_s_gross_margin").value == pytest.approx(100.0)
    [note] = [w.value.replace("\\", "") for w in at.warning if "beyond what it can be" in w.value]
    assert "Gross margin to 250.0 %" in note and "uses 100.0 %" in note
    levers = sc.Levers.of(b).changed(churn=0.45, price_change=0.03, gross_margin=1.0)
    assert _table(at)["Scenario"].tolist() == _expected_column(sc.outcome(b, levers))
    at.slider(key="wi_s_gross_margin").set_value(60.0).run()
    assert not [w for w in at.warning if "beyond what it can be" in w.value]


def test_an_opened_scenario_outside_a_track_widens_it_instead_of_clamping(app_test):
    at = _open(app_test)
    at.session_state["wi_saved"] = {"Far": {"churn": 45.0}}
    at.run()
    at.selectbox(key="wi_open_name").set_value("Far").run()
    at.button(key="wi_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    slider = at.slider(key="wi_s_churn")
    assert slider.value == pytest.approx(45.0) and slider.max == pytest.approx(45.0)


def test_saved_scenarios_are_compared_with_the_baseline(app_test):
    at = _open(app_test)
    assert not at.text_input  # the name field waits in the closed "Save scenario" popover
    at.slider(key="wi_s_churn").set_value(1.0).run()
    at.session_state["wi_save_panel"] = True  # the popover opened
    at.run()
    at.text_input(key="wi_name").input("Churn 1 %").run()
    at.button(key="wi_save").click().run()
    assert not at.text_input  # saved: the popover closed, its name field emptied
    at.slider(key="wi_s_gross_margin").set_value(60.0).run()
    at.session_state["wi_save_panel"] = True
    at.run()
    assert at.text_input(key="wi_name").value == ""
    at.text_input(key="wi_name").input("Churn 1 %, margin 60 %").run()
    at.button(key="wi_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    compared = at.dataframe[-1].value.set_index("Measure")
    assert list(compared.columns) == ["Baseline", "Churn 1 %", "Churn 1 %, margin 60 %"]
    b = sc.baseline(_sample(), start=START, end=END)  # the default date filter
    both = sc.Levers.of(b).changed(churn=0.01, gross_margin=0.6)
    # The scenarios carry their levers, rate changes in percentage points.
    churn_pp = fmt.pp(0.01 - b.churn, 2)
    assert compared.at["Lever: monthly churn", "Churn 1 %"] == f"1.00 % ({churn_pp})"
    assert compared.at["Lever: gross margin", "Churn 1 %"] == fmt.percent(b.gross_margin, 2)
    assert compared.at["Lever: gross margin", "Churn 1 %, margin 60 %"].startswith("60.00 % (")
    # Each measure: the value, then its difference from the baseline in its own unit.
    measures = compared.iloc[len(sc.LEVER_NAMES) :]
    shown = [c.split(" (")[0] for c in measures["Churn 1 %, margin 60 %"]]
    assert shown == _expected_column(sc.outcome(b, both))
    ltv = measures.at["LTV (gross profit per customer)", "Churn 1 %, margin 60 %"]
    diff = sc.outcome(b, both).ltv - sc.outcome(b, sc.Levers.of(b)).ltv
    assert ltv.endswith(f"({wv.show_difference(diff, 'money', 'EUR')})")
    assert measures["Baseline"].tolist() == _table(at)["Baseline"].tolist()


def test_without_orders_the_page_says_what_unlocks_it(app_test):
    surveys = (ROOT / "sample_data" / "surveys.csv").read_bytes()
    at = _open(app_test, dataset=load_files([("surveys.csv", surveys)]))
    text = " ".join(i.value for i in at.info)
    assert "orders" in text and "Data page" in text
    assert not at.slider


def test_lever_tracks_are_centred_on_the_baseline_with_a_fine_step():
    b = _tiny(churn=0.019, cac=350.0, paid_new=93.7)
    by_name = {lever.name: lever for lever in wv.levers(b, "EUR")}
    churn = by_name["churn"]  # 1.9 % a month: 0.05 .. 3.9 % in steps of 0.02 points
    assert (churn.low, churn.high, churn.step) == pytest.approx((0.05, 3.9, 0.02))
    for name in ("churn", "cac", "acquisition", "gross_margin"):
        lever = by_name[name]
        base = wv.at_baseline(b, lever)
        assert lever.low <= base / 2 + 1e-9 or lever.low == 0.05
        assert base <= lever.high and (lever.high - lever.low) / lever.step >= 50


def test_every_lever_explains_its_baseline_in_one_sentence():
    b = _tiny(new_customers=108.9, paid_new=93.7)
    for lever in wv.levers(b, "EUR"):
        text = wv.explain(b, lever, "EUR")
        assert text.endswith(".") and text.count(". ") == 0, text
    paid = next(lv for lv in wv.levers(b, "EUR") if lv.name == "acquisition")
    # 108.9 new customers a month, 93.7 paid: the other 15.2 came by referral.
    assert "108.9" in wv.explain(b, paid, "EUR") and "15.2" in wv.explain(b, paid, "EUR")


def test_holding_the_budget_makes_a_cheaper_cac_buy_more_customers(app_test):
    at = _open(app_test)
    b = sc.baseline(_sample(), start=START, end=END)
    at.toggle(key="wi_w_budget").set_value(True).run()
    half = round(b.cac / 2)
    at.slider(key="wi_s_cac").set_value(float(half)).run()
    assert not at.exception, [e.value for e in at.exception]
    # Same spend a month, half the CAC: paid new customers x b.cac / half
    paid = b.paid_new * b.cac / half
    assert at.session_state[wv.OVERRIDES]["acquisition"] == pytest.approx(paid, abs=1e-4)
    assert at.slider(key="wi_s_acquisition").disabled
    # the page keeps the inflow to 4 decimals, as the link writes it
    kept = at.session_state[wv.OVERRIDES]["acquisition"]
    held = sc.Levers.of(b).changed(cac=float(half), acquisition=kept)
    table = _table(at)
    assert table["Scenario"].tolist() == _expected_column(sc.outcome(b, held))
