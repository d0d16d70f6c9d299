"""Tests of kpi.retention: churn definitions, churn and CRR, inactive customers, cohorts, sBG."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi import retention
from kpi.errors import InsufficientDataError, SchemaError
from kpi.retention import (
    churn_rate,
    churn_series,
    churn_summary,
    cohort_retention,
    contractual_lifetimes,
    customer_retention_rate,
    inactive_customers,
    inactivity_lifetimes,
    median_customer_lifetime,
    order_gaps,
    retention_curve,
    sbg_survivors,
    section,
    suggested_inactivity_window,
)

NaN = np.nan


def orders_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "channel"])
    frame["customer_id"] = frame["customer_id"].astype("str")
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["amount"] = frame["amount"].astype("float64")
    frame["channel"] = frame["channel"].astype("str")
    return frame


# A dozen orders, three monthly cohorts, followed to 2025-03-15.
DOZEN = orders_frame(
    [
        ("A", "2025-01-05", 100.0, "Ads"),
        ("A", "2025-01-20", 50.0, "Web"),
        ("A", "2025-02-10", 200.0, "Web"),
        ("A", "2025-03-01", 30.0, "Web"),
        ("B", "2025-01-15", 100.0, "Web"),
        ("B", "2025-03-10", 120.0, "Web"),
        ("C", "2025-01-25", 50.0, "Ads"),
        ("C", "2025-02-01", -50.0, "Ads"),  # a refund: revenue, but not activity
        ("D", "2025-02-03", 80.0, "Web"),
        ("D", "2025-02-20", 20.0, "Web"),
        ("G", "2025-02-27", 70.0, "Ads"),
        ("F", "2025-03-02", 40.0, None),
    ]
)
AS_OF = pd.Timestamp("2025-03-15")
COHORTS = pd.DatetimeIndex(["2025-01-01", "2025-02-01", "2025-03-01"], name="cohort")
AGES = pd.RangeIndex(3, name="age")


def frame(values: list[list[float]], index: pd.Index = COHORTS) -> pd.DataFrame:
    return pd.DataFrame(values, index=index, columns=AGES, dtype="float64")


# --- catalogue worked examples ------------------------------------------------------------------


def test_churn_rate_catalogue_example():
    # lose 50 of 1,000 in six months: 50 / 1,000 = 5 %
    assert churn_rate(50, 1_000) == pytest.approx(0.05)


def test_customer_retention_rate_catalogue_example():
    # start 200, end 210, new 30: (210 - 30) / 200 = 180 / 200 = 90 %
    assert customer_retention_rate(200, 210, 30) == pytest.approx(0.9)


def test_rates_without_customers_at_start_are_nan():
    assert np.isnan(churn_rate(0, 0))
    assert np.isnan(customer_retention_rate(0, 5, 5))


def _contract_customers(starts: list[str], ends: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.array([f"c{i}" for i in range(len(starts))], dtype="str"),
            "signup_date": pd.to_datetime(pd.Series(starts)),
            "end_date": pd.to_datetime(pd.Series(ends)),
        }
    )


def test_churn_summary_catalogue_example_lose_50_of_1000():
    # 1,000 customers before 2025-01-01, 50 of them cancel during the next six months:
    # churn = 50 / 1,000 = 5 %, CRR = (950 - 0) / 1,000 = 95 %
    ends = ["2025-03-15"] * 50 + [None] * 950
    customers = _contract_customers(["2024-06-01"] * 1000, ends)
    lifetimes = contractual_lifetimes(customers, as_of=pd.Timestamp("2025-06-30"))
    result = churn_summary(
        lifetimes, start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-06-30")
    )
    expected = retention.ChurnSummary(1000, 0, 50, 0, 950, 0.05, 0.95)
    assert result == expected


def test_churn_summary_catalogue_example_crr_90_percent():
    # 200 at start; 30 new and 20 lost in the range, so 200 + 30 - 20 = 210 at the end:
    # CRR = (210 - 30) / 200 = 90 %
    starts = ["2024-12-01"] * 200 + ["2025-01-10"] * 30
    ends = ["2025-01-20"] * 20 + [None] * 210
    customers = _contract_customers(starts, ends)
    lifetimes = contractual_lifetimes(customers, as_of=pd.Timestamp("2025-01-31"))
    result = churn_summary(
        lifetimes, start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-01-31")
    )
    assert (result.customers_start, result.new, result.customers_end) == (200, 30, 210)
    assert result.retention_rate == pytest.approx(0.9)
    assert result.churn_rate == pytest.approx(0.1)


# --- churn definitions and series ---------------------------------------------------------------


CONTRACTS = pd.DataFrame(
    {
        "customer_id": pd.array(["c1", "c2", "c3", "c4", "c5", "c6"], dtype="str"),
        "signup_date": pd.to_datetime(
            ["2025-01-01", "2025-01-10", "2025-02-01", "2025-02-10", "2024-12-15", None]
        ),
        "end_date": pd.to_datetime([None, "2025-03-15", "2025-02-20", None, "2025-01-31", None]),
        "plan": pd.array(["basic", "pro", "basic", "pro", "basic", "pro"], dtype="str"),
    }
)


def test_contractual_lifetimes():
    result = contractual_lifetimes(CONTRACTS, as_of=pd.Timestamp("2025-03-31"))
    # c6 has no start date and no orders: left out; durations in days / 30.4375
    expected = pd.DataFrame(
        {
            "start": pd.to_datetime(
                ["2025-01-01", "2025-01-10", "2025-02-01", "2025-02-10", "2024-12-15"]
            ),
            "end": pd.to_datetime([None, "2025-03-15", "2025-02-20", None, "2025-01-31"]),
            "observed": [False, True, True, False, True],
            # 89 days to as_of, 64 days, 19 days, 49 days to as_of, 47 days
            "duration_months": np.array([89, 64, 19, 49, 47]) / 30.4375,
        },
        index=pd.Index(["c1", "c2", "c3", "c4", "c5"], dtype="str", name="customer_id"),
    )
    tm.assert_frame_equal(result, expected)


def test_contractual_lifetimes_censor_end_dates_after_as_of():
    result = contractual_lifetimes(CONTRACTS, as_of=pd.Timestamp("2025-03-01"))
    # c2 cancels on 2025-03-15, after as_of: still active on 2025-03-01
    assert pd.isna(result.loc["c2", "end"])
    assert not result.loc["c2", "observed"]


def test_contractual_lifetimes_fall_back_to_first_order():
    orders = orders_frame([("c6", "2025-02-05", 10.0, "Ads")])
    result = contractual_lifetimes(CONTRACTS, orders, as_of=pd.Timestamp("2025-03-31"))
    assert result.loc["c6", "start"] == pd.Timestamp("2025-02-05")


def test_contractual_lifetimes_need_end_date():
    with pytest.raises(SchemaError, match="end_date"):
        contractual_lifetimes(CONTRACTS.drop(columns="end_date"))


def test_churn_series_contractual():
    lifetimes = contractual_lifetimes(CONTRACTS, as_of=pd.Timestamp("2025-03-31"))
    result = churn_series(
        lifetimes, period="month", start=pd.Timestamp("2024-11-01"), end=pd.Timestamp("2025-03-31")
    )
    # Nov: nobody yet -> rates NaN.  Dec: c5 joins, nobody at start -> NaN.
    # Jan: start 1 (c5); new c1, c2; lost c5 (31 Jan) -> end 1 + 2 - 1 = 2; churn 1/1 = 1,
    #      CRR (2 - 2) / 1 = 0 (an observed zero).
    # Feb: start 2 (c1, c2); new c3, c4; c3 joins and leaves in Feb: a new customer lost,
    #      not a loss of the two at the start -> lost 0, new_lost 1, end 2 + 2 - 1 = 3;
    #      churn 0/2 = 0, CRR (3 - 1 new still there) / 2 = 1.
    # Mar: start 3 (c1, c2, c4); lost c2 -> end 2; churn 1/3, CRR 2/3.
    expected = pd.DataFrame(
        {
            "customers_start": [0, 0, 1, 2, 3],
            "new": [0, 1, 2, 2, 0],
            "lost": [0, 0, 1, 0, 1],
            "new_lost": [0, 0, 0, 1, 0],
            "customers_end": [0, 1, 2, 3, 2],
            "churn_rate": [NaN, NaN, 1.0, 0.0, 1 / 3],
            "retention_rate": [NaN, NaN, 0.0, 1.0, 2 / 3],
        },
        index=pd.DatetimeIndex(
            ["2024-11-01", "2024-12-01", "2025-01-01", "2025-02-01", "2025-03-01"], name="period"
        ),
    )
    tm.assert_frame_equal(result, expected)


def test_churn_series_clips_first_and_last_period_to_the_range():
    lifetimes = contractual_lifetimes(CONTRACTS, as_of=pd.Timestamp("2025-03-31"))
    result = churn_series(
        lifetimes,
        period="quarter",
        start=pd.Timestamp("2025-01-20"),
        end=pd.Timestamp("2025-02-15"),
    )
    # from 20 Jan: c5, c1, c2 active at start; new c3, c4; lost c5 (31 Jan), c3 (20 Feb is
    # after the range end, so not lost) -> lost 1, end 3 + 2 - 1 = 4
    assert result.index.tolist() == [pd.Timestamp("2025-01-01")]
    assert result[["customers_start", "new", "lost", "customers_end"]].iloc[0].tolist() == [
        3,
        2,
        1,
        4,
    ]


def test_order_gaps_and_suggested_window():
    result = order_gaps(DOZEN)
    # A: 5 Jan -> 20 Jan -> 10 Feb -> 1 Mar: 15, 21, 19; B: 15 Jan -> 10 Mar: 54;
    # C's refund is not an order; D: 3 Feb -> 20 Feb: 17
    expected = pd.Series(
        [15, 21, 19, 54, 17],
        index=pd.Index(["A", "A", "A", "B", "D"], dtype="str", name="customer_id"),
        name="gap_days",
    )
    tm.assert_series_equal(result, expected)
    # sorted gaps 15, 17, 19, 21, 54: median 19; 90th percentile 21 + 0.6 * 33 = 40.8 -> 41
    assert suggested_inactivity_window(DOZEN, percentile=0.5) == 19
    assert suggested_inactivity_window(DOZEN) == 41


def test_suggested_window_needs_repeat_customers():
    single = orders_frame([("A", "2025-01-05", 1.0, "Ads"), ("B", "2025-01-06", 1.0, "Ads")])
    with pytest.raises(InsufficientDataError, match="two different days"):
        suggested_inactivity_window(single)


def test_inactivity_lifetimes():
    result = inactivity_lifetimes(DOZEN, window_days=20, as_of=AS_OF)
    # lost 20 days after the last order if that day is on or before 15 Mar
    # A: last 1 Mar -> 21 Mar > as_of: active; B: last 10 Mar: active;
    # C: last sale 25 Jan -> lost 14 Feb; D: 20 Feb -> 12 Mar; F: 2 Mar active; G: 27 Feb -> 19 Mar
    expected = pd.DataFrame(
        {
            "start": pd.to_datetime(
                ["2025-01-05", "2025-01-15", "2025-01-25", "2025-02-03", "2025-03-02", "2025-02-27"]
            ),
            "end": pd.to_datetime([None, None, "2025-02-14", "2025-03-12", None, None]),
            "observed": [False, False, True, True, False, False],
            # days: 69 to as_of, 59 to as_of, 20, 37, 13 to as_of, 16 to as_of
            "duration_months": np.array([69, 59, 20, 37, 13, 16]) / 30.4375,
        },
        index=pd.Index(["A", "B", "C", "D", "F", "G"], dtype="str", name="customer_id"),
    )
    tm.assert_frame_equal(result, expected)


def test_inactive_customers():
    result = inactive_customers(DOZEN, as_of=AS_OF, window_days=20)
    # days since the last order on 15 Mar: A 14, B 5, C 49, D 23, F 13, G 16 -> C and D;
    # C: 1 order, revenue 50 - 50 = 0; D: two orders, revenue 100; highest revenue first
    expected = pd.DataFrame(
        {
            "customer_id": pd.array(["D", "C"], dtype="str"),
            "last_order_date": pd.to_datetime(["2025-02-20", "2025-01-25"]),
            "last_order_value": [20.0, 50.0],
            "orders": np.array([2, 1], dtype=np.int64),
            "revenue": [100.0, 0.0],
            "days_since_last_order": np.array([23, 49], dtype=np.int64),
        }
    )
    tm.assert_frame_equal(result, expected)


def test_inactive_customers_ignores_orders_after_as_of():
    result = inactive_customers(DOZEN, as_of=pd.Timestamp("2025-02-28"), window_days=30)
    # on 28 Feb: A last 10 Feb (18 d), B last 15 Jan (44 d), C 25 Jan (34 d), D 20 Feb, G 27 Feb
    assert result["customer_id"].tolist() == ["B", "C"]
    assert result["days_since_last_order"].tolist() == [44, 34]


def test_orders_need_their_columns():
    with pytest.raises(SchemaError, match="order_date"):
        inactive_customers(DOZEN.drop(columns="order_date"), window_days=10)


# --- cohorts ------------------------------------------------------------------------------------


def test_cohort_retention_against_hand_built_table():
    result = cohort_retention(DOZEN, period="month", as_of=AS_OF)
    # Jan cohort A, B, C (3); Feb cohort D, G (2); Mar cohort F (1)
    tm.assert_series_equal(
        result.sizes, pd.Series([3, 2, 1], index=COHORTS, name="customers", dtype="int64")
    )
    # Jan: age 1 only A is active (C's refund is not activity) 1/3; age 2 A and B: 2/3
    # Feb: nobody orders in March: 0/2 = 0.0 (observed zero); April not reached: NaN
    expected = frame([[1.0, 1 / 3, 2 / 3], [1.0, 0.0, NaN], [1.0, NaN, NaN]])
    tm.assert_frame_equal(result.customer_retention, expected)
    tm.assert_frame_equal(result.active, frame([[3.0, 1.0, 2.0], [2.0, 0.0, NaN], [1.0, NaN, NaN]]))
    # revenue: Jan 100 + 50 + 100 + 50 = 300; Feb 200 - 50 = 150; Mar 30 + 120 = 150
    #          Feb cohort 80 + 20 + 70 = 170, then 0; Mar cohort 40
    tm.assert_frame_equal(
        result.revenue, frame([[300.0, 150.0, 150.0], [170.0, 0.0, NaN], [40.0, NaN, NaN]])
    )
    # NRR: 150 / 300 = 0.5, 150 / 300 = 0.5; 0 / 170 = 0
    tm.assert_frame_equal(
        result.revenue_retention, frame([[1.0, 0.5, 0.5], [1.0, 0.0, NaN], [1.0, NaN, NaN]])
    )
    # GRR caps each customer at its own age-0 revenue (A 150, B 100, C 50):
    # age 1: A min(200, 150) + C max(-50, 0) = 150 -> 150/300; age 2: A min(30, 150) = 30,
    # B min(120, 100) = 100 -> 130 / 300
    tm.assert_frame_equal(
        result.gross_revenue_retention,
        frame([[1.0, 0.5, 130 / 300], [1.0, 0.0, NaN], [1.0, NaN, NaN]]),
    )
    observable = pd.DataFrame(
        [[True, True, True], [True, True, False], [True, False, False]], index=COHORTS, columns=AGES
    )
    tm.assert_frame_equal(result.observable, observable)
    # on 15 Mar the March period has started but not ended
    complete = pd.DataFrame(
        [[True, True, False], [True, False, False], [False, False, False]],
        index=COHORTS,
        columns=AGES,
    )
    tm.assert_frame_equal(result.complete, complete)
    assert result.labels() == ["2025-01", "2025-02", "2025-03"]


def test_cohort_retention_as_of_defaults_to_last_order_and_range_filters_cohorts():
    result = cohort_retention(DOZEN, start=pd.Timestamp("2025-02-01"))
    # cohorts starting on or after 1 Feb: D, G (Feb) and F (Mar), followed to 10 Mar
    assert result.sizes.tolist() == [2, 1]
    assert result.as_of == pd.Timestamp("2025-03-10")
    expected = pd.DataFrame(
        [[1.0, 0.0], [1.0, NaN]], index=COHORTS[1:], columns=pd.RangeIndex(2, name="age")
    )
    tm.assert_frame_equal(result.customer_retention, expected)


def test_cohort_retention_split_by_first_order_attribute():
    result = cohort_retention(DOZEN, as_of=AS_OF, by="channel")
    # channel of the first order: A Ads (later orders Web), B Web, C Ads, D Web, G Ads, F blank
    index = pd.MultiIndex.from_arrays(
        [
            pd.Index(["(none)", "Ads", "Ads", "Web", "Web"], dtype="str", name="channel"),
            pd.DatetimeIndex(
                ["2025-03-01", "2025-01-01", "2025-02-01", "2025-01-01", "2025-02-01"],
                name="cohort",
            ),
        ]
    )
    # Ads Jan (A, C): age 1 A -> 1/2, age 2 A -> 1/2; Web Jan (B): 0 then 1
    expected = frame(
        [
            [1.0, NaN, NaN],
            [1.0, 0.5, 0.5],
            [1.0, 0.0, NaN],
            [1.0, 0.0, 1.0],
            [1.0, 0.0, NaN],
        ],
        index=index,
    )
    tm.assert_frame_equal(result.customer_retention, expected)
    assert result.labels()[:2] == ["(none) 2025-03", "Ads 2025-01"]


def test_cohort_retention_split_by_customers_attribute_and_signup_cohorts():
    customers = pd.DataFrame(
        {
            "customer_id": pd.array(["A", "B", "H"], dtype="str"),
            "signup_date": pd.to_datetime(["2024-12-20", None, "2025-01-03"]),
            "segment": pd.array(["SMB", "SMB", None], dtype="str"),
        }
    )
    result = cohort_retention(DOZEN, customers=customers, by="segment", as_of=AS_OF)
    # A signs up in Dec: its Dec cohort has no December order (0.0) and orders in Jan-Mar;
    # H signed up in Jan and never ordered: in the Jan cohort, never active
    dec = result.customer_retention.loc[("SMB", pd.Timestamp("2024-12-01"))]
    assert dec.tolist() == [0.0, 1.0, 1.0, 1.0]
    none_jan = result.customer_retention.loc[("(none)", pd.Timestamp("2025-01-01"))]
    # (none) Jan: C and H -> age 0 1/2, age 1 0/2, age 2 0/2; age 3 not reached
    assert none_jan.iloc[:3].tolist() == [0.5, 0.0, 0.0]
    assert np.isnan(none_jan.iloc[3])


def test_cohort_retention_unknown_attribute():
    with pytest.raises(SchemaError, match="plan"):
        cohort_retention(DOZEN, by="plan")


def test_cohort_retention_without_cohorts_in_range():
    with pytest.raises(InsufficientDataError, match="range"):
        cohort_retention(DOZEN, start=pd.Timestamp("2026-01-01"), end=pd.Timestamp("2026-02-01"))


def test_cohort_retention_by_week():
    result = cohort_retention(DOZEN, period="week", as_of=AS_OF)
    # ISO weeks start on Monday: A's first order on Sunday 5 Jan belongs to the week of 30 Dec
    assert result.sizes.index[0] == pd.Timestamp("2024-12-30")
    assert result.labels()[0] == "2025-W01"
    assert result.customer_retention.iloc[:, 0].eq(1.0).all()


def test_retention_curve_weights_by_cohort_size():
    result = retention_curve(cohort_retention(DOZEN, as_of=AS_OF))
    # age 1: Jan and Feb reached it; (1 + 0) active / (3 + 2) = 0.2 (not the mean 1/6 of 1/3, 0)
    # NRR (150 + 0) / (300 + 170); GRR (150 + 0) / (300 + 170); age 2: Jan only
    expected = pd.DataFrame(
        {
            "cohorts": np.array([3, 2, 1], dtype=np.int64),
            "customers": np.array([6, 5, 3], dtype=np.int64),
            "active": np.array([6, 1, 2], dtype=np.int64),
            "customer_retention": [1.0, 0.2, 2 / 3],
            "revenue_retention": [1.0, 150 / 470, 0.5],
            "gross_revenue_retention": [1.0, 150 / 470, 130 / 300],
        },
        index=AGES,
    )
    tm.assert_frame_equal(result, expected)


@st.composite
def random_orders(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    customers = draw(st.lists(st.sampled_from("ABCDEFGH"), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    amounts = draw(
        st.lists(
            st.floats(-50, 500, allow_nan=False).map(lambda x: round(x, 2)),
            min_size=n,
            max_size=n,
        )
    )
    channels = draw(st.lists(st.sampled_from(["Ads", "Web", None]), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "customer_id": pd.array(customers, dtype="str"),
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "amount": np.array(amounts, dtype=np.float64),
            "channel": pd.array(channels, dtype="str"),
        }
    )


@settings(max_examples=60, deadline=None)
@given(
    orders=random_orders(),
    period=st.sampled_from(["week", "month", "quarter"]),
    seed=st.integers(0, 9),
)
def test_cohort_properties(orders: pd.DataFrame, period: str, seed: int):
    if not (orders["amount"] >= 0).any():
        with pytest.raises(InsufficientDataError):
            cohort_retention(orders, period=period)
        return
    result = cohort_retention(orders, period=period)
    share = result.customer_retention
    # every cohort is active in its first period; shares are within [0, 1]; NaN exactly
    # where the cell is not observable yet
    assert (share.iloc[:, 0] == 1.0).all()
    values = share.to_numpy()
    assert ((values[~np.isnan(values)] >= 0) & (values[~np.isnan(values)] <= 1)).all()
    tm.assert_frame_equal(share.isna(), ~result.observable)
    grr = result.gross_revenue_retention.to_numpy()
    assert (grr[~np.isnan(grr)] <= 1 + 1e-12).all()
    # the order of the rows does not matter
    shuffled = orders.sample(frac=1, random_state=seed).reset_index(drop=True)
    again = cohort_retention(shuffled, period=period)
    tm.assert_frame_equal(again.customer_retention, share)
    tm.assert_frame_equal(again.revenue_retention, result.revenue_retention)
    tm.assert_frame_equal(again.gross_revenue_retention, result.gross_revenue_retention)
    tm.assert_series_equal(again.sizes, result.sizes)
    # split by channel: same cohorts in total, and the split does not depend on row order
    split = cohort_retention(orders, period=period, by="channel")
    assert split.sizes.sum() == result.sizes.sum()
    tm.assert_frame_equal(
        cohort_retention(shuffled, period=period, by="channel").customer_retention,
        split.customer_retention,
    )


def test_cohort_retention_does_not_mutate_input():
    before = DOZEN.copy()
    cohort_retention(DOZEN, by="channel")
    tm.assert_frame_equal(DOZEN, before)


# --- survival and sBG ---------------------------------------------------------------------------


def _yearly_cohort(survivors: list[int]) -> pd.DataFrame:
    """Lifetimes of one cohort that starts on 2000-01-01 and has ``survivors`` alive each year."""
    starts, ends = [], []
    for year, (a, b) in enumerate(itertools.pairwise(survivors)):
        starts += ["2000-01-01"] * (a - b)
        ends += [f"{2000 + year}-07-01"] * (a - b)  # lost during year ``year`` of the cohort
    starts += ["2000-01-01"] * survivors[-1]
    ends += [None] * survivors[-1]
    return contractual_lifetimes(
        _contract_customers(starts, ends), as_of=pd.Timestamp(f"{1999 + len(survivors)}-06-30")
    )


REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


def test_sbg_survivors_against_fader_hardie_2007():
    # Fader and Hardie (2007), "How to Project Customer Retention", Regular segment: customers
    # alive per 1,000 in years 0-7 give alpha 0.704, beta 1.182
    from kpi.models import fit_sbg

    lifetimes = _yearly_cohort(REGULAR)
    result = sbg_survivors(lifetimes, period="year", cohort=pd.Timestamp("2000-01-01"))
    np.testing.assert_array_equal(result, np.array(REGULAR, dtype=float))
    pooled = sbg_survivors(lifetimes, period="year")
    np.testing.assert_allclose(pooled, REGULAR)
    fit = fit_sbg(result)
    assert (round(fit.alpha, 3), round(fit.beta, 3)) == (0.704, 1.182)


def test_sbg_survivors_pool_cohorts_by_age():
    # cohort 2024: 4 customers, 2 lost in year 0, 1 in year 1; cohort 2025: 2 customers, 1 lost
    # in year 0; as_of mid-2025, so the 2025 cohort reached age 0 only... age 1 is 2026
    starts = ["2024-01-01"] * 4 + ["2025-01-01"] * 2
    ends = ["2024-05-01", "2024-06-01", "2025-03-01", None, "2025-02-01", None]
    lifetimes = contractual_lifetimes(
        _contract_customers(starts, ends), as_of=pd.Timestamp("2025-06-30")
    )
    # cohort 2024 alone: alive at the start of 2024, 2025: 4, 2
    np.testing.assert_array_equal(
        sbg_survivors(lifetimes, period="year", cohort=pd.Timestamp("2024-06-01")), [4.0, 2.0]
    )
    # pooled: 6 customers; age 1 reached by the 2024 cohort only: 2 of 4 -> 6 x 0.5 = 3
    np.testing.assert_allclose(sbg_survivors(lifetimes, period="year"), [6.0, 3.0])


def test_sbg_survivors_empty_cohort():
    lifetimes = _yearly_cohort(REGULAR)
    with pytest.raises(InsufficientDataError, match="cohort"):
        sbg_survivors(lifetimes, period="year", cohort=pd.Timestamp("2003-01-01"))


def test_median_customer_lifetime_with_censoring():
    # four customers from 1 Jan 2025, as_of 31 Dec 2025: lost after 30 days, censored (joined
    # 1 Dec: 30 days), lost after 90 and 120 days. Kaplan-Meier: S = 3/4 after 30 days; at 90
    # days 2 at risk, 1 event: S = 3/4 x 1/2 = 3/8 <= 0.5, so the median is 90 days
    customers = _contract_customers(
        ["2025-01-01", "2025-12-01", "2025-01-01", "2025-01-01"],
        ["2025-01-31", None, "2025-04-01", "2025-05-01"],
    )
    lifetimes = contractual_lifetimes(customers, as_of=pd.Timestamp("2025-12-31"))
    assert median_customer_lifetime(lifetimes) == pytest.approx(90 / 30.4375)


def test_median_customer_lifetime_not_reached_is_nan():
    customers = _contract_customers(["2025-01-01"] * 3, ["2025-02-01", None, None])
    lifetimes = contractual_lifetimes(customers, as_of=pd.Timestamp("2025-06-30"))
    assert np.isnan(median_customer_lifetime(lifetimes))


# --- section ------------------------------------------------------------------------------------


def test_section_non_contractual_from_orders():
    result = section({"orders": DOZEN}, end=AS_OF)
    assert set(result.kpis) == set(retention.SECTION_KEYS)
    # NRR and GRR compare the range with the range before it; the whole data has none before
    assert result.kpis["nrr"] is None and result.kpis["grr"] is None
    assert any("NRR and GRR compare the range" in w for w in result.warnings)
    # window 41 days (see test_order_gaps_and_suggested_window); on 15 Mar only C (49 days)
    assert result.kpis["inactive_customers"] == 1
    assert result.cohorts["customer_retention"] == {
        "2025-01": [1.0, pytest.approx(1 / 3), pytest.approx(2 / 3)],
        "2025-02": [1.0, 0.0, None],
        "2025-03": [1.0, None, None],
    }
    assert result.cohorts["revenue_retention"]["2025-02"] == [1.0, 0.0, None]
    assert list(result.series["churn_rate"]) == ["2025-01", "2025-02", "2025-03"]
    assert any("non-contractual" in w and "41 days" in w for w in result.warnings)
    # C is lost 41 days after 25 Jan, on 7 Mar: March starts with 5 customers, loses 1
    assert result.series["churn_rate"]["2025-03"] == pytest.approx(1 / 5)
    json.dumps(result.kpis | {"s": result.series, "c": result.cohorts})  # JSON-safe: no NaN


def test_section_contractual_from_customers():
    result = section({"customers": CONTRACTS}, end=pd.Timestamp("2025-03-31"))
    # the whole data starts with the first signup (15 Dec 2024): nobody at the range's start,
    # so the range's churn is unknown, not a rate
    assert result.kpis["churn_rate"] is None
    assert result.kpis["customer_retention_rate"] is None
    assert any("no customer was there when the range begins" in w for w in result.warnings)
    # per month, see test_churn_series_contractual: lost 0 + 1 + 0 + 1 over start 0 + 1 + 2 + 3
    # -> 2 / 6 (c3 joined and left in February: a new customer lost, not a loss of the base)
    assert result.kpis["churn_rate_per_period"] == pytest.approx(2 / 6)
    assert result.kpis["churn_period"] == "month"
    # over the whole range everyone is new; c5, c3 and c2 left inside it
    assert result.kpis["new_customers_lost"] == 3
    assert result.series["churn_rate"] == {
        "2024-12": None,
        "2025-01": 1.0,
        "2025-02": 0.0,
        "2025-03": pytest.approx(1 / 3),
    }
    assert any("contractual" in w for w in result.warnings)
    assert result.kpis["nrr"] is None
    assert any("orders table" in w and "nrr" in w for w in result.warnings)


def test_section_without_tables():
    result = section({})
    assert result.kpis == dict.fromkeys(retention.SECTION_KEYS)
    assert result.series == {} and result.cohorts == {}
    assert any("orders table" in w for w in result.warnings)


def test_section_with_single_orders_only():
    orders = orders_frame([("A", "2025-01-05", 10.0, "Ads"), ("B", "2025-02-06", 5.0, "Web")])
    result = section({"orders": orders})
    # nobody ordered twice: no window, so no churn; cohorts exist but no age 1 before 6 Feb...
    assert result.kpis["churn_rate"] is None
    assert result.kpis["inactive_customers"] is None
    assert any("two different days" in w for w in result.warnings)
    assert result.cohorts["customer_retention"]["2025-01"] == [1.0, 0.0]


def test_section_contractual_without_start_dates():
    customers = CONTRACTS.drop(columns="signup_date")
    result = section({"customers": customers})
    assert result.kpis["churn_rate"] is None
    assert any("signup_date" in w and "churn_rate" in w for w in result.warnings)


def test_section_sbg_on_fader_hardie_regular_cohort():
    # the Regular cohort of Fader and Hardie (2007) as contracts: alpha 0.704, beta 1.182
    customers = _yearly_cohort(REGULAR).reset_index()
    customers = customers.rename(columns={"start": "signup_date", "end": "end_date"})
    result = section({"customers": customers}, end=pd.Timestamp("2007-06-30"), period="year")
    assert round(result.kpis["sbg_alpha"], 3) == 0.704
    assert round(result.kpis["sbg_beta"], 3) == 1.182
    # 2000: the 1,000 join, nobody at its start -> None; 2001: the 631 alive on 1 Jan 2001
    # lose 631 - 468 = 163 during the year: 163 / 631
    assert result.series["churn_rate"]["2000"] is None
    assert result.series["churn_rate"]["2001"] == pytest.approx(163 / 631)
