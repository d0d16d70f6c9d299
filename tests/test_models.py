"""Tests for kpi.models: sBG, Kaplan-Meier, log-rank, RFM summary, BG/NBD, Gamma-Gamma, CLV.

Published numbers come from Fader and Hardie (2007, 2010), Fader, Hardie and Lee (2005), and
R's survival package printing the ``aml`` data; the CDNOW sample is in tests/data (see its
README for source and license).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy.special import betaln, gammaln

from kpi import models
from kpi.errors import ConvergenceError, InsufficientDataError, KpiError, SchemaError
from kpi.models import (
    BgNbdFit,
    GammaGammaFit,
    SbgFit,
    _bgnbd_negative_ll,
    calibration_holdout,
    customer_lifetime_value,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_sbg,
    holdout_by_frequency,
    kaplan_meier,
    logrank_test,
    rfm_summary,
    sbg_log_likelihood,
)

DATA = Path(__file__).resolve().parent / "data"

# Fader and Hardie (2007), Table 1: customers alive per 1,000 at the start of years 0-7.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]

# R's survival package, data(aml): acute myelogenous leukaemia, weeks to relapse
# (status 1 = relapse, 0 = censored), maintained and non-maintained chemotherapy.
AML_MAINTAINED = ([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161], [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
AML_NONMAINTAINED = (
    [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
    [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The CDNOW calibration summary: x, t_x, T (weeks), zbar (dollars), 2,357 customers."""
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv", index_col="ID")


@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    """The CDNOW sample purchase records as a canonical orders table."""
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "order_date", "quantity", "amount"],
        dtype={"master_id": str, "customer_id": "int64", "order_date": str},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "order_date": pd.to_datetime(raw["order_date"], format="%Y%m%d"),
            "amount": raw["amount"].astype(float),
        }
    )


@pytest.fixture(scope="module")
def cdnow_bgnbd(cdnow: pd.DataFrame) -> BgNbdFit:
    return fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])


# --------------------------------------------------------------------------------------------
# sBG
# --------------------------------------------------------------------------------------------


def test_sbg_regular_against_fader_hardie_2007():
    result = fit_sbg(REGULAR)
    assert round(result.alpha, 3) == 0.704
    assert round(result.beta, 3) == 1.182
    assert result.n_periods == 7
    assert result.cohort_size == 1000


def test_sbg_high_end_against_fader_hardie_2007():
    result = fit_sbg(HIGH_END)
    assert round(result.alpha, 3) == 0.668
    assert round(result.beta, 3) == 3.806
    assert round(result.log_likelihood, 1) == -1611.2


def test_sbg_log_likelihood_at_one_one_against_fader_hardie_2007():
    # The paper's spreadsheet starts Solver at alpha = beta = 1, where LL is -2115.5.
    assert round(sbg_log_likelihood(HIGH_END, 1.0, 1.0), 1) == -2115.5


def test_sbg_survival_and_retention_by_hand():
    fit = SbgFit(alpha=1.0, beta=1.0, log_likelihood=0.0, n_periods=2, cohort_size=100.0)
    # alpha = beta = 1: S(t) = B(1, 1 + t) / B(1, 1) = 1 / (t + 1); r(t) = t / (t + 1).
    np.testing.assert_allclose(fit.survival([0, 1, 2, 3]), [1, 1 / 2, 1 / 3, 1 / 4])
    np.testing.assert_allclose(fit.retention([1, 2, 3]), [1 / 2, 2 / 3, 3 / 4])
    assert math.isnan(fit.retention(0))
    assert isinstance(fit.survival(2), float)
    # 100 * (1, 1/2, 1/3)
    np.testing.assert_allclose(fit.projected_survivors(2), [100, 50, 100 / 3])


def test_sbg_retention_is_the_ratio_of_survivals():
    fit = fit_sbg(REGULAR)
    t = np.arange(1, 15)
    np.testing.assert_allclose(fit.retention(t), fit.survival(t) / fit.survival(t - 1))


@pytest.mark.parametrize("renewals", [0, 1, 4])
@pytest.mark.parametrize("discount_rate", [0.05, 0.1, 0.25])
def test_sbg_derl_against_truncated_sum(renewals, discount_rate):
    # Fader and Hardie (2010), eq. (4): DERL = sum_{t >= n} S(t) / S(n - 1) / (1 + d)^(t - n),
    # n = renewals + 1; truncated where the terms are below 1e-12.
    fit = fit_sbg(HIGH_END)
    n = renewals + 1
    t = np.arange(n, 2000)
    terms = fit.survival(t) / fit.survival(n - 1) / (1 + discount_rate) ** (t - n)
    assert fit.derl(renewals, discount_rate) == pytest.approx(terms.sum(), rel=1e-10)


def test_sbg_derl_by_hand():
    fit = SbgFit(alpha=1.0, beta=1.0, log_likelihood=0.0, n_periods=2, cohort_size=1.0)
    # S(t) = 1 / (t + 1), z = 1 / 1.1: DERL(0) = sum_{t>=1} z^(t-1) / (t + 1)
    #   = (-ln(1 - z) - z) / z^2 = (ln 11 - 1 / 1.1) * 1.21 = 1.8015
    expected = (math.log(11) - 1 / 1.1) * 1.21
    assert fit.derl(0, 0.1) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("k", [1e3, 1e8])
