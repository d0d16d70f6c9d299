"""Worked examples of KPI_CATALOGUE.md "Added in the second round", each with its arithmetic.

Conversion after a service contact, complaints per customer and the complaint breakdowns
(kpi.support), marketing response (kpi.acquisition), employee satisfaction and the change of
NPS / CSAT against the range before (kpi.satisfaction), engagement minutes (kpi.team).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpi import acquisition, satisfaction, support, team
from kpi.errors import InsufficientDataError, SchemaError
from kpi.satisfaction import csat_change, employee_satisfaction_mean, nps_change
from kpi.support import (
    complaint_breakdowns,
    complaints_per_customer,
    complaints_per_customer_series,
    service_contact_conversion,
)
from kpi.team import engagement_minutes_per_customer

T = pd.Timestamp


# --------------------------------------------------------------------------------------------
# Conversion after a service contact


def _contacts_and_orders() -> tuple[pd.DataFrame, pd.DataFrame]:
    """40 customers with a ticket on 10 January 2025; what they ordered afterwards."""
    ids = [f"C{i:02d}" for i in range(40)]
    tickets = pd.DataFrame(
        {"created_at": [T("2025-01-10 09:30")] * 40, "customer_id": ids, "type": "question"}
    )
    orders = [(f"C{i:02d}", "2025-01-25") for i in range(10)]  # 15 days later: converted
    orders += [(f"C{i:02d}", "2025-03-01") for i in range(10, 15)]  # 50 days later
    orders += [("C15", "2025-01-10")]  # the contact's own day: not after it
    orders += [("C16", "2025-01-05")]  # before the contact
    orders += [("Z", "2025-06-30")]  # another customer: the data runs to the end of June
    frame = pd.DataFrame(orders, columns=["customer_id", "order_date"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["amount"] = 100.0
    return tickets, frame


def test_service_contact_conversion_catalogue_example():
    # 40 customers with a contact, 10 of them followed by an order within 30 days:
    # 10 / 40 = 0.25.
    tickets, orders = _contacts_and_orders()
    result = service_contact_conversion(tickets, orders)
    assert (result.customers, result.converted, result.days) == (40, 10, 30)
    assert result.rate == pytest.approx(0.25)


def test_service_contact_conversion_window_setting():
    # With 60 days the five orders 50 days after the contact count too: 15 / 40 = 0.375.
    tickets, orders = _contacts_and_orders()
    assert service_contact_conversion(tickets, orders, days=60).rate == pytest.approx(0.375)


def test_service_contact_conversion_counts_inbound_touches_and_customers_once():
    # a: ticket and inbound call, orders 3 days after the call -> converted (counted once);
    # b: only an outbound e-mail (not a service contact) -> not in the denominator;
    # c: inbound e-mail, no order -> contact, not converted. 1 / 2 = 0.5.
    tickets = pd.DataFrame({"created_at": [T("2025-01-02 10:00")], "customer_id": ["a"]})
    touches = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-05 11:00", "2025-01-05 09:00", "2025-01-06 10:00"]),
            "customer_id": ["a", "b", "c"],
            "direction": ["inbound", "outbound", "Incoming"],
        }
    )
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "b", "z"],
            "order_date": pd.to_datetime(["2025-01-08", "2025-01-09", "2025-04-01"]),
            "amount": [10.0, 10.0, 10.0],
        }
    )
    result = service_contact_conversion(tickets, orders, touches)
    assert (result.customers, result.converted) == (2, 1)


def test_service_contact_conversion_leaves_out_contacts_too_recent_to_judge():
    # Last order in the data: 2025-02-01. A contact on 2025-01-20 has not had its 30 days;
    # without an order yet it is left out, with one it counts as converted.
    tickets = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2024-12-01", "2025-01-20", "2025-01-20"]),
            "customer_id": ["a", "b", "c"],
        }
    )
    orders = pd.DataFrame(
        {
            "customer_id": ["c", "z"],
            "order_date": pd.to_datetime(["2025-01-25", "2025-02-01"]),
            "amount": [5.0, 5.0],
        }
    )
    result = service_contact_conversion(tickets, orders)
    # a: judged, no order; b: left out; c: converted. 1 / 2.
    assert (result.customers, result.converted, result.left_out) == (2, 1, 1)


def test_service_contact_conversion_refund_is_not_an_order():
    tickets = pd.DataFrame({"created_at": [T("2025-01-02")], "customer_id": ["a"]})
    orders = pd.DataFrame(
        {
            "customer_id": ["a", "z"],
            "order_date": pd.to_datetime(["2025-01-05", "2025-06-01"]),
            "amount": [-20.0, 5.0],
        }
    )
    assert service_contact_conversion(tickets, orders).rate == 0.0


def test_service_contact_conversion_needs_contacts():
    _, orders = _contacts_and_orders()
    empty = pd.DataFrame({"created_at": pd.to_datetime([]), "customer_id": []})
    with pytest.raises(InsufficientDataError, match="service contact conversion"):
        service_contact_conversion(empty, orders)
    with pytest.raises(SchemaError):
        service_contact_conversion(empty, orders, days=0)


# --------------------------------------------------------------------------------------------
# Complaints per customer and the complaint breakdowns


def _orders_of(customers: int, day: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(customers)],
            "order_date": T(day),
            "amount": 50.0,
        }
    )


def test_complaints_per_customer_catalogue_example():
    # 12 complaints (plus 5 questions that do not count), 400 active customers:
    # 12 / 400 = 0.03.
    tickets = pd.DataFrame(
        {"created_at": T("2025-03-10"), "type": ["complaint"] * 12 + ["question"] * 5}
    )
    orders = pd.concat(
        [_orders_of(400, "2025-03-02"), _orders_of(100, "2025-03-20")], ignore_index=True
    )
    assert complaints_per_customer(tickets, orders) == pytest.approx(0.03)


def test_complaints_per_customer_series_per_month():
    # January: 2 complaints, 4 customers -> 0.5; February: 1 complaint, 0 customers -> NaN;
    # March: 0 complaints, 2 customers -> 0.0.
    tickets = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2025-01-03", "2025-01-09", "2025-02-14"]),
            "type": "complaint",
        }
    )
    orders = pd.concat(
        [
            _orders_of(4, "2025-01-05"),
            _orders_of(2, "2025-03-05"),
            pd.DataFrame(
                {"customer_id": ["C0"], "order_date": [T("2025-02-02")], "amount": [-10.0]}
            ),
        ],  # a refund is not activity
        ignore_index=True,
    )
    result = complaints_per_customer_series(
        tickets, orders, period="month", start=T("2025-01-01"), end=T("2025-03-31")
    )
    assert result["complaints"].tolist() == [2, 1, 0]
    assert result["active_customers"].tolist() == [4, 0, 2]
    np.testing.assert_allclose(result["complaints_per_customer"], [0.5, np.nan, 0.0])


def test_complaint_breakdowns_by_type_employee_contract_resolution():
    tickets = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2025-01-02"] * 4),
            "resolved_at": pd.to_datetime(["2025-01-03", None, "2025-01-04", "2025-01-05"]),
            "type": ["complaint", "complaint", "complaint", "question"],
            "category": ["billing", "damage", "billing", "billing"],
            "agent": ["Ana", "Bo", None, "Ana"],
            "contract": ["basic", "basic", "premium", "basic"],
            "resolution_type": ["refund", None, "apology", "answered"],
            "escalated": ["yes", "no", "yes", "yes"],
        }
    )
    result = complaint_breakdowns(tickets, as_of=T("2025-01-10"))
    assert sorted(result) == ["contract", "employee", "resolution", "type"]
    assert result["type"].to_dict(orient="index") == {
        "billing": {"total": 2, "outstanding": 0, "resolved": 2, "escalated": 2},
        "damage": {"total": 1, "outstanding": 1, "resolved": 0, "escalated": 0},
    }
    assert result["employee"]["total"].to_dict() == {"(blank)": 1, "Ana": 1, "Bo": 1}
    assert result["contract"]["escalated"].to_dict() == {"basic": 1, "premium": 1}
    assert result["resolution"]["outstanding"].to_dict() == {
        "(blank)": 1,
        "apology": 0,
        "refund": 0,
    }


def test_support_section_complaint_keys():
    tickets = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04"]),
            "resolved_at": pd.to_datetime(["2025-01-03", None, None]),
            "type": ["complaint", "complaint", "question"],
            "escalated": ["yes", "no", "no"],
            "category": ["billing", "damage", "billing"],
            "customer_id": ["C0", "C1", "C2"],
        }
    )
    orders = _orders_of(4, "2025-01-05")
    out = support.section({"tickets": tickets, "orders": orders})
    k = out.kpis
    # 2 complaints: one resolved, one still open (outstanding), one escalated.
    assert (k["complaints"], k["complaints_outstanding"]) == (2, 1)
    assert (k["complaints_resolved"], k["complaints_escalated"]) == (1, 1)
    assert k["complaints_by"]["type"]["damage"] == {
        "total": 1,
        "outstanding": 1,
        "resolved": 0,
        "escalated": 0,
    }
    # 2 complaints / 4 customers who ordered.
    assert k["complaints_per_customer"] == pytest.approx(0.5)
    assert out.series["complaints_per_customer"] == {"2025-01": 0.5}
    assert "service_contact_conversion" in k


# --------------------------------------------------------------------------------------------
# Marketing response


def test_marketing_response_rate_catalogue_example():
    # 1,000 e-mails sent, 50 replies: 50 / 1,000 = 0.05. The 30 inbound ad clicks answer no
    # contact and are left out; calls: 200 out, 40 back = 0.2.
    touches = pd.DataFrame(
        {
            "date": T("2025-02-03"),
            "touch_type": ["email"] * 1050 + ["ad"] * 30 + ["Call"] * 240,
            "direction": ["outbound"] * 1000
            + ["inbound"] * 50
            + ["inbound"] * 30
            + ["outbound"] * 200
            + ["inbound"] * 40,
        }
    )
    emails = touches[touches["touch_type"] == "email"]
    assert acquisition.marketing_response_rate(emails) == pytest.approx(0.05)
    table = acquisition.marketing_response_by_channel(touches)
    assert table.to_dict(orient="index") == {
        "call": {"contacts": 200, "responses": 40, "response_rate": 0.2},
        "email": {"contacts": 1000, "responses": 50, "response_rate": 0.05},
    }
    # Overall: (50 + 40) / (1,000 + 200) = 0.075.
    assert acquisition.marketing_response_rate(touches) == pytest.approx(0.075)


def test_marketing_response_prefers_a_campaign_column():
    touches = pd.DataFrame(
        {
            "date": T("2025-02-03"),
            "touch_type": "email",
            "campaign": ["Spring", "Spring", "Spring", "Autumn", "Autumn"],
            "direction": ["outbound", "outbound", "inbound", "outbound", "outbound"],
        }
    )
    table = acquisition.marketing_response_by_channel(touches)
    assert table["response_rate"].to_dict() == {"autumn": 0.0, "spring": 0.5}


def test_acquisition_section_marketing_response_keys():
    touches = pd.DataFrame(
        {
            "date": T("2025-02-03"),
            "touch_type": ["email"] * 4,
            "direction": ["outbound"] * 3 + ["inbound"],
        }
    )
    k = acquisition.section({"touches": touches}).kpis
    assert k["marketing_response_rate"] == pytest.approx(1 / 3)
    assert k["marketing_response_rate_by_channel"] == {"email": pytest.approx(1 / 3)}


def test_marketing_response_needs_outbound_touches():
    touches = pd.DataFrame(
        {"date": [T("2025-02-03")], "touch_type": ["ad"], "direction": ["inbound"]}
    )
    with pytest.raises(InsufficientDataError, match="outbound"):
        acquisition.marketing_response_rate(touches)


# --------------------------------------------------------------------------------------------
# Employee satisfaction, engagement minutes


def test_employee_satisfaction_mean_with_its_scale():
    # eNPS answers 9, 6, 8, 5 on 0-10 (customer NPS answers are not read): 28 / 4 = 7.0.
    surveys = pd.DataFrame(
        {
            "date": T("2025-01-05"),
            "score": [9, 6, 8, 5, 10],
            "survey_type": ["eNPS", "enps", "employee survey", "enps", "nps"],
        }
    )
    result = employee_satisfaction_mean(surveys)
    assert (result.mean, result.n, result.scale_max, result.scale_source) == (7.0, 4, 10, "default")
    five = pd.DataFrame(
        {"date": T("2025-01-05"), "score": [4, 5], "survey_type": "enps", "scale_max": 5}
    )
    assert employee_satisfaction_mean(five).scale_max == 5
    k = satisfaction.section({"surveys": surveys}).kpis
    assert (k["employee_satisfaction_mean"], k["employee_satisfaction_scale_max"]) == (7.0, 10)


def test_employee_satisfaction_needs_typed_answers_on_scale():
    with pytest.raises(InsufficientDataError, match="survey_type enps"):
        employee_satisfaction_mean(pd.DataFrame({"score": [7, 8]}))
    bad = pd.DataFrame({"score": [7, 12], "survey_type": "enps"})
    with pytest.raises(SchemaError, match="0 to 10"):
        employee_satisfaction_mean(bad)


def test_engagement_minutes_per_customer_hand_example():
    # C1: 30 + 15 minutes; C2: one touch with no duration (0); C3: 45 minutes; a touch
    # without a customer is left out. (45 + 0 + 45) / 3 customers = 30.
    touches = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-02"] * 5),
            "customer_id": ["C1", "C1", "C2", "C3", None],
            "duration_min": [30, 15, None, 45, 120],
        }
    )
    assert engagement_minutes_per_customer(touches) == pytest.approx(30.0)
    assert team.section({"touches": touches}).kpis["engagement_minutes_per_customer"] == 30.0
    with pytest.raises(SchemaError, match="duration_min"):
        engagement_minutes_per_customer(touches.drop(columns="duration_min"))


# --------------------------------------------------------------------------------------------
# Change of NPS and CSAT against the range before


def _nps_answers(day: str, promoters: int, passives: int, detractors: int) -> pd.DataFrame:
    scores = [10] * promoters + [8] * passives + [3] * detractors
    return pd.DataFrame({"date": T(day), "score": scores, "survey_type": "nps"})


def test_nps_change_with_two_sample_z_test():
    # February (this range): 200 answers, 130 promoters, 40 detractors: NPS 45.
    # January (the 28 days before): 100 answers, 50 promoters, 30 detractors: NPS 20.
    # var_now = 0.65 + 0.20 - 0.45^2 = 0.6475; var_before = 0.5 + 0.3 - 0.2^2 = 0.76;
    # SE = 100 x sqrt(0.6475 / 200 + 0.76 / 100) = 10.4104; z = 25 / 10.4104 = 2.4015;
    # p = erfc(z / sqrt 2) = 0.01633.
    surveys = pd.concat(
        [_nps_answers("2025-02-10", 130, 30, 40), _nps_answers("2025-01-20", 50, 20, 30)],
        ignore_index=True,
    )
    result = nps_change(surveys, start=T("2025-02-01"), end=T("2025-02-28"))
    assert (result.now, result.before, result.change) == pytest.approx((45.0, 20.0, 25.0))
    assert (result.before_start, result.before_end) == (T("2025-01-04"), T("2025-01-31"))
    se = 100 * math.sqrt(0.6475 / 200 + 0.76 / 100)
    expected = math.erfc(25 / se / math.sqrt(2))
    assert result.p_value == pytest.approx(expected, rel=1e-9)
    assert result.p_value == pytest.approx(0.01633, abs=1e-4)


def test_csat_change_with_welch_t_test():
    # This range: 5, 3, 4, 5, 1 (the catalogue's CSAT 3.6); before: 2, 3, 2, 3 (mean 2.5).
    # s_now^2 = (1.96 + 0.36 + 0.16 + 1.96 + 6.76) / 4 = 2.8; s_before^2 = 1 / 3.
    # SE^2 = 2.8 / 5 + (1/3) / 4 = 0.64333; t = 1.1 / sqrt(0.64333) = 1.37143;
    # df = 0.64333^2 / (0.56^2 / 4 + 0.083333^2 / 3) = 0.41388 / 0.080715 = 5.1277.
    now = pd.DataFrame({"date": T("2025-02-10"), "score": [5, 3, 4, 5, 1]})
    before = pd.DataFrame({"date": T("2025-01-10"), "score": [2, 3, 2, 3]})
    surveys = pd.concat([now, before], ignore_index=True).assign(survey_type="csat", scale_max=5)
    result = csat_change(surveys, start=T("2025-02-01"), end=T("2025-02-28"))
    assert (result.now, result.before, result.change) == pytest.approx((3.6, 2.5, 1.1))
    se2 = 2.8 / 5 + (1 / 3) / 4
    t = 1.1 / math.sqrt(se2)
    df = se2**2 / ((2.8 / 5) ** 2 / 4 + ((1 / 3) / 4) ** 2 / 3)
    assert (t, df) == pytest.approx((1.37143, 5.1277), abs=1e-4)
    assert result.p_value == pytest.approx(2 * stats.t.sf(t, df), rel=1e-9)


def test_satisfaction_changes_in_section_and_need_a_range():
    surveys = pd.concat(
        [_nps_answers("2025-02-10", 130, 30, 40), _nps_answers("2025-01-20", 50, 20, 30)],
        ignore_index=True,
    )
    k = satisfaction.section({"surveys": surveys}, start=T("2025-02-01"), end=T("2025-02-28")).kpis
    assert k["nps_change"] == pytest.approx(25.0)
    assert 0 < k["nps_change_p_value"] < 0.05
    out = satisfaction.section({"surveys": surveys})
    assert out.kpis["nps_change"] is None
    assert any("nps change" in w for w in out.warnings)
    with pytest.raises(InsufficientDataError, match="start and an end"):
        nps_change(surveys)


# --------------------------------------------------------------------------------------------
# The new keys in the exports


NEW_KEYS = (
    "service_contact_conversion", "complaints_per_customer", "complaints_outstanding",
    "complaints_resolved", "complaints_escalated", "complaints_by", "marketing_response_rate",
    "marketing_response_rate_by_channel", "employee_satisfaction_mean",
    "employee_satisfaction_scale_max", "engagement_minutes_per_customer", "nps_change",
    "nps_change_p_value", "csat_change", "csat_change_p_value",
)  # fmt: skip


def test_new_keys_have_names_and_nested_breakdowns_export_as_rows():
    from kpi.labels import LABELS
    from kpi.report import Section
    from ui.share import kpi_rows

    assert set(NEW_KEYS) <= set(LABELS)
    section = Section(
        kpis={
            "complaints_by": {"type": {"billing": {"total": 3, "escalated": 1}}},
            "service_contact_conversion": 0.25,
        }
    )
    rows = kpi_rows(section, "EUR")
    assert rows["Breakdown"].tolist() == [
        "type · billing · total",
        "type · billing · escalated",
        "",
    ]
    assert rows["Shown as"].tolist() == ["3", "1", "25.0 %"]


def test_support_section_states_the_service_contact_window():
    tickets, orders = _contacts_and_orders()
    out = support.section({"tickets": tickets, "orders": orders})
    assert out.kpis["service_contact_conversion"] == pytest.approx(0.25)
    assert out.assumptions["service_contact_days"]["value"] == 30
    assert out.assumptions["service_contact_days"]["source"] == "default"


def test_complaints_per_customer_chart_draws_the_series_beside_escalations():
    from ui import support_charts

    table = pd.DataFrame(
        {"complaints": [2, 1], "active_customers": [4, 0],
         "complaints_per_customer": [0.5, np.nan]},
        index=pd.DatetimeIndex(["2025-01-01", "2025-02-01"], name="period"),
    )  # fmt: skip
    escalation = pd.Series([0.25, np.nan], index=table.index)
    fig = support_charts.complaints_per_customer_chart(table, escalation, period="month")
    assert list(fig.data[0].x) == ["2025-01", "2025-02"]
    np.testing.assert_allclose(fig.data[0].y, [0.5, np.nan])
    np.testing.assert_allclose(fig.data[1].y, [0.25, np.nan])
    assert fig.data[1].yaxis == "y2"
    alone = support_charts.complaints_per_customer_chart(table, None, period="month")
    assert len(alone.data) == 1


def test_service_contact_conversion_is_no_number_when_no_contact_is_a_customer_of_the_orders():
    # Tickets name "ООО Клиент 7", orders "Kunde 7": no contacting customer has any order row,
    # so 0 / 2 would read as a finding when the files merely name customers differently.
    tickets = pd.DataFrame(
        {"created_at": pd.to_datetime(["2025-01-02", "2025-01-03"]),
         "customer_id": ["ООО Клиент 7", "ООО Клиент 8"]}
    )  # fmt: skip
    orders = pd.DataFrame(
        {"customer_id": ["Kunde 7", "Kunde 8"], "amount": [10.0, 20.0],
         "order_date": pd.to_datetime(["2025-01-10", "2025-06-01"])}
    )  # fmt: skip
    with pytest.raises(InsufficientDataError, match="none of the 2 customers with a contact"):
        service_contact_conversion(tickets, orders)
