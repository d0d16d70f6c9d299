"""Blocks of the What-if page: sliders, the scenario's outputs, saved scenarios, the URL.

State lives in plain session keys, never only in widgets (the frame's "dummy key" strategy):

- ``wi_overrides``: the levers moved away from the baseline, ``{lever: value on screen}``
  (percent for shares, money for CAC). A lever not in it sits at the baseline, so when the
  filters change the baseline, untouched levers follow it.
- ``wi_saved``: named scenarios, ``{name: overrides}``; ``wi_compare`` the names compared.
- ``wi_budget``: True when the acquisition budget is held, so a CAC change moves paid new
  customers (:func:`kpi.scenario.with_budget_held`). The paid inflow it gives is written into
  the overrides like a moved slider, so saved scenarios and links carry it as a number.

The overrides are mirrored into the URL as compact ``w_`` keys (``?w_c=1.5&w_p=5``) so a
copied link reopens the scenario; values read back are parsed as plain numbers and clamped to
the slider's range, never evaluated; a value clamped so is named on the page (the lever, the
link's value and the value used) until that lever is moved. The frame's own filter keys in the
URL are left alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from kpi import export
from kpi import scenario as sc
from ui import caching, cards
from ui import format as fmt
from ui import whatif_charts as charts

OVERRIDES = "wi_overrides"
SAVED = "wi_saved"
COMPARED = "wi_compared"
URL_SEEN = "wi_url_seen"
BUDGET = "wi_budget"
CLAMPED = "wi_link_clamped"
MAX_COMPARED = 4
MAX_SAVED = 20
CARD_LABELS = {"ltv": "LTV", "ltv_to_cac": "LTV / CAC", "payback_months": "CAC payback"}
_NUMBER = re.compile(r"^-?\d{1,9}(\.\d{1,6})?$")


@caching.cached(max_entries=16, ttl=3600, show_spinner=False)
def baseline_of(
    tables: dict[str, pd.DataFrame], start: pd.Timestamp, end: pd.Timestamp
) -> sc.Baseline:
    """:func:`kpi.scenario.baseline` of the range, cached: a page rerun does not remeasure it."""
    return sc.baseline(tables, start=start, end=end)


@dataclass(frozen=True)
class Lever:
    """One slider: the lever it moves, its URL code, and its range in screen units."""

    name: str
    code: str
    label: str
    scale: float  # screen value = lever value x scale
    low: float
    high: float
    step: float
    format: str
    help: str
    # What the lever can take at all (churn at most 100 %); the track may widen up to these.
    hard_low: float = -math.inf
    hard_high: float = math.inf


def levers(b: sc.Baseline, currency: str) -> tuple[Lever, ...]:
    """The seven sliders, each track centred on its measured baseline with a fine step
    (:func:`kpi.scenario.centred_range`): halving or doubling a lever is within reach and
    the realistic range fills the track."""
    sym = fmt.currency_symbol(currency)
    churn = sc.centred_range(100 * b.churn, floor=0.5, low_limit=0.05, high_limit=100.0)
    price = sc.centred_range(0.0, floor=20.0, low_limit=-90.0)
    margin = sc.centred_range(100 * b.gross_margin, floor=10.0, high_limit=100.0)
    cac = sc.centred_range(0.0 if math.isnan(b.cac) else b.cac, floor=500.0 if math.isnan(b.cac)
                           else 10.0)  # fmt: skip
    paid = sc.centred_range(b.paid_new, floor=5.0)
    referral = sc.centred_range(100 * b.referral_rate, floor=0.5)
    return (
        Lever("churn", "c", "Monthly churn", 100, *churn, "%.2f %%",
              "Share of customers lost each month.", 0.05, 100.0),
        Lever("price_change", "p", "Price change", 100, *price, "%+.1f %%",
              "Change of prices, and so of revenue per customer (ARPU).", -90.0, 1_000.0),
        Lever("gross_margin", "m", "Gross margin", 100, *margin, "%.1f %%",
              "Share of revenue left after the direct cost of the service.", -100.0, 100.0),
        Lever("cac", "k", "CAC", 1, *cac, f"{sym} %.0f",
              "Sales and marketing spend per new customer.", 0.0, 1e7),
        Lever("acquisition", "a", "Paid new customers a month", 1, *paid, "%.1f",
              "New customers won by sales and marketing.", 0.0, 1e7),
        Lever("referral_rate", "r", "Referrals per 100 customers a month", 100, *referral,
              "%.2f", "New customers brought by existing customers, per 100 customers a month.",
              0.0, 100.0),
        Lever("discount_rate", "d", "Discount rate (a year)", 100, 0.0, 30.0, 0.5, "%.1f %%",
              "What money a year from now is worth less than today; it shrinks LTV.", 0.0, 100.0),
    )  # fmt: skip


def at_baseline(b: sc.Baseline, lever: Lever) -> float:
    """The lever's baseline value in screen units (0 for an unknown CAC)."""
    value = getattr(sc.Levers.of(b), lever.name)
    return 0.0 if math.isnan(value) else value * lever.scale


