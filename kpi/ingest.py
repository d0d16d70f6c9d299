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
    NumberParse,
    blank_mask,
    cast_blocks,
    currency_in_header,
    detect_currency,
    looks_like_dates,
    parse_dates,
    parse_flags,
    parse_ids,
    parse_numbers,
    parse_text,
    take_cells,
)

MAX_EXAMPLES = 5
# Unmapped columns with at most this many distinct values are kept as attributes (filters,
# breakdowns); others (free text, ids) are left out and listed in the report.
MAX_ATTRIBUTE_VALUES = 200
# Lines looked at per pass where a pass would otherwise make arrays as long as a line-item
# file (tens of millions of lines): a few megabytes at a time rather than hundreds.
_STEP = 1 << 20


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
    consume: bool = False,
) -> MappedTable:
    """Build the canonical ``table`` from ``raw`` using ``mapping`` (canonical -> source column).

    ``constants`` fill a canonical column for every row (a surveys file without a type column
    that says "NPS" in its header: ``{"survey_type": "nps"}``); without one, the survey type is
    read from the headers and the file name when they say it. ``layout`` names a known layout
    (``kpi/layouts.json``) whose meaning applies; by default the header decides. A layout's
    line items become one order per order id, its amount is made net as it says, and a
    duration column (minutes to the first reply) is added to the creation time.

    ``consume``: the caller hands ``raw`` over and will not read it again (:func:`load_files`,
    which read the file itself). Line items are then let go column by column as they are
    merged into orders, so that the lines and the orders are not both held whole: ``raw``'s
    frame is left without its columns.

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
    hint = decimal or raw.decimal_hint
    collapsed_from = 0
    summed: NumberParse | None = None  # the amounts of the lines, when they were added up
    items: _LineItems | None = None
    # The order ids' codes (_order_codes), one per row of ``frame``, once they are known: the
    # repeated orders are then counted from them. None there: no id repeats.
    id_codes: np.ndarray | None = None
    ids_coded = False
    if lay and "line_items" in lay.meaning and mapping.get(lay.meaning["line_items"]["key"]):
        collapsed_from = len(frame)
        raw, summed = _collapse_lines(
            raw, lay, mapping, decimal=decimal, hint=hint, consume=consume
        )
        frame = raw.frame
    elif (
        table == "orders"
        and not (lay and lay.meaning.get("key_repeats"))
        and all(mapping.get(c) for c in _LINE_COLUMNS)
    ):
        id_codes, ids_coded = _order_codes(frame[mapping["order_id"]]), True  # type: ignore[index]
        if id_codes is not None:
            items = _line_item_export(
                raw, mapping, id_codes, decimal=decimal, hint=hint, consume=consume
            )
        if items is not None:
            raw, summed, frame = items.raw, items.amounts, items.raw.frame
            id_codes = items.codes
    n = len(frame)
    report = ValidationReport(raw.source, table, rows_read=n + len(raw.bad_lines))
    report.notes.extend(raw.notes)
    if items is not None:
        report.lines_collapsed = items.lines - items.orders
        report.notes.append(
            f"{items.lines:,} lines merged into {items.orders:,} orders: {mapping['order_id']} "
            f"repeats with the same {mapping['customer_id']} and {mapping['order_date']} and "
            f"different {mapping['amount']}, so each row is one line of an order, and an "
            f"order's {mapping['amount']} is the sum of its lines."
        )
        if items.copies:
            report.notes.append(
                f"{items.copies:,} orders list a line more than once, the same in every column: "
                "added up like the other lines, and counted as repeated orders in case the "
                "export repeated them."
            )
        if items.kept_apart:
            report.notes.append(
                f"{items.kept_apart:,} {mapping['order_id']} values repeat on rows that name "
                "another customer or date: not merged, counted as repeated orders."
            )
    if summed is not None:
        report.currency = summed.currency
        if summed.decimal == ",":
            report.notes.append(f"amount ({mapping['amount']}): decimal comma.")
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
        elif col.kind == "category":
            out[col.name], merged = _one_spelling(parse_text(values))
            if merged:
                report.notes.append(
                    f"{label}: "
                    + "; ".join(f"{_quoted(a)} counted as {b!r}" for a, b in merged)
                    + " (the same name in other capitals or spacing)."
                )
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
        if ids_coded:
            repeats = _repeated_codes(None if id_codes is None else id_codes[~reject])
        else:
            cols = ["order_id"] if "order_id" in kept else ["customer_id", "order_date", "amount"]
            repeats = _repeats(kept[cols].dropna())
        report.duplicates = repeats + (items.copies if items else 0)
    if not report.currency and table in ("orders", "spend"):
        for source in (mapping.get("amount"),):
            if source:
                # The cells' own marks first ("1 234,50 zł"), else the header's ("Kwota (zł)").
                report.currency = detect_currency(frame[source]) or currency_in_header(source)
    return MappedTable(raw.source, table, kept, report, dict(mapping))


_MAX_SPELLINGS = 5_000
"""A column with more distinct values than this is names or free text: left as written."""


def _one_spelling(text: pd.Series) -> tuple[pd.Series, list[tuple[list[str], str]]]:
    """Category values that differ only in capitals or spacing ("Google Ads", "google ads"),
    written the way most rows write them, so that a channel is not split in two; and which
    spellings were merged into which (none: the column as it came).

    >>> s, merged = _one_spelling(pd.Series(["Google Ads", "google ads", "Google Ads", "SEO"]))
    >>> s.tolist(), merged
    (['Google Ads', 'Google Ads', 'Google Ads', 'SEO'], [(['google ads'], 'Google Ads')])
    """
    distinct = text.dropna().unique()
    if len(distinct) < 2 or len(distinct) > _MAX_SPELLINGS:
        return text, []
    if len({_spelling_key(str(v)) for v in distinct}) == len(distinct):
        return text, []
    counts = text.value_counts(sort=False)
    replace = _spellings({str(v): int(counts[v]) for v in distinct})
    merged: dict[str, list[str]] = {}
    for value, best in replace.items():
        merged.setdefault(best, []).append(value)
    return text.replace(replace), [(others, best) for best, others in merged.items()]


def _spelling_key(value: str) -> str:
    """What two spellings of one name share: the words, in lower case."""
    return " ".join(value.split()).casefold()


def _spellings(rows: Mapping[str, int]) -> dict[str, str]:
    """Each value (with its number of rows, in the order met) written in other capitals or
    spacing than another, mapped to the spelling most rows use; on a tie, the one met first.

    >>> _spellings({"Email": 2, "SEO": 1, "EMAIL": 1})
    {'EMAIL': 'Email'}
    """
    groups: dict[str, list[str]] = {}
    for value in rows:
        groups.setdefault(_spelling_key(value), []).append(value)
    replace: dict[str, str] = {}
    for spellings in groups.values():
        if len(spellings) > 1:
            best = max(spellings, key=lambda v: (rows[v], -spellings.index(v)))
            replace.update({v: best for v in spellings if v != best})
    return replace


def _quoted(values: list[str]) -> str:
    return ", ".join(repr(v) for v in values)


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


def _collapse_lines(
    raw: RawTable,
    lay: Layout,
    mapping: Mapping[str, str | None],
    *,
    decimal: str | None = None,
    hint: str | None = None,
    consume: bool = False,
) -> tuple[RawTable, NumberParse | None]:
    """Line items as one row per order id: each column's first filled line, or their sum.

    Shopify and WooCommerce write an order's own fields on its first line only; FreshBooks
    writes one amount per line (``sum``). A line without an order id stays a row of its own.
    Also returns the parse of the summed amount column, whose currency and decimal mark the
    report gives (the merged column holds numbers). ``consume``: see :func:`_merge_lines`.
    """
    rule = lay.meaning["line_items"]
    frame = raw.frame
    codes = _order_codes(frame[mapping[rule["key"]]])
    if codes is None:
        return raw, None
    summed = {
        mapping[c]: parse_numbers(frame[mapping[c]], decimal=decimal, hint=hint)  # type: ignore[arg-type,index]
        for c in rule.get("sum", ())
        if mapping.get(c)
    }
    merged = np.bincount(codes[codes >= 0]) > 1
    parsed = next(reversed(summed.values()), None)  # the amount: the only column summed
    out = _merge_lines(raw, codes, merged, summed, consume=consume)[0]
    return out, parsed  # type: ignore[return-value]


def _order_codes(values: pd.Series) -> np.ndarray | None:
    """One code per order id, numbered in order of first appearance; -1 where it is blank.

    None when no id repeats. Order numbers written as plain integers in ascending order (lines
    of an order written together) are numbered by their runs, without hashing the text.
    """
    ids = parse_ids(values)
    if isinstance(ids.dtype, pd.StringDtype) and ids.dtype.storage == "pyarrow":
        numbers = _canonical_integers(pa.array(ids))
        if numbers is not None:
            if _never_down(numbers):
                new = numbers[1:] != numbers[:-1]
                del numbers  # the ids as integers, one per line, are no longer needed
                if new.all():
                    return None
                codes = np.empty(len(new) + 1, dtype=np.int64)
                codes[:1] = 0
                np.cumsum(new, out=codes[1:])
                return codes
            codes, uniques = pd.factorize(numbers)
            return None if len(uniques) == len(codes) else codes.astype(np.int64)
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    if len(uniques) == int((codes >= 0).sum()):
        return None
    return codes.astype(np.int64)


def _repeated_codes(codes: np.ndarray | None) -> int:
    """How many rows repeat an earlier row's order id, given their codes (-1: no id).

    The count ``_repeats`` gives for the ids the codes were made from (equal ids, equal
    codes), without reading the ids again; None stands for ids that never repeat.
    """
    if codes is None:
        return 0
    codes = codes[codes >= 0]
    return int(len(codes) - np.count_nonzero(np.bincount(codes))) if len(codes) else 0


def _first_positions(codes: np.ndarray) -> np.ndarray:
    """Each group's first row, for codes numbered in order of first appearance (-1: none)."""
    seen = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]])) if len(codes) else codes
    return np.flatnonzero(codes > seen)


