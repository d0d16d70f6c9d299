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