def explain(b: sc.Baseline, lever: Lever, currency: str) -> str:
    """One sentence on where the lever's baseline comes from, in the data's own numbers."""
    money = partial(fmt.money, currency=currency)
    defaulted = lever.name in b.defaults
    referred = max(b.new_customers - b.paid_new, 0.0)
    if lever.name == "churn":
        return (
            f"{fmt.percent(b.churn, 2)} of customers were lost a month on average over the "
            f"range ({b.churn_definition})."
        )
    if lever.name == "price_change":
        return f"Today's prices bring {money(b.arpu)} a month per active customer (ARPU)."
    if lever.name == "gross_margin":
        if defaulted:
            return f"{fmt.percent(b.gross_margin, 0)} is a default: the orders have no cost."
        return f"Order amounts less their cost leave {fmt.percent(b.gross_margin)} of revenue."
    if lever.name == "cac":
        if defaulted:
            return "Unknown without a spend table: set it by hand to see LTV / CAC and payback."
        return f"Sales and marketing spend in the range / new customers in it: {money(b.cac)}."
    if lever.name == "acquisition":
        return (
            f"Of the {fmt.number(b.new_customers, 1)} new customers a month in the range, "
            f"{fmt.number(b.paid_new, 1)} came through sales and marketing; the other "
            f"{fmt.number(referred, 1)} came by referral, the next lever."
        )
    if lever.name == "referral_rate":
        if defaulted:
            return "0 by default: the data does not say who came by referral."
        return (
            f"{fmt.number(100 * b.referral_rate, 2)} new customers a month by referral for "
            "every 100 customers."
        )
    return f"A setting, not a measurement: {fmt.percent(b.discount_rate, 0)} a year."


def scenario_levers(b: sc.Baseline, overrides: Mapping[str, float], currency: str) -> sc.Levers:
    """The levers of a scenario: the baseline, with the overridden levers set from the screen.

    >>> b = sc.Baseline(churn=0.03, arpu=100.0, gross_margin=0.5, cac=300.0,
    ...     new_customers=12.0, referral_rate=0.01, paid_new=10.0, discount_rate=0.1,
    ...     customers=500, months=12.0)
    >>> scenario_levers(b, {"churn": 2.0, "price_change": 5.0}, "EUR").churn
    0.02
    """
    values = {}
    for lever in levers(b, currency):
        if lever.name in overrides:
            values[lever.name] = float(overrides[lever.name]) / lever.scale
    return sc.Levers.of(b).changed(**values)


# --- the URL --------------------------------------------------------------------------------


def _compact(x: float) -> str:
    """``1.5`` -> "1.5", ``40.0`` -> "40": short, exact to 4 decimals."""
    text = f"{round(x, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def encode(overrides: Mapping[str, float], b: sc.Baseline, currency: str) -> dict[str, str]:
    """The overrides as ``w_`` query keys, e.g. ``{"w_c": "1.5", "w_p": "5"}``."""
    return {
        f"w_{lever.code}": _compact(float(overrides[lever.name]))
        for lever in levers(b, currency)
        if lever.name in overrides
    }


