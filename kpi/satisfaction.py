"""Satisfaction and loyalty: NPS, CSAT, eNPS, comment themes, and NPS beside revenue.

The "Satisfaction and loyalty" section of KPI_CATALOGUE.md, over the canonical surveys table
of DESIGN.md, one row per answer::

    date        score  survey_type  scale_max  customer_id  comment             agent  ...
    2025-01-03  9      nps                     C-17         Fast and friendly   Ana
    2025-01-04  4      csat         5          C-02         Late again          Ivo

Which rows a function reads
---------------------------
``survey_type`` is read loosely (``NPS``, ``eNPS``, ``Net Promoter Score``, ``CSAT``,
``satisfaction``, ``CES``, ``effort``; see :func:`survey_kind`). NPS functions read rows of
type nps, CSAT functions rows of type csat, :func:`employee_net_promoter_score` rows of type
enps; CES and unrecognised types are read by none of them. Rows without a type (no
survey_type column, or a blank cell) are read by the NPS and CSAT functions as answers of the
kind they measure: calling :func:`net_promoter_score` says "these are NPS answers", and their
scores are checked. eNPS needs the explicit type.

The type of an answer is never guessed from its scores: 40 NPS answers from 0 to 7 look like
a CSAT survey, and a 1-10 CSAT like an NPS one. An answer without survey_type is read as the
type the user gives (``survey_type`` of :func:`survey_kinds`: the ``--survey-type`` flag, the
Satisfaction page, or the Data page's detection from header words and file names); without
one it is ``untyped`` and left out of every KPI, with a warning. Likewise the CSAT scale is
read from scale_max or given by the user, never guessed from the highest score seen.

Scores are checked on the whole history of their kind, not only inside the date window, so a
window never hides a bad score. Blank scores are ignored everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi.errors import InsufficientDataError, KpiError, SchemaError
from kpi.periods import (
    Period,
    check_period,
    in_days,
    period_range,
    period_start,
)
from kpi.report import Section, Settings, assumption, labelled, plain
from kpi.text import term_counts, terms

__all__ = [
    "GROUPS",
    "CsatDifference",
    "CsatResult",
    "EmployeeSatisfaction",
    "NpsDifference",
    "NpsResult",
    "RevenueAtRisk",
    "SatisfactionChange",
    "comment_themes",
    "csat",
    "csat_by",
    "csat_change",
    "csat_difference",
    "csat_scale",
    "csat_series",
    "employee_net_promoter_score",
    "employee_satisfaction_mean",
    "latest_nps_group",
    "net_promoter_score",
    "nps_band",
    "nps_by",
    "nps_change",
    "nps_difference",
    "nps_from_counts",
    "nps_group",
    "nps_group_outcomes",
    "nps_series",
    "nps_what_if",
    "revenue_at_risk",
    "sample_comments",
    "section",
    "survey_kind",
    "survey_kinds",
]

SCORE = "score"
GROUPS: tuple[str, str, str] = ("promoter", "passive", "detractor")
"""NPS groups: promoters answer 9-10, passives 7-8, detractors 0-6 (Reichheld 2003)."""

Z95 = 1.96
"""Two-sided 95 % normal quantile, rounded as in the catalogue's margin-of-error formula."""

SMALL_SAMPLE = 30
"""Fewer answers than this and a result is flagged ``small_sample``."""

_NPS_COLUMNS = [
    "n",
    "promoters",
    "passives",
    "detractors",
    "promoter_share",
    "passive_share",
    "detractor_share",
    "nps",
    "margin_of_error",
    "low",
    "high",
]
_CSAT_COLUMNS = ["n", "mean", "satisfied", "satisfied_share"]
_CSAT_SCALES = range(3, 11)
_DATA_PAGE = "on the Data page"


# --------------------------------------------------------------------------------------------
# Reading the surveys table


