"""Canonical tables, header synonyms, table detection and column mapping suggestions.

A spreadsheet arrives as a raw frame of text cells (see :mod:`kpi.io`). This module decides
which canonical table it most likely holds (orders, customers, leads, ...) and which of its
columns feeds each canonical column, from the header in eight languages and from the values.
:mod:`kpi.ingest` then applies the mapping and writes the validation report.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from kpi.io import SHEET_SEP

Kind = Literal["id", "date", "datetime", "money", "number", "score", "bool", "category", "text"]


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind, whether it is required, and how people call it."""

    name: str
    kind: Kind
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    # Further names read with a little less trust (kpi/synonyms.json "extra_synonyms"): an
    # "Email" or "Account name" is the customer when nothing says "Customer".
    weak: tuple[str, ...] = ()


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
# A customer's name and contact details: they say who to call, not which table a file holds,
# so they count for no table in detection; a header fills them only when it is wholly one of
# their names ("E-mail", "Customer name", not "Agent e-mail" or "Campaign name"); and a
# customer_id that nothing else names takes its header back ("Email" alone is the customer).
_CONTACT = frozenset({"name", "email", "phone"})


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
                # Who to call: read only from a header that is wholly one of these names
                # (_CONTACT), and given back to customer_id when nothing else names it.
                _c(
                    "name", "text", "Customer name", "customer name", "client name",
                    "full name", "company name", "account name", "имя клиента", "фио",
                    "наименование клиента", "наименование контрагента", "nazwa klienta",
                    "imie i nazwisko", "nazwa kontrahenta", "nume client", "denumire client",
                    "nume complet", "ime stranke", "ime in priimek", "naziv stranke",
                    "kundenname", "vollstandiger name", "firmenname", "nom du client",
                    "nom complet", "raison sociale", "nombre del cliente", "nombre cliente",
                    "nombre completo", "razon social",
                ),
                _c(
                    "email", "text", "E-mail", "email", "e mail", "email address",
                    "e mail address", "customer email", "client email", "электронная почта",
                    "эл почта", "адрес электронной почты", "adres email", "adres e mail",
                    "e mail klienta", "adresa de email", "adresa email", "e posta",
                    "elektronska posta", "e mail naslov", "e mail adresse", "mailadresse",
                    "courriel", "adresse e mail", "adresse electronique", "correo",
                    "correo electronico",
                ),
                _c(
                    "phone", "text", "Phone", "phone", "phone number", "telephone", "mobile",
                    "mobile phone", "tel", "телефон", "номер телефона", "мобильный телефон",
                    "telefon", "numer telefonu", "telefon komorkowy", "numar de telefon",
                    "telefon mobil", "telefonska stevilka", "mobitel", "telefonnummer",
                    "handy", "numero de telephone", "portable", "telefono",
                    "numero de telefono", "movil",
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
                    "опрос", "тип опроса", "ankieta", "typ ankiety",
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


def _extra_synonyms(tables: dict[str, Table]) -> dict[str, Table]:
    """The tables with the weaker names of ``synonyms.json`` added to their columns."""
    extra = _words()["extra_synonyms"]
    out = {}
    for name, spec in tables.items():
        cols = []
        for c in spec.columns:
            shared = (
                () if (name, c.name) == ("leads", "customer_id") else extra.get(f"*.{c.name}", ())
            )
            # A lead's company or contact is no sign it converted: leads take no weak customer.
            weak = tuple(shared) + tuple(extra.get(f"{name}.{c.name}", ()))
            cols.append(dataclasses.replace(c, weak=weak) if weak else c)
        out[name] = dataclasses.replace(spec, columns=tuple(cols))
    return out


@functools.cache
def _words() -> dict:
    """The word lists of ``kpi/synonyms.json`` (read once)."""
    return json.loads(Path(__file__).with_name("synonyms.json").read_text(encoding="utf-8"))


TABLES = _extra_synonyms(TABLES)

_CAMEL = re.compile(r"(?<=[a-zа-яё0-9])(?=[A-ZА-ЯЁ])|(?<=[A-ZА-ЯЁ])(?=[A-ZА-ЯЁ][a-zа-яё])")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def normalise(text: object) -> str:
    """Lower-case, split camelCase, strip Latin accents, punctuation and underscores to spaces.

    >>> normalise("  Kwota_Brutto (PLN) "), normalise("Дата  заказа"), normalise("InvoiceDate")
    ('kwota brutto pln', 'дата заказа', 'invoice date')
    """
    return _normalise(str(text))


@functools.lru_cache(maxsize=16384)
def _normalise(text: str) -> str:
    """``normalise`` of one string, remembered: headers and word lists meet it again and again."""
    s = _CAMEL.sub(" ", text)
    s = unicodedata.normalize("NFKD", s).lower()
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("ł", "l").replace("ß", "ss").replace("đ", "d").replace("ё", "е")
    # Keep "й": NFKD splits it into и + a combining breve, which is a different letter.
    s = unicodedata.normalize("NFC", s.replace("и\u0306", "й"))
    s = re.sub(r"[^\w#№]+|_", " ", s)
    return " ".join(s.split())


_CURRENCY_WORDS = {"eur", "usd", "gbp", "pln", "rub", "ron", "chf", "czk", "uah", "zl", "руб"}


@functools.lru_cache(maxsize=4096)
def _header_tokens(header: str) -> tuple[str, ...]:
    """The header's words without units or currency in brackets ("Kwota (zł)" is "kwota")."""
    bare = _BRACKETS.sub(" ", header)
    if not normalise(bare):
        bare = header  # the whole header was in brackets
    return tuple(t for t in normalise(bare).split() if t not in _CURRENCY_WORDS)


def _same_word(a: str, b: str) -> bool:
    """Whether two words share a stem: equal, or one a short-ended form of the other.

    A shared beginning of at least four letters, missing at most two letters of the shorter
    word and four of the longer, covers the endings of the eight languages
    ("zamówienia"/"zamówienie", "сумма"/"суммы", "primul"/"prima", "răspuns"/"răspunsul").
    """
    if a == b:
        return True
    n = min(len(a), len(b))
    if n < 4:
        return False
    p = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        p += 1
    return p >= 4 and p >= n - 2 and p >= max(len(a), len(b)) - 4


def _find(phrase: tuple[str, ...], tokens: tuple[str, ...]) -> int:
    """2 when ``phrase`` occurs in ``tokens`` word for word, 1 when by stems, 0 when not."""
    k = len(phrase)
    best = 0
    for i in range(len(tokens) - k + 1):
        window = tokens[i : i + k]
        if window == phrase:
            return 2
        if all(_same_word(a, b) for a, b in zip(window, phrase, strict=True)):
            best = 1
    return best


@functools.lru_cache(maxsize=512)
def _phrases(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalise(w).split()) for w in words if normalise(w))


