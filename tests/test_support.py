"""Tests for kpi.support: times, business hours, SLA, backlog, complaints, escalation, section()."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.errors import InsufficientDataError, SchemaError
from kpi.support import (
    BusinessHours,
    backlog,
    complaint_counts,
    complaints_by,
    escalation_rate,
    escalation_rate_by,
    first_response_time,
    is_complaint,
    km_median,
    open_tickets,
    resolution_time,
    resolved_tickets,
    section,
    sla_compliance,
    sla_compliance_by,
    ticket_times,
    time_distribution,
    working_hours_between,
)

T = pd.Timestamp


def tickets() -> pd.DataFrame:
    """Six tickets; 2025-01-06 is a Monday. as_of defaults to T6's creation, 02-04 08:00.

    T1 answered 1 h, resolved 4 h.
    T2 Friday 16:00 -> Monday: answered after 66 h (2 working h), resolved 68 h (4 working h).
    T3 still open and unanswered (age 503 h at as_of).
    T4 resolved (2 h) BEFORE its recorded first response (3 h): a data error; answered at 2 h.
    T5 answered 0.5 h, still open (age 23 h).
    T6 closed by status without any time: neither open nor measured.
    """
    return pd.DataFrame(
        {
            "ticket_id": pd.Series(["T1", "T2", "T3", "T4", "T5", "T6"], dtype="str"),
            "created_at": pd.to_datetime(
                [
                    "2025-01-06 09:00",
                    "2025-01-10 16:00",
                    "2025-01-14 09:00",
                    "2025-01-15 09:00",
                    "2025-02-03 09:00",
                    "2025-02-04 08:00",
                ]
            ),
            "first_response_at": pd.to_datetime(
                [
                    "2025-01-06 10:00",
                    "2025-01-13 10:00",
                    None,
                    "2025-01-15 12:00",
                    "2025-02-03 09:30",
                    None,
                ]
            ),
            "resolved_at": pd.to_datetime(
                ["2025-01-06 13:00", "2025-01-13 12:00", None, "2025-01-15 11:00", None, None]
            ),
            "status": pd.Series(["closed", "Closed", "open", "resolved", "open", "closed"]),
            "type": pd.Series(
                ["question", "Complaint", "complaint", "complaint", "request", "question"]
            ),
            "category": pd.Series(["billing", "service", "service", "billing", None, "billing"]),
            "priority": pd.Series(["high", "high", "low", "low", "high", "low"]),
            "escalated": pd.array([False, True, None, False, False, True], dtype="boolean"),
            "agent": pd.Series(["Ana", "Ivo", "Ana", "Ivo", None, "Ivo"]),
            "resolution_type": pd.Series(["fixed", "refund", None, "fixed", None, None]),
        }
    )


# --------------------------------------------------------------------------------------------
# Business hours


def test_weekend_spanning_ticket_counts_working_hours_only():
    # Friday 16:00 -> Monday 10:00 with 9-17 Monday-Friday: 1 h Friday + 1 h Monday
    result = working_hours_between(
        pd.Series([T("2025-01-10 16:00")]), pd.Series([T("2025-01-13 10:00")]), BusinessHours()
    )
    assert result.tolist() == [2.0]


@pytest.mark.parametrize(
    ("begin", "finish", "expected"),
    [
        ("2025-01-06 07:00", "2025-01-06 08:00", 0.0),  # before opening
        ("2025-01-06 18:00", "2025-01-07 09:30", 0.5),  # after closing to next morning
        ("2025-01-06 09:00", "2025-01-13 09:00", 40.0),  # one week = 5 x 8 h
        ("2025-01-11 10:00", "2025-01-12 15:00", 0.0),  # all weekend
        ("2025-01-06 12:00", "2025-01-06 10:00", -2.0),  # finish before begin
    ],
)
def test_working_hours_hand_cases(begin, finish, expected):
    result = working_hours_between(pd.Series([T(begin)]), pd.Series([T(finish)]), BusinessHours())
    assert result.iloc[0] == pytest.approx(expected)


def test_holiday_is_not_worked():
    # Friday 16:00 -> Tuesday 10:00 with Monday a holiday: 1 h Friday + 1 h Tuesday
    hours = BusinessHours(holidays=(T("2025-01-13"),))
    result = working_hours_between(
        pd.Series([T("2025-01-10 16:00")]), pd.Series([T("2025-01-14 10:00")]), hours
    )
    assert result.tolist() == [2.0]


def test_working_hours_missing_time_is_nan_and_elapsed_without_business_hours():
    begin = pd.Series(pd.to_datetime(["2025-01-10 16:00", "2025-01-10 16:00"]))
    finish = pd.Series(pd.to_datetime(["2025-01-13 10:00", None]))
    result = working_hours_between(begin, finish)
    tm.assert_series_equal(result, pd.Series([66.0, np.nan]))


def test_business_hours_rejects_bad_settings():
    with pytest.raises(ValueError, match="start_hour < end_hour"):
        BusinessHours(start_hour=17, end_hour=9)
    with pytest.raises(ValueError, match="weekdays"):
        BusinessHours(weekdays=(7,))


def reference_working_hours(begin: pd.Timestamp, finish: pd.Timestamp, bh: BusinessHours):
    """Slow day-by-day overlap of [begin, finish] with each working day's opening hours."""
    total = 0.0
    day = begin.normalize()
    while day <= finish.normalize():
        if day.weekday() in bh.weekdays and day not in bh.holidays:
            opens = day + pd.Timedelta(hours=bh.start_hour)
            closes = day + pd.Timedelta(hours=bh.end_hour)
            overlap = min(closes, finish) - max(opens, begin)
            total += max(overlap.total_seconds(), 0) / 3600
        day += pd.Timedelta(days=1)
    return total


