"""Support and Team pages: figures by their data, the views' helpers, and AppTest flows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi import base, staffing, support, team
from kpi.ingest import load_files
from kpi.support import BusinessHours
from tests.conftest import ROOT
from ui import format as fmt
from ui import support_charts as charts
from ui import support_view as sv

SUPPORT, TEAM = "pages/8_Support.py", "pages/9_Team.py"
NAN = float("nan")

# Five tickets over three months; February has none (the zero cell).
#   T1 created Jan 10 09:00, answered 09:30 (0.5 h), resolved Mar 5 (open at the end of Jan, Feb)
#   T2 created Jan 20 09:00, answered 11:00 (2 h), never resolved: open at every period end
#   T3 created Mar 2 09:00, no reply recorded, resolved Mar 3 15:00 (answered by it: 30 h)
#   T4 created Mar 30 09:00, nothing yet: waiting (pending) as of Mar 31 00:00 (15 h old)
#   T5 created Mar 3, status closed, no times at all: neither open nor measured
TICKETS = pd.DataFrame(
    {
        "ticket_id": pd.array(["T1", "T2", "T3", "T4", "T5"], dtype="str"),
        "created_at": pd.to_datetime(
            [
                "2025-01-10 09:00",
                "2025-01-20 09:00",
                "2025-03-02 09:00",
                "2025-03-30 09:00",
                "2025-03-03 09:00",
            ]
        ),
        "first_response_at": pd.to_datetime(
            ["2025-01-10 09:30", "2025-01-20 11:00", None, None, None]
        ),
        "resolved_at": pd.to_datetime(["2025-03-05 12:00", None, "2025-03-03 15:00", None, None]),
        "status": pd.array(["resolved", "open", "resolved", "new", "closed"], dtype="str"),
        "priority": pd.array(["high", "high", "low", None, "low"], dtype="str"),
    }
)
AS_OF = pd.Timestamp("2025-03-31")


def _sample() -> dict[str, pd.DataFrame]:
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files).tables


def _axis_titles(fig) -> list[str]:
    return [fig.layout.xaxis.title.text or "", fig.layout.yaxis.title.text or ""]


# --------------------------------------------------------------------------------------------
# Support figures, by their data


def test_time_distribution_chart_counts_tickets_per_bin_with_an_empty_bin():
    dist = support.time_distribution(TICKETS, bins=(0, 1, 4, 24, math.inf))
    fig = charts.time_distribution_chart(dist, measure="first_response", working=False)
    # 0.5 h (T1) under 1 h, 2 h (T2) in 1-4 h, none in 4-24 h, 30 h (T3) in "1 d or more";
    # T4 is still waiting and T5 was never measured: 3 tickets in the bars.
    assert list(fig.data[0].x) == ["under 1 h", "1-4 h", "4-24 h", "1 d or more"]
    assert list(fig.data[0].y) == [1, 1, 0, 1]
    np.testing.assert_allclose(fig.data[0].customdata, [1 / 3, 1 / 3, 0.0, 1 / 3])
    assert _axis_titles(fig) == ["Hours to first response", "Tickets"]
    working = charts.time_distribution_chart(dist, measure="resolution", working=True)
    assert working.layout.xaxis.title.text == "Working hours to resolution"


def test_sla_by_chart_shows_compliance_per_priority_with_a_group_not_yet_judged():
    kw = {"target_hours": 24.0, "as_of": AS_OF}
    table = support.sla_compliance_by(TICKETS, "priority", **kw)
    fig = charts.sla_by_chart({"First response within 24 h": table}, dimension="Priority")
    # high: T1 0.5 h met, T2 2 h met -> 2 / 2; low: T3 30 h missed -> 0 / 1 (the zero cell);
    # blank priority: T4, 15 h old and waiting, is not judged yet -> NaN.
    assert list(fig.data[0].x) == ["(blank)", "high", "low"]
    np.testing.assert_allclose(fig.data[0].y, [NAN, 1.0, 0.0])
    assert [tuple(c) for c in fig.data[0].customdata] == [(0, 0), (2, 2), (0, 1)]
    assert fig.layout.yaxis.tickformat == ".0%"
    assert _axis_titles(fig) == ["Priority", "Share within target"]


def test_backlog_and_created_against_resolved_keep_an_empty_month():
    table = support.backlog(TICKETS, period="month", as_of=AS_OF)
    # Open at the end of January: T1, T2 -> 2; February the same; March: T2, T4 -> 2
    # (T1 resolved Mar 5, T3 on Mar 3; T5 closed by status is never open).
    backlog = charts.backlog_chart(table, period="month")
    assert list(backlog.data[0].x) == ["2025-01", "2025-02", "2025-03"]
    assert list(backlog.data[0].y) == [2, 2, 2]
    flows = charts.created_resolved_chart(table, period="month")
    # Created: Jan T1, T2; Feb none; Mar T3, T4, T5. Resolved: Mar T1, T3.
    assert [t.name for t in flows.data] == ["Created", "Resolved"]
    assert list(flows.data[0].y) == [2, 0, 3]
    assert list(flows.data[1].y) == [0, 0, 2]
    assert _axis_titles(flows) == ["Month", "Tickets"]


def test_complaints_chart_stacks_resolved_open_and_closed_with_escalations():
    table = pd.DataFrame(
        {"total": [3, 0, 2], "open": [1, 0, 0], "resolved": [1, 0, 2], "escalated": [2, 0, 0]},
        index=pd.Index(["quality", "staff", "billing"], name="category"),
    )
    fig = charts.complaints_chart(table, dimension="Category")
    # Smallest total at the bottom: staff 0, billing 2, quality 3. Quality: 3 - 1 - 1 = 1
    # closed without a resolution time.
    names = [t.name for t in fig.data]
    assert names == ["Resolved", "Still open", "Closed, no resolution time", "Escalated"]
    assert list(fig.data[0].y) == ["staff", "billing", "quality"]
    assert list(fig.data[0].x) == [0, 2, 1]
    assert list(fig.data[1].x) == [0, 0, 1]
    assert list(fig.data[2].x) == [0, 0, 1]
    assert list(fig.data[3].x) == [0, 0, 2]
    assert _axis_titles(fig) == ["Complaints", "Category"]
    # Without closed-by-status complaints or an escalated column, those traces are left out.
    plain = charts.complaints_chart(table.iloc[1:].drop(columns="escalated"), dimension="X")
    assert [t.name for t in plain.data] == ["Resolved", "Still open"]


def test_complaints_chart_per_period_keeps_time_order_with_labels():
    table = pd.DataFrame(
        {"total": [2, 0, 1], "open": [0, 0, 1], "resolved": [2, 0, 0]},
        index=pd.DatetimeIndex(["2025-01-01", "2025-02-01", "2025-03-01"], name="period"),
    )
    fig = charts.complaints_chart(table, dimension="Month", period="month")
    # Plotly draws the first row at the bottom: reversed so January is on top.
    assert list(fig.data[0].y) == ["2025-03", "2025-02", "2025-01"]
    assert list(fig.data[0].x) == [0, 0, 2]


def test_arrivals_heatmap_has_monday_on_top_and_counts_per_hour():
    tickets = pd.DataFrame(
        {"created_at": pd.to_datetime(["2025-01-06 09:15", "2025-01-06 09:50", "2025-01-12 23:00"])}
    )
    fig = charts.arrivals_heatmap(staffing.arrivals_by_weekday_hour(tickets))
    z = np.asarray(fig.data[0].z)
    # Monday 6 Jan 09:xx twice; Sunday 12 Jan 23:00 once; every other cell 0.
    assert z.shape == (7, 24) and z.sum() == 3
    assert z[0, 9] == 2 and z[6, 23] == 1
    assert list(fig.data[0].y)[:2] == ["Monday", "Tuesday"]
    assert fig.data[0].customdata[0][9] == "09:00-10:00"
    assert _axis_titles(fig) == ["Hour of the day (ticket created)", "Weekday"]


# --------------------------------------------------------------------------------------------
# Team figures


def test_agent_bars_put_the_best_on_top_and_keep_an_agent_without_value():
    table = pd.DataFrame(
        {"tickets_per_day": [1.5, 0.0, 2.0], "csat_mean": [4.2, NAN, 3.9]},
        index=pd.Index(["Ana", "Ivo", "Eva"], name="agent"),
    )
    fig = charts.agent_bars(table, "csat_mean", title="Mean CSAT score (1 to 5)",
                            axis_range=[0, 5])  # fmt: skip
    # Ivo has no CSAT (NaN): listed first (bottom), without a bar; then Eva 3.9, Ana 4.2.
    assert list(fig.data[0].y) == ["Ivo", "Eva", "Ana"]
    np.testing.assert_allclose(fig.data[0].x, [NAN, 3.9, 4.2])
    assert list(fig.layout.xaxis.range) == [0, 5]
    prod = charts.agent_bars(table, "tickets_per_day", title="Tickets resolved per working day")
    assert list(prod.data[0].y) == ["Ivo", "Ana", "Eva"]
    assert _axis_titles(prod) == ["Tickets resolved per working day", "Agent"]


def test_names_from_the_file_are_shown_literally_not_as_plotly_html():
    table = pd.DataFrame(
        {"tickets_per_day": [1.0, 2.0]},
        index=pd.Index(["<a href='x'>Eve</a>", "Bo & Co"], name="agent"),
    )
    fig = charts.agent_bars(table, "tickets_per_day", title="Tickets resolved per working day")
    assert list(fig.data[0].y) == ["&lt;a href='x'&gt;Eve&lt;/a&gt;", "Bo &amp; Co"]


def test_turnover_chart_draws_rates_and_headcount():
    staff = pd.DataFrame(
        {
            "employee": pd.array(["A", "B", "C"], dtype="str"),
            "hire_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2025-01-20"]),
            "leave_date": pd.to_datetime([None, "2025-01-15", None]),
        }
    )
    table = team.employee_turnover(
        staff, period="month", start=pd.Timestamp("2025-01-01"), end=pd.Timestamp("2025-02-28")
    )
    fig = charts.turnover_chart(table, period="month")
    # January: B leaves; headcount 2 on Jan 1 (A, B) and 2 on Jan 31 (A, C): 1 / 2 = 50 %.
    # February: nobody leaves: 0 %, headcount 2.
    np.testing.assert_allclose(fig.data[0].y, [0.5, 0.0])
    assert list(fig.data[1].y) == [2, 2]
    assert list(fig.data[0].x) == ["2025-01", "2025-02"]
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis2.title.text == "Employees"


def test_efforts_chart_sets_calls_and_meetings_against_conversions():
    table = pd.DataFrame(
        {"calls": [4, 0], "meetings": [1, 2], "touches": [6, 2], "leads": [5, 0],
         "converted": [2, 0], "conversion_rate": [0.4, NAN], "touches_per_conversion": [3.0, NAN]},
        index=pd.Index(["Ana", "Ivo"], name="manager"),
    )  # fmt: skip
    fig = charts.efforts_chart(table)
    assert [t.name for t in fig.data] == ["Calls", "Meetings", "Leads converted"]
    assert list(fig.data[0].y) == [4, 0] and list(fig.data[1].y) == [1, 2]
    assert list(fig.data[2].y) == [2, 0] and fig.data[2].yaxis == "y2"
    assert _axis_titles(fig) == ["Manager", "Calls and meetings"]


def test_touches_histogram_counts_customers_per_number_of_touches():
    engaged = pd.DataFrame({"touches": [1, 3, 3, 1, 1]})
    fig = charts.touches_histogram(engaged)
    # Three customers with 1 touch, none with 2, two with 3.
    assert list(fig.data[0].x) == [1, 2, 3]
    assert list(fig.data[0].y) == [3, 0, 2]


def test_staffing_table_against_koole_call_center_optimization():
    # Koole, "Call Center Optimization" (2013), ch. 4: 100 calls per half hour (200 per hour),
    # 180 s handling time -> 10 Erlangs. 11 agents: P(wait) 68.2 %, 39.0 % within 20 s,
    # ASA 122.8 s; 13 agents: 79.6 % within 20 s; 14 agents: 17.4 %, 88.8 %, 7.8 s.
    table = sv.staffing_table(200, 180, range(11, 15), target_seconds=20)
    assert table.loc[11, "p_wait"] == pytest.approx(0.682, abs=5e-4)
    assert table.loc[11, "service_level"] == pytest.approx(0.390, abs=5e-4)
    assert table.loc[11, "asa_seconds"] == pytest.approx(122.8, abs=0.05)
    assert table.loc[13, "service_level"] == pytest.approx(0.796, abs=5e-4)
    assert table.loc[14, "p_wait"] == pytest.approx(0.174, abs=5e-4)
    assert table.loc[14, "service_level"] == pytest.approx(0.888, abs=5e-4)
    assert table.loc[14, "asa_seconds"] == pytest.approx(7.8, abs=0.05)
    fig = charts.staffing_curve(table, agents=14, target_share=0.8, target_seconds=20)
    np.testing.assert_allclose(fig.data[0].y, table["service_level"])
    assert list(fig.data[2].x) == [14]
    assert fig.data[0].name == "Answered within 20 s"
    assert _axis_titles(fig) == ["Agents on duty", "Share of customers"]


def test_no_axis_title_is_a_raw_column_name():
    table = support.backlog(TICKETS, period="month", as_of=AS_OF)
    figs = [
        charts.backlog_chart(table, period="month"),
        charts.created_resolved_chart(table, period="month"),
        charts.time_distribution_chart(
            support.time_distribution(TICKETS), measure="first_response", working=False
        ),
        charts.arrivals_heatmap(staffing.arrivals_by_weekday_hour(TICKETS)),
    ]
    for fig in figs:
        for title in _axis_titles(fig):
            assert title and "_" not in title, title


# --------------------------------------------------------------------------------------------
# The views' helpers


def test_parse_holidays_keeps_dates_and_returns_the_rest():
    days, bad = sv.parse_holidays(" 2025-12-25;2026-01-01  next friday, 2025-02-30 ")
    assert days == (pd.Timestamp("2025-12-25"), pd.Timestamp("2026-01-01"))
    assert bad == ["next", "friday", "2025-02-30"]
    assert sv.parse_holidays("") == ((), [])


def test_working_hours_are_written_in_hours_never_days():
    plain = sv.Settings(24.0, 72.0, None)
    working = sv.Settings(24.0, 72.0, BusinessHours(holidays=(pd.Timestamp("2025-12-25"),)))
    assert plain.duration(76) == "3 d 4 h" and plain.unit == "hours"
    assert working.duration(76) == "76.0 working h" and working.unit == "working hours"
    assert working.duration(0.5) == "30 working min" and working.duration(NAN) == fmt.DASH
    assert sv.describe(working.business_hours) == "Mon-Fri 09:00-17:00, 1 holiday"
    assert sv.describe(BusinessHours(weekdays=(0, 2), start_hour=8.5)) == "Mon, Wed 08:30-17:00"


def test_open_rows_are_the_tickets_open_tickets_counts():
    moment = pd.Timestamp("2025-03-04")
    rows = sv.open_rows(TICKETS, moment)
    # On Mar 4: T1 (resolved Mar 5) and T2 open; T3 resolved Mar 3; T4 not created yet;
    # T5 closed by status.
    assert rows["ticket_id"].tolist() == ["T1", "T2"]
    assert len(rows) == support.open_tickets(TICKETS, as_of=moment)


def test_as_of_is_the_day_after_the_range_or_the_last_moment_of_the_data():
    assert sv.as_of(TICKETS, pd.Timestamp("2025-01-31")) == pd.Timestamp("2025-02-01")
    # The data's last moment is T4's creation, Mar 30 09:00.
    assert sv.as_of(TICKETS, pd.Timestamp("2025-12-31")) == pd.Timestamp("2025-03-30 09:00")


def test_seconds_and_engagement_summary():
    assert sv.seconds(59.94) == "59.9 s" and sv.seconds(3600 * 3) == "3.0 h"
    table = pd.DataFrame(
        {"touches": [2, 2], "inbound": [0, 1], "outbound": [2, 0], "minutes": [NAN, NAN]}
    )
    result = sv.engagement_summary(table)
    # 1 inbound of 4 touches; 2 outbound of 4; no durations -> NaN minutes per customer.
    assert result["inbound_share"] == 0.25 and result["outbound_share"] == 0.5
    assert math.isnan(result["minutes_per_customer"])


# --------------------------------------------------------------------------------------------
# The pages (AppTest)


def _open(app_test, script, dataset=None, **state):
    at = app_test()
    if dataset is not None:
        at.session_state["dataset"] = dataset
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def _window(at) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(at.session_state["f_start"]), pd.Timestamp(at.session_state["f_end"])


def test_support_cards_match_kpi_functions_on_sample_data(app_test):
    at = _open(app_test, SUPPORT)
    tickets = _sample()["tickets"]
    start, end = _window(at)
    now = sv.as_of(tickets, end)
    kw = {"start": start, "end": end, "as_of": now}
    first = support.first_response_time(tickets, **kw)
    assert _metric(at, "Median first response").value == fmt.hours(first.median)
    res = support.resolution_time(tickets, **kw)
    assert _metric(at, "Median resolution").value == fmt.hours(res.median)
    captions = " ".join(c.value for c in at.caption)
    assert f"counting {fmt.number(res.pending)} open tickets: {fmt.hours(res.km_median)}" in (
        captions
    )
    backlog = support.open_tickets(tickets, as_of=now)
    assert _metric(at, "Open backlog").value == fmt.number(backlog)
    sla = support.sla_compliance(tickets, target_hours=24, **kw)
    assert _metric(at, "First response within target").value == fmt.percent(sla.compliance)
    sla = support.sla_compliance(tickets, target_hours=72, measure="resolution", **kw)
    assert _metric(at, "Resolution within target").value == fmt.percent(sla.compliance)
    rate = support.escalation_rate(tickets, start=start, end=end)
    assert _metric(at, "Escalation rate").value == fmt.percent(rate)
    # The tabs run only when open: the times and SLA first, then the others.
    drawn = {"Response and SLA": len(at.get("plotly_chart"))}
    for name in ("Backlog", "Complaints", "When tickets arrive"):
        drawn[name] = len(_tab(at, name).get("plotly_chart"))
    assert drawn == {"Response and SLA": 3, "Backlog": 2, "Complaints": 2,
                     "When tickets arrive": 1}  # fmt: skip
    # Complaints by another breakdown redraw without error, and the choice outlives its tab.
    _tab(at, "Complaints").selectbox(key="sup_complaints_by").set_value("agent").run()
    assert not at.exception, [e.value for e in at.exception]
    _tab(at, "Backlog")
    assert _tab(at, "Complaints").selectbox(key="sup_complaints_by").value == "agent"


def _tab(at, name: str):
    """Open one of the Support page's tabs: only the open tab runs and is drawn."""
    at.session_state["sup_tab"] = name
    at.run()
    assert not at.exception, (name, [e.value for e in at.exception])
    return at


