"""Cell parsers: numbers as people write them, dates in every order, yes/no, ids."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.values import (
    _fast_layouts,
    decide_decimal,
    detect_currency,
    parse_dates,
    parse_flags,
    parse_ids,
    parse_numbers,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1234.56", 1234.56),
        ("1 234,56", 1234.56),
        ("1\u00a0234,56", 1234.56),  # non-breaking space as thousands separator
        ("1\u202f234,56", 1234.56),  # narrow non-breaking space (French exports)
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        ("1'234.56", 1234.56),
        ("€ 1 234,56", 1234.56),
        ("1 234,56 zł", 1234.56),
        ("USD 12.50", 12.5),
        ("99 руб.", 99.0),
        ("(150,00)", -150.0),
        ("150,00-", -150.0),
        ("\u2212150,00", -150.0),
        ("-5", -5.0),
    ],
)
def test_numbers(cell, expected):
    result = parse_numbers(pd.Series([cell, "1,5"]))  # "1,5" settles the decimal comma...
    if "." in cell and "," not in cell:
        result = parse_numbers(pd.Series([cell]))  # ...except for point-only cells
    assert result.values.iloc[0] == pytest.approx(expected)
    assert not result.bad.iloc[0]


@pytest.mark.parametrize("cell", ["abc", "--5", "NaN", "1e309", "12abc", "1,2,3,4.5.6"])
def test_bad_numbers(cell):
    result = parse_numbers(pd.Series([cell]))
    assert result.bad.iloc[0]
    assert np.isnan(result.values.iloc[0])


def test_huge_but_finite_number_is_kept():
    assert parse_numbers(pd.Series(["1e308"])).values.iloc[0] == 1e308


def test_blank_is_missing_not_bad():
    result = parse_numbers(pd.Series(["", "  ", None, "3"], dtype="object"))
    assert result.bad.tolist() == [False, False, False, False]
    assert result.values.isna().tolist() == [True, True, True, False]


def test_decimal_decision():
    assert decide_decimal(pd.Series(["1.234,56", "12"])) == ","
    assert decide_decimal(pd.Series(["1,234.56", "12"])) == "."
    # "1.234" alone is ambiguous: the file's hint decides.
    assert decide_decimal(pd.Series(["1.234", "2.500"]), hint=",") == ","
    assert decide_decimal(pd.Series(["1.234", "2.500"])) == "."


def test_currency_detection():
    assert detect_currency(pd.Series(["€ 5", "€ 7", "3"])) == "EUR"
    assert detect_currency(pd.Series(["5 lei", "7 RON"])) == "RON"
    assert detect_currency(pd.Series(["5", "7"])) is None


def test_workbook_numbers_and_text_mixed():
    result = parse_numbers(pd.Series([12.5, "1 000,5", None], dtype="object"))
    assert result.values.tolist()[:2] == [12.5, 1000.5]


@pytest.mark.parametrize(
    ("cells", "expected", "order"),
    [
        (["2025-12-31", "2025-01-02"], ["2025-12-31", "2025-01-02"], None),
        (
            ["2025-12-31T10:15:00", "2025-01-02 08:00"],
            ["2025-12-31 10:15", "2025-01-02 08:00"],
            None,
        ),
        (["31.12.2025", "01.02.2025"], ["2025-12-31", "2025-02-01"], "dmy"),
        (["31/12/2025", "01/02/2025"], ["2025-12-31", "2025-02-01"], "dmy"),
        (["12/31/2025", "02/01/2025"], ["2025-12-31", "2025-02-01"], "mdy"),
        (["31-12-25", "01-02-25"], ["2025-12-31", "2025-02-01"], "dmy"),
        (["2025/12/31", "2025/02/01"], ["2025-12-31", "2025-02-01"], None),
        (["2025-12", "2025-01"], ["2025-12-01", "2025-01-01"], None),
        (["45657", "45658.5"], ["2024-12-31", "2025-01-01 12:00"], None),
        (["31.12.2025 14:30", "01.02.2025"], ["2025-12-31 14:30", "2025-02-01"], "dmy"),
    ],
)
def test_dates(cells, expected, order):
    result = parse_dates(pd.Series(cells))
    assert result.values.tolist() == [pd.Timestamp(e) for e in expected]
    assert not result.bad.any()
    if order:
        assert result.order == order


def test_ambiguous_day_month_is_flagged_and_can_be_forced():
    cells = pd.Series(["03/04/2025", "05/06/2025"])
    guess = parse_dates(cells)
    assert guess.ambiguous
    assert guess.values.iloc[0] == pd.Timestamp("2025-04-03")  # day first by default
    forced = parse_dates(cells, order="mdy")
    assert forced.values.iloc[0] == pd.Timestamp("2025-03-04")


def test_dotted_dates_are_day_first_without_doubt():
    assert not parse_dates(pd.Series(["03.04.2025"])).ambiguous


def test_implausible_and_bad_dates():
    result = parse_dates(pd.Series(["9999-12-31", "1900-01-01", "31.02.2025", "soon", ""]))
    assert result.bad.tolist() == [True, True, True, True, False]
    assert result.values.isna().all()


def test_timezone_offset_keeps_wall_clock():
    result = parse_dates(pd.Series(["2025-03-01T10:00:00+02:00"]))
    assert result.values.iloc[0] == pd.Timestamp("2025-03-01 10:00")


def test_workbook_date_cells():
    cells = pd.Series([dt.date(2025, 1, 2), dt.datetime(2025, 1, 3, 9, 30), 45658.0], dtype=object)
    result = parse_dates(cells)
    assert result.values.tolist() == [
        pd.Timestamp("2025-01-02"),
        pd.Timestamp("2025-01-03 09:30"),
        pd.Timestamp("2025-01-01"),
    ]


def test_flags_in_eight_languages():
    cells = ["yes", "No", "tak", "nie", "да", "нет", "da", "nu", "ja", "nein", "oui", "non",
             "sí", "no", "1", "0", "", "maybe"]  # fmt: skip
    flags, bad = parse_flags(pd.Series(cells))
    expected = [True, False] * 8 + [pd.NA, pd.NA]
    assert flags.tolist() == expected
    assert bad.tolist() == [False] * 17 + [True]


def test_ids_from_workbook_numbers():
    assert parse_ids(pd.Series([1001.0, 1002.0])).tolist() == ["1001", "1002"]
    assert parse_ids(pd.Series([" A-1 ", ""])).tolist()[0] == "A-1"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=-(10**7), max_value=10**7, places=2, allow_nan=False),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([(",", " "), (",", "."), (".", ","), (".", "'"), (",", "\u00a0")]),
)
def test_numbers_round_trip_through_local_formats(values, style):
    decimal, thousands = style

    def write(d):
        sign = "-" if d < 0 else ""
        whole, frac = f"{abs(d):.2f}".split(".")
        groups = f"{int(whole):,}".replace(",", thousands)
        return f"{sign}{groups}{decimal}{frac}"

    cells = pd.Series([write(v) for v in values])
    result = parse_numbers(cells, decimal=decimal)
    assert not result.bad.any()
    np.testing.assert_allclose(result.values.to_numpy(), [float(v) for v in values])


def test_a_cell_that_shows_the_other_decimal_beyond_doubt_is_read_its_own_way():
    # "12,5" says comma and "120.50" says point: one each, so the ";" hint picks comma for
    # the column, yet "120.50" must stay 120.5 (not 12,050) and "1.234" follows the column.
    result = parse_numbers(pd.Series(["120.50", "12,5", "1.234"], dtype="str"), hint=",")
    assert result.decimal == ","
    assert result.values.tolist() == [120.5, 12.5, 1234.0]
    assert not result.bad.any()


# The decimal-comma fast path must give exactly what the general path gives. ---------------

COMMA_COLUMNS = [
    ["1234,56", "-5", "+2,25", "0,1", "12,345", "007", "1,234"],  # "1,234" is 1.234 here
    ["1 234,56", "1.234,56", "€ 5,50", "99 zł", "(10,00)", "10,00-", "1,5e3", "1.234"],
    ["12,5", "", None, "abc", "--5", "1,2,3", "  7,5  ", "inf", "NaN", "1e308", "120.50"],
    ["-0,00", "0", "9" * 400, "1,5", "1,5"],  # ties, a zero refund, an overflow to infinity
    ["１２,５", "٣,٥", "12,5\n", "7,5"],  # Unicode digits, which Python's float reads
]


@pytest.mark.parametrize("cells", COMMA_COLUMNS)
@pytest.mark.parametrize("decimal", [",", None])
def test_comma_fast_path_parses_as_the_general_path(monkeypatch, cells, decimal):
    values = pd.Series(cells, dtype="str", index=range(10, 10 + len(cells)))
    result = parse_numbers(values, decimal=decimal, hint=",")
    monkeypatch.setattr(
        "kpi.values._simple_comma_cells", lambda text: np.zeros(len(text), dtype=bool)
    )
    expected = parse_numbers(values, decimal=decimal, hint=",")
    pd.testing.assert_series_equal(result.values, expected.values)
    pd.testing.assert_series_equal(result.bad, expected.bad)
    assert (result.decimal, result.currency) == (expected.decimal, expected.currency)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"\A[-+]?\d{1,20}(,\d{1,20})?\Z"),
            st.from_regex(r"\A[-+(]?[\d .,']{0,12}[)-]?\Z"),
            st.none(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_comma_fast_path_matches_the_general_path_on_any_cells(cells):
    import kpi.values

    values = pd.Series(cells, dtype="str")
    options = [{"decimal": ","}, {"hint": ","}, {}]
    results = [parse_numbers(values, **kw) for kw in options]
    fast = kpi.values._simple_comma_cells
    kpi.values._simple_comma_cells = lambda text: np.zeros(len(text), dtype=bool)
    try:
        expected = [parse_numbers(values, **kw) for kw in options]
    finally:
        kpi.values._simple_comma_cells = fast
    for got, want in zip(results, expected, strict=True):
        pd.testing.assert_series_equal(got.values, want.values)
        pd.testing.assert_series_equal(got.bad, want.bad)
        assert got.decimal == want.decimal


def test_a_long_column_of_plain_amounts_decides_the_comma_as_its_sample_would(monkeypatch):
    cells = [f"{i},{i % 100:02d}" if i % 7 else str(i) for i in range(30_000)]
    values = pd.Series(cells, dtype="str")
    result = parse_numbers(values, hint=",")
    monkeypatch.setattr(
        "kpi.values._simple_comma_cells", lambda text: np.zeros(len(text), dtype=bool)
    )
    expected = parse_numbers(values, hint=",")  # decided on a sample of 20,000 cells
    assert result.decimal == expected.decimal == ","
    pd.testing.assert_series_equal(result.values, expected.values)


NUMBERISH_CELLS = st.one_of(
    st.text(alphabet="0123456789,.-+ :/Ce€$zł()_", min_size=1, max_size=10),
    st.sampled_from(
        ["C-1024", "2025-01-31 10:00", "31.01.2025", "1 234,56", "€ 5", "99 zł", "USD 12", "inf",
         "1_000", "１２,５", "٣", "12:30", "(10)", "10-", "\u2212 5", "Infinity", "0x10", "1e5",
         "EUR", "kr 5", "5 kr.", "PLN1", " ", "", "nan", "1,234", "-0,00", "9" * 20]
    ),
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(st.lists(NUMBERISH_CELLS, min_size=1, max_size=12), st.booleans())
def test_the_share_of_numbers_in_a_sample_is_the_general_parse(cells, arrow):
    from kpi.values import blank_mask, looks_like_numbers

    sample = pd.Series(cells, dtype="str" if arrow else object)
    filled = sample[~blank_mask(sample)]
    expected = float(1 - parse_numbers(filled).bad.mean()) if len(filled) else 0.0
    assert looks_like_numbers(sample) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789-./: TZ+,", max_size=22),
            st.sampled_from(
                ["2025-01-31", "31.01.2025", "2025/01/31", "2025-01", "20250131", "3 марта 2025",
                 "March 2025", "2025-01-31\n", "٢٠٢٥-01-31", "x 2025", "Date", "Дата", "", None,
                 "2025-01-31T10:00:00+01:00", "01/31/25 10:00", "१२.०१.२०२५"]
            ),
        ),
        max_size=20,
    )
)  # fmt: skip
def test_a_few_cells_are_date_shaped_as_the_vectorised_patterns_find(cells):
    import kpi.values
    from kpi.values import _date_shaped

    text = pd.Series(cells, dtype="str", name="Date")
    few = _date_shaped(text)
    many = kpi.values._SHAPED_FEW
    kpi.values._SHAPED_FEW = -1  # the vectorised passes, whatever the length
    try:
        expected = _date_shaped(text)
    finally:
        kpi.values._SHAPED_FEW = many
    pd.testing.assert_series_equal(few, expected)


BLANKISH = ["", " ", "\t", "\u00a0", "\u2007\u202f", "\u3000", "x", " x ", "\u200b", None, "0"]


def test_blank_cells_of_arrow_text_are_those_stripping_finds():
    from kpi.values import blank_mask

    values = pd.Series(BLANKISH, dtype="str", name="Customer", index=range(5, 16))
    expected = values.isna() | (values.astype(object).str.strip() == "")
    pd.testing.assert_series_equal(blank_mask(values), expected.astype(bool))
    as_objects = blank_mask(values.astype(object))
    pd.testing.assert_series_equal(blank_mask(values), as_objects)


def test_ids_of_arrow_text_are_those_of_the_same_cells_as_objects():
    values = pd.Series([*BLANKISH, "  C-7 ", "1234"], dtype="str")
    result = parse_ids(values)
    expected = parse_ids(values.astype(object))
    pd.testing.assert_series_equal(result, expected)
    assert result.isna().sum() == 7  # empty, whitespace-only and missing; "\u200b" is no space


def test_commas_become_points_in_chunked_sliced_and_missing_cells():
    import pyarrow as pa

    from kpi.values import _commas_to_points

    chunked = pa.chunked_array(
        [
            pa.array(["1,5", "-2,25"], pa.large_string()),
            pa.array(["3", None, "4,0"], pa.large_string()),
        ],
        type=pa.large_string(),
    )
    assert _commas_to_points(chunked).to_pylist() == ["1.5", "-2.25", "3", None, "4.0"]
    sliced = pa.array(["x,y", "1,2", "7"], pa.large_string())[1:]
    assert _commas_to_points(sliced).to_pylist() == ["1.2", "7"]
    assert _commas_to_points(pa.chunked_array([], pa.large_string())).to_pylist() == []


@pytest.mark.parametrize("cell", ["１２,５", "٣,٥", "12,5\n", "12,5 ", "1,2,3", ",5", "5,"])
def test_cells_beyond_plain_ascii_amounts_take_the_general_path(cell):
    from kpi.values import _simple_comma_cells

    assert not _simple_comma_cells(pd.Series([cell], dtype="str")).any()


@pytest.mark.parametrize("formats", ["ymd", "dmy", "mdy"])
def test_date_formats_of_one_shape_never_read_the_same_cell(formats):
    # Each format is counted only on the sample cells the formats before it could not read:
    # the counts are those of every format on the whole sample because no cell is read by two.
    from kpi.values import _day_month_formats, _year_first_formats

    fmts = _year_first_formats() if formats == "ymd" else _day_month_formats(formats)
    stamps = pd.to_datetime(["2025-01-02 03:04:05", "1999-12-31 23:59:00", "2030-10-11 00:00:00"])
    written = {t.strftime(f) for f in fmts for t in stamps}
    unpadded = {c.replace(".0", ".").replace("/0", "/").replace("-0", "-") for c in written}
    cells = pd.Series(sorted(written | unpadded), dtype="str")
    readers = sum(
        pd.to_datetime(cells, format=f, errors="coerce").notna().astype(int) for f in fmts
    )
    assert (readers == 1).all(), cells[readers != 1].tolist()


def test_a_column_of_mixed_date_formats_reads_each_cell_its_own_way():
    cells = ["31.12.2025"] * 300 + ["01.02.25 10:30", "1-2-2025", "02.01.2025 08:00:00"]
    result = parse_dates(pd.Series(cells, dtype="str"))
    expected = pd.to_datetime(
        ["2025-12-31"] * 300 + ["2025-02-01 10:30", "2025-02-01", "2025-01-02 08:00"],
        format="ISO8601",
    )
    assert result.values.tolist() == expected.tolist()
    assert not result.bad.any()


@pytest.mark.parametrize(
    "cells",
    [
        ["Ads", "Web", "inf", "-Infinity", "nan", "€", "Referral"],
        [True, False, float("inf"), "n/a"],
        ["Ads", "١٢", "x"],  # an Arabic-Indic number is a number
        ["Ads", 5.0, "x"],
    ],
)
def test_share_of_numbers_without_digits_is_what_parsing_finds(cells):
    from kpi.values import looks_like_numbers

    sample = pd.Series(cells, dtype=object)
    expected = float(1 - parse_numbers(sample).bad.mean())
    assert looks_like_numbers(sample) == expected
    text = pd.Series([str(c) for c in cells], dtype="str")
    assert looks_like_numbers(text) == float(1 - parse_numbers(text).bad.mean())


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([None] * 9_000 + ["5 zł", "7 €", "9 zł"] * 400, dtype="str"),
        pd.Series(["1 €", None, "2 €"] * 10, dtype="str"),
        pd.Series([None, None], dtype="str"),
        pd.Series([np.nan, "3 $", 4.0] * 2_000, dtype=object),
    ],
)
def test_first_present_cells_are_the_head_of_the_present_cells(values):
    from kpi.values import _first_present

    pd.testing.assert_series_equal(_first_present(values, 2000), values.dropna().head(2000))


def test_currency_mark_found_far_down_a_column():
    values = pd.Series([None] * 9_000 + ["5 zł", "7 €", "9 zł"], dtype="str")
    assert detect_currency(values) == "PLN"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=" \t\n\x0b\x1c\x1f\u00a0\u2007\u3000\u200bxЖ1,", max_size=4),
        ),
        max_size=40,
    ),
    st.integers(min_value=0, max_value=5),
)
def test_blank_cells_of_any_text_in_any_chunks(cells, cut):
    import pyarrow as pa

    from kpi.values import _blank_text, blank_mask

    values = pd.Series(cells, dtype="str")
    expected = (values.isna() | (values.astype(object).str.strip() == "")).to_numpy(dtype=bool)
    np.testing.assert_array_equal(blank_mask(values).to_numpy(), expected)
    arrow = pa.array(cells, type=pa.large_string())
    chunked = pa.chunked_array([arrow[:cut], arrow[cut:]], type=pa.large_string())
    np.testing.assert_array_equal(_blank_text(chunked), expected)
    np.testing.assert_array_equal(_blank_text(pa.array(cells, type=pa.string())), expected)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(alphabet=" \t\u00a0\u3000xé1,.", max_size=4)),
        max_size=30,
    ),
    st.integers(min_value=0, max_value=5),
)
def test_text_is_stripped_exactly_when_an_edge_is_whitespace(cells, cut):
    from kpi.values import _as_text

    values = pd.Series(cells, dtype="str").iloc[cut:]  # a slice: Arrow offsets not at zero
    expected = values.str.strip()
    pd.testing.assert_series_equal(_as_text(values), expected)
    assert _as_text(values.astype(object)).tolist() == expected.tolist()


# Formats of real exports (issue 15, part 6) --------------------------------------------------


def test_mixed_utc_offsets_keep_the_clock_time_as_written():
    # A year in Warsaw: +0100 in winter, +0200 in summer; one column, no clash.
    cells = pd.Series(
        ["2025-03-04 14:22:01 +0100", "2025-07-04 09:00:00 +0200", "2025-12-01T23:30:00+01:00"]
    )
    result = parse_dates(cells)
    assert result.values.tolist() == [
        pd.Timestamp("2025-03-04 14:22:01"),
        pd.Timestamp("2025-07-04 09:00:00"),
        pd.Timestamp("2025-12-01 23:30:00"),
    ]
    assert not result.bad.any()
    assert result.offsets == ("+01:00", "+02:00")
    assert "UTC offsets +01:00, +02:00" in result.notes[0]


def test_z_suffixed_iso_is_utc_as_written():
    result = parse_dates(pd.Series(["2025-01-31T23:59:59Z", "2025-02-01T00:00:00.250Z"]))
    assert result.values.tolist() == [
        pd.Timestamp("2025-01-31 23:59:59"),
        pd.Timestamp("2025-02-01 00:00:00.250"),
    ]
    assert result.offsets == ("Z",)


def test_compact_yyyymmdd_as_text_and_as_numbers():
    # The CDNOW master log writes 19970101; a workbook may hold it as a number.
    text = parse_dates(pd.Series(["19970101", "19980630", "19971332"]))
    assert text.values.tolist()[:2] == [pd.Timestamp("1997-01-01"), pd.Timestamp("1998-06-30")]
    assert text.bad.tolist() == [False, False, True]  # month 13 is no date
    assert "compact YYYYMMDD dates" in text.read_as
    numbers = parse_dates(pd.Series([19970101, 19980630]))
    assert numbers.values.tolist() == [pd.Timestamp("1997-01-01"), pd.Timestamp("1998-06-30")]
    assert not numbers.serials


def test_excel_serials_in_a_workbook_column_are_said_so():
    # 45658 days after 1899-12-30 is 2025-01-01; .5 is noon.
    cells = pd.Series([45658, 45658.5, None], dtype=object)
    result = parse_dates(cells)
    assert result.values.tolist()[:2] == [
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-01-01 12:00"),
    ]
    assert result.serials
    assert result.notes == ["numbers read as Excel serial dates (days since 1899-12-30)"]


def test_a_forced_day_order_is_said_so():
    result = parse_dates(pd.Series(["03/04/2025"]), order="mdy")
    assert result.forced_order
    assert result.notes == ["read month-first, as chosen (not decided from the cells)"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("3 January 2025", "2025-01-03"),
        ("January 3, 2025", "2025-01-03"),
        ("03-Jan-2025", "2025-01-03"),
        ("3 марта 2025", "2025-03-03"),  # Russian genitive
        ("3 марта 2025 г.", "2025-03-03"),
        ("Март 2025", "2025-03-01"),  # a month alone is its first day, like 2025-03
        ("15 stycznia 2025", "2025-01-15"),  # Polish genitive
        ("7 grudnia 2024 r.", "2024-12-07"),
        ("12 martie 2025", "2025-03-12"),  # Romanian
        ("3. marca 2025", "2025-03-03"),  # Slovenian genitive
        ("3. marec 2025", "2025-03-03"),
        ("3. März 2025", "2025-03-03"),  # German
        ("3. Mrz. 2025", "2025-03-03"),
        ("4 août 2025 10:30", "2025-08-04 10:30"),  # French
        ("1 févr. 2025", "2025-02-01"),
        ("3 de marzo de 2025", "2025-03-03"),  # Spanish
        ("3 dic 2025", "2025-12-03"),
    ],
)
def test_month_names_in_the_eight_languages(cell, expected):
    result = parse_dates(pd.Series([cell]))
    assert result.values.tolist() == [pd.Timestamp(expected)]
    assert not result.bad.any()


def test_a_month_word_that_is_no_month_or_an_impossible_day_is_bad():
    result = parse_dates(pd.Series(["31 февраля 2025", "3 Smarch 2025"]))
    assert result.bad.tolist() == [True, True]


# The one-layout fast path gives every cell the general path's value --------------------------

LAYOUT_CELLS = st.sampled_from(
    [
        "2025-03-04 14:22:01", "2025-02-30 10:00:00", "2025-3-4 14:22:01", "2025-03-04",
        "2025-03-04T14:22:01", "2025-03-04T14:22:01+01:00", "2025-07-04 14:22:01 +0200",
        "2025-03-04T14:22:01Z", "04.03.2025 14:22", "31.02.2025 10:00", "04.03.25 14:22",
        "13/03/2025 10:00", "03/13/2025 10:00", "04/03/2025", "20250304", "20251301",
        "1900-01-01 00:00:00", "9999-12-31 23:59:59", "2025-03-04 24:00:00", "", " ", "soon",
        "45658", "3 марта 2025", " 2025-03-04 14:22:01 ",
    ]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    head=st.sampled_from(
        ["2025-03-04 14:22:01", "04.03.2025 14:22", "2025-03-04T14:22:01+01:00", "20250304",
         "03/13/2025 10:00", "13/03/2025 10:00", "2025-03-04"]
    ),
    tail=st.lists(LAYOUT_CELLS, max_size=30),
    order=st.sampled_from([None, "dmy", "mdy"]),
)  # fmt: skip
def test_fast_date_layout_matches_the_general_path(head, tail, order):
    from kpi.values import _fast_dates

    # The layout is chosen on the first cells: many of one layout, then anything.
    cells = pd.Series([head] * 50 + tail, dtype="str")
    fast = _fast_dates(cells, order)
    general = parse_dates(cells, order=order, _fast=False)
    if fast is None:  # no one layout: parse_dates takes the general path itself
        return
    pd.testing.assert_series_equal(fast.values, general.values)
    pd.testing.assert_series_equal(fast.bad, general.bad)
    assert fast.order == general.order
    assert set(fast.offsets) == set(general.offsets)


def test_fast_date_layout_is_taken_on_a_large_column():
    from kpi.values import _FAST_MIN, _fast_dates

    cells = pd.Series(["04.03.2025 14:22", "31.12.2024 09:05"] * _FAST_MIN, dtype="str")
    fast = _fast_dates(cells, None)
    assert fast is not None
    assert fast.values.iloc[:2].tolist() == [
        pd.Timestamp("2025-03-04 14:22"),
        pd.Timestamp("2024-12-31 09:05"),
    ]
    assert fast.order == "dmy"


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.one_of(
            st.floats(allow_nan=False).map(repr),
            st.floats(allow_nan=False, allow_infinity=False).map("{:.2f}".format),
            st.sampled_from(["1_000", " 2", "0x10", "1,5", "", "Infinity", "-inf", "nan", "5."]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_arrow_float_cast_reads_as_before(cells):
    from kpi.values import _to_float

    text = pd.Series(cells, dtype="str")
    try:  # the reading before Arrow's cast: Python's float per cell, else pandas' to_numeric
        expected = text.astype("float64")
    except ValueError:
        expected = pd.to_numeric(text, errors="coerce").astype("float64")
    np.testing.assert_array_equal(_to_float(text).to_numpy(), expected.to_numpy())


def test_date_order_decided_on_the_first_distinct_cells_of_a_long_column():
    from kpi.values import decide_date_order

    # 30,000 distinct day-first cells, then month-first proof beyond the first 20,000
    # distinct cells: the decision reads the first 20,000 distinct cells only, as before.
    days = pd.date_range("1990-01-01", periods=30_000, freq="D")
    cells = pd.Series(list(days.strftime("%d/%m/%Y")) * 2 + ["01/31/2025"] * 50_000)
    assert decide_date_order(cells) == ("dmy", False)


# Cells of one width are read from their bytes: the same cells and times as the pattern path.

_WIDE_LAYOUTS = [
    lay for order in ("dmy", "mdy") for lay in _fast_layouts(order) if lay.shape != "compact"
]


@settings(max_examples=80, deadline=None)
@given(
    which=st.integers(0, len(_WIDE_LAYOUTS) - 1),
    suffix=st.sampled_from(["Z", "+01:00", "-0530", " +02:00", " -0100", "X01:00", "+1:000", "  "]),
    cells=st.lists(
        st.one_of(
            st.sampled_from(
                ["2024-02-29 23:59:59", "2025-02-29 10:00:00", "2025-04-31 00:00:00",
                 "2025-13-01 00:00:00", "2025-00-10 00:00:00", "2025-03-04 24:00:00",
                 "2025-03-04 23:60:00", "0000-01-01 00:00:00", "9999-12-31 23:59:59",
                 "31.12.2025 10:00", "29.02.2023 10:00", "02/29/2024 10:00", "31.04.2025",
                 "2025-03-04T14:22:01", "2025-03-04", "01.01.1970", "1969-12-31 23:59:59"]
            ),
            st.text(alphabet="0123456789-.:/ T", min_size=1, max_size=19),
        ),
        min_size=1,
        max_size=40,
    ),
)  # fmt: skip
def test_fixed_width_dates_read_as_the_pattern_path(which, suffix, cells):
    from kpi.values import _fixed_width_cells, _pattern_cells

    lay = _WIDE_LAYOUTS[which]
    width = len(pd.Timestamp("2025-01-02 03:04:05").strftime(lay.fmt))
    # Every cell padded or cut to the layout's width, so the byte path applies; where an
    # offset may follow, every cell ends in one of the same width (or in one the pattern
    # refuses), and one in five keeps its own last characters instead.
    same = [(c * width)[:width] for c in cells]
    if lay.width:
        same = [c + (suffix if i % 5 else (c * 7)[: len(suffix)]) for i, c in enumerate(same)]
    arr = pa.array(same, type=pa.large_string())
    fixed = _fixed_width_cells(arr, lay)
    hit, stamps = _pattern_cells(arr, lay)
    if fixed is None:  # no offset is that wide: the pattern takes none of the cells either
        assert lay.width and len(suffix) not in (1, 5, 6, 7)
        assert not hit.any()
        return
    np.testing.assert_array_equal(fixed[0], hit)
    np.testing.assert_array_equal(fixed[1], stamps)
    sliced = arr.slice(1)  # an offset into the buffers
    if len(sliced):
        np.testing.assert_array_equal(_fixed_width_cells(sliced, lay)[1], stamps[1:])


def test_offsets_read_from_the_bytes_are_the_distinct_endings_the_slices_give():
    import pyarrow.compute as pc

    from kpi.values import _endings

    # One block of one width (read from its bytes): a summer and a winter offset, the same
    # offset without its colon, Z, and cells the layout refused (an impossible day, spaces).
    one_width = [
        "2025-03-30T01:59:59+01:00",
        "2025-03-30T03:00:00+02:00",
        "2025-02-30T10:00:00+01:00",
        "2025-03-30T04:00:00 +0200",
        " " * 25,
        "2025-10-26T02:30:00+01:00",
    ]
    # Another block of mixed widths and blanks (read by slicing).
    mixed = [
        "2025-04-01T10:00:00Z",
        "",
        " ",
        "2025-04-01T10:00:00-05:30",
        "2025-04-01T10:00:00+02:00",
    ]
    cells = pa.chunked_array(
        [pa.array(one_width, pa.large_string()), pa.array(mixed, pa.large_string())]
    )
    hit = np.array([True, True, True, True, False, True, True, False, False, True, True])
    expected = pc.unique(pc.utf8_slice_codeunits(cells.filter(pa.array(hit)), 19, 64)).to_pylist()
    assert _endings(cells, hit, 19) == expected
    assert expected == ["+01:00", "+02:00", " +0200", "Z", "-05:30"]
    # A block whose every cell the layout refused adds nothing.
    assert _endings(cells, np.zeros(len(hit), dtype=bool), 19) == []


def test_a_column_with_an_offset_change_and_awkward_cells_reads_as_the_general_path():
    from kpi.values import _FAST_MIN

    stamps = pd.Timestamp("2025-03-29 23:00:00") + pd.to_timedelta(np.arange(2 * _FAST_MIN), "min")
    cells = [
        s.strftime("%Y-%m-%dT%H:%M:%S")
        + ("+01:00" if s < pd.Timestamp("2025-03-30 02:00") else "+02:00")
        for s in stamps
    ]
    cells[3], cells[5], cells[8] = "", "  ", "2025-02-30T10:00:00+01:00"
    cells[9] = "2025-03-30T10:00:00Z"
    series = pd.Series(cells, dtype="str")
    fast = parse_dates(series)
    general = parse_dates(series, _fast=False)
    pd.testing.assert_series_equal(fast.values, general.values)
    pd.testing.assert_series_equal(fast.bad, general.bad)
    assert fast.offsets == general.offsets == ("+01:00", "Z", "+02:00")
    assert fast.values.iloc[0] == pd.Timestamp("2025-03-29 23:00:00")  # the clock as written
    assert fast.bad.iloc[8] and not fast.bad.iloc[3] and not fast.bad.iloc[5]


def test_a_column_of_one_width_and_a_few_blanks_reads_as_the_general_path():
    from kpi.values import _FAST_MIN

    good = pd.Timestamp("2022-01-01 00:26:27") + pd.to_timedelta(np.arange(3 * _FAST_MIN), "s")
    cells = good.strftime("%Y-%m-%d %H:%M:%S").tolist()
    cells[5], cells[7], cells[9] = "2022-02-30 10:00:00", "", "2022-1-05 10:00:0"
    series = pd.Series(cells, dtype="str")
    fast = parse_dates(series)
    general = parse_dates(series, _fast=False)
    pd.testing.assert_series_equal(fast.values, general.values)
    pd.testing.assert_series_equal(fast.bad, general.bad)
    assert fast.values.iloc[0] == pd.Timestamp("2022-01-01 00:26:27")
    assert fast.bad.iloc[5] and not fast.bad.iloc[7]


def test_repeating_dates_of_one_width_read_as_the_general_path():
    from kpi.values import _FAST_MIN

    days = pd.date_range("2023-12-25", periods=40, freq="D").strftime("%d.%m.%Y").tolist()
    cells = days * (_FAST_MIN // 10)
    cells[-2:] = ["31.02.2024", ""]  # no such day, a blank (its block takes the pattern path)
    series = pd.Series(cells, dtype="str")
    fast = parse_dates(series)
    general = parse_dates(series, _fast=False)
    pd.testing.assert_series_equal(fast.values, general.values)
    pd.testing.assert_series_equal(fast.bad, general.bad)
    assert fast.order == general.order == "dmy"
    assert fast.values.iloc[0] == pd.Timestamp("2023-12-25")
