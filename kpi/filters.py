"""Global filters: which attribute values to keep, applied to every table that can take them.

The date range is not applied here: KPI functions take ``start`` and ``end`` themselves,
because many need the history before the range (a customer's first ever order).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kpi.errors import InsufficientDataError
from kpi.reduce import Reductions, reductions_for
from kpi.satisfaction import survey_kind

ATTRIBUTES = ("channel", "segment", "region")
ATTRIBUTE_LABELS = {"channel": "Channel", "segment": "Segment", "region": "Region"}


def attribute_values(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[str]]:
    """The distinct values of each filter attribute across all tables, sorted.

    >>> attribute_values({"orders": pd.DataFrame({"channel": ["Web", "Ads", None]})})
    {'channel': ['Ads', 'Web']}
    """
    found: dict[str, set[str]] = {}
    for frame in tables.values():
        for attr in ATTRIBUTES:
            if attr in frame.columns:
                found.setdefault(attr, set()).update(frame[attr].dropna().astype(str).unique())
    return {a: sorted(found[a]) for a in ATTRIBUTES if found.get(a)}


def apply_filters(
    tables: Mapping[str, pd.DataFrame], selected: Mapping[str, Sequence[str]]
) -> dict[str, pd.DataFrame]:
    """Keep the rows whose attributes are among the selected values (empty = everything).

    A table with the attribute is filtered on its own column; a table without it but with a
    ``customer_id`` on most rows is filtered by the customers who have a selected value (in
    the customers table, or in their orders), so that choosing the "Ads" channel also narrows
    tickets and surveys to customers acquired through ads. Tables with neither are left
    whole, and so are tables whose rows mostly have no customer yet (leads and touches before
    a sale): keeping only their rows with a customer would leave only converted leads, and
    a conversion rate of 100 %.

    A table that cannot take an active filter comes back as a shallow copy whose
    ``attrs[NOT_SPLIT]`` names those attributes (see :func:`not_split_by`), so that a KPI
    dividing it by a filtered table can refuse (:func:`check_same_split`) and a card can say
    "leads are not split by channel".
    """
    active = {a: set(v) for a, v in selected.items() if v}
    if not active or not tables:
        return dict(tables)
    # The same selection on the same tables gives the very same frames while the tables live
    # (kept with the first table's reductions), so the reductions of the filtered tables
    # (customer codes, acquisition dates) are found again on the next widget move; each kept
    # table's reductions take their customer codes from the table it was cut from.
    names = sorted(tables)
    choice = json.dumps({a: sorted(map(str, v)) for a, v in sorted(active.items())})
    kept = reductions_for(tables[names[0]]).cached(
        f"filtered {names} {choice}",
        lambda: _filtered(tables, active),
        [tables[n] for n in names[1:]],
    )
    return dict(kept)


def _filtered(
    tables: Mapping[str, pd.DataFrame], active: Mapping[str, set[str]]
) -> dict[str, pd.DataFrame]:
    keep_customers: dict[str, set[str]] = {}
    for attr, values in active.items():
        source = None
        for name in ("customers", "orders"):
            frame = tables.get(name)
            if frame is not None and attr in frame.columns and "customer_id" in frame.columns:
                source = frame
                break
        if source is not None:
            keep_customers[attr] = set(source.loc[source[attr].isin(values), "customer_id"])
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        mask = pd.Series(True, index=frame.index)
        unsplit = []
        for attr, values in active.items():
            if attr in frame.columns:
                mask &= frame[attr].isin(values)
            elif attr in keep_customers and _mostly_customers(frame):
                mask &= frame["customer_id"].isin(keep_customers[attr])
            else:
                unsplit.append(attr)
        staff = _employee_answers(frame) if name == "surveys" else None
        if staff is not None and staff.any():
            # Employees' answers (eNPS) belong to no customer, channel, segment or region:
            # kept whole, and marked so that the eNPS card can say it covers the whole team.
            mask |= staff
        if mask.all():
            kept = frame.copy(deep=False) if unsplit or staff is not None else frame
        else:
            rows = np.flatnonzero(mask.to_numpy())
            kept = frame.iloc[rows]
            Reductions.of_subset(kept, frame, rows)
        if unsplit:
            kept.attrs = {**frame.attrs, NOT_SPLIT: ",".join(unsplit)}
        if staff is not None and staff.any():
            kept.attrs = {**kept.attrs, STAFF_NOT_SPLIT: ",".join(active)}
        out[name] = kept
    return out


STAFF_NOT_SPLIT = "employee_answers_not_split_by"
"""Key of the surveys' ``attrs``: the active filters its employee answers were kept whole for."""


