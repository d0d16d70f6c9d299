"""Staffing what-if: Erlang C queueing for "how many agents do we need?".

The M/M/c queue (Poisson arrivals, exponential handling times, ``agents`` servers, callers
wait in one line and nobody hangs up). Traffic in Erlangs is arrivals per second times the
average handling time in seconds: 100 calls per half hour at 180 s each is
100 / 1800 x 180 = 10 Erlangs.

Erlang C is computed from the Erlang B recursion, never from factorials or powers, so it is
exact and stable for hundreds of agents::

    B(0) = 1,   B(k) = A B(k-1) / (k + A B(k-1))          (blocking, Erlang B)
    C(N, A) = N B(N) / (N - A (1 - B(N)))                 (probability of waiting, N > A)

Adapted from "Erlang (unit)" and "Erlang C formula", Wikipedia, and from Koole, "Call Center
Optimization" (MG Books, 2013), chapter 4, whose worked example (10 Erlangs, 180 s handling
time) the tests check.

Arrival rates per hour of the week come from the canonical tickets table (created_at); the
average handling time is a user value, or an estimate from resolution times
(:func:`handling_time_seconds`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi.errors import InsufficientDataError, SchemaError
from kpi.periods import day_bounds, in_days

__all__ = [
    "WEEKDAYS",
    "StaffingResult",
    "agents_needed",
    "arrival_rates",
    "arrivals_by_weekday_hour",
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "handling_time_seconds",
    "service_level",
    "staffing",
    "traffic_erlangs",
]

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Row labels of the weekday x hour tables, Monday first (ISO weekday order)."""

MAX_AGENTS = 100_000
"""Upper bound of :func:`agents_needed`'s search; far beyond any team this app sees."""


def _check_traffic(traffic: float, agents: int) -> None:
    if not (traffic >= 0 and math.isfinite(traffic)):
        raise ValueError(f"traffic must be a finite number of Erlangs >= 0; got {traffic!r}")
    if agents < 0 or int(agents) != agents:
        raise ValueError(f"agents must be a whole number >= 0; got {agents!r}")


def traffic_erlangs(arrivals_per_hour: float, handling_seconds: float) -> float:
    """Traffic A = arrivals per hour x average handling time in hours, in Erlangs.

    >>> traffic_erlangs(200, 180)  # 100 calls per half hour, 3 minutes each
    10.0
    """
    if arrivals_per_hour < 0 or handling_seconds < 0:
        raise ValueError("arrivals per hour and handling seconds cannot be negative")
    return arrivals_per_hour * handling_seconds / 3600.0


def erlang_b(traffic: float, agents: int) -> float:
    """Erlang B: B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)); blocking probability of M/M/N/N.

    >>> round(erlang_b(10, 11), 4)
    0.1632
    """
    _check_traffic(traffic, agents)
    b = 1.0
    for k in range(1, int(agents) + 1):
        b = traffic * b / (k + traffic * b)
    return b


def erlang_c(traffic: float, agents: int) -> float:
    """Erlang C: P(wait) = N B / (N - A (1 - B)), B = Erlang B(A, N); 1 when N <= A.

    With as many agents as Erlangs or fewer the queue grows without bound, and every caller
    waits. No traffic: nobody waits (0).

    >>> round(erlang_c(10, 11), 3)
    0.682
    """
    _check_traffic(traffic, agents)
    if traffic == 0:
        return 0.0
    n = int(agents)
    if n <= traffic:
        return 1.0
    b = erlang_b(traffic, n)
    return n * b / (n - traffic * (1.0 - b))


def average_speed_of_answer(traffic: float, agents: int, handling_seconds: float) -> float:
    """ASA = C(N, A) x AHT / (N - A), in seconds; infinite when N <= A (and traffic > 0).

    >>> round(average_speed_of_answer(10, 11, 180), 1)
    122.8
    """
    c = erlang_c(traffic, agents)
    if c == 0.0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return c * handling_seconds / (agents - traffic)


def service_level(
    traffic: float, agents: int, handling_seconds: float, target_seconds: float
) -> float:
    """Share answered within the target: SL = 1 - C(N, A) x exp(-(N - A) t / AHT); 0 if N <= A.

    >>> round(service_level(10, 14, 180, 20), 3)
    0.888
    """
    if target_seconds < 0:
        raise ValueError(f"target_seconds cannot be negative; got {target_seconds!r}")
    c = erlang_c(traffic, agents)
    if c == 0.0:
        return 1.0
    if agents <= traffic:
        return 0.0
    if handling_seconds <= 0:
        raise ValueError(f"handling_seconds must be above 0; got {handling_seconds!r}")
    return 1.0 - c * math.exp(-(agents - traffic) * target_seconds / handling_seconds)


def agents_needed(
    traffic: float,
    handling_seconds: float,
    *,
    target_share: float = 0.8,
    target_seconds: float = 20.0,
) -> int:
    """Fewest agents N with service_level(A, N, AHT, t) >= target share (80/20 by default).

    Service level rises with N, so this searches upward from the first N above A.

    >>> agents_needed(10, 180, target_share=0.8, target_seconds=20)
    14
    """
    if not 0 <= target_share < 1:
        raise ValueError(
            f"target_share is the share answered within the target, from 0 to below 1; "
            f"got {target_share!r}"
        )
    _check_traffic(traffic, 0)
    if traffic == 0:
        return 0
    n = math.floor(traffic) + 1
    while service_level(traffic, n, handling_seconds, target_seconds) < target_share:
        n += 1
        if n > MAX_AGENTS:  # pragma: no cover - unreachable for finite inputs
            raise InsufficientDataError("agents_needed found no team size up to 100000")
    return n


