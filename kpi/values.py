"""Turning spreadsheet cells into numbers, dates, flags and ids, the way people wrote them.

Every parser takes a column (a Series of text, or of the numbers and datetimes a workbook
holds), returns the parsed values and a mask of the cells it could not read, and says what it
decided (decimal comma or point, day-first or month-first, the currency). Blank cells are
missing, not bad. All work is vectorised: a million cells take well under a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DateOrder = Literal["dmy", "mdy", "ymd"]

# Currency marks as people type them, and the ISO code each stands for. Longer marks first so
# that "zł" wins over "z" and "руб." over "р.".
_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("€", "EUR"), ("eur", "EUR"), ("euro", "EUR"), ("$", "USD"), ("usd", "USD"),
    ("us$", "USD"), ("£", "GBP"), ("gbp", "GBP"), ("zł", "PLN"), ("zl", "PLN"), ("pln", "PLN"),
    ("₽", "RUB"), ("руб.", "RUB"), ("руб", "RUB"), ("р.", "RUB"), ("rub", "RUB"),
    ("lei", "RON"), ("ron", "RON"), ("chf", "CHF"), ("fr.", "CHF"), ("kč", "CZK"),
    ("czk", "CZK"), ("₴", "UAH"), ("грн", "UAH"), ("uah", "UAH"), ("ft", "HUF"),
    ("huf", "HUF"), ("kr", "SEK"), ("sek", "SEK"), ("nok", "NOK"), ("dkk", "DKK"),
    ("лв.", "BGN"), ("лв", "BGN"), ("bgn", "BGN"), ("din.", "RSD"), ("rsd", "RSD"),
    ("kn", "HRK"), ("¥", "JPY"), ("₹", "INR"), ("₺", "TRY"), ("try", "TRY"),
)  # fmt: skip
_CUR_ALT = "|".join(re.escape(m) for m, _ in sorted(_CURRENCIES, key=lambda c: -len(c[0])))
# Patterns stay plain strings: pandas hands those to Arrow's vectorised regex engine, while a
# compiled re.Pattern would make it fall back to a slow loop over Python objects.
_CUR_EDGE = rf"(?i)^\s*(?:{_CUR_ALT})\s*|\s*(?:{_CUR_ALT})\s*$"
_CUR_FIND = re.compile(rf"(?i)^\s*({_CUR_ALT})|({_CUR_ALT})\s*$")
_SPACES = "[\u0020\u00a0\u2007\u2009\u202f'’`]"
_NUMBERISH = r"^[-+]?[\d.,]*\d[\d.,]*(?:[eE][-+]?\d+)?$"


@dataclass(frozen=True)
class NumberParse:
    """Parsed numbers (float64, NaN where blank or bad), the bad-cell mask, and the decisions."""

    values: pd.Series
    bad: pd.Series
    decimal: Literal[",", "."]
    currency: str | None


@dataclass(frozen=True)
class DateParse:
    """Parsed datetimes (NaT where blank or bad), the bad-cell mask, and the decisions.

    How the column was read, for the mapping notes:

    - ``description``: the shapes found, comma-separated ("ISO dates, Excel serial numbers").
    - ``read_as``: the same ways as a tuple, one short phrase each.
    - ``serials``: True when some cells were Excel serial day numbers (days since 1899-12-30),
      a number in a cell that the column's header says is a date.
    - ``forced_order``: True when the caller fixed day-first or month-first (``order=``), so
      the cells were not asked.
    - ``offsets``: the UTC offsets written in the cells (``"+01:00"``, ``"Z"``), in order of
      first appearance. They are dropped: each time is kept as the clock showed it where it
      was written (see :func:`parse_dates`).

    :attr:`notes` turns these into sentences for the Data page and the command line.
    """

    values: pd.Series
    bad: pd.Series
    order: DateOrder | None
    ambiguous: bool
    description: str
    read_as: tuple[str, ...] = ()
    serials: bool = False
    forced_order: bool = False
    offsets: tuple[str, ...] = ()

    @property
    def notes(self) -> list[str]:
        """What a reader of the numbers should know about how these dates were read.

        >>> parse_dates(pd.Series(["2025-01-05 10:00 +0100", "2025-07-05 10:00 +0200"])).notes
        ['times carry UTC offsets +01:00, +02:00: each is kept as written (local clock time)']
        """
        out: list[str] = []
        if self.serials:
            out.append("numbers read as Excel serial dates (days since 1899-12-30)")
        if self.forced_order and self.order in ("dmy", "mdy"):
            side = "day-first" if self.order == "dmy" else "month-first"
            out.append(f"read {side}, as chosen (not decided from the cells)")
        elif self.order in ("dmy", "mdy") and any("first" in w for w in self.read_as):
            side = "day-first" if self.order == "dmy" else "month-first"
            how = "a guess: no cell proves it" if self.ambiguous else "decided from the cells"
            out.append(f"read {side} ({how})")
        if self.offsets:
            out.append(
                f"times carry UTC offsets {', '.join(self.offsets)}: each is kept as written "
                "(local clock time)"
            )
        return out


def _as_text(values: pd.Series) -> pd.Series:
    """The column as stripped text (pandas ``str`` dtype); missing stays missing."""
    s = values if isinstance(values.dtype, pd.StringDtype) else values.astype("str")
    if s.dtype.storage == "pyarrow" and not _edges_may_be_space(pa.array(s)):
        return s.copy(deep=False)  # nothing to strip: spare writing a copy of every cell
    return s.str.strip()


def _edges_may_be_space(cells: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some cell starts or ends with a byte that may belong to whitespace.

    Whitespace is a space, a control character or a multi-byte character, so a column whose
    cells all start and end with printable ASCII has nothing to strip.
    """
    if isinstance(cells, pa.ChunkedArray):
        return any(_edges_may_be_space(chunk) for chunk in cells.chunks)
    _, offsets, chars = cells.buffers()
    width = np.int64 if pa.types.is_large_string(cells.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[cells.offset : cells.offset + len(cells) + 1]
    if chars is None or not chars.size:
        return False
    data = np.frombuffer(chars, dtype=np.uint8)
    starts, ends = bounds[:-1], bounds[1:]
    lengths = ends - starts
    if not lengths.all():  # empty cells have no edge: look at the filled ones only
        filled = lengths > 0
        starts, ends = starts[filled], ends[filled]
        if not len(starts):
            return False
    # A byte is printable ASCII when it lies in 0x21..0x7E: subtracting 0x21 wraps the
    # others below it past 0x5D, so one comparison per edge tells them apart.
    low = np.uint8(0x21)
    return bool(((data[starts] - low) > 0x5D).any() or ((data[ends - 1] - low) > 0x5D).any())


def blank_mask(values: pd.Series) -> pd.Series:
    """True where a cell is empty, only spaces, or missing."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(
        values.dtype
    ):
        return values.isna()
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return pd.Series(_blank_text(pa.array(values)), index=values.index, name=values.name)
    s = values if isinstance(values.dtype, pd.StringDtype) else values.astype("str")
    return values.isna() | (s.str.strip() == "")


def _blank_text(cells: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Arrow text cells that are missing, empty or only whitespace, as a numpy mask.

    The same cells as ``isna() | (str.strip() == "")`` (Arrow's "is space" and its trim use
    one Unicode whitespace table). A blank cell starts with a space, a control character or
    a multi-byte character, so only cells whose first byte is one of those are examined.
    """
    if isinstance(cells, pa.ChunkedArray):
        masks = [_blank_text(chunk) for chunk in cells.chunks]
        return np.concatenate(masks) if masks else np.zeros(0, dtype=bool)
    blank = np.zeros(len(cells), dtype=bool)
    maybe = _may_be_blank(cells)
    if maybe.any():
        few = cells.filter(pa.array(maybe))
        spaces = pc.or_(pc.equal(pc.binary_length(few), 0), pc.utf8_is_space(few))
        blank[maybe] = pc.fill_null(spaces, True).to_numpy(zero_copy_only=False)
    return blank


def _may_be_blank(cells: pa.Array) -> np.ndarray:
    """Cells that are missing, empty, or start with a byte outside printable ASCII."""
    _, offsets, chars = cells.buffers()
    width = np.int64 if pa.types.is_large_string(cells.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[cells.offset : cells.offset + len(cells) + 1]
    starts, lengths = bounds[:-1], np.diff(bounds)
    maybe = lengths == 0
    if chars is not None and chars.size:
        data = np.frombuffer(chars, dtype=np.uint8)
        # Only the last cell may start at the buffer's end (empty): clip that one index.
        first = data[starts] if bounds[-1] < data.size else data[np.minimum(starts, data.size - 1)]
        maybe |= (first - np.uint8(0x21)) > 0x5D  # outside 0x21..0x7E (see above)
    if cells.null_count:
        maybe |= pc.is_null(cells).to_numpy(zero_copy_only=False)
    return maybe


def take_cells(cells: pa.Array | pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
    """``cells.take(positions)``, without joining a chunked column's blocks for a few cells.

    Arrow's take joins the reader's blocks into one array on every call (as long as reading
    the whole column); a few cells are taken from each block instead.
    """
    if not isinstance(cells, pa.ChunkedArray):
        return cells.take(pa.array(positions, type=pa.int64()))
    if cells.num_chunks == 1:
        return cells.chunk(0).take(pa.array(positions, type=pa.int64()))
    if 8 * len(positions) > len(cells):
        return cells.combine_chunks().take(pa.array(positions, type=pa.int64()))
    bounds = np.cumsum([0, *(len(c) for c in cells.chunks)])
    block = np.searchsorted(bounds, positions, side="right") - 1
    ordered = bool(np.all(np.diff(block) >= 0))
    order = np.arange(len(block)) if ordered else np.argsort(block, kind="stable")
    ends = np.searchsorted(block[order], np.arange(cells.num_chunks + 1))
    parts = [
        cells.chunk(b).take(pa.array(positions[order[ends[b] : ends[b + 1]]] - bounds[b]))
        for b in range(cells.num_chunks)
        if ends[b + 1] > ends[b]
    ]
    joined = pa.concat_arrays(parts) if parts else pa.array([], type=cells.type)
    if ordered:
        return joined  # the blocks' cells already in the order asked
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order))
    return joined.take(pa.array(back))


def _rows_at(text: pd.Series, positions: np.ndarray) -> pd.Series:
    """``text.iloc[positions]``; an Arrow column's cells taken with :func:`take_cells`."""
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        cells = take_cells(pa.array(text), positions)
        array = type(text.array)(cells, dtype=text.dtype)
        return pd.Series(array, index=text.index[positions], name=text.name)
    return text.iloc[positions]


def _first_present(values: pd.Series, count: int) -> pd.Series:
    """``values.dropna().head(count)``, without copying a whole column to look at its head."""
    size = 2 * count
    while True:
        present = values.iloc[:size].dropna()
        if len(present) >= count or size >= len(values):
            return present.head(count)
        size *= 4


def detect_currency(values: pd.Series, *, sample: int = 2000) -> str | None:
    """ISO code of the most frequent currency mark in the cells, or None.

    >>> detect_currency(pd.Series(["1 234,50 zł", "99 zł", "12"]))
    'PLN'
    """
    if pd.api.types.is_numeric_dtype(values.dtype):
        return None
    s = _as_text(_first_present(values, sample))
    # Every mark holds a letter or a symbol: cells of digits, separators and signs alone
    # hold none, and are spared the pattern (Python's engine, one cell at a time).
    odd = s.str.contains(r"[^0-9 .,()+\-]", regex=True).fillna(False).to_numpy()
    if not odd.any():
        return None
    found = s[odd].str.extract(_CUR_FIND)
    marks = pd.concat([found[0], found[1]]).dropna().str.lower()
    if marks.empty:
        return None
    codes = marks.map(dict(_CURRENCIES))
    return str(codes.value_counts().index[0])


_SYMBOLS = frozenset("€$£₽¥₹₺₴")


def currency_in_header(header: object) -> str | None:
    """ISO code of the currency a column's header names for its amounts, or None.

    A mark counts in brackets, after the last comma, as the header's last word, or, for a
    symbol (€, $, ...), anywhere; words that are marks only by chance ("kr", "try") count
    there too, but nowhere else.

    >>> [currency_in_header(h) for h in ("Betrag (EUR)", "Wartość brutto (zł)", "Сумма, руб.",
    ...                                   "Revenue $", "Amount USD", "Amount", "Try count")]
    ['EUR', 'PLN', 'RUB', 'USD', 'USD', None, None]
    """
    text = str(header).strip()
    marks = dict(_CURRENCIES)
    pieces = re.findall(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]", text)
    if "," in text:
        pieces.append(text.rsplit(",", 1)[1])
    words = text.split()
    if len(words) > 1:
        pieces.append(words[-1])
    for piece in pieces:
        key = piece.strip().lower()
        for candidate in (key, key.rstrip(".")):
            if candidate in marks:
                return marks[candidate]
    symbol = next((ch for ch in text if ch in _SYMBOLS), None)
    return marks[symbol] if symbol else None


def _decimal_cells(clean: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the cells that show a decimal comma, and a decimal point, beyond doubt."""
    comma = clean.str.contains(r",\d{1,2}$|,\d{4,}$|\.\d{3},\d*$|\.\d{3}\.\d{3}", regex=True)
    point = clean.str.contains(r"\.\d{1,2}$|\.\d{4,}$|,\d{3}\.\d*$|,\d{3},\d{3}", regex=True)
    return (
        comma.fillna(False).to_numpy(dtype=bool),
        point.fillna(False).to_numpy(dtype=bool),
    )


def _decimal_evidence(clean: pd.Series) -> tuple[int, int]:
    """Counts of cells that show a decimal comma, and a decimal point, beyond doubt."""
    comma, point = _decimal_cells(clean)
    return int(comma.sum()), int(point.sum())


def decide_decimal(values: pd.Series, *, hint: Literal[",", "."] | None = None) -> str:
    """Decide whether a column writes decimals with a comma or a point.

    Cells such as ``12,5`` or ``1.234,56`` say comma; ``12.5`` or ``1,234.56`` say point. The
    side with more such cells wins. ``1.234`` alone proves nothing: then ``hint`` decides (the
    file's other columns, or a ``;`` delimiter, which European exports use with commas), and
    without a hint the point.

    >>> decide_decimal(pd.Series(["1 234,56", "12", "7,5"])), decide_decimal(pd.Series(["1,234"]))
    (',', '.')
    """
    if pd.api.types.is_numeric_dtype(values.dtype):
        return "."
    clean = _clean_number_text(_as_text(values.dropna()))
    comma, point = _decimal_evidence(clean)
    if comma > point:
        return ","
    if point > comma:
        return "."
    return hint or "."


def _clean_number_text(s: pd.Series) -> pd.Series:
    """Drop currency marks, spaces and apostrophes; turn the Unicode minus into "-".

    The currency pattern is costly, so it only runs on cells holding something besides
    digits, separators and signs.
    """
    odd = s.str.contains(r"[^0-9 .,()+\-]", regex=True).fillna(False).to_numpy()
    if odd.any():
        s = s.copy()
        s[odd] = (
            s[odd].str.replace(_CUR_EDGE, "", regex=True).str.replace("\u2212", "-", regex=False)
        )
    return s.str.replace(_SPACES, "", regex=True)


def _to_float(text: pd.Series) -> pd.Series:
    """Text to float64; cells that are no number become NaN. Arrow's cast first (fast)."""
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        # Straight to numpy: pandas' own astype goes through an extra copy of every cell. A
        # block at a time, into the one array: no column-long Arrow copy on the way.
        values = cast_blocks(pa.array(text), pa.float64(), np.float64)
        if values is not None:
            return pd.Series(values, index=text.index, name=text.name)
    try:
        return text.astype("float64")
    except (ValueError, TypeError, ArithmeticError, pa.ArrowInvalid):
        return pd.to_numeric(text, errors="coerce").astype("float64")


def cast_blocks(
    cells: pa.Array | pa.ChunkedArray, to: pa.DataType, dtype: type
) -> np.ndarray | None:
    """``pc.cast(cells, to).to_numpy(zero_copy_only=False)``, block by block into one array
    (missing cells NaN), or None when a cell does not cast."""
    chunks = cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]
    out = np.empty(len(cells), dtype=dtype)
    at = 0
    for chunk in chunks:
        try:
            cast = pc.cast(chunk, to)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        out[at : at + len(chunk)] = cast.to_numpy(zero_copy_only=False)
        at += len(chunk)
    return out


# Amounts as European exports write most of them: digits, at most one decimal comma, a sign.
# Matched by Arrow's RE2 directly: ASCII digits only, and "$" only at the very end (no
# trailing newline), so every cell it takes is one the general path reads the same way.
_SIMPLE_COMMA = r"^[-+]?[0-9]+(?:,[0-9]+)?$"


def _simple_comma_cells(text: pd.Series) -> np.ndarray:
    """Mask of the cells such as ``1234,56`` or ``-5`` (see ``_SIMPLE_COMMA``).

    With a decimal comma such a cell has nothing to clean and no doubt to settle: the general
    path would only turn its comma into a point (``1,234`` is 1.234 in a comma column, as
    there) and read it as a float. None of them shows a decimal point either, so a column of
    only such cells, in a file whose delimiter hints at commas, needs no sample to decide.
    """
    cells = pa.array(text.astype("str"))
    matched = pc.fill_null(pc.match_substring_regex(cells, _SIMPLE_COMMA), False)
    return matched.to_numpy(zero_copy_only=False)


def _read_simple_comma(text: pd.Series, simple: np.ndarray) -> np.ndarray:
    """The simple cells' values: swap commas for points and cast, two vectorised passes.

    Arrow's cast rounds correctly, like the Python ``float`` of the general path.
    """
    cells = pa.array(text.astype("str"))
    if not simple.all():
        cells = cells.filter(pa.array(simple))
    return pc.cast(_commas_to_points(cells), pa.float64()).to_numpy(zero_copy_only=False)


def _commas_to_points(cells: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The cells with every ``,`` byte made a ``.``, by rewriting Arrow's character buffer.

    A one-byte swap keeps every cell's length, so the offsets stay valid and no string is
    rebuilt: several times faster than ``replace_substring`` on a million amounts.
    """
    if isinstance(cells, pa.ChunkedArray):
        chunks = [_commas_to_points(chunk) for chunk in cells.chunks]
        return pa.chunked_array(chunks, type=cells.type)
    validity, offsets, chars = cells.buffers()
    if chars is None:
        return cells
    raw = np.frombuffer(chars, dtype=np.uint8)
    swapped = np.where(raw == ord(","), np.uint8(ord(".")), raw)
    return pa.Array.from_buffers(
        cells.type, len(cells), [validity, offsets, pa.py_buffer(swapped)], offset=cells.offset
    )


def _parse_messy_numbers(text: pd.Series, sep: str) -> np.ndarray:
    """The general path: clean currency marks, spaces and separators, then read as floats."""
    clean = _clean_number_text(text)
    # The column's separator decides the doubtful cells ("1.234"); a cell that shows the
    # other convention beyond doubt ("120.50" among "12,5") is read its own way, never
    # as a hundred times its value.
    comma_cell, point_cell = _decimal_cells(clean)
    as_comma = comma_cell | ~point_cell if sep == "," else comma_cell & ~point_cell
    clean = clean.copy()
    clean[as_comma] = (
        clean[as_comma].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    )
    clean[~as_comma] = clean[~as_comma].str.replace(",", "", regex=False)
    # Accountants' negatives: "(150.00)" and "150.00-".
    negative = clean.str.contains(r"^\(.*\)$|^[^-].*-$", regex=True).fillna(False).to_numpy()
    if negative.any():
        clean = clean.copy()
        clean[negative] = "-" + clean[negative].str.strip("()-")
    parsed = _to_float(clean.where(clean.str.match(_NUMBERISH).fillna(False).to_numpy()))
    return parsed.to_numpy()


def parse_numbers(
    values: pd.Series, *, decimal: Literal[",", "."] | None = None, hint: str | None = None
) -> NumberParse:
    """Parse a column of amounts or counts.

    Accepts ``1234.56``, ``1 234,56``, ``1.234,56``, ``1'234.56``, ``€ 1 234``, ``99 zł``,
    ``USD 12``, ``(150)`` and ``150-`` (negatives as accountants write them) and the Unicode
    minus. ``decimal`` forces the decimal separator; otherwise :func:`decide_decimal` picks it.
    Infinite or unparseable cells are bad; blank cells are NaN and not bad.

    >>> r = parse_numbers(pd.Series(["1 234,56", "(10)", "", "abc", "€ 5"]))
    >>> r.values.tolist()[:2], r.bad.tolist(), r.decimal, r.currency
    ([1234.56, -10.0], [False, False, False, True, False], ',', 'EUR')
    """
    index = values.index
    if pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        out = pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=index)
        bad = pd.Series(np.isinf(out.to_numpy()), index=index)
        return NumberParse(out.where(~bad), bad, ".", None)
    blank = blank_mask(values)

    def unread() -> pd.Series:
        # Every cell NaN until read: made only where cells are placed by label, as a column
        # read whole at once needs none (a line-item file's amounts: 200 MB spared).
        return pd.Series(np.nan, index=index, dtype="float64")

    result: pd.Series | None = None
    if values.dtype == object:
        # Workbook columns mix real numbers with text cells: keep the numbers as they are.
        is_num = values.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
        nums = values[is_num]
        result = unread()
        result[is_num] = pd.to_numeric(nums, errors="coerce").astype("float64")
        text_part = values[~is_num & ~blank]
    else:
        text_part = values[~blank] if blank.any() else values
    currency = detect_currency(text_part) if len(text_part) else None
    if len(text_part):
        text = _as_text(text_part)
        simple = _simple_comma_cells(text) if (decimal or hint) == "," else None
        if decimal:
            sep = decimal
        elif hint == "," and simple is not None and simple.all():
            sep = ","  # what decide_decimal says of any sample of these cells, with this hint
        else:
            sample = text
            if len(text) > 20_000:  # seeded, without shuffling every position as .sample does
                picks = np.random.default_rng(0).choice(len(text), 20_000, replace=False)
                sample = _rows_at(text, np.sort(picks))
            sep = decide_decimal(sample, hint=hint)  # type: ignore[arg-type]
        if sep == ".":
            # Fast path: plain numbers ("1234.5", "-3", "1e3") need no cleaning.
            direct = _to_float(text)
            if text.index.equals(index):  # no blank cell: every row in place, no label lookup
                result = pd.Series(direct.to_numpy(dtype="float64"), index=index)
            else:
                result = unread() if result is None else result
                result[text.index] = direct.to_numpy()
            missed = direct.isna().to_numpy()
            text = text[missed] if missed.any() else text.iloc[:0]
        else:
            simple = _simple_comma_cells(text) if simple is None else simple
            if simple.all() and text.index.equals(index):
                # Every cell is a simple amount (the usual export): no lookup by label.
                result = pd.Series(_read_simple_comma(text, simple), index=index)
                text = text.iloc[:0]
            elif simple.any():
                read = _read_simple_comma(text, simple)
                if text.index.equals(index):  # by position: a lookup by label takes longer
                    filled = np.full(len(index), np.nan)
                    filled[simple] = read
                    result = pd.Series(filled, index=index)
                else:
                    result = unread() if result is None else result
                    result[text.index[simple]] = read
                text = text[~simple]
        if len(text):
            result = unread() if result is None else result
            result[text.index] = _parse_messy_numbers(text, sep)
    else:
        sep = decimal or "."
    result = unread() if result is None else result
    bad = ~blank & (result.isna() | np.isinf(result))
    # Without a bad cell ``where`` would only copy every number.
    kept = result.where(~bad) if bad.any() else result
    return NumberParse(kept, bad, sep, currency)  # type: ignore[arg-type]


def looks_like_numbers(sample: pd.Series) -> float:
    """Share of non-blank cells that read as numbers (for table and column detection)."""
    if pd.api.types.is_datetime64_any_dtype(sample.dtype):
        # Date cells (a workbook's) are written out as ISO dates, never read as numbers:
        # spare the text parse a typed column would otherwise go through.
        return 0.0
    sample = sample[~blank_mask(sample)]
    if sample.empty:
        return 0.0
    if isinstance(sample.dtype, pd.StringDtype) and len(sample) <= _SMALL_SAMPLE:
        cells = sample.tolist()
        if all(isinstance(c, str) and _PLAIN_NUMBER.fullmatch(c) for c in cells):
            return 1.0  # "12", "-3.50": floats as written, whatever the rest decides
        if all(isinstance(c, str) and _PLAIN_AMOUNT.fullmatch(c) for c in cells):
            return 1.0  # "12,5", "1,234": a number with either separator, whichever wins
    if not sample.astype("str").str.contains(r"\d", regex=True).any():
        # Without a digit no cell is a finite number ("inf" is bad too): spare the parse.
        return 0.0
    if len(sample) <= _SMALL_SAMPLE:
        cells = [str(c) for c in sample.astype("str").tolist()]
        if all(_NO_NUMBER.search(_CUR_EDGE_PY.sub("", c.strip())) for c in cells):
            return 0.0  # "C-1024", "2025-01-31 10:00": no cell can be read as a number
    return float(1 - parse_numbers(sample).bad.mean())


# Detection samples are a few hundred cells: Python's engine reads them in microseconds,
# where each vectorised call costs a millisecond of set-up.
_SMALL_SAMPLE = 5000
_PLAIN_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")
# No date shape has a plain number of up to seven digits (a compact date has eight).
_SHORT_NUMBER = re.compile(r"-?[0-9]{1,7}(?:\.[0-9]{1,15})?")
_ANY_DIGIT = re.compile(r"\d")
_PLAIN_AMOUNT = re.compile(r"-?[0-9]{1,15}(?:,[0-9]{1,15})?")
# A character no number cell keeps once its currency marks are cut off: neither a digit, a
# separator, a sign, a bracket, a space, an exponent, nor a letter of "inf" or "nan" (what
# Python's float and Arrow's cast read, besides the cleaning of ``_parse_messy_numbers``).
_NO_NUMBER = re.compile(r"[^\d\s_.,+\-\u2212()eEinfatyINFATY\u00a0\u2007\u2009\u202f'’`]")
_CUR_EDGE_PY = re.compile(_CUR_EDGE)


# Dates -------------------------------------------------------------------------------------

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_ISO = (
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
    r"(?:\s*(?:Z|UTC|[+-]\d{2}:?\d{2}))?$"
)
_YMD = r"^(\d{4})[./](\d{1,2})[./](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
_DMY_GROUPS = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:,?[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
# The same shape without the back-reference, which Arrow's engine does not support.
_DMY = r"^\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?:,?[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
_YEAR_MONTH = r"^\d{4}-\d{2}$"
# Dates before 1950 or after 2100 are typing errors (0025 for 2025, 9999 for "never").
PLAUSIBLE = (pd.Timestamp("1950-01-01"), pd.Timestamp("2100-12-31"))


def _with_times(date_fmt: str) -> list[str]:
    return [f"{date_fmt} %H:%M:%S", f"{date_fmt} %H:%M", f"{date_fmt}T%H:%M:%S", date_fmt]


def _parse_with_formats(text: pd.Series, formats: list[str]) -> pd.Series:
    """Parse with the first format that fits, then the next on what is left, and so on.

    The formats are first ranked on a sample, so that a column of plain dates is parsed in one
    pass instead of failing through every timestamp format first. The formats of one shape
    never both read the same cell (they differ in separator, year width or time part), so each
    format is counted on the sample cells the formats before it left, and the counting stops
    once none is left: the same counts as trying every format on the whole sample.
    """
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    fits = dict.fromkeys(formats, 0)
    left = text.head(2000)
    for fmt in formats:
        if left.empty:
            break
        read = pd.to_datetime(left, format=fmt, errors="coerce").notna().to_numpy()
        fits[fmt] = int(read.sum())
        left = left[~read]
    formats = sorted(formats, key=lambda f: -fits[f])
    todo = text
    for fmt in formats:
        if todo.empty:
            break
        got = pd.to_datetime(todo, format=fmt, errors="coerce")
        if getattr(got.dt, "tz", None) is not None:
            got = got.dt.tz_localize(None)
        got = got.astype("datetime64[us]")
        ok = got.notna()
        out[got.index[ok]] = got[ok]
        todo = todo[~ok]
    return out


def decide_date_order(text: pd.Series) -> tuple[DateOrder | None, bool]:
    """Decide day-first or month-first for ``d/m/y``-shaped cells; also say if it is a guess.

    A first number above 12 proves day-first, a second above 12 month-first; the side with
    more proof wins. Dotted dates (``31.12.2025``) are day-first wherever they are written.
    Without proof the answer is day-first and ``ambiguous`` is True: the Data page asks.

    >>> decide_date_order(pd.Series(["03/04/2025", "13/04/2025"]))
    ('dmy', False)
    >>> decide_date_order(pd.Series(["03/04/2025", "04/05/2025"]))
    ('dmy', True)
    """
    if len(text) > 20_000:
        # The first 20,000 distinct cells, found in a prefix of the column when it holds them.
        size = 40_000
        while True:
            head = text.iloc[:size].unique()
            if len(head) >= 20_000 or size >= len(text):
                break
            size *= 4
        text = pd.Series(head[:20_000])
    fixed = _fixed_day_month(text)
    if fixed is not None:
        return fixed
    parts = text.astype("object").str.extract(_DMY_GROUPS).dropna()
    if parts.empty:
        return None, False
    first = parts[0].astype(int)
    second = parts[2].astype(int)
    day_first = int((first > 12).sum())
    month_first = int((second > 12).sum())
    if day_first > month_first:
        return "dmy", False
    if month_first > day_first:
        return "mdy", False
    if (parts[1] == ".").all():
        return "dmy", False
    return "dmy", True


def _fixed_day_month(text: pd.Series) -> tuple[DateOrder | None, bool] | None:
    """:func:`decide_date_order` for cells that all start ``dd.mm.yyyy`` (one separator).

    The cells of a fixed-width day-month column (see :func:`_fast_dates`) hold both numbers
    at the same places: they are cut out and compared in one vectorised pass each, where
    the pattern takes a Python call per cell. Each such cell is one the pattern reads the
    same way. None when some cell does not start so: then the pattern decides.
    """
    if text.empty or not isinstance(text.dtype, pd.StringDtype):
        return None
    cells = pa.array(text)
    if cells.null_count:
        return None
    head = pc.utf8_slice_codeunits(cells, 0, 10)
    sep = head[0].as_py()[2:3] if len(head[0].as_py()) >= 3 else ""
    if (
        sep not in (".", "/", "-")
        or not pc.all(
            pc.match_substring_regex(
                head, rf"^\d{{2}}{re.escape(sep)}\d{{2}}{re.escape(sep)}\d{{4}}$"
            )
        ).as_py()
    ):
        return None
    if not pc.all(pc.match_substring_regex(cells, _DMY)).as_py():
        return None  # something after the date that the pattern would not take
    first = pc.cast(pc.utf8_slice_codeunits(head, 0, 2), pa.int64()).to_numpy()
    second = pc.cast(pc.utf8_slice_codeunits(head, 3, 5), pa.int64()).to_numpy()
    day_first = int((first > 12).sum())
    month_first = int((second > 12).sum())
    if day_first > month_first:
        return "dmy", False
    if month_first > day_first:
        return "mdy", False
    return ("dmy", False) if sep == "." else ("dmy", True)


_COMPACT = r"^(?:19[5-9]\d|20\d\d|2100)(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$"
_OFFSET = r"\s*(?:Z|UTC|[+-]\d{2}:?\d{2})$"
_SHAPES = {"iso": _ISO, "compact": _COMPACT, "month": _YEAR_MONTH, "ymd": _YMD, "dmy": _DMY}
_SHAPE_NOTES = {
    "iso": "ISO dates",
    "compact": "compact YYYYMMDD dates",
    "month": "months",
    "ymd": "year-first dates",
    "dmy": "day-first dates",
}

# Month names and their usual abbreviations in the eight languages, nominative and genitive
# ("3 марта 2025", "15 stycznia 2025", "3. März 2025", "3 de marzo de 2025"). Keys are folded
# (lower case, accents and the Cyrillic breve dropped) the way :func:`_fold` folds a cell's word.
_MONTH_WORDS: dict[int, str] = {
    1: "january jan janvier janv enero ene januar jänner jaenner ianuarie ian "
    "январь января янв styczeń stycznia sty januarja",
    2: "february feb février févr fevr fév fev febrero februar februarie "
    "февраль февраля фев luty lutego lut februarja",
    3: "march mar mars marzo märz maerz mrz martie март марта marzec marca marec",
    4: "april apr avril avr abril abr aprilie апрель апреля апр kwiecień kwietnia kwi aprila",
    5: "may mai mayo май мая maj maja",
    6: "june jun juin junio juni iunie iun июнь июня июн czerwiec czerwca cze junij junija",
    7: "july jul juillet juil julio juli iulie iul июль июля июл lipiec lipca lip julij julija",
    8: "august aug août aout agosto ago avgust avgusta август августа авг sierpień sierpnia sie",
    9: "september sep sept septembre septiembre setiembre set septembrie "
    "сентябрь сентября сен сент wrzesień września wrz septembra",
    10: "october oct octobre octubre oktober okt octombrie "
    "октябрь октября окт październik października paź oktobra",
    11: "november nov novembre noviembre noiembrie noi "
    "ноябрь ноября ноя listopad listopada lis novembra",
    12: "december dec décembre déc diciembre dic dezember dez decembrie "
    "декабрь декабря дек grudzień grudnia gru decembra",
}


def _fold(word: str) -> str:
    """Lower case without accents or breves: ``März`` and ``marz``, ``май`` and ``маи`` meet."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_MONTHS: dict[str, int] = {
    _fold(w): month for month, words in _MONTH_WORDS.items() for w in words.split()
}
_WORD = r"[^\W\d_]+"
# A letter for either regex engine (Arrow's RE2 reads \W as ASCII only).
_LETTER = "[A-Za-z\u00c0-\u024f\u0400-\u04ff]"
_MONTH_CELL = re.compile(
    rf"^(?:(?P<d1>\d{{1,2}})\.?[\s/-]*(?P<m1>{_WORD})\.?[\s/,-]*(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_WORD})\.?\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\.?,?\s*(?P<y2>\d{{4}})"
    rf"|(?P<m3>{_WORD})\.?\s+(?P<y3>\d{{4}}))"
    r"(?:[\sT,]+(?P<time>\d{1,2}:\d{2}(?::\d{2})?))?$"
)
# Words around the date that carry no meaning: Spanish "de", a year's "г." / "года" / "r." /
# "roku" (Russian, Polish).
_MONTH_NOISE = re.compile(r"\b(?:de|del)\b|(?<=\d)\s*(?:г\.?|года|godine|r\.|roku)(?=\W|$)")


def _parse_month_names(text: pd.Series) -> pd.Series:
    """Dates written with a month name: ``3 марта 2025``, ``January 3, 2025``, ``März 2025``.

    A month alone (``März 2025``) is its first day, like ``2025-03``. NaT where the cell has
    no such shape or its word is no month in the eight languages.
    """
    cells = text.astype("object").str.lower().str.replace(_MONTH_NOISE, " ", regex=True)
    parts = cells.str.strip().str.replace(r"\s+", " ", regex=True).str.extract(_MONTH_CELL)
    word = parts["m1"].fillna(parts["m2"]).fillna(parts["m3"])
    month = word.map(lambda w: _MONTHS.get(_fold(w)) if isinstance(w, str) else None)
    day = parts["d1"].fillna(parts["d2"]).fillna("1")
    year = parts["y1"].fillna(parts["y2"]).fillna(parts["y3"])
    ok = month.notna() & year.notna()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if ok.any():
        iso = (
            year[ok]
            + "-"
            + month[ok].astype(int).map("{:02d}".format)
            + "-"
            + day[ok].astype(int).map("{:02d}".format)
            + (" " + parts.loc[ok, "time"]).fillna("")
        )
        got = pd.to_datetime(iso, format="ISO8601", errors="coerce")
        out[got.index] = got.astype("datetime64[us]")
    return out


def _offsets(part: pd.Series) -> tuple[str, ...]:
    """The distinct UTC offsets ending ISO cells, as ``+01:00`` or ``Z``, first seen first."""
    found = part.str.extract(r"(Z|UTC|[+-]\d{2}:?\d{2})$")[0].dropna()
    return tuple(_offset_label(o) for o in pd.unique(found.to_numpy(dtype=object)))


def _offset_label(raw: str) -> str:
    raw = raw.strip()
    if raw in ("Z", "UTC"):
        return raw
    return raw if ":" in raw else f"{raw[:3]}:{raw[3:]}"


def _parse_shape(
    part: pd.Series, shape: str, order: DateOrder | None
) -> tuple[pd.Series, tuple[str, ...]]:
    """Parse cells that all have one shape (see ``_SHAPES``); NaT where that fails.

    Also returns the UTC offsets written in ISO cells: they are cut off, and each time kept
    as written (the rule of :func:`parse_dates`), so a winter ``+0100`` and a summer ``+0200``
    in one column never clash.
    """
    if shape == "iso":
        offsets = _offsets(part)
        if offsets:
            part = part.str.replace(_OFFSET, "", regex=True)
        got = pd.to_datetime(part, format="ISO8601", errors="coerce")
        return got.astype("datetime64[us]"), offsets
    if shape == "compact":
        got = pd.to_datetime(part, format="%Y%m%d", errors="coerce")
        return got.astype("datetime64[us]"), ()
    if shape == "month":
        got = pd.to_datetime(part, format="%Y-%m", errors="coerce")
        return got.astype("datetime64[us]"), ()
    if shape == "ymd":
        return _parse_with_formats(part, _year_first_formats()), ()
    formats = _day_month_formats(order)
    return _parse_with_formats(part.str.replace(",", "", regex=False), formats), ()


def _year_first_formats() -> list[str]:
    return [f for sep in "/." for f in _with_times(f"%Y{sep}%m{sep}%d")]


def _day_month_formats(order: DateOrder | None) -> list[str]:
    first, second = ("%d", "%m") if order != "mdy" else ("%m", "%d")
    return [
        f
        for sep in "./-"
        for year in ("%Y", "%y")
        for f in _with_times(f"{first}{sep}{second}{sep}{year}")
    ]


# Fast path: one fixed-width layout for the whole column, read by Arrow's strptime -------------

_HH = r"(?:[01]\d|2[0-3])"
_MS = r"[0-5]\d"
_DD = r"(?:0[1-9]|[12]\d|3[01])"
_MM = r"(?:0[1-9]|1[0-2])"
_YYYY = r"\d{4}"


@dataclass(frozen=True)
class _Layout:
    """One fixed-width way of writing a date, as a strict pattern and its strptime format.

    ``day`` is where the day's two digits sit (Arrow's strptime turns 30 February into
    2 March; comparing the day read with the day written rejects such cells). ``width``
    is the length of the wall-clock part when an offset may follow it.
    """

    pattern: str
    fmt: str
    day: tuple[int, int]
    shape: str
    width: int | None = None


def _fast_layouts(order: DateOrder | None) -> list[_Layout]:
    times = [
        (f" {_HH}:{_MS}:{_MS}", " %H:%M:%S"),
        (f"T{_HH}:{_MS}:{_MS}", "T%H:%M:%S"),
        (f" {_HH}:{_MS}", " %H:%M"),
        ("", ""),
    ]
    out: list[_Layout] = []
    for t_pat, t_fmt in times:
        out.append(_Layout(f"^{_YYYY}-{_MM}-{_DD}{t_pat}$", f"%Y-%m-%d{t_fmt}", (8, 10), "iso"))
    for t_pat, t_fmt in times[:2]:
        # ISO with an offset: the first 19 characters are the wall-clock time (kept).
        out.append(
            _Layout(
                rf"^{_YYYY}-{_MM}-{_DD}{t_pat}(?:Z| ?[+-]\d{{2}}:?\d{{2}})$",
                f"%Y-%m-%d{t_fmt}",
                (8, 10),
                "iso",
                width=19,
            )
        )
    out.append(_Layout(_COMPACT, "%Y%m%d", (6, 8), "compact"))
    first_day = order != "mdy"
    for sep in "./-":
        s = re.escape(sep)
        if first_day:
            pat, fmt, day = f"{_DD}{s}{_MM}", f"%d{sep}%m", (0, 2)
        else:
            pat, fmt, day = f"{_MM}{s}{_DD}", f"%m{sep}%d", (3, 5)
        for t_pat, t_fmt in times:
            out.append(_Layout(f"^{pat}{s}{_YYYY}{t_pat}$", f"{fmt}{sep}%Y{t_fmt}", day, "dmy"))
    return out


_FAST_MIN = 2000  # below this the general path is quick anyway


def _fast_dates(text: pd.Series, order: DateOrder | None) -> DateParse | None:
    """Parse a text column written in one fixed-width layout in a single vectorised pass.

    The layout is chosen from the first 2,000 cells; Arrow's ``strptime`` reads every cell
    that matches its strict pattern. Returns None (use the general path) when no layout fits
    the sample, or when a day-month column has cells of other shapes (its day order is then
    decided on all of them, as the general path does). Other leftovers are read by the
    general path. Every cell gets the value the general path gives it: the patterns only
    take cells that path reads with the same format, and tests compare both.
    """
    sample = _first_present(text, 2000)
    if sample.empty:
        return None
    sample = _as_text(sample)

    def fitting(layout_order: DateOrder | None) -> _Layout | None:
        for layout in _fast_layouts(layout_order):
            if sample.str.match(layout.pattern).fillna(False).all():
                return layout
        return None

    chosen = fitting(order) or (fitting("mdy") if order is None else None)
    if chosen is None:
        return None
    decided, ambiguous = order, False
    if chosen.shape == "dmy" and order is None:
        decided, ambiguous = decide_date_order(sample)
        chosen = fitting(decided)
        if chosen is None or chosen.shape != "dmy":
            return None
    cells = pa.array(_as_text(text))
    hit_np, stamps = _layout_cells(cells, chosen)
    blank = blank_mask(text).to_numpy(dtype=bool)
    left = ~hit_np & ~blank
    if chosen.shape == "dmy" and left.any():
        return None
    if chosen.shape == "dmy" and order is None:
        # The general path decides on every day-month cell: so does this one.
        first = decided
        decided, ambiguous = decide_date_order(text[hit_np])
        if decided != first:
            return None
    offsets: tuple[str, ...] = ()
    if chosen.width:
        ends = _endings(cells, hit_np, chosen.width)
        offsets = tuple(dict.fromkeys(_offset_label(e) for e in ends if e.strip()))
    # Cells the layout's pattern took but strptime refused (31.02.2025): the general path.
    left |= hit_np & np.isnat(stamps)
    values = pd.Series(stamps, index=text.index)
    notes = [_SHAPE_NOTES[chosen.shape] if decided != "mdy" else "month-first dates"]
    read_as: tuple[str, ...] = tuple(notes)
    serials = False
    if left.any():
        rest = parse_dates(text[left], order=decided, _fast=False)
        values[left] = rest.values.to_numpy()
        read_as = tuple(dict.fromkeys(read_as + rest.read_as))
        offsets = tuple(dict.fromkeys(offsets + rest.offsets))
        serials = rest.serials
    implausible = values.notna() & ((values < PLAUSIBLE[0]) | (values > PLAUSIBLE[1]))
    bad = pd.Series(~blank, index=text.index) & values.isna() | implausible
    return DateParse(
        values.where(~implausible),
        bad,
        decided,
        ambiguous,
        ", ".join(read_as),
        read_as,
        serials,
        order is not None,
        offsets,
    )


def _endings(cells: pa.Array | pa.ChunkedArray, hit: np.ndarray, start: int) -> list[str]:
    """The distinct endings of the ``hit`` cells from character ``start`` (up to the 64th),
    first seen first: what ``pc.unique`` of their ``utf8_slice_codeunits`` gives.

    The hit cells are ASCII (the layout's pattern says so). A block of cells of one width,
    with endings of at most eight bytes (UTC offsets), is read from its bytes: each ending
    packed into one integer, the distinct integers found by hashing, a few read back.
    """
    chunks = cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]
    found: list[str] = []
    at = 0
    for chunk in chunks:
        n = len(chunk)
        mine, at = hit[at : at + n], at + n
        if not mine.any():
            continue
        _, offsets, chars = chunk.buffers()
        kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        bounds = np.frombuffer(offsets, dtype=kind)[chunk.offset : chunk.offset + n + 1]
        width = int(bounds[1] - bounds[0])
        if (
            chunk.null_count
            or chars is None
            or not start < width <= start + 8
            or not (np.diff(bounds) == width).all()
        ):
            sub = chunk.filter(pa.array(mine))
            found.extend(pc.unique(pc.utf8_slice_codeunits(sub, start, 64)).to_pylist())
            continue
        grid = np.frombuffer(chars, dtype=np.uint8)[bounds[0] : bounds[-1]].reshape(n, width)
        packed = np.zeros((n, 8), dtype=np.uint8)
        packed[:, : width - start] = grid[:, start:]
        keys = packed.view("<u8").ravel()
        for key in pd.unique(keys if mine.all() else keys[mine]):
            found.append(int(key).to_bytes(8, "little")[: width - start].decode("ascii"))
    return list(dict.fromkeys(found))


def _layout_cells(
    cells: pa.Array | pa.ChunkedArray, layout: _Layout
) -> tuple[np.ndarray, np.ndarray]:
    """The cells that fit ``layout``'s strict pattern, and their times (NaT where the day
    written does not exist in its month, as 30 February).

    A block of cells that all have the layout's width is read from its bytes as a matrix,
    one column per character: digits, separators and the ranges of the pattern checked
    column by column, the fields turned into times by calendar arithmetic. Other blocks
    are matched by the pattern and read by Arrow's ``strptime``. Both give the same cells
    the same times (tests compare them).
    """
    chunks = cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]
    hits, stamps = [], []
    for chunk in chunks:
        fixed = _fixed_width_cells(chunk, layout)
        if fixed is None:
            fixed = _pattern_cells(chunk, layout)
        hits.append(fixed[0])
        stamps.append(fixed[1])
    if not hits:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype="datetime64[us]")
    return np.concatenate(hits), np.concatenate(stamps)


