"""Blocks of the Acquisition and Revenue pages: their KPI cards and the widgets they need.

Each card reads :mod:`kpi.acquisition`, :mod:`kpi.revenue` or :mod:`kpi.base` for the range
and for the range of the same length just before it, and says how its number was made: the
formula in words with its inputs, and the rows behind it. A card whose table or column is
missing says what would unlock it (the KpiError's message) instead of disappearing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from kpi import acquisition as acq
from kpi import base
from kpi import revenue as rev
from kpi.errors import KpiError
from kpi.filters import FilterSplitError, scope_note
from kpi.periods import PERIOD_LABELS, in_days
from kpi.reduce import Reductions
from ui import caching, cards, state
from ui import format as fmt
from ui import growth_charts as charts
from ui.frame import View

MARGIN_KEY = "rev_margin"
T = TypeVar("T")

# The pages' KPIs, cached (ui/caching.py): each is the kpi function itself, called with the
# same arguments, so a new session on the sample and a rerun find the numbers already made
# (the filtered tables are the very same frames for the same selection, so the keys hit).
# Only small results are kept: KPI results, per-period and per-channel tables. The rows
# behind a card are per-row frames: they are cut again on each run, never cached.
cac = caching.kept(acq.cac)
cpl = caching.kept(acq.cpl)
lead_conversion_rate = caching.kept(acq.lead_conversion_rate)
referral_rate = caching.kept(acq.referral_rate)
# per won deal, not per row: kept for the histogram of the Touches tab
touches_to_close = caching.kept(acq.touches_to_close, 8)
marketing_response_by_channel = caching.kept(acq.marketing_response_by_channel)
marketing_response_rate = caching.kept(acq.marketing_response_rate)
cac_series = caching.kept(acq.cac_series)
cac_by_channel = caching.kept(acq.cac_by_channel)
lead_funnel = caching.kept(acq.lead_funnel)
acquisition_share_by_source = caching.kept(acq.acquisition_share_by_source)
# Home and Revenue: the headline figures of a range, their change, revenue per period
headline = caching.kept(base.headline)
headline_change = caching.kept(base.headline_change)
revenue_series = caching.kept(base.revenue_series)


def previous(view: View) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The range of the same length just before the view's, or None when it would begin
    before the data does: a change against a range only partly covered by the data (the
    whole history against nothing, say) would mislead."""
    prev_start, prev_end = base.previous_window(view.start, view.end)
    if prev_start < pd.Timestamp(view.data_start).normalize():
        return None
    return prev_start, prev_end


def before(view: View, compute: Callable[[pd.Timestamp, pd.Timestamp], T]) -> T | None:
    """``compute(start, end)`` over the previous range, None when there is none."""
    window = previous(view)
    return None if window is None else compute(*window)


def points_delta(now: float | None, before: float | None) -> str | None:
    """Difference of two shares in percentage points: ``+1.2 pts``; None when either is
    unknown. A rate's change is never shown as a relative per cent.

    >>> points_delta(0.32, 0.30), points_delta(0.3, None)
    ('+2.0 pts', None)
    """
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return f"{100 * (now - before):+.1f} pts"


def _change_note(view: View) -> str:
    window = previous(view)
    if window is None:
        return (
            f" No change shown: the {fmt.number((view.end - view.start).days + 1)} days before "
            f"the range begin before your data ({fmt.day(view.data_start)})."
        )
    return f" Change against {fmt.day(window[0])} – {fmt.day(window[1])}."


def _guarded(label: str, build: Callable[[], cards.Card]) -> cards.Card:
    """The card ``build`` makes, or one that says what the data lacks (or which filter the
    card cannot follow)."""
    try:
        return build()
    except FilterSplitError as err:
        return cards.Card(label, fmt.DASH, note=str(err))
    except KpiError as err:
        return cards.missing_card(label, str(err))


def scoped(card: cards.Card, view: View, *tables: str) -> cards.Card:
    """``card`` saying so when an active filter could not reach its ``tables`` (it then
    covers every channel, segment or region)."""
    note = scope_note(**{t: view.tables.get(t) for t in tables})
    if note is None:
        return card
    return dataclasses.replace(
        card,
        note=note if card.note is None else f"{card.note} · {note}",
        help=f"{card.help} {note}" if card.help else note,
    )