def test_sbg_derl_homogeneous_limit_against_fader_hardie_2010(k):
    # Without heterogeneity (theta fixed at 1 - r), DERL is the textbook
    # r (1 + d) / (1 + d - r) (Fader and Hardie 2010, eq. (2)): 0.8 * 1.1 / 0.3 = 2.9333.
    # scipy's hyp2f1 is NaN for such large alpha and beta; derl then sums the series.
    fit = SbgFit(alpha=0.2 * k, beta=0.8 * k, log_likelihood=0.0, n_periods=2, cohort_size=1.0)
    n = 4  # renewals = 3: r_n = (beta + 3) / (alpha + beta + 3) is 0.8 up to 3 / k
    if k < 1e4:  # beyond, betaln loses the digits the brute-force sum needs
        t = np.arange(n, 2000)
        brute = (fit.survival(t) / fit.survival(n - 1) / 1.1 ** (t - n)).sum()
        assert fit.derl(3, 0.1) == pytest.approx(brute, rel=1e-9)
    assert fit.derl(3, 0.1) == pytest.approx(0.8 * 1.1 / 0.3, rel=10 / k)


def test_sbg_derl_needs_a_positive_discount_rate():
    with pytest.raises(KpiError, match="positive discount rate"):
        fit_sbg(REGULAR).derl(0, 0.0)


@settings(max_examples=30, deadline=None)
@given(
    alpha=st.floats(min_value=0.3, max_value=5.0),
    beta=st.floats(min_value=0.3, max_value=5.0),
)
def test_sbg_recovers_the_parameters_of_its_own_expected_counts(alpha, beta):
    # Counts proportional to the model's own survival curve are maximised by the true values.
    counts = SbgFit(alpha, beta, 0.0, 7, 1e6).projected_survivors(7)
    result = fit_sbg(counts)
    assert result.alpha == pytest.approx(alpha, rel=2e-3)
    assert result.beta == pytest.approx(beta, rel=2e-3)


@pytest.mark.parametrize(
    ("survivors", "error", "match"),
    [
        ([1000, 600], InsufficientDataError, "at least two periods"),
        ([], InsufficientDataError, "at least two periods"),
        ([0, 0, 0], InsufficientDataError, "cohort size 0"),
        ([100, 80, 90], SchemaError, "never increase"),
        ([100, np.nan, 50], SchemaError, "without blanks"),
        ([100, 100, 100], ConvergenceError, "none of the 100 customers churned"),
        ([100, 0, 0], ConvergenceError, "all 100 customers churned in the first period"),
    ],
)
def test_sbg_errors(survivors, error, match):
    with pytest.raises(error, match=match):
        fit_sbg(survivors)


# --------------------------------------------------------------------------------------------
# Kaplan-Meier and log-rank
# --------------------------------------------------------------------------------------------


def test_kaplan_meier_against_R_survfit_aml():
    durations = AML_MAINTAINED[0] + AML_NONMAINTAINED[0]
    observed = AML_MAINTAINED[1] + AML_NONMAINTAINED[1]
    result = kaplan_meier(durations, observed)
    table = result.table[result.table["events"] > 0]
    # summary(survfit(Surv(time, status) ~ 1, data = aml)), survival 3.x, conf.type "log":
    #  time n.risk n.event survival std.err lower 95% CI upper 95% CI
    r_output = [
        (5, 23, 2, 0.9130, 0.0588, 0.8049, 1.000),
        (8, 21, 2, 0.8261, 0.0790, 0.6848, 0.996),
        (9, 19, 1, 0.7826, 0.0860, 0.6310, 0.971),
        (12, 18, 1, 0.7391, 0.0916, 0.5798, 0.942),
        (13, 17, 1, 0.6957, 0.0959, 0.5309, 0.912),
        (18, 14, 1, 0.6460, 0.1011, 0.4753, 0.878),
        (23, 13, 2, 0.5466, 0.1073, 0.3721, 0.803),
        (27, 11, 1, 0.4969, 0.1084, 0.3240, 0.762),
        (30, 9, 1, 0.4417, 0.1095, 0.2717, 0.718),
        (31, 8, 1, 0.3865, 0.1089, 0.2225, 0.671),
        (33, 7, 1, 0.3313, 0.1064, 0.1765, 0.622),
        (34, 6, 1, 0.2761, 0.1020, 0.1338, 0.569),
        (43, 5, 1, 0.2208, 0.0954, 0.0947, 0.515),
        (45, 4, 1, 0.1656, 0.0860, 0.0598, 0.458),
        (48, 2, 1, 0.0828, 0.0727, 0.0148, 0.462),
    ]
    expected = pd.DataFrame(
        r_output, columns=["t", "at_risk", "events", "survival", "std_error", "lower", "upper"]
    ).set_index("t")
    tm.assert_index_equal(table.index, expected.index.astype(float).rename("t"))
    np.testing.assert_array_equal(table["at_risk"], expected["at_risk"])
    np.testing.assert_array_equal(table["events"], expected["events"])
    for column in ("survival", "std_error", "lower"):
        np.testing.assert_array_equal(table[column].round(4), expected[column])
    np.testing.assert_array_equal(table["upper"].round(3), expected["upper"])
    # print(survfit(...)): n 23, events 18, median 27.
    assert result.median == 27.0
    assert table["events"].sum() == 18


def test_kaplan_meier_median_by_group_against_R_survfit_aml():
    # print(survfit(Surv(time, status) ~ x, data = aml)): medians 31 and 23.
    assert kaplan_meier(*AML_MAINTAINED).median == 31.0
    assert kaplan_meier(*AML_NONMAINTAINED).median == 23.0