def _pattern_cells(cells: pa.Array, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_layout_cells` by the strict pattern and Arrow's ``strptime``."""
    hit = pc.fill_null(pc.match_substring_regex(cells, layout.pattern), False)
    hit_np = hit.to_numpy(zero_copy_only=False)
    sub = cells.filter(hit)
    wall = pc.utf8_slice_codeunits(sub, 0, layout.width) if layout.width else sub
    got = pc.strptime(wall, format=layout.fmt, unit="s", error_is_null=True)
    written = pc.cast(pc.utf8_slice_codeunits(sub, *layout.day), pa.int64())
    same_day = pc.fill_null(pc.equal(pc.day(got), written), False)
    got = pc.if_else(same_day, got, pa.scalar(None, got.type))
    stamps = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[us]")
    stamps[hit_np] = got.to_numpy(zero_copy_only=False).astype("datetime64[us]")
    return hit_np, stamps


# Each strptime field: its digits and the values the strict pattern allows (_DD, _MM, _HH, _MS).
_FIELDS = {"Y": (4, 0, 9999), "m": (2, 1, 12), "d": (2, 1, 31), "H": (2, 0, 23), "M": (2, 0, 59),
           "S": (2, 0, 59)}  # fmt: skip


# After an ISO clock time (``_fast_layouts``): Z, or an offset (s: + or -, D: a digit).
_OFFSET_SUFFIXES = ("Z", "sDDDD", "sDD:DD", " sDDDD", " sDD:DD")
# Per month of the years 0-9999 (index ``12 * year + month - 1``): its first day, in
# microseconds since 1970-01-01 (proleptic Gregorian, as numpy counts), and its length in days.
# Two lookups stand in for a dozen passes of calendar arithmetic over every cell.
_MONTHS_FROM_1970 = np.arange(-1970 * 12, (10_000 - 1970) * 12 + 1).astype("datetime64[M]")
_MONTH_FIRST_DAY = _MONTHS_FROM_1970.astype("datetime64[D]").astype(np.int64)
_MONTH_START_US = _MONTH_FIRST_DAY[:-1] * 86_400_000_000
_MONTH_LENGTH = np.diff(_MONTH_FIRST_DAY).astype(np.uint8)
_SECONDS_IN = {"H": 3600, "M": 60, "S": 1}


def _fixed_width_cells(cells: pa.Array, layout: _Layout) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_layout_cells` from the bytes, when every cell is as wide as the layout.

    An ISO layout that an offset may follow takes cells that all have one offset width
    (``+01:00``, or ``Z``). None when it does not apply: a compact date (its pattern allows
    fewer years), a missing cell, or cells of more than one width.
    """
    if layout.shape == "compact" or cells.null_count:
        return None
    fields: dict[str, int] = {}
    literals: list[tuple[int, int]] = []
    at, i, fmt = 0, 0, layout.fmt
    while i < len(fmt):
        if fmt[i] == "%":
            if fmt[i + 1] not in _FIELDS or fmt[i + 1] in fields:
                return None
            fields[fmt[i + 1]] = at
            at += _FIELDS[fmt[i + 1]][0]
            i += 2
        else:
            literals.append((at, ord(fmt[i])))
            at += 1
            i += 1
    n = len(cells)
    if not {"Y", "m", "d"} <= fields.keys() or not fmt.isascii() or layout.width not in (None, at):
        return None
    _, offsets, chars = cells.buffers()
    kind = np.int64 if pa.types.is_large_string(cells.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=kind)[cells.offset : cells.offset + n + 1]
    if n == 0 or chars is None:
        return None
    width = int(bounds[1] - bounds[0])
    suffixes = [t for t in _OFFSET_SUFFIXES if len(t) == width - at] if layout.width else [""]
    if width < at or not suffixes or not (np.diff(bounds) == width).all():
        return None
    grid = np.frombuffer(chars, dtype=np.uint8)[bounds[0] : bounds[-1]].reshape(n, width)
    rows = np.ascontiguousarray(grid.T)  # one contiguous row per character position
    ok = np.zeros(n, dtype=bool)
    for suffix in suffixes:  # what the pattern allows after the clock time, if anything
        fits = np.ones(n, dtype=bool)
        for k, char in enumerate(suffix, start=at):
            if char == "D":
                fits &= rows[k] - np.uint8(48) <= 9
            elif char == "s":
                fits &= (rows[k] == ord("+")) | (rows[k] == ord("-"))
            else:
                fits &= rows[k] == ord(char)
        ok |= fits
    for pos, code in literals:
        ok &= rows[pos] == code
    # Each field is read two digits at a time in bytes (0-99); wider numbers only at the end.
    pairs: dict[tuple[str, int], np.ndarray] = {}
    for name, pos in fields.items():
        for k in range(0, _FIELDS[name][0], 2):
            tens = rows[pos + k] - np.uint8(48)  # wraps above 9 for every byte but a digit
            units = rows[pos + k + 1] - np.uint8(48)
            ok &= (tens <= 9) & (units <= 9)
            pairs[name, k] = tens * np.uint8(10) + units
    for name in fields.keys() - {"Y"}:
        _, low, high = _FIELDS[name]
        ok &= (pairs[name, 0] >= low) & (pairs[name, 0] <= high)
    keep = ok.view(np.uint8)  # a cell the pattern refuses reads as index -1: masked below
    year = (pairs["Y", 0] * keep).astype(np.intp) * 100 + pairs["Y", 2] * keep
    month = year * 12 + (pairs["m", 0] * keep) - 1
    day = pairs["d", 0]
    exists = day <= _MONTH_LENGTH[month]  # 30 February: no such day
    seconds = (day.astype(np.int32) - 1) * 86_400
    for name, mult in _SECONDS_IN.items():
        if name in fields:
            seconds += pairs[name, 0].astype(np.int32) * mult
    stamps = _MONTH_START_US[month] + seconds.astype(np.int64) * 1_000_000
    stamps[~(ok & exists)] = np.iinfo(np.int64).min  # NaT
    stamps = stamps.view("datetime64[us]")
    return ok, stamps


def _one_width(values: pd.Series) -> bool:
    """Whether the column's first 2,000 cells are all filled and all as long (one layout)."""
    head = values.iloc[:2000]
    return bool(head.notna().all()) and head.str.len().nunique() == 1


def _mostly_distinct(values: pd.Series) -> bool:
    """Whether the column's first 2,000 cells are nearly all different (timestamps)."""
    head = values.iloc[:2000]
    return head.nunique() >= 0.9 * len(head)


def _numbers_as_dates(numbers: pd.Series) -> tuple[pd.Series, list[str]]:
    """Numbers in a date column: ``19970101`` is a compact date, others Excel serial days."""
    out = pd.Series(pd.NaT, index=numbers.index, dtype="datetime64[us]")
    ways: list[str] = []
    whole = numbers.notna() & (numbers == numbers.round())
    compact = whole & numbers.between(19500101, 21001231)
    if compact.any():
        text = numbers[compact].astype("int64").astype("str")
        got = pd.to_datetime(text, format="%Y%m%d", errors="coerce").astype("datetime64[us]")
        out[got.index] = got
        compact = compact & out.notna()
        if compact.any():
            ways.append(_SHAPE_NOTES["compact"])
    serial = ~compact & numbers.between(1, 2958465)
    if serial.any():
        out[numbers.index[serial]] = _from_serial(numbers[serial])
        ways.append("Excel serial numbers")
    return out, ways


def parse_dates(
    values: pd.Series, *, order: DateOrder | None = None, _fast: bool = True
) -> DateParse:
    """Parse a column of dates or timestamps, as written in the spreadsheet.

    Understands ISO dates and timestamps (``Z``, ``UTC`` and ``+01:00`` / ``+0100`` offsets),
    ``31.12.2025``, ``12/31/2025``, ``31-12-25``, ``2025/12/31``, compact ``20251231``,
    ``2025-12`` (a month), month names in the eight languages (``3 марта 2025``,
    ``15 stycznia 2025``, ``3. März 2025``, ``January 3, 2025``), optional times, Excel
    serial day numbers (days since 1899-12-30) and workbook date cells. ``order`` forces
    day-first (``dmy``) or month-first (``mdy``). Dates outside 1950-2100 are bad
    (``PLAUSIBLE``), like cells that are no date at all; blank cells are NaT, not bad.

    One rule for UTC offsets: the offset is dropped and the time kept as written, the local
    clock time of whoever made the export. A year of ``+0100`` winter and ``+0200`` summer
    stamps reads as the shop's own hours and days; ``Z`` stamps stay in UTC. The offsets seen
    are listed in :attr:`DateParse.offsets`.

    >>> r = parse_dates(pd.Series(["31.12.2025", "2025-01-02 10:30", "45658", "", "soon"]))
    >>> [str(v)[:16] for v in r.values]
    ['2025-12-31 00:00', '2025-01-02 10:30', '2025-01-01 00:00', 'NaT', 'NaT']
    >>> r.bad.tolist()
    [False, False, False, False, True]
    """
    if (
        _fast
        and len(values) >= _FAST_MIN
        and isinstance(values.dtype, pd.StringDtype)
        and values.dtype.storage == "pyarrow"
        and (_mostly_distinct(values) or _one_width(values))
    ):
        # Timestamps rarely repeat: one pass over the column. Cells of one width are read
        # from their bytes, quicker than finding the repeats; other dates that repeat are
        # parsed once per distinct cell below.
        fast = _fast_dates(values, order)
        if fast is not None:
            return fast
    if (
        len(values) > 5000
        and values.dtype != object
        and not pd.api.types.is_datetime64_any_dtype(values.dtype)
    ):
        # Dates repeat: a million orders fall on a thousand days. Parse each distinct cell once
        # (date cells need no parsing: converting them is quicker than finding the repeats).
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques) < len(values) // 2:
            once = parse_dates(pd.Series(uniques, dtype=values.dtype), order=order, _fast=_fast)
            taken = once.values.to_numpy()[codes]
            taken[codes < 0] = np.datetime64("NaT")
            bad = once.bad.to_numpy()[codes] & (codes >= 0)
            return dataclasses.replace(
                once,
                values=pd.Series(taken, index=values.index, dtype="datetime64[us]"),
                bad=pd.Series(bad, index=values.index),
            )
    index = values.index
    blank = blank_mask(values)
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
    decided: DateOrder | None = order
    ambiguous = False
    notes: list[str] = []
    offsets: tuple[str, ...] = ()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        v = values.dt.tz_localize(None) if values.dt.tz is not None else values
        out = v.astype("datetime64[us]")
        notes.append("date cells")
    elif pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        out, ways = _numbers_as_dates(values.astype("float64"))
        notes.extend(ways)
    else:
        rest = values[~blank]
        if values.dtype == object and len(rest):
            is_dt = rest.map(lambda v: isinstance(v, dt.date | dt.datetime | pd.Timestamp))
            if is_dt.any():
                got = pd.to_datetime(rest[is_dt], errors="coerce").astype("datetime64[us]")
                out[got.index] = got
                notes.append("date cells")
                rest = rest[~is_dt]
            is_num = rest.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
            if is_num.any():
                got, ways = _numbers_as_dates(pd.to_numeric(rest[is_num], errors="coerce"))
                out[got.index] = got
                notes.extend(ways)
                rest = rest[~is_num]
        if len(rest):
            text = _as_text(rest)
            shapes = ["iso", "compact", "month", "ymd", "dmy"]
            sample = text.head(2000)
            # The shape most cells have goes first: usually one pass parses the whole column.
            shapes.sort(key=lambda sh: -int(sample.str.match(_SHAPES[sh]).sum()))
            for shape in shapes:
                if text.empty:
                    break
                hit = text.str.match(_SHAPES[shape]).fillna(False).to_numpy()
                if not hit.any():
                    continue
                part = text[hit]
                if shape == "dmy" and decided is None:
                    decided, ambiguous = decide_date_order(part)
                got, found = _parse_shape(part, shape, decided)
                offsets = tuple(dict.fromkeys(offsets + found))
                out[got.index] = got
                notes.append(
                    _SHAPE_NOTES[shape]
                    if shape != "dmy" or decided != "mdy"
                    else "month-first dates"
                )
                parsed = got.notna().to_numpy()
                text = text.drop(part.index[parsed])
            serial = pd.to_numeric(text, errors="coerce")
            is_serial = serial.between(1, 2958465)
            if is_serial.any():
                out[serial[is_serial].index] = _from_serial(serial[is_serial])
                notes.append("Excel serial numbers")
            text = text[~is_serial]
            if len(text) and text.str.contains(_LETTER, regex=True).any():
                got = _parse_month_names(text)
                if got.notna().any():
                    out[got.index[got.notna()]] = got[got.notna()]
                    notes.append("month names")
                    text = text[got.isna().to_numpy()]
            if len(text):
                # Other rare shapes ("Mon, 3 Mar 2025 14:00", "3rd of March").
                got = _mixed_dates(text, dayfirst=decided != "mdy")
                out[got.index] = got
    implausible = out.notna() & ((out < PLAUSIBLE[0]) | (out > PLAUSIBLE[1]))
    bad = (~blank & out.isna()) | implausible
    out = out.where(~implausible)
    ways = tuple(dict.fromkeys(notes))
    return DateParse(
        out,
        bad,
        decided,
        ambiguous,
        ", ".join(ways) or "none",
        ways,
        "Excel serial numbers" in ways,
        order is not None,
        offsets,
    )


