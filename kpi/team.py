"""The team: agent productivity, CSAT per agent, employee turnover, engagement, efforts.

The team rows of the "Support operations and team" section of KPI_CATALOGUE.md, over the
canonical tables of DESIGN.md::

    tickets:   ticket_id, created_at, first_response_at, resolved_at, agent, ...
    employees: employee, hire_date, leave_date, team
    surveys:   date, score, survey_type, agent, ...
    touches:   date, customer_id, lead_id, touch_type, direction, duration_min, employee
    leads:     lead_id, created_date, converted_date, owner, ...

An employee's ``leave_date`` is their last day employed (inclusive). ``start`` and ``end``
are inclusive calendar days; None is unbounded (each function says what that means).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.filters import check_same_split
from kpi.periods import (
    Period,
    check_period,
    in_days,
    next_period_start,
    period_range,
    period_start,
)
from kpi.report import Section, labelled, plain
from kpi.satisfaction import csat_by, survey_kinds
from kpi.support import BusinessHours, _text, _time, ticket_times, touch_directions

__all__ = [
    "agent_table",
    "agent_working_days",
    "efforts_vs_results",
    "employee_turnover",
    "employee_turnover_rate",
    "engagement_by_customer",
    "engagement_minutes_per_customer",
    "section",
    "tickets_per_agent_day",
    "touches_per_customer",
]

_DATA_PAGE = "on the Data page"


def _need(frame: pd.DataFrame, table: str, what: str, *columns: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise SchemaError(
            f"{what} needs the column(s) {', '.join(missing)} in the {table} table; found "
            f"columns: {found}. Map them {_DATA_PAGE}."
        )


def _day(value: pd.Timestamp | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


# --------------------------------------------------------------------------------------------
# Agents


def _ticket_days(tickets: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    created = _time(tickets, "created_at").dropna()
    resolved = _time(tickets, "resolved_at").dropna()
    if created.empty:
        raise InsufficientDataError(
            f"agent productivity needs tickets with a created_at time; found none. Check the "
            f"created_at mapping {_DATA_PAGE}."
        )
    last = max(created.max(), resolved.max()) if len(resolved) else created.max()
    return created.min().normalize(), last.normalize()


def agent_working_days(
    agents: pd.Index | list[str],
    employees: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    business_hours: BusinessHours | None = None,
) -> pd.Series:
    """Working days each agent was employed from ``start`` to ``end`` (inclusive days).

    Working days are the weekdays and holidays of ``business_hours`` (default Monday to
    Friday, no holidays), between max(start, hire_date) and min(end, leave_date). An agent
    missing from ``employees`` (or without dates) counts every working day of the range.
    Returns an int Series indexed by agent (named ``agent``).

    >>> week = {"start": pd.Timestamp("2025-01-06"), "end": pd.Timestamp("2025-01-12")}
    >>> agent_working_days(["Ana"], **week).tolist()
    [5]
    """
    bh = business_hours or BusinessHours()
    index = pd.Index(list(agents), dtype="str", name="agent")
    first = pd.Series(pd.Timestamp(start).normalize(), index=index)
    last = pd.Series(pd.Timestamp(end).normalize(), index=index)
    if employees is not None and "employee" in employees.columns:
        staff = employees.dropna(subset=["employee"]).drop_duplicates("employee", keep="last")
        staff = staff.set_index(staff["employee"].astype("str"))
        if "hire_date" in staff.columns:
            hired = pd.to_datetime(staff["hire_date"]).dt.normalize().reindex(index)
            first = first.where(hired.isna() | (hired <= first), hired)
        if "leave_date" in staff.columns:
            left = pd.to_datetime(staff["leave_date"]).dt.normalize().reindex(index)
            last = last.where(left.isna() | (left >= last), left)
    one_day = pd.Timedelta(days=1)
    a = first.to_numpy().astype("datetime64[D]")
    b = (last + one_day).to_numpy().astype("datetime64[D]")
    days = np.busday_count(a, b, weekmask=bh.weekmask, holidays=bh.holiday_array())
    return pd.Series(np.maximum(days, 0).astype("int64"), index=index, name="working_days")


def agent_table(
    tickets: pd.DataFrame,
    *,
    surveys: pd.DataFrame | None = None,
    employees: pd.DataFrame | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: BusinessHours | None = None,
) -> pd.DataFrame:
    """Per agent: tickets resolved per working day = resolved in range / working days employed.

    Catalogue key ``tickets_per_agent_day`` (the tickets variant; CSAT per agent beside
    it). Indexed by agent (named ``agent``, sorted; tickets without an agent are left out);
    columns ``tickets`` (created in range), ``resolved`` (resolved in range),
    ``working_days`` (int, :func:`agent_working_days`), ``tickets_per_day`` (float, NaN with
    no working day), ``first_response_median_hours`` (over the agent's tickets created in
    range, NaN if none was answered), ``csat_mean`` (float, NaN without answers) and
    ``csat_n`` (int). Without ``start``/``end`` the range runs from the first ticket's day
    to the last creation or resolution day. CSAT uses :func:`kpi.satisfaction.csat_by` on
    the surveys that are CSAT answers (:func:`kpi.satisfaction.survey_kinds`) and carry
    an agent; business hours, when given, also apply to the response times.
    """
    _need(tickets, "tickets", "agent productivity", "created_at", "agent", "resolved_at")
    first, last = _ticket_days(tickets)
    lo = _day(start) or first
    hi = _day(end) or last
    agent = tickets["agent"]
    has_agent = agent.notna().to_numpy(dtype=bool)
    names = agent[has_agent].astype("str")
    times = ticket_times(tickets, business_hours=business_hours)[has_agent]
    created_in = in_days(times["created_at"], lo, hi).to_numpy(dtype=bool)
    resolved_in = in_days(_time(tickets, "resolved_at")[has_agent], lo, hi).to_numpy(dtype=bool)
    index = pd.Index(sorted(names.unique()), dtype="str", name="agent")
    result = pd.DataFrame(index=index)
    result["tickets"] = names[created_in].value_counts().reindex(index, fill_value=0)
    result["resolved"] = names[resolved_in].value_counts().reindex(index, fill_value=0)
    result = result.astype("int64")
    result["working_days"] = agent_working_days(
        index, employees, start=lo, end=hi, business_hours=business_hours
    )
    days = result["working_days"].where(result["working_days"] > 0)
    result["tickets_per_day"] = (result["resolved"] / days).astype("float64")
    response = times.loc[created_in, "first_response_hours"]
    medians = response.groupby(names[created_in].to_numpy()).median()
    result["first_response_median_hours"] = medians.reindex(index).astype("float64")
    result["csat_mean"] = np.nan
    result["csat_n"] = 0
    if surveys is not None and "agent" in surveys.columns and len(surveys):
        rated = surveys[(survey_kinds(surveys) == "csat").to_numpy(dtype=bool)]
        if len(rated):
            try:
                by = csat_by(rated, "agent", start=lo, end=hi)
            except InsufficientDataError:
                by = None
            if by is not None:
                by.index = by.index.astype("str")
                result["csat_mean"] = by["mean"].reindex(index).astype("float64")
                result["csat_n"] = by["n"].reindex(index).fillna(0).astype("int64")
    return result


def tickets_per_agent_day(
    tickets: pd.DataFrame,
    employees: pd.DataFrame | None = None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    business_hours: BusinessHours | None = None,
) -> float:
    """Tickets per agent day = tickets resolved by agents in range / agents' working days.

    Pooled over agents (an agent with more days weighs more), from :func:`agent_table`.
    Raises InsufficientDataError when no agent has a working day in the range, and
    FilterSplitError when a filter reached the tickets but not the employees' days.
    """
    check_same_split("tickets_per_agent_day", tickets=tickets, employees=employees)
    table = agent_table(
        tickets, employees=employees, start=start, end=end, business_hours=business_hours
    )
    days = int(table["working_days"].sum())
    if days == 0:
        raise InsufficientDataError(
            "tickets per agent day needs tickets with an agent and at least one working day "
            "in the date range; found none. Widen the date range or map the agent column "
            f"{_DATA_PAGE}."
        )
    return float(table["resolved"].sum() / days)


# --------------------------------------------------------------------------------------------
# Employee turnover


def _staff_dates(employees: pd.DataFrame, what: str) -> tuple[pd.Series, pd.Series]:
    _need(employees, "employees", what, "employee")
    if "leave_date" not in employees.columns:
        raise SchemaError(
            f"{what} needs a leave_date column in the employees table (blank for people "
            f"still employed); map it {_DATA_PAGE}."
        )
    staff = employees[employees["employee"].notna().to_numpy(dtype=bool)]
    hired = (
        pd.to_datetime(staff["hire_date"]).dt.normalize()
        if "hire_date" in staff.columns
        else pd.Series(pd.NaT, index=staff.index, dtype="datetime64[us]")
    )
    left = pd.to_datetime(staff["leave_date"]).dt.normalize()
    return hired, left


def _headcount(hired: pd.Series, left: pd.Series, day: pd.Timestamp) -> int:
    """Employees on ``day``: hired on or before it (or no hire date), not left before it."""
    on = (hired.isna() | (hired <= day)) & (left.isna() | (left >= day))
    return int(on.sum())


def employee_turnover(
    employees: pd.DataFrame,
    *,
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Turnover per period = leavers / average headcount, average = (first day + last day) / 2.

    Catalogue key ``employee_turnover_rate`` (series); retention = 1 - turnover (the
    catalogue's definition; negative if more people left than the average headcount).
    Headcount on a day counts employees hired on or before it (a blank hire_date means
    "always there") whose leave_date is blank or on or after it. Leavers have their
    leave_date in the period; hires their hire_date. Indexed by period start (DatetimeIndex
    named ``period``) from ``start`` (else the first hire or leave date) to ``end`` (else
    the last); columns ``headcount_start``, ``headcount_end``, ``hires``, ``leavers`` (int),
    ``average_headcount``, ``turnover_rate``, ``retention_rate`` (float; rates NaN when the
    average headcount is 0). Catalogue KPI ``employee_turnover_rate``.
    """
    check_period(period)
    hired, left = _staff_dates(employees, "employee turnover")
    dates = pd.concat([hired, left]).dropna()
    if dates.empty and (start is None or end is None):
        raise InsufficientDataError(
            "employee turnover needs hire or leave dates; found none. Map hire_date and "
            f"leave_date {_DATA_PAGE}, or choose a date range."
        )
    first = _day(start) or dates.min()
    last = _day(end) or dates.max()
    index = pd.DatetimeIndex(period_range(first, last, period).to_numpy(), name="period")
    rows = []
    for s in index:
        e = next_period_start(s, period) - pd.Timedelta(days=1)
        rows.append(
            (
                _headcount(hired, left, s),
                _headcount(hired, left, e),
                int(((hired >= s) & (hired <= e)).sum()),
                int(((left >= s) & (left <= e)).sum()),
            )
        )
    cols = ["headcount_start", "headcount_end", "hires", "leavers"]
    result = pd.DataFrame(rows, index=index, columns=cols, dtype="int64")
    average = (result["headcount_start"] + result["headcount_end"]) / 2.0
    result["average_headcount"] = average.astype("float64")
    result["turnover_rate"] = (result["leavers"] / average.where(average > 0)).astype("float64")
    result["retention_rate"] = 1.0 - result["turnover_rate"]
    return result


