"""The BG/NBD repeat-customer terms, computed in place, give the very bits of the formula
written out per customer (so a fit's path, and the report, stay the same)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from kpi import models

DATA = Path(__file__).resolve().parent / "data"


def _written_out(terms, r, alpha, a, b):
    """-(r + x) ln(alpha + T) + ln(1 + e^d) and its slopes, each customer's value in full."""
    x, big_t, tx, w = terms.x, terms.big_t, terms.tx, terms.w
    rx = r + x
    alpha_t, alpha_tx = alpha + big_t, alpha + tx
    log_t, log_tx = np.log(alpha + big_t), np.log(alpha + tx)
    log_ratio = log_t - log_tx
    d = (np.log(a) - np.log(b + x - 1)) + rx * log_ratio
    share = expit(d)
    return (
        float(np.sum(w * (np.logaddexp(0.0, d) - rx * log_t))),
        float(-np.sum(w * (log_t - share * log_ratio))),
        float(-np.sum(w * rx * ((1 - share) / alpha_t + share / alpha_tx))),
        float(np.sum(w * share) / a),
        float(-np.sum(w * share / (b + x - 1))),
    )


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 0.5, 3.0, 0.7)])
def test_repeat_customer_terms_are_the_formula_to_the_bit(params):
    cdnow = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    x, tx, big_t = (cdnow[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    terms = models._BgNbdTerms(x, tx, big_t, np.ones(len(x)))
    assert terms._repeat_customers(*params) == _written_out(terms, *params)