def _mixed_dates(text: pd.Series, *, dayfirst: bool) -> pd.Series:
    """Cells of no known shape, read by pandas' flexible parser; NaT where it fails.

    An offset is dropped as in ISO cells (times kept as written). Cells with different
    offsets make the vectorised call refuse the column: they are then read one by one.
    """
    try:
        got = pd.to_datetime(text, format="mixed", dayfirst=dayfirst, errors="coerce")
        if getattr(got.dt, "tz", None) is not None:
            got = got.dt.tz_localize(None)
        return got.astype("datetime64[us]")
    except (ValueError, TypeError, OverflowError):
        pass
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for i, cell in text.items():
        try:
            one = pd.Timestamp(pd.to_datetime(cell, dayfirst=dayfirst))
        except (ValueError, TypeError, OverflowError):
            continue
        if one is not pd.NaT and PLAUSIBLE[0].year <= one.year <= PLAUSIBLE[1].year:
            out[i] = one.tz_localize(None) if one.tzinfo is not None else one
    return out


def _from_serial(serial: pd.Series) -> pd.Series:
    ok = serial.between(1, 2958465)
    days = serial.where(ok)
    result = _EXCEL_EPOCH + pd.to_timedelta(days * 86400, unit="s").dt.round("s")
    return result.astype("datetime64[us]")


