"""Support and Team on a first visit: cached numbers equal the kpi functions' own, for a new
session on the sample, a second one (the shared cache), an upload (the session's cache) and a
changed range; hidden tables are sent only once their expander is opened.

The expected values are computed here by the kpi functions on tables loaded anew from the
sample files, never read back from the pages' caches.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from kpi import staffing, support, team
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import support_charts as charts
from ui import support_view as sv

SUPPORT, TEAM = "pages/8_Support.py", "pages/9_Team.py"


def _sample() -> dict[str, pd.DataFrame]:
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files).tables


def _new_session(script: str, dataset=None) -> AppTest:
    """A new visitor's session (the caches are left as they are)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if dataset is not None:
        at.session_state["dataset"] = dataset
    at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _window(at: AppTest) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(at.session_state["f_start"]), pd.Timestamp(at.session_state["f_end"])


def _cards(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def _values(data) -> list:
    """A figure's array as plotly's JSON holds it (plain, or typed as base64 bytes)."""
    if isinstance(data, dict) and "bdata" in data:
        values = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        if "shape" in data:
            values = values.reshape([int(n) for n in str(data["shape"]).split(",")])
        return values.tolist()
    return list(data)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _drawn(at: AppTest) -> list[dict]:
    """The figures as drawn: an empty setting (``"title": {}``, which a figure built anew
    has and one read back from a cache has not) draws nothing and is left out."""

    def prune(x):
        if isinstance(x, dict):
            kept = {k: prune(v) for k, v in x.items()}
            return {k: v for k, v in kept.items() if v != {}}
        return [prune(v) for v in x] if isinstance(x, list) else x

    return [prune(spec) for spec in _charts(at)]


def _chart(at: AppTest, x_title: str | None = None, *, trace: str | None = None) -> dict:
    """The one figure with this x axis title, or with a trace of this name."""
    found = [
        spec
        for spec in _charts(at)
        if (x_title is not None and _title(spec["layout"].get("xaxis", {})) == x_title)
        or (trace is not None and any(t.get("name") == trace for t in spec["data"]))
    ]
    assert len(found) == 1, (x_title, trace, len(found))
    return found[0]


def _title(axis: dict) -> str | None:
    title = axis.get("title")
    return title.get("text") if isinstance(title, dict) else title


def _same(shown: list, expected) -> None:
    """Equal, NaN (JSON null) included."""
    expected = [None if isinstance(v, float) and math.isnan(v) else v for v in expected]
    shown = [None if isinstance(v, float) and math.isnan(v) else v for v in shown]
    assert len(shown) == len(expected)
    for a, b in zip(shown, expected, strict=True):
        assert (a is None and b is None) or a == b or math.isclose(a, b, rel_tol=1e-12), (a, b)


# --------------------------------------------------------------------------------------------
# Support


def _support_expected(tables: dict[str, pd.DataFrame], start, end) -> dict[str, str]:
    tickets, orders, touches = tables["tickets"], tables["orders"], tables.get("touches")
    now = sv.as_of.__wrapped__(tickets, end)  # the page's rule for "now", uncached
    kw = {"start": start, "end": end, "as_of": now}
    contact = support.service_contact_conversion(tickets, orders, touches, start=start, end=end)
    return {
        "Median first response": fmt.hours(support.first_response_time(tickets, **kw).median),
        "Median resolution": fmt.hours(support.resolution_time(tickets, **kw).median),
        "Open backlog": fmt.number(support.open_tickets(tickets, as_of=now)),
        "First response within target": fmt.percent(
            support.sla_compliance(tickets, target_hours=24, **kw).compliance
        ),
        "Resolution within target": fmt.percent(
            support.sla_compliance(tickets, target_hours=72, measure="resolution", **kw).compliance
        ),
        "Escalation rate": fmt.percent(support.escalation_rate(tickets, start=start, end=end)),
        "Complaints per customer": fmt.number(
            support.complaints_per_customer(tickets, orders, start=start, end=end), 3
        ),
        "Orders after a service contact": fmt.percent(contact.rate),
    }


def _open_tab(at: AppTest, key: str, name: str) -> None:
    """Open one of a page's lazy tabs: only the open tab runs and is drawn."""
    at.session_state[key] = name
    at.run()
    assert not at.exception, (name, [e.value for e in at.exception])


def _check_support_charts(at: AppTest, tables: dict[str, pd.DataFrame], start, end) -> None:
    """Every chart of every tab against the kpi functions; the first tab is left open."""
    tickets, orders = tables["tickets"], tables["orders"]
    now = sv.as_of.__wrapped__(tickets, end)
    _open_tab(at, "sup_tab", "Response and SLA")
    for measure, title in (("first_response", "Hours to first response"),
                           ("resolution", "Hours to resolution")):  # fmt: skip
        dist = support.time_distribution(tickets, measure=measure, start=start, end=end)
        _same(_values(_chart(at, title)["data"][0]["y"]), dist["tickets"].tolist())
    sla = support.sla_compliance_by(tickets, "priority", target_hours=24, start=start, end=end,
                                    as_of=now)  # fmt: skip
    bars = _chart(at, "Priority")["data"][0]
    assert bars["x"] == [charts.label(k) for k in sla.index]
    _same(_values(bars["y"]), sla["compliance"].tolist())
    _open_tab(at, "sup_tab", "Backlog")
    table = support.backlog(tickets, period="month", start=start, end=end, as_of=now)
    _same(_values(_chart(at, trace="Open at period end")["data"][0]["y"]),
          table["open_at_end"].tolist())  # fmt: skip
    flows = _chart(at, trace="Created")["data"]
    _same(_values(flows[0]["y"]), table["created"].tolist())
    _same(_values(flows[1]["y"]), table["resolved"].tolist())
    _open_tab(at, "sup_tab", "Complaints")
    rate = support.complaints_per_customer_series(tickets, orders, period="month", start=start,
                                                  end=end)  # fmt: skip
    line = _chart(at, trace="Complaints per customer")["data"][0]
    _same(_values(line["y"]), rate["complaints_per_customer"].tolist())
    _open_tab(at, "sup_tab", "When tickets arrive")
    counts = staffing.arrivals_by_weekday_hour(tickets, start=start, end=end)
    (heat,) = [s for s in _charts(at) if s["data"][0].get("type") == "heatmap"]
    assert _values(heat["data"][0]["z"]) == counts.to_numpy().tolist()
    _open_tab(at, "sup_tab", "Response and SLA")


def _first_visit(app_test, page: str, expected_of, check_charts):
    """A first view of ``page`` with the caches cleared: its cards and charts against the kpi
    functions. Returns the session, its cards, and the cards expected."""
    at = app_test()  # caches cleared
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    tables = _sample()
    start, end = _window(at)
    expected = expected_of(tables, start, end)
    shown = _cards(at)
    assert {label: shown[label][0] for label in expected} == expected
    check_charts(at, tables, start, end)
    return at, shown, expected


def _same_for_a_second_visitor(at: AppTest, page: str, shown) -> None:
    """A second visitor: the same cards and charts, from the shared cache."""
    again = _new_session(page)
    assert _cards(again) == shown
    assert _drawn(again) == _drawn(at)


def _follows_another_range(at: AppTest, start, end, expected_of, check_charts, expected):
    """Another range on the same session, set in the filter panel: every number follows it."""
    at.session_state["filters_open"] = True  # what opening the panel sets
    at.run()
    at.date_input(key="_w_dates").set_value((start.date(), end.date())).run()
    assert not at.exception, [e.value for e in at.exception]
    assert _window(at) == (start, end)
    tables = _sample()
    expected_then = expected_of(tables, start, end)
    assert {label: _cards(at)[label][0] for label in expected_then} == expected_then
    assert expected_then != expected  # the test would see a stale number
    check_charts(at, tables, start, end)


def test_support_first_visits_show_the_kpi_functions_numbers(app_test):
    at, shown, expected = _first_visit(app_test, SUPPORT, _support_expected, _check_support_charts)
    _same_for_a_second_visitor(at, SUPPORT, shown)
    start, end = pd.Timestamp("2025-04-01"), pd.Timestamp("2025-09-30")
    _follows_another_range(at, start, end, _support_expected, _check_support_charts, expected)


def test_support_on_an_upload_is_computed_on_the_upload(app_test):
    app_test()  # caches cleared
    sample = _new_session(SUPPORT)  # the sample's numbers are in the shared cache
    # The first 400 tickets of the sample, as an upload with the sample's orders.
    lines = (ROOT / "sample_data" / "tickets.csv").read_text(encoding="utf-8").splitlines()
    tickets_csv = ("\n".join(lines[:401]) + "\n").encode()
    orders_csv = (ROOT / "sample_data" / "orders.csv").read_bytes()
    files = [("orders.csv", orders_csv), ("tickets.csv", tickets_csv)]
    at = _new_session(SUPPORT, load_files(files))
    tables = load_files(files).tables
    assert len(tables["tickets"]) == 400
    start, end = _window(at)
    tickets = tables["tickets"]
    now = sv.as_of.__wrapped__(tickets, end)
    backlog = fmt.number(support.open_tickets(tickets, as_of=now))
    first = fmt.hours(support.first_response_time(tickets, start=start, end=end, as_of=now).median)
    shown = _cards(at)
    assert shown["Open backlog"][0] == backlog
    assert shown["Median first response"][0] == first
    assert shown["Open backlog"] != _cards(sample)["Open backlog"]
    # No touches in this upload: the contact conversion counts tickets only.
    contact = support.service_contact_conversion(tickets, tables["orders"], None, start=start,
                                                 end=end)  # fmt: skip
    assert shown["Orders after a service contact"][0] == fmt.percent(contact.rate)


# --------------------------------------------------------------------------------------------
# Team


def _team_expected(tables: dict[str, pd.DataFrame], start, end) -> dict[str, str]:
    tickets, employees, touches = tables["tickets"], tables["employees"], tables["touches"]
    window = {"start": start, "end": end}
    return {
        "Tickets per agent day": fmt.number(
            team.tickets_per_agent_day(tickets, employees, **window), 1
        ),
        "Employee turnover": fmt.percent(team.employee_turnover_rate(employees, **window)),
        "Touches per customer": fmt.number(team.touches_per_customer(touches, **window), 1),
        "Minutes per customer": fmt.number(
            team.engagement_minutes_per_customer(touches, **window), 1
        ),
    }


def _check_team_charts(at: AppTest, tables: dict[str, pd.DataFrame], start, end) -> None:
    """Every chart of the first three tabs against the kpi functions; Agents is left open."""
    window = {"start": start, "end": end}
    _open_tab(at, "team_tab", "Agents")
    agents = team.agent_table(tables["tickets"], surveys=tables["surveys"],
                              employees=tables["employees"], **window)  # fmt: skip
    bars = _chart(at, "Tickets resolved per working day")["data"][0]
    per_day = dict(zip(bars["y"], _values(bars["x"]), strict=True))
    assert set(per_day) == {charts.label(a) for a in agents.index}
    for agent, value in agents["tickets_per_day"].items():
        _same([per_day[charts.label(agent)]], [value])
    _open_tab(at, "team_tab", "Turnover and engagement")
    turnover = team.employee_turnover(tables["employees"], period="month", **window)
    fig = _chart(at, trace="Turnover")["data"]
    _same(_values(fig[0]["y"]), turnover["turnover_rate"].tolist())
    _same(_values(fig[1]["y"]), turnover["headcount_end"].tolist())
    engaged = team.engagement_by_customer(tables["touches"], **window)
    counts = engaged["touches"].value_counts()
    histogram = _chart(at, "Touches per customer")["data"][0]
    top = int(counts.index.max())
    _same(_values(histogram["y"]), [int(counts.get(n, 0)) for n in range(1, top + 1)])
    _open_tab(at, "team_tab", "Efforts per manager")
    efforts = team.efforts_vs_results(tables["touches"], tables["leads"], **window)
    fig = _chart(at, "Manager")["data"]
    assert fig[0]["x"] == [charts.label(m) for m in efforts.index]
    _same(_values(fig[0]["y"]), efforts["calls"].tolist())
    _same(_values(fig[1]["y"]), efforts["meetings"].tolist())
    _same(_values(fig[2]["y"]), efforts["converted"].tolist())
    _open_tab(at, "team_tab", "Agents")


def test_team_first_visits_show_the_kpi_functions_numbers(app_test):
    at, shown, expected = _first_visit(app_test, TEAM, _team_expected, _check_team_charts)
    # The agent table: one row per agent, the tickets each resolved.
    tables = _sample()
    start, end = _window(at)
    agents = team.agent_table(tables["tickets"], surveys=tables["surveys"],
                              employees=tables["employees"], start=start, end=end)  # fmt: skip
    assert not at.dataframe  # the table waits in its closed panel, under the charts
    at.session_state["team_agents_numbers"] = True
    at.run()
    (table,) = at.dataframe
    assert table.value["Resolved"].tolist() == agents["resolved"].tolist()
    assert [b.label for b in at.get("download_button")] == ["CSV", "XLSX"]
    del at.session_state["team_agents_numbers"]
    at.run()

    _same_for_a_second_visitor(at, TEAM, shown)
    start, end = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-06-30")
    _follows_another_range(at, start, end, _team_expected, _check_team_charts, expected)


def test_team_on_an_upload_is_computed_on_the_upload(app_test):
    app_test()  # caches cleared
    sample = _new_session(TEAM)
    # The sample's touches up to 2025-06-30 only, as an upload.
    touches = pd.read_csv(ROOT / "sample_data" / "touches.csv")
    kept = touches[pd.to_datetime(touches["date"]) <= pd.Timestamp("2025-06-30")]
    files = [("touches.csv", kept.to_csv(index=False).encode())]
    at = _new_session(TEAM, load_files(files))
    uploaded = load_files(files).tables["touches"]
    start, end = _window(at)
    assert end <= pd.Timestamp("2025-06-30")
    value = fmt.number(team.touches_per_customer(uploaded, start=start, end=end), 1)
    assert _cards(at)["Touches per customer"][0] == value
    assert _cards(at)["Touches per customer"] != _cards(sample)["Touches per customer"]


# --------------------------------------------------------------------------------------------
# Hidden tables


def _dataframes_in(block) -> int:
    return len(block.get("dataframe"))


def test_hidden_tables_are_sent_only_once_opened(app_test):
    app_test()
    engaged = None
    for script, keys in (
        (SUPPORT, ()),
        (TEAM, (("Agents", "team_agents_numbers", "The numbers per agent"),
                ("Turnover and engagement", "team_engagement_rows", "Touches per customer ("),
                ("Efforts per manager", "team_efforts_numbers", "The numbers per manager"))),
    ):  # fmt: skip
        at = _new_session(script)
        assert at.expander, script
        assert all(_dataframes_in(e) == 0 for e in at.expander), script
        # Neither shows a table on a first visit.
        assert not at.dataframe, script
        for tab, key, label in keys:  # each in its tab: only the open tab is drawn
            at.session_state["team_tab"] = tab
            at.session_state[key] = True
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            labels = {e.label for e in at.expander if _dataframes_in(e)}
            assert any(shown.startswith(label) for shown in labels), (key, labels)
            if key == "team_engagement_rows":
                start, end = _window(at)
                engaged = team.engagement_by_customer(_sample()["touches"], start=start, end=end)
                assert f"Touches per customer ({fmt.number(len(engaged))})" in labels
    assert engaged is not None
