"""People's names and units for the KPI keys of KPI_CATALOGUE.md.

``LABELS[key] = (name, unit)``; units: ``money`` (the data's currency), ``share`` (a
fraction shown as a percentage), ``count``, ``points`` (NPS), ``hours``, ``months``,
``ratio`` (times), ``score`` (a mean on the survey's scale), ``text``, ``number``.
Keys ending in ``_by_<attribute>`` map a label to a value of the same unit.
"""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "revenue": ("Revenue", "money"),
    "orders": ("Orders", "count"),
    "refunds": ("Refunds", "count"),
    "active_customers": ("Active customers", "count"),
    "new_customers": ("New customers", "count"),
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
    "churn_rate": ("Churn rate", "share"),
    "customer_retention_rate": ("Customer retention rate", "share"),
    "inactive_customers": ("Inactive customers", "count"),
    "nrr": ("Net revenue retention", "share"),
    "grr": ("Gross revenue retention", "share"),
    "median_customer_lifetime": ("Median customer lifetime", "months"),
    "sbg_alpha": ("sBG alpha", "number"),
    "sbg_beta": ("sBG beta", "number"),
    "ltv_simple": ("LTV (simple)", "money"),
    "clv_visit": ("CLV (visit form)", "money"),
    "clv_purchase": ("CLV (purchase form)", "money"),
    "ltv_profit": ("LTV (profit form)", "money"),
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
    "customer_retention": ("Cohort retention (customers)", "share"),
    "revenue_retention": ("Cohort retention (revenue)", "share"),
}


def label(key: str) -> tuple[str, str]:
    """Name and unit of a KPI key; an unknown key reads as its words, unit ``number``.

    >>> label("cac"), label("tickets_by_weekday")
    (('Customer acquisition cost (CAC)', 'money'), ('Tickets by weekday', 'number'))
    """
    if key in LABELS:
        return LABELS[key]
    words = key.replace("_", " ").strip()
    return (words[:1].upper() + words[1:], "number")
