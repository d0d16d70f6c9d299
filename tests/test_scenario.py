"""What-if arithmetic: the baseline measured from tables, the projection, LTV and payback."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pandas._testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi import retention
from kpi import scenario as sc
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.ingest import load_files
from kpi.value import cac_payback_months, ltv_retention
from tests.conftest import ROOT

NAN = float("nan")
TS = pd.Timestamp


def _tiny(**changes: float) -> sc.Baseline:
    values = dict(churn=0.1, arpu=10.0, gross_margin=0.5, cac=20.0, new_customers=7.0,
                  referral_rate=0.02, paid_new=5.0, discount_rate=0.0, customers=100,
                  months=12.0)  # fmt: skip
    values.update(changes)
    return sc.Baseline(**values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Projection and outcome, by hand


def test_projection_by_hand_for_two_months():
    b = _tiny()
    result = sc.projection(b, sc.Levers.of(b), horizon=2)
    # N0 = 100 customers; churn 10 %, 5 paid new a month, referrals 2 % of customers.
    # Month 1: new = 5 + 0.02 x 100 = 7;    N1 = 100 x 0.9 + 7 = 97
    #          revenue = 10 x (100 + 97) / 2 = 985;     gross profit 0.5 x 985 = 492.5
    # Month 2: new = 5 + 0.02 x 97 = 6.94;  N2 = 97 x 0.9 + 6.94 = 94.24
    #          revenue = 10 x (97 + 94.24) / 2 = 956.2; gross profit 478.1
    expected = pd.DataFrame(
        {
            "customers": [100.0, 97.0, 94.24],
            "new_customers": [0.0, 7.0, 6.94],
            "revenue": [NAN, 985.0, 956.2],
            "gross_profit": [NAN, 492.5, 478.1],
            "cumulative_revenue": [0.0, 985.0, 1941.2],
        },
        index=pd.RangeIndex(3, name="month"),
    )
    tm.assert_frame_equal(result, expected)


def test_price_change_scales_revenue_not_customers():
    b = _tiny()
    result = sc.projection(b, sc.Levers.of(b).changed(price_change=0.1), horizon=1)
    # ARPU 10 x 1.1 = 11; month 1 revenue 11 x (100 + 97) / 2 = 1,083.5
    assert result["customers"].tolist() == [100.0, 97.0]
    assert result.at[1, "revenue"] == pytest.approx(1083.5)


def test_outcome_by_hand():
    b = _tiny()
    result = sc.outcome(b, sc.Levers.of(b))
    # LTV = 0.5 x 10 / 0.1 = 50 (no discount); LTV/CAC = 50 / 20 = 2.5;
    # payback = 20 / (0.5 x 10) = 4 months.
    assert result.ltv == pytest.approx(50.0)
    assert result.ltv_to_cac == pytest.approx(2.5)
    assert result.payback_months == pytest.approx(4.0)
    assert len(result.projection) == sc.HORIZON + 1


def test_ltv_retention_worked_example_of_the_catalogue():
    # KPI_CATALOGUE.md: ARPU 100, margin 60 %, churn 5 %/month: LTV 1,200; CAC 400 -> 3.0x.
    b = _tiny(arpu=100.0, gross_margin=0.6, churn=0.05, cac=400.0)
    result = sc.outcome(b, sc.Levers.of(b))
    assert result.ltv == pytest.approx(1200.0)
    assert result.ltv_to_cac == pytest.approx(3.0)


def test_discount_rate_is_annual_and_applied_monthly():
    b = _tiny(discount_rate=0.10)
    d = 1.1 ** (1 / 12) - 1  # 0.7974 % a month
    result = sc.outcome(b, sc.Levers.of(b))
    assert result.ltv == pytest.approx(0.5 * 10 * (1 + d) / (d + 0.1))
    assert result.ltv < 50.0


def test_unknown_cac_leaves_ratio_and_payback_unknown():
    b = _tiny(cac=NAN)
    result = sc.outcome(b, sc.Levers.of(b))
    assert math.isnan(result.ltv_to_cac) and math.isnan(result.payback_months)
    assert result.ltv == pytest.approx(50.0)


def test_no_gross_profit_never_pays_back():
    b = _tiny()
    result = sc.outcome(b, sc.Levers.of(b).changed(gross_margin=0.0))
    assert result.payback_months == math.inf
    table = sc.comparison(sc.outcome(b, sc.Levers.of(b)), result)
    # 4 months -> never: the difference is not a number of months.
    assert math.isnan(table.at["payback_months", "difference"])


@pytest.mark.parametrize(
    ("lever", "value", "match"),
    [
        ("churn", 0.0, "churn must be above 0"),
        ("churn", 1.5, "churn must be above 0"),
        ("price_change", -1.0, "price change"),
        ("gross_margin", 1.2, "gross margin"),
        ("cac", -1.0, "CAC cannot be negative"),
        ("acquisition", -3.0, "acquisition cannot be negative"),
        ("referral_rate", NAN, "referral rate"),
        ("discount_rate", -0.1, "discount rate"),
    ],
)
def test_levers_out_of_range_are_refused(lever, value, match):
    b = _tiny()
    with pytest.raises(KpiError, match=match):
        sc.outcome(b, sc.Levers.of(b).changed(**{lever: value}))


# --------------------------------------------------------------------------------------------
# Baseline levers reproduce the baseline


def test_levers_at_baseline_reproduce_the_measured_baseline_exactly():
    b = _tiny(discount_rate=0.12, cac=333.3)
    levers = sc.Levers.of(b)
    result = sc.outcome(b, levers)
    d = (1 + 0.12) ** (1 / 12) - 1
    assert result.ltv == ltv_retention(10.0, gross_margin=0.5, churn=0.1, discount_rate=d)
    assert result.payback_months == cac_payback_months(333.3, monthly_gross_profit=5.0)
    assert result.customers_at(0) == 100.0
    # Month 1 wins the measured inflow: paid 5 + referrals 0.02 x 100.
    assert result.projection.at[1, "new_customers"] == 7.0
    table = sc.comparison(result, sc.outcome(b, sc.Levers.of(b)))
    assert (table["difference"] == 0).all()
    tm.assert_series_equal(table["baseline"], table["scenario"], check_names=False)


def test_comparison_table_rows_and_difference():
    b = _tiny()
    before = sc.outcome(b, sc.Levers.of(b))
    after = sc.outcome(b, sc.Levers.of(b).changed(churn=0.05))
    result = sc.comparison(before, after)
    assert list(result.index) == [k for k, _, _ in sc.MEASURES]
    assert list(result.columns) == ["label", "unit", "baseline", "scenario", "difference"]
    # LTV 50 -> 0.5 x 10 / 0.05 = 100: difference +50; payback unchanged (4 months).
    assert result.at["ltv", "difference"] == pytest.approx(50.0)
    assert result.at["payback_months", "difference"] == 0.0
    assert result.at["customers_36", "difference"] > 0


# --------------------------------------------------------------------------------------------
# Properties

positive = st.floats(min_value=1.0, max_value=10_000.0)
share = st.floats(min_value=0.001, max_value=1.0)


@settings(max_examples=60, deadline=None)
@given(arpu=positive, margin=st.floats(0.0, 1.0), c1=share, c2=share,
       d=st.floats(0.0, 0.5))  # fmt: skip
def test_lower_churn_never_lowers_ltv(arpu, margin, c1, c2, d):
    b = _tiny(arpu=arpu, gross_margin=margin, discount_rate=d)
    low, high = sorted((c1, c2))
    ltv_low = sc.outcome(b, sc.Levers.of(b).changed(churn=low)).ltv
    ltv_high = sc.outcome(b, sc.Levers.of(b).changed(churn=high)).ltv
    assert ltv_low >= ltv_high


@settings(max_examples=60, deadline=None)
@given(arpu=positive, margin=st.floats(0.0, 1.0), k1=st.floats(0.0, 1e5),
       k2=st.floats(0.0, 1e5), price=st.floats(-0.9, 2.0))  # fmt: skip
def test_higher_cac_never_shortens_payback(arpu, margin, k1, k2, price):
    b = _tiny(arpu=arpu, gross_margin=margin)
    low, high = sorted((k1, k2))
    levers = sc.Levers.of(b).changed(price_change=price)
    short = sc.outcome(b, levers.changed(cac=low)).payback_months
    long = sc.outcome(b, levers.changed(cac=high)).payback_months
    assert short <= long


# --------------------------------------------------------------------------------------------
# The baseline measured from tables

# Range 2025-01-01 .. 2025-03-31, whole months. Contractual churn (customers.end_date):
#   A signed 2024-12-01, still active;  B signed 2024-12-01, ended 2025-02-10;
#   C signed 2025-02-01, referred by A; D signed 2024-11-01, ended 2024-12-15 (gone before).
# Flows: Jan start 2, new 0 (the zero cell), lost 0, end 2; Feb start 2, new 1 (C), lost 1
#   (B), end 2; Mar start 2, end 2. Churn = 1 / (2 + 2 + 2) = 1/6 a month.
# Customer-months, days alive in the range (the Value page's kpi.value.value_inputs): A 90
#   (1 Jan - 31 Mar), B 40 (1 Jan - 9 Feb), C 59 (1 Feb - 31 Mar), D 0: 189 days / 30.4375.
CUSTOMER_MONTHS = 189 / (365.25 / 12)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": pd.array(["A", "B", "C", "D"], dtype="str"),
        "signup_date": pd.to_datetime(["2024-12-01", "2024-12-01", "2025-02-01", "2024-11-01"]),
        "end_date": pd.to_datetime([None, "2025-02-10", None, "2024-12-15"]),
        "referred_by": pd.array([None, None, "A", None], dtype="str"),
    }
)
ORDER_DAYS = ["2024-11-05", "2025-01-10", "2025-02-10", "2025-01-20", "2025-02-05",
              "2025-03-03", "2025-03-01"]  # fmt: skip
# Revenue in range 100 + 100 + 50 + 200 - 30 + 100 = 520; ARPU 520 / 6.2094 = 83.74 a month.
# Margin over rows with a cost (B's order and the refund have none, the NaN cells):
#   amount 100 + 100 + 200 + 100 = 500, cost 60 + 60 + 80 + 40 = 240: margin 1 - 0.48 = 0.52.
ORDERS = pd.DataFrame(
    {
        "customer_id": pd.array(["D", "A", "A", "B", "C", "A", "C"], dtype="str"),
        "order_date": pd.to_datetime(ORDER_DAYS),
        "amount": [70.0, 100.0, 100.0, 50.0, 200.0, -30.0, 100.0],
        "cost": [40.0, 60.0, 60.0, NAN, 80.0, NAN, 40.0],
    }
)
# Spend in range 300, one new customer (C): CAC 300. December's 1,000 is outside.
SPEND = pd.DataFrame(
    {"date": pd.to_datetime(["2024-12-01", "2025-01-15"]), "amount": [1000.0, 300.0]}
)
START, END = TS("2025-01-01"), TS("2025-03-31")
MONTHS = 90 / (365.25 / 12)


def test_baseline_measured_from_a_small_business():
    tables = {"orders": ORDERS, "customers": CUSTOMERS, "spend": SPEND}
    result = sc.baseline(tables, start=START, end=END)
    assert result.churn == pytest.approx(1 / 6)
    assert result.arpu == pytest.approx(520 / CUSTOMER_MONTHS)
    assert result.arpu == pytest.approx(83.743, abs=1e-3)
    assert result.gross_margin == pytest.approx(0.52)
    assert result.cac == pytest.approx(300.0)
    assert result.months == pytest.approx(MONTHS)
    assert result.new_customers == pytest.approx(1 / MONTHS)
    # C came by referral: 1 referral / 6.21 customer-months; no paid acquisition left over.
    assert result.referral_rate == pytest.approx(1 / CUSTOMER_MONTHS)
    assert result.paid_new == 0.0
    assert result.customers == 2
    assert result.discount_rate == 0.10
    assert result.churn_definition.startswith("contractual")
    assert result.defaults == ()


def test_baseline_names_the_defaults_it_used():
    orders = ORDERS.drop(columns="cost")
    customers = CUSTOMERS.drop(columns="referred_by")
    result = sc.baseline({"orders": orders, "customers": customers}, start=START, end=END,
                         gross_margin_default=0.3)  # fmt: skip
    assert result.gross_margin == 0.3
    assert math.isnan(result.cac)
    assert result.referral_rate == 0.0
    assert set(result.defaults) == {"gross_margin", "cac", "referral_rate"}
    assert any("spend table" in n for n in result.notes)
    # With no referrals the whole inflow is paid: 1 new customer over the range.
    assert result.paid_new == pytest.approx(1 / MONTHS)


def test_baseline_without_end_dates_uses_the_inactivity_window():
    # Without customers.end_date churn is by inactivity, with the window the Retention page
    # suggests; the churn must be the one retention's own functions give for that window.
    orders = ORDERS
    result = sc.baseline({"orders": orders}, start=START, end=END)
    window = retention.suggested_inactivity_window(orders)
    lifetimes = retention.inactivity_lifetimes(orders, window_days=window, as_of=END)
    series = retention.churn_series(lifetimes, period="month", start=START, end=END)
    assert result.churn == retention.pooled_churn_rate(series)
    assert result.churn_definition.startswith("inactivity")
    assert f"{window} days" in result.churn_definition


def test_baseline_without_orders_or_customers_says_what_is_needed():
    with pytest.raises(SchemaError, match="orders table"):
        sc.baseline({"customers": CUSTOMERS})
    with pytest.raises(InsufficientDataError, match="Widen the date range"):
        sc.baseline({"orders": ORDERS, "customers": CUSTOMERS},
                    start=TS("2020-01-01"), end=TS("2020-03-31"))  # fmt: skip


def test_baseline_on_sample_data_is_plausible_and_fast():
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    tables = load_files(files).tables
    b = sc.baseline(tables)
    assert 0 < b.churn < 0.2 and b.arpu > 0 and 0 < b.gross_margin < 1 and b.cac > 0
    assert b.defaults == ()
    levers = sc.Levers.of(b)
    t0 = time.perf_counter()
    for _ in range(20):
        result = sc.outcome(b, levers)
    assert (time.perf_counter() - t0) / 20 < 0.1
    np.testing.assert_allclose(result.customers_at(0), b.customers)


# --------------------------------------------------------------------------------------------
# Lever ranges, the held budget, scenarios side by side


@pytest.mark.parametrize(
    ("value", "floor", "low_limit", "expected"),
    [
        # churn 1.9 % a month: half-width 2 points, step 0.02 -> 0.05 (the limit) .. 3.9
        (1.9, 0.5, 0.05, (0.05, 3.9, 0.02)),
        # CAC 350: half-width 500, step 5 -> 0 (the limit) .. 850
        (350.0, 10.0, 0.0, (0.0, 850.0, 5.0)),
        # 93.7 paid customers a month: half-width 100, step 1 -> 0 .. 194
        (93.7, 10.0, 0.0, (0.0, 194.0, 1.0)),
        # nothing measured: the floor sets the track, 0 .. 5
        (0.0, 5.0, 0.0, (0.0, 5.0, 0.05)),
    ],
)
def test_centred_range_by_hand(value, floor, low_limit, expected):
    result = sc.centred_range(value, floor=floor, low_limit=low_limit)
    assert result == pytest.approx(expected)


@given(st.floats(0.001, 1e6), st.floats(0.01, 100))
@settings(max_examples=60, deadline=None)
def test_centred_range_holds_the_baseline_its_half_and_its_double(value, floor):
    low, high, step = sc.centred_range(value, floor=floor)
    # half-width >= value: halving and doubling the baseline are both on the track
    assert low <= value / 2 + 1e-9
    assert value * 2 <= high + 1e-9
    assert low <= value <= high
    assert 0 < step <= (high - low) / 50


def test_held_budget_moves_paid_customers_inversely_with_cac():
    b = _tiny()  # CAC 20, 5 paid new customers a month: a budget of 100 a month
    assert sc.monthly_budget(b) == 100.0
    assert sc.with_budget_held(b, sc.Levers.of(b)) == sc.Levers.of(b)
    # CAC 40 with the same 100 a month buys 2.5 customers; CAC 10 buys 10.
    assert sc.with_budget_held(b, sc.Levers.of(b).changed(cac=40.0)).acquisition == 2.5
    assert sc.with_budget_held(b, sc.Levers.of(b).changed(cac=10.0)).acquisition == 10.0
    # LTV/CAC still rises as CAC falls, but the projection now carries the spend's limit.
    cheap = sc.outcome(b, sc.with_budget_held(b, sc.Levers.of(b).changed(cac=10.0)))
    free = sc.outcome(b, sc.Levers.of(b).changed(cac=10.0))
    assert cheap.customers_at(12) > free.customers_at(12)


def test_held_budget_without_a_known_cac_changes_nothing():
    b = _tiny(cac=NAN)
    levers = sc.Levers.of(b).changed(cac=50.0)
    assert sc.with_budget_held(b, levers) is levers


def test_lever_differences_are_fractions_for_rates():
    b = _tiny()
    d = sc.lever_differences(b, sc.Levers.of(b).changed(churn=0.085, cac=25.0))
    # churn 10 % -> 8.5 %: -0.015, that is -1.5 percentage points
    assert d["churn"] == pytest.approx(-0.015)
    assert d["cac"] == 5.0 and d["price_change"] == 0.0
    assert set(sc.RATE_LEVERS) <= set(d)


def test_side_by_side_keeps_order_and_differences():
    b = _tiny()
    scenarios = {
        "Churn down": sc.Levers.of(b).changed(churn=0.05),
        "Prices up": sc.Levers.of(b).changed(price_change=0.1),
    }
    table = sc.side_by_side(b, scenarios)
    assert list(table.columns) == [
        "label", "unit", "baseline", "Churn down", "Churn down difference", "Prices up",
        "Prices up difference",
    ]  # fmt: skip
    # LTV = margin x arpu x (1 + d) / (d + churn) with d = 0: 0.5 x 10 / 0.1 = 50 at baseline,
    # 0.5 x 10 / 0.05 = 100 with churn halved, 0.5 x 11 / 0.1 = 55 with prices 10 % up.
    assert table.at["ltv", "baseline"] == pytest.approx(50.0)
    assert table.at["ltv", "Churn down difference"] == pytest.approx(50.0)
    assert table.at["ltv", "Prices up difference"] == pytest.approx(5.0)
