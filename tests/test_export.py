"""Downloads never carry a live spreadsheet formula from an uploaded cell."""

import io

import pandas as pd
from python_calamine import CalamineWorkbook

from kpi.export import csv_bytes, neutralise, xlsx_bytes

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "plain", None]


def test_text_cells_that_start_a_formula_get_an_apostrophe():
    frame = pd.DataFrame({"comment": HOSTILE, "amount": [-1.5] * len(HOSTILE)})
    result = neutralise(frame)
    expected = ["'" + v for v in HOSTILE[:6]] + ["plain"]
    assert result["comment"].iloc[:7].tolist() == expected
    assert pd.isna(result["comment"].iloc[7])  # blank stays blank
    assert result["amount"].tolist() == [-1.5] * len(HOSTILE)  # numbers stay numbers
    assert frame["comment"].iloc[:7].tolist() == HOSTILE[:7]  # input untouched


def test_column_names_are_neutralised_too():
    assert list(neutralise(pd.DataFrame({"=cmd": [1]})).columns) == ["'=cmd"]


def test_csv_and_xlsx_round_trip_as_text():
    frame = pd.DataFrame({"name": ["=1+1", "Zoë"], "amount": [-3.0, 4.0]})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines()[1] == "'=1+1,-3.0"
    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx_bytes(frame)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[1][0] == "'=1+1" and rows[2][0] == "Zoë" and rows[1][1] == -3.0
