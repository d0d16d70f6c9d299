"""People's names and units for the KPI keys of KPI_CATALOGUE.md.

``LABELS[key] = (name, unit)``; units: ``money`` (the data's currency), ``share`` (a
fraction shown as a percentage), ``count``, ``points`` (NPS), ``hours``, ``months``,
``ratio`` (times), ``score`` (a mean on the survey's scale), ``text``, ``number``.
Keys ending in ``_by_<attribute>`` map a label to a value of the same unit.

Also the category labels the KPIs recognise in data (a referral source, an upsell or
cross-sell revenue type) in the app's eight languages: :data:`CATEGORY_WORDS` and
:func:`canonical`.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

LABELS: dict[str, tuple[str, str]] = {
    "revenue": ("Revenue", "money"),
    "orders": ("Orders", "count"),
    "refunds": ("Refunds", "count"),
    "active_customers": ("Active customers", "count"),
    "new_customers": ("New customers", "count"),
    "signups_without_order": ("Sign-ups without an order", "count"),
    "average_order_value": ("Average order value", "money"),
    "arpu": ("Revenue per customer (ARPU)", "money"),
    "repeat_customer_rate": ("Repeat customer rate", "share"),
    "cac": ("Customer acquisition cost (CAC)", "money"),
    "cac_by_channel": ("CAC by channel", "money"),
    "cpl": ("Cost per lead", "money"),
    "lead_conversion_rate": ("Lead conversion rate", "share"),
    "acquisition_share_by_source": ("Share of new customers by source", "share"),
    "touches_to_close": ("Touches to close (mean)", "number"),
    "referral_rate": ("Referral rate", "share"),
    "organic_growth_rate": ("Organic growth", "share"),
    "revenue_by_type": ("Revenue by type", "money"),
    "upsell_revenue": ("Upsell and cross-sell revenue", "money"),
    "profit_per_customer": ("Profit per customer", "money"),
    "net_cash": ("Net cash", "money"),
    "churn_rate": ("Churn rate over the range", "share"),
    "customer_retention_rate": ("Customer retention rate over the range", "share"),
    "new_customers_lost": ("New customers lost within the range", "count"),
    "churn_rate_per_period": ("Churn rate per period", "share"),
    "churn_period": ("Churn period", "text"),
    "inactive_customers": ("Inactive customers", "count"),
    "nrr": ("Net revenue retention against the range before", "share"),
    "grr": ("Gross revenue retention against the range before", "share"),
    "median_customer_lifetime": ("Median customer lifetime", "months"),
    "sbg_alpha": ("sBG alpha", "number"),
    "sbg_beta": ("sBG beta", "number"),
    "ltv_simple": ("LTV (simple)", "money"),
    "clv_visit": ("CLV (visit form)", "money"),
    "clv_purchase": ("CLV (purchase form)", "money"),
    "ltv_profit": ("LTV (profit form, orders with a cost)", "money"),
    "ltv_retention": ("LTV (retention form)", "money"),
    "clv_model_mean": ("Model-based CLV (mean)", "money"),
    "ltv_to_cac": ("LTV / CAC", "ratio"),
    "cac_payback_months": ("CAC payback", "months"),
    "nps": ("Net Promoter Score", "points"),
    "nps_band": ("NPS band", "text"),
    "nps_margin_of_error": ("NPS margin of error (95 %)", "points"),
    "csat_mean": ("CSAT (mean score)", "score"),
    "csat_satisfied_share": ("CSAT (share satisfied)", "share"),
    "enps": ("Employee NPS", "points"),
    "first_response_hours_median": ("First response, median", "hours"),
    "first_response_hours_mean": ("First response, mean", "hours"),
    "resolution_hours_median": ("Resolution, median", "hours"),
    "resolution_hours_mean": ("Resolution, mean", "hours"),
    "open_tickets": ("Open tickets (backlog)", "count"),
    "resolved_tickets": ("Resolved tickets", "count"),
    "complaints": ("Complaints", "count"),
    "escalation_rate": ("Escalation rate", "share"),
    "sla_compliance": ("SLA compliance", "share"),
    "tickets_per_agent_day": ("Tickets resolved per agent-day", "number"),
    "employee_turnover_rate": ("Employee turnover", "share"),
    "touches_per_customer": ("Touches per customer", "number"),
    "marketing_response_rate": ("Marketing response rate", "share"),
    "marketing_response_rate_by_channel": ("Marketing response rate by channel", "share"),
    "complaints_outstanding": ("Complaints still open", "count"),
    "complaints_resolved": ("Complaints resolved", "count"),
    "complaints_escalated": ("Complaints escalated", "count"),
    "complaints_by": ("Complaints by type, employee, contract and resolution", "count"),
    "complaints_per_customer": ("Complaints per active customer", "number"),
    "service_contact_conversion": ("Orders within 30 days of a service contact", "share"),
    "employee_satisfaction_mean": ("Employee satisfaction (mean score)", "score"),
    "employee_satisfaction_scale_max": ("Employee satisfaction scale (top score)", "number"),
    "nps_change": ("NPS change against the range before", "points"),
    "nps_change_p_value": ("NPS change, p-value (two-sample z test)", "number"),
    "csat_change": ("CSAT change against the range before", "score"),
    "csat_change_p_value": ("CSAT change, p-value (Welch's t-test)", "number"),
    "engagement_minutes_per_customer": ("Engagement minutes per customer", "number"),
    "customer_retention": ("Cohort retention (customers)", "share"),
    "revenue_retention": ("Cohort retention (revenue)", "share"),
}


# keys whose name depends on the period they were measured over (the JSON's churn_period)
PER_PERIOD = {"churn_rate_per_period": "Churn per {period}"}


def label(key: str, *, period: str | None = None) -> tuple[str, str]:
    """Name and unit of a KPI key; an unknown key reads as its words, unit ``number``.

    ``period`` ("month", ...) names the period of a per-period key (``churn_rate_per_period``
    with its ``churn_period``), so that it reads "Churn per month", not "per period".

    >>> label("cac"), label("tickets_by_weekday")
    (('Customer acquisition cost (CAC)', 'money'), ('Tickets by weekday', 'number'))
    >>> label("churn_rate_per_period", period="month")
    ('Churn per month', 'share')
    """
    if key in PER_PERIOD and period:
        return (PER_PERIOD[key].format(period=str(period).lower()), LABELS[key][1])
    if key in LABELS:
        return LABELS[key]
    words = key.replace("_", " ").strip()
    return (words[:1].upper() + words[1:], "number")


# --- category labels in the eight languages (en, ru, pl, ro, sl, de, fr, es) --------------------

CATEGORY_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    # a lead source or acquisition channel that means "came by referral"
    "referral": {
        "en": ("referral", "referrals", "referred", "word of mouth", "recommendation"),
        "ru": ("рекомендация", "рекомендации", "по рекомендации", "реферал", "сарафанное радио"),
        "pl": ("polecenie", "polecenia", "z polecenia", "rekomendacja", "poczta pantoflowa"),
        "ro": ("recomandare", "recomandări", "recomandari", "referință", "referinta"),
        "sl": ("priporočilo", "priporočila", "priporočeno", "napotitev"),
        "de": ("empfehlung", "empfehlungen", "weiterempfehlung", "mundpropaganda"),
        "fr": ("recommandation", "parrainage", "bouche à oreille", "recommandé"),
        "es": ("recomendación", "recomendaciones", "referido", "referidos", "boca a boca"),
    },
    # an order's revenue_type that means an upsell (more or better of what the customer has)
    "upsell": {
        "en": ("upsell", "up sell", "upselling", "upgrade"),
        "ru": ("допродажа", "допродажи", "апсейл", "апселл"),
        "pl": ("dosprzedaż", "sprzedaż dodatkowa", "upselling"),
        "ro": ("vânzare suplimentară", "vanzare suplimentara", "upselling"),
        "sl": ("dodatna prodaja", "nadprodaja", "dvig prodaje"),
        "de": ("zusatzverkauf", "höherverkauf", "upselling"),
        "fr": ("vente additionnelle", "vente incitative", "montée en gamme"),
        "es": ("venta adicional", "venta ascendente", "venta incremental"),
    },
    # an order's revenue_type that means a cross-sell (another product to the same customer)
    "cross_sell": {
        "en": ("cross sell", "crosssell", "cross selling"),
        "ru": ("кросс-продажа", "кросс-продажи", "перекрёстная продажа", "кросселл"),
        "pl": ("sprzedaż krzyżowa", "cross selling"),
        "ro": ("vânzare încrucișată", "vanzare incrucisata", "vânzare încrucişată"),
        "sl": ("navzkrižna prodaja", "križna prodaja"),
        "de": ("querverkauf", "kreuzverkauf", "cross selling"),
        "fr": ("vente croisée", "ventes croisées"),
        "es": ("venta cruzada", "ventas cruzadas"),
    },
}


def fold(text: str) -> str:
    """A label as compared: lower case, accents and other marks dropped, runs of spaces,
    hyphens, dots and slashes as one underscore.

    >>> fold(" Vânzare  încrucișată"), fold("Cross-sell"), fold("Priporočilo")
    ('vanzare_incrucisata', 'cross_sell', 'priporocilo')
    """
    decomposed = unicodedata.normalize("NFKD", str(text).strip().lower())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s\-_./]+", "_", bare).strip("_")


_CATEGORY_OF = {
    fold(word): key
    for key, languages in CATEGORY_WORDS.items()
    for word in (key, *(w for words in languages.values() for w in words))
}


def canonical(values: pd.Series) -> pd.Series:
    """Each label as its category key when it reads as one (:data:`CATEGORY_WORDS`), else
    folded (:func:`fold`); blanks stay NA. Only the distinct values are folded.

    >>> canonical(pd.Series(["Рекомендация", "кросс-продажа", "Upsell", "Ads", None])).tolist()
    ['referral', 'cross_sell', 'upsell', 'ads', <NA>]
    """
    text = values.astype("string")
    distinct = text.dropna().unique()
    mapping = {}
    for value in distinct:
        key = fold(value)
        mapping[value] = _CATEGORY_OF.get(key, key) or pd.NA
    out = text.map(mapping).astype("string")
    return out.where(out.notna() & (out != ""))
