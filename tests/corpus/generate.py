"""Write the corpus of real export layouts and the results each file must give.

Every file imitates one tool's export as the tool writes it: its header row, its date, time
and number formats, delimiter, encoding, title and total rows, line items and extra columns
(README.md cites, per layout, the page that describes it where one was found). The rows are
invented, from a fixed seed per layout, so the files are the same on every run.

The expected results in ``expected.json`` are computed here, from the records written, with
plain Python arithmetic on whole cents: this module never imports ``kpi``. Definitions follow
KPI_CATALOGUE.md:

* orders: ``orders`` = orders with an amount of zero or more (one per order number in
  line-item exports), ``active_customers`` = distinct customers with such an order,
  ``revenue`` = sum of order amounts, refunds (negative) included; the amount is the tool's
  figure net of tax, tips and shipping where the tool gives one.
* surveys: ``nps`` = 100 * (promoters 9-10 - detractors 0-6) / answers; ``csat_mean`` =
  mean score.
* tickets: ``first_response_hours_median`` and ``resolution_hours_median`` = median hours
  over the tickets that got there.
* leads: ``lead_conversion_rate`` = converted (won) / all.
* spend: the sum of the spend amounts (``spend_total``).

Run from the repository root: ``python tests/corpus/generate.py [OUT_DIR]`` (default: this
folder). It writes ``files/``, ``expected.json`` and ``README.md``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import statistics
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 15
CDNOW_SAMPLE = HERE.parent / "data" / "CDNOW_sample.txt"


# --------------------------------------------------------------------------------------------
# The description of one case


@dataclass
class Case:
    """One export file and what reading it must give."""

    layout: str | None  # the name the app should report; None for files of no known tool
    tool: str
    imitates: str
    documented: str
    file: str
    table: str
    columns: dict[str, str | list[str]]  # canonical -> source column (a list: any of them)
    rows_kept: int
    rows_rejected: int
    kpis: dict[str, float | int]
    dates: tuple[str, str]  # first and last day of the table's main date, YYYY-MM-DD
    summary_rows: int = 0  # title/total rows the tool writes: set aside or rejected, never kept
    spend_total: float | None = None
    traps: str = ""
    # What the user answers when the app asks (the export cannot say it), as Settings fields.
    answers: dict[str, Any] | None = None
    data: bytes = b""
    name: str = ""  # the generator function's name, set by build()

    def expected(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "file": self.file,
            "layout": self.layout,
            "tool": self.tool,
            "table": self.table,
            "columns": self.columns,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "summary_rows": self.summary_rows,
            "kpis": self.kpis,
            "dates": list(self.dates),
        }
        if self.spend_total is not None:
            out["spend_total"] = self.spend_total
        if self.answers:
            out["answers"] = self.answers
        return out


CASES: list[Callable[[np.random.Generator], Case]] = []


def case(fn: Callable[[np.random.Generator], Case]) -> Callable[[np.random.Generator], Case]:
    CASES.append(fn)
    return fn


# Where no page describing an export was found, but the header row was found verbatim in
# public code that reads that tool's exports.
CHECKED_IN_CODE = (
    "no page found; the header row matches public code that parses this export "
    "(exact-string search)"
)


def rng_for(name: str) -> np.random.Generator:
    """A generator per case, so adding a case never changes the files of another."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode())])


# --------------------------------------------------------------------------------------------
# Invented people, dates and amounts

FIRST = ["Anna", "Marek", "Olga", "John", "Sofia", "Luis", "Emma", "Piotr", "Irina", "Tom",
         "Maria", "Jan", "Elena", "Paul", "Ewa", "Ivan", "Clara", "David", "Nina",
         "Adam"]  # fmt: skip
LAST = ["Nowak", "Smith", "Ivanova", "Garcia", "Kowalski", "Popescu", "Brown", "Petrov",
        "Novak", "Muller", "Jones", "Rossi", "Lopez", "Wilson", "Lewandowska",
        "Ionescu"]  # fmt: skip
RU_NAMES = [
    "ООО «Ромашка»",
    "ИП Иванов А. С.",
    "ООО «Вектор»",
    "АО «Северный ветер»",
    "ООО «Альфа-Сервис»",
    "ИП Петрова Е. В.",
    "ООО «ТехноДом»",
    "ООО «Уют»",
    "ИП Смирнов Д. И.",
    "ООО «Чистый город»",
    "ООО «Климат Плюс»",
    "ИП Кузнецова О. Н.",
]
PL_NAMES = [
    "Zakład Usługowy Kowalski",
    "Biuro Rachunkowe Nowak Sp. z o.o.",
    "Piekarnia Łęcka",
    "Firma Handlowa Wiśniewski",
    "Przychodnia Zdrowie s.c.",
    "Hotel Pod Różą",
    "Warsztat Samochodowy Żak",
    "Kancelaria Zielińska",
    "Sklep Ogrodniczy Dąbrowski",
    "Studio Urody Małgorzata",
]
RO_NAMES = [
    "SC Alfa Construct SRL",
    "Cabinet Medical Popescu",
    "Brutăria Dulce SRL",
    "Service Auto Ionescu",
    "Hotel Carpați SA",
    "Farmacia Sănătatea SRL",
    "Atelier Țesături SRL",
    "Școala de Șoferi Rapid",
]
SERVICES = [
    "Deep clean",
    "Window cleaning",
    "Boiler service",
    "AC repair",
    "Consultation",
    "Monthly plan",
    "Carpet cleaning",
    "Filter replacement",
    "Inspection",
    "Move-out clean",
]


@dataclass
class Person:
    key: str
    name: str
    email: str


