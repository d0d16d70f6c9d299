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


# ---------------------------------------------------------------------------------------------
# Detection weighs evidence as a person would (issue "Real exports read right", part 2).

from kpi.schema import (  # noqa: E402
    TABLES,
    detect_table,
    duration_unit,
    header_score,
    layouts,
    mapping_entry,
    mapping_from_json,
    match_layout,
    suggest_mapping,
    survey_type_from_words,
)


def _frame(rows: list[list[object]], columns: list[str], times: int = 4) -> pd.DataFrame:
    """A small literal frame; rows repeated with a running suffix so that keys stay unique."""
    out = []
    for k in range(times):
        for r in rows:
            out.append([f"{v}{k}" if isinstance(v, str) and v.startswith("ID") else v for v in r])
    return pd.DataFrame(out, columns=columns, dtype="str")


@pytest.mark.parametrize(
    ("header", "table", "column"),
    [
        ("InvoiceDate", "orders", "order_date"),
        ("ContactName", "orders", "customer_id"),
        ("Email", "orders", "customer_id"),
        ("Id", "customers", "customer_id"),
        ("Netto", "orders", "amount"),
        ("Brutto", "orders", "amount"),
        ("Kwota (zł)", "orders", "amount"),
        ("Amount spent (EUR)", "spend", "amount"),
        ("Primul răspuns", "tickets", "first_response_at"),
        ("Data zamówienia", "orders", "order_date"),
        ("Valoare fără TVA", "orders", "amount"),
        ("customer_id", "orders", "customer_id"),
    ],
)
def test_headers_are_normalised_before_matching(header, table, column):
    assert header_score(header, TABLES[table].column(column)) >= 0.85


@pytest.mark.parametrize(
    ("header", "table", "column"),
    [
        ("Lp", "orders", "amount"),  # a row number
        ("No.", "orders", "amount"),
        ("Expected close date", "leads", "converted_date"),  # a plan, not a conversion
        ("Due date", "orders", "order_date"),  # a deadline, not a sale
        ("Taxes", "orders", "amount"),
        ("Amount Refunded", "orders", "amount"),
        ("Сумма", "surveys", "score"),  # a Russian sum is no score
        ("Response Type", "surveys", "survey_type"),
    ],
)
def test_headers_that_never_fill_a_column(header, table, column):
    assert header_score(header, TABLES[table].column(column)) == 0


def test_a_blank_column_never_fills_a_field_while_a_filled_one_exists():
    frame = _frame(
        [["ID1", "a@example.com", "", "2025-03-04 10:00:00", "10.00"]],
        ["id", "Customer Email", "Dispute Date (UTC)", "Created (UTC)", "Amount"],
    )
    mapping = suggest_mapping(frame, "orders").mapping
    assert mapping["order_date"] == "Created (UTC)"


@pytest.mark.parametrize(
    ("columns", "rows", "name", "table"),
    [
        # A Russian sales export: 'Сумма' holds small whole amounts that look like scores.
        (
            ["Клиент", "Дата", "Сумма", "Менеджер"],
            [["ООО А", "01.02.2025", "5", "Иван"]],
            "",
            "orders",
        ),
        # A survey with Start Date and End Date is no employees table.
        (
            [
                "Respondent ID",
                "Start Date",
                "End Date",
                "First Name",
                "How likely is it that you would recommend us?",
            ],
            [["ID", "01/10/2025", "01/10/2025", "Ann", "9"]],
            "",
            "surveys",
        ),
        # An opportunities report is leads, not orders.
        (
            ["Opportunity Name", "Account Name", "Amount", "Close Date", "Created Date"],
            [["ID", "Acme", "1000", "2025-03-01", "2025-01-01"]],
            "",
            "leads",
        ),
        # An ad-spend report is spend, not orders, even with an account name.
        (
            ["Campaign", "Day", "Amount spent (EUR)", "Impressions", "Account name"],
            [["Spring", "2025-01-01", "12.50", "1000", "Sparkle"]],
            "",
            "spend",
        ),
        # The template's own headers win over a few unreadable amounts.
        (
            ["customer_id", "order_date", "amount"],
            [["C1", "2025-01-02", "x"], ["C2", "2025-01-03", "?"], ["C3", "2025-01-04", "5"]],
            "",
            "orders",
        ),
        # File and sheet names count: a bare date and number are a ticket list by its name.
        (["Ticket", "Opened"], [["ID", "2025-01-02 10:00"]], "tickets.csv", "tickets"),
    ],
)
def test_a_table_is_chosen_by_its_required_columns(columns, rows, name, table):
    assert detect_table(_frame(rows, columns), name=name)[0].table == table


