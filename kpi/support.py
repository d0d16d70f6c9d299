"""Support operations: response and resolution times, backlog, SLA, complaints, escalations.

The "Support operations and team" section of KPI_CATALOGUE.md (the agent and employee KPIs
are in :mod:`kpi.team`, the Erlang C staffing what-if in :mod:`kpi.staffing`), over the
canonical tickets table of DESIGN.md, one row per ticket::

    ticket_id  created_at        first_response_at  resolved_at       status  type       ...
    T-1        2025-01-03 09:00  2025-01-03 10:30   2025-01-04 09:00  closed  question
    T-2        2025-01-03 16:00                                       open    complaint

How times are read
------------------
* **First response** is the earlier of first_response_at and resolved_at: resolving a
  ticket answers it. So a ticket closed without a recorded reply is answered when it was
  resolved, and a ticket resolved *before* its recorded first response (a data error that
  the ingest rejects, but a frame built by hand may hold) is answered at its resolution;
  nothing crashes on it.
  Without any first_response_at time in the table the first response is unknown, never
  the resolution time: the first-response KPIs are null with a warning.
* **Resolved** means a resolved_at time. A ticket without one whose status says it is
  closed (closed, resolved, solved, done ...; see :data:`CLOSED_STATUSES`) is closed at an
  unknown time: it is neither open nor measured, and is not counted in the backlog.
* **Open** tickets, and tickets still waiting for a first response, are *censored*: their
  time so far (from creation to ``as_of``) is a lower bound. Means, medians and p90 are over
  the tickets that ended; the Kaplan-Meier median beside them uses the censored ones too.
* ``as_of`` is the moment "now" is for open tickets; by default the latest timestamp in the
  table (created, first response or resolution), so results do not drift with the clock.
* Durations are hours. With a :class:`BusinessHours` they are working hours: only the
  time inside the working hours of working days that are not holidays counts.
* ``start`` and ``end`` (inclusive days) select tickets by their creation time, except
  ``resolved_tickets`` (by resolution time) and the backlog (open at a moment).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.filters import check_same_split, not_split_by
from kpi.periods import (
    Period,
    check_period,
    in_days,
    next_period_start,
    period_range,
    period_start,
)
from kpi.report import Section, Settings, assumption, labelled, plain
from kpi.staffing import arrivals_by_weekday_hour

__all__ = [
    "CLOSED_STATUSES",
    "COMPLAINT_TYPES",
    "DEFAULT_BINS",
    "FIRST_RESPONSE_TARGET_HOURS",
    "BusinessHours",
    "ComplaintCounts",
    "SlaResult",
    "TimeSummary",
    "arrivals_by_weekday_hour",
    "backlog",
    "complaint_counts",
    "complaints_by",
    "escalation_rate",
    "escalation_rate_by",
    "first_response_time",
    "is_complaint",
    "km_median",
    "open_tickets",
    "resolution_time",
    "resolved_tickets",
    "section",
    "sla_compliance",
    "sla_compliance_by",
    "ticket_times",
    "time_distribution",
    "working_hours_between",
]

FIRST_RESPONSE_TARGET_HOURS = 24.0
"""Default first-response SLA of ``section()``: answered within 24 hours (one day)."""

CLOSED_STATUSES = frozenset(
    {
        "closed", "resolved", "solved", "done", "complete", "completed", "cancelled",
        "canceled", "закрыт", "закрыто", "решено", "решен", "zamkniete", "zamknięte",
        "rozwiazane", "rozwiązane", "inchis", "închis", "rezolvat", "zaprto", "reseno",
        "rešeno", "geschlossen", "erledigt", "gelost", "gelöst", "ferme", "fermé",
        "resolu", "résolu", "cerrado", "resuelto",
    }
)  # fmt: skip
"""Status values (compared case-insensitively) that mean a ticket is closed."""

COMPLAINT_TYPES = frozenset(
    {
        "complaint", "complaints", "жалоба", "претензия", "reklamacja", "skarga",
        "reclamatie", "reclamație", "plangere", "plângere", "pritozba", "reklamacija",
        "beschwerde", "reklamation", "plainte", "reclamation", "réclamation", "queja",
        "reclamacion", "reclamación",
    }
)  # fmt: skip
"""Ticket type values (case-insensitive) that mark a complaint; any type containing
"complain" counts too."""

DEFAULT_BINS: tuple[float, ...] = (0.0, 1.0, 4.0, 8.0, 24.0, 48.0, 72.0, 168.0, math.inf)
"""Edges (hours) of :func:`time_distribution`: under 1 h, 1-4 h, 4-8 h, 8-24 h, 1-2 d,
2-3 d, 3-7 d, 7 d or more."""

_DATA_PAGE = "on the Data page"
_MEASURES = ("first_response", "resolution")


# --------------------------------------------------------------------------------------------
# Business hours


@dataclass(frozen=True)
class BusinessHours:
    """Working time: ``weekdays`` (0 = Monday .. 6 = Sunday) from ``start_hour`` to
    ``end_hour`` (0-24, fractions allowed: 8.5 is 08:30), except ``holidays`` (dates).

    >>> BusinessHours().hours_per_day
    8.0
    """

    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_hour: float = 9.0
    end_hour: float = 17.0
    holidays: tuple[pd.Timestamp, ...] = field(default=())

    def __post_init__(self) -> None:
        days = tuple(sorted({int(d) for d in self.weekdays}))
        if not days or any(d < 0 or d > 6 for d in days):
            raise ValueError(
                f"business hours need working weekdays from 0 (Monday) to 6 (Sunday); "
                f"got {self.weekdays!r}"
            )
        if not 0 <= self.start_hour < self.end_hour <= 24:
            raise ValueError(
                f"business hours need 0 <= start_hour < end_hour <= 24; got "
                f"{self.start_hour!r} to {self.end_hour!r}"
            )
        object.__setattr__(self, "weekdays", days)
        holidays = tuple(sorted({pd.Timestamp(h).normalize() for h in self.holidays}))
        object.__setattr__(self, "holidays", holidays)

    @property
    def hours_per_day(self) -> float:
        """Working hours in one working day."""
        return float(self.end_hour - self.start_hour)

    @property
    def weekmask(self) -> str:
        """numpy busday weekmask, Monday first ("1111100" for Monday to Friday)."""
        return "".join("1" if d in self.weekdays else "0" for d in range(7))

    def holiday_array(self) -> np.ndarray:
        """Holidays as ``datetime64[D]`` for numpy's busday functions."""
        return np.array([h.to_datetime64() for h in self.holidays], dtype="datetime64[D]")


def _days(values: pd.Series) -> np.ndarray:
    """Calendar day of each timestamp as datetime64[D]; NaT becomes 1970-01-01 (masked later)."""
    days = values.dt.normalize().fillna(pd.Timestamp("1970-01-01"))
    return days.to_numpy().astype("datetime64[D]")


