"""Reading uploaded bytes (CSV, TSV, TXT, XLSX, XLSM, XLS, ODS, Parquet) into raw tables.

A raw table is what a person sees in the file: the header row found (below any title or blank
rows), every later row kept as text cells (workbook cells keep their numbers and dates), empty
trailing rows and columns dropped. Which canonical table it holds, and what its cells mean, is
decided later (:mod:`kpi.schema`, :mod:`kpi.ingest`). Nothing here writes to disk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from kpi.encoding import detect_encoding
from kpi.errors import ReadError
from kpi.values import blank_mask, date_cells, parse_numbers


@dataclass(frozen=True)
class Limits:
    """Bounds on what one upload may hold; each is explained to the user when it is hit.

    The defaults match the app's .streamlit/config.toml and limits.toml: a ten-million-row
    orders export (about 430 MB of CSV) fits.
    """

    max_bytes: int = 1024 * 2**20
    max_rows: int = 12_000_000
    max_columns: int = 1_000
    max_sheets: int = 50
    max_unzipped_bytes: int = 1_500 * 2**20
    max_zip_ratio: float = 250.0


@dataclass(frozen=True)
class BadLine:
    """A line the reader could not split into the header's columns."""

    line: int
    reason: str
    text: str = ""


@dataclass
class RawTable:
    """One table found in an uploaded file: a CSV, or one sheet of a workbook."""

    source: str
    frame: pd.DataFrame
    line_numbers: np.ndarray
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int | None = None
    empty_rows: int = 0
    bad_lines: list[BadLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def decimal_hint(self) -> str | None:
        return "," if self.delimiter == ";" else None


_DELIMITERS = (";", "\t", ",", "|")
# Text aligned in columns by runs of spaces (the CDNOW master log, fixed-width reports).
ALIGNED = " "
_DELIM_NAMES = {
    ";": "semicolon",
    "\t": "tab",
    ",": "comma",
    "|": "vertical bar",
    ALIGNED: "space-aligned",
}
SHEET_SEP = " › "


def _sniff_rows(text: str, delimiter: str, limit: int = 60) -> list[list[str]]:
    lines = [ln for ln in text.splitlines()[:limit]]
    if delimiter == ALIGNED:
        return [ln.split() for ln in lines]
    return list(csv.reader(lines, delimiter=delimiter))


def _aligned_header(line: str, width: int) -> list[str]:
    """A space-aligned header's names: split on runs of two or more spaces when that gives
    the data's width ("Customer ID  Date  Amount"), else on every run of spaces."""
    wide = [c for c in re.split(r"\s{2,}|\t", line.strip()) if c]
    return wide if len(wide) == width else line.split()


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent columns.

    When none splits them, runs of spaces may: then :data:`ALIGNED` (a space).

    >>> detect_delimiter("Report\\nDate;Client;Amount\\n01.02.2025;A;1,5\\n02.02.2025;B;2,5\\n")
    ';'
    """
    best, best_key = ",", (-1.0, 0)
    for delim in _DELIMITERS:
        rows = [r for r in _sniff_rows(text, delim) if any(c.strip() for c in r)]
        counts = [len(r) for r in rows]
        if not counts:
            continue
        width = max(set(counts), key=lambda c: (counts.count(c), c))
        if width < 2:
            continue
        share = counts.count(width) / len(counts)
        key = (round(share, 2), width)
        if key > best_key:
            best, best_key = delim, key
    if best_key[1] < 2:
        # No delimiter splits the lines: columns aligned by runs of spaces, if nearly every
        # line has the same number of them.
        # The header may split into more cells ("Customer ID"): it is not counted.
        counts = [len(r) for r in _sniff_rows(text, ALIGNED) if r][1:]
        if counts:
            width = max(set(counts), key=lambda c: (counts.count(c), c))
            if width >= 2 and counts.count(width) >= 0.9 * len(counts):
                return ALIGNED
    return best


def _text_share(cells: list[object]) -> float:
    """Share of ``cells`` that are text: strings that read neither as numbers nor as dates.

    One vectorised pass per row (a row of a wide file has thousands of cells).
    """
    strings = [c.strip() if isinstance(c, str) else "" for c in cells]
    probe = pd.Series(strings, dtype="str")
    candidate = (probe != "").to_numpy()
    if not candidate.any():
        return 0.0
    numbers = np.zeros(len(probe), dtype=bool)
    if probe.str.contains(r"\d", regex=True).any():
        # A cell without a digit is never a number: a header row is usually spared the parse.
        numbers = (~parse_numbers(probe.where(candidate)).bad).to_numpy() & candidate
    dates = np.zeros(len(probe), dtype=bool)
    rest = candidate & ~numbers
    if rest.any():
        sub = probe[rest]
        dates[rest] = date_cells(sub).to_numpy(dtype=bool)
    return float((candidate & ~numbers & ~dates).sum() / len(cells))


def find_header(rows: list[list[object]]) -> int | None:
    """Index of the header row among the first rows, or None when the data has no header.

    The header is the first row that fills most of the table's width with text cells (not
    numbers or dates). Title rows ("Sales report 2025") and blank rows above it are skipped.

    >>> find_header([["Sales 2025"], [], ["Date", "Client", "Amount"], ["2025-01-02", "A", "5"]])
    2
    """
    filled = [sum(1 for c in r if c is not None and str(c).strip()) for r in rows]
    if not any(filled):
        return None
    nonzero = [f for f in filled if f]
    width = max(set(nonzero), key=lambda f: (nonzero.count(f), f))
    for i, row in enumerate(rows):
        if filled[i] < max(2 if width >= 2 else 1, int(np.ceil(0.6 * width))):
            continue
        cells = [c for c in row if c is not None and str(c).strip()]
        text_share = _text_share(cells)
        if text_share >= 0.7:
            return i
        if text_share <= 0.5:
            return None  # the first full row is data: the file has no header
    return None


def _unique_names(names: list[object]) -> list[str]:
    """Header names as text, blanks named by position, repeats numbered ("Amount (2)")."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names):
        name = "" if raw is None else str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            name = str(int(raw))
        name = re.sub(r"\s+", " ", name) or f"Column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _blank_cells(column: pd.Series) -> np.ndarray:
    """True where a cell is missing, or text made of nothing but spaces."""
    if column.dtype == object:
        return (column.isna() | (column.astype("str").str.strip() == "")).to_numpy(dtype=bool)
    if isinstance(column.dtype, pd.StringDtype):
        return blank_mask(column).to_numpy(dtype=bool)
    return column.isna().to_numpy(dtype=bool)