def decode(
    query: Mapping[str, str],
    b: sc.Baseline,
    currency: str,
    clamped: dict[str, str] | None = None,
) -> dict[str, float]:
    """Overrides from ``w_`` query keys: plain decimals only, kept to what a lever can take.

    A value outside the slider's centred track but possible (churn 25 % where the track ends
    at 4 %) is kept, and :func:`sliders` widens the track to it; one that is not possible
    (churn below 0.05 % or above 100 %) is brought to the limit, and ``clamped`` gets a
    sentence saying so, by lever name.

    >>> b = sc.Baseline(churn=0.03, arpu=100.0, gross_margin=0.5, cac=300.0,
    ...     new_customers=12.0, referral_rate=0.01, paid_new=10.0, discount_rate=0.1,
    ...     customers=500, months=12.0)
    >>> decode({"w_c": "1.5", "w_p": "9000", "w_m": "1e9", "w_x": "3"}, b, "EUR")
    {'churn': 1.5, 'price_change': 1000.0}
    """
    out: dict[str, float] = {}
    for lever in levers(b, currency):
        text = query.get(f"w_{lever.code}")
        if isinstance(text, str) and _NUMBER.match(text.strip()):
            asked = float(text)
            out[lever.name] = min(max(asked, lever.hard_low), lever.hard_high)
            if clamped is not None and out[lever.name] != asked:
                clamped[lever.name] = clamp_note(lever, asked, out[lever.name])
    return out


def clamp_note(lever: Lever, asked: float, used: float) -> str:
    """What the page says when a lever value lies outside what the lever can take.

    >>> lv = Lever("churn", "c", "Monthly churn", 100, 0.5, 9.0, 0.05, "%.2f %%", "", 0.05, 100)
    >>> clamp_note(lv, 450.0, 100.0)
    'The scenario sets Monthly churn to 450.00 %, beyond what it can be (0.05 % to 100.00 %): \
it uses 100.00 %.'
    """

    def f(x: float) -> str:
        return lever.format % x

    return (
        f"The scenario sets {lever.label} to {f(asked)}, beyond what it can be "
        f"({f(lever.hard_low)} to {f(lever.hard_high)}): it uses {f(used)}."
    )


def sync_from_url(b: sc.Baseline, currency: str) -> None:
    """A link with ``w_`` keys (a new one, not ours) sets the scenario; run before drawing."""
    query = {k: st.query_params.get(k) for k in st.query_params if k.startswith("w_")}
    ours = encode(st.session_state.get(OVERRIDES, {}), b, currency)
    if query and query != st.session_state.get(URL_SEEN) and query != ours:
        clamped: dict[str, str] = {}
        st.session_state[OVERRIDES] = decode(query, b, currency, clamped)
        st.session_state[CLAMPED] = clamped
        for lever in levers(b, currency):
            st.session_state.pop(f"wi_s_{lever.name}", None)
    st.session_state.setdefault(OVERRIDES, {})


def sync_to_url(b: sc.Baseline, currency: str) -> None:
    """Write the scenario's ``w_`` keys; the frame's filter keys stay as they are."""
    wanted = encode(st.session_state.get(OVERRIDES, {}), b, currency)
    current = {k: st.query_params.get(k) for k in st.query_params if k.startswith("w_")}
    if current != wanted:
        for key in set(current) - set(wanted):
            del st.query_params[key]
        for key, value in wanted.items():
            st.query_params[key] = value
    st.session_state[URL_SEEN] = wanted


# --- sliders --------------------------------------------------------------------------------


def _set(overrides: dict[str, float], name: str, value: float, base_value: float) -> None:
    if value == base_value:
        overrides.pop(name, None)
    else:
        overrides[name] = value