def test_a_workbook_with_excel_serial_order_dates_is_orders_not_customers():
    frame = pd.DataFrame(
        {
            "Lp": [1, 2, 3, 4],
            "Nr zamówienia": ["Z1", "Z2", "Z3", "Z4"],
            "Data zamówienia": [45658, 45659, 45660, 45661],  # 2025-01-01.. as plain numbers
            "Klient": ["A", "A", "B", "B"],
            "Kwota (zł)": [10.5, 20.0, 30.0, 40.0],
        },
        dtype=object,
    )
    best = detect_table(frame, name="Zamówienia.xlsx › Zamówienia")[0]
    assert best.table == "orders"
    assert best.mapping["order_date"] == "Data zamówienia"
    assert best.mapping["amount"] == "Kwota (zł)"  # never 'Lp', the row number


def test_the_amount_is_net_of_tax_tips_and_shipping_and_the_notes_say_why():
    frame = _frame(
        [["2025-01-01", "12.00", "10.00", "13.00", "C1"]],
        ["Date", "Gross Sales", "Net Sales", "Total Collected", "Customer ID"],
    )
    sug = suggest_mapping(frame, "orders")
    assert sug.mapping["amount"] == "Net Sales"
    assert any("'Net Sales'" in n and "'Gross Sales'" in n for n in sug.notes)
    netto = suggest_mapping(
        _frame(
            [["2025-01-01", "A", "10", "12.30"]], ["InvoiceDate", "ContactName", "Brutto", "Netto"]
        ),
        "orders",
    )
    assert netto.mapping["amount"] == "Netto"


def test_a_response_type_is_not_the_survey_type():
    frame = _frame([["2025-01-01", "Completed", "9"]], ["Date", "Response Type", "Score"])
    assert suggest_mapping(frame, "surveys").mapping["survey_type"] is None


@pytest.mark.parametrize(
    ("texts", "kind"),
    [
        (["How likely are you to recommend us to a friend?"], "nps"),
        (["Насколько вероятно, что вы порекомендуете нас?"], "nps"),
        (["Jak bardzo prawdopodobne jest, że polecisz nas znajomemu?"], "nps"),
        (["Cât de probabil este să ne recomandați?"], "nps"),
        (["Kako verjetno bi nas priporočili prijatelju?"], "nps"),
        (["Wie wahrscheinlich würden Sie uns weiterempfehlen?"], "nps"),
        (["Recommanderiez-vous notre service ?"], "nps"),
        (["¿Nos recomendaría a un amigo?"], "nps"),
        (["Date", "Score", "Ankieta NPS.xlsx"], "nps"),
        (["How satisfied were you with your last visit?"], "csat"),
        (["How easy was it to solve your problem?"], "ces"),
        (["How likely are you to recommend this company as a place to work?"], "enps"),
        (["Date", "Ocena", "Komentarz"], None),
    ],
)
def test_the_survey_type_is_read_from_the_header_words(texts, kind):
    assert survey_type_from_words(texts)[0] == kind