def implausible_dates(values: pd.Series, *, order: DateOrder | None = None) -> pd.Series:
    """True where a cell reads as a date but falls outside 1950-2100."""
    got = parse_dates(values, order=order)
    return got.bad & ~blank_mask(values) & (values.astype("str").str.strip() != "")


# A few hundred cells (a header row, a detection sample) are matched by Python's engine, one
# call per cell: microseconds, where each vectorised pass costs a millisecond of set-up. pandas
# gives its string methods Python's ``re`` semantics, so both ways find the same cells.
_SHAPED_FEW = 500
_DATE_SHAPES_PY = tuple(re.compile(p) for p in (_ISO, _DMY, _YMD, _YEAR_MONTH, _COMPACT))
_LETTER_PY = re.compile(_LETTER)
_YEAR_PY = re.compile(r"\b\d{4}\b")


def _date_shaped(text: pd.Series) -> pd.Series:
    """Cells shaped like a date: the numeric shapes, or a word beside a four-digit year."""
    if len(text) <= _SHAPED_FEW:
        shaped_few = [
            isinstance(c, str)
            and (
                any(p.match(c) for p in _DATE_SHAPES_PY)
                or bool(_LETTER_PY.search(c) and _YEAR_PY.search(c))
            )
            for c in text.tolist()
        ]
        return pd.Series(shaped_few, index=text.index, dtype=bool, name=text.name)
    shaped = (
        text.str.match(_ISO)
        | text.str.match(_DMY)
        | text.str.match(_YMD)
        | text.str.match(_YEAR_MONTH)
        | text.str.match(_COMPACT)
        | (text.str.contains(_LETTER) & text.str.contains(r"\b\d{4}\b"))
    )
    return shaped.fillna(False).astype(bool)