def _has_any(tokens: tuple[str, ...], words: tuple[str, ...]) -> bool:
    return any(_find(p, tokens) for p in _phrases(words))


@functools.lru_cache(maxsize=256)
def _normalised_names(
    column: Column,
) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """The column's name and synonyms, and its weaker names, as word tuples (normalised once)."""
    strong = {tuple(normalise(column.name).split())} | set(_phrases(column.synonyms))
    return frozenset(strong), frozenset(_phrases(column.weak)) - frozenset(strong)


def _blocked(tokens: tuple[str, ...], column: Column) -> bool:
    """Headers that never fill this column, whatever word they share with its names."""
    text = " ".join(tokens)
    words = _words()
    if column.kind in ("money", "number") and text in words["not_alone"]["money"]:
        return True  # "Lp", "No.", "#": a row number is never an amount
    if column.kind == "score" and text in words["not_alone"]["score"]:
        return True
    if column.kind in ("date", "datetime"):
        return _has_any(tokens, tuple(words["not_an_event"]["words"]))
    if column.name == "amount":
        pref = words["amount_preference"]
        # "Valoare fără TVA", "Kwota bez VAT": a tax word that says "without" is a net amount.
        return _has_any(tokens, tuple(pref["never"])) and not _has_any(tokens, tuple(pref["net"]))
    return False


@functools.lru_cache(maxsize=65536)
def _header_score(header: str, column: Column) -> float:
    tokens = _header_tokens(header)
    if not tokens or _blocked(tokens, column):
        return 0.0
    strong, weak = _normalised_names(column)
    best = 0.0
    for names, trust in ((strong, 1.0), (weak, 0.9)):
        for name in names:
            if not name:
                continue
            found = _find(name, tokens)
            if not found:
                continue
            if len(name) == len(tokens):
                s = 1.0 if found == 2 else 0.95
            else:
                # Longer synonyms that match are more specific: "order date" beats "date".
                s = 0.6 + 0.2 * min(1.0, len(name) / len(tokens)) - (0.05 if found == 1 else 0)
            best = max(best, s * trust)
    return round(best, 3)


