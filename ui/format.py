"""Numbers, money, shares and durations written the way people read them.

Pure functions (no streamlit), used by every page, card and chart label. Missing values are
shown as an em dash so a card never reads "nan".
"""

from __future__ import annotations

import math

import pandas as pd
from pandas.io.formats.style import Styler

DASH = "—"

# Symbol written before the amount; other currencies are written as a code after it.
_PREFIX = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
_SUFFIX = {"PLN": "zł", "RUB": "₽", "UAH": "₴", "CZK": "Kč", "RON": "lei", "TRY": "₺"}
CURRENCIES = ("EUR", "USD", "GBP", "PLN", "RUB", "RON", "CHF", "CZK", "UAH", "SEK", "NOK",
              "DKK", "HUF", "BGN", "RSD", "HRK", "JPY", "INR", "TRY")  # fmt: skip


def _missing(x: object) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(x: float | int | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``1,235``; ``number(3.14159, 2)`` -> ``3.14``."""
    if _missing(x):
        return DASH
    return f"{float(x):,.{decimals}f}"  # type: ignore[arg-type]


def compact(x: float | None) -> str:
    """Short form for axes and tight cards: ``12.4k``, ``3.1M``.

    >>> compact(12_400), compact(3_100_000), compact(950)
    ('12.4k', '3.1M', '950')
    """
    if _missing(x):
        return DASH
    v = float(x)  # type: ignore[arg-type]
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:,.1f}{suffix}"
    return f"{v:,.0f}"


def money(x: float | None, currency: str | None = "EUR", *, decimals: int | None = None) -> str:
    """Money with its currency: ``€ 1,240``, ``1,240 zł``, ``1,240 CHF``.

    Whole units from 100 up, cents below.

    >>> money(1240.4, "EUR"), money(-12.5, "PLN"), money(99.5, None)
    ('€ 1,240', '-12.50 zł', '99.50')
    """
    if _missing(x):
        return DASH
    v = float(x)  # type: ignore[arg-type]
    d = decimals if decimals is not None else (0 if abs(v) >= 100 else 2)
    body = f"{abs(v):,.{d}f}"
    sign = "-" if v < 0 else ""
    if currency in _PREFIX:
        return f"{sign}{_PREFIX[currency]} {body}"
    if currency in _SUFFIX:
        return f"{sign}{body} {_SUFFIX[currency]}"
    return f"{sign}{body} {currency}" if currency else f"{sign}{body}"


def currency_symbol(currency: str | None) -> str:
    """The mark shown with amounts: ``€``, ``zł``, or the code itself."""
    if not currency:
        return ""
    return _PREFIX.get(currency) or _SUFFIX.get(currency) or currency


def percent(share: float | None, decimals: int = 1) -> str:
    """A share (0-1) as a percentage: ``0.124`` -> ``12.4 %``; a tiny negative is ``0.0 %``.

    >>> percent(0.124), percent(-0.00001)
    ('12.4 %', '0.0 %')
    """
    if _missing(share):
        return DASH
    value = round(100 * float(share), decimals) + 0.0  # type: ignore[arg-type]  # no "-0.0"
    return f"{value:,.{decimals}f} %"


def change(rel: float | None) -> str | None:
    """Relative change for a card's delta: ``+4.1 %``; None when unknown (no delta shown)."""
    if _missing(rel):
        return None
    return f"{100 * float(rel):+,.1f} %"  # type: ignore[arg-type]


def pp(diff: float | None, decimals: int = 1) -> str:
    """A difference of two shares in percentage points: ``-0.004`` -> ``-0.4 pp``.

    >>> pp(-0.004), pp(0.05, 0), pp(0.0)
    ('-0.4 pp', '+5 pp', '±0.0 pp')
    """
    if _missing(diff):
        return DASH
    value = round(100 * float(diff), decimals) + 0.0  # type: ignore[arg-type]
    sign = "±" if value == 0 else ""
    return f"{sign}{value:+,.{decimals}f} pp".replace("±+", "±")


def plain_model_warning(message: str) -> tuple[str, str | None]:
    """A model-fit failure in plain words, and the technical message for the details.

    A fit that "did not settle" or "did not converge" (kpi.models.ConvergenceError) names
    parameters (r, alpha, a, b) that mean nothing in a meeting: it becomes one sentence on what
    happened and what helps, with the original kept for the analyst. Other messages are plain
    already and come back as they are, with no details.

    >>> plain, details = plain_model_warning("The BG/NBD fit did not settle: the data hardly "
    ...     "constrain r, alpha (the likelihood is flat there). Add more history.")
    >>> plain.startswith("The purchase model could not be fitted"), "alpha" in plain
    (True, False)
    >>> plain_model_warning("Needs 50 customers; found 3.")
    ('Needs 50 customers; found 3.', None)
    """
    if "fit did not settle" in message or "fit did not converge" in message:
        return (
            "The purchase model could not be fitted reliably to this data: it has too little "
            "history or too few repeat customers to pin the model down.",
            message,
        )
    return message, None


def hours(h: float | None) -> str:
    """Durations: ``45 min``, ``5.2 h``, ``3 d 4 h``.

    >>> hours(0.75), hours(5.2), hours(76)
    ('45 min', '5.2 h', '3 d 4 h')
    """
    if _missing(h):
        return DASH
    v = float(h)  # type: ignore[arg-type]
    if v < 1:
        return f"{v * 60:.0f} min"
    if v < 48:
        return f"{v:.1f} h"
    days, rest = divmod(round(v), 24)
    return f"{days} d {rest} h" if rest else f"{days} d"


def months(m: float | None) -> str:
    """``14.2 months``; ``1 month``."""
    if _missing(m):
        return DASH
    v = float(m)  # type: ignore[arg-type]
    return "1 month" if round(v, 1) == 1 else f"{v:,.1f} months"


def ratio(x: float | None) -> str:
    """``3.2×`` (LTV/CAC and other multiples)."""
    if _missing(x):
        return DASH
    return f"{float(x):,.1f}×"  # type: ignore[arg-type]


def points(x: float | None) -> str:
    """NPS points: ``+45``, ``-12``."""
    if _missing(x):
        return DASH
    return f"{float(x):+.0f}"  # type: ignore[arg-type]


def day(ts: object) -> str:
    """A date as people read it: ``3 Feb 2025``."""
    if _missing(ts):
        return DASH
    t = pd.Timestamp(ts)  # type: ignore[arg-type]
    return f"{t.day} {t.strftime('%b %Y')}"


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]()#+-.!|<>~$"})


CATEGORY_COLUMNS = ("channel", "source", "segment", "region", "plan")
"""Columns whose values are categories the data names in its own casing (``google ads``,
``Google Ads``): the screen writes them by :func:`category`, in charts, tables and filters."""


def category(value: object) -> str:
    """A category as the screen writes it everywhere: underscores as spaces, the first
    letter upper case, the rest as in the data (so "google ads" and "google_ads" read the
    same as "Google ads").

    >>> category("cold_call"), category("google ads"), category("web"), category("B2B")
    ('Cold call', 'Google ads', 'Web', 'B2B')
    """
    text = str(value).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else str(value)


def md(text: object) -> str:
    r"""Escape text from a file (a name, a header, a cell) for use inside Markdown.

    >>> print(md("<b>[x](y)</b>"))
    \<b\>\[x\]\(y\)\</b\>
    """
    return str(text).replace("\n", " ").translate(_MD_SPECIAL)


def counts(frame: pd.DataFrame) -> Styler:
    """A table of counts for ``st.dataframe``: thousands separators, a dash where n/a."""
    return frame.style.format(thousands=",", precision=0, na_rep=DASH)
