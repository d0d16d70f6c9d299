"""Blocks of the Retention page that need widgets: the churn definition, cards, cohorts,
survival, the sBG projection and the inactive-customer list.

The page stays a story of the screen; each block here reads :mod:`kpi.retention` and
:mod:`kpi.models`, formats the numbers for people and hands tables to
:mod:`ui.retention_charts`. Cohort tables, lifetimes and model fits are cached with
``st.cache_data`` keyed on the tables themselves (:mod:`ui.caching`), so moving a widget does
not refit what did not change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from kpi import base, models, retention
from kpi.errors import InsufficientDataError, KpiError
from kpi.periods import PERIOD_LABELS, period_labels, period_start
from ui import caching, cards, frame, meeting, state
from ui import format as fmt
from ui import retention_charts as charts
from ui.frame import View

ATTRIBUTES = {"channel": "Channel", "segment": "Segment", "region": "Region", "plan": "Plan"}
GRANULARITIES = ("week", "month", "quarter")
CONTRACTUAL, INACTIVITY = "contractual", "inactivity"


# --------------------------------------------------------------------------------------------
# Cached computations (keyed on the data and the options)


@caching.cached(show_spinner=False, max_entries=32)
def cohort_table(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    period: str,
    by: str | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> retention.CohortTable:
    """:func:`kpi.retention.cohort_retention` of the range, cached."""
    return retention.cohort_retention(
        orders, period=period, customers=customers, by=by, start=start, end=end
    )


@caching.cached(show_spinner=False, max_entries=32)
def lifetimes_of(
    kind: str,
    orders: pd.DataFrame | None,
    customers: pd.DataFrame | None,
    window: int | None,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """The lifetimes table of the chosen churn definition, observed to ``as_of``, cached."""
    if kind == CONTRACTUAL:
        return retention.contractual_lifetimes(customers, orders, as_of=as_of)  # type: ignore[arg-type]
    return retention.inactivity_lifetimes(orders, window_days=int(window), as_of=as_of)  # type: ignore[arg-type]


@caching.cached(show_spinner=False, max_entries=16)
def gaps_of(orders: pd.DataFrame) -> pd.Series:
    """:func:`kpi.retention.order_gaps`, cached (a sort of every order day)."""
    return retention.order_gaps(orders)


@caching.cached(show_spinner=False, max_entries=16)
def suggested_window(orders: pd.DataFrame) -> retention.InactivityWindow:
    """:func:`kpi.retention.inactivity_window`, cached (failures are raised)."""
    return retention.inactivity_window(orders)


@caching.cached(show_spinner=False, max_entries=32)
def inactive_of(orders: pd.DataFrame, as_of: pd.Timestamp, window: int) -> pd.DataFrame:
    """:func:`kpi.retention.inactive_customers` on ``as_of``, cached."""
    return retention.inactive_customers(orders, as_of=as_of, window_days=window)


@caching.cached(show_spinner=False, max_entries=64)
def sbg_fit(survivors: tuple[float, ...]) -> models.SbgFit:
    """:func:`kpi.models.fit_sbg` of the counts, cached (failures are raised, not cached)."""
    return models.fit_sbg(list(survivors))


# --------------------------------------------------------------------------------------------
# Pure helpers


@dataclass(frozen=True)
class Definition:
    """The churn definition chosen on the page and the lifetimes it gives."""

    kind: str
    window: int | None
    label: str
    lifetimes: pd.DataFrame
    weak: str | None = None


def definition_label(kind: str, window: int | None) -> str:
    """How every chart title names the churn definition.

    >>> definition_label("inactivity", 45), definition_label("contractual", None)
    ('churn = no order for 45 days', 'churn = contract ended')
    """
    if kind == CONTRACTUAL:
        return "churn = contract ended"
    return f"churn = no order for {window:,} days"


def started_in(lifetimes: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """The customers who started on or after ``start`` (the page's cohort of customers)."""
    return lifetimes[(lifetimes["start"] >= pd.Timestamp(start).normalize()).to_numpy()]


def churned_in(lifetimes: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The customers lost from ``start`` to ``end`` (both days), with their dates and months."""
    ends = lifetimes["end"]
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    rows = lifetimes[(lifetimes["observed"] & (ends >= lo) & (ends <= hi)).to_numpy()]
    out = (
        rows.rename(
            columns={"start": "customer_since", "end": "lost_on", "duration_months": "months"}
        )
        .drop(columns="observed")
        .reset_index()
    )
    out.attrs = {}  # as_of (a Timestamp) would not survive the table's serialisation
    return out


def customer_attribute(tables: dict[str, pd.DataFrame], by: str) -> pd.Series:
    """Each customer's ``by`` value: from the customers table, else from their first order.

    Indexed by customer_id; customers without a value are "(none)".

    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "channel": ["web", "ads", None],
    ...     "order_date": pd.to_datetime(["2025-01-02", "2025-01-01", "2025-01-01"])})
    >>> customer_attribute({"orders": orders}, "channel").to_dict()
    {'a': 'ads', 'b': '(none)'}
    """
    customers = tables.get("customers")
    if customers is not None and by in customers.columns and customers[by].notna().any():
        rows = customers.drop_duplicates("customer_id")
        values = pd.Series(rows[by].to_numpy(dtype=object), index=rows["customer_id"].to_numpy())
    else:
        orders = tables["orders"].sort_values(["customer_id", "order_date"], kind="stable")
        first = orders.drop_duplicates("customer_id")
        values = pd.Series(first[by].to_numpy(dtype=object), index=first["customer_id"].to_numpy())
    return values.where(values.notna(), "(none)").astype(str).rename_axis("customer_id")


def split_options(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The attributes with values in the customers or orders table, by their screen name."""
    found = {}
    for col, label in ATTRIBUTES.items():
        for name in ("customers", "orders"):
            table = tables.get(name)
            if table is not None and col in table.columns and table[col].notna().any():
                found[col] = label
    return found