@dataclass(frozen=True)
class StaffingResult:
    """One staffing scenario: traffic (Erlangs), agents, and the Erlang C outcomes.

    ``occupancy`` = A / N (capped at 1); ``asa_seconds`` is infinite when N <= A.
    """

    arrivals_per_hour: float
    handling_seconds: float
    traffic: float
    agents: int
    occupancy: float
    p_wait: float
    asa_seconds: float
    service_level: float
    target_seconds: float


def staffing(
    arrivals_per_hour: float,
    handling_seconds: float,
    agents: int,
    *,
    target_seconds: float = 20.0,
) -> StaffingResult:
    """Erlang C outcomes of one scenario: P(wait), ASA, service level within ``target_seconds``.

    >>> r = staffing(200, 180, 14)
    >>> round(r.p_wait, 3), round(r.service_level, 3), round(r.asa_seconds, 1)
    (0.174, 0.888, 7.8)
    """
    a = traffic_erlangs(arrivals_per_hour, handling_seconds)
    return StaffingResult(
        arrivals_per_hour=float(arrivals_per_hour),
        handling_seconds=float(handling_seconds),
        traffic=a,
        agents=int(agents),
        occupancy=min(a / agents, 1.0) if agents else math.nan,
        p_wait=erlang_c(a, agents),
        asa_seconds=average_speed_of_answer(a, agents, handling_seconds),
        service_level=service_level(a, agents, handling_seconds, target_seconds),
        target_seconds=float(target_seconds),
    )


# --------------------------------------------------------------------------------------------
# Arrivals from the tickets table


def _created(tickets: pd.DataFrame, what: str) -> pd.Series:
    if "created_at" not in tickets.columns:
        raise SchemaError(
            f"{what} needs a created_at column in the tickets table; map the column holding "
            "when each ticket was opened on the Data page."
        )
    return pd.to_datetime(tickets["created_at"])


def _window(
    created: pd.Series, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> tuple[pd.Series, pd.Timestamp, pd.Timestamp]:
    """Creation times inside [start, end] (inclusive days) and the first and last day."""
    created = created.dropna()
    lo, hi = day_bounds(start, end)
    created = created[in_days(created, start, end)]
    if created.empty:
        return created, pd.NaT, pd.NaT
    first = lo if lo is not None else created.min().normalize()
    last = hi - pd.Timedelta(days=1) if hi is not None else created.max().normalize()
    return created, first, last


def arrivals_by_weekday_hour(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Tickets created per weekday and hour of day (the arrivals heatmap).

    Indexed by weekday (``Mon`` .. ``Sun``, index named ``weekday``), one int column per
    hour 0..23 (columns named ``hour``); every cell present, 0 where nothing arrived.
    Tickets without a created_at are left out.

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-06 09:15", "2025-01-06 09:50"])})
    >>> int(arrivals_by_weekday_hour(t).loc["Mon", 9])
    2
    """
    created, _, _ = _window(_created(tickets, "arrivals by weekday and hour"), start, end)
    counts = np.zeros((7, 24), dtype="int64")
    np.add.at(counts, (created.dt.day_of_week.to_numpy(), created.dt.hour.to_numpy()), 1)
    return pd.DataFrame(
        counts,
        index=pd.Index(list(WEEKDAYS), dtype="str", name="weekday"),
        columns=pd.RangeIndex(24, name="hour"),
    )


def arrival_rates(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Arrivals per hour for each hour of the week = tickets in that slot / times the slot occurred.

    A slot (say Monday 09:00-10:00) occurs once per Monday of the range: the calendar days
    from ``start`` (else the first ticket's day) to ``end`` (else the last ticket's day).
    Same shape as :func:`arrivals_by_weekday_hour`, float values; NaN for a weekday that the
    range does not contain (a range shorter than a week).

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-06 09:15", "2025-01-13 09:50"])})
    >>> float(arrival_rates(t).loc["Mon", 9])  # two Mondays, one ticket each 09:00-10:00
    1.0
    """
    counts = arrivals_by_weekday_hour(tickets, start=start, end=end)
    _, first, last = _window(_created(tickets, "arrival rates"), start, end)
    if pd.isna(first):
        raise InsufficientDataError(
            "arrival rates need tickets with a created_at in the date range; found none. "
            "Widen the date range or upload tickets on the Data page."
        )
    days = pd.date_range(first, last, freq="D")
    occurrences = np.bincount(days.day_of_week, minlength=7).astype("float64")
    occurrences[occurrences == 0] = np.nan
    return counts.astype("float64").div(occurrences, axis=0)


def handling_time_seconds(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: object | None = None,
) -> float:
    """Average handling time estimate = mean resolution time of resolved tickets, in seconds.

    An upper bound: resolution time is elapsed time, including the hours a ticket waited,
    so prefer the handling time your help desk reports and pass it in directly. With
    ``business_hours`` (a :class:`kpi.support.BusinessHours`) only working time counts.
    Tickets created in the range; raises InsufficientDataError when none is resolved.
    """
    from kpi import support

    times = support.ticket_times(tickets, business_hours=business_hours)
    times = times[in_days(times["created_at"], start, end).to_numpy(dtype=bool)]
    hours = times["resolution_hours"].dropna()
    if hours.empty:
        raise InsufficientDataError(
            "handling time needs resolved tickets (a resolved_at time); found none in the "
            "range. Enter your average handling time instead."
        )
    return float(hours.mean() * 3600.0)