# --------------------------------------------------------------------------------------------
# Acquisition cards


def spend_kinds(spend: pd.DataFrame) -> pd.Series | None:
    """:func:`kpi.acquisition.spend_kinds`, once per spend table: kept with the table while it
    lives (:meth:`kpi.reduce.Reductions.cached`), not in a cache of its own, as it has a value
    per row. Read it, never change it."""
    return Reductions.of_orders(spend).cached(
        "acquisition spend kinds", lambda: acq.spend_kinds(spend)
    )


def acquisition_spend_rows(
    spend: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, *, marketing_only: bool = False
) -> pd.DataFrame:
    """The spend rows of the range that count for CAC (sales and marketing when the kind is
    known), or for CPL (``marketing_only``: marketing rows when the kind is known)."""
    kinds = spend_kinds(spend)
    mask = in_days(spend["date"], start, end)
    if kinds is not None:
        keep = kinds == acq.MARKETING if marketing_only else kinds != "other"
        mask &= keep.fillna(False).astype(bool)
    return spend[mask.to_numpy(dtype=bool)]


def _spend_and(spend_rows: pd.DataFrame, other: pd.DataFrame, other_name: str) -> pd.DataFrame:
    """Spend rows and the rows they are divided by, in one table with an "Item" column."""
    shown = [c for c in ("date", "channel", "kind", "amount") if c in spend_rows.columns]
    left = spend_rows[shown].assign(item="Spend")
    right = other.assign(item=other_name)
    return pd.concat([left, right], ignore_index=True)[
        ["item", *shown, *[c for c in right.columns if c not in shown and c != "item"]]
    ]


def cac_card(view: View) -> cards.Card:
    label = "CAC"
    if not view.has("spend"):
        return cards.missing_card(
            label,
            "CAC needs a spend table with columns date and amount (channel and kind "
            "split it further), and orders to count new customers.",
        )
    if not view.has("orders"):
        return cards.missing_card(
            label,
            "CAC needs an orders table (customer_id, order_date, amount) to count new customers.",
        )

    def build() -> cards.Card:
        spend, orders = view.tables["spend"], view.tables["orders"]
        customers = view.tables.get("customers")
        now = cac(spend, orders, customers, start=view.start, end=view.end)
        then = before(view, lambda s, e: cac(spend, orders, customers, start=s, end=e))
        split = ""
        if now.sales_spend is not None:
            split = (
                f" (sales {view.money(now.sales_spend)}, marketing "
                f"{view.money(now.marketing_spend)})"
            )
        starts = base.customer_starts(orders, customers)
        new = starts[in_days(starts, view.start, view.end)]
        channels = acq.acquisition_channels(orders, customers).reindex(new.index)
        acquired = pd.DataFrame(
            {
                "customer_id": new.index.astype(str),
                "acquired": new.to_numpy(),
                "channel": channels.to_numpy(),
            }
        )
        rows = _spend_and(
            acquisition_spend_rows(spend, view.start, view.end), acquired, "New customer"
        )
        card = cards.Card(
            label,
            view.money(now.cac),
            change=base.relative_change(now.cac, getattr(then, "cac", None)),
            lower_is_better=True,
            help=f"Sales and marketing spend divided by new customers: "
            f"{view.money(now.spend)}{split} / {fmt.number(now.new_customers)} new customers."
            + _change_note(view),
            rows=rows,
            key="acq_cac",
        )
        return scoped(card, view, "spend", "orders")

    return _guarded(label, build)


