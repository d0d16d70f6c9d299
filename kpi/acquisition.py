"""Acquisition KPIs: CAC, CPL, conversion, sources, touches to close, referrals, organic growth.

KPI_CATALOGUE.md, section "Acquisition". The functions take canonical tables with their full
history and filter by ``start`` and ``end`` (inclusive calendar days, None: unbounded) inside:

    spend:   date, amount; channel, kind (sales, marketing)
    leads:   lead_id, created_date; source, qualified, converted_date, customer_id, owner
    touches: date; lead_id, customer_id, touch_type, ...
    orders:  customer_id, order_date, amount; channel, revenue_type, ...
    customers: customer_id; signup_date, channel, referred_by, end_date, ...

New customers of a range are those whose acquisition date falls in it (``kpi.base.
customer_starts``: signup date, else first order). A customer's acquisition channel is
customers.channel, else the channel of the customer's first order (``acquisition_channels``).
Category values (spend kind, lead source, touch type) are compared after trimming and lowering
case, with spaces and hyphens read as underscores ("Cold call" is ``cold_call``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpi.base import (
    NONE_YET,
    OrderWindow,
    check_orders,
    customer_codes,
    customer_starts,
    headline,
    id_positions,
    per_code,
)
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.filters import check_same_split
from kpi.labels import canonical
from kpi.periods import Period, check_period, in_days, period_start, series_index
from kpi.reduce import Reductions, reductions_for
from kpi.report import Section, labelled, plain
from kpi.support import touch_directions

SALES = "sales"
MARKETING = "marketing"
REFERRAL_SOURCES = ("referral", "referrals", "referred", "word_of_mouth")
EXPANSION_TYPES = ("upsell", "cross_sell")
UNKNOWN = "unknown"
_DATA_PAGE = "on the Data page"
KEYS = (
    "cac",
    "cac_by_channel",
    "cpl",
    "lead_conversion_rate",
    "acquisition_share_by_source",
    "touches_to_close",
    "referral_rate",
    "organic_growth_rate",
    "marketing_response_rate",
    "marketing_response_rate_by_channel",
)


# --------------------------------------------------------------------------------------------
# Small helpers


def _require(table: pd.DataFrame, name: str, columns: Sequence[str], kpi: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{kpi} needs a {name} table with columns {', '.join(columns)}; "
            f"{', '.join(missing)} missing. Map {'it' if len(missing) == 1 else 'them'} "
            f"{_DATA_PAGE}."
        )


def normalise(values: pd.Series) -> pd.Series:
    """Category text trimmed, lower case, spaces and hyphens as underscores; blanks stay NA.

    >>> normalise(pd.Series([" Cold call", "in-person", None])).tolist()
    ['cold_call', 'in_person', <NA>]
    """
    text = values.astype("string").str.strip().str.lower()
    text = text.str.replace(r"[\s\-]+", "_", regex=True)
    return text.where(text.notna() & (text != ""))


def _flag(values: pd.Series) -> pd.Series:
    """Nullable flags as plain booleans, blank = False."""
    return values.astype("boolean").fillna(False).astype(bool)


def _per_period(
    dates: pd.Series, values: pd.Series | None, p: Period, index: pd.DatetimeIndex
) -> pd.Series:
    """Sum of ``values`` (count of rows when None) per period start, 0 for empty periods."""
    if values is None:
        values = pd.Series(1.0, index=dates.index)
    if dates.empty:
        return pd.Series(0.0, index=index)
    keys = period_start(dates, p).to_numpy()
    summed = pd.Series(values.to_numpy(dtype=float), index=keys).groupby(level=0).sum()
    return summed.reindex(index, fill_value=0.0)


# --------------------------------------------------------------------------------------------
# Spend and CAC


def spend_kinds(spend: pd.DataFrame) -> pd.Series | None:
    """Each spend row as ``sales``, ``marketing`` or ``other``; None when the table cannot say.

    None when there is no ``kind`` column, or when none of its values reads as sales or
    marketing (then every row is taken as acquisition spend of unknown kind).

    >>> spend_kinds(pd.DataFrame({"kind": ["Sales", "marketing", "rent"]})).tolist()
    ['sales', 'marketing', 'other']
    """
    if "kind" not in spend.columns:
        return None
    kind = normalise(spend["kind"])
    known = kind.isin([SALES, MARKETING])
    if not known.any():
        return None
    return kind.where(known, "other").astype("string")


@dataclass(frozen=True)
class Cac:
    """CAC and its inputs. ``sales_spend`` and ``marketing_spend`` are None without spend.kind."""

    cac: float | None
    spend: float
    new_customers: int
    sales_spend: float | None = None
    marketing_spend: float | None = None
    span_start: pd.Timestamp | None = field(default=None, compare=False)
    span_end: pd.Timestamp | None = field(default=None, compare=False)
    acquired_outside_span: int = 0


def spend_span(spend: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The days the spend table covers: from the first day of the month of its first record
    to the later of the end of its last record's month and the day before the next record
    would fall (last date + the median step between dates). None without a dated row.

    Spend is booked at dates (an invoice, a month's total) but pays for the days around
    them, hence whole months at both ends.

    >>> quarterly = pd.DataFrame({"date": pd.to_datetime(["2025-01-15", "2025-04-15"])})
    >>> [d.strftime("%Y-%m-%d") for d in spend_span(quarterly)]
    ['2025-01-01', '2025-07-13']
    """
    days = pd.DatetimeIndex(pd.to_datetime(spend["date"]).dropna().dt.normalize().unique())
    if days.empty:
        return None
    days = days.sort_values()
    first = days[0].replace(day=1)
    last = days[-1] + pd.offsets.MonthEnd(0)
    if len(days) > 1:
        step = pd.Series(days[1:] - days[:-1]).median()
        if days[0].day == 1 and (days.day == 1).all() and step >= pd.Timedelta(days=28):
            # month starts: each record covers its month (or quarter, year)
            months = max(1, round(step / pd.Timedelta(days=30.44)))
            step = (days[-1] + pd.DateOffset(months=months)) - days[-1]
        last = max(last, days[-1] + step - pd.Timedelta(days=1))
    return pd.Timestamp(first), pd.Timestamp(last)


