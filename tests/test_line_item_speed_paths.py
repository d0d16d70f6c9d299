"""The quick readings of line-item exports give what the general readings give.

A line-item export whose order ids are plain ascending integers (each order's lines written
together) is merged by comparing every line with the line before it; the repeated orders are
counted from the ids' codes; a few cells are taken from the reader's blocks one block at a
time. Each is checked here against the general path on random small files: disagreeing
lines, blank and unreadable cells, blank ids, mixed integer and text ids, shuffled lines.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi import ingest
from kpi.io import read_file
from kpi.values import _rows_at, cast_blocks, parse_ids, parse_numbers, take_cells

TODAY = pd.Timestamp("2026-11-23")
MAPPING = {
    "order_id": "Order ID",
    "order_date": "Order date",
    "customer_id": "Customer",
    "amount": "Line total",
}
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

AMOUNTS = ["1.50", "2.00", "3.25", "-4.00", "10", "0.10", "7.77"]
# The cell each twist writes in a line, and the order id the id twists write ({} the number).
TWISTED_CELLS = {
    "other customer": ("Customer", "C9"),
    "blank customer": ("Customer", ""),
    "other date": ("Order date", "2025-04-30 10:00:00"),
    "blank date": ("Order date", ""),
    "spaces date": ("Order date", "  "),
    "bad amount": ("Line total", "abc"),
    "blank amount": ("Line total", ""),
}
TWISTED_IDS = {"blank id": "", "text id": "A{}", "padded id": "0{}"}
TWISTS = st.sampled_from(["none"] * 24 + [*TWISTED_CELLS, "copy of the first line", *TWISTED_IDS])


@st.composite
def line_item_files(draw) -> tuple[bytes, int]:
    """A small line-item CSV (1-4 lines an order, some twisted) and a number of blocks."""
    orders = draw(st.lists(st.lists(TWISTS, min_size=1, max_size=4), min_size=1, max_size=9))
    # Most files number their orders 1, 2, 3... on every line (the quick path's files); the
    # others blank, pad or spell some ids.
    odd_ids = draw(st.integers(0, 9)) < 3
    rows = []
    for number, twists in enumerate(orders, start=1):
        customer, date = f"C{number % 3}", f"2025-03-{number:02d} 10:00:00"
        first = None
        for twist in twists:
            row = {
                "Order ID": str(number),
                "Order date": date,
                "Customer": customer,
                "Product": draw(st.sampled_from(["Basic", "Plus", ""])),
                "Line total": draw(st.sampled_from(AMOUNTS)),
            }
            if twist == "copy of the first line" and first is not None:
                row = dict(first)
            elif twist in TWISTED_CELLS:
                column, value = TWISTED_CELLS[twist]
                row[column] = value
            elif twist in TWISTED_IDS and odd_ids:
                row["Order ID"] = TWISTED_IDS[twist].format(number)
            first = first or row
            rows.append(row)
    if draw(st.integers(0, 9)) == 0:  # one file in ten lists its lines in any order
        rows = draw(st.permutations(rows))
    text = "Order ID,Order date,Customer,Product,Line total\n" + "".join(
        f'{r["Order ID"]},{r["Order date"]},{r["Customer"]},{r["Product"]},"{r["Line total"]}"\n'
        for r in rows
    )
    return text.encode(), draw(st.integers(1, 3))


def _in_blocks(raw, blocks: int):
    """The table with each text column split into ``blocks`` Arrow blocks, as a reader gives."""
    frame = raw.frame
    n = len(frame)
    cuts = np.linspace(0, n, blocks + 1).astype(int)
    columns = {}
    for col in frame.columns:
        cells = pa.array(frame[col])
        cells = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
        chunks = [cells.slice(a, b - a) for a, b in itertools.pairwise(cuts)]
        array = type(frame[col].array)(pa.chunked_array(chunks, type=cells.type))
        columns[col] = pd.Series(array, dtype=frame[col].dtype, name=col)
    return dataclasses.replace(raw, frame=pd.DataFrame(columns))


def _map(raw, *, general: bool, consume: bool = False):
    export = ingest._line_item_export
    if not general:
        return ingest.apply_mapping(raw, "orders", MAPPING, today=TODAY, consume=consume)
    with mock.patch.object(ingest, "_line_item_export", functools.partial(export, runs=False)):
        return ingest.apply_mapping(raw, "orders", MAPPING, today=TODAY, consume=consume)


def _copies(notes: list[str]) -> int:
    found = [re.match(r"([\d,]+) orders list a line more than once", n) for n in notes]
    return next((int(m.group(1).replace(",", "")) for m in found if m), 0)


def _assert_same(one, other) -> None:
    """Two mapped tables hold the same rows and the same report."""
    pd.testing.assert_frame_equal(one.frame, other.frame)
    a, b = one.report, other.report
    if a.rejected_rows is None or b.rejected_rows is None:
        assert a.rejected_rows is None and b.rejected_rows is None
    else:
        pd.testing.assert_frame_equal(a.rejected_rows, b.rejected_rows)
    assert dataclasses.replace(a, rejected_rows=None) == dataclasses.replace(b, rejected_rows=None)


@QUICK
@given(line_item_files())
def test_lines_written_together_merge_as_the_general_path_merges_them(case):
    data, blocks = case
    raw = _in_blocks(read_file(data, "lines.csv")[0], blocks)
    quick, general = _map(raw, general=False), _map(raw, general=True)
    _assert_same(quick, general)
    a = quick.report
    # Repeated orders, counted outside the codes: each kept order id seen before, and each
    # order whose lines are copies of one another.
    kept_ids = quick.frame["order_id"].dropna()
    assert a.duplicates == int(kept_ids.duplicated().sum()) + _copies(a.notes)
    assert a.rows_read == a.rows_kept + a.rows_rejected


@settings(QUICK, max_examples=15)
@given(line_item_files(), st.integers(1, 4))
def test_lines_looked_at_a_block_at_a_time_merge_as_when_looked_at_whole(case, step):
    # A ten-million-order file's passes over every line (the ids growing, the amounts against
    # the first line's, the sums) go a block of lines at a time; blocks of a few lines here,
    # on both paths.
    data, blocks = case
    raw = _in_blocks(read_file(data, "lines.csv")[0], blocks)
    whole = _map(raw, general=False)
    with mock.patch.object(ingest, "_STEP", step):
        _assert_same(whole, _map(raw, general=False))
        _assert_same(whole, _map(raw, general=True))


@settings(QUICK, max_examples=15)
@given(line_item_files(), st.booleans())
def test_lines_handed_over_merge_as_lines_kept(case, general):
    # load_files hands the lines over: each column is let go once its orders are taken.
    data, blocks = case
    kept = _map(_in_blocks(read_file(data, "lines.csv")[0], blocks), general=general)
    raw = _in_blocks(read_file(data, "lines.csv")[0], blocks)
    handed = _map(raw, general=general, consume=True)
    _assert_same(kept, handed)
    if handed.report.lines_collapsed:
        assert list(raw.frame.columns) == []  # merged: the lines are gone
    else:
        assert list(raw.frame.columns) == [
            "Order ID",
            "Order date",
            "Customer",
            "Product",
            "Line total",
        ]


@pytest.mark.parametrize(
    ("step", "consume"),
    [(1 << 20, False), (2, False), (1 << 20, True)],  # one block, blocks of two lines
)
def test_a_line_naming_another_customer_keeps_its_order_apart_on_the_quick_path(step, consume):
    data = (
        b"Order ID,Order date,Customer,Product,Line total\n"
        b"1,2025-03-01 10:00:00,C1,Basic,10.00\n"  # line 2
        b"1,2025-03-01 10:00:00,,Plus,2.50\n"  # a blank customer agrees with the first line
        b"2,2025-03-02 10:00:00,C2,Basic,4.00\n"  # line 4
        b"2,2025-03-02 10:00:00,C3,Plus,1.00\n"  # another customer: order 2 is not merged
        b"3,2025-03-03 10:00:00,C1,Basic,abc\n"  # line 6: no number, the order is rejected
        b"3,2025-03-03 10:00:00,C1,Plus,3.00\n"
        b"4,2025-03-04 10:00:00,C2,Basic,1.25\n"
        b"4,2025-03-04 10:00:00,C2,Plus,2.00\n"
    )
    raw = read_file(data, "lines.csv")[0]
    seen = []
    runs = ingest._agrees_in_runs

    def spy(*args, **kwargs):
        seen.append(True)
        return runs(*args, **kwargs)

    with (
        mock.patch.object(ingest, "_agrees_in_runs", spy),
        mock.patch.object(ingest, "_STEP", step),
    ):
        mapped = _map(raw, general=False, consume=consume)
    assert seen  # the quick path read these lines
    report, orders = mapped.report, mapped.frame
    # Orders 1, 3 and 4 merge; order 2's two rows stay apart: 8 lines, 5 rows; order 3 is
    # rejected. Kept: 1 = 10.00 + 2.50 = 12.50, 2 = 4.00 and 1.00, 4 = 1.25 + 2.00 = 3.25.
    assert orders["order_id"].tolist() == ["1", "2", "2", "4"]
    assert orders["amount"].tolist() == [12.50, 4.00, 1.00, 3.25]
    assert orders["customer_id"].tolist() == ["C1", "C2", "C3", "C2"]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (5, 4, 1)
    assert report.rejected[0].examples == ["line 6: 'abc'"]
    assert report.rejected_rows["line"].tolist() == [6]
    assert report.duplicates == 1  # order 2, named twice
    assert "8 lines merged into 5 orders" in " ".join(report.notes)
    assert "1 Order ID values repeat on rows that name another customer" in " ".join(report.notes)
    assert len(raw.frame.columns) == (0 if consume else 5)  # handed over: the lines let go


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["a", "bb", "", " ", "ccc"])), max_size=120),
    st.lists(st.integers(0, 119), max_size=40),
    st.integers(1, 5),
)
def test_cells_taken_block_by_block_are_the_cells_a_take_gives(cells, positions, blocks):
    whole = pa.array(cells, type=pa.large_string() if blocks == 5 else pa.string())
    positions = np.array([p for p in positions if p < len(cells)], dtype=np.int64)
    cuts = np.linspace(0, len(cells), min(blocks, 4) + 1).astype(int)
    chunked = pa.chunked_array(
        [whole.slice(a, b - a) for a, b in itertools.pairwise(cuts)],
        type=whole.type,
    )
    expected = whole.take(pa.array(positions, type=pa.int64()))
    assert take_cells(chunked, positions).to_pylist() == expected.to_pylist()
    assert take_cells(whole, positions).to_pylist() == expected.to_pylist()
    # As parse_numbers takes its sample: a column of text, the rows in order.
    column = pd.Series(type(pd.Series([], dtype="str").array)(chunked), dtype="str")
    rows = np.sort(positions)
    pd.testing.assert_series_equal(_rows_at(column, rows), column.iloc[rows])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["1", "2", "3", "10", "", " ", "A-1", "01", "-5", " 2"]), max_size=30),
    st.booleans(),
)
def test_repeats_counted_from_the_codes_are_the_repeated_ids(ids, ascending):
    if ascending:  # the integers in order, as lines of orders written together
        ids = sorted(ids, key=lambda v: (not v.strip().lstrip("-").isdigit(), v))
    values = pd.Series(ids, dtype="str")
    expected = ingest._repeats(pd.DataFrame({"order_id": parse_ids(values)}).dropna())
    assert ingest._repeated_codes(ingest._order_codes(values)) == expected


@pytest.mark.parametrize(
    ("codes", "repeats"),
    [
        (None, 0),  # no id repeats
        (np.array([0, 0, 1, 2, 2, 2]), 3),  # 0 once more, 2 twice more
        (np.array([-1, -1, 0, 1, 0]), 1),  # blank ids are never repeats; 0 comes back once
        (np.array([], dtype=np.int64), 0),
    ],
)
def test_repeated_codes_by_hand(codes, repeats):
    assert ingest._repeated_codes(codes) == repeats


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["1.5", "-2", "1e3", "0", "7.25", "x", ""])),
        max_size=40,
    ),
    st.integers(1, 4),
)
def test_text_cast_a_block_at_a_time_is_the_whole_cast(cells, blocks):
    whole = pa.array(cells, type=pa.large_string())
    cuts = np.linspace(0, len(cells), blocks + 1).astype(int)
    chunked = pa.chunked_array(
        [whole.slice(a, b - a) for a, b in itertools.pairwise(cuts)], type=whole.type
    )
    try:
        expected = pc.cast(whole, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        expected = None  # a cell that is no number: no cast at all
    for cells_in in (whole, chunked):
        got = cast_blocks(cells_in, pa.float64(), np.float64)
        if expected is None:
            assert got is None
        else:
            np.testing.assert_array_equal(got, expected)  # missing cells NaN in both


def test_numbers_of_a_column_without_blank_or_bad_cells_are_read_whole():
    # "12.50" + "3" = 15.50; the blank and the word are the only cells left unread.
    got = parse_numbers(pd.Series(["12.50", "3", "", "abc", "-0.25"], dtype="str"))
    np.testing.assert_array_equal(got.values.to_numpy(), [12.5, 3.0, np.nan, np.nan, -0.25])
    assert got.bad.tolist() == [False, False, False, True, False]
    whole = parse_numbers(pd.Series(["12.50", "3", "-0.25"], dtype="str"))
    assert whole.values.tolist() == [12.5, 3.0, -0.25] and not whole.bad.any()