def cpl_card(view: View) -> cards.Card:
    label = "CPL"
    if not (view.has("spend") and view.has("leads")):
        return cards.missing_card(
            label,
            "CPL needs a spend table (date, amount) and a leads table (lead_id, created_date).",
        )

    def build() -> cards.Card:
        spend, leads = view.tables["spend"], view.tables["leads"]
        now = cpl(spend, leads, start=view.start, end=view.end)
        then = before(view, lambda s, e: cpl(spend, leads, start=s, end=e))
        what = "Marketing spend" if now.basis == acq.MARKETING else "All spend (no kind column)"
        created = leads[in_days(leads["created_date"], view.start, view.end).to_numpy()]
        rows = _spend_and(
            acquisition_spend_rows(spend, view.start, view.end, marketing_only=True),
            created,
            "Lead",
        )
        card = cards.Card(
            label,
            view.money(now.cpl),
            change=base.relative_change(now.cpl, getattr(then, "cpl", None)),
            lower_is_better=True,
            help=f"{what} divided by new leads: {view.money(now.spend)} / "
            f"{fmt.number(now.leads)} leads created." + _change_note(view),
            rows=rows,
            key="acq_cpl",
        )
        return scoped(card, view, "spend", "leads")

    return _guarded(label, build)


def conversion_card(view: View) -> cards.Card:
    label = "Lead conversion"
    if not view.has("leads"):
        return cards.missing_card(
            label,
            "Lead conversion needs a leads table (lead_id, "
            "created_date, converted_date; qualified if you track it).",
        )

    def build() -> cards.Card:
        leads = view.tables["leads"]
        now = lead_conversion_rate(leads, start=view.start, end=view.end)
        then = before(view, lambda s, e: lead_conversion_rate(leads, start=s, end=e))
        pool = (
            "qualified leads (a won lead counts as qualified)"
            if now.basis == "qualified"
            else "leads"
        )
        card = cards.Card(
            label,
            fmt.percent(now.rate),
            delta=points_delta(now.rate, getattr(then, "rate", None)),
            help=f"Leads won divided by {pool}, for leads created in the range: "
            f"{fmt.number(now.converted)} won / {fmt.number(now.leads)}. Leads of a recent "
            "range may still convert." + _change_note(view),
            rows=leads[in_days(leads["created_date"], view.start, view.end).to_numpy()],
            key="acq_conversion",
        )
        return scoped(card, view, "leads")

    return _guarded(label, build)


def referral_card(view: View) -> cards.Card:
    label = "Referral rate"
    if not view.has("orders"):
        return cards.missing_card(
            label,
            "The referral rate needs orders (active customers) "
            "and leads with a source column (referral).",
        )

    def build() -> cards.Card:
        orders = view.tables["orders"]
        leads, customers = view.tables.get("leads"), view.tables.get("customers")
        now = referral_rate(
            orders, leads=leads, customers=customers, start=view.start, end=view.end
        )
        then = before(
            view,
            lambda s, e: referral_rate(orders, leads=leads, customers=customers, start=s, end=e),
        )
        if now.basis == "leads":
            rows = acq.referral_leads(leads, start=view.start, end=view.end)
            what = "referral leads"
        else:
            new = acq.referred_new_customers(orders, customers, start=view.start, end=view.end)
            rows = pd.DataFrame({"customer_id": new.index.astype(str), "acquired": new.to_numpy()})
            what = "customers won by referral"
        card = cards.Card(
            label,
            fmt.percent(now.rate),
            delta=points_delta(now.rate, getattr(then, "rate", None)),
            help=f"New {what} divided by active customers: {fmt.number(now.referrals)} / "
            f"{fmt.number(now.active_customers)} customers with an order in the range."
            + _change_note(view),
            rows=rows,
            key="acq_referral",
        )
        return scoped(card, view, "orders", *(["leads"] if now.basis == "leads" else []))

    return _guarded(label, build)


