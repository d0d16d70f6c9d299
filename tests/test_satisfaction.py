"""Tests for kpi.satisfaction: NPS, CSAT, eNPS, comment themes, NPS beside revenue, section()."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kpi.errors import InsufficientDataError, SchemaError
from kpi.report import Settings
from kpi.satisfaction import (
    comment_themes,
    csat,
    csat_by,
    csat_difference,
    csat_scale,
    csat_series,
    employee_net_promoter_score,
    latest_nps_group,
    net_promoter_score,
    nps_band,
    nps_by,
    nps_difference,
    nps_from_counts,
    nps_group,
    nps_group_outcomes,
    nps_series,
    nps_what_if,
    revenue_at_risk,
    sample_comments,
    section,
    survey_kind,
    survey_kinds,
)


def scores_frame(promoters: int, passives: int, detractors: int) -> pd.DataFrame:
    """Answers with the given group counts, spread over the scores of each group."""
    scores = (
        [10 - i % 2 for i in range(promoters)]
        + [8 - i % 2 for i in range(passives)]
        + [i % 7 for i in range(detractors)]
    )
    return pd.DataFrame({"score": np.array(scores, dtype="float64")})


def nps_columns(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns).astype(
        {"n": "int64", "promoters": "int64", "passives": "int64", "detractors": "int64"}
    )


# --------------------------------------------------------------------------------------------
# NPS: catalogue and published numbers


def test_nps_catalogue_example():
    # KPI_CATALOGUE.md: 200 answers, 130 promoters, 40 detractors: 65 % - 20 % = 45.
    result = net_promoter_score(scores_frame(130, 30, 40))
    assert result.score == 45.0
    assert (result.n, result.promoters, result.passives, result.detractors) == (200, 130, 30, 40)
    assert result.promoter_share == 0.65
    assert result.passive_share == 0.15
    assert result.detractor_share == 0.2
    assert result.band == "good"
    assert result.small_sample is False


def test_margin_of_error_thirds_against_cross_validated():
    # Promoters, passives, detractors one third each: answers +1, 0, -1 with mean 0, so the
    # variance per answer is (1 + 0 + 1) / 3 = 2/3 (formula: 1/3 + 1/3 - 0^2). The 95 %
    # half-width is 1.96 * sqrt(2/3) / sqrt(n) * 100, the full width
    # 2 * 1.96 * sqrt(2/3) * 100 / sqrt(n) = 320.1 / sqrt(n) points.
    result = nps_from_counts(341, 341, 341)  # n = 1023, exact thirds
    assert result.variance == pytest.approx(2 / 3, rel=1e-12)
    assert result.margin_of_error == pytest.approx(
        1.96 * math.sqrt(2 / 3) / math.sqrt(1023) * 100, rel=1e-12
    )
    assert 2 * result.margin_of_error == pytest.approx(320.09 / math.sqrt(1023), rel=1e-4)
    assert result.low == pytest.approx(-result.margin_of_error)
    assert result.high == pytest.approx(result.margin_of_error)


def test_margin_of_error_n_1024_is_about_ten_points():
    # n = 1,024 split as evenly as possible (341, 341, 342): full width 320 / 32 = about 10.
    result = nps_from_counts(341, 341, 342)
    p, d = 341 / 1024, 342 / 1024
    expected = 1.96 * math.sqrt((p + d - (p - d) ** 2) / 1024) * 100
    assert result.margin_of_error == pytest.approx(expected, rel=1e-12)
    assert 9.9 <= 2 * result.margin_of_error <= 10.1


def test_variance_against_cross_validated_half_third_sixth():
    # whuber's example (Cross Validated, "How can I calculate margin of error in a NPS
    # result?"): shares 1/2, 1/3, 1/6 give NPS 1/2 - 1/6 = 1/3 (33.3 points) and variance
    # (1 - 1/3)^2 / 2 + (0 - 1/3)^2 / 3 + (-1 - 1/3)^2 / 6 = 2/9 + 1/27 + 8/27 = 15/27 = 5/9;
    # the closed form gives the same: 1/2 + 1/6 - (1/3)^2 = 2/3 - 1/9 = 5/9.
    result = nps_from_counts(300, 200, 100)
    assert result.score == pytest.approx(100 / 3, rel=1e-12)
    assert result.variance == pytest.approx(5 / 9, rel=1e-12)
    assert result.margin_of_error == pytest.approx(1.96 * math.sqrt(5 / 9 / 600) * 100)


# --------------------------------------------------------------------------------------------
# NPS: edges and errors


@pytest.mark.parametrize(
    ("counts", "expected_score", "expected_band"),
    [
        ((12, 0, 0), 100.0, "excellent"),
        ((0, 0, 12), -100.0, "poor"),
        ((0, 12, 0), 0.0, "problems"),
    ],
)
def test_nps_all_one_group(counts, expected_score, expected_band):
    result = net_promoter_score(scores_frame(*counts))
    assert result.score == expected_score
    assert result.band == expected_band
    # Everyone in one group: no spread, so no margin of error.
    assert result.margin_of_error == 0.0
    assert result.low == result.high == expected_score


def test_nps_single_answer():
    result = net_promoter_score(pd.DataFrame({"score": [7]}))
    assert (result.score, result.n, result.passives, result.small_sample) == (0.0, 1, 1, True)


def test_nps_blank_scores_ignored():
    surveys = pd.DataFrame({"score": [10.0, np.nan, 3.0, None, 9.0]})
    result = net_promoter_score(surveys)
    # 3 answers: 2 promoters, 1 detractor: 100 * (2 - 1) / 3.
    assert result.n == 3
    assert result.score == pytest.approx(100 / 3)


def test_nps_text_scores_read_as_numbers():
    surveys = pd.DataFrame({"score": pd.Series(["10", " 9", "", None, "4"], dtype="str")})
    assert net_promoter_score(surveys).score == pytest.approx(100 / 3)


def test_nps_score_of_eleven_rejected():
    surveys = pd.DataFrame({"score": [10, 11, 3]})
    with pytest.raises(SchemaError, match=r"nps needs scores from 0 to 10; found 11 in 1 row\."):
        net_promoter_score(surveys)


def test_nps_fractional_and_negative_scores_rejected():
    surveys = pd.DataFrame({"score": [7.5, -1, 12, 12, 13, 4]})
    with pytest.raises(SchemaError, match=r"found -1, 7.5, 12 and 1 other values in 5 rows"):
        net_promoter_score(surveys)


def test_nps_text_that_is_not_a_number_rejected():
    surveys = pd.DataFrame({"score": pd.Series(["9", "great"], dtype="str")})
    with pytest.raises(SchemaError, match="nps needs numeric scores; found 'great' in 1 row"):
        net_promoter_score(surveys)


def test_nps_missing_score_column():
    with pytest.raises(SchemaError, match="nps needs a score column in the surveys table"):
        net_promoter_score(pd.DataFrame({"rating": [10]}))


def test_nps_score_col_option():
    assert net_promoter_score(pd.DataFrame({"rating": [10, 0]}), score_col="rating").score == 0.0


def test_nps_no_answers():
    with pytest.raises(InsufficientDataError, match="nps needs at least one answer"):
        net_promoter_score(pd.DataFrame({"score": [np.nan, np.nan]}))


def test_nps_no_answers_of_type_nps_names_the_types_found():
    surveys = pd.DataFrame({"score": [4.0], "survey_type": ["csat"]})
    with pytest.raises(InsufficientDataError, match="found types: csat"):
        net_promoter_score(surveys)


def test_nps_date_window_is_inclusive_calendar_days():
    surveys = pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2025-01-31 23:59", "2025-02-01 00:00", "2025-02-28 17:30", "2025-03-01 00:00"]
            ).as_unit("s"),
            "score": [0, 10, 9, 0],
        }
    )
    result = net_promoter_score(surveys, start=pd.Timestamp("2025-02-01"), end="2025-02-28")
    assert (result.n, result.score) == (2, 100.0)
    with pytest.raises(InsufficientDataError, match="between 2026-01-01 and the end"):
        net_promoter_score(surveys, start=pd.Timestamp("2026-01-01"))


def test_nps_reads_only_nps_and_untyped_rows():
    surveys = pd.DataFrame(
        {
            "score": [10, 0, 10, 2, 9, 5],
            "survey_type": ["NPS", None, "eNPS", "csat", "Net Promoter Score", "CES"],
        }
    )
    # nps rows: 10, 0 (untyped), 9: 2 promoters, 1 detractor out of 3.
    result = net_promoter_score(surveys)
    assert (result.n, result.promoters, result.detractors) == (3, 2, 1)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (-100, "poor"),
        (-0.01, "poor"),
        (0, "problems"),
        (29.99, "problems"),
        (30, "good"),
        (50, "good"),
        (50.01, "excellent"),
        (100, "excellent"),
    ],
)
def test_nps_band_edges(score, expected):
    assert nps_band(score) == expected


def test_nps_band_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        nps_band(float("nan"))


def test_nps_group():
    result = nps_group(pd.Series([0, 6, 7, 8, 9, 10, np.nan]))
    expected = ["detractor", "detractor", "passive", "passive", "promoter", "promoter"]
    assert result.tolist() == expected


# --------------------------------------------------------------------------------------------
# NPS: properties


@settings(max_examples=60, deadline=None)
@given(
    scores=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=120),
    data=st.data(),
)
def test_nps_properties(scores, data):
    result = net_promoter_score(pd.DataFrame({"score": scores}))
    assert -100.0 <= result.score <= 100.0
    assert result.promoter_share + result.passive_share + result.detractor_share == (
        pytest.approx(1.0)
    )
    assert -100.0 <= result.low <= result.score <= result.high <= 100.0
    assert result.margin_of_error >= 0.0
    shuffled = data.draw(st.permutations(scores))
    assert net_promoter_score(pd.DataFrame({"score": shuffled})) == result


# --------------------------------------------------------------------------------------------
# NPS: comparisons, breakdowns, series, what-if


def test_nps_difference_hand_computed():
    # a: 50/30/20 of 100, NPS 30, var .5 + .2 - .3^2 = .61; b: 40/30/30, NPS 10,
    # var .4 + .3 - .1^2 = .69. SE = sqrt(.61/100 + .69/100) * 100 = sqrt(.013) * 100 = 11.4018;
    # z = 20 / 11.4018 = 1.7541; two-sided p = erfc(z / sqrt 2) = 0.0794.
    result = nps_difference(nps_from_counts(50, 30, 20), nps_from_counts(40, 30, 30))
    se = math.sqrt(0.013) * 100
    assert result.difference == pytest.approx(20.0)
    assert result.standard_error == pytest.approx(se)
    assert result.z == pytest.approx(20 / se)
    assert result.p_value == pytest.approx(math.erfc(20 / se / math.sqrt(2)))
    assert result.p_value == pytest.approx(0.0794, abs=5e-4)
    assert result.low == pytest.approx(20 - 1.96 * se)
    assert result.high == pytest.approx(20 + 1.96 * se)


def test_nps_difference_accepts_surveys_and_degenerate_sides():
    result = nps_difference(scores_frame(5, 0, 0), scores_frame(0, 0, 5))
    assert (result.difference, result.standard_error, result.z, result.p_value) == (
        200.0,
        0.0,
        math.inf,
        0.0,
    )
    same = nps_difference(scores_frame(5, 0, 0), scores_frame(3, 0, 0))
    assert (same.z, same.p_value) == (0.0, 1.0)


def test_nps_by_agent():
    surveys = pd.DataFrame(
        {
            "score": [10, 9, 3, 8, np.nan, 10, 10],
            "agent": pd.Series(["Ana", "Ana", "Ana", "Ivo", "Ivo", None, "Ivo"], dtype="str"),
        }
    )
    result = nps_by(surveys, "agent")
    # Ana: 2 promoters, 1 detractor of 3: NPS 33.3, var 2/3 + 1/3 - 1/9 = 8/9.
    # margin 1.96 * sqrt(8/27) * 100 = 106.7, so high 140.0 is clipped to 100.
    # Ivo: 1 promoter, 1 passive (the blank score and the blank agent are left out): NPS 50,
    # var 1/2 - 1/4 = 1/4, margin 1.96 * sqrt(1/8) * 100 = 69.3, high clipped to 100.
    moe_ana = 1.96 * math.sqrt(8 / 9 / 3) * 100
    moe_ivo = 1.96 * math.sqrt(1 / 4 / 2) * 100
    expected = nps_columns(
        n=[3, 2],
        promoters=[2, 1],
        passives=[0, 1],
        detractors=[1, 0],
        promoter_share=[2 / 3, 0.5],
        passive_share=[0.0, 0.5],
        detractor_share=[1 / 3, 0.0],
        nps=[100 / 3, 50.0],
        margin_of_error=[moe_ana, moe_ivo],
        low=[100 / 3 - moe_ana, 50.0 - moe_ivo],
        high=[100.0, 100.0],
    ).set_axis(pd.Index(["Ana", "Ivo"], dtype="str", name="agent"))
    tm.assert_frame_equal(result, expected)


def test_nps_by_missing_column():
    with pytest.raises(SchemaError, match="nps by segment needs a segment column"):
        nps_by(pd.DataFrame({"score": [10]}), "segment")


def test_nps_series_with_empty_month():
    surveys = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-03", "2025-01-28", "2025-03-15", "2025-03-16"]),
            "score": [10, 0, 9, 9],
        }
    )
    result = nps_series(surveys, period="month")
    # January: 1 promoter, 1 detractor: NPS 0, var 1 - 0 = 1, margin 1.96 * sqrt(1/2) * 100
    # = 138.6, clipped to [-100, 100]. February: no answers, NaN. March: 2 promoters: 100.
    moe_jan = 1.96 * math.sqrt(0.5) * 100
    expected = nps_columns(
        n=[2, 0, 2],
        promoters=[1, 0, 2],
        passives=[0, 0, 0],
        detractors=[1, 0, 0],
        promoter_share=[0.5, np.nan, 1.0],
        passive_share=[0.0, np.nan, 0.0],
        detractor_share=[0.5, np.nan, 0.0],
        nps=[0.0, np.nan, 100.0],
        margin_of_error=[moe_jan, np.nan, 0.0],
        low=[-100.0, np.nan, 100.0],
        high=[100.0, np.nan, 100.0],
    ).set_axis(pd.DatetimeIndex(["2025-01-01", "2025-02-01", "2025-03-01"], name="period"))
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_nps_series_range_from_start_and_end_by_quarter():
    surveys = pd.DataFrame({"date": pd.to_datetime(["2025-05-10"]), "score": [10]})
    result = nps_series(
        surveys, period="quarter", start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-12-31")
    )
    assert result.index.strftime("%Y-%m-%d").tolist() == [
        "2025-01-01",
        "2025-04-01",
        "2025-07-01",
        "2025-10-01",
    ]
    assert result["n"].tolist() == [0, 1, 0, 0]
    assert result["nps"].isna().tolist() == [True, False, True, True]


def test_nps_what_if():
    base = nps_from_counts(50, 30, 20)  # NPS 30
    # Half the detractors to passives: 50 - 10 = 40.
    assert nps_what_if(base, detractors_to_passives=0.5) == pytest.approx(40.0)
    # All passives to promoters: 80 - 20 = 60.
    assert nps_what_if(base, passives_to_promoters=1.0) == pytest.approx(60.0)
    # Both, not chained: (50 + 30 * 0.5) - 20 * (1 - 0.25) = 65 - 15 = 50.
    assert nps_what_if(
        base, detractors_to_passives=0.25, passives_to_promoters=0.5
    ) == pytest.approx(50.0)
    assert nps_what_if(base) == base.score
    with pytest.raises(ValueError, match="detractors_to_passives is a fraction from 0 to 1"):
        nps_what_if(base, detractors_to_passives=20)


# --------------------------------------------------------------------------------------------
# Survey kinds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("NPS", "nps"),
        (" nps ", "nps"),
        ("Net Promoter Score", "nps"),
        ("eNPS", "enps"),
        ("E-NPS", "enps"),
        ("Employee NPS", "enps"),
        ("CSAT", "csat"),
        ("Customer satisfaction", "csat"),
        ("CES", "ces"),
        ("Customer effort", "ces"),
        ("Q3 poll", "qpoll"),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_survey_kind(value, expected):
    assert survey_kind(value) == expected


@pytest.mark.parametrize(
    "columns",
    [
        {"score": [10, 3, 7]},
        {"score": [5, 3, 1]},
        {"score": [7, 6, 2]},
        {"score": [5, 3, 1], "scale_max": [10, 10, 10]},
        {"score": [9.5, 3, 1]},
    ],
)
def test_survey_kinds_never_guess_from_scores(columns):
    # untyped answers stay untyped whatever their scores; the user's type decides
    assert survey_kinds(pd.DataFrame(columns)).tolist() == ["untyped"] * 3
    given = survey_kinds(pd.DataFrame(columns), survey_type="nps")
    assert given.tolist() == ["nps"] * 3


def test_forty_low_nps_answers_are_not_csat():
    # 40 NPS answers from 0 to 7: untyped they are neither NPS nor CSAT (never CSAT from
    # their highest score); typed by the user they are NPS
    surveys = pd.DataFrame(
        {"date": pd.Timestamp("2025-03-01"), "score": [0, 1, 2, 3, 4, 5, 6, 7] * 5}
    )
    untyped = section({"surveys": surveys})
    assert untyped.kpis["csat_mean"] is None and untyped.kpis["nps"] is None
    assert any("never guessed from the scores" in w for w in untyped.warnings)
    assert untyped.assumptions["survey_type"] == {"value": None, "source": "default"}
    typed = section({"surveys": surveys}, settings=Settings(survey_type="nps"))
    # detractors 0-6: 35 of 40, promoters 0: NPS = -87.5
    assert typed.kpis["nps"] == pytest.approx(-87.5)
    assert typed.kpis["csat_mean"] is None
    assert typed.assumptions["survey_type"] == {"value": "nps", "source": "user"}


def test_ten_point_csat_is_not_nps():
    # a 1-10 CSAT survey: typed csat by the user, on the 10-point scale the user sets
    surveys = pd.DataFrame({"date": pd.Timestamp("2025-03-01"), "score": [10, 9, 8, 2]})
    result = section({"surveys": surveys}, settings=Settings(survey_type="csat", csat_scale_max=10))
    assert result.kpis["nps"] is None
    assert result.kpis["csat_mean"] == pytest.approx(29 / 4)  # (10 + 9 + 8 + 2) / 4
    assert result.kpis["csat_satisfied_share"] == pytest.approx(0.5)  # 9-10 of 10
    assert result.assumptions["csat_scale_max"] == {"value": 10, "source": "user"}


def test_survey_kinds_typed_and_blank_rows():
    surveys = pd.DataFrame(
        {"score": [10, 4, 5, 9], "survey_type": pd.Series(["eNPS", None, "", "csat"], dtype="str")}
    )
    # The two untyped rows (4 and 5) are untyped until the user says what they are.
    assert survey_kinds(surveys).tolist() == ["enps", "untyped", "untyped", "csat"]
    assert survey_kinds(surveys, survey_type="CSAT").tolist() == ["enps", "csat", "csat", "csat"]


# --------------------------------------------------------------------------------------------
# CSAT


def test_csat_catalogue_example():
    # KPI_CATALOGUE.md: scores 5, 3, 4, 5, 1 on a 5-point scale: (5+3+4+5+1) / 5 = 18 / 5 = 3.6.
    # Top two boxes (4-5): 5, 4, 5, so 3 / 5 satisfied.
    result = csat(pd.DataFrame({"score": [5, 3, 4, 5, 1]}), scale_max=5)
    assert result.mean == pytest.approx(3.6)
    assert (result.satisfied, result.n, result.scale_max) == (3, 5, 5)
    assert result.satisfied_share == pytest.approx(0.6)
    assert result.small_sample is True


@pytest.mark.parametrize(
    ("scores", "scale_max", "expected_scale", "expected_satisfied"),
    [
        ([1, 4, 6, 7], 7, 7, 2),  # 6-7 satisfied
        ([0, 8, 9, 10], 10, 10, 2),  # 9-10 satisfied
        ([1, 5, 8, 9], 10, 10, 1),  # only 9
        ([1, 3, 4, 5], 10, 10, 0),  # scale_max says 10: no 9-10, whatever the scores look like
        ([1, 3, 4, 5], 5, 5, 2),  # 4-5
    ],
)
def test_csat_scales_and_top_two_box(scores, scale_max, expected_scale, expected_satisfied):
    columns = {"score": scores, "scale_max": [scale_max] * len(scores)}
    result = csat(pd.DataFrame(columns))
    assert result.scale_max == expected_scale
    assert result.satisfied == expected_satisfied


def test_csat_scale_is_never_guessed_from_the_scores():
    with pytest.raises(InsufficientDataError, match="needs the top of its scale"):
        csat(pd.DataFrame({"score": [1, 4, 6, 7]}))


def test_csat_scale_argument_overrides_detection():
    assert csat(pd.DataFrame({"score": [4, 5]}), scale_max=7).satisfied == 0


def test_csat_reads_only_csat_and_untyped_rows():
    surveys = pd.DataFrame({"score": [5, 1, 10, 3], "survey_type": ["CSAT", None, "nps", "ces"]})
    result = csat(surveys, scale_max=5)
    assert (result.n, result.mean) == (2, 3.0)


def test_csat_two_scales_rejected():
    surveys = pd.DataFrame({"score": [4, 9], "scale_max": [5, 10]})
    with pytest.raises(
        SchemaError, match="csat needs answers on one scale; found scale_max 5 and 10"
    ):
        csat(surveys)


def test_csat_score_above_scale_rejected():
    surveys = pd.DataFrame({"score": [4, 7], "scale_max": [5, 5]})
    with pytest.raises(SchemaError, match=r"csat needs scores from 0 to 5 .*found 7 in 1 row"):
        csat(surveys)


def test_csat_unknown_scale_rejected():
    with pytest.raises(SchemaError, match=r"scores from 0 to 10 .*found 12 in 1 row"):
        csat(pd.DataFrame({"score": [12, 3]}), scale_max=10)
    with pytest.raises(SchemaError, match="whole number from 3 to 10; found 100"):
        csat(pd.DataFrame({"score": [12, 3], "scale_max": [100, 100]}))


def test_csat_no_answers():
    surveys = pd.DataFrame({"score": [9.0], "survey_type": ["nps"]})
    with pytest.raises(InsufficientDataError, match=r"survey types found: nps"):
        csat(surveys)


def test_csat_scale():
    with pytest.raises(InsufficientDataError, match="needs the top of its scale"):
        csat_scale(pd.DataFrame({"score": [1, 2, 5]}))
    assert csat_scale(pd.DataFrame({"score": [1, 2, 5], "scale_max": [7, None, 7]})) == 7


def test_csat_by_agent():
    surveys = pd.DataFrame(
        {
            "score": [5, 4, 1, 2, 3, np.nan],
            "agent": pd.Series(["Ana", "Ana", "Ivo", "Ivo", None, "Ivo"], dtype="str"),
        }
    )
    result = csat_by(surveys, "agent", scale_max=5)
    # Ana: 5, 4: mean 4.5, both satisfied. Ivo: 1, 2: mean 1.5, none satisfied (a zero cell).
    expected = pd.DataFrame(
        {"n": [2, 2], "mean": [4.5, 1.5], "satisfied": [2, 0], "satisfied_share": [1.0, 0.0]},
        index=pd.Index(["Ana", "Ivo"], dtype="str", name="agent"),
    )
    tm.assert_frame_equal(result, expected)


def test_csat_series_with_empty_week():
    surveys = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-06", "2025-01-08", "2025-01-21"]).as_unit("ms"),
            "score": [5, 2, 4],
        }
    )
    result = csat_series(surveys, period="week", scale_max=5)
    # Week of 6 Jan: 5, 2: mean 3.5, one satisfied; 13 Jan: none (NaN); 20 Jan: 4, satisfied.
    expected = pd.DataFrame(
        {
            "n": [2, 0, 1],
            "mean": [3.5, np.nan, 4.0],
            "satisfied": [1, 0, 1],
            "satisfied_share": [0.5, np.nan, 1.0],
        },
        index=pd.DatetimeIndex(["2025-01-06", "2025-01-13", "2025-01-20"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_csat_difference_welch_by_hand():
    # a: 5, 4, 5, 4: mean 4.5, s^2 = 4 * 0.25 / 3 = 1/3. b: 3, 2, 4, 3: mean 3, s^2 = 2/3.
    # SE^2 = (1/3)/4 + (2/3)/4 = 1/4, so t = 1.5 / 0.5 = 3.
    # Welch df = (1/4)^2 / ((1/12)^2 / 3 + (1/6)^2 / 3) = (1/16) / (5/432) = 5.4.
    a = pd.DataFrame({"score": [5, 4, 5, 4]})
    b = pd.DataFrame({"score": [3, 2, 4, 3]})
    result = csat_difference(a, b, scale_max=5)
    assert result.difference == pytest.approx(1.5)
    assert result.t == pytest.approx(3.0)
    assert result.df == pytest.approx(5.4)
    assert result.p_value == pytest.approx(2 * stats.t.sf(3.0, 5.4))
    assert (result.n_a, result.n_b, result.scale_max) == (4, 4, 5)


def test_csat_difference_edges():
    def frame(scores):
        return pd.DataFrame({"score": scores, "scale_max": 5})

    same = csat_difference(frame([4, 4]), frame([4, 4]))
    assert (same.t, same.p_value) == (0.0, 1.0)
    apart = csat_difference(frame([5, 5]), frame([2, 2]))
    assert (apart.t, apart.p_value) == (math.inf, 0.0)
    with pytest.raises(InsufficientDataError, match="at least two answers on each side"):
        csat_difference(frame([5]), frame([2, 3]))


# --------------------------------------------------------------------------------------------
# eNPS


def test_employee_net_promoter_score():
    surveys = pd.DataFrame(
        {
            "score": [10, 9, 6, 8, 0, 10],
            "survey_type": ["eNPS", "enps", "enps", "enps", "nps", None],
        }
    )
    # eNPS rows only: 10, 9, 6, 8: 2 promoters, 1 detractor of 4: 25.
    result = employee_net_promoter_score(surveys)
    assert (result.n, result.score) == (4, 25.0)


def test_employee_net_promoter_score_needs_type():
    with pytest.raises(SchemaError, match="enps needs survey answers marked survey_type enps"):
        employee_net_promoter_score(pd.DataFrame({"score": [10]}))
    with pytest.raises(InsufficientDataError, match="enps needs survey answers of type enps"):
        employee_net_promoter_score(pd.DataFrame({"score": [10], "survey_type": ["nps"]}))


# --------------------------------------------------------------------------------------------
# Comments


MULTILINGUAL = pd.DataFrame(
    {
        "date": pd.to_datetime(
            [
                "2025-01-01",
                "2025-01-02",
                "2025-01-03",
                "2025-01-04",
                "2025-01-05",
                "2025-01-06",
                "2025-01-07",
                "2025-01-08",
                "2025-01-09",
            ]
        ),
        "score": [10, 9, 10, 9, 8, 2, 3, 0, 10],
        "comment": [
            "Very friendly staff, always on time!",
            "Очень вежливый мастер, friendly staff",
            "Sehr freundliches Personal und pünktlich",
            "Friendly staff",
            "OK, a bit expensive",
            "Nie polecam. Spóźnienie i brudno.",
            "Not clean, technician was late",
            "Le technicien n'est pas venu, not clean",
            None,
        ],
    }
)


def test_comment_themes_multilingual():
    result = comment_themes(MULTILINGUAL, top=2)
    # Promoters (4 comments): "friendly" and "staff" in comments 1, 2, 4 (3/4); phrase
    # "friendly staff" in the same three; the runner-up phrases appear once each, and
    # alphabetically "freundliches personal" comes before "вежливый мастер".
    # Passives (1): "bit", "expensive" (a stop word "a" and one-letter words dropped).
    # Detractors (3): "clean" in 2 comments, then alphabetically "brudno" (1); phrases
    # "not clean" (2) then "nie polecam" (1).
    expected = pd.DataFrame(
        {
            "group": ["promoter"] * 4 + ["passive"] * 3 + ["detractor"] * 4,
            "kind": [
                "word",
                "word",
                "phrase",
                "phrase",
                "word",
                "word",
                "phrase",
                "word",
                "word",
                "phrase",
                "phrase",
            ],
            "term": [
                "friendly",
                "staff",
                "friendly staff",
                "freundliches personal",
                "bit",
                "expensive",
                "bit expensive",
                "clean",
                "brudno",
                "not clean",
                "nie polecam",
            ],
            "count": [3, 3, 3, 1, 1, 1, 1, 2, 1, 2, 1],
            "share_of_comments": [
                0.75,
                0.75,
                0.75,
                0.25,
                1.0,
                1.0,
                1.0,
                2 / 3,
                1 / 3,
                2 / 3,
                1 / 3,
            ],
        }
    ).astype({"group": "str", "kind": "str", "term": "str"})
    tm.assert_frame_equal(result, expected)


def test_comment_themes_stop_words_removed_in_every_language():
    result = comment_themes(MULTILINGUAL, top=50)
    for stop in ("very", "очень", "sehr", "und", "le", "i", "was", "on", "est"):
        assert stop not in set(result["term"]), stop
    assert "вежливый мастер" in set(result["term"])
    assert "pas venu" in set(result["term"])  # French negation "pas" leads a phrase


def test_comment_themes_needs_comments():
    with pytest.raises(SchemaError, match="need a comment column"):
        comment_themes(pd.DataFrame({"score": [10]}))
    with pytest.raises(InsufficientDataError, match="every comment is blank"):
        comment_themes(pd.DataFrame({"score": [10], "comment": ["  "]}))


def test_sample_comments_representative_and_deterministic():
    result = sample_comments(MULTILINGUAL, "promoters", n=2)
    # Promoter comments mentioning most of the top themes: comments 1, 2 and 4 mention
    # friendly, staff and "friendly staff"; comment 1 adds "time", comment 2 "вежливый",
    # "мастер" and "вежливый мастер" (all top-10 terms of a 4-comment group). Ties go to
    # the more recent answer.
    assert result["comment"].tolist() == [
        "Очень вежливый мастер, friendly staff",
        "Very friendly staff, always on time!",
    ]
    assert list(result.columns) == ["date", "score", "comment"]
    shuffled = MULTILINGUAL.sample(frac=1.0, random_state=7)
    tm.assert_frame_equal(sample_comments(shuffled, "promoter", n=2), result)


def test_sample_comments_dedupes_and_handles_empty_group():
    surveys = pd.DataFrame({"score": [2, 3, 1, 9], "comment": ["Late", "Late", "rude", None]})
    result = sample_comments(surveys, "detractor")
    assert result["comment"].tolist() == ["Late", "rude"]
    assert sample_comments(surveys, "passive").empty
    with pytest.raises(ValueError, match="group must be one of"):
        sample_comments(surveys, "fans")


# --------------------------------------------------------------------------------------------
# NPS beside customers and revenue


SURVEYS = pd.DataFrame(
    {
        "date": pd.to_datetime(
            ["2025-01-10", "2025-06-01", "2025-03-01", "2025-04-01", "2025-04-01", "2025-07-01"]
        ),
        "score": [3, 10, 2, 9, 6, 0],
        "customer_id": pd.Series(["A", "A", "B", "C", "C", "D"], dtype="str"),
    }
)
ORDERS = pd.DataFrame(
    {
        "customer_id": pd.Series(["A", "A", "B", "B", "C", "C", "E"], dtype="str"),
        "order_date": pd.to_datetime(
            [
                "2024-03-01",
                "2025-06-20",
                "2024-01-15",
                "2025-02-01",
                "2024-06-01",
                "2025-05-01",
                "2025-06-30",
            ]
        ),
        "amount": [100.0, 50.0, 200.0, 80.0, 40.0, 60.0, 999.0],
    }
)


def test_latest_nps_group():
    result = latest_nps_group(SURVEYS, as_of=pd.Timestamp("2025-06-30"))
    # A: latest 10 (June) promoter; B: 2 detractor; C: 9 and 6 on the same day, the lower
    # counts: detractor; D answered after as_of: left out.
    expected = pd.Series(
        ["promoter", "detractor", "detractor"],
        index=pd.Index(["A", "B", "C"], dtype="str", name="customer_id"),
        name="group",
        dtype="str",
    )
    tm.assert_series_equal(result, expected)


def test_nps_group_outcomes():
    result = nps_group_outcomes(SURVEYS, ORDERS)
    # as_of = last order 2025-06-30; active = ordered from 2025-04-02 on (90 days to June 30).
    # promoter A: active (June 20), revenue 150, 12 months (from 2024-07-01) 50.
    # detractors B (last order Feb: inactive, revenue 280, 12m 80) and C (May: active,
    # revenue 100, 12m 60). No passive: zero counts, NaN retention.
    expected = pd.DataFrame(
        {
            "customers": [1, 0, 2],
            "active_customers": [1, 0, 1],
            "retention": [1.0, np.nan, 0.5],
            "revenue": [150.0, 0.0, 380.0],
            "revenue_12m": [50.0, 0.0, 140.0],
            "revenue_per_customer": [150.0, np.nan, 190.0],
        },
        index=pd.Index(["promoter", "passive", "detractor"], dtype="str", name="group"),
    )
    tm.assert_frame_equal(result, expected)


def test_nps_group_outcomes_with_end_dates():
    customers = pd.DataFrame(
        {
            "customer_id": pd.Series(["A", "B"], dtype="str"),
            "end_date": pd.to_datetime(["2025-05-01", None]),
        }
    )
    result = nps_group_outcomes(SURVEYS, ORDERS, customers)
    # A ended 2025-05-01: not active although it ordered in June. B has no end date: active.
    # C is not in the customers table: the order rule (active).
    assert result["active_customers"].tolist() == [0, 0, 2]
    assert result.loc["detractor", "retention"] == 1.0


def test_revenue_at_risk():
    clv = pd.Series({"B": 300.0, "C": np.nan, "A": 1000.0})
    result = revenue_at_risk(SURVEYS, ORDERS, clv=clv)
    # Detractors B and C; their revenue from 2024-07-01 to 2025-06-30: 80 + 60 = 140, of
    # all customers' 50 + 80 + 60 + 999 = 1189. CLV: B 300, C blank (0).
    assert result.detractors == 2
    assert result.revenue_12m == 140.0
    assert result.share_of_revenue_12m == pytest.approx(140 / 1189)
    assert result.clv == 300.0
    assert revenue_at_risk(SURVEYS, ORDERS).clv is None


def test_revenue_at_risk_as_of_and_missing_columns():
    # As of 2025-03-31: B (2) and A (3, January) are detractors; C had not answered yet.
    # 12 months from 2024-04-01: B 80 (Feb 2025); A nothing (its order was March 2024).
    result = revenue_at_risk(SURVEYS, ORDERS, as_of=pd.Timestamp("2025-03-31"))
    assert (result.detractors, result.revenue_12m) == (2, 80.0)
    with pytest.raises(SchemaError, match="needs a customer_id column in the surveys table"):
        revenue_at_risk(SURVEYS.drop(columns="customer_id"), ORDERS)
    with pytest.raises(SchemaError, match="missing: amount"):
        revenue_at_risk(SURVEYS, ORDERS.drop(columns="amount"))


# --------------------------------------------------------------------------------------------
# section()


def section_surveys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                [
                    "2025-01-05",
                    "2025-01-20",
                    "2025-03-02",
                    "2025-03-03",
                    "2025-01-10",
                    "2025-03-10",
                    "2025-02-01",
                    "2025-02-02",
                ]
            ),
            "score": [10, 3, 8, 9, 4, 5, 10, 3],
            "survey_type": pd.Series(
                ["nps", "nps", "NPS", "nps", "csat", "csat", "eNPS", "enps"], dtype="str"
            ),
        }
    )


def test_section_with_surveys():
    result = section(
        {"surveys": section_surveys()}, period="month", settings=Settings(csat_scale_max=5)
    )
    # NPS: 10, 3, 8, 9: 2 promoters, 1 detractor of 4: 25; var .5 + .25 - .0625 = .6875.
    # CSAT: 4, 5 on the 5-point scale set: mean 4.5, both satisfied. eNPS: 10, 3: 0.
    assert result.kpis == {
        "nps": 25.0,
        "nps_band": "problems",
        "nps_margin_of_error": pytest.approx(1.96 * math.sqrt(0.6875 / 4) * 100),
        "csat_mean": 4.5,
        "csat_satisfied_share": 1.0,
        "enps": 0.0,
        # the eNPS answers 10 and 3 on 0-10: mean 6.5
        "employee_satisfaction_mean": 6.5,
        "employee_satisfaction_scale_max": 10,
        # no date range: nothing to compare against
        "nps_change": None,
        "nps_change_p_value": None,
        "csat_change": None,
        "csat_change_p_value": None,
    }
    # January: 10 and 3: 0; February: no NPS answer; March: 8 and 9: 50.
    assert result.series == {
        "nps": {"2025-01": 0.0, "2025-02": None, "2025-03": 50.0},
        "csat_mean": {"2025-01": 4.0, "2025-02": None, "2025-03": 5.0},
    }
    assert any("nps rests on 4 answers" in w for w in result.warnings)
    json.dumps({"kpis": result.kpis, "series": result.series})


def test_section_date_range():
    result = section(
        {"surveys": section_surveys()},
        start=pd.Timestamp("2025-03-01"),
        end=pd.Timestamp("2025-03-31"),
        period="month",
        settings=Settings(csat_scale_max=5),
    )
    assert result.kpis["nps"] == 50.0
    assert result.kpis["csat_mean"] == 5.0
    assert result.kpis["enps"] is None
    assert result.series["nps"] == {"2025-03": 50.0}
    assert any("enps needs at least one answer" in w for w in result.warnings)


def test_section_without_surveys():
    result = section({"orders": ORDERS})
    assert result.kpis == dict.fromkeys(
        [
            "nps",
            "nps_band",
            "nps_margin_of_error",
            "csat_mean",
            "csat_satisfied_share",
            "enps",
            "employee_satisfaction_mean",
            "employee_satisfaction_scale_max",
            "nps_change",
            "nps_change_p_value",
            "csat_change",
            "csat_change_p_value",
        ]
    )
    assert result.series == {}
    assert result.warnings == [
        "nps, csat and enps need a surveys table with columns date and score; upload your "
        "survey answers on the Data page."
    ]


def test_section_untyped_csat_survey():
    surveys = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-02-01"]), "score": [4, 5]})
    # untyped and no scale: neither NPS nor CSAT is guessed from the scores
    result = section({"surveys": surveys})
    assert result.kpis["nps"] is None and result.kpis["csat_mean"] is None
    assert any("have no survey_type" in w for w in result.warnings)
    typed = section({"surveys": surveys}, settings=Settings(survey_type="csat", csat_scale_max=5))
    assert typed.kpis["nps"] is None
    assert typed.kpis["csat_mean"] == 4.5
    assert any(
        w.startswith("nps needs survey answers with scores from 0 to 10") for w in (typed.warnings)
    )


def test_section_bad_scores_become_warnings():
    surveys = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"]),
            "score": [10, 11, 4],
            "survey_type": pd.Series(["nps", "nps", "Q3 poll"], dtype="str"),
        }
    )
    result = section({"surveys": surveys})
    assert result.kpis["nps"] is None
    assert "nps needs scores from 0 to 10; found 11 in 1 row" in " ".join(result.warnings)
    assert any("1 row of the surveys table have a survey_type" in w for w in result.warnings)


def test_section_missing_score_column():
    result = section({"surveys": pd.DataFrame({"date": pd.to_datetime(["2025-01-01"])})})
    assert result.kpis["nps"] is None
    assert "needs a score column" in result.warnings[0]


def test_input_not_mutated():
    surveys = section_surveys()
    before = surveys.copy()
    section({"surveys": surveys})
    comment_themes(MULTILINGUAL)
    nps_group_outcomes(SURVEYS, ORDERS)
    tm.assert_frame_equal(surveys, before)
