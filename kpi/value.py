"""Value KPIs: lifetime value in its catalogue variants, LTV/CAC, CAC payback, cohort value.

KPI_CATALOGUE.md, section "Value". Two layers:

- pure formulas on numbers, one per catalogue variant (:func:`ltv_simple`, :func:`clv_visit`,
  :func:`clv_purchase`, :func:`ltv_profit`, :func:`ltv_retention`), plus :func:`ltv_to_cac`
  and :func:`cac_payback_months`;
- data-level functions that measure those inputs from the canonical tables
  (:func:`value_inputs`), evaluate the variant the user picked (:func:`ltv`), split LTV/CAC by
  acquisition channel and cohort, build the cumulative cohort value curve, fit the purchase
  models (:func:`model_clv`, :func:`holdout_check`) and assemble :func:`section`.

Tables (full history; ``start`` and ``end`` are inclusive calendar days, None: unbounded)::

    orders:    customer_id, order_date, amount; cost, channel, ...
    customers: customer_id; signup_date, end_date, channel, ...
    spend:     date, amount; channel, kind

Money is in the data's units; lifetimes and payback in months (365.25 / 12 days); rates are
fractions. Discount rates are given per year and applied monthly (:func:`monthly_rate`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi.acquisition import acquisition_channels, cac, cac_by_channel, cac_series
from kpi.base import OrderWindow, customer_codes, customer_starts, sorted_unique
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.periods import check_period, period_start
from kpi.reduce import Reductions, reductions_for
from kpi.report import Section, Settings, assumption, plain
from kpi.retention import (
    DAYS_PER_MONTH,
    churn_series,
    contractual_lifetimes,
    has_end_dates,
    inactivity_lifetimes,
    pooled_churn_rate,
    suggested_inactivity_window,
)

KEYS = (
    "ltv_simple",
    "clv_visit",
    "clv_purchase",
    "ltv_profit",
    "ltv_retention",
    "clv_model_mean",
    "ltv_to_cac",
    "cac_payback_months",
)
FORMULA_VARIANTS = ("ltv_retention", "ltv_simple", "clv_visit", "clv_purchase", "ltv_profit")
VARIANTS = (*FORMULA_VARIANTS, "clv_model_mean")
VARIANT_LABELS = {
    "ltv_retention": "Retention form (gross margin, discounted)",
    "ltv_simple": "Simple (lifetime × monthly revenue)",
    "clv_visit": "Visit form (spend per visit × visits × years)",
    "clv_purchase": "Purchase form (order value × orders × years)",
    "ltv_profit": "Profit form (profit per order × orders × years)",
    "clv_model_mean": "Model-based (BG/NBD + Gamma-Gamma)",
}
DEFAULT_DISCOUNT_RATE = 0.10
"""Yearly discount rate of the default LTV (10 % a year, about 0.8 % a month)."""
DEFAULT_HORIZON_MONTHS = 12
"""Horizon of the model-based CLV."""
HEALTHY_LTV_TO_CAC = 3.0
_DATA_PAGE = "on the Data page"


def _check_fraction(value: float, name: str, kpi: str, *, upper: float = 1.0) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0 or value > upper:
        raise KpiError(
            f"{kpi} needs {name} as a fraction from 0 to {upper:g}; found {value!r}. "
            "Enter it as a share (0.6 for 60 %)."
        )
    return value


def ltv_retention(
    arpu: float, *, gross_margin: float, churn: float, discount_rate: float = 0.0
) -> float:
    """LTV (retention form): margin x ARPU x sum_{t>=0} (1 - churn)^t / (1 + d)^t.

        LTV = margin * ARPU * (1 + d) / (d + churn)      (= margin * ARPU / churn when d = 0)

    Catalogue variant ``ltv_retention``. ARPU, churn and discount rate are of the same period
    (a month: monthly ARPU, monthly churn, monthly discount rate). The first period counts in
    full and is not discounted (the customer pays on acquisition). Adapted from Gupta and
    Lehmann, "Customers as Assets", Journal of Interactive Marketing 17(1), 2003, and
    Fader and Hardie, "What's Wrong With This CLV Formula?" (2012), which shows this
    "pay at the start of each period" form. Raises InsufficientDataError when churn and
    discount rate are both 0 (the sum diverges), KpiError for a share outside 0-1.

    >>> ltv_retention(100.0, gross_margin=0.6, churn=0.05)
    1200.0
    """
    kpi = "ltv_retention"
    margin = _check_fraction(gross_margin, "gross_margin", kpi)
    churn = _check_fraction(churn, "churn", kpi)
    d = _check_fraction(discount_rate, "discount_rate", kpi)
    arpu = float(arpu)
    if not math.isfinite(arpu):
        raise KpiError(f"{kpi} needs a finite ARPU; found {arpu!r}. Check the orders' amounts.")
    if churn + d == 0:
        raise InsufficientDataError(
            f"{kpi} needs a churn or a discount rate above 0; found churn 0 and discount rate 0, "
            "so the sum never ends. Widen the date range so that churn can be measured, "
            "or enter a discount rate."
        )
    return margin * arpu * (1.0 + d) / (d + churn)


def cac_payback_months(cac: float, *, monthly_gross_profit: float) -> float:
    """CAC payback: CAC / monthly gross profit per customer, in months (inf if profit <= 0).

    Catalogue key ``cac_payback_months``: the months of per-customer gross profit needed to
    recover the cost of acquiring the customer. A customer who does not make a gross profit
    never pays it back (``inf``). Adapted from Skok, "SaaS Metrics 2.0" (forEntrepreneurs).

    >>> cac_payback_months(400.0, monthly_gross_profit=100.0)
    4.0
    >>> cac_payback_months(400.0, monthly_gross_profit=0.0)
    inf
    """
    cac = float(cac)
    profit = float(monthly_gross_profit)
    if not math.isfinite(cac) or cac < 0:
        raise KpiError(
            f"cac_payback_months needs a CAC of 0 or more; found {cac!r}. Check the spend table."
        )
    if math.isnan(profit):
        raise KpiError(
            "cac_payback_months needs a monthly gross profit per customer; found NaN. "
            "Check the orders' amounts and costs."
        )
    if profit <= 0:
        return math.inf
    return cac / profit


# --------------------------------------------------------------------------------------------
# The catalogue's formula variants, on numbers
# --------------------------------------------------------------------------------------------


def ltv_simple(monthly_revenue: float, *, lifetime_months: float) -> float:
    """LTV (simple) = average customer lifetime in months x average monthly revenue per customer.

    Catalogue variant ``ltv_simple``: revenue, not profit, and not discounted.

    >>> ltv_simple(150.0, lifetime_months=20.0)
    3000.0
    """
    return float(lifetime_months) * float(monthly_revenue)


def clv_visit(spend_per_visit: float, *, visits_per_year: float, years: float) -> float:
    """CLV (visit form) = average spend per visit x visits per year x relationship length in years.

    Catalogue variant ``clv_visit``; revenue, not discounted. Adapted from the Kissmetrics
    "How to calculate lifetime value" infographic (the Starbucks example).

    >>> clv_visit(200.0, visits_per_year=80.0, years=11.0)
    176000.0
    """
    return float(spend_per_visit) * float(visits_per_year) * float(years)


def clv_purchase(
    purchase_value: float, *, purchases_per_year: float, lifespan_years: float
) -> float:
    """CLV (purchase form) = average purchase value x purchases per year x lifespan in years.

    Catalogue variant ``clv_purchase``; revenue, not discounted.

    >>> clv_purchase(90.0, purchases_per_year=4.0, lifespan_years=2.5)
    900.0
    """
    return float(purchase_value) * float(purchases_per_year) * float(lifespan_years)


def ltv_profit(profit_per_order: float, *, orders_per_year: float, years: float) -> float:
    """LTV (profit form) = average profit per order x orders per year x years.

    Catalogue variant ``ltv_profit``: gross profit, not discounted.

    >>> ltv_profit(36.0, orders_per_year=4.0, years=2.5)
    360.0
    """
    return float(profit_per_order) * float(orders_per_year) * float(years)


def ltv_to_cac(ltv: float, cac: float) -> float:
    """LTV/CAC = lifetime value / customer acquisition cost; healthy at 3 or more.

    Catalogue key ``ltv_to_cac``. ``inf`` when acquisition cost nothing and the LTV is
    positive, NaN when CAC is unknown (NaN) or both are 0. The 3:1 rule of thumb: Skok,
    "SaaS Metrics 2.0" (forEntrepreneurs).

    >>> ltv_to_cac(1200.0, 400.0)
    3.0
    """
    ltv, cac = float(ltv), float(cac)
    if math.isnan(ltv) or math.isnan(cac):
        return math.nan
    if cac < 0:
        raise KpiError(
            f"ltv_to_cac needs a CAC of 0 or more; found {cac!r}. Check the spend table."
        )
    if cac == 0:
        return math.inf if ltv > 0 else math.nan
    return ltv / cac


def monthly_rate(annual_rate: float) -> float:
    """Monthly rate = (1 + annual rate)^(1/12) - 1, the same money over a year.

    >>> round(monthly_rate(0.1268250301), 6)
    0.01
    """
    return (1.0 + float(annual_rate)) ** (1.0 / 12.0) - 1.0


# --------------------------------------------------------------------------------------------
# Measuring the inputs from the data
# --------------------------------------------------------------------------------------------


def _check_orders(orders: pd.DataFrame, kpi: str) -> None:
    missing = [c for c in ("customer_id", "order_date", "amount") if c not in orders.columns]
    if missing:
        raise SchemaError(
            f"{kpi} needs an orders table with columns customer_id, order_date and amount; "
            f"{', '.join(missing)} missing. Map them {_DATA_PAGE}."
        )


def _bounds(
    orders: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The range as days; open ends close on the first and last order day."""
    dates = orders["order_date"].dropna()
    if dates.empty:
        raise InsufficientDataError(
            f"lifetime value needs dated orders; found none. Check the order_date column "
            f"{_DATA_PAGE}."
        )
    lo = dates.min() if start is None else pd.Timestamp(start)
    hi = dates.max() if end is None else pd.Timestamp(end)
    return pd.Timestamp(lo).normalize(), pd.Timestamp(hi).normalize()