def touches_card(view: View) -> tuple[cards.Card, acq.TouchesToClose | None]:
    """The touches-to-close card, and the result for the charts (None when unavailable)."""
    label = "Touches to close"
    if not (view.has("touches") and view.has("leads")):
        why = (
            "Touches to close needs a touches table (date, lead_id; touch_type splits it) "
            "and leads with converted_date."
        )
        return cards.missing_card(label, why), None
    touches, leads = view.tables["touches"], view.tables["leads"]
    try:
        now = touches_to_close(touches, leads, start=view.start, end=view.end)
        then = before(view, lambda s, e: touches_to_close(touches, leads, start=s, end=e))
    except KpiError as err:
        return cards.missing_card(label, str(err)), None
    total = int(now.per_deal.sum())
    won = leads.drop_duplicates("lead_id").set_index("lead_id")["converted_date"]
    rows = pd.DataFrame(
        {
            "lead_id": now.per_deal.index.astype(str),
            "touches": now.per_deal.to_numpy(),
            "converted_date": won.reindex(now.per_deal.index).to_numpy(),
        }
    )
    left_out = ""
    if now.deals_without_touches:
        left_out = (
            f" {fmt.number(now.deals_without_touches)} won leads without any logged "
            "touch are left out."
        )
    card = cards.Card(
        label,
        fmt.number(now.mean, 1),
        change=base.relative_change(now.mean, getattr(then, "mean", None)),
        lower_is_better=True,
        help=f"Touches (calls, e-mails, meetings...) logged up to the day each lead was won, "
        f"averaged over won deals: {fmt.number(total)} touches / {fmt.number(now.deals)} "
        f"deals; median {fmt.number(now.median, 1)}." + left_out + _change_note(view),
        rows=rows,
        key="acq_touches",
        note=f"Median {fmt.number(now.median, 1)} · {fmt.number(now.deals)} deals",
    )
    return scoped(card, view, "touches", "leads"), now


def response_card(view: View) -> cards.Card:
    """Marketing response: inbound responses / outbound contacts, per campaign or touch type."""
    label = "Marketing response"
    if not view.has("touches", "direction"):
        return cards.missing_card(
            label,
            "The marketing response rate needs a touches table with date, direction (inbound, "
            "outbound) and touch_type or campaign.",
        )

    def build() -> cards.Card:
        touches = view.tables["touches"]
        table = marketing_response_by_channel(touches, start=view.start, end=view.end)
        rate = marketing_response_rate(touches, start=view.start, end=view.end)
        then = before(
            view, lambda s, e: _or_none(lambda: marketing_response_rate(touches, start=s,
                                                                            end=e))
        )  # fmt: skip
        per = ", ".join(f"{name} {fmt.percent(r)}" for name, r in table["response_rate"].items())
        card = cards.Card(
            label,
            fmt.percent(rate),
            delta=points_delta(rate, then),
            help=f"Inbound responses divided by outbound contacts, over the channels you "
            f"reached out on: {fmt.number(table['responses'].sum())} / "
            f"{fmt.number(table['contacts'].sum())}. Per channel: {per}. Responses are "
            "counted per channel, not matched to the contact they answer." + _change_note(view),
            rows=table.reset_index(),
            key="acq_response",
        )
        return scoped(card, view, "touches")

    return _guarded(label, build)


def _or_none(compute: Callable[[], T]) -> T | None:
    try:
        return compute()
    except KpiError:
        return None


# --------------------------------------------------------------------------------------------
# Revenue cards


def margin_input(view: View) -> float | None:
    """The gross-margin input, shown when orders carry no cost; the margin as a fraction."""
    if view.has("orders", "cost"):
        return None
    with st.container(border=True):
        st.caption(
            "Your orders have no cost column, so profit is estimated as revenue × a gross "
            "margin. Set yours here, or add the cost of each order on the Data page."
        )
        pct = st.number_input(
            "Gross margin (%)",
            min_value=-100.0,
            max_value=100.0,
            step=1.0,
            format="%.0f",
            **state.bind("s_rev_margin"),
            help="Revenue minus the direct cost of delivering it, as a share of revenue.",
        )
    return float(pct) / 100


