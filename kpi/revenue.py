"""Revenue and profitability KPIs: revenue by type, upsell revenue, profit per customer, net cash.

KPI_CATALOGUE.md, section "Revenue and profitability". Revenue itself, ARPU and average order
value are in ``kpi.base``. Functions take the canonical ``orders`` table (customer_id,
order_date, amount; revenue_type, cost, ...) with its full history, or the ``cashflow`` table
(period, operating_cash_flow; investments, working_capital_change), and filter by ``start`` and
``end`` (inclusive calendar days, None: unbounded) inside. Refunds are rows with a negative
amount: they lower revenue (and profit) wherever they fall.

    customer_id  order_date  amount  revenue_type  cost
    C1           2025-01-03   120.0  new           70.0
    C1           2025-02-10    80.0  upsell        30.0
    C2           2025-02-11   -20.0  upsell         NaN   <- a refund
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi.acquisition import EXPANSION_TYPES
from kpi.base import NONE_YET, check_orders, customer_codes, orders_in_range, per_code
from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.labels import canonical
from kpi.periods import check_period, in_days, period_ordinal, period_start, series_index
from kpi.reduce import Reductions, reductions_for
from kpi.report import Section, labelled, plain

KEYS = ("revenue_by_type", "upsell_revenue", "profit_per_customer", "net_cash")
OTHER = "other"
REFUNDS = "refunds"
BANDS = ("top 20 %", "middle 30 %", "bottom 50 %", "loss")
_DATA_PAGE = "on the Data page"


# --------------------------------------------------------------------------------------------
# Revenue by type


def revenue_types(orders: pd.DataFrame, *, reductions: Reductions | None = None) -> pd.Series:
    """The revenue type of every order row (same index).

    With ``revenue_type``: its value as :func:`kpi.labels.canonical` reads it ("Cross-sell"
    and "кросс-продажа" are ``cross_sell``, "Допродажа" ``upsell``), a blank sale
    ``other`` and a blank refund ``refunds``. Without it (the catalogue's derived variant): a
    sale on the customer's first order day is ``new``, a later sale ``repeat``, and every
    refund ``refunds``.

    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a"], "amount": [10.0, 5.0, -2.0],
    ...     "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-02-02"])})
    >>> revenue_types(orders).tolist()
    ['new', 'repeat', 'refunds']
    """
    codes, names = type_codes(orders, reductions)
    return pd.Series(names[codes], index=orders.index, dtype="string")


_DERIVED = np.array(["new", "repeat", REFUNDS], dtype=object)


def type_codes(
    orders: pd.DataFrame, reductions: Reductions | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's revenue type (:func:`revenue_types`) as an int code into an array of names:
    one of the orders' reductions (:meth:`kpi.reduce.Reductions.revenue_types`), worked out
    once per table by :func:`row_type_codes`."""
    return reductions_for(orders, reductions).revenue_types(row_type_codes)


