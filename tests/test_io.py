"""Reader quirks, each on a file the test writes: encodings, delimiters, title rows, workbooks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
import xlwt
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.errors import ReadError
from kpi.ingest import load_files
from kpi.io import ALIGNED, Limits, detect_delimiter, find_header, read_file

ROWS = [
    ("31.12.2025", "Иванов", "1 234,56"),
    ("01.01.2026", "ООО Ромашка", "99,00"),
    ("02.01.2026", "Пётр", "10,5"),
]


def _csv(rows, header=("Дата", "Клиент", "Сумма"), sep=";", title=None) -> str:
    lines = [title] if title else []
    lines.append(sep.join(header))
    lines += [sep.join(r) for r in rows]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1251", "cp1251"),
    ],
)
def test_cyrillic_export_in_each_encoding(encoding, expected):
    data = _csv(ROWS).encode(encoding)
    [table] = read_file(data, "export.csv")
    assert table.encoding == expected
    assert list(table.frame.columns) == ["Дата", "Клиент", "Сумма"]
    assert table.frame["Клиент"].tolist() == ["Иванов", "ООО Ромашка", "Пётр"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Data;Klient;Kwota\n01.02.2025;Wiązka Łódź;12,50\n", "cp1250"),
        ("Datum;Stranka;Znesek\n01.02.2025;Črnič Šuštar;12,50\n", "cp1250"),
        ("Data;Client;Suma\n01.02.2025;Ştefan Brăila;12,50\n", "cp1250"),
        ("Fecha;Cliente;Importe\n01.02.2025;Peña Muñoz;12,50\n", "cp1252"),
        ("Date;Client;Montant\n01.02.2025;Très à côté;12,50\n", "cp1252"),
    ],
)
def test_central_and_western_code_pages(text, encoding):
    [table] = read_file(text.encode(encoding), "x.csv")
    assert table.frame.iloc[0, 1] == text.splitlines()[1].split(";")[1]


def test_utf16_without_mark():
    data = _csv(ROWS).encode("utf-16-le")
    [table] = read_file(data, "x.txt")
    assert table.frame["Сумма"].tolist() == ["1 234,56", "99,00", "10,5"]


@pytest.mark.parametrize("sep", [";", "\t", ",", "|"])
def test_delimiters(sep):
    rows = [("2025-01-02", "A", "5"), ("2025-01-03", "B", "7")]
    [table] = read_file(_csv(rows, ("Date", "Client", "Amount"), sep).encode(), "x.csv")
    assert table.delimiter == sep
    assert table.frame.shape == (2, 3)


def test_semicolon_beats_decimal_commas():
    # Every line has one comma inside an amount: a comma split would also be consistent,
    # but a semicolon split gives more columns, so it wins.
    assert detect_delimiter("Date;Client;Amount\n2025-01-02;A;1,5\n2025-01-03;B;2,5\n") == ";"


def test_title_and_blank_rows_above_header():
    text = _csv(ROWS, title="Sales report 2025;;\n;;")
    [table] = read_file(text.encode("utf-8"), "x.csv")
    assert list(table.frame.columns) == ["Дата", "Клиент", "Сумма"]
    assert table.header_line == 3
    # Data rows sit on lines 4, 5 and 6 of the file.
    assert table.line_numbers.tolist() == [4, 5, 6]


def test_trailing_empty_rows_and_columns_dropped():
    text = "Date;Client;Amount;;\n2025-01-02;A;5;;\n;;;;\n\n2025-01-03;B;7;;\n;;;;\n\n"
    [table] = read_file(text.encode(), "x.csv")
    assert list(table.frame.columns) == ["Date", "Client", "Amount"]
    assert table.frame["Client"].tolist() == ["A", "B"]
    assert table.empty_rows == 4
    assert table.line_numbers.tolist() == [2, 5]


def test_row_with_too_many_cells_is_reported_with_its_line():
    text = "Date;Client;Amount\n2025-01-02;A;5\n2025-01-03;B;7;oops\n2025-01-04;C;9\n"
    [table] = read_file(text.encode(), "x.csv")
    assert table.frame["Client"].tolist() == ["A", "C"]
    assert [b.line for b in table.bad_lines] == [3]
    assert "oops" in table.bad_lines[0].text
    assert table.line_numbers.tolist() == [2, 4]


def test_duplicate_and_blank_header_names():
    text = "Amount,Amount,,Client\n1,2,3,A\n"
    [table] = read_file(text.encode(), "x.csv")
    assert list(table.frame.columns) == ["Amount", "Amount (2)", "Column 3", "Client"]


def test_file_without_header():
    text = "2025-01-02;A;5\n2025-01-03;B;7\n"
    [table] = read_file(text.encode(), "x.csv")
    assert list(table.frame.columns) == ["Column 1", "Column 2", "Column 3"]
    assert len(table.frame) == 2


def test_find_header_skips_title():
    rows = [["Report"], ["", ""], ["Date", "Client", "Amount"], ["2025-01-01", "A", "3"]]
    assert find_header(rows) == 2


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    date_fmt = book.add_format({"num_format": "dd.mm.yyyy"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif value is not None:
                    ws.write(r, c, value)
    book.close()
    return buf.getvalue()


def test_xlsx_with_title_row_and_two_sheets():
    data = _xlsx(
        {
            "Zamówienia": [
                ["Raport sprzedaży 2025"],
                [],
                ["Data", "Klient", "Kwota"],
                [dt.date(2025, 1, 2), "K1", 100.5],
                [dt.date(2025, 1, 3), "K2", 200],
            ],
            "Klienci": [["Klient", "Kanał"], ["K1", "Polecenie"], ["K2", "Reklama"]],
        }
    )
    tables = read_file(data, "raport.xlsx")
    assert [t.source for t in tables] == ["raport.xlsx › Zamówienia", "raport.xlsx › Klienci"]
    orders = tables[0].frame
    assert list(orders.columns) == ["Data", "Klient", "Kwota"]
    assert orders["Kwota"].tolist() == [100.5, 200]
    # Date cells stay dates: a column of them is typed datetime64, numbers float64.
    assert orders["Data"].tolist() == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-01-03")]
    assert orders["Data"].dtype == "datetime64[us]" and orders["Kwota"].dtype == "float64"
    assert tables[0].line_numbers.tolist() == [4, 5]


def test_empty_sheets_are_skipped():
    data = _xlsx({"Empty": [], "Data": [["Date", "Amount"], ["2025-01-01", 5]]})
    tables = read_file(data, "x.xlsx")
    assert [t.source for t in tables] == ["x.xlsx › Data"]


def test_xls_workbook():
    book = xlwt.Workbook()
    ws = book.add_sheet("Orders")
    for c, h in enumerate(["Date", "Customer", "Amount"]):
        ws.write(0, c, h)
    ws.write(1, 0, 45658.0)  # Excel serial for 2025-01-01, as a plain number cell
    ws.write(1, 1, "C1")
    ws.write(1, 2, 12.5)
    buf = io.BytesIO()
    book.save(buf)
    [table] = read_file(buf.getvalue(), "old.xls")
    assert table.frame["Customer"].tolist() == ["C1"]
    assert table.frame["Amount"].tolist() == [12.5]


def test_ods_workbook():
    frame = pd.DataFrame({"Datum": ["2025-01-02"], "Kunde": ["K1"], "Betrag": [19.99]})
    buf = io.BytesIO()
    frame.to_excel(buf, engine="odf", index=False, sheet_name="Umsatz")
    [table] = read_file(buf.getvalue(), "umsatz.ods")
    assert table.source == "umsatz.ods › Umsatz"
    assert table.frame["Betrag"].tolist() == [19.99]


def test_parquet():
    frame = pd.DataFrame({"customer_id": ["a"], "amount": [1.5]})
    buf = io.BytesIO()
    frame.to_parquet(buf)
    [table] = read_file(buf.getvalue(), "x.parquet")
    assert table.frame["amount"].tolist() == [1.5]


def test_empty_file():
    with pytest.raises(ReadError, match="empty"):
        read_file(b"", "x.csv")


def test_header_only():
    with pytest.raises(ReadError, match="no rows"):
        read_file(b"Date;Client;Amount\n", "x.csv")


def test_too_large():
    with pytest.raises(ReadError, match="limit is 1 MB"):
        read_file(b"a,b\n" + b"1,2\n" * 300_000, "x.csv", limits=Limits(max_bytes=2**20))


def test_too_many_rows():
    with pytest.raises(ReadError, match="limit is 10 rows"):
        read_file(b"a,b\n" + b"1,2\n" * 50, "x.csv", limits=Limits(max_rows=10))


def test_xlsx_that_is_not_a_zip():
    with pytest.raises(ReadError, match=r"damaged|could not be opened"):
        read_file(b"PK\x03\x04 this is not really a zip file", "x.xlsx")


def test_zip_bomb_refused_before_expanding():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 2**20))
    data = buf.getvalue()
    assert len(data) < 2**20  # tiny on disk
    with pytest.raises(ReadError, match="would expand"):
        read_file(data, "bomb.xlsx")


def test_binary_file_with_text_name():
    with pytest.raises(ReadError):
        read_file(np.arange(1000, dtype=np.int64).tobytes(), "x.csv")


# The Arrow reader for plain exports must give exactly what pandas' parser gives. ---------

PLAIN_AND_MESSY_BODIES = [
    "Kunde;Datum;Betrag\nC1;31.12.2025;1 234,56\nC2;01.01.2025;-5\n",
    "Sales report 2025\n\nKunde;Datum;Betrag\nC1;31.12.2025;1,5\n",
    "Kunde;Datum;Betrag\nC1;31.12.2025;1,5\n;;\nC2;01.01.2025; 7 \n",  # a blank row
    "Kunde;Datum;Betrag\nC1;31.12.2025;1,5\n\nC2;01.01.2025;7\n",  # an empty line
    "Kunde;Datum;Betrag\nC1;31.12.2025;1,5\nC2;01.01.2025;7\n\n\n",  # trailing empty lines
    "Kunde;Datum;Betrag\nC1;31.12.2025;1,5\nC2;01.01.2025;7;x\n",  # a cell too many
    "Kunde;Datum;Betrag\nC1;31.12.2025;1,5\nC2;01.01.2025\n",  # a cell too few
    "Kunde;Datum;Betrag;\nC1;31.12.2025;1,5;\nC2;01.01.2025;7;\n",  # trailing delimiters
    "Клиент;Дата;Сумма\nКузнецов;31.12.2025;1\u00a0234,56 руб.\nПётр;01.01.2025;7\n",
    "Client;Date;Montant\nRené Müller;2025-01-02;€ 5\nPeña;2025-01-03;6\n",
    'customer_id;order_date;amount\n"Smith; J";2025-01-02;5\nC2;2025-01-03;6\n',  # quoted
    "customer_id,order_date,amount\nC1,2025-01-02,10\nC2,2025-01-03,\n",
    "a\tb\tc\n1\t2\t3\n\t\t\n",
    "a|b|c\n1|2|3\n",
    "customer_id;order_date;amount\nC1;2025-01-02;5\u2028\nC2;2025-01-03;6\x0c\n",
    "customer_id;order_date;amount\nC1;2025-01-02;5\nC2;2025-01-03;6",  # no final newline
    "customer_id;order_date;amount\n  C1 ;2025-01-02; 5\n",
    "1;2025-01-02;5\n2;2025-01-03;6\n",  # no header
    "customer_id\nC1\n\nC2\n",  # one column
]


def _raw_tables_equal(result, expected) -> None:
    assert len(result) == len(expected)
    for got, want in zip(result, expected, strict=True):
        pd.testing.assert_frame_equal(got.frame, want.frame)
        np.testing.assert_array_equal(got.line_numbers, want.line_numbers)
        assert (got.empty_rows, got.bad_lines, got.notes, got.header_line) == (
            want.empty_rows,
            want.bad_lines,
            want.notes,
            want.header_line,
        )


def _encodable(body: str, encoding: str) -> bool:
    try:
        body.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (body, encoding)
        for body in PLAIN_AND_MESSY_BODIES
        for encoding in ("utf-8", "utf-8-sig", "utf-16", "cp1251", "cp1252")
        if _encodable(body, encoding)
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_arrow_reader_reads_as_pandas_parser(monkeypatch, body, encoding, newline):
    data = body.replace("\n", newline).encode(encoding)
    try:
        result = read_file(data, "orders.csv")
    except ReadError as err:
        result = err
    monkeypatch.setattr("kpi.io._read_arrow_text", lambda *args: None)
    try:
        expected = read_file(data, "orders.csv")
    except ReadError as err:
        assert str(result) == str(err)
        return
    _raw_tables_equal(result, expected)


def test_arrow_reader_takes_quoted_and_ragged_files_and_leaves_the_rest(monkeypatch):
    import kpi.io

    taken: list[bool] = []
    arrow = kpi.io._read_arrow_text

    def spy(*args):
        frame = arrow(*args)
        taken.append(frame is not None)
        return frame

    monkeypatch.setattr("kpi.io._read_arrow_text", spy)
    plain = "Kunde;Datum;Betrag\r\nC1;31.12.2025;1,5\r\nC2;01.01.2025;7\r\n"
    read_file(plain.encode("utf-8-sig"), "a.csv")
    read_file(plain.encode("cp1252"), "b.csv")
    read_file(b'Kunde;Betrag\n"C;1";5\n', "quoted.csv")
    read_file(b"Kunde;Betrag\nC1;5;6\n", "ragged.csv")
    read_file(b"Kunde;Betrag\rC1;5\r", "old-mac.csv")
    (bad_byte,) = read_file(b"\xef\xbb\xbfKunde;Betrag\nC1;5\nC\xff2;6\n", "bom.csv")
    # Quoted cells and a line with a cell too many are Arrow's too; a bare CR or a byte
    # that is no UTF-8 go to pandas.
    assert taken == [True, True, True, True, False, False]
    assert bad_byte.frame["Kunde"].tolist() == ["C1", "C\ufffd2"]  # replaced, as pandas does


def _drop_empty_whole_frame(frame: pd.DataFrame, lines: np.ndarray):
    """The definition: a cell is blank when missing or spaces; a row when all cells are."""
    blank = pd.DataFrame(
        {
            c: frame[c].isna() | (frame[c].astype("str").str.strip() == "")
            if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)
            else frame[c].isna()
            for c in frame.columns
        }
    )
    empty_cols = [c for c in frame.columns if c.startswith("Column ") and blank[c].all()]
    empty_row = blank.drop(columns=empty_cols).all(axis=1).to_numpy()
    kept = frame.drop(columns=empty_cols).loc[~empty_row].reset_index(drop=True)
    return kept, lines[~empty_row], int(empty_row.sum())


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(
            {"a": ["1", "", " ", "4"], "b": ["", "", "\u00a0", "x"], "Column 3": [""] * 4},
            dtype="str",
        ),
        pd.DataFrame(
            {"a": [None, 1.0, "", None], "Column 2": [None, "", " ", "y"], "c": [None] * 4},
            dtype=object,
        ),
        pd.DataFrame({"a": [np.nan, 2.0, np.nan], "b": ["", "", " "]}).astype({"b": "str"}),
        pd.DataFrame({"Column 1": ["", ""], "Column 2": [" ", None]}, dtype="str"),
    ],
)
def test_empty_rows_and_unnamed_columns_dropped_as_defined(frame):
    from kpi.io import _drop_empty

    lines = np.arange(len(frame)) + 2
    result = _drop_empty(frame, lines)
    expected = _drop_empty_whole_frame(frame, lines)
    pd.testing.assert_frame_equal(result[0], expected[0])
    np.testing.assert_array_equal(result[1], expected[1])
    assert result[2] == expected[2]


@pytest.mark.parametrize(
    "cells",
    [
        ["Order number", "Date", "Customer", "Amount"],
        ["inf", "NaN", "Total", "€"],
        ["31.12.2025", "Ann", "1 234,56", "x"],
        ["١٢", "Ann", "C7"],
        [5.0, "Date", dt.date(2025, 1, 2)],
    ],
)
def test_text_share_of_a_row_is_what_parsing_every_cell_finds(cells):
    from kpi.io import _text_share
    from kpi.values import date_cells, parse_numbers

    probe = pd.Series([c.strip() if isinstance(c, str) else "" for c in cells], dtype="str")
    candidate = (probe != "").to_numpy()
    numbers = (~parse_numbers(probe.where(candidate)).bad).to_numpy() & candidate
    dates = np.zeros(len(probe), dtype=bool)
    rest = candidate & ~numbers
    if rest.any():
        dates[rest] = date_cells(probe[rest]).to_numpy(dtype=bool)
    expected = float((candidate & ~numbers & ~dates).sum() / len(cells))
    assert _text_share(cells) == expected


# Space-aligned text: the CDNOW logs ------------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"


def test_cdnow_sample_reads_as_five_space_aligned_columns():
    # Whitespace separated, no header: master id, sample id, YYYYMMDD, CDs, dollars.
    (table,) = read_file((DATA / "CDNOW_sample.txt").read_bytes(), "CDNOW_sample.txt")
    assert table.frame.shape == (6919, 5)
    assert table.delimiter == ALIGNED
    assert table.frame.iloc[0].tolist() == ["00004", "0001", "19970101", "2", "29.33"]
    assert table.line_numbers[:2].tolist() == [1, 2]
    assert not table.bad_lines


def test_cdnow_master_log_gives_the_published_totals():
    # The untouched master log (lifetimes 0.11.3 ships it): 69,659 purchase records of
    # 23,570 customers, $2,500,315.63 in all (Fader and Hardie's CDNOW data set).
    master = resources.files("lifetimes") / "datasets" / "CDNOW_master.txt"
    ds = load_files([("CDNOW_master.txt", master.read_bytes())])
    orders = ds.tables["orders"]
    assert len(orders) == 69_659
    assert orders["customer_id"].nunique() == 23_570
    assert round(orders["amount"].sum(), 2) == 2_500_315.63
    assert orders["order_date"].min() == pd.Timestamp("1997-01-01")
    assert orders["order_date"].max() == pd.Timestamp("1998-06-30")


def test_space_aligned_header_keeps_names_with_single_spaces():
    text = (
        "Customer ID   Order date   Amount\n"
        "   C1         20250102      10.50\n"
        "   C2         20250103       7.25\n"
        "   C3         20250104       1.00\n"
    )
    (table,) = read_file(text.encode(), "log.txt")
    assert list(table.frame.columns) == ["Customer ID", "Order date", "Amount"]
    assert table.frame["Amount"].tolist()[:2] == ["10.50", "7.25"]
    assert len(table.frame) == 3


# Arrow's reader gives every text file the rows and bad lines pandas' parser gives it ----------

TEXT_CELLS = st.sampled_from(
    [
        "C1", "2025-01-02 10:00:00", "1 234,56", "", " ", '"quoted, comma"', '"say ""hi"""',
        '"two\nlines"', 'mid"quote', '"ab"cd', "Кузнецов", "ünï", "12.5", "-",
    ]
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.lists(TEXT_CELLS, min_size=1, max_size=5), min_size=1, max_size=25),
    delimiter=st.sampled_from([",", ";", "\t"]),
    title=st.booleans(),
    crlf=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
)
def test_arrow_text_reader_matches_pandas(rows, delimiter, title, crlf, encoding):
    from kpi.io import _read_arrow_text, _read_messy_text

    end = "\r\n" if crlf else "\n"
    lines = (["Orders export", ""] if title else []) + [delimiter.join(["a", "b", "c"])]
    lines += [delimiter.join(r) for r in rows]
    data = (end.join(lines) + end).encode(encoding, errors="replace")
    names, skip = ["a", "b", "c"], len(lines) - len(rows)
    fast = _read_arrow_text(data, encoding, delimiter, names, skip)
    try:
        general = _read_messy_text(data, "t.csv", encoding, delimiter, names, skip)
    except ReadError:
        assert fast is None  # a file pandas refuses is never read another way
        return
    if fast is None:  # left to pandas
        return
    pd.testing.assert_frame_equal(fast[0], general[0])
    assert [(b.line, b.reason, b.text) for b in fast[1]] == [
        (b.line, b.reason, b.text) for b in general[1]
    ]