def revenue_cards(view: View, margin: float | None) -> tuple[list[cards.Card], object]:
    """Revenue, ARPU, AOV, repeat customer rate, profit per customer and the top-20 % share.

    Returns the cards and the range's :class:`kpi.revenue.Profitability` (or the KpiError
    that prevented it) for the Pareto view.
    """
    orders = view.tables["orders"]
    window = base.orders_in_range(orders, start=view.start, end=view.end)
    # one counting pass per range (kpi.base.headline) instead of a group-by per figure
    now = headline(orders, start=view.start, end=view.end)
    then = before(view, lambda s, e: headline(orders, start=s, end=e))

    def earlier(key: str) -> float | None:
        return None if then is None else then[key]

    note = _change_note(view)
    total, n_orders = float(now["revenue"] or 0.0), int(now["orders"] or 0)
    active, refunds = int(now["active_customers"] or 0), int(now["refunds"] or 0)
    arpu, aov = now["arpu"], now["average_order_value"]
    repeat = now["repeat_customer_rate"]
    repeaters = round(repeat * active) if repeat is not None else 0
    out = [
        cards.Card(
            "Revenue",
            view.money(total),
            change=base.relative_change(total, earlier("revenue")),
            help=f"Sum of order amounts, net of refunds: {fmt.number(n_orders)} orders and "
            f"{fmt.number(refunds)} refunds come to {view.money(total)}." + note,
            rows=window,
            key="rev_revenue",
        ),
        cards.Card(
            "ARPU",
            view.money(arpu),
            change=base.relative_change(arpu, earlier("arpu")),
            help=f"Revenue divided by active customers: {view.money(total)} / "
            f"{fmt.number(active)} customers with an order." + note,
            rows=window,
            key="rev_arpu",
        ),
        cards.Card(
            "Average order value",
            view.money(aov),
            change=base.relative_change(aov, earlier("average_order_value")),
            help=f"Revenue divided by orders (refunds lower revenue, but are not orders): "
            f"{view.money(total)} / {fmt.number(n_orders)} orders." + note,
            rows=window,
            key="rev_aov",
        ),
        cards.Card(
            "Repeat customer rate",
            fmt.percent(repeat),
            delta=points_delta(repeat, earlier("repeat_customer_rate")),
            help=f"Customers with two or more orders divided by customers with at least one: "
            f"{fmt.number(repeaters)} / {fmt.number(active)}." + note,
            rows=window,
            key="rev_repeat",
        ),
    ]
    try:
        prof = rev.profit_per_customer(orders, start=view.start, end=view.end, margin=margin)
        then = before(
            view,
            lambda s, e: rev.profit_per_customer(orders, start=s, end=e, margin=margin),
        )
    except KpiError as err:
        out += [
            cards.missing_card("Profit per customer", str(err)),
            cards.missing_card("Profit from the top 20 %", str(err)),
        ]
        return out, err
    basis = {
        "cost": "order cost",
        "margin": f"a gross margin of {fmt.percent(margin, 0)}",
        "cost and margin": f"order cost, or a {fmt.percent(margin, 0)} margin where it is blank",
    }[prof.basis]
    unknown = ""
    if prof.customers_without_cost:
        unknown = (
            f" {fmt.number(prof.customers_without_cost)} customers with orders of "
            "unknown cost are left out."
        )
    per = prof.per_customer.reset_index()
    out += [
        cards.Card(
            "Profit per customer",
            view.money(prof.mean),
            change=base.relative_change(prof.mean, getattr(then, "mean", None)),
            help=f"Revenue minus cost ({basis}) per customer, averaged: "
            f"{view.money(prof.total)} profit / {fmt.number(prof.customers)} customers."
            + unknown
            + note,
            rows=per,
            key="rev_profit",
        ),
        cards.Card(
            "Profit from the top 20 %",
            fmt.percent(prof.top_share),
            delta=points_delta(prof.top_share, getattr(then, "top_share", None)),
            help="Share of the total profit earned by the most profitable 20 % of customers "
            f"({fmt.number(prof.customers)} customers, {view.money(prof.total)} profit); "
            "above 100 % when loss-making customers pull the total down." + note,
            rows=per[per["band"] == rev.BANDS[0]],
            key="rev_top_share",
        ),
    ]
    return out, prof


