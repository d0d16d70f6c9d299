"""Write the sample business: three years of a cleaning and maintenance company, as CSV files.

    python sample_data/generate.py [--out DIR]

"Sparkle & Fix" cleans homes and offices and does small maintenance jobs in four regions of a
Central European city (currency EUR). It opened on 2023-11-01; the data runs to 2026-10-31.
Customers book one-off jobs or sign a monthly maintenance contract (plan basic or premium).
The tables follow the canonical columns of DESIGN.md, so the app maps them without help.

Stories planted for the pages to find (see README.md):

* seasonality: spring and pre-Christmas peaks in signups and one-off jobs;
* a price rise of 12 % on subscriptions on 2025-03-01, after which the customers who signed up
  in March and April 2025 cancel much faster, and NPS dips for a few months;
* referral customers stay clearly longer (lower monthly cancellation hazard) and buy more often;
* one support agent (SLOW_AGENT) takes about twice as long to answer a ticket;
* lead conversion differs by source: in person high, cold calls low.

Deterministic: one ``np.random.default_rng(2026)`` drives everything, in a fixed order, and no
step iterates over a set or a dict whose order could change, so two runs give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 2026
START = np.datetime64("2023-11-01", "D")
END = np.datetime64("2026-10-31", "D")
PRICE_RISE = np.datetime64("2025-03-01", "D")
PRICE_RISE_FACTOR = 1.12
HURT_COHORTS = ("2025-03", "2025-04")
SLOW_AGENT = "Tomasz Wiśniewski"
N_CUSTOMERS = 3800
OUT = Path(__file__).resolve().parent

# Demand by calendar month, January first: spring cleaning and the weeks before Christmas.
SEASON = np.array([0.80, 0.85, 1.15, 1.35, 1.25, 1.00, 0.85, 0.80, 1.00, 1.05, 1.20, 1.30])
REGIONS = ("North", "South", "East", "West")
CHANNELS = ("ads", "search", "referral", "partner", "social")
# Monthly cancellation hazard of a contract, relative to the base, by acquisition channel.
CHANNEL_HAZARD = {"ads": 1.45, "search": 1.0, "referral": 0.3, "partner": 0.8, "social": 1.2}
BASE_HAZARD = 0.032
# Acquisition cost per new customer that the spend table is built around (EUR).
CAC = {"ads": 380.0, "search": 260.0, "referral": 160.0, "partner": 520.0, "social": 450.0}
MARKETING_SHARE = {"ads": 0.85, "search": 0.85, "referral": 0.7, "partner": 0.35, "social": 0.85}
# One-off prices for a home (EUR, before inflation); offices pay BUSINESS_FACTOR times more.
PRICES = {
    "regular": 75.0,
    "deep_clean": 240.0,
    "windows": 110.0,
    "carpets": 150.0,
    "move_out": 380.0,
    "maintenance": 190.0,
    "hvac": 260.0,
}
COST_SHARE = {
    "regular": 0.62,
    "office": 0.60,
    "deep_clean": 0.55,
    "windows": 0.50,
    "carpets": 0.52,
    "move_out": 0.58,
    "maintenance": 0.48,
    "hvac": 0.60,
}
BUSINESS_FACTOR = 2.2
SUBSCRIPTION = {
    ("residential", "basic"): 95.0,
    ("residential", "premium"): 159.0,
    ("business", "basic"): 260.0,
    ("business", "premium"): 420.0,
}
# Lead conversion (converted / all leads) by source, and the source of a converted customer's
# lead by acquisition channel.
LEAD_CONVERSION = {
    "referral": 0.45,
    "in_person": 0.60,
    "web": 0.22,
    "ads": 0.14,
    "email": 0.12,
    "cold_call": 0.04,
}
LEAD_SOURCE_BY_CHANNEL = {
    "ads": (("ads",), (1.0,)),
    "search": (("web",), (1.0,)),
    "referral": (("referral",), (1.0,)),
    "partner": (("in_person", "email", "cold_call"), (0.5, 0.3, 0.2)),
    "social": (("web", "ads"), (0.6, 0.4)),
}

# (name, team, hire date, leave date or "", region of a field employee)
STAFF = (
    ("Marek Novak", "sales", "2023-11-01", "", ""),
    ("Eva Horváth", "sales", "2023-11-01", "2025-06-30", ""),
    ("Jakub Dvořák", "sales", "2023-11-01", "", ""),
    ("Zofia Kowalska", "sales", "2024-04-15", "", ""),
    ("Luka Kranjc", "sales", "2025-07-01", "", ""),
    ("Petra Zajc", "support", "2023-11-01", "", ""),
    (SLOW_AGENT, "support", "2023-11-01", "", ""),
    ("Anna Schmid", "support", "2023-11-01", "2024-12-31", ""),
    ("Katarína Baláž", "support", "2024-03-01", "", ""),
    ("Mihai Popescu", "support", "2025-01-15", "", ""),
    ("Lena Bauer", "support", "2025-09-01", "", ""),
    ("Jan Kovač", "field", "2023-11-01", "", "North"),
    ("Maja Novak", "field", "2023-11-01", "2025-02-28", "North"),
    ("Piotr Zieliński", "field", "2024-03-01", "", "North"),
    ("Ivana Horvat", "field", "2025-03-10", "", "North"),
    ("Nina Krajnc", "field", "2023-11-01", "", "South"),
    ("Stefan Gruber", "field", "2023-11-01", "2024-08-31", "South"),
    ("Ana Petrović", "field", "2024-09-01", "", "South"),
    ("Milan Vuković", "field", "2025-04-01", "", "South"),
    ("Katalin Szabó", "field", "2023-11-01", "", "East"),
    ("Radu Ionescu", "field", "2023-11-01", "", "East"),
    ("Vesna Mlakar", "field", "2024-05-01", "2026-01-31", "East"),
    ("Tibor Kiss", "field", "2026-02-01", "", "East"),
    ("Lukas Weber", "field", "2023-11-01", "", "West"),
    ("Sara Hofer", "field", "2023-11-01", "2025-10-31", "West"),
    ("Martin Horák", "field", "2024-02-01", "", "West"),
    ("Julia Wagner", "field", "2025-11-01", "", "West"),
)

NPS_COMMENTS = {
    "detractor": (
        "late again",
        "crew missed spots",
        "hard to reschedule",
        "nobody answered my email",
        "not worth the money",
        "rushed job",
    ),
    "detractor_price": (
        "price too high",
        "price went up again",
        "too expensive since the price rise",
    ),
    "passive": (
        "ok but pricey",
        "good work but booking is slow",
        "decent service",
        "fine overall",
        "crew changes too often",
    ),
    "promoter": (
        "friendly crew",
        "spotless every time",
        "always on time",
        "great value",
        "very reliable team",
        "easy booking",
    ),
}
CSAT_COMMENTS = {
    "low": ("slow answer", "had to call twice", "problem not solved", "nobody called back"),
    "mid": ("ok", "took a while", "fine in the end"),
    "high": ("quick help", "friendly agent", "solved in one call", "very helpful"),
}
ENPS_COMMENTS = {
    "low": ("too many weekend shifts", "need better equipment", "long drives between jobs"),
    "mid": ("ok place to work", "pay could be better"),
    "high": ("good team", "fair pay", "flexible hours"),
}
TICKET_CATEGORIES = {
    "complaint": (("quality", "punctuality", "damage", "billing", "staff"), (4, 3, 1, 2, 1)),
    "question": (("billing", "scheduling", "services", "contract"), (3, 4, 2, 2)),
    "request": (("reschedule", "extra_service", "key_handover", "cancellation"), (5, 3, 2, 1)),
}
RESOLUTIONS = {
    "complaint": (("redo_service", "discount", "apology", "refund"), (4, 2, 3, 2.2)),
    "question": (("answered",), (1,)),
    "request": (("done", "declined"), (9, 1)),
}


@dataclass
class Customer:
    """One customer as the simulation sees it (day numbers count from START)."""

    cid: str
    signup: int
    channel: str
    segment: str
    region: str
    plan: str
    referred_by: str = ""
    end: int | None = None  # last day of a cancelled contract
    price_factor: float = 1.0


def _day(text: str) -> int:
    return int((np.datetime64(text, "D") - START).astype(int))


DAYS = int((END - START).astype(int)) + 1
RISE = int((PRICE_RISE - START).astype(int))  # the price rise as a day number
MONTHS = pd.period_range(str(START), str(END), freq="M")


def _date(day: int | np.ndarray) -> np.datetime64 | np.ndarray:
    return START + np.asarray(day).astype("timedelta64[D]")


def _month_of(day: int) -> int:
    """Calendar month (1-12) of a day number."""
    return int(_date(day).astype("datetime64[M]").astype(int) % 12) + 1


def _season(day: int) -> float:
    return float(SEASON[_month_of(day) - 1])


def _weekday(day: int | np.ndarray) -> np.ndarray:
    """0 = Monday ... 6 = Sunday."""
    return (np.asarray(_date(day)).astype("datetime64[D]").astype(np.int64) + 3) % 7


def _add_months(day: int, months: int) -> int:
    """Day number ``months`` calendar months after ``day`` (day of month capped at 28)."""
    date = _date(day)
    dom = min(int((date - date.astype("datetime64[M]")).astype(int)) + 1, 28)
    target = (date.astype("datetime64[M]") + months).astype("datetime64[D]") + (dom - 1)
    return int((target - START).astype(int))


class Staff:
    """Who works where and when; picks an employee active on a given day."""

    def __init__(self) -> None:
        self.rows = [
            (name, team, _day(hire), _day(leave) if leave else DAYS, region)
            for name, team, hire, leave, region in STAFF
        ]

    def active(self, day: int, team: str, region: str = "") -> list[str]:
        return [
            name
            for name, t, hire, leave, r in self.rows
            if t == team and hire <= day <= leave and (not region or r == region)
        ]

    def pick(self, rng: np.random.Generator, day: int, team: str, region: str = "") -> str:
        names = self.active(day, team, region)
        return names[int(rng.integers(len(names)))]

    def keep_or_pick(self, rng: np.random.Generator, day: int, team: str, name: str) -> str:
        names = self.active(day, team)
        return name if name in names else names[int(rng.integers(len(names)))]


def _choice(rng: np.random.Generator, options: Sequence[str], weights: Sequence[float]) -> str:
    p = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=p / p.sum()))]


def _business_minute(rng: np.random.Generator, day: int, *, anytime: bool = False) -> int:
    """A minute of the day (as minutes since START) in office hours, weekdays preferred."""
    if not anytime and _weekday(day) >= 5 and rng.random() < 0.85:
        moved = day + (7 - int(_weekday(day)))
        day = moved if moved < DAYS else day
    if anytime and rng.random() < 0.25:
        hour = int(rng.integers(0, 24))
    else:
        hour = int(np.clip(rng.normal(12.0, 2.6), 8, 17.9))
    return day * 1440 + hour * 60 + int(rng.integers(60))


def _next_business(minute: int) -> int:
    """The same minute if inside office hours (Mon-Fri 08-18), else just after the next opening."""
    day, rest = divmod(minute, 1440)
    if _weekday(day) < 5 and 8 * 60 <= rest < 18 * 60:
        return minute
    if rest >= 8 * 60:
        day += 1
    while _weekday(day) >= 5:
        day += 1
    return day * 1440 + 8 * 60 + (minute % 37)


# ---------------------------------------------------------------------------------------------
# Customers


# Names for the inactive list ("who to call"), drawn from the customer number alone, not from the
# random stream: every other column, and so every KPI, is the same with or without them.
FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas",
    "Katarzyna", "Luca", "Maja", "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tereza", "Viktor",
)  # fmt: skip
LAST_NAMES = (
    "Novak", "Kowalski", "Schmidt", "Popescu", "Dubois", "Garcia", "Ivanova", "Horvat",
    "Meyer", "Nowak", "Martin", "Lopez", "Petrov", "Kranjc", "Weber", "Ionescu", "Moreau",
    "Fernandez", "Zielinska", "Kovac", "Fischer", "Bernard", "Sokolova",
)  # fmt: skip
BUSINESS_KINDS = ("Dental", "Bakery", "Studio", "Legal", "Logistics", "Optics", "Fitness")


def customer_name(number: int, segment: str) -> str:
    """A person for a residential customer, a small firm for a business one.

    >>> customer_name(1, "residential"), customer_name(2, "business")
    ('Ben Horvat', 'Weber Fitness')
    """
    last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
    if segment == "business":
        return f"{last} {BUSINESS_KINDS[(number * 3) % len(BUSINESS_KINDS)]}"
    return f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {last}"


def make_customers(rng: np.random.Generator) -> list[Customer]:
    """Signups by day (seasonal, growing), with channel, segment, region, plan, contract end."""
    days = np.arange(DAYS)
    months = (_date(days).astype("datetime64[M]").astype(np.int64) % 12).astype(int)
    weekday = _weekday(days)
    weight = SEASON[months] * (1 + 0.3 * days / 365) * np.minimum(1.0, 0.45 + days / 150)
    weight = weight * np.where(weekday == 6, 0.4, np.where(weekday == 5, 0.7, 1.0))
    counts = rng.poisson(N_CUSTOMERS * weight / weight.sum())
    signups = np.repeat(days, counts)
    customers: list[Customer] = []
    for i, day in enumerate(signups):
        day = int(day)
        referral_share = 0.06 + 0.16 * day / DAYS
        rest = (1 - referral_share) / 0.8
        weights = (0.28 * rest, 0.24 * rest, referral_share, 0.13 * rest, 0.15 * rest)
        channel = _choice(rng, CHANNELS, weights)
        segment = "business" if rng.random() < 0.22 else "residential"
        region = _choice(rng, REGIONS, (0.3, 0.25, 0.2, 0.25))
        plans = (0.45, 0.38, 0.17) if segment == "residential" else (0.3, 0.4, 0.3)
        if channel == "referral":
            plans = (plans[0] - 0.1, plans[1] + 0.05, plans[2] + 0.05)
        plan = _choice(rng, ("one_off", "basic", "premium"), plans)
        c = Customer(f"C{i + 1:04d}", day, channel, segment, region, plan)
        c.price_factor = float(np.exp(rng.normal(0, 0.2)))
        customers.append(c)
    _contract_ends(rng, customers)
    _referrers(rng, customers)
    return customers


def _contract_ends(rng: np.random.Generator, customers: list[Customer]) -> None:
    """Month by month cancellation for contract customers; ``end`` stays None while active."""
    for c in customers:
        if c.plan == "one_off":
            continue
        hazard = BASE_HAZARD * CHANNEL_HAZARD[c.channel]
        hazard *= 0.7 if c.segment == "business" else 1.0
        hazard *= 0.85 if c.plan == "premium" else 1.0
        cohort = str(_date(c.signup).astype("datetime64[M]"))
        if cohort in HURT_COHORTS:
            hazard *= 3.0
        k = 1
        while True:
            renewal = _add_months(c.signup, k)
            if renewal >= DAYS:
                break
            h = hazard * (1.4 if k <= 3 else 1.0)
            if RISE <= renewal < RISE + 92:
                h *= 1.5  # everybody grumbles in the months after the price rise
            if rng.random() < h:
                c.end = renewal - int(rng.integers(1, 15))
                break
            k += 1


def _referrers(rng: np.random.Generator, customers: list[Customer]) -> None:
    """Each referral customer names an earlier customer who was still a customer then."""
    signup = np.array([c.signup for c in customers])
    end = np.array([DAYS if c.end is None else c.end for c in customers])
    for c in customers:
        if c.channel != "referral":
            continue
        eligible = np.flatnonzero((signup <= c.signup - 14) & (end >= c.signup))
        if eligible.size == 0:
            c.channel = "search"
            continue
        c.referred_by = customers[int(rng.choice(eligible))].cid


# ---------------------------------------------------------------------------------------------
# Orders


def _inflation(day: int) -> float:
    return 1.03 ** (day / 365)


def _one_off_price(rng: np.random.Generator, service: str, c: Customer, day: int) -> float:
    base = PRICES[service] * (BUSINESS_FACTOR if c.segment == "business" else 1.0)
    return round(base * _inflation(day) * float(np.exp(rng.normal(0, 0.25))), 2)


def _cost(rng: np.random.Generator, service: str, amount: float) -> float:
    return round(amount * COST_SHARE[service] * float(np.exp(rng.normal(0, 0.08))), 2)


def make_orders(
    rng: np.random.Generator, customers: list[Customer], staff: Staff
) -> list[tuple[int, str, float, str, float, str, str]]:
    """Order rows as (day, customer_id, amount, revenue_type, cost, service_type, employee)."""
    rows: list[tuple[int, str, float, str, float, str, str]] = []

    def job(c: Customer, day: int, rtype: str, service: str) -> None:
        amount = _one_off_price(rng, service, c, day)
        crew = staff.pick(rng, day, "field", c.region)
        rows.append((day, c.cid, amount, rtype, _cost(rng, service, amount), service, crew))
        if rng.random() < 0.015 and day < DAYS:
            fee = round(float(rng.uniform(25, 60)), 2)
            rows.append((day, c.cid, fee, "service_fee", 0.0, service, crew))
        if rng.random() < 0.003:
            other = round(float(rng.uniform(20, 80)), 2)
            rows.append((day, c.cid, other, "other", round(other * 0.5, 2), "supplies", ""))

    one_off_services = ("regular", "deep_clean", "windows", "carpets", "move_out", "maintenance")
    one_off_weights = (5, 3, 2, 1.5, 1, 1.5)
    for c in customers:
        if c.plan == "one_off":
            referral = c.channel == "referral"
            rate = float(rng.gamma(2.0, 0.3)) * (1.6 if referral else 1.0)
            rate *= 1.3 if c.segment == "business" else 1.0
            dropout = float(rng.beta(1.2, 5.0)) * (0.6 if referral else 1.0)
            day = c.signup + int(rng.integers(0, 8))
            if day >= DAYS:
                continue
            job(c, day, "new", _choice(rng, one_off_services, one_off_weights))
            while rng.random() >= dropout:
                # Thinning against the peak month makes repeat jobs seasonal too.
                while True:
                    day += max(1, int(rng.exponential(30.4 / rate)))
                    if day >= DAYS or rng.random() < _season(day) / SEASON.max():
                        break
                if day >= DAYS:
                    break
                rtype = _choice(rng, ("repeat", "upsell", "cross_sell"), (0.88, 0.07, 0.05))
                service = _choice(rng, one_off_services, one_off_weights)
                if rtype == "cross_sell":
                    service = _choice(rng, ("maintenance", "hvac"), (0.6, 0.4))
                job(c, day, rtype, service)
            continue
        # A contract: an onboarding deep clean, then one subscription row a month until the end.
        job(c, c.signup, "new", "deep_clean")
        last = DAYS - 1 if c.end is None else c.end
        base = SUBSCRIPTION[(c.segment, c.plan)] * c.price_factor
        service = "office" if c.segment == "business" else "regular"
        k = 0
        while (bill := max(c.signup, _add_months(c.signup, k))) <= last:
            price = base * (PRICE_RISE_FACTOR if bill >= RISE else 1.0)
            amount = round(price, 2)
            crew = staff.pick(rng, bill, "field", c.region)
            rows.append(
                (bill, c.cid, amount, "subscription", _cost(rng, service, amount), service, crew)
            )
            if rng.random() < 0.02 and bill + 10 <= last:
                rows.append((bill + 10, c.cid, 15.0, "late_fee", 0.0, service, ""))
            if rng.random() < 0.12 * _season(bill):
                extra_day = bill + int(rng.integers(1, 28))
                if extra_day <= last:
                    rtype = _choice(rng, ("upsell", "cross_sell"), (0.6, 0.4))
                    extra = (
                        _choice(rng, ("windows", "carpets", "deep_clean"), (3, 2, 1))
                        if rtype == "upsell"
                        else _choice(rng, ("maintenance", "hvac"), (0.6, 0.4))
                    )
                    job(c, extra_day, rtype, extra)
            k += 1
    return rows


# ---------------------------------------------------------------------------------------------
# Tickets, refunds and surveys


def _fmt_minutes(minutes: Sequence[int | None]) -> list[str]:
    out = []
    for m in minutes:
        if m is None:
            out.append("")
        else:
            stamp = (START.astype("datetime64[m]") + np.timedelta64(int(m), "m")).astype(str)
            out.append(stamp.replace("T", " "))
    return out


def make_tickets(
    rng: np.random.Generator,
    customers: list[Customer],
    orders: list[tuple[int, str, float, str, float, str, str]],
    staff: Staff,
) -> tuple[pd.DataFrame, list[tuple[int, str, float, str, float, str, str]]]:
    """Tickets after some jobs and before some cancellations; complaints refunded add refunds."""
    by_id = {c.cid: c for c in customers}
    end_minute = DAYS * 1440 - 1
    records = []
    refunds: list[tuple[int, str, float, str, float, str, str]] = []
    seeds: list[tuple[int, Customer, str, tuple | None]] = []
    for order in orders:
        day, cid, amount, rtype, _, _, _ = order
        if rtype in ("service_fee", "late_fee", "other"):
            continue
        c = by_id[cid]
        p = 0.09
        after_rise = RISE <= day < RISE + 92
        if rtype == "subscription" and after_rise:
            p *= 1.8
        if rng.random() < p:
            seeds.append((min(DAYS - 1, day + int(rng.integers(0, 6))), c, "", order))
    for c in customers:
        if c.end is not None and rng.random() < 0.45:
            seeds.append((max(c.signup, c.end - int(rng.integers(3, 20))), c, "cancellation", None))
    seeds.sort(key=lambda s: (s[0], s[1].cid, s[2]))
    for day, c, forced, order in seeds:
        created = _business_minute(rng, day, anytime=rng.random() < 0.3)
        if forced:
            ttype, category = "request", forced
        else:
            ttype = _choice(rng, ("complaint", "question", "request"), (0.27, 0.43, 0.30))
            cats, weights = TICKET_CATEGORIES[ttype]
            weights = list(weights)
            if RISE <= day < RISE + 92 and c.plan != "one_off":
                weights = [
                    w * (4 if cat in ("billing", "cancellation") else 1)
                    for cat, w in zip(cats, weights, strict=True)
                ]
            category = _choice(rng, cats, weights)
        priority = _choice(
            rng,
            ("low", "normal", "high"),
            (0.2, 0.55, 0.25) if ttype == "complaint" else (0.35, 0.55, 0.10),
        )
        escalated = rng.random() < (0.16 if ttype == "complaint" else 0.04) * (
            1.6 if priority == "high" else 1.0
        )
        agent = staff.pick(rng, min(DAYS - 1, created // 1440), "support")
        median = 110.0 * (2.0 if agent == SLOW_AGENT else 1.0)
        median *= {"low": 1.5, "normal": 1.0, "high": 0.5}[priority]
        first = _next_business(created + max(2, int(rng.lognormal(np.log(median), 0.8))))
        work = {"complaint": 40.0, "question": 14.0, "request": 26.0}[ttype] * 60
        if rng.random() < 0.08:
            work = float(rng.uniform(3, 45)) * 1440  # waiting for parts or for the customer
        work *= 2.5 if escalated else 1.0
        resolved = _next_business(first + max(1, int(rng.lognormal(np.log(work), 0.7))))
        if first > end_minute:
            first_out, resolved_out, status = None, None, "open"
        elif resolved > end_minute:
            first_out, resolved_out, status = first, None, "open"
        else:
            first_out, resolved_out, status = first, resolved, "resolved"
        resolution = ""
        if status == "resolved":
            options, weights = RESOLUTIONS[ttype]
            resolution = _choice(rng, options, weights)
            if forced:
                resolution = "contract_cancelled"
        records.append(
            (
                created,
                first_out,
                resolved_out,
                status,
                ttype,
                category,
                priority,
                "yes" if escalated else "no",
                agent,
                c.cid,
                resolution,
                c.plan,
            )
        )
        refund_day = None if resolved_out is None else resolved_out // 1440
        if c.end is not None and refund_day is not None and refund_day > c.end:
            refund_day = None  # settled with the final invoice of a cancelled contract
        if resolution == "refund" and order is not None and refund_day is not None:
            _, cid, amount, rtype, _, service, _ = order
            share = float(rng.choice([0.3, 0.5, 1.0], p=[0.4, 0.3, 0.3]))
            refunds.append((refund_day, cid, -round(amount * share, 2), rtype, 0.0, service, ""))
    records.sort(key=lambda r: (r[0], r[9]))
    columns = [
        "created_at",
        "first_response_at",
        "resolved_at",
        "status",
        "type",
        "category",
        "priority",
        "escalated",
        "agent",
        "customer_id",
        "resolution_type",
        "contract",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["_created"] = frame["created_at"]
    for col in ("created_at", "first_response_at", "resolved_at"):
        frame[col] = _fmt_minutes(
            [None if pd.isna(v) else int(v) for v in frame[col].astype("object")]
        )
    frame.insert(0, "ticket_id", [f"T{i + 1:05d}" for i in range(len(frame))])
    return frame, refunds


def _score(rng: np.random.Generator, promoter: float, detractor: float) -> tuple[int, str]:
    """An NPS answer 0-10 from the promoter and detractor probabilities."""
    u = rng.random()
    if u < detractor:
        return int(rng.choice(7, p=np.array([1, 1, 1, 2, 3, 5, 7]) / 20)), "detractor"
    if u < detractor + promoter:
        return int(rng.choice([9, 10], p=[0.55, 0.45])), "promoter"
    return int(rng.choice([7, 8], p=[0.45, 0.55])), "passive"


def make_surveys(
    rng: np.random.Generator,
    customers: list[Customer],
    orders: list[tuple[int, str, float, str, float, str, str]],
    tickets: pd.DataFrame,
    staff: Staff,
) -> pd.DataFrame:
    """NPS after some jobs, CSAT after resolved tickets, eNPS from employees every quarter."""
    by_id = {c.cid: c for c in customers}
    complaint_days: dict[str, list[int]] = {}
    for cid, created, ttype in zip(
        tickets["customer_id"], tickets["_created"], tickets["type"], strict=True
    ):
        if ttype == "complaint":
            complaint_days.setdefault(cid, []).append(int(created) // 1440)
    rows = []
    for day, cid, _, rtype, _, _, _ in orders:
        if rtype in ("service_fee", "late_fee", "other") or rng.random() >= 0.075:
            continue
        answer = day + int(rng.integers(1, 7))
        if answer >= DAYS:
            continue
        c = by_id[cid]
        pro, det = 0.53, 0.13
        if c.channel == "referral":
            pro, det = pro + 0.08, det - 0.04
        if c.segment == "business":
            pro -= 0.03
        after_rise = RISE <= answer < RISE + 184
        if after_rise and c.plan != "one_off":
            pro, det = pro - 0.14, det + 0.15
        if any(0 <= answer - d <= 45 for d in complaint_days.get(cid, ())):
            pro, det = pro - 0.2, det + 0.25
        score, group = _score(rng, pro, det)
        comment = ""
        if rng.random() < 0.3:
            bank = group
            if group == "detractor" and after_rise and c.plan != "one_off" and rng.random() < 0.6:
                bank = "detractor_price"
            options = NPS_COMMENTS[bank]
            comment = options[int(rng.integers(len(options)))]
        rows.append((answer, "nps", score, 10, cid, "", c.channel, c.segment, comment))
    resolved = tickets[tickets["status"] == "resolved"]
    for agent, cid, created, resolved_at in zip(
        resolved["agent"],
        resolved["customer_id"],
        resolved["_created"],
        resolved["resolved_at"],
        strict=True,
    ):
        if rng.random() >= 0.35:
            continue
        day = int((np.datetime64(resolved_at[:10], "D") - START).astype(int))
        answer = day + int(rng.integers(0, 3))
        if answer >= DAYS:
            continue
        hours = (day * 1440 - int(created)) / 60
        mood = 0.9 - (0.9 if agent == SLOW_AGENT else 0.0) - (0.6 if hours > 72 else 0.0)
        score = int(np.clip(np.round(rng.normal(3.9 + mood * 0.5, 1.0)), 1, 5))
        comment = ""
        if rng.random() < 0.3:
            options = CSAT_COMMENTS["low" if score <= 2 else "mid" if score == 3 else "high"]
            comment = options[int(rng.integers(len(options)))]
        c = by_id[cid]
        rows.append((answer, "csat", score, 5, cid, agent, c.channel, c.segment, comment))
    for q in range(12):
        survey_day = _add_months(0, 3 * q) + 14
        for _ in (
            staff.active(survey_day, "sales")
            + staff.active(survey_day, "support")
            + (staff.active(survey_day, "field"))
        ):
            if rng.random() >= 0.85:
                continue
            score, group = _score(rng, 0.40, 0.18 if q < 6 else 0.14)
            comment = ""
            if rng.random() < 0.35:
                options = ENPS_COMMENTS[{"detractor": "low", "passive": "mid"}.get(group, "high")]
                comment = options[int(rng.integers(len(options)))]
            day = survey_day + int(rng.integers(0, 7))
            rows.append((day, "enps", score, 10, "", "", "", "", comment))
    rows.sort(key=lambda r: (r[0], r[1], r[4], r[5]))
    frame = pd.DataFrame.from_records(
        rows,
        columns=[
            "date",
            "survey_type",
            "score",
            "scale_max",
            "customer_id",
            "agent",
            "channel",
            "segment",
            "comment",
        ],
    )
    frame["date"] = [str(d) for d in _date(frame["date"].to_numpy())]
    return frame


# ---------------------------------------------------------------------------------------------
# Leads and touches


def make_leads(
    rng: np.random.Generator, customers: list[Customer], staff: Staff
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Converted leads behind most customers, the leads that did not convert, and touches."""
    leads = []  # (created, source, qualified, converted, customer_id, owner)
    converted_by_source: dict[str, int] = {s: 0 for s in LEAD_CONVERSION}
    for c in customers:
        p = 0.95 if c.channel in ("referral", "partner") or c.segment == "business" else 0.15
        if rng.random() >= p:
            continue
        sources, weights = LEAD_SOURCE_BY_CHANNEL[c.channel]
        source = _choice(rng, sources, weights)
        if source == "cold_call" and c.segment != "business":
            source = "email"
        gap = {"in_person": 8, "referral": 6, "web": 10, "ads": 12, "email": 20, "cold_call": 30}
        created = max(0, c.signup - int(rng.exponential(gap[source])))
        owner = staff.pick(rng, created, "sales")
        leads.append((created, source, "yes", c.signup, c.cid, owner))
        converted_by_source[source] += 1
    for source, rate in LEAD_CONVERSION.items():
        lost = rng.poisson(converted_by_source[source] * (1 - rate) / rate)
        days = np.arange(DAYS)
        months = (_date(days).astype("datetime64[M]").astype(np.int64) % 12).astype(int)
        weight = SEASON[months] * (1 + 0.3 * days / 365)
        for day in np.sort(rng.choice(days, size=lost, p=weight / weight.sum())):
            qualified = "yes" if rng.random() < 0.4 else "no"
            leads.append(
                (int(day), source, qualified, None, "", staff.pick(rng, int(day), "sales"))
            )
    leads.sort(key=lambda r: (r[0], r[1], r[4], r[5]))
    lead_ids = [f"L{i + 1:05d}" for i in range(len(leads))]
    touches = []  # (minute, lead_id, customer_id, type, direction, duration, employee)
    first_touch = {
        "ads": ("ad", "inbound"),
        "web": ("email", "inbound"),
        "referral": ("call", "inbound"),
        "cold_call": ("call", "outbound"),
        "email": ("email", "outbound"),
        "in_person": ("visit", "outbound"),
    }
    for lead_id, (created, source, _, converted, _, owner) in zip(lead_ids, leads, strict=True):
        won = converted is not None
        n = 2 + int(rng.poisson(1.8)) if won else int(rng.random() < 0.4) + int(rng.poisson(0.15))
        last = converted if won else min(DAYS - 1, created + 30)
        for k in range(n):
            day = created if k == 0 else int(rng.integers(created, last + 1))
            if won and k == n - 1:
                day = last  # the signing meeting or call on the day the customer signs
            if k == 0:
                kind, direction = first_touch[source]
            else:
                kind = _choice(rng, ("call", "email", "meeting", "visit"), (4, 3, 2, 1))
                direction = "outbound" if rng.random() < 0.75 else "inbound"
            minute = _business_minute(rng, day, anytime=kind == "ad")
            if minute // 1440 > last or minute // 1440 < created:
                minute = day * 1440 + 10 * 60 + int(rng.integers(60))
            duration = {
                "call": rng.integers(3, 21),
                "email": rng.integers(3, 11),
                "meeting": rng.integers(30, 76),
                "visit": rng.integers(30, 91),
            }.get(kind)
            employee = (
                "" if kind == "ad" else staff.keep_or_pick(rng, minute // 1440, "sales", owner)
            )
            touches.append(
                (
                    minute,
                    lead_id,
                    "",
                    kind,
                    direction,
                    "" if duration is None else str(int(duration)),
                    employee,
                )
            )
    # Account management: business contract customers get a visit or call about every quarter.
    for c in customers:
        if c.segment != "business" or c.plan == "one_off":
            continue
        last = DAYS - 1 if c.end is None else c.end
        day = c.signup + int(rng.integers(60, 120))
        while day <= last:
            kind = _choice(rng, ("visit", "call", "meeting"), (2, 2, 1))
            minute = _business_minute(rng, day)
            if minute // 1440 > last:
                break
            duration = int(rng.integers(20, 61)) if kind != "call" else int(rng.integers(5, 21))
            employee = staff.pick(rng, minute // 1440, "sales")
            touches.append((minute, "", c.cid, kind, "outbound", str(duration), employee))
            day += int(rng.integers(75, 110))
    touches.sort(key=lambda t: (t[0], t[1], t[2]))
    touch_frame = pd.DataFrame.from_records(
        touches,
        columns=[
            "date",
            "lead_id",
            "customer_id",
            "touch_type",
            "direction",
            "duration_min",
            "employee",
        ],
    )
    touch_frame["date"] = _fmt_minutes(touch_frame["date"].tolist())
    lead_frame = pd.DataFrame.from_records(
        leads,
        columns=["created_date", "source", "qualified", "converted_date", "customer_id", "owner"],
    )
    lead_frame["created_date"] = [str(d) for d in _date(lead_frame["created_date"].to_numpy())]
    lead_frame["converted_date"] = [
        "" if pd.isna(d) else str(_date(int(d))) for d in lead_frame["converted_date"]
    ]
    lead_frame.insert(0, "lead_id", lead_ids)
    return lead_frame, touch_frame


# ---------------------------------------------------------------------------------------------
# Spend and cash flow


def make_spend(rng: np.random.Generator, customers: list[Customer]) -> pd.DataFrame:
    """Marketing and sales spend per channel and month, around the target CAC of each channel."""
    new = pd.crosstab(
        pd.Series([str(_date(c.signup).astype("datetime64[M]")) for c in customers]),
        pd.Series([c.channel for c in customers]),
    )
    rows = []
    for month in MONTHS:
        label = str(month)
        for channel in CHANNELS:
            count = int(new.at[label, channel]) if label in new.index else 0
            total = max(count, 2) * CAC[channel] * float(np.exp(rng.normal(0, 0.15)))
            marketing = round(total * MARKETING_SHARE[channel], 2)
            sales = round(total - marketing, 2)
            rows.append((f"{label}-01", channel, "marketing", marketing))
            rows.append((f"{label}-01", channel, "sales", sales))
    return pd.DataFrame.from_records(rows, columns=["date", "channel", "kind", "amount"])


def make_cashflow(
    rng: np.random.Generator, orders: pd.DataFrame, spend: pd.DataFrame, staff: Staff
) -> pd.DataFrame:
    """Monthly operating cash flow (margin - spend - salaries and rent), capex, working capital."""
    month = orders["order_date"].str[:7]
    margin = (orders["amount"] - orders["cost"]).groupby(month).sum()
    revenue = orders["amount"].groupby(month).sum()
    spent = spend["amount"].groupby(spend["date"].str[:7]).sum()
    rows = []
    previous = 0.0
    for period in MONTHS:
        label = str(period)
        first = int((np.datetime64(f"{label}-01", "D") - START).astype(int))
        office = len(staff.active(first, "sales")) + len(staff.active(first, "support"))
        overhead = 6500.0 + 3400.0 * office
        ocf = (float(margin.get(label, 0.0)) - float(spent.get(label, 0.0)) - overhead) * float(
            np.exp(rng.normal(0, 0.04))
        )
        investment = 0.0
        if label == "2023-11":
            investment = 62000.0  # two vans and the first machines
        elif rng.random() < 0.2:
            investment = round(float(rng.uniform(8000, 35000)), 2)
        now = float(revenue.get(label, 0.0))
        working = 0.15 * (now - previous) + float(rng.normal(0, 2500))
        previous = now
        rows.append((f"{label}-01", round(ocf, 2), investment, round(working, 2)))
    return pd.DataFrame.from_records(
        rows, columns=["period", "operating_cash_flow", "investments", "working_capital_change"]
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _money(values: pd.Series) -> list[str]:
    return [f"{v:.2f}" for v in values]


def generate(out: Path = OUT) -> dict[str, int]:
    """Write the nine CSV files into ``out``; return the row count of each file."""
    rng = np.random.default_rng(SEED)
    staff = Staff()
    customers = make_customers(rng)
    order_rows = make_orders(rng, customers, staff)
    tickets, refunds = make_tickets(rng, customers, order_rows, staff)
    surveys = make_surveys(rng, customers, order_rows, tickets, staff)
    leads, touches = make_leads(rng, customers, staff)
    spend = make_spend(rng, customers)

    by_id = {c.cid: c for c in customers}
    all_rows = sorted(order_rows + refunds, key=lambda r: (r[0], r[1], r[2] < 0, r[3], r[5]))
    orders = pd.DataFrame.from_records(
        all_rows,
        columns=[
            "day",
            "customer_id",
            "amount",
            "revenue_type",
            "cost",
            "service_type",
            "employee",
        ],
    )
    orders.insert(0, "order_id", [f"O{i + 1:05d}" for i in range(len(orders))])
    orders.insert(2, "order_date", [str(d) for d in _date(orders.pop("day").to_numpy())])
    orders.insert(6, "channel", [by_id[c].channel for c in orders["customer_id"]])
    orders.insert(7, "region", [by_id[c].region for c in orders["customer_id"]])
    orders.insert(8, "segment", [by_id[c].segment for c in orders["customer_id"]])
    cashflow = make_cashflow(rng, orders, spend, staff)

    customer_frame = pd.DataFrame(
        {
            "customer_id": [c.cid for c in customers],
            "signup_date": [str(_date(c.signup)) for c in customers],
            "end_date": ["" if c.end is None else str(_date(c.end)) for c in customers],
            "channel": [c.channel for c in customers],
            "referred_by": [c.referred_by for c in customers],
            "segment": [c.segment for c in customers],
            "region": [c.region for c in customers],
            "plan": [c.plan for c in customers],
            "name": [customer_name(int(c.cid[1:]), c.segment) for c in customers],
        }
    )
    employees = pd.DataFrame(
        {
            "employee": [s[0] for s in STAFF],
            "hire_date": [s[2] for s in STAFF],
            "leave_date": [s[3] for s in STAFF],
            "team": [s[1] for s in STAFF],
        }
    )
    orders["amount"] = _money(orders["amount"])
    orders["cost"] = _money(orders["cost"])
    spend["amount"] = _money(spend["amount"])
    for col in ("operating_cash_flow", "investments", "working_capital_change"):
        cashflow[col] = _money(cashflow[col])
    tables = {
        "orders": orders,
        "customers": customer_frame,
        "leads": leads,
        "spend": spend,
        "surveys": surveys,
        "tickets": tickets.drop(columns="_created"),
        "touches": touches,
        "employees": employees,
        "cashflow": cashflow,
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n", encoding="utf-8")
    return {name: len(frame) for name, frame in tables.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write the CSVs into")
    args = parser.parse_args(argv)
    counts = generate(args.out)
    for name, n in counts.items():
        print(f"{name}.csv: {n:,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
