"""The sample business: deterministic, consistent, read by the app's own ingest without help,
and its README states what the files hold (row counts, KPI table) and the stories planted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi import base
from kpi.ingest import load_files, plan_sources
from kpi.satisfaction import net_promoter_score
from kpi.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
NAMES = (
    "orders", "customers", "leads", "spend", "surveys", "tickets", "touches", "employees",
    "cashflow",
)  # fmt: skip
FIRST, LAST = pd.Timestamp("2023-11-01"), pd.Timestamp("2026-10-31")
# Date columns per file, and whether the column holds a time of day too.
DATES = {
    "orders": {"order_date": False},
    "customers": {"signup_date": False, "end_date": False},
    "leads": {"created_date": False, "converted_date": False},
    "spend": {"date": False},
    "surveys": {"date": False},
    "tickets": {"created_at": True, "first_response_at": True, "resolved_at": True},
    "touches": {"date": True},
    "employees": {"hire_date": False, "leave_date": False},
    "cashflow": {"period": False},
}
MONEY = {
    "orders": ("amount", "cost"),
    "spend": ("amount",),
    "cashflow": ("operating_cash_flow", "investments", "working_capital_change"),
}
SLOW_AGENT = "Tomasz Wiśniewski"


def _read(name: str) -> pd.DataFrame:
    """A CSV as text cells (blank = NaN), dates parsed with their exact ISO format."""
    frame = pd.read_csv(SAMPLE / f"{name}.csv", dtype="str", keep_default_na=False)
    frame = frame.replace("", np.nan)
    for col, has_time in DATES[name].items():
        fmt = "%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d"
        frame[col] = pd.to_datetime(frame[col], format=fmt)
    for col in MONEY.get(name, ()):
        frame[col] = frame[col].astype("float64")
    return frame


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    tables = {name: _read(name) for name in NAMES}
    tables["surveys"]["score"] = tables["surveys"]["score"].astype("float64")
    return tables


def _readme_table(heading: str) -> list[list[str]]:
    """Rows of the first Markdown table after ``heading`` in sample_data/README.md."""
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    after = text.split(heading, 1)[1]
    rows = []
    for line in after.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return [r for r in rows[1:] if not set("".join(r)) <= set("-")]


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


# ---------------------------------------------------------------------------------------------
# Deterministic


def test_generator_rewrites_the_committed_files_byte_for_byte(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path)]) == 0
    for name in NAMES:
        result = (tmp_path / f"{name}.csv").read_bytes()
        expected = (SAMPLE / f"{name}.csv").read_bytes()
        assert result == expected, f"{name}.csv differs: run sample_data/generate.py"


def test_files_are_small_utf8_comma_separated_with_canonical_headers():
    total = 0
    for name in NAMES:
        raw = (SAMPLE / f"{name}.csv").read_bytes()
        total += len(raw)
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name}.csv has a BOM"
        header = raw.decode("utf-8").split("\n", 1)[0].split(",")
        # Every canonical column, but a synthetic business's customers have no e-mail or phone.
        absent = {"email", "phone"} if name == "customers" else set()
        assert sorted(header) == sorted(
            c.name for c in TABLES[name].columns if c.name not in absent
        ), name
        assert b"\r" not in raw and b";" not in raw
    assert total < 6_000_000


@pytest.mark.parametrize("name", sorted(MONEY))
def test_money_has_dot_decimals_and_two_places(name):
    frame = pd.read_csv(SAMPLE / f"{name}.csv", dtype="str", keep_default_na=False)
    for col in MONEY[name]:
        assert frame[col].str.fullmatch(r"-?\d+\.\d{2}").all(), col


# ---------------------------------------------------------------------------------------------
# The README says what the files hold


def test_readme_row_counts_match_the_files(data):
    rows = {r[0].strip("`"): int(_number(r[1])) for r in _readme_table("## Files")}
    result = {name: len(data[name]) for name in NAMES}
    expected = {name: rows[f"{name}.csv"] for name in NAMES}
    assert result == expected


def _plain_kpis(orders: pd.DataFrame, surveys: pd.DataFrame) -> dict[str, float]:
    """The README's KPIs with plain pandas, from the definitions in its last paragraph."""
    sales = orders[orders["amount"] >= 0]
    nps = surveys.loc[surveys["survey_type"] == "nps", "score"]
    revenue = orders["amount"].sum()
    return {
        "revenue": round(revenue, 2),
        "orders": len(sales),
        "refunds": int((orders["amount"] < 0).sum()),
        "active_customers": sales["customer_id"].nunique(),
        "average_order_value": round(revenue / len(sales), 2),
        "nps": round(100 * ((nps >= 9).mean() - (nps <= 6).mean()), 1),
    }


