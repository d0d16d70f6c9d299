"""Uploads that wait for "Use these tables": every page says so, and the sample is not listed
as what was read."""

from __future__ import annotations

CSV = b"customer_id,order_date,amount\nA,2025-01-03,10.5\nB,2025-01-04,20\n"


def test_an_upload_not_yet_used_is_named_on_every_page_until_it_is(app_test):
    at = app_test()
    at.session_state["pending_files"] = {"export.csv": CSV}
    at.run()
    assert not at.exception
    home = " ".join(w.value for w in at.warning)
    assert "not in use yet" in home and "export\\.csv" in home and "sample business" in home
    at.switch_page("pages/1_Data.py").run()
    assert not at.exception
    data = " ".join(w.value for w in at.warning)
    assert "Use these tables" in data and "below" in data
    # What was read lists neither the sample's files nor anything else yet.
    assert "What was read" in [h.value for h in at.subheader]
    assert not any("orders.csv" in str(d.value) for d in at.dataframe[:1])
    at.button[0].click().run()  # "Use these tables"
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("app.py").run()
    assert not any("not in use yet" in w.value for w in at.warning)


def _orders_csv(rows: int) -> bytes:
    lines = [f"C{i % 97},2025-01-{1 + i % 28:02d},{10 + i % 7}" for i in range(rows)]
    return ("customer_id,order_date,amount\n" + "\n".join(lines) + "\n").encode()


def test_a_large_upload_waiting_is_named_with_the_button_the_data_page_shows(app_test, monkeypatch):
    from kpi.io import Limits
    from ui import state

    # 1,200 orders over a limit of 1,000 rows: the Data page sends the file to DuckDB, and
    # its button reads "Compute the KPIs where the data is", not "Use these tables".
    monkeypatch.setattr(state, "limits", lambda *a, **k: Limits(max_rows=1_000))
    at = app_test()
    at.session_state["pending_files"] = {"big.csv": _orders_csv(1_200)}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [home] = [w.value for w in at.warning if "not in use yet" in w.value]
    assert "press **Compute the KPIs where the data is** on the Data page" in home
    assert "Use these tables" not in home
    at.switch_page("pages/1_Data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    [data] = [w.value for w in at.warning if "not in use yet" in w.value]
    assert "press **Compute the KPIs where the data is** below" in data
    assert [b.label for b in at.button if b.label == "Compute the KPIs where the data is"]
    caption = " ".join(c.value for c in at.caption)
    assert "once you press **Compute the KPIs where the data is** above" in caption
    # A small file beside it: each button is named with the file it is for.
    at.session_state["pending_files"] = {"big.csv": _orders_csv(1_200), "small.csv": CSV}
    at.switch_page("app.py").run()
    [home] = [w.value for w in at.warning if "not in use yet" in w.value]
    assert (
        "press **Use these tables** (for small\\.csv) and **Compute the KPIs where the data "
        "is** (for big\\.csv) on the Data page" in home
    )


def test_a_parquet_file_sent_to_duckdb_by_its_size_alone_keeps_use_these_tables(monkeypatch):
    import io

    import pandas as pd

    from kpi.io import Limits
    from ui import connect

    buf = io.BytesIO()
    pd.read_csv(io.BytesIO(_orders_csv(1_200))).to_parquet(buf, index=False)
    data = buf.getvalue()
    monkeypatch.setattr(connect, "PARQUET_MB", len(data) / 2**20 / 2)  # over the size limit
    # 1,200 rows fit a limit of 5,000: fetched into memory by its own "Use these tables".
    assert connect.upload_button("o.parquet", data, Limits(max_rows=5_000)) == connect.USE
    assert connect.upload_button("o.parquet", data, Limits(max_rows=1_000)) == connect.COMPUTE
    assert connect.upload_button("o.csv", CSV, Limits(max_rows=1_000)) == connect.USE


# Scores with blanks and "n/a" in 3 of 6 cells: the Data page asks to check the column first.
SURVEY = (
    b"Response ID,Submitted At,Customer Email,How likely are you to recommend us? (0-10)\n"
    b"1,2025-01-05,a@ex.com,9\n2,2025-01-06,b@ex.com,n/a\n3,2025-01-07,c@ex.com,\n"
    b"4,2025-01-08,d@ex.com,7\n5,2025-01-09,e@ex.com,n/a\n6,2025-01-10,f@ex.com,10\n"
)


def test_a_file_left_unchecked_is_not_said_to_be_in_use(app_test):
    at = app_test()
    at.session_state["pending_files"] = {"export.csv": CSV, "nps.csv": SURVEY}
    at.switch_page("pages/1_Data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [c.label for c in at.checkbox if c.label == "I have checked the highlighted columns"]
    [use] = [b for b in at.button if b.label == "Use these tables"]
    use.click().run()  # the orders are put to use; the unchecked survey is not
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("app.py").run()
    [notice] = [w.value for w in at.warning if "not in use yet" in w.value]
    assert "(nps\\.csv)" in notice and "shows only export\\.csv" in notice
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "Showing your data: export.csv" in captions and "nps.csv" not in captions