@caching.cached(max_entries=16, ttl=3600, show_spinner=False)
def revenue_over_time(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    period: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> dict[str, pd.DataFrame | str]:
    """The Revenue page's per-period tables, cached: ``by_type``, ``series``, ``split``.

    A widget move elsewhere on the page does not recompute them (at a million orders each
    is a pass over every order). A table the data cannot give is the message saying why.
    """
    makers: dict[str, Callable[[], pd.DataFrame]] = {
        "by_type": lambda: rev.revenue_by_type_series(orders, period=period, start=start, end=end),
        "series": lambda: base.revenue_series(
            orders, customers, period=period, start=start, end=end
        ),
        "split": lambda: rev.new_and_returning_series(orders, period=period, start=start, end=end),
    }
    out: dict[str, pd.DataFrame | str] = {}
    for name, make in makers.items():
        try:
            out[name] = make()
        except KpiError as err:
            out[name] = str(err)
    return out


def table_or_note(table: pd.DataFrame | str) -> pd.DataFrame | None:
    """The table, or None after showing the message of why there is none."""
    if isinstance(table, str):
        st.info(fmt.md(table), icon=":material/info:")
        return None
    return table


def band_table(summary: pd.DataFrame, view: View) -> None:
    """The profitability bands as a table: customers, revenue, profit, share of profit."""
    shown = summary.assign(
        band=summary["band"].map(lambda b: charts.BAND_NAMES.get(b, b)),
        customers=summary["customers"].map(fmt.number),
        revenue=summary["revenue"].map(view.money),
        profit=summary["profit"].map(view.money),
        profit_share=summary["profit_share"].map(fmt.percent),
    )
    names = {
        "band": "Band",
        "customers": "Customers",
        "revenue": "Revenue",
        "profit": "Profit",
        "profit_share": "Share",
    }
    st.table(shown.rename(columns=names), hide_index=True)


# The Revenue page's tabs.


def revenue_time_block(view: View, over_time: dict) -> None:
    """Revenue by type across the page; ARPU and order value, and new against returning."""
    per = PERIOD_LABELS[view.period].lower()
    st.subheader(f"Revenue by type per {per}")
    if (wide := table_or_note(over_time["by_type"])) is not None:
        fig = charts.revenue_stack(wide, period=view.period, currency=view.currency, span=1)
        st.plotly_chart(fig, width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader(f"ARPU and average order value per {per}")
        if (series := table_or_note(over_time["series"])) is not None:
            fig = charts.arpu_aov_over_time(series, period=view.period, currency=view.currency)
            st.plotly_chart(fig, width="stretch")
    with right:
        st.subheader(f"New against returning customers per {per}")
        if (wide := table_or_note(over_time["split"])) is not None:
            fig = charts.revenue_stack(
                wide, period=view.period, currency=view.currency, names=charts.CUSTOMER_NAMES
            )
            st.plotly_chart(fig, width="stretch")
            st.caption("New: sales on a customer's first order day; returning: every later sale.")


def profit_block(view: View, prof: object) -> None:
    """The profit curve and the profitability bands, or why there are none."""
    if isinstance(prof, rev.Profitability) and prof.top_share is not None:
        left, right = st.columns(2)
        left.plotly_chart(charts.pareto_curve(prof), width="stretch")
        with right:
            band_table(rev.profit_bands(prof), view)
            st.caption(
                f"The most profitable 20 % of customers earn {fmt.percent(prof.top_share)} of "
                f"the profit of {view.money(prof.total)}."
            )
    elif isinstance(prof, rev.Profitability):
        st.info(
            "The total profit of this range is not positive, so there is no share of it "
            "to draw; see the rows behind the profit card."
        )
    else:
        st.info(fmt.md(str(prof)), icon=":material/info:")


def cash_block(view: View) -> None:
    """Net cash as a waterfall, beside its number and how it is made."""
    cash = rev.net_cash(view.tables["cashflow"], start=view.start, end=view.end)
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.net_cash_waterfall(cash, currency=view.currency), width="stretch")
    right.metric(
        "Net cash",
        view.money(cash.net_cash),
        border=True,
        help="Operating cash flow minus investments minus the increase in working capital: "
        f"{view.money(cash.operating_cash_flow)} - {view.money(cash.investments)} - "
        f"{view.money(cash.working_capital_change)}.",
    )
    if cash.missing:
        right.caption(f"Taken as 0 (no such column): {', '.join(cash.missing)}.")