def _working_part(values: pd.Series, hours: BusinessHours, days: np.ndarray) -> np.ndarray:
    """Working hours already elapsed on the day of each timestamp, at that timestamp."""
    clock = ((values - values.dt.normalize()) / pd.Timedelta(hours=1)).to_numpy(
        dtype="float64", na_value=np.nan
    )
    elapsed = np.clip(np.nan_to_num(clock) - hours.start_hour, 0.0, hours.hours_per_day)
    working = np.is_busday(days, weekmask=hours.weekmask, holidays=hours.holiday_array())
    return np.where(working, elapsed, 0.0)


def working_hours_between(
    begin: pd.Series, finish: pd.Series, business_hours: BusinessHours | None = None
) -> pd.Series:
    """Working hours from ``begin`` to ``finish`` = whole working days x hours per day
    + worked part of the last day - worked part of the first day.

    Vectorised with numpy's business-day counting (no loop over tickets or hours), so
    100 000 tickets take milliseconds. Without ``business_hours``, plain elapsed hours.
    NaN where either time is missing; negative when ``finish`` is before ``begin``.

    >>> friday_4pm = pd.Series(pd.to_datetime(["2025-01-03 16:00"]))
    >>> monday_10am = pd.Series(pd.to_datetime(["2025-01-06 10:00"]))
    >>> working_hours_between(friday_4pm, monday_10am, BusinessHours()).tolist()
    [2.0]
    """
    begin = pd.to_datetime(pd.Series(begin)).reset_index(drop=True)
    finish = pd.to_datetime(pd.Series(finish)).reset_index(drop=True)
    valid = (begin.notna() & finish.notna()).to_numpy(dtype=bool)
    if business_hours is None:
        hours = ((finish - begin) / pd.Timedelta(hours=1)).to_numpy(
            dtype="float64", na_value=np.nan
        )
        return pd.Series(np.where(valid, hours, np.nan), dtype="float64")
    bh = business_hours
    b_days, f_days = _days(begin), _days(finish)
    whole = np.busday_count(b_days, f_days, weekmask=bh.weekmask, holidays=bh.holiday_array())
    hours = (
        bh.hours_per_day * whole
        + _working_part(finish, bh, f_days)
        - _working_part(begin, bh, b_days)
    )
    return pd.Series(np.where(valid, hours, np.nan), dtype="float64")


# --------------------------------------------------------------------------------------------
# Reading the tickets table


def _check_tickets(tickets: pd.DataFrame, what: str, *columns: str) -> None:
    missing = [c for c in ("created_at", *columns) if c not in tickets.columns]
    if missing:
        found = ", ".join(map(str, tickets.columns)) or "none"
        raise SchemaError(
            f"{what} needs the column(s) {', '.join(missing)} in the tickets table; found "
            f"columns: {found}. Map them {_DATA_PAGE}."
        )


def _time(tickets: pd.DataFrame, col: str) -> pd.Series:
    if col not in tickets.columns:
        return pd.Series(pd.NaT, index=tickets.index, dtype="datetime64[us]")
    values = tickets[col]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:
        return pd.to_datetime(values)
    except (ValueError, TypeError) as err:
        raise SchemaError(
            f"the tickets {col} column needs date-times; {err}. Check its mapping {_DATA_PAGE}."
        ) from err


def _text(values: pd.Series) -> pd.Series:
    """Lower-case, stripped text of a category column (NaN stays NaN)."""
    return values.astype("str").str.strip().str.casefold().where(values.notna())


def _closed_by_status(tickets: pd.DataFrame) -> np.ndarray:
    if "status" not in tickets.columns:
        return np.zeros(len(tickets), dtype=bool)
    return _text(tickets["status"]).isin(CLOSED_STATUSES).to_numpy(dtype=bool)


def _flag(values: pd.Series) -> pd.Series:
    """A yes/no column as nullable boolean (text yes/no/true/false/1/0 read too)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(values):
        return (values != 0).astype("boolean").mask(values.isna())
    text = _text(values)
    truthy = {"true", "yes", "y", "1", "x", "да", "tak", "da", "ja", "oui", "si", "sí"}
    falsy = {"false", "no", "n", "0", "нет", "nie", "ne", "nein", "non"}
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[text.isin(truthy).to_numpy(dtype=bool)] = True
    result[text.isin(falsy).to_numpy(dtype=bool)] = False
    return result


def is_complaint(tickets: pd.DataFrame) -> pd.Series:
    """Whether each ticket is a complaint: its type is in :data:`COMPLAINT_TYPES` or
    contains "complain" (case-insensitive). All False without a type column."""
    if "type" not in tickets.columns:
        return pd.Series(False, index=tickets.index, dtype=bool)
    text = _text(tickets["type"])
    found = text.isin(COMPLAINT_TYPES) | text.str.contains("complain", regex=False)
    return found.fillna(False).astype(bool)


def _as_of(tickets: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    latest = [_time(tickets, c).max() for c in ("created_at", "first_response_at", "resolved_at")]
    latest = [t for t in latest if pd.notna(t)]
    if not latest:
        raise InsufficientDataError(
            "support KPIs need tickets with a created_at time; found none. Check the "
            f"created_at mapping {_DATA_PAGE}."
        )
    return max(latest)


def ticket_times(
    tickets: pd.DataFrame,
    *,
    business_hours: BusinessHours | None = None,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per ticket: first response and resolution hours, and whether each is still pending.

    Same index as ``tickets``; columns ``created_at``; ``first_response_hours`` and
    ``resolution_hours`` (float, NaN until it happened); ``answered``, ``resolved``,
    ``open`` (bool: not resolved and not closed by status); ``awaiting_response`` (bool:
    open and not answered); ``age_hours`` (hours from creation to ``as_of``, the censored
    duration of pending tickets; never below 0). First response is the earlier of
    first_response_at and resolved_at (see the module notes). Needs created_at.
    """
    _check_tickets(tickets, "ticket times")
    created = _time(tickets, "created_at")
    responded = _time(tickets, "first_response_at")
    resolved_at = _time(tickets, "resolved_at")
    first = responded.where(
        responded.notna() & (resolved_at.isna() | (responded <= resolved_at)), resolved_at
    )
    now = _as_of(tickets, as_of)
    closed = _closed_by_status(tickets)
    resolved = resolved_at.notna().to_numpy(dtype=bool)
    answered = first.notna().to_numpy(dtype=bool)
    is_open = ~resolved & ~closed & created.notna().to_numpy(dtype=bool)
    age = working_hours_between(created, pd.Series(now, index=created.index), business_hours)
    frame = pd.DataFrame(
        {
            "created_at": created,
            "first_response_hours": working_hours_between(
                created, first, business_hours
            ).to_numpy(),
            "resolution_hours": working_hours_between(
                created, resolved_at, business_hours
            ).to_numpy(),
            "answered": answered,
            "resolved": resolved,
            "open": is_open,
            "awaiting_response": is_open & ~answered,
            "age_hours": np.clip(age.to_numpy(), 0.0, None),
        },
        index=tickets.index,
    )
    return frame


