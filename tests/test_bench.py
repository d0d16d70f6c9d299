"""Smoke run of the benchmark runner (issue 8): every step runs, every comparison agrees."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from bench import data, run

ROWS = 20_000


@pytest.fixture(scope="module")
def results() -> list[run.Result]:
    # one repetition, no tracemalloc pass: a smoke run, not a measurement
    return run.run_size(ROWS, repeat=1, memory=False, log=lambda line: None)


def test_every_step_runs(results):
    steps = [r.step for r in results]
    expected = [
        "CSV read + validate",
        "XLSX read + validate",
        "cohort tables (customers + revenue)",
        "frequency/recency/T summary",
        "monthly KPI table",
        "home page numbers",
        "BG/NBD + Gamma-Gamma fits (vs lifetimes)",
        "what-if baseline",
        "what-if slider step",
    ]
    pages = [f"{p} page, {kind}" for p in run.PAGES for kind in ("full recompute", "rerun")]
    assert steps == expected + pages
    assert all(r.ours > 0 for r in results)
    assert [r.rows for r in results if r.step != expected[6]] == [ROWS] * (8 + len(pages))


def test_cached_runs_are_timed_for_the_data_steps(results):
    cached = {r.step for r in results if r.cached is not None}
    assert cached == {
        "cohort tables (customers + revenue)",
        "frequency/recency/T summary",
        "monthly KPI table",
        "home page numbers",
    }


def test_every_duckdb_comparison_agrees(results):
    pytest.importorskip("duckdb")
    compared = {r.step: r.agree for r in results if r.duckdb is not None}
    data_steps = {
        "CSV read + validate",
        "cohort tables (customers + revenue)",
        "frequency/recency/T summary",
        "monthly KPI table",
        "home page numbers",
    }
    assert data_steps <= set(compared)
    assert all(compared.values()), compared


def test_lifetimes_comparison_agrees(results):
    pytest.importorskip("lifetimes")
    fits = next(r for r in results if r.step.startswith("BG/NBD"))
    assert fits.duckdb is not None
    assert fits.agree is True


def test_checks_catch_a_difference():
    # The agreement checks must be able to fail: one order moved by a month changes a cohort
    # cell, one refund more changes a monthly count and a customer's monetary value.
    pytest.importorskip("duckdb")
    from kpi.base import revenue_series
    from kpi.models import rfm_summary
    from kpi.retention import cohort_retention

    orders, customers = data.tables(2_000)
    changed = orders.copy()
    changed.loc[5, "order_date"] = changed.loc[5, "order_date"] + pd.Timedelta(days=40)
    changed.loc[7, "amount"] = -changed.loc[7, "amount"]
    duck = run.Duck(changed, customers)
    lo, hi = orders["order_date"].min(), orders["order_date"].max()
    assert not run.cohorts_agree(cohort_retention(orders), duck.cohorts())
    assert not run.rfm_agree(rfm_summary(orders), duck.rfm())
    ours = revenue_series(orders, customers, start=lo, end=hi)
    assert not run.monthly_agree(ours, duck.monthly(lo, hi, customers=True))
    # and unchanged data agrees
    same = run.Duck(orders, customers)
    assert run.cohorts_agree(cohort_retention(orders), same.cohorts())
    assert run.monthly_agree(ours, same.monthly(lo, hi, customers=True))


def test_customers_match_orders():
    orders, customers = data.tables(5_000)
    first = orders.groupby("customer_id")["order_date"].min()
    signup = customers.set_index("customer_id")["signup_date"]
    result = (signup.reindex(first.index) <= first) | signup.reindex(first.index).isna()
    assert result.all()
    assert customers["customer_id"].is_unique
    assert set(first.index) < set(customers["customer_id"])
    # seeded: the same call gives the same tables
    again, _ = data.tables(5_000)
    pd.testing.assert_frame_equal(orders, again)


def test_main_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    run.main(["--sizes", "3000", "--repeat", "1", "--only", "rfm,whatif", "--json", str(path)])
    out = json.loads(path.read_text())
    assert [r["step"] for r in out["results"]] == [
        "frequency/recency/T summary",
        "what-if baseline",
        "what-if slider step",
    ]
    assert all(np.isfinite(r["ours"]) and r["peak_mb"] >= 0 for r in out["results"])
    assert "ours (s)" in capsys.readouterr().out


def test_unknown_step_is_refused():
    with pytest.raises(SystemExit):
        run.main(["--only", "nonsense"])


def test_every_layout_is_read_and_agrees_with_duckdb():
    from bench import layouts

    rows = layouts.run(3_000, xlsx_rows=(400,), repeat=1, report=False, log=lambda line: None)
    assert [r.layout for r in rows] == [*layouts.TEXT_LAYOUTS, "xlsx", "parquet"]
    assert all(r.agree for r in rows), [r for r in rows if not r.agree]
    assert all(r.ours > 0 and r.reference > 0 for r in rows)


def test_line_items_add_up_to_their_orders():
    from bench import layouts

    frame = layouts.timestamped(500)
    lines = layouts.line_items(frame)
    assert len(lines) > len(frame)
    per_order = lines["Line total"].astype(float).groupby(lines["Order ID"]).sum()
    expected = frame.set_index("Order number")["Amount"]
    np.testing.assert_allclose(per_order.loc[expected.index], expected, atol=1e-9)


def test_european_amounts_have_a_thousands_space_and_a_decimal_comma():
    from bench import layouts

    result = layouts._thousands_comma(pd.Series([1234.5, -5.0, 1234567.891]))
    assert result.tolist() == ["1 234,50", "-5,00", "1 234 567,89"]