@settings(max_examples=60, deadline=None)
@given(
    start_minutes=st.integers(min_value=0, max_value=60 * 24 * 30),
    length_minutes=st.integers(min_value=0, max_value=60 * 24 * 20),
    weekdays=st.sets(st.integers(min_value=0, max_value=6), min_size=1),
    opening=st.integers(min_value=0, max_value=23),
    hours=st.integers(min_value=1, max_value=24),
)
def test_working_hours_against_day_by_day_reference(
    start_minutes, length_minutes, weekdays, opening, hours
):
    bh = BusinessHours(
        weekdays=tuple(weekdays),
        start_hour=opening,
        end_hour=min(opening + hours, 24),
        holidays=(T("2025-01-08"), T("2025-01-20")),
    )
    begin = T("2025-01-01") + pd.Timedelta(minutes=start_minutes)
    finish = begin + pd.Timedelta(minutes=length_minutes)
    result = working_hours_between(pd.Series([begin]), pd.Series([finish]), bh).iloc[0]
    assert result == pytest.approx(reference_working_hours(begin, finish, bh), abs=1e-9)


def test_working_hours_works_for_second_resolution_datetimes():
    begin = pd.Series(pd.to_datetime(["2025-01-10 16:00"]).astype("datetime64[s]"))
    finish = pd.Series(pd.to_datetime(["2025-01-13 10:00"]).astype("datetime64[s]"))
    assert working_hours_between(begin, finish, BusinessHours()).tolist() == [2.0]


# --------------------------------------------------------------------------------------------
# Per-ticket times, first response and resolution


def test_ticket_times_hand_table():
    result = ticket_times(tickets())
    expected = pd.DataFrame(
        {
            "first_response_hours": [1.0, 66.0, np.nan, 2.0, 0.5, np.nan],
            "resolution_hours": [4.0, 68.0, np.nan, 2.0, np.nan, np.nan],
            "answered": [True, True, False, True, True, False],
            "resolved": [True, True, False, True, False, False],
            "open": [False, False, True, False, True, False],
            "awaiting_response": [False, False, True, False, False, False],
            # to 02-04 08:00: T1 29 d - 1 h = 695, T2 25 d - 8 h = 592, T3 21 d - 1 h = 503,
            # T4 20 d - 1 h = 479, T5 23 h, T6 0
            "age_hours": [695.0, 592.0, 503.0, 479.0, 23.0, 0.0],
        }
    )
    tm.assert_frame_equal(result.drop(columns="created_at"), expected)