def _range_text(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    if start is None and end is None:
        return ""
    a = "the beginning" if start is None else pd.Timestamp(start).strftime("%Y-%m-%d")
    b = "the end" if end is None else pd.Timestamp(end).strftime("%Y-%m-%d")
    return f" between {a} and {b}"


# --------------------------------------------------------------------------------------------
# Kaplan-Meier median (product-limit estimate), for censored durations


def km_median(durations: Iterable[float], observed: Iterable[bool]) -> float:
    """Kaplan-Meier median: the first time the product-limit survival S(t) falls to 0.5 or below.

    S(t) = prod over event times t_i <= t of (1 - d_i / n_i), d_i events at t_i and n_i
    still at risk (censored at t_i count as at risk, as in R's ``survfit``). When S is
    exactly 0.5 on a stretch, the median is the midpoint of that stretch's first and next
    event time (R's rule), so without censoring it equals the ordinary median. NaN when
    S never reaches 0.5 (more than half still pending). Adapted from Kaplan and Meier,
    "Nonparametric estimation from incomplete observations", JASA 1958, and R's
    ``survival::print.survfit`` median.

    >>> km_median([1, 2, 3, 4], [True, True, True, True])
    2.5
    >>> km_median([1, 2, 3, 4], [True, False, False, False])
    nan
    """
    t = np.asarray(list(durations), dtype="float64")
    e = np.asarray(list(observed), dtype=bool)
    keep = ~np.isnan(t)
    t, e = t[keep], e[keep]
    if t.size == 0 or not e.any():
        return math.nan
    times = np.unique(t[e])
    deaths = np.array([np.sum(e & (t == x)) for x in times]) if times.size < 64 else None
    if deaths is None:
        deaths = np.bincount(np.searchsorted(times, t[e]), minlength=times.size)
    at_risk = t.size - np.searchsorted(np.sort(t), times, side="left")
    surv = np.cumprod(1.0 - deaths / at_risk)
    tol = 1e-12
    below = np.nonzero(surv <= 0.5 + tol)[0]
    if below.size == 0:
        return math.nan
    i = below[0]
    if abs(surv[i] - 0.5) <= tol and i + 1 < times.size:
        return float((times[i] + times[i + 1]) / 2.0)
    return float(times[i])


# --------------------------------------------------------------------------------------------
# Response and resolution times


@dataclass(frozen=True)
class TimeSummary:
    """Hours to first response or to resolution, over tickets created in the range.

    ``n``: tickets that got there; ``pending``: open tickets still waiting (censored);
    ``mean``, ``median``, ``p90`` over the ``n`` (NaN when n is 0); ``km_median``: the
    Kaplan-Meier median over all n + pending, which is higher than ``median`` when slow
    tickets are still open (NaN when more than half are pending).
    """

    measure: str
    n: int
    pending: int
    mean: float
    median: float
    p90: float
    km_median: float


NO_FIRST_RESPONSE = (
    "first_response_hours and the response part of sla_compliance need the time of the first "
    "reply: a first_response_at timestamp, or a column with the first-response duration; the "
    "tickets table has none filled in, and the resolution time is no stand-in for it. Map "
    f"the time of the first reply {_DATA_PAGE}."
)


def _measure(
    tickets: pd.DataFrame,
    measure: str,
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    business_hours: BusinessHours | None,
    as_of: pd.Timestamp | None,
) -> pd.DataFrame:
    """Tickets created in range with ``hours`` (ended) or ``pending`` with ``age_hours``."""
    if measure not in _MEASURES:
        raise ValueError(f"measure must be first_response or resolution; got {measure!r}")
    what = measure.replace("_", " ") + " time"
    needed = ("first_response_at",) if measure == "first_response" else ("resolved_at",)
    _check_tickets(tickets, what, *needed)
    if measure == "first_response" and not tickets["first_response_at"].notna().any():
        # the resolution time is no stand-in for the first reply
        raise InsufficientDataError(NO_FIRST_RESPONSE)
    times = ticket_times(tickets, business_hours=business_hours, as_of=as_of)
    times = times[in_days(times["created_at"], start, end).to_numpy(dtype=bool)]
    hours = times[f"{measure}_hours"]
    pending = times["awaiting_response"] if measure == "first_response" else times["open"]
    frame = pd.DataFrame(
        {"hours": hours, "pending": pending & hours.isna(), "age_hours": times["age_hours"]}
    )
    return frame[(frame["hours"].notna() | frame["pending"]).to_numpy(dtype=bool)]


def _summary(frame: pd.DataFrame, measure: str, start, end) -> TimeSummary:
    ended = frame["hours"].dropna()
    pending = frame[frame["pending"].to_numpy(dtype=bool)]
    if ended.empty and pending.empty:
        raise InsufficientDataError(
            f"{measure.replace('_', ' ')} time needs tickets{_range_text(start, end)}; found "
            f"none. Widen the date range or upload tickets {_DATA_PAGE}."
        )
    durations = np.concatenate([ended.to_numpy(), pending["age_hours"].to_numpy()])
    observed = np.concatenate([np.ones(len(ended), bool), np.zeros(len(pending), bool)])
    return TimeSummary(
        measure=measure,
        n=len(ended),
        pending=len(pending),
        mean=float(ended.mean()) if len(ended) else math.nan,
        median=float(ended.median()) if len(ended) else math.nan,
        p90=float(ended.quantile(0.9)) if len(ended) else math.nan,
        km_median=km_median(durations, observed),
    )


def first_response_time(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: BusinessHours | None = None,
    as_of: pd.Timestamp | None = None,
) -> TimeSummary:
    """First response time = first response (or resolution, if earlier) - creation, in hours.

    Catalogue keys ``first_response_hours_mean`` and ``_median`` (the "average response
    time, ART" row, all three variants: mean, median, p90 with linear interpolation).
    Tickets created in the range; unanswered open tickets are censored (``pending``).

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-06 09:00", "2025-01-06 10:00"]),
    ...                   "first_response_at": pd.to_datetime(["2025-01-06 10:00", None])})
    >>> r = first_response_time(t)
    >>> r.median, r.pending
    (1.0, 1)
    """
    frame = _measure(
        tickets,
        "first_response",
        start=start,
        end=end,
        business_hours=business_hours,
        as_of=as_of,
    )
    return _summary(frame, "first_response", start, end)


def resolution_time(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: BusinessHours | None = None,
    as_of: pd.Timestamp | None = None,
) -> TimeSummary:
    """Resolution time = resolved_at - created_at, in hours; open tickets censored.

    Catalogue keys ``resolution_hours_mean`` and ``_median``: mean, median and p90 over
    resolved tickets created in the range, and ``km_median``, the Kaplan-Meier median that
    counts open tickets as censored at their age ("open tickets are censored, not dropped").
    Tickets closed by status without a resolved_at are left out.
    """
    frame = _measure(
        tickets,
        "resolution",
        start=start,
        end=end,
        business_hours=business_hours,
        as_of=as_of,
    )
    return _summary(frame, "resolution", start, end)


def _bin_label(lo: float, hi: float) -> str:
    def fmt(h: float) -> str:
        return f"{h / 24:g} d" if h >= 24 and h % 24 == 0 else f"{h:g} h"

    if lo == 0:
        return f"under {fmt(hi)}"
    if math.isinf(hi):
        return f"{fmt(lo)} or more"
    if lo >= 24 and hi % 24 == 0 and lo % 24 == 0:
        return f"{lo / 24:g}-{hi / 24:g} d"
    return f"{lo:g}-{hi:g} h"


def time_distribution(
    tickets: pd.DataFrame,
    *,
    measure: str = "first_response",
    bins: tuple[float, ...] = DEFAULT_BINS,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: BusinessHours | None = None,
) -> pd.DataFrame:
    """Tickets per duration bin [edge_i, edge_i+1) hours, with their share of the measured ones.

    ``measure`` is first_response or resolution. Indexed by bin label ("under 1 h",
    "1-4 h", ..., "7 d or more"; index named ``bin``), columns ``tickets`` (int, 0 for an
    empty bin) and ``share`` (float, NaN when no ticket was measured). Pending tickets are
    not in any bin. A negative duration (a time before creation) falls in the first bin.

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-06 09:00"] * 2),
    ...     "first_response_at": pd.to_datetime(["2025-01-06 09:30", "2025-01-07 00:00"])})
    >>> time_distribution(t, bins=(0, 1, 24, math.inf))["tickets"].tolist()
    [1, 1, 0]
    """
    edges = np.asarray(bins, dtype="float64")
    if edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError(f"bins must be at least two increasing edges; got {bins!r}")
    frame = _measure(
        tickets, measure, start=start, end=end, business_hours=business_hours, as_of=None
    )
    hours = frame["hours"].dropna().to_numpy()
    which = np.clip(np.searchsorted(edges, hours, side="right") - 1, 0, edges.size - 2)
    hours_in = hours < edges[-1] if math.isfinite(edges[-1]) else np.ones(hours.size, bool)
    counts = np.bincount(which[hours_in], minlength=edges.size - 1).astype("int64")
    labels = [_bin_label(a, b) for a, b in itertools.pairwise(edges)]
    total = counts.sum()
    return pd.DataFrame(
        {"tickets": counts, "share": counts / total if total else np.full(counts.size, np.nan)},
        index=pd.Index(labels, dtype="str", name="bin"),
    )


# --------------------------------------------------------------------------------------------
# SLA compliance


@dataclass(frozen=True)
class SlaResult:
    """SLA compliance = met / (met + missed) for one target (hours).

    ``met``: answered (or resolved) within the target; ``missed``: later than the target,
    or still pending and already older than it; ``pending``: still pending and younger than
    the target, left out. ``compliance`` is NaN when nothing was judged.
    """

    measure: str
    target_hours: float
    met: int
    missed: int
    pending: int
    compliance: float


def _sla_flags(
    tickets: pd.DataFrame,
    measure: str,
    target_hours: float,
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    business_hours: BusinessHours | None,
    as_of: pd.Timestamp | None,
) -> pd.DataFrame:
    if not target_hours >= 0:
        raise ValueError(f"target_hours must be 0 or more; got {target_hours!r}")
    frame = _measure(
        tickets, measure, start=start, end=end, business_hours=business_hours, as_of=as_of
    )
    ended = frame["hours"].notna()
    late = frame["pending"] & (frame["age_hours"] > target_hours)
    return pd.DataFrame(
        {
            "met": ended & (frame["hours"] <= target_hours),
            "missed": (ended & (frame["hours"] > target_hours)) | late,
            "pending": frame["pending"] & ~late,
        },
        index=frame.index,
    )


def sla_compliance(
    tickets: pd.DataFrame,
    *,
    target_hours: float = FIRST_RESPONSE_TARGET_HOURS,
    measure: str = "first_response",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: BusinessHours | None = None,
    as_of: pd.Timestamp | None = None,
) -> SlaResult:
    """SLA compliance = tickets within target / tickets judged (met + missed).

    Catalogue key ``sla_compliance`` ("share of tickets answered / resolved within the
    target the user sets"): ``measure`` first_response (default, target 24 h) or
    resolution. A pending ticket older than the target is a miss; a younger one is not
    judged yet. With ``business_hours`` the target is in working hours.

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-06 09:00"] * 3),
    ...     "first_response_at": pd.to_datetime(["2025-01-06 10:00", "2025-01-08 00:00", None])})
    >>> sla_compliance(t, target_hours=24).compliance  # met, missed, missed (39 h waiting)
    0.3333333333333333
    """
    flags = _sla_flags(
        tickets,
        measure,
        target_hours,
        start=start,
        end=end,
        business_hours=business_hours,
        as_of=as_of,
    )
    met, missed = int(flags["met"].sum()), int(flags["missed"].sum())
    return SlaResult(
        measure=measure,
        target_hours=float(target_hours),
        met=met,
        missed=missed,
        pending=int(flags["pending"].sum()),
        compliance=met / (met + missed) if met + missed else math.nan,
    )


# --------------------------------------------------------------------------------------------
# Breakdowns: by a column or by period


def _group_keys(
    tickets: pd.DataFrame,
    rows: pd.Index,
    by: str,
    *,
    period: Period,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    what: str,
) -> tuple[pd.Series, pd.Index | None]:
    """Group key of each of ``rows`` and, for ``by="period"``, every period of the range."""
    if by == "period":
        check_period(period)
        created = _time(tickets, "created_at").loc[rows]
        keys = period_start(created, period)
        if created.notna().any() or (start is not None and end is not None):
            first = pd.Timestamp(start) if start is not None else created.min()
            last = pd.Timestamp(end) if end is not None else created.max()
            index = pd.DatetimeIndex(period_range(first, last, period).to_numpy(), name="period")
        else:
            index = pd.DatetimeIndex([], name="period")
        return keys, index
    if by not in tickets.columns:
        found = ", ".join(map(str, tickets.columns))
        raise SchemaError(
            f"{what} by {by} needs a {by} column in the tickets table; found columns: "
            f"{found}. Map it {_DATA_PAGE} or choose another breakdown."
        )
    values = tickets[by].loc[rows]
    keys = values.astype("str").where(values.notna(), "(blank)").astype("str")
    return keys, None


def _grouped_sum(flags: pd.DataFrame, keys: pd.Series, index: pd.Index | None, by: str):
    table = flags.astype("int64").groupby(keys.to_numpy(), sort=True).sum()
    if index is not None:
        table = table.reindex(index, fill_value=0)
    table.index.name = "period" if by == "period" else by
    return table.astype("int64")


def sla_compliance_by(
    tickets: pd.DataFrame,
    by: str,
    *,
    target_hours: float = FIRST_RESPONSE_TARGET_HOURS,
    measure: str = "first_response",
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: BusinessHours | None = None,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """SLA compliance per value of ``by`` (priority, agent ...) or per ``"period"`` of creation.

    Columns ``met``, ``missed``, ``pending`` (int) and ``compliance`` (float, NaN where
    nothing was judged), as :func:`sla_compliance`. Indexed by the group value (index named
    ``by``, sorted; a blank value is the group ``(blank)``), or for ``by="period"`` by
    period start (DatetimeIndex named ``period``, every period of the range, empty ones 0).
    """
    flags = _sla_flags(
        tickets,
        measure,
        target_hours,
        start=start,
        end=end,
        business_hours=business_hours,
        as_of=as_of,
    )
    keys, index = _group_keys(
        tickets, flags.index, by, period=period, start=start, end=end, what="sla compliance"
    )
    table = _grouped_sum(flags, keys, index, by)
    judged = table["met"] + table["missed"]
    table["compliance"] = (table["met"] / judged.where(judged > 0)).astype("float64")
    return table


# --------------------------------------------------------------------------------------------
# Backlog, created against resolved


def backlog(
    tickets: pd.DataFrame,
    *,
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Backlog = tickets created before the period's end and not resolved by then.

    Catalogue keys ``open_tickets`` (series) and ``resolved_tickets``. Indexed by period
    start (DatetimeIndex named ``period``) from the period of ``start`` (else the first
    ticket) to that of ``end`` (else ``as_of``); columns ``created`` and ``resolved``
    (tickets created / resolved in the period) and ``open_at_end`` (open at the period's
    end, or at ``as_of`` for a period that has not ended). All int; 0 for empty periods.
    Tickets closed by status without a resolved_at are never counted as open.

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10", "2025-01-20"]),
    ...                   "resolved_at": pd.to_datetime(["2025-02-02", None])})
    >>> backlog(t)["open_at_end"].tolist()  # January ends with 2 open, February with 1
    [2, 1]
    """
    check_period(period)
    _check_tickets(tickets, "the backlog")
    created = _time(tickets, "created_at")
    resolved_at = _time(tickets, "resolved_at")
    now = _as_of(tickets, as_of)
    first = pd.Timestamp(start) if start is not None else created.min()
    last = pd.Timestamp(end) if end is not None else now
    index = pd.DatetimeIndex(period_range(first, last, period).to_numpy(), name="period")
    ends = pd.DatetimeIndex([next_period_start(s, period) for s in index])
    # A period not yet over is read at as_of itself: what resolved at as_of is not open.
    moments = ends.where(ends <= now, now + pd.Timedelta(microseconds=1))

    countable = created.notna().to_numpy(dtype=bool) & ~(
        _closed_by_status(tickets) & resolved_at.isna().to_numpy(dtype=bool)
    )
    c = np.sort(created.to_numpy().astype("datetime64[ns]")[countable])
    # A ticket stops being open at its resolution, never before its creation (data errors).
    r = resolved_at.to_numpy().astype("datetime64[ns]")[countable]
    made = created.to_numpy().astype("datetime64[ns]")[countable]
    closed_at = np.sort(np.maximum(r[~np.isnat(r)], made[~np.isnat(r)]))
    m = moments.to_numpy().astype("datetime64[ns]")
    open_at_end = np.searchsorted(c, m, side="left") - np.searchsorted(closed_at, m, side="left")

    all_created = created.dropna()
    created_n = period_start(all_created, period).value_counts()
    done = resolved_at.dropna()
    resolved_n = period_start(done, period).value_counts()
    return pd.DataFrame(
        {
            "created": created_n.reindex(index, fill_value=0).to_numpy(dtype="int64"),
            "resolved": resolved_n.reindex(index, fill_value=0).to_numpy(dtype="int64"),
            "open_at_end": open_at_end.astype("int64"),
        },
        index=index,
    )


def open_tickets(tickets: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> int:
    """Open tickets = created by ``as_of`` and not resolved by then (nor closed by status).

    ``as_of`` defaults to the latest timestamp in the table.

    >>> open_tickets(pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10", "2025-01-20"]),
    ...                            "resolved_at": pd.to_datetime(["2025-02-02", None])}))
    1
    """
    _check_tickets(tickets, "open tickets")
    now = _as_of(tickets, as_of)
    created = _time(tickets, "created_at")
    resolved_at = _time(tickets, "resolved_at")
    closed = _closed_by_status(tickets) & resolved_at.isna().to_numpy(dtype=bool)
    is_open = (created <= now) & (resolved_at.isna() | (resolved_at > now))
    return int((is_open.to_numpy(dtype=bool) & ~closed).sum())


def resolved_tickets(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> int:
    """Resolved tickets = tickets with a resolved_at from ``start`` to ``end`` (inclusive days).

    >>> resolved_tickets(pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10"] * 2),
    ...     "resolved_at": pd.to_datetime(["2025-02-02", None])}), end=pd.Timestamp("2025-01-31"))
    0
    """
    _check_tickets(tickets, "resolved tickets", "resolved_at")
    return int(in_days(_time(tickets, "resolved_at"), start, end).sum())


# --------------------------------------------------------------------------------------------
# Complaints and escalations


@dataclass(frozen=True)
class ComplaintCounts:
    """Complaints created in the range: total, still open, resolved, escalated.

    ``escalated`` is None without an escalated column. ``open`` + ``resolved`` can be below
    ``total`` by the complaints closed by status without a resolved_at.
    """

    total: int
    open: int
    resolved: int
    escalated: int | None


def _complaint_flags(
    tickets: pd.DataFrame,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    as_of: pd.Timestamp | None,
) -> pd.DataFrame:
    _check_tickets(tickets, "complaints", "type")
    times = ticket_times(tickets, as_of=as_of)
    keep = (in_days(times["created_at"], start, end) & is_complaint(tickets)).to_numpy(dtype=bool)
    flags = pd.DataFrame(
        {"total": True, "open": times["open"], "resolved": times["resolved"]},
        index=tickets.index,
    )
    if "escalated" in tickets.columns:
        flags["escalated"] = _flag(tickets["escalated"]).fillna(False).astype(bool)
    return flags[keep]


def complaint_counts(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    as_of: pd.Timestamp | None = None,
) -> ComplaintCounts:
    """Complaints = tickets of type complaint created in the range: total, open, resolved,
    escalated (catalogue key ``complaints`` is the total). Open as of ``as_of``.

    >>> complaint_counts(pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10"] * 2),
    ...                                "type": ["Complaint", "question"]})).total
    1
    """
    flags = _complaint_flags(tickets, start, end, as_of)
    return ComplaintCounts(
        total=len(flags),
        open=int(flags["open"].sum()),
        resolved=int(flags["resolved"].sum()),
        escalated=int(flags["escalated"].sum()) if "escalated" in flags else None,
    )


def complaints_by(
    tickets: pd.DataFrame,
    by: str,
    *,
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Complaints per value of ``by`` (category, agent, contract, resolution_type ...) or
    per ``"period"`` of creation: columns ``total``, ``open``, ``resolved`` and, when the
    tickets have an escalated column, ``escalated`` (all int, 0 for empty groups).

    Indexed as :func:`sla_compliance_by` (blank values grouped as ``(blank)``; for periods
    every period of the range, from the complaints' first to last when unbounded).
    """
    flags = _complaint_flags(tickets, start, end, as_of)
    keys, index = _group_keys(
        tickets, flags.index, by, period=period, start=start, end=end, what="complaints"
    )
    return _grouped_sum(flags, keys, index, by)