def _within_span(
    starts: pd.Series, spend: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> tuple[np.ndarray, int, tuple[pd.Timestamp, pd.Timestamp] | None]:
    """Customers acquired in the range and within the spend's span; how many in the range
    fall outside it; the span."""
    in_range = in_days(starts, start, end).to_numpy(dtype=bool)
    span = spend_span(spend)
    if span is None:
        return in_range, 0, None
    inside = in_range & in_days(starts, span[0], span[1]).to_numpy(dtype=bool)
    return inside, int(in_range.sum() - inside.sum()), span


def _acquisition_spend(spend: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """Spend rows that count towards acquisition: sales and marketing when the kind is known."""
    _require(spend, "spend", ("date", "amount"), kpi)
    kinds = spend_kinds(spend)
    frame = pd.DataFrame(
        {"date": spend["date"], "amount": spend["amount"].astype(float).fillna(0.0)},
        index=spend.index,
    )
    frame["kind"] = kinds if kinds is not None else pd.Series(pd.NA, index=spend.index)
    if "channel" in spend.columns:
        frame["channel"] = spend["channel"].astype("string")
    if kinds is not None:
        frame = frame[frame["kind"] != "other"]
    return frame


def cac(
    spend: pd.DataFrame,
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> Cac:
    """CAC = (sales + marketing spend in range) / new customers in range.

    Catalogue variant: "CAC, customer acquisition cost", with new customers from the signup
    date when customers has one, else from each customer's first ever order. When spend has
    a ``kind`` column naming sales and marketing, rows of other kinds are left out and the
    two parts are reported; without it every spend row counts. ``cac`` is None when no
    customer was acquired in the range. Only customers acquired within the span of the spend
    table (:func:`spend_span`) count: one acquired before the first spend record, or after
    the last one's period, was not paid for by this spend and would lower CAC;
    ``acquired_outside_span`` says how many were left out. Catalogue KPI ``cac``
    (KPI_CATALOGUE.md, Acquisition).

    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-01"]), "amount": [48_000.0]})
    >>> orders = pd.DataFrame({"customer_id": [f"c{i}" for i in range(120)], "amount": 1.0,
    ...                        "order_date": pd.Timestamp("2025-01-15")})
    >>> cac(spend, orders).cac
    400.0
    """
    check_same_split("cac", spend=spend, orders=orders, customers=customers)
    frame = _acquisition_spend(spend, "cac")
    frame = frame[in_days(frame["date"], start, end)]
    starts = customer_starts(orders, customers, reductions=reductions)
    inside, outside, span = _within_span(starts, spend, start, end)
    new = int(inside.sum())
    total = float(frame["amount"].sum())
    parts = {}
    if spend_kinds(spend) is not None:
        parts = {
            "sales_spend": float(frame.loc[frame["kind"] == SALES, "amount"].sum()),
            "marketing_spend": float(frame.loc[frame["kind"] == MARKETING, "amount"].sum()),
        }
    return Cac(
        cac=total / new if new else None,
        spend=total,
        new_customers=new,
        **parts,
        span_start=None if span is None else span[0],
        span_end=None if span is None else span[1],
        acquired_outside_span=outside,
    )


def acquisition_channels(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    reductions: Reductions | None = None,
) -> pd.Series:
    """Acquisition channel per customer: customers.channel, else the channel of the first order.

    Returns a Series indexed by customer_id (string values, sorted by customer); customers
    with neither are left out. Empty when no table has a channel column.

    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": 1.0,
    ...     "order_date": pd.to_datetime(["2025-02-01", "2025-01-01", "2025-01-03"]),
    ...     "channel": ["web", "ads", "ads"]})
    >>> customers = pd.DataFrame({"customer_id": ["b"], "channel": ["referral"]})
    >>> acquisition_channels(orders, customers).to_dict()
    {'a': 'ads', 'b': 'referral'}
    """
    facts = reductions_for(orders, reductions)  # one of the reductions: once per pair of tables

    def compute() -> pd.Series:
        return _acquisition_channels(orders, customers, facts)

    return facts.cached("acquisition channels", compute, [customers]).copy(deep=False)


def _acquisition_channels(
    orders: pd.DataFrame, customers: pd.DataFrame | None, reductions: Reductions
) -> pd.Series:
    result = pd.Series(dtype="string", index=pd.Index([], name="customer_id", dtype="string"))
    if "channel" in orders.columns:
        result = _first_order_channels(orders, reductions=reductions)
    if customers is not None and {"customer_id", "channel"} <= set(customers.columns):
        own = customers.dropna(subset=["channel"]).groupby("customer_id")["channel"].first()
        own = own.astype("string")
        at = result.index.get_indexer(own.index)  # -1: a customer without a first channel
        values = result.to_numpy(dtype=object, na_value=None).copy()
        values[at[at >= 0]] = own.to_numpy(dtype=object)[at >= 0]
        result = pd.Series(values, index=result.index, dtype="string")
        if (at < 0).any():
            result = pd.concat([result, own[at < 0]]).sort_index()
    result = result.astype("string")
    result.index.name = "customer_id"
    return result


def _first_order_channels(
    orders: pd.DataFrame, *, reductions: Reductions | None = None
) -> pd.Series:
    """The channel of each customer's earliest dated order with a channel (the first row
    among orders of that same instant), indexed by customer_id, sorted; by integer codes."""
    cc = customer_codes(orders, reductions)
    channel = orders["channel"]
    rows = np.flatnonzero(
        orders["order_date"].notna().to_numpy() & channel.notna().to_numpy() & (cc.codes >= 0)
    )
    code = cc.codes[rows]
    when = orders["order_date"].to_numpy()[rows].astype("datetime64[us]").astype(np.int64)
    n = len(cc.ids)
    earliest = per_code(np.minimum, code, when, n, NONE_YET)
    on_first = when == earliest[code]
    pick = per_code(np.minimum, code[on_first], rows[on_first], n, NONE_YET)
    found = np.flatnonzero(pick != NONE_YET)
    values = channel.iloc[pick[found]].to_numpy(dtype=object)
    return pd.Series(values, index=cc.ids[found], dtype="string")


def cac_by_channel(
    spend: pd.DataFrame,
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> pd.DataFrame:
    """CAC of a channel = channel spend in range / new customers acquired through that channel.

    Index ``channel`` (every channel with spend or new customers in the range, sorted); columns
    ``spend`` (0 when none recorded), ``new_customers`` (int) and ``cac`` (NaN when the channel
    acquired nobody). Spend rows without a channel and customers without an acquisition
    channel are left out, and so are customers acquired outside their own channel's spend
    span (:func:`spend_span` of that channel's rows; the whole table's for a channel without
    spend). Channels match as written in the data (trimmed).
    Raises SchemaError without spend.channel, or when no table gives an acquisition channel.
    """
    check_same_split("cac_by_channel", spend=spend, orders=orders, customers=customers)
    frame = _acquisition_spend(spend, "cac_by_channel")
    if "channel" not in frame.columns:
        raise SchemaError(
            "cac_by_channel needs a channel column in the spend table; map it "
            f"{_DATA_PAGE}, or add the channel to each spend row."
        )
    channels = acquisition_channels(orders, customers, reductions=reductions)
    has_channel = "channel" in orders.columns or (
        customers is not None and "channel" in customers.columns
    )
    if not has_channel:
        raise SchemaError(
            "cac_by_channel needs each customer's acquisition channel: a channel column in "
            f"the customers table (or in orders); map it {_DATA_PAGE}."
        )
    frame = frame[in_days(frame["date"], start, end) & frame["channel"].notna()]
    spent = frame.groupby(frame["channel"].str.strip())["amount"].sum()
    starts = customer_starts(orders, customers, reductions=reductions)
    own = channels.reindex(starts.index).str.strip()
    # each channel's customers count within that channel's own spend span (a channel whose
    # spend starts in June did not pay for May's customers); a channel without spend rows
    # takes the whole table's span
    inside = np.array(_within_span(starts, spend, start, end)[0], dtype=bool)
    booked = spend.loc[spend["channel"].notna()]
    for name, rows in booked.groupby(booked["channel"].astype("string").str.strip()):
        mine = (own == name).to_numpy(dtype=bool)
        inside[mine] = _within_span(starts[mine], rows, start, end)[0]
    acquired = own[inside].dropna().value_counts()
    out = pd.DataFrame({"spend": spent, "new_customers": acquired}).fillna(0.0)
    out["new_customers"] = out["new_customers"].astype(np.int64)
    out["spend"] = out["spend"].astype(float)
    out["cac"] = out["spend"] / out["new_customers"].where(out["new_customers"] > 0)
    out.index = pd.Index(out.index.astype(str), name="channel")
    return out.sort_index()


def cac_series(
    spend: pd.DataFrame,
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> pd.DataFrame:
    """CAC per period = acquisition spend in the period / customers acquired in the period.

    Index: every period start (DatetimeIndex ``period``) from ``start`` to ``end`` (else the
    first and last spend or acquisition date). Columns ``spend``, ``sales_spend``,
    ``marketing_spend`` (NaN without spend.kind), ``new_customers`` (int, acquired within the
    spend's span, :func:`spend_span`, as for :func:`cac`) and ``cac`` (NaN when nobody was
    acquired in the period). Empty periods are rows of 0.
    """
    check_same_split("cac", spend=spend, orders=orders, customers=customers)
    p = check_period(period)
    frame = _acquisition_spend(spend, "cac")
    frame = frame[in_days(frame["date"], start, end)]
    starts = customer_starts(orders, customers, reductions=reductions)
    # as in cac: only customers acquired within the spend's span were paid for by it
    starts = starts[_within_span(starts, spend, start, end)[0]]
    index = series_index([frame["date"], starts], start, end, p)
    out = pd.DataFrame(index=index)
    out["spend"] = _per_period(frame["date"], frame["amount"], p, index)
    if spend_kinds(spend) is not None:
        for kind, column in ((SALES, "sales_spend"), (MARKETING, "marketing_spend")):
            part = frame[frame["kind"] == kind]
            out[column] = _per_period(part["date"], part["amount"], p, index)
    else:
        out["sales_spend"] = np.nan
        out["marketing_spend"] = np.nan
    out["new_customers"] = _per_period(starts, None, p, index).astype(np.int64)
    out["cac"] = out["spend"] / out["new_customers"].where(out["new_customers"] > 0)
    return out


# --------------------------------------------------------------------------------------------
# Leads


@dataclass(frozen=True)
class Cpl:
    """CPL and its inputs; ``basis`` is "marketing" (spend.kind) or "all spend"."""

    cpl: float | None
    spend: float
    leads: int
    basis: str


def _marketing_spend(spend: pd.DataFrame, kpi: str) -> tuple[pd.DataFrame, str]:
    frame = _acquisition_spend(spend, kpi)
    if spend_kinds(spend) is None:
        return frame, "all spend"
    return frame[frame["kind"] == MARKETING], MARKETING


def cpl(
    spend: pd.DataFrame,
    leads: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> Cpl:
    """CPL = marketing spend in range / leads created in range.

    Catalogue variant: "CPL, cost per lead". Marketing spend is the rows of kind marketing
    when spend.kind says so; otherwise all spend (``basis`` "all spend"). None without leads.

    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-01-01"]),
    ...                       "amount": [3000.0, 1000.0], "kind": ["marketing", "sales"]})
    >>> leads = pd.DataFrame({"lead_id": list("abc"),
    ...                       "created_date": pd.to_datetime(["2025-01-02"] * 3)})
    >>> cpl(spend, leads).cpl
    1000.0
    """
    check_same_split("cpl", spend=spend, leads=leads)
    frame, basis = _marketing_spend(spend, "cpl")
    _require(leads, "leads", ("lead_id", "created_date"), "cpl")
    total = float(frame.loc[in_days(frame["date"], start, end), "amount"].sum())
    n = int(in_days(leads["created_date"], start, end).sum())
    return Cpl(cpl=total / n if n else None, spend=total, leads=n, basis=basis)


def cpl_series(
    spend: pd.DataFrame,
    leads: pd.DataFrame,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """CPL per period = marketing spend in the period / leads created in the period.

    Index: period starts (``period``) from ``start`` to ``end`` (else the first and last spend
    or lead date); columns ``spend``, ``leads`` (int), ``cpl`` (NaN without leads).
    """
    check_same_split("cpl", spend=spend, leads=leads)
    p = check_period(period)
    frame, _ = _marketing_spend(spend, "cpl")
    _require(leads, "leads", ("lead_id", "created_date"), "cpl")
    frame = frame[in_days(frame["date"], start, end)]
    created = leads["created_date"][in_days(leads["created_date"], start, end)]
    index = series_index([frame["date"], created], start, end, p)
    out = pd.DataFrame(index=index)
    out["spend"] = _per_period(frame["date"], frame["amount"], p, index)
    out["leads"] = _per_period(created, None, p, index).astype(np.int64)
    out["cpl"] = out["spend"] / out["leads"].where(out["leads"] > 0)
    return out


def converted_leads(leads: pd.DataFrame) -> pd.Series:
    """True for each lead that became a paying customer: it has a converted_date, or (without
    that column) a customer_id. Raises SchemaError when the table has neither column."""
    if "converted_date" in leads.columns:
        return leads["converted_date"].notna()
    if "customer_id" in leads.columns:
        return leads["customer_id"].notna()
    raise SchemaError(
        "lead conversion needs a converted_date (or customer_id) column in the leads table; "
        f"map the date each lead was won {_DATA_PAGE}."
    )


def _conversion_dates(leads: pd.DataFrame) -> pd.Series:
    """Date of each conversion (NaT for open leads): converted_date, else created_date."""
    if "converted_date" in leads.columns:
        return leads["converted_date"]
    return leads["created_date"].where(converted_leads(leads))


@dataclass(frozen=True)
class LeadConversion:
    """Lead conversion rate and its inputs; ``basis`` is "qualified" or "all leads"."""

    rate: float | None
    converted: int
    leads: int
    basis: str


def _qualified_basis(leads: pd.DataFrame) -> pd.Series | None:
    if "qualified" not in leads.columns or leads["qualified"].isna().all():
        return None
    return _flag(leads["qualified"])


def lead_conversion_rate(
    leads: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> LeadConversion:
    """Lead conversion rate = converted leads / qualified leads (all leads without the flag).

    Catalogue variant: leads created in the range (a cohort), converted at any time since, so
    the rate of a recent range still grows. With a ``qualified`` column the denominator is the
    leads flagged qualified plus any lead that converted without the flag (a won lead was
    qualified), so the rate never exceeds 1. None when no lead is in the denominator.

    >>> leads = pd.DataFrame({"lead_id": list("abcd"),
    ...     "created_date": pd.to_datetime(["2025-01-02"] * 4),
    ...     "converted_date": pd.to_datetime(["2025-01-09", None, None, None])})
    >>> lead_conversion_rate(leads).rate
    0.25
    """
    _require(leads, "leads", ("lead_id", "created_date"), "lead_conversion_rate")
    window = leads[in_days(leads["created_date"], start, end)]
    won = converted_leads(window)
    qualified = _qualified_basis(window)
    pool = pd.Series(True, index=window.index) if qualified is None else (qualified | won)
    n = int(pool.sum())
    k = int(won.sum())
    return LeadConversion(
        rate=k / n if n else None,
        converted=k,
        leads=n,
        basis="all leads" if qualified is None else "qualified",
    )


def lead_conversion_series(
    leads: pd.DataFrame,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Lead conversion rate per period of creation (see :func:`lead_conversion_rate`).

    Index: period starts (``period``); columns ``leads`` (all created), ``qualified``
    (the denominator: qualified or converted; equals ``leads`` without the flag),
    ``converted`` (all int) and ``rate`` (NaN for a period without leads).
    """
    p = check_period(period)
    _require(leads, "leads", ("lead_id", "created_date"), "lead_conversion_rate")
    window = leads[in_days(leads["created_date"], start, end)]
    won = converted_leads(window)
    qualified = _qualified_basis(window)
    pool = pd.Series(True, index=window.index) if qualified is None else (qualified | won)
    dates = window["created_date"]
    index = series_index([dates], start, end, p)
    out = pd.DataFrame(index=index)
    out["leads"] = _per_period(dates, None, p, index).astype(np.int64)
    out["qualified"] = _per_period(dates, pool.astype(float), p, index).astype(np.int64)
    out["converted"] = _per_period(dates, won.astype(float), p, index).astype(np.int64)
    out["rate"] = out["converted"] / out["qualified"].where(out["qualified"] > 0)
    return out


def lead_funnel(
    leads: pd.DataFrame,
    *,
    by: str = "source",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Leads, qualified and converted leads per value of ``by``, for leads created in range.

    Index: the values of ``by`` (blank as "unknown"), sorted by leads, most first; columns
    ``leads``, ``qualified`` (NaN without the flag; counts qualified or converted leads),
    ``converted`` and ``rate`` = converted / qualified (or / leads without the flag).
    """
    _require(leads, "leads", ("lead_id", "created_date", by), "the lead funnel")
    window = leads[in_days(leads["created_date"], start, end)]
    won = converted_leads(window)
    qualified = _qualified_basis(window)
    key = normalise(window[by]).fillna(UNKNOWN)
    frame = pd.DataFrame({"key": key, "leads": 1, "converted": won.astype(np.int64)})
    if qualified is not None:
        frame["qualified"] = (qualified | won).astype(np.int64)
    out = frame.groupby("key").sum()
    if qualified is None:
        out["qualified"] = np.nan
        out["rate"] = out["converted"] / out["leads"]
    else:
        out["rate"] = out["converted"] / out["qualified"].where(out["qualified"] > 0)
    out.index = pd.Index(out.index.astype(str), name=by)
    out = out[["leads", "qualified", "converted", "rate"]]
    return out.sort_values("leads", ascending=False, kind="stable")


def acquisition_share_by_source(
    leads: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Share of a source = conversions from that source / all conversions in range.

    Catalogue variant: "Acquisition share by outreach method", counting conversions dated in
    the range (converted_date; the created date when only customer_id marks a conversion).
    Index ``source`` (normalised; blank as "unknown"), sorted by conversions, most first;
    columns ``conversions`` (int) and ``share`` (0-1, summing to 1). Empty without conversions.

    >>> leads = pd.DataFrame({"lead_id": list("abcd"), "source": ["ads", "ads", "email", "web"],
    ...     "created_date": pd.Timestamp("2025-01-01"),
    ...     "converted_date": pd.to_datetime(["2025-01-05", "2025-01-06", "2025-01-07", None])})
    >>> acquisition_share_by_source(leads)["share"].round(3).to_dict()
    {'ads': 0.667, 'email': 0.333}
    """
    _require(leads, "leads", ("lead_id", "created_date", "source"), "acquisition_share_by_source")
    when = _conversion_dates(leads)
    won = leads[in_days(when, start, end)]
    counts = normalise(won["source"]).fillna(UNKNOWN).value_counts()
    counts = counts.rename_axis("source").sort_index()
    counts = counts.sort_values(ascending=False, kind="stable")
    out = pd.DataFrame({"conversions": counts.astype(np.int64)})
    out.index = pd.Index(out.index.astype(str), name="source")
    total = out["conversions"].sum()
    out["share"] = out["conversions"] / total if total else np.nan
    return out


# --------------------------------------------------------------------------------------------
# Touches to close


@dataclass(frozen=True)
class TouchesToClose:
    """Touches to close per won lead.

    ``per_deal``: Series lead_id -> touches (won leads with at least one touch);
    ``distribution``: Series touches -> number of deals (index ``touches``, sorted);
    ``by_type``: DataFrame indexed by ``touch_type`` with ``touches``, ``per_deal`` (touches of
    that type / deals) and ``share`` (of all touches to close), None without touch_type;
    ``deals_without_touches``: won leads in range with no recorded touch (left out).
    """

    mean: float | None
    median: float | None
    deals: int
    deals_without_touches: int
    per_deal: pd.Series
    distribution: pd.Series
    by_type: pd.DataFrame | None


def touches_to_close(
    touches: pd.DataFrame,
    leads: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> TouchesToClose:
    """TTC = touches of a won lead from its first touch up to its close, per won lead.

    Catalogue variant: mean and median over leads converted in the range, with the
    distribution and the split by touch type. A touch counts when its lead_id is the lead's
    and it is dated on or before the converted day (touches after the close are account
    management, not selling). Won leads without any recorded touch are left out and counted
    in ``deals_without_touches``: no touch logged is not the same as a sale with no touch.
    Catalogue KPI ``touches_to_close`` (KPI_CATALOGUE.md, Acquisition).
    """
    _require(touches, "touches", ("date", "lead_id"), "touches_to_close")
    _require(leads, "leads", ("lead_id", "converted_date"), "touches_to_close")
    won = leads[in_days(leads["converted_date"], start, end)]
    close = won.groupby("lead_id")["converted_date"].min()
    close = close.dt.normalize() + pd.Timedelta(days=1)
    t = touches[touches["lead_id"].isin(close.index)]
    t = t[t["date"].notna() & (t["date"] < close.reindex(t["lead_id"]).to_numpy())]
    per_deal = t.groupby("lead_id").size().astype(np.int64).rename("touches").sort_index()
    per_deal.index = pd.Index(per_deal.index.astype(str), name="lead_id")
    deals = len(per_deal)
    distribution = per_deal.value_counts().sort_index().rename("deals").astype(np.int64)
    distribution.index = pd.Index(distribution.index.astype(np.int64), name="touches")
    by_type = None
    if "touch_type" in touches.columns:
        kinds = normalise(t["touch_type"]).fillna(UNKNOWN)
        counts = kinds.value_counts().sort_index()
        by_type = pd.DataFrame({"touches": counts.astype(np.int64)})
        by_type.index = pd.Index(by_type.index.astype(str), name="touch_type")
        by_type["per_deal"] = by_type["touches"] / deals if deals else np.nan
        total = by_type["touches"].sum()
        by_type["share"] = by_type["touches"] / total if total else np.nan
    return TouchesToClose(
        mean=float(per_deal.mean()) if deals else None,
        median=float(per_deal.median()) if deals else None,
        deals=deals,
        deals_without_touches=len(close) - deals,
        per_deal=per_deal,
        distribution=distribution,
        by_type=by_type,
    )


# --------------------------------------------------------------------------------------------
# Marketing response


def marketing_response_by_channel(
    touches: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per campaign (a ``campaign`` column) or else per touch type: outbound contacts,
    inbound responses and response rate = responses / contacts, over touches in the range.

    Indexed by the normalised channel (named ``channel``, sorted), columns ``contacts`` and
    ``responses`` (int) and ``response_rate`` (float). Only channels with at least one
    outbound contact are listed: inbound touches of a channel nobody reached out on (ad
    clicks, walk-ins) answer no contact. Directions read as in
    :func:`kpi.support.touch_directions`; touches with another direction are left out.
    """
    kpi = "marketing_response_rate"
    _require(touches, "touches", ("date", "direction"), kpi)
    by = "campaign" if "campaign" in touches.columns else "touch_type"
    _require(touches, "touches", (by,), kpi)
    rows = touches[in_days(pd.to_datetime(touches["date"]), start, end).to_numpy(dtype=bool)]
    inbound, outbound = touch_directions(rows["direction"])
    channel = normalise(rows[by]).fillna(UNKNOWN).to_numpy(dtype=object)
    frame = pd.DataFrame(
        {"contacts": outbound.astype(np.int64), "responses": inbound.astype(np.int64)}
    )
    table = frame.groupby(channel, sort=True).sum().astype(np.int64)
    table = table[table["contacts"] > 0]
    table.index = pd.Index(table.index.astype(str), name="channel")
    table["response_rate"] = (table["responses"] / table["contacts"]).astype("float64")
    return table


def marketing_response_rate(
    touches: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> float:
    """Marketing response rate = inbound responses / outbound contacts, over the channels
    of :func:`marketing_response_by_channel` (those with an outbound contact in the range).

    Responses are counted per channel, not matched to the contact they answer, so a channel
    with more replies than sends reads above 1. Raises InsufficientDataError when no
    outbound touch is in the range.

    >>> t = pd.DataFrame({"date": pd.to_datetime(["2025-01-02"] * 5),
    ...                   "touch_type": ["email"] * 4 + ["ad"],
    ...                   "direction": ["outbound"] * 3 + ["inbound"] * 2})
    >>> round(marketing_response_rate(t), 4)
    0.3333
    """
    table = marketing_response_by_channel(touches, start=start, end=end)
    contacts = int(table["contacts"].sum())
    if contacts == 0:
        raise InsufficientDataError(
            "marketing_response_rate needs outbound touches (direction outbound) in the date "
            f"range; found none. Widen the date range or map the direction column {_DATA_PAGE}."
        )
    return int(table["responses"].sum()) / contacts


# --------------------------------------------------------------------------------------------
# Referrals and organic growth


def _is_referral(values: pd.Series, referral_sources: Sequence[str]) -> pd.Series:
    """True where a value reads as a referral source, in any of the eight languages
    ("recomandare", "рекомендация", "polecenie"...: compared as :func:`kpi.labels.canonical`
    reads them).

    Only the distinct values are read: a channel column holds a handful of them, repeated
    over every customer.
    """
    wanted = set(canonical(pd.Series(list(referral_sources), dtype="string")).dropna())
    distinct = pd.Series(values.dropna().unique())
    referral = distinct[canonical(distinct).isin(wanted).fillna(False).to_numpy(dtype=bool)]
    return pd.Series(values.isin(referral).to_numpy(dtype=bool), index=values.index)


def referral_customers(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    leads: pd.DataFrame | None = None,
    *,
    referral_sources: Sequence[str] = REFERRAL_SOURCES,
    reductions: Reductions | None = None,
) -> pd.Index:
    """Customers who came by referral: customers.referred_by filled, or an acquisition channel
    that reads as referral, or a converted lead of a referral source with a customer_id."""
    return (
        reductions_for(orders, reductions)
        .cached(
            f"referral_customers {tuple(referral_sources)}",
            lambda: _referral_customers(orders, customers, leads, referral_sources, reductions),
            [customers, leads],
        )
        .copy()
    )


def _referral_customers(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    leads: pd.DataFrame | None,
    referral_sources: Sequence[str],
    reductions: Reductions | None = None,
) -> pd.Index:
    found: list[pd.Series] = []
    if customers is not None and {"customer_id", "referred_by"} <= set(customers.columns):
        found.append(customers.loc[customers["referred_by"].notna(), "customer_id"].dropna())
    channels = acquisition_channels(orders, customers, reductions=reductions)
    found.append(pd.Series(channels.index[_is_referral(channels, referral_sources).to_numpy()]))
    if leads is not None and {"source", "customer_id"} <= set(leads.columns):
        ref = _is_referral(leads["source"], referral_sources) & leads["customer_id"].notna()
        found.append(leads.loc[ref, "customer_id"])
    ids = pd.concat([f.astype("string") for f in found], ignore_index=True).dropna().unique()
    return pd.Index(ids, name="customer_id", dtype="string").sort_values()


def referral_leads(
    leads: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    referral_sources: Sequence[str] = REFERRAL_SOURCES,
) -> pd.DataFrame:
    """The leads created in range whose source reads as referral (the rows behind the rate)."""
    window = leads[in_days(leads["created_date"], start, end).to_numpy()]
    return window[_is_referral(window["source"], referral_sources).to_numpy()]


def referred_new_customers(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    leads: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    referral_sources: Sequence[str] = REFERRAL_SOURCES,
    reductions: Reductions | None = None,
) -> pd.Series:
    """Acquisition date of each customer acquired in range who came by referral.

    Acquired as :func:`kpi.base.customer_starts`; by referral as :func:`referral_customers`.
    A Series indexed by customer_id, sorted.
    """
    starts = customer_starts(orders, customers, reductions=reductions)
    new = starts[in_days(starts, start, end).to_numpy()]
    referred = referral_customers(
        orders, customers, leads, referral_sources=referral_sources, reductions=reductions
    )
    return new[id_positions(referred, new.index.astype("string")) >= 0]


@dataclass(frozen=True)
class ReferralRate:
    """Referral rate and its inputs; ``basis`` is "leads" or "customers" (referred_by)."""

    rate: float | None
    referrals: int
    active_customers: int
    basis: str


def referral_rate(
    orders: pd.DataFrame,
    *,
    leads: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    referral_sources: Sequence[str] = REFERRAL_SOURCES,
    reductions: Reductions | None = None,
) -> ReferralRate:
    """Referral rate = referral leads created in range / active customers in range.

    Catalogue variant: leads whose source reads as referral (``referral_sources``), over
    customers with an order in the range. Without leads.source, the numerator is the
    customers acquired in the range who came by referral (customers.referred_by or a referral
    acquisition channel: ``basis`` "customers"). None without active customers.
    """
    active = int(
        headline(orders, start=start, end=end, reductions=reductions)["active_customers"] or 0
    )
    if leads is not None and {"created_date", "source"} <= set(leads.columns):
        check_same_split("referral_rate", leads=leads, orders=orders)
        n = len(referral_leads(leads, start=start, end=end, referral_sources=referral_sources))
        basis = "leads"
    else:
        has_referred = customers is not None and "referred_by" in customers.columns
        has_channel = "channel" in orders.columns or (
            customers is not None and "channel" in customers.columns
        )
        if not (has_referred or has_channel):
            raise SchemaError(
                "referral_rate needs a leads table with a source column (referral), or "
                "customers with referred_by; upload them "
                f"{_DATA_PAGE}."
            )
        n = len(
            referred_new_customers(
                orders,
                customers,
                start=start,
                end=end,
                referral_sources=referral_sources,
                reductions=reductions,
            )
        )
        basis = "customers"
    return ReferralRate(
        rate=n / active if active else None, referrals=n, active_customers=active, basis=basis
    )


def _shows_referrals(
    orders: pd.DataFrame, customers: pd.DataFrame | None, leads: pd.DataFrame | None
) -> bool:
    """Whether any column could show that a customer came by referral."""
    columns = set(orders.columns)
    if customers is not None:
        columns |= {f"customers.{c}" for c in customers.columns}
    if leads is not None and {"source", "customer_id"} <= set(leads.columns):
        return True
    return bool({"channel", "customers.channel", "customers.referred_by"} & columns)


@dataclass(frozen=True)
class OrganicGrowth:
    """Organic growth and its parts.

    ``starting_base``: customers acquired before ``start`` and not cancelled before it;
    ``referral_customers``: customers acquired in range who came by referral;
    ``expanded_customers``: starting-base customers with an upsell or cross-sell order in
    range (None without orders.revenue_type); ``repeat_customer_share``: customers with two
    or more orders in range / customers with any; ``upsells``, ``cross_sells``: order counts
    in range (None without revenue_type).
    """

    rate: float | None
    starting_base: int
    referral_customers: int
    expanded_customers: int | None
    repeat_customer_share: float | None
    upsells: int | None
    cross_sells: int | None


def organic_growth(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    leads: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    referral_sources: Sequence[str] = REFERRAL_SOURCES,
    reductions: Reductions | None = None,
) -> OrganicGrowth:
    """Organic growth = (referral customers won + base customers who expanded) / starting base.

    Catalogue variant: "new customers from referrals and repeat/expansion of the existing
    base, as a share of the starting base". The starting base is the customers acquired
    before ``start`` (not cancelled before it); expansion is an upsell or cross-sell order in
    the range (counted as 0 without orders.revenue_type). ``rate`` is None when there is no
    starting base, which is always the case without ``start``, and when no column could show
    a referral (customers.referred_by, a channel, leads.source) or an expansion
    (orders.revenue_type). The repeat-customer share and
    the upsell and cross-sell counts are reported beside it.
    """
    check_orders(orders)
    # The range's rows as integer customer codes; the frame itself is cut only for
    # revenue_type, since copying its text columns took most of this function's time.
    w = OrderWindow.of(orders, start, end)
    starts = customer_starts(orders, customers, reductions=reductions)
    n_referral = len(
        referred_new_customers(
            orders,
            customers,
            leads,
            start=start,
            end=end,
            referral_sources=referral_sources,
            reductions=reductions,
        )
    )

    base_ids: set[str] = set()
    if start is not None:
        lo = pd.Timestamp(start).normalize()
        base_ids = set(starts.index[(starts < lo).to_numpy()])
        if customers is not None and {"customer_id", "end_date"} <= set(customers.columns):
            gone = customers.loc[customers["end_date"] < lo, "customer_id"]
            base_ids -= set(gone)

    expanded = upsells = cross_sells = None
    if "revenue_type" in orders.columns:
        sales = orders[["customer_id", "revenue_type"]].iloc[np.flatnonzero(w.in_range)[w.sale]]
        kind = canonical(sales["revenue_type"])
        upsells = int((kind == "upsell").sum())
        cross_sells = int((kind == "cross_sell").sum())
        buyers = set(sales.loc[kind.isin(EXPANSION_TYPES).fillna(False), "customer_id"])
        expanded = len(buyers & base_ids)
    n_base = len(base_ids)
    grown = n_referral + (expanded or 0)
    # nothing in the data could show a referral or an expansion: unknown, not 0
    known = expanded is not None or _shows_referrals(orders, customers, leads)
    return OrganicGrowth(
        rate=grown / n_base if n_base and known else None,
        starting_base=n_base,
        referral_customers=n_referral,
        expanded_customers=expanded,
        repeat_customer_share=_repeat_share(w),
        upsells=upsells,
        cross_sells=cross_sells,
    )


def _repeat_share(w: OrderWindow) -> float | None:
    """:func:`kpi.base.repeat_customer_rate` of the window's rows, on their customer codes."""
    buyers = w.codes[w.sale]
    counts = np.bincount(buyers[buyers >= 0], minlength=len(w.ids))
    active = int(np.count_nonzero(counts))
    return float(int(np.count_nonzero(counts >= 2)) / active) if active else None


# --------------------------------------------------------------------------------------------
# Section for the command line and the app


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
    reductions: Reductions | None = None,
) -> Section:
    """Every acquisition KPI the tables support (see kpi.report).

    ``reductions``: the orders' in-memory reductions (:func:`kpi.analysis.analysis` builds
    them once); the acquisition dates and referral customers are taken from them.

    Keys: ``cac``, ``cac_by_channel`` ({channel: CAC}), ``cpl``, ``lead_conversion_rate``,
    ``acquisition_share_by_source`` ({source: share}), ``touches_to_close`` (mean per won
    lead), ``referral_rate``, ``organic_growth_rate``, ``marketing_response_rate`` and
    ``marketing_response_rate_by_channel`` ({channel: rate}). Series by period label: ``cac``,
    ``cpl``, ``lead_conversion_rate``.
    """
    p = check_period(period)
    result = Section(kpis=dict.fromkeys(KEYS))
    orders = tables.get("orders")
    if orders is not None:
        reductions = reductions_for(orders, reductions)
    customers = tables.get("customers")
    spend = tables.get("spend")
    leads = tables.get("leads")
    touches = tables.get("touches")

    def attempt(job) -> None:
        try:
            job()
        except KpiError as err:
            result.warnings.append(str(err))

    has_starts = orders is not None
    if spend is None:
        result.warnings.append(
            "cac, cac_by_channel and cpl need a spend table with columns date and amount; "
            f"upload your marketing and sales spend {_DATA_PAGE}."
        )
    elif not has_starts:
        result.warnings.append(
            "cac and cac_by_channel need an orders table (customer_id, order_date, amount) "
            f"to count new customers; upload your orders {_DATA_PAGE}."
        )
    else:

        def acquisition_cost() -> None:
            c = cac(spend, orders, customers, start=start, end=end, reductions=reductions)
            result.kpis["cac"] = c.cac
            if c.acquired_outside_span and c.span_start is not None:
                result.warnings.append(
                    f"cac counts only the {c.new_customers:,} customers acquired within the "
                    f"spend table's span ({c.span_start.date()} to {c.span_end.date()}); "
                    f"{c.acquired_outside_span:,} acquired in the range outside it are left out."
                )
            s = cac_series(
                spend, orders, customers, period=p, start=start, end=end, reductions=reductions
            )
            result.series["cac"] = labelled(s["cac"], p)

        def by_channel() -> None:
            table = cac_by_channel(
                spend, orders, customers, start=start, end=end, reductions=reductions
            )
            result.kpis["cac_by_channel"] = plain(table["cac"].to_dict())

        attempt(acquisition_cost)
        attempt(by_channel)

    if leads is None:
        result.warnings.append(
            "cpl, lead_conversion_rate, acquisition_share_by_source and touches_to_close need "
            f"a leads table with columns lead_id and created_date; upload your leads {_DATA_PAGE}."
        )
    else:
        if spend is not None:

            def cost_per_lead() -> None:
                result.kpis["cpl"] = cpl(spend, leads, start=start, end=end).cpl
                s = cpl_series(spend, leads, period=p, start=start, end=end)
                result.series["cpl"] = labelled(s["cpl"], p)

            attempt(cost_per_lead)

        def conversion() -> None:
            result.kpis["lead_conversion_rate"] = lead_conversion_rate(
                leads, start=start, end=end
            ).rate
            s = lead_conversion_series(leads, period=p, start=start, end=end)
            result.series["lead_conversion_rate"] = labelled(s["rate"], p)

        def shares() -> None:
            table = acquisition_share_by_source(leads, start=start, end=end)
            result.kpis["acquisition_share_by_source"] = plain(table["share"].to_dict())

        attempt(conversion)
        attempt(shares)
        if touches is None:
            result.warnings.append(
                "touches_to_close needs a touches table with columns date and lead_id; upload "
                f"your calls, e-mails and meetings {_DATA_PAGE}."
            )
        else:
            attempt(
                lambda: result.kpis.update(
                    touches_to_close=touches_to_close(touches, leads, start=start, end=end).mean
                )
            )

    if orders is None:
        result.warnings.append(
            "referral_rate and organic_growth_rate need an orders table with customer_id, "
            f"order_date and amount; upload your orders {_DATA_PAGE}."
        )
    else:

        def referrals() -> None:
            r = referral_rate(
                orders,
                leads=leads,
                customers=customers,
                start=start,
                end=end,
                reductions=reductions,
            )
            result.kpis["referral_rate"] = r.rate

        def organic() -> None:
            g = organic_growth(
                orders, customers, leads, start=start, end=end, reductions=reductions
            )
            result.kpis["organic_growth_rate"] = g.rate
            if start is None:
                raise InsufficientDataError(
                    "organic_growth_rate needs a start date to fix the starting customer base; "
                    "choose a date range (--start on the command line)."
                )
            if g.rate is None and g.starting_base:
                raise InsufficientDataError(
                    "organic_growth_rate is unknown: nothing in the data can show a referral or "
                    "an expansion. Add a channel or referred_by column to customers, a source "
                    "column to leads, or a revenue_type column (upsell, cross_sell) to orders "
                    f"{_DATA_PAGE}."
                )
            if g.expanded_customers is None:
                result.warnings.append(
                    "organic_growth_rate counts only referrals: add a revenue_type column "
                    f"(upsell, cross_sell) to orders {_DATA_PAGE} to count expansion too."
                )

        attempt(referrals)
        attempt(organic)

    if touches is None or "direction" not in touches.columns:
        result.warnings.append(
            "marketing_response_rate needs a touches table with columns date, direction "
            f"(inbound, outbound) and touch_type or campaign; map them {_DATA_PAGE}."
        )
    else:

        def response() -> None:
            table = marketing_response_by_channel(touches, start=start, end=end)
            result.kpis["marketing_response_rate"] = marketing_response_rate(
                touches, start=start, end=end
            )
            result.kpis["marketing_response_rate_by_channel"] = plain(
                table["response_rate"].to_dict()
            )

        attempt(response)
    result.kpis = plain(result.kpis)
    return result