def row_type_codes(orders: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's revenue type (:func:`revenue_types`) as an int code into an array of names.

    The derived new/repeat split compares each row's day with its customer's first order day,
    found with the integer customer codes of :func:`kpi.base.customer_codes`.
    """
    refund = (orders["amount"].fillna(0) < 0).to_numpy()
    if "revenue_type" in orders.columns:
        kind = canonical(orders["revenue_type"])
        kind = kind.where(kind.notna() | refund, OTHER).fillna(REFUNDS)
        codes, names = pd.factorize(kind)
        return codes.astype(np.int64), np.asarray(names, dtype=object)
    cc = customer_codes(orders)
    dated = orders["order_date"].notna().to_numpy() & (cc.codes >= 0)
    day = orders["order_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    n = len(cc.ids)
    # one slot more than customers, never filled, for the rows without one
    first = per_code(np.minimum, cc.codes[dated], day[dated], n + 1, NONE_YET)
    new = dated & (day == first[np.where(dated, cc.codes, n)])
    return np.where(refund, 2, np.where(new, 0, 1)).astype(np.int64), _DERIVED


def _typed_window(
    orders: pd.DataFrame,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    reductions: Reductions | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Type codes, names, amounts (blank: 0) and the in-range mask of the order rows."""
    check_orders(orders)
    mask = in_days(orders["order_date"], start, end).to_numpy(dtype=bool)
    codes, names = type_codes(orders, reductions)
    amount = np.nan_to_num(orders["amount"].to_numpy(dtype=float, na_value=np.nan)[mask])
    return codes[mask], names, amount, mask


def revenue_by_type(
    orders: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> pd.DataFrame:
    """Revenue of a type = sum of the amounts of its orders in range, net of refunds.

    Catalogue variant: "Revenue, split by type" using orders.revenue_type when present, else
    new against repeat sales (see :func:`revenue_types`). Index ``revenue_type`` (sorted by
    revenue, most first); columns ``revenue`` (sums to the range's revenue), ``orders`` (rows
    with amount >= 0, int) and ``share`` of revenue (NaN when revenue is 0). Empty without
    orders in range.

    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "b"], "amount": [100.0, 50.0, -10.0],
    ...     "order_date": pd.Timestamp("2025-01-01"), "revenue_type": ["new", "upsell", "upsell"]})
    >>> revenue_by_type(orders)["revenue"].to_dict()
    {'new': 100.0, 'upsell': 40.0}
    """
    codes, names, amount, _ = _typed_window(orders, start, end, reductions)
    n = len(names)
    present = np.bincount(codes, minlength=n) > 0
    out = pd.DataFrame(
        {
            "revenue": np.bincount(codes, weights=amount, minlength=n)[present].astype(float),
            "orders": np.bincount(codes[amount >= 0], minlength=n)[present].astype(np.int64),
        },
        index=pd.Index(names[present].astype(str), name="revenue_type"),
    ).sort_index()
    out = out.sort_values("revenue", ascending=False, kind="stable")
    total = out["revenue"].sum()
    out["share"] = out["revenue"] / total if total else np.nan
    out.index = pd.Index(out.index.astype(str), name="revenue_type")
    return out


def revenue_by_type_series(
    orders: pd.DataFrame,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    reductions: Reductions | None = None,
) -> pd.DataFrame:
    """Revenue per period and type (net of refunds), wide, for a stacked chart.

    Index: every period start (``period``) from ``start`` to ``end`` (else the first and
    last order in range); one column per revenue type (sorted by name); empty periods and
    absent types are 0. Row sums are the period's revenue.
    """
    p = check_period(period)
    codes, names, amount, mask = _typed_window(orders, start, end, reductions)
    dates = orders["order_date"][mask]
    index = series_index([dates], start, end, p)
    n, k = len(index), len(names)
    present = np.bincount(codes, minlength=k) > 0  # types with a row in range
    at = period_ordinal(dates, p) - (period_ordinal(index[:1], p)[0] if n else 0)
    grid = np.bincount(at * k + codes, weights=amount, minlength=n * k).reshape(n, k)
    wide = pd.DataFrame(grid[:, present], columns=names[present].astype(str))
    wide = wide[sorted(wide.columns)].astype(float)
    wide.columns = pd.Index([str(c) for c in wide.columns], name="revenue_type")
    wide.index = pd.DatetimeIndex(index, name="period")
    return wide


def _typed(orders: pd.DataFrame, kpi: str) -> None:
    if "revenue_type" not in orders.columns:
        raise SchemaError(
            f"{kpi} needs a revenue_type column in orders (upsell, cross_sell, ...); map it "
            f"{_DATA_PAGE}."
        )


def upsell_revenue(
    orders: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    types: Sequence[str] = EXPANSION_TYPES,
) -> float:
    """Upsell revenue = sum of the amounts of orders typed upsell or cross-sell, net of refunds.

    Types are read in the eight languages (:func:`kpi.labels.canonical`: "допродажа",
    "sprzedaż krzyżowa", "vente croisée"...). Refund rows count when they carry one of
    ``types``. Raises SchemaError without orders.revenue_type.

    >>> orders = pd.DataFrame({"customer_id": ["a", "b", "b"], "amount": [100.0, 50.0, 30.0],
    ...     "order_date": pd.Timestamp("2025-01-01"),
    ...     "revenue_type": ["new", "Upsell", "cross-sell"]})
    >>> upsell_revenue(orders)
    80.0
    """
    _typed(orders, "upsell_revenue")
    window = orders_in_range(orders, start=start, end=end)
    wanted = set(canonical(pd.Series(list(types), dtype="string")))
    mask = canonical(window["revenue_type"]).isin(wanted).fillna(False).astype(bool)
    return float(window.loc[mask, "amount"].fillna(0.0).sum())


def upsell_revenue_series(
    orders: pd.DataFrame,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    types: Sequence[str] = EXPANSION_TYPES,
) -> pd.Series:
    """Upsell revenue per period: Series indexed by period start (``period``), 0 when none."""
    p = check_period(period)
    _typed(orders, "upsell_revenue")
    window = orders_in_range(orders, start=start, end=end)
    index = series_index([window["order_date"]], start, end, p)
    wanted = set(canonical(pd.Series(list(types), dtype="string")))
    mask = canonical(window["revenue_type"]).isin(wanted).fillna(False).astype(bool)
    part = window[mask]
    keys = period_start(part["order_date"], p).to_numpy()
    sums = pd.Series(part["amount"].fillna(0.0).to_numpy(dtype=float), index=keys)
    out = sums.groupby(level=0).sum().reindex(index, fill_value=0.0).astype(float)
    out.index = pd.DatetimeIndex(index, name="period")
    return out.rename("upsell_revenue")


# --------------------------------------------------------------------------------------------
# Profit per customer


@dataclass(frozen=True)
class Profitability:
    """Profit per customer and the Pareto view.

    ``per_customer``: DataFrame indexed by customer_id, sorted by profit (most first), columns
    ``revenue``, ``cost``, ``profit`` (NaN when a row's cost is unknown and no margin was
    given) and ``band`` (one of :data:`BANDS`; NA where profit is NaN).
    ``curve``: the sorted cumulative curve over customers with a known profit, indexed by
    ``rank`` (1 = most profitable), columns customer_id, profit, ``customer_share``
    (rank / customers) and ``profit_share`` (cumulative profit / total profit; NaN when the
    total is not positive). ``mean``: total profit / customers with a known profit.
    ``top_share``: share of the total profit earned by the top ``top`` fraction of customers,
    the ceil(top x customers) most profitable ones (the band's customers; above 1 when other
    customers lose money; None when the total profit is not positive). ``basis`` is "cost",
    "margin" or "cost and margin".
    """

    mean: float | None
    total: float
    customers: int
    customers_without_cost: int
    top_share: float | None
    top: float
    basis: str
    per_customer: pd.DataFrame
    curve: pd.DataFrame


def _check_margin(margin: float | None) -> None:
    if margin is None:
        return
    if not (isinstance(margin, int | float) and -1.0 <= margin <= 1.0) or math.isnan(margin):
        raise KpiError(
            f"the gross margin must be a fraction from -1 to 1 (0.6 for 60 %); got {margin!r}. "
            "Enter it as a fraction."
        )


def profit_per_customer(
    orders: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    margin: float | None = None,
    top: float = 0.2,
    bands: tuple[float, float] = (0.2, 0.5),
    reductions: Reductions | None = None,
) -> Profitability:
    """Profit of a customer = customer revenue - customer cost, over orders in range.

    Catalogue variant: "Profitability per customer", with cost from orders.cost, or
    revenue x ``margin`` (a gross-margin fraction) where there is no cost column or a row's
    cost is blank. A blank cost without a margin leaves that customer's profit unknown
    (NaN, counted in ``customers_without_cost``, left out of the mean, bands and curve).
    Bands rank customers by profit: the top ``bands[0]`` of customers, the next up to
    ``bands[1]``, the rest, and "loss" for any customer with a negative profit. Refund rows
    lower revenue and, with a margin, profit. Adapted from Kaplan and Narayanan, "Measuring
    and Managing Customer Profitability", J. Cost Management, 2001 (the "whale curve").

    >>> orders = pd.DataFrame({"customer_id": ["a", "b"], "amount": [100.0, 300.0],
    ...     "cost": [60.0, 100.0], "order_date": pd.Timestamp("2025-01-01")})
    >>> profit_per_customer(orders).per_customer["profit"].to_dict()
    {'b': 200.0, 'a': 40.0}
    """
    _check_margin(margin)
    if not 0 < top <= 1 or not 0 < bands[0] <= bands[1] <= 1:
        raise KpiError(
            f"top and bands must be fractions of customers in (0, 1]; got top={top}, bands={bands}."
        )
    has_cost = "cost" in orders.columns
    if not has_cost and margin is None:
        raise SchemaError(
            "profit_per_customer needs a cost column in orders, or a gross margin; map the "
            f"cost {_DATA_PAGE} or set the margin (0.6 for 60 %)."
        )
    window = orders_in_range(orders, start=start, end=end)
    amount = window["amount"].astype(float).fillna(0.0)
    if has_cost:
        # A refund row rarely carries a cost: blank there means nothing came back, not unknown.
        cost = window["cost"].astype(float).mask(amount < 0, window["cost"].fillna(0.0))
        if margin is not None:
            cost = cost.fillna(amount * (1.0 - margin))
    else:
        cost = amount * (1.0 - margin)
    if has_cost and margin is None:
        basis = "cost"
    elif has_cost:
        basis = "cost and margin"
    else:
        basis = "margin"
    # per customer, on the integer codes of kpi.base.customer_codes (ids sorted): revenue,
    # and cost where every order of the customer has one (else unknown)
    cc = customer_codes(orders, reductions)
    in_range = in_days(orders["order_date"], start, end).to_numpy(dtype=bool)
    codes = cc.codes[in_range]
    named = codes >= 0  # a blank customer id is nobody's
    codes = codes[named]
    revenue_of = amount.to_numpy(dtype=float)[named]
    cost_of = cost.to_numpy(dtype=float, na_value=np.nan)[named]
    n_ids = len(cc.ids)
    rows = np.bincount(codes, minlength=n_ids)
    costed = np.bincount(codes[~np.isnan(cost_of)], minlength=n_ids)
    present = np.flatnonzero(rows)
    cost_sum = np.bincount(codes, weights=np.nan_to_num(cost_of), minlength=n_ids)
    per = pd.DataFrame(
        {
            "revenue": np.bincount(codes, weights=revenue_of, minlength=n_ids)[present],
            "cost": np.where(costed == rows, cost_sum, np.nan)[present],
        },
        index=pd.Index(cc.ids[present].astype("string"), name="customer_id"),
    )
    per["profit"] = per["revenue"] - per["cost"]
    per = per.sort_values("profit", ascending=False, kind="stable")

    known = per[per["profit"].notna()]
    n = len(known)
    total = float(known["profit"].sum())
    rank = np.arange(1, n + 1)
    band = np.full(n, BANDS[2], dtype=object)
    band[rank <= math.ceil(bands[1] * n - 1e-9)] = BANDS[1]
    band[rank <= math.ceil(bands[0] * n - 1e-9)] = BANDS[0]
    band[known["profit"].to_numpy() < 0] = BANDS[3]
    per["band"] = pd.Series(band, index=known.index, dtype="string").reindex(per.index)

    curve = pd.DataFrame(
        {
            "customer_id": known.index.astype(str),
            "profit": known["profit"].to_numpy(),
            "customer_share": rank / n if n else rank.astype(float),
        },
        index=pd.Index(rank, name="rank"),
    )
    curve["customer_id"] = curve["customer_id"].astype("string")
    cumulative = curve["profit"].cumsum()
    curve["profit_share"] = cumulative / total if total > 0 else np.nan
    top_share = None
    if n and total > 0:
        # The same customers as the "top 20 %" band and the card's rows: the first
        # ceil(top x n) by profit (an interpolated share read 58.4 % beside the band's 58.5 %).
        k = max(1, math.ceil(top * n - 1e-9))
        top_share = float(curve["profit_share"].iloc[k - 1])
    return Profitability(
        mean=total / n if n else None,
        total=total,
        customers=n,
        customers_without_cost=int(per["profit"].isna().sum()),
        top_share=top_share,
        top=top,
        basis=basis,
        per_customer=per,
        curve=curve,
    )


# --------------------------------------------------------------------------------------------
# Net cash


@dataclass(frozen=True)
class NetCash:
    """Net cash and its parts (sums over the periods in range); ``missing`` names the optional
    columns the table lacks (taken as 0)."""

    net_cash: float
    operating_cash_flow: float
    investments: float
    working_capital_change: float
    missing: tuple[str, ...] = ()


_CASH_PARTS = ("operating_cash_flow", "investments", "working_capital_change")


def _cash_frame(cashflow: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    need = ("period", "operating_cash_flow")
    absent = [c for c in need if c not in cashflow.columns]
    if absent:
        raise SchemaError(
            "net_cash needs a cashflow table with columns period and operating_cash_flow; "
            f"{', '.join(absent)} missing. Map {'it' if len(absent) == 1 else 'them'} "
            f"{_DATA_PAGE}."
        )
    missing = tuple(c for c in _CASH_PARTS if c not in cashflow.columns)
    frame = pd.DataFrame({"period": cashflow["period"]}, index=cashflow.index)
    for column in _CASH_PARTS:
        values = cashflow[column] if column in cashflow.columns else 0.0
        frame[column] = pd.Series(values, index=cashflow.index, dtype=float).fillna(0.0)
    return frame, missing


def net_cash(
    cashflow: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> NetCash:
    """Net cash = operating cash flow - investments - increase in working capital.

    Sums over the cashflow rows whose ``period`` date lies in the range. Investments are money
    spent (positive numbers), working_capital_change is the increase (positive when working
    capital absorbs cash). Blank cells and absent optional columns count as 0 (the absent
    ones are listed in ``missing``).

    >>> net_cash(pd.DataFrame({"period": pd.to_datetime(["2025-01-01"]),
    ...     "operating_cash_flow": [100.0], "investments": [30.0],
    ...     "working_capital_change": [10.0]})).net_cash
    60.0
    """
    frame, missing = _cash_frame(cashflow)
    window = frame[in_days(frame["period"], start, end)]
    parts = {c: float(window[c].sum()) for c in _CASH_PARTS}
    value = parts["operating_cash_flow"] - parts["investments"] - parts["working_capital_change"]
    return NetCash(net_cash=value, missing=missing, **parts)


def net_cash_series(
    cashflow: pd.DataFrame,
    *,
    period: str = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Net cash per period, with its parts, for the waterfall.

    Index: every period start (``period``) from ``start`` to ``end`` (else the first and last
    row); columns operating_cash_flow, investments, working_capital_change and net_cash,
    summed over the rows of each period; 0 for a period without rows.
    """
    p = check_period(period)
    frame, _ = _cash_frame(cashflow)
    window = frame[in_days(frame["period"], start, end)]
    index = series_index([window["period"]], start, end, p)
    keys = period_start(window["period"], p).to_numpy()
    sums = window[list(_CASH_PARTS)].set_axis(keys).groupby(level=0).sum()
    out = sums.reindex(index, fill_value=0.0).astype(float)
    out["net_cash"] = (
        out["operating_cash_flow"] - out["investments"] - out["working_capital_change"]
    )
    out.index = pd.DatetimeIndex(index, name="period")
    return out


def new_and_returning_series(
    orders: pd.DataFrame, *, period: str, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
    """Revenue per period of new and of returning customers (and refunds), wide.

    The catalogue's derived split of :func:`revenue_types`: a sale on the
    customer's first order day is ``new``, a later sale ``repeat``, a refund ``refunds``,
    whatever the orders' own revenue_type says. Shape as
    :func:`revenue_by_type_series`.
    """
    untyped = orders.drop(columns=["revenue_type"], errors="ignore")
    return revenue_by_type_series(untyped, period=period, start=start, end=end)


def profit_bands(result: Profitability) -> pd.DataFrame:
    """Customers, revenue and profit per profitability band, with each band's share of profit.

    Columns ``band`` (in the order of :data:`BANDS`, bands without customers left
    out), ``customers``, ``revenue``, ``profit``, ``profit_share`` (NaN when the total profit
    is not positive).
    """
    per = result.per_customer.dropna(subset=["profit"])
    grouped = per.groupby(per["band"].astype(str))
    out = pd.DataFrame(
        {
            "customers": grouped.size(),
            "revenue": grouped["revenue"].sum(),
            "profit": grouped["profit"].sum(),
        }
    )
    out = out.reindex([b for b in BANDS if b in out.index])
    total = result.total
    out["profit_share"] = out["profit"] / total if total > 0 else float("nan")
    return out.rename_axis("band").reset_index()


# --------------------------------------------------------------------------------------------
# Section for the command line and the app


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: str = "month",
    margin: float | None = None,
    reductions: Reductions | None = None,
) -> Section:
    """Revenue-by-type, upsell, profit and cash KPIs the tables support (see kpi.report).

    ``reductions``: the orders' in-memory reductions (:func:`kpi.analysis.analysis` builds
    them once); each row's revenue type and customer are taken from them.

    Keys: ``revenue_by_type`` ({type: revenue}), ``upsell_revenue``, ``profit_per_customer``
    (mean profit per customer with a known cost), ``net_cash``. Series by period label:
    ``upsell_revenue``, ``net_cash``. Revenue, ARPU and AOV are reported by kpi.base.
    """
    p = check_period(period)
    result = Section(kpis=dict.fromkeys(KEYS))
    orders = tables.get("orders")
    if orders is not None:
        reductions = reductions_for(orders, reductions)
    cashflow = tables.get("cashflow")

    def attempt(job) -> None:
        try:
            job()
        except KpiError as err:
            result.warnings.append(str(err))

    if orders is None:
        result.warnings.append(
            "revenue_by_type, upsell_revenue and profit_per_customer need an orders table "
            f"with customer_id, order_date and amount; upload your orders {_DATA_PAGE}."
        )
    else:

        def by_type() -> None:
            table = revenue_by_type(orders, start=start, end=end, reductions=reductions)
            result.kpis["revenue_by_type"] = plain(table["revenue"].to_dict())

        def upsell() -> None:
            result.kpis["upsell_revenue"] = upsell_revenue(orders, start=start, end=end)
            s = upsell_revenue_series(orders, period=p, start=start, end=end)
            result.series["upsell_revenue"] = labelled(s, p)

        def profit() -> None:
            r = profit_per_customer(
                orders, start=start, end=end, margin=margin, reductions=reductions
            )
            result.kpis["profit_per_customer"] = r.mean
            if r.customers_without_cost:
                raise InsufficientDataError(
                    f"profit_per_customer leaves out {r.customers_without_cost} customers "
                    "with orders of unknown cost; fill orders.cost or set a gross margin."
                )

        attempt(by_type)
        attempt(upsell)
        attempt(profit)

    if cashflow is None:
        result.warnings.append(
            "net_cash needs a cashflow table with columns period and operating_cash_flow "
            f"(and investments, working_capital_change); upload it {_DATA_PAGE}."
        )
    else:

        def cash() -> None:
            r = net_cash(cashflow, start=start, end=end)
            result.kpis["net_cash"] = r.net_cash
            s = net_cash_series(cashflow, period=p, start=start, end=end)
            result.series["net_cash"] = labelled(s["net_cash"], p)
            if r.missing:
                result.warnings.append(
                    f"net_cash takes {' and '.join(r.missing)} as 0: the cashflow table has "
                    f"no such column; map {'it' if len(r.missing) == 1 else 'them'} "
                    f"{_DATA_PAGE}."
                )

        attempt(cash)
    result.kpis = plain(result.kpis)
    return result
