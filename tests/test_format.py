"""Numbers on screen, as people read them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ui import format as fmt


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (1240.4, "EUR", "€ 1,240"),
        (12.5, "USD", "$ 12.50"),
        (-12.5, "PLN", "-12.50 zł"),
        (1_000_000, "CHF", "1,000,000 CHF"),
        (None, "EUR", "—"),
        (math.nan, "EUR", "—"),
    ],
)
def test_money(value, currency, expected):
    assert fmt.money(value, currency) == expected


def test_percent_change_hours_months():
    assert fmt.percent(0.124) == "12.4 %"
    assert fmt.change(0.041) == "+4.1 %"
    assert fmt.change(None) is None
    assert fmt.hours(0.5) == "30 min"
    assert fmt.hours(76) == "3 d 4 h"
    assert fmt.hours(48) == "2 d"
    assert fmt.months(14.24) == "14.2 months"
    assert fmt.ratio(3.21) == "3.2×"
    assert fmt.points(45) == "+45"
    assert fmt.number(1234567) == "1,234,567"


def test_model_warnings_are_plain_with_parameter_names_kept_for_details():
    from ui import format as fmt

    jargon = (
        "The BG/NBD fit did not settle: the data hardly constrain r, alpha (the likelihood is "
        "flat there), so the estimates would be arbitrary. Widen the date range."
    )
    plain, details = fmt.plain_model_warning(jargon)
    assert not any(word in plain for word in ("alpha", "likelihood", "BG/NBD", " r,"))
    assert details == jargon
    assert fmt.plain_model_warning("Needs more customers.") == ("Needs more customers.", None)


def test_percentage_points_for_rate_changes():
    from ui import format as fmt

    assert fmt.pp(-0.004) == "-0.4 pp"
    assert fmt.pp(0.0125, 2) == "+1.25 pp"
    assert fmt.pp(float("nan")) == fmt.DASH


def test_categories_are_cased_by_one_rule_in_charts_filters_and_tables(app_test):
    import json

    from ui import growth_charts

    # "google ads", "Google_ads" and "google_ads" are written the same way everywhere
    assert {fmt.category(v) for v in ("google ads", "Google_ads", "google_ads")} == {"Google ads"}
    assert growth_charts.label("google ads") == fmt.category("google ads")
    at = app_test()
    at.session_state["filters_open"] = True  # the filter panel open, as a click leaves it
    at.switch_page("pages/2_Acquisition.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # the sample's channels are lower case in the data: ads, partner, referral, search, social
    expected = ["Ads", "Partner", "Referral", "Search", "Social"]
    assert at.sidebar.multiselect(key="_w_channel").options == expected
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    shown = {str(x) for s in specs for t in s["data"] for x in [*(t.get("x") or []),
                                                                *(t.get("y") or [])]}  # fmt: skip
    assert "Ads" in shown and "ads" not in shown
    # a drill-down table shows them so too; its downloads keep the data's own values
    from ui import cards

    rows = pd.DataFrame({"channel": ["google ads", None], "amount": [1.0, 2.0]})
    shown = cards._categories_cased(rows, cards.readable(rows))
    assert shown.iloc[:, 0].tolist()[0] == "Google ads" and pd.isna(shown.iloc[1, 0])
    assert rows["channel"].tolist()[0] == "google ads"