def logrank_words(test: models.LogRank, a: str, b: str) -> str:
    """The log-rank p-value in words.

    >>> test = models.LogRank(9.1, 0.0026, 30, 20.5)
    >>> print(logrank_words(test, "web", "ads"))  # doctest: +NORMALIZE_WHITESPACE
    Comparing web with ads: the difference in survival is very unlikely to be chance (log-rank
    p = 0.003).
    """
    p = test.p_value
    shown = "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"
    if p < 0.01:
        verdict = "the difference in survival is very unlikely to be chance"
    elif p < 0.05:
        verdict = "the difference in survival is unlikely to be chance"
    else:
        verdict = "the difference in survival could well be chance"
    return f"Comparing {a} with {b}: {verdict} (log-rank {shown})."


def holdout_error(survivors: np.ndarray, fit: models.SbgFit, fitted_on: int) -> float:
    """Mean absolute gap, in shares of the cohort, between actual and projected after the fit.

    NaN when nothing was held out.

    >>> fit = models.SbgFit(1.0, 1.0, 0.0, 2, 100.0)  # S(t) = 1 / (t + 1)
    >>> round(holdout_error(np.array([100.0, 50.0, 33.0, 30.0]), fit, 2), 4)
    0.05
    """
    ages = np.arange(fitted_on + 1, len(survivors))
    if len(ages) == 0:
        return math.nan
    actual = np.asarray(survivors, dtype=np.float64)[ages] / float(survivors[0])
    return float(np.mean(np.abs(actual - np.asarray(fit.survival(ages)))))


# --------------------------------------------------------------------------------------------
# Widgets and blocks


def choose_definition(view: View) -> Definition | None:
    """The churn definition in force, under the panel that changes it.

    The panel ("How churn is counted", closed) draws the choice, the inactivity window and the
    histogram of gaps between orders only once it is opened (:func:`ui.cards.lazy`): drawn
    open, they made every first visit to Retention load the radio and number widgets' code
    and draw one more chart. The choice lives in plain keys (``s_churn``, ``s_window``), so
    closed the panel reads them, or the defaults; the caption under it says which definition
    is in force and where its window came from, and a window too short for the data is
    warned of there, panel open or not.
    """
    orders, customers = view.tables.get("orders"), view.tables.get("customers")
    # an end_date column nobody filled in says nothing about cancellations
    contractual = view.has("customers", "customer_id", "end_date") and retention.has_end_dates(
        customers
    )
    has_orders = view.has("orders", "customer_id", "order_date", "amount")
    kinds = ([CONTRACTUAL] if contractual else []) + ([INACTIVITY] if has_orders else [])
    if not kinds:
        return None
    suggested, weak, rule, why_none = 90, None, "", None
    if has_orders:
        try:
            found = suggested_window(orders)
        except InsufficientDataError as err:
            why_none = str(err)
            rule = "nobody ordered on two different days, so the data suggests none"
        else:
            suggested, weak, rule = found.days, found.weak, found.rule
    with cards.lazy("How churn is counted", key="ret_how", icon=":material/tune:") as shown:
        if shown:
            _definition_widgets(kinds, orders if has_orders else None, suggested, rule, why_none)
    kind = state.setting("s_churn")
    kind = kind if kind in kinds else kinds[0]
    window = int(state.setting("s_window", suggested)) if has_orders else None  # type: ignore[arg-type]
    label = definition_label(kind, window)
    if window is None:
        st.caption(f"Every figure below: {label}.")
    else:  # the window sets who is inactive under either definition
        if window != suggested:
            source = "the window set by you"
        elif why_none:
            source = f"a default window: {rule}"
        else:
            source = f"the window suggested from your data; {rule}"
        lead = label if kind == INACTIVITY else f"{label}; inactive = no order for {window:,} days"
        st.caption(f"Every figure below: {lead} ({source}).")
    if weak is not None and window is not None and window <= suggested:
        st.warning(fmt.md(weak[:1].upper() + weak[1:]))
    else:
        weak = None
    lifetimes = lifetimes_of(kind, orders, customers, window, view.end)
    return Definition(kind, window, label, lifetimes, weak)


