"""One number, one value: each headline card reads what the command line prints.

Each page is opened (AppTest) on the sample business with a date range and a Channel filter;
the values it renders are compared with the keys of :func:`kpi.analysis.analysis`, which is
what ``python -m kpi report`` prints, on the same range and the same filtered tables. A key
the command line leaves null must be a card without a number ("—"): a card that cannot
follow a filter says so in both places.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.analysis import analysis
from kpi.filters import apply_filters
from kpi.ingest import load_files
from tests.conftest import ROOT
from ui import format as fmt
from ui import whatif_view as wv

START, END = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31")
SELECTED = {"channel": ["ads"]}
_KPIS: dict[str, object] = {}


def _cli() -> dict[str, object]:
    """The command line's ``kpis`` for the range and filter (computed once per run)."""
    if not _KPIS:
        files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
        tables = apply_filters(load_files(files).tables, SELECTED)
        _KPIS.update(analysis(tables, start=START, end=END).kpis)
    return _KPIS


def _open(app_test, script: str):
    at = app_test()
    at.session_state["f_start"], at.session_state["f_end"] = START.date(), END.date()
    at.session_state["f_channel"] = SELECTED["channel"]
    at.run()
    if script != "app.py":
        at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in at.metric:
        out.setdefault(m.label, m.value)
    return out


def _money(x):
    return fmt.money(x, "EUR")


def _percent(x):
    return fmt.percent(x)


def _one(x):
    return fmt.number(x, 1)


def _expect(shown: dict[str, str], cards: dict[str, tuple[str, object]]) -> None:
    kpis = _cli()
    for label, (key, formatter) in cards.items():
        value = kpis[key]
        expected = fmt.DASH if value is None else formatter(value)
        assert shown.get(label) == expected, (label, key, shown.get(label), expected)


def test_home_cards_are_the_command_line_keys(app_test):
    shown = _shown(_open(app_test, "app.py"))
    _expect(
        shown,
        {
            "Revenue": ("revenue", _money),
            "Orders": ("orders", fmt.number),
            "Active customers": ("active_customers", fmt.number),
            "New customers": ("new_customers", fmt.number),
            "Average order value": ("average_order_value", _money),
            "Repeat customer rate": ("repeat_customer_rate", _percent),
        },
    )


def test_acquisition_cards_are_the_command_line_keys(app_test):
    shown = _shown(_open(app_test, "pages/2_Acquisition.py"))
    _expect(
        shown,
        {
            "CAC": ("cac", _money),
            "CPL": ("cpl", _money),  # leads carry no channel: null in both
            "Lead conversion": ("lead_conversion_rate", _percent),
            "Referral rate": ("referral_rate", _percent),  # null in both
            "Touches to close": ("touches_to_close", _one),
            "Marketing response": ("marketing_response_rate", _percent),
        },
    )
    assert _cli()["cpl"] is None and _cli()["cac"] is not None


def test_support_and_team_cards_are_the_command_line_keys(app_test):
    shown = _shown(_open(app_test, "pages/8_Support.py"))
    _expect(
        shown,
        {
            "Open backlog": ("open_tickets", fmt.number),
            "First response within target": ("sla_compliance", _percent),
            "Escalation rate": ("escalation_rate", _percent),
            "Complaints per customer": ("complaints_per_customer", lambda x: fmt.number(x, 3)),
            "Orders after a service contact": ("service_contact_conversion", _percent),
        },
    )
    shown = _shown(_open(app_test, "pages/9_Team.py"))
    _expect(
        shown,
        {
            "Tickets per agent day": ("tickets_per_agent_day", _one),  # null in both
            "Employee turnover": ("employee_turnover_rate", _percent),
            "Touches per customer": ("touches_per_customer", _one),
            "Minutes per customer": ("engagement_minutes_per_customer", _one),
        },
    )


def test_satisfaction_cards_and_changes_are_the_command_line_keys(app_test):
    at = _open(app_test, "pages/7_Satisfaction.py")
    kpis = _cli()
    nps = next(m for m in at.metric if m.label == "NPS")
    assert nps.value == fmt.points(kpis["nps"])
    # The change against the range before, in points, is the command line's nps_change.
    assert nps.delta == f"{kpis['nps_change']:+.1f} points"
    csat = next(m for m in at.metric if m.label == "CSAT")
    assert csat.value == f"{fmt.number(kpis['csat_mean'], 2)} of 5"
    assert csat.delta == f"{kpis['csat_change']:+.2f} points"
    captions = " ".join(c.value for c in at.caption)
    assert f"p = {kpis['nps_change_p_value']:.2f}" in captions
    assert "Employees' answers are not split by channel" in captions
    assert next(m for m in at.metric if m.label == "eNPS").value == fmt.points(kpis["enps"])


def test_value_ltv_and_what_if_baseline_are_the_command_line_keys(app_test):
    kpis = _cli()
    shown = _shown(_open(app_test, "pages/5_Value.py"))
    assert shown["LTV"] == _money(kpis["ltv_retention"])
    assert shown["CAC payback"] == fmt.months(kpis["cac_payback_months"])
    shown = _shown(_open(app_test, "pages/6_What_if.py"))
    # Levers at the baseline: the scenario's cards are the baseline's numbers.
    assert shown[wv.CARD_LABELS["ltv"]] == _money(kpis["ltv_retention"])
    assert shown[wv.CARD_LABELS["payback_months"]] == fmt.months(kpis["cac_payback_months"])


@pytest.mark.parametrize("key", ["cpl", "referral_rate", "tickets_per_agent_day"])
def test_cards_that_cannot_follow_the_filter_are_null_on_the_command_line(key):
    assert _cli()[key] is None