def test_first_response_time_hand_example():
    result = first_response_time(tickets())
    # answered: 1, 66, 2 (T4 at its resolution), 0.5; T3 pending; T6 left out
    assert (result.n, result.pending) == (4, 1)
    assert result.mean == pytest.approx(69.5 / 4)  # 17.375
    assert result.median == pytest.approx(1.5)  # (1 + 2) / 2
    assert result.p90 == pytest.approx(46.8)  # 2 + 0.7 x (66 - 2), linear
    # KM: S(0.5) = 4/5, S(1) = 3/5, S(2) = 2/5 <= 0.5 -> 2
    assert result.km_median == pytest.approx(2.0)


def test_resolution_time_hand_example_with_censoring():
    result = resolution_time(tickets())
    assert (result.n, result.pending) == (3, 2)
    assert result.mean == pytest.approx(74 / 3)
    assert result.median == pytest.approx(4.0)
    assert result.p90 == pytest.approx(55.2)  # 4 + 0.8 x (68 - 4)
    # 2, 4, 23+, 68, 503+: S(2) = 4/5, S(4) = 3/5, S(68) = 3/5 x 1/2 = 0.3 -> 68
    assert result.km_median == pytest.approx(68.0)


def test_times_in_business_hours():
    hours = BusinessHours()
    response = first_response_time(tickets(), business_hours=hours)
    resolution = resolution_time(tickets(), business_hours=hours)
    # answered: 1, 2 (weekend skipped), 2, 0.5 -> median 1.5, mean 5.5 / 4
    assert response.mean == pytest.approx(5.5 / 4)
    assert response.median == pytest.approx(1.5)
    # resolved: 4, 4 (Friday 1 h + Monday 3 h), 2
    assert resolution.mean == pytest.approx(10 / 3)
    assert resolution.median == pytest.approx(4.0)


def test_times_in_date_range():
    result = resolution_time(tickets(), start=T("2025-01-10"), end=T("2025-01-14"))
    # T2 resolved (68 h), T3 pending
    assert (result.n, result.pending, result.median) == (1, 1, 68.0)


def test_time_without_tickets_in_range():
    with pytest.raises(InsufficientDataError, match="between 2026-01-01 and the end"):
        first_response_time(tickets(), start=T("2026-01-01"))


def test_first_response_needs_a_time_column():
    with pytest.raises(SchemaError, match="first_response_at"):
        first_response_time(tickets().drop(columns=["first_response_at", "resolved_at"]))


def test_first_response_without_resolved_at_column():
    result = first_response_time(tickets().drop(columns="resolved_at"))
    # T4 is answered at 3 h now; T6 (closed by status, no times) is left out
    assert result.n == 4
    assert result.median == pytest.approx(2.0)  # 0.5, 1, 3, 66


def test_time_distribution_hand_example():
    result = time_distribution(tickets())
    labels = ["under 1 h", "1-4 h", "4-8 h", "8-24 h", "1-2 d", "2-3 d", "3-7 d", "7 d or more"]
    expected = pd.DataFrame(
        {"tickets": [1, 2, 0, 0, 0, 1, 0, 0], "share": [0.25, 0.5, 0, 0, 0, 0.25, 0, 0]},
        index=pd.Index(labels, dtype="str", name="bin"),
    )
    tm.assert_frame_equal(result, expected)


def test_time_distribution_without_measured_tickets_has_nan_shares():
    result = time_distribution(tickets().iloc[[2]], measure="resolution", bins=(0, 24, 48))
    expected = pd.DataFrame(
        {"tickets": [0, 0], "share": [np.nan, np.nan]},
        index=pd.Index(["under 1 d", "1-2 d"], dtype="str", name="bin"),
    )
    tm.assert_frame_equal(result, expected)