def header_score(header: object, column: Column) -> float:
    """How well a header names a canonical column: 1 exact, 0.95 by stems, 0.55-0.8 contained.

    A synonym found as whole words inside the header scores more the more of the header
    it covers; weaker names (``synonyms.json``) count nine tenths; units in brackets are left
    out; a header that names a plan ("Expected close date") or a row number ("Lp") is no match.

    >>> col = TABLES["orders"].column("order_date")
    >>> header_score("Data zamówienia", col), header_score("Order date (UTC)", col)
    (1.0, 1.0)
    >>> header_score("InvoiceDate", col), header_score("Due date", col)
    (1.0, 0.0)
    """
    return _header_score(str(header), column)


def is_canonical(header: object, column: Column) -> bool:
    """Whether the header is the template's own name for the column (``order_date``)."""
    return _header_tokens(str(header)) == tuple(normalise(column.name).split())


# ----------------------------------------------------------------------------------------------
# Known layouts


@dataclass(frozen=True)
class Layout:
    """One tool's export layout (an entry of ``kpi/layouts.json``)."""

    name: str
    label: str
    table: str
    signature: tuple[str, ...]
    columns: dict[str, str]
    meaning: dict
    notes: tuple[str, ...] = ()
    min_columns: int = 0
    value_shapes: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.name)


@functools.cache
def layouts() -> tuple[Layout, ...]:
    """Every known layout, in the order of ``kpi/layouts.json``."""
    data = json.loads(Path(__file__).with_name("layouts.json").read_text(encoding="utf-8"))
    return tuple(
        Layout(
            e["name"],
            e["label"],
            e["table"],
            tuple(e["signature"]),
            dict(e["columns"]),
            dict(e.get("meaning", {})),
            tuple(e.get("notes", ())),
            int(e.get("min_columns", 0)),
            dict(e.get("value_shapes", {})),
        )
        for e in data["layouts"]
    )


def _key(header: object) -> str:
    return normalise(header)


def _bare(header: object) -> str:
    return " ".join(_header_tokens(str(header)))


def _same_header(a: object, b: object) -> bool:
    """Equal headers, or equal but for a unit in brackets ("Amount spent (EUR)")."""
    return _key(a) == _key(b) or _bare(a) == _bare(b)


def match_layout(
    headers: list[str] | tuple[str, ...] | pd.Index, frame: pd.DataFrame | None = None
) -> Layout | None:
    """The known layout whose signature headers the file has, the most specific first.

    A headerless layout (columns named by position) also needs its ``value_shapes``: the first
    cells of those columns must match, so it is only told with ``frame``.
    """
    have = {_key(h) for h in headers}
    bare = {_bare(h) for h in headers}
    found = []
    for lay in layouts():
        if len(have) < lay.min_columns:
            continue
        if not all(_key(h) in have or _bare(h) in bare for h in lay.signature):
            continue
        if lay.value_shapes and (frame is None or not _shapes_fit(frame, lay.value_shapes)):
            continue
        found.append(lay)
    return max(found, key=lambda lay: len(lay.signature)) if found else None


def _shapes_fit(frame: pd.DataFrame, shapes: Mapping[str, str]) -> bool:
    for col, pattern in shapes.items():
        if col not in frame.columns:
            return False
        cells = _first_filled(frame[col], 50).astype(str).str.strip()
        if cells.empty or not cells.str.fullmatch(pattern).all():
            return False
    return True


def layout_by_name(name: str | None) -> Layout | None:
    return next((lay for lay in layouts() if lay.name == name), None)


def layout_column(layout: Layout, field_name: str, headers: list[str]) -> str | None:
    """The file's header the layout names for a canonical column, if the file has it."""
    want = layout.columns.get(field_name)
    if want is None:
        return None
    exact = next((h for h in headers if _key(h) == _key(want)), None)
    return exact or next((h for h in headers if _bare(h) == _bare(want)), None)


def header_signature(headers: list[str] | tuple[str, ...] | pd.Index) -> str:
    """A short fingerprint of a header row: files of one layout share it."""
    text = "\x1f".join(_key(h) for h in headers)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


# ----------------------------------------------------------------------------------------------
# Meanings read from the header: survey type, durations


