"""Mapping, validation report and the whole chain on messy files, without touching the mapping."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi import acquisition
from kpi.errors import ReadError, SchemaError
from kpi.ingest import apply_mapping, load_files
from kpi.io import read_file
from kpi.schema import detect_table, suggest_mapping

TODAY = pd.Timestamp("2026-11-23")

# A Windows-1251, semicolon-separated export with decimal commas, a title row and a refund.
CP1251_EXPORT = (
    "Выгрузка продаж за 2025 год\n"
    "\n"
    "Дата;Клиент;Номер заказа;Сумма;Канал\n"
    "03.01.2025;Иванов И.;1001;1 234,50 руб.;Реклама\n"
    "15.01.2025;ООО «Ромашка»;1002;99,90;Сайт\n"
    "02.02.2025;Иванов И.;1003;2 000,00;Реклама\n"
    "10.02.2025;Петрова А.;1004;-100,00;Сайт\n"
).encode("cp1251")
# Revenue: 1234.50 + 99.90 + 2000.00 - 100.00 = 3234.40


def test_cp1251_semicolon_decimal_comma_export_gives_right_revenue():
    ds = load_files([("продажи.csv", CP1251_EXPORT)], today=TODAY)
    orders = ds.tables["orders"]
    assert orders["amount"].sum() == pytest.approx(3234.40)
    assert orders["customer_id"].tolist()[:2] == ["Иванов И.", "ООО «Ромашка»"]
    assert orders["order_date"].tolist()[0] == pd.Timestamp("2025-01-03")
    assert orders["channel"].tolist()[0] == "Реклама"
    report = ds.reports[0]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (4, 4, 0)
    assert report.refunds == 1 and report.refund_total == -100.0
    assert ds.currency == "RUB"


def _workbook() -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    date_fmt = book.add_format({"num_format": "dd.mm.yyyy"})
    ws = book.add_worksheet("Sprzedaż")
    ws.write(0, 0, "Raport sprzedaży – firma Czysto Sp. z o.o.")
    for c, h in enumerate(["Data zamówienia", "Klient", "Kwota brutto", "Usługa"]):
        ws.write(2, c, h)
    rows = [
        (dt.datetime(2025, 3, 1), "K-1", 450.0, "Sprzątanie"),
        (dt.datetime(2025, 3, 8), "K-2", 1200.0, "Serwis klimatyzacji"),
        (dt.datetime(2025, 4, 2), "K-1", 450.0, "Sprzątanie"),
    ]
    for r, (d, k, a, s) in enumerate(rows, start=3):
        ws.write_datetime(r, 0, d, date_fmt)
        ws.write(r, 1, k)
        ws.write_number(r, 2, a)
        ws.write(r, 3, s)
    ws2 = book.add_worksheet("Klienci")
    for r, row in enumerate(
        [
            ["Klient", "Data rejestracji", "Kanał", "Region"],
            ["K-1", "01.03.2025", "Polecenie", "Mazowieckie"],
            ["K-2", "05.03.2025", "Reklama", "Śląskie"],
        ]
    ):
        for c, v in enumerate(row):
            ws2.write(r, c, v)
    book.close()
    return buf.getvalue()


def test_xlsx_with_title_row_and_two_sheets_gives_right_revenue():
    ds = load_files([("raport.xlsx", _workbook())], today=TODAY)
    # 450 + 1200 + 450 = 2100
    assert ds.tables["orders"]["amount"].sum() == 2100.0
    assert ds.tables["orders"]["service_type"].tolist()[1] == "Serwis klimatyzacji"
    customers = ds.tables["customers"]
    assert customers["channel"].tolist() == ["Polecenie", "Reklama"]
    assert customers["signup_date"].tolist()[1] == pd.Timestamp("2025-03-05")
    assert {r.table for r in ds.reports} == {"orders", "customers"}


@pytest.mark.parametrize(
    ("headers", "table"),
    [
        (["Order date", "Customer", "Amount"], "orders"),
        (["Datum", "Kunde", "Betrag", "Kanal"], "orders"),
        (["Fecha", "Cliente", "Importe"], "orders"),
        (["Data", "Client", "Valoare"], "orders"),
        (["Datum", "Stranka", "Znesek"], "orders"),
        (["Date de commande", "Client", "Montant TTC"], "orders"),
        (["Ticket", "Created at", "First response at", "Resolved at", "Agent"], "tickets"),
        (["Date", "Score", "Comment"], "surveys"),
        (["Lead", "Created", "Source", "Qualified"], "leads"),
        (["Month", "Spend", "Channel"], "spend"),
        (["Klient", "Data rejestracji", "Kanał"], "customers"),
        (["Сотрудник", "Дата приема", "Дата увольнения", "Отдел"], "employees"),
        (["Period", "Operating cash flow", "Investments"], "cashflow"),
    ],
)
def test_detect_table_from_headers(headers, table):
    sample = {
        "orders": ["2025-01-02", "C1", "10,5", "Web"],
        "tickets": ["T1", "2025-01-02 10:00", "2025-01-02 11:00", "2025-01-03 09:00", "Ann"],
        "surveys": ["2025-01-02", "9", "great"],
        "leads": ["L1", "2025-01-02", "web", "yes"],
        "spend": ["2025-01", "1000", "ads"],
        "customers": ["C1", "2025-01-02", "Web"],
        "employees": ["Ann", "2020-01-01", "", "support"],
        "cashflow": ["2025-01", "100", "30"],
    }[table]
    frame = pd.DataFrame([sample[: len(headers)]] * 3, columns=headers)
    best = detect_table(frame)[0]
    assert best.table == table
    assert best.complete


def test_mapping_suggestion_orders():
    frame = pd.DataFrame(
        {
            "Nr faktury": ["F1"],
            "Data sprzedaży": ["01.02.2025"],
            "Kontrahent": ["K1"],
            "Wartość brutto": ["12,50"],
            "Koszt": ["5,00"],
            "Region": ["Śląskie"],
        }
    )
    mapping = suggest_mapping(frame, "orders").mapping
    assert mapping["customer_id"] == "Kontrahent"
    assert mapping["order_date"] == "Data sprzedaży"
    assert mapping["amount"] == "Wartość brutto"
    assert mapping["order_id"] == "Nr faktury"
    assert mapping["cost"] == "Koszt"
    assert mapping["region"] == "Region"


def test_a_named_amount_column_with_some_bad_cells_is_still_the_amount():
    # One cell in four is unreadable: the header names the column, so it is mapped and the bad
    # row is rejected by validation, instead of the file being taken for another table.
    frame = pd.DataFrame(
        {
            "Client": ["K1", "K1", "K2", "K3"],
            "Datum": ["05.01.2025", "10.02.2025", "11.02.2025", "12.03.2025"],
            "Kwota": ["1 200,50", "300,00", "-100,50", "not a number"],
        }
    )
    best = detect_table(frame, name="export.csv")[0]
    assert best.table == "orders"
    assert best.mapping["amount"] == "Kwota"


def test_mapping_falls_back_to_values_when_headers_are_unknown():
    frame = pd.DataFrame(
        {"Kunde": ["A", "B"], "Wann": ["01.02.2025", "03.02.2025"], "Wieviel": ["12,5", "7"]}
    )
    mapping = suggest_mapping(frame, "orders").mapping
    assert mapping["order_date"] == "Wann"
    assert mapping["amount"] == "Wieviel"


def _raw(text: str):
    return read_file(text.encode("utf-8"), "x.csv")[0]


def test_report_counts_every_row():
    raw = _raw(
        "Date;Customer;Amount\n"
        "2025-01-02;A;10\n"
        ";B;5\n"  # blank date: rejected
        "2025-01-03;;5\n"  # blank customer: rejected
        "2025-01-04;C;abc\n"  # bad amount: rejected
        "2025-01-05;D;-3\n"  # refund: kept
        "2027-01-05;E;4\n"  # future: kept and counted
        "2025-01-02;A;10\n"  # exact duplicate: kept and counted
        "2025-01-06;F;1;extra\n"  # too many cells: rejected
    )
    mapped = apply_mapping(
        raw,
        "orders",
        {"order_date": "Date", "customer_id": "Customer", "amount": "Amount"},
        today=TODAY,
    )
    r = mapped.report
    assert r.rows_read == 8
    assert r.rows_kept == 4
    assert r.rows_rejected == 4
    assert r.rows_read == r.rows_kept + r.rows_rejected
    reasons = {p.reason.split(" (")[0]: p.count for p in r.rejected}
    assert reasons == {
        "the row has more cells than the header": 1,
        "order_date": 1,
        "customer_id": 1,
        "amount": 1,
    }
    assert r.refunds == 1 and r.refund_total == -3.0
    assert r.future_dates == 1
    assert r.duplicates == 1
    assert r.rejected_rows["line"].tolist() == [3, 4, 5]
    examples = [e for p in r.rejected for e in p.examples]
    assert "line 5: 'abc'" in examples


def test_optional_cells_that_cannot_be_read_are_blank_and_counted():
    raw = _raw(
        "Lead;Created;Qualified;Converted\nL1;2025-01-02;yes;2025-01-05\n"
        "L2;2025-01-03;perhaps;someday\n"
    )
    mapped = apply_mapping(
        raw,
        "leads",
        {
            "lead_id": "Lead",
            "created_date": "Created",
            "qualified": "Qualified",
            "converted_date": "Converted",
        },
        today=TODAY,
    )
    assert mapped.report.rows_kept == 2
    assert {p.reason.split(" (")[0] for p in mapped.report.warnings} == {
        "qualified",
        "converted_date",
    }
    assert mapped.frame["qualified"].tolist() == [True, pd.NA]


def test_scores_out_of_range_and_fractions():
    raw = _raw(
        "Date;Score\n2025-01-02;9\n2025-01-03;11\n2025-01-04;10/10\n2025-01-05;9,5\n2025-01-06;-1\n"
    )
    mapped = apply_mapping(raw, "surveys", {"date": "Date", "score": "Score"}, today=TODAY)
    assert mapped.frame["score"].tolist() == [9.0, 10.0, 9.5]
    assert mapped.frame["scale_max"].tolist()[1] == 10.0
    assert mapped.report.rows_rejected == 2


def test_tickets_answered_before_creation_are_rejected():
    raw = _raw(
        "Ticket;Created;First response;Resolved\n"
        "T1;2025-01-02 10:00;2025-01-02 11:00;2025-01-02 12:00\n"
        "T2;2025-01-02 10:00;2025-01-02 09:00;\n"
        "T3;2025-01-02 10:00;2025-01-02 12:00;2025-01-02 11:00\n"
        "T4;2025-01-02 10:00;;\n"
    )
    mapped = apply_mapping(
        raw,
        "tickets",
        {
            "ticket_id": "Ticket",
            "created_at": "Created",
            "first_response_at": "First response",
            "resolved_at": "Resolved",
        },
        today=TODAY,
    )
    assert mapped.frame["ticket_id"].tolist() == ["T1", "T4"]
    assert mapped.report.rows_rejected == 2


def test_duplicate_keys_in_customers_are_rejected():
    raw = _raw("Customer;Channel\nC1;Web\nC2;Ads\nC1;Ads\n")
    mapped = apply_mapping(
        raw, "customers", {"customer_id": "Customer", "channel": "Channel"}, today=TODAY
    )
    assert mapped.frame["customer_id"].tolist() == ["C1", "C2"]
    assert mapped.report.rejected[0].reason == "customer_id repeats an earlier row's"


def test_unmapped_low_cardinality_columns_become_attributes():
    raw = _raw(
        "Date;Customer;Amount;Plan;Note\n"
        + "".join(
            f"2025-01-{d:02d};C{d};10;{'basic' if d % 2 else 'premium'};note {d}\n"
            for d in range(1, 11)
        )
    )
    mapped = apply_mapping(
        raw,
        "orders",
        {"order_date": "Date", "customer_id": "Customer", "amount": "Amount"},
        today=TODAY,
    )
    assert "Plan" in mapped.frame.columns
    assert mapped.report.unused_columns == ["Note"]


def test_missing_required_mapping():
    raw = _raw("Date;Customer\n2025-01-02;A\n")
    with pytest.raises(SchemaError, match="needs the column"):
        apply_mapping(raw, "orders", {"order_date": "Date", "customer_id": "Customer"})


def test_mapping_file_overrides_detection():
    text = b"When;Who;HowMuch\n2025-01-02;A;10\n2025-01-03;B;20\n"
    ds = load_files(
        [("x.csv", text)],
        mapping={
            "x.csv": {
                "table": "orders",
                "columns": {"order_date": "When", "customer_id": "Who", "amount": "HowMuch"},
            }
        },
    )
    assert ds.tables["orders"]["amount"].sum() == 30


def test_unrecognisable_file():
    with pytest.raises(ReadError, match="could not tell"):
        load_files([("x.csv", b"foo;bar\nbaz;qux\n")])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2025-01-02", "31.01.2025", "", "junk", "2025-13-45"]),
            st.sampled_from(["C1", "C2", "", " "]),
            st.sampled_from(["10", "1 234,5", "", "x", "-3", "1e308", "NaN"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_rows_read_equal_kept_plus_rejected(rows):
    text = "Date;Customer;Amount\n" + "".join(f"{a};{b};{c}\n" for a, b, c in rows)
    try:
        raw = read_file(text.encode(), "x.csv")[0]
    except ReadError:
        return  # only blank rows: nothing to keep
    mapped = apply_mapping(
        raw,
        "orders",
        {"order_date": "Date", "customer_id": "Customer", "amount": "Amount"},
        today=TODAY,
    )
    r = mapped.report
    assert r.rows_read == r.rows_kept + r.rows_rejected
    assert r.rows_read + r.empty_rows == len(rows)
    assert mapped.frame["amount"].notna().all()


@pytest.mark.parametrize(
    "rows",
    [
        pd.DataFrame({"order_id": ["1", "2", "2", "3", "1", "1"]}, dtype="str"),
        pd.DataFrame({"order_id": pd.Series([], dtype="str")}),
        pd.DataFrame({"order_id": ["A-1", "a-1", "A-1 ", "A-1"]}, dtype="str"),  # exact match
        pd.DataFrame(
            {
                "customer_id": ["C1", "C1", "C1", "C2"],
                "order_date": pd.to_datetime(["2025-01-02"] * 4),
                "amount": [10.0, 10.0, -10.0, 10.0],  # a refund is not a repeat
            }
        ),
    ],
)
def test_repeated_rows_are_counted_as_pandas_counts_them(rows):
    from kpi.ingest import _repeats

    assert _repeats(rows) == int(rows.duplicated().sum())


def test_repeated_order_numbers_in_a_file_are_reported():
    data = (
        b"Order number;Date;Customer;Amount\n"
        b"1;02.01.2025;C1;10,00\n2;03.01.2025;C2;5,50\n1;02.01.2025;C1;10,00\n"
        b";04.01.2025;C3;-2,00\n;04.01.2025;C3;-2,00\n"  # no number: never a repeat
    )
    (report,) = load_files([("orders.csv", data)], today=TODAY).reports
    assert report.duplicates == 1
    assert report.refunds == 2


@pytest.mark.parametrize(
    "text",
    [
        pd.Series(["Ads", "Web", None, "Ads", "ads"], dtype="str"),
        pd.Series([None, None], dtype="str"),
        pd.Series([], dtype="str"),
        pd.Series(["a", 1, None], dtype=object),
    ],
)
def test_distinct_values_are_counted_as_pandas_counts_them(text):
    from kpi.ingest import _distinct

    assert _distinct(text) == text.nunique(dropna=True)


@pytest.mark.parametrize(
    "numbers",
    [
        ["1", "2", "3", "10"],  # growing: no repeat
        ["3", "1", "2", "1", "3"],  # repeats out of order
        ["1", "01", "+1", "1.0"],  # equal as numbers, not as text: no repeat
        ["-5", "0", "-5", "999999999999999999"],
        ["12345678901234567890", "12345678901234567890"],  # too long for int64: as text
        ["0"] * 1_500 + ["A-1"],  # a cell past the first thousand is no integer
        ["1", "1", "2", "2", "2", "7", "8", "8"],  # sorted lines of orders: 4 repeats
        ["-3", "-3", "0", "0", "5", "4", "4"],  # sorted, then one step down
    ],
)
def test_order_numbers_repeat_as_text_even_when_read_as_integers(numbers):
    from kpi.ingest import _repeats

    rows = pd.DataFrame({"order_id": numbers}, dtype="str")
    assert _repeats(rows) == int(rows.duplicated().sum())


# ---------------------------------------------------------------------------------------------
# Known layouts, their meanings, and never a silent choice (issue "Real exports read right").

SHOPIFY_LINES = (
    b"Name,Email,Financial Status,Paid at,Subtotal,Shipping,Taxes,Total,Created at,"
    b"Lineitem quantity,Lineitem name,Lineitem price\n"
    b"#1001,ann@example.com,paid,2025-03-04 14:22:01,100.00,5.00,19.00,124.00,"
    b"2025-03-04 14:22:01,1,Cleaning,60.00\n"
    b"#1001,,,,,,,,,1,Windows,40.00\n"
    b"#1002,bob@example.com,paid,2025-04-04 10:00:00,50.00,0.00,9.50,59.50,"
    b"2025-04-04 10:00:00,2,Ovens,25.00\n"
    b"#1003,ann@example.com,paid,2025-05-01 09:00:00,30.00,5.00,5.70,40.70,"
    b"2025-05-01 09:00:00,1,Rugs,30.00\n"
    b"#1003,,,,,,,,,3,Mats,0.00\n"
    b"#1003,,,,,,,,,1,Bags,0.00\n"
)


def test_shopify_line_items_become_one_order_per_order_name():
    ds = load_files([("orders_export_1.csv", SHOPIFY_LINES)], today=TODAY)
    [report] = ds.reports
    orders = ds.tables["orders"]
    assert report.layout == "shopify_orders"
    # Six lines, three orders: #1001 (two lines), #1002, #1003 (three lines).
    assert report.rows_kept == 3 and report.lines_collapsed == 3
    assert any("6 lines read as 3 orders" in n for n in report.notes)
    # Revenue is Subtotal (net of shipping and taxes): 100 + 50 + 30 = 180, not Total's 224.20.
    assert orders["amount"].sum() == pytest.approx(180.0)
    assert orders["customer_id"].tolist() == [
        "ann@example.com",
        "bob@example.com",
        "ann@example.com",
    ]


def test_a_duration_in_minutes_is_added_to_the_creation_time():
    text = (
        b"Ticket ID;Created at;First reply time in minutes;Resolution time (hrs)\n"
        b"T1;2025-03-04 10:00;35;2\n"
        b"T2;2025-03-05 09:00;;1,5\n"
    )
    ds = load_files([("tickets.csv", text)], today=TODAY)
    t = ds.tables["tickets"]
    # 10:00 + 35 min = 10:35; 10:00 + 2 h = 12:00; 09:00 + 1.5 h = 10:30; a blank stays blank.
    assert t["first_response_at"].tolist()[0] == pd.Timestamp("2025-03-04 10:35")
    assert pd.isna(t["first_response_at"].tolist()[1])
    assert t["resolved_at"].tolist() == [
        pd.Timestamp("2025-03-04 12:00"),
        pd.Timestamp("2025-03-05 10:30"),
    ]
    notes = " ".join(ds.reports[0].notes)
    assert "a duration in minutes" in notes and "a duration in hours" in notes


def test_a_survey_type_said_by_the_header_fills_every_answer():
    text = "Data;Jak bardzo prawdopodobne jest, że polecisz nas znajomemu?\n2025-01-02;9\n"
    text += "2025-01-03;3\n"
    ds = load_files([("odpowiedzi.csv", text.encode())], today=TODAY)
    assert ds.tables["surveys"]["survey_type"].tolist() == ["nps", "nps"]
    assert any("survey type NPS" in n for n in ds.reports[0].notes)


def test_a_survey_type_the_user_chose_is_a_constant():
    raw = read_file(b"Date;Score\n2025-01-02;4\n2025-01-03;5\n", "answers.csv")[0]
    m = apply_mapping(
        raw, "surveys", {"date": "Date", "score": "Score"},
        constants={"survey_type": "csat", "scale_max": 5}, today=TODAY,
    )  # fmt: skip
    assert m.frame["survey_type"].tolist() == ["csat", "csat"]
    assert m.frame["scale_max"].tolist() == [5.0, 5.0]


def test_excel_serial_dates_and_a_chosen_day_order_are_said_in_the_notes():
    raw = read_file(b"Klient;Data;Kwota\nA;45658;10\nB;45659;20\n", "z.csv")[0]
    m = apply_mapping(
        raw, "orders", {"customer_id": "Klient", "order_date": "Data", "amount": "Kwota"},
        today=TODAY,
    )  # fmt: skip
    assert m.frame["order_date"].tolist() == [
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-01-02"),
    ]
    assert any("Excel serial" in n for n in m.report.notes)
    raw = read_file(b"Klient;Data;Kwota\nA;03/04/2025;10\n", "y.csv")[0]
    m = apply_mapping(
        raw, "orders", {"customer_id": "Klient", "order_date": "Data", "amount": "Kwota"},
        date_orders={"order_date": "mdy"}, today=TODAY,
    )  # fmt: skip
    assert m.frame["order_date"].tolist() == [pd.Timestamp("2025-03-04")]
    assert any("month first, as chosen" in n for n in m.report.notes)


def test_won_stages_alone_convert_an_opportunity():
    text = (
        b"Opportunity Name,Account Name,Amount,Close Date,Stage,Created Date\n"
        b"Big job,Acme,1000,03/01/2025,Closed Won,01/05/2025\n"
        b"Small job,Beta,100,03/20/2025,Prospecting,01/06/2025\n"
    )
    ds = load_files([("report1.csv", text)], today=TODAY)
    leads = ds.tables["leads"]
    assert ds.reports[0].layout == "salesforce_opportunities"
    # The open deal's Close Date is only expected: it is no conversion.
    assert leads["converted_date"].notna().tolist() == [True, False]


def test_more_than_a_tenth_of_rows_rejected_is_a_doubt():
    text = b"customer_id;order_date;amount\nA;2025-01-02;10\nB;2025-01-03;x\nC;2025-01-04;?\n"
    ds = load_files([("orders.csv", text)], today=TODAY)
    [report] = ds.reports
    assert report.rows_rejected == 2
    assert any("67 % of the rows would be rejected" in d for d in report.doubts)


def test_a_saved_mapping_maps_a_later_file_with_the_same_headers():
    from kpi.schema import mapping_entry, mapping_from_json

    saved = mapping_from_json(
        mapping_entry(
            "january.csv", ["When", "Who", "HowMuch", "Notes"], "orders",
            {"order_date": "When", "customer_id": "Who", "amount": "HowMuch"},
        )
    )  # fmt: skip
    later = b"When;Who;HowMuch;Notes\n2025-02-01;A;10;x\n2025-02-02;B;5;y\n"
    ds = load_files([("february.csv", later)], mapping=saved, today=TODAY)
    assert ds.tables["orders"]["amount"].sum() == 15
    assert not ds.reports[0].doubts  # mapped as confirmed: nothing to ask


def test_the_command_line_names_the_layout_and_warns_of_doubts(tmp_path, capsys):
    import json

    from kpi.__main__ import main

    (tmp_path / "orders_export_1.csv").write_bytes(SHOPIFY_LINES)
    (tmp_path / "export.csv").write_bytes(b"Kunde;Wann;Wieviel\nA;01.02.2025;12,5\n")
    assert main(["report", str(tmp_path / "orders_export_1.csv"), "--only", "revenue"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tables"]["orders"]["layout"] == "shopify_orders"
    assert main(["report", str(tmp_path / "export.csv"), "--only", "revenue"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any("amount: chose 'Wieviel'" in w for w in warnings)


def test_a_failed_stripe_charge_is_no_sale_and_refunds_are_netted():
    text = (
        b"id,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer Email\n"
        b"ch_1,2025-01-02 10:00:00,100.00,0.00,eur,Paid,a@example.com\n"
        b"ch_2,2025-01-03 10:00:00,50.00,20.00,eur,Paid,b@example.com\n"
        b"ch_3,2025-01-04 10:00:00,70.00,0.00,eur,Failed,b@example.com\n"
    )
    ds = load_files([("unified_payments.csv", text)], today=TODAY)
    [report] = ds.reports
    assert report.layout == "stripe_payments"
    assert [(p.count, p.reason) for p in report.rejected] == [
        (1, "the charge failed (Status): no sale")
    ]
    # 100 + (50 - 20) = 130: the failed 70 is no revenue, the refund is netted.
    assert ds.tables["orders"]["amount"].sum() == pytest.approx(130.0)


def test_a_first_response_written_as_a_moment_is_read_as_one():
    text = (
        "Nr. tichet;Creat la;Primul răspuns;Rezolvat la\n"
        "T-1;07.01.2025 15:43;08.01.2025 10:28;\n"
        "T-2;08.01.2025 16:31;08.01.2025 17:28;12.01.2025 01:40\n"
    ).encode()
    t = load_files([("tichete.csv", text)], today=TODAY).tables["tickets"]
    assert t["first_response_at"].tolist() == [
        pd.Timestamp("2025-01-08 10:28"),
        pd.Timestamp("2025-01-08 17:28"),
    ]


# A line-item export of no known tool: one row per line, the order's fields on every line.
LINES = (
    b"Order ID,Order date,Customer,Product,Line total\n"
    b"A1,2025-03-01 10:00:00,C1,Basic,10.00\n"
    b"A1,2025-03-01 10:00:00,C1,Plus,5.50\n"
    b"A2,2025-03-02 11:00:00,C2,Basic,7.25\n"
    b"A3,2025-03-03 12:00:00,C1,Basic,3.00\n"
    b"A3,2025-03-03 12:00:00,C1,Gift card,4.00\n"
    b"A3,2025-03-03 12:00:00,C1,Shipping,1.00\n"
)


def test_line_items_of_an_unknown_layout_become_one_order_per_order_id():
    ds = load_files([("lines.csv", LINES)], today=TODAY)
    [report] = ds.reports
    orders = ds.tables["orders"]
    # A1 = 10.00 + 5.50 = 15.50; A2 = 7.25; A3 = 3.00 + 4.00 + 1.00 = 8.00.
    assert orders["order_id"].tolist() == ["A1", "A2", "A3"]
    assert orders["amount"].tolist() == [15.50, 7.25, 8.00]
    assert orders["customer_id"].tolist() == ["C1", "C2", "C1"]
    assert orders["order_date"].tolist()[2] == pd.Timestamp("2025-03-03 12:00")
    # Six lines, three orders: three lines merged away, no order repeated.
    assert (report.rows_read, report.rows_kept, report.lines_collapsed) == (3, 3, 3)
    assert report.duplicates == 0 and report.rows_rejected == 0
    assert "6 lines merged into 3 orders" in " ".join(report.notes)


def test_an_orders_export_repeated_row_for_row_is_not_merged():
    text = (
        b"Order ID,Order date,Customer,Amount\n"
        b"1,2025-03-01,C1,10.00\n"
        b"1,2025-03-01,C1,10.00\n"
        b"2,2025-03-02,C2,7.00\n"
        b"2,2025-03-02,C2,7.00\n"
        b"3,2025-03-03,C3,4.00\n"
    )
    ds = load_files([("orders.csv", text)], today=TODAY)
    [report] = ds.reports
    # Every row kept as it is: 10 + 10 + 7 + 7 + 4 = 38; orders 1 and 2 repeat once each.
    assert report.rows_kept == 5 and report.lines_collapsed == 0
    assert report.duplicates == 2
    assert ds.tables["orders"]["amount"].sum() == pytest.approx(38.0)
    assert not any("merged" in n for n in report.notes)


def test_line_items_keep_reused_numbers_apart_and_reject_an_order_with_a_bad_line():
    text = (
        b"Order ID,Order date,Customer,Product,Line total\n"
        b"1,2025-03-01,C1,Basic,10.00\n"  # line 2
        b"1,2025-03-01,C1,Plus,2.50\n"
        b"2,2025-03-02,C2,Basic,4.00\n"  # line 4: the same line twice
        b"2,2025-03-02,C2,Basic,4.00\n"
        b"3,2025-03-03,C3,Basic,6.00\n"  # line 6: order 3 names two customers
        b"3,2025-03-03,C4,Plus,1.00\n"
        b"4,2025-03-04,C1,Basic,abc\n"  # line 8: an amount that is no number
        b"4,2025-03-04,C1,Plus,3.00\n"
        b"5,2025-03-05,C2,Basic,1.00\n"
        b"5,2025-03-05,C2,Plus,2.00\n"
        b"6,2025-03-06,C3,Basic,1.50\n"
        b"6,2025-03-06,C3,Plus,2.50\n"
    )
    ds = load_files([("lines.csv", text)], today=TODAY)
    [report] = ds.reports
    orders = ds.tables["orders"]
    # Orders 1, 2, 4, 5 and 6 merge their two lines each; order 3's two rows stay apart: 12
    # lines, 7 rows. Order 4 is rejected (its sum cannot be known), 6 are kept:
    # 1 = 12.50, 2 = 4 + 4 = 8.00, 3 = 6.00 and 1.00, 5 = 3.00, 6 = 4.00; total 34.50.
    assert orders["order_id"].tolist() == ["1", "2", "3", "3", "5", "6"]
    assert orders["amount"].tolist() == [12.50, 8.00, 6.00, 1.00, 3.00, 4.00]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (7, 6, 1)
    assert report.lines_collapsed == 5
    [problem] = report.rejected
    assert problem.reason == "amount (Line total) is not a number"
    assert problem.examples == ["line 8: 'abc'"]
    # Repeated orders: order 3 once (another customer), order 2 once (a line twice).
    assert report.duplicates == 2
    notes = " ".join(report.notes)
    assert "12 lines merged into 7 orders" in notes
    assert "1 orders list a line more than once" in notes
    assert "1 Order ID values repeat on rows that name another customer" in notes


def _timed_workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An XLSX whose datetimes are date cells (a number with a date format), as Excel saves."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, stamp)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buf.getvalue()


def test_workbook_date_and_number_cells_are_read_as_typed_columns():
    data = _timed_workbook(
        {
            "Orders": [
                ["Sales report 2025"],  # line 1: a title
                [],
                ["Order date", "Customer", "Amount"],  # line 3: the header
                [dt.datetime(2025, 1, 2, 10, 30), "C1", 100.5],
                [dt.datetime(2025, 1, 3), "C2", 200],  # midnight: calamine gives a date
                [],  # line 6: a blank row
                [dt.datetime(2025, 1, 6, 9, 15), "C1", None],  # line 7: no amount
                [dt.datetime(2025, 1, 7, 18, 0), "C3", 49.5],
            ],
            "Shop": [
                ["Order date", "Customer", "Amount"],
                [dt.datetime(2025, 2, 1, 12, 0), "C2", 10],
                ["13.02.2025", "C4", 20.25],  # line 3: a date typed as text
                [dt.datetime(2025, 2, 5), "C1", "abc"],  # line 4: an amount that is text
            ],
        }
    )
    typed = read_file(data, "sales.xlsx")[0]
    # Date cells and number cells become datetime64 and float64 columns, without text.
    assert typed.frame["Order date"].dtype == "datetime64[us]"
    assert typed.frame["Amount"].dtype == "float64"
    assert typed.line_numbers.tolist() == [4, 5, 7, 8] and typed.empty_rows == 1

    ds = load_files([("sales.xlsx", data)], today=TODAY)
    first, second = ds.reports
    # Orders: 4 rows read (the blank row skipped), line 7 rejected: 100.5 + 200 + 49.5 = 350.
    assert (first.rows_read, first.rows_kept, first.empty_rows) == (4, 3, 1)
    assert [(p.reason, p.examples) for p in first.rejected] == [
        ("amount (Amount) is blank", ["line 7"])
    ]
    # Shop: line 4 rejected; 10 + 20.25 = 30.25, the text date read day first (13 > 12).
    assert (second.rows_read, second.rows_kept) == (3, 2)
    assert [(p.reason, p.examples) for p in second.rejected] == [
        ("amount (Amount) is not a number", ["line 4: 'abc'"])
    ]
    orders = ds.tables["orders"]
    assert orders["amount"].tolist() == [100.5, 200.0, 49.5, 10.0, 20.25]
    assert orders["order_date"].tolist() == [
        pd.Timestamp("2025-01-02 10:30"),
        pd.Timestamp("2025-01-03"),
        pd.Timestamp("2025-01-07 18:00"),
        pd.Timestamp("2025-02-01 12:00"),
        pd.Timestamp("2025-02-13"),
    ]
    assert orders["customer_id"].tolist() == ["C1", "C2", "C3", "C2", "C4"]


def test_the_currency_named_in_the_amount_header_is_the_tables_when_cells_carry_none():
    # "Wartość brutto (zł)": plain numbers under a header that names złoty. Shown in euros,
    # every amount would carry the wrong unit.
    data = "Nr;Klient;Data;Wartość brutto (zł)\n1;A;01.02.2025;12,50\n2;B;02.02.2025;1 200,00\n"
    ds = load_files([("sprzedaz.csv", data.encode())])
    assert ds.currency == "PLN"
    assert ds.tables["orders"]["amount"].tolist() == [12.5, 1200.0]
    # Marks in the cells win over the header.
    data = "Customer,Date,Amount (USD)\nA,2025-02-01,€ 12.50\nB,2025-02-02,€ 7.00\n"
    assert load_files([("o.csv", data.encode())]).currency == "EUR"


def test_a_channel_written_in_other_capitals_is_one_channel_noted_on_the_report():
    # 3 rows "Google Ads", 2 "google ads", 1 "GOOGLE  ADS": one channel of 6 orders, written
    # as most rows write it; "SEO" and "Seo-Team" stay apart (not the same name).
    data = (
        "Customer,Date,Amount,Channel\n"
        "A,2025-01-01,10,Google Ads\nB,2025-01-02,10,google ads\nC,2025-01-03,10,Google Ads\n"
        "D,2025-01-04,10,GOOGLE  ADS\nE,2025-01-05,10,google ads\nF,2025-01-06,10,Google Ads\n"
        "G,2025-01-07,10,SEO\nH,2025-01-08,10,Seo-Team\n"
    )
    ds = load_files([("o.csv", data.encode())])
    counts = ds.tables["orders"]["channel"].value_counts().to_dict()
    assert counts == {"Google Ads": 6, "SEO": 1, "Seo-Team": 1}
    [note] = [n for n in ds.reports[0].notes if "other capitals" in n]
    assert "'google ads', 'GOOGLE  ADS' counted as 'Google Ads'" in note


def test_a_channel_written_differently_by_the_spend_file_meets_its_orders():
    # Orders: 3 customers first bought through "Google Ads", 1 through "SEO". Spend: 300 on
    # "google ads", 50 on "Seo" over January. Apart, "Google Ads" would have 3 customers and
    # no spend (CAC blank) and "google ads" 300 of spend and no customer. One channel each:
    # Google Ads 300 / 3 = 100.0, SEO 50 / 1 = 50.0 (4 orders rows against 2 spend rows:
    # the orders' spellings win).
    orders = (
        "Customer,Date,Amount,Channel\n"
        "A,2025-01-05,10,Google Ads\nB,2025-01-06,10,Google Ads\n"
        "C,2025-01-07,10,Google Ads\nD,2025-01-08,10,SEO\n"
    )
    spend = "Date,Channel,Spend\n2025-01-01,google ads,300\n2025-01-01,Seo,50\n"
    ds = load_files([("orders.csv", orders.encode()), ("marketing_spend.csv", spend.encode())])
    assert sorted(ds.tables) == ["orders", "spend"]
    assert ds.tables["spend"]["channel"].tolist() == ["Google Ads", "SEO"]
    assert ds.tables["orders"]["channel"].tolist() == ["Google Ads"] * 3 + ["SEO"]
    cac = acquisition.cac_by_channel(ds.tables["spend"], ds.tables["orders"])
    assert cac["cac"].to_dict() == {"Google Ads": 100.0, "SEO": 50.0}
    [spend_report] = [r for r in ds.reports if r.table == "spend"]
    assert "'google ads' counted as 'Google Ads'; 'Seo' counted as 'SEO'" in " ".join(
        spend_report.notes
    )
    [orders_report] = [r for r in ds.reports if r.table == "orders"]
    assert not any("another file" in n for n in orders_report.notes)


def test_two_order_files_writing_a_channel_differently_give_one_channel():
    # January's file writes "Email" twice, February's "EMAIL " once: one channel of 3 orders.
    jan = "Customer,Date,Amount,Channel\nA,2025-01-05,10,Email\nB,2025-01-06,10,Email\n"
    feb = "Customer,Date,Amount,Channel\nC,2025-02-05,10,EMAIL \n"
    ds = load_files([("jan.csv", jan.encode()), ("feb.csv", feb.encode())])
    assert ds.tables["orders"]["channel"].value_counts().to_dict() == {"Email": 3}