def people(rng: np.random.Generator, n: int, prefix: str = "C") -> list[Person]:
    """n people with distinct names and emails (so a name identifies a customer as an id does)."""
    combos = rng.permutation(len(FIRST) * len(LAST))[:n]
    out = []
    for i, c in enumerate(combos):
        first, last = FIRST[int(c) // len(LAST)], LAST[int(c) % len(LAST)]
        email = f"{first.lower()}.{last.lower()}{i + 1}@example.com"
        out.append(Person(f"{prefix}{1000 + i}", f"{first} {last}", email))
    return out


START = dt.datetime(2025, 1, 6)


def moments(rng: np.random.Generator, n: int, days: int = 320) -> list[dt.datetime]:
    """n sorted local times in 2025, each between 08:00 and 19:59 (never near midnight)."""
    day = np.sort(rng.integers(0, days, n))
    sec = rng.integers(8 * 3600, 20 * 3600, n)
    return [
        START + dt.timedelta(days=int(d), seconds=int(s)) for d, s in zip(day, sec, strict=True)
    ]


def cents(rng: np.random.Generator, low: float, high: float) -> int:
    return int(rng.integers(round(low * 100), round(high * 100)))


def cet_offset(t: dt.datetime) -> str:
    """Central European offset of a local time: +0200 from 30 March to 26 October 2025."""
    summer = dt.datetime(2025, 3, 30, 3) <= t < dt.datetime(2025, 10, 26, 3)
    return "+0200" if summer else "+0100"


def money(
    c: int, dec: str = ".", thou: str = "", neg: str = "-", pre: str = "", suf: str = ""
) -> str:
    """Whole cents as the tool writes them: ``money(-123456, ",", " ", suf=" zł")``."""
    whole, frac = divmod(abs(c), 100)
    digits = f"{whole:,}".replace(",", thou)
    body = f"{pre}{digits}{dec}{frac:02d}{suf}"
    if c >= 0:
        return body
    return f"({body})" if neg == "()" else f"-{body}"


def csv_bytes(
    rows: list[list[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    newline: str = "\r\n",
    quoting: int = csv.QUOTE_MINIMAL,
) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline, quoting=quoting)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def day(t: dt.datetime | dt.date) -> str:
    return t.strftime("%Y-%m-%d")


def order_kpis(
    orders: list[tuple[str, dt.datetime, int]],
) -> tuple[dict[str, Any], tuple[str, str]]:
    """orders, active_customers and revenue of (customer, date, cents) rows, and the date span."""
    sales = [o for o in orders if o[2] >= 0]
    kpis = {
        "orders": len(sales),
        "active_customers": len({o[0] for o in sales}),
        "revenue": sum(o[2] for o in orders) / 100,
    }
    dates = sorted(o[1] for o in orders)
    return kpis, (day(dates[0]), day(dates[-1]))


def nps(scores: list[int]) -> float:
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return 100 * (promoters - detractors) / len(scores)


def median_hours(minutes: list[float]) -> float:
    return statistics.median(minutes) / 60


def xlsx_bytes(sheets: dict[str, list[list[Any]]], *, date_format: str = "") -> bytes:
    """A workbook written with xlsxwriter, with fixed document dates (byte-identical reruns).

    Numbers are written as numbers (a serial date without a format stays a bare number);
    datetime cells are written as dates in ``date_format`` (Excel's number format).
    """
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.set_properties({"created": dt.datetime(2025, 12, 1, 9, 0, 0), "author": ""})
    as_date = book.add_format({"num_format": date_format or "dd.mm.yyyy hh:mm:ss"})
    money_cell = book.add_format({"num_format": "#,##0.00"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, as_date)
                elif isinstance(value, float) and date_format:
                    sheet.write_number(r, c, value, money_cell)
                else:
                    sheet.write(r, c, value)
    book.close()
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Shops and payments


@case
def shopify_orders(rng: np.random.Generator) -> Case:
    header = (  # noqa: SIM905 (the tool's header line, copied as one string)
        "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
        "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
        "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
        "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
        "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
        "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,"
        "Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,"
        "Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,"
        "Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,"
        "Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,"
        "Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,"
        "Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,"
        "Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,"
        "Next Payment Due At,Payment References"
    ).split(",")
    col = {h: i for i, h in enumerate(header)}
    buyers = people(rng, 45)
    times = moments(rng, 70)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        stamp = t.strftime("%Y-%m-%d %H:%M:%S ") + cet_offset(t)
        lines = [
            (SERVICES[int(rng.integers(len(SERVICES)))], int(rng.integers(1, 4)), cents(rng, 9, 90))
            for _ in range(int(rng.integers(1, 4)))
        ]
        subtotal = sum(q * p for _, q, p in lines)
        shipping = 590 if subtotal < 5000 else 0
        taxes = round(subtotal * 0.23)
        name = f"#{1001 + k}"
        orders.append((who.email, t, subtotal))
        for j, (item, qty, price) in enumerate(lines):
            row: list[Any] = [""] * len(header)
            row[col["Name"]] = name
            row[col["Email"]] = who.email
            row[col["Created at"]] = stamp
            row[col["Lineitem quantity"]] = qty
            row[col["Lineitem name"]] = item
            row[col["Lineitem price"]] = money(price)
            row[col["Lineitem requires shipping"]] = "true"
            row[col["Lineitem taxable"]] = "true"
            row[col["Lineitem fulfillment status"]] = "fulfilled"
            row[col["Lineitem discount"]] = "0.00"
            if j == 0:  # order-level fields only on the first line of each order
                paid = (t + dt.timedelta(seconds=3)).strftime("%Y-%m-%d %H:%M:%S ") + cet_offset(t)
                row[col["Financial Status"]] = "paid"
                row[col["Paid at"]] = paid
                row[col["Fulfillment Status"]] = "fulfilled"
                row[col["Accepts Marketing"]] = "no"
                row[col["Currency"]] = "EUR"
                row[col["Subtotal"]] = money(subtotal)
                row[col["Shipping"]] = money(shipping)
                row[col["Taxes"]] = money(taxes)
                row[col["Total"]] = money(subtotal + shipping + taxes)
                row[col["Discount Amount"]] = "0.00"
                row[col["Shipping Method"]] = "Standard"
                row[col["Billing Name"]] = who.name
                row[col["Billing City"]] = "Berlin"
                row[col["Billing Country"]] = "DE"
                row[col["Payment Method"]] = "Shopify Payments"
                row[col["Refunded Amount"]] = "0.00"
                row[col["Outstanding Balance"]] = "0.00"
                row[col["Id"]] = 5_300_000_000_000 + k * 7919
                row[col["Risk Level"]] = "Low"
                row[col["Source"]] = "web"
                row[col["Tax 1 Name"]] = "DE MwSt 23%"
                row[col["Tax 1 Value"]] = money(taxes)
            rows.append(row)
    kpis, dates = order_kpis(orders)
    return Case(
        "shopify_orders",
        "Shopify",
        "Orders export (Orders > Export, CSV for Excel)",
        "https://docs.xbp.app/docs/development/integrations/shopify/order-format",
        "orders_export_1.csv",
        "orders",
        {
            "customer_id": "Email",
            "order_date": ["Created at", "Paid at"],
            "amount": "Subtotal",
            "order_id": ["Name", "Id"],
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="line items (order fields on the first line only); Subtotal/Shipping/Taxes/Total;"
        " +0100 and +0200 offsets across daylight saving",
        data=csv_bytes(rows, newline="\n"),
    )


@case
def woocommerce_orders(rng: np.random.Generator) -> Case:
    header = [
        "Order Number",
        "Order Status",
        "Order Date",
        "Customer Note",
        "First Name (Billing)",
        "Last Name (Billing)",
        "Company (Billing)",
        "Address 1&2 (Billing)",
        "City (Billing)",
        "State Code (Billing)",
        "Postcode (Billing)",
        "Country Code (Billing)",
        "Email (Billing)",
        "Phone (Billing)",
        "First Name (Shipping)",
        "Last Name (Shipping)",
        "Address 1&2 (Shipping)",
        "City (Shipping)",
        "State Code (Shipping)",
        "Postcode (Shipping)",
        "Country Code (Shipping)",
        "Payment Method Title",
        "Cart Discount Amount",
        "Order Subtotal Amount",
        "Shipping Method Title",
        "Order Shipping Amount",
        "Order Refund Amount",
        "Order Total Amount",
        "Order Total Tax Amount",
        "SKU",
        "Item #",
        "Item Name",
        "Quantity",
        "Item Cost",
        "Coupon Code",
        "Discount Amount",
        "Discount Amount Tax",
    ]
    col = {h: i for i, h in enumerate(header)}
    buyers = people(rng, 40)
    times = moments(rng, 60)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        items = [
            (int(rng.integers(1, 3)), cents(rng, 15, 120)) for _ in range(int(rng.integers(1, 4)))
        ]
        subtotal = sum(q * p for q, p in items)
        tax = round(subtotal * 0.2)
        ship = 499
        number = 4200 + k
        orders.append((who.email, t, subtotal))
        first, last = who.name.split(" ")
        for j, (qty, price) in enumerate(items):
            row: list[Any] = [""] * len(header)
            row[col["Order Number"]] = number  # the only order field on every line
            row[col["SKU"]] = f"SKU-{int(rng.integers(100, 999))}"
            row[col["Item #"]] = j + 1
            row[col["Item Name"]] = SERVICES[int(rng.integers(len(SERVICES)))]
            row[col["Quantity"]] = qty
            row[col["Item Cost"]] = money(price)
            if j == 0:
                row[col["Order Status"]] = "Completed"
                row[col["Order Date"]] = t.strftime("%Y-%m-%d %H:%M")
                row[col["First Name (Billing)"]] = first
                row[col["Last Name (Billing)"]] = last
                row[col["City (Billing)"]] = "Manchester"
                row[col["Country Code (Billing)"]] = "GB"
                row[col["Email (Billing)"]] = who.email
                row[col["Payment Method Title"]] = "Credit Card (Stripe)"
                row[col["Cart Discount Amount"]] = "0"
                row[col["Order Subtotal Amount"]] = money(subtotal)
                row[col["Shipping Method Title"]] = "Flat rate"
                row[col["Order Shipping Amount"]] = money(ship)
                row[col["Order Refund Amount"]] = "0"
                row[col["Order Total Amount"]] = money(subtotal + ship + tax)
                row[col["Order Total Tax Amount"]] = money(tax)
            rows.append(row)
    kpis, dates = order_kpis(orders)
    return Case(
        "woocommerce_orders",
        "WooCommerce",
        "Advanced Order Export For WooCommerce, CSV, one row per product, other columns of "
        "product rows left blank (format_csv_populate_other_columns_product_rows = 0)",
        "https://pastebin.com/MdrEA13A",
        "orders-2025-12-01-09-00-00.csv",
        "orders",
        {
            "customer_id": "Email (Billing)",
            "order_date": "Order Date",
            "amount": "Order Subtotal Amount",
            "order_id": "Order Number",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="line items with order fields on the first line only; Subtotal/Shipping/Total/Tax",
        data=csv_bytes(rows),
    )


@case
def woocommerce_analytics_orders(rng: np.random.Generator) -> Case:
    header = ["Date", "Order #", "Status", "Customer", "Customer type", "Product(s)",
              "Items sold", "Coupon(s)", "Net Sales", "Attribution"]  # fmt: skip
    buyers = people(rng, 40)
    seen: set[str] = set()
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(moments(rng, 75)):
        who = buyers[int(rng.integers(len(buyers)))]
        items = int(rng.integers(1, 5))
        net = items * cents(rng, 12, 95)
        coupon = "spring10" if k % 9 == 4 else ""
        rows.append([t.strftime("%Y-%m-%d"), 7300 + k, "Completed", who.name,
                     "returning" if who.name in seen else "new",
                     f"{SERVICES[k % len(SERVICES)]}, {SERVICES[(k + 3) % len(SERVICES)]}",
                     items, coupon, money(net, thou=","),
                     ["Organic: Google", "Direct", "Referral: example.org"][k % 3]])  # fmt: skip
        seen.add(who.name)
        orders.append((who.name, t, net))
    kpis, dates = order_kpis(orders)
    return Case(
        "woocommerce_analytics_orders", "WooCommerce", "Analytics > Orders > Download (CSV)",
        "https://woocommerce.com/document/woocommerce-analytics/",
        "wc-orders-report-export-2025-12-01.csv", "orders",
        {"customer_id": "Customer", "order_date": "Date", "amount": "Net Sales",
         "order_id": "Order #"},
        len(orders), 0, kpis, dates,
        traps="'Net Sales' (gross - returns - coupons) is the only money column; 'Items sold' "
        "is a count; 'Customer type' new/returning; 'Order #'",
        data=csv_bytes(rows),
    )  # fmt: skip


@case
def stripe_payments(rng: np.random.Generator) -> Case:
    header = [
        "id",
        "Description",
        "Seller Message",
        "Created (UTC)",
        "Amount",
        "Amount Refunded",
        "Currency",
        "Converted Amount",
        "Converted Amount Refunded",
        "Fee",
        "Tax",
        "Converted Currency",
        "Status",
        "Statement Descriptor",
        "Customer ID",
        "Customer Description",
        "Customer Email",
        "Captured",
        "Card ID",
        "Card Last4",
        "Card Brand",
        "Card Funding",
        "Card Exp Month",
        "Card Exp Year",
        "Card Name",
        "Card Address Country",
        "Card Issue Country",
        "Card Fingerprint",
        "Card CVC Status",
        "Dispute Status",
        "Dispute Date (UTC)",
        "Dispute Evidence Due (UTC)",
        "Invoice ID",
        "Payment Source Type",
        "Destination",
        "Transfer",
        "Transfer Group",
        "PaymentIntent ID",
    ]
    col = {h: i for i, h in enumerate(header)}
    buyers = people(rng, 35)
    cus = {p.key: f"cus_{zlib.crc32(p.email.encode()):08x}Qa" for p in buyers}
    times = moments(rng, 90)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        amount = cents(rng, 20, 400)
        fee = round(amount * 0.014) + 25
        utc = t - dt.timedelta(hours=1)
        row: list[Any] = [""] * len(header)
        row[col["id"]] = f"ch_3Q{k:04d}{zlib.crc32(str(k).encode()):08x}"
        row[col["Description"]] = "Subscription update" if k % 3 else "Payment for invoice"
        row[col["Seller Message"]] = "Payment complete."
        row[col["Created (UTC)"]] = utc.strftime("%Y-%m-%d %H:%M:%S")
        row[col["Amount"]] = money(amount)
        row[col["Amount Refunded"]] = "0.00"
        row[col["Currency"]] = "eur"
        row[col["Converted Amount"]] = money(amount)
        row[col["Converted Amount Refunded"]] = "0.00"
        row[col["Fee"]] = money(fee)
        row[col["Tax"]] = "0.00"
        row[col["Converted Currency"]] = "eur"
        row[col["Status"]] = "Paid"
        row[col["Customer ID"]] = cus[who.key]
        row[col["Customer Description"]] = who.name
        row[col["Customer Email"]] = who.email
        row[col["Captured"]] = "true"
        row[col["Card Last4"]] = f"{int(rng.integers(1000, 9999))}"
        row[col["Card Brand"]] = "Visa"
        row[col["Card Funding"]] = "credit"
        row[col["Payment Source Type"]] = "card"
        row[col["PaymentIntent ID"]] = f"pi_3Q{k:04d}"
        rows.append(row)
        orders.append((who.email, utc, amount))
    kpis, dates = order_kpis(orders)
    return Case(
        "stripe_payments",
        "Stripe",
        "Payments > All payments > Export (unified_payments.csv)",
        "https://docs.cello.so/guides/attribution/stripe-reports",
        "unified_payments.csv",
        "orders",
        {
            "customer_id": ["Customer ID", "Customer Email"],
            "order_date": "Created (UTC)",
            "amount": "Amount",
            "order_id": ["id", "PaymentIntent ID"],
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="always-empty 'Dispute Date (UTC)' and 'Dispute Evidence Due (UTC)' that name a "
        "date; Amount beside Converted Amount and Fee",
        data=csv_bytes(rows, newline="\n"),
    )


@case
def stripe_payments_refunds_failed(rng: np.random.Generator) -> Case:
    header = [
        "id",
        "Description",
        "Seller Message",
        "Created (UTC)",
        "Amount",
        "Amount Refunded",
        "Currency",
        "Converted Amount",
        "Converted Amount Refunded",
        "Fee",
        "Tax",
        "Converted Currency",
        "Status",
        "Statement Descriptor",
        "Customer ID",
        "Customer Description",
        "Customer Email",
        "Captured",
        "Card ID",
        "Card Last4",
        "Card Brand",
        "Card Funding",
        "Card Exp Month",
        "Card Exp Year",
        "Card Name",
        "Card Address Country",
        "Card Issue Country",
        "Card Fingerprint",
        "Card CVC Status",
        "Dispute Status",
        "Dispute Date (UTC)",
        "Dispute Evidence Due (UTC)",
        "Invoice ID",
        "Payment Source Type",
        "Destination",
        "Transfer",
        "Transfer Group",
        "PaymentIntent ID",
    ]
    col = {h: i for i, h in enumerate(header)}
    buyers = people(rng, 35)
    cus = {p.key: f"cus_{zlib.crc32(p.email.encode()):08x}Qa" for p in buyers}
    times = moments(rng, 90)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        amount = cents(rng, 20, 400)
        fee = round(amount * 0.014) + 25
        # every 11th payment failed (no money moved), every 9th refunded in full, every 13th
        # refunded in part: Stripe keeps one row per charge with 'Amount Refunded' filled in
        failed = k % 11 == 5
        refunded = 0 if failed else amount if k % 9 == 2 else amount // 4 if k % 13 == 7 else 0
        utc = t - dt.timedelta(hours=1)
        row: list[Any] = [""] * len(header)
        row[col["id"]] = f"ch_3Q{k:04d}{zlib.crc32(str(k).encode()):08x}"
        row[col["Description"]] = "Subscription update" if k % 3 else "Payment for invoice"
        row[col["Seller Message"]] = "Your card was declined." if failed else "Payment complete."
        row[col["Created (UTC)"]] = utc.strftime("%Y-%m-%d %H:%M:%S")
        row[col["Amount"]] = money(amount)
        row[col["Amount Refunded"]] = money(refunded)
        row[col["Currency"]] = "eur"
        row[col["Converted Amount"]] = money(amount)
        row[col["Converted Amount Refunded"]] = money(refunded)
        row[col["Fee"]] = "0.00" if failed else money(fee)
        row[col["Tax"]] = "0.00"
        row[col["Converted Currency"]] = "eur"
        row[col["Status"]] = "Failed" if failed else "Refunded" if refunded == amount else "Paid"
        row[col["Customer ID"]] = cus[who.key]
        row[col["Customer Description"]] = who.name
        row[col["Customer Email"]] = who.email
        row[col["Captured"]] = "false" if failed else "true"
        row[col["Card Last4"]] = f"{int(rng.integers(1000, 9999))}"
        row[col["Card Brand"]] = "Visa"
        row[col["Card Funding"]] = "credit"
        row[col["Payment Source Type"]] = "card"
        row[col["PaymentIntent ID"]] = f"pi_3Q{k:04d}"
        rows.append(row)
        if not failed:
            orders.append((who.email, utc, amount - refunded))
    kpis, dates = order_kpis(orders)
    return Case(
        "stripe_payments",
        "Stripe",
        "Payments > All payments > Export (unified_payments.csv), all statuses: failed "
        "charges and refunds included",
        "https://docs.cello.so/guides/attribution/stripe-reports",
        "unified_payments (3).csv",
        "orders",
        {
            "customer_id": ["Customer ID", "Customer Email"],
            "order_date": "Created (UTC)",
            "amount": "Amount",
            "order_id": ["id", "PaymentIntent ID"],
        },
        len(orders),
        0,
        kpis,
        dates,
        summary_rows=len(rows) - 1 - len(orders),
        traps="failed charges (Status 'Failed', Captured false: no sale) and refunds in "
        "'Amount Refunded' on the charge's own row (revenue is Amount - Amount Refunded; one "
        "row per charge); always-empty 'Dispute Date (UTC)'",
        data=csv_bytes(rows, newline="\n"),
    )


@case
def square_transactions(rng: np.random.Generator) -> Case:
    header = [
        "Date",
        "Time",
        "Time Zone",
        "Gross Sales",
        "Discounts",
        "Service Charges",
        "Net Sales",
        "Gift Card Sales",
        "Tax",
        "Tip",
        "Partial Refunds",
        "Total Collected",
        "Source",
        "Card",
        "Card Entry Methods",
        "Cash",
        "Square Gift Card",
        "Other Tender",
        "Other Tender Type",
        "Other Tender Note",
        "Fees",
        "Net Total",
        "Transaction ID",
        "Payment ID",
        "Card Brand",
        "PAN Suffix",
        "Device Name",
        "Staff Name",
        "Staff ID",
        "Details",
        "Description",
        "Event Type",
        "Location",
        "Dining Option",
        "Customer ID",
        "Customer Name",
        "Customer Reference ID",
        "Device Nickname",
        "Third Party Fees",
        "Deposit ID",
        "Deposit Date",
        "Deposit Details",
        "Fee Percentage Rate",
        "Fee Fixed Rate",
        "Refund Reason",
        "Discount Name",
        "Transaction Status",
        "Cash App",
        "Order Reference ID",
        "Fulfillment Note",
        "Free Processing Applied",
        "Channel",
        "Unattributed Tips",
    ]
    col = {h: i for i, h in enumerate(header)}
    buyers = people(rng, 30)
    cust = {p.key: f"{zlib.crc32(p.name.encode()):08X}GQ{p.key}" for p in buyers}
    times = moments(rng, 80)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        gross = cents(rng, 25, 250)
        discount = 500 if k % 7 == 0 else 0
        refund = -1000 if k % 13 == 5 else 0  # a partial refund on some payments
        net = gross - discount + refund  # Net Sales: gross minus discounts and refunds
        tax = round((gross - discount) * 0.08875)
        tip = round(gross * 0.15) if k % 2 else 0
        total = net + tax + tip
        fees = -(round(total * 0.026) + 10)
        usd = dict(pre="$", neg="-")
        row: list[Any] = [""] * len(header)
        row[col["Date"]] = t.strftime("%Y-%m-%d")
        row[col["Time"]] = t.strftime("%H:%M:%S")
        row[col["Time Zone"]] = "Eastern Time (US & Canada)"
        row[col["Gross Sales"]] = money(gross, **usd)
        row[col["Discounts"]] = money(-discount, **usd)
        row[col["Service Charges"]] = "$0.00"
        row[col["Net Sales"]] = money(net, **usd)
        row[col["Gift Card Sales"]] = "$0.00"
        row[col["Tax"]] = money(tax, **usd)
        row[col["Tip"]] = money(tip, **usd)
        row[col["Partial Refunds"]] = money(refund, **usd)
        row[col["Total Collected"]] = money(total, **usd)
        row[col["Source"]] = "Point of Sale"
        row[col["Card"]] = money(total, **usd)
        row[col["Card Entry Methods"]] = "Contactless"
        row[col["Cash"]] = "$0.00"
        row[col["Fees"]] = money(fees, **usd)
        row[col["Net Total"]] = money(total + fees, **usd)
        row[col["Transaction ID"]] = f"{zlib.crc32(f'tx{k}'.encode()):08x}Zq9T{k:04d}"
        row[col["Payment ID"]] = f"p{k:05d}"
        row[col["Card Brand"]] = "Visa"
        row[col["Staff Name"]] = "Dana Lee"
        row[col["Description"]] = SERVICES[int(rng.integers(len(SERVICES)))]
        row[col["Event Type"]] = "Payment"
        row[col["Location"]] = "Brooklyn"
        row[col["Customer ID"]] = cust[who.key]
        row[col["Customer Name"]] = who.name
        row[col["Transaction Status"]] = "Complete"
        row[col["Channel"]] = "Square Point of Sale"
        rows.append(row)
        orders.append((cust[who.key], t, net))
    kpis, dates = order_kpis(orders)
    return Case(
        "square_transactions",
        "Square",
        "Transactions > Export > Transactions CSV",
        "https://squareup.com/help/au/en/article/5200-square-glossary",
        "transactions-2025-01-01-2025-12-01.csv",
        "orders",
        {
            "customer_id": "Customer ID",
            "order_date": "Date",
            "amount": "Net Sales",
            "order_id": ["Transaction ID", "Payment ID"],
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="'Gross Sales', 'Net Sales' and 'Total Collected' together (net sales exclude tax "
        "and tips); $ amounts; date and time in separate columns",
        data=csv_bytes(rows),
    )


@case
def paypal_activity(rng: np.random.Generator) -> Case:
    header = [
        "Date",
        "Time",
        "TimeZone",
        "Name",
        "Type",
        "Status",
        "Currency",
        "Gross",
        "Fee",
        "Net",
        "From Email Address",
        "To Email Address",
        "Transaction ID",
        "Shipping Address",
        "Address Status",
        "Item Title",
        "Item ID",
        "Shipping and Handling Amount",
        "Insurance Amount",
        "Sales Tax",
        "Option 1 Name",
        "Option 1 Value",
        "Option 2 Name",
        "Option 2 Value",
        "Reference Txn ID",
        "Invoice Number",
        "Custom Number",
        "Quantity",
        "Receipt ID",
        "Balance",
        "Address Line 1",
        "Address Line 2/District/Neighborhood",
        "Town/City",
        "State/Province/Region/County/Territory/Prefecture/Republic",
        "Zip/Postal Code",
        "Country",
        "Contact Phone Number",
        "Subject",
        "Note",
        "Country Code",
        "Balance Impact",
    ]
    col = {h: i for i, h in enumerate(header)}
    buyers = people(rng, 30)
    times = moments(rng, 75)
    rows: list[list[Any]] = [header]
    orders = []
    balance = 0
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        refund = k % 11 == 10 and orders
        if refund:
            gross = -min(o[2] for o in orders if o[2] > 0)
            kind = "Payment Refund"
        else:
            gross = cents(rng, 10, 300)
            kind = "Express Checkout Payment"
        fee = -(round(abs(gross) * 0.029) + 35) if gross > 0 else 0
        balance += gross + fee
        row: list[Any] = [""] * len(header)
        row[col["Date"]] = t.strftime("%d/%m/%Y")
        row[col["Time"]] = t.strftime("%H:%M:%S")
        row[col["TimeZone"]] = "Europe/London"
        row[col["Name"]] = who.name
        row[col["Type"]] = kind
        row[col["Status"]] = "Completed"
        row[col["Currency"]] = "GBP"
        row[col["Gross"]] = money(gross, thou=",")
        row[col["Fee"]] = money(fee, thou=",")
        row[col["Net"]] = money(gross + fee, thou=",")
        row[col["From Email Address"]] = who.email if gross > 0 else "shop@example.co.uk"
        row[col["To Email Address"]] = "shop@example.co.uk" if gross > 0 else who.email
        row[col["Transaction ID"]] = f"{zlib.crc32(f'pp{k}'.encode()):08X}{k:09d}"
        row[col["Item Title"]] = SERVICES[int(rng.integers(len(SERVICES)))]
        row[col["Quantity"]] = 1
        row[col["Balance"]] = money(balance, thou=",")
        row[col["Country Code"]] = "GB"
        row[col["Balance Impact"]] = "Credit" if gross > 0 else "Debit"
        rows.append(row)
        orders.append((who.email, t, gross))
    kpis, dates = order_kpis(orders)
    return Case(
        "paypal_activity",
        "PayPal",
        "Activity > Download (CSV, all transactions), UK account",
        "https://developer.paypal.com/api/nvp-soap/paypal-payments-standard/admin/download-history/",
        "Download.CSV",
        "orders",
        {
            "customer_id": ["Name", "From Email Address"],
            "order_date": "Date",
            "amount": "Gross",
            "order_id": "Transaction ID",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="Gross/Fee/Net (net of PayPal's fee, not of tax: revenue is Gross); refunds as "
        "negative Gross; the customer's email is in 'To Email Address' on refunds, so the name "
        "is the key; day-first dates; every cell quoted; UTF-8 with BOM",
        data=csv_bytes(rows, encoding="utf-8-sig", quoting=csv.QUOTE_ALL),
    )


@case
def sumup_invoices(rng: np.random.Generator) -> Case:
    header = [
        "Rechnungsnummer",
        "Rechnungsdatum",
        "Fälligkeitsdatum",
        "Kunde",
        "Kundennummer",
        "Nettobetrag",
        "MwSt.",
        "Bruttobetrag",
        "Währung",
        "Status",
        "Bezahlt am",
    ]
    buyers = people(rng, 25, prefix="K")
    times = moments(rng, 60)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        net = cents(rng, 40, 900)
        vat = round(net * 0.19)
        paid = t + dt.timedelta(days=int(rng.integers(1, 20)))
        rows.append(
            [
                f"RE-2025-{k + 1:04d}",
                t.strftime("%d.%m.%Y"),
                "",
                who.name,
                who.key,
                money(net, ",", "."),
                money(vat, ",", "."),
                money(net + vat, ",", "."),
                "EUR",
                "Bezahlt",
                paid.strftime("%d.%m.%Y"),
            ]
        )
        orders.append((who.key, t, net))
    kpis, dates = order_kpis(orders)
    return Case(
        "sumup_invoices",
        "SumUp",
        "SumUp Rechnungen (Invoices), Rechnungen > Exportieren, CSV",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "SumUp_Rechnungen_2025.csv",
        "orders",
        {
            "customer_id": ["Kundennummer", "Kunde"],
            "order_date": "Rechnungsdatum",
            "amount": "Nettobetrag",
            "order_id": "Rechnungsnummer",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="always-empty due date ('Fälligkeitsdatum') and a payment date beside the invoice "
        "date; Netto/Brutto; German number format '1.234,56'; ';' delimiter",
        data=csv_bytes(rows, delimiter=";"),
    )


# --------------------------------------------------------------------------------------------
# Accounting and invoicing


@case
def quickbooks_invoices(rng: np.random.Generator) -> Case:
    header = [
        "",
        "Date",
        "Transaction type",
        "No.",
        "Customer",
        "Memo/Description",
        "Due date",
        "Amount",
        "Open balance",
    ]
    buyers = people(rng, 28)
    times = moments(rng, 70)
    rows: list[list[Any]] = [
        ["Sparkle Home Services LLC"],
        ["Invoice List"],
        ["January - November, 2025"],
        [],
        header,
    ]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        credit = k % 12 == 11
        amount = -cents(rng, 20, 80) if credit else cents(rng, 80, 2400)
        kind = "Credit Memo" if credit else "Invoice"
        due = (t + dt.timedelta(days=30)).strftime("%m/%d/%Y")
        rows.append(
            [
                "",
                t.strftime("%m/%d/%Y"),
                kind,
                1001 + k,
                who.name,
                SERVICES[int(rng.integers(len(SERVICES)))],
                due,
                money(amount, thou=",", neg="()"),
                money(max(amount, 0) if k > 60 else 0, thou=","),
            ]
        )
        orders.append((who.name, t, amount))
    total = sum(o[2] for o in orders)
    rows += [
        ["TOTAL", "", "", "", "", "", "", money(total, thou=","), ""],
        [],
        [],
        ["Accrual basis Monday, December 1, 2025 09:00 AM GMT-05:00"],
    ]
    kpis, dates = order_kpis(orders)
    return Case(
        "quickbooks_invoices",
        "QuickBooks Online",
        "Reports > Invoice List > Export to CSV",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "Sparkle Home Services LLC_Invoice List.csv",
        "orders",
        {"customer_id": "Customer", "order_date": "Date", "amount": "Amount", "order_id": "No."},
        len(orders),
        0,
        kpis,
        dates,
        summary_rows=2,
        traps="three title rows and a blank row above the header, a TOTAL row and an 'Accrual "
        "basis' footer; always-filled 'Due date' beside 'Date'; credit memos as accounting "
        "negatives '(45.10)' (the report's 'Negative numbers' setting); US dates; thousands "
        "commas",
        data=csv_bytes(rows),
    )


@case
def xero_invoices(rng: np.random.Generator) -> Case:
    header = (  # noqa: SIM905 (the tool's header line, copied as one string)
        "ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,"
        "POCity,PORegion,POPostalCode,POCountry,SAAddressLine1,SAAddressLine2,SAAddressLine3,"
        "SAAddressLine4,SACity,SARegion,SAPostalCode,SACountry,InvoiceNumber,Reference,"
        "InvoiceDate,DueDate,PlannedDate,Total,TaxTotal,InvoiceAmountPaid,InvoiceAmountDue,"
        "InventoryItemCode,Description,Quantity,UnitAmount,Discount,LineAmount,AccountCode,"
        "TaxType,TaxAmount,TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency,"
        "Type,Sent,Status"
    ).split(",")
    col = {h: i for i, h in enumerate(header)}
    buyers = people(rng, 26)
    times = moments(rng, 55)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        lines = [
            (int(rng.integers(1, 4)), cents(rng, 30, 300)) for _ in range(int(rng.integers(1, 4)))
        ]
        net = sum(q * p for q, p in lines)
        taxes = [round(q * p * 0.2) for q, p in lines]
        total = net + sum(taxes)
        orders.append((who.name, t, net))
        for (qty, price), tax in zip(lines, taxes, strict=True):
            row: list[Any] = [""] * len(header)
            row[col["ContactName"]] = who.name  # invoice fields repeat on every line
            row[col["EmailAddress"]] = who.email
            row[col["POCity"]] = "Leeds"
            row[col["POCountry"]] = "GB"
            row[col["InvoiceNumber"]] = f"INV-{100 + k:04d}"
            row[col["Reference"]] = f"Job {k + 1}"
            row[col["InvoiceDate"]] = t.strftime("%d/%m/%Y")
            row[col["DueDate"]] = (t + dt.timedelta(days=14)).strftime("%d/%m/%Y")
            row[col["Total"]] = money(total)
            row[col["TaxTotal"]] = money(sum(taxes))
            row[col["InvoiceAmountPaid"]] = money(total)
            row[col["InvoiceAmountDue"]] = "0.00"
            row[col["Description"]] = SERVICES[int(rng.integers(len(SERVICES)))]
            row[col["Quantity"]] = f"{qty}.0000"
            row[col["UnitAmount"]] = f"{price / 100:.4f}"
            row[col["LineAmount"]] = money(qty * price)
            row[col["AccountCode"]] = 200
            row[col["TaxType"]] = "20% (VAT on Income)"
            row[col["TaxAmount"]] = money(tax)
            row[col["Currency"]] = "GBP"
            row[col["Type"]] = "Sales invoice"
            row[col["Sent"]] = "Sent"
            row[col["Status"]] = "Paid"
            rows.append(row)
    kpis, dates = order_kpis(orders)
    return Case(
        "xero_invoices",
        "Xero",
        "Business > Invoices > Export (sales invoices CSV, UK dates)",
        "https://docs.milientsoftware.com/help/moment-by-topic/integrations/file-exports/"
        "file-export-accounting-system/xero/xero-templates",
        "Export.csv",
        "orders",
        {
            "customer_id": ["ContactName", "EmailAddress"],
            "order_date": "InvoiceDate",
            "amount": ["LineAmount", "Total"],
            "order_id": "InvoiceNumber",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="CamelCase headers (ContactName, InvoiceDate); one row per invoice line with the "
        "invoice fields repeated: one order per InvoiceNumber, amount = sum of LineAmount (net "
        "of tax; Total includes VAT: Total - TaxTotal is the same net figure); DueDate and "
        "PlannedDate beside InvoiceDate; day-first",
        data=csv_bytes(rows),
    )


@case
def freshbooks_invoices(rng: np.random.Generator) -> Case:
    header = [
        "Client Name",
        "Organization",
        "Email",
        "Invoice #",
        "Date Issued",
        "Invoice Status",
        "Date Paid",
        "Currency",
        "Subtotal",
        "Tax 1 Amount",
        "Tax 2 Amount",
        "Total",
        "Paid",
        "Outstanding",
        "Due Date",
    ]
    buyers = people(rng, 24)
    times = moments(rng, 50)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        sub = cents(rng, 150, 3000)
        tax1 = round(sub * 0.05)
        tax2 = round(sub * 0.09975)
        total = sub + tax1 + tax2
        rows.append(
            [
                who.name,
                f"{who.name.split()[1]} & Co",
                who.email,
                f"{k + 1:07d}",
                t.strftime("%Y-%m-%d"),
                "paid",
                (t + dt.timedelta(days=int(rng.integers(0, 25)))).strftime("%Y-%m-%d"),
                "CAD",
                money(sub),
                money(tax1),
                money(tax2),
                money(total),
                money(total),
                "0.00",
                "",
            ]
        )
        orders.append((who.email, t, sub))
    kpis, dates = order_kpis(orders)
    return Case(
        "freshbooks_invoices",
        "FreshBooks",
        "Reports > Invoice Details > Export CSV",
        "https://developers.qodex.ai/freshbooks-s-public/freshbooks-api/reports-87/"
        "invoice-details-33",
        "invoice_details.csv",
        "orders",
        {
            "customer_id": ["Client Name", "Email"],
            "order_date": "Date Issued",
            "amount": "Subtotal",
            "order_id": "Invoice #",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="always-empty 'Due Date'; 'Date Paid' beside 'Date Issued'; Subtotal/Tax/Total/Paid",
        data=csv_bytes(rows),
    )


@case
def onec_sales(rng: np.random.Generator) -> Case:
    header = [
        "Период",
        "Регистратор",
        "Контрагент",
        "Номенклатура",
        "Количество",
        "Сумма",
        "Сумма НДС",
    ]
    times = moments(rng, 90)
    rows: list[list[Any]] = [
        ["Продажи за период 01.01.2025 - 30.11.2025"],
        ["Организация: ООО «Сервис-Центр»"],
        [],
        header,
    ]
    orders = []
    for k, t in enumerate(times):
        who = RU_NAMES[int(rng.integers(len(RU_NAMES)))]
        qty = int(rng.integers(1, 5))
        amount = qty * cents(rng, 500, 25000)
        vat = round(amount * 20 / 120)
        doc = f"Реализация товаров и услуг 00БП-{k + 1:06d} от {t:%d.%m.%Y %H:%M:%S}"
        rows.append(
            [
                t.strftime("%d.%m.%Y %H:%M:%S"),
                doc,
                who,
                "Обслуживание оборудования",
                qty,
                money(amount, ",", "\u00a0"),
                money(vat, ",", "\u00a0"),
            ]
        )
        orders.append((who, t, amount))
    total = sum(o[2] for o in orders)
    rows.append(["Итого", "", "", "", "", money(total, ",", "\u00a0"), ""])
    kpis, dates = order_kpis(orders)
    return Case(
        "onec_sales",
        "1C:Enterprise (1С:Бухгалтерия 8.3)",
        "Отчёт «Продажи» saved as CSV: Windows-1251, ';', decimal commas, no-break-space "
        "thousands, title rows and an «Итого» row",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "Продажи_2025.csv",
        "orders",
        {
            "customer_id": "Контрагент",
            "order_date": "Период",
            "amount": "Сумма",
            "order_id": "Регистратор",
        },
        len(orders),
        0,
        kpis,
        dates,
        summary_rows=1,
        traps="Windows-1251; ';'; '12\u00a0345,67'; two title rows; an «Итого» total row; "
        "«Сумма» beside «Сумма НДС»",
        data=csv_bytes(rows, delimiter=";", encoding="cp1251"),
    )


@case
def onec_sales_xlsx(rng: np.random.Generator) -> Case:
    header = ["Дата", "Документ", "Контрагент", "Договор", "Номенклатура", "Количество",
              "Сумма", "Сумма НДС", "Сумма без НДС"]  # fmt: skip
    times = moments(rng, 80)
    rows: list[list[Any]] = [["Реализация товаров и услуг"], ["Период: 01.01.2025 - 30.11.2025"],
                             ["Организация: ООО «Сервис-Центр»"], [], header]  # fmt: skip
    orders = []
    for k, t in enumerate(times):
        who = RU_NAMES[int(rng.integers(len(RU_NAMES)))]
        qty = int(rng.integers(1, 4))
        gross = qty * cents(rng, 1000, 30000)
        vat = round(gross * 20 / 120)
        rows.append([t.replace(microsecond=0), f"Реализация (акт, накладная) 00БП-{k + 1:06d}",
                     who, "Основной договор", "Сервисное обслуживание", qty, gross / 100,
                     vat / 100, (gross - vat) / 100])  # fmt: skip
        orders.append((who, t, gross - vat))
    rows.append(["Итого", "", "", "", "", "", sum(o[2] for o in orders) / 100, "", ""])
    kpis, dates = order_kpis(orders)
    return Case(
        "onec_sales", "1C:Enterprise (1С:Бухгалтерия 8.3)", "the sales documents list saved "
        "as Excel: sheet 'TDSheet', title rows, date cells, number cells, an «Итого» row",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "Реализация 2025.xlsx", "orders",
        {"customer_id": "Контрагент", "order_date": "Дата", "amount": "Сумма без НДС",
         "order_id": "Документ"},
        len(orders), 0, kpis, dates, summary_rows=1,
        traps="three title rows and a blank row above the header in a workbook; real date "
        "cells; «Сумма», «Сумма НДС» and «Сумма без НДС»: revenue net of VAT; «Итого» row",
        data=xlsx_bytes({"TDSheet": rows}, date_format="dd.mm.yyyy h:mm:ss"),
    )  # fmt: skip


@case
def fakturownia_invoices(rng: np.random.Generator) -> Case:
    header = [
        "Lp",
        "Numer",
        "Data wystawienia",
        "Data sprzedaży",
        "Termin płatności",
        "Kontrahent",
        "NIP",
        "Netto",
        "VAT",
        "Brutto",
        "Waluta",
        "Status",
    ]
    times = moments(rng, 80)
    rows: list[list[Any]] = [header]
    orders = []
    nips = {n: f"{5200000000 + zlib.crc32(n.encode()) % 99999999}" for n in PL_NAMES}
    for k, t in enumerate(times):
        who = PL_NAMES[int(rng.integers(len(PL_NAMES)))]
        net = cents(rng, 100, 6000)
        vat = round(net * 0.23)
        zl = dict(dec=",", thou=" ", suf=" zł")
        rows.append(
            [
                k + 1,
                f"FV {k + 1}/{t:%m}/2025",
                t.strftime("%d.%m.%Y"),
                t.strftime("%d.%m.%Y"),
                (t + dt.timedelta(days=14)).strftime("%d.%m.%Y"),
                who,
                nips[who],
                money(net, **zl),
                money(vat, **zl),
                money(net + vat, **zl),
                "PLN",
                "opłacona",
            ]
        )
        orders.append((who, t, net))
    kpis, dates = order_kpis(orders)
    return Case(
        "fakturownia_invoices",
        "Fakturownia",
        "Faktury > Eksport > CSV (lista faktur)",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "faktury_2025.csv",
        "orders",
        {
            "customer_id": ["Kontrahent", "NIP"],
            "order_date": ["Data wystawienia", "Data sprzedaży"],
            "amount": "Netto",
            "order_id": "Numer",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="row-number column 'Lp'; Netto/VAT/Brutto; '1 234,56 zł'; Windows-1250; ';'; "
        "day-first dates; 'Termin płatności' (due date) beside the issue date",
        data=csv_bytes(rows, delimiter=";", encoding="cp1250"),
    )


@case
def polish_orders_serial_xlsx(rng: np.random.Generator) -> Case:
    header = ["Lp", "Nr zamówienia", "Data zamówienia", "Klient", "Kwota (zł)"]
    clients = [f"{FIRST[i % 20]} {LAST[(i * 7) % 16]}" for i in range(200)]
    times = moments(rng, 483)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = clients[int(rng.integers(len(clients)))]
        amount = cents(rng, 30, 900)
        serial = (t.date() - dt.date(1899, 12, 30)).days  # a serial number, no date format
        rows.append([k + 1, f"ZAM/{k + 1:05d}", serial, who, amount / 100])
        orders.append((who, t, amount))
    kpis, dates = order_kpis(orders)
    return Case(
        None,
        "Polish shop workbook",
        "Zamówienia.xlsx: order dates as Excel serial numbers in cells without a date format",
        "(no tool: the issue's observed workbook)",
        "Zamówienia.xlsx",
        "orders",
        {
            "customer_id": "Klient",
            "order_date": "Data zamówienia",
            "amount": "Kwota (zł)",
            "order_id": "Nr zamówienia",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="Excel serial dates without a date format; 'Lp'; 'Kwota (zł)'; repeated customers "
        "(not a customers table); sheet name 'Zamówienia'",
        data=xlsx_bytes({"Zamówienia": rows}),
    )


@case
def smartbill_invoices(rng: np.random.Generator) -> Case:
    header = [
        "Factura",
        "Client",
        "Data emiterii",
        "Data scadentei",
        "Valoare fara TVA",
        "Valoare TVA",
        "Total",
        "Moneda",
        "Status",
        "Observatii",
    ]
    times = moments(rng, 60)
    rows: list[list[Any]] = [
        ["Raport facturi emise"],
        ["Perioada: 01.01.2025 - 30.11.2025"],
        header,
    ]
    orders = []
    for k, t in enumerate(times):
        who = RO_NAMES[int(rng.integers(len(RO_NAMES)))]
        net = cents(rng, 150, 8000)
        vat = round(net * 0.19)
        ro = dict(dec=",", thou=".")
        rows.append(
            [
                f"SB {k + 1:04d}",
                who,
                t.strftime("%d.%m.%Y"),
                (t + dt.timedelta(days=30)).strftime("%d.%m.%Y"),
                money(net, **ro),
                money(vat, **ro),
                money(net + vat, **ro),
                "RON",
                "Încasată",
                "plată prin transfer" if k % 4 == 0 else "",
            ]
        )
        orders.append((who, t, net))
    kpis, dates = order_kpis(orders)
    return Case(
        "smartbill_invoices",
        "SmartBill",
        "Rapoarte > Facturi emise > Export (CSV)",
        "https://ajutorgestiune.smartbill.ro/article/380-raportul-facturi-emise-prezentare-generala",
        "raport_facturi_emise.csv",
        "orders",
        {
            "customer_id": "Client",
            "order_date": "Data emiterii",
            "amount": "Valoare fara TVA",
            "order_id": "Factura",
        },
        len(orders),
        0,
        kpis,
        dates,
        summary_rows=0,
        traps="two title rows; Romanian diacritics in names and notes (ă, ț, î, ș); 'Valoare fara "
        "TVA' beside 'Valoare TVA' and 'Total'; '1.234,56'; 'Data scadentei' beside the issue date",
        data=csv_bytes(rows, encoding="utf-8-sig"),
    )


@case
def template_orders_junk(rng: np.random.Generator) -> Case:
    buyers = people(rng, 30)
    times = moments(rng, 80)
    rows: list[list[Any]] = [["customer_id", "order_date", "amount"]]
    orders = []
    junk = {7: "n/a", 12: "?", 23: "TBD", 35: "call back", 41: "—", 52: "x", 66: "see note",
            73: "12,50,0"}  # fmt: skip
    for k, t in enumerate(times):
        who = buyers[int(rng.integers(len(buyers)))]
        amount = cents(rng, 20, 500)
        if k in junk:
            rows.append([who.key, day(t), junk[k]])
            continue
        rows.append([who.key, day(t), money(amount)])
        orders.append((who.key, t, amount))
    kpis, dates = order_kpis(orders)
    return Case(
        None,
        "The app's own template",
        "orders template filled in by hand, with a few junk amounts",
        "docs of this project: DESIGN.md, Canonical tables",
        "orders_template.csv",
        "orders",
        {"customer_id": "customer_id", "order_date": "order_date", "amount": "amount"},
        len(orders),
        len(junk),
        kpis,
        dates,
        traps="headers exactly the template's; eight amounts of 80 that are not numbers "
        "(rejected, with their reason)",
        data=csv_bytes(rows, delimiter=";", newline="\n"),
    )


@case
def russian_sales_simple(rng: np.random.Generator) -> Case:
    rows: list[list[Any]] = [["Клиент", "Дата", "Сумма", "Менеджер"]]
    times = moments(rng, 70)
    orders = []
    for t in times:
        who = RU_NAMES[int(rng.integers(len(RU_NAMES)))]
        amount = int(rng.integers(3, 10)) * 100 if rng.random() < 0.3 else cents(rng, 900, 40000)
        rows.append(
            [
                who,
                t.strftime("%d.%m.%Y"),
                money(amount, ",", " "),
                ["Орлова", "Сидоров", "Ким"][int(rng.integers(3))],
            ]
        )
        orders.append((who, t, amount))
    kpis, dates = order_kpis(orders)
    return Case(
        None,
        "Russian sales export",
        "a shop's sales list saved from Excel as CSV (Windows-1251)",
        "(no tool: the issue's observed export)",
        "продажи.csv",
        "orders",
        {"customer_id": "Клиент", "order_date": "Дата", "amount": "Сумма"},
        len(orders),
        0,
        kpis,
        dates,
        traps="'Сумма' with some small whole amounts (3-9) that look like scores; Windows-1251; "
        "three empty ';;;' lines at the end, as Excel saves a sheet with formatted empty rows",
        data=csv_bytes(rows + [["", "", "", ""]] * 3, delimiter=";", encoding="cp1251"),
    )


MONTHS = {
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
           "września", "października", "listopada", "grudnia"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
}  # fmt: skip


def long_date(t: dt.datetime, lang: str) -> str:
    """A date as a spreadsheet's long date format writes it in that language."""
    month = MONTHS[lang][t.month - 1]
    return {
        "es": f"{t.day} de {month} de {t.year}",
        "de": f"{t.day}. {month} {t.year}",
        "pl": f"{t.day} {month} {t.year}",
        "fr": f"{t.day} {month} {t.year}",
    }[lang]


def month_name_sheet(rng: np.random.Generator, lang: str) -> tuple[list[list[Any]], list]:
    header = {
        "es": ["Cliente", "Fecha", "Servicio", "Importe (€)"],
        "de": ["Kunde", "Datum", "Leistung", "Betrag (€)"],
        "pl": ["Klient", "Data", "Usługa", "Kwota (zł)"],
        "fr": ["Client", "Date", "Prestation", "Montant (€)"],
    }[lang]
    clients = people(rng, 25)
    rows: list[list[Any]] = [header]
    orders = []
    for t in moments(rng, 60):
        who = clients[int(rng.integers(len(clients)))]
        amount = cents(rng, 30, 600)
        rows.append([who.name, long_date(t, lang), SERVICES[int(rng.integers(len(SERVICES)))],
                     money(amount, ",", ".")])  # fmt: skip
        orders.append((who.name, t, amount))
    return rows, orders


@case
def month_names_es(rng: np.random.Generator) -> Case:
    rows, orders = month_name_sheet(rng, "es")
    kpis, dates = order_kpis(orders)
    return Case(
        None, "Spreadsheet (Spanish)", "a shop's orders kept in a spreadsheet, dates in the "
        "long format '4 de marzo de 2025', saved as CSV",
        "(no tool: a spreadsheet's long date format)", "ventas_2025.csv", "orders",
        {"customer_id": "Cliente", "order_date": "Fecha", "amount": "Importe (€)"},
        len(orders), 0, kpis, dates,
        traps="Spanish month names; 'Importe (€)'; '1.234,56'; ';'",
        data=csv_bytes(rows, delimiter=";"),
    )  # fmt: skip


@case
def month_names_de(rng: np.random.Generator) -> Case:
    rows, orders = month_name_sheet(rng, "de")
    kpis, dates = order_kpis(orders)
    return Case(
        None, "Spreadsheet (German)", "orders kept in a spreadsheet, dates as '4. März 2025', "
        "saved as CSV in Windows-1252",
        "(no tool: a spreadsheet's long date format)", "Umsätze 2025.csv", "orders",
        {"customer_id": "Kunde", "order_date": "Datum", "amount": "Betrag (€)"},
        len(orders), 0, kpis, dates,
        traps="German month names (März); 'Betrag (€)'; Windows-1252 (€ as 0x80); ';'",
        data=csv_bytes(rows, delimiter=";", encoding="cp1252"),
    )  # fmt: skip


@case
def month_names_pl(rng: np.random.Generator) -> Case:
    rows, orders = month_name_sheet(rng, "pl")
    kpis, dates = order_kpis(orders)
    return Case(
        None, "Spreadsheet (Polish)", "orders kept in a spreadsheet, dates as '4 marca 2025' "
        "(genitive month names), saved as CSV",
        "(no tool: a spreadsheet's long date format)", "sprzedaz_2025.csv", "orders",
        {"customer_id": "Klient", "order_date": "Data", "amount": "Kwota (zł)"},
        len(orders), 0, kpis, dates,
        traps="Polish genitive month names (marca, września); 'Kwota (zł)'; ';'",
        data=csv_bytes(rows, delimiter=";"),
    )  # fmt: skip


@case
def ankieta_nps_xlsx(rng: np.random.Generator) -> Case:
    header = ["Data wypełnienia", "Ocena", "Komentarz", "Klient"]
    times = moments(rng, 120)
    scores = nps_scores(rng, len(times))
    rows: list[list[Any]] = [header]
    for k, (t, sc) in enumerate(zip(times, scores, strict=True)):
        rows.append([t.strftime("%d.%m.%Y %H:%M"), sc, "Szybko i miło" if sc > 8 else "",
                     f"K{2000 + k % 70}"])  # fmt: skip
    return Case(
        None, "Polish NPS survey workbook", "Ankieta NPS.xlsx: a survey tool's answers pasted "
        "into a workbook, sheet 'Ankieta NPS', dates as text",
        "(no tool: the issue's sheet-name example)", "Ankieta NPS.xlsx", "surveys",
        {"date": "Data wypełnienia", "score": "Ocena"},
        len(times), 0, {"nps": nps(scores)}, (day(times[0]), day(times[-1])),
        traps="Polish headers ('Ocena' = score); the sheet and file name say NPS; a customer "
        "code beside the score",
        data=xlsx_bytes({"Ankieta NPS": rows}),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# CRMs: leads and deals (lead_conversion_rate = won / all)


def lead_case_dates(created: list[dt.datetime]) -> tuple[str, str]:
    return day(min(created)), day(max(created))


@case
def hubspot_contacts(rng: np.random.Generator) -> Case:
    header = [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Contact owner",
        "Lifecycle Stage",
        "Lead Status",
        "Create Date",
        "Became a Customer Date",
        "Original Source",
        "Last Activity Date",
        "Associated Company",
    ]
    who = people(rng, 120)
    created = moments(rng, 120, days=300)
    rows: list[list[Any]] = [header]
    won = 0
    sources = ["Organic Search", "Paid Search", "Direct Traffic", "Referrals", "Offline Sources"]
    for k, (p, t) in enumerate(zip(who, created, strict=True)):
        customer = rng.random() < 0.27
        won += customer
        became = (t + dt.timedelta(days=int(rng.integers(2, 40)), hours=2)) if customer else None
        first, last = p.name.split(" ")
        rows.append(
            [
                51_000 + k * 3,
                first,
                last,
                p.email,
                f"+44 7700 9{k:05d}",
                "Sam Carter",
                "Customer"
                if customer
                else ["Lead", "Marketing Qualified Lead", "Opportunity"][k % 3],
                "" if customer else ["New", "Open", "In Progress"][k % 3],
                t.strftime("%Y-%m-%d %H:%M"),
                became.strftime("%Y-%m-%d %H:%M") if became else "",
                sources[k % len(sources)],
                (t + dt.timedelta(days=45)).strftime("%Y-%m-%d %H:%M"),
                "",
            ]
        )
    return Case(
        "hubspot_contacts",
        "HubSpot",
        "Contacts > Export (all properties trimmed to the view)",
        "https://knowledge.hubspot.com/articles/kcs_article/contacts/how-do-i-import-contacts",
        "hubspot-crm-exports-all-contacts-2025-12-01.csv",
        "leads",
        {
            "lead_id": "Record ID",
            "created_date": "Create Date",
            "converted_date": "Became a Customer Date",
            "source": "Original Source",
        },
        len(who),
        0,
        {"lead_conversion_rate": won / len(who)},
        lead_case_dates(created),
        traps="'Record ID'; 'Became a Customer Date' blank for open leads; always-filled "
        "'Last Activity Date'; Email beside the record id",
        data=csv_bytes(rows),
    )


@case
def hubspot_deals(rng: np.random.Generator) -> Case:
    header = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Deal owner", "Amount",
              "Create Date", "Pipeline", "Last Activity Date", "Associated Company"]  # fmt: skip
    stages = ["Appointment scheduled", "Qualified to buy", "Presentation scheduled",
              "Contract sent", "Closed won", "Closed lost"]  # fmt: skip
    who = people(rng, 95)
    created = moments(rng, 95, days=280)
    rows: list[list[Any]] = [header]
    won = 0
    for k, (p, t) in enumerate(zip(who, created, strict=True)):
        stage = stages[int(rng.choice(6, p=[0.1, 0.1, 0.1, 0.15, 0.3, 0.25]))]
        won += stage == "Closed won"
        close = t + dt.timedelta(days=int(rng.integers(5, 75)), hours=2)
        rows.append([9_800_000_000 + k * 13, f"{p.name.split()[1]} - annual service",
                     stage, close.strftime("%Y-%m-%d %H:%M"), "Sam Carter",
                     money(cents(rng, 400, 12000)), t.strftime("%Y-%m-%d %H:%M"),
                     "Sales Pipeline", (t + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
                     f"{p.name.split()[1]} Ltd"])  # fmt: skip
    return Case(
        "hubspot_deals", "HubSpot", "Deals > Export view (CSV)",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "hubspot-crm-exports-all-deals-2025-12-01.csv", "leads",
        {"lead_id": "Record ID", "created_date": "Create Date"},
        len(who), 0, {"lead_conversion_rate": won / len(who)}, lead_case_dates(created),
        traps="'Close Date' filled on every deal (the expected date on open ones): a "
        "conversion only in stage 'Closed won'; 'Amount' is not an order amount",
        data=csv_bytes(rows),
    )  # fmt: skip


@case
def pipedrive_deals(rng: np.random.Generator) -> Case:
    header = [
        "Deal - ID",
        "Deal - Title",
        "Deal - Value",
        "Deal - Currency",
        "Deal - Organization",
        "Deal - Contact person",
        "Deal - Owner",
        "Deal - Status",
        "Deal - Pipeline",
        "Deal - Stage",
        "Deal - Deal created",
        "Deal - Expected close date",
        "Deal - Won time",
        "Deal - Lost time",
        "Deal - Lost reason",
        "Deal - Source",
    ]
    who = people(rng, 90)
    created = moments(rng, 90, days=280)
    rows: list[list[Any]] = [header]
    won = 0
    for k, (p, t) in enumerate(zip(who, created, strict=True)):
        status = ["won", "lost", "open"][int(rng.choice(3, p=[0.3, 0.3, 0.4]))]
        won += status == "won"
        close = t + dt.timedelta(days=int(rng.integers(5, 60)), hours=1)
        rows.append(
            [
                k + 1,
                f"{p.name} - cleaning contract",
                money(cents(rng, 300, 9000)),
                "EUR",
                f"{p.name.split()[1]} GmbH",
                p.name,
                "Lea Vogel",
                status,
                "Sales",
                {"won": "Contract signed", "lost": "Proposal sent", "open": "Qualified"}[status],
                t.strftime("%Y-%m-%d %H:%M:%S"),
                day(close),  # expected close date on every deal
                close.strftime("%Y-%m-%d %H:%M:%S") if status == "won" else "",
                close.strftime("%Y-%m-%d %H:%M:%S") if status == "lost" else "",
                "Price" if status == "lost" else "",
                ["Web", "Referral", "Cold call"][k % 3],
            ]
        )
    return Case(
        "pipedrive_deals",
        "Pipedrive",
        "Deals list view > Export filter results (CSV)",
        CHECKED_IN_CODE,
        "deals-2025-12-01.csv",
        "leads",
        {
            "lead_id": "Deal - ID",
            "created_date": "Deal - Deal created",
            "converted_date": "Deal - Won time",
        },
        len(who),
        0,
        {"lead_conversion_rate": won / len(who)},
        lead_case_dates(created),
        traps="'Expected close date' filled on every deal (not a conversion); 'Deal - Value' is "
        "not an order amount; 'Lost time' beside 'Won time'",
        data=csv_bytes(rows),
    )


@case
def salesforce_opportunities(rng: np.random.Generator) -> Case:
    header = [
        "Opportunity Owner",
        "Account Name",
        "Opportunity Name",
        "Type",
        "Lead Source",
        "Amount",
        "Expected Revenue",
        "Probability (%)",
        "Stage",
        "Fiscal Period",
        "Age",
        "Close Date",
        "Created Date",
        "Next Step",
        "Won",
        "Closed",
    ]
    who = people(rng, 85)
    created = moments(rng, 85, days=280)
    rows: list[list[Any]] = [header]
    won = 0
    for k, (p, t) in enumerate(zip(who, created, strict=True)):
        stage = ["Closed Won", "Closed Lost", "Proposal/Price Quote", "Prospecting"][
            int(rng.choice(4, p=[0.25, 0.25, 0.3, 0.2]))
        ]
        is_won = stage == "Closed Won"
        won += is_won
        closed = stage.startswith("Closed")
        amount = cents(rng, 1000, 50000)
        prob = {"Closed Won": 100, "Closed Lost": 0, "Proposal/Price Quote": 75, "Prospecting": 10}[
            stage
        ]
        close = t + dt.timedelta(days=int(rng.integers(7, 90)))
        rows.append(
            [
                "Jordan Reyes",
                f"{p.name.split()[1]} Holdings",
                f"{p.name} - Service plan",
                "New Customer",
                ["Web", "Partner Referral", "Trade Show"][k % 3],
                money(amount, thou=","),
                money(amount * prob // 100, thou=","),
                prob,
                stage,
                f"Q{(close.month - 1) // 3 + 1}-2025",
                (close - t).days,
                close.strftime("%m/%d/%Y"),
                t.strftime("%m/%d/%Y"),
                "",
                int(is_won),
                int(closed),
            ]
        )
    footer = [
        [],
        ["Confidential Information - Do Not Distribute"],
        ["Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."],
    ]
    return Case(
        "salesforce_opportunities",
        "Salesforce",
        "Opportunities report, Export > Details Only (.csv)",
        "https://support.code42.com/Incydr/Admin/Code42_console_reference/"
        "Code42_predicts_filenames_for_Salesforce_report_downloads",
        "report1733043600000.csv",
        "leads",
        {"lead_id": "Opportunity Name", "created_date": "Created Date"},
        len(who),
        0,
        {"lead_conversion_rate": won / len(who)},
        lead_case_dates(created),
        summary_rows=2,
        traps="an opportunities report, not orders ('Amount'); 'Close Date' is the expected "
        "date on open deals, a conversion only where Stage is 'Closed Won' (Won = 1); footer "
        "lines; every cell quoted; US dates",
        data=csv_bytes(rows + footer, quoting=csv.QUOTE_ALL),
    )


@case
def zoho_deals(rng: np.random.Generator) -> Case:
    header = [
        "Record Id",
        "Deal Owner",
        "Deal Name",
        "Amount",
        "Stage",
        "Closing Date",
        "Account Name",
        "Contact Name",
        "Lead Source",
        "Probability (%)",
        "Expected Revenue",
        "Created Time",
        "Modified Time",
        "Type",
    ]
    who = people(rng, 75)
    created = moments(rng, 75, days=280)
    rows: list[list[Any]] = [header]
    won = 0
    for k, (p, t) in enumerate(zip(who, created, strict=True)):
        stage = ["Closed Won", "Closed Lost", "Negotiation/Review", "Qualification"][
            int(rng.choice(4, p=[0.3, 0.2, 0.3, 0.2]))
        ]
        won += stage == "Closed Won"
        close = t + dt.timedelta(days=int(rng.integers(7, 90)))
        amount = cents(rng, 500, 20000)
        prob = {"Closed Won": 100, "Closed Lost": 0, "Negotiation/Review": 90, "Qualification": 10}[
            stage
        ]
        rows.append(
            [
                f"zcrm_5890{k:012d}",
                "Priya Nair",
                f"{p.name} maintenance",
                money(amount),
                stage,
                close.strftime("%Y-%m-%d"),
                f"{p.name.split()[1]} Ltd",
                p.name,
                ["Web Download", "Seminar Partner", "Employee Referral"][k % 3],
                prob,
                money(amount * prob // 100),
                t.strftime("%Y-%m-%d %H:%M:%S"),
                (close + dt.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S"),
                "New Business",
            ]
        )
    return Case(
        "zoho_deals",
        "Zoho CRM",
        "Deals > Export (CSV)",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "Deals_2025_12_01.csv",
        "leads",
        {"lead_id": "Record Id", "created_date": "Created Time"},
        len(who),
        0,
        {"lead_conversion_rate": won / len(who)},
        lead_case_dates(created),
        traps="'Closing Date' on every deal, a conversion only in Stage 'Closed Won'; 'Amount' and "
        "'Expected Revenue' are not order amounts; 'Modified Time' beside 'Created Time'",
        data=csv_bytes(rows),
    )


@case
def bitrix24_deals(rng: np.random.Generator) -> Case:
    header = [
        "ID",
        "Название сделки",
        "Стадия сделки",
        "Сумма",
        "Валюта",
        "Дата создания",
        "Предполагаемая дата закрытия",
        "Компания",
        "Контакт",
        "Ответственный",
        "Источник",
        "Сделка закрыта",
        "Дата изменения",
    ]
    created = moments(rng, 80, days=280)
    rows: list[list[Any]] = [header]
    won = 0
    for k, t in enumerate(created):
        stage = ["Сделка успешна", "Сделка провалена", "Подготовка документов", "Новая"][
            int(rng.choice(4, p=[0.3, 0.25, 0.25, 0.2]))
        ]
        won += stage == "Сделка успешна"
        close = t + dt.timedelta(days=int(rng.integers(5, 60)))
        who = RU_NAMES[k % len(RU_NAMES)]
        rows.append(
            [
                1200 + k,
                f"Сделка #{1200 + k}",
                stage,
                money(cents(rng, 5000, 300000), ",", " "),
                "Российский рубль",
                t.strftime("%d.%m.%Y %H:%M:%S"),
                close.strftime("%d.%m.%Y"),
                who,
                "",
                "Елена Смирнова",
                ["Звонок", "Веб-сайт", "Рекомендация"][k % 3],
                "Да" if stage.startswith("Сделка") else "Нет",
                (close + dt.timedelta(hours=2)).strftime("%d.%m.%Y %H:%M:%S"),
            ]
        )
    return Case(
        "bitrix24_deals",
        "Bitrix24",
        "CRM > Сделки > Экспорт в CSV",
        CHECKED_IN_CODE,
        "deal_export.csv",
        "leads",
        {"lead_id": "ID", "created_date": "Дата создания"},
        len(created),
        0,
        {"lead_conversion_rate": won / len(created)},
        lead_case_dates(created),
        traps="'ID'; 'Сумма' of deals (not orders); 'Предполагаемая дата закрытия' (expected "
        "close) on every deal, a conversion only in stage 'Сделка успешна'; ';' and UTF-8 BOM",
        data=csv_bytes(rows, delimiter=";", encoding="utf-8-sig"),
    )


# --------------------------------------------------------------------------------------------
# Help desks (hours are elapsed hours; medians over the tickets that got there)


def utc_of(local: dt.datetime) -> dt.datetime:
    """UTC of a Central European local time (see cet_offset)."""
    return local - dt.timedelta(hours=2 if cet_offset(local) == "+0200" else 1)


def ticket_stream(rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
    """Tickets with created time, minutes to first reply and to resolution (None: not yet)."""
    out = []
    for t in moments(rng, n, days=300):
        replied = rng.random() < 0.92
        # whole multiples of 3 minutes: exact in hours to two decimals (3 min = 0.05 h)
        first = 3 * int(rng.integers(2, 600)) if replied else None
        solved = replied and rng.random() < 0.85
        full = first + 3 * int(rng.integers(10, 1700)) if solved and first is not None else None
        out.append({"created": t, "first": first, "full": full})
    return out


def ticket_kpis(tickets: list[dict[str, Any]]) -> dict[str, float]:
    return {
        "first_response_hours_median": median_hours(
            [t["first"] for t in tickets if t["first"] is not None]
        ),
        "resolution_hours_median": median_hours(
            [t["full"] for t in tickets if t["full"] is not None]
        ),
    }


def ticket_dates(tickets: list[dict[str, Any]]) -> tuple[str, str]:
    return day(tickets[0]["created"]), day(tickets[-1]["created"])


@case
def zendesk_tickets(rng: np.random.Generator) -> Case:
    header = [
        "Id",
        "Requester",
        "Requester id",
        "Requester external id",
        "Requester email",
        "Requester domain",
        "Submitter",
        "Assignee",
        "Group",
        "Subject",
        "Tags",
        "Status",
        "Priority",
        "Via",
        "Ticket type",
        "Created at",
        "Updated at",
        "Assigned at",
        "Organization",
        "Due date",
        "Initially assigned at",
        "Solved at",
        "Resolution time",
        "Satisfaction Score",
        "Group stations",
        "Assignee stations",
        "Reopens",
        "Replies",
        "First reply time in minutes",
        "First reply time in minutes within business hours",
        "First resolution time in minutes",
        "First resolution time in minutes within business hours",
        "Full resolution time in minutes",
        "Full resolution time in minutes within business hours",
        "Agent wait time in minutes",
        "Agent wait time in minutes within business hours",
        "Requester wait time in minutes",
        "Requester wait time in minutes within business hours",
        "On hold time in minutes",
        "On hold time in minutes within business hours",
    ]
    col = {h: i for i, h in enumerate(header)}
    tickets = ticket_stream(rng, 120)
    requesters = people(rng, 60)

    def stamp(local: dt.datetime) -> str:
        return local.strftime("%Y-%m-%d %H:%M:%S ") + cet_offset(local)

    rows: list[list[Any]] = [header]
    for k, t in enumerate(tickets):
        who = requesters[int(rng.integers(len(requesters)))]
        row: list[Any] = [""] * len(header)
        created = t["created"]
        row[col["Id"]] = 30001 + k
        row[col["Requester"]] = who.name
        row[col["Requester id"]] = 3_600_000_000 + int(who.key[1:])
        row[col["Requester email"]] = who.email
        row[col["Requester domain"]] = "example.com"
        row[col["Submitter"]] = who.name
        row[col["Assignee"]] = ["Kim Park", "Ola Berg", "Raj Mehta"][k % 3]
        row[col["Group"]] = "Support"
        row[col["Subject"]] = ["Invoice question", "Booking change", "Late technician"][k % 3]
        row[col["Tags"]] = "billing" if k % 3 == 0 else "scheduling"
        row[col["Status"]] = "Solved" if t["full"] is not None else "Open"
        row[col["Priority"]] = "Normal"
        row[col["Via"]] = "Mail"
        row[col["Ticket type"]] = "Question" if k % 4 else "Problem"
        row[col["Created at"]] = stamp(created)
        row[col["Assigned at"]] = stamp(created + dt.timedelta(minutes=2))
        row[col["Initially assigned at"]] = stamp(created + dt.timedelta(minutes=2))
        if t["first"] is not None:
            row[col["First reply time in minutes"]] = t["first"]
            row[col["First reply time in minutes within business hours"]] = min(t["first"], 480)
            row[col["Replies"]] = 1 + k % 3
        if t["full"] is not None:
            # local wall time of the solve, written with its own offset (DST may differ)
            solved_utc = utc_of(created) + dt.timedelta(minutes=t["full"])
            solved_local = solved_utc + dt.timedelta(hours=1)
            if cet_offset(solved_local) == "+0200":
                solved_local = solved_utc + dt.timedelta(hours=2)
            row[col["Solved at"]] = stamp(solved_local)
            row[col["Full resolution time in minutes"]] = t["full"]
            row[col["First resolution time in minutes"]] = t["full"]
            row[col["Resolution time"]] = round(t["full"] / 60)
        row[col["Updated at"]] = row[col["Solved at"]] or stamp(created + dt.timedelta(days=1))
        row[col["Reopens"]] = 0
        # CSAT of the ticket as Zendesk writes it: words, not a score on a scale
        if t["full"] is not None:
            row[col["Satisfaction Score"]] = ["Offered", "Good", "Unoffered", "Bad"][k % 4]
        else:
            row[col["Satisfaction Score"]] = "Unoffered"
        row[col["Group stations"]] = 1
        row[col["Assignee stations"]] = 1
        rows.append(row)
    return Case(
        "zendesk_tickets",
        "Zendesk",
        "Views > Export as CSV (ticket view export)",
        "https://support.zendesk.com/hc/en-us/articles/4408886165402",
        "export-2025-12-01-0900-30001-15000000.csv",
        "tickets",
        {"ticket_id": "Id", "created_at": "Created at"},
        len(tickets),
        0,
        ticket_kpis(tickets),
        ticket_dates(tickets),
        traps="'Id'; first reply as a duration ('First reply time in minutes'); always-empty "
        "'Due date'; +0100/+0200 offsets across daylight saving; many '... in minutes' columns; "
        "'Satisfaction Score' as words (Good, Bad, Offered): a tickets table, not a survey",
        data=csv_bytes(rows),
    )


@case
def freshdesk_tickets(rng: np.random.Generator) -> Case:
    header = [
        "Ticket ID",
        "Subject",
        "Status",
        "Priority",
        "Source",
        "Type",
        "Agent",
        "Group",
        "Created time",
        "Due by Time",
        "Resolved time",
        "Closed time",
        "Last update time",
        "Initial response time",
        "Time tracked",
        "First response time (in hrs)",
        "Resolution time (in hrs)",
        "Agent interactions",
        "Customer interactions",
        "Resolution status",
        "First response status",
        "Tags",
        "Survey results",
        "Full name",
        "Contact ID",
    ]
    tickets = ticket_stream(rng, 110)
    contacts = people(rng, 50)
    rows: list[list[Any]] = [header]

    def hms(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}:00"

    for k, t in enumerate(tickets):
        who = contacts[int(rng.integers(len(contacts)))]
        created = t["created"]
        solved = created + dt.timedelta(minutes=t["full"]) if t["full"] is not None else None
        rows.append(
            [
                k + 1,
                ["Refund request", "Where is my technician", "Change address"][k % 3],
                "Resolved" if solved else "Open",
                "Medium",
                "Email",
                "Question",
                "Ana Silva",
                "Customer Care",
                created.strftime("%Y-%m-%d %H:%M:%S"),
                (created + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S"),
                solved.strftime("%Y-%m-%d %H:%M:%S") if solved else "",
                solved.strftime("%Y-%m-%d %H:%M:%S") if solved else "",
                (solved or created + dt.timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S"),
                hms(t["first"]) if t["first"] is not None else "",
                "00:00:00",
                f"{t['first'] / 60:.2f}" if t["first"] is not None else "",
                f"{t['full'] / 60:.2f}" if t["full"] is not None else "",
                1 + k % 4,
                1 + k % 3,
                "Within SLA" if solved else "",
                "Within SLA",
                "",
                "",
                who.name,
                4_000_000 + k % 50,
            ]
        )
    # the file's hours are rounded to 2 decimals and the durations to whole minutes: the
    # medians below are of the whole minutes, which both columns carry exactly or to 0.01 h
    return Case(
        "freshdesk_tickets",
        "Freshdesk",
        "Tickets > Export (CSV, all fields)",
        "https://schemas.apis.io/schemas/freshdesk/freshdesk-ticket/",
        "tickets-01-12-2025.csv",
        "tickets",
        {
            "ticket_id": "Ticket ID",
            "created_at": "Created time",
            "resolved_at": ["Resolved time", "Closed time"],
        },
        len(tickets),
        0,
        ticket_kpis(tickets),
        ticket_dates(tickets),
        traps="durations 'Initial response time' (hh:mm:ss) and 'First response time (in hrs)' "
        "instead of a reply timestamp; 'Due by Time' and 'Last update time' beside the "
        "created time",
        data=csv_bytes(rows),
    )


@case
def helpscout_conversations(rng: np.random.Generator) -> Case:
    header = [
        "Conversation ID",
        "Conversation Number",
        "Mailbox",
        "Status",
        "Subject",
        "Customer Name",
        "Customer Email",
        "Assigned To",
        "Tags",
        "Type",
        "Created At",
        "First Response At",
        "Closed At",
        "Last Customer Reply At",
        "Threads",
    ]
    tickets = ticket_stream(rng, 100)
    customers = people(rng, 55)
    rows: list[list[Any]] = [header]

    def z(t: dt.datetime) -> str:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")

    for k, t in enumerate(tickets):
        who = customers[int(rng.integers(len(customers)))]
        created = t["created"]
        first = created + dt.timedelta(minutes=t["first"]) if t["first"] is not None else None
        closed = created + dt.timedelta(minutes=t["full"]) if t["full"] is not None else None
        rows.append(
            [
                2_700_000_000 + k * 17,
                18_000 + k,
                "Support",
                "closed" if closed else "active",
                "Question about my plan",
                who.name,
                who.email,
                "Mia Chen",
                "",
                "email",
                z(created),
                z(first) if first else "",
                z(closed) if closed else "",
                z(created + dt.timedelta(minutes=1)),
                2 + k % 4,
            ]
        )
    return Case(
        "helpscout_conversations",
        "Help Scout",
        "Reports > Conversations > Export (CSV)",
        "https://www.cstar.help/support/import-export/migrating-from-help-scout",
        "helpscout-conversations-2025.csv",
        "tickets",
        {
            "ticket_id": ["Conversation ID", "Conversation Number"],
            "created_at": "Created At",
            "first_response_at": "First Response At",
            "resolved_at": "Closed At",
        },
        len(tickets),
        0,
        ticket_kpis(tickets),
        ticket_dates(tickets),
        traps="'Z'-suffixed ISO timestamps; 'Last Customer Reply At' beside the created time",
        data=csv_bytes(rows, newline="\n"),
    )


@case
def romanian_tickets(rng: np.random.Generator) -> Case:
    header = ["Nr. tichet", "Subiect", "Client", "Creat la", "Primul răspuns", "Rezolvat la",
              "Stare", "Agent", "Prioritate"]  # fmt: skip
    tickets = ticket_stream(rng, 90)
    rows: list[list[Any]] = [header]

    def ro(t: dt.datetime | None) -> str:
        return t.strftime("%d.%m.%Y %H:%M") if t else ""

    for k, t in enumerate(tickets):
        created = t["created"].replace(second=0)
        first = created + dt.timedelta(minutes=t["first"]) if t["first"] is not None else None
        done = created + dt.timedelta(minutes=t["full"]) if t["full"] is not None else None
        rows.append([f"T-{5000 + k}", ["Factură greșită", "Programare", "Reclamație"][k % 3],
                     RO_NAMES[k % len(RO_NAMES)], ro(created), ro(first), ro(done),
                     "Rezolvat" if done else "Deschis", ["Ioana", "Mihai"][k % 2],
                     ["Normală", "Ridicată"][k % 2]])  # fmt: skip
    return Case(
        None, "Romanian help desk export", "a help desk's ticket list exported in Romanian",
        "(no tool: the issue's 'Primul răspuns' example)", "tichete_2025.csv", "tickets",
        {"ticket_id": "Nr. tichet", "created_at": "Creat la", "first_response_at": "Primul "
         "răspuns", "resolved_at": "Rezolvat la"},
        len(tickets), 0, ticket_kpis(tickets), ticket_dates(tickets),
        traps="natural Romanian headers ('Primul răspuns', 'Rezolvat la', 'Creat la'); "
        "day-first dates; ';'",
        data=csv_bytes(rows, delimiter=";", encoding="utf-8-sig"),
    )  # fmt: skip


@case
def intercom_conversations(rng: np.random.Generator) -> Case:
    header = [
        "Conversation ID",
        "Conversation started at",
        "Conversation state",
        "Channel",
        "Teammate assigned",
        "Team assigned",
        "Conversation last closed at",
        "First response time (seconds)",
        "Time to first close (seconds)",
        "Conversation rating",
        "User email",
        "User name",
    ]
    tickets = ticket_stream(rng, 100)
    users = people(rng, 60)
    rows: list[list[Any]] = [header]
    for k, t in enumerate(tickets):
        who = users[int(rng.integers(len(users)))]
        created = t["created"]
        closed = created + dt.timedelta(minutes=t["full"]) if t["full"] is not None else None
        rows.append(
            [
                str(1_000_000_000 + k * 131),
                created.strftime("%Y-%m-%d %H:%M:%S"),
                "closed" if closed else "open",
                "Chat",
                "Leo Grant",
                "Support",
                closed.strftime("%Y-%m-%d %H:%M:%S") if closed else "",
                t["first"] * 60 if t["first"] is not None else "",
                t["full"] * 60 if t["full"] is not None else "",
                ["", "5", "4"][k % 3],
                who.email,
                who.name,
            ]
        )
    return Case(
        "intercom_conversations",
        "Intercom",
        "Reports > Conversations dataset > Export CSV",
        "https://www.intercom.com/help/en/articles/6762778-reporting-metrics-for-rest-api-and-csv-exports",
        "conversations_2025.csv",
        "tickets",
        {
            "ticket_id": "Conversation ID",
            "created_at": "Conversation started at",
            "resolved_at": "Conversation last closed at",
        },
        len(tickets),
        0,
        ticket_kpis(tickets),
        ticket_dates(tickets),
        traps="first response as a duration in seconds; 'Conversation rating' (a score) beside "
        "the times: a tickets table, not a survey",
        data=csv_bytes(rows),
    )


# --------------------------------------------------------------------------------------------
# Surveys


def nps_scores(rng: np.random.Generator, n: int) -> list[int]:
    return [
        int(x)
        for x in rng.choice(
            11, n, p=[0.03, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06, 0.12, 0.18, 0.22, 0.23]
        )
    ]


@case
def delighted_responses(rng: np.random.Generator) -> Case:
    header = [
        "Response ID",
        "Score",
        "Comment",
        "Response Timestamp",
        "Updated Timestamp",
        "Person ID",
        "Name",
        "Email",
        "Delighted Source",
        "Tags",
        "Notes",
        "Plan",
        "Region",
    ]
    times = moments(rng, 140)
    scores = nps_scores(rng, len(times))
    folks = people(rng, 140)
    rows: list[list[Any]] = [header]
    for k, (t, s, p) in enumerate(zip(times, scores, folks, strict=True)):
        rows.append(
            [
                81_000 + k,
                s,
                ("Quick and friendly.\nWill book again" if k % 3 == 0 else "Quick and friendly")
                if s >= 9
                else ("" if k % 2 else "Too slow"),
                (t - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
                (t - dt.timedelta(minutes=59)).strftime("%Y-%m-%d %H:%M:%S"),
                12_000 + k,
                p.name,
                p.email,
                "Email",
                "",
                "",
                ["Basic", "Plus"][k % 2],
                ["North", "South"][k % 2],
            ]
        )
    utc = [t - dt.timedelta(hours=1) for t in times]
    return Case(
        "delighted_responses",
        "Delighted",
        "Responses > Download CSV (NPS survey)",
        "https://schemas.apis.io/schemas/delighted/survey-response/",
        "delighted-data_2025-12-01.csv",
        "surveys",
        {"date": "Response Timestamp", "score": "Score"},
        len(times),
        0,
        {"nps": nps(scores)},
        (day(utc[0]), day(utc[-1])),
        traps="'Updated Timestamp' beside the response time; 'Person ID' and 'Email' beside the "
        "score; 'Plan' and 'Region' attributes; comments with line breaks inside quotes",
        data=csv_bytes(rows),
    )


@case
def surveymonkey_responses(rng: np.random.Generator) -> Case:
    q = "How likely is it that you would recommend Sparkle Home Services to a friend or colleague?"
    header1 = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
        q,
        "What is the primary reason for your score?",
    ]
    header2 = ["", "", "", "", "", "", "", "", "", "Response", "Open-Ended Response"]
    times = moments(rng, 130)
    scores = nps_scores(rng, len(times))
    folks = people(rng, 130)
    rows: list[list[Any]] = [header1, header2]
    for k, (t, s, p) in enumerate(zip(times, scores, folks, strict=True)):
        start = t - dt.timedelta(minutes=3, seconds=k % 50)
        first, last = p.name.split(" ")
        rows.append(
            [
                114_000_000_000 + k * 97,
                431_000_000,
                start.strftime("%m/%d/%Y %I:%M:%S %p"),
                t.strftime("%m/%d/%Y %I:%M:%S %p"),
                f"203.0.113.{k % 250}",
                p.email,
                first,
                last,
                "",
                s,
                "Friendly staff" if s > 8 else "Price",
            ]
        )
    return Case(
        "surveymonkey_responses",
        "SurveyMonkey",
        "Analyze Results > Save as > All individual responses > CSV (expanded columns)",
        CHECKED_IN_CODE,
        "Sheet_1.csv",
        "surveys",
        {"date": ["End Date", "Start Date"], "score": q},
        len(times),
        0,
        {"nps": nps(scores)},
        (day(times[0]), day(times[-1])),
        traps="two header rows (question text, then 'Response'); 'Start Date' and 'End Date' "
        "(not an employees table); US 12-hour times; the score header is the question",
        data=csv_bytes(rows),
    )


@case
def typeform_responses(rng: np.random.Generator) -> Case:
    q = "How satisfied were you with your last visit?"
    header = [
        "#",
        q,
        "What could we do better?",
        "Start Date (UTC)",
        "Submit Date (UTC)",
        "Network ID",
        "Tags",
        "Response Type",
    ]
    times = moments(rng, 110)
    scores = [int(x) for x in rng.choice(5, len(times), p=[0.05, 0.08, 0.17, 0.35, 0.35]) + 1]
    rows: list[list[Any]] = [header]
    for k, (t, s) in enumerate(zip(times, scores, strict=True)):
        rows.append(
            [
                f"{zlib.crc32(f'tf{k}'.encode()):08x}{k:04d}",
                s,
                "" if s > 3 else "Be on time",
                (t - dt.timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M:%S"),
                t.strftime("%Y-%m-%d %H:%M:%S"),
                f"{zlib.crc32(str(k).encode()):08x}",
                "",
                "completed",
            ]
        )
    return Case(
        "typeform_responses",
        "Typeform",
        "Results > Responses > Download all responses (CSV)",
        "https://www.typeform.com/developers/responses/reference/retrieve-responses/",
        "responses.csv",
        "surveys",
        {"date": ["Submit Date (UTC)", "Start Date (UTC)"], "score": q},
        len(times),
        0,
        {"csat_mean": sum(scores) / len(scores)},
        (day(times[0]), day(times[-1])),
        traps="'#' as the response id; a 1-5 rating whose header is the question (CSAT, not NPS); "
        "'Response Type' (completed/partial) is not the survey type",
        # the export names the question, not the rating's range: the user gives the scale
        answers={"csat_scale_max": 5},
        data=csv_bytes(rows),
    )


@case
def google_forms_responses(rng: np.random.Generator) -> Case:
    q = "How likely are you to recommend us to a friend or colleague?"
    header = ["Timestamp", "Email Address", q, "Anything else you would like to tell us?"]
    times = moments(rng, 90)
    scores = nps_scores(rng, len(times))
    folks = people(rng, 90)
    rows: list[list[Any]] = [header]
    for t, s, p in zip(times, scores, folks, strict=True):
        rows.append([f"{t.day:02d}/{t.month:02d}/{t.year} {t:%H:%M:%S}", p.email, s, ""])
    return Case(
        "google_forms_responses",
        "Google Forms",
        "Responses > Download responses (.csv), form owned by an en-GB account",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "Customer feedback (Responses) - Form responses 1.csv",
        "surveys",
        {"date": "Timestamp", "score": q},
        len(times),
        0,
        {"nps": nps(scores)},
        (day(times[0]), day(times[-1])),
        traps="'Timestamp'; the score header is question text with 'recommend'; day-first "
        "dates (en-GB); an email beside the score",
        data=csv_bytes(rows),
    )


# --------------------------------------------------------------------------------------------
# Ads (spend)


@case
def google_ads_campaigns(rng: np.random.Generator) -> Case:
    header = [
        "Day",
        "Campaign",
        "Campaign status",
        "Currency code",
        "Clicks",
        "Impr.",
        "CTR",
        "Avg. CPC",
        "Cost",
        "Conversions",
        "Cost / conv.",
    ]
    campaigns = ["Search - Cleaning", "Search - Brand", "PMax - Local"]
    rows: list[list[Any]] = [["Campaign report"], ["1 March 2025 - 30 April 2025"], header]
    total = 0
    days = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(61)]
    n = 0
    for d in days:
        for c in campaigns:
            if rng.random() < 0.2:
                continue
            cost = cents(rng, 5, 120)
            clicks = int(rng.integers(3, 90))
            impr = clicks * int(rng.integers(8, 40))
            conv = round(float(rng.random() * 4), 2)
            rows.append(
                [
                    d.isoformat(),
                    c,
                    "Enabled",
                    "EUR",
                    clicks,
                    f"{impr:,}",
                    f"{100 * clicks / impr:.2f}%",
                    money(cost // clicks),
                    money(cost, thou=","),
                    f"{conv:.2f}",
                    money(round(cost / conv)) if conv else " --",
                ]
            )
            total += cost
            n += 1
    rows += [
        ["Total: Account", "", "", "EUR", "", "", "", "", money(total, thou=","), "", ""],
        ["Total: Search", "", "", "EUR", "", "", "", "", "", "", ""],
        ["Total: Performance Max", "", "", "EUR", "", "", "", "", "", "", ""],
    ]
    return Case(
        "google_ads_campaigns",
        "Google Ads",
        "Reports > Predefined > Time > Day, by campaign; Download > .csv",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "Campaign report.csv",
        "spend",
        {"date": "Day", "amount": "Cost", "channel": "Campaign"},
        n,
        0,
        {},
        (days[0].isoformat(), days[-1].isoformat()),
        summary_rows=3,
        spend_total=total / 100,
        traps="two title rows; 'Total: ...' rows at the bottom; Cost beside 'Avg. CPC' and "
        "'Cost / conv.' (' --' where there is no conversion); an ad-spend report, not orders",
        data=csv_bytes(rows, encoding="utf-8-sig"),
    )


@case
def google_ads_campaigns_excel(rng: np.random.Generator) -> Case:
    plain = google_ads_campaigns(rng)
    rows = list(csv.reader(io.StringIO(plain.data.decode("utf-8-sig"))))
    return dataclasses.replace(
        plain,
        imitates="the same report downloaded as 'Excel .csv': UTF-16 with a BOM, tab-separated",
        file="Campaign report (Excel).csv",
        traps=plain.traps + "; UTF-16LE, tabs",
        data=csv_bytes(rows, delimiter="\t", encoding="utf-16"),
    )


@case
def meta_ads_campaigns(rng: np.random.Generator) -> Case:
    header = [
        "Reporting starts",
        "Reporting ends",
        "Day",
        "Campaign name",
        "Campaign delivery",
        "Ad set budget",
        "Ad set budget type",
        "Amount spent (EUR)",
        "Results",
        "Result indicator",
        "Reach",
        "Impressions",
        "Cost per results",
        "Ends",
        "Starts",
    ]
    campaigns = ["Spring cleaning leads", "Retargeting 30d"]
    rows: list[list[Any]] = [header]
    total = 0
    days = [dt.date(2025, 4, 1) + dt.timedelta(days=i) for i in range(75)]
    for d in days:
        for c in campaigns:
            spent = cents(rng, 3, 60)
            results = int(rng.integers(0, 6))
            reach = int(rng.integers(300, 4000))
            rows.append(
                [
                    d.isoformat(),
                    d.isoformat(),
                    d.isoformat(),
                    c,
                    "active",
                    "25",
                    "Daily",
                    money(spent),
                    results or "",
                    "actions:lead",
                    reach,
                    reach + int(rng.integers(10, 900)),
                    money(round(spent / results)) if results else "",
                    "Ongoing",
                    "2025-03-28",
                ]
            )
            total += spent
    return Case(
        "meta_ads_campaigns",
        "Meta Ads Manager",
        "Ads Manager > Reports > Export table data (.csv), breakdown by day",
        CHECKED_IN_CODE,
        "Sparkle-Campaigns-Apr-1-2025-Jun-14-2025.csv",
        "spend",
        {
            "date": ["Day", "Reporting starts"],
            "amount": "Amount spent (EUR)",
            "channel": "Campaign name",
        },
        len(rows) - 1,
        0,
        {},
        (days[0].isoformat(), days[-1].isoformat()),
        spend_total=total / 100,
        traps="'Amount spent (EUR)' (currency in brackets); 'Ad set budget' and 'Cost per "
        "results' beside it; 'Starts'/'Ends' columns",
        data=csv_bytes(rows),
    )


# --------------------------------------------------------------------------------------------
# Field service and booking


@case
def jobber_invoices(rng: np.random.Generator) -> Case:
    header = [
        "Invoice #",
        "Client name",
        "Client email",
        "Lead source",
        "Subject",
        "Issued date",
        "Due date",
        "Marked paid date",
        "Status",
        "Subtotal ($)",
        "Discount ($)",
        "Tax amount ($)",
        "Tip ($)",
        "Total ($)",
        "Balance ($)",
    ]
    clients = people(rng, 30)
    times = moments(rng, 65)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = clients[int(rng.integers(len(clients)))]
        sub = cents(rng, 90, 1500)
        tax = round(sub * 0.13)
        tip = 2000 if k % 5 == 0 else 0
        paid = t + dt.timedelta(days=int(rng.integers(0, 20)))
        rows.append(
            [
                300 + k,
                who.name,
                who.email,
                ["Google", "Referral", "Facebook"][k % 3],
                "For services rendered",
                t.strftime("%b %d, %Y"),
                (t + dt.timedelta(days=15)).strftime("%b %d, %Y"),
                paid.strftime("%b %d, %Y"),
                "Paid",
                money(sub, thou=","),
                "0.00",
                money(tax, thou=","),
                money(tip),
                money(sub + tax + tip, thou=","),
                "0.00",
            ]
        )
        orders.append((who.email, t, sub))
    kpis, dates = order_kpis(orders)
    return Case(
        "jobber_invoices",
        "Jobber",
        "Reports > Invoices > Export (CSV)",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "invoices_report.csv",
        "orders",
        {
            "customer_id": ["Client name", "Client email"],
            "order_date": "Issued date",
            "amount": "Subtotal ($)",
            "order_id": "Invoice #",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="month-name dates ('Mar 04, 2025'); units in brackets ('Total ($)'); "
        "Subtotal/Tax/Tip/Total: revenue net of tax and tips; due and paid dates beside issued",
        data=csv_bytes(rows),
    )


@case
def housecall_pro_jobs(rng: np.random.Generator) -> Case:
    header = [
        "Job #",
        "Customer",
        "Customer email",
        "Job status",
        "Created at",
        "Scheduled start",
        "Completed at",
        "Employees",
        "Lead source",
        "Job tags",
        "Subtotal",
        "Discount",
        "Tax",
        "Tip",
        "Total amount",
        "Amount paid",
        "Outstanding balance",
    ]
    clients = people(rng, 35)
    times = moments(rng, 75)
    rows: list[list[Any]] = [header]
    orders = []
    usd = dict(pre="$", thou=",")
    for k, t in enumerate(times):
        who = clients[int(rng.integers(len(clients)))]
        sub = cents(rng, 120, 2200)
        tax = round(sub * 0.0825)
        tip = 1500 if k % 4 == 1 else 0
        booked = t - dt.timedelta(days=int(rng.integers(1, 12)), hours=3)
        done = t + dt.timedelta(hours=2)
        total = sub + tax + tip
        rows.append(
            [
                5100 + k,
                who.name,
                who.email,
                "Completed",
                booked.strftime("%m/%d/%Y %I:%M %p"),
                t.strftime("%m/%d/%Y %I:%M %p"),
                done.strftime("%m/%d/%Y %I:%M %p"),
                "Carlos Ruiz",
                ["Google", "Yelp", "Nextdoor"][k % 3],
                "HVAC",
                money(sub, **usd),
                "$0.00",
                money(tax, **usd),
                money(tip, **usd),
                money(total, **usd),
                money(total, **usd),
                "$0.00",
            ]
        )
        orders.append((who.email, done, sub))
    kpis, dates = order_kpis(orders)
    return Case(
        "housecall_pro_jobs",
        "Housecall Pro",
        "Jobs > Export to CSV",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "jobs_export.csv",
        "orders",
        {
            "customer_id": ["Customer", "Customer email"],
            "order_date": ["Completed at", "Scheduled start"],
            "amount": "Subtotal",
            "order_id": "Job #",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="Subtotal/Tax/Tip/Total amount/Amount paid: revenue net of tax and tips; 'Created "
        "at' is the booking, not the sale; US 12-hour times; $ amounts",
        data=csv_bytes(rows),
    )


@case
def servicem8_jobs(rng: np.random.Generator) -> Case:
    header = [
        "Job No.",
        "Date",
        "Status",
        "Client",
        "Job Address",
        "Job Description",
        "Total (ex GST)",
        "GST",
        "Total (inc GST)",
        "Invoice Sent",
        "Payment Received",
        "Category",
        "Staff",
    ]
    clients = [
        f"{LAST[i % 16]} Family" if i % 3 else f"{LAST[i % 16]} Plumbing Pty Ltd" for i in range(28)
    ]
    times = moments(rng, 70)
    rows: list[list[Any]] = [header]
    orders = []
    for k, t in enumerate(times):
        who = clients[int(rng.integers(len(clients)))]
        ex = cents(rng, 80, 1800)
        gst = round(ex * 0.1)
        rows.append(
            [
                f"{1400 + k}",
                t.strftime("%d/%m/%Y"),
                "Completed",
                who,
                f"{k + 1} George St, Sydney NSW 2000",
                "Blocked drain",
                money(ex, thou=","),
                money(gst),
                money(ex + gst, thou=","),
                "Yes",
                "Yes",
                "Plumbing",
                "Mick O'Brien",
            ]
        )
        orders.append((who, t, ex))
    kpis, dates = order_kpis(orders)
    return Case(
        "servicem8_jobs",
        "ServiceM8",
        "Jobs > Export (CSV)",
        "not found by the reference search: columns as the tool writes them, to be checked",
        "ServiceM8_Jobs.csv",
        "orders",
        {
            "customer_id": "Client",
            "order_date": "Date",
            "amount": "Total (ex GST)",
            "order_id": "Job No.",
        },
        len(orders),
        0,
        kpis,
        dates,
        traps="'Total (ex GST)' and 'Total (inc GST)': brackets that carry meaning, not a unit; "
        "Australian day-first dates",
        data=csv_bytes(rows),
    )


# --------------------------------------------------------------------------------------------
# CDNOW


def cdnow_line(master: int, sample: int, when: dt.date, cds: int, dollars: int) -> str:
    """One line as the CDNOW files lay it out (see tests/data/CDNOW_sample.txt)."""
    return f" {master:05d} {sample:04d} {when:%Y%m%d} {cds:>2d} {money(dollars):>7s}\r\n"


@case
def cdnow_master(rng: np.random.Generator) -> Case:
    lines = []
    orders = []
    n = 0
    for sample in range(1, 61):
        master = 4 + sample * 37
        first = dt.date(1997, 1, 1) + dt.timedelta(days=int(rng.integers(0, 84)))
        count = 1 + int(rng.poisson(2.5))
        when = first
        for _ in range(count):
            cds = int(rng.integers(1, 6))
            dollars = 0 if rng.random() < 0.02 else cds * cents(rng, 9, 16)
            lines.append(cdnow_line(master, sample, when, cds, dollars))
            orders.append((master, dt.datetime.combine(when, dt.time()), dollars))
            n += 1
            when += dt.timedelta(days=int(rng.integers(1, 120)))
            if when > dt.date(1998, 6, 30):
                break
    kpis, dates = order_kpis(orders)
    return Case(
        "cdnow_master",
        "CDNOW",
        "CDNOW master transaction log (Fader and Hardie): whitespace-aligned, no header, YYYYMMDD",
        "http://www.brucehardie.com/datasets/",
        "CDNOW_master.txt",
        "orders",
        {"customer_id": ["column 1", "column 2"], "order_date": "column 3", "amount": "column 5"},
        len(orders),
        0,
        kpis,
        dates,
        traps="no header; whitespace-aligned columns; compact YYYYMMDD dates; CRLF",
        data="".join(lines).encode("ascii"),
    )


@case
def cdnow_sample_rows(rng: np.random.Generator) -> Case:
    raw = CDNOW_SAMPLE.read_bytes().splitlines(keepends=True)[:300]
    orders = []
    for line in raw:
        master, _sample, when, _cds, dollars = line.split()
        c = round(float(dollars) * 100)
        orders.append((master.decode(), dt.datetime.strptime(when.decode(), "%Y%m%d"), c))
    kpis, dates = order_kpis(orders)
    return Case(
        "cdnow_master",
        "CDNOW",
        "the first 300 lines of tests/data/CDNOW_sample.txt, unchanged",
        "http://www.brucehardie.com/datasets/",
        "CDNOW_sample_head.txt",
        "orders",
        {"customer_id": ["column 1", "column 2"], "order_date": "column 3", "amount": "column 5"},
        len(orders),
        0,
        kpis,
        dates,
        traps="the real file's bytes",
        data=b"".join(raw),
    )


# --------------------------------------------------------------------------------------------
# Writing


README_HEAD = """\
# Corpus of real export layouts

Each file in `files/` imitates one tool's export as the tool writes it (header row, date,
time and number formats, delimiter, encoding, title and total rows, line items, extra
columns). The rows are invented by `generate.py` from a fixed seed; the expected results in
`expected.json` are computed by `generate.py` from the rows it wrote, without `kpi/`.
`tests/test_corpus.py` reads every file the way `python -m kpi report` does and checks the
table, the chosen columns, the rows kept and rejected, the dates and the key KPIs, and the
layout name the app reports.

Regenerate (byte-identical on every run): `python tests/corpus/generate.py`.
Score every layout: `python tests/corpus/score.py`.

## What the expectations mean

- `case`: the generator's function and the key in `expected.json`; the test id is the
  layout name, or the case name where the layout is unknown or shared by two files.
- `layout`: the name the app must report for the file (`ValidationReport.layout` and the
  command line's `"layout"`). These names are the contract with the detection code: name the
  known layouts exactly as in the table below. `-` means the file is of no known tool; its
  layout is not checked.
- `columns`: canonical column -> the source column it must be read from. A list means any
  of those columns is right (they carry the same values, e.g. a customer's id and email).
  Headerless files (CDNOW) name columns by position, `column 1` first.
- `rows_kept`: canonical rows. In line-item exports (Shopify, WooCommerce, Xero) that is one
  order per order number: the order's amount is its order-level figure (Shopify, WooCommerce)
  or the sum of its line amounts (Xero `LineAmount`, equal to `Total` - `TaxTotal`).
- `rows_rejected`: rows the tool wrote as data that cannot be read (e.g. junk amounts).
  `summary_rows` counts lines under the header that are not records of the table (total
  rows, footers, failed payments that moved no money): they are never kept; they may be set
  aside or rejected with a reason.
- `revenue`: net of tax, tips and shipping where the tool gives such a column; refunds
  and credit notes (negative amounts) included. Where the tool writes a refund on the sale's
  own row (Stripe's `Amount Refunded`), the sale's amount is net of it: one row per charge.
  PayPal's `Net` is net of PayPal's fee, so revenue is `Gross`.
- Deals and opportunities (Pipedrive, Salesforce, Zoho, Bitrix24) are leads; a deal counts
  as converted only when won (`Won time`, or a won stage). An expected close date is never a
  conversion.
- The chosen columns are read from the report's `mapping` when `ValidationReport` has one,
  else from the suggestion `kpi.ingest.plan_sources` makes (what `load_files` applies when
  no mapping is given).
- `dates`: first and last day of the table's main date (order, created, answer or spend
  date): catches day/month swaps, serial numbers read wrong and the wrong date column.
- Timestamps with UTC offsets may be read in UTC or in local time; every time in the corpus
  is between 08:00 and 20:00 local, so each day is the same either way, and durations are
  computed on the instants.

## Layouts

The last column cites where the layout is described: the tool's own page where the
reference search found one, else a third-party page that describes the same export (an
integration's guide, an API schema with the same fields). "not found" means no page was
found; such a layout follows the tool's export as it is commonly seen and should be checked
against a real file when one is at hand.

| # | case | layout | tool | file | imitates | table | traps | documented at |
|---|---|---|---|---|---|---|---|---|
"""


def build() -> list[Case]:
    out = []
    for fn in CASES:
        c = fn(rng_for(fn.__name__))
        c.name = fn.__name__
        out.append(c)
    names = [c.file for c in out]
    assert len(set(names)) == len(names), "two cases write the same file"
    return out


def write(out_dir: Path) -> list[Case]:
    cases = build()
    files = out_dir / "files"
    files.mkdir(parents=True, exist_ok=True)
    for c in cases:
        (files / c.file).write_bytes(c.data)
    expected = {c.name: c.expected() for c in cases}
    text = json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    (out_dir / "expected.json").write_text(text, encoding="utf-8")
    lines = [README_HEAD]
    for i, c in enumerate(cases, 1):
        cells = [
            str(i),
            f"`{c.name}`",
            f"`{c.layout}`" if c.layout else "-",
            c.tool,
            f"`{c.file}`",
            c.imitates,
            c.table,
            c.traps,
            c.documented,
        ]
        lines.append("| " + " | ".join(x.replace("|", "/") for x in cells) + " |\n")
    (out_dir / "README.md").write_text("".join(lines), encoding="utf-8")
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    written = write(target)
    print(f"{len(written)} files written to {target / 'files'}")
