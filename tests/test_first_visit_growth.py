"""A first visit to Home, Acquisition, Revenue and Satisfaction: cached numbers, lazy tables.

The pages' KPIs are cached (ui/caching.py): shared by every session on the sample, kept per
session on an upload. The cards must show what the kpi functions give on the same tables, in
a new session and in the next one (served by the shared cache), and an upload must never be
shown the sample's cached numbers. A first view sends no table that is drawn closed.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from kpi import acquisition as acq
from kpi import base, satisfaction
from kpi.filters import data_range
from kpi.ingest import load_files
from kpi.periods import in_days
from tests.conftest import ROOT
from ui import format as fmt

HOME, ACQUISITION, REVENUE, SATISFACTION = (
    "app.py",
    "pages/2_Acquisition.py",
    "pages/3_Revenue.py",
    "pages/7_Satisfaction.py",
)


@functools.cache
def _sample():
    files = [(p.name, p.read_bytes()) for p in sorted((ROOT / "sample_data").glob("*.csv"))]
    return load_files(files)


def _open(make, page, dataset=None):
    at = make()
    if dataset is not None:
        at.session_state["dataset"] = dataset
    at.run()
    if page != HOME:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected(page: str) -> dict[str, str]:
    """The page's card values as it formats them, from the kpi functions on the sample."""
    ds = _sample()
    t, cur = ds.tables, ds.currency or "EUR"
    start, end = data_range(t)
    o, c = t["orders"], t["customers"]
    if page == HOME:
        h = base.headline(o, c, start=start, end=end)
        return {
            "Revenue": fmt.money(h["revenue"], cur),
            "Orders": fmt.number(h["orders"]),
            "Active customers": fmt.number(h["active_customers"]),
            "New customers": fmt.number(h["new_customers"]),
            "Average order value": fmt.money(h["average_order_value"], cur),
            "Repeat customer rate": fmt.percent(h["repeat_customer_rate"]),
        }
    if page == ACQUISITION:
        s, leads, touches = t["spend"], t["leads"], t["touches"]
        window = {"start": start, "end": end}
        return {
            "CAC": fmt.money(acq.cac(s, o, c, **window).cac, cur),
            "CPL": fmt.money(acq.cpl(s, leads, **window).cpl, cur),
            "Lead conversion": fmt.percent(acq.lead_conversion_rate(leads, **window).rate),
            "Referral rate": fmt.percent(
                acq.referral_rate(o, leads=leads, customers=c, **window).rate
            ),
            "Touches to close": fmt.number(acq.touches_to_close(touches, leads, **window).mean, 1),
            "Marketing response": fmt.percent(acq.marketing_response_rate(touches, **window)),
        }
    if page == REVENUE:
        h = base.headline(o, start=start, end=end)
        return {
            "Revenue": fmt.money(h["revenue"], cur),
            "ARPU": fmt.money(h["arpu"], cur),
            "Average order value": fmt.money(h["average_order_value"], cur),
            "Repeat customer rate": fmt.percent(h["repeat_customer_rate"]),
        }
    surveys = t["surveys"]
    kinds = satisfaction.survey_kinds(surveys)
    nps = satisfaction.net_promoter_score(surveys[(kinds == "nps").to_numpy()])
    csat = satisfaction.csat(surveys[(kinds == "csat").to_numpy()])
    enps = satisfaction.employee_net_promoter_score(surveys)
    return {
        "NPS": fmt.points(nps.score),
        "CSAT": f"{fmt.number(csat.mean, 2)} of {csat.scale_max}",
        "eNPS": fmt.points(enps.score),
    }


@pytest.mark.parametrize("page", [HOME, ACQUISITION, REVENUE, SATISFACTION])
def test_a_new_session_shows_the_kpi_functions_numbers_and_so_does_the_next(app_test, page):
    expected = _expected(page)
    first = _cards(_open(app_test, page))
    assert {k: first.get(k) for k in expected} == expected
    # A second new session on the sample is served from the shared cache: the same numbers.
    second = _cards(_open(app_test, page))
    assert {k: second.get(k) for k in expected} == expected


