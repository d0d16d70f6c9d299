"""Cell parsers: numbers as people write them, dates in every order, yes/no, ids."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.values import (
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
