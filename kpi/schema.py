"""Canonical tables, header synonyms, table detection and column mapping suggestions.

A spreadsheet arrives as a raw frame of text cells (see :mod:`kpi.io`). This module decides
which canonical table it most likely holds (orders, customers, leads, ...) and which of its
columns feeds each canonical column, from the header in eight languages and from the values.
:mod:`kpi.ingest` then applies the mapping and writes the validation report.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Kind = Literal["id", "date", "datetime", "money", "number", "score", "bool", "category", "text"]


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind, whether it is required, and how people call it."""

    name: str
    kind: Kind
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One canonical table of DESIGN.md."""

    name: str
    label: str
    description: str
    columns: tuple[Column, ...]
    file_hints: tuple[str, ...] = ()
    unlocks: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


# Synonyms are compared after normalisation (lower case, accents removed from Latin letters,
# punctuation to single spaces). English, Russian, Polish, Romanian, Slovenian, German, French
# and Spanish, in that order within each tuple.
_CUSTOMER_ID = (
    "customer id", "customer", "customer no", "customer number", "client", "client id",
    "client no", "account", "account id", "buyer", "contact id",
    "клиент", "id клиента", "код клиента", "покупатель", "заказчик", "контрагент",
    "klient", "id klienta", "nr klienta", "kontrahent", "odbiorca", "nabywca",
    "client id", "cod client", "id client",
    "stranka", "id stranke", "kupec", "narocnik",
    "kunde", "kunden id", "kundennummer", "kundennr", "kunden nr",
    "client", "id client", "numero client", "code client",
    "cliente", "id cliente", "numero de cliente", "codigo cliente",
)  # fmt: skip
_DATE = (
    "date", "day", "transaction date", "дата", "data", "dzien", "datum", "fecha", "ziua",
)  # fmt: skip
_AMOUNT = (
    "amount", "total", "value", "revenue", "sales", "price", "sum", "net", "gross",
    "order total", "order value", "invoice total", "paid",
    "сумма", "выручка", "стоимость", "итого", "цена", "оплата",
    "kwota", "wartosc", "suma", "przychod", "cena", "kwota brutto", "kwota netto", "wartosc brutto",
    "suma", "valoare", "total", "pret", "incasari",
    "znesek", "vrednost", "cena", "skupaj", "prihodek",
    "betrag", "umsatz", "summe", "wert", "preis", "gesamt", "bruttobetrag", "nettobetrag",
    "montant", "total", "chiffre d affaires", "prix", "valeur", "montant ttc", "montant ht",
    "importe", "total", "monto", "valor", "precio", "ingresos",
)  # fmt: skip
_CHANNEL = (
    "channel", "source", "acquisition channel", "marketing channel", "utm source",
    "канал", "источник", "kanal", "zrodlo", "canal", "sursa", "vir", "quelle", "fuente",
)  # fmt: skip
_REGION = (
    "region", "area", "city", "territory", "регион", "город", "область", "miasto",
    "wojewodztwo", "oras", "judet", "regija", "mesto", "stadt", "gebiet", "ville",
    "ciudad", "zona",
)  # fmt: skip
_SEGMENT = (
    "segment", "customer type", "client type", "type of customer", "сегмент",
    "тип клиента", "typ klienta", "tip client", "vrsta stranke", "kundentyp",
    "kundensegment", "type de client", "tipo de cliente",
)  # fmt: skip
_EMPLOYEE = (
    "employee", "staff", "technician", "worker", "agent", "rep", "sales rep",
    "сотрудник", "менеджер", "исполнитель", "мастер", "pracownik", "technik", "handlowiec",
    "angajat", "tehnician", "zaposleni", "delavec", "mitarbeiter", "techniker", "employe",
    "technicien", "empleado", "tecnico",
)  # fmt: skip
_AGENT = (
    "agent", "assignee", "assigned to", "operator", "support agent", "handled by",
    "оператор", "ответственный", "исполнитель", "konsultant", "operator", "przypisany",
    "agent", "operater", "bearbeiter", "zustandig", "agent", "conseiller", "agente",
    "asignado a",
)  # fmt: skip
_CUSTOMER_REF = tuple(s for s in _CUSTOMER_ID if s not in ("account", "account id"))


def _c(name: str, kind: Kind, label: str, *syn: str, required: bool = False) -> Column:
    return Column(name, kind, label, required, tuple(syn))


# The synonym lists read best as prose-like rows, so the formatter leaves them alone.
# fmt: off
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "orders",
            "Orders",
            "One row per order, job, invoice or payment; negative amounts are refunds.",
            (
                _c("customer_id", "id", "Customer", *_CUSTOMER_ID, required=True),
                _c(
                    "order_date", "date", "Order date", "order date", "invoice date",
                    "purchase date", "sale date", "job date", "service date", "payment date",
                    *_DATE, "дата заказа", "дата продажи", "дата оплаты", "дата счета",
                    "data zamowienia", "data sprzedazy", "data faktury", "data platnosci",
                    "data comenzii", "data facturii", "datum narocila", "datum racuna",
                    "bestelldatum", "rechnungsdatum", "verkaufsdatum", "date de commande",
                    "date de facture", "fecha de pedido", "fecha de factura", "fecha de venta",
                    required=True,
                ),
                _c("amount", "money", "Amount", *_AMOUNT, required=True),
                _c(
                    "order_id", "id", "Order number", "order id", "order", "order no",
                    "order number", "invoice", "invoice id", "invoice no", "invoice number",
                    "job id", "transaction id", "номер заказа", "заказ", "счет", "номер счета",
                    "nr zamowienia", "zamowienie", "faktura", "nr faktury", "comanda",
                    "numar comanda", "factura", "narocilo", "racun", "st racuna",
                    "bestellnummer", "bestellung", "rechnung", "rechnungsnummer", "commande",
                    "numero de commande", "facture", "pedido", "numero de pedido",
                ),
                _c(
                    "revenue_type", "category", "Revenue type", "revenue type", "sale type",
                    "order type", "type", "тип выручки", "тип продажи", "typ sprzedazy",
                    "tip venit", "vrsta prihodka", "umsatzart", "type de vente", "tipo de venta",
                ),
                _c(
                    "cost", "money", "Cost", "cost", "cogs", "cost of sales", "expense",
                    "себестоимость", "затраты", "koszt", "cost", "strosek", "kosten",
                    "einstandspreis", "cout", "coste", "costo",
                ),
                _c("channel", "category", "Channel", *_CHANNEL),
                _c("region", "category", "Region", *_REGION),
                _c("segment", "category", "Segment", *_SEGMENT),
                _c(
                    "service_type", "category", "Service type", "service", "service type",
                    "product", "category", "услуга", "вид услуги", "товар", "usluga",
                    "produkt", "serviciu", "produs", "storitev", "dienstleistung",
                    "leistung", "produit", "prestation", "servicio", "producto",
                ),
                _c("employee", "category", "Employee", *_EMPLOYEE),
            ),
            file_hints=(
                "order", "sale", "invoice", "transaction", "payment", "заказ", "продаж",
                "zamow", "sprzed", "faktur", "comenzi", "vanzari", "narocil", "prodaj",
                "bestell", "umsatz", "verkauf", "commande", "vente", "pedido", "venta",
            ),
            unlocks="revenue, customers, cohorts, churn, retention and lifetime value",
        ),
        Table(
            "customers",
            "Customers",
            "One row per customer: when they signed up, cancelled, and where they came from.",
            (
                _c("customer_id", "id", "Customer", *_CUSTOMER_ID, required=True),
                _c(
                    "signup_date", "date", "Signup date", "signup date", "signup",
                    "created", "created at", "start date", "customer since", "first order date",
                    "registration date", "contract start", "дата регистрации",
                    "дата подключения", "клиент с", "data rejestracji", "data podpisania umowy",
                    "data inregistrarii", "datum registracije", "registrierungsdatum",
                    "kunde seit", "vertragsbeginn", "date d inscription", "date de debut",
                    "fecha de alta", "fecha de registro",
                ),
                _c(
                    "end_date", "date", "Cancellation date", "end date", "cancel date",
                    "cancellation date", "cancelled", "churn date", "contract end",
                    "termination date", "дата расторжения", "дата отключения", "дата ухода",
                    "data rezygnacji", "data zakonczenia", "data rezilierii",
                    "datum odpovedi", "kundigungsdatum", "vertragsende", "date de resiliation",
                    "date de fin", "fecha de baja", "fecha de cancelacion",
                ),
                _c("channel", "category", "Acquisition channel", *_CHANNEL),
                _c(
                    "referred_by", "id", "Referred by", "referred by", "referrer",
                    "referral", "рекомендовал", "реферер", "polecajacy", "polecony przez",
                    "recomandat de", "priporocil", "empfohlen von", "werber", "parrain",
                    "recommande par", "referido por",
                ),
                _c("segment", "category", "Segment", *_SEGMENT),
                _c("region", "category", "Region", *_REGION),
                _c(
                    "plan", "category", "Plan", "plan", "tariff", "package", "subscription",
                    "contract type", "тариф", "пакет", "abonament", "pakiet", "taryfa",
                    "paket", "tarif", "forfait", "abonnement", "plan", "tarifa", "paquete",
                ),
            ),
            file_hints=(
                "customer", "client", "account", "клиент", "klient", "stranke", "kunde",
                "cliente",
            ),
            unlocks="contractual churn, survival curves, acquisition channels, referrals",
        ),
        Table(
            "leads",
            "Leads",
            "One row per lead or enquiry, with its source and whether it converted.",
            (
                _c(
                    "lead_id", "id", "Lead", "lead id", "lead", "enquiry", "enquiry id",
                    "inquiry id", "opportunity", "deal id", "лид", "заявка", "номер заявки",
                    "lid", "zapytanie", "id leada", "lead", "povprasevanje", "anfrage",
                    "interessent", "prospect", "piste", "oportunidad", "prospecto",
                    required=True,
                ),
                _c(
                    "created_date", "date", "Lead date", "created date", "created",
                    "created at", "lead date", "enquiry date", *_DATE, "дата заявки",
                    "дата создания", "data zapytania", "data utworzenia", "data crearii",
                    "datum povprasevanja", "erstellt am", "anfragedatum", "date de creation",
                    "fecha de creacion", required=True,
                ),
                _c(
                    "source", "category", "Lead source", "source", "lead source", "origin",
                    "outreach", "method", "channel", "источник", "канал", "zrodlo", "kanal",
                    "sursa", "vir", "quelle", "herkunft", "origine", "fuente", "origen",
                ),
                _c(
                    "qualified", "bool", "Qualified", "qualified", "is qualified", "sql",
                    "mql", "квалифицирован", "квалифицированный", "kwalifikowany",
                    "calificat", "kvalificiran", "qualifiziert", "qualifie", "calificado",
                ),
                _c(
                    "converted_date", "date", "Conversion date", "converted date",
                    "conversion date", "won date", "close date", "closed date", "converted",
                    "дата конверсии", "дата сделки", "data konwersji", "data zamkniecia",
                    "data conversiei", "datum pretvorbe", "abschlussdatum",
                    "date de conversion", "fecha de conversion", "fecha de cierre",
                ),
                _c("customer_id", "id", "Customer", *_CUSTOMER_REF),
                _c(
                    "owner", "category", "Owner", "owner", "sales rep", "salesperson",
                    "assigned to", "manager", "менеджер", "ответственный", "opiekun",
                    "handlowiec", "responsabil", "skrbnik", "prodajalec", "verantwortlich",
                    "vertriebler", "responsable", "commercial", "vendedor", "responsable",
                ),
            ),
            file_hints=("lead", "enquir", "inquir", "лид", "заявк", "zapyt", "anfrage"),
            unlocks="cost per lead, lead conversion, acquisition by source",
        ),
        Table(
            "spend",
            "Marketing and sales spend",
            "Money spent on acquiring customers, per date and channel.",
            (
                _c(
                    "date", "date", "Date", *_DATE, "month", "period", "месяц", "период",
                    "miesiac", "okres", "luna", "perioada", "mesec", "obdobje", "monat",
                    "zeitraum", "mois", "periode", "mes", "periodo", required=True,
                ),
                _c(
                    "amount", "money", "Spend", "spend", "cost", "budget", "amount",
                    "expense", "ad spend", "marketing spend", "расход", "расходы", "бюджет",
                    "затраты", "сумма", "wydatki", "koszt", "budzet", "kwota", "cheltuieli",
                    "buget", "suma", "stroski", "proracun", "znesek", "ausgaben", "kosten",
                    "budget", "betrag", "depenses", "cout", "montant", "gasto", "gastos",
                    "presupuesto", "importe", required=True,
                ),
                _c("channel", "category", "Channel", *_CHANNEL, "campaign", "кампания",
                   "kampania", "campanie", "kampanja", "kampagne", "campagne", "campana"),
                _c(
                    "kind", "category", "Spend kind", "kind", "type", "spend type",
                    "category", "вид", "тип", "статья", "rodzaj", "typ", "tip", "vrsta",
                    "art", "kategorie", "nature", "tipo",
                ),
            ),
            file_hints=("spend", "budget", "marketing", "cost", "расход", "wydatk", "koszt"),
            unlocks="customer acquisition cost (CAC), cost per lead, LTV/CAC",
        ),
        Table(
            "surveys",
            "Surveys",
            "NPS, CSAT, CES or employee survey answers, one row per answer.",
            (
                _c(
                    "date", "date", "Answer date", *_DATE, "response date", "submitted",
                    "submitted at", "answered", "дата ответа", "data odpowiedzi",
                    "data raspunsului", "datum odgovora", "antwortdatum",
                    "date de reponse", "fecha de respuesta", required=True,
                ),
                _c(
                    "score", "score", "Score", "score", "rating", "nps", "csat", "grade",
                    "answer", "how likely", "recommend", "оценка", "балл", "рейтинг",
                    "ocena", "wynik", "nota", "scor", "ocena", "bewertung", "note",
                    "punktzahl", "note", "evaluation", "puntuacion", "calificacion", "nota",
                    required=True,
                ),
                _c(
                    "survey_type", "category", "Survey type", "survey type", "survey",
                    "type", "question", "опрос", "тип опроса", "ankieta", "typ ankiety",
                    "sondaj", "anketa", "umfrage", "enquete", "encuesta",
                ),
                _c("scale_max", "number", "Scale maximum", "scale max", "scale", "max score",
                   "шкала", "skala", "scala", "lestvica", "skala", "echelle", "escala"),
                _c("customer_id", "id", "Customer", *_CUSTOMER_REF),
                _c(
                    "comment", "text", "Comment", "comment", "comments", "feedback",
                    "verbatim", "reason", "remarks", "комментарий", "отзыв", "komentarz",
                    "uwagi", "opinia", "comentariu", "komentar", "kommentar", "anmerkung",
                    "commentaire", "remarque", "comentario", "observaciones",
                ),
                _c("agent", "category", "Agent", *_AGENT),
                _c("channel", "category", "Channel", *_CHANNEL),
                _c("segment", "category", "Segment", *_SEGMENT),
            ),
            file_hints=("survey", "nps", "csat", "feedback", "опрос", "ankiet", "umfrage"),
            unlocks="NPS, CSAT, eNPS, comment themes",
        ),
        Table(
            "tickets",
            "Support tickets",
            "One row per ticket, call or complaint, with its timestamps.",
            (
                _c(
                    "ticket_id", "id", "Ticket", "ticket id", "ticket", "ticket no",
                    "ticket number", "case", "case id", "case number", "issue id",
                    "request id", "обращение", "номер обращения", "тикет", "заявка",
                    "zgloszenie", "nr zgloszenia", "tichet", "solicitare", "zahtevek",
                    "prijava", "vorgang", "ticketnummer", "anliegen", "demande",
                    "numero de ticket", "incidencia", "caso", required=True,
                ),
                _c(
                    "created_at", "datetime", "Created", "created at", "created",
                    "opened", "opened at", "date opened", "received", *_DATE,
                    "дата создания", "создано", "открыто", "data utworzenia",
                    "data zgloszenia", "data crearii", "ustvarjeno", "erstellt",
                    "erstellt am", "cree le", "date de creation", "creado", "fecha de creacion",
                    required=True,
                ),
                _c(
                    "first_response_at", "datetime", "First response", "first response at",
                    "first response", "first reply", "first reply at", "responded at",
                    "первый ответ", "дата первого ответа", "pierwsza odpowiedz",
                    "prima raspuns", "prvi odgovor", "erste antwort", "premiere reponse",
                    "primera respuesta",
                ),
                _c(
                    "resolved_at", "datetime", "Resolved", "resolved at", "resolved",
                    "closed at", "closed", "solved at", "date closed", "решено", "закрыто",
                    "дата закрытия", "rozwiazano", "data zamkniecia", "rezolvat",
                    "data inchiderii", "reseno", "zaprto", "gelost", "geschlossen",
                    "resolu le", "ferme le", "resuelto", "cerrado", "fecha de cierre",
                ),
                _c("status", "category", "Status", "status", "state", "статус",
                   "stan", "stare", "stanje", "zustand", "etat", "estado"),
                _c(
                    "type", "category", "Ticket type", "type", "ticket type", "kind",
                    "тип", "вид обращения", "typ", "rodzaj", "tip", "vrsta", "art", "typ",
                    "tipo",
                ),
                _c("category", "category", "Category", "category", "topic", "reason",
                   "категория", "тема", "kategoria", "temat", "categorie", "kategorija",
                   "kategorie", "thema", "categorie", "sujet", "categoria", "tema"),
                _c("priority", "category", "Priority", "priority", "urgency", "приоритет",
                   "priorytet", "prioritate", "prioriteta", "prioritat", "priorite",
                   "prioridad"),
                _c("escalated", "bool", "Escalated", "escalated", "escalation",
                   "эскалация", "эскалировано", "eskalacja", "eskalowane", "escaladat",
                   "eskalirano", "eskaliert", "escalade", "escalado"),
                _c("agent", "category", "Agent", *_AGENT),
                _c("customer_id", "id", "Customer", *_CUSTOMER_REF),
                _c(
                    "resolution_type", "category", "Resolution", "resolution type",
                    "resolution", "outcome", "решение", "результат", "rozwiazanie",
                    "rezolutie", "resitev", "losung", "resolution", "resolucion",
                ),
                _c("contract", "category", "Contract", "contract", "contract type",
                   "договор", "umowa", "contract", "pogodba", "vertrag", "contrat",
                   "contrato"),
            ),
            file_hints=("ticket", "case", "support", "complaint", "helpdesk", "обращен",
                        "zglosz", "reklamac", "anfrage"),
            unlocks="response and resolution times, backlog, SLA, complaints, agents",
        ),
        Table(
            "touches",
            "Touches",
            "Calls, e-mails, meetings and visits with leads and customers.",
            (
                _c("date", "datetime", "Date", *_DATE, "time", "timestamp", required=True),
                _c("lead_id", "id", "Lead", "lead id", "lead", "лид", "lid"),
                _c("customer_id", "id", "Customer", *_CUSTOMER_REF),
                _c(
                    "touch_type", "category", "Touch type", "touch type", "activity",
                    "activity type", "type", "action", "активность", "тип контакта",
                    "aktywnosc", "typ kontaktu", "activitate", "aktivnost", "aktivitat",
                    "activite", "actividad",
                ),
                _c("direction", "category", "Direction", "direction", "inbound outbound",
                   "направление", "kierunek", "directie", "smer", "richtung", "sens",
                   "direccion"),
                _c("duration_min", "number", "Duration (min)", "duration", "duration min",
                   "minutes", "длительность", "czas trwania", "durata", "trajanje",
                   "dauer", "duree", "duracion"),
                _c("employee", "category", "Employee", *_EMPLOYEE),
            ),
            file_hints=("touch", "activit", "call", "contact", "звонк", "kontakt"),
            unlocks="touches to close, engagement, efforts against results",
        ),
        Table(
            "employees",
            "Employees",
            "One row per employee, with hire and leave dates.",
            (
                _c("employee", "category", "Employee", "employee", "name", "employee name",
                   "staff", "сотрудник", "фио", "имя", "pracownik", "imie i nazwisko",
                   "angajat", "nume", "zaposleni", "ime", "mitarbeiter", "name", "employe",
                   "nom", "empleado", "nombre", required=True),
                _c("hire_date", "date", "Hire date", "hire date", "hired", "start date",
                   "дата приема", "data zatrudnienia", "data angajarii",
                   "datum zaposlitve", "eintrittsdatum", "date d embauche",
                   "fecha de contratacion"),
                _c("leave_date", "date", "Leave date", "leave date", "left", "end date",
                   "termination date", "дата увольнения", "data zwolnienia",
                   "data plecarii", "datum odhoda", "austrittsdatum", "date de depart",
                   "fecha de baja"),
                _c("team", "category", "Team", "team", "department", "group", "отдел",
                   "команда", "dzial", "zespol", "echipa", "departament", "ekipa", "oddelek",
                   "abteilung", "equipe", "service", "equipo", "departamento"),
            ),
            file_hints=("employee", "staff", "team", "сотрудник", "pracownik", "personal"),
            unlocks="employee turnover and retention",
        ),
        Table(
            "cashflow",
            "Cash flow",
            "Operating cash flow, investments and working-capital change per period.",
            (
                _c("period", "date", "Period", "period", "month", "date", "период", "месяц",
                   "okres", "miesiac", "perioada", "luna", "obdobje", "mesec", "zeitraum",
                   "monat", "periode", "mois", "periodo", "mes", required=True),
                _c("operating_cash_flow", "money", "Operating cash flow",
                   "operating cash flow", "ocf", "cash from operations",
                   "операционный денежный поток", "przeplywy operacyjne", "flux operational",
                   "denarni tok iz poslovanja", "operativer cashflow",
                   "flux de tresorerie d exploitation", "flujo de caja operativo",
                   required=True),
                _c("investments", "money", "Investments", "investments", "capex",
                   "investment", "инвестиции", "inwestycje", "investitii", "nalozbe",
                   "investitionen", "investissements", "inversiones"),
                _c("working_capital_change", "money", "Working-capital change",
                   "working capital change", "change in working capital", "wc change",
                   "изменение оборотного капитала", "zmiana kapitalu obrotowego",
                   "variatia capitalului de lucru", "sprememba obratnega kapitala",
                   "veranderung working capital", "variation du bfr",
                   "variacion del capital de trabajo"),
            ),
            file_hints=("cash", "cf", "денеж", "przeplyw"),
            unlocks="net cash",
        ),
    )
}
# fmt: on


def normalise(text: object) -> str:
    """Lower-case, strip Latin accents, turn punctuation and underscores into single spaces.

    >>> normalise("  Kwota_Brutto (PLN) "), normalise("Дата  заказа"), normalise("Montant TTC €")
    ('kwota brutto pln', 'дата заказа', 'montant ttc')
    """
    s = unicodedata.normalize("NFKD", str(text)).lower()
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("ł", "l").replace("ß", "ss").replace("đ", "d").replace("ё", "е")
    # Keep "й": NFKD splits it into и + a combining breve, which is a different letter.
    s = unicodedata.normalize("NFC", s.replace("и\u0306", "й"))
    s = re.sub(r"[^\w]+|_", " ", s)
    return " ".join(s.split())


_CURRENCY_WORDS = {"eur", "usd", "gbp", "pln", "rub", "ron", "chf", "czk", "uah", "zl", "руб"}


@functools.lru_cache(maxsize=4096)
def _header_tokens(header: str) -> tuple[str, ...]:
    """The header's words, currency words left out; cached: each header meets ~400 columns."""
    return tuple(t for t in normalise(header).split() if t not in _CURRENCY_WORDS)