def employee_turnover_rate(
    employees: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> float:
    """Turnover rate = leavers from start to end / ((headcount on start + on end) / 2).

    Without ``end``, the last hire or leave date; without ``start``, the twelve months
    ending on ``end`` (annual turnover, the usual figure). Retention = 1 - this.
    Raises InsufficientDataError when the average headcount is 0.

    >>> staff = pd.DataFrame({"employee": ["A", "B", "C"],
    ...     "hire_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2025-01-20"]),
    ...     "leave_date": pd.to_datetime([None, "2025-01-15", None])})
    >>> january = {"start": pd.Timestamp("2025-01-01"), "end": pd.Timestamp("2025-01-31")}
    >>> employee_turnover_rate(staff, **january)  # 1 leaver / ((2 + 2) / 2)
    0.5
    """
    hired, left = _staff_dates(employees, "employee turnover rate")
    if end is None:
        dates = pd.concat([hired, left]).dropna()
        if dates.empty:
            raise InsufficientDataError(
                "employee turnover rate needs hire or leave dates; found none. Map hire_date "
                f"and leave_date {_DATA_PAGE}."
            )
        hi = dates.max()
    else:
        hi = pd.Timestamp(end).normalize()
    lo = _day(start) or (hi - pd.DateOffset(years=1) + pd.Timedelta(days=1))
    average = (_headcount(hired, left, lo) + _headcount(hired, left, hi)) / 2.0
    if average == 0:
        raise InsufficientDataError(
            f"employee turnover rate needs employees on {lo:%Y-%m-%d} or {hi:%Y-%m-%d}; the "
            f"headcount is 0 on both. Choose another date range or check hire_date {_DATA_PAGE}."
        )
    leavers = int(((left >= lo) & (left <= hi)).sum())
    return leavers / average


# --------------------------------------------------------------------------------------------
# Engagement from touches, and efforts against results per manager


def _touches_in(touches: pd.DataFrame, start, end, what: str) -> pd.DataFrame:
    _need(touches, "touches", what, "date")
    dates = pd.to_datetime(touches["date"])
    return touches[in_days(dates, start, end).to_numpy(dtype=bool)]


def _directions(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Whether each touch is inbound, and whether outbound (neither without a direction)."""
    if "direction" in rows.columns:
        return touch_directions(rows["direction"])
    none = np.zeros(len(rows), dtype=bool)
    return none, none


def engagement_by_customer(
    touches: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per customer: touches, inbound, outbound (int) and minutes spent (duration_min summed).

    Indexed by customer_id (sorted; touches without a customer are left out). Direction
    reads inbound/incoming and outbound/outgoing (and their translations); a touch with
    another or no direction counts in ``touches`` only. ``minutes`` is NaN without a
    duration_min column or when all the customer's durations are blank.
    """
    what = "customer engagement"
    _need(touches, "touches", what, "date", "customer_id")
    rows = _touches_in(touches, start, end, what)
    rows = rows[rows["customer_id"].notna().to_numpy(dtype=bool)]
    keys = rows["customer_id"].astype("str").to_numpy()
    frame = pd.DataFrame({"touches": np.ones(len(rows), dtype="int64")}, index=rows.index)
    inbound, outbound = _directions(rows)
    frame["inbound"] = inbound.astype("int64")
    frame["outbound"] = outbound.astype("int64")
    table = frame.groupby(keys, sort=True).sum().astype("int64")
    if "duration_min" in rows.columns:
        minutes = pd.to_numeric(rows["duration_min"], errors="coerce").astype("float64")
        table["minutes"] = minutes.groupby(keys, sort=True).sum(min_count=1)
    else:
        table["minutes"] = np.nan
    table.index = pd.Index(table.index, dtype="str", name="customer_id")
    return table


def touches_without_customer(
    touches: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> dict[str, int]:
    """The touches in range that name no customer (with leads, before they buy): how many,
    and how many of them inbound and outbound. Customer engagement leaves them out; a page
    that shows it says so, so that 0 % inbound with customers is not read as no inbound
    touches at all.

    >>> t = pd.DataFrame({"date": pd.to_datetime(["2025-01-02"] * 4),
    ...                   "customer_id": ["C1", None, None, None],
    ...                   "direction": ["outbound", "Inbound", "inbound", "outbound"]})
    >>> touches_without_customer(t)
    {'touches': 3, 'inbound': 2, 'outbound': 1}
    """
    what = "touches without a customer"
    _need(touches, "touches", what, "date")
    rows = _touches_in(touches, start, end, what)
    if "customer_id" in rows.columns:
        rows = rows[rows["customer_id"].isna().to_numpy(dtype=bool)]
    inbound, outbound = _directions(rows)
    return {"touches": len(rows), "inbound": int(inbound.sum()), "outbound": int(outbound.sum())}


def touches_per_customer(
    touches: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> float:
    """Touches per customer = touches with a customer / distinct customers touched (in range).

    >>> touches_per_customer(pd.DataFrame({"date": pd.to_datetime(["2025-01-02"] * 3),
    ...                                    "customer_id": ["C1", "C1", "C2"]}))
    1.5
    """
    table = engagement_by_customer(touches, start=start, end=end)
    if table.empty:
        raise InsufficientDataError(
            "touches per customer needs touches with a customer_id in the date range; found "
            f"none. Widen the date range or map the customer column {_DATA_PAGE}."
        )
    return float(table["touches"].sum() / len(table))


def engagement_minutes_per_customer(
    touches: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> float:
    """Engagement minutes per customer = touch minutes / distinct customers touched (in range).

    Minutes are duration_min summed over the touches of known customers; a touch with a
    blank duration (an ad click, an e-mail nobody timed) adds 0 minutes but its customer is
    still counted as touched. Raises SchemaError without a duration_min column,
    InsufficientDataError when no touch in the range has a customer and a duration.

    >>> engagement_minutes_per_customer(pd.DataFrame({
    ...     "date": pd.to_datetime(["2025-01-02"] * 3), "customer_id": ["C1", "C1", "C2"],
    ...     "duration_min": [30, 10, None]}))
    20.0
    """
    what = "engagement minutes per customer"
    _need(touches, "touches", what, "date", "customer_id", "duration_min")
    table = engagement_by_customer(touches, start=start, end=end)
    if table.empty or table["minutes"].isna().all():
        raise InsufficientDataError(
            f"{what} needs touches with a customer_id and a duration_min in the date range; "
            f"found none. Widen the date range or map the duration column {_DATA_PAGE}."
        )
    return float(table["minutes"].sum() / len(table))


def _kind(values: pd.Series, needles: tuple[str, ...]) -> np.ndarray:
    text = _text(values).fillna("")
    found = np.zeros(len(values), dtype=bool)
    for needle in needles:
        found |= text.str.contains(needle, regex=False).to_numpy(dtype=bool)
    return found


def efforts_vs_results(
    touches: pd.DataFrame,
    leads: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Per manager: efforts (calls, meetings) against results (conversions of their leads).

    Managers are touches.employee and leads.owner. Indexed by manager (named ``manager``,
    sorted); columns ``calls`` (touch_type containing call or phone), ``meetings``
    (meeting or visit: face to face), ``touches`` (every touch), ``leads`` (created in
    range), ``converted`` (of those leads, converted: a converted_date, or without that
    column a customer_id), all int; ``conversion_rate`` = converted / leads and
    ``touches_per_conversion`` = touches / converted (float, NaN when the divisor is 0).
    """
    what = "efforts against results"
    _need(touches, "touches", what, "date", "employee")
    _need(leads, "leads", what, "created_date", "owner")
    rows = _touches_in(touches, start, end, what)
    rows = rows[rows["employee"].notna().to_numpy(dtype=bool)]
    kind = rows["touch_type"] if "touch_type" in rows.columns else pd.Series("", index=rows.index)
    efforts = (
        pd.DataFrame(
            {
                "calls": _kind(kind, ("call", "phone", "звон", "telefon")).astype("int64"),
                "meetings": _kind(kind, ("meet", "visit", "встреч", "spotkan", "termin")).astype(
                    "int64"
                ),
                "touches": np.ones(len(rows), dtype="int64"),
            },
            index=rows.index,
        )
        .groupby(rows["employee"].astype("str").to_numpy())
        .sum()
    )

    created = pd.to_datetime(leads["created_date"])
    owned = leads[(in_days(created, start, end) & leads["owner"].notna()).to_numpy(bool)]
    if "converted_date" in owned.columns:
        won = owned["converted_date"].notna()
    elif "customer_id" in owned.columns:
        won = owned["customer_id"].notna()
    else:
        raise SchemaError(
            f"{what} needs a converted_date (or customer_id) column in the leads table to "
            f"see which leads became customers; map it {_DATA_PAGE}."
        )
    results = (
        pd.DataFrame(
            {"leads": np.ones(len(owned), dtype="int64"), "converted": won.to_numpy(dtype="int64")},
            index=owned.index,
        )
        .groupby(owned["owner"].astype("str").to_numpy())
        .sum()
    )

    managers = pd.Index(sorted(set(efforts.index) | set(results.index)), dtype="str")
    table = pd.concat(
        [efforts.reindex(managers, fill_value=0), results.reindex(managers, fill_value=0)],
        axis=1,
    ).astype("int64")
    table.index.name = "manager"
    leads_n = table["leads"].where(table["leads"] > 0)
    won_n = table["converted"].where(table["converted"] > 0)
    table["conversion_rate"] = (table["converted"] / leads_n).astype("float64")
    table["touches_per_conversion"] = (table["touches"] / won_n).astype("float64")
    return table


# --------------------------------------------------------------------------------------------
# Section for the command line and the app

_KEYS = (
    "tickets_per_agent_day",
    "employee_turnover_rate",
    "touches_per_customer",
    "engagement_minutes_per_customer",
)


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: Period = "month",
) -> Section:
    """Team KPIs the tables support (see kpi.report).

    Keys ``tickets_per_agent_day`` (tickets with agent and resolved_at; employees for
    hire and leave dates when present), ``employee_turnover_rate`` (:func:
    `employee_turnover_rate`: over the range, or the last twelve months) and
    ``touches_per_customer``, ``engagement_minutes_per_customer`` (touch minutes / customers
    touched). Series by period label: ``employee_turnover_rate`` and
    ``touches_per_customer``.
    """
    check_period(period)
    result = Section(kpis=dict.fromkeys(_KEYS))
    tickets = tables.get("tickets")
    employees = tables.get("employees")
    touches = tables.get("touches")

    if tickets is None or not {"created_at", "agent", "resolved_at"} <= set(tickets.columns):
        result.warnings.append(
            "tickets_per_agent_day needs a tickets table with columns created_at, "
            f"resolved_at and agent; upload your help desk export {_DATA_PAGE}."
        )
    else:
        try:
            result.kpis["tickets_per_agent_day"] = tickets_per_agent_day(
                tickets, employees, start=start, end=end
            )
        except KpiError as err:
            result.warnings.append(str(err))

    if employees is None or "leave_date" not in employees.columns:
        result.warnings.append(
            "employee_turnover_rate needs an employees table with columns employee, hire_date "
            f"and leave_date; upload your staff list {_DATA_PAGE}."
        )
    else:
        try:
            result.kpis["employee_turnover_rate"] = employee_turnover_rate(
                employees, start=start, end=end
            )
            series = employee_turnover(employees, period=period, start=start, end=end)
            result.series["employee_turnover_rate"] = labelled(series["turnover_rate"], period)
        except KpiError as err:
            result.warnings.append(str(err))

    if touches is None or "customer_id" not in touches.columns:
        result.warnings.append(
            "touches_per_customer needs a touches table with columns date and customer_id; "
            f"upload your calls, e-mails and meetings {_DATA_PAGE}."
        )
    else:
        try:
            result.kpis["touches_per_customer"] = touches_per_customer(
                touches, start=start, end=end
            )
            rows = _touches_in(touches, start, end, "touches per customer")
            rows = rows[rows["customer_id"].notna().to_numpy(dtype=bool)]
            starts = period_start(pd.to_datetime(rows["date"]), period)
            grouped = rows["customer_id"].groupby(starts.to_numpy())
            per = grouped.size() / grouped.nunique()
            first = _day(start) or starts.min()
            last = _day(end) or starts.max()
            index = pd.DatetimeIndex(period_range(first, last, period).to_numpy())
            result.series["touches_per_customer"] = labelled(per.reindex(index), period)
        except KpiError as err:
            result.warnings.append(str(err))
        if "duration_min" not in touches.columns:
            result.warnings.append(
                "engagement_minutes_per_customer needs a duration_min column in the touches "
                f"table (minutes of each call or meeting); map it {_DATA_PAGE}."
            )
        else:
            try:
                result.kpis["engagement_minutes_per_customer"] = engagement_minutes_per_customer(
                    touches, start=start, end=end
                )
            except KpiError as err:
                result.warnings.append(str(err))

    result.kpis = plain(result.kpis)
    return result