def survey_kind(value: object) -> str | None:
    """Canonical survey type of one survey_type cell: nps, enps, csat, ces, other text or None.

    >>> [survey_kind(v) for v in ["NPS", "e-NPS", "Customer satisfaction", "CES", "", None]]
    ['nps', 'enps', 'csat', 'ces', None, None]
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    s = re.sub(r"[^a-z]", "", str(value).lower())
    if not s:
        return None
    if s.startswith("enps") or "employee" in s:
        return "enps"
    if "nps" in s or "promoter" in s or "recommend" in s:
        return "nps"
    if "csat" in s or "satisf" in s:
        return "csat"
    if s.startswith("ces") or "effort" in s:
        return "ces"
    return s


def _types(surveys: pd.DataFrame) -> pd.Series:
    """Canonical survey type per row (None where blank or no survey_type column)."""
    if "survey_type" not in surveys.columns:
        return pd.Series([None] * len(surveys), index=surveys.index, dtype=object)
    raw = surveys["survey_type"]
    mapping = {v: survey_kind(v) for v in raw.dropna().unique()}
    return raw.map(mapping).astype(object).where(raw.notna(), None)


def _of_kind(surveys: pd.DataFrame, kind: str, *, untyped: bool = True) -> pd.DataFrame:
    types = _types(surveys)
    mask = types == kind
    if untyped:
        mask |= types.isna()
    return surveys[mask.to_numpy(dtype=bool)]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _examples(values: pd.Series) -> str:
    """'11', '11 and 12', '7.5, 11 and 12', '-1, 7.5, 11 and 2 other values'."""
    distinct = sorted(values.unique().tolist(), key=lambda v: (str(type(v)), v))
    shown = [_fmt(v) if isinstance(v, int | float) else repr(v) for v in distinct[:3]]
    if len(distinct) > 3:
        return f"{', '.join(shown)} and {len(distinct) - 3} other values"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _rows(k: int) -> str:
    return f"{k} row" if k == 1 else f"{k} rows"


def _scores(frame: pd.DataFrame, col: str, what: str) -> pd.Series:
    """The score column as float64 (NaN where blank); SchemaError on missing or text scores."""
    if col not in frame.columns:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise SchemaError(
            f"{what} needs a {col} column in the surveys table; found columns: {found}. "
            f"Map the column holding the answers' scores {_DATA_PAGE}."
        )
    raw = frame[col]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        return pd.Series(values, index=frame.index, name=col)
    coerced = pd.to_numeric(raw, errors="coerce")
    text = raw.astype(object).where(raw.notna(), "").astype(str).str.strip()
    bad = coerced.isna() & (text != "")
    if bad.any():
        raise SchemaError(
            f"{what} needs numeric scores; found {_examples(text[bad])} in "
            f"{_rows(int(bad.sum()))}. Check which column is mapped to score {_DATA_PAGE}."
        )
    values = coerced.to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(values, index=frame.index, name=col)


def _dates(frame: pd.DataFrame, what: str, col: str = "date", table: str = "surveys") -> pd.Series:
    if col not in frame.columns:
        raise SchemaError(
            f"{what} needs a {col} column in the {table} table to place answers in time; "
            f"map it {_DATA_PAGE}."
        )
    values = frame[col]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:
        return pd.to_datetime(values)
    except (ValueError, TypeError) as err:
        raise SchemaError(
            f"{what} needs dates in the {table} {col} column; {err}. Check its mapping "
            f"{_DATA_PAGE}."
        ) from err


def _in_range(
    frame: pd.DataFrame,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    what: str,
    *,
    col: str = "date",
    table: str = "surveys",
) -> pd.DataFrame:
    if start is None and end is None:
        return frame
    dates = _dates(frame, what, col, table)
    return frame[in_days(dates, start, end).to_numpy(dtype=bool)]


def _range_text(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    if start is None and end is None:
        return ""
    a = "the beginning" if start is None else pd.Timestamp(start).strftime("%Y-%m-%d")
    b = "the end" if end is None else pd.Timestamp(end).strftime("%Y-%m-%d")
    return f" between {a} and {b}"


UNTYPED = "untyped"
"""The kind of an answer without survey_type when the user has not said what it is."""


def survey_kinds(surveys: pd.DataFrame, *, survey_type: str | None = None) -> pd.Series:
    """Kind of every answer: its survey_type; for untyped answers ``survey_type``, else
    ``untyped``.

    Untyped answers (no survey_type column, or a blank cell) are never typed from their
    scores (see the module notes). Returns a Series of str (nps, csat, ces, enps, untyped or
    the unrecognised type text) aligned with ``surveys``.

    >>> survey_kinds(pd.DataFrame({"score": [10.0, 3.0]})).tolist()
    ['untyped', 'untyped']
    >>> survey_kinds(pd.DataFrame({"score": [5.0, 3.0]}), survey_type="CSAT").tolist()
    ['csat', 'csat']
    """
    types = _types(surveys)
    untyped = types.isna()
    if untyped.any():
        given = survey_kind(survey_type) if survey_type is not None else None
        types = types.copy()
        types[untyped] = given or UNTYPED
    return types.astype("str")


# --------------------------------------------------------------------------------------------
# NPS


@dataclass(frozen=True)
class NpsResult:
    """Net Promoter Score with its parts and its 95 % margin of error (points, -100..100).

    ``low`` and ``high`` are ``score`` -+ ``margin_of_error``, clipped to [-100, 100].
    """

    score: float
    promoters: int
    passives: int
    detractors: int
    n: int
    promoter_share: float
    passive_share: float
    detractor_share: float
    band: str
    margin_of_error: float
    low: float
    high: float
    small_sample: bool

    @property
    def variance(self) -> float:
        """Variance of one answer scored +1 / 0 / -1: p_pro + p_det - (p_pro - p_det)^2."""
        return _variance(self.promoter_share, self.detractor_share)


def _variance(p_pro: float | np.ndarray, p_det: float | np.ndarray) -> float | np.ndarray:
    # Floating error can push an exact zero (all one group) slightly below it.
    return np.maximum(p_pro + p_det - (p_pro - p_det) ** 2, 0.0)


def _nps_columns(counts: pd.DataFrame) -> pd.DataFrame:
    """From promoters/passives/detractors counts, every column of :data:`_NPS_COLUMNS`."""
    pro = counts["promoters"].to_numpy(dtype="int64")
    pas = counts["passives"].to_numpy(dtype="int64")
    det = counts["detractors"].to_numpy(dtype="int64")
    n = pro + pas + det
    with np.errstate(divide="ignore", invalid="ignore"):
        nf = np.where(n > 0, n, np.nan).astype("float64")
        p_pro, p_pas, p_det = pro / nf, pas / nf, det / nf
        score = 100.0 * (pro - det) / nf
        moe = Z95 * np.sqrt(_variance(p_pro, p_det) / nf) * 100.0
    return pd.DataFrame(
        {
            "n": n.astype("int64"),
            "promoters": pro,
            "passives": pas,
            "detractors": det,
            "promoter_share": p_pro,
            "passive_share": p_pas,
            "detractor_share": p_det,
            "nps": score,
            "margin_of_error": moe,
            "low": np.clip(score - moe, -100.0, 100.0),
            "high": np.clip(score + moe, -100.0, 100.0),
        },
        index=counts.index,
    )


def nps_from_counts(promoters: int, passives: int, detractors: int) -> NpsResult:
    """NPS = 100 x (promoters - detractors) / (promoters + passives + detractors).

    Margin of error (95 %): NPS is the mean of answers scored +1, 0, -1, a trinomial with
    variance var = p_pro + p_det - (p_pro - p_det)^2 per answer, so the margin is
    1.96 x sqrt(var / n) x 100 points (a Wald interval, clipped to [-100, 100]). Adapted from
    whuber's answer to "How can I calculate margin of error in a NPS (Net Promoter Score)
    result?" (Cross Validated) and Allan Engelhardt, "NPS confidence intervals: the stats"
    (2016), http://www.cybaea.net/Journal/2016/01/14/NPS-confidence-intervals-stats/.

    >>> r = nps_from_counts(130, 30, 40)
    >>> r.score, r.band, round(r.margin_of_error, 1)
    (45.0, 'good', 11.2)
    """
    if min(promoters, passives, detractors) < 0:
        raise ValueError("promoter, passive and detractor counts cannot be negative")
    if promoters + passives + detractors == 0:
        raise InsufficientDataError("nps needs at least one answer; found none.")
    counts = pd.DataFrame(
        {"promoters": [promoters], "passives": [passives], "detractors": [detractors]}
    )
    row = _nps_columns(counts).iloc[0]
    n = int(row["n"])
    return NpsResult(
        score=float(row["nps"]),
        promoters=int(promoters),
        passives=int(passives),
        detractors=int(detractors),
        n=n,
        promoter_share=float(row["promoter_share"]),
        passive_share=float(row["passive_share"]),
        detractor_share=float(row["detractor_share"]),
        band=nps_band(float(row["nps"])),
        margin_of_error=float(row["margin_of_error"]),
        low=float(row["low"]),
        high=float(row["high"]),
        small_sample=n < SMALL_SAMPLE,
    )


def nps_band(score: float) -> str:
    """Verbal band of an NPS: poor < 0 <= problems < 30 <= good <= 50 < excellent.

    The catalogue's bands ("under 0 poor; 0-30 problems with loyalty; 30-50 good; over 50
    excellent") with their edges made exact: 0 is "problems", 30 and 50 are "good".

    >>> [nps_band(s) for s in (-0.1, 0, 29.9, 30, 50, 50.1)]
    ['poor', 'problems', 'problems', 'good', 'good', 'excellent']
    """
    if score is None or math.isnan(score):
        raise ValueError("nps_band needs a number; got NaN")
    if score < 0:
        return "poor"
    if score < 30:
        return "problems"
    if score <= 50:
        return "good"
    return "excellent"


def _nps_groups(scores: pd.Series, what: str) -> pd.Series:
    """Group of every non-blank score; SchemaError unless whole numbers from 0 to 10."""
    s = scores.dropna()
    bad = (s < 0) | (s > 10) | (s != np.round(s))
    if bad.any():
        raise SchemaError(
            f"{what} needs scores from 0 to 10; found {_examples(s[bad])} in "
            f"{_rows(int(bad.sum()))}. {what.upper()} answers are whole numbers from 0 to 10: "
            f"check the score column's scale {_DATA_PAGE}, or set survey_type to csat for "
            f"answers on another scale."
        )
    groups = np.where(s >= 9, "promoter", np.where(s >= 7, "passive", "detractor"))
    return pd.Series(groups, index=s.index, dtype="str", name="group")


def nps_group(scores: pd.Series) -> pd.Series:
    """NPS group of each 0-10 score: promoter (9-10), passive (7-8), detractor (0-6).

    Blank scores are dropped; a score outside 0-10 or not whole raises SchemaError.

    >>> nps_group(pd.Series([10, 7, 6, None])).tolist()
    ['promoter', 'passive', 'detractor']
    """
    return _nps_groups(_scores(scores.to_frame(SCORE), SCORE, "nps"), "nps")


def _nps_answers(
    surveys: pd.DataFrame,
    *,
    kind: str = "nps",
    score_col: str = SCORE,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Answered NPS rows in range, with a ``group`` column; checks the whole history first."""
    rows = _of_kind(surveys, kind, untyped=kind == "nps")
    scores = _scores(rows, score_col, kind)
    groups = _nps_groups(scores, kind)
    answered = rows.loc[groups.index].assign(group=groups)
    answered = _in_range(answered, start, end, kind)
    if answered.empty:
        if rows.empty and "survey_type" in surveys.columns:
            found = sorted({str(t) for t in _types(surveys).dropna()}) or ["blank"]
            raise InsufficientDataError(
                f"{kind} needs survey answers of type {kind}; found types: {', '.join(found)}. "
                f"Check the survey_type column {_DATA_PAGE}."
            )
        raise InsufficientDataError(
            f"{kind} needs at least one answer with a score from 0 to 10; found none"
            f"{_range_text(start, end)}. Widen the date range or upload survey answers "
            f"{_DATA_PAGE}."
        )
    return answered


