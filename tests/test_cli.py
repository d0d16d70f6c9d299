"""The command line: same ingest and KPIs as the app, JSON contract, clear failures."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kpi.__main__ import main

ROOT = Path(__file__).resolve().parents[1]

ORDERS = (
    "Client;Datum;Kwota\n"
    "K1;05.01.2025;1 200,50\n"
    "K1;10.02.2025;300,00\n"
    "K2;11.02.2025;-100,50\n"
    "K3;12.03.2025;not a number\n"
)


@pytest.fixture
def orders_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(ORDERS.encode("cp1250"))
    return path


def test_json_report_on_a_messy_export(orders_file, capsys):
    assert main(["report", str(orders_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    # kept: 1200.50 + 300.00 - 100.50 = 1400.00; the unreadable amount is rejected, not lost
    assert out["tables"]["orders"]["rows"] == 3
    assert out["tables"]["orders"]["rejected"] == 1
    assert out["kpis"]["revenue"] == pytest.approx(1400.0)
    assert out["kpis"]["orders"] == 2
    assert out["kpis"]["refunds"] == 1
    assert out["kpis"]["average_order_value"] == pytest.approx(700.0)  # 1400 / 2
    assert out["kpis"]["nps"] is None  # no surveys: null, with a warning
    assert any("survey" in w for w in out["warnings"])
    assert any("rejected" in w for w in out["warnings"])
    assert out["series"]["revenue"] == {
        "2025-01": pytest.approx(1200.5),
        "2025-02": pytest.approx(199.5),
    }


def test_date_range_and_period(orders_file, capsys):
    code = main(
        ["report", str(orders_file), "--start", "2025-02-01", "--end", "2025-12-31",
         "--period", "quarter"]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kpis"]["revenue"] == pytest.approx(199.5)  # 300.00 - 100.50
    assert list(out["series"]["revenue"]) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def test_table_format(orders_file, capsys):
    assert main(["report", str(orders_file), "--format", "table"]) == 0
    text = capsys.readouterr().out
    assert "revenue" in text and "1,400" in text


def test_mapping_file_overrides_detection(tmp_path, capsys):
    data = tmp_path / "export.csv"
    data.write_text("who,when,paid,tip\nA,2025-01-01,10,1\nB,2025-01-02,20,2\n")
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps(
            {"export.csv": {"table": "orders",
                            "columns": {"customer_id": "who", "order_date": "when",
                                        "amount": "tip"}}}
        )
    )  # fmt: skip
    assert main(["report", str(data), "--mapping", str(mapping)]) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["revenue"] == 3.0  # 1 + 2


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\x03" * 100, b"PK\x03\x04 broken zip"],
    ids=["empty", "binary", "broken-xlsx"],
)
def test_unreadable_input_exits_with_one_line(tmp_path, capsys, content):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(content)
    assert main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_missing_file_exits_with_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.csv")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_module_entry_point(orders_file):
    proc = subprocess.run(
        [sys.executable, "-m", "kpi", "report", str(orders_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["kpis"]["orders"] == 2


def test_only_computes_and_prints_the_keys_asked_for(orders_file, capsys):
    assert main(["report", str(orders_file), "--only", "revenue,orders"]) == 0
    out = json.loads(capsys.readouterr().out)
    # The same numbers as the whole report (test_json_report_on_a_messy_export).
    assert out["kpis"] == {"revenue": pytest.approx(1400.0), "orders": 2}
    assert set(out["series"]) <= {"revenue", "orders"}
    assert out["tables"]["orders"]["rows"] == 3


def test_only_with_an_unknown_key_exits_with_one_line(orders_file, capsys):
    assert main(["report", str(orders_file), "--only", "revenue,revnue"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown KPI key(s) for --only: revnue;")
    assert err.count("\n") == 1


def test_periods_written_out_match_kpi_periods():
    from kpi import __main__ as cli
    from kpi.periods import PERIODS

    assert cli.PERIODS == PERIODS


def test_help_and_a_plain_report_import_no_statistics(orders_file):
    # --help must answer at once: no pandas. A report without survey tests or model fits
    # never needs scipy.stats (about 2 s to import).
    probe = (
        "import sys, contextlib, io\n"
        "from kpi.__main__ import main\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main(['report', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pandas' in sys.modules)\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['report', {str(orders_file)!r}, '--only', 'revenue'])\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]


def test_assumptions_block_and_its_flags(tmp_path, capsys):
    # orders of two customers over two months, and three untyped survey answers
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "customer_id,order_date,amount\na,2025-01-05,100\na,2025-02-05,100\nb,2025-01-10,50\n"
        "b,2025-01-30,50\n",
        encoding="utf-8",
    )
    surveys = tmp_path / "surveys.csv"
    surveys.write_text("date,score\n2025-01-05,9\n2025-01-06,10\n2025-01-07,3\n", encoding="utf-8")
    assert main(["report", str(orders), str(surveys)]) == 0
    out = json.loads(capsys.readouterr().out)
    given = out["assumptions"]
    assert given["discount_rate"] == {"value": 0.1, "source": "default", "per": "year"}
    assert given["clv_horizon_months"] == {"value": 12, "source": "default"}
    assert given["churn_period"] == {"value": "month", "source": "default"}
    assert given["inactivity_window_days"]["source"] == "data"
    assert "percentile 90" in given["inactivity_window_days"]["rule"]
    assert given["survey_type"] == {"value": None, "source": "default"}
    assert out["kpis"]["nps"] is None  # untyped answers are never typed from their scores
    code = main(
        ["report", str(orders), str(surveys), "--discount-rate", "0.05",
         "--clv-horizon-months", "24", "--inactivity-window-days", "45", "--survey-type",
         "nps", "--sla-hours", "8", "--csat-scale-max", "5", "--turnover-window-months", "6"]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    given = out["assumptions"]
    assert given["discount_rate"]["value"] == 0.05 and given["discount_rate"]["source"] == "user"
    assert given["clv_horizon_months"] == {"value": 24, "source": "user"}
    assert given["inactivity_window_days"]["value"] == 45
    assert given["inactivity_window_days"]["source"] == "user"
    assert given["survey_type"] == {"value": "nps", "source": "user"}
    assert given["csat_scale_max"] == {"value": 5.0, "source": "user"}
    # no tickets and no staff list: the SLA target and turnover window shaped nothing
    assert "sla_hours" not in given and "turnover_window_months" not in given
    # 9 and 10 promoters, 3 a detractor: (2 - 1) / 3 = 33.3
    assert out["kpis"]["nps"] == pytest.approx(100 / 3)


def test_bad_assumption_flag_exits_with_a_reason(orders_file, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", str(orders_file), "--discount-rate", "10"])
    assert exc.value.code == 2
    assert "0.10 for 10 %" in capsys.readouterr().err


def test_service_contact_days_flag_sets_the_window_and_says_so(tmp_path, capsys):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "customer_id,order_date,amount\na,2025-01-20,100\nb,2025-02-25,80\nc,2025-06-01,10\n",
        encoding="utf-8",
    )
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(
        "ticket_id,created_at,customer_id\nt1,2025-01-05,a\nt2,2025-01-05,b\n", encoding="utf-8"
    )
    # a ordered 15 days after the contact, b 51 days after.
    # Default window 30 days: a converts, b does not -> 1 / 2 = 0.5.
    assert main(["report", str(orders), str(tickets)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kpis"]["service_contact_conversion"] == pytest.approx(0.5)
    assert out["assumptions"]["service_contact_days"]["value"] == 30
    assert out["assumptions"]["service_contact_days"]["source"] == "default"
    # 60 days: both convert -> 2 / 2 = 1.0, and the window is the user's.
    assert main(["report", str(orders), str(tickets), "--service-contact-days", "60"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kpis"]["service_contact_conversion"] == pytest.approx(1.0)
    assert out["assumptions"]["service_contact_days"]["value"] == 60
    assert out["assumptions"]["service_contact_days"]["source"] == "user"