def test_readme_kpi_table_matches_plain_pandas(data):
    stated = {r[1].strip("`"): _number(r[2]) for r in _readme_table("## KPI values")}
    result = _plain_kpis(data["orders"], data["surveys"])
    assert stated == result


def test_readme_kpi_table_matches_the_kpi_package(loaded):
    stated = {r[1].strip("`"): _number(r[2]) for r in _readme_table("## KPI values")}
    orders, surveys = loaded.tables["orders"], loaded.tables["surveys"]
    result = {
        "revenue": round(base.revenue(orders), 2),
        "orders": base.order_count(orders),
        "refunds": base.refund_count(orders),
        "active_customers": base.active_customers(orders),
        "average_order_value": round(base.average_order_value(orders), 2),
        "nps": round(net_promoter_score(surveys).score, 1),
    }
    assert result == stated


# ---------------------------------------------------------------------------------------------
# The app reads every file without a mapping and rejects nothing


@pytest.fixture(scope="module")
def files() -> list[tuple[str, bytes]]:
    return [(f"{name}.csv", (SAMPLE / f"{name}.csv").read_bytes()) for name in NAMES]


@pytest.fixture(scope="module")
def loaded(files):
    return load_files(files, today=pd.Timestamp("2026-11-01"))


def test_every_file_is_detected_as_its_table_with_every_column_mapped(files):
    plans = plan_sources(files)
    result = {p.raw.source: p.suggestion.table for p in plans}
    expected = {f"{name}.csv": name for name in NAMES}
    assert result == expected
    for plan in plans:
        mapping = plan.suggestion.mapping
        assert plan.suggestion.complete, plan.raw.source
        # Each column to itself; the customers' e-mail and phone, not in the file, to nothing.
        headers = {str(h) for h in plan.raw.frame.columns}
        assert mapping == {col: col if col in headers else None for col in mapping}, plan.raw.source


def test_ingest_keeps_every_row_without_warnings(loaded, data):
    reports = {r.source: r for r in loaded.reports}
    assert sorted(reports) == sorted(f"{name}.csv" for name in NAMES)
    for name in NAMES:
        report = reports[f"{name}.csv"]
        assert report.table == name
        assert (report.rows_read, report.rows_kept, report.rows_rejected) == (
            len(data[name]),
            len(data[name]),
            0,
        ), name
        assert report.warnings == [], name
        assert (report.future_dates, report.duplicates, report.unused_columns) == (0, 0, []), name
        assert report.ambiguous_dates == [], name
    assert reports["orders.csv"].refunds == int((data["orders"]["amount"] < 0).sum())


# ---------------------------------------------------------------------------------------------
# Consistency


def test_every_date_is_inside_the_three_years(data):
    for name, cols in DATES.items():
        for col in cols:
            dates = data[name][col].dropna()
            assert dates.min() >= FIRST and dates.max() < LAST + pd.Timedelta(days=1), (name, col)


def test_ids_are_unique_and_every_customer_exists(data):
    customers = data["customers"].set_index("customer_id")
    assert customers.index.is_unique
    for key, name in (("order_id", "orders"), ("lead_id", "leads"), ("ticket_id", "tickets")):
        assert data[name][key].is_unique, key
    for name in ("orders", "tickets", "surveys", "leads", "touches"):
        ids = data[name]["customer_id"].dropna()
        assert ids.isin(customers.index).all(), name
    referred = data["customers"].dropna(subset=["referred_by"])
    assert referred["referred_by"].isin(customers.index).all()
    assert (referred["channel"] == "referral").all()
    referrer_signup = customers.loc[referred["referred_by"], "signup_date"].to_numpy()
    assert (referrer_signup < referred["signup_date"].to_numpy()).all()


def test_orders_follow_signup_and_stop_at_cancellation(data):
    orders, customers = data["orders"], data["customers"].set_index("customer_id")
    first = orders.groupby("customer_id")["order_date"].min()
    assert (first >= customers.loc[first.index, "signup_date"]).all()
    subs = orders[orders["revenue_type"] == "subscription"]
    end = customers.loc[subs["customer_id"], "end_date"].to_numpy()
    assert not (subs["order_date"].to_numpy() > end).any()
    assert customers.loc[subs["customer_id"], "plan"].isin(["basic", "premium"]).all()
    ended = customers.dropna(subset=["end_date"])
    assert (ended["plan"] != "one_off").all()
    assert (ended["end_date"] >= ended["signup_date"]).all()


