"""What-if scenarios (issue 5, the What-if page): a baseline measured from the data, levers a
meeting can move, and the arithmetic that turns them into LTV, LTV/CAC, payback and a 36-month
projection of customers and revenue.

:func:`baseline` reads the (filtered) canonical tables once, through the KPI functions of
:mod:`kpi.base`, :mod:`kpi.acquisition` and :mod:`kpi.retention`. :func:`outcome` is pure
arithmetic over a :class:`Baseline` and a :class:`Levers`: no table is touched, so a slider
can recompute it on every move (well under a millisecond). With the levers at the baseline
(:meth:`Levers.of`) the scenario is the baseline, to the last bit.

    Baseline (measured)                Levers (what the meeting moves)
    churn            0.031 / month     churn            0.025
    arpu             95.0 / month      price_change     +0.05   (ARPU x 1.05)
    gross_margin     0.42              gross_margin     0.42
    cac              310.0             cac              310.0
    paid_new         41.0 / month      acquisition      41.0 new customers / month
    referral_rate    0.004 / month     referral_rate    0.004
    discount_rate    0.10 / year       discount_rate    0.10
    customers        1,650 at the end
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from kpi import acquisition, base, retention, value
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.value import cac_payback_months, ltv_retention

HORIZON = 36
MILESTONES = (12, 24, 36)
DAYS_PER_MONTH = 365.25 / 12
GROSS_MARGIN_DEFAULT = 0.5
DISCOUNT_RATE_DEFAULT = 0.10


@dataclass(frozen=True)
class Baseline:
    """The business as measured over the date range, per month.

    ``churn``: customers lost per customer per month (pooled over the months of the range);
    ``arpu``: revenue per customer per month (revenue / customer-months, customers counted
    as in the churn definition); ``gross_margin``: 1 - cost / revenue (a fraction);
    ``cac``: acquisition spend per new customer (NaN without spend); ``new_customers``: new
    customers per month; ``referral_rate``: customers won by referral per customer per month;
    ``paid_new``: the other new customers per month (new_customers - referral_rate x average
    customers, at least 0); ``discount_rate``: annual, a user setting; ``customers``: active
    customers on the last day of the range; ``months``: length of the range in months;
    ``churn_definition``: how a customer counts as lost, in words.
    ``defaults`` names the inputs that are defaults, not measurements, and ``notes`` says why.
    """

    churn: float
    arpu: float
    gross_margin: float
    cac: float
    new_customers: float
    referral_rate: float
    paid_new: float
    discount_rate: float
    customers: int
    months: float
    churn_definition: str = "contractual: a customer is lost on their end date"
    defaults: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Levers:
    """What a scenario changes. Units as in :class:`Baseline`; ``price_change`` is a fraction
    (0.05: prices 5 % up, so ARPU x 1.05) and ``acquisition`` is paid new customers per month."""

    churn: float
    price_change: float
    gross_margin: float
    cac: float
    acquisition: float
    referral_rate: float
    discount_rate: float

    @classmethod
    def of(cls, b: Baseline) -> Levers:
        """Every lever at its baseline value."""
        return cls(
            churn=b.churn,
            price_change=0.0,
            gross_margin=b.gross_margin,
            cac=b.cac,
            acquisition=b.paid_new,
            referral_rate=b.referral_rate,
            discount_rate=b.discount_rate,
        )

    def changed(self, **values: float) -> Levers:
        return replace(self, **values)

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


LEVER_NAMES = tuple(f.name for f in fields(Levers))


@dataclass(frozen=True, eq=False)
class Outcome:
    """What the levers lead to.

    ``ltv``: retention-form LTV (gross margin, discounted monthly); ``ltv_to_cac``: LTV / CAC
    (NaN when CAC is unknown or 0); ``payback_months``: CAC / monthly gross profit per customer;
    ``projection``: months 0..36 (index ``month``), columns ``customers`` (at the month's end),
    ``new_customers`` (won in the month, 0 in month 0), ``revenue`` and ``gross_profit`` (in
    the month, NaN in month 0) and ``cumulative_revenue`` (0 in month 0).
    """

    ltv: float
    ltv_to_cac: float
    payback_months: float
    projection: pd.DataFrame

    def customers_at(self, month: int) -> float:
        return float(self.projection.at[month, "customers"])

    def revenue_at(self, month: int) -> float:
        """Revenue in month ``month`` (a monthly run rate, not a running total)."""
        return float(self.projection.at[month, "revenue"])


def monthly_discount_rate(annual: float) -> float:
    """Monthly rate with the same yearly effect: (1 + annual)^(1/12) - 1.

    >>> round(monthly_discount_rate(0.10), 6)
    0.007974
    """
    return (1.0 + annual) ** (1.0 / 12.0) - 1.0


def baseline(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    gross_margin_default: float = GROSS_MARGIN_DEFAULT,
    discount_rate: float = DISCOUNT_RATE_DEFAULT,
) -> Baseline:
    """Baseline = the monthly churn, ARPU, margin, CAC and inflow measured in the range.

        months           = days in range / (365.25 / 12)
        churn            = kpi.value.value_inputs(...).monthly_churn (pooled per month)
        customer-months  = kpi.value.value_inputs(...).customer_months (days alive / 30.44)
        arpu             = kpi.value.value_inputs(...).monthly_revenue
                           (revenue in range / customer-months)
        gross_margin     = kpi.value.value_inputs(...).gross_margin (from orders.cost)
        cac              = kpi.acquisition.cac(...).cac
        new_customers    = kpi.base.new_customers(...) / months
        referral_rate    = new customers in range who came by referral / customer-months
        paid_new         = max(new_customers - referral_rate x customer-months / months, 0)

    Churn, ARPU and margin are the Value page's (:func:`kpi.value.value_inputs` on
    :func:`kpi.value.customer_lifetimes`): contractual (customers.end_date) when the data has
    it, else a customer is lost after the suggested inactivity window. So LTV, LTV/CAC and
    CAC payback at the baseline are the Value page's and the command line's, to the cent.
    ``tables`` hold the full history; ``start`` and ``end`` are inclusive days (None: the
    first and last order).
    Missing cost gives ``gross_margin_default``, missing spend a NaN CAC, missing referral
    data a referral rate of 0; each is named in ``defaults`` with a note. The discount rate
    is a setting, never measured. Raises SchemaError
    without an orders table and InsufficientDataError when the range has no customers.
    """
    orders = tables.get("orders")
    if orders is None or orders.empty:
        raise SchemaError(
            "the what-if needs an orders table with customer_id, order_date and amount; none "
            "was found. Upload your orders on the Data page."
        )
    customers = tables.get("customers")
    dated = orders["order_date"].dropna()
    if dated.empty:
        raise InsufficientDataError(
            "the what-if needs orders with a date; found none. Check the order_date column on "
            "the Data page."
        )
    lo = pd.Timestamp(start).normalize() if start is not None else dated.min().normalize()
    hi = pd.Timestamp(end).normalize() if end is not None else dated.max().normalize()
    months = ((hi - lo).days + 1) / DAYS_PER_MONTH
    defaults: list[str] = []
    notes: list[str] = []

    # The Value page's own inputs (kpi.value.value_inputs, same lifetimes and churn
    # definition), so that the LTV, payback and LTV/CAC at the baseline are the Value page's.
    lifetimes, definition = value.customer_lifetimes(orders, customers, as_of=hi)
    try:
        inputs = value.value_inputs(
            orders, customers, start=lo, end=hi, lifetimes=lifetimes, churn_definition=definition
        )
    except InsufficientDataError:
        inputs = None
    if inputs is None or inputs.customer_months <= 0 or math.isnan(inputs.monthly_churn):
        raise InsufficientDataError(
            f"the what-if needs customers active in the range; found none between {lo:%Y-%m-%d}"
            f" and {hi:%Y-%m-%d}. Widen the date range."
        )
    flows = retention.churn_series(lifetimes, period="month", start=lo, end=hi)
    churn = inputs.monthly_churn
    customer_months = inputs.customer_months
    arpu = inputs.monthly_revenue
    gross_margin = inputs.gross_margin
    if math.isnan(gross_margin):
        gross_margin = gross_margin_default
        defaults.append("gross_margin")
        notes.append(
            f"Gross margin is a default ({gross_margin_default:.0%}): the orders have no cost "
            "column. Map the cost on the Data page to measure it."
        )

    cac = math.nan
    spend = tables.get("spend")
    if spend is not None and not spend.empty:
        try:
            measured = acquisition.cac(spend, orders, customers, start=lo, end=hi).cac
            cac = math.nan if measured is None else float(measured)
        except KpiError as err:
            notes.append(str(err))
    if math.isnan(cac):
        defaults.append("cac")
        notes.append(
            "CAC is unknown: it needs a spend table (date, amount) and customers acquired in "
            "the range. Add your sales and marketing spend on the Data page, or set CAC by hand."
        )

    new = base.new_customers(orders, customers, start=lo, end=hi)
    leads = tables.get("leads")
    referred = acquisition.referral_customers(orders, customers, leads)
    starts = base.customer_starts(orders, customers)
    new_ids = starts.index[((starts >= lo) & (starts < hi + pd.Timedelta(days=1))).to_numpy()]
    n_referred = len(set(new_ids) & set(referred))
    has_referral_data = (customers is not None and "referred_by" in customers.columns) or (
        leads is not None and {"source", "customer_id"} <= set(leads.columns)
    )
    has_channel = "channel" in orders.columns or (
        customers is not None and "channel" in customers.columns
    )
    if not (has_referral_data or has_channel):
        defaults.append("referral_rate")
        notes.append(
            "Referral rate is 0 by default: it needs customers.referred_by, a referral "
            "acquisition channel, or leads with source and customer_id."
        )
    referral_rate = n_referred / customer_months
    new_per_month = new / months
    paid_new = max(new_per_month - n_referred / months, 0.0)
    return Baseline(
        churn=float(churn),
        arpu=float(arpu),
        gross_margin=float(gross_margin),
        cac=float(cac),
        new_customers=float(new_per_month),
        referral_rate=float(referral_rate),
        paid_new=float(paid_new),
        discount_rate=float(discount_rate),
        customers=int(flows["customers_end"].iloc[-1]),
        months=float(months),
        churn_definition=definition,
        defaults=tuple(defaults),
        notes=tuple(notes),
    )


def check_levers(levers: Levers) -> None:
    """Raise KpiError when a lever is outside what the arithmetic can take."""
    problems = []
    if not 0 < levers.churn <= 1:
        problems.append(f"churn must be above 0 and at most 100 % a month; got {levers.churn!r}")
    if not levers.price_change > -1:
        problems.append(f"a price change must be above -100 %; got {levers.price_change!r}")
    if not 0 <= levers.gross_margin <= 1:
        problems.append(f"gross margin must be from 0 to 100 %; got {levers.gross_margin!r}")
    if levers.cac < 0:
        problems.append(f"CAC cannot be negative; got {levers.cac!r}")
    if not levers.acquisition >= 0:
        problems.append(f"acquisition cannot be negative; got {levers.acquisition!r}")
    if not levers.referral_rate >= 0:
        problems.append(f"referral rate cannot be negative; got {levers.referral_rate!r}")
    if not levers.discount_rate >= 0:
        problems.append(f"discount rate cannot be negative; got {levers.discount_rate!r}")
    if problems:
        raise KpiError("; ".join(problems) + ". Move the slider back into range.")


def projection(b: Baseline, levers: Levers, *, horizon: int = HORIZON) -> pd.DataFrame:
    """Customers and revenue month by month, from the customers at the end of the range.

    Model (monthly steps, t = 1..horizon), with N_0 the active customers today:

        new_t      = acquisition + referral_rate x N_{t-1}
        N_t        = N_{t-1} x (1 - churn) + new_t
        revenue_t  = arpu x (1 + price_change) x (N_{t-1} + N_t) / 2
        profit_t   = gross_margin x revenue_t

    Customers are fractional (expected values). Revenue uses the average of the month's
    opening and closing customers, as ARPU was measured per customer-month. Churn, prices,
    margin and inflow hold constant over the horizon; CAC and the discount rate do not enter.
    See :class:`Outcome` for the columns.
    """
    check_levers(levers)
    n = np.empty(horizon + 1)
    new = np.zeros(horizon + 1)
    n[0] = b.customers
    keep = 1.0 - levers.churn
    for t in range(1, horizon + 1):
        new[t] = levers.acquisition + levers.referral_rate * n[t - 1]
        n[t] = n[t - 1] * keep + new[t]
    price = b.arpu * (1.0 + levers.price_change)
    revenue = np.full(horizon + 1, np.nan)
    revenue[1:] = price * (n[:-1] + n[1:]) / 2
    out = pd.DataFrame(
        {
            "customers": n,
            "new_customers": new,
            "revenue": revenue,
            "gross_profit": levers.gross_margin * revenue,
            "cumulative_revenue": np.concatenate([[0.0], np.cumsum(revenue[1:])]),
        },
        index=pd.RangeIndex(horizon + 1, name="month"),
    )
    return out


def outcome(b: Baseline, levers: Levers) -> Outcome:
    """Outcome = LTV, LTV/CAC, CAC payback and the projection for one set of levers.

        arpu'    = arpu x (1 + price_change)
        LTV      = ltv_retention(arpu', gross_margin, churn, monthly discount rate)
                 = margin x arpu' x (1 + d) / (d + churn),  d = (1 + annual)^(1/12) - 1
        LTV/CAC  = LTV / CAC
        payback  = cac_payback_months(CAC, monthly gross profit = margin x arpu')

    Catalogue variants: "LTV (retention form)" with gross margin, discounted; "CAC payback".
    Adapted from Gupta and Lehmann, "Customers as Assets", J. Interactive Marketing, 2003.

    >>> b = Baseline(churn=0.05, arpu=100.0, gross_margin=0.6, cac=400.0, new_customers=10.0,
    ...              referral_rate=0.0, paid_new=10.0, discount_rate=0.0, customers=200,
    ...              months=12.0)
    >>> o = outcome(b, Levers.of(b))
    >>> round(o.ltv, 6), round(o.ltv_to_cac, 6), round(o.payback_months, 6)
    (1200.0, 3.0, 6.666667)
    """
    check_levers(levers)
    price = b.arpu * (1.0 + levers.price_change)
    d = monthly_discount_rate(levers.discount_rate)
    ltv = float(ltv_retention(price, gross_margin=levers.gross_margin, churn=levers.churn,
                              discount_rate=d))  # fmt: skip
    cac = levers.cac
    known = not math.isnan(cac) and cac > 0
    ratio = ltv / cac if known else math.nan
    profit = levers.gross_margin * price
    payback = math.nan
    if not math.isnan(cac):
        payback = float(cac_payback_months(cac, monthly_gross_profit=profit))
    return Outcome(ltv=ltv, ltv_to_cac=ratio, payback_months=payback,
                   projection=projection(b, levers))  # fmt: skip


# Rows of the comparison table: (key, label, unit).
MEASURES: tuple[tuple[str, str, str], ...] = (
    ("ltv", "LTV (gross profit per customer)", "money"),
    ("ltv_to_cac", "LTV / CAC", "ratio"),
    ("payback_months", "CAC payback", "months"),
    *((f"customers_{m}", f"Customers in {m} months", "customers") for m in MILESTONES),
    *((f"revenue_{m}", f"Revenue in month {m}", "money") for m in MILESTONES),
)


def measures(o: Outcome) -> dict[str, float]:
    """The headline numbers of an outcome, keyed as in :data:`MEASURES`."""
    values = {"ltv": o.ltv, "ltv_to_cac": o.ltv_to_cac, "payback_months": o.payback_months}
    for m in MILESTONES:
        values[f"customers_{m}"] = o.customers_at(m)
        values[f"revenue_{m}"] = o.revenue_at(m)
    return values


def comparison(before: Outcome, after: Outcome) -> pd.DataFrame:
    """Baseline, scenario and difference (scenario - baseline) per measure.

    Index ``measure`` (the keys of :data:`MEASURES`, in order); columns ``label``, ``unit``,
    ``baseline``, ``scenario``, ``difference`` (NaN where either side is NaN or infinite).
    """
    a, b = measures(before), measures(after)
    keys = [k for k, _, _ in MEASURES]
    out = pd.DataFrame(
        {
            "label": [lab for _, lab, _ in MEASURES],
            "unit": [u for _, _, u in MEASURES],
            "baseline": [a[k] for k in keys],
            "scenario": [b[k] for k in keys],
        },
        index=pd.Index(keys, name="measure"),
    )
    diff = out["scenario"] - out["baseline"]
    out["difference"] = diff.where(np.isfinite(diff))
    return out


# --------------------------------------------------------------------------------------------
# Levers a meeting can move: ranges around the baseline, a fixed budget, several scenarios


def nice_ceiling(x: float) -> float:
    """The next 'round' number at or above ``x`` (1, 2, 2.5, 5 x 10^k); 1 for 0 or less.

    >>> nice_ceiling(1.93), nice_ceiling(0.07), nice_ceiling(310.0)
    (2.0, 0.1, 500.0)
    """
    if not x > 0 or math.isinf(x):
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= x * (1 - 1e-12):
            return float(round(m * power, 12))
    return float(10 * power)  # pragma: no cover - the loop always returns


def centred_range(
    value: float, *, floor: float, low_limit: float = 0.0, high_limit: float = math.inf
) -> tuple[float, float, float]:
    """A slider's (low, high, step) centred on ``value``: value ± a round half-width.

        half = nice_ceiling(max(|value|, floor))
        low  = max(low_limit, value - half);  high = min(high_limit, value + half)
        step = nice_ceiling(half / 100)

    So the baseline sits in the middle of the track (unless a limit cuts one side), halving
    or doubling it is within reach, and a step is about 1 % of the half-width: fine enough
    to move a rate by a tenth of its value or less. Low and high are rounded to the step.

    >>> centred_range(1.9, floor=0.5, low_limit=0.05)
    (0.05, 3.9, 0.02)
    >>> centred_range(350.0, floor=10.0)
    (0.0, 850.0, 5.0)
    """
    half = nice_ceiling(max(abs(value), floor))
    step = nice_ceiling(half / 100)
    low = max(low_limit, math.floor((value - half) / step) * step)
    high = min(high_limit, math.ceil((value + half) / step) * step)
    return round(low, 10), round(high, 10), step


def with_budget_held(b: Baseline, levers: Levers) -> Levers:
    """The levers with the acquisition budget held: a CAC change moves paid new customers.

        monthly paid budget = baseline CAC x baseline paid new customers
        acquisition         = monthly paid budget / CAC of the levers
                            = paid_new x baseline CAC / CAC

    Half the CAC with the same spend buys twice the paid customers; at the baseline CAC the
    levers are unchanged. Without a known, positive CAC on both sides nothing can be held and
    the levers come back as they are.

    >>> b = Baseline(churn=0.05, arpu=100.0, gross_margin=0.6, cac=400.0, new_customers=12.0,
    ...              referral_rate=0.0, paid_new=10.0, discount_rate=0.0, customers=200,
    ...              months=12.0)
    >>> with_budget_held(b, Levers.of(b).changed(cac=200.0)).acquisition
    20.0
    """
    if not (b.cac > 0 and levers.cac > 0) or math.isnan(b.cac) or math.isnan(levers.cac):
        return levers
    return levers.changed(acquisition=b.paid_new * b.cac / levers.cac)


def monthly_budget(b: Baseline) -> float:
    """Paid acquisition spend a month at the baseline: CAC x paid new customers (NaN if unknown).

    >>> monthly_budget(Baseline(churn=0.05, arpu=100.0, gross_margin=0.6, cac=400.0,
    ...     new_customers=12.0, referral_rate=0.0, paid_new=10.0, discount_rate=0.0,
    ...     customers=200, months=12.0))
    4000.0
    """
    return b.cac * b.paid_new


# Rates among the levers: their changes are differences in percentage points, not percents.
RATE_LEVERS = ("churn", "gross_margin", "referral_rate", "discount_rate")


def lever_differences(b: Baseline, levers: Levers) -> dict[str, float]:
    """Lever minus baseline, per lever; rates as fractions (x 100 gives percentage points).

    ``price_change`` is already a change (its baseline is 0); CAC and acquisition are in money
    and customers a month. NaN where the baseline is unknown (CAC without spend).
    """
    base_values, now = Levers.of(b).as_dict(), levers.as_dict()
    return {k: now[k] - base_values[k] for k in LEVER_NAMES}


def side_by_side(b: Baseline, scenarios: Mapping[str, Levers]) -> pd.DataFrame:
    """The baseline and each scenario's measures, with each scenario's difference from it.

    Index ``measure`` (the keys of :data:`MEASURES`); columns ``label``, ``unit``,
    ``baseline``, then for each scenario name ``<name>`` (its value) and ``<name> difference``
    (value - baseline; NaN where either is NaN or infinite). Order of ``scenarios`` is kept.
    """
    base_outcome = outcome(b, Levers.of(b))
    out = comparison(base_outcome, base_outcome)[["label", "unit", "baseline"]].copy()
    for name, levers in scenarios.items():
        table = comparison(base_outcome, outcome(b, levers))
        out[name] = table["scenario"]
        out[f"{name} difference"] = table["difference"]
    return out