def held_overrides(b: sc.Baseline, overrides: Mapping[str, float], currency: str) -> dict:
    """``overrides`` with the paid inflow that the held budget buys at their CAC.

    >>> b = sc.Baseline(churn=0.03, arpu=100.0, gross_margin=0.5, cac=300.0,
    ...     new_customers=12.0, referral_rate=0.01, paid_new=10.0, discount_rate=0.1,
    ...     customers=500, months=12.0)
    >>> held_overrides(b, {"cac": 150.0}, "EUR")
    {'cac': 150.0, 'acquisition': 20.0}
    """
    out = dict(overrides)
    held = sc.with_budget_held(b, scenario_levers(b, out, currency))
    paid = next(lv for lv in levers(b, currency) if lv.name == "acquisition")
    _set(out, "acquisition", round(held.acquisition, 4), at_baseline(b, paid))
    return out


def _keep(lever: Lever, base_value: float, b: sc.Baseline, currency: str) -> None:
    """on_change: remember the slider's value as an override, or drop it at the baseline."""
    value = float(st.session_state[f"wi_s_{lever.name}"])
    (st.session_state.get(CLAMPED) or {}).pop(lever.name, None)
    overrides = dict(st.session_state.get(OVERRIDES, {}))
    _set(overrides, lever.name, value, base_value)
    if st.session_state.get(BUDGET):
        overrides = held_overrides(b, overrides, currency)
        st.session_state.pop("wi_s_acquisition", None)
    st.session_state[OVERRIDES] = overrides


def _budget_changed(b: sc.Baseline, currency: str) -> None:
    """on_change of the budget toggle: holding it sets the paid inflow from the CAC now."""
    on = bool(st.session_state["wi_w_budget"])
    st.session_state[BUDGET] = on
    if on:
        overrides = st.session_state.get(OVERRIDES, {})
        st.session_state[OVERRIDES] = held_overrides(b, overrides, currency)
        st.session_state.pop("wi_s_acquisition", None)


def reset(b: sc.Baseline, currency: str) -> None:
    """on_click: every lever back to the baseline."""
    st.session_state[OVERRIDES] = {}
    st.session_state.pop(CLAMPED, None)
    for lever in levers(b, currency):
        st.session_state.pop(f"wi_s_{lever.name}", None)


def _within_limits(lever: Lever, value: float) -> float:
    """``value`` brought within what the lever can take; the override and a note follow."""
    used = min(max(value, lever.hard_low), lever.hard_high)
    if used != value:
        overrides = dict(st.session_state.get(OVERRIDES, {}))
        overrides[lever.name] = used
        st.session_state[OVERRIDES] = overrides
        notes = dict(st.session_state.get(CLAMPED) or {})
        notes[lever.name] = clamp_note(lever, value, used)
        st.session_state[CLAMPED] = notes
    return used


def sliders(b: sc.Baseline, currency: str) -> None:
    """The seven sliders, seeded from the overrides, each with its measured value beside it
    and a sentence on where that comes from; the budget toggle sits above CAC."""
    overrides = st.session_state.get(OVERRIDES, {})
    held = bool(st.session_state.get(BUDGET))
    for lever in levers(b, currency):
        base_value = at_baseline(b, lever)
        key = f"wi_s_{lever.name}"
        if lever.name == "cac" and not math.isnan(b.cac):
            st.session_state["wi_w_budget"] = held
            budget = fmt.money(sc.monthly_budget(b), currency)
            st.toggle(
                f"Hold the budget ({budget} a month)", key="wi_w_budget",
                on_change=_budget_changed, args=(b, currency),
                help="Keep sales and marketing spend a month as measured, so a lower CAC buys "
                "more paid new customers and a higher one fewer.",
            )  # fmt: skip
        value = float(overrides.get(lever.name, base_value))
        if lever.name in overrides:
            value = _within_limits(lever, value)
        # A link, a saved scenario or an analysis file may hold a value outside the centred
        # track: the track widens to it, so the slider shows the value the scenario uses.
        low, high = min(lever.low, value), max(lever.high, value)
        st.session_state[key] = value
        st.slider(
            lever.label, min_value=low, max_value=high, step=lever.step,
            format=lever.format, key=key, help=lever.help,
            disabled=held and lever.name == "acquisition",
            on_change=_keep, args=(lever, base_value, b, currency),
        )  # fmt: skip
        moved = " · Moved." if lever.name in overrides else ""
        if held and lever.name == "acquisition":
            moved = " · Set by the held budget."
        st.caption(fmt.md(explain(b, lever, currency)) + (f" **{moved[3:]}**" if moved else ""))
        if (low, high) != (lever.low, lever.high):
            st.caption(
                f"The track is widened to {fmt.md(lever.format % value)}, outside its usual "
                f"range ({fmt.md(lever.format % lever.low)} to "
                f"{fmt.md(lever.format % lever.high)}, centred on the measured value)."
            )
        note = (st.session_state.get(CLAMPED) or {}).get(lever.name)
        if note:
            st.warning(fmt.md(note), icon=":material/straighten:")