def _escalations(
    tickets: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None
) -> pd.Series:
    _check_tickets(tickets, "escalation rate", "escalated")
    created = _time(tickets, "created_at")
    flag = _flag(tickets["escalated"])
    keep = (in_days(created, start, end) & flag.notna()).to_numpy(dtype=bool)
    return flag[keep].astype(bool)


def escalation_rate(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> float:
    """Escalation rate = escalated tickets / tickets created in the range (a fraction 0-1).

    Tickets with a blank escalated cell are left out of both counts. Raises
    InsufficientDataError when no ticket in the range has the flag.

    >>> escalation_rate(pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10"] * 4),
    ...                               "escalated": [True, False, False, None]}))
    0.3333333333333333
    """
    flags = _escalations(tickets, start, end)
    if flags.empty:
        raise InsufficientDataError(
            f"escalation rate needs tickets with an escalated flag{_range_text(start, end)}; "
            f"found none. Widen the date range or check the escalated column {_DATA_PAGE}."
        )
    return float(flags.mean())


def escalation_rate_by(
    tickets: pd.DataFrame,
    by: str,
    *,
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Escalation rate per value of ``by`` or per ``"period"``: columns ``tickets`` and
    ``escalated`` (int) and ``escalation_rate`` (float, NaN for a group without tickets).
    Indexed as :func:`sla_compliance_by`."""
    flags = _escalations(tickets, start, end)
    frame = pd.DataFrame({"tickets": True, "escalated": flags}, index=flags.index)
    keys, index = _group_keys(
        tickets, frame.index, by, period=period, start=start, end=end, what="escalation rate"
    )
    table = _grouped_sum(frame, keys, index, by)
    n = table["tickets"]
    table["escalation_rate"] = (table["escalated"] / n.where(n > 0)).astype("float64")
    return table


# --------------------------------------------------------------------------------------------
# Complaint breakdowns, complaints per customer, conversion after a service contact

COMPLAINT_DIMENSIONS: dict[str, str] = {
    "type": "category",
    "employee": "agent",
    "contract": "contract",
    "resolution": "resolution_type",
}
"""Breakdowns of ``complaints_by``: its key in the JSON -> the tickets column it reads."""


def complaint_breakdowns(
    tickets: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    as_of: pd.Timestamp | None = None,
) -> dict[str, pd.DataFrame]:
    """Complaints created in the range by type, employee, contract and resolution.

        complaints_by[dimension][value] = {total, outstanding, resolved, escalated}

    One :func:`complaints_by` table per entry of :data:`COMPLAINT_DIMENSIONS` whose column
    the tickets have (type = ticket category, employee = agent, resolution =
    resolution_type), with ``open`` renamed ``outstanding`` (still open at ``as_of``).
    Dimensions without their column are left out; an empty dict when none is there.

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10"] * 3),
    ...                   "type": ["complaint", "complaint", "question"],
    ...                   "agent": ["Ana", "Ana", "Bo"], "resolved_at": pd.NaT})
    >>> complaint_breakdowns(t)["employee"]["outstanding"].to_dict()
    {'Ana': 2}
    """
    out: dict[str, pd.DataFrame] = {}
    for name, column in COMPLAINT_DIMENSIONS.items():
        if column in tickets.columns:
            table = complaints_by(tickets, column, start=start, end=end, as_of=as_of)
            out[name] = table.rename(columns={"open": "outstanding"})
    return out


def _active_customers_by_period(
    orders: pd.DataFrame, period: Period, index: pd.DatetimeIndex
) -> pd.Series:
    sales = orders[~(orders["amount"] < 0).to_numpy(dtype=bool)]
    starts = period_start(pd.to_datetime(sales["order_date"]), period)
    counts = sales["customer_id"].groupby(starts.to_numpy()).nunique()
    return counts.reindex(index, fill_value=0).astype("int64")


def complaints_per_customer(
    tickets: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> float:
    """Complaints per customer = complaints created in the range / active customers in it.

    Active customers: distinct customers with an order (not a refund) dated in the range,
    as ``active_customers``. Read beside the escalation rate: complaints growing faster than
    the customer base show here, not in the complaint count. Raises InsufficientDataError
    when no customer ordered in the range.

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10"] * 2),
    ...                   "type": ["complaint", "question"]})
    >>> o = pd.DataFrame({"customer_id": ["a", "b", "b", "c"], "amount": [5.0, 5.0, 5.0, 5.0],
    ...                   "order_date": pd.to_datetime(["2025-01-02"] * 4)})
    >>> round(complaints_per_customer(t, o), 4)
    0.3333
    """
    check_same_split("complaints_per_customer", tickets=tickets, orders=orders)
    complaints = complaint_counts(tickets, start=start, end=end).total
    dated = in_days(pd.to_datetime(orders["order_date"]), start, end).to_numpy(dtype=bool)
    sales = dated & ~(orders["amount"] < 0).to_numpy(dtype=bool)
    active = int(orders.loc[sales, "customer_id"].nunique())
    if active == 0:
        raise InsufficientDataError(
            f"complaints per customer needs customers with an order{_range_text(start, end)}; "
            f"found none. Widen the date range or upload orders {_DATA_PAGE}."
        )
    return complaints / active


def complaints_per_customer_series(
    tickets: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per period: ``complaints``, ``active_customers`` (int) and ``complaints_per_customer``
    (float, NaN for a period without an active customer), indexed by period start over the
    range (the complaints' first to last period when unbounded), as :func:`complaints_by`."""
    table = complaints_by(tickets, "period", period=period, start=start, end=end)
    index = pd.DatetimeIndex(table.index)
    active = _active_customers_by_period(orders, period, index)
    out = pd.DataFrame(
        {"complaints": table["total"].to_numpy(), "active_customers": active.to_numpy()},
        index=table.index,
    )
    out["complaints_per_customer"] = (
        out["complaints"] / out["active_customers"].where(out["active_customers"] > 0)
    ).astype("float64")
    return out