def test_a_surveys_table_without_a_type_records_it_as_a_constant_with_its_source():
    frame = _frame([["2025-01-02", "9"]], ["Date", "Score"])
    sug = detect_table(frame, name="Ankieta NPS.xlsx")[0]
    assert sug.table == "surveys"
    assert sug.constants == {"survey_type": "nps"}
    assert any("Ankieta NPS.xlsx" in n for n in sug.notes)
    unknown = detect_table(frame, name="answers.csv")[0]
    assert unknown.constants == {}  # nothing says it: left unknown, the Data page asks


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("First reply time in minutes", "minutes"),
        ("First response time (in hrs)", "hours"),
        ("First response time (seconds)", "seconds"),
        ("Czas pierwszej odpowiedzi (min)", "minutes"),
        ("Initial response time", None),
    ],
)
def test_a_duration_header_and_its_unit(header, unit):
    assert duration_unit(header) == (True, unit)


def test_a_duration_column_fills_the_first_response():
    frame = _frame(
        [["ID1", "2025-03-04 10:00", "35", ""]],
        ["Ticket ID", "Created at", "First reply time in minutes", "Primul răspuns"],
    )
    sug = detect_table(frame)[0]
    assert sug.table == "tickets"
    assert sug.mapping["first_response_at"] == "First reply time in minutes"
    assert any("minutes" in n for n in sug.notes)


def test_every_known_layout_names_real_tables_and_columns():
    # A tool's report may come in two shapes (1C's sales list and its sales documents): one
    # name, two signatures.
    shapes = [(lay.name, lay.signature) for lay in layouts()]
    assert len(shapes) == len(set(shapes)) and len({s[0] for s in shapes}) >= 30
    for lay in layouts():
        spec = TABLES[lay.table]
        assert set(lay.columns) <= {c.name for c in spec.columns}, lay.name
        if lay.table != "surveys":  # a survey's score column is its question: no fixed name
            assert set(spec.required) <= set(lay.columns), lay.name
        rule = lay.meaning.get("line_items")
        if rule:
            assert rule["key"] in lay.columns, lay.name


