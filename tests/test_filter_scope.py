"""Filters apply to the whole of a card: numerator and denominator through the same filter.

Over the sample business, read by the app's own ingest: the reproduction of issue "Every
number means what its label says" (Channel = referral gave a referral rate of 212.6 %,
1,165 referral leads of every channel / 548 referral customers), and a property over
random filters: every rate bounded by its definition stays in [0, 1], and each numerator
counts a subset of its denominator.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi import acquisition as acq
from kpi import base, retention, satisfaction, support
from kpi.errors import KpiError
from kpi.filters import (
    FilterSplitError,
    apply_filters,
    attribute_values,
    not_split_by,
    scope_note,
)
from kpi.ingest import load_files

ROOT = Path(__file__).resolve().parents[1]
_TABLES: dict[str, pd.DataFrame] = {}


def _sample() -> dict[str, pd.DataFrame]:
    if not _TABLES:
        files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
        _TABLES.update(load_files(files).tables)
    return _TABLES


def test_referral_channel_no_longer_divides_all_referral_leads_by_referral_customers():
    tables = apply_filters(_sample(), {"channel": ["referral"]})
    # The leads carry no channel and mostly no customer: the filter cannot reach them.
    assert not_split_by(tables["leads"]) == ("channel",)
    assert not_split_by(tables["orders"]) == not_split_by(tables["spend"]) == ()
    with pytest.raises(FilterSplitError, match="leads are not split by channel"):
        acq.referral_rate(tables["orders"], leads=tables["leads"], customers=tables["customers"])
    with pytest.raises(FilterSplitError, match="leads are not split by channel"):
        acq.cpl(tables["spend"], tables["leads"])
    # Conversion reads the leads alone: it covers every channel, and says so.
    whole = acq.lead_conversion_rate(_sample()["leads"]).rate
    assert acq.lead_conversion_rate(tables["leads"]).rate == whole
    assert scope_note(leads=tables["leads"]) == (
        "Leads are not split by channel: this card covers every channel."
    )
    # CAC follows the filter on both sides: referral spend / referral new customers.
    referral = acq.cac(tables["spend"], tables["orders"], tables["customers"])
    spend = _sample()["spend"]
    assert referral.spend == pytest.approx(
        spend.loc[spend["channel"] == "referral", "amount"].sum()
    )


def test_exports_carry_the_same_refusal():
    tables = apply_filters(_sample(), {"channel": ["referral"]})
    section = acq.section(tables)
    assert section.kpis["referral_rate"] is None and section.kpis["cpl"] is None
    assert any("referral_rate cannot follow the Channel filter" in w for w in section.warnings)
    assert section.kpis["cac"] is not None


def test_segment_filter_cannot_reach_spend():
    tables = apply_filters(_sample(), {"segment": ["business"]})
    with pytest.raises(FilterSplitError, match="spend is not split by segment"):
        acq.cac(tables["spend"], tables["orders"], tables["customers"])
    # Spend and leads both cover every segment: CPL is the unfiltered one, and says so.
    assert (
        acq.cpl(tables["spend"], tables["leads"]).cpl
        == acq.cpl(_sample()["spend"], _sample()["leads"]).cpl
    )
    assert scope_note(spend=tables["spend"], leads=tables["leads"]) == (
        "Spend and leads are not split by segment: this card covers every segment."
    )


def _selection():
    options = attribute_values(_sample())
    return st.fixed_dictionaries(
        {a: st.lists(st.sampled_from(v), unique=True, max_size=2) for a, v in options.items()}
    )


def _or_none(compute):
    try:
        return compute()
    except KpiError:
        return None


def support_in_range(tickets: pd.DataFrame, window: dict) -> pd.DataFrame:
    created = pd.to_datetime(tickets["created_at"]).dt.normalize()
    return tickets[((created >= window["start"]) & (created <= window["end"])).to_numpy()]


def _in_unit(value: float | None) -> bool:
    return value is None or 0.0 <= value <= 1.0


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(selected=_selection(), half=st.sampled_from(["2025-01-01", "2025-07-01", "2026-01-01"]))
def test_rates_stay_in_unit_interval_and_numerators_within_denominators(selected, half):
    tables = apply_filters(_sample(), selected)
    start = pd.Timestamp(half)
    end = start + pd.DateOffset(months=6) - pd.Timedelta(days=1)
    window = {"start": start, "end": end}
    orders, tickets = tables["orders"], tables["tickets"]

    # Repeat customers are among the active customers.
    who = base.customer_activity(orders, tables.get("customers"), **window)
    assert set(who.loc[who["repeat"], "customer_id"]) <= set(who["customer_id"])
    assert _in_unit(base.headline(orders, **window)["repeat_customer_rate"])

    # Won leads are among the leads of the basis.
    conv = _or_none(lambda: acq.lead_conversion_rate(tables["leads"], **window))
    if conv is not None:
        assert conv.converted <= conv.leads and _in_unit(conv.rate)

    # Escalated, open and resolved complaints are among the complaints; SLA met among judged.
    counts = support.complaint_counts(tickets, **window)
    assert counts.open + counts.resolved <= counts.total
    assert counts.escalated is None or counts.escalated <= counts.total
    assert _in_unit(_or_none(lambda: support.escalation_rate(tickets, **window)))
    sla = _or_none(lambda: support.sla_compliance(tickets, **window))
    if sla is not None:
        # judged tickets are among the tickets created in the range
        judged = sla.met + sla.missed + sla.pending
        assert min(sla.met, sla.missed) >= 0 and judged <= len(support_in_range(tickets, window))
        assert _in_unit(sla.compliance)

    # Customers who ordered after a contact are among those with a contact.
    contact = _or_none(
        lambda: support.service_contact_conversion(tickets, orders, tables.get("touches"), **window)
    )
    if contact is not None:
        assert contact.converted <= contact.customers and _in_unit(contact.rate)

    # Satisfied answers are among the CSAT answers.
    kinds = satisfaction.survey_kinds(tables["surveys"])
    csat = _or_none(
        lambda: satisfaction.csat(tables["surveys"][(kinds == "csat").to_numpy()], **window)
    )
    if csat is not None:
        assert csat.satisfied <= csat.n and _in_unit(csat.satisfied_share)

    # Churn counts customers lost among those at the start; GRR caps each customer.
    kpis = retention.section(tables, **window).kpis
    for key in ("churn_rate", "customer_retention_rate", "grr"):
        assert _in_unit(kpis.get(key)), (key, kpis.get(key))


def test_employee_answers_are_kept_whole_under_a_customer_filter():
    # eNPS answers belong to no customer or channel: Channel = ads must not empty them.
    whole = satisfaction.employee_net_promoter_score(_sample()["surveys"])
    tables = apply_filters(_sample(), {"channel": ["ads"]})
    assert satisfaction.employee_net_promoter_score(tables["surveys"]).score == whole.score
    assert tables["surveys"].attrs["employee_answers_not_split_by"] == "channel"
    # Customers' answers do follow the filter: only customers acquired through ads remain.
    kinds = satisfaction.survey_kinds(tables["surveys"])
    customer_rows = tables["surveys"][(kinds != "enps").to_numpy()]
    ads = set(_sample()["customers"].query("channel == 'ads'")["customer_id"])
    assert set(customer_rows["customer_id"].dropna()) <= ads