def _definition_widgets(
    kinds: list[str],
    orders: pd.DataFrame | None,
    suggested: int,
    rule: str,
    why_none: str | None,
) -> None:
    """The churn-definition choice and, with orders, the inactivity window beside the
    histogram of the gaps between a customer's orders; each kept in its plain key."""
    names = {CONTRACTUAL: "Contract ended (end dates)", INACTIVITY: "No order for a while"}
    left, right = st.columns([1, 2])
    left.radio(
        "A customer is lost when",
        kinds,
        format_func=names.get,
        **state.bind("s_churn", options=kinds),
        help="Contractual: the customers table's end date (cancellation). Non-contractual: "
        "no order within the inactivity window; the window also sets who is inactive.",
    )
    if orders is None:
        return
    if why_none:
        left.caption(fmt.md(why_none))
    window = int(
        left.number_input(
            "Inactivity window (days)",
            min_value=1,
            max_value=3650,
            step=1,
            **state.bind("s_window", default=suggested),
            help=f"Suggested from your data: {suggested:,} days, the {rule}. The 90th "
            "percentile, not the median: with the median, half of the ordinary gaps "
            "between orders would count as churn.",
        )
    )
    gaps = gaps_of(orders)
    if len(gaps):
        left.caption(
            f"{fmt.percent(float((gaps <= window).mean()))} of repeat orders came within "
            f"{window:,} days of the previous one."
        )
        fig = charts.gap_histogram(gaps, suggested=suggested, window=window)
        right.plotly_chart(fig, width="stretch")


def _churn_now(lifetimes: pd.DataFrame, view: View, start: pd.Timestamp, end: pd.Timestamp):
    series = retention.churn_series(lifetimes, period=view.period, start=start, end=end)
    return series, retention.pooled_churn_rate(series)


def _range_churn(lifetimes: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp):
    """:func:`kpi.retention.churn_summary` of a range, or None when it cannot be measured."""
    try:
        return retention.churn_summary(lifetimes, start=start, end=end)
    except KpiError:
        return None


def _revenue_retention(view: View, start: pd.Timestamp, end: pd.Timestamp):
    """:func:`kpi.retention.revenue_retention` of a range, or the reason it is unknown."""
    try:
        return retention.revenue_retention(view.tables["orders"], start=start, end=end)
    except KpiError as err:
        return str(err)


def _window_note(d: Definition) -> str | None:
    """Says when the suggested inactivity window rests on too little evidence."""
    if d.kind != INACTIVITY or d.weak is None:
        return None
    return "The data cannot support this short a window: " + d.weak.split(": ", 1)[-1]