def test_kaplan_meier_by_hand():
    result = kaplan_meier([2, 3, 3, 5], [True, True, False, True])
    z = 1.959963984540054
    # t=2: 4 at risk, 1 event: S = 3/4; Greenwood sum 1 / (4 * 3) = 1/12
    # t=3: 3 at risk, 1 event, 1 censored: S = 3/4 * 2/3 = 1/2; sum 1/12 + 1 / (3 * 2) = 1/4
    # t=5: 1 at risk, 1 event: S = 0; standard error and band undefined (NaN)
    expected = pd.DataFrame(
        {
            "at_risk": [4.0, 3.0, 1.0],
            "events": [1.0, 1.0, 1.0],
            "censored": [0.0, 1.0, 0.0],
            "survival": [0.75, 0.5, 0.0],
            "std_error": [0.75 * math.sqrt(1 / 12), 0.5 * math.sqrt(1 / 4), np.nan],
            "lower": [0.75 * math.exp(-z * math.sqrt(1 / 12)), 0.5 * math.exp(-z * 0.5), np.nan],
            "upper": [1.0, 1.0, np.nan],  # 0.75 * 1.76 and 0.5 * 2.66, capped at 1
        },
        index=pd.Index([2.0, 3.0, 5.0], name="t"),
    )
    tm.assert_frame_equal(result.table, expected)
    # S is exactly 0.5 from t=3 to the next event at t=5: R reports the midpoint, 4.
    assert result.median == 4.0
    np.testing.assert_array_equal(
        result.survival_at([0, 2, 2.5, 3, 4.9, 5, 99]), [1, 0.75, 0.75, 0.5, 0.5, 0, 0]
    )
    assert result.survival_at(2) == 0.75


def test_kaplan_meier_median_is_nan_when_survival_stays_above_half():
    result = kaplan_meier([1, 2, 3, 4], [True, False, False, False])
    assert result.table["survival"].min() == 0.75
    assert math.isnan(result.median)


def test_kaplan_meier_treats_blank_flags_as_censored():
    flags = pd.array([True, None, True], dtype="boolean")
    result = kaplan_meier([1, 2, 3], flags)
    assert result.table["events"].tolist() == [1.0, 0.0, 1.0]


def test_kaplan_meier_errors():
    with pytest.raises(SchemaError, match="one observed flag per duration"):
        kaplan_meier([1, 2], [True])
    with pytest.raises(SchemaError, match="1 negative"):
        kaplan_meier([1, -2], [True, True])
    with pytest.raises(SchemaError, match="1 blank"):
        kaplan_meier([1, np.nan], [True, True])
    with pytest.raises(InsufficientDataError, match="at least one customer"):
        kaplan_meier([], [])


def test_logrank_against_R_survdiff_aml():
    result = logrank_test(*AML_MAINTAINED, *AML_NONMAINTAINED)
    # survdiff(Surv(time, status) ~ x, data = aml):
    #   x=Maintained     11  Observed 7  Expected 10.69
    #   x=Nonmaintained  12  Observed 11 Expected 7.31
    #   Chisq= 3.4 on 1 degrees of freedom, p= 0.07 (0.0653 unrounded)
    assert round(result.statistic, 1) == 3.4
    assert round(result.p_value, 4) == 0.0653
    assert result.observed_a == 7
    assert round(result.expected_a, 2) == 10.69


def test_logrank_by_hand_and_symmetric():
    # Times 1..6, one event each, A = {1, 2, 3}: at risk n = 6..1, n_a = 3, 2, 1, 0, 0, 0.
    # E_a = 3/6 + 2/5 + 1/4 = 1.15; O_a = 3
    # V = (1/2)(1/2) + (2/5)(3/5) + (1/4)(3/4) = 0.6775; chi2 = 1.85^2 / 0.6775 = 5.0517
    result = logrank_test([1, 2, 3], [1, 1, 1], [4, 5, 6], [1, 1, 1])
    assert result.statistic == pytest.approx(1.85**2 / 0.6775)
    assert result.expected_a == pytest.approx(1.15)
    swapped = logrank_test([4, 5, 6], [1, 1, 1], [1, 2, 3], [1, 1, 1])
    assert swapped.statistic == pytest.approx(result.statistic)
    assert swapped.p_value == pytest.approx(result.p_value)


def test_logrank_without_events_raises():
    with pytest.raises(InsufficientDataError, match="no variance"):
        logrank_test([1, 2], [0, 0], [3, 4], [0, 0])


# --------------------------------------------------------------------------------------------
# RFM summary, calibration and holdout
# --------------------------------------------------------------------------------------------


def test_rfm_summary_against_cdnow_summary(cdnow_orders, cdnow):
    # Fader, Hardie and Lee (2005): 39-week calibration, 1997-01-01 to 1997-09-30, weeks.
    result = rfm_summary(cdnow_orders, end=pd.Timestamp("1997-09-30"), freq="W")
    assert len(result) == 2357
    tm.assert_index_equal(result.index, pd.Index(cdnow.index.to_numpy(), name="customer_id"))
    np.testing.assert_array_equal(result["frequency"], cdnow["x"])
    np.testing.assert_array_equal(result["recency"].round(2), cdnow["t_x"])
    np.testing.assert_array_equal(result["T"].round(2), cdnow["T"])
    # zbar is printed in cents; ties such as 22.345 were rounded up where numpy rounds to even.
    np.testing.assert_allclose(result["monetary_value"], cdnow["zbar"], atol=0.005 + 1e-9)