# --------------------------------------------------------------------------------------------
# Kaplan-Meier median


def test_km_median_against_R_survival_aml():
    # R: survfit(Surv(time, status) ~ x, data = aml): medians 31 (Maintained) and 23
    # (Nonmaintained); survfit(Surv(time, status) ~ 1, data = aml): median 27.
    t1 = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161]
    e1 = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0]
    t2 = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
    e2 = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    assert km_median(t1, [bool(e) for e in e1]) == 31.0
    assert km_median(t2, [bool(e) for e in e2]) == 23.0
    assert km_median(t1 + t2, [bool(e) for e in e1 + e2]) == 27.0


def test_km_median_not_reached_is_nan():
    assert math.isnan(km_median([1.0, 5.0, 6.0], [True, False, False]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=30))
def test_km_median_without_censoring_is_the_median(values):
    assert km_median(values, [True] * len(values)) == pytest.approx(float(np.median(values)))


# --------------------------------------------------------------------------------------------
# SLA compliance


def test_sla_compliance_hand_example():
    result = sla_compliance(tickets(), target_hours=24)
    # met T1 (1 h), T4 (2 h), T5 (0.5 h); missed T2 (66 h) and T3 (unanswered, 503 h old)
    assert (result.met, result.missed, result.pending) == (3, 2, 0)
    assert result.compliance == pytest.approx(0.6)


def test_sla_young_unanswered_ticket_is_not_judged():
    result = sla_compliance(tickets(), target_hours=600)
    # T3 waited 503 h < 600 h: excluded; all four answered within 600 h
    assert (result.met, result.missed, result.pending, result.compliance) == (4, 0, 1, 1.0)


def test_sla_resolution_target():
    result = sla_compliance(tickets(), target_hours=8, measure="resolution")
    # met T1 (4 h), T4 (2 h); missed T2 (68 h), T3 (open 503 h), T5 (open 23 h)
    assert (result.met, result.missed, result.pending) == (2, 3, 0)


def test_sla_in_business_hours():
    result = sla_compliance(tickets(), target_hours=4, business_hours=BusinessHours())
    # working hours: T1 1, T2 2, T4 2, T5 0.5 met; T3 open 120 working hours: missed
    assert (result.met, result.missed) == (4, 1)


