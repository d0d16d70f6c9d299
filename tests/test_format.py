"""Numbers on screen, as people read them."""

from __future__ import annotations

import math

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