def date_cells(text: pd.Series) -> pd.Series:
    """Per cell: True where the text has a date's shape and reads as one.

    >>> date_cells(pd.Series(["2025-01-31", "Date", "31.01.2025", "2025-13-45"])).tolist()
    [True, False, True, False]
    """
    text = _as_text(text)
    shaped = _date_shaped(text)
    out = pd.Series(False, index=text.index)
    if shaped.any():
        out[shaped] = ~parse_dates(text[shaped]).bad.to_numpy(dtype=bool)
    return out


def looks_like_dates(sample: pd.Series) -> float:
    """Share of non-blank cells that read as dates (numbers alone do not count as dates)."""
    sample = sample[~blank_mask(sample)]
    if sample.empty:
        return 0.0
    if pd.api.types.is_datetime64_any_dtype(sample.dtype):
        return 1.0
    if sample.dtype == object:
        is_dt = sample.map(lambda v: isinstance(v, dt.date | dt.datetime))
        if is_dt.mean() >= 0.8:
            return float(is_dt.mean())
    text = _as_text(sample)
    if len(text) <= _SMALL_SAMPLE:
        # Every date shape holds a digit, and none is a short plain number: a sample of
        # words, or of counts and amounts, is no date without the six patterns' passes.
        cells = [c if isinstance(c, str) else str(c) for c in text.tolist()]
        if not any(_ANY_DIGIT.search(c) for c in cells) or all(
            _SHORT_NUMBER.fullmatch(c) for c in cells
        ):
            return 0.0
    shaped = _date_shaped(text)
    if shaped.mean() < 0.5:
        return 0.0
    return float(1 - parse_dates(text).bad.mean())


