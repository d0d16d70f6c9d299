"""From raw tables to canonical tables, with a validation report that loses nothing.

``apply_mapping`` turns a raw table into a canonical one (see DESIGN.md): required cells that
cannot be read reject their row, with the reason and examples; optional cells that cannot be
read are left blank and counted. Refunds, duplicates, future dates and out-of-range scores
are counted and labelled. For every table: rows read = rows kept + rows rejected.

``load_files`` runs the whole chain (read, detect, map, validate) the same way for the app and
the command line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.errors import ReadError, SchemaError
from kpi.io import Limits, RawTable, read_file
from kpi.schema import (
    TABLES,
    Layout,
    Suggestion,
    detect_table,
    duration_unit,
    layout_by_name,
    match_layout,
    normalise,
    saved_mapping_for,
    suggest_mapping,
    survey_type_from_words,
)
from kpi.values import (
    DateOrder,
    blank_mask,
    detect_currency,
    looks_like_dates,
    parse_dates,
    parse_flags,
    parse_ids,
    parse_numbers,
    parse_text,
)

MAX_EXAMPLES = 5
# Unmapped columns with at most this many distinct values are kept as attributes (filters,
# breakdowns); others (free text, ids) are left out and listed in the report.
MAX_ATTRIBUTE_VALUES = 200


@dataclass
class Problem:
    """A kind of problem found in some rows: what, how many, and a few examples."""

    reason: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    """What happened to one source's rows on their way into a canonical table."""

    source: str
    table: str
    rows_read: int = 0
    rows_kept: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    empty_rows: int = 0
    duplicates: int = 0
    refunds: int = 0
    refund_total: float = 0.0
    future_dates: int = 0
    notes: list[str] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    ambiguous_dates: list[str] = field(default_factory=list)
    currency: str | None = None
    rejected_rows: pd.DataFrame | None = None
    layout: str | None = None
    doubts: list[str] = field(default_factory=list)
    lines_collapsed: int = 0

    @property
    def rows_rejected(self) -> int:
        return sum(p.count for p in self.rejected)


@dataclass
class MappedTable:
    """A canonical table built from one source, with its report and the mapping used."""

    source: str
    table: str
    frame: pd.DataFrame
    report: ValidationReport
    mapping: dict[str, str | None]


def _examples(raw: RawTable, mask: np.ndarray, column: str | None) -> list[str]:
    idx = np.flatnonzero(mask)[:MAX_EXAMPLES]
    out = []
    for i in idx:
        line = int(raw.line_numbers[i])
        if column is None:
            out.append(f"line {line}")
        else:
            value = raw.frame[column].iloc[i]
            out.append(f"line {line}: {str(value)[:60]!r}")
    return out


_FRACTION = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*/\s*(\d+)\s*$")