def survey_type_from_words(texts: list[str]) -> tuple[str | None, str]:
    """The survey type the headers or file names speak of, and the words that said so.

    >>> survey_type_from_words(["Date", "How likely are you to recommend us?"])
    ('nps', 'How likely are you to recommend us?')
    >>> survey_type_from_words(["Data", "Ocena"])
    (None, '')
    """
    for kind in ("enps", "nps", "ces", "csat"):
        for text in texts:
            if kind in _survey_kinds_in(str(text)):
                return kind, str(text)
    return None, ""


@functools.lru_cache(maxsize=4096)
def _survey_kinds_in(text: str) -> frozenset[str]:
    """The survey kinds whose words one header or file name holds."""
    kinds = _words()["survey_types"]
    tokens = tuple(normalise(text).split())
    found = set()
    for kind in ("enps", "nps", "ces", "csat"):
        for p in _phrases(tuple(kinds[kind])):
            if len(p) > 1:
                hit = bool(_find(p, tokens))
            elif len(p[0]) <= 3:
                hit = p[0] in tokens  # "nps", "ces": whole words only
            else:
                hit = any(t.startswith(p[0]) for t in tokens)  # stems: "рекоменд", "polec"
            if hit:
                found.add(kind)
                break
    return frozenset(found)


@functools.lru_cache(maxsize=4096)
def duration_unit(header: object) -> tuple[bool, str | None]:
    """Whether a header names a time span to a first reply or a resolution, and its unit.

    >>> duration_unit("First reply time in minutes"), duration_unit("Czas reakcji (godz.)")
    ((True, 'minutes'), (True, 'hours'))
    >>> duration_unit("Resolved at")
    (False, None)
    """
    words = _words()
    tokens = tuple(normalise(header).split())
    spans = [p for f in ("first_response_at", "resolved_at") for p in words["durations"][f]]
    if not _has_any(tokens, tuple(spans)):
        return False, None
    for unit, names in words["units"].items():
        if any(t in names for t in tokens):
            return True, unit
    return True, None


@functools.lru_cache(maxsize=4096)
def duration_field(header: object) -> str | None:
    """Which ticket timestamp a duration header measures: first response or resolution."""
    tokens = tuple(normalise(header).split())
    durations = _words()["durations"]
    if _has_any(tokens, tuple(durations["resolved_at"])):
        return "resolved_at"
    if _has_any(tokens, tuple(durations["first_response_at"])):
        return "first_response_at"
    return None


@functools.lru_cache(maxsize=4096)
def amount_class(header: object) -> int:
    """The written preference among amount columns: 2 net of tax, 1 plain, 0 gross or total."""
    tokens = _header_tokens(str(header))
    pref = _words()["amount_preference"]
    if _has_any(tokens, tuple(pref["net"])):
        return 2
    if _has_any(tokens, tuple(pref["gross"])):
        return 0
    return 1


_CLASS_WORDS = {2: "net of tax", 1: "a plain amount", 0: "a gross amount or total"}


# ----------------------------------------------------------------------------------------------
# Suggestions

Evidence = Literal["canonical", "layout", "synonym", "values", "blank"]
_STRENGTH = {"canonical": 4, "layout": 3, "synonym": 2, "values": 1, "blank": 0}


@dataclass(frozen=True)
class Doubt:
    """A column choice the user should check: the choice, the runner-up and why."""

    field: str
    chosen: str | None
    runner_up: str | None
    reason: str

    def message(self) -> str:
        other = f"; the runner-up is '{self.runner_up}'" if self.runner_up else ""
        return f"{self.field}: chose '{self.chosen}' ({self.reason}){other}."


@dataclass(frozen=True)
class Suggestion:
    """A detected table with the suggested mapping from canonical column to source column."""

    table: str
    mapping: dict[str, str | None]
    score: float
    missing_required: tuple[str, ...] = field(default_factory=tuple)
    layout: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    doubts: tuple[Doubt, ...] = ()
    constants: dict[str, object] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing_required

    @property
    def certain(self) -> bool:
        return not self.doubts


def _first_filled(values: pd.Series, count: int) -> pd.Series:
    """The first ``count`` cells that are neither missing nor blank, in the column's order.

    Detection needs only a sample, so the column is scanned in growing prefixes rather than
    cleaned whole: a million-row column usually costs one look at its first thousand cells.
    """
    return _first_filled_span(values, count)[0]


def _first_filled_span(values: pd.Series, count: int) -> tuple[pd.Series, float]:
    """``_first_filled``, and the share of filled cells in the prefix that was scanned."""
    size = 5 * count
    while True:
        prefix = values.iloc[:size].dropna()
        filled = prefix[prefix.astype(str).str.strip() != ""]
        if len(filled) >= count or size >= len(values):
            share = len(filled) / max(1, min(size, len(values)))
            return filled.head(count), share
        size *= 4


