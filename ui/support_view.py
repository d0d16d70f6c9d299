"""Blocks of the Support and Team pages that need widgets: settings, cards, tables, what-if.

The pages stay a story of the screen; each block here reads :mod:`kpi.support`,
:mod:`kpi.team` or :mod:`kpi.staffing`, formats the numbers for people and hands tables to
:mod:`ui.support_charts`. Settings (SLA targets, business hours) live in plain session keys
(``sup_*``) so they survive a page switch, and the Team page measures in the same business
hours as the Support page. Names from the user's file (agents, managers) are only shown
through ``st.dataframe`` and plotly, never as markdown.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from kpi import base, staffing, support, team
from kpi.errors import KpiError
from kpi.filters import FilterSplitError, scope_note
from kpi.periods import PERIOD_LABELS, in_days
from kpi.satisfaction import survey_kinds
from kpi.support import BusinessHours
from ui import caching, cards, state
from ui import format as fmt
from ui import support_charts as charts
from ui.frame import View, explained

if TYPE_CHECKING:
    import plotly.graph_objects as go

WORKING_BINS: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 40.0, 80.0, math.inf)
"""Bins of the time distributions in working hours (8 h is a default working day)."""

COMPLAINT_BREAKDOWNS = {
    "category": "Category",
    "type": "Type",
    "agent": "Agent",
    "contract": "Contract",
    "resolution_type": "Resolution type",
}
HALF_HOURS = tuple(h / 2 for h in range(49))
_DEFAULTS: dict[str, object] = {
    "first_target": 24.0,
    "resolution_target": 72.0,
    "bh_on": False,
    "bh_days": [0, 1, 2, 3, 4],
    "bh_start": 9.0,
    "bh_end": 17.0,
    "bh_holidays": "",
}
FALLBACK_HANDLING_MINUTES = 15.0
"""Starting handling time of the what-if when the data's estimate is implausibly long."""


# --------------------------------------------------------------------------------------------
# The pages' numbers, cached (:func:`ui.caching.kept`): small results only, never a frame
# with a row per ticket or touch.

# Support
first_response_time = caching.kept(support.first_response_time, 32)
resolution_time = caching.kept(support.resolution_time, 32)
open_tickets = caching.kept(support.open_tickets, 32)
sla_compliance = caching.kept(support.sla_compliance, 32)
escalation_rate = caching.kept(support.escalation_rate)
escalation_rate_by = caching.kept(support.escalation_rate_by)
complaint_counts = caching.kept(support.complaint_counts)
complaints_per_customer = caching.kept(support.complaints_per_customer)
service_contact_conversion = caching.kept(support.service_contact_conversion)
# Team
agents_of = caching.kept(team.agent_table)
tickets_per_agent_day = caching.kept(team.tickets_per_agent_day)
employee_turnover_rate = caching.kept(team.employee_turnover_rate)
touches_per_customer = caching.kept(team.touches_per_customer)
engagement_minutes_per_customer = caching.kept(team.engagement_minutes_per_customer)
touches_without_customer = caching.kept(team.touches_without_customer)
arrival_rates = caching.kept(staffing.arrival_rates)
handling_time_seconds = caching.kept(staffing.handling_time_seconds)