def last_complete_period(
    start: pd.Timestamp, end: pd.Timestamp, period: str
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day of the last whole ``period`` inside ``start`` to ``end`` (both days),
    or None when the range holds no whole period.

    >>> [d.strftime("%Y-%m-%d") for d in last_complete_period(pd.Timestamp("2023-11-01"),
    ...     pd.Timestamp("2026-10-31"), "month")]
    ['2026-10-01', '2026-10-31']
    >>> [d.strftime("%Y-%m-%d") for d in last_complete_period(pd.Timestamp("2026-01-01"),
    ...     pd.Timestamp("2026-10-15"), "month")]
    ['2026-09-01', '2026-09-30']
    >>> last_complete_period(pd.Timestamp("2026-10-02"), pd.Timestamp("2026-10-31"), "month")
    """
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    day = pd.Timedelta(days=1)
    last = period_start(pd.Series([hi + day]), period).iloc[0] - day  # type: ignore[arg-type]
    first = period_start(pd.Series([last]), period).iloc[0]  # type: ignore[arg-type]
    return (first, last) if first >= lo else None


def period_name(first: pd.Timestamp, period: str) -> str:
    """A period as a card names it: ``Oct 2026``, ``Q4 2026``, ``2026``, ``week of 26 Oct 2026``.

    >>> period_name(pd.Timestamp("2026-10-01"), "month"), period_name(
    ...     pd.Timestamp("2026-10-01"), "quarter")
    ('Oct 2026', 'Q4 2026')
    """
    t = pd.Timestamp(first)
    if period == "month":
        return t.strftime("%b %Y")
    if period == "quarter":
        return f"Q{(t.month - 1) // 3 + 1} {t.year}"
    if period == "year":
        return str(t.year)
    return f"week of {fmt.day(t)}"


def _period_instead(view: View, what: str) -> tuple[pd.Timestamp, pd.Timestamp, str, str] | None:
    """In the meeting view, the last whole period of the range to show instead of a range rate
    that cannot be measured: its first and last day, its name, and the sentence that says why
    (``what``: why the range rate is unknown). None outside the meeting view or when the range
    holds no whole period."""
    if not meeting.active():
        return None
    found = last_complete_period(view.start, view.end, view.period)
    if found is None:
        return None
    first, last = found
    per = PERIOD_LABELS[view.period].lower()
    name = period_name(first, view.period)
    why = (
        f"Over the whole range this rate cannot be measured: {what} So the card shows the last "
        f"whole {per} of the range, {name} ({fmt.day(first)} – {fmt.day(last)}), measured the "
        "same way."
    )
    return first, last, name, why


def _period_before(first: pd.Timestamp, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the period before the one starting on ``first``."""
    last = pd.Timestamp(first) - pd.Timedelta(days=1)
    return period_start(pd.Series([last]), period).iloc[0], last  # type: ignore[arg-type]


def _churn_of_period(view: View, d: Definition, why: str) -> list[cards.Card] | None:
    """In the meeting view, churn and CRR of the range's last whole period, named so, when the
    range's own cannot be measured (see :func:`_period_instead`); None otherwise."""
    from ui.growth_view import points_delta

    instead = _period_instead(view, why)
    if instead is None:
        return None
    first, last, name, said = instead
    now = _range_churn(d.lifetimes, first, last)
    if now is None or now.customers_start == 0:
        return None
    prev_first, prev_last = _period_before(first, view.period)
    then = _range_churn(d.lifetimes, prev_first, prev_last)
    versus = (
        f"Change against {period_name(prev_first, view.period)} "
        f"({fmt.day(prev_first)} – {fmt.day(prev_last)}), in points."
    )
    kept = now.new - now.new_lost
    return [
        cards.Card(
            f"Churn rate, {name}",
            fmt.percent(now.churn_rate),
            delta=points_delta(now.churn_rate, then.churn_rate if then else None),
            lower_is_better=True,
            key="ret_churned_period",
            help=f"{said} Customers at its start who were lost in it / customers at its start "
            f"({d.label}): {fmt.number(now.lost)} / {fmt.number(now.customers_start)}. {versus}",
        ),
        cards.Card(
            f"Customer retention rate, {name}",
            fmt.percent(now.retention_rate),
            delta=points_delta(now.retention_rate, then.retention_rate if then else None),
            key="ret_crr_period",
            help=f"{said} (Customers at its end - new customers still there) / customers at its "
            f"start ({d.label}): ({fmt.number(now.customers_end)} - {fmt.number(kept)}) / "
            f"{fmt.number(now.customers_start)}. {versus}",
        ),
    ]


def _revenue_of_period(
    view: View, why: str
) -> tuple[str, retention.RevenueRetention, object, str] | None:
    """In the meeting view, NRR and GRR of the range's last whole period when the range's own
    cannot be measured: (its name, its revenue retention, the period before's, the sentence
    that says why); None otherwise."""
    instead = _period_instead(view, why)
    if instead is None:
        return None
    first, last, name, said = instead
    money = _revenue_retention(view, first, last)
    if not isinstance(money, retention.RevenueRetention):
        return None
    prev_first, prev_last = _period_before(first, view.period)
    return name, money, _revenue_retention(view, prev_first, prev_last), said


def _revenue_card(
    view: View,
    key: str,
    money: retention.RevenueRetention,
    earlier: object,
    *,
    label: str,
    card_key: str,
    here: str = "this range",
    there: str = "the range",
    lead: str = "",
    tail: str,
) -> cards.Card:
    """The NRR or GRR card (``key`` nrr or grr) of ``money``, against ``earlier``'s: the
    range's, or in the meeting view a period's (``here``/``there`` name it in the help, which
    ``lead`` opens and ``tail`` closes; see :func:`_revenue_of_period`)."""
    from ui.growth_view import points_delta

    value = getattr(money, key)
    before = getattr(earlier, key) if isinstance(earlier, retention.RevenueRetention) else None
    top = money.revenue_now if key == "nrr" else money.capped_now
    what = f"their revenue in {here}" + (
        ", each capped at their earlier revenue," if key == "grr" else ""
    )
    return cards.Card(
        label,
        fmt.percent(value),
        delta=points_delta(value, before),
        key=card_key,
        help=f"{lead}Customers who bought from {fmt.day(money.before_start)} to "
        f"{fmt.day(money.before_end)} (the same number of days before {there}): {what} / their "
        f"revenue then = {fmt.money(top, view.currency)} / "
        f"{fmt.money(money.revenue_before, view.currency)}, {fmt.number(money.customers)} "
        f"customers. {tail}",
    )


def kpi_cards(view: View, d: Definition) -> None:
    """Churn rate, CRR, churn per period, inactive customers, NRR, GRR and median lifetime.

    In the meeting view, a range rate that cannot be measured (the range starts with nobody, or
    nobody bought in the days before it) gives way to the same rate of the range's last whole
    period, named on the card ("Churn rate, Oct 2026"), so the room reads numbers, not dashes.
    """
    from ui.growth_view import points_delta

    per = PERIOD_LABELS[view.period].lower()
    prev_start, prev_end = base.previous_window(view.start, view.end)
    versus = f"Change against {fmt.day(prev_start)} – {fmt.day(prev_end)}, in points."
    out: list[cards.Card] = []
    now = _range_churn(d.lifetimes, view.start, view.end)
    then = _range_churn(d.lifetimes, prev_start, prev_end)
    if now is None or now.customers_start == 0:
        why = (
            "Churn over the range is customers lost / customers at its start, and no customer "
            f"was there on {fmt.day(view.start)}. Choose a later start date, or read the churn "
            f"per {per} beside it."
        )
        empty = f"no customer was there on {fmt.day(view.start)}, its first day."
        out += _churn_of_period(
            view, d, f"churn is customers lost / customers at the start, and {empty}"
        ) or [
            cards.missing_card("Churn rate over the range", why, add_data=False),
            cards.missing_card("Customer retention rate over the range", why, add_data=False),
        ]
    else:
        before = then.churn_rate if then is not None else math.nan
        before_crr = then.retention_rate if then is not None else math.nan
        apart = (
            f" {fmt.number(now.new_lost)} customers who joined and left inside the range are "
            "counted apart (new customers lost), not as churn."
            if now.new_lost
            else ""
        )
        out.append(
            cards.Card(
                "Churn rate over the range",
                fmt.percent(now.churn_rate),
                delta=points_delta(now.churn_rate, before),
                lower_is_better=True,
                key="ret_churned",
                help=f"Customers at the range's start who were lost in it / customers at its "
                f"start ({d.label}): {fmt.number(now.lost)} / "
                f"{fmt.number(now.customers_start)}.{apart} {versus}",
                note=_window_note(d),
                rows=churned_in(d.lifetimes, view.start, view.end),
            )
        )
        kept = now.new - now.new_lost
        out.append(
            cards.Card(
                "Customer retention rate over the range",
                fmt.percent(now.retention_rate),
                delta=points_delta(now.retention_rate, before_crr),
                key="ret_crr",
                help=f"(Customers at the end - new customers still there) / customers at the "
                f"start ({d.label}): ({fmt.number(now.customers_end)} - {fmt.number(kept)}) / "
                f"{fmt.number(now.customers_start)}. {versus}",
                rows=pd.DataFrame([now.__dict__]),
            )
        )
    try:
        series, rate = _churn_now(d.lifetimes, view, view.start, view.end)
        try:
            _, before = _churn_now(d.lifetimes, view, prev_start, prev_end)
        except KpiError:
            before = math.nan
        lost, base_n = int(series["lost"].sum()), int(series["customers_start"].sum())
        flows = series.assign(period=period_labels(series.index, view.period))  # type: ignore[arg-type]
        out.append(
            cards.Card(
                f"Churn rate per {per}",
                fmt.percent(rate),
                delta=points_delta(rate, before),
                lower_is_better=True,
                key="ret_churn_per_period",
                help=f"Customers lost in a {per} / customers at its start, pooled over the "
                f"{len(series)} {per}s of the range ({d.label}): {fmt.number(lost)} / "
                f"{fmt.number(base_n)}. The monthly figure is what lifetime value uses. "
                + (
                    versus
                    if not math.isnan(before)
                    else f"No change is shown: the churn per {per} of {fmt.day(prev_start)} "
                    f"– {fmt.day(prev_end)} cannot be measured (no customer then)."
                ),
                rows=flows[
                    [
                        "period",
                        "customers_start",
                        "new",
                        "lost",
                        "new_lost",
                        "customers_end",
                        "churn_rate",
                        "retention_rate",
                    ]
                ],
            )
        )
    except KpiError as err:
        out.append(cards.missing_card(f"Churn rate per {per}", str(err)))
    orders = view.tables.get("orders")
    if orders is not None and d.window is not None:
        now = inactive_of(orders, view.end, d.window)
        before_n = len(inactive_of(orders, prev_end, d.window))
        ever = orders.loc[(orders["order_date"] <= view.end).to_numpy(), "customer_id"].nunique()
        change = base.relative_change(len(now), before_n)
        if change is None:
            versus_inactive = (
                f"No change is shown: no customer was inactive on {fmt.day(prev_end)}, the "
                "end of the days before the range."
            )
        else:
            versus_inactive = f"Change against {fmt.day(prev_end)}."
        out.append(
            cards.Card(
                "Inactive customers",
                fmt.number(len(now)),
                change=change,
                lower_is_better=True,
                key="ret_inactive",
                help=f"Customers whose last order is {d.window:,} days or more before "
                f"{fmt.day(view.end)}: {fmt.number(len(now))} of {fmt.number(ever)} customers who "
                f"ever ordered. {versus_inactive}",
                rows=now,
            )
        )
    else:
        out.append(
            cards.missing_card(
                "Inactive customers",
                "Needs an orders table with customer_id, order_date and amount.",
            )
        )
    money = _revenue_retention(view, view.start, view.end) if orders is not None else None
    earlier = _revenue_retention(view, prev_start, prev_end) if orders is not None else None
    instead = None
    if orders is not None and not isinstance(money, retention.RevenueRetention):
        instead = _revenue_of_period(
            view,
            "NRR and GRR compare the revenue of the customers who bought in as many days before "
            f"the range ({fmt.day(prev_start)} – {fmt.day(prev_end)}), and nobody bought then.",
        )
    for key, label in (("nrr", "NRR"), ("grr", "GRR")):
        if instead is not None:
            name, period_money, period_earlier, said = instead
            out.append(
                _revenue_card(
                    view, key, period_money, period_earlier,
                    label=f"{label}, {name}", card_key=f"ret_{key}_period", here="it",
                    there="it", lead=f"{said} ",
                    tail=f"Change against the {PERIOD_LABELS[view.period].lower()} before, in "
                    "points.",
                )
            )  # fmt: skip
        elif not isinstance(money, retention.RevenueRetention):
            why = money or "Needs an orders table with customer_id, order_date and amount."
            # No one bought in the range before: a later start date unlocks it, not more data.
            out.append(cards.missing_card(label, why, add_data="later start date" not in why))
        else:
            out.append(
                _revenue_card(
                    view, key, money, earlier, label=label, card_key=f"ret_{key}",
                    tail=f"The cohort table shows the same by months since first order. {versus}",
                )
            )  # fmt: skip
    recent = started_in(d.lifetimes, view.start)
    try:
        median = retention.median_customer_lifetime(recent)
        durations = retention.survival_durations(recent)
        durations.attrs = {}
        longest = float(durations["duration"].max())
        shown = fmt.months(median) if not math.isnan(median) else f"> {fmt.months(longest)}"
        out.append(
            cards.Card(
                "Median customer lifetime",
                shown,
                key="ret_lifetime",
                help=f"Months until half of the customers are lost (Kaplan-Meier, {d.label}), "
                f"customers still active counted until {fmt.day(view.end)}: "
                f"{fmt.number(len(recent))} customers who started in the range, "
                f"{fmt.number(int(durations['observed'].sum()))} lost.",
                note=None
                if not math.isnan(median)
                else "Not reached: more than half are still customers.",
                rows=durations.reset_index(),
            )
        )
    except KpiError as err:
        out.append(cards.missing_card("Median customer lifetime", str(err)))
    cards.show(out, per_row=3)


def cohort_block(view: View, d: Definition) -> None:
    """The cohort heatmap with its switches, and the retention curves."""
    orders, customers = view.tables["orders"], view.tables.get("customers")
    # Pills wrap in a narrow column where a segmented control would cut its last option.
    c1, c2, c3, c4 = st.columns([3, 2, 1.5, 1.5])
    metric = (
        c1.pills(
            "Retention of",
            list(charts.METRICS),
            format_func=charts.METRICS.get,
            **state.bind("s_ret_metric"),
        )
        or "customers"
    )
    scale = (
        c2.pills(
            "Show",
            ["relative", "absolute"],
            **state.bind("s_ret_scale"),
            format_func={"relative": "Share", "absolute": "Counts or money"}.get,
        )
        or "relative"
    )
    default = view.period if view.period in GRANULARITIES else "month"
    period = c3.selectbox(
        "Cohorts by",
        GRANULARITIES,
        format_func=lambda p: PERIOD_LABELS[p],
        **state.bind("s_ret_granularity", default=default),
    )
    options = split_options(view.tables)
    by = c4.selectbox(
        "Split by",
        [None, *options],
        format_func=lambda c: "Nothing" if c is None else options[c],
        **state.bind("s_ret_split", options=[None, *options]),
    )
    with frame.explained():
        table = cohort_table(orders, customers, period, by, view.start, view.end)
        group = None
        if by is not None:
            groups = list(dict.fromkeys(table.sizes.index.get_level_values(0)))
            group = (
                st.segmented_control(
                    f"{options[by]} shown in the heatmap",
                    groups,
                    **state.bind("s_ret_group", options=groups),
                )
                or groups[0]
            )
        noun = PERIOD_LABELS[period].lower()
        heading = {
            "customers": "Customer retention",
            "nrr": "Net revenue retention (NRR)",
            "grr": "Gross revenue retention (GRR)",
        }[metric]
        st.subheader(f"{heading} by {noun} cohort" + (f" · {fmt.md(group)}" if group else ""))
        st.caption(
            f"Active = at least one order in the {noun} (the same for every churn "
            "definition). Grey cells are not yet observable; cells still running say so "
            "in their hover."
        )
        fig = charts.cohort_heatmap(
            table, metric=metric, relative=scale == "relative", group=group, currency=view.currency
        )
        st.plotly_chart(fig, width="stretch")
        st.subheader("Retention curves" + (f" by {options[by].lower()}" if by else " per cohort"))
        curve = retention.retention_curve(table)
        st.plotly_chart(charts.retention_curves(table, curve, metric=metric), width="stretch")


def survival_block(view: View, d: Definition) -> None:
    """Kaplan-Meier curves with bands, split by an attribute, and the log-rank test."""
    recent = started_in(d.lifetimes, view.start)
    options = split_options(view.tables)
    by = st.selectbox(
        "Compare by",
        [None, *options],
        format_func=lambda c: "Nothing (all customers)" if c is None else options[c],
        **state.bind("s_ret_km_split", options=[None, *options]),
    )
    with frame.explained():
        durations = retention.survival_durations(recent)
        fits: dict[str, models.KaplanMeier] = {}
        if by is None:
            fits["All customers"] = models.kaplan_meier(
                durations["duration"], durations["observed"]
            )
        else:
            attr = customer_attribute(view.tables, by).reindex(durations.index).fillna("(none)")
            groups = attr.value_counts().index.tolist()
            for g in groups:
                part = durations[(attr == g).to_numpy()]
                fits[str(g)] = models.kaplan_meier(part["duration"], part["observed"])
            if len(groups) >= 2:
                a, b = groups[0], groups[1]
                pa, pb = durations[(attr == a).to_numpy()], durations[(attr == b).to_numpy()]
                try:
                    test = models.logrank_test(
                        pa["duration"], pa["observed"], pb["duration"], pb["observed"]
                    )
                    which = "" if len(groups) == 2 else "The two largest groups, "
                    st.markdown(which + fmt.md(logrank_words(test, str(a), str(b))))
                except KpiError as err:
                    st.caption(fmt.md(str(err)))
        st.plotly_chart(charts.survival_curves(fits, definition=d.label), width="stretch")
        st.caption(
            f"{fmt.number(len(durations))} customers who started in the range; a "
            "customer still active is counted until the end of the range (censored)."
        )


def sbg_block(view: View, d: Definition) -> None:
    """The sBG projection of a cohort or the whole base, with a holdout check."""
    recent = started_in(d.lifetimes, view.start)
    period = view.period if view.period in GRANULARITIES else "month"
    per = PERIOD_LABELS[period].lower()
    starts = pd.Series(period_start(recent["start"], period).unique()).sort_values()
    labels = dict(zip(period_labels(starts, period), starts, strict=True))
    left, right = st.columns([1, 2])
    choice = left.selectbox(
        f"Cohort ({per} of first order or signup)",
        ["whole", *labels],
        **state.bind("s_ret_sbg_cohort", options=["whole", *labels]),
        format_func=lambda c: "Whole base" if c == "whole" else c,
    )
    with frame.explained():
        cohort = None if choice == "whole" else labels[choice]
        survivors = retention.sbg_survivors(recent, period=period, cohort=cohort, as_of=view.end)
        n = len(survivors) - 1
        if n < 2:
            raise InsufficientDataError(
                f"sBG needs a cohort followed for at least two {per}s; this one has {n}. "
                "Pick an older cohort or the whole base, or widen the date range."
            )
        k = n
        if n >= 3:
            k = left.slider(
                f"Fit on the first {per}s",
                2,
                n,
                **state.bind(
                    "s_ret_sbg_k", default=max(2, round(n * 2 / 3)), options=list(range(2, n + 1))
                ),
                help=f"The model sees {per}s 0 to k; the {per}s after k are "
                "the holdout it is checked against.",
            )
        else:
            left.caption(f"Only {n} {per}s observed: no holdout check is possible.")
        try:
            fit = sbg_fit(tuple(float(x) for x in survivors[: k + 1]))
        except KpiError as err:
            right.info(fmt.md(str(err)), icon=":material/info:")
            return
        err = holdout_error(survivors, fit, k)
        left.caption(
            f"alpha {fit.alpha:,.2f}, beta {fit.beta:,.2f}: average churn probability "
            f"{fmt.percent(fit.alpha / (fit.alpha + fit.beta))} per {per} at the start."
        )
        if not math.isnan(err):
            left.caption(
                f"Held-out {per}s {k + 1}–{n}: the projection is off by "
                f"{100 * err:.1f} percentage points on average."
            )
        fig = charts.sbg_projection(survivors, fit, fitted_on=k, period=period, definition=d.label)
        right.plotly_chart(fig, width="stretch")


def over_time_block(view: View, d: Definition) -> None:
    """Churn rate and CRR per period of the range."""
    with frame.explained():
        series = retention.churn_series(
            d.lifetimes, period=view.period, start=view.start, end=view.end
        )
        left, right = st.columns(2)
        left.plotly_chart(
            charts.churn_over_time(series, period=view.period, definition=d.label), width="stretch"
        )
        right.plotly_chart(
            charts.retention_over_time(series, period=view.period, definition=d.label),
            width="stretch",
        )


def inactive_block(view: View, d: Definition) -> None:
    """The inactive customers a manager calls, most revenue first: sortable, downloadable."""
    if d.window is None:
        st.info("The inactive list needs an orders table with customer_id, order_date and amount.")
        return
    rows = inactive_of(view.tables["orders"], view.end, d.window)
    if rows.empty:
        st.info(f"Every customer ordered within {d.window:,} days of {fmt.day(view.end)}.")
        return
    rows = retention.with_contacts(rows, view.tables.get("customers"))
    sym = fmt.currency_symbol(view.currency)
    shown = rows.assign(last_order_date=rows["last_order_date"].dt.date).rename(
        columns={
            "last_order_value": f"Last order value ({sym})",
            "revenue": f"Revenue ({sym})",
            "orders": "Orders",
        }
    )
    st.caption(
        f"{fmt.number(len(rows))} customers without an order for {d.window:,} days or "
        f"more on {fmt.day(view.end)}, most revenue first. Click a header to sort."
    )
    # Money as people read it, "1,234.50": thousands grouped, cents kept; still sortable.
    money = {f"Last order value ({sym})": "accounting", f"Revenue ({sym})": "accounting"}
    cards.drill_down(shown, name="inactive_customers", key="ret_inactive_list", formats=money)