def test_rfm_summary_by_hand():
    orders = pd.DataFrame(
        {
            "customer_id": pd.array(["a", "a", "a", "a", "b", "c", "d", None], dtype="str"),
            "order_date": pd.to_datetime(
                [
                    "2025-01-01 09:00",
                    "2025-01-01 17:00",  # same day as the first: one purchase, amounts summed
                    "2025-01-08 00:00",
                    "2025-01-31 23:59",
                    "2025-01-11 00:00",
                    "2025-02-20 00:00",  # after end: ignored, and so is customer c
                    "2025-01-21 00:00",
                    "2025-01-05 00:00",  # no customer: ignored
                ]
            ).as_unit("s"),
            "amount": [10.0, 5.0, 30.0, np.nan, 20.0, 99.0, 7.0, 1.0],
        }
    )
    before = orders.copy()
    result = rfm_summary(orders, end=pd.Timestamp("2025-01-31"), freq="D")
    tm.assert_frame_equal(orders, before)
    # a: days 01-01, 01-08, 01-31 -> 2 repeats; recency 30, T 30; repeat values 30 and NaN
    #    (ignored) -> mean 30. b and d: no repeat -> recency 0, monetary 0.0 (zero cell).
    expected = pd.DataFrame(
        {
            "frequency": [2.0, 0.0, 0.0],
            "recency": [30.0, 0.0, 0.0],
            "T": [30.0, 20.0, 10.0],
            "monetary_value": [30.0, 0.0, 0.0],
        },
        index=pd.Index(["a", "b", "d"], dtype="str", name="customer_id"),
    )
    tm.assert_frame_equal(result, expected)
    months = rfm_summary(orders, end=pd.Timestamp("2025-01-31"), freq="M")
    # 30 days / (365.25 / 12) days per month
    assert months.loc["a", "T"] == pytest.approx(30 / 30.4375)