def test_support_date_filter_and_business_hours_move_the_cards(app_test):
    start, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30")
    at = _open(app_test, SUPPORT, f_start=start.date(), f_end=end.date(), sup_bh_on=True,
               sup_bh_holidays="2026-01-01, 2026-04-06")  # fmt: skip
    tickets = _sample()["tickets"]
    bh = BusinessHours(holidays=(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-06")))
    # 181 days: the previous range is 2025-07-04 .. 2025-12-31.
    prev_start, prev_end = pd.Timestamp("2025-07-04"), pd.Timestamp("2025-12-31")
    now = support.first_response_time(tickets, start=start, end=end, business_hours=bh,
                                      as_of=pd.Timestamp("2026-07-01"))  # fmt: skip
    before = support.first_response_time(tickets, start=prev_start, end=prev_end,
                                         business_hours=bh,
                                         as_of=pd.Timestamp("2026-01-01"))  # fmt: skip
    card = _metric(at, "Median first response (working hours)")
    assert card.value == sv.Settings(24.0, 72.0, bh).duration(now.median)
    assert card.value.endswith("working h") or card.value.endswith("working min")
    assert card.delta == fmt.change(base.relative_change(now.median, before.median))
    backlog = _metric(at, "Open backlog")
    n = support.open_tickets(tickets, as_of=pd.Timestamp("2026-07-01"))
    was = support.open_tickets(tickets, as_of=pd.Timestamp("2026-01-01"))
    assert backlog.value == fmt.number(n)
    assert backlog.delta == fmt.change(base.relative_change(n, was))
    esc = _metric(at, "Escalation rate")
    rate = support.escalation_rate(tickets, start=start, end=end)
    assert esc.delta == sv.points_delta(rate, support.escalation_rate(tickets, start=prev_start,
                                                                      end=prev_end))  # fmt: skip
    assert any("Mon-Fri 09:00-17:00, 2 holidays" in c.value for c in at.caption)
    # The settings' widgets drive the same keys: an earlier start, a day that ends before it.
    at.session_state["sup_settings"] = True  # the settings panel opened (drawn only then)
    at.run()
    at.selectbox(key="sup_w_bh_start").set_value(8.0).run()
    assert any("Mon-Fri 08:00-17:00, 2 holidays" in c.value for c in at.caption)
    at.selectbox(key="sup_w_bh_end").set_value(7.5).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("must end after it starts" in w.value for w in at.warning)
    assert _metric(at, "Median first response").value == fmt.hours(
        support.first_response_time(tickets, start=start, end=end,
                                    as_of=pd.Timestamp("2026-07-01")).median
    )  # fmt: skip


def test_support_without_tickets_says_what_unlocks_it(app_test):
    orders = (ROOT / "sample_data" / "orders.csv").read_bytes()
    at = _open(app_test, SUPPORT, load_files([("orders.csv", orders)]))
    assert not at.metric
    text = " ".join(i.value for i in at.info)
    assert "tickets" in text and "Data page" in text


def test_team_cards_and_what_if_match_kpi_functions(app_test):
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31")
    at = _open(app_test, TEAM, f_start=start.date(), f_end=end.date())
    tables = _sample()
    tickets, employees = tables["tickets"], tables["employees"]
    # 365 days: the previous range is 2024-01-02 .. 2024-12-31 (2024 has 366 days).
    prev = {"start": pd.Timestamp("2024-01-02"), "end": pd.Timestamp("2024-12-31")}
    assert base.previous_window(start, end) == (prev["start"], prev["end"])
    per_day = team.tickets_per_agent_day(tickets, employees, start=start, end=end)
    card = _metric(at, "Tickets per agent day")
    assert card.value == fmt.number(per_day, 1)
    before = team.tickets_per_agent_day(tickets, employees, **prev)
    assert card.delta == fmt.change(base.relative_change(per_day, before))
    rate = team.employee_turnover_rate(employees, start=start, end=end)
    card = _metric(at, "Employee turnover")
    assert card.value == fmt.percent(rate)
    assert card.delta == sv.points_delta(rate, team.employee_turnover_rate(employees, **prev))
    touches = team.touches_per_customer(tables["touches"], start=start, end=end)
    assert _metric(at, "Touches per customer").value == fmt.number(touches, 1)

    # What-if defaults: the busiest hour's measured rate; the sample's mean resolution time
    # (days) is no handling time, so 15 minutes; 80 % within 20 s.
    rates = staffing.arrival_rates(tickets, start=start, end=end)
    day, hour = rates.stack().idxmax()
    arrivals = round(float(rates.loc[day, hour]), 2)
    needed = staffing.agents_needed(staffing.traffic_erlangs(arrivals, 900), 900)
    # The agent table: one row per agent of the tickets (the first tab, its panel opened).
    at.session_state["team_agents_numbers"] = True
    at.run()
    assert any(len(df.value) == tickets["agent"].nunique() for df in at.dataframe)
    # Engagement counts touches with a customer; those with leads are said to be left out,
    # counted here with plain pandas: in 2025, no customer_id, by direction.
    at.session_state["team_tab"] = "Turnover and engagement"
    at.run()
    t = tables["touches"]
    year = (t["date"] >= start) & (t["date"] < end + pd.Timedelta(days=1))
    leads = t[year & t["customer_id"].isna()]
    way = leads["direction"].str.lower()
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert (
        f"the {fmt.number(len(leads))} touches in the range that name no customer (with leads, "
        f"before they buy), {fmt.number((way == 'inbound').sum())} of them inbound and "
        f"{fmt.number((way == 'outbound').sum())} outbound, are left out here" in said
    ), said
    assert (way == "inbound").sum() > 0 and _metric(at, "Inbound touches").value == "0.0 %"
    at.session_state["team_tab"] = "Staffing what-if"  # only the open tab is drawn
    at.run()
    assert _metric(at, "Agents for 80 % in 20 s").value == fmt.number(needed)
    slider = next(s for s in at.slider if s.label == "Agents on duty")
    assert slider.value == needed
    slider.set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    r = staffing.staffing(arrivals, 900, 1, target_seconds=20)
    assert _metric(at, "Probability of waiting").value == fmt.percent(r.p_wait)
    assert _metric(at, "Answered within 20 s").value == fmt.percent(r.service_level)
    assert _metric(at, "Average wait").value == sv.seconds(r.asa_seconds)


def test_team_engagement_says_a_channel_filter_does_not_reach_the_touches(app_test):
    # The sample's touches carry no channel: under Channel = ads the engagement block and its
    # count of touches with leads cover every channel, and the block says so.
    at = _open(app_test, TEAM, f_channel=["ads"])
    at.session_state["team_tab"] = "Turnover and engagement"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value.replace("\\", "") for c in at.caption]
    # Below the turnover chart's caption: the engagement block's own (the cards above the
    # tabs say it for their touch cards).
    block = captions[next(i for i, c in enumerate(captions) if c.startswith("Turnover per")) :]
    assert "Touches are not split by channel: this card covers every channel." in block, block
    assert any("name no customer" in c for c in block)


def test_team_without_its_tables_says_what_unlocks_each_part(app_test):
    orders = (ROOT / "sample_data" / "orders.csv").read_bytes()
    at = _open(app_test, TEAM, load_files([("orders.csv", orders)]))
    text = ""
    for tab in ("Agents", "Turnover and engagement", "Efforts per manager", "Staffing what-if"):
        at.session_state["team_tab"] = tab  # each tab says what it needs
        at.run()
        text += " ".join(i.value for i in at.info)
    for table in ("tickets", "employees", "touches"):
        assert f"**{table}**" in text
    assert "Data page" in text
    assert all(m.value == fmt.DASH for m in at.metric)