def _employee_answers(surveys: pd.DataFrame) -> pd.Series | None:
    """True for the rows of an employee survey (eNPS): survey_type reads enps or employee."""
    if "survey_type" not in surveys.columns:
        return None
    raw = surveys["survey_type"]
    kinds = {v: survey_kind(v) == "enps" for v in raw.dropna().unique()}
    return raw.map(kinds).fillna(False).astype(bool)


class FilterSplitError(InsufficientDataError):
    """A KPI's numerator and denominator would not go through the same filter."""


NOT_SPLIT = "not_split_by"
"""Key of ``DataFrame.attrs`` naming (comma-separated) the active filters a table could not
take: it has no such column and too few rows with a customer to follow the customers'."""


def not_split_by(frame: pd.DataFrame | None) -> tuple[str, ...]:
    """The active filter attributes ``frame`` was left whole for (see :func:`apply_filters`).

    >>> t = {"customers": pd.DataFrame({"customer_id": ["a"], "channel": ["Ads"]}),
    ...      "leads": pd.DataFrame({"lead_id": ["l1"]})}
    >>> not_split_by(apply_filters(t, {"channel": ["Ads"]})["leads"])
    ('channel',)
    """
    if frame is None:
        return ()
    text = frame.attrs.get(NOT_SPLIT, "")
    return tuple(a for a in str(text).split(",") if a)


def scope_note(**frames: pd.DataFrame | None) -> str | None:
    """What a card built on ``frames`` must say when an active filter reached none of them.

    None when every active filter reached them (or reached some: then the KPI refuses, see
    :func:`check_same_split`). Frames given as None are ignored.

    >>> leads = pd.DataFrame({"lead_id": ["l1"]})
    >>> leads.attrs[NOT_SPLIT] = "channel"
    >>> scope_note(leads=leads)
    'Leads are not split by channel: this card covers every channel.'
    """
    present = {name: not_split_by(f) for name, f in frames.items() if f is not None}
    if not present:
        return None
    common = [a for a in next(iter(present.values())) if all(a in v for v in present.values())]
    if not common:
        return None
    names = " and ".join(present)
    words = " or ".join(ATTRIBUTE_LABELS.get(a, a).lower() for a in common)
    verb = "is" if len(present) == 1 and not names.endswith("s") else "are"
    return f"{names.capitalize()} {verb} not split by {words}: this card covers every {words}."


def check_same_split(kpi: str, **frames: pd.DataFrame | None) -> None:
    """Raise InsufficientDataError when the filter reached some of ``frames`` and not others.

    A rate whose numerator follows the Channel filter while its denominator covers every
    channel (referral leads of all channels / active customers of one) means nothing; it is
    left unknown, with the reason. Frames given as None are ignored.

    >>> leads = pd.DataFrame({"lead_id": ["l1"]})
    >>> leads.attrs[NOT_SPLIT] = "channel"
    >>> check_same_split("cpl", spend=pd.DataFrame(), leads=leads)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi.filters.FilterSplitError: cpl cannot follow the Channel filter: leads are not ...
    """
    present = {name: not_split_by(f) for name, f in frames.items() if f is not None}
    for attr in dict.fromkeys(a for attrs in present.values() for a in attrs):
        whole = [name for name, attrs in present.items() if attr in attrs]
        if len(whole) < len(present):
            label = ATTRIBUTE_LABELS.get(attr, attr)
            names = " and ".join(whole)
            verb = "is" if len(whole) == 1 and not names.endswith("s") else "are"
            raise FilterSplitError(
                f"{kpi} cannot follow the {label} filter: {names} {verb} not split by "
                f"{attr}, so its two sides would cover different customers. Clear the "
                f"{label} filter to see it."
            )


def _mostly_customers(frame: pd.DataFrame) -> bool:
    """True when at least 90 % of the rows name a customer."""
    return "customer_id" in frame.columns and frame["customer_id"].notna().mean() >= 0.9


DATE_COLUMNS = {
    "orders": "order_date",
    "customers": "signup_date",
    "leads": "created_date",
    "spend": "date",
    "surveys": "date",
    "tickets": "created_at",
    "touches": "date",
    "cashflow": "period",
}


def data_range(tables: Mapping[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day over every dated table (orders, spend, cash flow, surveys...).

    The default date filter spans all of them: monthly spend and cash flow are often dated
    the 1st, before the month's first order, and must not fall outside the default range.
    """
    lows, highs = [], []
    for name, col in DATE_COLUMNS.items():
        frame = tables.get(name)
        if frame is not None and col in frame.columns and frame[col].notna().any():
            dates = pd.to_datetime(frame[col])
            lows.append(dates.min().normalize())
            highs.append(dates.max().normalize())
    return (min(lows), max(highs)) if lows else None
