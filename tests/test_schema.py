"""Column detection samples a bounded prefix of each column; the sample is the one a whole scan
would pick."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi.schema import _first_filled, column_profiles


def _first_filled_by_whole_scan(values: pd.Series, count: int) -> pd.Series:
    """The definition: drop missing and blank cells from the whole column, keep the first."""
    sample = values.dropna()
    return sample[sample.astype(str).str.strip() != ""].head(count)


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([""] * 5_000 + ["C1", " ", "C2"] * 300, dtype="str"),  # blanks first
        pd.Series([None, "  ", "x"] * 70, dtype="str"),  # fewer than 200 filled
        pd.Series([], dtype="str"),
        pd.Series(["", " "] * 3_000, dtype="str"),  # nothing filled
        pd.Series([None, 5.0, "", "2025-01-02", np.nan] * 400, dtype=object),  # a workbook
        pd.Series(np.r_[np.full(3_000, np.nan), np.arange(500.0)]),
    ],
)
def test_first_filled_cells_are_those_a_whole_scan_finds(values):
    result = _first_filled(values, 200)
    expected = _first_filled_by_whole_scan(values, 200)
    pd.testing.assert_series_equal(result, expected)


def test_profiles_of_a_column_filled_only_far_down():
    frame = pd.DataFrame(
        {
            "Date": [""] * 10_000 + ["31.12.2025"] * 300,
            "Amount": [""] * 10_000 + ["1,5"] * 300,
        },
        dtype="str",
    )
    profiles = column_profiles(frame)
    assert profiles["Date"]["date"] == 1.0
    assert profiles["Amount"]["number"] == 1.0
    assert profiles["Amount"]["filled"] == 1.0  # 200 filled cells of a 200-cell sample