SERVICE_CONTACT_DAYS = 30
"""Default window of ``service_contact_conversion``: an order within 30 days of a contact."""


@dataclass(frozen=True)
class ServiceContactConversion:
    """Customers with a service contact in the range, and those who ordered after one.

    ``left_out``: customers whose contacts all fell within ``days`` of the data's last order
    date, so that their window is not over yet (they are in neither count). ``touches_note``
    says why inbound touches were not read (a filter that could not reach them), else None.
    """

    rate: float
    customers: int
    converted: int
    days: int
    left_out: int
    touches_note: str | None = None


_INBOUND = ("inb", "inc", "in", "вход", "przych", "eingeh", "entrant", "entrada", "dohod")
_OUTBOUND = ("outb", "outg", "out", "исход", "wych", "ausgeh", "sortant", "salida", "odhod")


def touch_directions(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whether each touch is inbound and whether it is outbound, from its direction text.

    Reads inbound/incoming and outbound/outgoing and their translations (case-insensitive);
    any other or blank direction is neither.

    >>> [a.tolist() for a in touch_directions(pd.Series(["Inbound", "outgoing", "internal"]))]
    [[True, False, False], [False, True, False]]
    """
    text = _text(values).fillna("")
    inbound = text.str.startswith(_INBOUND) & ~text.str.startswith(("int",))
    outbound = text.str.startswith(_OUTBOUND).to_numpy(dtype=bool)
    return inbound.to_numpy(dtype=bool) & ~outbound, outbound


def _service_contacts(
    tickets: pd.DataFrame | None, touches: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """Customer ids and contact days (datetime64[D]) of tickets and inbound touches."""
    ids, days = [], []
    if tickets is not None and {"created_at", "customer_id"} <= set(tickets.columns):
        created = _time(tickets, "created_at")
        keep = (created.notna() & tickets["customer_id"].notna()).to_numpy(dtype=bool)
        ids.append(tickets["customer_id"].to_numpy()[keep].astype(str))
        days.append(created.to_numpy()[keep].astype("datetime64[D]"))
    if touches is not None and {"date", "customer_id", "direction"} <= set(touches.columns):
        inbound, _ = touch_directions(touches["direction"])
        dates = pd.to_datetime(touches["date"])
        keep = inbound & (dates.notna() & touches["customer_id"].notna()).to_numpy(dtype=bool)
        ids.append(touches["customer_id"].to_numpy()[keep].astype(str))
        days.append(dates.to_numpy()[keep].astype("datetime64[D]"))
    if not ids:
        return np.array([], dtype=str), np.array([], dtype="datetime64[D]")
    return np.concatenate(ids), np.concatenate(days)


def service_contact_conversion(
    tickets: pd.DataFrame | None,
    orders: pd.DataFrame,
    touches: pd.DataFrame | None = None,
    *,
    days: int = SERVICE_CONTACT_DAYS,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> ServiceContactConversion:
    """Conversion after a service contact = customers with a service contact in the range
    who ordered within ``days`` after it / customers with a service contact in the range.

        rate = |{c : contact(c, d) in range, order(c, d') with d < d' <= d + days}|
               / |{c : contact(c, d) in range}|

    A service contact is a ticket (by its creation day) or an inbound touch of a known
    customer. Order dates carry no time, so an order on the contact's own day is not
    counted (it may be the order the customer called about). Refund rows are not orders.
    Contacts closer than ``days`` to the last order date in the data cannot be judged yet:
    a customer with only such contacts is left out of both counts (``left_out``).
    Raises InsufficientDataError when no customer is left.

    >>> t = pd.DataFrame({"created_at": pd.to_datetime(["2025-01-10", "2025-01-12"]),
    ...                   "customer_id": ["a", "b"]})
    >>> o = pd.DataFrame({"customer_id": ["a", "c"], "amount": [50.0, 10.0],
    ...                   "order_date": pd.to_datetime(["2025-01-20", "2025-06-01"])})
    >>> service_contact_conversion(t, o).rate
    0.5
    """
    if days < 1:
        raise SchemaError(
            f"service contact conversion needs a window of 1 day or more; got {days}."
        )
    check_same_split("service_contact_conversion", tickets=tickets, orders=orders)
    touches_note = None
    if touches is not None and not_split_by(touches) != not_split_by(orders):
        # Touches of every customer against the orders of some would read as lost sales.
        attrs = " or ".join(not_split_by(touches)) or "the filter"
        touches_note = f"Inbound touches are left out: they are not split by {attrs}."
        touches = None
    ids, contact_days = _service_contacts(tickets, touches)
    dates = pd.to_datetime(orders["order_date"])
    sale = (dates.notna() & ~(orders["amount"] < 0) & orders["customer_id"].notna()).to_numpy(
        dtype=bool
    )
    order_ids = orders["customer_id"].to_numpy()[sale].astype(str)
    order_days = dates.to_numpy()[sale].astype("datetime64[D]")
    in_range = in_days(pd.Series(contact_days.astype("datetime64[ns]")), start, end).to_numpy(
        dtype=bool
    )
    ids, contact_days = ids[in_range], contact_days[in_range]
    if len(order_days) == 0 or len(ids) == 0:
        raise InsufficientDataError(
            f"service contact conversion needs tickets or inbound touches of known customers"
            f"{_range_text(start, end)} and their orders; found none. Map customer_id in the "
            f"tickets or touches table {_DATA_PAGE}."
        )
    window = np.timedelta64(int(days), "D")
    judged = contact_days + window <= order_days.max()
    # Encode (customer, day) pairs as one sortable integer so the next order after each
    # contact is one searchsorted away.
    codes, _ = pd.factorize(np.concatenate([ids, order_ids]))
    contact_code, order_code = codes[: len(ids)], codes[len(ids) :]
    if not np.isin(contact_code, order_code).any():
        # No contacting customer among the sales: look among every order row (refunds too).
        # None there either: the two tables most likely name customers differently, and 0 %
        # would read as a finding.
        buyers = orders["customer_id"].dropna().astype(str).unique()
        if not np.isin(ids.astype(str), buyers).any():
            raise InsufficientDataError(
                f"service contact conversion found none of the {len(np.unique(ids)):,} "
                f"customers with a contact{_range_text(start, end)} in the orders (contacts "
                f"name them like {str(ids[0])!r}, orders like {str(buyers[0])!r}). If both "
                f"tables hold the same customers, map the same customer key in each "
                f"{_DATA_PAGE}."
            )
    span = np.int64(1) << 32
    contact_key = contact_code.astype("int64") * span + contact_days.astype("int64")
    order_key = np.sort(order_code.astype("int64") * span + order_days.astype("int64"))
    at = np.searchsorted(order_key, contact_key, side="right")
    nxt = order_key[np.minimum(at, len(order_key) - 1)]
    followed = (
        (at < len(order_key)) & (nxt // span == contact_code) & (nxt - contact_key <= int(days))
    )
    counted = judged | followed  # an order already seen settles a contact near the end
    per_customer = pd.DataFrame({"c": contact_code, "counted": counted, "won": followed})
    agg = per_customer.groupby("c").agg(counted=("counted", "any"), won=("won", "any"))
    customers = int(agg["counted"].sum())
    converted = int((agg["won"] & agg["counted"]).sum())
    left_out = int(len(agg) - customers)
    if customers == 0:
        raise InsufficientDataError(
            f"service contact conversion needs contacts at least {days} days before the last "
            f"order date; found none{_range_text(start, end)}. Widen the date range."
        )
    return ServiceContactConversion(
        converted / customers, customers, converted, days, left_out, touches_note
    )


# --------------------------------------------------------------------------------------------
# Section for the command line and the app

_KEYS = (
    "first_response_hours_median",
    "first_response_hours_mean",
    "resolution_hours_median",
    "resolution_hours_mean",
    "open_tickets",
    "resolved_tickets",
    "complaints",
    "escalation_rate",
    "sla_compliance",
    "complaints_outstanding",
    "complaints_resolved",
    "complaints_escalated",
    "complaints_by",
    "complaints_per_customer",
    "service_contact_conversion",
)


def _median_series(
    tickets: pd.DataFrame,
    measure: str,
    period: Period,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    as_of: pd.Timestamp,
) -> pd.Series:
    frame = _measure(tickets, measure, start=start, end=end, business_hours=None, as_of=as_of)
    keys, index = _group_keys(
        tickets, frame.index, "period", period=period, start=start, end=end, what=measure
    )
    medians = frame["hours"].groupby(keys.to_numpy()).median()
    return medians.reindex(index)


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: Period = "month",
    settings: Settings | None = None,
) -> Section:
    """Every support-operations KPI the tickets table supports (see kpi.report).

    ``settings.sla_hours`` sets the SLA target (reported under ``assumptions``). Without a
    first_response_at time, the first-response keys and ``sla_compliance`` are null with a
    warning: the resolution time is never read as the first reply.

    Keys ``first_response_hours_median`` / ``_mean``, ``resolution_hours_median`` /
    ``_mean`` (elapsed hours over tickets created in the range that got there),
    ``open_tickets`` (open at the end of the range, or now), ``resolved_tickets``
    (resolved in the range), ``complaints`` (created in the range), ``escalation_rate``
    and ``sla_compliance`` (first response within :data:`FIRST_RESPONSE_TARGET_HOURS`,
    24 hours). Series by period label: the two medians, ``open_tickets`` (at period end),
    ``resolved_tickets``, ``complaints``, ``escalation_rate``, ``sla_compliance``.

    Complaint keys: ``complaints_outstanding`` (of the range's complaints, still open),
    ``complaints_resolved``, ``complaints_escalated`` and ``complaints_by`` ({type,
    employee, contract, resolution: {value: {total, outstanding, resolved, escalated}}},
    see :func:`complaint_breakdowns`); ``complaints_per_customer`` (and its series) with
    orders; ``service_contact_conversion`` (orders within ``settings.service_contact_days``,
    default :data:`SERVICE_CONTACT_DAYS`, days of a ticket or inbound touch) with orders.
    """
    check_period(period)
    result = Section(kpis=dict.fromkeys(_KEYS))
    tickets = tables.get("tickets")
    orders, touches = tables.get("orders"), tables.get("touches")
    if tickets is None or "created_at" not in tickets.columns:
        result.warnings.append(
            "response and resolution times, backlog, SLA, complaints and escalations need a "
            "tickets table with columns ticket_id and created_at; upload your help desk "
            f"export {_DATA_PAGE}."
        )
        return result
    try:
        now = _as_of(tickets, None)
    except KpiError as err:
        result.warnings.append(str(err))
        return result
    if end is not None:
        now = min(now, pd.Timestamp(end).normalize() + pd.Timedelta(days=1))

    def attempt(job) -> None:
        try:
            job()
        except KpiError as err:
            result.warnings.append(str(err))

    has_response = (
        "first_response_at" in tickets.columns and tickets["first_response_at"].notna().any()
    )
    sla = settings.sla_hours if settings is not None else None
    target = FIRST_RESPONSE_TARGET_HOURS if sla is None else float(sla)
    result.assumptions["sla_hours"] = assumption(target, "default" if sla is None else "user")
    if has_response:

        def response() -> None:
            r = first_response_time(tickets, start=start, end=end, as_of=now)
            result.kpis.update(
                first_response_hours_median=r.median, first_response_hours_mean=r.mean
            )
            s = sla_compliance(tickets, start=start, end=end, as_of=now, target_hours=target)
            result.kpis["sla_compliance"] = s.compliance
            by = sla_compliance_by(
                tickets,
                "period",
                period=period,
                start=start,
                end=end,
                as_of=now,
                target_hours=target,
            )
            result.series["sla_compliance"] = labelled(by["compliance"], period)
            medians = _median_series(tickets, "first_response", period, start, end, now)
            result.series["first_response_hours_median"] = labelled(medians, period)

        attempt(response)
    else:
        result.warnings.append(NO_FIRST_RESPONSE)

    if "resolved_at" in tickets.columns:

        def resolution() -> None:
            r = resolution_time(tickets, start=start, end=end, as_of=now)
            result.kpis.update(resolution_hours_median=r.median, resolution_hours_mean=r.mean)
            medians = _median_series(tickets, "resolution", period, start, end, now)
            result.series["resolution_hours_median"] = labelled(medians, period)
            result.kpis["resolved_tickets"] = resolved_tickets(tickets, start=start, end=end)
            result.kpis["open_tickets"] = open_tickets(tickets, as_of=now)
            table = backlog(tickets, period=period, start=start, end=end, as_of=now)
            result.series["open_tickets"] = labelled(table["open_at_end"], period)
            result.series["resolved_tickets"] = labelled(table["resolved"], period)

        attempt(resolution)
    else:
        result.warnings.append(
            "resolution_hours, open_tickets and resolved_tickets need a resolved_at column in "
            f"the tickets table; map the time each ticket was closed {_DATA_PAGE}."
        )

    if "type" in tickets.columns:

        def complaints() -> None:
            counts = complaint_counts(tickets, start=start, end=end, as_of=now)
            result.kpis["complaints"] = counts.total
            result.kpis["complaints_outstanding"] = counts.open
            result.kpis["complaints_resolved"] = counts.resolved
            result.kpis["complaints_escalated"] = counts.escalated
            breakdowns = complaint_breakdowns(tickets, start=start, end=end, as_of=now)
            result.kpis["complaints_by"] = {
                name: table.to_dict(orient="index") for name, table in breakdowns.items()
            }
            if result.kpis["complaints"]:
                by = complaints_by(tickets, "period", period=period, start=start, end=end)
                result.series["complaints"] = labelled(by["total"], period)

        def per_customer() -> None:
            result.kpis["complaints_per_customer"] = complaints_per_customer(
                tickets, orders, start=start, end=end
            )
            s = complaints_per_customer_series(tickets, orders, period=period, start=start, end=end)
            result.series["complaints_per_customer"] = labelled(
                s["complaints_per_customer"], period
            )

        attempt(complaints)
        if orders is None:
            result.warnings.append(
                "complaints_per_customer needs an orders table to count active customers; "
                f"upload your orders {_DATA_PAGE}."
            )
        else:
            attempt(per_customer)
    else:
        result.warnings.append(
            "complaints needs a type column in the tickets table (complaint, question, "
            f"request); map it {_DATA_PAGE}."
        )

    if "escalated" in tickets.columns:

        def escalations() -> None:
            result.kpis["escalation_rate"] = escalation_rate(tickets, start=start, end=end)
            by = escalation_rate_by(tickets, "period", period=period, start=start, end=end)
            result.series["escalation_rate"] = labelled(by["escalation_rate"], period)

        attempt(escalations)
    else:
        result.warnings.append(
            "escalation_rate needs an escalated column (yes/no) in the tickets table; map it "
            f"{_DATA_PAGE}."
        )

    if orders is None or ("customer_id" not in tickets.columns and touches is None):
        result.warnings.append(
            "service_contact_conversion needs orders and tickets (or inbound touches) with a "
            f"customer_id; upload them {_DATA_PAGE}."
        )
    else:
        given = settings.service_contact_days if settings is not None else None

        def contact_conversion() -> None:
            days = SERVICE_CONTACT_DAYS if given is None else int(given)
            r = service_contact_conversion(
                tickets, orders, touches, days=days, start=start, end=end
            )
            result.kpis["service_contact_conversion"] = r.rate
            result.assumptions["service_contact_days"] = assumption(
                r.days,
                "default" if given is None else "user",
                rule="an order 1 to N days after the contact",
            )
            if r.left_out:
                result.warnings.append(
                    f"service_contact_conversion leaves out {r.left_out} customers whose "
                    f"contacts are less than {r.days} days before the last order date: "
                    "their window is not over yet."
                )
            if r.touches_note:
                result.warnings.append(f"service_contact_conversion: {r.touches_note}")

        attempt(contact_conversion)

    result.kpis = plain(result.kpis)
    return result
