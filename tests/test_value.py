"""Tests for kpi.value: the catalogue's LTV variants, LTV/CAC, CAC payback, cohort value curve.

Outside numbers: the worked examples of KPI_CATALOGUE.md (Value), the margin multiple of
Gupta and Lehmann (2003), and the published BG/NBD and Gamma-Gamma estimates of Fader, Hardie
and Lee (2005) on the CDNOW sample (tests/data, see its README).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi import value
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.retention import DAYS_PER_MONTH

DATA = Path(__file__).resolve().parent / "data"
T = pd.Timestamp


# --------------------------------------------------------------------------------------------
# Formula variants on numbers


def test_ltv_retention_catalogue_example():
    # ARPU 100, margin 60 %, churn 5 %/month, undiscounted: 0.6 x 100 / 0.05 = 1,200.
    result = value.ltv_retention(100.0, gross_margin=0.6, churn=0.05)
    assert result == pytest.approx(1200.0)


def test_ltv_retention_discounted_by_hand():
    # margin 0.6 x ARPU 100 x (1 + 0.01) / (0.01 + 0.05) = 60 x 1.01 / 0.06 = 1,010.
    result = value.ltv_retention(100.0, gross_margin=0.6, churn=0.05, discount_rate=0.01)
    assert result == pytest.approx(1010.0)


def test_ltv_retention_against_gupta_lehmann_2003_margin_multiple():
    # Gupta and Lehmann (2003), "Customers as Assets": margin multiple r / (1 + i - r) for
    # retention r = 90 %, discount i = 10 %: 0.9 / 0.2 = 4.5 margins after the first period;
    # the retention form also counts the first period's margin: 1 + 4.5 = 5.5.
    result = value.ltv_retention(1.0, gross_margin=1.0, churn=0.10, discount_rate=0.10)
    assert result == pytest.approx(5.5)


def test_ltv_retention_equals_its_series():
    # The closed form against the sum of margin x ARPU x (1 - c)^t / (1 + d)^t, t = 0..2000.
    t = np.arange(2000)
    expected = 0.4 * 80.0 * np.sum((1 - 0.03) ** t / (1 + 0.02) ** t)
    result = value.ltv_retention(80.0, gross_margin=0.4, churn=0.03, discount_rate=0.02)
    assert result == pytest.approx(expected)


def test_ltv_retention_errors():
    with pytest.raises(InsufficientDataError, match="churn or a discount rate above 0"):
        value.ltv_retention(100.0, gross_margin=0.6, churn=0.0)
    with pytest.raises(KpiError, match="gross_margin as a fraction"):
        value.ltv_retention(100.0, gross_margin=60.0, churn=0.05)
    with pytest.raises(KpiError, match="churn as a fraction"):
        value.ltv_retention(100.0, gross_margin=0.6, churn=-0.1)


def test_clv_visit_catalogue_example():
    # 200 per visit x 80 visits a year x 11 years = 176,000.
    assert value.clv_visit(200.0, visits_per_year=80.0, years=11.0) == 176_000.0


def test_other_variants_by_hand():
    # 150 a month x 20 months = 3,000; 90 x 4 a year x 2.5 years = 900; 36 x 4 x 2.5 = 360.
    assert value.ltv_simple(150.0, lifetime_months=20.0) == 3000.0
    assert value.clv_purchase(90.0, purchases_per_year=4.0, lifespan_years=2.5) == 900.0
    assert value.ltv_profit(36.0, orders_per_year=4.0, years=2.5) == 360.0


def test_cac_payback_catalogue_example():
    # CAC 400, gross profit 100 a month: covered in 400 / 100 = 4 months.
    assert value.cac_payback_months(400.0, monthly_gross_profit=100.0) == 4.0
    assert value.cac_payback_months(400.0, monthly_gross_profit=0.0) == math.inf
    assert value.cac_payback_months(400.0, monthly_gross_profit=-5.0) == math.inf


def test_ltv_to_cac_edges():
    assert value.ltv_to_cac(1200.0, 400.0) == 3.0
    assert value.ltv_to_cac(1200.0, 0.0) == math.inf
    assert math.isnan(value.ltv_to_cac(0.0, 0.0))
    assert math.isnan(value.ltv_to_cac(1200.0, math.nan))


def test_monthly_rate_compounds_to_the_year():
    assert (1 + value.monthly_rate(0.10)) ** 12 == pytest.approx(1.10)


@settings(max_examples=60, deadline=None)
@given(
    churn=st.floats(0.005, 0.9),
    lower=st.floats(0.0, 1.0),
    d=st.floats(0.0, 0.1),
    margin=st.floats(0.01, 1.0),
)
def test_lower_churn_never_lowers_ltv(churn, lower, d, margin):
    better = churn * lower
    if better + d == 0:
        return
    low = value.ltv_retention(100.0, gross_margin=margin, churn=churn, discount_rate=d)
    high = value.ltv_retention(100.0, gross_margin=margin, churn=better, discount_rate=d)
    assert high >= low * (1 - 1e-12)


# --------------------------------------------------------------------------------------------
# Inputs measured from a hand-built business


@pytest.fixture
def shop() -> dict[str, pd.DataFrame]:
    """Three customers, January to March 2025, with a zero cost, a blank cost and a refund."""
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "b", "c"], dtype="string"),
            "signup_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01"]),
            "end_date": pd.to_datetime([None, "2025-02-01", None]),
            "channel": pd.array(["ads", "ads", "search"], dtype="string"),
        }
    )
    orders = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "a", "a", "b", "c", "c", "a"], dtype="string"),
            "order_date": pd.to_datetime(
                [
                    "2025-01-05",
                    "2025-01-05",
                    "2025-03-10",
                    "2025-01-20",
                    "2025-02-15",
                    "2025-03-01",
                    "2025-04-10",
                ]
            ),
            "amount": [100.0, 50.0, 150.0, 200.0, 100.0, -50.0, 999.0],
            "cost": [40.0, 20.0, 60.0, 0.0, np.nan, np.nan, 0.0],
        }
    )
    spend = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04"]),
            "amount": [300.0, 0.0, 100.0],
            "channel": pd.array(["ads", "search", None], dtype="string"),
        }
    )
    return {"orders": orders, "customers": customers, "spend": spend}


def test_value_inputs_by_hand(shop):
    result = value.value_inputs(
        shop["orders"], shop["customers"], start=T("2025-01-01"), end=T("2025-03-31")
    )
    # Relationship days in range: a Jan 1-Mar 31 = 90, b Jan 1-Feb 1 = 31, c Feb 1-Mar 31 =
    # 59; 180 days = 180 / 30.4375 months. Revenue 100 + 50 + 150 + 200 + 100 - 50 = 550
    # (the April order is outside); 5 orders (the refund is not one) on 4 visit days.
    months = 180 / DAYS_PER_MONTH
    assert result.customer_months == pytest.approx(months)
    assert (result.revenue, result.orders, result.visits, result.customers) == (550.0, 5, 4, 3)
    assert result.monthly_revenue == pytest.approx(550 / months)
    # Churn: Jan starts with nobody, Feb with a and b (b lost), Mar with a and c: 1 / 4.
    assert result.monthly_churn == pytest.approx(0.25)
    assert result.lifetime_months == pytest.approx(4.0)
    assert result.average_order_value == pytest.approx(110.0)
    assert result.spend_per_visit == pytest.approx(137.5)
    assert result.orders_per_year == pytest.approx(5 / months * 12)
    # Margin over the orders with a cost: 1 - (40 + 20 + 60 + 0) / (100 + 50 + 150 + 200).
    assert result.gross_margin == pytest.approx(0.76)
    assert result.margin_basis == "cost"
    assert result.churn_definition.startswith("contractual")

    # The variants: 4 months x 550 / months; the purchase and visit forms are the same
    # measurement written differently; the retention form undiscounted: 0.76 x ARPU / 0.25.
    simple = 4 * 550 / months
    assert value.ltv(result, variant="ltv_simple") == pytest.approx(simple)
    assert value.ltv(result, variant="clv_purchase") == pytest.approx(simple)
    assert value.ltv(result, variant="clv_visit") == pytest.approx(simple)
    # The profit form uses only the 4 of 5 orders with a cost (c's 100 has none): profit per
    # order (60 + 30 + 90 + 200) / 4 = 95 x 5 orders / months x 12 a year x 4 / 12 years.
    assert result.cost_share == pytest.approx(4 / 5)
    assert result.profit_per_order == pytest.approx(95.0)
    assert value.ltv(result, variant="ltv_profit") == pytest.approx(95 * 5 / months * 4)
    undiscounted = value.ltv(result, variant="ltv_retention", discount_rate=0.0)
    assert undiscounted == pytest.approx(0.76 * 550 / months / 0.25)
    assert value.ltv(result) < undiscounted  # discounted at 10 % a year by default


def test_value_inputs_margin_given_without_cost(shop):
    orders = shop["orders"].drop(columns="cost")
    result = value.value_inputs(orders, shop["customers"], start=T("2025-01-01"),
                                end=T("2025-03-31"), margin=0.5)  # fmt: skip
    assert (result.gross_margin, result.margin_basis) == (0.5, "margin given")
    unknown = value.value_inputs(orders, shop["customers"], end=T("2025-03-31"))
    assert math.isnan(unknown.gross_margin)
    with pytest.raises(InsufficientDataError, match="needs a gross margin"):
        value.ltv(unknown, variant="ltv_retention")
    with pytest.raises(KpiError, match="must be one of"):
        value.ltv(result, variant="ltv_magic")


def test_value_inputs_errors(shop):
    with pytest.raises(SchemaError, match="order_date"):
        value.value_inputs(shop["orders"].drop(columns="order_date"))
    with pytest.raises(InsufficientDataError, match="Widen the date range"):
        value.value_inputs(
            shop["orders"], shop["customers"], start=T("2030-01-01"), end=T("2030-02-01")
        )


def test_value_inputs_does_not_mutate(shop):
    before = shop["orders"].copy()
    value.value_inputs(shop["orders"], shop["customers"])
    tm.assert_frame_equal(shop["orders"], before)


def test_ltv_to_cac_by_channel_by_hand(shop):
    result = value.ltv_to_cac_by_channel(
        shop["orders"], shop["spend"], shop["customers"], start=T("2025-01-01"),
        end=T("2025-03-31"), discount_rate=0.0,
    )  # fmt: skip
    # ads: spend 300 / 2 new = 150. a and b: 121 relationship days, revenue 500, margin
    # 1 - 120 / 500 = 0.76, churn 1 lost / (2 in Feb + 1 in Mar) = 1/3.
    arpu = 500 / (121 / DAYS_PER_MONTH)
    ads_ltv = 0.76 * arpu / (1 / 3)
    # search: spend 0; c signed up on 1 Feb, after the spend table's span (records of 2-4
    # January cover January), so nobody it paid for: CAC unknown; c never churned and
    # nothing is discounted: LTV unknown (NaN).
    expected = pd.DataFrame(
        {
            "spend": [300.0, 0.0],
            "new_customers": np.array([2, 0], dtype=np.int64),
            "cac": [150.0, np.nan],
            "ltv": [ads_ltv, np.nan],
            "ltv_to_cac": [ads_ltv / 150, np.nan],
            "payback_months": [150 / (0.76 * arpu), np.nan],
        },
        index=pd.Index(["ads", "search"], name="channel"),
    )
    tm.assert_frame_equal(result, expected)


def test_ltv_to_cac_overall_by_hand(shop):
    result = value.ltv_to_cac_overall(
        shop["orders"], shop["spend"], shop["customers"], start=T("2025-01-01"),
        end=T("2025-03-31"), discount_rate=0.0,
    )  # fmt: skip
    # CAC = 400 spend (every row) / 2 new customers within the spend's span (January: a and
    # b; c signed up on 1 Feb, after it); LTV 0.76 x (550 / months) / 0.25.
    ltv = 0.76 * 550 / (180 / DAYS_PER_MONTH) / 0.25
    assert result.cac == pytest.approx(400 / 2)
    assert result.ratio == pytest.approx(ltv / (400 / 2))
    assert result.payback_months == pytest.approx((400 / 2) / (0.76 * 550 / (180 / 30.4375)))


def test_ltv_to_cac_by_cohort_by_hand(shop):
    result = value.ltv_to_cac_by_cohort(
        shop["orders"], shop["spend"], shop["customers"], start=T("2025-01-01"),
        end=T("2025-03-31"), period="month", discount_rate=0.0,
    )  # fmt: skip
    # January cohort (a, b): spend 400 / 2 = 200, LTV as the ads channel above.
    # February cohort (c): signed up on 1 Feb, after the spend's span (January), so no spend
    # paid for c: no new customer counted, CAC unknown (NaN, not 0); c never churned: LTV NaN.
    # March: nobody.
    arpu = 500 / (121 / DAYS_PER_MONTH)
    jan_ltv = 0.76 * arpu * 3
    assert list(result.index) == list(pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]))
    assert result["new_customers"].tolist() == [2, 0, 0]
    assert result["cac"].iloc[0] == pytest.approx(200.0)
    assert math.isnan(result["cac"].iloc[1])
    assert result["ltv"].iloc[0] == pytest.approx(jan_ltv)
    assert result["ltv_to_cac"].iloc[0] == pytest.approx(jan_ltv / 200)
    assert result["ltv"].iloc[1:].isna().all()
    assert math.isnan(result["cac"].iloc[2])


# --------------------------------------------------------------------------------------------
# Cumulative cohort value curve


@pytest.fixture
def cohort_orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.array(["x", "x", "x", "x", "y", "y", "z"], dtype="string"),
            "order_date": pd.to_datetime(
                [
                    "2025-01-01",
                    "2025-01-20",
                    "2025-01-25",
                    "2025-02-10",
                    "2025-02-01",
                    "2025-03-05",
                    "2025-03-20",
                ]
            ),
            "amount": [100.0, 50.0, np.nan, 80.0, 100.0, 0.0, 200.0],
        }
    )


def test_cohort_value_curve_by_hand(cohort_orders):
    result = value.cohort_value_curve(cohort_orders, end=T("2025-03-31"), margin=0.5)
    # Complete months by Mar 31: x 90 days -> 2, y 59 days -> 1, z 12 days -> 0 (left out).
    # Month 0: x (100 + 50 + blank) x 0.5 = 75, y 100 x 0.5 = 50 -> 125 / 2 = 62.5.
    # Month 1: x 80 x 0.5 = 40 over x alone (y's month 1 is not complete) -> 40.
    expected = pd.DataFrame(
        {
            "customers": np.array([2, 1], dtype=np.int64),
            "gross_profit": [62.5, 40.0],
            "cumulative_gross_profit": [62.5, 102.5],
        },
        index=pd.RangeIndex(2, name="months_since_acquisition"),
    )
    tm.assert_frame_equal(result, expected)
    assert not hasattr(value, "payback_month")  # one payback: cac_payback_months


def test_cac_payback_months_on_a_hand_table():
    # Two customers acquired with a spend of 800: CAC 400. Each orders 250 a month at a 40 %
    # margin: monthly gross profit 250 x 0.4 = 100 per customer. Payback 400 / 100 = 4 months,
    # the catalogue's worked example ("profit covers CAC in 4 months").
    result = value.cac_payback_months(800.0 / 2, monthly_gross_profit=250.0 * 0.4)
    assert result == 4.0


def test_cohort_value_curve_uses_cost_and_any_datetime_unit(cohort_orders):
    orders = cohort_orders.assign(
        cost=[60.0, 0.0, np.nan, 40.0, 50.0, 0.0, 0.0],
        order_date=cohort_orders["order_date"].astype("datetime64[s]"),
    )
    result = value.cohort_value_curve(orders, end=T("2025-03-31"), margin=0.5)
    # Month 0: x (100 - 60) + (50 - 0) + blank amount with blank cost -> 0 x 0.5 = 90,
    # y 100 - 50 = 50 -> 140 / 2 = 70; month 1: x 80 - 40 = 40.
    assert result["gross_profit"].tolist() == [70.0, 40.0]


def test_cohort_value_curve_errors(cohort_orders):
    with pytest.raises(SchemaError, match="cost column in orders or a gross margin"):
        value.cohort_value_curve(cohort_orders)
    with pytest.raises(InsufficientDataError, match="full month"):
        value.cohort_value_curve(cohort_orders, start=T("2025-03-15"), end=T("2025-03-31"),
                                 margin=0.5)  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_cohort_value_curve_ignores_row_order(seed):
    rng = np.random.default_rng(seed)
    n = 60
    orders = pd.DataFrame(
        {
            "customer_id": pd.array([f"c{i}" for i in rng.integers(0, 12, n)], dtype="string"),
            "order_date": T("2025-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
            "amount": rng.uniform(0, 100, n).round(2),
        }
    )
    result = value.cohort_value_curve(orders, end=T("2025-07-31"), margin=0.4)
    shuffled = orders.sample(frac=1.0, random_state=seed)
    tm.assert_frame_equal(value.cohort_value_curve(shuffled, end=T("2025-07-31"), margin=0.4),
                          result)  # fmt: skip
    assert (result["customers"].diff().dropna() <= 0).all()


# --------------------------------------------------------------------------------------------
# Model-based CLV on the CDNOW sample


@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "order_date", "quantity", "amount"],
        dtype={"master_id": str, "customer_id": str, "order_date": str},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype("string"),
            "order_date": pd.to_datetime(raw["order_date"], format="%Y%m%d"),
            "amount": raw["amount"].astype(float),
        }
    )


def test_model_clv_against_fader_hardie_lee_2005(cdnow_orders):
    # Calibration to 1997-09-30 (39 weeks): BG/NBD r 0.243, alpha 4.414, a 0.793, b 2.426,
    # LL -9582.4 ("Counting Your Customers the Easy Way"); Gamma-Gamma p 6.25, q 3.74,
    # v 15.44 on the 946 repeat customers ("RFM and CLV").
    result = value.model_clv(cdnow_orders, end=T("1997-09-30"), horizon_months=12)
    bg, gg = result.bgnbd, result.gamma_gamma
    assert (bg.r, bg.alpha, bg.a, bg.b) == pytest.approx((0.243, 4.414, 0.793, 2.426), abs=1e-3)
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert (gg.p, gg.q, gg.v) == pytest.approx((6.25, 3.74, 15.44), abs=0.01)
    assert gg.n_customers == 946
    table = result.customers
    assert len(table) == 2357
    assert table["clv"].is_monotonic_decreasing
    assert result.mean == pytest.approx(table["clv"].mean())
    assert table["probability_alive"].between(0, 1).all()


def test_holdout_check_against_fader_hardie_lee_2005(cdnow_orders):
    # The paper's split: 39 calibration weeks to 1997-09-30, 39 holdout weeks to 1998-06-30.
    result = value.holdout_check(cdnow_orders, cutoff=T("1997-09-30"), end=T("1998-06-30"))
    assert result.holdout_weeks == 39.0
    assert result.fit.r == pytest.approx(0.243, abs=1e-3)
    assert result.table["customers"].sum() == 2357
    assert result.table.loc[0, "customers"] == 1411  # customers without a repeat purchase


def test_model_clv_too_little_repeat_data():
    orders = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "b"], dtype="string"),
            "order_date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
            "amount": [10.0, 20.0],
        }
    )
    with pytest.raises(InsufficientDataError, match="repeat purchases"):
        value.model_clv(orders)


# --------------------------------------------------------------------------------------------
# Section


def test_section_keys_and_warnings(shop):
    result = value.section(shop, start=T("2025-01-01"), end=T("2025-03-31"))
    assert set(result.kpis) == set(value.KEYS)
    assert result.kpis["clv_visit"] == pytest.approx(4 * 550 / (180 / DAYS_PER_MONTH))
    # Three customers cannot carry the purchase models: null, with the fallback said.
    assert result.kpis["clv_model_mean"] is None
    assert any("formula LTV is used instead" in w for w in result.warnings)
    # CAC 400 / 2 customers acquired within the spend's span (see test_ltv_to_cac_overall)
    expected_ratio = result.kpis["ltv_retention"] / (400 / 2)
    assert result.kpis["ltv_to_cac"] == pytest.approx(expected_ratio)
    # 4 of the 5 orders have a cost: ltv_profit says so
    assert any("4 of 5 orders" in w and "80.0 %" in w for w in result.warnings)
    assert result.assumptions["discount_rate"] == {
        "value": 0.1,
        "source": "default",
        "per": "year",
    }

    bare = value.section({"orders": shop["orders"].drop(columns="cost")})
    assert bare.kpis["ltv_to_cac"] is None and bare.kpis["ltv_retention"] is None
    assert any("spend table" in w for w in bare.warnings)
    assert any("gross margin" in w for w in bare.warnings)

    empty = value.section({})
    assert all(v is None for v in empty.kpis.values())
    assert "orders table" in empty.warnings[0]
