"""The pages' caches key a table by identity: never a stale answer for a look-alike table."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd

from kpi.reduce import token
from ui.caching import cached

CALLS: list[int] = []


@cached(max_entries=8)
def _total(orders: pd.DataFrame) -> float:
    CALLS.append(1)
    return float(orders["amount"].sum())


def _orders(n: int = 60_000) -> pd.DataFrame:
    return pd.DataFrame({"amount": np.ones(n)})


def test_a_look_alike_table_is_never_served_another_tables_result():
    first = _orders()
    second = _orders()
    # one amount corrected: same shape, and most likely outside the 10,000 rows Streamlit
    # would sample from a table this long
    second.loc[12_345, "amount"] = 101.0
    assert _total(first) == 60_000.0
    assert _total(second) == 60_100.0  # 60,000 - 1 + 101


def test_the_same_table_is_computed_once():
    orders = _orders(10)
    CALLS.clear()
    assert _total(orders) == 10.0
    assert _total(orders) == 10.0
    assert len(CALLS) == 1


def test_a_token_is_never_given_to_another_table():
    seen, ids = set(), set()
    for _ in range(200):  # new tables reuse the ids of dead ones; their tokens stay new
        frame = _orders(1)
        ids.add(id(frame))
        seen.add(token(frame))
        del frame
        # the youngest generation only: a full collection walks every object the earlier
        # tests left alive, seconds each time late in a run
        gc.collect(0)
    assert len(ids) < 200  # ids were reused, so the check below means something
    assert len(seen) == 200


# What a page draws only once opened: Retention's cohorts tab (the heatmap) and churn-definition
# panel (the gaps between orders), Value's model check.
OPENED = {
    "pages/4_Retention.py": {"ret_tab": "Cohorts", "ret_how": True},
    "pages/5_Value.py": {"val_tab": "Model check"},
}


def test_a_rerun_of_each_page_refits_and_recounts_nothing(app_test, monkeypatch):
    # The cached blocks must get the session's own tables, not copies made afresh in each
    # run (a column subset is a new table): otherwise every widget move refits the models.
    from kpi import acquisition, reduce, retention, scenario, value

    reduce.clear()  # the sample tables are shared: earlier tests may have kept their reductions

    counted = {}

    def counting(module, name):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            counted[name] = counted.get(name, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module, name in [
        (value, "holdout_check"),
        (value, "model_clv"),
        (value, "value_inputs"),
        (retention, "cohort_retention"),
        (retention, "order_gaps"),
        (scenario, "baseline"),
        (acquisition, "_referral_customers"),
    ]:
        counting(module, name)
    at = app_test()
    at.run()
    pages = ("pages/2_Acquisition.py", "pages/4_Retention.py", "pages/5_Value.py")
    for page in (*pages, "pages/6_What_if.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        first = dict(counted)
        at.run()
        assert counted == first, (page, first, counted)
        if page in OPENED:  # tabs and panels run when open: theirs, too
            for key, shown in OPENED[page].items():
                at.session_state[key] = shown
            at.run()
            first = dict(counted)
            at.run()
            assert counted == first, (page, first, counted)
    assert {"holdout_check", "model_clv", "cohort_retention", "order_gaps", "baseline"} <= set(
        counted
    )
    assert "_referral_customers" in counted