def test_a_known_layout_is_matched_by_its_signature_headers():
    headers = ["Name", "Email", "Financial Status", "Paid at", "Subtotal", "Shipping", "Taxes"]
    headers += ["Total", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price"]
    assert match_layout(headers).name == "shopify_orders"
    assert match_layout(["Date", "Customer", "Amount"]) is None


def test_doubts_name_the_choice_and_the_runner_up():
    close = _frame([["C1", "2025-01-01", "10", "11"]], ["Customer", "Date", "Kwota", "Betrag"])
    sug = suggest_mapping(close, "orders")
    [doubt] = [d for d in sug.doubts if d.field == "amount"]
    assert {doubt.chosen, doubt.runner_up} == {"Kwota", "Betrag"}
    shape = suggest_mapping(
        _frame([["A", "01.02.2025", "12,5"]], ["Kunde", "Wann", "Wieviel"]), "orders"
    )
    assert {d.field for d in shape.doubts} == {"order_date", "amount"}
    sure = suggest_mapping(
        _frame([["C1", "2025-01-01", "10"]], ["Customer", "Date", "Amount"]), "orders"
    )
    assert sure.certain


def test_a_mapping_entry_is_a_valid_mapping_file():
    entry = mapping_entry(
        "x.csv", ["When", "Who", "HowMuch"], "orders",
        {"order_date": "When", "customer_id": "Who", "amount": "HowMuch", "cost": None},
        constants={"survey_type": "nps"},
    )  # fmt: skip
    back = mapping_from_json(entry)
    assert back["x.csv"]["columns"] == {
        "order_date": "When",
        "customer_id": "Who",
        "amount": "HowMuch",
    }
    assert len(back["x.csv"]["signature"]) == 16


# ---------------------------------------------------------------------------------------------
# A customer's name and contact details (who to call), without taking any header from the key.


def _customers(columns: list[str], row: list[str]) -> dict[str, str]:
    frame = _frame([row], columns)
    assert detect_table(frame)[0].table == "customers"
    return {k: v for k, v in suggest_mapping(frame, "customers").mapping.items() if v}


@pytest.mark.parametrize(
    ("columns", "row", "expected"),
    [
        # An id and an e-mail: the id is the key, the e-mail the address.
        (["ID", "Email", "Signup date"], ["ID", "a@example.com", "2025-01-02"],
         {"customer_id": "ID", "email": "Email", "signup_date": "Signup date"}),
        # Only an e-mail: it is still the key, as before.
        (["Email", "Signup date"], ["a@example.com", "2025-01-02"],
         {"customer_id": "Email", "signup_date": "Signup date"}),
        # Only a name: the key, as before.
        (["Customer name", "Signup date"], ["Ann", "2025-01-02"],
         {"customer_id": "Customer name", "signup_date": "Signup date"}),
        (["Account ID", "Account name", "E-Mail", "Phone number"],
         ["ID", "Acme", "a@example.com", "+1 555 0100"],
         {"customer_id": "Account ID", "name": "Account name", "email": "E-Mail",
          "phone": "Phone number"}),
        (["Kundennummer", "Kundenname", "E-Mail-Adresse", "Telefonnummer"],
         ["ID", "Müller GmbH", "a@example.de", "+49 30 1234"],
         {"customer_id": "Kundennummer", "name": "Kundenname", "email": "E-Mail-Adresse",
          "phone": "Telefonnummer"}),
        (["Код клиента", "ФИО", "Электронная почта", "Телефон"],
         ["ID", "Иванов И.", "a@example.ru", "+7 900 000"],
         {"customer_id": "Код клиента", "name": "ФИО", "email": "Электронная почта",
          "phone": "Телефон"}),
        (["Nr klienta", "Nazwa klienta", "Adres e-mail", "Numer telefonu"],
         ["ID", "Kowalski", "a@example.pl", "600 100 200"],
         {"customer_id": "Nr klienta", "name": "Nazwa klienta", "email": "Adres e-mail",
          "phone": "Numer telefonu"}),
        (["Numéro client", "Nom du client", "Courriel", "Téléphone"],
         ["ID", "Dupont", "a@example.fr", "01 23 45"],
         {"customer_id": "Numéro client", "name": "Nom du client", "email": "Courriel",
          "phone": "Téléphone"}),
        (["ID cliente", "Nombre del cliente", "Correo electrónico", "Teléfono"],
         ["ID", "García", "a@example.es", "600 000"],
         {"customer_id": "ID cliente", "name": "Nombre del cliente",
          "email": "Correo electrónico", "phone": "Teléfono"}),
        # Someone else's e-mail and a campaign's name are no customer's details.
        (["Customer", "Agent e-mail", "Campaign name", "Plan"],
         ["ID", "a@example.com", "Spring", "Gold"],
         {"customer_id": "Customer", "plan": "Plan"}),
    ],
)  # fmt: skip
def test_contact_details_are_read_and_never_take_the_customer_key(columns, row, expected):
    assert _customers(columns, row) == expected


def test_a_staff_list_with_contact_details_is_still_employees():
    # The customers table would explain three of its columns (key, name, phone) against the
    # employees table's two, were contact details counted as evidence of a table.
    columns = ["Name", "Email", "Phone", "Team"]
    frame = _frame([["Ann", "ann@example.com", "+1 555 0100", "Support"]], columns)
    found = detect_table(frame)[0]
    assert (found.table, found.mapping["employee"]) == ("employees", "Name")


def test_a_staff_list_with_phones_and_hire_dates_is_never_orders():
    # Phones like "+49 30 1234567" read as numbers and the hire dates as dates: taken by their
    # values, they made an orders table of e-mails, hire dates and amounts of 49,301,234,567.
    columns = ["Name", "Email", "Phone", "Hire date"]
    rows = [
        ["Anna Petrova", "anna@example.com", "+49 30 1234567", "2023-02-01"],
        ["Ben Ortiz", "ben@example.com", "+49 30 7654321", "2024-05-15"],
        ["Chen Li", "chen@example.com", "030 5551234", "2022-11-30"],
    ]
    found = detect_table(_frame(rows, columns))[0]
    assert found.table == "employees"
    assert (found.mapping["employee"], found.mapping["hire_date"]) == ("Name", "Hire date")
    orders = suggest_mapping(_frame(rows, columns), "orders")
    assert orders.mapping.get("amount") != "Phone"