def _counts(groups: pd.Series, keys: pd.Series | None = None) -> pd.DataFrame:
    """Promoter/passive/detractor counts, overall (one row) or per key."""
    if keys is None:
        keys = pd.Series(0, index=groups.index)
    if groups.empty:
        empty = pd.Series([], dtype="int64", index=keys.iloc[0:0].to_numpy())
        return pd.DataFrame({"promoters": empty, "passives": empty, "detractors": empty})
    table = pd.crosstab(keys, groups)
    table = table.reindex(columns=list(GROUPS), fill_value=0)
    table.columns = ["promoters", "passives", "detractors"]
    return table.astype("int64")


def net_promoter_score(
    surveys: pd.DataFrame,
    *,
    score_col: str = SCORE,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> NpsResult:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6).

        NPS = 100 * (promoters - detractors) / responses

    Source: Reichheld, "The One Number You Need to Grow", HBR, 2003; catalogue key ``nps``,
    with ``nps_band`` and ``nps_margin_of_error`` (see :func:`nps_from_counts`). Reads rows
    of survey_type nps and untyped rows (module docstring), answers dated from ``start`` to
    ``end`` (inclusive days). Blank scores are ignored. Raises SchemaError if a score is
    outside 0-10 or not whole, InsufficientDataError if no score is left.

    >>> net_promoter_score(pd.DataFrame({"score": [10, 9, 8, 3]})).score
    25.0
    """
    answered = _nps_answers(surveys, score_col=score_col, start=start, end=end)
    c = _counts(answered["group"]).iloc[0]
    return nps_from_counts(int(c["promoters"]), int(c["passives"]), int(c["detractors"]))


def employee_net_promoter_score(
    surveys: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> NpsResult:
    """eNPS: % promoters (9-10) minus % detractors (0-6) among answers of survey_type enps.

    Catalogue key ``enps``, variant "eNPS" (not the mean score of an internal survey). The
    same arithmetic as :func:`net_promoter_score`; untyped answers are never read as eNPS.

    >>> employee_net_promoter_score(
    ...     pd.DataFrame({"score": [10, 2, 9], "survey_type": ["enps", "enps", "nps"]})
    ... ).score
    0.0
    """
    if "survey_type" not in surveys.columns:
        raise SchemaError(
            "enps needs survey answers marked survey_type enps; the surveys table has no "
            f"survey_type column. Add one and map it {_DATA_PAGE}."
        )
    answered = _nps_answers(surveys, kind="enps", start=start, end=end)
    c = _counts(answered["group"]).iloc[0]
    return nps_from_counts(int(c["promoters"]), int(c["passives"]), int(c["detractors"]))


@dataclass(frozen=True)
class NpsDifference:
    """a.score - b.score with its standard error, z statistic and two-sided p-value.

    ``low`` and ``high`` bound the 95 % interval of the difference (unclipped).
    """

    difference: float
    standard_error: float
    z: float
    p_value: float
    low: float
    high: float


def nps_difference(a: NpsResult | pd.DataFrame, b: NpsResult | pd.DataFrame) -> NpsDifference:
    """Difference of two independent NPS: a - b, SE = sqrt(var_a/n_a + var_b/n_b) x 100.

    z = difference / SE, p = 2 x (1 - Phi(|z|)) (scipy.stats.norm). Two periods or two groups
    of different respondents (not the same panel asked twice). The variances are those of
    :func:`nps_from_counts`, added as for any two independent means. Both
    variances zero (each side all one group): z = +-inf and p = 0 if the scores differ, z = 0
    and p = 1 if not. Surveys tables are accepted and passed to :func:`net_promoter_score`.

    >>> d = nps_difference(nps_from_counts(50, 30, 20), nps_from_counts(40, 30, 30))
    >>> round(d.difference, 1), round(d.standard_error, 2), round(d.p_value, 3)
    (20.0, 11.4, 0.079)
    """
    ra = a if isinstance(a, NpsResult) else net_promoter_score(a)
    rb = b if isinstance(b, NpsResult) else net_promoter_score(b)
    diff = ra.score - rb.score
    se = math.sqrt(ra.variance / ra.n + rb.variance / rb.n) * 100.0
    if se > 0:
        from scipy import stats  # imported here: scipy.stats alone takes ~2 s to load

        z = diff / se
        p = float(2.0 * stats.norm.sf(abs(z)))
    elif diff != 0:
        z, p = math.copysign(math.inf, diff), 0.0
    else:
        z, p = 0.0, 1.0
    return NpsDifference(
        difference=diff,
        standard_error=se,
        z=z,
        p_value=p,
        low=diff - Z95 * se,
        high=diff + Z95 * se,
    )


def _check_by(surveys: pd.DataFrame, by: str, what: str) -> None:
    if by not in surveys.columns:
        found = ", ".join(map(str, surveys.columns))
        raise SchemaError(
            f"{what} by {by} needs a {by} column in the surveys table; found columns: {found}. "
            f"Map it {_DATA_PAGE} or choose another breakdown."
        )


def nps_by(
    surveys: pd.DataFrame,
    by: str,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """NPS per value of the ``by`` column (agent, channel, segment ...), as :func:`nps_from_counts`.

    Returns a frame indexed by the group value (index named ``by``, sorted), columns ``n``,
    ``promoters``, ``passives``, ``detractors`` (int), ``promoter_share``,
    ``passive_share``, ``detractor_share``, ``nps``, ``margin_of_error``, ``low``, ``high``
    (float). Answers with a blank group are left out. No NaN: every group has an answer.

    >>> nps_by(pd.DataFrame({"score": [10, 3, 8], "agent": ["A", "A", "B"]}), "agent")["nps"]
    agent
    A    0.0
    B    0.0
    Name: nps, dtype: float64
    """
    _check_by(surveys, by, "nps")
    answered = _nps_answers(surveys, start=start, end=end)
    keys = answered[by]
    answered = answered[keys.notna().to_numpy(dtype=bool)]
    counts = _counts(answered["group"], answered[by])
    counts = counts.sort_index()
    counts.index.name = by
    return _nps_columns(counts)


def _series_index(
    dates: pd.Series,
    period: Period,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> pd.DatetimeIndex:
    first = pd.Timestamp(start) if start is not None else dates.min()
    last = pd.Timestamp(end) if end is not None else dates.max()
    index = period_range(first, last, period)
    return pd.DatetimeIndex(index.to_numpy(), name="period")


def nps_series(
    surveys: pd.DataFrame,
    *,
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """NPS per period: the columns of :func:`nps_by`, one row per period start.

    Catalogue key ``series.nps``. Indexed by period start (DatetimeIndex named ``period``)
    from the period of ``start`` (else the first answer) to that of ``end`` (else the last).
    A period without answers is a row with zero counts and NaN shares, ``nps``,
    ``margin_of_error``, ``low`` and ``high``. Answers without a date are left out. Compare
    two periods with :func:`nps_difference`.
    """
    check_period(period)
    answered = _nps_answers(surveys, start=start, end=end)
    dates = _dates(answered, "nps series")
    answered = answered[dates.notna().to_numpy(dtype=bool)]
    dates = dates[dates.notna()]
    if answered.empty:
        raise InsufficientDataError(
            f"nps series needs dated answers; found none with a date. Map the date column "
            f"{_DATA_PAGE}."
        )
    index = _series_index(dates, period, start, end)
    starts = pd.Series(period_start(dates, period).to_numpy(), index=answered.index)
    counts = _counts(answered["group"], starts)
    counts = counts.reindex(index, fill_value=0)
    counts.index.name = "period"
    return _nps_columns(counts)


def nps_what_if(
    result: NpsResult,
    *,
    detractors_to_passives: float = 0,
    passives_to_promoters: float = 0,
) -> float:
    """NPS after moving shares of groups: 100 x (p_pro + p_pas x b - p_det x (1 - a)).

    ``a`` = ``detractors_to_passives`` and ``b`` = ``passives_to_promoters`` are fractions
    (0-1) of today's detractors and passives; the moves do not chain (detractors turned
    passive do not move on to promoters).

    >>> nps_what_if(nps_from_counts(50, 30, 20), detractors_to_passives=0.5)
    40.0
    """
    for name, value in (
        ("detractors_to_passives", detractors_to_passives),
        ("passives_to_promoters", passives_to_promoters),
    ):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} is a fraction from 0 to 1; got {value}")
    pro = result.promoters + result.passives * passives_to_promoters
    det = result.detractors * (1 - detractors_to_passives)
    return 100.0 * (pro - det) / result.n


# --------------------------------------------------------------------------------------------
# CSAT


@dataclass(frozen=True)
class CsatResult:
    """CSAT: mean score on its scale and the share of top-two-box ("satisfied") answers."""

    mean: float
    satisfied_share: float
    satisfied: int
    n: int
    scale_max: int
    small_sample: bool


def _csat_scale(rows: pd.DataFrame, scores: pd.Series, scale_max: int | None) -> int:
    source = "scale_max argument"
    if scale_max is not None:
        scales = [scale_max]
    elif "scale_max" in rows.columns:
        values = pd.to_numeric(rows["scale_max"], errors="coerce")
        scales = sorted(values[scores.notna()].dropna().unique().tolist())
        source = "scale_max column"
    else:
        scales = []
    if len(scales) > 1:
        raise SchemaError(
            f"csat needs answers on one scale; found scale_max {_examples(pd.Series(scales))}. "
            f"Give each survey its own survey_type, or filter to one survey {_DATA_PAGE}."
        )
    if scales:
        scale = scales[0]
        if scale not in _CSAT_SCALES:
            raise SchemaError(
                f"csat needs a scale_max that is a whole number from 3 to 10; found "
                f"{_fmt(scale)} in the {source}. Check the scale_max column {_DATA_PAGE}."
            )
        return int(scale)
    # Never guessed from the highest score seen: answers of 1-4 on a 10-point scale would
    # read as a 5-point survey and the mean would mean something else.
    raise InsufficientDataError(
        f"csat needs the top of its scale: a scale_max column, or the scale you set "
        f"(--csat-scale-max, or on the Satisfaction page); found neither. The highest score "
        f"seen ({_fmt(float(scores.max()))}) does not say whether the scale ends at 5, 7 or "
        f"10. Add scale_max {_DATA_PAGE} or set the scale."
    )


def _csat_answers(
    surveys: pd.DataFrame,
    *,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    scale_max: int | None,
) -> tuple[pd.DataFrame, int]:
    """Answered CSAT rows in range with ``_score`` and ``_satisfied``, and the scale."""
    rows = _of_kind(surveys, "csat")
    scores = _scores(rows, SCORE, "csat")
    if scores.notna().sum() == 0:
        found = ""
        if "survey_type" in surveys.columns:
            types = sorted({str(t) for t in _types(surveys).dropna()})
            found = f" (survey types found: {', '.join(types) or 'none'})"
        raise InsufficientDataError(
            f"csat needs survey answers of type csat with a score; found none{found}. "
            f"Upload satisfaction answers or check the survey_type column {_DATA_PAGE}."
        )
    scale = _csat_scale(rows, scores, scale_max)
    answered = scores.dropna()
    bad = (answered < 0) | (answered > scale)
    if bad.any():
        raise SchemaError(
            f"csat needs scores from 0 to {scale} (the scale's top); found "
            f"{_examples(answered[bad])} in {_rows(int(bad.sum()))}. Check the score and "
            f"scale_max columns {_DATA_PAGE}."
        )
    out = rows.loc[answered.index].assign(_score=answered, _satisfied=answered >= scale - 1)
    out = _in_range(out, start, end, "csat")
    if out.empty:
        raise InsufficientDataError(
            f"csat needs at least one answer with a score; found none{_range_text(start, end)}. "
            f"Widen the date range or upload survey answers {_DATA_PAGE}."
        )
    return out, scale


def csat_scale(surveys: pd.DataFrame) -> int:
    """Top of the CSAT scale: the scale_max column (never guessed from the scores).

    Read from the csat (and untyped) rows of the whole table. Answers on two scales or a
    scale_max outside 3-10 raise SchemaError; no scale_max InsufficientDataError.

    >>> csat_scale(pd.DataFrame({"score": [1, 4, 6], "scale_max": 7}))
    7
    """
    return _csat_answers(surveys, start=None, end=None, scale_max=None)[1]


def _csat_columns(answered: pd.DataFrame, keys: pd.Series, index: pd.Index | None) -> pd.DataFrame:
    grouped = answered.groupby(keys, sort=True, observed=True)
    table = pd.DataFrame(
        {
            "n": grouped["_score"].count().astype("int64"),
            "mean": grouped["_score"].mean().astype("float64"),
            "satisfied": grouped["_satisfied"].sum().astype("int64"),
        }
    )
    if index is not None:
        table = table.reindex(index)
        table["n"] = table["n"].fillna(0).astype("int64")
        table["satisfied"] = table["satisfied"].fillna(0).astype("int64")
    table["satisfied_share"] = (table["satisfied"] / table["n"].where(table["n"] > 0)).astype(
        "float64"
    )
    return table[_CSAT_COLUMNS]


def csat(
    surveys: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    scale_max: int | None = None,
) -> CsatResult:
    """CSAT = sum of scores / respondents; satisfied share = top-two-box answers / respondents.

    Catalogue keys ``csat_mean`` and ``csat_satisfied_share``. Top two boxes: 4-5 of 5,
    6-7 of 7, 9-10 of 10 (score >= scale_max - 1). The scale is ``scale_max`` if given, else
    :func:`csat_scale` (the scale_max column; InsufficientDataError without one). Reads rows
    of survey_type csat and untyped rows (the caller says they are CSAT). Blank scores are
    ignored; scores outside 0..scale raise SchemaError, none left InsufficientDataError.

    >>> r = csat(pd.DataFrame({"score": [5, 3, 4, 5, 1]}), scale_max=5)
    >>> r.mean, r.satisfied_share, r.scale_max
    (3.6, 0.6, 5)
    """
    answered, scale = _csat_answers(surveys, start=start, end=end, scale_max=scale_max)
    n = len(answered)
    satisfied = int(answered["_satisfied"].sum())
    return CsatResult(
        mean=float(answered["_score"].mean()),
        satisfied_share=satisfied / n,
        satisfied=satisfied,
        n=n,
        scale_max=scale,
        small_sample=n < SMALL_SAMPLE,
    )


def csat_by(
    surveys: pd.DataFrame,
    by: str,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    scale_max: int | None = None,
) -> pd.DataFrame:
    """CSAT per value of the ``by`` column (agent: "CSAT per agent"), as :func:`csat`.

    Indexed by group value (named ``by``, sorted); columns ``n``, ``mean``, ``satisfied``
    (int), ``satisfied_share``. One scale for all groups, read from the whole table. Answers
    with a blank group are left out; no NaN.

    >>> rows = pd.DataFrame({"score": [5, 3, 4], "agent": ["A", "A", "B"]})
    >>> csat_by(rows, "agent", scale_max=5)["mean"]
    agent
    A    4.0
    B    4.0
    Name: mean, dtype: float64
    """
    _check_by(surveys, by, "csat")
    answered, _ = _csat_answers(surveys, start=start, end=end, scale_max=scale_max)
    answered = answered[answered[by].notna().to_numpy(dtype=bool)]
    result = _csat_columns(answered, answered[by], None)
    result.index.name = by
    return result


def csat_series(
    surveys: pd.DataFrame,
    *,
    period: Period = "month",
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    scale_max: int | None = None,
) -> pd.DataFrame:
    """CSAT per period: columns of :func:`csat_by`, one row per period start.

    Catalogue key ``series.csat_mean``. Indexed by period start (DatetimeIndex named
    ``period``) from the period of ``start`` (else the first answer) to that of ``end``
    (else the last); a period without answers has ``n`` and ``satisfied`` 0 and NaN
    ``mean`` and ``satisfied_share``. Compare two periods with :func:`csat_difference`.
    """
    check_period(period)
    answered, _ = _csat_answers(surveys, start=start, end=end, scale_max=scale_max)
    dates = _dates(answered, "csat series")
    answered = answered[dates.notna().to_numpy(dtype=bool)]
    dates = dates[dates.notna()]
    if answered.empty:
        raise InsufficientDataError(
            f"csat series needs dated answers; found none with a date. Map the date column "
            f"{_DATA_PAGE}."
        )
    index = _series_index(dates, period, start, end)
    starts = pd.Series(period_start(dates, period).to_numpy(), index=answered.index)
    result = _csat_columns(answered, starts, index)
    result.index = index
    return result


@dataclass(frozen=True)
class CsatDifference:
    """mean_a - mean_b with Welch's t-test (unequal variances), on one CSAT scale."""

    difference: float
    mean_a: float
    mean_b: float
    n_a: int
    n_b: int
    t: float
    df: float
    p_value: float
    scale_max: int