# --- outputs --------------------------------------------------------------------------------


def show_value(x: float, unit: str, currency: str) -> str:
    """A measure of :data:`kpi.scenario.MEASURES` as the page writes it."""
    if unit == "money":
        return fmt.money(x, currency)
    if unit == "ratio":
        return fmt.ratio(x)
    if unit == "months":
        return "never" if x == math.inf else fmt.months(x)
    return fmt.number(x)


def show_difference(x: float, unit: str, currency: str) -> str:
    """A difference with its sign: ``+€ 120``, ``-0.4×``, ``+1.2 months``; a dash if unknown."""
    if fmt._missing(x):
        return fmt.DASH
    if x == 0:
        return "no change"
    sign = "+" if x > 0 else "-"
    return sign + show_value(abs(x), unit, currency)


def table_on_screen(table: pd.DataFrame, currency: str, *, names: tuple[str, ...]) -> pd.DataFrame:
    """A comparison table as text for people: Measure, then one column per name."""
    out = pd.DataFrame({"Measure": table["label"].to_numpy()})
    for name, column in zip(names, table.columns[2:], strict=False):
        show = show_difference if column == "difference" else show_value
        out[name] = [
            show(v, u, currency) for v, u in zip(table[column], table["unit"], strict=True)
        ]
    return out


def scenario_cards(table: pd.DataFrame, b: sc.Baseline, lv: sc.Levers, currency: str) -> None:
    """Scenario cards with the difference from the baseline as delta and the formula as help."""
    price = b.arpu * (1 + lv.price_change)
    money = partial(fmt.money, currency=currency)
    helps = {  # the three cards; customers and revenue ahead are in the table below
        "ltv": f"Gross margin x monthly revenue per customer x (1 + d) / (d + churn): "
        f"{fmt.percent(lv.gross_margin)} x {money(price)} at {fmt.percent(lv.churn)} churn a "
        f"month, d = {fmt.percent(sc.monthly_discount_rate(lv.discount_rate), 2)} a month "
        f"({fmt.percent(lv.discount_rate, 0)} a year)",
        "ltv_to_cac": f"LTV divided by CAC: {money(table.at['ltv', 'scenario'])} / "
        f"{money(lv.cac)}. Healthy at 3 or more.",
        "payback_months": f"CAC divided by monthly gross profit per customer: {money(lv.cac)} "
        f"/ ({fmt.percent(lv.gross_margin)} x {money(price)})",
    }
    shown = []
    for key, h in helps.items():
        row = table.loc[key]
        shown.append(
            cards.Card(
                CARD_LABELS[key],
                show_value(row["scenario"], row["unit"], currency),
                help=h,
                delta=None
                if row["difference"] == 0
                else show_difference(row["difference"], row["unit"], currency),
                lower_is_better=key == "payback_months",
                key=f"wi_{key}",
            )
        )
    cards.show(shown, per_row=3)


