"""The report computed in two threads (the command line) is the report computed in one.

``analysis(workers=2)`` computes the value family (the model fits) in a second thread while
the first computes the others; the sections are merged in the same order. These tests hold
that path to the sequential one on the sample business, to the byte of the JSON, and check
that no thread is left behind and that two threads asking for the same reduction compute it
once.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from kpi import __main__ as cli
from kpi import analysis as analysis_module
from kpi.analysis import analysis
from kpi.ingest import load_files
from kpi.reduce import Reductions
from kpi.report import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = sorted((ROOT / "sample_data").glob("*.csv"))


@pytest.fixture(scope="module")
def sample():
    return load_files([(p.name, p.read_bytes()) for p in SAMPLE])


def _ours() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("kpi-")]


def _json(ds, workers: int, **options) -> str:
    given = {"start": None, "end": None, "period": "month", **options}
    return json.dumps(cli.build_output(ds, workers=workers, **given), ensure_ascii=False, indent=2)


@pytest.fixture(scope="module")
def sequential(sample):
    return _json(sample, 1)


def test_two_threads_print_the_same_report_as_one(sample, sequential):
    result = _json(sample, 2)
    assert result == sequential
    out = json.loads(result)
    # the value family, computed beside, is there with its model fit
    assert out["kpis"]["clv_model_mean"] is not None and "value_curve" in out["cohorts"]
    assert _ours() == []


@pytest.mark.parametrize(
    "options",
    [
        {
            "start": pd.Timestamp("2024-03-01"),
            "end": pd.Timestamp("2025-02-28"),
            "period": "quarter",
            "settings": Settings(discount_rate=0.2, clv_horizon_months=24),
        },
        {"only": ["revenue", "clv_model_mean", "churn_rate"]},
    ],
    ids=["range-and-settings", "only"],
)
def test_two_threads_with_options_print_the_same_report_as_one(sample, options):
    assert _json(sample, 2, **options) == _json(sample, 1, **options)
    assert _ours() == []


def test_command_line_on_the_sample_business_matches_the_sequential_report(
    sequential, capsys, monkeypatch
):
    monkeypatch.setattr(cli, "_cores", lambda: 2)
    assert cli.main(["report", *map(str, SAMPLE)]) == 0
    assert capsys.readouterr().out == sequential + "\n"
    assert _ours() == []


def test_a_family_failing_here_still_joins_the_thread_beside(sample, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a defect in the retention family")

    broken.__signature__ = analysis_module.inspect.signature(analysis_module.retention.section)
    monkeypatch.setattr(analysis_module.retention, "section", broken)
    with pytest.raises(RuntimeError, match="defect"):
        analysis(sample.tables, workers=2)
    assert _ours() == []


def test_one_worker_computes_every_family_in_this_thread(sample, monkeypatch):
    seen = []
    original = analysis_module.value.section

    def spy(*args, **kwargs):
        seen.append(threading.current_thread())
        return original(*args, **kwargs)

    spy.__signature__ = analysis_module.inspect.signature(original)
    monkeypatch.setattr(analysis_module.value, "section", spy)
    families = (analysis_module.base, analysis_module.value)
    analysis(sample.tables, families=families)
    assert seen == [threading.main_thread()]
    analysis(sample.tables, families=families, workers=2)
    assert seen[1] is not threading.main_thread()


def test_two_threads_asking_for_one_reduction_compute_it_once():
    orders = pd.DataFrame({"customer_id": ["a"]})
    reductions = Reductions.of_orders(orders)
    calls = []
    second_asks = threading.Event()

    def slow() -> int:
        calls.append(threading.current_thread().name)
        second_asks.wait(5)
        time.sleep(0.2)  # the second thread is asking meanwhile
        return len(calls)

    results = []
    first = threading.Thread(target=lambda: results.append(reductions.cached("x", slow)))
    first.start()
    while not calls:
        time.sleep(0.001)
    second_asks.set()
    results.append(reductions.cached("x", slow))
    first.join()
    assert len(calls) == 1
    assert results == [1, 1]


def test_a_failed_computation_is_done_again_by_the_thread_that_waited():
    orders = pd.DataFrame({"customer_id": ["a"]})
    reductions = Reductions.of_orders(orders)
    started, waiting = threading.Event(), threading.Event()
    attempts = []

    def fails() -> int:
        attempts.append("failed")
        started.set()
        waiting.wait(5)
        time.sleep(0.2)
        raise ValueError("no")

    def works() -> int:
        attempts.append("computed")
        return 7

    errors = []

    def first() -> None:
        try:
            reductions.cached("x", fails)
        except ValueError as exc:
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    waiting.set()
    assert reductions.cached("x", works) == 7
    thread.join()
    assert attempts == ["failed", "computed"]
    assert len(errors) == 1
    assert reductions.cached("x", works) == 7  # kept: computed once
    assert attempts == ["failed", "computed"]