def test_rfm_summary_without_amounts_has_nan_monetary_value():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "order_date": pd.to_datetime(["2025-01-01", "2025-01-15"]),
        }
    )
    result = rfm_summary(orders)
    assert result.loc["a", "frequency"] == 1.0
    assert result.loc["a", "T"] == 2.0  # end defaults to the last order day: 14 days = 2 weeks
    assert math.isnan(result.loc["a", "monetary_value"])


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.integers(min_value=0, max_value=60),
            st.floats(min_value=0.5, max_value=500, allow_nan=False),
        ),
        min_size=1,
        max_size=25,
    ),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_rfm_summary_bounds_and_row_order(rows, seed):
    orders = pd.DataFrame(rows, columns=["customer_id", "day", "amount"])
    orders["order_date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(orders["day"], unit="D")
    result = rfm_summary(orders, freq="D")
    shuffled = rfm_summary(orders.sample(frac=1, random_state=seed), freq="D")
    tm.assert_frame_equal(result, shuffled)
    assert (result["recency"] <= result["T"]).all()
    assert (result["frequency"] <= result["recency"]).all()  # one purchase per day at most
    assert ((result["frequency"] == 0) == (result["recency"] == 0)).all()


def test_rfm_summary_errors():
    with pytest.raises(SchemaError, match="order_date is missing"):
        rfm_summary(pd.DataFrame({"customer_id": ["a"]}))
    with pytest.raises(KpiError, match="freq must be one of D, W, M"):
        rfm_summary(pd.DataFrame({"customer_id": ["a"], "order_date": ["2025-01-01"]}), freq="Y")
    with pytest.raises(InsufficientDataError, match="found none"):
        rfm_summary(pd.DataFrame({"customer_id": [None], "order_date": ["2025-01-01"]}))


def _general_rfm_summary(orders: pd.DataFrame, **options) -> pd.DataFrame:
    """rfm_summary through its group-by path (the one for any column pandas can group)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "_codes_apply", lambda *args: False)
        return rfm_summary(orders, **options)


def _orders_with_ties(*, sort: bool, blanks: bool) -> pd.DataFrame:
    # Customer a orders three times on 2025-01-08: 25.2 + 249.79 + 236.13 is 511.12 with the
    # compensated summation pandas uses on an unsorted table, and 511.11999999999995 with the
    # np.add.reduceat it uses on a table sorted by customer and day without blank amounts.
    # That day is a's only repeat day, so the sum is a's monetary_value, to the last digit.
    orders = pd.DataFrame(
        {
            "customer_id": pd.array(["b", "a", "a", "a", "c", "a", None, "b", "c"], dtype="str"),
            "order_date": pd.to_datetime(
                [
                    "2025-01-03 10:00",
                    "2025-01-08 09:00",
                    "2025-01-08 12:00",
                    "2025-01-01 08:00",
                    "2025-01-20 00:00",
                    "2025-01-08 23:59",
                    "2025-01-02 00:00",  # no customer: ignored
                    "2025-01-03 11:00",  # b's second order that day, a refund
                    "2025-01-15 00:00",
                ]
            ),
            "amount": [20.0, 25.2, 249.79, 5.0, 7.5, 236.13, 1.0, -20.0, 9.0],
        }
    )
    if blanks:
        orders.loc[4, "amount"] = np.nan
    if sort:
        orders = orders.sort_values(["customer_id", "order_date"]).reset_index(drop=True)
    return orders


@pytest.mark.parametrize("sort", [False, True])
@pytest.mark.parametrize("blanks", [False, True])
@pytest.mark.parametrize("end", [None, pd.Timestamp("2025-01-10")])
def test_rfm_summary_integer_path_equals_the_group_by_path_to_the_bit(sort, blanks, end):
    orders = _orders_with_ties(sort=sort, blanks=blanks)
    result = rfm_summary(orders, end=end, freq="D")
    expected = _general_rfm_summary(orders, end=end, freq="D")
    tm.assert_frame_equal(result, expected, check_exact=True)
    # a: days 01-01 (5.0) and 01-08 (25.2 + 249.79 + 236.13); b: one day, 20 - 20 = 0.0;
    # c: days 01-15 and 01-20, both after the end 01-10 when there is one.
    assert result.loc["a", "frequency"] == 1.0
    assert result.loc["a", "monetary_value"] == pytest.approx(511.12, abs=1e-9)
    assert result.loc["b", "monetary_value"] == 0.0
    assert ("c" in result.index) == (end is None)


@pytest.mark.parametrize("dtype", ["str", "string", "int64", "float64"])
def test_rfm_summary_integer_path_keeps_the_customer_dtype(dtype):
    ids = [3, 1, 1, np.nan, 3] if dtype == "float64" else [3, 1, 1, 2, 3]
    if dtype in ("str", "string"):
        ids = [f"c{i}" for i in ids]
    orders = pd.DataFrame(
        {
            "customer_id": pd.Series(ids, dtype=dtype),
            "order_date": pd.to_datetime(
                [
                    "1969-12-31 23:00",
                    "1970-01-01 01:00",
                    "1970-01-05 00:00",
                    "1970-01-02 00:00",
                    "1970-01-09 00:00",
                ]
            ),
            "amount": [1.0, 2.0, np.nan, 4.0, 5.0],
        }
    )
    result = rfm_summary(orders, freq="D")
    tm.assert_frame_equal(result, _general_rfm_summary(orders, freq="D"), check_exact=True)
    assert result.index.dtype == orders["customer_id"].dtype
    # The first customer's orders are on 1969-12-31 and 1970-01-09, nine days apart (days
    # before 1970 are floored, not rounded towards 1970).
    assert result["recency"].iloc[-1] == 9.0


def test_rfm_summary_takes_the_group_by_path_for_other_columns():
    dates = pd.to_datetime(pd.Series(["2025-01-01", "2025-01-02"]))
    ids = pd.Series(["a", "b"], dtype="str")
    assert models._codes_apply(ids, dates, None)
    assert not models._codes_apply(ids.astype("category"), dates, None)
    assert not models._codes_apply(ids.astype(object), dates, None)
    assert not models._codes_apply(ids, dates.dt.tz_localize("Europe/Berlin"), None)
    assert not models._codes_apply(ids, dates, pd.Timestamp("2025-01-02", tz="UTC"))
    orders = pd.DataFrame(
        {"customer_id": ids.astype("category"), "order_date": dates, "amount": [1.0, 2.0]}
    )
    result = rfm_summary(orders)
    assert isinstance(result.index, pd.CategoricalIndex)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", None]),
            st.integers(min_value=0, max_value=20 * 24),
            st.one_of(
                st.floats(min_value=-100, max_value=100, allow_nan=False),
                st.sampled_from([np.nan, 0.1, 0.2, 0.3]),
            ),
        ),
        min_size=1,
        max_size=40,
    ),
    sort=st.booleans(),
)
def test_rfm_summary_integer_path_equals_the_group_by_path(rows, sort):
    orders = pd.DataFrame(rows, columns=["customer_id", "hour", "amount"])
    orders["customer_id"] = orders["customer_id"].astype("str")
    orders["order_date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(orders["hour"], unit="h")
    if sort:
        orders = orders.sort_values(["customer_id", "order_date"], kind="stable")
    try:
        expected = _general_rfm_summary(orders, freq="D")
    except InsufficientDataError:
        with pytest.raises(InsufficientDataError, match="found none"):
            rfm_summary(orders, freq="D")
        return
    tm.assert_frame_equal(rfm_summary(orders, freq="D"), expected, check_exact=True)


def test_compensated_sums_against_pandas_group_by_sum():
    rng = np.random.default_rng(3)
    values = np.round(rng.uniform(-50, 300, 400), 2)
    values[rng.random(400) < 0.1] = np.nan
    values[7] = np.inf
    sizes = rng.integers(1, 9, 120)
    sizes = sizes[np.cumsum(sizes) <= 400]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    labels = np.repeat(np.arange(len(sizes)), sizes)
    rows = rng.permutation(len(labels))  # unsorted labels: pandas' compensated kernel
    by_pandas = (
        pd.Series(values[: len(labels)][rows]).groupby(labels[rows]).sum(min_count=1).to_numpy()
    )
    # Within a run the values keep pandas' order: sort the permuted rows stably by label.
    ordered = rows[np.argsort(labels[rows], kind="stable")]
    result = models._compensated_sums(values[: len(labels)][ordered], starts, sizes)
    np.testing.assert_array_equal(result, by_pandas)


def test_sorted_by_key_is_stable_on_both_paths():
    key = np.array([5, 1, 5, 0, 1, 5])
    sorted_key, rows = models._sorted_by_key(key)
    np.testing.assert_array_equal(sorted_key, [0, 1, 1, 5, 5, 5])
    np.testing.assert_array_equal(rows, [3, 1, 4, 0, 2, 5])
    huge = key * 2**60 // 5  # the folded key would overflow: the stable argsort
    sorted_huge, rows_huge = models._sorted_by_key(huge)
    np.testing.assert_array_equal(rows_huge, rows)
    np.testing.assert_array_equal(sorted_huge, huge[rows])


def test_calibration_holdout_by_hand():
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c"],
            "order_date": pd.to_datetime(
                ["2025-01-01", "2025-01-15", "2025-02-05", "2025-02-05", "2025-01-29", "2025-02-01"]
            ),
            "amount": [10.0, 20.0, 5.0, 5.0, 8.0, 3.0],
        }
    )
    result = calibration_holdout(
        orders, cutoff=pd.Timestamp("2025-01-29"), end=pd.Timestamp("2025-02-12"), freq="W"
    )
    # Cut-off 01-29, end 02-12: a holdout purchase on one day (02-05, two orders) -> 1;
    # b none (zero cell); c first ordered after the cut-off -> left out. Holdout 14 days = 2 w.
    expected = pd.DataFrame(
        {
            "frequency_cal": [1.0, 0.0],
            "recency_cal": [2.0, 0.0],
            "T_cal": [4.0, 0.0],
            "monetary_value_cal": [20.0, 0.0],
            "frequency_holdout": [1.0, 0.0],
            "duration_holdout": [2.0, 2.0],
        },
        index=pd.Index(["a", "b"], dtype=orders["customer_id"].dtype, name="customer_id"),
    )
    tm.assert_frame_equal(result, expected)


def test_calibration_holdout_errors():
    orders = pd.DataFrame({"customer_id": ["a"], "order_date": pd.to_datetime(["2025-03-01"])})
    with pytest.raises(KpiError, match="end after the cut-off"):
        calibration_holdout(
            orders, cutoff=pd.Timestamp("2025-03-01"), end=pd.Timestamp("2025-03-01")
        )
    with pytest.raises(InsufficientDataError, match="ordered by the cut-off"):
        calibration_holdout(
            orders, cutoff=pd.Timestamp("2025-02-01"), end=pd.Timestamp("2025-04-01")
        )


def test_holdout_by_frequency_by_hand():
    fit = BgNbdFit(r=0.25, alpha=4.0, a=0.8, b=2.5, log_likelihood=0.0, n_customers=4)
    calibration = pd.DataFrame(
        {
            "frequency_cal": [0.0, 0.0, 2.0, 9.0],
            "recency_cal": [0.0, 0.0, 10.0, 30.0],
            "T_cal": [20.0, 30.0, 30.0, 35.0],
            "frequency_holdout": [0.0, 1.0, 2.0, 6.0],
            "duration_holdout": [10.0, 10.0, 10.0, 10.0],
        }
    )
    result = holdout_by_frequency(fit, calibration, max_frequency=3)
    predicted = [fit.expected_purchases(10.0, *row) for row in calibration.iloc[:, :3].to_numpy()]
    # Row 0: two customers, actual (0 + 1) / 2; row 1: nobody (NaN means, zero count);
    # row 3 pools 3+ (the customer with 9).
    expected = pd.DataFrame(
        {
            "customers": [2, 0, 1, 1],
            "actual": [0.5, np.nan, 2.0, 6.0],
            "predicted": [(predicted[0] + predicted[1]) / 2, np.nan, predicted[2], predicted[3]],
        },
        index=pd.RangeIndex(4, name="frequency_cal"),
    )
    tm.assert_frame_equal(result, expected)


def test_calibration_holdout_on_cdnow_against_fader_hardie_lee_2005(cdnow_orders):
    # FHL (2005): of the 2,357 customers, 1,411 made no repeat purchase in the 39 weeks.
    calibration = calibration_holdout(
        cdnow_orders, cutoff=pd.Timestamp("1997-09-30"), end=pd.Timestamp("1998-06-30")
    )
    fit = fit_bgnbd(calibration["frequency_cal"], calibration["recency_cal"], calibration["T_cal"])
    result = holdout_by_frequency(fit, calibration)
    assert len(calibration) == 2357
    assert result.loc[0, "customers"] == 1411
    assert result["customers"].sum() == 2357
    assert calibration["duration_holdout"].iloc[0] == 39.0  # 273 days
    # The model tracks the holdout: means rise with calibration frequency, as in FHL's plot.
    assert result["predicted"].is_monotonic_increasing
    assert result["actual"].is_monotonic_increasing


# --------------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------------


def test_bgnbd_against_fader_hardie_lee_2005(cdnow_bgnbd):
    result = cdnow_bgnbd
    assert round(result.r, 3) == 0.243
    assert round(result.alpha, 3) == 4.414
    assert round(result.a, 3) == 0.793
    assert round(result.b, 3) == 2.426
    assert round(result.log_likelihood, 1) == -9582.4
    assert result.n_customers == 2357


def test_bgnbd_conditional_expectation_against_fader_hardie_lee_2005(cdnow_bgnbd):
    # FHL (2005), section 4: customer with x = 2, t_x = 30.43, T = 38.86: E[Y(39)] = 1.226.
    assert round(cdnow_bgnbd.expected_purchases(39, 2, 30.43, 38.86), 3) == 1.226


def test_bgnbd_gradient_is_the_derivative_of_the_likelihood(cdnow):
    x, tx, big_t = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    w = np.ones(len(x))
    theta = np.log([0.3, 5.0, 0.9, 2.0])
    analytic = _bgnbd_negative_ll(theta, x, tx, big_t, w)[1]
    numeric = optimize.approx_fprime(
        theta, lambda th: _bgnbd_negative_ll(th, x, tx, big_t, w)[0], 1e-7
    )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-6)


def test_bgnbd_probability_alive_by_hand():
    fit = BgNbdFit(r=1.0, alpha=1.0, a=1.0, b=1.0, log_likelihood=0.0, n_customers=1)
    # x=1, t_x=1, T=3: odds = a / (b + x - 1) * ((1 + 3) / (1 + 1))^(1 + 1) = 4 -> 1 / 5
    # x=0: a customer can only drop out after a repeat purchase -> 1
    np.testing.assert_allclose(fit.probability_alive([1, 0], [1, 0], [3, 3]), [0.2, 1.0])


def test_bgnbd_new_customer_expectation(cdnow_bgnbd):
    fit = cdnow_bgnbd
    t = np.array([1.0, 10.0, 39.0, 78.0])
    # A customer just acquired (x = 0, t_x = 0, T = 0) is the unconditional case.
    np.testing.assert_allclose(fit.expected_purchases_new(t), fit.expected_purchases(t, 0, 0, 0))
    # Over a short interval nobody has dropped out yet: E[X(t)] ~ E[lambda] t = r / alpha * t.
    assert fit.expected_purchases_new(1e-5) == pytest.approx(fit.r / fit.alpha * 1e-5, rel=1e-4)
    assert np.all(np.diff(fit.expected_purchases_new(t)) > 0)


def test_bgnbd_fits_100k_customers_in_under_two_seconds(cdnow):
    rng = np.random.default_rng(7)
    rows = rng.integers(0, len(cdnow), 100_000)
    x = cdnow["x"].to_numpy()[rows]
    big_t = cdnow["T"].to_numpy()[rows]
    tx = np.where(
        x > 0, np.minimum(cdnow["t_x"].to_numpy()[rows] + rng.uniform(0, 1, len(x)), big_t), 0
    )
    spend = cdnow["zbar"].to_numpy()[rows] * rng.uniform(0.9, 1.1, len(x))
    started = time.perf_counter()
    bgnbd = fit_bgnbd(x, tx, big_t)
    gg = fit_gamma_gamma(x, spend)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert bgnbd.n_customers == 100_000
    assert gg.n_customers == int((x > 0).sum())


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "error", "match"),
    [
        ([1, 2], [5, 9], [4, 10], SchemaError, "1 customer"),
        ([0, 1], [2, 1], [4, 10], SchemaError, "recency 0 when frequency is 0"),
        ([-1, 1], [0, 1], [4, 10], SchemaError, "frequency >= 0"),
        ([0, 0, 0], [0, 0, 0], [4, 5, 6], InsufficientDataError, "found 0 of 3"),
        ([1, 1, 1], [5, 5, 5], [5, 5, 5], ConvergenceError, "did not settle"),
        ([1, 0, 0], [1, 0, 0], [10, 10, 10], ConvergenceError, "hardly constrain a, b"),
    ],
)
def test_bgnbd_errors(frequency, recency, T, error, match):
    with pytest.raises(error, match=match):
        fit_bgnbd(frequency, recency, T)


# --------------------------------------------------------------------------------------------
# Gamma-Gamma and CLV
# --------------------------------------------------------------------------------------------


def test_gamma_gamma_against_fader_hardie_lee_2005(cdnow):
    result = fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    # Fader and Hardie (2013), "The Gamma-Gamma Model of Monetary Value": p = 6.25,
    # q = 3.74, gamma = 15.44 on the 946 CDNOW customers with repeat purchases. The maximum
    # is at gamma = 15.447 (lifetimes reports 15.4477 too): the note truncates the third decimal.
    assert round(result.p, 2) == 6.25
    assert round(result.q, 2) == 3.74
    assert math.floor(result.v * 100) / 100 == 15.44
    assert result.n_customers == 946


def test_gamma_gamma_expected_value_by_hand():
    fit = GammaGammaFit(p=6.0, q=4.0, v=15.0, log_likelihood=0.0, n_customers=2)
    # x=0: population mean p v / (q - 1) = 6 * 15 / 3 = 30
    # x=2, zbar=40: 6 (15 + 2 * 40) / (6 * 2 + 4 - 1) = 570 / 15 = 38
    # x=0 with a blank zbar: still the population mean
    result = fit.expected_average_value([0, 2, 0], [0.0, 40.0, np.nan])
    np.testing.assert_allclose(result, [30.0, 38.0, 30.0])


def test_gamma_gamma_errors():
    with pytest.raises(SchemaError, match="found 1 with 0"):
        fit_gamma_gamma([1, 2, 0], [10.0, 0.0, 0.0])
    with pytest.raises(InsufficientDataError, match="found 1"):
        fit_gamma_gamma([1, 0, 0], [10.0, 0.0, 0.0])
    with pytest.raises(ConvergenceError, match="hardly constrain p, q"):
        fit_gamma_gamma([1, 2, 3], [10.0, 10.0, 10.0])
    with pytest.raises(SchemaError, match="one monetary value per customer"):
        fit_gamma_gamma([1, 2], [10.0])


def _reference_bgnbd_negative_ll(theta, x, tx, big_t, w):
    """The BG/NBD likelihood written straight from FHL (2005), equation (6), with logaddexp."""
    r, alpha, a, b = np.exp(theta)
    repeat = x > 0
    xr = np.where(repeat, x, 1.0)
    base = betaln(a, b)
    l1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    l2 = betaln(a, b + x) - base - (r + x) * np.log(alpha + big_t)
    l3 = betaln(a + 1, b + xr - 1) - base - (r + x) * np.log(alpha + tx)
    l3 = np.where(repeat, l3, -np.inf)
    return -float(np.sum(w * (l1 + np.logaddexp(l2, l3)))) / w.sum()


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 3.0, 0.7)])
def test_bgnbd_pooled_likelihood_against_the_formula(cdnow, params):
    x, tx, big_t = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    w = np.random.default_rng(1).integers(1, 4, len(x)).astype(float)
    theta = np.log(params)
    result = _bgnbd_negative_ll(theta, x, tx, big_t, w)[0]
    assert result == pytest.approx(_reference_bgnbd_negative_ll(theta, x, tx, big_t, w), rel=1e-12)
    # At the published estimates, times the 2,357 customers: LL -9582.4 (FHL 2005).
    if params[0] == 0.243:
        unweighted = _bgnbd_negative_ll(theta, x, tx, big_t, np.ones(len(x)))[0]
        assert round(-unweighted * len(x), 1) == -9582.4


def test_gamma_gamma_gradient_is_the_derivative_of_the_likelihood(cdnow):
    repeat = cdnow["x"] > 0
    terms = models._GammaGammaTerms(
        cdnow.loc[repeat, "x"].to_numpy(dtype=float),
        cdnow.loc[repeat, "zbar"].to_numpy(dtype=float),
    )
    theta = np.log([5.0, 3.0, 12.0])
    numeric = optimize.approx_fprime(theta, lambda th: terms.negative_ll(th)[0], 1e-7)
    np.testing.assert_allclose(terms.negative_ll(theta)[1], numeric, rtol=1e-4, atol=1e-6)
    # ln f summed straight from Fader and Hardie (2013), equation (3), at p 6.25, q 3.74,
    # v 15.44.
    x, m = terms.x, terms.spend / terms.x
    p, q, v = 6.25, 3.74, 15.44
    log_f = (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(v + m * x)
    )
    mean_ll = terms.negative_ll(np.log([p, q, v]))[0]
    assert mean_ll == pytest.approx(-np.mean(log_f), rel=1e-12)


def test_hessian_from_the_gradient_against_differences_of_the_likelihood(cdnow):
    x, tx, big_t = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    w = np.ones(len(x))
    theta = np.log([0.243, 4.414, 0.793, 2.426])
    result = models._hessian_from_gradient(
        lambda th: _bgnbd_negative_ll(th, x, tx, big_t, w)[1], theta
    )
    expected = models._hessian(lambda th: _bgnbd_negative_ll(th, x, tx, big_t, w)[0], theta)
    np.testing.assert_allclose(result, expected, rtol=1e-3, atol=1e-6)


def test_log_standard_errors_by_hand():
    # Positive definite: sqrt(diag(H^-1)); H = [[4, 2], [2, 2]], H^-1 = [[0.5, -0.5], [-0.5, 1]].
    hessian = np.array([[4.0, 2.0], [2.0, 2.0]])
    np.testing.assert_allclose(models._log_standard_errors(hessian), [np.sqrt(0.5), 1.0])
    # Flat along a - b (a zero eigenvalue, here a rounding error below it): a and b have no
    # error bar, r keeps its own, 1 / sqrt(4).
    flat = np.array([[4.0, 0.0, 0.0], [0.0, 1.0, 1.0 + 1e-12], [0.0, 1.0 + 1e-12, 1.0]])
    result = models._log_standard_errors(flat)
    assert result[0] == pytest.approx(0.5)
    assert np.isinf(result[1:]).all()
    assert np.isinf(models._log_standard_errors(np.full((2, 2), np.nan))).all()


def _fits_on_the_bounded_path(monkeypatch, *fits):
    """The fits with the unbounded BFGS step switched off: L-BFGS-B within the bounds only."""
    monkeypatch.setattr(models, "_quasi_newton", lambda *args: None)
    return [fit() for fit in fits]


def test_fits_agree_with_the_bounded_optimiser(cdnow, monkeypatch):
    x, tx, big_t, zbar = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T", "zbar"))
    bgnbd, gg = fit_bgnbd(x, tx, big_t), fit_gamma_gamma(x, zbar)
    bounded_bgnbd, bounded_gg = _fits_on_the_bounded_path(
        monkeypatch, lambda: fit_bgnbd(x, tx, big_t), lambda: fit_gamma_gamma(x, zbar)
    )
    for result, bounded, names in (
        (bgnbd, bounded_bgnbd, ("r", "alpha", "a", "b")),
        (gg, bounded_gg, ("p", "q", "v")),
    ):
        for name in names:
            assert getattr(result, name) == pytest.approx(getattr(bounded, name), rel=1e-3)
        # Both stop at the maximum; the unbounded one never lower.
        assert result.log_likelihood >= bounded.log_likelihood - 1e-6


def test_customer_lifetime_value_by_hand(cdnow, cdnow_bgnbd):
    gg = fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    summary = cdnow.rename(
        columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"}
    ).head(50)
    value = gg.expected_average_value(summary["frequency"], summary["monetary_value"])
    # Without discounting the monthly increments telescope: CLV = E[Z] * E[Y(12 months)],
    # 12 months = 365.25 days = 52.18 weeks.
    undiscounted = customer_lifetime_value(
        cdnow_bgnbd, gg, summary, horizon_months=12, discount_rate_monthly=0.0
    )
    expected = pd.Series(
        value
        * cdnow_bgnbd.expected_purchases(
            365.25 / 7, summary["frequency"], summary["recency"], summary["T"]
        ),
        index=summary.index,
        name="clv",
    )
    tm.assert_series_equal(undiscounted, expected, rtol=1e-10)
    # One month, 1 % a month: E[Z] * E[Y(30.4375 days)] / 1.01.
    one_month = customer_lifetime_value(cdnow_bgnbd, gg, summary, horizon_months=1)
    np.testing.assert_allclose(
        one_month,
        value
        * cdnow_bgnbd.expected_purchases(
            30.4375 / 7, summary["frequency"], summary["recency"], summary["T"]
        )
        / 1.01,
    )
    discounted = customer_lifetime_value(cdnow_bgnbd, gg, summary)
    assert (discounted < undiscounted).all()
    assert (discounted > 0).all()
    zero = customer_lifetime_value(cdnow_bgnbd, gg, summary, horizon_months=0)
    assert (zero == 0).all()


def test_customer_lifetime_value_needs_the_summary_columns(cdnow_bgnbd):
    gg = GammaGammaFit(p=6.0, q=4.0, v=15.0, log_likelihood=0.0, n_customers=2)
    with pytest.raises(SchemaError, match="monetary_value is missing"):
        customer_lifetime_value(
            cdnow_bgnbd, gg, pd.DataFrame({"frequency": [1.0], "recency": [1.0], "T": [2.0]})
        )