def test_arrow_reads_a_quoted_export_with_a_bad_and_a_short_line():
    text = (
        '"id","when","amount"\n"1","2025-01-02","5.5"\n"2","2025-01-03","7","x"\n'
        '"3","2025-01-04"\n"4","2025-01-05","1"\n'
    )
    from kpi.io import _read_arrow_text

    assert _read_arrow_text(text.encode(), "utf-8", ",", ["id", "when", "amount"], 1) is None
    # The bad line holds quotes: pandas reads the file, and reports line 3 as pandas does.
    (table,) = read_file(text.encode(), "o.csv")
    assert [b.line for b in table.bad_lines] == [3]
    assert table.frame["id"].tolist() == ["1", "3", "4"]
    assert table.line_numbers.tolist() == [2, 4, 5]
    plain = text.replace('"', "")
    fast = _read_arrow_text(plain.encode(), "utf-8", ",", ["id", "when", "amount"], 1)
    assert fast is not None
    frame, bad = fast
    assert [(b.line, b.reason) for b in bad] == [(3, "has 4 cells where the header has 3")]
    assert frame["id"].tolist() == ["1", "3", "4"]
    assert frame["amount"].tolist() == ["5.5", "", "1"]  # the short line padded, as pandas does


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3_000_017])
def test_a_byte_is_counted_as_bytes_count_counts_it(size):
    from kpi.io import _count_byte

    # Quotes and line breaks on both sides of the megabyte blocks, and bytes above 127.
    data = (b'"a",\xc3\xa9"b"\r\n' * (size // 12 + 1))[:size]
    for char in (b'"', b"\n", b"\r", b"\xc3", b"z"):
        assert _count_byte(data, char) == data.count(char)
