"""Churn, CRR, NRR and GRR cover the range the user chose (issue "Every number means what its
label says", section "Rates over the range the user chose"), each case checked by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kpi import retention, value
from kpi.__main__ import main
from kpi.report import Settings

H1_START, H1_END = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-06-30")


def contracts(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    """Customers c0, c1, ... with (signup_date, end_date)."""
    return pd.DataFrame(
        {
            "customer_id": pd.array([f"c{i}" for i in range(len(rows))], dtype="str"),
            "signup_date": pd.to_datetime(pd.Series([r[0] for r in rows])),
            "end_date": pd.to_datetime(pd.Series([r[1] for r in rows])),
        }
    )


# 1,000 customers signed up before 2025; 50 cancel from January to June, 9 + 9 + 8 + 8 + 8 + 8.
LOSSES = {"01": 9, "02": 9, "03": 8, "04": 8, "05": 8, "06": 8}
THOUSAND = contracts(
    [("2024-06-01", f"2025-{m}-15") for m, k in LOSSES.items() for _ in range(k)]
    + [("2024-06-01", None)] * 950
)


@pytest.mark.parametrize("period", ["week", "month", "quarter"])
def test_lose_50_of_1000_over_six_months_is_five_percent_whatever_the_period(period):
    result = retention.section({"customers": THOUSAND}, start=H1_START, end=H1_END, period=period)
    # 50 lost / 1,000 at the range's start = 0.05; CRR (950 - 0) / 1,000 = 0.95
    assert result.kpis["churn_rate"] == pytest.approx(0.05)
    assert result.kpis["customer_retention_rate"] == pytest.approx(0.95)
    assert result.kpis["new_customers_lost"] == 0
    assert result.kpis["churn_period"] == period


def test_churn_per_month_is_the_pooled_monthly_rate():
    result = retention.section({"customers": THOUSAND}, start=H1_START, end=H1_END)
    # customers at each month's start: 1000, 991, 982, 974, 966, 958 (sum 5,871);
    # 50 / 5,871 = 0.008516..., the catalogue's "about 0.0085 per month"
    assert result.kpis["churn_rate_per_period"] == pytest.approx(50 / 5871)
    assert result.assumptions["churn_period"] == {"value": "month", "source": "default"}


def test_cli_lose_50_of_1000_with_start_and_end(tmp_path, capsys):
    path = tmp_path / "customers.csv"
    THOUSAND.assign(
        signup_date=THOUSAND["signup_date"].dt.strftime("%Y-%m-%d"),
        end_date=THOUSAND["end_date"].dt.strftime("%Y-%m-%d"),
    ).to_csv(path, index=False)
    rates = []
    for period in ("month", "week"):
        code = main(
            ["report", str(path), "--start", "2025-01-01", "--end", "2025-06-30",
             "--period", period]
        )  # fmt: skip
        assert code == 0
        out = json.loads(capsys.readouterr().out)
        rates.append(out["kpis"]["churn_rate"])
        assert out["assumptions"]["churn_period"] == {"value": period, "source": "user"}
    assert rates == [pytest.approx(0.05), pytest.approx(0.05)]


def test_crr_start_200_end_210_new_30_over_six_months():
    # 200 customers before 2025; from January to June 30 join (5 a month) and 20 of the 200
    # leave (in March and May): end = 200 + 30 - 20 = 210; CRR = (210 - 30) / 200 = 0.90
    base = [("2024-12-01", None)] * 180
    base += [("2024-12-01", "2025-03-10")] * 10 + [("2024-12-01", "2025-05-20")] * 10
    joined = [(f"2025-{m:02d}-10", None) for m in range(1, 7) for _ in range(5)]
    customers = contracts(base + joined)
    summary = retention.churn_summary(
        retention.contractual_lifetimes(customers, as_of=H1_END), start=H1_START, end=H1_END
    )
    assert (summary.customers_start, summary.customers_end, summary.new) == (200, 210, 30)
    result = retention.section({"customers": customers}, start=H1_START, end=H1_END)
    assert result.kpis["customer_retention_rate"] == pytest.approx(0.90)
    assert result.kpis["churn_rate"] == pytest.approx(0.10)


def one_off_orders() -> pd.DataFrame:
    """200 customers with one order of 100 each (one every 0.9 days from 1 January), and five
    who came back ten days after their first order."""
    first = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(205) * 0.88, unit="D")
    ids = [f"k{i:03d}" for i in range(205)]
    rows = pd.DataFrame({"customer_id": ids, "order_date": first.normalize(), "amount": 100.0})
    back = rows.iloc[:5].assign(order_date=lambda f: f["order_date"] + pd.Timedelta(days=10))
    return pd.concat([rows, back], ignore_index=True)


@pytest.mark.parametrize(
    ("start", "end"), [(None, None), (pd.Timestamp("2025-03-01"), pd.Timestamp("2025-05-31"))]
)
def test_one_off_customers_keep_rates_within_bounds(start, end):
    result = retention.section({"orders": one_off_orders()}, start=start, end=end)
    for key in ("churn_rate", "customer_retention_rate", "churn_rate_per_period"):
        rate = result.kpis[key]
        assert rate is None or 0.0 <= rate <= 1.0, key
    if start is not None:
        # every customer at 1 March ordered in the ten days before it and is lost in March
        assert result.kpis["churn_rate"] == pytest.approx(1.0)
        assert result.kpis["customer_retention_rate"] == pytest.approx(0.0)
        assert result.kpis["new_customers_lost"] > 0
    # the five gaps of ten days suggest a ten-day window: the card and the warnings say the
    # data cannot support it
    window = result.assumptions["inactivity_window_days"]
    assert window["value"] == 10 and window["source"] == "data"
    assert "percentile 90" in window["rule"]
    assert any("window of 10 days rests on 5 repeat orders" in w for w in result.warnings)


def test_one_off_customers_ltv_is_not_below_the_single_order():
    inputs = value.value_inputs(one_off_orders(), margin=1.0)
    assert 0.0 <= inputs.monthly_churn <= 1.0
    for variant in ("ltv_simple", "clv_purchase", "clv_visit", "ltv_retention"):
        assert value.ltv(inputs, variant=variant) >= 100.0, variant


def test_nrr_grr_catalogue_example():
    # 10 customers, 1,000 each in H1; in H2 eight spend 1,000, one 1,500, one nothing:
    # NRR = (8,000 + 1,500) / 10,000 = 0.95; GRR = (8,000 + 1,000) / 10,000 = 0.90
    h1 = [(f"c{i}", "2025-03-01", 1000.0) for i in range(10)]
    h2 = [(f"c{i}", "2025-09-01", 1000.0) for i in range(8)] + [("c8", "2025-09-01", 1500.0)]
    orders = pd.DataFrame(h1 + h2, columns=["customer_id", "order_date", "amount"])
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    for period in ("week", "month"):
        result = retention.section(
            {"orders": orders},
            start=pd.Timestamp("2025-07-01"),
            end=pd.Timestamp("2025-12-31"),
            period=period,
        )
        assert result.kpis["nrr"] == pytest.approx(0.95)
        assert result.kpis["grr"] == pytest.approx(0.90)
    money = retention.revenue_retention(
        orders, start=pd.Timestamp("2025-07-01"), end=pd.Timestamp("2025-12-31")
    )
    assert (money.customers, money.revenue_before) == (10, 10_000.0)


def test_blank_end_dates_do_not_switch_to_contract_churn():
    orders = one_off_orders()
    customers = pd.DataFrame(
        {"customer_id": orders["customer_id"].unique(), "end_date": pd.NaT}
    ).astype({"end_date": "datetime64[us]"})
    start, end = pd.Timestamp("2025-03-01"), pd.Timestamp("2025-05-31")
    with_blank = retention.section({"orders": orders, "customers": customers}, start=start, end=end)
    without = retention.section({"orders": orders}, start=start, end=end)
    assert with_blank.kpis["churn_rate"] == without.kpis["churn_rate"] == pytest.approx(1.0)
    assert any("end_date column" in w and "blank" in w for w in with_blank.warnings)
    assert not any("churn is contractual" in w for w in with_blank.warnings)


def test_inactivity_window_set_by_the_user():
    result = retention.section(
        {"orders": one_off_orders()}, settings=Settings(inactivity_window_days=365)
    )
    assert result.assumptions["inactivity_window_days"]["value"] == 365
    assert result.assumptions["inactivity_window_days"]["source"] == "user"
    # nobody is lost within a year of June: no churn over the data
    assert result.kpis["inactive_customers"] == 0