def test_sla_compliance_by_priority():
    result = sla_compliance_by(tickets(), "priority", target_hours=24)
    expected = pd.DataFrame(
        {
            "met": [2, 1],  # high: T1, T5; low: T4
            "missed": [1, 1],  # high: T2; low: T3
            "pending": [0, 0],
            "compliance": [2 / 3, 0.5],
        },
        index=pd.Index(["high", "low"], name="priority"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_sla_compliance_by_period_has_empty_periods():
    result = sla_compliance_by(tickets(), "period", target_hours=24, start=T("2024-12-01"))
    expected = pd.DataFrame(
        {
            "met": [0, 2, 1],
            "missed": [0, 2, 0],
            "pending": [0, 0, 0],
            "compliance": [np.nan, 0.5, 1],
        },
        index=pd.DatetimeIndex(["2024-12-01", "2025-01-01", "2025-02-01"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_sla_by_unknown_column():
    with pytest.raises(SchemaError, match="needs a team column"):
        sla_compliance_by(tickets(), "team")


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(min_value=0, max_value=800),
    b=st.floats(min_value=0, max_value=800),
    measure=st.sampled_from(["first_response", "resolution"]),
)
def test_sla_compliance_rises_with_the_target(a, b, measure):
    low, high = sorted([a, b])
    c_low = sla_compliance(tickets(), target_hours=low, measure=measure).compliance
    c_high = sla_compliance(tickets(), target_hours=high, measure=measure).compliance
    if not (math.isnan(c_low) or math.isnan(c_high)):
        assert c_high >= c_low


# --------------------------------------------------------------------------------------------
# Backlog, open and resolved


def test_backlog_by_month_hand_example():
    result = backlog(tickets(), start=T("2024-12-01"))
    expected = pd.DataFrame(
        {
            "created": [0, 4, 2],
            "resolved": [0, 3, 0],
            # end of January: T3 open; at as_of (02-04 08:00): T3 and T5 (T6 closed by status)
            "open_at_end": [0, 1, 2],
        },
        index=pd.DatetimeIndex(["2024-12-01", "2025-01-01", "2025-02-01"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_backlog_by_week():
    result = backlog(tickets(), period="week", end=T("2025-01-19"))
    # weeks of 01-06, 01-13: week 1 T1 created+resolved, T2 created (open Sunday night);
    # week 2: T3, T4 created; T2, T4 resolved -> T3 open
    expected = pd.DataFrame(
        {"created": [2, 2], "resolved": [1, 2], "open_at_end": [1, 1]},
        index=pd.DatetimeIndex(["2025-01-06", "2025-01-13"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_open_and_resolved_tickets():
    assert open_tickets(tickets()) == 2  # T3, T5
    # at 01-13 11:00: T2 (resolved 12:00) still open; T1 resolved
    assert open_tickets(tickets(), as_of=T("2025-01-13 11:00")) == 1
    assert resolved_tickets(tickets()) == 3
    assert resolved_tickets(tickets(), end=T("2025-01-10")) == 1


# --------------------------------------------------------------------------------------------
# Complaints and escalation


def test_is_complaint_reads_case_and_translations():
    frame = pd.DataFrame({"type": ["Complaint", "жалоба", "complaint about fee", None, "q"]})
    assert is_complaint(frame).tolist() == [True, True, True, False, False]


def test_complaint_counts_hand_example():
    result = complaint_counts(tickets())
    # T2, T3, T4; open T3; resolved T2, T4; escalated T2 (T3's blank flag is not escalated)
    assert (result.total, result.open, result.resolved, result.escalated) == (3, 1, 2, 1)


def test_complaints_by_category():
    result = complaints_by(tickets(), "category")
    expected = pd.DataFrame(
        {"total": [1, 2], "open": [0, 1], "resolved": [1, 1], "escalated": [0, 1]},
        index=pd.Index(["billing", "service"], name="category"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_complaints_by_resolution_type_groups_blanks():
    result = complaints_by(tickets(), "resolution_type")
    expected = pd.DataFrame(
        {"total": [1, 1, 1], "open": [1, 0, 0], "resolved": [0, 1, 1], "escalated": [0, 0, 1]},
        index=pd.Index(["(blank)", "fixed", "refund"], name="resolution_type"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_complaints_by_period_and_without_escalated_column():
    result = complaints_by(tickets().drop(columns="escalated"), "period", start=T("2024-12-01"))
    expected = pd.DataFrame(
        {"total": [0, 3], "open": [0, 1], "resolved": [0, 2]},
        index=pd.DatetimeIndex(["2024-12-01", "2025-01-01"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)
    assert complaint_counts(tickets().drop(columns="escalated")).escalated is None


def test_complaints_need_type():
    with pytest.raises(SchemaError, match="type"):
        complaint_counts(tickets().drop(columns="type"))


def test_escalation_rate_hand_example():
    # known flags: T1 no, T2 yes, T4 no, T5 no, T6 yes (T3 blank, left out) -> 2 / 5
    assert escalation_rate(tickets()) == pytest.approx(0.4)
    result = escalation_rate_by(tickets(), "period", start=T("2024-12-01"))
    expected = pd.DataFrame(
        {"tickets": [0, 3, 2], "escalated": [0, 1, 1], "escalation_rate": [np.nan, 1 / 3, 0.5]},
        index=pd.DatetimeIndex(["2024-12-01", "2025-01-01", "2025-02-01"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_escalation_rate_reads_text_flags():
    frame = pd.DataFrame(
        {"created_at": pd.to_datetime(["2025-01-02"] * 3), "escalated": ["Yes", "no", "да"]}
    )
    assert escalation_rate(frame) == pytest.approx(2 / 3)


def test_escalation_rate_errors():
    with pytest.raises(SchemaError, match="escalated"):
        escalation_rate(tickets().drop(columns="escalated"))
    with pytest.raises(InsufficientDataError, match="escalated flag"):
        escalation_rate(tickets(), start=T("2026-01-01"))


def test_functions_do_not_mutate_input():
    frame = tickets()
    copy = frame.copy()
    ticket_times(frame, business_hours=BusinessHours())
    backlog(frame)
    complaints_by(frame, "agent")
    sla_compliance_by(frame, "priority")
    tm.assert_frame_equal(frame, copy)


# --------------------------------------------------------------------------------------------
# section()


def test_section_hand_example():
    result = section({"tickets": tickets()})
    assert result.kpis == {
        "first_response_hours_median": 1.5,
        "first_response_hours_mean": 17.375,
        "resolution_hours_median": 4.0,
        "resolution_hours_mean": pytest.approx(74 / 3),
        "open_tickets": 2,
        "resolved_tickets": 3,
        "complaints": 3,
        "escalation_rate": 0.4,
        "sla_compliance": 0.6,
        # the three complaints: T3 still open, T1 and T2 resolved, T2 escalated
        "complaints_outstanding": 1,
        "complaints_resolved": 2,
        "complaints_escalated": 1,
        "complaints_by": {
            "type": {
                "billing": {"total": 1, "outstanding": 0, "resolved": 1, "escalated": 0},
                "service": {"total": 2, "outstanding": 1, "resolved": 1, "escalated": 1},
            },
            "employee": {
                "Ana": {"total": 1, "outstanding": 1, "resolved": 0, "escalated": 0},
                "Ivo": {"total": 2, "outstanding": 0, "resolved": 2, "escalated": 1},
            },
            "resolution": {
                "(blank)": {"total": 1, "outstanding": 1, "resolved": 0, "escalated": 0},
                "fixed": {"total": 1, "outstanding": 0, "resolved": 1, "escalated": 0},
                "refund": {"total": 1, "outstanding": 0, "resolved": 1, "escalated": 1},
            },
        },
        # no orders table: no customer base to divide by
        "complaints_per_customer": None,
        "service_contact_conversion": None,
    }
    assert result.series["first_response_hours_median"] == {"2025-01": 2.0, "2025-02": 0.5}
    assert result.series["resolution_hours_median"] == {"2025-01": 4.0, "2025-02": None}
    assert result.series["open_tickets"] == {"2025-01": 1, "2025-02": 2}
    assert result.series["resolved_tickets"] == {"2025-01": 3, "2025-02": 0}
    assert result.series["sla_compliance"] == {"2025-01": 0.5, "2025-02": 1.0}
    assert result.series["complaints"] == {"2025-01": 3}
    assert result.series["escalation_rate"] == {"2025-01": pytest.approx(1 / 3), "2025-02": 0.5}
    assert [w.split(" needs ")[0] for w in result.warnings] == [
        "complaints_per_customer",
        "service_contact_conversion",
    ]
    json.dumps({"kpis": result.kpis, "series": result.series})


def test_section_with_date_range_reads_open_at_range_end():
    result = section({"tickets": tickets()}, start=T("2025-01-01"), end=T("2025-01-31"))
    assert result.kpis["open_tickets"] == 1  # T3 at the end of January
    assert result.kpis["resolved_tickets"] == 3
    assert result.kpis["complaints"] == 3
    assert list(result.series["open_tickets"]) == ["2025-01"]


def test_section_without_tickets():
    result = section({"orders": pd.DataFrame({"customer_id": ["C1"]})})
    assert all(v is None for v in result.kpis.values())
    assert len(result.kpis) == 15
    assert any("tickets table with columns ticket_id and created_at" in w for w in result.warnings)


def test_section_with_minimal_tickets_warns_what_unlocks_the_rest():
    minimal = tickets()[["ticket_id", "created_at"]]
    result = section({"tickets": minimal})
    assert all(v is None for v in result.kpis.values())
    text = " ".join(result.warnings)
    for column in ("first_response_at", "resolved_at", "type column", "escalated column"):
        assert column in text
