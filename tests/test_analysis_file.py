"""The analysis file: saved in one session, opened in a fresh one, the same numbers everywhere;
and, as user input, checked before anything in it is used."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from kpi.io import Limits
from tests.conftest import ROOT
from ui import analysis_file as af
from ui.frame import SHARE_PANEL

PAGES = (
    "app.py", "pages/2_Acquisition.py", "pages/3_Revenue.py", "pages/4_Retention.py",
    "pages/5_Value.py", "pages/6_What_if.py", "pages/7_Satisfaction.py", "pages/8_Support.py",
    "pages/9_Team.py",
)  # fmt: skip


def _subset(name: str, keep) -> bytes:
    frame = pd.read_csv(ROOT / "sample_data" / name, dtype=str, keep_default_na=False)
    return frame[keep(frame)].to_csv(index=False).encode()


def _files() -> dict[str, bytes]:
    # A tenth of the sample's customers (ids ending in 0), with their orders, tickets and
    # surveys: every page has something to show, and the test stays fast.
    def mine(f):
        return f["customer_id"].str.endswith("0")

    return {
        "orders.csv": _subset("orders.csv", mine),
        "customers.csv": _subset("customers.csv", mine),
        "tickets.csv": _subset("tickets.csv", lambda f: f.index < 600),
        "surveys.csv": _subset("surveys.csv", lambda f: f.index < 800),
    }


def _upload(at, files: dict[str, bytes]) -> None:
    at.switch_page("pages/1_Data.py").run()
    at.file_uploader(key="uploader").set_value([(n, d, "text/csv") for n, d in files.items()]).run()
    [use] = [b for b in at.button if b.label == "Use these tables"]
    use.click().run()
    assert not at.exception, [e.value for e in at.exception]


def _numbers(at) -> dict[str, list[tuple[str, str]]]:
    seen = {}
    for script in PAGES:
        at.switch_page(script).run()
        assert not at.exception, (script, [e.value for e in at.exception])
        seen[script] = [(m.label, m.value) for m in at.metric]
    return seen


def test_a_colleague_opening_the_file_sees_the_senders_numbers_on_every_page(app_test):
    from ui import state

    sender = app_test()
    sender.run()
    _upload(sender, _files())
    sender.switch_page("pages/4_Retention.py")
    sender.session_state["ret_how"] = True  # the churn-definition panel opened
    sender.run()
    sender.radio(key="ret_definition").set_value("inactivity").run()
    sender.number_input(key="ret_window").set_value(45).run()
    sender.session_state["ret_tab"] = "Cohorts"  # only the open tab is drawn
    sender.run()
    sender.selectbox(key="ret_granularity").set_value("quarter").run()
    sender.session_state["ret_tab"] = "Survival"  # only the open tab is drawn
    sender.run()
    sender.selectbox(key="ret_km_split").set_value("segment").run()
    sender.switch_page("pages/9_Team.py").run()
    sender.session_state["team_tab"] = "Staffing what-if"  # only the open tab is drawn
    sender.run()
    sender.number_input(key="team_arrivals").set_value(7.5).run()
    sender.slider(key="team_agents").set_value(6).run()
    sender.session_state["s_rivals"] = [["Acme", 35.0, 4.2]]
    sender.switch_page("pages/5_Value.py")
    sender.session_state["val_settings"] = True  # the LTV settings panel opened
    sender.run()
    sender.slider(key="val_discount").set_value(20).run()
    del sender.session_state["val_settings"]  # closed again: the cards read the same
    sender.run()
    sender.session_state["sup_settings"] = True  # the settings panel opened
    sender.switch_page("pages/8_Support.py").run()
    sender.number_input(key="sup_w_first_target").set_value(8.0).run()
    sender.session_state["wi_overrides"] = {"price_change": 5.0}
    sender.session_state["wi_saved"] = {"Churn down": {"churn": 1.0}}
    sender.session_state["wi_compared"] = ["Churn down"]
    sent = _numbers(sender)
    assert sum(len(v) for v in sent.values()) > 20
    data = af.dump(state.analysis_snapshot(sender.session_state))

    receiver = app_test()
    receiver.run()
    assert "s_window" not in receiver.session_state
    receiver.session_state[SHARE_PANEL] = True  # the uploader is in the sidebar's panel
    receiver.run()
    receiver.file_uploader(key="open_analysis_sidebar").upload(
        "analysis.zip", data, "application/zip"
    ).run()
    assert not receiver.exception, [e.value for e in receiver.exception]
    assert receiver.session_state["s_window"] == 45
    assert receiver.session_state["s_discount"] == 20
    assert receiver.session_state["sup_first_target"] == 8.0
    assert receiver.session_state["wi_saved"] == {"Churn down": {"churn": 1.0}}
    assert receiver.session_state["s_ret_granularity"] == "quarter"
    assert receiver.session_state["s_ret_km_split"] == "segment"
    assert receiver.session_state["s_arrivals"] == 7.5 and receiver.session_state["s_agents"] == 6
    assert receiver.session_state["s_rivals"] == [["Acme", 35.0, 4.2]]
    got = _numbers(receiver)
    for script in PAGES:
        assert got[script] == sent[script], script


def test_the_file_is_a_zip_a_person_can_open_and_tables_come_back_exactly():
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series(["C1", "C2", None], dtype="str"),
            "order_date": pd.to_datetime(
                ["2025-01-03 10:11:12.123456", "2025-02-01 00:00:00.000000", None]
            ),
            "amount": [0.1 + 0.2, 1e-9, -3.5],
        }
    )
    from kpi.ingest import Dataset, ValidationReport

    report = ValidationReport("orders.csv", "orders", rows_read=3, rows_kept=3, notes=["ok"])
    data = af.dump(af.Analysis(Dataset({"orders": frame}, [report], "EUR"), ["orders.csv"]))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert set(zf.namelist()) == {"README.txt", "manifest.json", "tables/orders.parquet"}
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["tables"] == {"orders": {"rows": 3}} and manifest["files"] == ["orders.csv"]
    back = af.load(data)
    pd.testing.assert_frame_equal(back.dataset.tables["orders"], frame, check_exact=True)
    assert back.dataset.reports[0].notes == ["ok"] and back.dataset.currency == "EUR"


def _zip(parts: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _manifest(**over) -> bytes:
    base = {"format": af.FORMAT, "version": 1, "tables": {"orders": {"rows": 1}}}
    return json.dumps({**base, **over}).encode()


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


GOOD = pd.DataFrame(
    {"customer_id": ["C1"], "order_date": pd.to_datetime(["2025-01-01"]), "amount": [1.0]}
)


@pytest.mark.parametrize(
    ("parts", "reason"),
    [
        ({"manifest.json": b"{"}, "not valid JSON"),
        ({"manifest.json": _manifest(format="other")}, "not made by"),
        ({"manifest.json": _manifest(), "../evil.py": b"x"}, "does not know"),
        ({"manifest.json": _manifest()}, "does not hold"),
        (
            {"manifest.json": _manifest(tables={"secrets": {"rows": 1}}),
             "tables/secrets.parquet": _parquet(GOOD)},
            "does not know",
        ),
        (
            {"manifest.json": _manifest(), "tables/orders.parquet": b"PAR1 not parquet"},
            "not a readable Parquet",
        ),
        (
            {"manifest.json": _manifest(),
             "tables/orders.parquet": _parquet(GOOD.assign(amount=["a lot"]))},
            "should hold money",
        ),
        (
            {"manifest.json": _manifest(),
             "tables/orders.parquet": _parquet(GOOD.drop(columns="amount"))},
            "lacks the column",
        ),
        (
            {"manifest.json": _manifest(tables={"orders": {"rows": 5}}),
             "tables/orders.parquet": _parquet(GOOD)},
            "rows its manifest lists",
        ),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_sound_analysis_file_is_refused_with_the_reason(parts, reason):
    with pytest.raises(af.AnalysisFileError, match=reason):
        af.load(_zip(parts))


def test_sizes_are_bounded_before_anything_is_unpacked():
    bomb = _zip({"manifest.json": _manifest(), "tables/orders.parquet": b"\0" * 5_000_000})
    with pytest.raises(af.AnalysisFileError, match="far more than"):
        af.load(bomb)
    small = Limits(max_unzipped_bytes=1_000)
    with pytest.raises(af.AnalysisFileError, match="unpack to"):
        af.load(_zip({"manifest.json": _manifest(), "tables/orders.parquet": b"x" * 2_000},
                     zipfile.ZIP_STORED), small)  # fmt: skip
    many = Limits(max_rows=0)
    ok = _zip({"manifest.json": _manifest(), "tables/orders.parquet": _parquet(GOOD)})
    assert len(af.load(ok).dataset.tables["orders"]) == 1
    with pytest.raises(af.AnalysisFileError, match="rows, more than"):
        af.load(ok, many)


def test_a_bad_file_opened_in_the_app_gives_a_message_and_keeps_the_sample(app_test):
    at = app_test().run()
    at.session_state[SHARE_PANEL] = True  # the uploader is in the sidebar's panel
    at.run()
    at.file_uploader(key="open_analysis_sidebar").upload(
        "x.zip", _zip({"manifest.json": b"[]"}), "application/zip"
    ).run()
    assert not at.exception
    assert any("not an analysis file" in e.value for e in at.error)
    broken = _zip({"manifest.json": _manifest(), "tables/orders.parquet": b"PAR1"})
    at.file_uploader(key="open_analysis_sidebar").upload("y.zip", broken, "application/zip").run()
    assert any("cannot be opened" in e.value for e in at.error)
    assert "dataset" not in at.session_state or at.session_state["dataset"] is None


def test_the_data_pages_uploader_opens_an_analysis_file_too(app_test):
    from kpi.ingest import Dataset

    data = af.dump(af.Analysis(Dataset({"orders": GOOD}, [], "EUR"), ["mine.csv"],
                               filters={"period": "week"}, settings={"window": 30}))  # fmt: skip
    at = app_test()
    at.switch_page("pages/1_Data.py").run()
    at.file_uploader(key="uploader").upload("a.zip", data, "application/zip").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["f_period"] == "week" and at.session_state["s_window"] == 30
    assert any("Opened the analysis file a.zip" in s.value for s in at.success)
    assert "pending_files" not in at.session_state or not at.session_state["pending_files"]


def test_readme_in_the_file_says_what_it_is():
    text = Path(af.__file__).read_text()
    assert "Parquet" in text and "XLSX" in text