@functools.lru_cache(maxsize=256)
def _normalised_names(column: Column) -> frozenset[str]:
    """The column's name and synonyms, normalised once: every header is compared with them."""
    return frozenset({normalise(column.name)} | {normalise(s) for s in column.synonyms})


def header_score(header: object, column: Column) -> float:
    """How well a header names a canonical column: 1 exact, 0.6-0.8 contained, 0 none.

    A synonym found as whole words inside the header scores more the more of the header
    it covers.

    >>> col = TABLES["orders"].column("order_date")
    >>> header_score("Data zamówienia", col), header_score("Order date (UTC)", col)
    (1.0, 0.733)
    """
    tokens = _header_tokens(str(header))
    if not tokens:
        return 0.0
    text = " ".join(tokens)
    names = _normalised_names(column)
    if text in names:
        return 1.0
    padded = f" {text} "
    best = 0.0
    for name in names:
        if name and f" {name} " in padded:
            # Longer synonyms that match are more specific: "order date" beats "date".
            best = max(best, 0.6 + 0.2 * min(1.0, len(name.split()) / max(1, len(tokens))))
    return round(best, 3)


@dataclass(frozen=True)
class Suggestion:
    """A detected table with the suggested mapping from canonical column to source column."""

    table: str
    mapping: dict[str, str | None]
    score: float
    missing_required: tuple[str, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return not self.missing_required


def _first_filled(values: pd.Series, count: int) -> pd.Series:
    """The first ``count`` cells that are neither missing nor blank, in the column's order.

    Detection needs only a sample, so the column is scanned in growing prefixes rather than
    cleaned whole: a million-row column usually costs one look at its first thousand cells.
    """
    size = 5 * count
    while True:
        prefix = values.iloc[:size].dropna()
        filled = prefix[prefix.astype(str).str.strip() != ""]
        if len(filled) >= count or size >= len(values):
            return filled.head(count)
        size *= 4


def _value_profile(values: pd.Series) -> dict[str, float]:
    """Shares of a sample of a column's non-blank cells that look like dates, numbers, ids."""
    from kpi.values import looks_like_dates, looks_like_numbers

    sample = _first_filled(values, 200)
    if sample.empty:
        return {"date": 0.0, "number": 0.0, "filled": 0.0, "unique": 0.0}
    return {
        "date": looks_like_dates(sample),
        "number": looks_like_numbers(sample),
        "filled": len(sample) / max(1, min(200, len(values))),
        "unique": sample.astype(str).nunique() / len(sample),
    }


def _kind_fits(kind: str, profile: Mapping[str, float], *, share: float) -> bool | None:
    """Whether a column's sampled values suit a canonical column kind; None: any values do.

    ``share`` is the least share of cells that must parse: lower when the header already names
    the column (a few unreadable cells are reported by validation, not a reason to look away).
    """
    if kind in ("date", "datetime"):
        return profile["date"] >= share
    if kind in ("money", "number", "score"):
        return profile["number"] >= share and profile["date"] < 0.5
    return None


def suggest_mapping(
    frame: pd.DataFrame, table: str, *, profiles: Mapping[str, dict[str, float]] | None = None
) -> Suggestion:
    """Suggest which column of ``frame`` feeds each column of canonical ``table``.

    Headers are matched against the synonyms first (exact, then whole-word); a column whose
    values contradict the kind (text where a date is needed) is not used for a date or money
    column. Required columns still unmatched are then filled from the values: the first unused
    column that parses as dates for a date, as numbers for money. Each source column feeds at
    most one canonical column.
    """
    spec = TABLES[table]
    headers = [str(h) for h in frame.columns]
    if profiles is None:
        profiles = column_profiles(frame)
    candidates: list[tuple[float, int, str, str]] = []
    for order, col in enumerate(spec.columns):
        for h in headers:
            s = header_score(h, col)
            fit = _kind_fits(col.kind, profiles[h], share=0.5)
            if s > 0 and (fit is not False or profiles[h]["filled"] == 0):
                # Required columns win ties; earlier canonical columns win remaining ties.
                candidates.append((s + (0.05 if col.required else 0.0), -order, col.name, h))
    mapping: dict[str, str | None] = {c.name: None for c in spec.columns}
    used: set[str] = set()
    score = 0.0
    for s, _, name, h in sorted(candidates, reverse=True):
        if mapping[name] is None and h not in used:
            mapping[name] = h
            used.add(h)
            score += s
    for col in spec.columns:
        if mapping[col.name] is not None or not col.required:
            continue
        for h in headers:
            if h not in used and _kind_fits(col.kind, profiles[h], share=0.8):
                mapping[col.name] = h
                used.add(h)
                score += 0.3
                break
    missing = tuple(c for c in spec.required if mapping[c] is None)
    return Suggestion(table, mapping, score, missing)


def column_profiles(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per column, the shares of sampled cells that look like dates and numbers."""
    return {str(h): _value_profile(frame[h]) for h in frame.columns}


def detect_table(frame: pd.DataFrame, *, name: str = "") -> list[Suggestion]:
    """Rank the canonical tables by how well ``frame`` fits them, best first.

    The score adds the header matches of each table, counts required columns double, puts
    tables with every required column before the others, and breaks ties with the file or
    sheet name ("zamowienia.csv" hints at orders).
    """
    hint = normalise(name)
    ranked = []
    profiles = column_profiles(frame)
    for table, spec in TABLES.items():
        sug = suggest_mapping(frame, table, profiles=profiles)
        required_found = sum(sug.mapping[c] is not None for c in spec.required)
        score = sug.score + required_found * 0.5
        if any(h in hint for h in spec.file_hints):
            score += 0.75
        ranked.append((sug.complete, score, -list(TABLES).index(table), sug))
    ranked.sort(key=lambda t: t[:3], reverse=True)
    return [Suggestion(s.table, s.mapping, score, s.missing_required) for _, score, _, s in ranked]


def template(table: str) -> pd.DataFrame:
    """An empty frame with the canonical columns of ``table``, for the downloadable template."""
    return pd.DataFrame({c.name: pd.Series(dtype="str") for c in TABLES[table].columns})


def mapping_from_json(obj: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """Validate a mapping file: {"<file or file › sheet>": {"table": T, "columns": {...}}}."""
    from kpi.errors import SchemaError

    result: dict[str, dict[str, object]] = {}
    for source, entry in obj.items():
        if not isinstance(entry, Mapping) or entry.get("table") not in TABLES:
            raise SchemaError(
                f"mapping for {source!r} needs a 'table' that is one of {', '.join(TABLES)}."
            )
        cols = entry.get("columns", {})
        spec = TABLES[str(entry["table"])]
        if not isinstance(cols, Mapping) or any(
            k not in {c.name for c in spec.columns} for k in cols
        ):
            raise SchemaError(
                f"mapping for {source!r}: 'columns' maps canonical columns of "
                f"{spec.name} ({', '.join(c.name for c in spec.columns)}) to source headers."
            )
        result[str(source)] = {
            "table": spec.name,
            "columns": dict(cols),
            **{k: v for k, v in entry.items() if k not in ("table", "columns")},
        }
    return result