# Flags and ids -----------------------------------------------------------------------------

_TRUE = {
    "yes", "y", "true", "t", "1", "x", "✓", "✔", "да", "д", "tak", "da", "ja", "j",
    "oui", "o", "si", "sí", "s", "1.0", "wahr", "vrai", "verdadero", "adevarat", "adevărat",
}  # fmt: skip
_FALSE = {
    "no", "n", "false", "f", "0", "-", "нет", "н", "nie", "ne", "nu", "nein", "non", "falso",
    "0.0", "falsch", "faux", "fals",
}  # fmt: skip


def parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no cells in the eight languages; return (boolean Series, bad mask).

    >>> parse_flags(pd.Series(["Tak", "нет", "", "maybe", "Oui"]))[0].tolist()
    [True, False, <NA>, <NA>, True]
    """
    blank = blank_mask(values)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), pd.Series(False, index=values.index)
    text = _as_text(values.astype("str") if values.dtype == object else values).str.lower()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False).to_numpy()] = True
    out[text.isin(_FALSE).fillna(False).to_numpy()] = False
    bad = ~blank & out.isna()
    return out, bad


def parse_ids(values: pd.Series) -> pd.Series:
    """Ids as stripped text; ``1234.0`` from a workbook's number cell becomes ``1234``.

    >>> parse_ids(pd.Series([1234.0, " C-7 ", None])).tolist()
    ['1234', 'C-7', nan]
    """
    if pd.api.types.is_float_dtype(values.dtype):
        whole = values.dropna()
        if (whole == whole.round()).all():
            text = values.astype("Int64").astype("str")
            return text.where(values.notna())
    if values.dtype == object:
        values = values.map(
            lambda v: str(int(v)) if isinstance(v, float) and v == v and v.is_integer() else v
        )
    if isinstance(values.dtype, pd.StringDtype):
        # Stripped text is empty exactly where the cell was blank, and missing where it was.
        text = _as_text(values)
        if _all_filled(text):
            return text  # nothing missing, nothing empty: spare two passes and a copy
        return text.where(text.notna() & (text != ""))
    text = _as_text(values.astype("str") if values.dtype == object else values)
    return text.where(~blank_mask(values) & (text != ""))


def _all_filled(text: pd.Series) -> bool:
    """Whether an Arrow-backed text column has no missing and no empty cell (from its offsets)."""
    if not (isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow"):
        return False
    cells = pa.array(text)
    chunks = cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]
    for chunk in chunks:
        if chunk.null_count or not (
            pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)
        ):
            return False
        _, offsets, _ = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        bounds = np.frombuffer(offsets, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
        if len(chunk) and np.diff(bounds).min() == 0:
            return False
    return True


def parse_text(values: pd.Series) -> pd.Series:
    """Free text and categories as stripped text; blank cells missing."""
    if values.dtype == object:
        return parse_ids(values)
    text = _as_text(values)
    return text if _all_filled(text) else text.replace("", pd.NA)
