"""The in-memory engine: the per-customer reductions of one orders table, computed once.

The flow of every page and of the command line is read, then reduce, then compute the KPIs,
then show them. This module is the "reduce" step for tables held in memory (the engines of
:mod:`kpi.engines` do it where the data lives). Its :class:`Reductions` holds one orders table
and the facts every KPI family starts from:

- ``codes``: each row's customer as an integer (ids factorised once, sorted), so that every
  per-customer count is an integer kernel (``np.bincount``, :func:`kpi.base.per_code`);
- ``start_dates(customers)``: each customer's acquisition date, the earlier of the first order
  and the signup of the customers table (the link to that table lives here);
- ``last_order_days``: each customer's last order day;
- ``revenue_types(compute)``: each row's revenue type, from which customer x revenue type
  revenue is summed;
- ``cached(name, compute)``: what a family derives from these once per table (the purchase
  rows of the value models, the referral customers), kept with the table's reductions.

:func:`kpi.analysis.analysis` builds one per set of tables and hands it to every family's
``section`` (``reductions=``). The functions of ``kpi`` also take plain frames (the pages call
them directly): :meth:`Reductions.of_orders` then finds the same object again for as long as
the table lives, so a page's many calls share one factorisation. Frames are never changed in
place in this package (pandas' copy-on-write keeps a caller's changes to its own copy), so a
frame's identity stands for its contents while it lives; weak references make sure a new
frame that happens to get a dead frame's ``id`` is never mistaken for it, and keep no table
alive. A filtered table (:func:`kpi.filters.apply_filters`) is linked to the table it was cut
from (:meth:`Reductions.of_subset`) and takes its customer codes from it.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

_SIZE = 32  # tables whose reductions are kept at most (those that are gone are dropped first)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class CustomerCodes:
    """The orders' customer ids as integers: ``ids[codes[i]]`` is row i's customer.

    ``ids`` holds every id of the rows, sorted (an Index named ``customer_id``), so ascending
    codes are customers in id order; ``codes`` is int64 per order row, -1 where the id is
    blank. ``ids`` may hold more customers than the rows name: a filtered table shares the
    codes of the whole table it was cut from.
    """

    codes: np.ndarray
    ids: pd.Index


def _none() -> None:
    return None


def _ref(frame: pd.DataFrame | None) -> Callable[[], object]:
    return weakref.ref(frame) if frame is not None else _none


def _alive(refs: Sequence[Callable[[], object]], frames: Sequence[object]) -> bool:
    return all(ref() is f for ref, f in zip(refs, frames, strict=True))


class Reductions:
    """The reductions of one orders table (see the module docstring), each computed once.

    Build it with :meth:`of` (a mapping of tables) or :meth:`of_orders`; the constructor is
    for this module. It holds its table by a weak reference: the caller keeps the tables.
    """

    def __init__(self, orders: pd.DataFrame, parent: tuple[Reductions, np.ndarray] | None):
        self._orders = weakref.ref(orders)
        self._parent = parent
        self._store: dict[tuple[object, ...], tuple[tuple[Callable[[], object], ...], object]]
        self._store = {}
        self._running: dict[tuple[object, ...], threading.Event] = {}
        self._lock = threading.Lock()

    # -- finding the reductions of a table ------------------------------------------------

    @classmethod
    def of(cls, tables: Mapping[str, pd.DataFrame]) -> Reductions | None:
        """The reductions of ``tables["orders"]`` (None without an orders table)."""
        orders = tables.get("orders")
        return None if orders is None else cls.of_orders(orders)

    @classmethod
    def of_orders(cls, orders: pd.DataFrame) -> Reductions:
        """The one Reductions of this very table while it lives (made on first use)."""
        with _LOCK:
            hit = _ENGINES.get(id(orders))
            if hit is not None and hit.alive_for(orders):
                _ENGINES.move_to_end(id(orders))
                return hit
            engine = cls(orders, None)
            _remember(orders, engine)
            return engine

    @classmethod
    def of_subset(cls, child: pd.DataFrame, parent: pd.DataFrame, rows: np.ndarray) -> None:
        """Record that ``child`` is ``parent``'s rows at positions ``rows`` (an int array).

        A filter keeps some rows of a table; per-row work already done on the whole table
        (its customer codes) is then taken for the kept rows instead of being done again.
        """
        whole = cls.of_orders(parent)
        with _LOCK:
            _remember(child, cls(child, (whole, rows)))

    def alive_for(self, orders: pd.DataFrame) -> bool:
        return self._orders() is orders

    def matches(self, orders: pd.DataFrame | None) -> bool:
        """True when these are the reductions of this very table."""
        return orders is not None and self._orders() is orders

    @property
    def orders(self) -> pd.DataFrame:
        orders = self._orders()
        if orders is None:  # the caller dropped its tables: a defect, say so
            raise RuntimeError("the orders table of these reductions is gone")
        return orders  # type: ignore[return-value]

    # -- the store ------------------------------------------------------------------------

    def cached(
        self, name: str, compute: Callable[[], T], along: Sequence[pd.DataFrame | None] = ()
    ) -> T:
        """``compute()`` once per ``name`` and set of other tables ``along`` (the customers
        table, the leads...), kept while they live. The result is shared between callers:
        treat it as read-only (hand out shallow copies of pandas objects). A thread asking
        for what another is computing waits for it, so each is computed once."""
        key = (name, *(id(f) for f in along))
        while True:
            with self._lock:
                hit = self._store.get(key)
                if hit is not None and _alive(hit[0], along):
                    return hit[1]  # type: ignore[return-value]
                running = self._running.get(key)
                if running is None:  # this thread computes it; others asking meanwhile wait
                    running = self._running[key] = threading.Event()
                    break
            running.wait()  # then take the result, or compute it if that thread failed
        try:
            result = compute()
            with self._lock:
                self._store[key] = (tuple(_ref(f) for f in along), result)
                if len(self._store) > _SIZE:
                    self._forget_gone()
        finally:
            with self._lock:
                del self._running[key]
            running.set()
        return result

    def _forget_gone(self) -> None:
        gone = [
            key
            for key, (refs, _) in self._store.items()
            if any(ref is not _none and ref() is None for ref in refs)
        ]
        for key in gone:
            del self._store[key]
        while len(self._store) > _SIZE:
            del self._store[next(iter(self._store))]

    # -- the reductions -------------------------------------------------------------------

    @property
    def codes(self) -> CustomerCodes:
        """Each row's customer as an integer code (:class:`CustomerCodes`)."""
        return self.cached("customer codes", self._codes)

    def _codes(self) -> CustomerCodes:
        if self._parent is not None:  # filtered rows: the whole table's codes, if it lives
            whole, rows = self._parent
            if whole._orders() is not None or ("customer codes",) in whole._store:
                codes = whole.codes
                return CustomerCodes(codes.codes[rows], codes.ids)
        codes, ids = pd.factorize(self.orders["customer_id"], sort=True)
        return CustomerCodes(codes.astype(np.int64, copy=False), pd.Index(ids, name="customer_id"))

    def start_dates(self, customers: pd.DataFrame | None) -> tuple[np.ndarray, pd.Series]:
        """Each customer's acquisition date, and the signups of customers without an order.

        ``by_code``: datetime64 per customer code (NaT where unknown), the earlier of the
        first order (refund rows included: a refund implies an earlier purchase) and the
        earliest signup of ``customers``; ``others``: signup dates of customers of the
        customers table without any order row, indexed by id (not acquired customers).
        """
        return self.cached("start dates", lambda: self._start_dates(customers), [customers])

    def _start_dates(self, customers: pd.DataFrame | None) -> tuple[np.ndarray, pd.Series]:
        from kpi.base import NONE_YET, id_positions, per_code  # the kernels live there

        orders = self.orders
        cc = self.codes
        dates = orders["order_date"].to_numpy()
        known = (cc.codes >= 0) & ~np.isnat(dates)
        # earliest order per customer: a running minimum over the dates' integer ticks
        first = per_code(
            np.minimum, cc.codes[known], dates[known].view(np.int64), len(cc.ids), NONE_YET
        )
        start = np.where(first == NONE_YET, np.iinfo(np.int64).min, first)
        start = start.view(dates.dtype)  # int64 minimum is NaT
        others = pd.Series([], dtype=start.dtype, index=cc.ids[:0])
        if customers is not None and {"customer_id", "signup_date"} <= set(customers.columns):
            signed = customers.dropna(subset=["customer_id", "signup_date"])
            signup = signed["signup_date"].to_numpy()
            start = start.astype(np.promote_types(start.dtype, signup.dtype))
            signup = signup.astype(start.dtype)  # one unit, so their ticks compare
            at = id_positions(cc.ids, signed["customer_id"])  # -1: a customer without orders
            ordered = at >= 0
            # earliest signup per customer; the customer was acquired at the earlier of it and
            # the first order (a signup recorded after the first purchase does not move it)
            signup_ticks = signup[ordered].view(np.int64)
            signed_first = per_code(np.minimum, at[ordered], signup_ticks, len(cc.ids), NONE_YET)
            ticks = start.view(np.int64)
            ticks = np.where(np.isnat(start), NONE_YET, ticks)
            earlier = np.minimum(ticks, signed_first)
            known = earlier != NONE_YET
            start[known] = earlier[known].view(start.dtype)
            if not ordered.all():
                others = pd.Series(signup[~ordered], index=signed["customer_id"][~ordered])
                others = others.groupby(level=0).min()
        return start, others

    def customer_starts(self, customers: pd.DataFrame | None) -> pd.Series:
        """Acquisition date per paying customer (:func:`kpi.base.customer_starts`)."""

        def compute() -> pd.Series:
            by_code, _ = self.start_dates(customers)
            known_start = ~np.isnat(by_code)
            result = pd.Series(by_code[known_start], index=self.codes.ids[known_start])
            result.index.name = "customer_id"
            return result

        return self.cached("customer starts", compute, [customers]).copy(deep=False)

    @property
    def last_order_days(self) -> np.ndarray:
        """Each customer's last order day (a dated row that is not a refund), as whole days
        since 1970-01-01 per customer code; :data:`kpi.base.BEFORE_ALL` for a customer without
        one."""
        return self.cached("last order days", self._last_order_days)

    def _last_order_days(self) -> np.ndarray:
        from kpi.base import BEFORE_ALL, per_code

        orders = self.orders
        cc = self.codes
        dates = orders["order_date"].to_numpy()
        amount = orders["amount"].to_numpy(dtype=float, na_value=np.nan)
        sale = (cc.codes >= 0) & ~np.isnat(dates) & ~(amount < 0)
        day = dates[sale].astype("datetime64[D]").astype(np.int64)
        return per_code(np.maximum, cc.codes[sale], day, len(cc.ids), BEFORE_ALL)

    def revenue_types(
        self, compute: Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each row's revenue type as an int code into an array of names, by ``compute``
        (:func:`kpi.revenue.revenue_type_codes`, which reads the labels), once per table."""
        return self.cached("revenue types", lambda: compute(self.orders))


_ENGINES: OrderedDict[int, Reductions] = OrderedDict()


def _remember(frame: pd.DataFrame, engine: Reductions) -> None:
    """Keep ``engine`` for ``frame`` (the caller holds _LOCK); drop those of tables gone."""
    _ENGINES[id(frame)] = engine
    _ENGINES.move_to_end(id(frame))
    if len(_ENGINES) > _SIZE:
        _forget_gone()


def forget_gone() -> None:
    """Drop the reductions of tables that are gone, then the least recently used ones."""
    with _LOCK:
        _forget_gone()


def _forget_gone() -> None:
    for key in [k for k, e in _ENGINES.items() if e._orders() is None]:
        del _ENGINES[key]
    while len(_ENGINES) > _SIZE:
        _ENGINES.popitem(last=False)


def clear() -> None:
    """Forget every table's reductions (tests and cold benchmark runs start from nothing)."""
    with _LOCK:
        _ENGINES.clear()


def reductions_for(orders: pd.DataFrame, given: Reductions | None = None) -> Reductions:
    """``given`` when it is the reductions of this very table, else the table's own.

    A function handed reductions of another table (a filtered one, say) never uses them.
    """
    if given is not None and given.matches(orders):
        return given
    return Reductions.of_orders(orders)


_TOKENS: dict[int, tuple[Callable[[], object], str]] = {}
_SERIAL = itertools.count(1)


def token(frame: pd.DataFrame | pd.Series) -> str:
    """A name for this very object, given to no other object while the process runs.

    For caches keyed by arguments (``st.cache_data``): the same live table always gets the
    same name, a new table (a re-upload, another filter, another session's data) a new one,
    however alike their contents. A weak reference tells a live table from a new one that
    took a dead one's ``id``; names come from a counter, so none is ever handed out twice.

    >>> a, b = pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]})
    >>> token(a) == token(a), token(a) == token(b)
    (True, False)
    """
    with _LOCK:
        hit = _TOKENS.get(id(frame))
        if hit is not None and hit[0]() is frame:
            return hit[1]
        if len(_TOKENS) >= 4 * _SIZE:  # forget the tables that are gone
            for key in [k for k, (ref, _) in _TOKENS.items() if ref() is None]:
                del _TOKENS[key]
        name = f"table-{next(_SERIAL)}"
        _TOKENS[id(frame)] = (weakref.ref(frame), name)
        return name