def csat_difference(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    scale_max: int | None = None,
) -> CsatDifference:
    """Change of mean CSAT, a - b, tested with Welch's t-test (scipy.stats.ttest_ind).

        t = (mean_a - mean_b) / sqrt(s_a^2/n_a + s_b^2/n_b), Welch-Satterthwaite df

    The "significance test" of the catalogue's satisfaction trend: ``a`` and ``b`` are the
    surveys of two periods or groups. The scale (``scale_max``, else detected on both
    together) must be common. Each side needs two answers. Both sides without spread:
    t = +-inf and p = 0 if the means differ, t = 0 and p = 1 if not.
    Source: Welch, "The generalization of Student's problem", Biometrika 34, 1947.
    """
    if scale_max is None:
        scale_max = csat_scale(pd.concat([a, b], ignore_index=True))
    ra, _ = _csat_answers(a, start=None, end=None, scale_max=scale_max)
    rb, _ = _csat_answers(b, start=None, end=None, scale_max=scale_max)
    xa = ra["_score"].to_numpy(dtype="float64")
    xb = rb["_score"].to_numpy(dtype="float64")
    if len(xa) < 2 or len(xb) < 2:
        raise InsufficientDataError(
            f"csat comparison needs at least two answers on each side; found {len(xa)} and "
            f"{len(xb)}. Compare longer periods or larger groups."
        )
    diff = float(xa.mean() - xb.mean())
    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
    if va + vb > 0:
        from scipy import stats  # imported here: scipy.stats alone takes ~2 s to load

        test = stats.ttest_ind(xa, xb, equal_var=False)
        t, p, df = float(test.statistic), float(test.pvalue), float(test.df)
    else:
        df = float(len(xa) + len(xb) - 2)
        t, p = (math.copysign(math.inf, diff), 0.0) if diff != 0 else (0.0, 1.0)
    return CsatDifference(
        difference=diff,
        mean_a=float(xa.mean()),
        mean_b=float(xb.mean()),
        n_a=len(xa),
        n_b=len(xb),
        t=t,
        df=df,
        p_value=p,
        scale_max=int(scale_max),
    )


