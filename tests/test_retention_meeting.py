"""Retention's meeting view: where the range's rates cannot be measured (the full range starts
with nobody), the cards show the last whole period's rates, named so, not four dashes."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi import retention
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import retention_view as rv
from ui.growth_view import points_delta

PAGE = "pages/4_Retention.py"


def _sample() -> dict[str, pd.DataFrame]:
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files).tables


def _cards(at) -> dict[str, object]:
    return {m.label: m for m in at.metric}


@pytest.mark.parametrize(
    ("start", "end", "period", "expected"),
    [
        ("2023-11-01", "2026-10-31", "month", ("2026-10-01", "2026-10-31")),  # ends on a month end
        ("2023-11-01", "2026-10-30", "month", ("2026-09-01", "2026-09-30")),  # October unfinished
        ("2026-10-02", "2026-10-31", "month", None),  # no whole month inside
        ("2023-11-01", "2026-10-31", "quarter", ("2026-07-01", "2026-09-30")),  # Q4 runs to Dec
        ("2026-10-01", "2026-11-01", "week", ("2026-10-26", "2026-11-01")),  # Mon 26 - Sun 1
    ],
)
def test_last_complete_period_is_the_last_whole_period_inside_the_range(
    start, end, period, expected
):
    found = rv.last_complete_period(pd.Timestamp(start), pd.Timestamp(end), period)
    if expected is None:
        assert found is None
    else:
        assert found == (pd.Timestamp(expected[0]), pd.Timestamp(expected[1]))


def test_meeting_view_shows_the_last_whole_month_s_rates_where_the_range_s_are_unknown(app_test):
    tables = _sample()
    orders, customers = tables["orders"], tables["customers"]
    end = orders["order_date"].max()
    assert end == pd.Timestamp("2026-10-31")  # the default range is the whole sample
    at = app_test()
    at.query_params["meeting"] = "1"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _cards(at)

    # The range's own rates are unknown (nobody before 1 Nov 2023): no card names the range.
    assert not any("over the range" in label for label in shown)
    assert not any(label in shown for label in ("NRR", "GRR"))

    # Churn and CRR of October 2026, by the same KPI function as the range cards, against
    # September 2026.
    life = retention.contractual_lifetimes(customers, orders, as_of=end)
    oct_ = retention.churn_summary(
        life, start=pd.Timestamp("2026-10-01"), end=pd.Timestamp("2026-10-31")
    )
    sep = retention.churn_summary(
        life, start=pd.Timestamp("2026-09-01"), end=pd.Timestamp("2026-09-30")
    )
    # The rates are the catalogue's: lost / at the start, (at the end - new kept) / at the start.
    assert oct_.churn_rate == pytest.approx(oct_.lost / oct_.customers_start)
    kept = oct_.new - oct_.new_lost
    assert oct_.retention_rate == pytest.approx((oct_.customers_end - kept) / oct_.customers_start)
    churn = shown["Churn rate, Oct 2026"]
    assert churn.value == fmt.percent(oct_.churn_rate)
    assert churn.delta == points_delta(oct_.churn_rate, sep.churn_rate)
    crr = shown["Customer retention rate, Oct 2026"]
    assert crr.value == fmt.percent(oct_.retention_rate)
    assert crr.delta == points_delta(oct_.retention_rate, sep.retention_rate)
    # The help says why the month stands there, and which days it covers.
    for card in (churn, crr):
        assert "cannot be measured" in card.help and "1 Nov 2023" in card.help
        assert "1 Oct 2026 – 31 Oct 2026" in card.help
    assert f"{fmt.number(oct_.lost)} / {fmt.number(oct_.customers_start)}" in churn.help

    # NRR and GRR of October 2026 against the 31 days before it, and their change against
    # September's.
    money = retention.revenue_retention(
        orders, start=pd.Timestamp("2026-10-01"), end=pd.Timestamp("2026-10-31")
    )
    earlier = retention.revenue_retention(
        orders, start=pd.Timestamp("2026-09-01"), end=pd.Timestamp("2026-09-30")
    )
    assert money.nrr == pytest.approx(money.revenue_now / money.revenue_before)
    assert money.grr == pytest.approx(money.capped_now / money.revenue_before)
    assert shown["NRR, Oct 2026"].value == fmt.percent(money.nrr)
    assert shown["NRR, Oct 2026"].delta == points_delta(money.nrr, earlier.nrr)
    assert shown["GRR, Oct 2026"].value == fmt.percent(money.grr)
    assert shown["GRR, Oct 2026"].delta == points_delta(money.grr, earlier.grr)
    assert "nobody bought then" in shown["NRR, Oct 2026"].help
    # No dash left among the cards.
    assert fmt.DASH not in [m.value for m in at.metric]


def test_outside_the_meeting_view_the_range_cards_still_say_why_they_are_unknown(app_test):
    at = app_test()
    at.run()
    at.switch_page(PAGE).run()
    shown = _cards(at)
    assert shown["Churn rate over the range"].value == fmt.DASH
    assert shown["NRR"].value == fmt.DASH
    assert not any("Oct 2026" in label for label in shown)


def test_cards_compared_with_days_without_data_say_no_change_is_shown(app_test):
    # The whole sample's range (1 Nov 2023 - 31 Oct 2026) has nothing in the three years before
    # it: the per-month churn and the inactive count show no change, and their help says so
    # instead of "Change against 1 Nov 2020 - 31 Oct 2023".
    at = app_test()
    at.run()
    at.switch_page(PAGE).run()
    shown = _cards(at)
    for label in ("Churn rate per month", "Inactive customers"):
        card = shown[label]
        assert not card.delta, label
        assert "No change is shown" in card.help and "Change against" not in card.help, label