def customer_lifetimes(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: pd.Timestamp | None = None,
    window_days: int | None = None,
) -> tuple[pd.DataFrame, str]:
    """Lifetimes table of :mod:`kpi.retention` and the churn definition used, in words.

    Contractual (customers.end_date) when the customers table has an end date in at least one
    row, otherwise inactivity with ``window_days`` or the suggested window
    (:func:`kpi.retention.inactivity_window`), as the Retention page does.
    """
    if has_end_dates(customers):
        lifetimes = contractual_lifetimes(customers, orders, as_of=as_of)  # type: ignore[arg-type]
        return lifetimes, "contractual: a customer is lost on the end_date of the customers table"
    window = int(window_days) if window_days else suggested_inactivity_window(orders)
    lifetimes = inactivity_lifetimes(orders, window_days=window, as_of=as_of)
    return lifetimes, f"inactivity: a customer is lost after {window} days without an order"


def _alive_months(lifetimes: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    """Customer-months of active relationship inside [lo, hi] (both days included)."""
    if lifetimes.empty:
        return 0.0
    day = pd.Timedelta(days=1)
    as_of = pd.Timestamp(lifetimes.attrs.get("as_of", hi))
    starts = pd.to_datetime(lifetimes["start"])
    stops = pd.to_datetime(lifetimes["end"]).fillna(as_of + day)
    first = starts.clip(lower=lo)
    last = stops.clip(upper=hi + day)
    days = ((last - first) / day).clip(lower=0.0)
    return float(days.sum()) / DAYS_PER_MONTH


@dataclass(frozen=True)
class ValueInputs:
    """The averages the formula LTVs take, measured over one range (NaN where unknown).

    ``customer_months``: months of active relationship summed over customers (from the
    lifetimes of the churn definition); ``monthly_revenue`` = revenue / customer_months (ARPU
    per month of relationship); ``monthly_churn`` = customers lost / customers at the start of
    each month, pooled over the range (the ``churn_rate_per_period`` of kpi.retention with
    ``churn_period`` month); ``lifetime_months`` = 1 / monthly_churn (the mean of a
    geometric lifetime); ``orders_per_year`` = orders / customer_months x 12;
    ``visits_per_year`` likewise with distinct order days per customer; ``gross_margin`` =
    1 - cost / revenue over orders with a cost, else the margin given; ``cost_share``: the
    share of the range's orders that have a cost (NaN without a cost column);
    ``profit_per_order`` = (revenue - cost) / orders over the orders that have a cost when
    the margin is measured, else average order value x the margin given.
    """

    customers: int
    orders: int
    visits: int
    revenue: float
    customer_months: float
    monthly_revenue: float
    monthly_churn: float
    lifetime_months: float
    average_order_value: float
    spend_per_visit: float
    orders_per_year: float
    visits_per_year: float
    gross_margin: float
    margin_basis: str
    profit_per_order: float
    churn_definition: str
    cost_share: float = math.nan

    @property
    def lifetime_years(self) -> float:
        return self.lifetime_months / 12.0

    @property
    def monthly_gross_profit(self) -> float:
        return self.monthly_revenue * self.gross_margin


def _margin(window: pd.DataFrame, margin: float | None) -> tuple[float, str]:
    if margin is not None:
        margin = float(margin)
        if not -1.0 <= margin <= 1.0:
            raise KpiError(
                f"the gross margin must be a fraction from -1 to 1 (0.6 for 60 %); got {margin!r}."
            )
    if "cost" in window.columns:
        amount = window["amount"].astype(float)
        cost = window["cost"].astype(float)
        known = cost.notna() & amount.notna()
        revenue = float(amount[known].sum())
        if known.any() and revenue > 0:
            measured = 1.0 - float(cost[known].sum()) / revenue
            if margin is None or known.all():
                return measured, "cost"
    if margin is not None:
        return margin, "margin given"
    return math.nan, "unknown"


def value_inputs(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    margin: float | None = None,
    lifetimes: pd.DataFrame | None = None,
    churn_definition: str | None = None,
    window_days: int | None = None,
    reductions: Reductions | None = None,
) -> ValueInputs:
    """Average revenue per customer-month, churn, lifetime, order value and rates, in range.

    Orders dated from ``start`` to ``end`` (refunds lower revenue; refund rows are not
    orders); churn and customer-months from the lifetimes of :func:`customer_lifetimes`
    (pass ``lifetimes`` to reuse them). The gross margin is measured from orders.cost where
    every order in range has one, from ``margin`` otherwise (NaN with neither). Raises
    InsufficientDataError when no customer was active in the range.
    """
    _check_orders(orders, "lifetime value")
    lo, hi = _bounds(orders, start, end)
    if lifetimes is None:
        lifetimes, churn_definition = customer_lifetimes(
            orders, customers, as_of=hi, window_days=window_days
        )
    w = OrderWindow.of(orders, lo, hi, reductions)
    money = [c for c in ("amount", "cost") if c in orders.columns]
    window = orders[money][w.in_range]  # the gross margin needs only these columns
    amount = np.nan_to_num(w.amount)
    revenue = float(amount.sum())
    n_orders = int(w.sale.sum())
    # customers and visits (distinct customer-days) with a sale, on integer customer codes;
    # sales without a customer id make no customer, but their days are visits (of someone)
    codes = w.codes[w.sale]
    days = w.dates[w.sale].astype("datetime64[D]").astype(np.int64)
    named = codes[codes >= 0]
    n_customers = int(np.count_nonzero(np.bincount(named))) if len(named) else 0
    span = int(days.max()) - int(days.min()) + 1 if len(days) else 1
    visits = len(sorted_unique((codes + 1) * span + (days - days.min(initial=0))))
    months = _alive_months(lifetimes, lo, hi)
    if months <= 0 or n_orders == 0:
        raise InsufficientDataError(
            f"lifetime value needs customers who ordered from {lo.date()} to {hi.date()}; "
            "found none. Widen the date range."
        )
    flows = churn_series(lifetimes, period="month", start=lo, end=hi)
    churn = pooled_churn_rate(flows)
    gm, basis = _margin(window, margin)
    aov = revenue / n_orders
    profit_per_order, cost_share = aov * gm, math.nan
    if "cost" in window.columns:
        cost = window["cost"].to_numpy(dtype=float, na_value=np.nan)
        costed = w.sale & ~np.isnan(cost)
        cost_share = float(costed.sum()) / n_orders
        if basis == "cost":
            # only the orders that have a cost: no margin borrowed from them for the others
            profit = amount[costed] - cost[costed]
            profit_per_order = float(profit.sum()) / costed.sum() if costed.any() else math.nan
    return ValueInputs(
        customers=n_customers,
        orders=n_orders,
        visits=visits,
        revenue=revenue,
        customer_months=months,
        monthly_revenue=revenue / months,
        monthly_churn=churn,
        lifetime_months=1.0 / churn if churn > 0 else math.nan,
        average_order_value=aov,
        spend_per_visit=revenue / visits,
        orders_per_year=n_orders / months * 12.0,
        visits_per_year=visits / months * 12.0,
        gross_margin=gm,
        margin_basis=basis,
        profit_per_order=profit_per_order,
        churn_definition=churn_definition or "as given",
        cost_share=cost_share,
    )


def ltv(
    inputs: ValueInputs,
    *,
    variant: str = "ltv_retention",
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> float:
    """LTV of one formula variant from measured inputs (``discount_rate`` per year).

    ``ltv_retention``: margin x monthly revenue x (1 + d) / (d + churn), d monthly;
    ``ltv_simple``: lifetime months x monthly revenue; ``clv_visit``: spend per visit x visits
    per year x lifetime years; ``clv_purchase``: order value x orders per year x lifetime
    years; ``ltv_profit``: profit per order x orders per year x lifetime years. Raises
    InsufficientDataError when churn (hence lifetime) or, for the margin forms, the gross
    margin is unknown. Measured on the same range, the simple, visit and purchase forms agree
    (revenue / customer-months x lifetime, written three ways); they part when the user
    changes one input, as on the What-if page.
    """
    if variant not in FORMULA_VARIANTS:
        raise KpiError(
            f"the LTV variant must be one of {', '.join(FORMULA_VARIANTS)}; got {variant!r}."
        )
    needs_margin = variant in ("ltv_retention", "ltv_profit")
    if needs_margin and math.isnan(inputs.gross_margin):
        raise InsufficientDataError(
            f"{variant} needs a gross margin: a cost column in orders or a margin you set; "
            f"found neither. Map the cost {_DATA_PAGE} or set the gross margin."
        )
    d = monthly_rate(discount_rate)
    if variant == "ltv_retention":
        if math.isnan(inputs.monthly_churn):
            raise InsufficientDataError(
                "ltv_retention needs a monthly churn rate; no month of the range started with "
                "customers. Widen the date range."
            )
        if inputs.monthly_churn == 0:
            raise InsufficientDataError(
                "ltv_retention is unknown: no customer was lost in the range, so the sum would "
                "rest only on the discount rate. Widen the date range until some customers "
                "are lost, or pick another LTV form."
            )
        # A loss-making margin (negative) is allowed here: the LTV is then a loss.
        sign = -1.0 if inputs.gross_margin < 0 else 1.0
        return sign * ltv_retention(
            inputs.monthly_revenue,
            gross_margin=abs(inputs.gross_margin),
            churn=inputs.monthly_churn,
            discount_rate=d,
        )
    if math.isnan(inputs.lifetime_months):
        raise InsufficientDataError(
            f"{variant} needs the average customer lifetime, 1 / monthly churn; no customer was "
            "lost in the range, so it is unknown. Widen the date range or use the retention "
            "form with a discount rate."
        )
    if variant == "ltv_simple":
        return ltv_simple(inputs.monthly_revenue, lifetime_months=inputs.lifetime_months)
    if variant == "clv_visit":
        return clv_visit(
            inputs.spend_per_visit, visits_per_year=inputs.visits_per_year,
            years=inputs.lifetime_years,
        )  # fmt: skip
    if variant == "clv_purchase":
        return clv_purchase(
            inputs.average_order_value, purchases_per_year=inputs.orders_per_year,
            lifespan_years=inputs.lifetime_years,
        )  # fmt: skip
    return ltv_profit(
        inputs.profit_per_order, orders_per_year=inputs.orders_per_year,
        years=inputs.lifetime_years,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# LTV/CAC overall, by channel, by cohort
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LtvToCac:
    """LTV, CAC and their ratio for one range; ``payback_months`` = CAC / monthly gross profit."""

    variant: str
    ltv: float
    cac: float
    ratio: float
    payback_months: float
    inputs: ValueInputs


def ltv_to_cac_overall(
    orders: pd.DataFrame,
    spend: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    variant: str = "ltv_retention",
    margin: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    ltv_value: float | None = None,
) -> LtvToCac:
    """LTV/CAC = LTV of ``variant`` / CAC, and CAC payback = CAC / monthly gross profit.

    CAC from :func:`kpi.acquisition.cac` over the range; LTV from :func:`value_inputs` and
    :func:`ltv` (or ``ltv_value`` when given, e.g. the model-based CLV). Payback is NaN
    without a gross margin, ``inf`` when customers make no gross profit. Raises
    InsufficientDataError when nobody was acquired in the range.
    """
    inputs = value_inputs(orders, customers, start=start, end=end, margin=margin)
    acquisition = cac(spend, orders, customers, start=start, end=end)
    if acquisition.cac is None:
        raise InsufficientDataError(
            "ltv_to_cac needs customers acquired in the range to measure CAC; found none. "
            "Widen the date range."
        )
    value = (
        ltv(inputs, variant=variant, discount_rate=discount_rate)
        if ltv_value is None
        else (float(ltv_value))
    )
    payback = (
        math.nan
        if math.isnan(inputs.gross_margin)
        else cac_payback_months(acquisition.cac, monthly_gross_profit=inputs.monthly_gross_profit)
    )
    return LtvToCac(
        variant=variant,
        ltv=value,
        cac=acquisition.cac,
        ratio=ltv_to_cac(value, acquisition.cac),
        payback_months=payback,
        inputs=inputs,
    )


def _ltv_by_group(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    groups: pd.Series,
    *,
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    variant: str,
    margin: float | None,
    discount_rate: float,
) -> pd.DataFrame:
    """LTV of ``variant`` per group of customers (``groups``: customer_id -> label)."""
    lifetimes, definition = customer_lifetimes(orders, customers, as_of=hi)
    rows = {}
    ids = orders["customer_id"].astype("string")
    for label, members in groups.groupby(groups, sort=True):
        keys = pd.Index(members.index.astype("string"))
        own = orders[ids.isin(keys).to_numpy(dtype=bool)]
        mine = lifetimes[lifetimes.index.astype("string").isin(keys)]
        mine.attrs = dict(lifetimes.attrs)
        try:
            inputs = value_inputs(
                own, customers, start=lo, end=hi, margin=margin, lifetimes=mine,
                churn_definition=definition,
            )  # fmt: skip
            rows[label] = (
                ltv(inputs, variant=variant, discount_rate=discount_rate),
                inputs.monthly_gross_profit,
            )
        except InsufficientDataError:
            rows[label] = (math.nan, math.nan)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["ltv", "monthly_gross_profit"])


def ltv_to_cac_by_channel(
    orders: pd.DataFrame,
    spend: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    variant: str = "ltv_retention",
    margin: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """LTV/CAC per acquisition channel = LTV of the channel's customers / the channel's CAC.

    Index ``channel`` (the channels of :func:`kpi.acquisition.cac_by_channel`, sorted);
    columns ``spend``, ``new_customers`` (int), ``cac``, ``ltv``, ``ltv_to_cac`` and
    ``payback_months``. The LTV of a channel is measured on every customer acquired through
    it (:func:`kpi.acquisition.acquisition_channels`), over the range. NaN where the channel
    acquired nobody in the range (no CAC) or its LTV cannot be measured (no churn, no
    margin); ``ltv_to_cac`` is ``inf`` for a channel with customers but no spend.
    """
    _check_orders(orders, "ltv_to_cac_by_channel")
    lo, hi = _bounds(orders, start, end)
    table = cac_by_channel(spend, orders, customers, start=lo, end=hi)
    channels = acquisition_channels(orders, customers).str.strip()
    channels = channels[channels.isin(table.index)]
    values = _ltv_by_group(
        orders, customers, channels, lo=lo, hi=hi, variant=variant, margin=margin,
        discount_rate=discount_rate,
    )  # fmt: skip
    out = table.join(values, how="left")
    out["ltv_to_cac"] = [ltv_to_cac(v, c) for v, c in zip(out["ltv"], out["cac"], strict=True)]
    out["payback_months"] = [
        math.nan
        if math.isnan(c) or math.isnan(g)
        else cac_payback_months(c, monthly_gross_profit=g)
        for c, g in zip(out["cac"], out["monthly_gross_profit"], strict=True)
    ]
    out = out.drop(columns="monthly_gross_profit").astype(
        {"ltv": float, "ltv_to_cac": float, "payback_months": float}
    )
    out.index.name = "channel"
    return out


def ltv_to_cac_by_cohort(
    orders: pd.DataFrame,
    spend: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "quarter",
    variant: str = "ltv_retention",
    margin: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> pd.DataFrame:
    """LTV/CAC per acquisition cohort = LTV of the cohort's customers / the cohort period's CAC.

    A cohort is the customers acquired in one period (:func:`kpi.base.customer_starts`). Index:
    every period start from the range's first to its last (DatetimeIndex ``period``); columns
    ``spend``, ``new_customers`` (int), ``cac`` (NaN when nobody was acquired), ``ltv``
    (measured on the cohort's customers from their acquisition to ``end``; NaN for an empty
    cohort or one without churn yet), ``ltv_to_cac``. Young cohorts have little churn
    history: read their LTV with care.
    """
    p = check_period(period)
    _check_orders(orders, "ltv_to_cac_by_cohort")
    lo, hi = _bounds(orders, start, end)
    table = cac_series(spend, orders, customers, period=p, start=lo, end=hi)
    starts = customer_starts(orders, customers)
    starts = starts[(starts >= lo) & (starts < hi + pd.Timedelta(days=1))]
    cohort = pd.Series(period_start(starts, p), index=starts.index)
    values = _ltv_by_group(
        orders, customers, cohort, lo=lo, hi=hi, variant=variant, margin=margin,
        discount_rate=discount_rate,
    )  # fmt: skip
    values.index = pd.DatetimeIndex(values.index).as_unit(table.index.unit)
    out = table[["spend", "new_customers", "cac"]].join(values[["ltv"]], how="left")
    out["ltv"] = out["ltv"].astype(float)
    out["ltv_to_cac"] = [ltv_to_cac(v, c) for v, c in zip(out["ltv"], out["cac"], strict=True)]
    out.index.name = "period"
    return out


# --------------------------------------------------------------------------------------------
# Cumulative cohort value curve
# --------------------------------------------------------------------------------------------


def order_gross_profit(orders: pd.DataFrame, *, margin: float | None = None) -> pd.Series:
    """Gross profit of each order row = amount - cost; amount x margin where cost is blank.

    NaN where neither cost nor margin is known. Refund rows without a cost take the margin
    (or, without one, count in full against profit: nothing came back but the money).
    """
    amount = orders["amount"].astype(float).fillna(0.0)
    profit = pd.Series(np.nan, index=orders.index, dtype=float)
    if "cost" in orders.columns:
        profit = amount - orders["cost"].astype(float)
    if margin is not None:
        profit = profit.fillna(amount * float(margin))
    return profit.mask(profit.isna() & (amount < 0), amount)


def cohort_value_curve(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    margin: float | None = None,
    reductions: Reductions | None = None,
) -> pd.DataFrame:
    """Cumulative gross profit per acquired customer = sum over months m' <= m of the mean
    gross profit in month m' after acquisition, over customers observed through month m'.

    Customers are those acquired from ``start`` to ``end`` (:func:`kpi.base.customer_starts`);
    their orders are followed up to ``end`` (default: the last order). Month m covers days
    [m, m + 1) x 365.25 / 12 after acquisition; a customer counts in month m only once that
    month is complete by ``end``, so recent customers do not drag the later months down.
    Gross profit per order from :func:`order_gross_profit` (orders.cost, else ``margin``).

    Returns a DataFrame indexed by ``months_since_acquisition`` (0, 1, ... int) with columns
    ``customers`` (int, observed through that month), ``gross_profit`` (mean in that month)
    and ``cumulative_gross_profit``. This is what the cohort actually earned, lost customers
    included; it is not a second payback measure (the payback is :func:`cac_payback_months`,
    the one number the card, the what-if and the command line show). Raises SchemaError without cost
    or margin, InsufficientDataError when no acquired customer has a complete month.
    """
    _check_orders(orders, "cohort_value_curve")
    if "cost" not in orders.columns and margin is None:
        raise SchemaError(
            "the cohort value curve needs gross profit: a cost column in orders or a gross "
            f"margin; found neither. Map the cost {_DATA_PAGE} or set the gross margin."
        )
    lo, hi = _bounds(orders, start, end)
    starts = customer_starts(orders, customers, reductions=reductions)
    starts = starts[(starts >= lo) & (starts <= hi)]
    day = pd.Timedelta(days=1)
    observed_days = ((hi + day - starts) / day).to_numpy(dtype=float)
    complete = np.floor(observed_days / DAYS_PER_MONTH).astype(np.int64)
    if len(starts) == 0 or complete.max(initial=0) < 1:
        raise InsufficientDataError(
            "the cohort value curve needs customers acquired in the range and followed for a "
            "full month; found none. Widen the date range."
        )
    # each order row's customer: acquisition day and complete months, by integer code
    cc = customer_codes(orders, reductions)
    at = cc.ids.get_indexer(starts.index)  # -1: acquired (signed up) but never ordered
    known = at >= 0
    n = len(cc.ids)  # one slot more, never acquired, for rows without a customer
    acquired_on = np.full(n + 1, np.datetime64("NaT"), dtype="datetime64[us]")
    acquired_on[at[known]] = starts.to_numpy()[known].astype("datetime64[us]")
    own_complete = np.zeros(n + 1, dtype=np.int64)
    own_complete[at[known]] = complete[known]
    dates = orders["order_date"].to_numpy().astype("datetime64[us]")
    code = np.where(cc.codes >= 0, cc.codes, n)
    keep = (
        orders["order_date"].notna().to_numpy()
        & (dates < np.datetime64(hi + day, "us"))
        & (cc.codes >= 0)
        & ~np.isnat(acquired_on[code])
    )
    code = code[keep]
    age = (dates[keep] - acquired_on[code]) / np.timedelta64(1, "D")
    month = np.floor(np.maximum(age, 0.0) / DAYS_PER_MONTH).astype(np.int64)
    profit = order_gross_profit(orders, margin=margin).to_numpy(dtype=float)[keep]
    counted = month < own_complete[code]
    n_months = int(complete.max())
    totals = np.bincount(month[counted], weights=profit[counted], minlength=n_months)[:n_months]
    # customers observed through month m: those with more than m complete months
    at_risk = np.bincount(np.minimum(complete, n_months), minlength=n_months + 1)
    observed = at_risk[::-1].cumsum()[::-1][1:]
    mean = totals / observed
    out = pd.DataFrame(
        {
            "customers": observed.astype(np.int64),
            "gross_profit": mean,
            "cumulative_gross_profit": np.cumsum(mean),
        },
        index=pd.RangeIndex(n_months, name="months_since_acquisition"),
    )
    return out


# --------------------------------------------------------------------------------------------
# Model-based CLV (BG/NBD + Gamma-Gamma) and its holdout check
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelClv:
    """Fitted purchase models and the per-customer CLV they predict.

    ``customers``: indexed by customer_id, columns frequency, recency, T, monetary_value (the
    :func:`kpi.models.rfm_summary` in weeks), probability_alive, expected_purchases (in the
    horizon) and clv (revenue over the horizon, discounted), sorted by clv, highest first.
    ``mean`` is the mean CLV over customers (catalogue key ``clv_model_mean``).
    """

    bgnbd: object
    gamma_gamma: object
    customers: pd.DataFrame
    mean: float
    horizon_months: int
    discount_rate: float


def _purchases(orders: pd.DataFrame, end: pd.Timestamp | None) -> pd.DataFrame:
    """Sale rows (no refunds) up to ``end``, as the purchase models take them."""
    _check_orders(orders, "the model-based CLV")

    def compute() -> pd.DataFrame:
        amount = orders["amount"].astype(float)
        keep = (amount.fillna(0.0) >= 0) & orders["order_date"].notna()
        if end is not None:
            keep &= orders["order_date"] < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)
        rows = np.flatnonzero(keep.to_numpy(dtype=bool))
        sales = orders[["customer_id", "order_date", "amount"]].iloc[rows]
        Reductions.of_subset(sales, orders, rows)  # its customer codes are the whole table's
        return sales

    # the model fit and the holdout check of one page run share the rows (and their codes)
    return reductions_for(orders).cached(f"purchases up to {end}", compute)


def model_clv(
    orders: pd.DataFrame,
    *,
    end: pd.Timestamp | None = None,
    horizon_months: int = 12,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> ModelClv:
    """CLV per customer = sum over the horizon's months of E[purchases] x E[value] / (1 + d)^m.

    Catalogue variant ``clv_model_mean``: BG/NBD for the number of purchases and Gamma-Gamma
    for their value (:mod:`kpi.models`), fitted on every order up to ``end`` (refunds left
    out), weeks as the time unit, ``discount_rate`` per year applied monthly. Customers whose
    mean repeat value is not positive (free or refunded orders) are left out of the
    Gamma-Gamma fit and get the population mean value. Revenue, not margin. Raises
    ConvergenceError or InsufficientDataError when a fit fails: fall back to the formula LTV.
    Adapted from Fader, Hardie and Lee (2005), "RFM and CLV", Journal of Marketing Research
    42(4).
    """
    from kpi.models import customer_lifetime_value, fit_bgnbd, fit_gamma_gamma, rfm_summary

    summary = rfm_summary(_purchases(orders, end), end=end, freq="W")
    bg = fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])
    usable = summary["frequency"].where(summary["monetary_value"] > 0, 0.0)
    gg = fit_gamma_gamma(usable, summary["monetary_value"].fillna(0.0))
    # A customer outside the Gamma-Gamma fit gets the population mean p v / (q - 1): with
    # zbar equal to it, E[Z | x, zbar] = p (v + x zbar) / (p x + q - 1) is that mean too.
    population = gg.p * gg.v / (gg.q - 1) if gg.q > 1 else math.nan
    values = summary["monetary_value"].where(summary["monetary_value"] > 0, population)
    clv = customer_lifetime_value(
        bg, gg, summary.assign(monetary_value=values),
        horizon_months=horizon_months, discount_rate_monthly=monthly_rate(discount_rate),
        time_unit="W",
    )  # fmt: skip
    x, tx, big_t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    horizon_weeks = horizon_months * DAYS_PER_MONTH / 7.0
    table = summary.assign(
        probability_alive=np.asarray(bg.probability_alive(x, tx, big_t), dtype=float),
        expected_purchases=np.asarray(bg.expected_purchases(horizon_weeks, x, tx, big_t), float),
        clv=clv,
    ).sort_values("clv", ascending=False, kind="stable")
    return ModelClv(
        bgnbd=bg,
        gamma_gamma=gg,
        customers=table,
        mean=float(clv.mean()),
        horizon_months=horizon_months,
        discount_rate=discount_rate,
    )


@dataclass(frozen=True)
class HoldoutCheck:
    """The calibration/holdout check: fit up to ``cutoff``, compare with (cutoff, end]."""

    cutoff: pd.Timestamp
    end: pd.Timestamp
    holdout_weeks: float
    table: pd.DataFrame
    fit: object


def holdout_check(
    orders: pd.DataFrame,
    *,
    cutoff: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    max_frequency: int = 7,
) -> HoldoutCheck:
    """Mean predicted and actual holdout repeat purchases, by calibration repeat purchases.

    BG/NBD fitted on orders up to ``cutoff`` (default: two thirds of the way from the first
    order to ``end``, the last order by default), in weeks; ``table`` is
    :func:`kpi.models.holdout_by_frequency` (index frequency_cal 0..max_frequency, the last
    row pooling "max_frequency or more"; columns customers, actual, predicted). Source: Fader,
    Hardie and Lee (2005), figure 4 (conditional expectations in the holdout).
    """
    from kpi.models import calibration_holdout, fit_bgnbd, holdout_by_frequency

    rows = _purchases(orders, end)
    if rows.empty:
        raise InsufficientDataError(
            "the holdout check needs dated orders; found none. Widen the date range."
        )
    first = rows["order_date"].min().normalize()
    last = rows["order_date"].max().normalize() if end is None else pd.Timestamp(end).normalize()
    if cutoff is None:
        cutoff = (first + (last - first) * 2 / 3).normalize()
    cutoff = pd.Timestamp(cutoff).normalize()
    calibration = calibration_holdout(rows, cutoff=cutoff, end=last, freq="W")
    fit = fit_bgnbd(calibration["frequency_cal"], calibration["recency_cal"], calibration["T_cal"])
    table = holdout_by_frequency(fit, calibration, max_frequency=max_frequency)
    return HoldoutCheck(
        cutoff=cutoff,
        end=last,
        holdout_weeks=float(calibration["duration_holdout"].iloc[0]),
        table=table,
        fit=fit,
    )


# --------------------------------------------------------------------------------------------
# Section for the command line and the report
# --------------------------------------------------------------------------------------------


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
    variant: str = "ltv_retention",
    margin: float | None = None,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    settings: Settings | None = None,
    reductions: Reductions | None = None,
) -> Section:
    """Every value KPI the tables support (see kpi.report).

    ``reductions``: the orders' in-memory reductions (:func:`kpi.analysis.analysis` builds
    them once); the customers' codes and acquisition dates are taken from them.

    ``settings`` (the user's) overrides ``discount_rate``, ``horizon_months`` and the
    inactivity window; all three are reported under ``assumptions``. ``ltv_retention`` is
    null when no customer was lost in the range (the sum would rest on the discount rate
    alone), and is then kept out of ``ltv_to_cac``; ``ltv_profit`` uses only the orders that
    have a cost, and a warning says what share of the range's orders that is.

    Keys: ``ltv_simple``, ``clv_visit``, ``clv_purchase``, ``ltv_profit``, ``ltv_retention``
    (monthly inputs measured over the range by :func:`value_inputs`; the retention form
    discounted at ``discount_rate`` a year), ``clv_model_mean`` (mean BG/NBD + Gamma-Gamma CLV
    over ``horizon_months``), ``ltv_to_cac`` (the ``variant`` LTV / CAC; default the retention
    form) and ``cac_payback_months`` (CAC / monthly gross profit per customer). Cohorts:
    ``value_curve`` ({"all": cumulative gross profit per acquired customer by month}). A KPI
    the data cannot support is None with a warning; a failed model fit is a warning and
    ``ltv_to_cac`` then uses the retention form.
    """
    check_period(period)
    settings = settings or Settings()
    result = Section(kpis=dict.fromkeys(KEYS))
    if settings.discount_rate is not None:
        discount_rate = settings.discount_rate
    if settings.clv_horizon_months is not None:
        horizon_months = settings.clv_horizon_months
    result.assumptions = {
        "discount_rate": assumption(
            discount_rate,
            "user" if settings.discount_rate is not None else "default",
            per="year",
        ),
        "clv_horizon_months": assumption(
            horizon_months, "user" if settings.clv_horizon_months is not None else "default"
        ),
    }
    orders, customers, spend = tables.get("orders"), tables.get("customers"), tables.get("spend")
    if orders is None:
        result.warnings.append(
            "ltv_simple, clv_visit, clv_purchase, ltv_profit, ltv_retention, clv_model_mean, "
            "ltv_to_cac and cac_payback_months need an orders table with customer_id, "
            f"order_date and amount; upload your orders {_DATA_PAGE}."
        )
        return result
    reductions = reductions_for(orders, reductions)
    try:
        inputs = value_inputs(
            orders,
            customers,
            start=start,
            end=end,
            margin=margin,
            window_days=settings.inactivity_window_days,
            reductions=reductions,
        )
    except KpiError as err:
        result.warnings.append(f"lifetime value: {err}")
        return result
    if inputs.margin_basis == "cost" and inputs.cost_share < 1:
        costed = round(inputs.cost_share * inputs.orders)
        result.warnings.append(
            f"ltv_profit uses only the {costed:,} of {inputs.orders:,} orders in the range "
            f"({100 * inputs.cost_share:.1f} %) that have a cost; the gross margin of "
            "ltv_retention and cac_payback_months comes from the same orders. Fill in the "
            "cost of every order for a profit figure over all of them."
        )
    for key in FORMULA_VARIANTS:
        try:
            result.kpis[key] = ltv(inputs, variant=key, discount_rate=discount_rate)
        except KpiError as err:
            result.warnings.append(str(err))
    try:
        model = model_clv(
            orders, end=end, horizon_months=horizon_months, discount_rate=discount_rate
        )
    except KpiError as err:
        result.warnings.append(f"clv_model_mean: {err} The formula LTV is used instead.")
        model = None
    else:
        result.kpis["clv_model_mean"] = model.mean
    chosen = variant
    if variant == "clv_model_mean" and model is None:
        chosen = "ltv_retention"
    ltv_value = result.kpis.get(chosen)
    if spend is None:
        result.warnings.append(
            "ltv_to_cac and cac_payback_months need a spend table with columns date and amount; "
            f"upload your marketing and sales spend {_DATA_PAGE}."
        )
    elif ltv_value is None:
        result.warnings.append(f"ltv_to_cac needs {chosen}, which the data cannot support.")
    else:
        try:
            acquisition = cac(spend, orders, customers, start=start, end=end, reductions=reductions)
            if acquisition.cac is None:
                raise InsufficientDataError(
                    "ltv_to_cac and cac_payback_months need customers acquired in the range; "
                    "found none. Widen the date range."
                )
            result.kpis["ltv_to_cac"] = ltv_to_cac(ltv_value, acquisition.cac)
            if math.isnan(inputs.gross_margin):
                result.warnings.append(
                    "cac_payback_months needs a gross margin: a cost column in orders or a "
                    f"margin you set. Map the cost {_DATA_PAGE}."
                )
            else:
                result.kpis["cac_payback_months"] = cac_payback_months(
                    acquisition.cac, monthly_gross_profit=inputs.monthly_gross_profit
                )
        except KpiError as err:
            result.warnings.append(str(err))
    try:
        curve = cohort_value_curve(
            orders, customers, start=start, end=end, margin=margin, reductions=reductions
        )
        result.cohorts["value_curve"] = {"all": curve["cumulative_gross_profit"].tolist()}
    except KpiError as err:
        result.warnings.append(f"value curve: {err}")
    result.kpis = plain(result.kpis)
    result.cohorts = plain(result.cohorts)
    return result
