"""Tests for kpi.staffing: Erlang B/C, service level, agents needed, arrival rates."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.errors import InsufficientDataError, SchemaError
from kpi.staffing import (
    WEEKDAYS,
    agents_needed,
    arrival_rates,
    arrivals_by_weekday_hour,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    handling_time_seconds,
    service_level,
    staffing,
    traffic_erlangs,
)
from kpi.support import BusinessHours

# --------------------------------------------------------------------------------------------
# The textbook worked example: 100 calls per half hour, 180 s handling time


def test_traffic_of_textbook_example():
    # 100 calls / 1800 s x 180 s = 10 Erlangs; per hour that is 200 calls
    assert traffic_erlangs(200, 180) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("agents", "p_wait", "within_20s", "asa"),
    [
        # 11 agents: C = 0.682, SL = 1 - 0.682 e^(-1 x 20/180) = 0.390, ASA = 0.682 x 180 / 1
        (11, 0.682, 0.390, 122.8),
        # 14 agents: C = 0.174, SL = 1 - 0.174 e^(-4 x 20/180) = 0.888, ASA = 0.174 x 180 / 4
        (14, 0.174, 0.888, 7.8),
    ],
)
def test_erlang_c_against_textbook_example(agents, p_wait, within_20s, asa):
    # Koole, "Call Center Optimization", ch. 4; also the call-centre worked example quoted
    # in "Erlang (unit)", Wikipedia: 10 Erlangs, 180 s handling time.
    assert erlang_c(10, agents) == pytest.approx(p_wait, abs=5e-4)
    assert service_level(10, agents, 180, 20) == pytest.approx(within_20s, abs=5e-4)
    assert average_speed_of_answer(10, agents, 180) == pytest.approx(asa, abs=0.05)


def test_80_20_target_needs_14_agents_against_textbook_example():
    # 13 agents answer 79.6 % within 20 s (misses 80/20); 14 agents meet it
    assert service_level(10, 13, 180, 20) == pytest.approx(0.796, abs=5e-4)
    assert service_level(10, 13, 180, 20) < 0.8
    assert agents_needed(10, 180, target_share=0.8, target_seconds=20) == 14


def test_staffing_scenario_has_every_outcome():
    result = staffing(200, 180, 11, target_seconds=20)
    assert result.traffic == pytest.approx(10.0)
    assert result.occupancy == pytest.approx(10 / 11)
    assert result.p_wait == pytest.approx(0.682, abs=5e-4)
    assert result.asa_seconds == pytest.approx(122.8, abs=0.05)
    assert result.service_level == pytest.approx(0.390, abs=5e-4)


def test_erlang_b_against_direct_formula_for_small_case():
    # B(A, N) = (A^N / N!) / sum_k A^k / k!; A = 2, N = 3: (8/6) / (1 + 2 + 2 + 8/6) = 4/19
    assert erlang_b(2, 3) == pytest.approx(4 / 19)


def test_erlang_c_against_direct_formula_for_small_case():
    # C = (A^N/N! x N/(N-A)) / (sum_{k<N} A^k/k! + A^N/N! x N/(N-A)); A = 2, N = 3:
    # top = 8/6 x 3 = 4, bottom = 1 + 2 + 2 + 4 = 9  ->  4/9
    assert erlang_c(2, 3) == pytest.approx(4 / 9)


def test_erlang_c_is_stable_for_hundreds_of_agents():
    # 180 Erlangs on 200 agents: factorials would overflow a float (200! ~ 1e375)
    c = erlang_c(180, 200)
    assert 0 < c < 1
    assert math.isfinite(average_speed_of_answer(180, 200, 180))
    assert agents_needed(180, 180, target_share=0.8, target_seconds=20) > 180


def test_understaffed_queue_always_waits():
    assert erlang_c(10, 10) == 1.0
    assert average_speed_of_answer(10, 9, 180) == math.inf
    assert service_level(10, 10, 180, 20) == 0.0


def test_no_traffic_means_no_wait_and_no_agents():
    assert erlang_c(0, 0) == 0.0
    assert service_level(0, 0, 180, 20) == 1.0
    assert agents_needed(0, 180) == 0


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="traffic"):
        erlang_c(-1, 3)
    with pytest.raises(ValueError, match="agents"):
        erlang_c(1, 2.5)
    with pytest.raises(ValueError, match="target_share"):
        agents_needed(10, 180, target_share=1.0)


@settings(max_examples=50, deadline=None)
@given(
    traffic=st.floats(min_value=0.1, max_value=150),
    extra=st.integers(min_value=1, max_value=40),
    target=st.floats(min_value=0, max_value=120),
)
def test_service_level_rises_with_agents(traffic, extra, target):
    n = math.floor(traffic) + extra
    assert service_level(traffic, n + 1, 180, target) >= service_level(traffic, n, 180, target)
    assert erlang_c(traffic, n + 1) <= erlang_c(traffic, n)


@settings(max_examples=40, deadline=None)
@given(
    traffic=st.floats(min_value=0.1, max_value=120),
    share=st.floats(min_value=0.05, max_value=0.95),
)
def test_agents_needed_is_the_fewest_that_meet_the_target(traffic, share):
    n = agents_needed(traffic, 180, target_share=share, target_seconds=20)
    assert service_level(traffic, n, 180, 20) >= share
    if n - 1 > traffic:
        assert service_level(traffic, n - 1, 180, 20) < share


# --------------------------------------------------------------------------------------------
# Against a seeded discrete-event simulation of the M/M/c queue


def simulate_mmc(rate: float, handling: float, servers: int, customers: int, seed: int):
    """Waits of a FIFO M/M/c queue: each caller takes the server that frees first."""
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / rate, customers))
    services = rng.exponential(handling, customers)
    free = [0.0] * servers
    waits = np.empty(customers)
    for i, (t, s) in enumerate(zip(arrivals, services, strict=True)):
        first_free = heapq.heappop(free)
        begin = max(t, first_free)
        waits[i] = begin - t
        heapq.heappush(free, begin + s)
    return waits[customers // 10 :]  # drop the warm-up from an empty system


def test_erlang_c_against_seeded_simulation():
    # 1.5 Erlangs on 2 agents (occupancy 75 %): C = 9/14 = 0.643, ASA = C x AHT / 0.5 = 1.286 AHT
    waits = simulate_mmc(rate=1.5, handling=1.0, servers=2, customers=120_000, seed=7)
    assert np.mean(waits > 0) == pytest.approx(erlang_c(1.5, 2), abs=0.015)
    assert np.mean(waits) == pytest.approx(average_speed_of_answer(1.5, 2, 1.0), rel=0.08)
    assert np.mean(waits <= 0.5) == pytest.approx(service_level(1.5, 2, 1.0, 0.5), abs=0.015)


def test_erlang_c_against_seeded_simulation_three_agents():
    # 2 Erlangs on 3 agents: C = 4/9
    waits = simulate_mmc(rate=2.0, handling=1.0, servers=3, customers=80_000, seed=11)
    assert np.mean(waits > 0) == pytest.approx(4 / 9, abs=0.015)
    assert np.mean(waits) == pytest.approx(average_speed_of_answer(2.0, 3, 1.0), rel=0.08)


# --------------------------------------------------------------------------------------------
# Arrivals from tickets


def tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3", "T4", "T5"],
            "created_at": pd.to_datetime(
                [
                    "2025-01-06 09:10",  # Monday 9
                    "2025-01-06 09:59",  # Monday 9
                    "2025-01-13 09:30",  # next Monday 9
                    "2025-01-11 23:05",  # Saturday 23
                    None,
                ]
            ),
            "resolved_at": pd.to_datetime(
                ["2025-01-06 10:10", "2025-01-06 11:59", None, "2025-01-12 01:05", None]
            ),
        }
    )


def test_arrivals_by_weekday_hour_counts_every_cell():
    result = arrivals_by_weekday_hour(tickets())
    assert result.shape == (7, 24)
    assert list(result.index) == list(WEEKDAYS)
    assert result.loc["Mon", 9] == 3
    assert result.loc["Sat", 23] == 1
    assert result.to_numpy().sum() == 4  # the ticket without created_at is left out
    assert result.loc["Tue", 9] == 0


def test_arrival_rates_divide_by_occurrences_of_the_slot():
    # 2025-01-06 (Mon) .. 2025-01-13 (Mon): two Mondays, one of every other weekday
    result = arrival_rates(tickets())
    assert result.loc["Mon", 9] == pytest.approx(3 / 2)
    assert result.loc["Sat", 23] == pytest.approx(1.0)
    assert result.loc["Wed", 12] == 0.0


def test_arrival_rates_short_range_has_nan_weekdays():
    result = arrival_rates(
        tickets(), start=pd.Timestamp("2025-01-06"), end=pd.Timestamp("2025-01-06")
    )
    expected = pd.Series([2.0, np.nan], index=pd.Index(["Mon", "Tue"], name="weekday"))
    tm.assert_series_equal(
        result.loc[["Mon", "Tue"], 9], expected, check_names=False, check_index_type=False
    )


def test_arrival_rates_without_tickets_in_range():
    with pytest.raises(InsufficientDataError, match="arrival rates need tickets"):
        arrival_rates(tickets(), start=pd.Timestamp("2026-01-01"))


def test_arrivals_need_created_at():
    with pytest.raises(SchemaError, match="created_at"):
        arrivals_by_weekday_hour(pd.DataFrame({"ticket_id": ["T1"]}))


def test_handling_time_from_resolution():
    # resolved: 1 h, 2 h, 2 h -> mean 5/3 h = 6000 s
    assert handling_time_seconds(tickets()) == pytest.approx(6000.0)


def test_handling_time_in_business_hours():
    # 9-17 Mon-Fri: T1 1 h, T2 2 h, T4 (Saturday night) 0 h -> mean 1 h = 3600 s
    assert handling_time_seconds(tickets(), business_hours=BusinessHours()) == pytest.approx(3600.0)


def test_handling_time_without_resolved_tickets():
    with pytest.raises(InsufficientDataError, match="resolved tickets"):
        handling_time_seconds(tickets(), start=pd.Timestamp("2025-01-13"))
