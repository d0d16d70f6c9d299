"""Blocks of the Value page that need widgets: settings, the cached model fit, cards, tables.

The page stays a story of the screen; each block here reads :mod:`kpi.value`, formats the
numbers for people and hands tables to :mod:`ui.value_charts`. The purchase models are fitted
once per data, range end, horizon and discount rate (:mod:`ui.caching`), never per widget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from kpi import base, value
from kpi.acquisition import cac as measure_cac
from kpi.errors import KpiError
from ui import caching, cards, state
from ui import format as fmt
from ui.frame import View

VARIANT_KEY = "val_variant"
MARGIN_KEY = "val_margin"
DISCOUNT_KEY = "val_discount"
HORIZON_KEY = "val_horizon"
TOP = 20


@dataclass(frozen=True)
class Settings:
    """What the user chose: the LTV variant, gross margin (None: measured), rates, horizon."""

    variant: str
    margin: float | None
    discount_rate: float
    horizon_months: int


def measured_margin(view: View) -> float | None:
    """Gross margin measured from orders.cost in range, None when the data has no costs."""
    orders = view.tables["orders"]
    if "cost" not in orders.columns or not orders["cost"].notna().any():
        return None
    try:
        inputs = inputs_of(orders, view.tables.get("customers"), view.start, view.end, None)
    except KpiError:
        return None
    return None if math.isnan(inputs.gross_margin) else inputs.gross_margin


SETTINGS_LABEL = "LTV settings: formula, margin, discount rate, horizon"


def settings(view: View) -> Settings:
    """The settings in force: LTV variant, gross margin (when the data has no costs), discount
    rate and model horizon, under the panel that changes them.

    The panel draws its select and sliders only once it is opened (:func:`ui.cards.lazy`):
    drawn open, they made every first visit to Value load the select and slider widgets' code.
    The settings live in plain keys, so closed it reads them or their defaults; the LTV card
    names the variant and the assumptions line under the cards states the rest.
    """
    measured = measured_margin(view)
    with cards.lazy(SETTINGS_LABEL, key="val_settings", icon=":material/tune:") as shown:
        if shown:
            _settings_widgets(measured)

    def get(key: str) -> Any:
        return state.setting(key, state.SETTING[key].default)

    margin = None if measured is not None else int(get("s_margin")) / 100
    return Settings(str(get("s_ltv")), margin, int(get("s_discount")) / 100, int(get("s_horizon")))


def _settings_widgets(measured: float | None) -> None:
    """The variant selector, gross margin (a slider when the data has no costs), discount and
    horizon, each kept in its plain key."""
    left, mid, right, far = st.columns([3, 2, 2, 2])
    left.selectbox(
        "LTV used for LTV/CAC",
        list(value.VARIANTS),
        format_func=value.VARIANT_LABELS.get,
        **state.bind("s_ltv"),
        help="Which lifetime value the cards compare with the acquisition cost. The default, "
        "the retention form, counts gross profit and discounts future months.",
    )
    if measured is None:
        mid.slider(
            "Gross margin (%)",
            0,
            100,
            step=1,
            **state.bind("s_margin"),
            help="Your orders have no cost column: set the share of revenue left after "
            "direct costs. Used by the retention and profit forms, the payback and the curve.",
        )
    else:
        mid.metric(
            "Gross margin",
            fmt.percent(measured),
            help="Measured from the cost column of your orders in the date range: "
            "1 - costs / revenue.",
        )
    right.slider(
        "Discount rate (% a year)",
        0,
        30,
        step=1,
        **state.bind("s_discount"),
        help="What a euro next year is worth less than today. Used by the retention form "
        "and the model-based CLV, applied monthly.",
    )
    far.select_slider(
        "Model horizon (months)",
        options=[6, 12, 24, 36],
        **state.bind("s_horizon"),
        help="How far ahead the model-based CLV counts purchases.",
    )


@caching.cached(max_entries=16, ttl=3600, show_spinner=False)
def inputs_of(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
    margin: float | None,
) -> value.ValueInputs:
    """:func:`kpi.value.value_inputs` of a range, cached (lifetimes sort every order day)."""
    return value.value_inputs(orders, customers, start=start, end=end, margin=margin)


@caching.cached(max_entries=8, ttl=3600, show_spinner="Fitting the purchase models…")
def fitted_model(
    orders: pd.DataFrame, end: pd.Timestamp, horizon: int, discount: float
) -> value.ModelClv | str:
    """The model-based CLV, or the message of why the fit failed (cached on the data)."""
    try:
        return value.model_clv(orders, end=end, horizon_months=horizon, discount_rate=discount)
    except KpiError as err:
        return str(err)


@caching.cached(max_entries=8, ttl=3600, show_spinner="Checking the model on held-out orders…")
def holdout(orders: pd.DataFrame, end: pd.Timestamp) -> value.HoldoutCheck | str:
    """The calibration/holdout check, or the message of why it could not run."""
    try:
        return value.holdout_check(orders, end=end)
    except KpiError as err:
        return str(err)


@caching.cached(max_entries=16, ttl=3600, show_spinner=False)
def ltv_cac_by_channel(
    orders: pd.DataFrame, spend: pd.DataFrame, customers: pd.DataFrame | None, **args: object
) -> pd.DataFrame:
    """:func:`kpi.value.ltv_to_cac_by_channel`, cached (an LTV per channel is a pass each)."""
    return value.ltv_to_cac_by_channel(orders, spend, customers, **args)  # type: ignore[arg-type]


@caching.cached(max_entries=16, ttl=3600, show_spinner=False)
def ltv_cac_by_cohort(
    orders: pd.DataFrame, spend: pd.DataFrame, customers: pd.DataFrame | None, **args: object
) -> pd.DataFrame:
    """:func:`kpi.value.ltv_to_cac_by_cohort`, cached."""
    return value.ltv_to_cac_by_cohort(orders, spend, customers, **args)  # type: ignore[arg-type]


@caching.cached(max_entries=16, ttl=3600, show_spinner=False)
def value_curve(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    start: pd.Timestamp,
    end: pd.Timestamp,
    margin: float | None,
) -> pd.DataFrame:
    """:func:`kpi.value.cohort_value_curve`, cached."""
    return value.cohort_value_curve(orders, customers, start=start, end=end, margin=margin)


def model(view: View, s: Settings) -> value.ModelClv | None:
    """The cached model fit; on failure, its message and a note that the formula LTV is used."""
    # the session's own table, not a column subset made afresh each run: the cache knows a
    # table by its identity (ui.caching)
    orders = view.tables["orders"]
    fit = fitted_model(orders, view.end, s.horizon_months, s.discount_rate)
    if isinstance(fit, str):
        plain, details = fmt.plain_model_warning(fit)
        st.warning(
            f"{fmt.md(plain)} The cards use the formula LTV (retention form) instead.",
            icon=":material/warning:",
        )
        if details:
            with st.expander("Details for the analyst"):
                st.caption(fmt.md(details))
        return None
    return fit


@dataclass(frozen=True)
class Headline:
    """The numbers behind the cards."""

    variant: str
    ltv: float | None
    cac: float | None
    ratio: float | None
    payback: float | None
    inputs: value.ValueInputs | None
    why: str | None = None  # why the LTV is unknown


def _ltv(inputs: value.ValueInputs, variant: str, s: Settings, fit: value.ModelClv | None):
    if variant == "clv_model_mean":
        return fit.mean if fit is not None else None
    return value.ltv(inputs, variant=variant, discount_rate=s.discount_rate)


def headline(
    view: View, s: Settings, fit: value.ModelClv | None, *, start=None, end=None
) -> Headline:
    """LTV (the chosen variant), CAC, LTV/CAC and payback over a range (default: the view's)."""
    start = view.start if start is None else start
    end = view.end if end is None else end
    t = view.tables
    variant = s.variant if (s.variant != "clv_model_mean" or fit is not None) else "ltv_retention"
    inputs = inputs_of(t["orders"], t.get("customers"), start, end, s.margin)
    why = None
    try:
        ltv = _ltv(inputs, variant, s, fit)
    except KpiError as err:  # unknown (no customer lost, no margin): no card, no LTV/CAC
        ltv, why = None, str(err)
    cac = ratio = payback = None
    if view.has("spend", "date", "amount"):
        cac = measure_cac(t["spend"], t["orders"], t.get("customers"), start=start, end=end).cac
    if cac is not None:
        ratio = value.ltv_to_cac(ltv, cac) if ltv is not None else None
        if not math.isnan(inputs.gross_margin):
            payback = value.cac_payback_months(
                cac, monthly_gross_profit=inputs.monthly_gross_profit
            )
    return Headline(variant, ltv, cac, ratio, payback, inputs, why)


def ltv_help(h: Headline, s: Settings, view: View) -> str:
    """The formula of the chosen LTV in words, with its inputs."""
    i = h.inputs
    m = view.money
    d = value.monthly_rate(s.discount_rate)
    if h.variant == "ltv_retention":
        return (
            "Gross margin × monthly revenue per customer × (1 + d) / (d + monthly churn): "
            f"{fmt.percent(i.gross_margin)} × {m(i.monthly_revenue)} × {1 + d:.4f} / "
            f"({fmt.percent(d, 2)} + {fmt.percent(i.monthly_churn, 2)} churn per month); d is "
            f"{fmt.percent(s.discount_rate, 0)} a year as a monthly rate. Churn is "
            f"{i.churn_definition}."
        )
    if h.variant == "ltv_simple":
        return (
            f"Average lifetime × monthly revenue per customer: "
            f"{fmt.months(i.lifetime_months)} × {m(i.monthly_revenue)}."
        )
    if h.variant == "clv_visit":
        return (
            f"Spend per visit × visits per year × years: {m(i.spend_per_visit)} × "
            f"{fmt.number(i.visits_per_year, 1)} × {fmt.number(i.lifetime_years, 2)}."
        )
    if h.variant == "clv_purchase":
        return (
            f"Average order value × orders per year × years: {m(i.average_order_value)} × "
            f"{fmt.number(i.orders_per_year, 1)} × {fmt.number(i.lifetime_years, 2)}."
        )
    if h.variant == "ltv_profit":
        return (
            f"Profit per order × orders per year × years: {m(i.profit_per_order)} × "
            f"{fmt.number(i.orders_per_year, 1)} × {fmt.number(i.lifetime_years, 2)}. Profit "
            f"per order over the {fmt.percent(i.cost_share)} of orders that have a cost."
        )
    return (
        f"Mean over customers of the BG/NBD expected purchases in {s.horizon_months} months "
        f"× the Gamma-Gamma expected order value, discounted at {fmt.percent(s.discount_rate, 0)} "
        "a year. Revenue, not margin."
    )


def inputs_table(i: value.ValueInputs, view: View) -> pd.DataFrame:
    """The measured inputs, one row each, formatted for people."""
    m = view.money
    rows = [
        ("Active customers", fmt.number(i.customers)),
        ("Orders", fmt.number(i.orders)),
        ("Revenue", m(i.revenue)),
        ("Customer-months of relationship", fmt.number(i.customer_months, 1)),
        ("Monthly revenue per customer", m(i.monthly_revenue)),
        (
            "Churn per month (lost / customers at each month's start)",
            fmt.percent(i.monthly_churn, 2),
        ),
        ("Average lifetime", fmt.months(i.lifetime_months)),
        ("Average order value", m(i.average_order_value)),
        ("Spend per visit (order day)", m(i.spend_per_visit)),
        ("Orders per customer-year", fmt.number(i.orders_per_year, 1)),
        ("Visits per customer-year", fmt.number(i.visits_per_year, 1)),
        ("Gross margin", fmt.percent(i.gross_margin)),
        ("Profit per order (orders with a cost)", m(i.profit_per_order)),
        ("Orders with a cost", fmt.percent(i.cost_share)),
        ("Churn definition", i.churn_definition),
    ]
    return pd.DataFrame(rows, columns=["Input", "Value"])


def assumptions_note(h: Headline, s: Settings) -> str:
    """The defaults and settings that shaped the cards, in one line beside them."""
    i = h.inputs
    parts = [
        f"discount rate {fmt.percent(s.discount_rate, 0)} a year"
        + (" (default)" if s.discount_rate == value.DEFAULT_DISCOUNT_RATE else " (set by you)"),
        f"model horizon {s.horizon_months} months"
        + (" (default)" if s.horizon_months == value.DEFAULT_HORIZON_MONTHS else " (set by you)"),
    ]
    if i is not None:
        parts.append(f"churn per month {fmt.percent(i.monthly_churn, 2)} ({i.churn_definition})")
        if i.margin_basis == "cost" and not math.isnan(i.cost_share):
            parts.append(
                f"gross margin {fmt.percent(i.gross_margin)}, measured from the costs of "
                f"{fmt.percent(i.cost_share)} of orders"
            )
        elif i.margin_basis == "margin given":
            default = (
                s.margin is not None and round(100 * s.margin) == state.SETTING["s_margin"].default
            )
            whose = "default: your orders have no cost column" if default else "set by you"
            parts.append(f"gross margin {fmt.percent(i.gross_margin)} ({whose})")
    return "Assumptions: " + " · ".join(parts) + "."


def _ratio(x: float | None) -> str:
    """LTV/CAC for people: ``7.3×``; ``∞`` when acquisition cost nothing."""
    return "∞" if x == math.inf else fmt.ratio(x)


def show_cards(view: View, s: Settings, fit: value.ModelClv | None) -> Headline:
    """LTV, CAC, LTV/CAC (3:1 rule of thumb) and payback cards, with changes and rows."""
    h = headline(view, s, fit)
    window = base.previous_window(view.start, view.end)
    before = None
    if window[0] >= view.data_start and h.variant != "clv_model_mean":
        try:
            before = headline(view, s, fit, start=window[0], end=window[1])
        except KpiError:
            before = None
    m = view.money
    label = {"clv_model_mean": "CLV (model)"}.get(h.variant, "LTV")
    if h.ltv is None:
        made = [cards.missing_card(label, h.why or "The data cannot support this LTV.")]
    else:
        made = [
            cards.Card(
                label,
                m(h.ltv),
                change=base.relative_change(h.ltv, before.ltv if before else None),
                help=ltv_help(h, s, view),
                rows=inputs_table(h.inputs, view),
                key="val_ltv",
                note=value.VARIANT_LABELS[h.variant],
            )
        ]
    st.caption(fmt.md(assumptions_note(h, s)))
    if h.cac is None:
        no_spend = not view.has("spend", "date", "amount")

        def why(label: str) -> str:
            if no_spend:
                return (
                    f"{label} needs a spend table with columns date and amount: add your "
                    "marketing and sales spend on the Data page."
                )
            return f"{label} needs customers acquired in the date range; none was: widen it."

        made += [
            cards.missing_card(x, why(x), add_data=no_spend)
            for x in ("CAC", "LTV/CAC", "CAC payback")
        ]
        cards.show(made, per_row=4)
        return h
    spend = view.tables["spend"]
    spent = spend[(spend["date"] >= view.start) & (spend["date"] <= view.end)]
    new = measure_cac(
        spend, view.tables["orders"], view.tables.get("customers"), start=view.start, end=view.end
    )
    verdict = (
        "At or above the 3:1 rule of thumb"
        if (h.ratio or 0) >= value.HEALTHY_LTV_TO_CAC
        else "Below the 3:1 rule of thumb"
    )
    made += [
        cards.Card(
            "CAC",
            m(h.cac),
            change=base.relative_change(h.cac, before.cac if before else None),
            help=f"Sales and marketing spend / new customers: {m(new.spend)} / "
            f"{fmt.number(new.new_customers)} new customers.",
            lower_is_better=True,
            rows=spent,
            key="val_cac",
        ),
        cards.missing_card("LTV/CAC", f"LTV/CAC needs the LTV: {h.why}")
        if h.ltv is None
        else cards.Card(
            "LTV/CAC",
            _ratio(h.ratio),
            change=base.relative_change(h.ratio, before.ratio if before else None),
            help=f"Lifetime value / acquisition cost: {m(h.ltv)} / {m(h.cac)}. Rule of thumb: "
            "healthy at 3× or more.",
            note=verdict if h.ratio is not None else None,
        ),
        cards.Card(
            "CAC payback",
            fmt.months(h.payback) if h.payback != math.inf else "Never",
            change=base.relative_change(h.payback, before.payback if before else None),
            help=f"CAC / monthly gross profit per customer: {m(h.cac)} / "
            f"{m(h.inputs.monthly_gross_profit)} (monthly revenue {m(h.inputs.monthly_revenue)} "
            f"× gross margin {fmt.percent(h.inputs.gross_margin)}).",
            lower_is_better=True,
        ),
    ]
    cards.show(made, per_row=4)
    return h


def formula_args(view: View, s: Settings, h: Headline) -> dict[str, object]:
    """Range, variant, margin and discount for the per-channel and per-cohort LTV/CAC.

    The model-based CLV is fitted on everyone at once, so the splits use the retention form.
    """
    variant = h.variant if h.variant in value.FORMULA_VARIANTS else "ltv_retention"
    return {
        "start": view.start,
        "end": view.end,
        "variant": variant,
        "margin": s.margin,
        "discount_rate": s.discount_rate,
    }


def formula_note(h: Headline) -> str:
    """Which LTV the splits use, in words."""
    variant = h.variant if h.variant in value.FORMULA_VARIANTS else "ltv_retention"
    note = f"LTV: {value.VARIANT_LABELS[variant].lower()}, measured on each group's customers."
    if variant != h.variant:
        note += " The model-based CLV is fitted on all customers at once, so it is not split."
    return note


def payback_note(h: Headline, view: View) -> str:
    """The caption under the profit curve: the card's payback, and what the curve is."""
    curve = (
        "The curve is what the customers acquired in the range actually earned, month by "
        "month, averaged over everyone followed that long, lost customers included; the first "
        "order usually earns more than the months after it."
    )
    if h.cac is None:
        return "Add a spend table to draw the CAC line and the CAC payback. " + curve
    if h.payback is None:
        return (
            "CAC payback needs a gross margin: map a cost column or set the margin above. " + curve
        )
    profit = view.money(h.inputs.monthly_gross_profit) if h.inputs is not None else "?"
    if h.payback == math.inf:
        head = (
            f"CAC payback: never. Customers make no gross profit ({profit} a month), so the "
            f"CAC of {view.money(h.cac)} is not earned back."
        )
    else:
        head = (
            f"CAC payback: {fmt.months(h.payback)} (the star, as on the card): the CAC of "
            f"{view.money(h.cac)} divided by the average monthly gross profit per customer, "
            f"{profit}."
        )
    return f"{head} {curve}"


def channel_table(table: pd.DataFrame, view: View) -> pd.DataFrame:
    """LTV/CAC by channel formatted for people (NaN as a dash)."""
    m = view.money
    return pd.DataFrame(
        {
            "Channel": table.index.astype(str),
            "Spend": [m(x) for x in table["spend"]],
            "New customers": [fmt.number(x) for x in table["new_customers"]],
            "CAC": [m(x) for x in table["cac"]],
            "LTV": [m(x) for x in table["ltv"]],
            "LTV/CAC": [_ratio(x) for x in table["ltv_to_cac"]],
            "Payback": [
                fmt.months(x) if x != math.inf else "Never" for x in table["payback_months"]
            ],
        }
    )


def variants_table(view: View, s: Settings, fit: value.ModelClv | None) -> pd.DataFrame:
    """Every LTV variant of the catalogue on this data, with its formula."""
    t = view.tables
    inputs = inputs_of(t["orders"], t.get("customers"), view.start, view.end, s.margin)
    rows = []
    for key in value.VARIANTS:
        try:
            number = _ltv(inputs, key, s, fit)
        except KpiError as err:
            number, why = None, str(err)
        else:
            why = "" if number is not None else "The purchase models could not be fitted."
        if key == "clv_model_mean" and number is not None:
            why = f"Revenue over the next {s.horizon_months} months, discounted."
        rows.append((value.VARIANT_LABELS[key], view.money(number), why))
    return pd.DataFrame(rows, columns=["Variant", "Lifetime value", "Note"])


def top_customers(fit: value.ModelClv, view: View) -> None:
    """The customers with the highest predicted CLV, with probability alive; downloadable."""
    table = fit.customers.reset_index()
    shown = pd.DataFrame(
        {
            "Customer": table["customer_id"].astype(str),
            "Predicted CLV": table["clv"],
            "Probability alive": table["probability_alive"] * 100,
            "Expected purchases": table["expected_purchases"],
            "Repeat purchases so far": table["frequency"].astype(int),
            "Weeks since first order": table["T"],
        }
    )
    sym = fmt.currency_symbol(view.currency)
    st.dataframe(
        shown.head(TOP),
        hide_index=True,
        width="stretch",
        column_config={
            "Customer": st.column_config.TextColumn("Customer"),
            "Predicted CLV": st.column_config.NumberColumn(
                f"Predicted CLV ({sym})", format="%,.0f"
            ),
            "Probability alive": st.column_config.ProgressColumn(
                "Probability alive", format="%.0f %%", min_value=0, max_value=100
            ),
            "Expected purchases": st.column_config.NumberColumn(format="%.1f"),
            "Weeks since first order": st.column_config.NumberColumn(format="%.0f"),
        },
    )
    with cards.lazy(f"Every customer ({fmt.number(len(shown))}), to download", key="val_all") as on:
        if on:
            cards.drill_down(shown, name="predicted_clv", key="val_top")