def test_orders_have_the_planned_mix(data):
    orders = data["orders"]
    allowed = {"new", "repeat", "subscription", "upsell", "cross_sell", "service_fee"}
    assert set(orders["revenue_type"]) == allowed | {"late_fee", "other"}
    sales = orders[orders["amount"] >= 0]
    assert 40_000 <= len(sales) <= 60_000
    assert 3_000 <= len(data["customers"]) <= 4_000
    refund_share = (orders["amount"] < 0).mean()
    assert 0.003 <= refund_share <= 0.008
    assert (orders["cost"] >= 0).all() and (orders["cost"] < orders["amount"].abs() + 0.01).all()


def test_converted_leads_are_customers_who_signed_up_that_day(data):
    leads, customers = data["leads"], data["customers"].set_index("customer_id")
    won = leads.dropna(subset=["converted_date"])
    assert won["customer_id"].notna().all()
    assert leads.loc[leads["converted_date"].isna(), "customer_id"].isna().all()
    assert won["customer_id"].is_unique
    signup = customers.loc[won["customer_id"], "signup_date"].to_numpy()
    assert (won["converted_date"].to_numpy() == signup).all()
    assert (won["created_date"] <= won["converted_date"]).all()
    assert (won["qualified"] == "yes").all()


def test_several_touches_before_each_won_lead_closes(data):
    touches = data["touches"].dropna(subset=["lead_id"])
    won = data["leads"].dropna(subset=["converted_date"]).set_index("lead_id")
    mine = touches[touches["lead_id"].isin(won.index)]
    close = won.loc[mine["lead_id"], "converted_date"].to_numpy() + np.timedelta64(1, "D")
    assert (mine["date"].to_numpy() < close).all()
    per_lead = mine.groupby("lead_id").size().reindex(won.index, fill_value=0)
    assert per_lead.min() >= 2
    assert touches["lead_id"].isin(data["leads"]["lead_id"]).all()


def test_staff_in_other_files_were_employed_that_day(data):
    employees = data["employees"].set_index("employee")
    assert employees.index.is_unique
    assert set(employees["team"]) == {"sales", "support", "field"}
    assert employees["leave_date"].notna().sum() >= 3
    assert (employees["hire_date"] > FIRST).sum() >= 3
    uses = (
        ("orders", "employee", "order_date", "field"),
        ("tickets", "agent", "created_at", "support"),
        ("leads", "owner", "created_date", "sales"),
        ("touches", "employee", "date", "sales"),
        ("surveys", "agent", "date", "support"),
    )
    for name, col, date_col, team in uses:
        rows = data[name].dropna(subset=[col])
        who = employees.loc[rows[col]]
        assert (who["team"] == team).all(), name
        day = rows[date_col].dt.normalize().to_numpy()
        assert (who["hire_date"].to_numpy() <= day).all(), name
        if name != "surveys":  # a CSAT answer may come in after its agent left
            leave = who["leave_date"].fillna(LAST).to_numpy()
            assert (day <= leave).all(), name


def test_tickets_times_are_ordered_and_a_few_dozen_are_open(data):
    tickets = data["tickets"]
    responded = tickets.dropna(subset=["first_response_at"])
    assert (responded["created_at"] <= responded["first_response_at"]).all()
    resolved = tickets.dropna(subset=["resolved_at"])
    assert (resolved["first_response_at"] <= resolved["resolved_at"]).all()
    is_open = tickets["status"] == "open"
    assert set(tickets["status"]) == {"open", "resolved"}
    assert (is_open == tickets["resolved_at"].isna()).all()
    assert 20 <= is_open.sum() <= 80
    assert set(tickets["escalated"]) == {"yes", "no"}
    assert set(tickets["type"]) == {"complaint", "question", "request"}
    weekday = tickets["created_at"].dt.day_of_week < 5
    office = tickets["created_at"].dt.hour.between(8, 17)
    assert (weekday & office).mean() > 0.6


def test_surveys_scales_and_respondents(data):
    surveys = data["surveys"]
    scale = surveys["survey_type"].map({"nps": "10", "enps": "10", "csat": "5"})
    assert (surveys["scale_max"] == scale).all()
    assert surveys["score"].between(0, surveys["scale_max"].astype("float64")).all()
    csat = surveys[surveys["survey_type"] == "csat"]
    assert csat["score"].min() >= 1 and csat["agent"].notna().all()
    enps = surveys[surveys["survey_type"] == "enps"]
    assert enps[["customer_id", "agent", "channel", "segment"]].isna().all().all()
    assert enps["date"].dt.to_period("Q").nunique() == 12
    commented = surveys["comment"].notna().mean()
    assert 0.2 <= commented <= 0.4
    assert not surveys["comment"].dropna().str.contains(",").any()