def _arrow_cells(values: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The Arrow array behind a text column, or None for any other column."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return pa.array(values)
    return None


def _same_as_row(values: pd.Series, rows: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Whether the cell of each row in ``rows`` equals the cell of its row in ``ref``.

    Two blank cells are equal; text is compared as written.
    """
    cells = _arrow_cells(values)
    if cells is not None:
        a, b = take_cells(cells, rows), take_cells(cells, ref)
        same = pc.fill_null(pc.equal(a, b), False)
        both_missing = pc.and_(pc.is_null(a), pc.is_null(b))
        return np.asarray(pc.or_(same, both_missing), dtype=bool)
    arr = values.to_numpy()
    a, b = arr[rows], arr[ref]
    same = np.asarray(a == b, dtype=bool)
    return same | (pd.isna(a) & pd.isna(b))


def _blank_at(values: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``blank_mask(values)`` at ``rows`` alone."""
    cells = _arrow_cells(values)
    if cells is not None:
        taken = pd.Series(type(values.array)(take_cells(cells, rows), dtype=values.dtype))
        return blank_mask(taken).to_numpy(dtype=bool)
    return blank_mask(values.iloc[rows]).to_numpy(dtype=bool)


def _rows_kept(values: pd.Series, keep: pa.BooleanArray, take: np.ndarray) -> pd.Series:
    """``values.iloc[take]`` with a fresh index, ``take`` being the rows ``keep`` marks.

    An Arrow text column is filtered block by block: Arrow's take would first join its blocks.
    """
    cells = _arrow_cells(values)
    if cells is not None:
        kept = cells.filter(keep)
        return pd.Series(type(values.array)(kept, dtype=values.dtype), name=values.name)
    return values.iloc[take].reset_index(drop=True)


def _merge_lines(
    raw: RawTable,
    codes: np.ndarray,
    merged: np.ndarray,
    summed: Mapping[str, NumberParse],
    *,
    firsts: np.ndarray | None = None,
    settled: Iterable[str] = (),
    consume: bool = False,
) -> tuple[RawTable, np.ndarray]:
    """One row per group of ``codes`` marked in ``merged``; every other row stays as it is.

    A merged row takes each column's first filled cell among its lines, and the sum of the
    ``summed`` columns' numbers (blank when every line is blank). When a line's amount cannot
    be read, the order keeps that cell and the line's number, so that validation rejects the
    order and shows the line: its sum would be wrong. ``firsts`` may give each group's first
    row (see :func:`_first_positions`). ``settled`` names columns where a merged group's lines
    hold its first line's cell or blanks, and only blanks after a blank first line: its first
    line gives the cell, without looking for blank cells. Also returns the rows kept (an
    order's first line, or a row of its own).

    ``consume``: the caller gives ``raw`` over; each column is dropped from its frame once its
    rows are taken (a line-item file's lines weigh gigabytes at ten million orders).
    """
    frame = raw.frame
    n = len(frame)
    valid = codes >= 0
    if valid.all():
        in_merged = merged[codes]
    else:
        in_merged = np.zeros(n, dtype=bool)
        in_merged[valid] = merged[codes[valid]]
    del valid
    firsts = _first_positions(codes) if firsts is None else firsts  # group g's first row
    keep = ~in_merged
    keep[firsts[merged]] = True
    take = np.flatnonzero(keep)
    marks = pa.array(keep)
    del keep
    group_of_kept = codes[take]
    merged_kept = in_merged[take]
    lines = np.asarray(raw.line_numbers)[take]
    columns: dict[str, pd.Series] = {}
    settled = set(settled)
    names = list(frame.columns)
    for col in names:
        if col in summed:
            continue
        if consume and columns:
            # The lines of the column merged last are gone: hand their memory back at once
            # (Arrow's allocator keeps freed blocks for a while).
            values = None
            pa.default_memory_pool().release_unused()
        values = frame[col]
        if consume:
            del frame[col]  # the column lives on in ``values`` until its rows are taken
        taken = _rows_kept(values, marks, take)
        if col in settled or not (blank_mask(taken).to_numpy(dtype=bool) & merged_kept).any():
            columns[col] = taken
            continue
        # The first line is blank here: the first filled line of the order gives the cell.
        filled = np.flatnonzero(in_merged & ~blank_mask(values).to_numpy(dtype=bool))
        first_filled = np.full(len(merged), n, dtype=np.int64)
        np.minimum.at(first_filled, codes[filled], filled)
        del filled
        found = first_filled[np.where(merged_kept, group_of_kept, 0)]
        source = np.where(merged_kept & (found < n), found, take)
        columns[col] = values.iloc[source].reset_index(drop=True)
    values = None  # the last column's lines, when they are let go
    if consume:
        pa.default_memory_pool().release_unused()
    for col, parsed in summed.items():
        numbers = parsed.values.to_numpy(dtype="float64")
        # Each order's sum adds its lines' numbers one after the other, from 0, as bincount
        # would; a block of lines at a time, so that no copy of every line is made.
        sums = np.zeros(len(merged))
        any_filled = np.zeros(len(merged), dtype=bool)
        for start in range(0, n, _STEP):
            part = numbers[start : start + _STEP]
            adds = in_merged[start : start + _STEP] & ~np.isnan(part)  # the lines summed
            owners = codes[start : start + _STEP][adds]
            np.add.at(sums, owners, part[adds])
            any_filled[owners] = True
        out = numbers[take]
        grouped = group_of_kept[merged_kept]
        out[merged_kept] = np.where(any_filled[grouped], sums[grouped], np.nan)
        bad = parsed.bad.to_numpy(dtype=bool)
        if not bad.any():
            columns[col] = pd.Series(out, dtype="float64")
            continue
        # An unreadable amount: the kept row (an order, or a row of its own) shows it.
        text = frame[col]
        at = np.flatnonzero(bad)
        # The kept row of each such line: its order's first line, or the line itself, found
        # among the kept lines (``take`` is sorted).
        row = np.searchsorted(take, np.where(in_merged[at], firsts[np.maximum(codes[at], 0)], at))
        row, first_bad = np.unique(row, return_index=True)  # an order's first unreadable line
        shown = out.astype(object)
        shown[row] = text.iloc[at[first_bad]].to_numpy(dtype=object)
        lines[row] = np.asarray(raw.line_numbers)[at[first_bad]]
        columns[col] = pd.Series(shown, dtype=object)
    if consume:
        for col in summed:
            del frame[col]
    out_frame = pd.DataFrame({c: columns[c] for c in names}, copy=False)
    return dataclasses.replace(raw, frame=out_frame, line_numbers=lines), take


@dataclass(frozen=True)
class _LineItems:
    """What :func:`_line_item_export` found: the merged rows and what to tell the user."""

    raw: RawTable
    amounts: NumberParse
    lines: int
    orders: int
    copies: int
    kept_apart: int
    codes: np.ndarray  # each merged row's order code, as :func:`_order_codes` numbered them


_LINE_COLUMNS = ("order_id", "customer_id", "order_date", "amount")


def _line_item_export(
    raw: RawTable,
    mapping: Mapping[str, str | None],
    codes: np.ndarray,
    *,
    decimal: str | None = None,
    hint: str | None = None,
    runs: bool = True,
    consume: bool = False,
) -> _LineItems | None:
    """An orders export of any tool with one row per line of an order, merged; else None.

    It is one when order ids repeat with the same customer and date (or those cells blank on
    the later lines) and, in most orders that repeat, different amounts: lines, whose amounts
    add up to the order's. An order id whose rows name another customer or date (a number
    used twice) is not merged: its rows stay rows and count as repeated orders. Where an
    order's lines are copies of each other in every column, they are added up like any lines
    (the same item twice), and the order is counted as repeated too, in case the export
    repeated it: the amounts are those the rows give either way.

    ``codes`` are the order ids' (:func:`_order_codes`). When every line has an id and each
    order's lines are written together (``runs`` allows this reading), the lines are compared
    with the line before them, and only the orders where one differs are looked at closer.
    ``consume``: see :func:`_merge_lines`.
    """
    key, customer, date, amount = (mapping[c] for c in _LINE_COLUMNS)
    frame = raw.frame
    n = len(frame)
    # From 0, never down: every line has an id, and codes count up by one where an order starts.
    runs = runs and bool(n and codes[0] == 0 and _never_down(codes))
    if runs:
        new = codes[1:] != codes[:-1]
        firsts = np.flatnonzero(new)
        del new
        firsts += 1
        firsts = np.concatenate([[0], firsts])
        repeated = np.diff(firsts, append=n) > 1
    else:
        firsts = _first_positions(codes)
        repeated = np.bincount(codes[codes >= 0]) > 1
    groups = len(repeated)
    # Per order, not per line (a line-item file has tens of millions of lines): whether every
    # later line names its first line's customer and date (or leaves them blank).
    agrees = repeated.copy()
    if runs:
        # Every row but an order's first is a later line, beside that first line.
        later = np.ones(n, dtype=bool)
        later[firsts] = False
        for col in (customer, date):
            agrees &= _agrees_in_runs(frame[col], later, codes, firsts, groups)
        del later
    else:
        # The later lines of every repeated order id, each beside its order's first line.
        rows, group, ref = _later_lines(codes, firsts, repeated)
        off = np.zeros(len(rows), dtype=bool)
        for col in (customer, date):
            off |= ~_agrees_with_first(frame[col], rows, ref)
        agrees[group[off]] = False
        del rows, group, ref, off
    consistent = agrees
    amounts = parse_numbers(frame[amount], decimal=decimal, hint=hint)  # type: ignore[arg-type]
    differs = _differs_from_first(amounts.values.to_numpy(dtype="float64"), codes, firsts, groups)
    if (consistent & differs).sum() < 0.5 * repeated.sum():
        return None  # mostly the same amount again: repeated orders, not lines
    copies = np.zeros(groups, dtype=bool)
    maybe = consistent & ~differs
    if maybe.any():
        r, group, f = _later_lines(codes, firsts, maybe)
        same = np.ones(len(r), dtype=bool)
        for col in frame.columns:
            same &= _same_as_row(frame[col], r, f)
        copies = maybe & (np.bincount(group[~same], minlength=groups) == 0)
        del r, group, f, same
    kept_apart = int((repeated & ~consistent).sum())
    del differs, maybe, repeated
    out, take = _merge_lines(
        raw,
        codes,
        consistent,
        {amount: amounts},
        firsts=firsts,
        # A merged order's lines share its id, never blank (its code would be -1), and hold
        # its first line's customer and date or blanks: a blank first line, blanks only.
        settled=(key, customer, date) if runs else (),
        consume=consume,
    )
    return _LineItems(
        out,
        # The report reads only the amounts' decimal mark and currency: the numbers of every
        # line are let go with the lines.
        dataclasses.replace(amounts, values=amounts.values.iloc[:0], bad=amounts.bad.iloc[:0]),
        lines=n,
        orders=len(out.frame),
        copies=int(copies.sum()),
        kept_apart=kept_apart,
        codes=codes[take],
    )


def _never_down(codes: np.ndarray) -> bool:
    """Whether ``codes`` never decrease (``np.all(np.diff(codes) >= 0)``), a block at a time."""
    for start in range(0, len(codes) - 1, _STEP):
        part = codes[start : start + _STEP + 1]
        if not np.all(part[1:] >= part[:-1]):
            return False
    return True


def _later_lines(
    codes: np.ndarray, firsts: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every line of the orders ``wanted`` marks but each one's first: the lines, their
    orders, and their orders' first lines, in the file's order."""
    valid = codes >= 0
    rows = np.flatnonzero(valid & wanted[np.where(valid, codes, 0)])
    group = codes[rows]
    ref = firsts[group]
    later = rows != ref
    return rows[later], group[later], ref[later]


def _differs_from_first(
    numbers: np.ndarray, codes: np.ndarray, firsts: np.ndarray, groups: int
) -> np.ndarray:
    """Per order: whether a line's number differs from its first line's (both readable).

    An order's first line equals itself, so every line is compared, a block at a time.
    """
    differs = np.zeros(groups, dtype=bool)
    head = numbers[firsts]
    for start in range(0, len(codes), _STEP):
        code = codes[start : start + _STEP]
        a = numbers[start : start + _STEP]
        b = head[np.maximum(code, 0)]
        hit = (a != b) & ~np.isnan(a) & ~np.isnan(b) & (code >= 0)
        differs[code[hit]] = True
    return differs


def _agrees_with_first(values: pd.Series, rows: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` holds its order's first line's cell (``ref``), or a blank."""
    return _same_as_row(values, rows, ref) | _blank_at(values, rows)


def _agrees_in_runs(
    values: pd.Series,
    later: np.ndarray,
    codes: np.ndarray,
    firsts: np.ndarray,
    groups: int,
) -> np.ndarray:
    """Per order, :func:`_agrees_with_first` of all its later lines, for orders whose lines
    are written together.

    ``later`` marks every line but each order's first, ``codes`` give the lines' orders and
    ``firsts`` the orders' first lines. A line equal to the line before it holds its order's
    first cell when the lines before it do too: an order whose later lines all equal the line
    before agrees, and only the orders with a line that does not are compared line by line
    with their first (where a blank line still agrees).
    """
    unlike = later & ~_equal_to_previous(values)
    if not unlike.any():
        return np.ones(groups, dtype=bool)
    doubtful = np.zeros(groups, dtype=bool)
    doubtful[codes[unlike]] = True
    del unlike
    rows, group, ref = _later_lines(codes, firsts, doubtful)
    agrees = np.ones(groups, dtype=bool)
    agrees[group[~_agrees_with_first(values, rows, ref)]] = False
    return agrees


def _equal_to_previous(values: pd.Series) -> np.ndarray:
    """Whether each cell equals the cell above it (the first cell: False; missing: False)."""
    n = len(values)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    cells = _arrow_cells(values)
    if cells is not None:
        same = pc.fill_null(pc.equal(cells.slice(1), cells.slice(0, n - 1)), False)
        out[1:] = np.asarray(same, dtype=bool)
        return out
    arr = values.to_numpy()
    out[1:] = np.asarray(arr[1:] == arr[:-1], dtype=bool)
    return out


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
    return cast_blocks(cells, pa.int64(), np.int64)  # a block at a time: no int64 copy in Arrow


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


def _spellings_across(mapped: list[MappedTable]) -> list[pd.DataFrame]:
    """Each source's frame, with a category value that another source writes in other capitals
    or spacing ("google ads" in the spend file, "Google Ads" in the orders) written the one way
    most rows of all sources write it, and a note in each source changed.

    Each source has already merged its own spellings (:func:`_one_spelling`); this does the
    same across sources holding a column of the same name (the channel of orders, customers
    and spend), so a channel's orders and its spend meet under one name. A column found in one
    source only costs nothing here.
    """
    frames = [m.frame for m in mapped]
    holders: dict[str, list[int]] = {}
    for i, m in enumerate(mapped):
        spec = TABLES.get(m.table)
        for col in spec.columns if spec else ():
            if col.kind == "category" and col.name in m.frame.columns:
                holders.setdefault(col.name, []).append(i)
    for name, where in holders.items():
        if len(where) < 2:
            continue
        counts = [mapped[i].frame[name].value_counts(sort=False) for i in where]
        if any(len(c) > _MAX_SPELLINGS for c in counts):
            continue
        rows: dict[str, int] = {}  # in the order the sources are read: a tie goes to the first
        for c in counts:
            for value, n in c.items():
                rows[str(value)] = rows.get(str(value), 0) + int(n)
        replace = _spellings(rows)
        if not replace:
            continue
        for i, c in zip(where, counts, strict=True):
            here = [str(v) for v in c.index if str(v) in replace]
            if not here:
                continue
            frames[i] = frames[i].assign(**{name: frames[i][name].replace(replace)})
            label = next(col.label for col in TABLES[mapped[i].table].columns if col.name == name)
            note = (
                f"{label}: "
                + "; ".join(f"{v!r} counted as {replace[v]!r}" for v in here)
                + " (another file writes it so)."
            )
            if note not in mapped[i].report.notes:  # the same uploads used again
                mapped[i].report.notes.append(note)
    return frames


def build_dataset(mapped: Iterable[MappedTable]) -> Dataset:
    """Stack sources that hold the same table (e.g. two months of orders) into one frame.

    A category value written in other capitals or spacing by another source is written one
    way in all of them (:func:`_spellings_across`).
    """
    mapped = list(mapped)
    by_table: dict[str, list[pd.DataFrame]] = {}
    reports: list[ValidationReport] = []
    currencies: list[str] = []
    for m, frame in zip(mapped, _spellings_across(mapped), strict=True):
        by_table.setdefault(m.table, []).append(frame)
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
            consume=True,  # the file was read here, for this alone
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