def downloads(table: pd.DataFrame, lv: sc.Levers, b: sc.Baseline, key: str) -> None:
    """CSV and XLSX of the scenario table: measures and levers, baseline against scenario."""
    base = sc.Levers.of(b).as_dict()
    rows = table.reset_index(drop=True)[["label", "unit", "baseline", "scenario", "difference"]]
    lever_rows = pd.DataFrame(
        {
            "label": [f"Lever: {name.replace('_', ' ')}" for name in base],
            "unit": ["share" if n != "cac" and n != "acquisition" else "number" for n in base],
            "baseline": list(base.values()),
            "scenario": list(lv.as_dict().values()),
        }
    )
    lever_rows["difference"] = lever_rows["scenario"] - lever_rows["baseline"]
    frame = cards.readable(pd.concat([lever_rows, rows], ignore_index=True))
    left, right = st.columns(2)
    left.download_button(
        "Scenario table (CSV)", data=partial(export.csv_bytes, frame),
        file_name="what_if_scenario.csv", mime="text/csv", key=f"{key}_csv",
        on_click="ignore", icon=":material/download:", width="stretch",
    )  # fmt: skip
    right.download_button(
        "Scenario table (XLSX)", data=partial(export.xlsx_bytes, frame),
        file_name="what_if_scenario.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", icon=":material/download:", width="stretch",
    )  # fmt: skip


def projections(lines: Mapping[str, pd.DataFrame], currency: str, *, key: str) -> None:
    """Revenue and customers projected, each chart full width in its own tab, every scenario
    a line; the y axis spans the lines, not zero, so the change between them shows.

    Lazy tabs (session key ``{key}_tab``): only the open tab's chart is sent, and opening the
    other reruns the page (the scenario fragment, for the scenario's own charts). Drawn in its
    hidden tab, the second chart cost a first visit more main-thread time in Plotly than the
    chart on screen.
    """
    revenue, customers = st.tabs(
        ["Revenue per month, 36 months ahead", "Customers ahead"],
        key=f"{key}_tab",
        on_change="rerun",
    )
    with revenue:
        if revenue.open:
            fig = charts.projection_chart(lines, measure="revenue", currency=currency)
            st.plotly_chart(fig, width="stretch", key=f"{key}_revenue")
    with customers:
        if customers.open:
            fig = charts.projection_chart(lines, measure="customers")
            st.plotly_chart(fig, width="stretch", key=f"{key}_customers")


# --- saved scenarios ------------------------------------------------------------------------


def save_current(name: str) -> str | None:
    """Save the current overrides under ``name``; returns why not, or None when saved."""
    # Names reach chart legends, where plotly reads a few HTML tags: keep them plain.
    name = re.sub(r"[<>&\s]+", " ", name).strip()[:40]
    saved = dict(st.session_state.get(SAVED, {}))
    if not name:
        return "Give the scenario a name first."
    if name not in saved and len(saved) >= MAX_SAVED:
        return f"At most {MAX_SAVED} scenarios are kept; delete one first."
    saved[name] = dict(st.session_state.get(OVERRIDES, {}))
    st.session_state[SAVED] = saved
    compared = [n for n in st.session_state.get(COMPARED, []) if n != name]
    st.session_state[COMPARED] = [*compared, name][-MAX_COMPARED:]
    return None


def compare_picker(saved: Mapping[str, object]) -> list[str]:
    """Pick up to four saved scenarios (the latest saved are picked for you)."""
    st.session_state["wi_compare"] = [n for n in st.session_state.get(COMPARED, []) if n in saved]

    def keep() -> None:
        st.session_state[COMPARED] = list(st.session_state["wi_compare"])

    return st.multiselect(
        "Compare with the baseline", list(saved), key="wi_compare", on_change=keep,
        max_selections=MAX_COMPARED, placeholder="Pick up to four",
    )  # fmt: skip