def _value_profile(values: pd.Series) -> dict[str, float]:
    """Shares of a sample of a column's non-blank cells that look like dates, numbers, ids.

    ``fill`` is the share of filled cells where the sample was taken; ``serial`` the share of
    whole numbers that are Excel day numbers of 1954-2119 (a date cell without a date format);
    ``integer`` the share of whole numbers, ``counting`` 1 when they count up by one (a row
    number).
    """
    from kpi.values import looks_like_dates, looks_like_numbers

    sample, fill = _first_filled_span(values, 200)
    empty = {"date": 0.0, "number": 0.0, "filled": 0.0, "unique": 0.0, "fill": 0.0}
    if sample.empty:
        return {**empty, "serial": 0.0, "integer": 0.0, "counting": 0.0}
    nums = pd.to_numeric(sample, errors="coerce")
    nums = nums.astype("float64") if nums.dtype == object else nums
    whole = nums.notna() & (nums == nums.round())
    n = len(sample)
    counting = float(whole.all() and n > 2 and bool((nums.diff().dropna() == 1).all()))
    return {
        "date": looks_like_dates(sample),
        "number": looks_like_numbers(sample),
        "filled": n / max(1, min(200, len(values))),
        "fill": fill,
        "unique": sample.astype(str).nunique() / n,
        "serial": float((whole & nums.between(20_000, 80_000)).sum()) / n,
        "integer": float(whole.sum()) / n,
        "counting": counting,
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


_SURVEY_TYPES = {"nps", "csat", "ces", "enps", "e nps"}
_SPAN_FIELDS = ("first_response_at", "resolved_at")
_NEARLY_BLANK = 0.05


def _fits_named(col: Column, profile: Mapping[str, float]) -> bool:
    """Values that may fill a column its header names: dates may be Excel day numbers."""
    if col.kind in ("date", "datetime") and profile.get("serial", 0) >= 0.5:
        return True
    return _kind_fits(col.kind, profile, share=0.5) is not False


def suggest_mapping(
    frame: pd.DataFrame,
    table: str,
    *,
    profiles: Mapping[str, dict[str, float]] | None = None,
    name: str = "",
    known_layout: Layout | bool | None = True,
) -> Suggestion:
    """Suggest which column of ``frame`` feeds each column of canonical ``table``.

    Evidence, strongest first: the template's own header (``order_date``), a known tool's
    layout (``kpi/layouts.json``), a synonym in eight languages, the shape of the values.
    A column whose values contradict a synonym's kind (text where a date is needed) is not used;
    a blank or nearly blank column fills nothing while a filled candidate exists; among amount
    columns net of tax is preferred to gross. Required columns still unmatched are then filled
    from the values, and said to be doubtful. Each source column feeds at most one canonical
    column. ``name`` (file and sheet) tells the survey type when no column does.
    """
    spec = TABLES[table]
    headers = [str(h) for h in frame.columns]
    if profiles is None:
        profiles = column_profiles(frame)
    # ``known_layout``: the layout already matched by the caller (detect_table), or True.
    lay = match_layout(headers, frame) if known_layout is True else known_layout
    lay = lay if isinstance(lay, Layout) and lay.table == table else None
    notes: list[str] = []
    doubts: list[Doubt] = []
    evidence: dict[str, str] = {}
    # One candidate per (field, header): (filled, strength, score, preference, -order, ...).
    candidates: list[tuple] = []
    by_field: dict[str, list[tuple[float, int, str, str]]] = {}
    for order, col in enumerate(spec.columns):
        from_layout = layout_column(lay, col.name, headers) if lay else None
        for h in headers:
            prof = profiles[h]
            if h == from_layout:
                level, s = "layout", 1.0
            elif is_canonical(h, col):
                level, s = "canonical", 1.0
            else:
                s = header_score(h, col)
                if s <= 0 and col.name == "score" and survey_type_from_words([h])[0]:
                    s = 0.8  # the question itself: "How likely are you to recommend us?"
                if s <= 0 or not _fits_named(col, prof):
                    continue
                if col.name in _CONTACT and s < 0.95:
                    continue  # "Agent e-mail", "Campaign name": someone or something else
                if col.name not in _SPAN_FIELDS and duration_field(h):
                    continue  # "Full resolution time" is a span, not a resolution type
                level = "synonym"
            if (
                col.name == "survey_type"
                and level == "synonym"
                and not _holds_survey_types(frame[h])
            ):
                continue
            pref = amount_class(h) if col.name == "amount" else 1
            filled = prof["fill"] >= _NEARLY_BLANK
            bonus = 0.05 if col.required else 0.0
            key = (filled, _STRENGTH[level], round(s + bonus + 0.1 * pref, 3), -order)
            candidates.append((*key, col.name, h, level, s, pref))
            by_field.setdefault(col.name, []).append((s, pref, h, level))
    mapping: dict[str, str | None] = {c.name: None for c in spec.columns}
    used: set[str] = set()
    score = 0.0
    blank_fallback: dict[str, str] = {}
    for filled, _, _, _, name_, h, level, s, _pref in sorted(candidates, reverse=True):
        if mapping[name_] is not None or h in used:
            continue
        if not filled:
            blank_fallback.setdefault(name_, h)
            continue
        mapping[name_] = h
        used.add(h)
        evidence[name_] = level
        score += 0.0 if name_ in _CONTACT else s
    score += _contact_to_required(spec, mapping, evidence, by_field)
    for col in spec.columns:
        if col.name in ("first_response_at", "resolved_at") and mapping[col.name] is None:
            _duration_candidate(col.name, headers, profiles, used, mapping, evidence, notes)
    # Ids last: a column of customer ids is told from its values only in a table of orders
    # whose date and amount were found (a headerless transaction log such as CDNOW's).
    for col in sorted(spec.columns, key=lambda c: c.kind == "id"):
        if mapping[col.name] is not None or not col.required:
            continue
        if col.kind == "id" and (
            table != "orders" or not (mapping["order_date"] and mapping["amount"])
        ):
            continue
        h = _from_values(col, headers, profiles, used)
        if h is None and col.name in blank_fallback and blank_fallback[col.name] not in used:
            h = blank_fallback[col.name]
            evidence[col.name] = "blank"
            doubts.append(Doubt(col.name, h, None, "the only column named so, and it is blank"))
        elif h is not None:
            evidence[col.name] = "values"
            doubts.append(Doubt(col.name, h, None, "no header names it: chosen from its values"))
        if h is not None:
            mapping[col.name] = h
            used.add(h)
            score += 0.3
    _explain_choices(spec, mapping, evidence, by_field, profiles, notes, doubts)
    constants: dict[str, object] = {}
    if table == "surveys" and mapping.get("survey_type") is None:
        kind = lay.meaning.get("survey_type") if lay else None
        said = lay.label if kind and lay else ""
        if kind is None:
            kind, said = survey_type_from_words([*headers, *name.split(SHEET_SEP)])
        if kind:
            constants["survey_type"] = kind
            notes.append(f"survey type {kind.upper()}: from '{said}'.")
    missing = tuple(c for c in spec.required if mapping[c] is None)
    if lay:
        notes[:0] = list(lay.notes)
    return Suggestion(
        table,
        mapping,
        score,
        missing,
        layout=lay.name if lay else None,
        evidence=evidence,
        notes=tuple(notes),
        doubts=tuple(doubts),
        constants=constants,
    )


def _contact_to_required(spec: Table, mapping, evidence, by_field) -> float:
    """A required column no header was left for takes the header of a contact field that
    names it too: a customers file whose only key is "Email" keys its customers by e-mail.
    Returns the header scores of the columns filled so."""
    gained = 0.0
    for col in spec.columns:
        if not col.required or mapping[col.name] is not None:
            continue
        taken = {h: f for f, h in mapping.items() if f in _CONTACT and h is not None}
        for s, _pref, h, level in sorted(by_field.get(col.name, []), reverse=True):
            if h in taken:
                mapping[taken[h]] = None
                evidence.pop(taken[h], None)
                mapping[col.name] = h
                evidence[col.name] = level
                gained += s
                break
    return gained


def _holds_survey_types(values: pd.Series) -> bool:
    """A survey-type column holds the names of survey kinds (NPS, CSAT...), not any "type"."""
    sample = _first_filled(values, 50)
    if sample.empty:
        return False
    named = sample.astype(str).map(normalise).isin(_SURVEY_TYPES)
    return float(named.mean()) >= 0.5


def _duration_candidate(field_name, headers, profiles, used, mapping, evidence, notes) -> None:
    """A column of minutes or hours to the first reply (or resolution) fills that timestamp."""
    for h in headers:
        if h in used or duration_field(h) != field_name:
            continue
        prof = profiles[h]
        if prof["fill"] < _NEARLY_BLANK or (prof["number"] < 0.5 and prof["date"] >= 0.5):
            continue
        _, unit = duration_unit(h)
        mapping[field_name] = h
        used.add(h)
        evidence[field_name] = "synonym"
        what = "first response" if field_name == "first_response_at" else "resolution"
        notes.append(
            f"{what}: the ticket's creation plus '{h}' ({unit or 'minutes: the unit is not said'})."
        )
        return


def _names_a_phone(header: str) -> bool:
    return _header_score(header, TABLES["customers"].column("phone")) >= 0.95


def _from_values(col: Column, headers, profiles, used) -> str | None:
    """The first unused column whose values suit a required column that no header names."""
    best = None
    for h in headers:
        if h in used:
            continue
        p = profiles[h]
        if p["fill"] < _NEARLY_BLANK:
            continue
        if col.kind in ("date", "datetime") and _kind_fits(col.kind, p, share=0.8):
            return h
        if col.kind in ("money", "number", "score") and _kind_fits(col.kind, p, share=0.8):
            if p["counting"] or (col.kind == "score" and p["integer"] < 1):
                continue
            if _names_a_phone(h):
                continue  # "+49 30 1234567" reads as a number: a phone is no amount or score
            if col.kind == "money" and p["integer"] >= 1:
                # Whole numbers may be quantities or customer numbers: cents come first.
                best = best or h
                continue
            return h
        if col.kind == "id" and col.name == "customer_id" and p["date"] < 0.5:
            if p["number"] >= 0.8 and p["integer"] < 1:
                continue  # amounts are no customer
            if p["unique"] < 1 or p["number"] < 0.8:
                return h
    return best


def _explain_choices(spec, mapping, evidence, by_field, profiles, notes, doubts) -> None:
    """Say why the amount was chosen among several, and doubt a close call or a poor sample."""
    for col in spec.columns:
        chosen = mapping.get(col.name)
        if chosen is None or evidence.get(col.name) not in ("synonym", "layout", "canonical"):
            continue
        rivals = [c for c in by_field.get(col.name, []) if c[2] != chosen]
        rivals = [c for c in rivals if profiles[c[2]]["fill"] >= _NEARLY_BLANK]
        mine = next((c for c in by_field.get(col.name, []) if c[2] == chosen), None)
        if col.name == "amount" and rivals and mine is not None and mine[3] != "layout":
            beaten = [c for c in rivals if c[1] < mine[1]]
            if beaten:
                names = ", ".join(f"'{c[2]}'" for c in beaten)
                notes.append(
                    f"amount: '{chosen}' ({_CLASS_WORDS[mine[1]]}) chosen over {names}: "
                    "revenue is counted net of tax, tips and shipping."
                )
        if not col.required and col.name != "amount":
            continue
        if mine is not None and evidence[col.name] == "synonym":
            close = [
                c
                for c in rivals
                if c[3] == "synonym" and c[1] == mine[1] and c[0] >= mine[0] - 0.05
            ]
            if close:
                doubts.append(
                    Doubt(col.name, chosen, close[0][2], "another column is named almost as well")
                )
        p = profiles[chosen]
        if col.required and evidence[col.name] != "layout":
            if col.kind in ("date", "datetime"):
                ok = max(p["date"], p["serial"])
            elif col.kind in ("money", "number", "score"):
                ok = p["number"]
            else:
                ok = 1.0
            if ok < 0.9:
                doubts.append(
                    Doubt(
                        col.name,
                        chosen,
                        None,
                        f"about {round(100 * (1 - ok))} % of its sampled cells cannot be read",
                    )
                )
    key = {"customers": "customer_id", "tickets": "ticket_id", "leads": "lead_id"}.get(spec.name)
    chosen = mapping.get(key) if key else None
    if chosen and profiles[chosen]["unique"] < 0.9:
        doubts.append(
            Doubt(
                key,
                chosen,
                None,
                f"{round(100 * (1 - profiles[chosen]['unique']))} % of its sampled values "
                "repeat, and a repeat is rejected",
            )
        )


def column_profiles(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per column, the shares of sampled cells that look like dates and numbers."""
    return {str(h): _value_profile(frame[h]) for h in frame.columns}


def _strength(sug: Suggestion, spec: Table, frame_headers: list[str]) -> float:
    """Mean evidence of the required columns: a header's score, 0.3 for values, 0 if missing."""
    total = 0.0
    for c in spec.required:
        h = sug.mapping.get(c)
        level = sug.evidence.get(c)
        if h is None or level in ("values", "blank"):
            total += 0.3 if h else 0.0
        elif level in ("canonical", "layout"):
            total += 1.0
        else:
            total += header_score(h, spec.column(c)) or 0.9
    return total / max(1, len(spec.required))


def detect_table(frame: pd.DataFrame, *, name: str = "") -> list[Suggestion]:
    """Rank the canonical tables by how well ``frame`` fits them, best first.

    A table is chosen by its required columns, not by a sum of optional matches: first the
    tables with every required column; then a known tool's layout; then the template's own
    column names (``lead_id``, ``touch_type``) the file uses; then how many required
    columns are met (two or more named by headers beat one; one found from its values counts
    half); then tables whose every required column is named before those resting on values;
    then how many columns the table explains by their headers; then the mean strength of the
    required columns' names, the file or sheet name ("zamowienia.csv",
    "Ankieta NPS") adding a tenth; then the number of required columns (orders over spend
    when both fit); the optional matches break what ties remain.
    """
    hint = normalise(name)
    headers = [str(h) for h in frame.columns]
    ranked = []
    profiles = column_profiles(frame)
    lay = match_layout(headers, frame)
    for table, spec in TABLES.items():
        sug = suggest_mapping(frame, table, profiles=profiles, name=name, known_layout=lay)
        strong = sug.complete and all(
            sug.evidence.get(c) in ("canonical", "layout", "synonym") for c in spec.required
        )
        if table == "touches" and not any(sug.mapping[c] for c in sug.mapping if c != "date"):
            strong = False  # a date alone says nothing of calls and visits
        hinted = any(h in hint for h in spec.file_hints)
        mean = _strength(sug, spec, headers) + (0.1 if hinted else 0.0)
        met = len(spec.required) if strong else 0
        named = sum(
            sug.evidence.get(c) in ("canonical", "layout", "synonym") for c in spec.required
        )
        shaped = sum(sug.evidence.get(c) == "values" for c in spec.required)
        # The template's own names ("lead_id", "touch_type"; not a bare "date") say the most.
        template = sum(
            "_" in c.name and str(sug.mapping.get(c.name) or "").strip().lower() == c.name
            for c in spec.columns
        )
        key = (
            sug.complete,
            lay is not None and lay.table == table,
            template,
            # Two required columns met outweigh one (a date and an amount say more than a
            # date alone); one found from its values counts half.
            min(named + 0.5 * shaped, 2.0),
            strong,
            # Then how many of the file's columns the table explains by their headers: a
            # customer column is unexplained in a spend table, a campaign in an orders table.
            # A name, e-mail or phone says a person, not which table (a staff list has them).
            sum(
                level in ("canonical", "layout", "synonym")
                for c, level in sug.evidence.items()
                if c not in _CONTACT
            ),
            round(mean, 2),
            met,
            round(sug.score, 3),
            -list(TABLES).index(table),
        )
        ranked.append((key, sug))
    ranked.sort(key=lambda t: t[0], reverse=True)
    return [dataclasses.replace(s, score=float(k[6])) for k, s in ranked]


def mapping_entry(
    source: str,
    headers: list[str] | pd.Index,
    table: str,
    columns: Mapping[str, str | None],
    *,
    date_orders: Mapping[str, str] | None = None,
    constants: Mapping[str, object] | None = None,
    layout: str | None = None,
) -> dict[str, dict[str, object]]:
    """One source's confirmed mapping, as written to a mapping file (see ``mapping_from_json``).

    The header signature lets a later file of the same layout be mapped by it without asking.
    """
    entry: dict[str, object] = {
        "table": table,
        "columns": {k: v for k, v in columns.items() if v},
        "signature": header_signature(list(headers)),
    }
    if date_orders:
        entry["date_orders"] = dict(date_orders)
    if constants:
        entry["constants"] = dict(constants)
    if layout:
        entry["layout"] = layout
    return {source: entry}


def saved_mapping_for(
    saved: Mapping[str, Mapping[str, object]], source: str, headers: list[str] | pd.Index
) -> Mapping[str, object] | None:
    """The saved mapping for a source: by its name, its file's name, or its header signature."""
    entry = saved.get(source) or saved.get(source.split(SHEET_SEP)[0])
    if entry is not None:
        return entry
    sig = header_signature(list(headers))
    return next((e for e in saved.values() if e.get("signature") == sig), None)


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