# A small upload, its numbers worked by hand:
#   orders: a 100 (3 Jan), b 50 (10 Jan), a 30 (1 Feb): revenue 180, 3 orders, AOV 60,
#           2 active customers, 1 with two orders: repeat rate 50 %.
#   spend:  90 on 1 Jan, no kind: CAC 90 / 2 new customers (a and b, acquired in January) = 45.
#   surveys: NPS answers 10, 9, 3, 7: (2 promoters - 1 detractor) / 4 = +25.
UPLOAD = [
    ("orders.csv", b"customer_id,order_date,amount\na,2025-01-03,100\nb,2025-01-10,50\n"
                   b"a,2025-02-01,30\n"),
    ("spend.csv", b"date,amount\n2025-01-01,90\n"),
    ("surveys.csv", b"date,survey_type,score\n2025-01-05,nps,10\n2025-01-06,nps,9\n"
                    b"2025-01-07,nps,3\n2025-01-08,nps,7\n"),
]  # fmt: skip


@pytest.mark.parametrize(
    "page, label, value",
    [
        (HOME, "Revenue", fmt.money(180.0, "EUR")),
        (REVENUE, "Average order value", fmt.money(60.0, "EUR")),
        (REVENUE, "Repeat customer rate", fmt.percent(0.5)),
        (ACQUISITION, "CAC", fmt.money(45.0, "EUR")),
        (SATISFACTION, "NPS", fmt.points(25.0)),
    ],
)
def test_an_upload_is_never_shown_the_samples_cached_numbers(app_test, page, label, value):
    on_sample = _cards(_open(app_test, page))  # the sample's numbers, now in the shared cache
    assert on_sample[label] == _expected(page)[label] != value
    upload = load_files(UPLOAD)
    assert (upload.currency or "EUR") == "EUR"
    shown = _cards(_open(app_test, page, dataset=upload))
    assert shown[label] == value
    # and the sample, in a new session, still reads its own numbers
    assert _cards(_open(app_test, page))[label] == on_sample[label]


# The closed expanders of each page whose opening shows a table, and the rows it then shows.
def _nps_answers() -> int:
    surveys = _sample().tables["surveys"]
    nps = surveys[(satisfaction.survey_kinds(surveys) == "nps").to_numpy()]
    return int(in_days(pd.to_datetime(nps["date"]), *data_range(_sample().tables)).sum())


def _orders_in_range() -> int:
    t = _sample().tables
    start, end = data_range(t)
    return len(base.orders_in_range(t["orders"], start=start, end=end))


def _leads_created() -> int:
    t = _sample().tables
    return int(in_days(t["leads"]["created_date"], *data_range(t)).sum())


@pytest.mark.parametrize(
    "page, key, rows",
    [
        (HOME, "rows_home_revenue", _orders_in_range),
        (ACQUISITION, "rows_acq_conversion", _leads_created),
        (REVENUE, "rows_rev_revenue", _orders_in_range),
        (SATISFACTION, "sat_nps_answers", _nps_answers),
    ],
)
def test_a_first_view_sends_no_closed_table_and_opening_one_shows_it(app_test, page, key, rows):
    at = _open(app_test, page)
    closed = [e for e in at.expander if not e.proto.expanded]
    assert closed, "the page has closed expanders"
    assert all(not e.dataframe for e in closed), [e.label for e in closed if e.dataframe]
    before = len(at.dataframe)
    at.session_state[key] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    n = rows()
    [opened] = [e for e in at.expander if e.dataframe]
    assert opened.label.endswith(f"({fmt.number(n)})")
    assert len(opened.dataframe[0].value) == min(n, 1_000)
    assert len(at.dataframe) == before + 1