def _score_column(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Scores, bad mask and a scale read from cells such as ``9/10``."""
    scale = pd.Series(np.nan, index=values.index, dtype="float64")
    if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
        parsed = parse_numbers(values)
        return parsed.values, parsed.bad, scale
    text = values.astype("str").str.strip()
    frac = text.str.extract(_FRACTION)
    has_frac = frac[0].notna()
    if has_frac.any():
        scale[has_frac] = frac.loc[has_frac, 1].astype("float64")
        values = values.copy()
        values[has_frac] = frac.loc[has_frac, 0]
    parsed = parse_numbers(values)
    return parsed.values, parsed.bad, scale


def apply_mapping(
    raw: RawTable,
    table: str,
    mapping: Mapping[str, str | None],
    *,
    date_orders: Mapping[str, DateOrder] | None = None,
    decimal: str | None = None,
    today: pd.Timestamp | None = None,
    constants: Mapping[str, object] | None = None,
    layout: str | None = None,
) -> MappedTable:
    """Build the canonical ``table`` from ``raw`` using ``mapping`` (canonical -> source column).

    ``constants`` fill a canonical column for every row (a surveys file without a type column
    that says "NPS" in its header: ``{"survey_type": "nps"}``); without one, the survey type is
    read from the headers and the file name when they say it. ``layout`` names a known layout
    (``kpi/layouts.json``) whose meaning applies; by default the header decides. A layout's
    line items become one order per order id, its amount is made net as it says, and a
    duration column (minutes to the first reply) is added to the creation time.

    Raises SchemaError when a required column is not mapped or a mapped column does not exist.
    """
    spec = TABLES[table]
    frame = raw.frame
    missing = [c for c in spec.required if not mapping.get(c)]
    if missing:
        raise SchemaError(
            f"{raw.source}: the {spec.label.lower()} table needs the column(s) "
            f"{', '.join(missing)}; choose which column holds each on the Data page."
        )
    unknown = [s for s in mapping.values() if s and s not in frame.columns]
    if unknown:
        raise SchemaError(
            f"{raw.source}: the mapping names column(s) {', '.join(map(repr, unknown))}, "
            f"which the file does not have. Its columns are: {', '.join(frame.columns)}."
        )
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today)
    date_orders = dict(date_orders or {})
    lay = layout_by_name(layout) if layout else match_layout(list(frame.columns), frame)
    lay = lay if lay is not None and lay.table == table else None
    forced = {c: o for c, o in date_orders.items() if o}
    if lay and lay.meaning.get("date_order"):
        for col in spec.columns:
            if col.kind in ("date", "datetime"):
                date_orders.setdefault(col.name, lay.meaning["date_order"])
    dropped = 0
    if lay and lay.meaning.get("drop_first_row_if") and len(frame):
        marks = {normalise(m) for m in lay.meaning["drop_first_row_if"]}
        first = [normalise(v) for v in frame.iloc[0].tolist() if str(v).strip() not in ("", "nan")]
        if first and all(v in marks for v in first):
            dropped = 1
            frame = frame.iloc[1:]
            raw = dataclasses.replace(raw, frame=frame, line_numbers=raw.line_numbers[1:])
    for col in lay.meaning.get("epoch_seconds", ()) if lay else ():
        source = mapping.get(col)
        if source and source in frame.columns:
            seconds = parse_numbers(frame[source]).values
            stamps = pd.to_datetime(seconds, unit="s", errors="coerce")
            text = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").where(stamps.notna(), frame[source])
            frame = frame.assign(**{source: text.astype(frame[source].dtype)})
            raw = dataclasses.replace(raw, frame=frame)
    collapsed_from = 0
    if lay and "line_items" in lay.meaning and mapping.get(lay.meaning["line_items"]["key"]):
        collapsed_from = len(frame)
        raw = _collapse_lines(raw, lay, mapping)
        frame = raw.frame
    n = len(frame)
    report = ValidationReport(raw.source, table, rows_read=n + len(raw.bad_lines))
    report.notes.extend(raw.notes)
    if lay:
        report.layout = lay.name
        report.notes.extend(lay.notes)
    if dropped:
        report.notes.append("The second header row was left out.")
    if collapsed_from:
        report.lines_collapsed = collapsed_from - n
        report.notes.append(
            f"{collapsed_from:,} lines read as {n:,} {spec.label.lower()} "
            f"(one per {mapping[lay.meaning['line_items']['key']]})."
        )
    if lay and lay.meaning.get("date_order"):
        order = lay.meaning["date_order"]
        report.notes.append(
            f"Dates read {'day first' if order == 'dmy' else 'month first'}, as "
            f"{lay.label.split(' ')[0]} writes them."
        )
    for name, order in forced.items():
        report.notes.append(
            f"{name}: dates read {'day first' if order == 'dmy' else 'month first'}, as chosen."
        )
    report.empty_rows = raw.empty_rows
    if raw.bad_lines:
        report.rejected.append(
            Problem(
                "the row has more cells than the header (a stray delimiter?)",
                len(raw.bad_lines),
                [f"line {b.line}: {b.text[:60]!r}" for b in raw.bad_lines[:MAX_EXAMPLES]],
            )
        )
    reject = np.zeros(n, dtype=bool)
    reasons = np.full(n, "", dtype=object)
    out: dict[str, pd.Series] = {}

    def fail(mask: np.ndarray, reason: str, column: str | None, required: bool) -> None:
        mask = mask & ~reject if required else mask
        count = int(mask.sum())
        if not count:
            return
        problem = Problem(reason, count, _examples(raw, mask, column))
        if required:
            report.rejected.append(problem)
            reject[mask] = True
            reasons[mask] = reason
        else:
            report.warnings.append(problem)

    hint = decimal or raw.decimal_hint
    for col in spec.columns:
        source = mapping.get(col.name)
        if not source:
            continue
        values = frame[source]
        blank = blank_mask(values).to_numpy()
        label = f"{col.name} ({source})"
        if col.required:
            fail(blank, f"{label} is blank", None, True)
        if col.kind == "datetime" and col.name in _SPANS and "created_at" in out:
            span = _duration(values, source, lay, col.name)
            if span is not None:
                spans, unit, bad = span
                fail(bad, f"{label} is not a duration", source, False)
                out[col.name] = out["created_at"] + spans
                report.notes.append(f"{label}: a duration in {unit}, added to created_at.")
                continue
        if col.kind in ("date", "datetime"):
            got = parse_dates(values, order=date_orders.get(col.name))
            if "serial" in got.description:
                report.notes.append(f"{label}: read from Excel serial day numbers.")
            if got.ambiguous:
                report.ambiguous_dates.append(col.name)
            if got.order and got.order != "ymd" and "first" in got.description:
                report.notes.append(f"{label}: read as {got.description}.")
            fail(
                got.bad.to_numpy(),
                f"{label} is not a date between 1950 and 2100",
                source,
                col.required,
            )
            # A date column keeps the time of day its cells give (none: midnight already).
            parsed = got.values
            out[col.name] = parsed
            future = (parsed > today + pd.Timedelta(days=1)).to_numpy()
            report.future_dates += int((future & ~reject).sum())
        elif col.kind in ("money", "number"):
            got_n = parse_numbers(values, decimal=decimal, hint=hint)  # type: ignore[arg-type]
            if col.kind == "money" and got_n.currency and not report.currency:
                report.currency = got_n.currency
            fail(got_n.bad.to_numpy(), f"{label} is not a number", source, col.required)
            out[col.name] = got_n.values
            if got_n.decimal == "," and col.kind == "money":
                report.notes.append(f"{label}: decimal comma.")
        elif col.kind == "score":
            scores, bad, scale = _score_column(values)
            fail(bad.to_numpy(), f"{label} is not a number", source, col.required)
            out[col.name] = scores
            if scale.notna().any():
                out["scale_max"] = scale
        elif col.kind == "bool":
            flags, bad = parse_flags(values)
            fail(bad.to_numpy(), f"{label} is not yes or no", source, False)
            out[col.name] = flags
        elif col.kind == "id":
            out[col.name] = parse_ids(values)
        else:
            out[col.name] = parse_text(values)
    if lay and "amount" in out and lay.meaning.get("amount_minus"):
        less = [c for c in lay.meaning["amount_minus"] if c in frame.columns]
        for c in less:
            minus = parse_numbers(frame[c], decimal=decimal, hint=hint).values  # type: ignore[arg-type]
            out["amount"] = out["amount"] - minus.fillna(0)
        if less:
            report.notes.append(f"amount: {mapping['amount']} less {', '.join(less)}.")
    if lay and "converted_date" in out and lay.meaning.get("converted_if"):
        rule = lay.meaning["converted_if"]
        if rule["column"] in frame.columns:
            won = parse_text(frame[rule["column"]]).map(normalise, na_action="ignore")
            keep = won.isin([normalise(v) for v in rule["values"]]).to_numpy()
            out["converted_date"] = out["converted_date"].where(keep)
    _fill_constants(table, spec, out, frame, raw.source, mapping, constants, report)
    if "scale_max" in out and mapping.get("scale_max"):
        scale_col = parse_numbers(frame[mapping["scale_max"]]).values
        out["scale_max"] = scale_col.fillna(out["scale_max"]) if "scale_max" in out else scale_col
    if lay and lay.meaning.get("reject_if") and lay.meaning["reject_if"]["column"] in frame:
        rule = lay.meaning["reject_if"]
        said = parse_text(frame[rule["column"]]).map(normalise, na_action="ignore")
        bad = said.isin([normalise(v) for v in rule["values"]]).to_numpy()
        fail(bad, rule["reason"], rule["column"], True)
    result = pd.DataFrame(out, index=frame.index)
    _table_checks(
        table,
        result,
        report,
        reject,
        fail,
        keys_repeat=bool(lay and lay.meaning.get("key_repeats")),
    )
    mapped_sources = {s for s in mapping.values() if s}
    for extra in frame.columns:
        if extra in mapped_sources or extra in result.columns:
            continue
        text = parse_text(frame[extra])
        distinct = _distinct(text)
        if 0 < distinct <= MAX_ATTRIBUTE_VALUES and distinct < max(2, 0.5 * n):
            result[extra] = text
        else:
            report.unused_columns.append(extra)
    kept = (result.loc[~reject] if reject.any() else result).reset_index(drop=True)
    if reject.any():
        rows = frame.loc[reject].copy()
        rows.insert(0, "line", raw.line_numbers[reject])
        rows.insert(1, "reason", reasons[reject])
        report.rejected_rows = rows.reset_index(drop=True)
    report.rows_kept = len(kept)
    if "amount" in kept and table in ("orders",):
        neg = kept["amount"] < 0
        report.refunds = int(neg.sum())
        report.refund_total = float(kept.loc[neg, "amount"].sum())
    # A repeated order number is a double export; without order numbers, a row identical in
    # customer, date and amount is counted (two equal jobs on one day do happen: kept).
    if table == "orders" and len(kept):
        cols = ["order_id"] if "order_id" in kept else ["customer_id", "order_date", "amount"]
        report.duplicates = _repeats(kept[cols].dropna())
    if not report.currency and table in ("orders", "spend"):
        for source in (mapping.get("amount"),):
            if source:
                report.currency = detect_currency(frame[source])
    return MappedTable(raw.source, table, kept, report, dict(mapping))


_SPANS = ("first_response_at", "resolved_at")
_UNITS = {"seconds": "s", "minutes": "min", "hours": "h", "days": "D"}


def _duration(
    values: pd.Series, source: str, lay: Layout | None, name: str
) -> tuple[pd.Series, str, np.ndarray] | None:
    """A column of time spans (``35``, ``1.5``, ``01:20:00``), when its header names one.

    The unit comes from the header ("in minutes", "(hrs)"), else the layout; without either,
    minutes, and the note says so. None when the header names no span or the cells are dates.
    """
    is_span, unit = duration_unit(source)
    if not is_span:
        return None
    unit = unit or (lay.meaning.get("durations", {}).get(name) if lay else None)
    said = unit or "minutes (the header does not say)"
    unit = unit or "minutes"
    blank = blank_mask(values).to_numpy()
    filled = values[~blank]
    if len(filled) and looks_like_dates(filled.head(200)) >= 0.5:
        return None  # moments after all ("08.01.2025 10:28"): read as dates
    numbers = parse_numbers(values)
    if (numbers.bad.to_numpy() & ~blank).mean() > 0.5:
        text = parse_text(values)
        spans = pd.to_timedelta(text.where(text.str.contains(":", na=False)), errors="coerce")
        if spans.notna().sum() == 0:
            return None
        bad = spans.isna().to_numpy() & ~blank
        return spans.astype("timedelta64[us]"), "hours:minutes", bad
    spans = pd.to_timedelta(numbers.values, unit=_UNITS[unit])
    return spans.astype("timedelta64[us]"), said, numbers.bad.to_numpy()


def _collapse_lines(raw: RawTable, lay: Layout, mapping: Mapping[str, str | None]) -> RawTable:
    """Line items as one row per order id: each column's first filled line, or their sum.

    Shopify and WooCommerce write an order's own fields on its first line only; FreshBooks
    writes one amount per line (``sum``). A line without an order id stays a row of its own.
    """
    rule = lay.meaning["line_items"]
    key = mapping[rule["key"]]
    frame = raw.frame
    ids = parse_ids(frame[key])
    if ids.notna().all() and not ids.duplicated().any():
        return raw
    summed = {mapping[c] for c in rule.get("sum", ()) if mapping.get(c)}
    group = ids.where(ids.notna(), pd.Series(np.arange(len(ids)), index=ids.index).astype(str))
    codes, _ = pd.factorize(group, sort=False)
    text = frame.where(~frame.apply(blank_mask)) if len(frame.columns) else frame
    firsts = text.groupby(codes, sort=True).first()
    for col in summed:
        amounts = parse_numbers(frame[col]).values
        firsts[col] = (
            amounts.groupby(codes, sort=True)
            .sum(min_count=1)
            .map(lambda v: "" if pd.isna(v) else repr(float(v)))
        )
    first_line = pd.Series(np.arange(len(codes))).groupby(codes, sort=True).first().to_numpy()
    out = firsts.reset_index(drop=True)
    out.columns = frame.columns
    return dataclasses.replace(
        raw, frame=out, line_numbers=np.asarray(raw.line_numbers)[first_line]
    )


def _fill_constants(table, spec, out, frame, source, mapping, constants, report) -> None:
    """Canonical columns the whole source shares: given, or (survey type) said by the header."""
    constants = dict(constants or {})
    if table == "surveys" and "survey_type" not in out and "survey_type" not in constants:
        kind, said = survey_type_from_words([*map(str, frame.columns), *source.split(" › ")])
        if kind:
            constants["survey_type"] = kind
            report.notes.append(f"survey type {kind.upper()}: from '{said}'.")
    names = {c.name for c in spec.columns}
    for name, value in constants.items():
        if name not in names or value in (None, "") or mapping.get(name):
            continue
        kind = spec.column(name).kind
        fill = float(value) if kind in ("number", "money", "score") else str(value)  # type: ignore[arg-type]
        out[name] = pd.Series(
            fill, index=frame.index, dtype="float64" if isinstance(fill, float) else "str"
        )


def _distinct(text: pd.Series) -> int:
    """How many distinct values a text column holds, missing left out (``nunique()``).

    Arrow's hash kernel counts a million cells of a few categories in a third of the time.
    """
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        return pc.count_distinct(pa.array(text), mode="only_valid").as_py()
    return int(text.nunique(dropna=True))


def _repeats(rows: pd.DataFrame) -> int:
    """How many rows repeat an earlier row (``rows.duplicated().sum()``).

    A single text column (order numbers) is counted as rows minus distinct values, with
    Arrow's hash kernel, or as integers when every number is written as one: hashing ten
    million strings takes seconds, integers (or seeing that they only ever grow) a fraction.
    """
    if rows.shape[1] == 1 and isinstance(rows.dtypes.iloc[0], pd.StringDtype):
        cells = pa.array(rows.iloc[:, 0])
        numbers = _canonical_integers(cells)
        if numbers is None:
            return len(cells) - len(pc.unique(cells))
        steps = np.diff(numbers)
        if np.all(steps >= 0):
            # Sorted (lines of an order written together): each repeat follows its equal.
            return int(np.count_nonzero(steps == 0))
        return len(numbers) - len(pd.unique(numbers))
    return int(rows.duplicated().sum())


# Integers as written without a plus sign, spaces or leading zeros, and short enough for int64:
# two such cells are equal as text exactly when they are equal as numbers.
_CANONICAL_INTEGER = r"^(?:0|-?[1-9][0-9]{0,17})$"


def _canonical_integers(cells: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """The cells as int64 when every one is a canonical integer (see above), else None."""
    if cells.null_count or not len(cells):
        return None
    if not pc.all(pc.match_substring_regex(cells[:1000], _CANONICAL_INTEGER)).as_py():
        return None  # the first cells already say no: spare the scan of the whole column
    chunks = cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]
    for chunk in chunks:
        if (
            not _plain_counting_numbers(chunk)
            and not pc.all(pc.match_substring_regex(chunk, _CANONICAL_INTEGER)).as_py()
        ):
            return None
    return pc.cast(cells, pa.int64()).to_numpy()


def _plain_counting_numbers(cells: pa.Array) -> bool:
    """Whether every cell is 1 to 18 ASCII digits without a leading zero (or is ``0``).

    Each such cell is a canonical integer; the check reads the character buffer with numpy,
    several times quicker than the pattern. False only says "not sure": negative numbers and
    anything else are then left to the pattern.
    """
    if cells.null_count or not len(cells):
        return False
    _, offsets, chars = cells.buffers()
    width = np.int64 if pa.types.is_large_string(cells.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[cells.offset : cells.offset + len(cells) + 1]
    lengths = np.diff(bounds)
    if chars is None or lengths.min() < 1 or lengths.max() > 18:
        return False
    data = np.frombuffer(chars, dtype=np.uint8)
    if ((data[bounds[0] : bounds[-1]] - np.uint8(48)) > 9).any():
        return False  # a byte other than a digit
    leading_zero = (data[bounds[:-1]] == ord("0")) & (lengths > 1)
    return not leading_zero.any()


def _table_checks(table, result, report, reject, fail, *, keys_repeat: bool = False) -> None:
    """Checks across columns that only make sense for one table."""
    if table == "surveys" and "score" in result:
        score = result["score"]
        scale = result.get("scale_max")
        top = scale.fillna(10) if scale is not None else 10
        bad = ((score < 0) | (score > top)).fillna(False).to_numpy()
        fail(bad, "score is outside the survey's scale (0-10 unless scale_max says)", None, True)
    if table == "tickets":
        created = result["created_at"]
        for col, what in (("first_response_at", "first response"), ("resolved_at", "resolution")):
            if col in result:
                bad = (result[col] < created).fillna(False).to_numpy()
                fail(bad, f"the {what} is before the ticket was created", None, True)
        if "first_response_at" in result and "resolved_at" in result:
            bad = (result["resolved_at"] < result["first_response_at"]).fillna(False).to_numpy()
            fail(bad, "the ticket was resolved before its first response", None, True)
    if table in ("customers", "leads", "employees"):
        pairs = {
            "customers": ("signup_date", "end_date", "the cancellation is before the signup"),
            "leads": ("created_date", "converted_date", "the conversion is before the lead"),
            "employees": ("hire_date", "leave_date", "the leave date is before the hire date"),
        }[table]
        if pairs[0] in result and pairs[1] in result:
            bad = (result[pairs[1]] < result[pairs[0]]).fillna(False).to_numpy()
            fail(bad, pairs[2], None, False)
    key = {
        "customers": "customer_id",
        "leads": "lead_id",
        "tickets": "ticket_id",
        "employees": "employee",
    }.get(table)
    if key and key in result and not keys_repeat:
        dup = (result[key].duplicated() & result[key].notna()).to_numpy()
        fail(dup & ~reject, f"{key} repeats an earlier row's", None, True)


@dataclass
class Dataset:
    """All canonical tables of a session, with the reports of the sources behind them."""

    tables: dict[str, pd.DataFrame]
    reports: list[ValidationReport]
    currency: str | None = None

    def has(self, table: str, *columns: str) -> bool:
        frame = self.tables.get(table)
        return (
            frame is not None
            and not frame.empty
            and all(c in frame.columns and frame[c].notna().any() for c in columns)
        )


def build_dataset(mapped: Iterable[MappedTable]) -> Dataset:
    """Stack sources that hold the same table (e.g. two months of orders) into one frame."""
    by_table: dict[str, list[pd.DataFrame]] = {}
    reports: list[ValidationReport] = []
    currencies: list[str] = []
    for m in mapped:
        by_table.setdefault(m.table, []).append(m.frame)
        reports.append(m.report)
        if m.report.currency:
            currencies.append(m.report.currency)
    tables = {
        t: frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        for t, frames in by_table.items()
    }
    currency = max(set(currencies), key=currencies.count) if currencies else None
    return Dataset(tables, reports, currency)


@dataclass(frozen=True)
class SourcePlan:
    """What the reader found in one source and what it will be mapped to."""

    raw: RawTable
    suggestion: Suggestion
    ranked: tuple[Suggestion, ...]


def plan_sources(
    files: Iterable[tuple[str, bytes]], *, limits: Limits = Limits()
) -> list[SourcePlan]:
    """Read every file and suggest a table and mapping for each CSV or sheet found."""
    plans = []
    for name, data in files:
        for raw in read_file(data, name, limits=limits):
            ranked = detect_table(raw.frame, name=raw.source)
            plans.append(SourcePlan(raw, ranked[0], tuple(ranked)))
    return plans


def load_files(
    files: Iterable[tuple[str, bytes]],
    *,
    mapping: Mapping[str, Mapping[str, object]] | None = None,
    limits: Limits = Limits(),
    today: pd.Timestamp | None = None,
) -> Dataset:
    """Read, detect, map and validate files exactly as the app does, without asking anyone.

    ``mapping`` (as in a ``--mapping`` JSON file) overrides the detected table and columns per
    source: ``{"orders.csv": {"table": "orders", "columns": {"amount": "Kwota"}}}``; a source
    mapped to table ``"skip"`` is left out. Sources whose table cannot be told are left out
    with a note. Raises ReadError when no file holds a usable table.
    """
    mapping = dict(mapping or {})
    mapped: list[MappedTable] = []
    skipped: list[str] = []
    for plan in plan_sources(files, limits=limits):
        override = saved_mapping_for(mapping, plan.raw.source, list(plan.raw.frame.columns))
        if override and override.get("table") == "skip":
            continue
        doubts: list[str] = []
        if override:
            table = str(override["table"])
            sug = suggest_mapping(plan.raw.frame, table, name=plan.raw.source)
            cols = {**sug.mapping, **dict(override.get("columns", {}))}  # type: ignore[arg-type]
            orders = override.get("date_orders")
            constants = {**sug.constants, **dict(override.get("constants", {}) or {})}  # type: ignore[arg-type]
            layout = override.get("layout")
        else:
            sug, cols, orders = plan.suggestion, plan.suggestion.mapping, None
            if not sug.complete:
                skipped.append(
                    f"{plan.raw.source}: could not tell which table it holds (best guess "
                    f"{sug.table}, missing {', '.join(sug.missing_required)}); give a mapping."
                )
                continue
            table, constants, layout = sug.table, sug.constants, sug.layout
            doubts = [d.message() for d in sug.doubts]
        result = apply_mapping(
            plan.raw,
            table,
            cols,  # type: ignore[arg-type]
            date_orders=orders,  # type: ignore[arg-type]
            today=today,
            constants=constants,
            layout=layout,  # type: ignore[arg-type]
        )
        result.report.doubts.extend(doubts)
        if not override:
            said = set(result.report.notes)
            result.report.notes.extend(n for n in sug.notes if n not in said)
        share = result.report.rows_rejected / max(1, result.report.rows_read)
        if share > 0.1:
            result.report.doubts.append(
                f"{round(100 * share)} % of the rows would be rejected: check the table and "
                "columns chosen."
            )
        mapped.append(result)
    if not mapped:
        raise ReadError(" ".join(skipped) or "No table with data was found in the files.")
    ds = build_dataset(mapped)
    for note in skipped:
        ds.reports.append(ValidationReport(note.split(":")[0], "unknown", notes=[note]))
    return ds