# --------------------------------------------------------------------------------------------
# Change against the comparable range before, and the employee satisfaction mean


@dataclass(frozen=True)
class SatisfactionChange:
    """A satisfaction score in the range against the same number of days just before it.

    ``change`` = ``now`` - ``before`` (NPS points, or points of the CSAT scale);
    ``p_value`` is two-sided (``test`` names the test); ``before_start`` and
    ``before_end`` are the comparable range's inclusive days.
    """

    now: float
    before: float
    change: float
    p_value: float
    n_now: int
    n_before: int
    before_start: pd.Timestamp
    before_end: pd.Timestamp
    test: str


def _range_before(
    start: pd.Timestamp | None, end: pd.Timestamp | None, what: str
) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    if start is None or end is None:
        raise InsufficientDataError(
            f"{what} compares the date range with the same number of days before it, so it "
            "needs a start and an end; pick a date range (--start and --end on the command line)."
        )
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    before_end = start - pd.Timedelta(days=1)
    return start, end, before_end - (end - start), before_end


def nps_change(
    surveys: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> SatisfactionChange:
    """NPS change = NPS(start..end) - NPS(the same number of days before start), in points,
    with a two-sample z test on the trinomial variance.

        var = p_pro + p_det - (p_pro - p_det)^2  (per answer, each range)
        z = change / (100 x sqrt(var_now / n_now + var_before / n_before)),
        p = 2 x (1 - Phi(|z|))

    The two ranges hold different respondents (see :func:`nps_difference`). Raises
    InsufficientDataError without a bounded range or without answers in either range.

    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-05"] * 4 + ["2025-02-05"] * 4),
    ...                   "score": [10, 3, 3, 8, 10, 10, 9, 3]})
    >>> r = nps_change(s, start=pd.Timestamp("2025-02-01"), end=pd.Timestamp("2025-02-28"))
    >>> r.now, r.before, r.change
    (50.0, -25.0, 75.0)
    """
    start, end, b_start, b_end = _range_before(start, end, "nps change")
    now = net_promoter_score(surveys, start=start, end=end)
    before = net_promoter_score(surveys, start=b_start, end=b_end)
    d = nps_difference(now, before)
    return SatisfactionChange(
        now=now.score,
        before=before.score,
        change=d.difference,
        p_value=d.p_value,
        n_now=now.n,
        n_before=before.n,
        before_start=b_start,
        before_end=b_end,
        test="two-sample z test, trinomial variance",
    )


def csat_change(
    surveys: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    scale_max: int | None = None,
) -> SatisfactionChange:
    """CSAT change = mean CSAT(start..end) - mean CSAT(the same number of days before start),
    in points of the scale, with Welch's t-test (see :func:`csat_difference`).

        t = (mean_now - mean_before) / sqrt(s_now^2 / n_now + s_before^2 / n_before)

    The scale is ``scale_max`` if given, else :func:`csat_scale` of the whole table, as in
    :func:`csat`. Each range needs two answers, else InsufficientDataError.

    >>> s = pd.DataFrame({"date": pd.to_datetime(["2025-01-05"] * 3 + ["2025-02-05"] * 3),
    ...                   "score": [3, 4, 2, 5, 4, 5]})
    >>> r = csat_change(s, start=pd.Timestamp("2025-02-01"), end=pd.Timestamp("2025-02-28"),
    ...                 scale_max=5)
    >>> round(r.change, 4), round(r.p_value, 3)
    (1.6667, 0.082)
    """
    start, end, b_start, b_end = _range_before(start, end, "csat change")
    if scale_max is None:
        scale_max = csat_scale(surveys)
    rows = _of_kind(surveys, "csat")
    now = _in_range(rows, start, end, "csat change")
    before = _in_range(rows, b_start, b_end, "csat change")
    d = csat_difference(now, before, scale_max=scale_max)
    return SatisfactionChange(
        now=d.mean_a,
        before=d.mean_b,
        change=d.difference,
        p_value=d.p_value,
        n_now=d.n_a,
        n_before=d.n_b,
        before_start=b_start,
        before_end=b_end,
        test="Welch's t-test",
    )


@dataclass(frozen=True)
class EmployeeSatisfaction:
    """Mean internal survey score on its scale (0 to ``scale_max``); ``scale_source`` says
    where the scale came from: ``scale_max column`` or ``default`` (0-10, as eNPS asks)."""

    mean: float
    n: int
    scale_max: int
    scale_source: str


def employee_satisfaction_mean(
    surveys: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> EmployeeSatisfaction:
    """Employee satisfaction = sum of employee survey scores / answers (in range).

    Catalogue key ``employee_satisfaction_mean``, the "mean score of an internal survey"
    shown beside eNPS. Reads rows of survey_type enps or employee (never untyped rows). The
    scale is the scale_max column of those rows when it holds one value, else 0-10 (the
    eNPS question); scores outside it raise SchemaError, none in range
    InsufficientDataError.

    >>> employee_satisfaction_mean(pd.DataFrame({"score": [9, 6, 8],
    ...                                          "survey_type": ["enps"] * 3})).mean
    7.666666666666667
    """
    what = "employee satisfaction"
    rows = _of_kind(surveys, "enps", untyped=False) if "survey_type" in surveys.columns else None
    if rows is None or rows.empty:
        raise InsufficientDataError(
            f"{what} needs internal survey answers marked survey_type enps (or employee); "
            f"found none. Add them and set survey_type {_DATA_PAGE}."
        )
    scores = _scores(rows, SCORE, what)
    scale, source = 10, "default"
    if "scale_max" in rows.columns:
        scales = pd.to_numeric(rows["scale_max"], errors="coerce")[scores.notna()].dropna()
        if scales.nunique() > 1:
            raise SchemaError(
                f"{what} needs answers on one scale; found scale_max "
                f"{_examples(pd.Series(scales.unique()))}. Check the scale_max column "
                f"{_DATA_PAGE}."
            )
        if len(scales):
            scale, source = int(scales.iloc[0]), "scale_max column"
    answered = scores.dropna()
    bad = (answered < 0) | (answered > scale)
    if bad.any():
        raise SchemaError(
            f"{what} needs scores from 0 to {scale}; found {_examples(answered[bad])} in "
            f"{_rows(int(bad.sum()))}. Check the score and scale_max columns {_DATA_PAGE}."
        )
    kept = _in_range(rows.loc[answered.index], start, end, what)
    if kept.empty:
        raise InsufficientDataError(
            f"{what} needs at least one answer with a score{_range_text(start, end)}; found "
            f"none. Widen the date range {_DATA_PAGE}."
        )
    values = answered.loc[kept.index]
    return EmployeeSatisfaction(float(values.mean()), len(values), scale, source)


# --------------------------------------------------------------------------------------------
# Comments


def _check_group(group: str) -> str:
    g = str(group).lower().rstrip("s")
    if g not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}; got {group!r}")
    return g


def _commented(answered: pd.DataFrame) -> pd.DataFrame:
    if "comment" not in answered.columns:
        raise SchemaError(
            "comment themes need a comment column in the surveys table; map the column "
            f"holding the customers' free-text answers {_DATA_PAGE}."
        )
    text = answered["comment"].astype(object).where(answered["comment"].notna(), "")
    text = text.astype(str).str.strip()
    out = answered.assign(comment=text)
    out = out[(text != "").to_numpy(dtype=bool)]
    if out.empty:
        raise InsufficientDataError(
            "comment themes need NPS answers with a comment; every comment is blank. Upload "
            f"a survey export that includes the comments {_DATA_PAGE}."
        )
    return out


def comment_themes(
    surveys: pd.DataFrame,
    *,
    top: int = 10,
    min_count: int = 1,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Top words and phrases of NPS comments per group: share = comments with it / comments.

    The catalogue's "brand attributes" (page only). Comments of NPS answers are split by
    group (promoter, passive, detractor) and counted by :func:`kpi.text.term_counts`:
    lower-cased, stop words of eight languages removed, a comment counts once per term.
    Returns a tidy frame with a RangeIndex: ``group``, ``kind`` ("word" or "phrase"),
    ``term``, ``count`` (comments of the group mentioning it), ``share_of_comments``
    (count / the group's non-blank comments); groups in the order above, within each the
    ``top`` words then the ``top`` phrases by count, ties alphabetically. A group without
    comments has no rows.

    >>> themes = comment_themes(pd.DataFrame({
    ...     "score": [10, 9, 2], "comment": ["Friendly staff!", "very friendly staff", "Late"]}))
    >>> themes["term"].tolist(), themes["count"].tolist()
    (['friendly', 'staff', 'friendly staff', 'late'], [2, 2, 2, 1])
    """
    answered = _commented(_nps_answers(surveys, start=start, end=end))
    parts = []
    for group in GROUPS:
        comments = answered.loc[answered["group"] == group, "comment"]
        if comments.empty:
            continue
        counted = term_counts(comments, top=top, min_count=min_count)
        parts.append(counted.assign(group=group))
    result = pd.concat(parts, ignore_index=True)
    result["group"] = result["group"].astype("str")
    return result[["group", "kind", "term", "count", "share_of_comments"]]


def sample_comments(
    surveys: pd.DataFrame,
    group: str,
    *,
    n: int = 5,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """A few verbatim comments of one NPS group, the most representative first.

    A comment's rank: how many of the group's top themes (the ten words and ten phrases of
    :func:`comment_themes`) it mentions; ties go to the more recent answer, then
    alphabetically, so the pick never depends on row order. Identical comments appear once.
    Returns up to ``n`` rows, RangeIndex, columns ``date`` (when the table has one),
    ``score``, ``comment``, and ``customer_id`` when present. A group without comments
    gives an empty frame.
    """
    g = _check_group(group)
    answered = _commented(_nps_answers(surveys, start=start, end=end))
    rows = answered[(answered["group"] == g).to_numpy(dtype=bool)]
    columns = [c for c in ("date", SCORE, "comment", "customer_id") if c in answered.columns]
    if rows.empty:
        return answered[columns].iloc[0:0].reset_index(drop=True)
    themes = term_counts(rows["comment"], top=10)
    top_terms = set(themes["term"])

    def mentions(text: str) -> int:
        w, p = terms(text)
        return len(top_terms & (w | p))

    ranked = rows.assign(
        _mentions=rows["comment"].map(mentions).astype("int64"),
        _date=_dates(rows, "sample comments") if "date" in rows.columns else pd.NaT,
    )
    ranked = ranked.sort_values(
        ["_mentions", "_date", "comment"],
        ascending=[False, False, True],
        na_position="last",
        kind="stable",
    )
    ranked = ranked.drop_duplicates("comment", keep="first")
    return ranked[columns].head(n).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# NPS beside customers and revenue


def _ids(values: pd.Series) -> pd.Series:
    """Customer ids as stripped str (NaN where blank), so that 17, 17.0 and "17 " all match."""
    if pd.api.types.is_float_dtype(values):
        known = values.dropna()
        if (known == np.round(known)).all():
            values = values.astype("Int64")
    return values.astype("str").str.strip()


def _orders(orders: pd.DataFrame, what: str) -> pd.DataFrame:
    missing = [c for c in ("customer_id", "order_date", "amount") if c not in orders.columns]
    if missing:
        raise SchemaError(
            f"{what} needs an orders table with columns customer_id, order_date and amount; "
            f"missing: {', '.join(missing)}. Map them {_DATA_PAGE}."
        )
    out = pd.DataFrame(
        {
            "customer_id": _ids(orders["customer_id"]),
            "order_date": _dates(orders, what, "order_date", "orders"),
            "amount": pd.to_numeric(orders["amount"], errors="coerce").astype("float64"),
        }
    )
    return out[out["customer_id"].notna() & out["order_date"].notna()]


def latest_nps_group(surveys: pd.DataFrame, *, as_of: pd.Timestamp | None = None) -> pd.Series:
    """Each customer's NPS group from their latest NPS answer dated on or before ``as_of``.

    Two answers on the same latest day: the lower score counts (the cautious reading).
    Returns a str Series indexed by ``customer_id`` (sorted), named ``group``.

    >>> latest_nps_group(pd.DataFrame({
    ...     "date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01"]),
    ...     "score": [10, 3, 9], "customer_id": ["A", "A", "B"]})).to_dict()
    {'A': 'detractor', 'B': 'promoter'}
    """
    if "customer_id" not in surveys.columns:
        raise SchemaError(
            "linking NPS to customers needs a customer_id column in the surveys table; map "
            f"it {_DATA_PAGE}."
        )
    answered = _nps_answers(surveys, end=as_of)
    frame = pd.DataFrame(
        {
            "customer_id": _ids(answered["customer_id"]),
            "date": _dates(answered, "nps by customer"),
            "score": _scores(answered, SCORE, "nps"),
            "group": answered["group"],
        }
    ).dropna(subset=["customer_id", "date"])
    frame = frame.sort_values(["date", "score"], ascending=[True, False], kind="stable")
    latest = frame.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    result = latest["group"].sort_index().astype("str")
    result.index = result.index.astype("str")
    result.index.name = "customer_id"
    return result


def _as_of(orders: pd.DataFrame, as_of: pd.Timestamp | None, what: str) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    if orders.empty:
        raise InsufficientDataError(f"{what} needs orders; the orders table has none.")
    return pd.Timestamp(orders["order_date"].max()).normalize()


def nps_group_outcomes(
    surveys: pd.DataFrame,
    orders: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: pd.Timestamp | None = None,
    window_days: int = 90,
) -> pd.DataFrame:
    """Per NPS group: customers, retention = still-active customers / customers, and revenue.

    Customers are grouped by their latest NPS answer (:func:`latest_nps_group`) on or before
    ``as_of`` (default: the last order date). A customer is still active if they ordered in
    the ``window_days`` days ending on ``as_of`` (inclusive), or, when ``customers`` has an
    end_date column and lists them, if their end_date is blank or after ``as_of``. Revenue
    sums order amounts up to ``as_of``; ``revenue_12m`` those of the twelve months ending on
    it. Returns a frame indexed by ``group`` (promoter, passive, detractor, always all
    three), columns ``customers``, ``active_customers`` (int), ``retention``, ``revenue``,
    ``revenue_12m``, ``revenue_per_customer``; a group without customers has counts and
    revenue 0, ``retention`` and ``revenue_per_customer`` NaN.
    """
    what = "nps group outcomes"
    per_customer = _customer_outcomes(surveys, orders, customers, as_of, window_days, what)
    grouped = per_customer.groupby("group", sort=False)
    result = pd.DataFrame(
        {
            "customers": grouped.size(),
            "active_customers": grouped["active"].sum(),
            "revenue": grouped["revenue"].sum(),
            "revenue_12m": grouped["revenue_12m"].sum(),
        }
    ).reindex(pd.Index(list(GROUPS), dtype="str", name="group"))
    result = result.fillna(0)
    counts = ["customers", "active_customers"]
    result[counts] = result[counts].astype("int64")
    result[["revenue", "revenue_12m"]] = result[["revenue", "revenue_12m"]].astype("float64")
    n = result["customers"].where(result["customers"] > 0)
    result["retention"] = (result["active_customers"] / n).astype("float64")
    result["revenue_per_customer"] = (result["revenue"] / n).astype("float64")
    return result[[*counts, "retention", "revenue", "revenue_12m", "revenue_per_customer"]]


def _customer_outcomes(
    surveys: pd.DataFrame,
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: pd.Timestamp | None,
    window_days: int,
    what: str,
) -> pd.DataFrame:
    """Per surveyed customer: group, active flag, revenue and trailing-12-month revenue."""
    o = _orders(orders, what)
    day = _as_of(o, as_of, what)
    cutoff = day + pd.Timedelta(days=1)
    o = o[o["order_date"] < cutoff]
    groups = latest_nps_group(surveys, as_of=day)
    year_ago = cutoff - pd.DateOffset(years=1)
    recent = cutoff - pd.Timedelta(days=window_days)
    by_customer = o.groupby("customer_id")
    revenue = by_customer["amount"].sum()
    revenue_12m = o[o["order_date"] >= year_ago].groupby("customer_id")["amount"].sum()
    last_order = by_customer["order_date"].max()
    frame = pd.DataFrame({"group": groups})
    ids = frame.index
    frame["revenue"] = revenue.reindex(ids).fillna(0.0).to_numpy(dtype="float64")
    frame["revenue_12m"] = revenue_12m.reindex(ids).fillna(0.0).to_numpy(dtype="float64")
    last = last_order.reindex(ids)
    active = (last.notna() & (last >= recent)).to_numpy(dtype=bool)
    if customers is not None and "end_date" in customers.columns and "customer_id" in customers:
        table = pd.DataFrame(
            {
                "customer_id": _ids(customers["customer_id"]),
                "end_date": _dates(customers, what, "end_date", "customers"),
            }
        ).dropna(subset=["customer_id"])
        table = table.drop_duplicates("customer_id", keep="last").set_index("customer_id")
        listed = ids.isin(table.index)
        end_date = table["end_date"].reindex(ids)
        not_ended = (end_date.isna() | (end_date >= cutoff)).to_numpy(dtype=bool)
        active = np.where(listed, not_ended, active)
    frame["active"] = active.astype(bool)
    return frame


@dataclass(frozen=True)
class RevenueAtRisk:
    """Detractors' trailing-twelve-month revenue, its share of all such revenue, and their CLV.

    ``clv`` is None unless a per-customer CLV was passed in.
    """

    detractors: int
    revenue_12m: float
    share_of_revenue_12m: float
    clv: float | None


def revenue_at_risk(
    surveys: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    as_of: pd.Timestamp | None = None,
    clv: pd.Series | None = None,
) -> RevenueAtRisk:
    """Revenue at risk = sum of detractors' order amounts in the twelve months to ``as_of``.

    Detractors are customers whose latest NPS answer on or before ``as_of`` (default: the
    last order date) is 0-6. ``share_of_revenue_12m`` divides by every customer's revenue in
    the same twelve months (NaN when that is 0). With ``clv``, a Series of predicted
    customer lifetime value indexed by customer_id (e.g. from the value models), ``clv`` is
    the detractors' total; a detractor missing from it counts as 0. Kept apart from the
    past revenue: the two measure different things and are not added up.
    """
    what = "revenue at risk"
    per_customer = _customer_outcomes(surveys, orders, None, as_of, 90, what)
    detractors = per_customer[per_customer["group"] == "detractor"]
    o = _orders(orders, what)
    day = _as_of(o, as_of, what)
    cutoff = day + pd.Timedelta(days=1)
    in_year = (o["order_date"] >= cutoff - pd.DateOffset(years=1)) & (o["order_date"] < cutoff)
    total = float(o.loc[in_year, "amount"].sum())
    at_risk = float(detractors["revenue_12m"].sum())
    clv_total = None
    if clv is not None:
        values = pd.Series(pd.to_numeric(clv, errors="coerce").to_numpy(dtype="float64"))
        values.index = _ids(pd.Series(clv.index)).to_numpy()
        values = values.groupby(level=0).sum()
        clv_total = float(values.reindex(detractors.index).fillna(0.0).sum())
    return RevenueAtRisk(
        detractors=len(detractors),
        revenue_12m=at_risk,
        share_of_revenue_12m=at_risk / total if total != 0 else math.nan,
        clv=clv_total,
    )


# --------------------------------------------------------------------------------------------
# Section for the command line and the app

_KEYS = ("nps", "nps_band", "nps_margin_of_error", "csat_mean", "csat_satisfied_share", "enps")
_ADDED_KEYS = (
    "employee_satisfaction_mean",
    "employee_satisfaction_scale_max",
    "nps_change",
    "nps_change_p_value",
    "csat_change",
    "csat_change_p_value",
)


def section(
    tables: Mapping[str, pd.DataFrame],
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    period: Period = "month",
    settings: Settings | None = None,
) -> Section:
    """Every KPI of "Satisfaction and loyalty" that the tables support (see kpi.report).

    ``settings.survey_type`` is the type of the answers without one (else they are left
    out, with a warning); ``settings.csat_scale_max`` the CSAT scale when the surveys have no
    scale_max. Both are reported under ``assumptions`` when they shaped a number.

    Keys ``nps``, ``nps_band``, ``nps_margin_of_error``, ``csat_mean``,
    ``csat_satisfied_share``, ``enps``; series ``nps`` and ``csat_mean`` by period label
    (None for a period without answers). Answers are sorted into nps / csat / enps by
    :func:`survey_kinds`. A KPI the data cannot support is None with a warning.

    Also ``employee_satisfaction_mean`` with ``employee_satisfaction_scale_max`` (its scale
    is 0 to that), and ``nps_change`` / ``csat_change`` (this range minus the same number of
    days before it, in points) with ``nps_change_p_value`` (two-sample z test) and
    ``csat_change_p_value`` (Welch's t-test); the changes need a bounded range.
    """
    check_period(period)
    result = Section(kpis=dict.fromkeys(_KEYS + _ADDED_KEYS))
    surveys = tables.get("surveys")
    if surveys is None:
        result.warnings.append(
            "nps, csat and enps need a surveys table with columns date and score; upload your "
            f"survey answers {_DATA_PAGE}."
        )
        return result
    settings = settings or Settings()
    try:
        _scores(surveys, SCORE, "survey answers")
        kinds = survey_kinds(surveys, survey_type=settings.survey_type)
    except KpiError as err:
        result.warnings.append(str(err))
        return result
    untyped = _types(surveys).isna()
    if untyped.any():
        given = settings.survey_type
        result.assumptions["survey_type"] = assumption(
            survey_kind(given) if given else None, "user" if given else "default"
        )
        if not given:
            result.warnings.append(
                f"{_rows(int(untyped.sum()))} of the surveys table have no survey_type, and "
                "the type is never guessed from the scores; they are left out of nps, csat "
                "and enps. Give their type (--survey-type nps|csat|ces|enps, or on the "
                f"Satisfaction page), or add a survey_type column {_DATA_PAGE}."
            )
    scale = settings.csat_scale_max
    if scale is not None:
        result.assumptions["csat_scale_max"] = assumption(scale, "user")
        scale = int(scale)

    other = kinds[~kinds.isin(["nps", "csat", "ces", "enps", UNTYPED])]
    if len(other):
        result.warnings.append(
            f"{_rows(len(other))} of the surveys table have a survey_type that is not nps, "
            f"csat, ces or enps ({_examples(other)}); they are left out."
        )

    nps_rows = surveys[(kinds == "nps").to_numpy(dtype=bool)]
    if nps_rows.empty:
        result.warnings.append(
            "nps needs survey answers with scores from 0 to 10 (survey_type nps); the "
            f"surveys table has none. Upload NPS answers or set survey_type {_DATA_PAGE}."
        )
    else:
        try:
            r = net_promoter_score(nps_rows, start=start, end=end)
            result.kpis.update(nps=r.score, nps_band=r.band, nps_margin_of_error=r.margin_of_error)
            if r.small_sample:
                result.warnings.append(
                    f"nps rests on {r.n} answers (fewer than {SMALL_SAMPLE}): its 95 % margin "
                    f"of error is ±{r.margin_of_error:.1f} points."
                )
            series = nps_series(nps_rows, period=period, start=start, end=end)
            result.series["nps"] = labelled(series["nps"], period)
        except KpiError as err:
            result.warnings.append(str(err))

    csat_rows = surveys[(kinds == "csat").to_numpy(dtype=bool)]
    if csat_rows.empty:
        result.warnings.append(
            "csat_mean and csat_satisfied_share need satisfaction answers (survey_type csat, "
            "or untyped answers with --survey-type csat); the surveys table has none. Set "
            f"survey_type {_DATA_PAGE}."
        )
    else:
        try:
            c = csat(csat_rows, start=start, end=end, scale_max=scale)
            if scale is None:
                result.assumptions["csat_scale_max"] = assumption(c.scale_max, "data")
            result.kpis.update(csat_mean=c.mean, csat_satisfied_share=c.satisfied_share)
            series = csat_series(csat_rows, period=period, start=start, end=end, scale_max=scale)
            result.series["csat_mean"] = labelled(series["mean"], period)
        except KpiError as err:
            result.warnings.append(str(err))

    try:
        result.kpis["enps"] = employee_net_promoter_score(surveys, start=start, end=end).score
    except KpiError as err:
        result.warnings.append(str(err))

    try:
        e = employee_satisfaction_mean(surveys, start=start, end=end)
        result.kpis["employee_satisfaction_mean"] = e.mean
        result.kpis["employee_satisfaction_scale_max"] = e.scale_max
    except KpiError as err:
        result.warnings.append(str(err))

    for key, rows, change in (("nps_change", nps_rows, nps_change), ("csat_change", csat_rows,
                                                                      csat_change)):  # fmt: skip
        if rows.empty:
            continue
        try:
            scaled = {"scale_max": scale} if key == "csat_change" else {}
            c = change(rows, start=start, end=end, **scaled)
            result.kpis[key] = c.change
            result.kpis[f"{key}_p_value"] = c.p_value
        except KpiError as err:
            result.warnings.append(str(err))

    result.kpis = plain(result.kpis)
    return result
