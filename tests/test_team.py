"""Tests for kpi.team: agents, employee turnover, engagement, efforts against results, section()."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest

from kpi.errors import InsufficientDataError, SchemaError
from kpi.support import BusinessHours
from kpi.team import (
    agent_table,
    agent_working_days,
    efforts_vs_results,
    employee_turnover,
    employee_turnover_rate,
    engagement_by_customer,
    section,
    tickets_per_agent_day,
    touches_per_customer,
)

T = pd.Timestamp


def tickets() -> pd.DataFrame:
    """The six tickets of test_support (times, status, agent) plus T7, for an agent who left
    before the range. T4 was resolved before its first response; T3 and T5 are open."""
    extra = pd.DataFrame(
        {
            "ticket_id": ["T7"],
            "created_at": pd.to_datetime(["2025-01-07 09:00"]),
            "status": ["open"],
            "agent": ["Old"],
        }
    )
    base = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6"],
            "created_at": pd.to_datetime(
                ["2025-01-06 09:00", "2025-01-10 16:00", "2025-01-14 09:00",
                 "2025-01-15 09:00", "2025-02-03 09:00", "2025-02-04 08:00"]
            ),
            "first_response_at": pd.to_datetime(
                ["2025-01-06 10:00", "2025-01-13 10:00", None, "2025-01-15 12:00",
                 "2025-02-03 09:30", None]
            ),
            "resolved_at": pd.to_datetime(
                ["2025-01-06 13:00", "2025-01-13 12:00", None, "2025-01-15 11:00", None, None]
            ),
            "status": ["closed", "Closed", "open", "resolved", "open", "closed"],
            "agent": ["Ana", "Ivo", "Ana", "Ivo", None, "Ivo"],
        }
    )  # fmt: skip
    return pd.concat([base, extra], ignore_index=True)


def agents_staff() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee": ["Ana", "Ivo", "Old"],
            "hire_date": pd.to_datetime(["2025-01-13", "2020-01-01", "2020-01-01"]),
            "leave_date": pd.to_datetime([None, "2025-01-31", "2024-12-31"]),
        }
    )


def surveys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-20"] * 5),
            "score": [5.0, 4.0, 2.0, 10.0, 3.0],
            "survey_type": ["csat", "csat", "csat", "nps", "csat"],
            "scale_max": [5, 5, 5, 10, 5],  # the CSAT scale is read, never guessed
            "agent": ["Ana", "Ana", "Ivo", "Ana", None],
        }
    )


# --------------------------------------------------------------------------------------------
# Agents


def test_agent_working_days_from_hire_and_leave_dates():
    # range Mon 2025-01-06 .. Tue 2025-02-04 has 22 weekdays
    result = agent_working_days(
        ["Ana", "Ivo", "Old", "New"], agents_staff(), start=T("2025-01-06"), end=T("2025-02-04")
    )
    # Ana from 01-13: 22 - 5 = 17; Ivo to 01-31: 20; Old left before: 0; New unlisted: 22
    expected = pd.Series(
        [17, 20, 0, 22],
        index=pd.Index(["Ana", "Ivo", "Old", "New"], dtype="str", name="agent"),
        name="working_days",
    )
    tm.assert_series_equal(result, expected)


def test_agent_working_days_with_holiday_and_saturdays():
    hours = BusinessHours(weekdays=(0, 1, 2, 3, 4, 5), holidays=(T("2025-01-06"),))
    result = agent_working_days(
        ["Ana"], start=T("2025-01-06"), end=T("2025-01-12"), business_hours=hours
    )
    assert result.tolist() == [5]  # Mon (holiday) out, Tue-Sat in


def test_agent_table_hand_example():
    result = agent_table(tickets(), surveys=surveys(), employees=agents_staff())
    # Range 01-06 .. 02-04 (last creation); Ana 1 resolved / 17 days, Ivo 2 / 20, Old 0 / 0.
    # First response medians: Ana T1 1 h (T3 unanswered); Ivo T2 66 h, T4 2 h -> 34 h.
    # CSAT (csat rows only; Ana's NPS 10 ignored): Ana (5 + 4) / 2, Ivo 2.
    expected = pd.DataFrame(
        {
            "tickets": [2, 3, 1],
            "resolved": [1, 2, 0],
            "working_days": [17, 20, 0],
            "tickets_per_day": [1 / 17, 0.1, np.nan],
            "first_response_median_hours": [1.0, 34.0, np.nan],
            "csat_mean": [4.5, 2.0, np.nan],
            "csat_n": [2, 1, 0],
        },
        index=pd.Index(["Ana", "Ivo", "Old"], dtype="str", name="agent"),
    )
    tm.assert_frame_equal(result, expected)


def test_agent_table_without_surveys_or_employees():
    result = agent_table(tickets(), start=T("2025-01-06"), end=T("2025-01-12"))
    # one week, 5 weekdays each; resolved in that week: Ana T1 only
    assert result["working_days"].tolist() == [5, 5, 5]
    assert result["resolved"].tolist() == [1, 0, 0]
    assert result["tickets"].tolist() == [1, 1, 1]  # T1, T2, T7
    assert result["csat_mean"].isna().all()


def test_tickets_per_agent_day_is_pooled():
    # (1 + 2 + 0) resolved / (17 + 20 + 0) working days
    assert tickets_per_agent_day(tickets(), agents_staff()) == pytest.approx(3 / 37)


def test_agent_table_needs_agent_column():
    with pytest.raises(SchemaError, match="agent"):
        agent_table(tickets().drop(columns="agent"))


def test_tickets_per_agent_day_without_working_days():
    with pytest.raises(InsufficientDataError, match="working day"):
        tickets_per_agent_day(tickets(), start=T("2025-01-11"), end=T("2025-01-12"))


# --------------------------------------------------------------------------------------------
# Employee turnover


def staff() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee": ["A", "B", "C", "D"],
            "hire_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2025-01-20", "2024-06-01"]),
            "leave_date": pd.to_datetime([None, "2025-01-15", None, "2025-02-28"]),
        }
    )


def test_employee_turnover_by_month():
    result = employee_turnover(staff(), start=T("2024-12-01"), end=T("2025-02-28"))
    expected = pd.DataFrame(
        {
            # Dec: A, B, D throughout. Jan: B leaves, C joins: 3 -> 3, 1 leaver.
            # Feb: D's last day is 02-28, so still counted on it; 1 leaver.
            "headcount_start": [3, 3, 3],
            "headcount_end": [3, 3, 3],
            "hires": [0, 1, 0],
            "leavers": [0, 1, 1],
            "average_headcount": [3.0, 3.0, 3.0],
            "turnover_rate": [0.0, 1 / 3, 1 / 3],
            "retention_rate": [1.0, 2 / 3, 2 / 3],
        },
        index=pd.DatetimeIndex(["2024-12-01", "2025-01-01", "2025-02-01"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_employee_turnover_by_year_with_an_empty_year():
    result = employee_turnover(staff(), period="year", start=T("2023-01-01"), end=T("2025-12-31"))
    # 2023: nobody -> NaN. 2024: 2 on 01-01, 3 on 12-31, 3 hires, 0 leavers.
    # 2025: 3 -> 2 (A, C), 1 hire, 2 leavers: 2 / 2.5 = 0.8
    expected = pd.DataFrame(
        {
            "headcount_start": [0, 2, 3],
            "headcount_end": [0, 3, 2],
            "hires": [0, 3, 1],
            "leavers": [0, 0, 2],
            "average_headcount": [0.0, 2.5, 2.5],
            "turnover_rate": [np.nan, 0.0, 0.8],
            "retention_rate": [np.nan, 1.0, 0.2],
        },
        index=pd.DatetimeIndex(["2023-01-01", "2024-01-01", "2025-01-01"], name="period"),
    )
    tm.assert_frame_equal(result, expected, check_index_type=False)


def test_employee_turnover_rate_defaults_to_last_twelve_months():
    # end = last date 2025-02-28, start 2024-02-29: headcount 2 (A, B) and 3 (A, C, D);
    # leavers B and D: 2 / 2.5
    assert employee_turnover_rate(staff()) == pytest.approx(0.8)


def test_employee_turnover_needs_leave_dates():
    with pytest.raises(SchemaError, match="leave_date"):
        employee_turnover_rate(staff().drop(columns="leave_date"))
    with pytest.raises(InsufficientDataError, match="headcount is 0"):
        employee_turnover_rate(staff(), start=T("2020-01-01"), end=T("2020-12-31"))


# --------------------------------------------------------------------------------------------
# Engagement and efforts against results


def touches() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(
                ["2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06", "2025-02-01"]
            ),
            "customer_id": ["C1", "C1", "C1", "C2", None, "C3"],
            "lead_id": [None, None, None, None, "L1", None],
            "touch_type": ["call", "email", "meeting", "Phone call", "call", "visit"],
            "direction": ["outbound", "Inbound", "outbound", "incoming", "outbound", None],
            "duration_min": [10.0, np.nan, 30.0, 5.0, 7.0, np.nan],
            "employee": ["Ana", "Ana", "Ana", "Bob", "Bob", "Ana"],
        }
    )


def test_engagement_by_customer_hand_example():
    result = engagement_by_customer(touches())
    expected = pd.DataFrame(
        {
            "touches": [3, 1, 1],
            "inbound": [1, 1, 0],
            "outbound": [2, 0, 0],
            "minutes": [40.0, 5.0, np.nan],  # C3's only duration is blank
        },
        index=pd.Index(["C1", "C2", "C3"], dtype="str", name="customer_id"),
    )
    tm.assert_frame_equal(result, expected)


def test_touches_per_customer():
    assert touches_per_customer(touches()) == pytest.approx(5 / 3)
    assert touches_per_customer(touches(), end=T("2025-01-31")) == pytest.approx(2.0)
    with pytest.raises(InsufficientDataError, match="customer_id"):
        touches_per_customer(touches(), start=T("2026-01-01"))


def leads() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4", "L5"],
            "created_date": pd.to_datetime(
                ["2025-01-05", "2025-01-10", "2025-01-12", "2025-01-15", "2025-01-16"]
            ),
            "converted_date": pd.to_datetime(["2025-01-20", None, "2025-02-01", None, None]),
            "owner": ["Bob", "Bob", "Ana", "Cy", None],
        }
    )


def test_efforts_vs_results_hand_example():
    result = efforts_vs_results(touches(), leads())
    expected = pd.DataFrame(
        {
            "calls": [1, 2, 0],  # Ana: call; Bob: Phone call, call
            "meetings": [2, 0, 0],  # Ana: meeting, visit
            "touches": [4, 2, 0],
            "leads": [1, 2, 1],
            "converted": [1, 1, 0],
            "conversion_rate": [1.0, 0.5, 0.0],
            "touches_per_conversion": [4.0, 2.0, np.nan],
        },
        index=pd.Index(["Ana", "Bob", "Cy"], dtype="str", name="manager"),
    )
    tm.assert_frame_equal(result, expected)


def test_efforts_vs_results_needs_owner():
    with pytest.raises(SchemaError, match="owner"):
        efforts_vs_results(touches(), leads().drop(columns="owner"))


# --------------------------------------------------------------------------------------------
# section()


def test_section_hand_example():
    employees = pd.concat([agents_staff(), staff()], ignore_index=True)
    tables = {"tickets": tickets(), "employees": employees, "touches": touches()}
    result = section(tables)
    assert result.kpis["tickets_per_agent_day"] == pytest.approx(3 / 37)
    assert result.kpis["touches_per_customer"] == pytest.approx(5 / 3)
    assert result.series["touches_per_customer"] == {"2025-01": 2.0, "2025-02": 1.0}
    # 2024-02-29 .. 2025-02-28: on both days Ivo, Old, A, B then Ana, A, C, D (4 and 4);
    # leavers Old, Ivo, B, D: 4 / 4
    assert result.kpis["employee_turnover_rate"] == pytest.approx(1.0)
    assert result.warnings == []
    json.dumps({"kpis": result.kpis, "series": result.series})


def test_section_turnover_series():
    result = section({"employees": staff()}, start=T("2025-01-01"), end=T("2025-02-28"))
    # leavers B and D over headcount 3 on 01-01 and 3 on 02-28
    assert result.kpis["employee_turnover_rate"] == pytest.approx(2 / 3)
    assert result.series["employee_turnover_rate"] == {
        "2025-01": pytest.approx(1 / 3),
        "2025-02": pytest.approx(1 / 3),
    }


def test_section_with_tables_missing():
    result = section({})
    assert result.kpis == {
        "tickets_per_agent_day": None,
        "employee_turnover_rate": None,
        "touches_per_customer": None,
        "engagement_minutes_per_customer": None,
    }
    text = " ".join(result.warnings)
    assert "tickets table with columns created_at, resolved_at and agent" in text
    assert "employees table" in text
    assert "touches table" in text