def open_saved(name: str, b: sc.Baseline, currency: str) -> None:
    """on_click: make a saved scenario the current one."""
    reset(b, currency)
    st.session_state[OVERRIDES] = dict(st.session_state.get(SAVED, {}).get(name, {}))


def lever_text(name: str, value: float, currency: str) -> str:
    """A lever's value as the page writes it (``value`` in lever units: fractions for rates).

    >>> lever_text("churn", 0.0193, "EUR"), lever_text("price_change", 0.05, "EUR")
    ('1.93 %', '+5.0 %')
    """
    if name == "cac":
        return fmt.money(value, currency)
    if name == "acquisition":
        return f"{fmt.number(value, 1)} a month"
    if name == "referral_rate":
        return f"{fmt.number(100 * value, 2)} per 100"
    if name == "price_change":
        return f"{100 * value:+.1f} %"
    return fmt.percent(value, 2)


def lever_change(name: str, diff: float, currency: str) -> str:
    """A lever's change from the baseline; rates in percentage points.

    >>> lever_change("churn", -0.004, "EUR"), lever_change("cac", 20.0, "EUR")
    ('-0.40 pp', '+€ 20.00')
    """
    if fmt._missing(diff):
        return fmt.DASH
    if name in sc.RATE_LEVERS or name == "price_change":
        return fmt.pp(diff, 2)
    sign = "+" if diff > 0 else "-"
    if name == "cac":
        return sign + fmt.money(abs(diff), currency)
    if name == "acquisition":
        return f"{sign}{fmt.number(abs(diff), 1)} a month"
    return f"{sign}{fmt.number(abs(diff), 2)}"


LEVER_LABELS = {
    "churn": "Lever: monthly churn", "price_change": "Lever: price change",
    "gross_margin": "Lever: gross margin", "cac": "Lever: CAC",
    "acquisition": "Lever: paid new customers", "referral_rate": "Lever: referrals",
    "discount_rate": "Lever: discount rate",
}  # fmt: skip


def _cell(value: str, change: str) -> str:
    return (
        value
        if change in ("no change", fmt.DASH) or change.startswith("±")
        else (f"{value} ({change})")
    )


def comparison_table(
    b: sc.Baseline, names: list[str], currency: str
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Baseline and up to four saved scenarios side by side, as text for people, and their
    projections.

    Rows: each scenario's lever values (changes in percentage points for rates), then the
    measures of :data:`kpi.scenario.MEASURES`; a scenario's cell reads "value (difference
    from the baseline)", in euros, customers or months.
    """
    saved = st.session_state.get(SAVED, {})
    chosen = {name: scenario_levers(b, saved.get(name, {}), currency)
              for name in names[:MAX_COMPARED]}  # fmt: skip
    table = sc.side_by_side(b, chosen)
    base_levers = sc.Levers.of(b).as_dict()
    rows: dict[str, list[str]] = {"Measure": [LEVER_LABELS[n] for n in sc.LEVER_NAMES]}
    rows["Measure"] += table["label"].tolist()
    rows["Baseline"] = [lever_text(n, base_levers[n], currency) for n in sc.LEVER_NAMES]
    pairs = zip(table["baseline"], table["unit"], strict=True)
    rows["Baseline"] += [show_value(v, u, currency) for v, u in pairs]
    lines = {"Baseline": sc.outcome(b, sc.Levers.of(b)).projection}
    for name, lv in chosen.items():
        diffs = sc.lever_differences(b, lv)
        values = lv.as_dict()
        cells = [_cell(lever_text(n, values[n], currency), lever_change(n, diffs[n], currency))
                 for n in sc.LEVER_NAMES]  # fmt: skip
        cells += [
            _cell(show_value(v, u, currency), show_difference(d, u, currency))
            for v, d, u in zip(table[name], table[f"{name} difference"], table["unit"],
                               strict=True)
        ]  # fmt: skip
        rows[name] = cells
        lines[name] = sc.outcome(b, lv).projection
    return pd.DataFrame(rows), lines