@caching.cached(show_spinner=False, max_entries=16)
def active_customers(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> int:
    """:func:`kpi.base.active_customers` of the orders from ``start`` to ``end``, cached."""
    return base.active_customers(base.orders_in_range(orders, start=start, end=end))


# Figures: ui.support_charts' figure of the kpi function's table, both cached together. A
# figure takes plotly more time to build than most numbers take to compute, and a table that
# came out of a cache is a new object each run, so it could not key a cache of its own.


def _figure(max_entries: int = 16):
    return caching.cached(show_spinner=False, max_entries=max_entries)


@_figure()
def distribution_chart(
    tickets: pd.DataFrame,
    measure: str,
    bins: tuple[float, ...],
    business_hours: BusinessHours | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> go.Figure | None:
    """:func:`kpi.support.time_distribution` drawn; None when no ticket got there yet."""
    dist = support.time_distribution(tickets, measure=measure, bins=bins, start=start, end=end,
                                     business_hours=business_hours)  # fmt: skip
    if not dist["tickets"].sum():
        return None
    return charts.time_distribution_chart(dist, measure=measure, working=bool(business_hours))


@_figure()
def sla_by_priority_chart(
    tickets: pd.DataFrame,
    targets: tuple[tuple[str, str, float], ...],
    business_hours: BusinessHours | None,
    as_of: pd.Timestamp,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> go.Figure | None:
    """:func:`kpi.support.sla_compliance_by` priority for each target (name, measure,
    hours) drawn side by side; None without a ticket in the range."""
    tables = {
        name: support.sla_compliance_by(
            tickets,
            "priority",
            target_hours=hours,
            measure=measure,
            business_hours=business_hours,
            as_of=as_of,
            start=start,
            end=end,
        )
        for name, measure, hours in targets
    }
    if not any(len(t) for t in tables.values()):
        return None
    return charts.sla_by_chart(tables, dimension="Priority")


@_figure()
def backlog_charts(
    tickets: pd.DataFrame, period: str, as_of: pd.Timestamp, start: pd.Timestamp,
    end: pd.Timestamp,
) -> tuple[go.Figure, go.Figure]:  # fmt: skip
    """:func:`kpi.support.backlog` drawn: open at each period's end, created against
    resolved."""
    table = support.backlog(tickets, period=period, as_of=as_of, start=start, end=end)
    return (charts.backlog_chart(table, period=period),
            charts.created_resolved_chart(table, period=period))  # fmt: skip


@_figure(32)
def complaints_chart(
    tickets: pd.DataFrame, by: str, dimension: str, period: str, start: pd.Timestamp,
    end: pd.Timestamp,
) -> go.Figure:  # fmt: skip
    """:func:`kpi.support.complaints_by` ``by`` drawn (``dimension`` names it)."""
    table = support.complaints_by(tickets, by, period=period, start=start, end=end)
    return charts.complaints_chart(table, dimension=dimension,
                                   period=period if by == "period" else None)  # fmt: skip


@_figure()
def complaints_per_customer_chart(
    tickets: pd.DataFrame, orders: pd.DataFrame, period: str, start: pd.Timestamp,
    end: pd.Timestamp,
) -> go.Figure:  # fmt: skip
    """:func:`kpi.support.complaints_per_customer_series` drawn, beside the escalation rate
    per period when the tickets have the flag."""
    rate = support.complaints_per_customer_series(tickets, orders, period=period, start=start,
                                                  end=end)  # fmt: skip
    esc = None
    if "escalated" in tickets.columns:
        esc = support.escalation_rate_by(tickets, "period", period=period, start=start,
                                         end=end)["escalation_rate"]  # fmt: skip
    return charts.complaints_per_customer_chart(rate, esc, period=period)


@_figure()
def arrivals_chart(
    tickets: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> go.Figure | None:
    """:func:`kpi.staffing.arrivals_by_weekday_hour` drawn; None without a ticket."""
    counts = staffing.arrivals_by_weekday_hour(tickets, start=start, end=end)
    return charts.arrivals_heatmap(counts) if counts.to_numpy().sum() else None


@_figure()
def _agent_charts(
    tickets: pd.DataFrame,
    surveys: pd.DataFrame | None,
    employees: pd.DataFrame | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
    business_hours: BusinessHours | None,
) -> tuple[go.Figure, go.Figure | None]:
    table = agents_of(tickets, surveys=surveys, employees=employees, start=start, end=end,
                      business_hours=business_hours)  # fmt: skip
    return agent_figures(table, csat_scale(surveys))


def agent_charts(view: View, bh: BusinessHours | None) -> tuple[go.Figure, go.Figure | None]:
    """:func:`agent_figures` of :func:`agents`, cached."""
    tables = view.tables
    return _agent_charts(tables["tickets"], tables.get("surveys"), tables.get("employees"),
                         view.start, view.end, bh)  # fmt: skip


@_figure()
def turnover_chart(
    employees: pd.DataFrame, period: str, start: pd.Timestamp, end: pd.Timestamp
) -> go.Figure:
    """:func:`kpi.team.employee_turnover` drawn."""
    table = team.employee_turnover(employees, period=period, start=start, end=end)
    return charts.turnover_chart(table, period=period)


@_figure()
def efforts(
    touches: pd.DataFrame, leads: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.DataFrame, go.Figure | None]:
    """:func:`kpi.team.efforts_vs_results` (a row per manager) and its figure; None without
    a touch or a lead in the range."""
    table = team.efforts_vs_results(touches, leads, start=start, end=end)
    if not table[["touches", "leads"]].to_numpy().sum():
        return table, None
    return table, charts.efforts_chart(table)


# --------------------------------------------------------------------------------------------
# Settings: SLA targets and business hours


@dataclass(frozen=True)
class Settings:
    """What the Support page's settings say: targets (hours) and business hours (or None)."""

    first_target: float
    resolution_target: float
    business_hours: BusinessHours | None

    @property
    def unit(self) -> str:
        """How durations are named on screen: "working hours" or "hours"."""
        return "working hours" if self.business_hours else "hours"

    def duration(self, hours: float | None) -> str:
        """A duration for people; in working hours only hours are used (a "day" would lie)."""
        if self.business_hours is None:
            return fmt.hours(hours)
        if hours is None or pd.isna(hours):
            return fmt.DASH
        return f"{hours * 60:.0f} working min" if hours < 1 else f"{hours:,.1f} working h"


def clock(hour: float) -> str:
    """``8.5`` -> ``08:30``.

    >>> clock(8.5), clock(24)
    ('08:30', '24:00')
    """
    return f"{int(hour):02d}:{round(hour % 1 * 60):02d}"


def parse_holidays(text: str) -> tuple[tuple[pd.Timestamp, ...], list[str]]:
    """Dates written YYYY-MM-DD, separated by commas, semicolons or spaces; and what was not.

    >>> days, bad = parse_holidays("2025-12-25, 2026-01-01; 31.12.2025")
    >>> [d.strftime("%Y-%m-%d") for d in days], bad
    (['2025-12-25', '2026-01-01'], ['31.12.2025'])
    """
    days, bad = [], []
    for token in re.split(r"[,;\s]+", text.strip()):
        if not token:
            continue
        day = pd.to_datetime(token, format="%Y-%m-%d", errors="coerce")
        (bad.append(token) if pd.isna(day) else days.append(pd.Timestamp(day)))
    return tuple(days), bad


def _kept(name: str) -> dict[str, object]:
    """Widget arguments that keep ``sup_<name>`` (a plain key) in step with the widget."""
    return state.bind(f"sup_{name}")


def business_hours() -> tuple[BusinessHours | None, str | None]:
    """The business hours the Support page's settings hold (None when off), and why they
    could not be used (None when fine). Reads plain session keys; draws nothing."""
    ss = st.session_state
    if not ss.get("sup_bh_on", False):
        return None, None
    days = list(ss.get("sup_bh_days", _DEFAULTS["bh_days"]))
    lo, hi = float(ss.get("sup_bh_start", 9.0)), float(ss.get("sup_bh_end", 17.0))
    if not days:
        return None, "Choose at least one working day to measure in business hours."
    if not lo < hi:
        return None, "The working day must end after it starts to measure in business hours."
    holidays, _ = parse_holidays(str(ss.get("sup_bh_holidays", "")))
    return BusinessHours(tuple(days), lo, hi, holidays), None


def describe(bh: BusinessHours) -> str:
    """``Mon-Fri 09:00-17:00, 2 holidays``."""
    names = [staffing.WEEKDAYS[d] for d in bh.weekdays]
    contiguous = list(bh.weekdays) == list(range(bh.weekdays[0], bh.weekdays[-1] + 1))
    days = f"{names[0]}-{names[-1]}" if contiguous and len(names) > 2 else ", ".join(names)
    extra = f", {len(bh.holidays)} holiday{'s' * (len(bh.holidays) != 1)}" if bh.holidays else ""
    return f"{days} {clock(bh.start_hour)}-{clock(bh.end_hour)}{extra}"


def settings() -> Settings:
    """The settings expander: SLA targets and optional business hours.

    Its widgets are drawn only once it is opened (:func:`ui.cards.lazy`): drawn closed, they
    made every first visit to Support load and run the number, toggle and select widgets'
    code. The settings live in plain keys, so closed it reads them (or their defaults).
    """
    label = "Settings: SLA targets and business hours"
    with cards.lazy(label, key="sup_settings", icon=":material/tune:") as shown:
        if shown:
            _settings_widgets()
    bh, why = business_hours()
    if why:
        st.warning(why)
    ss = st.session_state
    first, resolution = (
        float(ss.get(key, state.SETTING[key].default))
        for key in ("sup_first_target", "sup_resolution_target")
    )
    return Settings(first, resolution, bh)


def _settings_widgets() -> None:
    """The toggle, targets and working hours, each kept in its plain key."""
    on = st.toggle(
        "Measure in business hours", **_kept("bh_on"),
        help="Count only the time inside working hours on working days that are not "
        "holidays. Targets are then in working hours too.",
    )  # fmt: skip
    unit = "working hours" if on else "hours"
    left, right = st.columns(2)
    left.number_input(
        f"First response within ({unit})", min_value=0.25, max_value=2_000.0, step=1.0,
        **_kept("first_target"), help="Target for the first reply to a ticket.",
    )  # fmt: skip
    right.number_input(
        f"Resolution within ({unit})", min_value=0.25, max_value=10_000.0, step=4.0,
        **_kept("resolution_target"), help="Target for resolving a ticket.",
    )  # fmt: skip
    if on:
        days, begin, finish = st.columns([4, 1, 1])
        days.multiselect(
            "Working days", list(range(7)), format_func=lambda d: staffing.WEEKDAYS[d],
            **_kept("bh_days"),
        )  # fmt: skip
        begin.selectbox("Day starts", HALF_HOURS[:-1], format_func=clock,
                        **_kept("bh_start"))  # fmt: skip
        finish.selectbox("Day ends", HALF_HOURS[1:], format_func=clock,
                         **_kept("bh_end"))  # fmt: skip
        st.text_input(
            "Holidays", placeholder="2025-12-25, 2026-01-01", **_kept("bh_holidays"),
            help="Dates written YYYY-MM-DD, separated by commas.",
        )  # fmt: skip
        _, bad = parse_holidays(str(st.session_state["sup_bh_holidays"]))
        if bad:
            st.warning("Not read as dates (write them as YYYY-MM-DD): "
                       + fmt.md(", ".join(bad)))  # fmt: skip


# --------------------------------------------------------------------------------------------
# Support cards


def versus(view: View) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """The previous range of the same length, and how it is written on screen."""
    prev_start, prev_end = base.previous_window(view.start, view.end)
    return prev_start, prev_end, f"{fmt.day(prev_start)} – {fmt.day(prev_end)}"


def points_delta(now: float | None, before: float | None) -> str | None:
    """Difference of two shares in percentage points: ``+1.2 pts``; None when either is
    unknown. A rate's change is never shown as a relative per cent.

    >>> points_delta(0.32, 0.30), points_delta(0.3, None)
    ('+2.0 pts', None)
    """
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return f"{100 * (now - before):+.1f} pts"


@caching.cached(show_spinner=False, max_entries=32)
def as_of(tickets: pd.DataFrame, end: pd.Timestamp) -> pd.Timestamp:
    """ "Now" for a range ending on ``end``: the day after it, or the data's last moment if
    earlier (the command line's rule, :func:`kpi.support.section`)."""
    latest = max(
        pd.to_datetime(tickets[c]).max()
        for c in ("created_at", "first_response_at", "resolved_at")
        if c in tickets.columns
    )
    next_day = pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
    return next_day if pd.isna(latest) else min(pd.Timestamp(latest), next_day)


def in_range(tickets: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Tickets created from ``start`` to ``end``, both days included."""
    keep = in_days(pd.to_datetime(tickets["created_at"]), start, end)
    return tickets[keep.to_numpy(dtype=bool)]


def ticket_rows(tickets: pd.DataFrame, view: View, s: Settings) -> pd.DataFrame:
    """Tickets created in the range with their measured times (the rows behind the cards)."""
    rows = in_range(tickets, view.start, view.end)
    times = support.ticket_times(
        tickets, business_hours=s.business_hours, as_of=as_of(tickets, view.end)
    ).loc[rows.index]
    unit = "working_hours" if s.business_hours else "hours"
    return rows.assign(
        **{
            f"first_response_{unit}": times["first_response_hours"].round(2),
            f"resolution_{unit}": times["resolution_hours"].round(2),
            "awaiting_response": times["awaiting_response"],
            "open": times["open"],
            f"age_{unit}": times["age_hours"].round(2),
        }
    )


def open_rows(tickets: pd.DataFrame, moment: pd.Timestamp) -> pd.DataFrame:
    """Tickets open at ``moment``: created by then, not resolved by then nor closed by status
    (the rows :func:`kpi.support.open_tickets` counts)."""
    times = support.ticket_times(tickets, as_of=moment)
    created = pd.to_datetime(tickets["created_at"])
    resolved = (
        pd.to_datetime(tickets["resolved_at"])
        if "resolved_at" in tickets.columns
        else pd.Series(pd.NaT, index=tickets.index)
    )
    keep = (created <= moment) & (times["open"] | (resolved > moment))
    return tickets[keep.to_numpy(dtype=bool)]


def _guarded(label: str, build) -> cards.Card:
    try:
        return build()
    except FilterSplitError as err:  # the data is there; the filter cannot reach all of it
        return cards.Card(label, fmt.DASH, note=str(err))
    except KpiError as err:
        return cards.missing_card(label, str(err))


def scoped(card: cards.Card, tables: dict[str, pd.DataFrame], *names: str) -> cards.Card:
    """``card`` saying so when an active filter could not reach its tables ``names``."""
    note = scope_note(**{n: tables.get(n) for n in names})
    if note is None:
        return card
    return dataclasses.replace(
        card,
        note=note if card.note is None else f"{card.note} · {note}",
        help=f"{card.help} {note}" if card.help else note,
    )


def support_cards(view: View, s: Settings) -> list[cards.Card]:
    """Median first response, median resolution, backlog, both SLAs, escalation rate,
    complaints per customer and orders after a service contact."""
    tickets = view.tables["tickets"]
    prev_start, prev_end, before = versus(view)
    now_at, then_at = as_of(tickets, view.end), as_of(tickets, prev_end)
    bh = s.business_hours
    when = f" Times in working hours ({describe(bh)})." if bh else ""
    note = f" Change against {before}."
    suffix = " (working hours)" if bh else ""
    rows = ticket_rows(tickets, view, s)
    kw = {"business_hours": bh}

    def times(measure: str):
        fn = first_response_time if measure == "first" else resolution_time
        now = fn(tickets, start=view.start, end=view.end, as_of=now_at, **kw)
        try:
            then = fn(tickets, start=prev_start, end=prev_end, as_of=then_at, **kw).median
        except KpiError:
            then = None
        return now, then

    def first() -> cards.Card:
        r, then = times("first")
        return cards.Card(
            f"Median first response{suffix}", s.duration(r.median),
            change=base.relative_change(r.median, then), lower_is_better=True,
            help=f"Median time from a ticket's creation to its first reply (or its resolution, "
            f"if that came first), over {fmt.number(r.n)} answered tickets created in the "
            f"range: {s.duration(r.median)}. Mean {s.duration(r.mean)}, 90th percentile "
            f"{s.duration(r.p90)}. {fmt.number(r.pending)} tickets still waiting are left out; "
            f"counting them as censored (Kaplan-Meier) gives {s.duration(r.km_median)}."
            + when + note,
            note=f"Kaplan-Meier median, counting {fmt.number(r.pending)} still waiting: "
            f"{s.duration(r.km_median)}",
            rows=rows, key="sup_first_response",
        )  # fmt: skip

    def resolution() -> cards.Card:
        r, then = times("resolution")
        return cards.Card(
            f"Median resolution{suffix}", s.duration(r.median),
            change=base.relative_change(r.median, then), lower_is_better=True,
            help=f"Median time from creation to resolution over {fmt.number(r.n)} tickets "
            f"created in the range and resolved: {s.duration(r.median)}. Mean "
            f"{s.duration(r.mean)}, 90th percentile {s.duration(r.p90)}. The Kaplan-Meier "
            f"median also counts the {fmt.number(r.pending)} open tickets as censored at their "
            f"age: {s.duration(r.km_median)}." + when + note,
            note=f"Resolved tickets only. Kaplan-Meier median, counting "
            f"{fmt.number(r.pending)} open tickets: {s.duration(r.km_median)}",
            rows=rows, key="sup_resolution",
        )  # fmt: skip

    def open_backlog() -> cards.Card:
        n = open_tickets(tickets, as_of=now_at)
        was = open_tickets(tickets, as_of=then_at)
        moment = fmt.day(now_at - pd.Timedelta(microseconds=1))
        return cards.Card(
            "Open backlog", fmt.number(n), change=base.relative_change(n, was),
            lower_is_better=True,
            help=f"Tickets created by the end of {moment} and not resolved by then: "
            f"{fmt.number(n)} (at the end of the range before: {fmt.number(was)}). Tickets "
            "closed by status without a resolution time are not counted." + note,
            rows=open_rows(tickets, now_at), key="sup_backlog",
        )  # fmt: skip

    def sla(measure: str, label: str, target: float) -> cards.Card:
        key = "first_response" if measure == "first" else "resolution"
        what = "answered" if measure == "first" else "resolved"
        r = sla_compliance(tickets, target_hours=target, measure=key, start=view.start,
                           end=view.end, as_of=now_at, **kw)  # fmt: skip
        try:
            then = sla_compliance(tickets, target_hours=target, measure=key,
                                  start=prev_start, end=prev_end, as_of=then_at,
                                  **kw).compliance  # fmt: skip
        except KpiError:
            then = None
        return cards.Card(
            label, fmt.percent(r.compliance),
            delta=points_delta(r.compliance, then),
            help=f"Tickets {what} within {s.duration(target)} divided by the tickets judged: "
            f"{fmt.number(r.met)} / ({fmt.number(r.met)} + {fmt.number(r.missed)} late). "
            f"A ticket still waiting counts as late once older than the target; "
            f"{fmt.number(r.pending)} younger ones are not judged yet." + when + note,
            note=f"Target: {s.duration(target)}", rows=rows, key=f"sup_sla_{key}",
        )  # fmt: skip

    def escalation() -> cards.Card:
        rate = escalation_rate(tickets, start=view.start, end=view.end)
        counts = escalation_rate_by(tickets, "period", period="year", start=view.start,
                                    end=view.end)  # fmt: skip
        try:
            then = escalation_rate(tickets, start=prev_start, end=prev_end)
        except KpiError:
            then = None
        flagged = rows[rows["escalated"].notna().to_numpy(dtype=bool)]
        return cards.Card(
            "Escalation rate", fmt.percent(rate), delta=points_delta(rate, then),
            lower_is_better=True,
            help=f"Escalated tickets divided by tickets created in the range with the flag: "
            f"{fmt.number(counts['escalated'].sum())} / {fmt.number(counts['tickets'].sum())}."
            + note,
            rows=flagged, key="sup_escalation",
        )  # fmt: skip

    def per_customer() -> cards.Card:
        orders = view.tables["orders"]
        value = complaints_per_customer(tickets, orders, start=view.start, end=view.end)
        try:
            then = complaints_per_customer(tickets, orders, start=prev_start,
                                           end=prev_end)  # fmt: skip
        except KpiError:
            then = None
        n = complaint_counts(tickets, start=view.start, end=view.end).total
        active = active_customers(orders, view.start, view.end)
        complaints = rows[support.is_complaint(rows).to_numpy(dtype=bool)]
        return cards.Card(
            "Complaints per customer", fmt.number(value, 3),
            delta=None if then is None else f"{value - then:+.3f}", lower_is_better=True,
            help=f"Complaints created in the range divided by the customers who ordered in it: "
            f"{fmt.number(n)} / {fmt.number(active)}. Read beside the "
            "escalation rate: complaints growing faster than the customer base show here."
            + note,
            rows=complaints, key="sup_complaints_per_customer",
        )  # fmt: skip

    def contact_conversion() -> cards.Card:
        orders, touches = view.tables["orders"], view.tables.get("touches")
        r = service_contact_conversion(tickets, orders, touches, start=view.start,
                                       end=view.end)  # fmt: skip
        try:
            then = service_contact_conversion(
                tickets, orders, touches, start=prev_start, end=prev_end
            ).rate
        except KpiError:
            then = None
        late = (
            f" {fmt.number(r.left_out)} customers whose contacts are less than {r.days} days "
            "before the data's last order are not judged yet."
            if r.left_out else ""
        )  # fmt: skip
        return cards.Card(
            "Orders after a service contact", fmt.percent(r.rate),
            delta=points_delta(r.rate, then),
            help=f"Customers with a ticket or an inbound touch in the range who ordered within "
            f"{r.days} days after it, divided by the customers with such a contact: "
            f"{fmt.number(r.converted)} / {fmt.number(r.customers)}. An order on the "
            "contact's own day is not counted." + late + (f" {r.touches_note}"
                                                          if r.touches_note else "") + note,
            note=f"Window: {r.days} days (default)", key="sup_contact_conversion",
        )  # fmt: skip

    has_orders = view.tables.get("orders") is not None
    first_label, res_label = "First response within target", "Resolution within target"
    more = [
        _guarded("Complaints per customer", per_customer)
        if has_orders and "type" in tickets.columns
        else cards.missing_card(
            "Complaints per customer",
            "Needs a type column in the tickets table and an orders table.",
        ),
        _guarded("Orders after a service contact", contact_conversion)
        if has_orders and "customer_id" in tickets.columns
        else cards.missing_card(
            "Orders after a service contact",
            "Needs a customer_id column in the tickets table and an orders table.",
        ),
    ]
    out = [
        _guarded("Median first response", first),
        _guarded("Median resolution", resolution),
        _guarded("Open backlog", open_backlog),
        _guarded(first_label, lambda: sla("first", first_label, s.first_target)),
        _guarded(res_label, lambda: sla("resolution", res_label, s.resolution_target)),
        _guarded("Escalation rate", escalation)
        if "escalated" in tickets.columns
        else cards.missing_card(
            "Escalation rate", "Needs an escalated column (yes/no) in the tickets table."
        ),
        *more,
    ]
    return [scoped(c, view.tables, "tickets") for c in out]


def breakdowns(tickets: pd.DataFrame, names: dict[str, str]) -> dict[str, str]:
    """The breakdown columns of ``names`` that hold at least one value in ``tickets``."""
    return {c: lab for c, lab in names.items() if c in tickets and tickets[c].notna().any()}


# --------------------------------------------------------------------------------------------
# Team


@caching.cached(show_spinner=False, max_entries=16)
def csat_scale(surveys: pd.DataFrame | None) -> int:
    """The CSAT scale's top (5 unless the surveys' scale_max says otherwise)."""
    if surveys is None or "scale_max" not in surveys.columns:
        return 5
    kinds = survey_kinds(surveys)
    top = pd.to_numeric(surveys.loc[(kinds == "csat").to_numpy(dtype=bool), "scale_max"]).max()
    return 5 if pd.isna(top) else int(top)


def agents(view: View, bh: BusinessHours | None) -> pd.DataFrame:
    """:func:`kpi.team.agent_table` of the range, cached: the card, the table and the charts
    read the same one."""
    tables = view.tables
    return agents_of(tables["tickets"], surveys=tables.get("surveys"),
                     employees=tables.get("employees"), start=view.start, end=view.end,
                     business_hours=bh)  # fmt: skip


def agent_figures(agents: pd.DataFrame, scale: int) -> tuple[go.Figure, go.Figure | None]:
    """Per agent (:func:`kpi.team.agent_table`): tickets resolved per working day, and the
    mean CSAT score on its 1-``scale`` axis (None without a CSAT answer naming an agent)."""
    per_day = charts.agent_bars(agents, "tickets_per_day", title="Tickets resolved per working day",
                                decimals=2)  # fmt: skip
    if not agents["csat_n"].sum():
        return per_day, None
    csat = charts.agent_bars(agents, "csat_mean", title=f"Mean CSAT score (1 to {scale})",
                             decimals=2, axis_range=[0, scale])  # fmt: skip
    return per_day, csat


AGENT_COLUMNS = {
    "tickets": "Created",
    "resolved": "Resolved",
    "working_days": "Working days",
    "tickets_per_day": "Resolved per day",
    "first_response_median_hours": "Median first response (hours)",
    "csat_mean": "CSAT (mean)",
    "csat_n": "CSAT answers",
}


def _agent_labels(unit: str, scale: int) -> dict[str, str]:
    labels = {"agent": "Agent", **AGENT_COLUMNS}
    labels["first_response_median_hours"] = f"Median first response ({unit})"
    labels["csat_mean"] = f"CSAT (of {scale})"
    return labels


def agent_rows(table: pd.DataFrame, *, unit: str, scale: int) -> pd.DataFrame:
    """:func:`kpi.team.agent_table` with the agent as a column and people's column names."""
    return table.reset_index().rename(columns=_agent_labels(unit, scale))


AGENT_TABLE = "The numbers per agent"


def agent_table(table: pd.DataFrame, *, unit: str, scale: int) -> None:
    """The agent table, sortable, with a dash where an agent has no value, and its downloads,
    in a closed panel drawn once opened (:func:`ui.cards.lazy`): the charts above it tell the
    story, and sent closed the table made every first visit to Team load Streamlit's table
    code (1.6 MB of script)."""
    with cards.lazy(AGENT_TABLE, key="team_agents_numbers", icon=":material/table:") as open_:
        if not open_:
            return
        labels = _agent_labels(unit, scale)
        shown = agent_rows(table, unit=unit, scale=scale)
        formats = {
            labels["tickets_per_day"]: "{:,.2f}",
            labels["first_response_median_hours"]: "{:,.1f}",
            labels["csat_mean"]: "{:,.2f}",
        }
        # A Styler keeps the numbers (the columns sort as numbers) and shows NaN as a dash.
        st.dataframe(
            shown.style.format(formats, na_rep=fmt.DASH, thousands=","),
            hide_index=True,
            width="stretch",
            column_config={"Agent": st.column_config.TextColumn("Agent")},
        )
        cards.downloads(cards.readable(shown.round(3)), name="agents", key="team_agents")


def staffing_table(
    arrivals_per_hour: float, handling_seconds: float, agents: range, *, target_seconds: float
) -> pd.DataFrame:
    """Erlang C outcomes for each number of agents (:func:`kpi.staffing.staffing`).

    Indexed by ``agents`` (named ``agents``); columns ``p_wait``, ``service_level``,
    ``asa_seconds`` (inf when agents cannot keep up) and ``occupancy``.

    >>> t = staffing_table(200, 180, range(13, 15), target_seconds=20)
    >>> t["service_level"].round(3).tolist()
    [0.796, 0.888]
    """
    results = [
        staffing.staffing(arrivals_per_hour, handling_seconds, n, target_seconds=target_seconds)
        for n in agents
    ]
    return pd.DataFrame(
        {
            "p_wait": [r.p_wait for r in results],
            "service_level": [r.service_level for r in results],
            "asa_seconds": [r.asa_seconds for r in results],
            "occupancy": [r.occupancy for r in results],
        },
        index=pd.Index(list(agents), name="agents"),
    )


@_figure(32)
def staffing_chart(
    arrivals_per_hour: float,
    handling_seconds: float,
    lowest: int,
    beyond: int,
    agents: int,
    target_share: float,
    target_seconds: float,
) -> go.Figure:
    """:func:`ui.support_charts.staffing_curve` of :func:`staffing_table` from ``lowest`` to
    ``beyond - 1`` agents, cached: the what-if opens on the same inputs for every visitor."""
    table = staffing_table(arrivals_per_hour, handling_seconds, range(lowest, beyond),
                           target_seconds=target_seconds)  # fmt: skip
    return charts.staffing_curve(table, agents=agents, target_share=target_share,
                                 target_seconds=target_seconds)  # fmt: skip


def seconds(x: float) -> str:
    """A wait: ``7.8 s``, ``2 min 3 s``; ``never answered`` when infinite.

    >>> seconds(7.84), seconds(122.8), seconds(float("inf"))
    ('7.8 s', '2 min 3 s', 'no limit: the queue keeps growing')
    """
    if math.isinf(x):
        return "no limit: the queue keeps growing"
    if x < 60:
        return f"{x:.1f} s"
    minutes, rest = divmod(round(x), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else fmt.hours(x / 3600)


def _slot(rates: pd.DataFrame) -> tuple[str, int]:
    """The weekday and hour to staff for: the busiest, or the one the user chooses."""
    stacked = rates.stack().dropna()
    busiest = stacked.idxmax() if len(stacked) else ("Mon", 9)
    choice = st.radio(
        "Hour of the week", ["busiest", "choose"], horizontal=True,
        format_func={"busiest": "The busiest hour", "choose": "A weekday and hour"}.get,
        **_new_slot(state.bind("s_slot")),
    )  # fmt: skip
    if choice == "busiest":
        return str(busiest[0]), int(busiest[1])
    left, right = st.columns(2)
    day = left.selectbox("Weekday", list(staffing.WEEKDAYS),
                         format_func=charts.WEEKDAY_NAMES.get,
                         **_new_slot(state.bind("s_slot_day")))  # fmt: skip
    hour = right.selectbox("Hour", list(range(24)), format_func=charts.hour_label,
                           **_new_slot(state.bind("s_slot_hour")))  # fmt: skip
    return str(day), int(hour)


def _new_slot(bound: dict) -> dict:
    """``bound`` whose on_change also forgets the tickets per hour and agents typed for the
    previous hour of the week: they were about that hour, not the new one."""
    keep = bound["on_change"]

    def changed() -> None:
        keep()
        st.session_state.pop("s_arrivals", None)
        st.session_state.pop("s_agents", None)

    return {**bound, "on_change": changed}


@st.fragment
def what_if(view: View) -> None:
    """Erlang C what-if: arrivals and handling time from the data, agents on a slider."""
    tickets = view.tables["tickets"]
    try:
        rates = arrival_rates(tickets, start=view.start, end=view.end)
    except KpiError as err:
        st.info(fmt.md(str(err)), icon=":material/info:")
        return
    day, hour = _slot(rates)
    measured = float(rates.loc[day, hour]) if pd.notna(rates.loc[day, hour]) else 0.0
    try:
        estimate = handling_time_seconds(tickets, start=view.start, end=view.end) / 60
    except KpiError:
        estimate = math.nan
    plausible = not math.isnan(estimate) and estimate <= 60
    aht_default = round(estimate, 1) if plausible else FALLBACK_HANDLING_MINUTES

    inputs = st.columns(4)
    arrivals = inputs[0].number_input(
        "Tickets per hour", min_value=0.0, max_value=1_000_000.0, step=0.5, format="%.2f",
        **state.bind("s_arrivals", default=round(measured, 2)),
        help=f"Measured: tickets created on {charts.WEEKDAY_NAMES[day]}s "
        f"{charts.hour_label(hour)} in the range, divided by the {charts.WEEKDAY_NAMES[day]}s "
        "in it.",
    )  # fmt: skip
    handling = inputs[1].number_input(
        "Average handling time (minutes)", min_value=0.5, max_value=600.0,
        step=1.0, **state.bind("s_aht", default=float(aht_default)),
        help="Working time an agent spends on one ticket. Your help desk's own figure is best.",
    )  # fmt: skip
    target = inputs[2].number_input(
        "Answer within (seconds)", min_value=1, max_value=86_400, step=5,
        **state.bind("s_answer_s"), help="The service-level target, e.g. 80 % within 20 s.",
    )  # fmt: skip
    share = inputs[3].number_input(
        "Share to answer in time (%)", min_value=1, max_value=99, step=1,
        **state.bind("s_answer_share"),
    )  # fmt: skip
    if state.setting("s_arrivals") is not None:
        st.caption(f"Tickets per hour: {fmt.number(arrivals, 2)}, set by you; the range "
                   f"measures {fmt.number(measured, 2)} for that hour.")  # fmt: skip
    if plausible:
        st.caption(f"Handling time starts at the mean resolution time of the range's tickets, "
                   f"{estimate:,.1f} minutes.")  # fmt: skip
    elif not math.isnan(estimate):
        st.caption(
            f"Your tickets take {fmt.hours(estimate / 60)} on average from creation to "
            "resolution, waiting included, which overstates the time an agent works on one; "
            f"the what-if starts at {FALLBACK_HANDLING_MINUTES:.0f} minutes instead. Enter the "
            "handling time your help desk reports."
        )
    aht = handling * 60
    traffic = staffing.traffic_erlangs(arrivals, aht)
    needed = staffing.agents_needed(traffic, aht, target_share=share / 100,
                                    target_seconds=float(target))  # fmt: skip
    chosen = state.setting("s_agents")
    top = max(10, 2 * needed, needed + 5, int(chosen or 0))
    agents = st.slider("Agents on duty", 1, top, help="Agents answering tickets in that hour.",
                       **state.bind("s_agents", default=max(needed, 1)))  # fmt: skip
    r = staffing.staffing(arrivals, aht, agents, target_seconds=float(target))
    out = st.columns(4)
    out[0].metric(
        "Probability of waiting", fmt.percent(r.p_wait), border=True,
        help=f"Erlang C with {fmt.number(traffic, 2)} Erlangs of traffic "
        f"({fmt.number(arrivals, 2)} tickets per hour x {fmt.number(handling, 1)} minutes "
        f"/ 60) and {agents} agents.",
    )  # fmt: skip
    out[1].metric(
        "Average wait", seconds(r.asa_seconds), border=True,
        help="Average speed of answer = P(wait) x handling time / (agents - traffic).",
    )  # fmt: skip
    out[2].metric(
        f"Answered within {target:,} s", fmt.percent(r.service_level), border=True,
        help="1 - P(wait) x exp(-(agents - traffic) x target / handling time).",
    )  # fmt: skip
    out[3].metric(
        f"Agents for {share} % in {target:,} s", fmt.number(needed), border=True,
        help=f"Agents needed: the fewest agents who answer at least {share} % of tickets "
        f"within {target:,} seconds.",
    )  # fmt: skip
    span = range(max(1, math.floor(traffic)), top + 1)
    fig = staffing_chart(arrivals, aht, span.start, span.stop, agents, share / 100,
                         float(target))  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="team_staffing_curve")
    st.caption(
        "Erlang C assumes tickets arrive at random at a steady rate within the hour, each "
        "takes an agent a random time averaging the handling time, and nobody gives up."
    )


def engagement_summary(table: pd.DataFrame) -> dict[str, float]:
    """Totals of :func:`kpi.team.engagement_by_customer`: touches, customers, inbound and
    outbound shares, minutes per customer (NaN without durations).

    Minutes per customer is :func:`kpi.team.engagement_minutes_per_customer`'s definition:
    all minutes / all customers touched (a customer without a timed touch adds 0 minutes).

    >>> t = pd.DataFrame({"touches": [3, 1], "inbound": [1, 0], "outbound": [2, 0],
    ...                   "minutes": [30.0, None]})
    >>> engagement_summary(t)["inbound_share"], engagement_summary(t)["minutes_per_customer"]
    (0.25, 15.0)
    """
    touches = int(table["touches"].sum())
    timed = table["minutes"].notna().any()
    return {
        "touches": touches,
        "customers": len(table),
        "inbound_share": float(table["inbound"].sum() / touches) if touches else math.nan,
        "outbound_share": float(table["outbound"].sum() / touches) if touches else math.nan,
        "minutes_per_customer": float(table["minutes"].sum() / len(table)) if timed else math.nan,
    }


def _dated_in(frame_: pd.DataFrame, col: str, start, end) -> pd.DataFrame:
    dates = pd.to_datetime(frame_[col]).dt.normalize()
    keep = (dates >= pd.Timestamp(start).normalize()) & (dates <= pd.Timestamp(end).normalize())
    return frame_[keep.to_numpy(dtype=bool)]


def team_cards(view: View, bh: BusinessHours | None) -> list[cards.Card]:
    """Tickets per agent day, employee turnover and touches per customer, with changes."""
    prev_start, prev_end, before = versus(view)
    note = f" Change against {before}."
    tables = view.tables
    tickets, employees, touches = (tables.get(t) for t in ("tickets", "employees", "touches"))
    out = []

    @functools.cache
    def touch_rows() -> pd.DataFrame:
        """Touches with a customer in the range (the rows behind both engagement cards)."""
        rows = _dated_in(touches, "date", view.start, view.end)
        return rows[rows["customer_id"].notna().to_numpy(dtype=bool)]

    def per_agent_day() -> cards.Card:
        table = agents(view, bh)
        value = tickets_per_agent_day(tickets, employees, start=view.start, end=view.end,
                                      business_hours=bh)  # fmt: skip
        try:
            then = tickets_per_agent_day(tickets, employees, start=prev_start,
                                         end=prev_end, business_hours=bh)  # fmt: skip
        except KpiError:
            then = None
        days = describe(bh) if bh else "Mon-Fri"
        return cards.Card(
            "Tickets per agent day", fmt.number(value, 1),
            change=base.relative_change(value, then),
            help=f"Tickets resolved by agents in the range divided by the agents' working days "
            f"({days}, while employed): {fmt.number(table['resolved'].sum())} / "
            f"{fmt.number(table['working_days'].sum())} agent days." + note,
            rows=agent_rows(table, unit="working hours" if bh else "hours",
                            scale=csat_scale(tables.get("surveys"))),
            key="team_per_agent_day",
        )  # fmt: skip

    def turnover() -> cards.Card:
        rate = employee_turnover_rate(employees, start=view.start, end=view.end)
        try:
            then = employee_turnover_rate(employees, start=prev_start, end=prev_end)
        except KpiError:
            then = None
        left = _dated_in(employees.dropna(subset=["leave_date"]), "leave_date", view.start,
                         view.end)  # fmt: skip
        average = len(left) / rate if rate else math.nan
        return cards.Card(
            "Employee turnover", fmt.percent(rate), delta=points_delta(rate, then),
            lower_is_better=True,
            help=f"People who left in the range divided by the average headcount (on its first "
            f"and last day): {fmt.number(len(left))} / {fmt.number(average, 1)}. "
            f"Retention is {fmt.percent(1 - rate)}." + note,
            rows=left, key="team_turnover",
        )  # fmt: skip

    def engagement() -> cards.Card:
        value = touches_per_customer(touches, start=view.start, end=view.end)
        try:
            then = touches_per_customer(touches, start=prev_start, end=prev_end)
        except KpiError:
            then = None
        rows = touch_rows()
        return cards.Card(
            "Touches per customer", fmt.number(value, 1),
            change=base.relative_change(value, then),
            help=f"Calls, e-mails, meetings and other touches with a customer divided by the "
            f"customers touched: {fmt.number(len(rows))} / "
            f"{fmt.number(rows['customer_id'].nunique())}." + note,
            rows=rows, key="team_touches",
        )  # fmt: skip

    def minutes() -> cards.Card:
        value = engagement_minutes_per_customer(touches, start=view.start, end=view.end)
        try:
            then = engagement_minutes_per_customer(touches, start=prev_start, end=prev_end)
        except KpiError:
            then = None
        rows = touch_rows()
        total = pd.to_numeric(rows["duration_min"], errors="coerce").sum()
        return cards.Card(
            "Minutes per customer", fmt.number(value, 1),
            change=base.relative_change(value, then),
            help=f"Minutes of touches with a customer divided by the customers touched: "
            f"{fmt.number(total)} / {fmt.number(rows['customer_id'].nunique())}. A touch "
            "without a duration adds no time." + note,
            rows=rows, key="team_minutes",
        )  # fmt: skip

    def scope(build, *names: str):
        return lambda: scoped(build(), tables, *names)

    if tickets is not None and {"agent", "resolved_at"} <= set(tickets.columns):
        out.append(_guarded("Tickets per agent day", scope(per_agent_day, "tickets")))
    else:
        out.append(cards.missing_card("Tickets per agent day", "Needs a tickets table with "
                                      "the columns agent and resolved_at."))  # fmt: skip
    if employees is not None and "leave_date" in employees.columns:
        out.append(_guarded("Employee turnover", scope(turnover, "employees")))
    else:
        out.append(cards.missing_card("Employee turnover", "Needs an employees table with the "
                                      "columns employee, hire_date and leave_date."))  # fmt: skip
    if touches is not None and "customer_id" in touches.columns:
        out.append(_guarded("Touches per customer", scope(engagement, "touches")))
    else:
        out.append(cards.missing_card("Touches per customer", "Needs a touches table with the "
                                      "columns date and customer_id."))  # fmt: skip
    if touches is not None and {"customer_id", "duration_min"} <= set(touches.columns):
        out.append(_guarded("Minutes per customer", scope(minutes, "touches")))
    else:
        out.append(cards.missing_card("Minutes per customer", "Needs a touches table with the "
                                      "columns date, customer_id and duration_min."))  # fmt: skip
    return out


@caching.cached(show_spinner=False, max_entries=16)
def engagement_numbers(
    touches: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[dict[str, float], int, int, go.Figure]:
    """What the engagement block shows of :func:`kpi.team.engagement_by_customer` from
    ``start`` to ``end``, cached: its totals (:func:`engagement_summary`), the inbound and
    the outbound touches, and the customers per number of touches drawn. The table itself,
    a row per customer, is not kept: it is computed again only when its expander is
    opened."""
    engaged = team.engagement_by_customer(touches, start=start, end=end)
    summary = engagement_summary(engaged)
    inbound, outbound = engaged["inbound"].sum(), engaged["outbound"].sum()
    return summary, inbound, outbound, charts.touches_histogram(engaged)


def engagement(touches: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Inbound and outbound shares, time per customer, and customers by number of touches
    (:func:`kpi.team.engagement_by_customer` of the touches from ``start`` to ``end``)."""
    summary, inbound, outbound, histogram = engagement_numbers(touches, start, end)
    if not summary["customers"]:
        st.info("No touches with a customer in this range.")
        return
    if note := scope_note(touches=touches):  # a filter the touches cannot follow
        st.caption(fmt.md(note))
    a, b, c = st.columns(3)
    a.metric("Inbound touches", fmt.percent(summary["inbound_share"]), border=True,
             help="Touches the customer started (calls in, e-mails in) / all touches with "
             f"a customer: {fmt.number(inbound)} / "
             f"{fmt.number(summary['touches'])}.")  # fmt: skip
    b.metric("Outbound touches", fmt.percent(summary["outbound_share"]), border=True,
             help="Touches your team started / all touches with a customer: "
             f"{fmt.number(outbound)} / "
             f"{fmt.number(summary['touches'])}.")  # fmt: skip
    c.metric("Time per customer", fmt.hours(summary["minutes_per_customer"] / 60),
             border=True, help="Minutes of calls and meetings with customers divided by the "
             "customers touched (a touch without a duration adds no time).")  # fmt: skip
    others = touches_without_customer(touches, start=start, end=end)
    if others["touches"]:
        st.caption(
            f"Touches with a customer only: the {fmt.number(others['touches'])} touches in "
            f"the range that name no customer (with leads, before they buy), "
            f"{fmt.number(others['inbound'])} of them inbound and "
            f"{fmt.number(others['outbound'])} outbound, are left out here."
        )
    left, right = st.columns([3, 2])
    left.plotly_chart(histogram, width="stretch")
    label = f"Touches per customer ({fmt.number(summary['customers'])})"
    with right, cards.lazy(label, key="team_engagement_rows") as shown:
        if shown:  # a row per customer: computed and sent only once asked for
            engaged = team.engagement_by_customer(touches, start=start, end=end)
            rows = engaged.reset_index().sort_values("touches", ascending=False, kind="stable")
            cards.drill_down(rows, name="engagement", key="team_engagement")


# The Support page's tabs: each draws its charts for the view's tickets and range.


def times_block(view: View, s: Settings) -> None:
    """Times to first response and to resolution, and SLA compliance by priority."""
    tickets, window = view.tables["tickets"], {"start": view.start, "end": view.end}
    left, right = st.columns(2)
    bins = WORKING_BINS if s.business_hours else support.DEFAULT_BINS
    for col, measure, title in ((left, "first_response", "Time to first response"),
                                (right, "resolution", "Time to resolution")):  # fmt: skip
        with col, explained():
            st.subheader(f"{title} ({s.unit})")
            fig = distribution_chart(tickets, measure, bins, s.business_hours, **window)
            if fig is not None:
                st.plotly_chart(fig, width="stretch", key=f"sup_dist_{measure}")
                st.caption("Tickets still waiting are in no bar: see the Kaplan-Meier median.")
            else:
                st.info("No ticket created in this range got there yet.")
    st.subheader("SLA compliance by priority")
    if not breakdowns(tickets, {"priority": "Priority"}):
        st.caption("Add a priority column to the tickets to see SLA compliance by priority.")
        return
    with explained():
        targets = (
            (f"First response within {s.duration(s.first_target)}", "first_response",
             s.first_target),
            (f"Resolution within {s.duration(s.resolution_target)}", "resolution",
             s.resolution_target),
        )  # fmt: skip
        fig = sla_by_priority_chart(tickets, targets, s.business_hours,
                                    as_of(tickets, view.end), **window)  # fmt: skip
        if fig is not None:
            st.plotly_chart(fig, width="stretch")
        else:
            st.info("No tickets created in this range.")


def backlog_block(view: View) -> None:
    """Open tickets at the end of each period, and created against resolved."""
    tickets, per = view.tables["tickets"], PERIOD_LABELS[view.period].lower()
    left, right = st.columns(2)
    with explained():
        open_at_end, flows = backlog_charts(tickets, view.period, as_of(tickets, view.end),
                                            start=view.start, end=view.end)  # fmt: skip
        left.subheader(f"Open tickets at the end of each {per}")
        left.plotly_chart(open_at_end, width="stretch")
        right.subheader(f"Created against resolved per {per}")
        right.plotly_chart(flows, width="stretch")


COMPLAINTS_BY = "sup_complaints_split"
"""Plain key of the "Complaints by" choice: a widget's value is forgotten while its tab is
closed (not drawn), and the choice must outlive that."""


def complaints_block(view: View) -> None:
    """Complaints created in the range, split by a column the user picks, and per customer
    (the tab's label is its title)."""
    tickets, per = view.tables["tickets"], PERIOD_LABELS[view.period].lower()
    window = {"start": view.start, "end": view.end}
    options = {**breakdowns(tickets, COMPLAINT_BREAKDOWNS), "period": PERIOD_LABELS[view.period]}
    with explained():
        counts = complaint_counts(tickets, as_of=as_of(tickets, view.end), **window)
        escalated = (
            "" if counts.escalated is None else f" · {fmt.number(counts.escalated)} escalated"
        )
        st.caption(
            f"{fmt.number(counts.total)} complaints created in the range: "
            f"{fmt.number(counts.open)} still open, {fmt.number(counts.resolved)} resolved"
            f"{escalated}."
        )
        if counts.total:
            ss = st.session_state
            if "sup_complaints_by" not in ss and ss.get(COMPLAINTS_BY) in options:
                ss["sup_complaints_by"] = ss[COMPLAINTS_BY]
            by = st.selectbox("Complaints by", list(options), format_func=options.get,
                              key="sup_complaints_by")  # fmt: skip
            ss[COMPLAINTS_BY] = by
            fig = complaints_chart(tickets, by, options[by], view.period, **window)
            st.plotly_chart(fig, width="stretch")
        else:
            st.info("No complaints in this range: tickets of type complaint are counted here.")
        if view.has("orders"):
            with explained():
                fig = complaints_per_customer_chart(tickets, view.tables["orders"],
                                                    view.period, **window)  # fmt: skip
                st.plotly_chart(fig, width="stretch")
                st.caption(f"Complaints per {per} divided by the customers who ordered in it, "
                           "beside the share of tickets escalated.")  # fmt: skip


def arrivals_block(view: View) -> None:
    """Tickets created per weekday and hour (the tab's label is its title)."""
    with explained():
        fig = arrivals_chart(view.tables["tickets"], start=view.start, end=view.end)
        if fig is not None:
            st.plotly_chart(fig, width="stretch")
            st.caption("Tickets created per weekday and hour, at the times your file records. "
                       "The Team page turns these arrivals into a staffing what-if.")  # fmt: skip
        else:
            st.info("No tickets created in this range.")


STAFFING_LINK = tuple(s.name for s in state.SETTINGS if s.widget.startswith("team_"))
"""The link's names of the staffing what-if's inputs (the Team page's settings): a link with
any of them opens Team on its staffing tab."""