def test_spend_is_monthly_per_channel_and_kind(data):
    spend = data["spend"]
    assert (spend["date"].dt.day == 1).all()
    assert not spend.duplicated(["date", "channel", "kind"]).any()
    assert len(spend) == 36 * 5 * 2
    assert (data["cashflow"]["period"].dt.day == 1).all() and len(data["cashflow"]) == 36


# ---------------------------------------------------------------------------------------------
# The stories the pages should find


def test_referral_customers_stay_longer_than_ads_customers(data):
    contracts = data["customers"][data["customers"]["plan"] != "one_off"]
    # Censored at the last day: a light check, the survival page does it properly.
    days = (contracts["end_date"].fillna(LAST) - contracts["signup_date"]).dt.days
    median = days.groupby(contracts["channel"]).median()
    assert median["referral"] > 1.2 * median["ads"]


def test_slow_agent_answers_much_slower(data):
    tickets = data["tickets"].dropna(subset=["first_response_at"])
    hours = (tickets["first_response_at"] - tickets["created_at"]).dt.total_seconds() / 3600
    slow = tickets["agent"] == SLOW_AGENT
    assert hours[slow].median() > 1.5 * hours[~slow].median()


def test_price_rise_cohorts_cancel_faster(data):
    contracts = data["customers"][data["customers"]["plan"] != "one_off"]
    cohort = contracts["signup_date"].dt.strftime("%Y-%m")
    gone = (contracts["end_date"] - contracts["signup_date"]).dt.days <= 183
    hurt = gone[cohort.isin(["2025-03", "2025-04"])].mean()
    before = gone[(cohort >= "2024-01") & (cohort <= "2025-02")].mean()
    assert hurt > 1.8 * before


def test_subscriptions_cost_twelve_percent_more_from_march_2025(data):
    subs = data["orders"][data["orders"]["revenue_type"] == "subscription"]
    subs = subs[subs["amount"] > 0]
    after = subs["order_date"] >= pd.Timestamp("2025-03-01")
    before_price = subs[~after].groupby("customer_id")["amount"].last()
    after_price = subs[after].groupby("customer_id")["amount"].first()
    both = before_price.index.intersection(after_price.index)
    assert len(both) > 300
    ratio = after_price[both] / before_price[both]
    assert ratio.between(1.1185, 1.1215).all()


def test_nps_dips_after_the_price_rise(data):
    nps = data["surveys"][data["surveys"]["survey_type"] == "nps"]
    dip = nps["date"].between(pd.Timestamp("2025-03-01"), pd.Timestamp("2025-08-31"))
    inside = net_promoter_score(nps[dip]).score
    outside = net_promoter_score(nps[~dip]).score
    assert 30 <= net_promoter_score(nps).score <= 45
    assert inside < outside - 8


def test_spring_and_christmas_are_busier_than_winter(data):
    orders = data["orders"]
    jobs = orders[orders["revenue_type"].isin(["new", "repeat"])]
    month = jobs["order_date"].dt.month
    for year in (2024, 2025, 2026):
        in_year = jobs["order_date"].dt.year == year
        spring = (in_year & month.isin([4, 5])).sum()
        winter = (in_year & month.isin([1, 2])).sum()
        assert spring > 1.3 * winter, year
    nov_dec = (jobs["order_date"].dt.year == 2025) & month.isin([11, 12])
    aug_sep = (jobs["order_date"].dt.year == 2025) & month.isin([8, 9])
    assert nov_dec.sum() > 1.1 * aug_sep.sum()


def test_lead_conversion_by_source(data):
    leads = data["leads"]
    rate = leads["converted_date"].notna().groupby(leads["source"]).mean()
    assert rate["in_person"] > 0.45 and rate["cold_call"] < 0.08
    assert rate.idxmax() == "in_person" and rate.idxmin() == "cold_call"


def test_cac_by_channel_is_between_150_and_600_eur(data):
    spend = data["spend"].groupby("channel")["amount"].sum()
    new = data["customers"]["channel"].value_counts()
    cac = (spend / new).dropna()
    assert sorted(cac.index) == ["ads", "partner", "referral", "search", "social"]
    assert cac.between(150, 600).all()