def _drop_empty(frame: pd.DataFrame, lines: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Drop rows whose cells are all blank, and unnamed columns that hold nothing.

    A row is blank only if every cell is, so the columns are checked one by one on the rows
    still blank so far: in a typical export the first column already clears every row.
    """
    if frame.empty:
        return frame, lines, 0
    empty_cols = [
        c for c in frame.columns if c.startswith("Column ") and _blank_cells(frame[c]).all()
    ]
    frame = frame.drop(columns=empty_cols)
    columns = list(frame.columns)
    empty_row = np.ones(len(frame), dtype=bool)
    if columns:
        empty_row &= _blank_cells(frame[columns[0]])
    for c in columns[1:]:
        still = np.flatnonzero(empty_row)
        if not len(still):
            break
        empty_row[still] = _blank_cells(frame[c].iloc[still])
    kept = frame.loc[~empty_row] if empty_row.any() else frame  # no copy when none is empty
    return kept.reset_index(drop=True), lines[~empty_row], int(empty_row.sum())


_BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")


def read_text_table(data: bytes, name: str, *, limits: Limits = Limits()) -> RawTable:
    """Read CSV, TSV or TXT bytes: detect the encoding, delimiter and header row."""
    encoding = detect_encoding(data)
    try:
        text_head = data[: 256 * 1024].decode(encoding, errors="ignore")
    except LookupError as exc:  # pragma: no cover - codecs above always exist
        raise ReadError(f"{name}: unknown text encoding {encoding}.") from exc
    if "\x00" in text_head:
        raise ReadError(
            f"{name} does not look like a text file (it holds binary data). "
            "Upload a CSV, TSV, XLSX, XLS or ODS file."
        )
    lines_total = _count_byte(data, b"\n") if not encoding.startswith("utf-16") else len(data) // 40
    if lines_total > limits.max_rows + 100:
        raise ReadError(
            f"{name} has about {lines_total:,} lines; the limit is {limits.max_rows:,} rows. "
            "Split the file by year, or filter it before uploading."
        )
    delimiter = detect_delimiter(text_head)
    head_rows = _sniff_rows(text_head, delimiter, limit=40)
    width = max((len(r) for r in head_rows), default=0)
    if width > limits.max_columns:
        raise ReadError(
            f"{name} has {width:,} columns; the limit is {limits.max_columns:,}. "
            "Remove the columns you do not need."
        )
    header_idx = find_header(head_rows)
    notes = [f"Encoding {encoding}, {_DELIM_NAMES[delimiter]}-separated."]
    if delimiter == ALIGNED:
        notes = [f"Encoding {encoding}, columns aligned with spaces."]
    if header_idx is None:
        width = max((len(r) for r in head_rows), default=0)
        names = [f"Column {i + 1}" for i in range(width)]
        skip = 0
        notes.append("No header row found: columns are named by position.")
    else:
        # The header line's position in the file: count physical lines above it.
        header = head_rows[header_idx]
        if delimiter == ALIGNED:
            line = text_head.splitlines()[header_idx]
            widths = [len(r) for r in head_rows[header_idx + 1 :] if r] or [width]
            header = _aligned_header(line, max(set(widths), key=widths.count))
        names = _unique_names(header)
        skip = header_idx + 1
        if header_idx:
            notes.append(f"Skipped {header_idx} line(s) above the header (title or blank).")
    if len(names) > limits.max_columns:
        raise ReadError(
            f"{name} has {len(names):,} columns; the limit is {limits.max_columns:,}. "
            "Remove the columns you do not need."
        )
    if not names:
        raise ReadError(f"{name} is empty: it has no header and no rows.")
    fast = None
    if delimiter != ALIGNED:
        newlines = lines_total if encoding in ("utf-8", "utf-8-sig") else None
        fast = _read_arrow_text(data, encoding, delimiter, names, skip, newlines)
    if fast is None:
        frame, bad = _read_messy_text(data, name, encoding, delimiter, names, skip)
    else:
        frame, bad = fast
    # Physical line numbers (1-based) of the kept rows: every line after the header, except
    # the ones the parser skipped. (A quoted cell spanning lines shifts later numbers.)
    candidates = np.arange(skip + 1, skip + 1 + len(frame) + len(bad))
    if bad:
        candidates = candidates[~np.isin(candidates, [b.line for b in bad])]
    positions = candidates[: len(frame)]
    frame, positions, empty = _drop_empty(frame, positions)
    if len(frame) > limits.max_rows:
        raise ReadError(
            f"{name} has {len(frame):,} rows; the limit is {limits.max_rows:,} rows. "
            "Split the file by year, or filter it before uploading."
        )
    return RawTable(
        source=name,
        frame=frame,
        line_numbers=positions,
        kind="text",
        encoding=encoding,
        delimiter=delimiter,
        header_line=skip if header_idx is not None else None,
        empty_rows=empty,
        bad_lines=bad,
        notes=notes,
    )


def _read_arrow_text(
    data: bytes,
    encoding: str,
    delimiter: str,
    names: list[str],
    skip: int,
    newlines: int | None = None,
) -> tuple[pd.DataFrame, list[BadLine]] | None:
    """The rows and skipped lines of a text export with Arrow's multithreaded CSV reader.

    Returns exactly what :func:`_read_messy_text` (pandas' parser) returns, several times
    faster, or None to leave the file to it. Quoted cells are read the same way by both
    (``""`` inside quotes is one quote). Lines with more cells than the header are skipped
    and reported with their line number and reason; lines with fewer are kept with blank
    cells, as pandas keeps them. Arrow's reader reports such lines without their position,
    so each is found again by its text; the file goes to pandas when that is not certain (a
    bad line holding a quote, text that repeats differently), when a quote is left open,
    when a line ends with a bare carriage return, or when the bytes are not valid text.

    A quoted cell may hold a line break. Arrow splits the file into blocks at line breaks
    unless told cells may hold them (which makes it about three times slower), so the file is
    first read the fast way and read again the careful way when the rows do not add up to
    the lines (or Arrow says it lost track): a break inside quotes always shows that way.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        utf8 = data  # the BOM's three bytes are none of the bytes checked below
    else:
        # Legacy code pages and UTF-16 become UTF-8 first, decoded as pandas would decode them.
        utf8 = data.decode(encoding, errors="replace").encode("utf-8")
    if b"\x00" in utf8 or len(names) < 2 or _has_bare_cr(utf8):
        return None
    quoted = b'"' in utf8
    if quoted and _count_byte(utf8, b'"') % 2:
        return None  # a quote left open: pandas refuses the file, with its reason
    body = memoryview(utf8)[3:] if encoding == "utf-8-sig" else memoryview(utf8)
    # ``newlines``: the caller's count of the UTF-8 bytes' line breaks, spared a second scan.
    newlines = _count_byte(utf8, b"\n") if newlines is None or utf8 is not data else newlines
    lines_below = newlines + (not utf8.endswith(b"\n")) - skip
    invalid: list[tuple[int, str]] = []

    def note_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append((row.actual_columns, row.text))
        return "skip"

    table = None
    for breaks_in_cells in (False, True) if quoted else (False,):
        invalid.clear()
        try:
            table = pacsv.read_csv(
                pa.py_buffer(body),
                # Blocks of 4 MB rather than 1: a quarter of the chunks per column, so every
                # later pass over a column's chunks pays its fixed cost a quarter as often.
                read_options=pacsv.ReadOptions(
                    column_names=names, skip_rows=skip, block_size=4 << 20
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    quote_char='"' if quoted else False,
                    double_quote=True,
                    newlines_in_values=breaks_in_cells,
                    ignore_empty_lines=False,
                    invalid_row_handler=note_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.large_string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, ValueError):
            table = None  # invalid UTF-8, or the chunker lost track of a quoted line break
            continue
        if table.num_rows + len(invalid) == lines_below:
            break
        if not breaks_in_cells:
            table = None
    if table is None:
        return None
    if invalid and table.num_rows + len(invalid) != lines_below:
        return None  # rows spanning lines: the bad ones cannot be placed by their text
    frame = pd.DataFrame({n: table.column(i).to_pandas() for i, n in enumerate(names)})
    if not invalid:
        return frame, []
    return _place_invalid_rows(frame, body.tobytes(), invalid, delimiter, names, skip)


def _place_invalid_rows(
    frame: pd.DataFrame,
    body: bytes,
    invalid: list[tuple[int, str]],
    delimiter: str,
    names: list[str],
    skip: int,
) -> tuple[pd.DataFrame, list[BadLine]] | None:
    """Find the lines Arrow set aside: long ones become BadLines, short ones padded rows."""
    if any('"' in text or "\n" in text for _, text in invalid):
        return None
    wanted = {text.rstrip("\r"): cells for cells, text in invalid}
    lines = body.split(b"\n")
    found: list[tuple[int, int, str]] = []  # (0-based line, cells, text)
    for i in range(skip, len(lines)):
        text = lines[i].rstrip(b"\r").decode("utf-8", "replace")
        if text in wanted:
            found.append((i, wanted[text], text))
    if len(found) != len(invalid):
        return None
    width = len(names)
    bad = [
        BadLine(i + 1, f"has {cells} cells where the header has {width}", text[:200])
        for i, cells, text in found
        if cells > width
    ]
    short = [(i, text) for i, cells, text in found if cells < width]
    if not short:
        return frame, bad
    rows = []
    for _, text in short:
        cells = next(csv.reader([text], delimiter=delimiter), [])
        rows.append(cells + [""] * (width - len(cells)))
    padded = pd.DataFrame(rows, columns=names, dtype="str")
    # Line positions below the header: Arrow's rows are the lines it did not set aside.
    set_aside = np.zeros(len(frame) + len(invalid), dtype=bool)
    set_aside[[i - skip for i, _, _ in found]] = True
    kept_at = np.flatnonzero(~set_aside)
    short_at = np.array([i - skip for i, _ in short])
    order = np.argsort(np.concatenate([kept_at, short_at]), kind="stable")
    both = pd.concat([frame, padded], ignore_index=True)
    return both.iloc[order].reset_index(drop=True), bad


def _count_byte(data: bytes, char: bytes) -> int:
    """``data.count(char)`` for a one-byte ``char``, counted by numpy a megabyte at a time.

    Several times quicker than ``bytes.count`` on a byte as frequent as a quote or a line
    break (a block's comparison stays in the cache).
    """
    codes = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 20
    return sum(
        int(np.count_nonzero(codes[i : i + step] == char[0])) for i in range(0, codes.size, step)
    )


def _has_bare_cr(body: bytes) -> bool:
    """True when a carriage return ends a line on its own (old Mac files, stray ``\\r``).

    pandas and Arrow count the lines of such files differently (around blank lines), so
    they are left to pandas, as before; Windows ``\\r\\n`` line ends are plain.
    """
    return b"\r" in body and body.count(b"\r") != body.count(b"\r\n")


def _read_messy_text(
    data: bytes, name: str, encoding: str, delimiter: str, names: list[str], skip: int
) -> tuple[pd.DataFrame, list[BadLine]]:
    """The rows of any text export with pandas' parser, and the lines it had to skip."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                io.BytesIO(data),
                sep=r"\s+" if delimiter == ALIGNED else delimiter,
                header=None,
                names=names,
                skiprows=skip,
                dtype="str",
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                encoding=encoding,
                encoding_errors="replace",
                on_bad_lines="warn",
                engine="c",
                quotechar='"',
            )
        except (pd.errors.ParserError, UnicodeError, ValueError) as exc:
            raise ReadError(
                f"{name} could not be read as {_DELIM_NAMES[delimiter]}-separated "
                f"text: {str(exc).splitlines()[0]}"
            ) from exc
    bad: list[BadLine] = []
    for w in caught:
        for m in _BAD_LINE.finditer(str(w.message)):
            line, expected, saw = (int(g) for g in m.groups())
            bad.append(BadLine(line, f"has {saw} cells where the header has {expected}"))
    if any("Length of header or names does not match" in str(w.message) for w in caught):
        # The first row has more cells than the header: pandas then cuts the extra cells off
        # every row without a word. Read the rows one by one instead: a row with too many
        # cells is a bad line, as anywhere else in the file.
        return _read_row_by_row(data, encoding, delimiter, names, skip)
    if bad:
        # Decoded before splitting: a UTF-16 line break is two bytes.
        physical = data.decode(encoding, "replace").split("\n")
        bad = [
            BadLine(b.line, b.reason, physical[b.line - 1].rstrip("\r")[:200])
            if b.line - 1 < len(physical)
            else b
            for b in bad
        ]
    return frame, bad


def _read_row_by_row(
    data: bytes, encoding: str, delimiter: str, names: list[str], skip: int
) -> tuple[pd.DataFrame, list[BadLine]]:
    """Rows as Python's csv module splits them: long rows are bad lines, short ones padded."""
    text = data.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    width = len(names)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if delimiter == ALIGNED:
        if lines and lines[-1] == "":
            lines.pop()
        numbered = [(i + 1, line.split(), line) for i, line in enumerate(lines)]
    else:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        numbered = []
        start = 1
        for row in reader:
            numbered.append((start, row, lines[start - 1]))
            start = reader.line_num + 1
    rows: list[list[str]] = []
    bad: list[BadLine] = []
    for line, row, raw in numbered:
        if line <= skip:
            continue
        if len(row) > width:
            reason = f"has {len(row)} cells where the header has {width}"
            bad.append(BadLine(line, reason, raw[:200]))
        else:
            rows.append(row + [""] * (width - len(row)))
    frame = pd.DataFrame(rows, columns=names, dtype="str")
    return frame, bad


def _check_zip(data: bytes, name: str, limits: Limits) -> None:
    """Refuse zip containers whose contents would expand past the limits (zip bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{name} is damaged: it is not a valid XLSX/ODS (zip) file.") from exc
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > limits.max_unzipped_bytes or (
        total > 50 * 2**20 and total / packed > limits.max_zip_ratio
    ):
        raise ReadError(
            f"{name} would expand to {total / 2**20:,.0f} MB when opened "
            f"({total / packed:,.0f} times its size); the limit is "
            f"{limits.max_unzipped_bytes / 2**20:,.0f} MB. Save it as CSV or split it."
        )


def read_workbook(data: bytes, name: str, *, limits: Limits = Limits()) -> list[RawTable]:
    """Read every non-empty sheet of an XLSX, XLSM, XLS or ODS workbook (calamine engine)."""
    from python_calamine import CalamineWorkbook

    if data[:2] == b"PK":
        _check_zip(data, name, limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_names = list(book.sheet_names)
    except Exception as exc:  # calamine raises several unrelated types for damaged files
        raise ReadError(
            f"{name} is not a workbook Excel or LibreOffice can open: it may be damaged, or "
            "another kind of file renamed. Export it again, or save it as CSV."
        ) from exc
    if len(sheet_names) > limits.max_sheets:
        raise ReadError(
            f"{name} has {len(sheet_names)} sheets; the limit is {limits.max_sheets}. "
            "Keep only the sheets with data."
        )
    tables: list[RawTable] = []
    for sheet_name in sheet_names:
        try:
            sheet = book.get_sheet_by_name(sheet_name)
            if sheet.total_height > limits.max_rows + 100:
                raise ReadError(
                    f"{name}{SHEET_SEP}{sheet_name} has {sheet.total_height:,} rows; the limit "
                    f"is {limits.max_rows:,}. Split the sheet or save it as CSV."
                )
            if sheet.total_width > limits.max_columns:
                raise ReadError(
                    f"{name}{SHEET_SEP}{sheet_name} has {sheet.total_width:,} columns; the "
                    f"limit is {limits.max_columns:,}. Remove the columns you do not need."
                )
            rows = sheet.to_python(skip_empty_area=False)
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError(f"{name}{SHEET_SEP}{sheet_name} could not be read: {exc}") from exc
        table = _table_from_rows(rows, f"{name}{SHEET_SEP}{sheet_name}")
        if table is not None:
            tables.append(table)
    if not tables:
        raise ReadError(f"{name} has no sheet with data.")
    return tables


def _table_from_rows(rows: list[list[object]], source: str) -> RawTable | None:
    # Empty cells are None here; the first rows (header search) see them as "" as before.
    while rows and not any(c is not None and str(c).strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        return None
    width = max(map(len, rows))
    top = [["" if c is None else c for c in r] for r in rows[:40]]
    header_idx = find_header(top)
    notes: list[str] = []
    if header_idx is None:
        names = [f"Column {i + 1}" for i in range(width)]
        body = rows
        first_line = 1
        notes.append("No header row found: columns are named by position.")
    else:
        names = _unique_names(list(top[header_idx]) + [""] * (width - len(top[header_idx])))
        body = rows[header_idx + 1 :]
        first_line = header_idx + 2
        if header_idx:
            notes.append(f"Skipped {header_idx} row(s) above the header (title or blank).")
    frame = _typed_frame(body, names) if body else pd.DataFrame(columns=names, dtype=object)
    lines = np.arange(len(frame)) + first_line
    frame, lines, empty = _drop_empty(frame, lines)
    return RawTable(
        source, frame, lines, "workbook", header_line=first_line - 1, empty_rows=empty, notes=notes
    )


def _typed_frame(body: list[list[object]], names: list[str]) -> pd.DataFrame:
    """The sheet's rows as columns, each typed when its cells allow (see :func:`_typed`).

    The rows become one grid of cells first (numpy copies the references in C, three times
    quicker than transposing them in Python); each column is then a view of it.
    """
    width = len(names)
    if min(map(len, body)) != width or max(map(len, body)) != width:
        body = [list(r) + [None] * (width - len(r)) for r in body]
    grid = np.empty((len(body), width), dtype=object)
    grid[:] = body  # never reads a cell as a sequence, as np.array(body) may
    return pd.DataFrame({n: _typed(grid[:, j]) for j, n in enumerate(names)})


def _typed(cells: np.ndarray) -> pd.Series:
    """One sheet column: text, numbers or date cells as such, mixed cells as Python objects.

    A column of only text cells becomes text (Arrow-backed, like a CSV's columns), one of only
    numbers (and empty cells) float64, one of only date cells (and empty cells) datetime64.
    Each is converted in one call (Arrow for text, numpy for numbers, pandas for dates); the
    parsers read them without parsing any text; a column mixing kinds (numbers beside text,
    booleans, times of day) stays as it was.
    """
    kinds = set(map(type, cells))
    none = type(None)
    if kinds <= {str, none} and str in kinds:
        text = pa.array(cells, type=pa.large_string(), from_pandas=True)
        if none in kinds:
            text = text.fill_null("")
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([text])), dtype="str")
    text_cells = str in kinds and any(type(c) is str and c != "" for c in cells)
    filled = kinds - {str, none}
    if filled and not text_cells:
        if filled <= {float, int}:
            if str in kinds:  # empty text cells: blank, as empty cells are
                cells = np.where([type(c) is str for c in cells], None, cells)
            return pd.Series(cells.astype("float64"), dtype="float64")
        if filled <= {dt.datetime, dt.date}:
            stamps = _date_cells(cells, str in kinds)
            if stamps is not None:
                return pd.Series(stamps, dtype="datetime64[us]")
    return pd.Series(["" if c is None else c for c in cells], dtype=object)


def _date_cells(cells: np.ndarray, has_text: bool) -> np.ndarray | None:
    """Date cells (``datetime``, or ``date`` for those at midnight) as datetime64[us], empty
    cells NaT; None when one cannot be (out of range)."""
    values = np.where([type(c) is str for c in cells], None, cells) if has_text else cells
    try:
        return pd.to_datetime(values).to_numpy().astype("datetime64[us]")
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return None


def read_parquet(data: bytes, name: str, *, limits: Limits = Limits()) -> RawTable:
    """Read a Parquet file; its columns keep their types."""
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(f"{name} could not be read as Parquet: {exc}") from exc
    if len(frame) > limits.max_rows:
        raise ReadError(f"{name} has {len(frame):,} rows; the limit is {limits.max_rows:,}.")
    frame.columns = _unique_names(list(frame.columns))
    return RawTable(name, frame.reset_index(drop=True), np.arange(len(frame)) + 2, "parquet")


def sniff_format(data: bytes, name: str) -> str:
    """``workbook``, ``parquet`` or ``text`` from the file's first bytes (then its name)."""
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "workbook"
    if data[:4] == b"PAR1":
        return "parquet"
    if name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        # Some systems export CSV or TSV text under a workbook's name: read it as text.
        head = data[:4096]
        is_text = head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" not in head
        return "text" if is_text and not head.lstrip().startswith(b"<") else "workbook"
    return "text"


def read_file(data: bytes, name: str, *, limits: Limits = Limits()) -> list[RawTable]:
    """Read one uploaded file into its raw tables (one per CSV, one per non-empty sheet).

    Raises ReadError with a one-line reason when the file is empty, too large, damaged or of
    a kind the app does not read.
    """
    if not data:
        raise ReadError(f"{name} is empty.")
    if len(data) > limits.max_bytes:
        raise ReadError(
            f"{name} is {len(data) / 2**20:,.0f} MB; the limit is "
            f"{limits.max_bytes / 2**20:,.0f} MB. Save only the columns you need, or split it."
        )
    fmt = sniff_format(data, name)
    if fmt == "workbook":
        return read_workbook(data, name, limits=limits)
    if fmt == "parquet":
        return [read_parquet(data, name, limits=limits)]
    table = read_text_table(data, name, limits=limits)
    if table.frame.empty and not table.bad_lines:
        raise ReadError(f"{name} has a header but no rows of data.")
    return [table]
